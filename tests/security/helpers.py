"""Helpers of the security tests."""

from __future__ import annotations


def client_for(app, user=None):
    """A new test client, logged in as ``user`` through its session cookie (or anonymous).

    The password check (argon2, slow) is skipped: tests/accounts covers logging in.
    """
    client = app.test_client()
    if user is not None:
        with client.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
    return client
