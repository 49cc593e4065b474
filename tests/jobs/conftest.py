from __future__ import annotations

import pytest

import tests.jobs.handlers  # noqa: F401  (registers the test.mail handler)
from tests.smtp import SMTPServer


@pytest.fixture
def smtp_server():
    with SMTPServer() as server:
        yield server
