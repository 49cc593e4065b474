"""A cache every process and host shares: Redis when ``REDIS_URL`` is set, else this
process's memory (one host, for development and small installations).

What is cached here is the same for every viewer (the public figures, the programme's
settings). A value lives at most its ``ttl``; a change that makes it wrong deletes it
after its transaction commits (``stale_after_commit``), on every host at once when
Redis holds it. Values are JSON. Redis failing never fails a page: the value is
computed again, and a deletion that could not reach Redis leaves at most the ``ttl``.
Plain Python: no Flask.
"""

from __future__ import annotations

import json
import logging
import secrets
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.orm import Session

from nominee import redisclient
from nominee.db import written_tables

log = logging.getLogger("nominee.cache")
T = TypeVar("T")
STALE_KEYS = "nominee.stale_keys"
CACHE = "nominee.cache"
# The keys, one place: the programme's settings (nominee.programme) and the public
# figures of the logged-out home page (nominee.home).
PROGRAMME = "programme"
PUBLIC_FIGURES = "public_figures"
# The version of what visitors see (``nominee.pagecache`` keys whole pages with it): a
# commit that wrote a row of any table but these bookkeeping ones, which no public page
# shows, deletes it once done, and the next visitor starts a new one.
PUBLIC_VERSION = "public_version"
PUBLIC_VERSION_SECONDS = 24 * 3600
UNSEEN_TABLES = frozenset(
    {
        "audit_events",
        "notifications",
        "outbox",
        "webhook_deliveries",
        "webhook_attempts",
        "scheduled_runs",
        "mail_digests",
        "api_tokens",
        "api_idempotent_replies",
    }
)
# The version of what a logged-in member's kept page shows (``nominee.pagecache``): their
# own rows as well as everybody's, so a commit that wrote any table but the mail queue and
# the scheduler's runs, which no such page shows, drops it.
MEMBERS_VERSION = "members_version"
MEMBERS_UNSEEN_TABLES = frozenset({"outbox", "scheduled_runs"})
# The most values this process keeps (without Redis): a key that carries a version is never
# read again once the version changes, so old values are dropped, expired ones first.
LOCAL_ENTRIES = 4096


