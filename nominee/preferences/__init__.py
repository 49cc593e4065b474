"""Email preferences: per member and notification kind, immediately, in the daily digest
or not at all; defaults in ``nominee.notifications.kinds``, so a member with no row gets
them. Account-security mail is not a notification kind and cannot be turned off."""
