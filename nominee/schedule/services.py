"""The scheduler: whatever time makes due, run once per due moment.

``tick(session, now)`` looks at the clock and the data, and runs what is due:

- cycles that move by themselves (``Cycle.moves_automatically``): a draft opens on the
  day its nominations open, an open cycle goes to review the day after they close
  (``cycles.rules.scheduled_move``; deciding and publishing always wait for an organizer);
- reminders: peer nominees who have not answered, ``REMIND_NOMINEES_DAYS`` before
  nominations close; reviewers with unfinished assigned reviews, ``REMIND_REVIEWERS_DAYS``
  before the review closes; members whose award ends within ``EXPIRING_WITHIN_DAYS``;
  members whose renewal has no activity, ``NO_ACTIVITY_WARNING_DAYS`` before the close;
- the daily digest (``nominee.mail.digest``, from ``DIGEST_HOUR`` UTC), award expiry and
  the evidence link checks (asked of a job: ``nominee.linkchecks``), once a day;
- once an hour, polling the members' feeds (a job) and deleting stale CSV previews.

Each due moment has a key ("cycle:12:open", "remind-nominees:12", "digest:2026-11-30",
...) written to ``scheduled_runs`` in a savepoint together with its work: the work is
done and recorded, or neither (a moment whose work fails is logged and tried again at the
next tick; the others go on). The key's unique constraint is what makes running it twice
do nothing twice. On top of it, one tick at a time: PostgreSQL's
``pg_try_advisory_xact_lock`` (a second host's tick returns at once, with nothing done),
SQLite's ``BEGIN IMMEDIATE`` (``nominee.db``: a second process waits for the first to
commit, then finds every key taken). Both locks end with the transaction, so the caller
must commit (``nominee.jobs.schedule.due_loop_step``, ``flask tick``). No Redis lock is
needed on top: the database's lock and keys hold whichever host runs the tick.

Flask-free: plain functions of a session and a moment.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta

from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import InstrumentedAttribute, Session, joinedload

from nominee import clock, db
from nominee.awards import services as awards
from nominee.awards.models import Award, AwardStatus
from nominee.contributions.models import Contribution
from nominee.cycles import rules as cycle_rules
from nominee.cycles import services as cycles
from nominee.cycles.models import Cycle, CycleStatus
from nominee.errors import DomainError
from nominee.imports import services as imports
from nominee.linkchecks import services as linkchecks
from nominee.nominations.models import Nomination, NominationKind, NominationStatus
from nominee.notifications.services import notify
from nominee.reviews.models import Assignment
from nominee.reviews.queries import submitted_review
from nominee.schedule.models import ScheduledRun

log = logging.getLogger("nominee.schedule")

REMIND_NOMINEES_DAYS = 3
REMIND_REVIEWERS_DAYS = 3
EXPIRING_WITHIN_DAYS = 30
NO_ACTIVITY_WARNING_DAYS = 7
DIGEST_HOUR = 7  # UTC: the digest goes out once a day from this hour
# pg_try_advisory_xact_lock's key: "nomi" in ASCII, the scheduler's alone.
ADVISORY_LOCK = 0x6E6F6D69

# Composes and hands on the digests due at a moment (``jobs.schedule`` gives one that
# writes them to the outbox); how many.
Digest = Callable[[Session, datetime], object]
Work = Callable[[], object]


def tick(session: Session, now: datetime | None = None, digest: Digest | None = None) -> list[str]:
    """Run what is due at ``now`` (the clock's now); answers the keys that ran.

    ``digest`` sends the daily digests (skipped without it). Flushes,
    never commits: the caller commits, which also releases the lock.
    """
    now = now or clock.now()
    if not _lock(session):
        log.info("another tick holds the scheduler's lock; nothing run")
        return []
    ran = []
    # The services read the clock themselves ("today" for a cycle's dates): the same now.
    with clock.as_of(now):
        for key, work in _due(session, now, digest):
            if _run_once(session, key, now, work):
                ran.append(key)
    return ran


def _lock(session: Session) -> bool:
    """Take the scheduler's lock for this transaction; False when another tick holds it."""
    if session.get_bind().dialect.name == "postgresql":
        locked = session.scalar(
            text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": ADVISORY_LOCK}
        )
        return bool(locked)
    # SQLite: the first statement begins the transaction, IMMEDIATE for a writer: this
    # waits (the busy timeout) until another process's tick has committed.
    session.execute(select(ScheduledRun.id).limit(1))
    return True


def _run_once(session: Session, key: str, now: datetime, work: Work) -> bool:
    """Record ``key`` and do ``work`` in one savepoint; False if it ran before or failed."""
    try:
        with session.begin_nested():
            session.add(ScheduledRun(key=key, ran_at=now))
            session.flush()
            work()
    except IntegrityError:
        # Its key was taken meanwhile (a tick on another host without the lock's help).
        return False
    except DomainError as exc:
        # A rule said no (an organizer moved the cycle meanwhile, ...): try again later.
        log.warning("scheduled work %s refused: %s", key, exc.message)
        return False
    except Exception:
        log.exception("scheduled work %s failed; it is tried again at the next tick", key)
        return False
    log.info("ran %s", key)
    return True


def _due(session: Session, now: datetime, digest: Digest | None) -> Iterator[tuple[str, Work]]:
    """Every due moment not run yet, as ``(key, work)``."""
    today = clock.programme_day(now)  # a cycle's dates are the programme's days
    candidates = [
        *_cycle_moves(session, today),
        *_nominee_reminders(session, today),
        *_reviewer_reminders(session, today),
        *_expiring_awards(session, today),
        *_idle_renewals(session, today),
        *_daily(session, now, digest),
        *_hourly(session, now),
    ]
    keys = [key for key, _ in candidates]
    done = set(session.scalars(select(ScheduledRun.key).where(ScheduledRun.key.in_(keys))))
    for key, work in candidates:
        if key not in done:
            yield key, work


# Cycles


def _cycle_moves(session: Session, today: date) -> list[tuple[str, Work]]:
    scheduled = session.scalars(
        select(Cycle)
        .where(
            Cycle.moves_automatically.is_(True),
            Cycle.status.in_((CycleStatus.DRAFT, CycleStatus.OPEN)),
        )
        .order_by(Cycle.id)
    ).all()
    due = []
    for cycle in scheduled:
        to_status = cycle_rules.scheduled_move(cycle, today)
        if to_status is not None:
            due.append(
                (
                    f"cycle:{cycle.id}:{to_status.value}",
                    _bind(cycles.move_on_schedule, session, cycle, today),
                )
            )
    return due


# Reminders


def _cycles_closing(
    session: Session,
    status: CycleStatus,
    closes: InstrumentedAttribute[date],
    today: date,
    days: int,
) -> list[Cycle]:
    """The cycles in ``status`` whose ``closes`` date is ``days`` away or nearer."""
    return list(
        session.scalars(
            select(Cycle)
            .where(
                Cycle.status == status,
                closes <= today + timedelta(days=days),
                closes >= today,
            )
            .order_by(Cycle.id)
        )
    )


def _nominee_reminders(session: Session, today: date) -> list[tuple[str, Work]]:
    cycles_closing = _cycles_closing(
        session, CycleStatus.OPEN, Cycle.nominations_close_on, today, REMIND_NOMINEES_DAYS
    )
    return [
        (f"remind-nominees:{cycle.id}", _bind(remind_nominees, session, cycle))
        for cycle in cycles_closing
    ]


def remind_nominees(session: Session, cycle: Cycle) -> int:
    """Remind every peer nominee of ``cycle`` who has not answered yet; how many."""
    waiting = session.scalars(
        select(Nomination)
        .where(
            Nomination.cycle_id == cycle.id,
            Nomination.status == NominationStatus.AWAITING_ACCEPTANCE,
        )
        .options(joinedload(Nomination.category), joinedload(Nomination.nominator))
        .order_by(Nomination.id)
    ).all()
    for nomination in waiting:
        notify(
            session,
            nomination.nominee_id,
            "nomination_reminder",
            nomination_id=nomination.id,
            category=nomination.category.name,
            cycle=cycle.name,
            nominator=nomination.nominator.display_name if nomination.nominator else "",
            closes_on=cycle.nominations_close_on,
        )
    return len(waiting)


def _reviewer_reminders(session: Session, today: date) -> list[tuple[str, Work]]:
    cycles_closing = _cycles_closing(
        session, CycleStatus.IN_REVIEW, Cycle.review_close_on, today, REMIND_REVIEWERS_DAYS
    )
    return [
        (f"remind-reviewers:{cycle.id}", _bind(remind_reviewers, session, cycle))
        for cycle in cycles_closing
    ]


def unfinished_reviews(session: Session, cycle_id: int) -> dict[int, int]:
    """Per reviewer, their assigned nominations of the cycle still in review that they
    have not submitted a review of."""
    rows = session.execute(
        select(Assignment.reviewer_id, func.count())
        .join(Nomination, Nomination.id == Assignment.nomination_id)
        .where(
            Nomination.cycle_id == cycle_id,
            Nomination.status == NominationStatus.IN_REVIEW,
            ~submitted_review(Assignment.nomination_id, Assignment.reviewer_id),
        )
        .group_by(Assignment.reviewer_id)
    ).all()
    return {reviewer_id: count for reviewer_id, count in rows}


def remind_reviewers(session: Session, cycle: Cycle) -> int:
    """Tell every reviewer of ``cycle`` with unfinished assigned reviews how many are due."""
    due = unfinished_reviews(session, cycle.id)
    for reviewer_id, count in sorted(due.items()):
        notify(
            session,
            reviewer_id,
            "reviews_due",
            cycle_id=cycle.id,
            cycle=cycle.name,
            count=count,
            due_on=cycle.review_close_on,
        )
    return len(due)


def _expiring_awards(session: Session, today: date) -> list[tuple[str, Work]]:
    awards_ending = session.scalars(
        select(Award)
        .where(
            Award.status == AwardStatus.ACTIVE,
            Award.ends_on >= today,
            Award.ends_on <= today + timedelta(days=EXPIRING_WITHIN_DAYS),
        )
        .options(joinedload(Award.category), joinedload(Award.cycle))
        .order_by(Award.id)
    ).all()
    return [
        (f"award-expiring:{award.id}", _bind(warn_award_expiring, session, award))
        for award in awards_ending
    ]


def warn_award_expiring(session: Session, award: Award) -> None:
    notify(
        session,
        award.member_id,
        "award.expiring",
        award_id=award.id,
        verification_id=award.verification_id,
        category=award.category.name,
        cycle=award.cycle.name,
        ends_on=award.ends_on,
    )


def _idle_renewals(session: Session, today: date) -> list[tuple[str, Work]]:
    """Renewals flagged "no activity" in open cycles closing within the warning's days,
    whose member has still logged nothing dated in the award's term (the flag is set
    when the renewal is made and checked again only as nominations close)."""
    in_term = (
        select(Contribution.id)
        .where(
            Contribution.owner_id == Award.member_id,
            Contribution.contributed_on >= Award.starts_on,
            Contribution.contributed_on <= Award.ends_on,
        )
        .exists()
    )
    rows = session.execute(
        select(Nomination, Award)
        .join(Award, Award.id == Nomination.renewal_of_award_id)
        .join(Cycle, Cycle.id == Nomination.cycle_id)
        .where(
            Nomination.kind == NominationKind.RENEWAL,
            Nomination.no_activity.is_(True),
            Nomination.status == NominationStatus.SUBMITTED,
            Cycle.status == CycleStatus.OPEN,
            Cycle.nominations_close_on <= today + timedelta(days=NO_ACTIVITY_WARNING_DAYS),
            ~in_term,
        )
        .options(joinedload(Nomination.cycle), joinedload(Nomination.category))
        .order_by(Nomination.id)
    ).all()
    return [
        (f"no-activity:{nomination.id}", _bind(warn_no_activity, session, nomination, award))
        for nomination, award in rows
    ]


def warn_no_activity(session: Session, nomination: Nomination, award: Award) -> None:
    notify(
        session,
        nomination.nominee_id,
        "renewal.no_activity",
        nomination_id=nomination.id,
        category=nomination.category.name,
        cycle=nomination.cycle.name,
        award_id=award.id,
        starts_on=award.starts_on,
        ends_on=award.ends_on,
        closes_on=nomination.cycle.nominations_close_on,
    )


# Once a day


def _daily(session: Session, now: datetime, digest: Digest | None) -> list[tuple[str, Work]]:
    day = now.date().isoformat()
    due: list[tuple[str, Work]] = [
        (f"expire-awards:{day}", _bind(awards.expire_awards, session, now.date())),
        (f"link-checks:{day}", _bind(linkchecks.request_run, session)),
        (f"statistics:{day}", _bind(db.refresh_statistics, session)),
    ]
    if now.hour >= DIGEST_HOUR:
        if digest is None:
            log.info("no way to send mail given to the tick: the daily digest is skipped")
        else:
            due.append((f"digest:{day}", _bind(digest, session, now)))
    return due


# Once an hour


def _hourly(session: Session, now: datetime) -> list[tuple[str, Work]]:
    """Feeds polled (by a job: ``imports.services.request_poll``, the fetching happens
    outside this transaction) and CSV previews nobody imported or cancelled deleted; due
    only when there are feeds or such previews."""
    feeds = imports.has_feeds(session)
    if not (feeds or imports.has_stale_batches(session, now)):
        return []

    def work() -> None:
        if feeds:
            imports.request_poll(session)
        imports.expire_batches(session, now)

    return [(f"imports:{now:%Y-%m-%dT%H}", work)]


def _bind(fn: Callable[..., object], *args: object) -> Work:
    return lambda: fn(*args)
