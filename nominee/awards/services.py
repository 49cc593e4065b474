"""Decisions, publishing, awards, revocation, expiry and renewal.

The operations check the rules, change state, write audit events and flush; the caller
commits. The receivers at the bottom react to cycle moves; ``nominee.receivers``
connects them at start.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload, selectinload

from nominee import audit, clock, db, events
from nominee.accounts.models import User
from nominee.awards import queries, rules
from nominee.awards.models import Award, AwardStatus
from nominee.clock import today
from nominee.contributions.models import Contribution
from nominee.cycles.models import Cycle, CycleStatus
from nominee.errors import Conflict, DomainError, PermissionDenied
from nominee.formatting import format_count, format_date, format_number
from nominee.i18n import N_, _, ngettext
from nominee.markdown import render
from nominee.nominations.models import (
    LIVE_STATUSES,
    Decision,
    Nomination,
    NominationEvent,
    NominationEvidence,
    NominationKind,
    NominationStatus,
)
from nominee.nominations.services import (
    UNDECIDED_STATUSES,
    add_event,
    change_status,
    refresh_counters,
)
from nominee.notifications.services import notify
from nominee.outbox import services as outbox
from nominee.reviews.queries import conflicts
from nominee.schedule.models import ScheduledRun

RESULTS_NOTE = N_("Results published")
CHANGED_WHILE_DECIDING = N_("This nomination changed while you were deciding; reload the page.")
STATUS_FOR_DECISION = {
    Decision.AWARD: NominationStatus.AWARDED,
    Decision.DECLINE: NominationStatus.DECLINED,
}


# Decisions


def _decision_state(nomination: Nomination) -> dict[str, Any]:
    return {
        "decision": nomination.decision,
        "status": nomination.status,
        "rationale": nomination.decision_rationale,
        "feedback": nomination.decision_feedback,
        "decided_by_id": nomination.decided_by_id,
        "override_reason": nomination.decision_override_reason,
    }


OVERRIDE_REASON_MAX = 1000


def _override_reason(submitted: int, asked: int, override_reason: str | None) -> str:
    """The reason kept for deciding with too few reviews ("" when they are enough)."""
    shortfall = rules.review_shortfall(submitted, asked)
    if shortfall is None:
        return ""
    if override_reason is None:
        raise DomainError(
            _(
                "%(shortfall)s To decide now, tick “Decide with fewer reviews” and give the "
                "reason.",
                shortfall=shortfall,
            ),
            field="override",
        )
    reason = override_reason.strip()
    if not reason:
        raise DomainError(
            _("Give the reason for deciding with fewer reviews than the cycle asks."),
            field="override_reason",
        )
    if len(reason) > OVERRIDE_REASON_MAX:
        raise DomainError(
            _("At most %(max)s characters.", max=format_number(OVERRIDE_REASON_MAX)),
            field="override_reason",
        )
    return reason


def _check_decision(
    session: Session,
    actor: User,
    nomination: Nomination,
    version: int,
    override_reason: str | None,
) -> tuple[int, str]:
    """What ``decide`` checks before changing anything: the nomination's submitted
    reviews and the override reason to keep; raises when the decision is refused."""
    conflicted = rules.is_organizer(actor) and conflicts.is_conflicted(
        session, nomination, actor.id
    )
    refusal = rules.decision_refusal(actor, nomination, conflicted=conflicted)
    if refusal:
        allowed = rules.is_organizer(actor) and not conflicted
        raise (DomainError if allowed else PermissionDenied)(refusal)
    if version != nomination.version:
        raise Conflict(_(CHANGED_WHILE_DECIDING))
    submitted = queries.submitted_reviews(session, nomination)
    reason = _override_reason(submitted, nomination.cycle.reviewers_per_nomination, override_reason)
    return submitted, reason


def decide(
    session: Session,
    actor: User,
    nomination: Nomination,
    *,
    decision: Decision,
    rationale: str,
    feedback: str,
    version: int,
    override_reason: str | None = None,
) -> Nomination:
    """Award or decline ``nomination``, or change an earlier decision.

    ``version`` is the nomination's version the organizer saw. A mismatch, or a
    concurrent decision committed between our read and our write (the ORM's version
    check turns it into ``StaleDataError``, see ``change_status``), is a ``Conflict``:
    nothing is decided twice.
    With fewer submitted reviews than the cycle's reviewers per nomination, the decision
    needs ``override_reason`` (None: no override asked), kept and audited.
    """
    submitted, reason = _check_decision(session, actor, nomination, version, override_reason)
    before = _decision_state(nomination) if nomination.decision is not None else None
    to_status = STATUS_FOR_DECISION[decision]
    nomination.decision = decision
    nomination.decision_rationale = rationale.strip()
    nomination.decision_feedback = feedback.strip()
    nomination.decided_by_id = actor.id
    nomination.decided_at = clock.now()
    nomination.decision_override_reason = reason
    after = {**_decision_state(nomination), "status": to_status, "reviews_submitted": submitted}
    try:
        # No history line: the members' history shows the outcome once it is published.
        change_status(
            session,
            actor,
            nomination,
            to_status,
            "nomination.decision_changed" if before else "nomination.decided",
            history=False,
            audit_payload=(before, after),
        )
    except Conflict:
        raise Conflict(_(CHANGED_WHILE_DECIDING)) from None
    return nomination


class BulkRefused(DomainError):
    """A bulk decision refused for some of its nominations: nothing was decided.
    ``refusals`` maps each refused nomination's id to the reason."""

    def __init__(self, refusals: dict[int, str]):
        super().__init__(
            ngettext(
                "Nothing was decided: %(num)d of the selected nominations cannot be decided "
                "as asked (see below).",
                "Nothing was decided: %(num)d of the selected nominations cannot be decided "
                "as asked (see below).",
                len(refusals),
            )
        )
        self.refusals = refusals


