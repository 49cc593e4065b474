from __future__ import annotations

import pytest


@pytest.fixture
def login(client):
    """Log ``user`` in by its session cookie (the login itself is tested in tests/accounts)."""

    def log_in(user):
        with client.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
        return user

    return log_in
