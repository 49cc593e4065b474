"""Checking evidence links, recording their state and telling owners of broken ones.

A check (``check``) fetches the URL through the outbound guard (GET, 5 redirects at most,
10 s, the body not read) outside any transaction, then records the outcome
(``record``) in a transaction of its own: the ``LinkCheck`` row of the URL (one per URL,
however many contributions link to it) moves by ``rules.judge``, and when it has just
become broken, every owner of a contribution with that link gets a ``link_broken``
notification (once per breakage: a good answer starts over).

Which links: ``due_urls`` are the links of contributions that are evidence of live
nominations (awaiting acceptance, submitted, in review), as the owner has them and as the
panel's frozen copy has them, not checked for ``rules.RECHECK_AFTER``. The scheduler asks
for a run once a day (``request_run``: an outbox message, so the run is a job);
``run_due`` checks them within a time budget and says when more are left. An owner asks for
their contribution's link to be checked now with ``request_check`` (a job too).

Flask-free.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select, union
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from nominee import clock, outbound
from nominee.accounts.models import User
from nominee.contributions.models import Contribution
from nominee.errors import PermissionDenied
from nominee.i18n import _
from nominee.linkchecks import rules
from nominee.linkchecks.models import LinkCheck
from nominee.nominations.models import Nomination, NominationEvidence, NominationStatus
from nominee.notifications.services import notify
from nominee.outbox import services as outbox

RUN_TOPIC = "linkcheck.run"
URL_TOPIC = "linkcheck.url"
CHECKED = (
    NominationStatus.AWAITING_ACCEPTANCE,
    NominationStatus.SUBMITTED,
    NominationStatus.IN_REVIEW,
)
MAX_ERROR_LENGTH = 500


@dataclass(frozen=True)
class CheckSettings:
    """``OUTBOUND_ALLOW_HOSTS`` and the limits of one check."""

    allow_hosts: frozenset[str] = frozenset()
    timeout: float = outbound.DEFAULT_TIMEOUT
    max_redirects: int = outbound.DEFAULT_MAX_REDIRECTS
    ca_certs: str | None = None


@dataclass
class RunReport:
    checked: int = 0
    broken: int = 0  # newly broken in this run
    more: bool = False  # the budget ran out with links left


def request_run(session: Session) -> None:
    """Ask for a run of the due checks, as a job (the scheduler's daily moment)."""
    outbox.put(session, RUN_TOPIC, {})


def request_check(session: Session, actor: User, contribution: Contribution) -> None:
    """The owner asks for their contribution's link to be checked now (a job)."""
    if not rules.can_request_check(actor, contribution):
        raise PermissionDenied(_("Only the owner of a contribution with a link asks for a check."))
    outbox.put(session, URL_TOPIC, {"url": contribution.url})


def due_urls(session: Session, now: datetime, limit: int = 500) -> list[str]:
    """Links of live nominations' evidence not checked for ``RECHECK_AFTER``, the never
    checked first."""
    live = Nomination.status.in_(CHECKED)
    owned = (
        select(Contribution.url.label("url"))
        .join(NominationEvidence, NominationEvidence.contribution_id == Contribution.id)
        .join(Nomination, Nomination.id == NominationEvidence.nomination_id)
        .where(live, Contribution.url.is_not(None), Contribution.url != "")
    )
    frozen = (
        select(NominationEvidence.url.label("url"))
        .join(Nomination, Nomination.id == NominationEvidence.nomination_id)
        .where(live, NominationEvidence.url.is_not(None), NominationEvidence.url != "")
    )
    urls = union(owned, frozen).subquery()
    stale = now - rules.RECHECK_AFTER
    rows = session.execute(
        select(urls.c.url)
        .outerjoin(LinkCheck, LinkCheck.url == urls.c.url)
        .where(or_(LinkCheck.id.is_(None), LinkCheck.checked_at < stale))
        .order_by(LinkCheck.checked_at.is_not(None), LinkCheck.checked_at, urls.c.url)
        .limit(limit)
    )
    return [str(url) for (url,) in rows]


def probe(url: str, settings: CheckSettings) -> tuple[rules.Outcome, str | None]:
    """Fetch ``url`` through the guard: (the outcome, the URL it ended at)."""
    try:
        response = outbound.fetch(
            url,
            timeout=settings.timeout,
            max_redirects=settings.max_redirects,
            allow_hosts=settings.allow_hosts,
            ca_certs=settings.ca_certs,
            read_body=False,
            headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"},
        )
    except outbound.OutboundRefused as exc:
        return rules.Outcome(None, _("Refused: %(reason)s", reason=exc.reason)), None
    except outbound.OutboundError as exc:
        return rules.Outcome(None, exc.reason), None
    error = (
        None
        if response.status < 400
        else _("The page answered %(status)s.", status=response.status)
    )
    return rules.Outcome(response.status, error), response.final_url


def _row(session: Session, url: str, now: datetime) -> LinkCheck:
    digest = rules.url_hash(url)
    query = select(LinkCheck).where(LinkCheck.url_hash == digest).with_for_update()
    found = session.scalar(query)
    if found is not None:
        return found
    try:
        with session.begin_nested():
            session.add(LinkCheck(url_hash=digest, url=url, checked_at=now))
    except IntegrityError:  # another worker recorded it first
        pass
    row = session.scalar(query)
    assert row is not None
    return row


def record(
    session: Session, url: str, outcome: rules.Outcome, final_url: str | None, now: datetime
) -> tuple[LinkCheck, bool]:
    """Write the outcome of a check of ``url``; (its row, whether it just broke).
    Flushes, never commits."""
    row = _row(session, url, now)
    was_broken = row.broken
    state = rules.judge(
        rules.State(row.failing_since, row.failures, row.broken_since), outcome, now
    )
    row.checked_at = now
    row.status_code = outcome.status_code
    row.error = outcome.error[:MAX_ERROR_LENGTH] if outcome.error else None
    row.final_url = final_url[:2000] if final_url else None
    row.failing_since, row.failures, row.broken_since = (
        state.failing_since,
        state.failures,
        state.broken_since,
    )
    if outcome.good:
        row.ok_at = now
        row.notified_at = None
    just_broke = not was_broken and row.broken
    if just_broke and row.notified_at is None:
        _tell_owners(session, row)
        row.notified_at = now
    session.flush()
    return row, just_broke


def _tell_owners(session: Session, row: LinkCheck) -> None:
    assert row.broken_since is not None
    contributions = session.execute(
        select(Contribution.id, Contribution.owner_id, Contribution.title)
        .where(Contribution.url == row.url)
        .order_by(Contribution.id)
    ).all()
    for contribution_id, owner_id, title in contributions:
        notify(
            session,
            owner_id,
            "link_broken",
            contribution_id=contribution_id,
            title=title,
            since=row.broken_since.date().isoformat(),
            reason=row.error or "",
        )


def check(sessions: Callable[[], Session], url: str, settings: CheckSettings) -> LinkCheck:
    """Check ``url`` now and record it, in a transaction of its own (committed)."""
    outcome, final_url = probe(url, settings)
    with sessions() as session:
        row, _ = record(session, url, outcome, final_url, clock.now())
        session.commit()
    return row


def run_due(
    sessions: Callable[[], Session], settings: CheckSettings, *, budget: float | None = None
) -> RunReport:
    """Check every due link, one after another, each recorded on its own; stop after
    ``budget`` seconds (``report.more``: links are left for another run)."""
    report = RunReport()
    started = time.monotonic()
    while True:
        with sessions() as session:
            urls = due_urls(session, clock.now(), limit=100)
            session.rollback()
        if not urls:
            return report
        for url in urls:
            if budget is not None and time.monotonic() - started > budget:
                report.more = True
                return report
            outcome, final_url = probe(url, settings)
            with sessions() as session:
                _, just_broke = record(session, url, outcome, final_url, clock.now())
                session.commit()
            report.checked += 1
            report.broken += just_broke
