"""Production mode, end to end: the cookies a browser receives over HTTPS."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import sessionmaker

from nominee import create_app
from tests.conftest import BASE_CONFIG
from tests.factories import PASSWORD


@pytest.fixture
def production_app(database_url, connection):
    app = create_app(
        {
            **BASE_CONFIG,
            "ENV_NAME": "production",
            "SECRET_KEY": "kX9v2Qm7Lp4Rt8Wz1Yb6Nc3Hd5Fg0Js2Ua7Ee9Ii4Oo",
            "DATABASE_URL": database_url,
            "MAIL_URL": "smtp://mail.nominee.example:587",
            "BASE_URL": "https://nominee.example",
        }
    )
    app.extensions["nominee.sessionmaker"] = sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    yield app
    app.extensions["nominee.engine"].dispose()


def test_cookies_are_secure_httponly_and_lax_with_hsts(production_app, make):
    user = make.user()
    client = production_app.test_client()
    response = client.post(
        "/login",
        data={"email": user.email, "password": PASSWORD, "remember": "y"},
        base_url="https://nominee.example",
    )
    assert response.status_code == 302
    cookies = response.headers.getlist("Set-Cookie")
    for name in ("session=", "remember_token="):
        cookie = next(c for c in cookies if c.startswith(name))
        attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")[1:]}
        assert {"secure", "httponly", "samesite"} <= attributes, cookie
        assert "SameSite=Lax" in cookie, cookie
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
