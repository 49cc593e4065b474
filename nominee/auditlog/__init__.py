"""The organizers' audit log page (the events themselves live in ``nominee.audit``)."""