def decide_many(
    session: Session,
    actor: User,
    nominations: Sequence[Nomination],
    *,
    decision: Decision,
    rationale: str,
    feedback: str,
    versions: Mapping[int, int],
    override_reason: str | None = None,
) -> list[Nomination]:
    """Award or decline every one of ``nominations`` with the same rationale and
    feedback, each exactly as ``decide`` does it (the same checks, audit and events):
    all of them, or, when any is refused, none (``BulkRefused`` says which and why).
    ``versions``: each nomination's version the organizer confirmed;
    ``override_reason`` (None: no override) serves those with too few reviews."""
    refusals: dict[int, str] = {}
    for nomination in nominations:
        try:
            _check_decision(
                session, actor, nomination, versions.get(nomination.id, -1), override_reason
            )
        except DomainError as exc:
            refusals[nomination.id] = exc.message
    if refusals:
        raise BulkRefused(refusals)
    for nomination in nominations:
        decide(
            session,
            actor,
            nomination,
            decision=decision,
            rationale=rationale,
            feedback=feedback,
            version=versions[nomination.id],
            override_reason=override_reason,
        )
    return list(nominations)


# Publishing


def publish_results(session: Session, cycle: Cycle, actor: User | None) -> list[Award]:
    """Create the awards of a cycle being published, and ask for nominees and nominators
    to be told (one ``cycle.published`` outbox message; see ``notify_results``).

    Idempotent: a nomination that already has its award gets no second one.
    """
    cycle.published_at = cycle.published_at or clock.now()
    decided = session.scalars(
        select(Nomination)
        .where(
            Nomination.cycle_id == cycle.id,
            Nomination.status.in_((NominationStatus.AWARDED, NominationStatus.DECLINED)),
        )
        .options(joinedload(Nomination.category), joinedload(Nomination.nominee))
        .order_by(Nomination.id)
    ).all()
    awarded_already = set(
        session.scalars(select(Award.nomination_id).where(Award.cycle_id == cycle.id))
    )
    created: list[Award] = []
    for nomination in decided:
        if nomination.id in awarded_already:
            continue
        if nomination.status is NominationStatus.AWARDED:
            award = _new_award(cycle, nomination)
            session.add(award)
            created.append(award)
        # The status moved as the nomination was decided; its history line waited for now.
        add_event(session, actor, nomination, NominationStatus.IN_REVIEW, RESULTS_NOTE)
    session.flush()
    # Each award's audit and outbox rows, flushed together: thousands of awards answer
    # in a second, not in a flush (a round trip) per row.
    with db.batched_writes(session):
        for award in created:
            _announce_award(session, actor, award)
    # Telling nominees and nominators is a job (``notify_results``, run by the
    # ``cycle.published`` handler in ``nominee.jobs.handlers``): publishing thousands of
    # nominations answers at once.
    outbox.put(session, RESULTS_TOPIC, {"cycle_id": cycle.id})
    return created


