"""Configuration: defaults here, then ``instance/config.py``, then ``NOMINEE_*`` variables.

``DATABASE_URL``, ``REDIS_URL`` and ``SECRET_KEY`` are also read without the prefix,
because that is how hosting platforms usually hand them over.
"""

from __future__ import annotations

import json
import os
import secrets
import time
from datetime import timedelta
from pathlib import Path

from flask import Flask

UNPREFIXED = ("DATABASE_URL", "REDIS_URL", "SECRET_KEY")


class Defaults:
    ENV_NAME = "development"
    SECRET_KEY: str | None = None
    DATABASE_URL: str | None = None  # None: instance/nominee.sqlite3
    REDIS_URL: str | None = None
    SQL_ECHO = False
    PER_PAGE = 25
    MAX_CONTENT_LENGTH = 1 * 1024 * 1024
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = False
    REMEMBER_COOKIE_DURATION = timedelta(days=30)
    PERMANENT_SESSION_LIFETIME = timedelta(days=30)
    RATELIMIT_ENABLED = True
    RATELIMIT_LOGIN = "10 per minute;50 per hour"
    RATELIMIT_REGISTER = "5 per minute;20 per hour"
    RATELIMIT_PASSWORD = "5 per minute;20 per hour"
    RATELIMIT_ENDORSE = "60 per minute"
    RATELIMIT_NOMINATE = "10 per minute"
    DEMO_PASSWORD = "nominee-demo"
    LOG_REQUESTS = True


def _coerce(raw: str):
    """Environment values are strings; accept JSON literals for numbers and booleans."""
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def load_config(app: Flask, test_config: dict | None) -> None:
    app.config.from_object(Defaults)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        for name in UNPREFIXED:
            if os.environ.get(name):
                app.config[name] = os.environ[name]
        for key, raw in os.environ.items():
            if key.startswith("NOMINEE_"):
                app.config[key.removeprefix("NOMINEE_")] = _coerce(raw)
    else:
        app.config.update(test_config)
    if not app.config.get("DATABASE_URL"):
        app.config["DATABASE_URL"] = "sqlite:///" + str(Path(app.instance_path) / "nominee.sqlite3")
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret_key(Path(app.instance_path))
    if app.config.get("REDIS_URL") and not app.config.get("RATELIMIT_STORAGE_URI"):
        app.config["RATELIMIT_STORAGE_URI"] = app.config["REDIS_URL"]


def _instance_secret_key(instance: Path) -> str:
    """Generate a key once and keep it in the instance folder, so sessions survive restarts."""
    path = instance / "secret_key"
    instance.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        # Another worker may be writing it at this very moment: wait for the content.
        for _ in range(50):
            key = path.read_text().strip()
            if key:
                return key
            time.sleep(0.02)
        raise RuntimeError(f"{path} is empty; delete it to generate a new key") from None
    key = secrets.token_urlsafe(48)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key
