"""The landing page: for a member, where to go next; for a visitor, what Nominee is."""
