"""Helpers of the API tests: a token for a user, and a client that sends it."""

from __future__ import annotations

import pytest

from nominee.tokens import services as tokens
from nominee.tokens.rules import Scope, scopes_for

ALL = None


class Api:
    """A test client sending ``Authorization: Bearer <secret>`` (and JSON)."""

    def __init__(self, client, secret: str | None):
        self.client = client
        self.secret = secret

    def _headers(self, headers: dict | None) -> dict:
        sent = {"Authorization": f"Bearer {self.secret}"} if self.secret else {}
        return {**sent, **(headers or {})}

    def get(self, path: str, headers: dict | None = None, **kw):
        return self.client.get("/api/v1" + path, headers=self._headers(headers), **kw)

    def post(self, path: str, json=None, headers: dict | None = None, **kw):
        return self.client.post("/api/v1" + path, json=json, headers=self._headers(headers), **kw)

    def patch(self, path: str, json=None, headers: dict | None = None, **kw):
        return self.client.patch("/api/v1" + path, json=json, headers=self._headers(headers), **kw)

    def delete(self, path: str, headers: dict | None = None, **kw):
        return self.client.delete("/api/v1" + path, headers=self._headers(headers), **kw)


@pytest.fixture
def token_for(db):
    """``token_for(user, scopes=None, days=None)``: a new token's secret (every scope the
    user's role allows unless ``scopes``)."""

    def make(user, scopes: list[str] | None = None, days: int | None = None) -> str:
        chosen = scopes if scopes is not None else [s.value for s in scopes_for(user)]
        _, secret = tokens.create_token(db, user, name="test", scopes=chosen, expires_in_days=days)
        db.flush()
        return secret

    return make


@pytest.fixture
def api_as(app, token_for):
    """``api_as(user, scopes=None)``: an ``Api`` client with a new token of ``user``."""

    def make(user, scopes: list[str] | None = None) -> Api:
        return Api(app.test_client(), token_for(user, scopes))

    return make


READ = [Scope.READ.value]
