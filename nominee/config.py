"""Configuration: defaults here, then ``instance/config.py``, then ``NOMINEE_*`` variables.

``DATABASE_URL``, ``REDIS_URL``, ``SECRET_KEY`` and ``MAIL_URL`` are also read without the prefix,
because that is how hosting platforms usually hand them over.

With ``ENV_NAME = "production"`` the app checks its configuration when it starts
(``validate``) and refuses to run on a setting that would lose data or sessions.
"""

from __future__ import annotations

import json
import os
import secrets
import tempfile
import time
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path

import click
from flask import Flask
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.pool import NullPool
from werkzeug.middleware.proxy_fix import ProxyFix

from nominee.mail.settings import DEFAULT_BASE_URL, DEFAULT_SENDER, MailSettingError, MailSettings

UNPREFIXED = ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "MAIL_URL")
PRODUCTION = "production"
MIN_SECRET_KEY_LENGTH = 32
# Keys copied from examples, tutorials and our own test suite.
KNOWN_WEAK_KEYS = frozenset(
    {"dev", "development", "secret", "secret-key", "changeme", "change-me", "test-secret-key"}
)


class Defaults:
    ENV_NAME = "development"
    SECRET_KEY: str | None = None
    DATABASE_URL: str | None = None  # None: instance/nominee.sqlite3
    REDIS_URL: str | None = None
    # Keys of the cache every host shares (nominee/sharedcache.py), in REDIS_URL's Redis.
    CACHE_PREFIX = "nominee:cache:"
    TRUSTED_PROXIES = 0  # reverse proxies in front of the app, see ``trust_proxies``
    SQL_ECHO = False
    PER_PAGE = 25
    # The logged-out home page's figures (counts over every contribution and member) are
    # counted again at most this often per process (0: on every view).
    PUBLIC_FIGURES_SECONDS = 60
    # Public pages (award, member, directory, logged-out home) are kept whole for
    # visitors at most this long, dropped by any change they could show (nominee/pagecache.py;
    # 0: drawn on every view).
    PUBLIC_PAGE_SECONDS = 60
    # A logged-in member's own copy of the busiest pages (home, a member's page, the review
    # dashboard, a cycle's page, my contributions) is kept at most this long, dropped by any
    # change they could see, theirs or anybody's (nominee/pagecache.py; 0: drawn each view).
    MEMBER_PAGE_SECONDS = 60
    MAX_CONTENT_LENGTH = 1 * 1024 * 1024
    IMPORT_MAX_BYTES = 8 * 1024 * 1024  # a CSV file of contributions (10,000 rows)
    FEED_POLL_MINUTES = 60  # each feed is polled at most this often
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
    # While Redis is unreachable: False counts per worker, True refuses credential POSTs.
    RATELIMIT_FAIL_CLOSED = False
    RATELIMIT_LOGIN = "30 per minute;300 per hour"  # per client address, every account
    RATELIMIT_LOGIN_ACCOUNT = "10 per minute;50 per hour"  # per account, every address
    RATELIMIT_REGISTER = "5 per minute;20 per hour"
    RATELIMIT_PASSWORD = "5 per minute;20 per hour"
    RATELIMIT_RESET = "5 per minute;20 per hour"  # reset requests per client
    RATELIMIT_RESET_ADDRESS = "3 per 15 minutes;10 per day"  # reset requests per address
    RATELIMIT_VERIFY_RESEND = "3 per 15 minutes;10 per day"  # "send the link again"
    RATELIMIT_ENDORSE = "60 per minute"
    RATELIMIT_NOMINATE = "10 per minute"
    # One-click unsubscribe links (no login): light, per client address.
    RATELIMIT_UNSUBSCRIBE = "30 per minute"
    # The JSON API, per token (per client address for requests without a valid one).
    API_RATELIMIT = "300 per minute"
    RATELIMIT_LINK_CHECK = "10 per hour"  # "Check the link now", per client
    # Verifying a pasted credential (no login): canonicalising it costs CPU.
    RATELIMIT_VERIFY = "20 per minute"
    # Accounts must confirm their address before endorsing, nominating or being
    # appointed a reviewer (they may log in and log contributions before).
    REQUIRE_VERIFIED_EMAIL = True
    DEMO_PASSWORD = "nominee-demo"
    LOG_REQUESTS = True
    # Below gunicorn's 30 s worker timeout: a request blocked on a lock gives up and
    # answers 503 "busy, try again" instead of having its worker killed.
    DB_LOCK_TIMEOUT = 10  # seconds: SQLite busy timeout, PostgreSQL lock_timeout
    DB_STATEMENT_TIMEOUT = 20  # seconds, PostgreSQL statement_timeout (0: none)
    DB_POOL_SIZE = 5  # PostgreSQL connections kept per worker process
    DB_MAX_OVERFLOW = 10  # extra connections under a burst, closed when returned
    DB_POOL_TIMEOUT = 10  # seconds to wait for a free connection
    DB_POOL_RECYCLE = 1800  # seconds before a connection is replaced
    # SQLite's page cache per connection, in MiB (SQLite's own default is 2): at large
    # scale the pages' index walks and row lookups stay in memory instead of being read
    # again through the operating system at every statement.
    SQLITE_CACHE_MB = 64
    # Mail (nominee/mail): unset MAIL_URL writes each message to MAIL_FOLDER instead.
    MAIL_URL: str | None = None  # smtp://[user:password@]host:port or smtps://...
    MAIL_FROM = DEFAULT_SENDER
    MAIL_TIMEOUT = 10  # seconds for each exchange with the mail server
    MAIL_FOLDER: str | None = None  # None: instance/mail
    BASE_URL: str | None = None  # where links in mail point; development: 127.0.0.1:5000
    # The programme as the world sees it: the issuer on shared awards and badge images.
    PROGRAMME_NAME = "Nominee"
    # The zone cycle dates are defined in (an IANA name), and the one times are shown in
    # for a member who has not chosen theirs (nominee/i18n.py).
    PROGRAMME_TIME_ZONE = "UTC"
    # The programme's LinkedIn page (its number), linked from "Add to LinkedIn"; None:
    # the programme's name is shown there as text.
    LINKEDIN_ORGANIZATION_ID: str | None = None
    # Sending from the outbox (nominee/outbox/sender.py): attempts before a message is
    # given up (backoff 1 min, 5 min, 30 min, 2 h, 6 h), a worker's lease on the messages
    # it claimed (longer than sending one takes), messages claimed at a time.
    MAIL_MAX_ATTEMPTS = 6
    OUTBOX_LEASE_SECONDS = 120
    OUTBOX_BATCH = 50
    # Background jobs (nominee/jobs): "auto" is "rq" with REDIS_URL, else "thread" (in the
    # serving process); "inline" runs each job at once. JOBS_IN_PROCESS: None starts the
    # thread with the first request outside tests, True in tests too, False never.
    JOBS_BACKEND = "auto"
    JOBS_QUEUE = "nominee"  # the RQ queue's name
    JOBS_IN_PROCESS: bool | None = None
    JOBS_POLL_SECONDS = 30  # the outbox is drained at least this often
    SCHEDULE_SECONDS = 60  # the scheduler's step (nominee/jobs/schedule.py), this often
    JOBS_IMPORTS: tuple[str, ...] = ()  # more modules registering outbox handlers
    # Outbound requests (nominee/outbound.py: webhooks, link checks, feeds) never reach
    # loopback, private or metadata addresses, nor ports other than 80 and 443, except on
    # these hosts (names or addresses), e.g. ["127.0.0.1"] for the tests' local servers.
    OUTBOUND_ALLOW_HOSTS: tuple[str, ...] = ()
    OUTBOUND_CA_CERTS: str | None = None  # a CA bundle instead of the system's (tests)
    # Open Badges 3.0 credentials (nominee/credentials): the programme (PROGRAMME_NAME)
    # as their issuer.
    # Its id is did:web:<host of BASE_URL>; its signing key is made once and kept in the
    # database (table issuer_keys; `flask --app nominee credentials rotate-key`).
    ISSUER_URL: str | None = None  # the programme's home page; None: BASE_URL
    ISSUER_IMAGE: str | None = None  # its logo (https URL); None: BASE_URL/static/img/badge.svg
    ISSUER_EMAIL: str | None = None  # its contact address; None: the address of MAIL_FROM


