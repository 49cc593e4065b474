"""Headers, cookies, request size and rate limits on every response."""

from __future__ import annotations

import pytest

from nominee import create_app
from nominee.accounts import passwords
from nominee.extensions import limiter
from tests.conftest import BASE_CONFIG
from tests.factories import PASSWORD


@pytest.mark.parametrize("path", ["/", "/login", "/register", "/healthz", "/no-such-page"])
def test_security_headers_on_every_response(client, path):
    response = client.get(path)
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    script_src = next(part for part in csp.split(";") if "script-src" in part)
    assert "'unsafe-inline'" not in script_src
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "Strict-Transport-Security" not in response.headers


def test_hsts_when_served_over_https(client):
    response = client.get("/", base_url="https://nominee.example")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_session_and_remember_cookies_are_httponly_and_lax(client, make):
    user = make.user()
    response = client.post(
        "/login", data={"email": user.email, "password": PASSWORD, "remember": "y"}
    )
    cookies = response.headers.getlist("Set-Cookie")
    session = next(c for c in cookies if c.startswith("session="))
    remember = next(c for c in cookies if c.startswith("remember_token="))
    for cookie in (session, remember):
        assert "HttpOnly" in cookie
        assert "SameSite=Lax" in cookie
    assert "Secure" not in session  # development over plain HTTP


def test_lifetimes_at_most_30_days(app):
    assert app.config["PERMANENT_SESSION_LIFETIME"].days <= 30
    assert app.config["REMEMBER_COOKIE_DURATION"].days <= 30


def test_oversized_request_is_413_not_500(client):
    response = client.post(
        "/register",
        data={"display_name": "x" * (2 * 1024 * 1024), "email": "a@b.c", "password": "p" * 10},
    )
    assert response.status_code == 413
    assert "That did not work" in response.text


def test_oversized_json_request_gets_problem_document(client):
    response = client.post(
        "/register",
        data="x" * (2 * 1024 * 1024),
        headers={"Accept": "application/json", "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert response.mimetype == "application/problem+json"
    assert response.json["status"] == 413


def test_malformed_form_encoding_is_400_not_500(client, make):
    user = make.user()
    response = client.post(
        "/login",
        data=b"email=" + user.email.encode() + b"&password=%ZZ%",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code in (400, 302)
    response = client.post(
        "/register",
        data=b'--broken\r\nContent-Disposition: form-data; name="x"\r\n\r\n',
        headers={"Content-Type": "multipart/form-data; boundary=broken"},
    )
    assert response.status_code == 400


@pytest.fixture
def limited_app(database_url, connection):
    from sqlalchemy.orm import sessionmaker

    app = create_app(
        {
            **BASE_CONFIG,
            "DATABASE_URL": database_url,
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_LOGIN": "3 per minute",
            "RATELIMIT_REGISTER": "2 per minute",
            "RATELIMIT_PASSWORD": "2 per minute",
        }
    )
    app.extensions["nominee.sessionmaker"] = sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    limiter.reset()
    yield app
    limiter.reset()
    app.extensions["nominee.engine"].dispose()


@pytest.fixture
def hash_calls(monkeypatch):
    calls = {"hash": 0, "verify": 0}
    real_hash, real_verify = passwords.hash_password, passwords.verify_password

    def counting_hash(password):
        calls["hash"] += 1
        return real_hash(password)

    def counting_verify(password_hash, password):
        calls["verify"] += 1
        return real_verify(password_hash, password)

    monkeypatch.setattr(passwords, "hash_password", counting_hash)
    monkeypatch.setattr(passwords, "verify_password", counting_verify)
    return calls


def test_login_rate_limited_before_any_hashing(limited_app, hash_calls):
    client = limited_app.test_client()
    statuses = [
        client.post(
            "/login", data={"email": "x@example.org", "password": "guess guess"}
        ).status_code
        for _ in range(5)
    ]
    assert statuses == [400, 400, 400, 429, 429]
    assert hash_calls["verify"] == 3
    # GETs of the form are not limited.
    assert client.get("/login").status_code == 200


def test_login_429_page_and_problem_document(limited_app):
    client = limited_app.test_client()
    for _ in range(3):
        client.post("/login", data={"email": "x@example.org", "password": "guess guess"})
    page = client.post("/login", data={"email": "x@example.org", "password": "guess guess"})
    assert page.status_code == 429
    assert "Too many requests" in page.text
    api = client.post(
        "/login",
        data={"email": "x@example.org", "password": "guess guess"},
        headers={"Accept": "application/json"},
    )
    assert api.status_code == 429
    assert api.json["status"] == 429


def test_registration_rate_limited_before_hashing(limited_app, hash_calls):
    client = limited_app.test_client()
    for i in range(2):
        client.post(
            "/register",
            data={
                "display_name": f"N{i}",
                "email": f"n{i}@example.org",
                "password": "long pass phrase",
            },
        )
        client.post("/logout")
    before = hash_calls["hash"]
    response = client.post(
        "/register",
        data={"display_name": "N3", "email": "n3@example.org", "password": "long pass phrase"},
    )
    assert response.status_code == 429
    assert hash_calls["hash"] == before


def test_password_change_rate_limited(limited_app, hash_calls):
    from tests.factories import Factory

    with limited_app.app_context():
        from nominee.uow import get_session

        user = Factory(get_session()).user()
        get_session().commit()
        email = user.email
    client = limited_app.test_client()
    client.post("/login", data={"email": email, "password": PASSWORD})
    data = {"current_password": "wrong", "new_password": "another long phrase"}
    assert client.post("/account/password", data=data).status_code == 400
    assert client.post("/account/password", data=data).status_code == 400
    before = hash_calls["verify"]
    assert client.post("/account/password", data=data).status_code == 429
    assert hash_calls["verify"] == before


def test_logins_are_limited_per_account_and_more_loosely_per_address(
    database_url, connection, make
):
    """Issue 20: one address switching between accounts (an organizer trying the demo's
    accounts) is not stopped by the limit that protects each account's password."""
    from sqlalchemy.orm import sessionmaker

    app = create_app(
        {
            **BASE_CONFIG,
            "DATABASE_URL": database_url,
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_LOGIN": "6 per minute",
            "RATELIMIT_LOGIN_ACCOUNT": "2 per minute",
        }
    )
    app.extensions["nominee.sessionmaker"] = sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    limiter.reset()
    try:
        ada, bea = make.user(email="ada@example.org"), make.user(email="bea@example.org")
        client = app.test_client()

        def attempt(user, password="wrong password"):
            return client.post("/login", data={"email": user.email, "password": password})

        assert [attempt(ada).status_code for _ in range(3)] == [400, 400, 429]
        # Another account from the same address: its own bucket.
        assert attempt(bea, PASSWORD).status_code == 302
        client.post("/logout", data={})
        assert attempt(bea).status_code == 400
        # Every new account has its own bucket, but the address's limit (6) stops them.
        others = [attempt(make.user()).status_code for _ in range(4)]
        assert others[0] == 400 and others[-1] == 429
    finally:
        limiter.reset()
        app.extensions["nominee.engine"].dispose()
