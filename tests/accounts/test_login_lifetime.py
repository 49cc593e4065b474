"""A login lasts at most REMEMBER_COOKIE_DURATION from the moment the password was given,
checked on the server: a remember-me cookie (or session) kept past it is refused, whatever
expiry the browser was told."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from tests.factories import PASSWORD

DAY = 24 * 3600


@pytest.fixture
def remembered(app, make):
    """The remember-me cookie of a login with "remember me" ticked."""
    user = make.user()
    client = app.test_client()
    client.post("/login", data={"email": user.email, "password": PASSWORD, "remember": "y"})
    cookie = client.get_cookie("remember_token")
    assert cookie is not None
    return cookie.value


def _visit_later(app, monkeypatch, cookie: str, seconds: float, path="/account/profile"):
    """A new browser holding only the cookie, ``seconds`` after the login."""
    client = app.test_client()
    client.set_cookie("remember_token", cookie)
    real = time.time
    with monkeypatch.context() as later:
        later.setattr(time, "time", lambda: real() + seconds)
        return client.get(path)


def test_a_remember_cookie_within_its_duration_logs_in(app, remembered, monkeypatch):
    assert _visit_later(app, monkeypatch, remembered, 29 * DAY).status_code == 200


def test_a_remember_cookie_older_than_its_duration_is_refused(app, remembered, monkeypatch):
    response = _visit_later(app, monkeypatch, remembered, 31 * DAY)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_the_bound_follows_the_configured_duration(app, make, monkeypatch):
    app.config["REMEMBER_COOKIE_DURATION"] = timedelta(hours=1)
    user = make.user()
    client = app.test_client()
    client.post("/login", data={"email": user.email, "password": PASSWORD, "remember": "y"})
    cookie = client.get_cookie("remember_token").value
    assert _visit_later(app, monkeypatch, cookie, 50 * 60).status_code == 200
    assert _visit_later(app, monkeypatch, cookie, 70 * 60).status_code == 302


def test_a_session_restored_from_the_cookie_keeps_the_first_login_time(
    app, remembered, monkeypatch
):
    """Coming back on day 29 does not start a new 30 days: on day 31 the restored session
    is refused too."""
    client = app.test_client()
    client.set_cookie("remember_token", remembered)
    real = time.time
    with monkeypatch.context() as later:
        later.setattr(time, "time", lambda: real() + 29 * DAY)
        assert client.get("/account/profile").status_code == 200
        later.setattr(time, "time", lambda: real() + 31 * DAY)
        assert client.get("/account/profile").status_code == 302