def _coerce(key: str, raw: str):
    """Environment values are strings; accept JSON literals for numbers and booleans.

    Settings that are strings anyway stay as given, so a numeric password or key is not
    turned into a number.
    """
    if key in UNPREFIXED or isinstance(getattr(Defaults, key, None), str):
        return raw
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
                name = key.removeprefix("NOMINEE_")
                app.config[name] = _coerce(name, raw)
    else:
        app.config.update(test_config)
    if not app.config.get("DATABASE_URL"):
        app.config["DATABASE_URL"] = "sqlite:///" + str(Path(app.instance_path) / "nominee.sqlite3")
    if not app.config.get("MAIL_FOLDER"):
        app.config["MAIL_FOLDER"] = str(Path(app.instance_path) / "mail")
    if is_production(app):
        # Sessions must survive HTTPS only; and the secret key must be set on purpose,
        # never generated into the instance folder of whichever host started first.
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True
    else:
        if not app.config.get("SECRET_KEY"):
            app.config["SECRET_KEY"] = _instance_secret_key(Path(app.instance_path))
        # Production must say where it is reached; development links go to `make run`.
        app.config["BASE_URL"] = app.config.get("BASE_URL") or DEFAULT_BASE_URL
    trust_proxies(app)
    if not app.config.get("RATELIMIT_STORAGE_URI"):
        app.config["RATELIMIT_STORAGE_URI"] = app.config.get("REDIS_URL") or "memory://"
    if app.config["RATELIMIT_STORAGE_URI"].startswith(("redis://", "rediss://")):
        # An unreachable Redis must not hold a request for long (see ``fails_closed``).
        options = app.config.setdefault("RATELIMIT_STORAGE_OPTIONS", {})
        options.setdefault("socket_connect_timeout", 1)
        options.setdefault("socket_timeout", 1)


