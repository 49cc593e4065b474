"""Production mode refuses to start on settings that would lose data or sessions."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from nominee import ROOT, create_app
from nominee.config import ConfigError

GOOD_KEY = "k" * 48
SECRET_KEY_MISSING = (
    'SECRET_KEY is not set: production needs an explicit key (python -c "import secrets; '
    'print(secrets.token_urlsafe(48))")'
)


def production(tmp_path, **overrides) -> dict:
    return {
        "ENV_NAME": "production",
        "SECRET_KEY": GOOD_KEY,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'nominee.sqlite3'}",
        "RATELIMIT_ENABLED": False,
        "MAIL_URL": "smtp://mail.nominee.example:587",
        "BASE_URL": "https://nominee.example",
        **overrides,
    }


def refusal(config: dict) -> str:
    with pytest.raises(ConfigError) as info:
        create_app(config)
    message = str(info.value)
    assert "\n" not in message
    return message


def test_production_starts_with_good_settings_and_secure_cookies(tmp_path):
    app = create_app(production(tmp_path))
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_SECURE"] is True
    app.extensions["nominee.engine"].dispose()


def test_development_skips_the_checks_and_keeps_plain_http_cookies(tmp_path):
    config = production(tmp_path, ENV_NAME="development", SECRET_KEY="dev")
    config["DATABASE_URL"] = "sqlite:////nonexistent-folder/nominee.sqlite3"
    app = create_app(config)
    assert app.config["SESSION_COOKIE_SECURE"] is False
    app.extensions["nominee.engine"].dispose()


def test_refuses_missing_secret_key_and_does_not_generate_one(tmp_path):
    message = refusal(production(tmp_path, SECRET_KEY=None))
    assert message.startswith("SECRET_KEY is not set")


@pytest.mark.parametrize("key", ["dev", "test-secret-key", "change-me", "short-but-random-9f3a"])
def test_refuses_default_or_development_secret_key(tmp_path, key):
    assert "default or development key" in refusal(production(tmp_path, SECRET_KEY=key))


def test_refuses_production_from_environment_without_secret_key(tmp_path, monkeypatch):
    monkeypatch.setenv("NOMINEE_ENV_NAME", "production")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'nominee.sqlite3'}")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("NOMINEE_SECRET_KEY", raising=False)
    monkeypatch.setenv("NOMINEE_RATELIMIT_ENABLED", "false")
    with pytest.raises(ConfigError, match="^SECRET_KEY is not set"):
        create_app()


def test_refuses_sqlite_in_missing_folder(tmp_path):
    url = f"sqlite:///{tmp_path / 'missing' / 'nominee.sqlite3'}"
    message = refusal(production(tmp_path, DATABASE_URL=url))
    folder = tmp_path / "missing"
    assert message == f"SQLite database folder {folder} does not exist or is not a folder"


def test_refuses_sqlite_below_a_file(tmp_path):
    (tmp_path / "file").write_text("")
    url = f"sqlite:///{tmp_path / 'file' / 'nominee.sqlite3'}"
    assert "is not a folder" in refusal(production(tmp_path, DATABASE_URL=url))


def test_refuses_sqlite_in_read_only_folder(tmp_path):
    if os.geteuid() == 0:
        # Root writes through permission bits; no user creates files in procfs.
        url = "sqlite:////proc/nominee.sqlite3"
        assert "is not writable" in refusal(production(tmp_path, DATABASE_URL=url))
        return
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        url = f"sqlite:///{folder / 'nominee.sqlite3'}"
        assert "is not writable" in refusal(production(tmp_path, DATABASE_URL=url))
    finally:
        folder.chmod(0o700)


def test_refuses_read_only_sqlite_file(tmp_path, monkeypatch):
    path = tmp_path / "nominee.sqlite3"
    path.write_bytes(b"")
    path.chmod(0o400)
    if os.geteuid() == 0:
        # Root writes through permission bits: the file system refuses it instead, as a
        # read-only mount or an immutable file would.
        real_open = os.open

        def read_only(file, flags, *args, **kwargs):
            if str(file) == str(path) and flags & (os.O_WRONLY | os.O_RDWR):
                raise PermissionError(13, "Permission denied", str(file))
            return real_open(file, flags, *args, **kwargs)

        monkeypatch.setattr(os, "open", read_only)
    assert "is not writable" in refusal(production(tmp_path, DATABASE_URL=f"sqlite:///{path}"))


def test_refuses_in_memory_sqlite(tmp_path):
    assert "in-memory" in refusal(production(tmp_path, DATABASE_URL="sqlite://"))


def test_refuses_unreachable_database(tmp_path):
    url = "postgresql+psycopg://nominee:hunter2@127.0.0.1:1/nominee"
    message = refusal(production(tmp_path, DATABASE_URL=url))
    assert message.startswith("database postgresql+psycopg://nominee:***@127.0.0.1:1/nominee")
    assert "unreachable" in message
    assert "hunter2" not in message


def test_environment_values_keep_string_settings_as_strings(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'nominee.sqlite3'}")
    monkeypatch.setenv("NOMINEE_SECRET_KEY", "1234567890" * 4)
    monkeypatch.setenv("NOMINEE_DEMO_PASSWORD", "12345678")
    monkeypatch.setenv("NOMINEE_PER_PAGE", "10")
    monkeypatch.setenv("NOMINEE_RATELIMIT_ENABLED", "false")
    app = create_app()
    assert app.config["SECRET_KEY"] == "1234567890" * 4
    assert app.config["DEMO_PASSWORD"] == "12345678"
    assert app.config["PER_PAGE"] == 10
    assert app.config["RATELIMIT_ENABLED"] is False
    app.extensions["nominee.engine"].dispose()


def test_refuses_production_without_mail_url(tmp_path):
    message = refusal(production(tmp_path, MAIL_URL=None))
    assert message.startswith("MAIL_URL is not set: production sends mail through a server")


def test_refuses_production_without_base_url(tmp_path):
    message = refusal(production(tmp_path, BASE_URL=None))
    assert message.startswith("BASE_URL is not set: production needs the address")


@pytest.mark.parametrize("mode", ["production", "development"])
def test_refuses_a_malformed_mail_url_in_any_mode(tmp_path, mode):
    config = production(tmp_path, ENV_NAME=mode, MAIL_URL="smtp://mailer:hunter2@mail:port")
    message = refusal(config)
    assert message.startswith("MAIL_URL is not a mail server URL")
    assert "hunter2" not in message


def test_refuses_a_sender_that_is_not_an_address(tmp_path):
    message = refusal(production(tmp_path, MAIL_FROM="Nominee"))
    assert message == "MAIL_FROM is not one email address: 'Nominee'"


def test_development_mail_defaults_write_to_the_instance_folder(tmp_path):
    app = create_app(production(tmp_path, ENV_NAME="development", MAIL_URL=None, BASE_URL=None))
    assert app.config["BASE_URL"] == "http://127.0.0.1:5000"
    assert app.config["MAIL_FOLDER"] == str(Path(app.instance_path) / "mail")
    app.extensions["nominee.engine"].dispose()


def test_mail_url_is_read_without_the_prefix(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'nominee.sqlite3'}")
    monkeypatch.setenv("MAIL_URL", "smtps://mailer:12345@mail.nominee.example")
    monkeypatch.setenv("NOMINEE_MAIL_TIMEOUT", "3")
    monkeypatch.setenv("NOMINEE_RATELIMIT_ENABLED", "false")
    app = create_app()
    assert app.config["MAIL_URL"] == "smtps://mailer:12345@mail.nominee.example"
    assert app.config["MAIL_TIMEOUT"] == 3
    app.extensions["nominee.engine"].dispose()


def refused_start(command: list[str], tmp_path) -> subprocess.CompletedProcess:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("NOMINEE_") and key not in ("SECRET_KEY", "DATABASE_URL")
    }
    env |= {
        "NOMINEE_ENV_NAME": "production",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'nominee.sqlite3'}",
        "PORT": "1",  # never bound: the app is refused first
    }
    return subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False
    )


def test_flask_command_line_refuses_in_one_line(tmp_path):
    result = refused_start(
        [sys.executable, "-m", "flask", "--app", "nominee", "db", "current"], tmp_path
    )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [f"Error: {SECRET_KEY_MISSING}"]


def test_gunicorn_refuses_in_one_line(tmp_path):
    result = refused_start(
        [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py"], tmp_path
    )
    assert result.returncode == 1
    assert f"Error: {SECRET_KEY_MISSING}" in result.stderr.splitlines()
    assert "Traceback" not in result.stderr
