"""Registration and email change do the same password-hashing work whether or not the
address belongs to an account, so their timing does not tell. Registration's answer
does not tell either (``test_verification.py``: "check your inbox" for both, the owner
of a taken address gets a mail); changing to a taken address still says so, behind the
current password and its rate limit."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select

from nominee.accounts.models import User
from tests.factories import PASSWORD


@pytest.fixture
def argon2_calls(monkeypatch):
    """Counts of argon2 hash and verify calls, the whole cost of these requests."""
    calls = {"hash": 0, "verify": 0}
    real_hash, real_verify = PasswordHasher.hash, PasswordHasher.verify

    def counting_hash(self, *args, **kwargs):
        calls["hash"] += 1
        return real_hash(self, *args, **kwargs)

    def counting_verify(self, *args, **kwargs):
        calls["verify"] += 1
        return real_verify(self, *args, **kwargs)

    monkeypatch.setattr(PasswordHasher, "hash", counting_hash)
    monkeypatch.setattr(PasswordHasher, "verify", counting_verify)
    return calls


def _work_of(calls, request) -> dict[str, int]:
    before = dict(calls)
    request()
    return {name: calls[name] - before[name] for name in calls}


def test_registering_a_taken_address_hashes_like_a_free_one(app, make, db, argon2_calls):
    make.user(email="taken@example.org")

    def register(email):
        data = {"display_name": "Someone", "email": email, "password": "a long enough phrase"}
        return lambda: app.test_client().post("/register", data=data)

    taken = _work_of(argon2_calls, register("taken@example.org"))
    free = _work_of(argon2_calls, register("free@example.org"))
    assert taken == free == {"hash": 1, "verify": 0}
    assert db.scalar(select(func.count()).where(User.email == "taken@example.org")) == 1


def test_changing_to_a_taken_address_hashes_like_a_free_one(app, make, db, argon2_calls):
    make.user(email="taken@example.org")
    users = [make.user(), make.user()]

    def change_email(user, email):
        client = app.test_client()
        client.post("/login", data={"email": user.email, "password": PASSWORD})
        data = {"email": email, "current_password": PASSWORD}
        return lambda: client.post("/account/email", data=data)

    taken = _work_of(argon2_calls, change_email(users[0], "taken@example.org"))
    free = _work_of(argon2_calls, change_email(users[1], "free@example.org"))
    assert taken == free
    assert taken["hash"] + taken["verify"] >= 1