def trust_proxies(app: Flask) -> None:
    """Behind ``TRUSTED_PROXIES`` reverse proxies, take the client's address and scheme
    from the X-Forwarded-For and X-Forwarded-Proto values the last that many proxies
    appended, so that rate limits, the audit log and HTTPS checks see the client, not
    the proxy. Values a client wrote in front of them are ignored; with 0 the headers
    are. The Host header is used as the proxy passes it (X-Forwarded-Host is not read).
    """
    hops = app.config["TRUSTED_PROXIES"]
    if isinstance(hops, bool) or not isinstance(hops, int) or hops < 0:
        raise ConfigError(f"TRUSTED_PROXIES must be a number of proxy hops (0 or more): {hops!r}")
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]


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


class ConfigError(click.ClickException, RuntimeError):
    """A setting the app refuses to start with. The message is one line, for the operator.

    Both the ``flask`` command line (a ``ClickException``) and gunicorn, which preloads
    the app (a ``RuntimeError``), print just "Error: <message>" and exit with status 1.
    """


def is_production(app: Flask) -> bool:
    return app.config.get("ENV_NAME") == PRODUCTION


def validate(app: Flask) -> None:
    """Refuse to start on mail settings that cannot work; in production, also on a
    setting that would lose data or sessions, or leave members without mail."""
    production = is_production(app)
    if production:
        _check_secret_key(app.config.get("SECRET_KEY"))
        _check_mail_required(app.config)
    _check_mail_settings(app.config)
    if production:
        url = app.config["DATABASE_URL"]
        _check_sqlite_location(url)
        _check_database_reachable(url)


def _check_mail_required(config: Mapping[str, object]) -> None:
    if not config.get("MAIL_URL"):
        raise ConfigError(
            "MAIL_URL is not set: production sends mail through a server "
            "(smtp://user:password@host:587 or smtps://user:password@host:465)"
        )
    if not config.get("BASE_URL"):
        raise ConfigError(
            "BASE_URL is not set: production needs the address members reach it at, "
            "for the links in mail (https://nominee.example.org)"
        )


def _check_mail_settings(config: Mapping[str, object]) -> None:
    try:
        MailSettings.from_config(config)
    except MailSettingError as exc:
        raise ConfigError(str(exc)) from None


def _check_secret_key(key: str | None) -> None:
    if not key:
        raise ConfigError(
            "SECRET_KEY is not set: production needs an explicit key "
            '(python -c "import secrets; print(secrets.token_urlsafe(48))")'
        )
    if key.lower() in KNOWN_WEAK_KEYS or len(key) < MIN_SECRET_KEY_LENGTH:
        raise ConfigError(
            f"SECRET_KEY is a default or development key: use a random one of at least "
            f"{MIN_SECRET_KEY_LENGTH} characters"
        )


def _sqlite_path(url: str) -> Path | None:
    """The database file of a SQLite URL; None for other databases."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigError(f"DATABASE_URL is not a database URL: {url!r}") from None
    if parsed.get_backend_name() != "sqlite":
        return None
    if not parsed.database or parsed.database == ":memory:":
        raise ConfigError("DATABASE_URL is an in-memory SQLite database: all data would be lost")
    return Path(parsed.database).resolve()


def _check_sqlite_location(url: str) -> None:
    path = _sqlite_path(url)
    if path is None:
        return
    folder = path.parent
    if not folder.is_dir():
        raise ConfigError(f"SQLite database folder {folder} does not exist or is not a folder")
    # SQLite writes -wal and -shm files beside the database, so the folder must be
    # writable too. Probe by writing: permission bits say nothing on read-only mounts.
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
        if path.exists():
            os.close(os.open(path, os.O_WRONLY | os.O_APPEND))
    except OSError as exc:
        raise ConfigError(f"SQLite database {path} is not writable: {exc.strerror}") from None


def _check_database_reachable(url: str) -> None:
    connect_args = {} if url.startswith("sqlite") else {"connect_timeout": 5}
    engine = create_engine(url, poolclass=NullPool, connect_args=connect_args)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        safe_url = make_url(url).render_as_string(hide_password=True)
        raise ConfigError(f"database {safe_url} is unreachable: {reason}") from None
    finally:
        engine.dispose()
