from __future__ import annotations

import pytest


@pytest.fixture
def app_context(app):
    """For tests that call the services directly (their notification links need the
    app's URL map); never around requests, which push contexts of their own."""
    with app.app_context():
        yield
