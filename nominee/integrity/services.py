"""Run the integrity scan and store its results; organizers' reviews of flags.

``scan`` reads the window's endorsements in one lean SELECT, analyses them
(``rules.analyse``) and replaces the stored results (one row per member who received an
endorsement), in the caller's transaction. ``request_rescan`` is what endorsing and
withdrawing call (through ``nominee.receivers``): it writes one outbox message for the
job, unless one is already waiting, and the job (``nominee.jobs.handlers``) runs the
scan five minutes later, so a burst of endorsements costs one scan.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, func, insert, select, text
from sqlalchemy.orm import Session

from nominee import audit, clock
from nominee.accounts.models import User
from nominee.cycles.models import Cycle, CycleStatus
from nominee.errors import DomainError, NotFound, PermissionDenied
from nominee.i18n import _
from nominee.integrity import queries, rules
from nominee.integrity.models import IntegrityResult, IntegrityReview, IntegrityScan, Verdict
from nominee.outbox import services as outbox
from nominee.outbox.models import OutboxMessage

log = logging.getLogger("nominee.integrity")

SCAN_TOPIC = "integrity.scan"
SCAN_LOCK = 0x696E7467  # pg_advisory_xact_lock's key: "intg" in ASCII
RESCAN_DELAY = timedelta(minutes=5)
NOTE_MAX = 2000


@dataclass
class ScanReport:
    scan: IntegrityScan
    window: queries.ScanWindow
    results: list[rules.MemberResult]

    def as_dict(self) -> dict[str, Any]:
        return {
            "window": self.window.as_dict()
            | {
                "endorsements": self.scan.endorsements,
                "members": self.scan.members,
                "flagged": self.scan.flagged,
                "seconds": self.scan.seconds,
            },
            "members": [r.as_dict() for r in self.results],
        }


def scan(
    session: Session, window: queries.ScanWindow | None = None, *, reason: str = "manual"
) -> ScanReport:
    """Scan ``window`` (by default ``queries.default_window``) and store the results."""
    started = time.perf_counter()
    if session.get_bind().dialect.name == "postgresql":
        # A scan reads the whole window at once: longer than any request may. Two scans
        # (the job, the command) take turns: each replaces every result row.
        session.execute(text("SET LOCAL statement_timeout = 0"))
        session.execute(select(func.pg_advisory_xact_lock(SCAN_LOCK)))
    window = window or queries.default_window(session)
    graph = queries.load_graph(session, window)
    accounts = queries.load_accounts(session, graph.given)
    closes = queries.closes_in(session, window)
    reviews = queries.standing_reviews(session)
    results = rules.analyse(
        graph,
        accounts,
        rules.Window(int(window.start.timestamp()), int(window.end.timestamp()), closes),
        {
            uid: rules.Review(r.verdict is Verdict.LEGITIMATE, frozenset(r.accounts or ()))
            for uid, r in reviews.items()
        },
    )
    record = IntegrityScan(
        since=window.since, until=window.until, cycle_id=window.cycle_id, reason=reason
    )
    session.add(record)
    session.flush()
    session.execute(delete(IntegrityResult))
    rows = [
        {
            "user_id": r.user_id,
            "scan_id": record.id,
            "flagged": r.flagged,
            "score": round(r.score, 3),
            "received": r.received,
            "distinct_endorsers": r.distinct_endorsers,
            "effective_endorsers": r.effective_endorsers,
            "signals": [stored(s, accounts) for s in r.signals],
            **standing(reviews.get(r.user_id)),
        }
        for r in results
    ]
    for k in range(0, len(rows), 5000):
        session.execute(insert(IntegrityResult), rows[k : k + 5000])
    record.endorsements = len(graph.recipient)
    record.members = len(results)
    record.flagged = sum(1 for r in results if r.flagged)
    record.finished_at = clock.now()
    record.seconds = round(time.perf_counter() - started, 2)
    session.flush()
    log.info(
        "integrity scan %s..%s: %d endorsements, %d members, %d flagged, %.1fs",
        window.since,
        window.until,
        record.endorsements,
        record.members,
        record.flagged,
        record.seconds,
    )
    return ScanReport(record, window, results)


def standing(review: IntegrityReview | None) -> dict[str, Any]:
    if review is None:
        return {"verdict": None, "verdict_note": "", "reviewed_at": None}
    return {
        "verdict": review.verdict,
        "verdict_note": review.note,
        "reviewed_at": review.created_at,
    }


def stored(signal: rules.Signal, accounts: dict[int, rules.Account]) -> dict[str, Any]:
    """A signal as stored: the contract's keys, and the accounts' names as they were, so
    that pages show them without loading the accounts."""
    names = [accounts[a].name if a in accounts else "" for a in signal.accounts]
    return signal.as_dict() | {"names": names}


def request_rescan(session: Session, cycle_id: int | None = None, *, at_once: bool = False) -> None:
    """Ask the job for a scan (of ``cycle_id``'s window, else the default one). After
    endorsements change (neither ``cycle_id`` nor ``at_once``), nothing is written when
    a scan is already waiting, and the one written waits ``RESCAN_DELAY``."""
    if cycle_id is None and not at_once:
        waiting = session.scalar(
            select(OutboxMessage.id)
            .where(
                OutboxMessage.topic == SCAN_TOPIC,
                OutboxMessage.dispatched_at.is_(None),
                OutboxMessage.failed_at.is_(None),
            )
            .limit(1)
        )
        if waiting is not None:
            return
    message = outbox.put(session, SCAN_TOPIC, {"cycle_id": cycle_id})
    if cycle_id is None and not at_once:
        message.available_at = clock.now() + RESCAN_DELAY


def scan_for_job(session: Session, payload: dict[str, Any]) -> ScanReport:
    cycle_id = payload.get("cycle_id")
    cycle = session.get(Cycle, cycle_id) if cycle_id else None
    window = queries.cycle_window(cycle) if cycle is not None else None
    return scan(session, window, reason="cycle" if cycle is not None else "endorsements")


def on_cycle_moved(cycle: Cycle, *, session: Session, new: CycleStatus, **data: Any) -> None:
    if new is CycleStatus.IN_REVIEW:
        request_rescan(session, cycle.id)


def review_flag(
    session: Session, actor: User, member_id: int, verdict: Verdict, note: str
) -> IntegrityReview:
    """An organizer's word on a member's flag: "reviewed, legitimate" or "confirmed"."""
    if not rules.can_review_flags(actor):
        raise PermissionDenied(_("Only organizers review integrity flags."))
    note = note.strip()
    if len(note) > NOTE_MAX:
        raise DomainError(_("At most %(max)d characters.", max=NOTE_MAX), field="note")
    result = session.get(IntegrityResult, member_id)
    if result is None:
        raise NotFound(_("This member has no integrity result to review."))
    accounts = sorted({a for s in result.signals for a in s.get("accounts", [])})
    before = queries.latest_review(session, member_id)
    review = IntegrityReview(
        member_id=member_id,
        reviewer_id=actor.id,
        verdict=verdict,
        note=note,
        score=result.score,
        accounts=accounts if verdict is Verdict.CONFIRMED else [],
        signals=result.signals,
    )
    session.add(review)
    session.flush()
    for key, value in standing(review).items():
        setattr(result, key, value)
    if verdict is Verdict.LEGITIMATE:
        result.flagged = False
        result.effective_endorsers = float(result.distinct_endorsers)
    else:
        result.flagged = True
    session.flush()
    audit.record(
        session,
        actor,
        "integrity.flag_reviewed",
        review,
        before={"verdict": before.verdict.value} if before is not None else None,
        after={
            "member_id": member_id,
            "verdict": verdict.value,
            "note": note,
            "score": result.score,
            "accounts": accounts,
        },
    )
    return review