class SharedCache:
    def __init__(self, redis_url: str | None, namespace: str = "nominee:cache:"):
        self.redis_url = redis_url
        self.namespace = namespace
        self._local: dict[str, tuple[float, str]] = {}
        self._lock = threading.Lock()

    @property
    def shared(self) -> bool:
        """True when every host sees the same values (Redis)."""
        return bool(self.redis_url)

    def contains(self, key: str) -> bool:
        """Whether a value is kept under ``key`` (without reading it)."""
        if self.redis_url:
            try:
                return bool(redisclient.client_for(self.redis_url).exists(self.namespace + key))
            except Exception as error:
                log.warning("could not read %s from Redis: %s", key, error)
                return False
        return self._get_raws((key,))[0] is not None

    def get(self, key: str) -> Any | None:
        return self.get_many(key)[0]

    def get_many(self, *keys: str) -> list[Any | None]:
        """The values under ``keys`` (None where none is kept), read at once: one round
        trip to Redis."""
        return [None if raw is None else json.loads(raw) for raw in self._get_raws(keys)]

    def set(self, key: str, value: Any, ttl: float) -> None:
        raw = json.dumps(value, separators=(",", ":"))
        if self.redis_url:
            try:
                redisclient.client_for(self.redis_url).set(
                    self.namespace + key, raw, px=max(1, int(ttl * 1000))
                )
            except Exception as error:
                log.warning("could not keep %s in Redis: %s", key, error)
            return
        with self._lock:
            now = time.monotonic()
            self._local[key] = (now + ttl, raw)
            if len(self._local) > LOCAL_ENTRIES:
                self._sweep(now)

    def delete(self, *keys: str) -> None:
        if not keys:
            return
        if self.redis_url:
            try:
                redisclient.client_for(self.redis_url).delete(*(self.namespace + k for k in keys))
            except Exception as error:
                log.warning("could not delete %s from Redis: %s", keys, error)
            return
        with self._lock:
            for key in keys:
                self._local.pop(key, None)

    def remember(
        self,
        key: str,
        ttl: float,
        compute: Callable[[], T],
        dump: Callable[[T], Any],
        load: Callable[[Any], T],
    ) -> T:
        """The value under ``key``, or ``compute()``'s, kept for ``ttl`` seconds."""
        kept = self.get(key)
        if kept is not None:
            return load(kept)
        value = compute()
        self.set(key, dump(value), ttl)
        return value

    def version(self, name: str, ttl: float = 24 * 3600) -> str:
        """The current version of the values named ``name`` (a new one once the last was
        deleted: ``stale_after_commit(session, name)``). Keep such values under a key
        carrying it (``remember_versioned``): a value computed from rows read before a
        change commits is kept under the version the change dropped, so never read."""
        found = self.get(name)
        if found is None:
            found = secrets.token_hex(8)
            self.set(name, found, ttl)
        return str(found)

    def remember_versioned(
        self,
        name: str,
        ttl: float,
        compute: Callable[[], T],
        dump: Callable[[T], Any],
        load: Callable[[Any], T],
    ) -> T:
        """``remember`` under ``name``'s current version (``version``)."""
        return self.remember(f"{name}:{self.version(name)}", ttl, compute, dump, load)

    def _sweep(self, now: float) -> None:
        """Drop the expired values, then the oldest kept, down to three quarters of
        ``LOCAL_ENTRIES`` (so that the next values set need no sweep). Under the lock."""
        for key in [key for key, (until, _raw) in self._local.items() if until <= now]:
            del self._local[key]
        while len(self._local) > LOCAL_ENTRIES * 3 // 4:
            del self._local[next(iter(self._local))]

    def _get_raws(self, keys: tuple[str, ...]) -> list[str | None]:
        if self.redis_url:
            try:
                raws = redisclient.client_for(self.redis_url).mget(
                    [self.namespace + key for key in keys]
                )
            except Exception as error:
                log.warning("could not read %s from Redis: %s", keys, error)
                return [None] * len(keys)
            return [raw.decode() if isinstance(raw, bytes) else raw for raw in raws]
        with self._lock:
            return [self._local_value(key) for key in keys]

    def _local_value(self, key: str) -> str | None:
        """This process's value under ``key``, if not expired (hold ``_lock``)."""
        kept = self._local.get(key)
        if kept is None:
            return None
        if kept[0] <= time.monotonic():
            del self._local[key]
            return None
        return kept[1]


def attach(session: Session, cache: SharedCache) -> None:
    """The cache the session's commits make values stale in (the app's sessions carry
    theirs from the start: ``nominee.uow``)."""
    session.info[CACHE] = cache


@event.listens_for(Session, "after_commit")
def _forget_stale_values(session: Session) -> None:
    # A SAVEPOINT's release is a commit for SQLAlchemy too: only the outermost counts.
    if session.in_nested_transaction():
        return
    cache = session.info.get(CACHE)
    keys = take_stale_keys(session)
    written = written_tables(session)
    if written - UNSEEN_TABLES:
        keys.append(PUBLIC_VERSION)
    if written - MEMBERS_UNSEEN_TABLES:
        keys.append(MEMBERS_VERSION)
    if cache is not None:
        cache.delete(*keys)


@event.listens_for(Session, "after_transaction_end")
def _keep_values(session: Session, transaction) -> None:
    # A rollback forgets the keys; a commit has taken them (``after_commit`` runs first).
    # Only the outermost transaction: a SAVEPOINT rolled back inside one that then
    # commits must not make it forget what it marked stale before.
    if transaction.parent is None:
        forget_stale_keys(session)


def stale_after_commit(session: Session, *keys: str) -> None:
    """The cached values under ``keys`` are wrong once this session's transaction
    commits: they are deleted then, from the cache the unit of work attached
    (``attach``), not before, so that no other request caches the old value again in
    between. A rollback forgets them."""
    session.info.setdefault(STALE_KEYS, set()).update(keys)


def take_stale_keys(session: Session) -> list[str]:
    return sorted(session.info.pop(STALE_KEYS, ()))


def forget_stale_keys(session: Session) -> None:
    session.info.pop(STALE_KEYS, None)