def _new_award(cycle: Cycle, nomination: Nomination) -> Award:
    """The award of an awarded nomination: its category, the cycle's term."""
    return Award(
        member_id=nomination.nominee_id,
        category_id=nomination.category_id,
        cycle_id=cycle.id,
        nomination_id=nomination.id,
        starts_on=cycle.award_starts_on,
        ends_on=cycle.award_ends_on,
    )


def _announce_award(session: Session, actor: User | None, award: Award) -> None:
    """A new award's audit event and ``award_granted`` (webhooks follow it)."""
    audit.record(
        session,
        actor,
        "award.created",
        award,
        after={
            "member_id": award.member_id,
            "category_id": award.category_id,
            "cycle_id": award.cycle_id,
            "starts_on": award.starts_on,
            "ends_on": award.ends_on,
        },
    )
    events.award_granted.send(award, session=session, actor=actor)


def _tell_granted(session: Session, nomination: Nomination, award: Award, cycle: Cycle) -> None:
    notify(
        session,
        nomination.nominee_id,
        "award.granted",
        award_id=award.id,
        verification_id=award.verification_id,
        category=nomination.category.name,
        cycle=cycle.name,
    )


APPEAL_NOTE = N_("Awarded on appeal")


def award_on_appeal(session: Session, actor: User, nomination: Nomination, rationale: str) -> Award:
    """Change the published decline of ``nomination`` to an award, as an upheld appeal
    does (``nominee.appeals.services.uphold`` checks who may): the decision, its history
    line and audit event, then the award the way publishing creates one (same term,
    audit event, ``award_granted`` and the nominee's "award granted" notification), so
    its public verification page answers at once."""
    cycle = nomination.cycle
    if cycle.status is not CycleStatus.PUBLISHED or nomination.status is not (
        NominationStatus.DECLINED
    ):
        raise DomainError(
            _("Only a declined nomination of a published cycle is awarded on appeal.")
        )
    if session.scalar(select(Award.id).where(Award.nomination_id == nomination.id)):
        raise Conflict(_("This nomination has its award already."))
    before = _decision_state(nomination)
    nomination.decision = Decision.AWARD
    nomination.decision_rationale = rationale.strip()
    nomination.decided_by_id = actor.id
    nomination.decided_at = clock.now()
    after = {**_decision_state(nomination), "status": NominationStatus.AWARDED, "appeal": True}
    change_status(
        session,
        actor,
        nomination,
        NominationStatus.AWARDED,
        "nomination.decision_changed",
        note=APPEAL_NOTE,
        audit_payload=(before, after),
    )
    award = _new_award(cycle, nomination)
    session.add(award)
    session.flush()
    _announce_award(session, actor, award)
    _tell_granted(session, nomination, award, cycle)
    return award


RESULTS_TOPIC = "cycle.published"
RESULTS_BATCH = 500


def _results_batch(session: Session, cycle_id: int, after_id: int, limit: int) -> Any:
    published = (
        select(NominationEvent.id)
        .where(
            NominationEvent.nomination_id == Nomination.id,
            NominationEvent.note == RESULTS_NOTE,
        )
        .exists()
    )
    return (
        select(Nomination.id)
        .where(
            Nomination.cycle_id == cycle_id,
            Nomination.status.in_((NominationStatus.AWARDED, NominationStatus.DECLINED)),
            Nomination.id > after_id,
            published,
        )
        .order_by(Nomination.id)
        .limit(limit)
    )


def fan_out_results(session: Session, cycle_id: int) -> None:
    """Every batch of ``notify_results`` for the cycle, in ``session`` (flushed, not
    committed): for a script or a test; the job commits batch by batch."""
    after: int | None = 0
    while after is not None:
        after = notify_results(session, cycle_id, after)


