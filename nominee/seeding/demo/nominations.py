"""Cycles and nominations for ``seed-demo``: one cycle in review, one open.

Everything goes through the services (create the cycle, open it, nominate, accept,
decline, withdraw, close), so the demo obeys every rule a member's actions would: the
evidence lies inside the look-back window, the peer limit holds, the status history,
audit events and notifications are the real ones. The cycle in review is run on the
last day it took nominations (``nominee.clock.as_of``), as the date rules require. Then
the timestamps are moved back into the days the cycle was open, so the history reads
like one.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from nominee import clock
from nominee.accounts.models import User
from nominee.categories.models import Category
from nominee.clock import as_of
from nominee.cycles import services as cycles
from nominee.cycles.models import Cycle, CycleStatus
from nominee.nominations import services
from nominee.nominations.models import Nomination, NominationEvent

# How the closed cycle's nominations end up (the open one's are in OPEN_PLAN).
REVIEW_PLAN = {
    "self": 12,  # submitted, in review after the close
    "self_withdrawn": 2,
    "peer_accepted": 9,
    "peer_lapsed": 3,  # never answered: lapse when nominations close
    "peer_refused": 2,
    "peer_withdrawn": 2,  # by the nominator, before the nominee answered
}
OPEN_PLAN = {"self": 3, "peer_awaiting": 3, "peer_accepted": 1, "peer_refused": 1}
MAX_EVIDENCE_PICKED = 8

OPENINGS = [
    "{name} has been one of the most generous people in our {category} community this year.",
    "I want to put {name} forward for {category}: the work below speaks for itself.",
    "Few people have done as much for {category} newcomers as {name}.",
    "{name} keeps showing up for the {category} community, month after month.",
]
MIDDLES = [
    "Their talks and posts are the ones people link to when a question comes up twice.",
    "They answer questions patiently, write things down, and bring others along.",
    "They organised, mentored and reviewed without ever asking for credit.",
    "What stands out is the consistency: no single burst, just steady, useful work.",
    "Several of us learned the hard parts of the stack from their write-ups.",
]
CLOSINGS = [
    "Recognising this would tell the whole community that this kind of work matters.",
    "The award would go to someone who works for the community, not for the badge.",
    "I cannot think of a better example of what this programme is for.",
]
SELF_PREFIX = "I am nominating myself because I believe the last year of work is worth a look. "


def seed_cycles(
    session: Session,
    rng: random.Random,
    members: Sequence[User],
    organizer: User,
    *,
    today: date | None = None,
    categories: Sequence[Category] | None = None,
) -> tuple[Cycle, Cycle]:
    """Create the cycle in review (closed 12 days ago) and the open one; flush, never commit.

    ``categories`` defaults to every active category. Returns ``(in_review, open)``.
    Needs the members' contributions to exist: only members with enough contributions
    in a cycle's window are nominated with evidence.
    """
    today = today or clock.now().date()
    if categories is None:
        categories = session.scalars(
            select(Category).where(Category.retired.is_(False)).order_by(Category.name)
        ).all()
    if not categories:
        raise ValueError("seed_cycles needs at least one category")
    active = [m for m in members if m.is_active_account]
    closed_on = today - timedelta(days=12)
    with as_of(closed_on):
        in_review = _cycle(
            session,
            organizer,
            categories,
            opens=today - timedelta(days=45),
            closes=closed_on,
            reviews_close=today + timedelta(days=18),
        )
        _populate(session, rng, in_review, active, REVIEW_PLAN)
    cycles.move_status(session, organizer, in_review, CycleStatus.IN_REVIEW, in_review.version)
    with as_of(today):
        open_cycle = _cycle(
            session,
            organizer,
            categories,
            opens=today - timedelta(days=5),
            closes=today + timedelta(days=25),
            reviews_close=today + timedelta(days=55),
        )
        _populate(session, rng, open_cycle, active, OPEN_PLAN)
    _backdate(session, rng, in_review, today)
    _backdate(session, rng, open_cycle, today)
    return in_review, open_cycle


def _cycle(
    session: Session,
    organizer: User,
    categories: Sequence[Category],
    *,
    opens: date,
    closes: date,
    reviews_close: date,
) -> Cycle:
    cycle = cycles.create_cycle(
        session,
        organizer,
        cycles.CycleSettings(
            name=f"Awards round {closes:%B %Y}",
            category_ids=[c.id for c in categories],
            nominations_open_on=opens,
            nominations_close_on=closes,
            review_close_on=reviews_close,
        ),
    )
    return cycles.move_status(session, organizer, cycle, CycleStatus.OPEN, cycle.version)


def _populate(
    session: Session,
    rng: random.Random,
    cycle: Cycle,
    members: Sequence[User],
    plan: dict[str, int],
) -> None:
    eligible = {m.id: services.eligible_evidence(session, cycle, m.id) for m in members}
    # Nominees who will pick evidence need enough of it; the others can be anybody.
    with_evidence = [m for m in members if len(eligible[m.id]) >= cycle.min_evidence]
    without = [m for m in members if len(eligible[m.id]) < cycle.min_evidence]
    rng.shuffle(with_evidence)
    rng.shuffle(without)
    needs_evidence = ("self", "self_withdrawn", "peer_accepted")
    queue = [kind for kind in needs_evidence for _ in range(plan.get(kind, 0))]
    queue += [kind for kind in plan if kind not in needs_evidence for _ in range(plan[kind])]
    for kind in queue:
        if kind in needs_evidence or not without:
            if not with_evidence:
                break
            nominee = with_evidence.pop()
        else:
            nominee = without.pop()
        category = _category(rng, cycle, nominee)
        if kind.startswith("self"):
            nomination = services.nominate(
                session,
                nominee,
                cycle,
                category_id=category.id,
                nominee_id=nominee.id,
                statement_md=_statement(rng, nominee, category, own=True),
                evidence_ids=_pick(rng, cycle, eligible[nominee.id]),
            )
            if kind == "self_withdrawn":
                services.withdraw(
                    session,
                    nominee,
                    nomination,
                    reason="I would rather wait for next year, with more to show.",
                    expected_version=nomination.version,
                )
            continue
        nominator = _nominator(session, rng, cycle, members, nominee)
        if nominator is None:
            continue
        nomination = services.nominate(
            session,
            nominator,
            cycle,
            category_id=category.id,
            nominee_id=nominee.id,
            statement_md=_statement(rng, nominee, category, own=False),
        )
        if kind == "peer_accepted":
            services.accept(
                session,
                nominee,
                nomination,
                evidence_ids=_pick(rng, cycle, eligible[nominee.id]),
                nominee_statement_md=(
                    _statement(rng, nominee, category, own=True) if rng.random() < 0.4 else ""
                ),
                expected_version=nomination.version,
            )
        elif kind == "peer_refused":
            services.refuse(session, nominee, nomination, expected_version=nomination.version)
        elif kind == "peer_withdrawn":
            services.withdraw(
                session,
                nominator,
                nomination,
                reason="Wrong category; I will nominate them in the next round.",
                expected_version=nomination.version,
            )


def _category(rng: random.Random, cycle: Cycle, member: User) -> Category:
    if member.primary_category in cycle.categories:
        return member.primary_category
    return rng.choice(cycle.categories)


def _nominator(
    session: Session, rng: random.Random, cycle: Cycle, members: Sequence[User], nominee: User
) -> User | None:
    candidates = [m for m in members if m.id != nominee.id]
    rng.shuffle(candidates)
    for candidate in candidates:
        made = services.peer_nominations_made(session, candidate.id, cycle.id)
        if made < cycle.peer_nomination_limit:
            return candidate
    return None


def _pick(rng: random.Random, cycle: Cycle, eligible: Sequence) -> list[int]:
    most = min(len(eligible), cycle.max_evidence, MAX_EVIDENCE_PICKED)
    return [c.id for c in rng.sample(list(eligible), rng.randint(cycle.min_evidence, most))]


def _statement(rng: random.Random, member: User, category: Category, *, own: bool) -> str:
    name = "I" if own else member.display_name
    parts = [
        SELF_PREFIX if own else rng.choice(OPENINGS).format(name=name, category=category.name),
        *rng.sample(MIDDLES, 2),
        rng.choice(CLOSINGS),
    ]
    return " ".join(parts)


def _backdate(session: Session, rng: random.Random, cycle: Cycle, today: date) -> None:
    """Move each nomination's timestamps into the days its cycle was open."""
    now = clock.now()
    last_open_day = min(cycle.nominations_close_on, today)
    nominations = session.scalars(select(Nomination).where(Nomination.cycle_id == cycle.id)).all()
    for nomination in nominations:
        span = max((last_open_day - cycle.nominations_open_on).days, 1)
        moment = _moment(rng, cycle.nominations_open_on + timedelta(rng.randrange(span)), now)
        events = session.scalars(
            select(NominationEvent)
            .where(NominationEvent.nomination_id == nomination.id)
            .order_by(NominationEvent.id)
        ).all()
        closing = _moment(rng, cycle.nominations_close_on, now)
        for event in events:
            if event.actor_id is not None and event.actor_id in (
                nomination.nominee_id,
                nomination.nominator_id,
            ):
                event.created_at = moment
                moment = min(moment + timedelta(hours=rng.randint(2, 96)), closing)
            else:  # the organizer closing nominations
                event.created_at = closing
        nomination.created_at = events[0].created_at if events else moment
        if nomination.submitted_at is not None:
            nomination.submitted_at = max(
                (e.created_at for e in events if e.to_status.value == "submitted"),
                default=nomination.created_at,
            )
    session.flush()


def _moment(rng: random.Random, day: date, latest: datetime) -> datetime:
    moment = datetime.combine(day, time(rng.randint(7, 21), rng.randint(0, 59)), tzinfo=UTC)
    return min(moment, latest)
