"""Appeal operations: a nominee appeals, an organizer upholds or dismisses. They check
the rules, change state, write audit events and notifications, and flush."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from nominee import audit, clock
from nominee.accounts.models import User
from nominee.appeals import queries, rules
from nominee.appeals.models import Appeal, AppealStatus
from nominee.awards import services as awards
from nominee.errors import Conflict, DomainError, PermissionDenied
from nominee.i18n import N_, _
from nominee.nominations.models import Nomination
from nominee.notifications.services import notify
from nominee.reviews.queries import conflicted_on

CHANGED = N_("This appeal changed while you were answering it; reload the page.")


def lodge(session: Session, actor: User, nomination: Nomination, statement: str) -> Appeal:
    """``actor``, the nominee of a declined nomination, appeals its decision: once, within
    the cycle's appeal period."""
    existing = queries.appeal_of(session, nomination.id)
    refusal = rules.appeal_refusal(actor, nomination, existing, clock.today())
    if refusal:
        raise (PermissionDenied if actor.id != nomination.nominee_id else DomainError)(refusal)
    if message := rules.statement_error(statement):
        raise DomainError(message, field="statement")
    appeal = Appeal(nomination_id=nomination.id, appellant_id=actor.id, statement=statement.strip())
    session.add(appeal)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        raise Conflict(_("You have appealed this decision already.")) from None
    audit.record(
        session,
        actor,
        "appeal.lodged",
        appeal,
        after={"nomination_id": nomination.id, "statement": appeal.statement},
    )
    return appeal


def _check_answer(session: Session, actor: User, appeal: Appeal, version: int) -> None:
    conflicted = actor.is_organizer and conflicted_on(session, appeal.nomination, actor)
    refusal = rules.answer_refusal(actor, appeal, conflicted=conflicted)
    if refusal:
        if not actor.is_organizer or conflicted or actor.id == appeal.appellant_id:
            raise PermissionDenied(refusal)
        raise Conflict(refusal)
    if version != appeal.version:
        raise Conflict(_(CHANGED))


def _close(
    session: Session, actor: User, appeal: Appeal, status: AppealStatus, response: str
) -> None:
    appeal.status = status
    appeal.response = response.strip()
    appeal.decided_by_id = actor.id
    appeal.decided_at = clock.now()
    try:
        session.flush()
    except StaleDataError:
        raise Conflict(_(CHANGED)) from None


def uphold(
    session: Session, actor: User, appeal: Appeal, *, rationale: str, response: str, version: int
) -> Appeal:
    """The appeal succeeds: the decision becomes an award with ``rationale``, created the
    way publishing creates awards (``awards.award_on_appeal``); the nominee reads
    ``response``."""
    _check_answer(session, actor, appeal, version)
    if message := rules.response_error(rationale, "rationale"):
        raise DomainError(message, field="rationale")
    if message := rules.response_error(response, "response"):
        raise DomainError(message, field="response")
    _close(session, actor, appeal, AppealStatus.UPHELD, response)
    award = awards.award_on_appeal(session, actor, appeal.nomination, rationale)
    audit.record(
        session,
        actor,
        "appeal.upheld",
        appeal,
        before={"status": AppealStatus.OPEN},
        after={
            "status": appeal.status,
            "nomination_id": appeal.nomination_id,
            "award_id": award.id,
            "rationale": rationale.strip(),
            "response": appeal.response,
        },
    )
    _tell(session, appeal, verification_id=award.verification_id)
    return appeal


def dismiss(
    session: Session, actor: User, appeal: Appeal, *, response: str, version: int
) -> Appeal:
    """The appeal fails: the decision stands; the nominee reads ``response``."""
    _check_answer(session, actor, appeal, version)
    if message := rules.response_error(response, "response"):
        raise DomainError(message, field="response")
    _close(session, actor, appeal, AppealStatus.DISMISSED, response)
    audit.record(
        session,
        actor,
        "appeal.dismissed",
        appeal,
        before={"status": AppealStatus.OPEN},
        after={
            "status": appeal.status,
            "nomination_id": appeal.nomination_id,
            "response": appeal.response,
        },
    )
    _tell(session, appeal, verification_id="")
    return appeal


def _tell(session: Session, appeal: Appeal, *, verification_id: str) -> None:
    nomination = appeal.nomination
    notify(
        session,
        nomination.nominee_id,
        "appeal.answered",
        nomination_id=nomination.id,
        category=nomination.category.name,
        cycle=nomination.cycle.name,
        outcome=appeal.status.value,
        verification_id=verification_id,
    )