def notify_results(
    session: Session, cycle_id: int, after_id: int = 0, limit: int = RESULTS_BATCH
) -> int | None:
    """Tell the nominees (award granted, or results published) and peer nominators of
    the next ``limit`` published nominations of the cycle after ``after_id``; answers
    the last one's id to go on from, or None when none was left.

    Each batch is recorded (``scheduled_runs``, key ``results:<cycle>:<after_id>``) with
    its notifications, so a batch run again (a retried job) tells nobody twice.
    """
    ids: list[int] = list(session.scalars(_results_batch(session, cycle_id, after_id, limit)))
    if not ids:
        return None
    key = f"results:{cycle_id}:{after_id}"
    if session.scalar(select(ScheduledRun.id).where(ScheduledRun.key == key)) is not None:
        return ids[-1]
    session.add(ScheduledRun(key=key))
    session.flush()  # a concurrent run of this batch fails here, before telling anyone
    cycle = session.get_one(Cycle, cycle_id)
    rows = session.execute(
        select(Nomination, Award)
        .outerjoin(Award, Award.nomination_id == Nomination.id)
        .where(Nomination.id.in_(ids))
        .options(joinedload(Nomination.category), joinedload(Nomination.nominee))
        .order_by(Nomination.id)
    ).all()
    for nomination, granted in rows:
        if granted is not None:
            _tell_granted(session, nomination, granted, cycle)
        else:
            notify(
                session,
                nomination.nominee_id,
                "results.published",
                nomination_id=nomination.id,
                cycle=cycle.name,
                nominee=nomination.nominee.display_name,
                recipient="nominee",
            )
        if nomination.nominator_id and nomination.nominator_id != nomination.nominee_id:
            notify(
                session,
                nomination.nominator_id,
                "results.published",
                nomination_id=nomination.id,
                cycle=cycle.name,
                nominee=nomination.nominee.display_name,
                recipient="nominator",
            )
    return ids[-1]


# Renewal


def _term(starts_on: date, ends_on: date) -> str:
    return f"{format_date(starts_on)} to {format_date(ends_on)}"


def renewal_window(cycle: Cycle) -> tuple[date, date]:
    """The first and last day an award may end on to be renewed in ``cycle``: from the
    day its nominations open to the first day of its award term. The new term then
    follows the old one without another cycle's term between them."""
    return cycle.nominations_open_on, cycle.award_starts_on


def create_renewals(session: Session, cycle: Cycle, actor: User | None = None) -> list[Nomination]:
    """Put up for renewal in ``cycle`` every award that ends inside its renewal window
    (see ``renewal_window``), when the award's term has begun, its category is one of the
    cycle's and its member's account is active.

    An award is renewed once: one with a live or decided renewal in any cycle, or renewed
    in this cycle before (whatever became of that nomination), is skipped, as is one whose
    member already has a live nomination in this cycle and category. The award rows are
    locked, so that two cycles opening at once put an award up once (the partial unique
    index ``uq_nominations_renewal_live`` is the last word). The evidence is the member's
    contributions dated inside the award's term (see ``_term_evidence``); it is gathered
    again when nominations close.
    """
    first_day, last_day = renewal_window(cycle)
    category_ids = [category.id for category in cycle.categories]
    renewed_elsewhere = select(Nomination.id).where(
        Nomination.renewal_of_award_id == Award.id,
        (Nomination.cycle_id == cycle.id) | Nomination.status.in_(LIVE_STATUSES),
    )
    awards = session.scalars(
        select(Award)
        .join(User, User.id == Award.member_id)
        .where(
            Award.status != AwardStatus.REVOKED,
            Award.ends_on >= first_day,
            Award.ends_on <= last_day,
            Award.starts_on <= today(),
            Award.cycle_id != cycle.id,
            Award.category_id.in_(category_ids),
            User.is_active_account.is_(True),
        )
        .options(selectinload(Award.category))
        .order_by(Award.id)
        .with_for_update(of=Award)
    ).all()
    if not awards:
        return []
    # Read after the lock: a cycle that opened meanwhile has committed its renewals.
    renewed = set(
        session.scalars(
            select(Award.id).where(Award.id.in_([a.id for a in awards]), renewed_elsewhere.exists())
        )
    )
    live = {
        (row.nominee_id, row.category_id)
        for row in session.execute(
            select(Nomination.nominee_id, Nomination.category_id).where(
                Nomination.cycle_id == cycle.id, Nomination.status.in_(LIVE_STATUSES)
            )
        )
    }
    created = []
    for award in awards:
        if award.id in renewed or (award.member_id, award.category_id) in live:
            continue
        created.append(_renewal_nomination(session, cycle, award, actor))
        live.add((award.member_id, award.category_id))
    return created


