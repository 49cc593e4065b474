from __future__ import annotations

import pytest
from jinja2 import BytecodeCache

from tests.security.helpers import client_for


class MemoryBytecodeCache(BytecodeCache):
    """Compiled templates kept across the apps of this process's tests: the sweeps here
    render most templates once per test, and compiling them is most of the cost."""

    def __init__(self) -> None:
        self.codes: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        if bucket.key in self.codes:
            bucket.bytecode_from_string(self.codes[bucket.key])

    def dump_bytecode(self, bucket) -> None:
        self.codes[bucket.key] = bucket.bytecode_to_string()


TEMPLATES = MemoryBytecodeCache()


@pytest.fixture
def app(app):
    app.jinja_env.bytecode_cache = TEMPLATES
    return app


@pytest.fixture
def as_user(app):
    """``as_user(user)``: a new client logged in as ``user``; ``as_user()``: anonymous."""
    return lambda user=None: client_for(app, user)
