"""Demo data for seed-demo: an earlier, published cycle with its decisions and awards.

It obeys the rules the app enforces: each nominee's evidence is their own, inside the
look-back window and within the cycle's minimum and maximum; every decision follows the
panel's submitted reviews (as many as the cycle asks, by reviewers without a conflict,
or an override with its reason where conflicts left the panel short).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Row, func, select
from sqlalchemy.orm import Session

from nominee.accounts.models import User
from nominee.appeals.services import lodge
from nominee.awards.models import Award, AwardStatus
from nominee.awards.services import create_renewals
from nominee.categories.models import Category
from nominee.clock import as_of
from nominee.contributions.models import Contribution
from nominee.cycles.models import DEFAULT_RUBRIC, Cycle, CycleStatus, RubricCriterion, add_months
from nominee.endorsements.models import Endorsement
from nominee.markdown import render
from nominee.nominations.models import (
    Decision,
    Nomination,
    NominationEvent,
    NominationEvidence,
    NominationKind,
    NominationStatus,
)
from nominee.nominations.services import freeze_evidence
from nominee.reviews.models import Recommendation, Review, ReviewScore, ReviewStatus
from nominee.reviews.queries.conflicts import find_conflicts
from nominee.reviews.services import refresh_scores

TERM_MONTHS = 12
NOMINEES = 14
AWARD_SHARE = 0.6
MAX_EVIDENCE = 6

STATEMENTS = (
    "Answers more questions on the forum than anyone, patiently and with working examples.",
    "Runs the local user group and brought in a dozen first-time speakers this year.",
    "Their open-source tooling is used by half of the community's projects.",
    "Wrote the tutorial series everybody links to when a newcomer asks where to start.",
    "Mentors new contributors every week and reviews their first pull requests.",
)
AWARD_FEEDBACK = (
    "The panel was impressed by the breadth and consistency of your work. Congratulations!",
    "Your talks and write-ups reached far beyond your city. Thank you for all of it.",
)
DECLINE_FEEDBACK = (
    "Strong work, but most of it falls in the last two months of the window: keep it going "
    "and we hope to see you nominated again.",
    "The panel wanted to see more work done for others (answers, mentoring, events) "
    "alongside your own projects.",
)
RATIONALES = {
    Decision.AWARD: "Clear, sustained impact; endorsed by many distinct peers.",
    Decision.DECLINE: "Too little evidence inside the look-back window for this cycle.",
}
PANEL_COMMENTS = {
    Decision.AWARD: "Consistent, generous work; the endorsements come from many people.",
    Decision.DECLINE: "Good work, but most of it is recent and for the nominee's own projects.",
}
OVERRIDE_REASON = (
    "Conflicts of interest left the panel short; the reviews that came in agree and the "
    "evidence is unambiguous."
)


def _moment(day: date, rng: random.Random) -> datetime:
    return datetime.combine(day, time(rng.randint(8, 18), rng.randint(0, 59)), tzinfo=UTC)


def _published_cycle(
    session: Session,
    rng: random.Random,
    *,
    today: date,
    categories: Sequence[Category],
    ends_on: date,
    name: str,
) -> Cycle:
    """A published cycle whose award term (``TERM_MONTHS``) ends on ``ends_on``."""
    award_starts_on = add_months(ends_on + timedelta(days=1), -TERM_MONTHS)
    review_close_on = award_starts_on - timedelta(days=1)
    close_on = review_close_on - timedelta(days=30)
    cycle = Cycle(
        name=name,
        status=CycleStatus.PUBLISHED,
        nominations_open_on=close_on - timedelta(days=45),
        nominations_close_on=close_on,
        review_close_on=review_close_on,
        award_term_months=TERM_MONTHS,
        max_evidence=MAX_EVIDENCE,
        categories=list(categories),
        criteria=[
            RubricCriterion(name=n, description=d, weight=w, position=i)
            for i, (n, d, w) in enumerate(DEFAULT_RUBRIC)
        ],
        published_at=_moment(min(review_close_on, today), rng),
    )
    session.add(cycle)
    session.flush()
    return cycle


def _evidence(session: Session, cycle: Cycle, member: User) -> Sequence[Row[int, int, int]]:
    return session.execute(
        select(Contribution.id, Contribution.quantity, Contribution.audience)
        .where(
            Contribution.owner_id == member.id,
            Contribution.contributed_on >= cycle.lookback_start,
            Contribution.contributed_on <= cycle.nominations_close_on,
        )
        .order_by(Contribution.contributed_on.desc())
        .limit(cycle.max_evidence)
    ).all()


def _nomination(
    session: Session,
    rng: random.Random,
    cycle: Cycle,
    member: User,
    category: Category,
    decision: Decision,
    organizer: User,
    nominator: User | None,
) -> Nomination:
    evidence = _evidence(session, cycle, member)
    ids = [row.id for row in evidence]
    endorsers: int | None = 0
    if ids:
        endorsers = session.scalar(
            select(func.count(func.distinct(Endorsement.endorser_id))).where(
                Endorsement.contribution_id.in_(ids), Endorsement.withdrawn_at.is_(None)
            )
        )
    statement = rng.choice(STATEMENTS)
    status = NominationStatus.AWARDED if decision is Decision.AWARD else NominationStatus.DECLINED
    submitted = _moment(cycle.nominations_close_on - timedelta(days=rng.randint(3, 40)), rng)
    decided = _moment(cycle.review_close_on - timedelta(days=rng.randint(0, 10)), rng)
    feedback = AWARD_FEEDBACK if decision is Decision.AWARD else DECLINE_FEEDBACK
    nomination = Nomination(
        cycle=cycle,
        category=category,
        nominee=member,
        nominator=nominator or member,
        kind=NominationKind.PEER if nominator else NominationKind.SELF,
        status=status,
        statement_md=statement,
        statement_html=render(statement),
        created_at=submitted,
        submitted_at=submitted,
        evidence_count=len(ids),
        distinct_endorsers=endorsers or 0,
        total_quantity=sum(row.quantity for row in evidence),
        total_audience=sum(row.audience for row in evidence),
        decision=decision,
        decision_rationale=RATIONALES[decision],
        decision_feedback=rng.choice(feedback),
        decided_by=organizer,
        decided_at=decided,
        evidence=[NominationEvidence(contribution_id=cid, added_at=submitted) for cid in ids],
        events=[
            NominationEvent(to_status=NominationStatus.SUBMITTED, created_at=submitted),
            NominationEvent(
                from_status=NominationStatus.SUBMITTED,
                to_status=NominationStatus.IN_REVIEW,
                created_at=_moment(cycle.nominations_close_on, rng),
            ),
            NominationEvent(
                actor=organizer,
                from_status=NominationStatus.IN_REVIEW,
                to_status=status,
                note="Results published",
                created_at=cycle.published_at,
            ),
        ],
    )
    session.add(nomination)
    return nomination


def _review(
    session: Session,
    rng: random.Random,
    nomination: Nomination,
    reviewer: User,
) -> None:
    """A submitted review agreeing with the decision, written before it was taken."""
    assert nomination.decision is not None and nomination.decided_at is not None  # decided
    high = nomination.decision is Decision.AWARD
    written = _moment(nomination.cycle.nominations_close_on + timedelta(days=1), rng)
    written = min(written + timedelta(days=rng.randint(0, 10)), nomination.decided_at)
    session.add(
        Review(
            nomination_id=nomination.id,
            reviewer_id=reviewer.id,
            status=ReviewStatus.SUBMITTED,
            recommendation=Recommendation.AWARD if high else Recommendation.DECLINE,
            panel_comment=PANEL_COMMENTS[nomination.decision],
            created_at=written,
            updated_at=written,
            submitted_at=written,
            scores=[
                ReviewScore(
                    criterion_id=criterion.id,
                    score=rng.randint(4, 5) if high else rng.randint(2, 3),
                )
                for criterion in nomination.cycle.criteria
            ],
        )
    )


def _panel(
    session: Session,
    rng: random.Random,
    nominations: Sequence[Nomination],
    reviewers: Sequence[User],
) -> None:
    """The reviews of each nomination by the reviewers without a conflict on it, then its
    aggregates; a nomination left with fewer reviews than the cycle asks was decided with
    an override and its reason."""
    conflicts = (
        find_conflicts(
            session, nominations[0].cycle, [r.id for r in reviewers], [n.id for n in nominations]
        )
        if nominations and reviewers
        else {}
    )
    for nomination in nominations:
        panel = [r for r in reviewers if (nomination.id, r.id) not in conflicts]
        wanted = nomination.cycle.reviewers_per_nomination
        for reviewer in panel[:wanted]:
            _review(session, rng, nomination, reviewer)
        if len(panel) < wanted:
            nomination.decision_override_reason = OVERRIDE_REASON
    session.flush()
    for nomination in nominations:
        refresh_scores(session, nomination)


def seed_awards(
    session: Session,
    rng: random.Random,
    *,
    today: date,
    organizer: User,
    members: Sequence[User],
    categories: Sequence[Category],
    reviewers: Sequence[User] = (),
    renew_in: Cycle | None = None,
    name: str | None = None,
) -> Cycle:
    """An earlier published cycle with reviewed, decided nominations and its awards.

    Its award term ends the day ``renew_in``'s review closes (the demo's open or
    upcoming cycle), so its awards are up for renewal there, the new term following
    without a gap; without ``renew_in`` it ends three months after ``today``. Only members
    with enough contributions in its look-back window were nominated. ``reviewers``
    reviewed them. One award is revoked. When ``renew_in`` is already open, its renewal
    nominations are created now, as opening it would have done. Needs the members'
    contributions to exist (for the evidence); flushes, never commits.
    """
    if renew_in is not None:
        ends_on = renew_in.review_close_on
    else:
        ends_on = add_months(today, 3)
    cycle = _published_cycle(
        session,
        rng,
        today=today,
        categories=categories,
        ends_on=ends_on,
        name=name or f"Community Awards {ends_on.year - 1}",
    )
    eligible = [m for m in members if len(_evidence(session, cycle, m)) >= cycle.min_evidence]
    nominees = rng.sample(eligible, min(NOMINEES, len(eligible)))
    nominations = []
    for member in nominees:
        category = member.primary_category if member.primary_category in categories else None
        decision = Decision.AWARD if rng.random() < AWARD_SHARE else Decision.DECLINE
        peers = [m for m in members if m.id != member.id]
        nominator = rng.choice(peers) if peers and rng.random() < 0.5 else None
        nominations.append(
            _nomination(
                session,
                rng,
                cycle,
                member,
                category or rng.choice(list(categories)),
                decision,
                organizer,
                nominator,
            )
        )
    session.flush()
    for nomination in nominations:
        freeze_evidence(session, nomination.id)  # what the panel judged (rule 8)
    _panel(session, rng, nominations, reviewers)
    awards = [
        Award(
            member_id=n.nominee_id,
            category_id=n.category_id,
            cycle_id=cycle.id,
            nomination_id=n.id,
            starts_on=cycle.award_starts_on,
            ends_on=cycle.award_ends_on,
            created_at=cycle.published_at,
        )
        for n in nominations
        if n.decision is Decision.AWARD
    ]
    if len(awards) > 2:
        revoked = awards[-1]
        revoked.status = AwardStatus.REVOKED
        revoked.revoked_reason = "Conduct: repeated harassment reported at two community events."
        revoked.revoked_by_id = organizer.id
        revoked.revoked_at = _moment(min(today, cycle.award_starts_on + timedelta(days=90)), rng)
    session.add_all(awards)
    session.flush()
    for award in awards:
        award.status_index = award.id  # its place in the status lists, as granting sets it
    declined = [n for n in nominations if n.decision is Decision.DECLINE]
    if declined:
        _appeal(session, cycle, declined[0])
    if renew_in is not None and renew_in.status is CycleStatus.OPEN:
        with as_of(today):
            create_renewals(session, renew_in, organizer)
    return cycle


APPEAL = (
    "The panel's feedback says my work reached few people, but my workshop series was "
    "recorded and the recordings are linked from my contributions: they were watched by "
    "more than two thousand people. Please look at the decision again with those figures."
)


def _appeal(session: Session, cycle: Cycle, nomination: Nomination) -> None:
    """One declined nominee appealed within the cycle's period; nobody answered yet."""
    nominee = session.get_one(User, nomination.nominee_id)
    assert cycle.published_at is not None
    with as_of(cycle.published_at + timedelta(days=3)):
        lodge(session, nominee, nomination, APPEAL)
