"""Polling feeds for the worker and the command line: each feed fetched through the
outbound guard (``nominee.outbound``) outside any writing transaction, then its answer
recorded (new items as drafts) in a short transaction of its own, committed. Flask-free:
the caller gives the settings and a way to open sessions.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from nominee import clock, db, outbound
from nominee.i18n import _
from nominee.imports import services
from nominee.imports.models import Feed

log = logging.getLogger("nominee.imports")

FEED_MAX_BYTES = 5 * 1024 * 1024  # a podcast's feed with years of episodes
FEED_TIMEOUT = 10.0


def fetcher(allow_hosts: frozenset[str] = frozenset()) -> services.Fetch:
    """A ``services.Fetch`` through the outbound guard: at most 5 redirects, 10 s."""

    def fetch(url: str, headers: dict[str, str]) -> services.Response:
        try:
            answer = outbound.fetch(
                url,
                headers=headers,
                timeout=FEED_TIMEOUT,
                max_bytes=FEED_MAX_BYTES,
                allow_hosts=allow_hosts,
            )
        except outbound.OutboundError as exc:
            raise services.FeedUnreachable(
                _("The feed could not be fetched: %(reason)s.", reason=exc.reason)
            ) from exc
        return services.Response(answer.status, dict(answer.headers.items()), answer.body)

    return fetch


@dataclass(frozen=True)
class Polled:
    feed_id: int
    result: services.PollResult


def poll_feeds(
    new_session: Callable[[], Session],
    fetch: services.Fetch,
    feed_id: int | None = None,
    every: timedelta = timedelta(hours=1),
) -> list[Polled]:
    """Poll feed ``feed_id``, or every feed not polled for ``every``."""
    if feed_id is not None:
        ids = [feed_id]
    else:
        with _session(new_session, writes=False) as session:
            ids = services.due_feeds(session, clock.now(), every)
    return [polled for one in ids if (polled := _poll_one(new_session, fetch, one)) is not None]


def _poll_one(
    new_session: Callable[[], Session], fetch: services.Fetch, feed_id: int
) -> Polled | None:
    with _session(new_session, writes=False) as session:
        feed = session.get(Feed, feed_id)
        if feed is None:
            return None
        url, headers = feed.url, services.conditional_headers(feed)
    response: services.Response | None = None
    failure = ""
    try:
        response = fetch(url, headers)
    except services.FeedUnreachable as exc:
        failure = exc.message
    with _session(new_session, writes=True) as session:
        feed = session.get(Feed, feed_id)
        if feed is None:  # removed meanwhile
            return None
        if response is None:
            result = services.record_failure(session, feed, failure)
        else:
            result = services.record_answer(session, feed, response)
        try:
            session.commit()
        except IntegrityError:
            # Another poll of the same feed took these items first: nothing lost.
            session.rollback()
            log.info("feed %s was polled twice at once; the other poll took its items", feed_id)
            result = services.PollResult(result.status, 0)
    return Polled(feed_id, result)


@contextmanager
def _session(new_session: Callable[[], Session], *, writes: bool) -> Iterator[Session]:
    """A session that begins as a reader or a writer (SQLite: deferred, or IMMEDIATE for
    the short write that records an answer, never held during a fetch)."""
    token = db.read_only.set(not writes)
    try:
        with new_session() as session:
            yield session
    finally:
        db.read_only.reset(token)


def poll_every(config: Mapping[str, object]) -> timedelta:
    minutes = config.get("FEED_POLL_MINUTES", 60)
    return timedelta(minutes=minutes if isinstance(minutes, int) else 60)