def _term_evidence(session: Session, cycle: Cycle, award: Award) -> list[int]:
    """The ids of the member's contributions dated inside the award's term, most recent
    first, up to the cycle's maximum. Read under a key-share lock, as nominations read
    their evidence: the owner's change of date or deletion waits, then sees them."""
    return list(
        session.scalars(
            select(Contribution.id)
            .where(
                Contribution.owner_id == award.member_id,
                Contribution.contributed_on >= award.starts_on,
                Contribution.contributed_on <= award.ends_on,
            )
            .order_by(Contribution.contributed_on.desc(), Contribution.id.desc())
            .limit(cycle.max_evidence)
            .with_for_update(read=True, key_share=True)
        )
    )


def _renewal_nomination(
    session: Session, cycle: Cycle, award: Award, actor: User | None
) -> Nomination:
    ids = _term_evidence(session, cycle, award)
    statement = (
        f"Renewal of the {award.category.name} award {_term(award.starts_on, award.ends_on)}."
    )
    nomination = Nomination(
        cycle_id=cycle.id,
        category_id=award.category_id,
        nominee_id=award.member_id,
        nominator_id=None,
        kind=NominationKind.RENEWAL,
        status=NominationStatus.SUBMITTED,
        statement_md=statement,
        statement_html=render(statement),
        renewal_of_award_id=award.id,
        no_activity=not ids,
        submitted_at=clock.now(),
        evidence=[NominationEvidence(contribution_id=cid) for cid in ids],
        events=[
            NominationEvent(
                to_status=NominationStatus.SUBMITTED,
                note=N_("Renewal nomination created by the programme"),
            )
        ],
    )
    try:
        # Added inside the savepoint: a renewal that lost a race leaves the rest usable.
        with session.begin_nested():
            session.add(nomination)
            session.flush()
    except IntegrityError:
        raise Conflict(
            _(
                "The %(category)s award of %(member)s was put up for renewal in another cycle "
                "meanwhile; try again.",
                category=award.category.name,
                member=award.member.display_name,
            )
        ) from None
    refresh_counters(session, nomination)
    # Its history line (by the programme) came with it.
    change_status(
        session,
        actor,
        nomination,
        NominationStatus.SUBMITTED,
        "nomination.renewal_created",
        created=True,
        history=False,
        audit_payload=(
            None,
            {
                "award_id": award.id,
                "cycle_id": cycle.id,
                "evidence_count": len(ids),
                "no_activity": nomination.no_activity,
            },
        ),
    )
    _tell_renewal(session, award, nomination, cycle.name, len(ids), "up_for_renewal")
    return nomination


def regather_renewal_evidence(
    session: Session, cycle: Cycle, actor: User | None = None
) -> list[Nomination]:
    """Gather the evidence of the cycle's renewals again as nominations close, so work
    logged while they were open counts (and clears the "no activity" flag). A renewal with
    still no contribution from the award term lapses: no recent work, no renewal.

    Renewals withdrawn meanwhile are left alone. Answers the renewals that changed.
    """
    renewals = session.execute(
        select(Nomination, Award)
        .join(Award, Award.id == Nomination.renewal_of_award_id)
        .where(
            Nomination.cycle_id == cycle.id,
            Nomination.kind == NominationKind.RENEWAL,
            Nomination.status.in_(UNDECIDED_STATUSES),
        )
        .options(selectinload(Nomination.evidence))
        .order_by(Nomination.id)
    ).all()
    changed = []
    for nomination, award in renewals:
        ids = _term_evidence(session, cycle, award)
        if not ids:
            _lapse_idle_renewal(session, nomination, award, actor)
            changed.append(nomination)
            continue
        before = {e.contribution_id for e in nomination.evidence}
        if set(ids) == before:
            continue
        nomination.evidence = [e for e in nomination.evidence if e.contribution_id in ids] + [
            NominationEvidence(contribution_id=cid) for cid in ids if cid not in before
        ]
        was_idle, nomination.no_activity = nomination.no_activity, False
        refresh_counters(session, nomination)
        add_event(
            session,
            actor,
            nomination,
            nomination.status,
            "Evidence gathered again from the award term: "
            f"{format_count(len(ids), 'contributions')}.",
        )
        audit.record(
            session,
            actor,
            "nomination.renewal_evidence_gathered",
            nomination,
            before={"evidence": sorted(before), "no_activity": was_idle},
            after={"evidence": sorted(ids), "no_activity": nomination.no_activity},
        )
        changed.append(nomination)
    return changed


