"""Nomination operations: nominate, accept or decline, withdraw, choose evidence.

Every status change writes a ``NominationEvent`` (the history on the nomination page) and
an audit event. Rule 3 (only while the cycle is open) is checked against the cycle row
read under a shared lock, so a nomination cannot slip in while an organizer closes the
cycle; rule 2 (evidence belongs to the nominee and lies in the look-back window) is
checked against the database, never against the ids a form posted.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, ScalarSelect, Select, distinct, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload, selectinload
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from nominee import activity, audit, clock, events
from nominee.accounts.models import User
from nominee.awards.models import Award
from nominee.categories.models import Category
from nominee.contributions.models import Contribution, ContributionType
from nominee.cycles.models import Cycle, CycleStatus
from nominee.endorsements.models import Endorsement
from nominee.errors import Conflict, DomainError
from nominee.formatting import format_date, format_number
from nominee.i18n import N_, _, ngettext
from nominee.markdown import render
from nominee.nominations import rules
from nominee.nominations.models import (
    COPIED_COLUMNS,
    LIVE_STATUSES,
    Nomination,
    NominationEvent,
    NominationEvidence,
    NominationKind,
    NominationStatus,
)
from nominee.nominations.queries import EvidenceItem
from nominee.notifications.services import notify
from nominee.reviews.rules import QUEUE_STATUSES

T = TypeVar("T")

STALE_NOMINATION = N_("This nomination changed in the meantime; reload and try again.")
SEARCH_LIMIT = 20
# Not decided yet: a renewal's evidence may still be gathered again.
UNDECIDED_STATUSES = (NominationStatus.SUBMITTED, NominationStatus.IN_REVIEW)
# Rule 8: from "in review" on, the panel judges the copy of the evidence taken as the
# nomination went into review, and the stored counters taken with it. Before that (a
# submitted nomination) they follow the contributions.
FROZEN_STATUSES = frozenset(
    {NominationStatus.IN_REVIEW, NominationStatus.AWARDED, NominationStatus.DECLINED}
)


# Reading ------------------------------------------------------------------------------


def eligible_evidence(session: Session, cycle: Cycle, nominee_id: int) -> list[Contribution]:
    """The nominee's contributions dated inside the cycle's look-back window, newest first."""
    return list(
        session.scalars(
            _in_window(select(Contribution), cycle, nominee_id)
            .options(selectinload(Contribution.type))
            .order_by(Contribution.contributed_on.desc(), Contribution.id.desc())
        )
    )


def search_members(session: Session, query: str, *, exclude_id: int) -> list[User]:
    """Active members whose display name contains ``query`` (two characters at least)."""
    query = query.strip()
    if len(query) < 2:
        return []
    escaped = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return list(
        session.scalars(
            select(User)
            .where(
                User.is_active_account.is_(True),
                User.id != exclude_id,
                User.display_name.ilike(f"%{escaped}%", escape="\\"),
            )
            .order_by(User.display_name, User.id)
            .limit(SEARCH_LIMIT)
        )
    )


def peer_nominations_made(session: Session, nominator_id: int, cycle_id: int) -> int:
    """Live peer nominations ``nominator_id`` made in the cycle (withdrawn ones free a slot)."""
    return (
        session.scalar(
            select(func.count(Nomination.id)).where(
                Nomination.nominator_id == nominator_id,
                Nomination.cycle_id == cycle_id,
                Nomination.kind == NominationKind.PEER,
                Nomination.status.in_(LIVE_STATUSES),
            )
        )
        or 0
    )


def live_nomination(
    session: Session, cycle_id: int, category_id: int, nominee_id: int
) -> Nomination | None:
    return session.scalar(
        select(Nomination).where(
            Nomination.cycle_id == cycle_id,
            Nomination.category_id == category_id,
            Nomination.nominee_id == nominee_id,
            Nomination.status.in_(LIVE_STATUSES),
        )
    )


# Operations ---------------------------------------------------------------------------


def nominate(
    session: Session,
    actor: User,
    cycle: Cycle,
    *,
    category_id: int,
    nominee_id: int,
    statement_md: str,
    evidence_ids: Sequence[int] = (),
) -> Nomination:
    """Nominate ``nominee_id`` (the actor for a self nomination) in one of the cycle's categories.

    A self nomination carries its evidence and is submitted at once; a peer nomination
    waits for the nominee to accept it.
    """
    if refusal := rules.why_not_nominate_as(actor):
        raise refusal
    _lock_cycle(session, cycle)
    if refusal := rules.why_not_nominate(cycle):
        raise refusal
    category = next((c for c in cycle.categories if c.id == category_id), None)
    if category is None:
        raise DomainError(_("Choose one of this cycle's categories."), field="category_id")
    statement_md = _checked_statement(statement_md, "statement_md", required=True)
    nominee = session.get(User, nominee_id)
    if nominee is None or not nominee.is_active_account:
        raise DomainError(_("This member cannot be nominated."), field="nominee_id")
    is_self = nominee.id == actor.id
    if live_nomination(session, cycle.id, category.id, nominee.id) is not None:
        raise DomainError(_duplicate_message(nominee, category, is_self), field="category_id")
    if not is_self:
        _check_peer_limit(session, actor, cycle)
    contributions = _checked_evidence(session, cycle, nominee.id, evidence_ids) if is_self else []

    nomination = Nomination(
        cycle=cycle,
        category=category,
        nominee=nominee,
        nominator=actor,
        kind=NominationKind.SELF if is_self else NominationKind.PEER,
        status=NominationStatus.SUBMITTED if is_self else NominationStatus.AWAITING_ACCEPTANCE,
        statement_md=statement_md,
        statement_html=render(statement_md),
        submitted_at=clock.now() if is_self else None,
    )
    try:
        # The partial unique index is the last word when two requests race. (Added inside
        # the savepoint: a failed flush then leaves the rest of the transaction usable.)
        with session.begin_nested():
            session.add(nomination)
            session.flush()
    except IntegrityError:
        raise DomainError(
            _duplicate_message(nominee, category, is_self), field="category_id"
        ) from None
    if is_self:
        _replace_evidence(session, nomination, contributions)
    refresh_counters(session, nomination)
    change_status(
        session,
        actor,
        nomination,
        nomination.status,
        "nomination.created",
        created=True,
        extra={
            "kind": nomination.kind,
            "nominee_id": nominee.id,
            "cycle_id": cycle.id,
            "category_id": category.id,
            "evidence": [c.id for c in contributions],
        },
    )
    if not is_self:
        notify(
            session,
            nominee.id,
            "nominated",
            nomination_id=nomination.id,
            nominator=actor.display_name,
            category=category.name,
            cycle=cycle.name,
        )
    return nomination


def accept(
    session: Session,
    actor: User,
    nomination: Nomination,
    *,
    evidence_ids: Sequence[int],
    nominee_statement_md: str,
    expected_version: int,
) -> Nomination:
    """The nominee accepts a peer nomination with their evidence: it is submitted."""
    _lock_cycle(session, nomination.cycle)
    if refusal := rules.why_not_respond(actor, nomination):
        raise refusal
    _check_version(nomination, expected_version)
    statement = _checked_statement(nominee_statement_md, "nominee_statement_md", required=False)
    contributions = _checked_evidence(
        session, nomination.cycle, nomination.nominee_id, evidence_ids
    )
    nomination.nominee_statement_md = statement
    nomination.nominee_statement_html = render(statement) if statement else ""
    nomination.submitted_at = clock.now()
    change_status(
        session,
        actor,
        nomination,
        NominationStatus.SUBMITTED,
        "nomination.accepted",
        extra={"evidence": [c.id for c in contributions]},
    )
    _replace_evidence(session, nomination, contributions)
    refresh_counters(session, nomination)
    _notify_nominator(
        session, nomination, "nomination_accepted", nominee=nomination.nominee.display_name
    )
    return nomination


def refuse(
    session: Session,
    actor: User,
    nomination: Nomination,
    *,
    reason: str = "",
    expected_version: int,
) -> Nomination:
    """The nominee declines a peer nomination, with a reason the nominator reads if they
    give one."""
    _lock_cycle(session, nomination.cycle)
    if refusal := rules.why_not_respond(actor, nomination):
        raise refusal
    _check_version(nomination, expected_version)
    reason = (reason or "").strip()
    if len(reason) > rules.WITHDRAWN_REASON_MAX:
        raise DomainError(_reason_too_long(), field="reason")
    nomination.withdrawn_reason = reason
    change_status(
        session, actor, nomination, NominationStatus.REFUSED, "nomination.refused", note=reason
    )
    _notify_nominator(
        session,
        nomination,
        "nomination_declined",
        nominee=nomination.nominee.display_name,
        reason=reason,
    )
    return nomination


def withdraw(
    session: Session,
    actor: User,
    nomination: Nomination,
    *,
    reason: str = "",
    expected_version: int,
) -> Nomination:
    """The nominee or the nominator withdraws before a decision, while the cycle is open."""
    _lock_cycle(session, nomination.cycle)
    if refusal := rules.why_not_withdraw(actor, nomination):
        raise refusal
    _check_version(nomination, expected_version)
    reason = (reason or "").strip()
    if len(reason) > rules.WITHDRAWN_REASON_MAX:
        raise DomainError(_reason_too_long(), field="reason")
    nomination.withdrawn_reason = reason
    change_status(
        session, actor, nomination, NominationStatus.WITHDRAWN, "nomination.withdrawn", note=reason
    )
    other_id = (
        nomination.nominator_id if actor.id == nomination.nominee_id else nomination.nominee_id
    )
    if other_id is not None and other_id != actor.id:
        notify(
            session,
            other_id,
            "nomination_withdrawn",
            **_about(nomination),
            withdrawn_by=actor.display_name,
            reason=reason,
        )
    return nomination


def change_evidence(
    session: Session,
    actor: User,
    nomination: Nomination,
    evidence_ids: Sequence[int],
    *,
    expected_version: int,
) -> Nomination:
    """The nominee changes the evidence of a submitted nomination while the cycle is open."""
    _lock_cycle(session, nomination.cycle)
    if refusal := rules.why_not_change_evidence(actor, nomination):
        raise refusal
    _check_version(nomination, expected_version)
    contributions = _checked_evidence(
        session, nomination.cycle, nomination.nominee_id, evidence_ids
    )
    before = sorted(e.contribution_id for e in nomination.evidence)
    # The evidence lives in another table: bump the version so a concurrent edit loses.
    flag_modified(nomination, "evidence_count")
    _flush(session)
    _replace_evidence(session, nomination, contributions)
    refresh_counters(session, nomination)
    after = sorted(c.id for c in contributions)
    session.add(
        NominationEvent(
            nomination=nomination,
            actor_id=actor.id,
            from_status=nomination.status,
            to_status=nomination.status,
            note=f"Evidence changed: {len(after)} contributions.",
        )
    )
    audit.record(
        session,
        actor,
        "nomination.evidence_changed",
        nomination,
        before={"evidence": before},
        after={"evidence": after},
    )
    return nomination


def _distinct_endorsers() -> Select[int]:
    """The number of distinct active endorsers (add the contributions' condition)."""
    return (
        select(func.count(distinct(Endorsement.endorser_id)))
        .join(User, User.id == Endorsement.endorser_id)
        .where(Endorsement.withdrawn_at.is_(None), User.is_active_account.is_(True))
    )


@dataclass(frozen=True)
class Totals:
    evidence_count: int
    distinct_endorsers: int
    total_quantity: int
    total_audience: int


def totals(
    session: Session,
    nomination: Nomination,
    shown: Sequence[EvidenceItem],
    evidence_items: int | None = None,
) -> Totals:
    """The evidence totals over ``shown``: the stored counters when every item of the
    evidence is shown, otherwise counted over the shown items alone (one query), so a
    viewer who may not see private items cannot subtract them from the totals.
    ``evidence_items``: how many items the evidence has, when the caller read them all
    (else its rows are loaded to count them)."""
    if evidence_items is None:
        evidence_items = len(nomination.evidence)
    if len(shown) == evidence_items:
        return Totals(
            nomination.evidence_count,
            nomination.distinct_endorsers,
            nomination.total_quantity,
            nomination.total_audience,
        )
    ids = [contribution.id for contribution in shown]
    endorsers = (
        session.scalar(_distinct_endorsers().where(Endorsement.contribution_id.in_(ids)))
        if ids
        else 0
    )
    return Totals(
        len(shown),
        endorsers or 0,
        sum(c.quantity or 0 for c in shown),
        sum(c.audience or 0 for c in shown),
    )


def _counter_values() -> dict[str, Any]:
    """The stored counters as SQL, each correlated to the nominations row it updates."""

    def over_evidence(aggregate: ColumnElement[Any]) -> ScalarSelect[Any]:
        return (
            select(aggregate)
            .select_from(Contribution)
            .join(NominationEvidence, NominationEvidence.contribution_id == Contribution.id)
            .where(NominationEvidence.nomination_id == Nomination.id)
            .scalar_subquery()
        )

    def figure(name: str) -> ColumnElement[Any]:
        # The panel's copy once taken, else the contribution's figure now.
        return func.coalesce(getattr(NominationEvidence, name), getattr(Contribution, name))

    endorsers = (
        _distinct_endorsers()
        .join(
            NominationEvidence,
            NominationEvidence.contribution_id == Endorsement.contribution_id,
        )
        .where(NominationEvidence.nomination_id == Nomination.id)
        .scalar_subquery()
    )
    return {
        "evidence_count": over_evidence(func.count(Contribution.id)),
        "total_quantity": over_evidence(func.coalesce(func.sum(figure("quantity")), 0)),
        "total_audience": over_evidence(func.coalesce(func.sum(figure("audience")), 0)),
        "distinct_endorsers": endorsers,
    }


def _recount(session: Session, *conditions: ColumnElement[bool]) -> None:
    # One UPDATE computing the counters in the database: nothing read earlier in the
    # transaction can be written back stale. It leaves ``version`` alone (a recount is
    # no edit of the nomination), and expires the counters of loaded nominations.
    session.execute(
        update(Nomination)
        .where(*conditions)
        .values(**_counter_values())
        .execution_options(synchronize_session="fetch")
    )


def refresh_counters(session: Session, nomination: Nomination) -> None:
    """Recount evidence, distinct active endorsers and reach totals from the database.

    A nomination in review (or decided) first gets its copy of each evidence item not
    copied yet (rule 8): called as it goes into review, this takes what the panel will
    judge; the evidence copied earlier keeps its copy."""
    _flush(session)
    if nomination.status in FROZEN_STATUSES:
        freeze_evidence(session, nomination.id)
    _recount(session, Nomination.id == nomination.id)


def freeze_evidence(session: Session, nomination_id: int) -> None:
    """Take the panel's copy of each evidence item of the nomination not copied yet, in
    one UPDATE ... FROM (the contribution with its type), as it is now."""
    session.execute(
        update(NominationEvidence)
        .where(
            NominationEvidence.nomination_id == nomination_id,
            NominationEvidence.frozen_at.is_(None),
            Contribution.id == NominationEvidence.contribution_id,
            ContributionType.id == Contribution.type_id,
        )
        .values(
            frozen_at=clock.now(),
            type_name=ContributionType.name,
            type_weight=ContributionType.weight,
            quantity_label=ContributionType.quantity_label,
            audience_label=ContributionType.audience_label,
            **{name: getattr(Contribution, name) for name in COPIED_COLUMNS},
        )
        .execution_options(synchronize_session="fetch")
    )


def refresh_counters_for_evidence(session: Session, contribution_id: int) -> None:
    """Recount the submitted nominations that have ``contribution_id`` as evidence, after
    its figures or its endorsements changed. (From "in review" on a nomination keeps the
    counters taken as it went into review, rule 8.)

    One read along the evidence's contribution index finds them (a contribution is the
    evidence of a few nominations at most) and locks their rows in id order, so that two
    requests changing the evidence of one nomination at once recount one after the
    other, the second seeing the first's change. The recount is one more statement, only
    when there is something to recount.
    """
    ids = session.scalars(
        select(Nomination.id)
        .join(NominationEvidence, NominationEvidence.nomination_id == Nomination.id)
        .where(
            NominationEvidence.contribution_id == contribution_id,
            Nomination.status == NominationStatus.SUBMITTED,
        )
        .order_by(Nomination.id)
        .with_for_update(of=Nomination)
    ).all()
    if ids:
        _recount(session, Nomination.id.in_(ids))


# Rule 2 from the contribution's side --------------------------------------------------


def nominations_with_evidence(
    session: Session, contribution_id: int
) -> list[tuple[Nomination, date, date]]:
    """The live nominations (decided ones included: the evidence of a decision stays what
    the reviewers saw) that have ``contribution_id`` as evidence, each with the first and
    last day its evidence must lie in: the cycle's look-back window, or for a renewal
    the term of the award it renews."""
    rows = session.execute(
        select(Nomination, Award.starts_on, Award.ends_on)
        .join(NominationEvidence, NominationEvidence.nomination_id == Nomination.id)
        .outerjoin(Award, Award.id == Nomination.renewal_of_award_id)
        .where(
            NominationEvidence.contribution_id == contribution_id,
            Nomination.status.in_(LIVE_STATUSES),
        )
        .options(joinedload(Nomination.cycle), joinedload(Nomination.category))
        .order_by(Nomination.id)
    ).all()
    return [
        (nomination, starts_on, ends_on)
        if starts_on is not None
        else (nomination, nomination.cycle.lookback_start, nomination.cycle.nominations_close_on)
        for nomination, starts_on, ends_on in rows
    ]


def check_evidence_date(session: Session, actor: User, contribution_id: int, day: date) -> None:
    """Refuse ``day`` as the new date of a contribution that is the evidence of a live
    nomination whose window does not hold it."""
    for nomination, first, last in nominations_with_evidence(session, contribution_id):
        if not first <= day <= last:
            message = _(
                "%(what)s: its date must stay between %(first)s and %(last)s.",
                what=_evidence_of(nomination),
                first=format_date(first),
                last=format_date(last),
            )
            if rules.can_change_evidence(actor, nomination):
                message = _(
                    "%(refusal)s To move it, first remove it from that nomination's evidence.",
                    refusal=message,
                )
            raise DomainError(message, field="contributed_on")


def check_not_evidence(session: Session, actor: User, contribution_id: int) -> None:
    """Refuse to delete a contribution that is the evidence of a live nomination, saying
    what the owner can do about it."""
    for nomination, *_dates in nominations_with_evidence(session, contribution_id):
        what = _evidence_of(nomination)
        status = rules.shown_status(actor, nomination)
        if rules.can_change_evidence(actor, nomination):
            why = _(
                "%(what)s. Remove it from that nomination's evidence first, then delete it.",
                what=what,
            )
        elif status in rules.DECISIONS:
            why = _(
                "%(what)s, which is decided: the evidence of a decision stays as the "
                "reviewers saw it.",
                what=what,
            )
        elif status is NominationStatus.IN_REVIEW:
            why = _(
                "%(what)s, which is in review: its evidence stays as the reviewers see it.",
                what=what,
            )
        elif nomination.kind is NominationKind.RENEWAL:
            why = _(
                "%(what)s, gathered from your award term: it stays while the renewal is "
                "considered.",
                what=what,
            )
        else:
            why = _("%(what)s: it stays while that nomination is live.", what=what)
        raise DomainError(why)


def _evidence_of(nomination: Nomination) -> str:
    where = {"category": nomination.category.name, "cycle": nomination.cycle.name}
    if nomination.kind is NominationKind.RENEWAL:
        return _(
            "This contribution is evidence of your renewal for %(category)s in %(cycle)s", **where
        )
    return _(
        "This contribution is evidence of your nomination for %(category)s in %(cycle)s", **where
    )


# Reactions to the cycle's status ----------------------------------------------------


def close_nominations(
    cycle: Cycle,
    *,
    session: Session,
    actor: User | None,
    old: CycleStatus,
    new: CycleStatus,
    **_ignored: Any,
) -> None:
    """Leaving "open": unaccepted peer nominations lapse, submitted ones enter review."""
    if old is not CycleStatus.OPEN or new is CycleStatus.OPEN:
        return
    nominations = session.scalars(
        select(Nomination)
        .where(
            Nomination.cycle_id == cycle.id,
            Nomination.status.in_(
                (NominationStatus.AWAITING_ACCEPTANCE, NominationStatus.SUBMITTED)
            ),
        )
        .order_by(Nomination.id)
        .execution_options(populate_existing=True)
    ).all()
    for nomination in nominations:
        if nomination.status is NominationStatus.AWAITING_ACCEPTANCE:
            _lapse(session, actor, nomination)
        else:
            change_status(
                session, actor, nomination, NominationStatus.IN_REVIEW, "nomination.entered_review"
            )
            refresh_counters(session, nomination)


def _lapse(session: Session, actor: User | None, nomination: Nomination) -> None:
    change_status(
        session,
        actor,
        nomination,
        NominationStatus.LAPSED,
        "nomination.lapsed",
        note=N_("Not accepted before nominations closed."),
    )
    nominee = nomination.nominee.display_name
    notify(
        session,
        nomination.nominee_id,
        "nomination_lapsed",
        **_about(nomination),
        nominee=nominee,
        recipient="nominee",
    )
    _notify_nominator(
        session, nomination, "nomination_lapsed", nominee=nominee, recipient="nominator"
    )


# Helpers ------------------------------------------------------------------------------


def _lock_cycle(session: Session, cycle: Cycle) -> None:
    """Re-read the cycle under a shared row lock: a status move waits for us, and we see
    the status it left behind (SQLite serialises writers anyway)."""
    session.execute(
        select(Cycle)
        .where(Cycle.id == cycle.id)
        .with_for_update(read=True)
        .execution_options(populate_existing=True)
    )


def _check_peer_limit(session: Session, actor: User, cycle: Cycle) -> None:
    # Serialise one member's nominations so two at once cannot both pass the count.
    session.execute(select(User.id).where(User.id == actor.id).with_for_update())
    limit = cycle.peer_nomination_limit
    if peer_nominations_made(session, actor.id, cycle.id) >= limit:
        if limit == 0:
            message = _("This cycle takes no peer nominations.")
        else:
            message = ngettext(
                "You have made %(num)d peer nomination in this cycle, its limit. Withdraw one "
                "to nominate somebody else.",
                "You have made %(num)d peer nominations in this cycle, its limit. Withdraw one "
                "to nominate somebody else.",
                limit,
            )
        raise DomainError(message, field="nominee_id")


def _checked_statement(text: str | None, field: str, *, required: bool) -> str:
    """A required statement is ``STATEMENT_MIN`` to ``STATEMENT_MAX`` characters; an
    optional one (the nominee's own) may be empty or short, but no longer than the max."""
    text = (text or "").strip()
    if not text and not required:
        return ""
    if not required and len(text) > rules.STATEMENT_MAX:
        raise DomainError(
            _(
                "Write at most %(max)s characters (now %(length)s).",
                max=format_number(rules.STATEMENT_MAX),
                length=format_number(len(text)),
            ),
            field=field,
        )
    if required and not rules.STATEMENT_MIN <= len(text) <= rules.STATEMENT_MAX:
        raise DomainError(
            _(
                "Write between %(min)s and %(max)s characters (now %(length)s).",
                min=format_number(rules.STATEMENT_MIN),
                max=format_number(rules.STATEMENT_MAX),
                length=format_number(len(text)),
            ),
            field=field,
        )
    return text


def _in_window(stmt: Select[T], cycle: Cycle, nominee_id: int) -> Select[T]:
    return stmt.where(
        Contribution.owner_id == nominee_id,
        Contribution.contributed_on >= cycle.lookback_start,
        Contribution.contributed_on <= cycle.nominations_close_on,
    )


def _checked_evidence(
    session: Session, cycle: Cycle, nominee_id: int, ids: Iterable[int]
) -> list[Contribution]:
    """Rule 2 and the cycle's limits, checked against the database.

    The rows are read under a key-share lock: their owner's change of date or deletion
    (which lock them for update first, see ``nominee.contributions.services``) waits for
    us and then sees them as evidence, or we wait for it and see the new date. Endorsing
    them meanwhile is not held up.
    """
    wanted = list(dict.fromkeys(ids))
    found = session.scalars(
        _in_window(select(Contribution), cycle, nominee_id)
        .where(Contribution.id.in_(wanted))
        .with_for_update(read=True, key_share=True)
    ).all()
    if len(found) != len(wanted):
        raise DomainError(
            _(
                "Evidence must be the nominee's own contributions dated between %(start)s and "
                "%(end)s.",
                start=format_date(cycle.lookback_start),
                end=format_date(cycle.nominations_close_on),
            ),
            field="evidence",
        )
    if len(wanted) < cycle.min_evidence:
        raise DomainError(
            ngettext(
                "Choose at least %(num)d contribution as evidence.",
                "Choose at least %(num)d contributions as evidence.",
                cycle.min_evidence,
            ),
            field="evidence",
        )
    if len(wanted) > cycle.max_evidence:
        raise DomainError(
            ngettext(
                "Choose at most %(num)d contribution as evidence.",
                "Choose at most %(num)d contributions as evidence.",
                cycle.max_evidence,
            ),
            field="evidence",
        )
    by_id = {c.id: c for c in found}
    return [by_id[i] for i in wanted]


def _replace_evidence(
    session: Session, nomination: Nomination, contributions: Sequence[Contribution]
) -> None:
    wanted = {c.id for c in contributions}
    kept = [e for e in nomination.evidence if e.contribution_id in wanted]
    have = {e.contribution_id for e in kept}
    nomination.evidence = kept + [
        NominationEvidence(contribution=c) for c in contributions if c.id not in have
    ]
    session.flush()


def _check_version(nomination: Nomination, expected_version: int | None) -> None:
    if nomination.version != expected_version:
        raise Conflict(_(STALE_NOMINATION))


def _flush(session: Session) -> None:
    try:
        session.flush()
    except StaleDataError:
        raise Conflict(_(STALE_NOMINATION)) from None


def add_event(
    session: Session,
    actor: User | None,
    nomination: Nomination,
    from_status: NominationStatus | None,
    note: str = "",
) -> None:
    """A line of the nomination's status history (who, from, to, why)."""
    session.add(
        NominationEvent(
            nomination=nomination,
            actor_id=actor.id if actor is not None else None,
            from_status=from_status,
            to_status=nomination.status,
            note=note[:500],
        )
    )


# The audit entry's (before, after) when it says more than the status move.
AuditPayload = tuple[dict[str, Any] | None, dict[str, Any]]


def change_status(
    session: Session,
    actor: User | None,
    nomination: Nomination,
    to_status: NominationStatus,
    action: str,
    *,
    note: str = "",
    extra: dict[str, Any] | None = None,
    created: bool = False,
    history: bool = True,
    audit_payload: AuditPayload | None = None,
) -> None:
    """The one gate of a nomination's status: move ``nomination`` to ``to_status``, write
    its history line and its audit event ``action``, and send ``events.nomination_moved``.

    ``created``: the nomination was just inserted with ``to_status`` (its history starts
    from nothing, ``old`` is None and the audit event has no "before"). ``history``
    False: no history line (a decision's line is written as the results are published,
    rule 5; a renewal brings its own). The audit event's after is ``{"status": ...,
    **extra}`` unless ``audit_payload`` gives both sides. A version mismatch on the
    flush is a ``Conflict``.
    """
    old = None if created else nomination.status
    nomination.status = to_status
    _flush(session)
    if (old in QUEUE_STATUSES) != (to_status in QUEUE_STATUSES):
        # Into the review queue or out of it: what the review pages keep of the queue is
        # stale. (Only then: a nomination made or withdrawn while the cycle is open holds
        # a shared lock on the cycle row, and two of them must not wait for each other.)
        activity.review_work_changed(session, nomination.cycle_id)
    if history:
        add_event(session, actor, nomination, old, note)
    if audit_payload is not None:
        before, after = audit_payload
    else:
        before = None if created else {"status": old}
        after = {"status": to_status, **(extra or {})}
    audit.record(session, actor, action, nomination, before=before, after=after)
    events.nomination_moved.send(
        nomination, session=session, actor=actor, old=old, new=to_status, action=action
    )


def _notify_nominator(session: Session, nomination: Nomination, kind: str, **params: str) -> None:
    if nomination.nominator_id is not None and nomination.nominator_id != nomination.nominee_id:
        notify(session, nomination.nominator_id, kind, **_about(nomination), **params)


def _duplicate_message(nominee: User, category: Category, is_self: bool) -> str:
    if is_self:
        return _(
            "You already have a nomination in %(category)s in this cycle; see My nominations.",
            category=category.name,
        )
    return _(
        "%(name)s already has a nomination in %(category)s in this cycle.",
        name=nominee.display_name,
        category=category.name,
    )


def _reason_too_long() -> str:
    return _("At most %(max)s characters.", max=format_number(rules.WITHDRAWN_REASON_MAX))


def _about(nomination: Nomination) -> dict[str, int | str]:
    """The parameters every notification about ``nomination`` carries."""
    return {
        "nomination_id": nomination.id,
        "category": nomination.category.name,
        "cycle": nomination.cycle.name,
    }
