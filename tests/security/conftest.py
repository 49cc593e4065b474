from __future__ import annotations

import pytest

from tests.security.helpers import client_for


@pytest.fixture
def as_user(app):
    """``as_user(user)``: a new client logged in as ``user``; ``as_user()``: anonymous."""
    return lambda user=None: client_for(app, user)