def _lapse_idle_renewal(
    session: Session, nomination: Nomination, award: Award, actor: User | None
) -> None:
    nomination.no_activity = True
    change_status(
        session,
        actor,
        nomination,
        NominationStatus.LAPSED,
        "nomination.lapsed",
        note=N_("No contribution from the award term when nominations closed: not renewed."),
        extra={"reason": "no_activity", "award_id": award.id},
    )
    _tell_renewal(session, award, nomination, nomination.cycle.name, 0, "not_renewed")


# Awards


def revoke(session: Session, actor: User, award: Award, reason: str) -> Award:
    if not rules.is_organizer(actor):
        raise PermissionDenied(_("Only organizers revoke awards."))
    if award.status is AwardStatus.REVOKED:
        raise Conflict(_("This award is already revoked."))
    if not rules.can_revoke(actor, award):
        raise DomainError(_("Only awards of published cycles can be revoked."))
    reason = reason.strip()
    if not reason:
        raise DomainError(_("Give the reason for revoking this award."), field="reason")
    before = {"status": award.status}
    # Conditional, so that two organizers revoking at once produce one revocation.
    result = session.execute(
        update(Award)
        .where(Award.id == award.id, Award.status != AwardStatus.REVOKED)
        .values(
            status=AwardStatus.REVOKED,
            revoked_reason=reason,
            revoked_at=clock.now(),
            revoked_by_id=actor.id,
        )
        .execution_options(synchronize_session=False)
    )
    if cast("CursorResult[Any]", result).rowcount != 1:
        raise Conflict(_("This award is already revoked."))
    session.refresh(award)
    audit.record(
        session,
        actor,
        "award.revoked",
        award,
        before=before,
        after={"status": award.status, "reason": reason},
    )
    events.award_revoked.send(award, session=session, actor=actor)
    notify(
        session,
        award.member_id,
        "award.revoked",
        award_id=award.id,
        verification_id=award.verification_id,
        category=award.category.name,
        cycle=award.cycle.name,
        reason=reason,
    )
    return award


def expire_awards(session: Session, day: date | None = None) -> int:
    """Mark active awards whose term ended before ``day`` (today) as expired.

    Locks the awards it expires and skips those another run holds, so two runs at once
    (two hosts, a retried job) expire each award once, with one audit event.
    """
    day = day or today()
    awards = session.scalars(
        select(Award)
        .where(Award.status == AwardStatus.ACTIVE, Award.ends_on < day)
        .order_by(Award.id)
        .with_for_update(skip_locked=True)
    ).all()
    for award in awards:
        award.status = AwardStatus.EXPIRED
        audit.record(
            session,
            None,
            "award.expired",
            award,
            before={"status": AwardStatus.ACTIVE},
            after={"status": AwardStatus.EXPIRED, "ends_on": award.ends_on},
        )
        events.award_expired.send(award, session=session, actor=None)
    return len(awards)


# Reactions to cycle status moves


def refuse_undecided(cycle: Cycle, *, session: Session, new: CycleStatus, **_ignored: Any) -> None:
    """A cycle is published only when every reviewed nomination is decided. Moving to
    *decided* closes the reviews and is where organizers decide: it needs no decision."""
    if new is not CycleStatus.PUBLISHED:
        return
    if refusal := rules.publish_refusal(queries.undecided_count(session, cycle.id)):
        raise DomainError(refusal)


def react_to_cycle_status(
    cycle: Cycle,
    *,
    session: Session,
    actor: User | None,
    old: CycleStatus,
    new: CycleStatus,
    **_ignored: Any,
) -> None:
    if new is CycleStatus.PUBLISHED:
        publish_results(session, cycle, actor)
    elif new is CycleStatus.OPEN:
        create_renewals(session, cycle, actor)
    elif old is CycleStatus.OPEN:
        regather_renewal_evidence(session, cycle, actor)


def _tell_renewal(
    session: Session,
    award: Award,
    nomination: Nomination,
    cycle_name: str,
    evidence_count: int,
    stage: str,
) -> None:
    """The member's ``award.renewal`` notification: up for renewal, or not renewed."""
    notify(
        session,
        award.member_id,
        "award.renewal",
        nomination_id=nomination.id,
        award_id=award.id,
        category=award.category.name,
        cycle=cycle_name,
        ends_on=award.ends_on,
        evidence_count=evidence_count,
        stage=stage,
    )
