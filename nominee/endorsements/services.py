"""Endorsing and withdrawing, race-safe, plus the lists the pages show."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, Row, Select, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from nominee import audit, clock
from nominee.accounts.models import User
from nominee.contributions.models import Contribution
from nominee.contributions.rules import visible_to
from nominee.endorsements import rules
from nominee.endorsements.models import Endorsement
from nominee.errors import Conflict, DomainError, PermissionDenied
from nominee.nominations.services import refresh_counters_for_evidence
from nominee.notifications.services import notify


def _change_count(session: Session, contribution: Contribution, delta: int) -> None:
    # One UPDATE adding to the stored value: concurrent endorsements cannot lose a count.
    # An endorsement is not an edit of the contribution, so updated_at keeps its value.
    session.execute(
        update(Contribution)
        .where(Contribution.id == contribution.id)
        .values(
            endorsement_count=Contribution.endorsement_count + delta,
            updated_at=Contribution.updated_at,
        )
        .execution_options(synchronize_session=False)
    )
    session.expire(contribution, ["endorsement_count"])
    # The nominations it is evidence of count their distinct endorsers too (the review
    # dashboard sorts on them): one indexed query, one more only when there are some.
    refresh_counters_for_evidence(session, contribution.id)


def endorsement_of(session: Session, user: User, contribution: Contribution) -> Endorsement | None:
    """``user``'s endorsement of ``contribution``, active or withdrawn."""
    if not user.is_authenticated:
        return None
    return session.scalar(
        select(Endorsement).where(
            Endorsement.contribution_id == contribution.id, Endorsement.endorser_id == user.id
        )
    )


def endorse(
    session: Session, endorser: User, contribution: Contribution, comment: str = ""
) -> Endorsement:
    """Endorse, or endorse again after a withdrawal (the same row comes back to life).

    The unique constraint on (contribution, endorser) decides between two simultaneous
    requests: the loser's insert fails inside a savepoint and becomes "already endorsed".
    """
    if reason := rules.endorsement_refusal(endorser, contribution):
        raise PermissionDenied(reason)
    comment = comment.strip()
    if message := rules.comment_error(comment):
        raise DomainError(message, field="comment")
    endorsement = endorsement_of(session, endorser, contribution)
    if endorsement is None:
        endorsement = Endorsement(
            contribution_id=contribution.id,
            endorser_id=endorser.id,
            endorsee_id=contribution.owner_id,
            comment=comment,
        )
        try:
            with session.begin_nested():
                session.add(endorsement)
                session.flush()
        except IntegrityError:
            raise Conflict(rules.ALREADY_ENDORSED) from None
        reactivated = False
    else:
        # Matching on "withdrawn" lets only one of two simultaneous reactivations through.
        result = session.execute(
            update(Endorsement)
            .where(Endorsement.id == endorsement.id, Endorsement.withdrawn_at.is_not(None))
            .values(withdrawn_at=None, comment=comment, created_at=clock.now())
            .execution_options(synchronize_session=False)
        )
        if result.rowcount == 0:
            raise Conflict(rules.ALREADY_ENDORSED)
        session.refresh(endorsement)
        reactivated = True
    _change_count(session, contribution, +1)
    audit.record(
        session,
        endorser,
        "endorsement.created",
        endorsement,
        after={
            "contribution_id": contribution.id,
            "endorsee_id": contribution.owner_id,
            "comment": comment,
            "reactivated": reactivated,
        },
    )
    notify(
        session,
        contribution.owner_id,
        "endorsed",
        contribution_id=contribution.id,
        title=contribution.title,
        endorser=endorser.display_name,
    )
    return endorsement


def withdraw(session: Session, endorser: User, contribution: Contribution) -> Endorsement:
    """Stop counting the endorsement; the row stays for the record."""
    endorsement = endorsement_of(session, endorser, contribution)
    if endorsement is None:
        raise DomainError("You have not endorsed this contribution.")
    result = session.execute(
        update(Endorsement)
        .where(Endorsement.id == endorsement.id, Endorsement.withdrawn_at.is_(None))
        .values(withdrawn_at=clock.now())
        .execution_options(synchronize_session=False)
    )
    if result.rowcount == 0:
        raise Conflict("Your endorsement is already withdrawn.")
    session.refresh(endorsement)
    _change_count(session, contribution, -1)
    audit.record(
        session,
        endorser,
        "endorsement.withdrawn",
        endorsement,
        before={"withdrawn_at": None},
        after={"contribution_id": contribution.id, "withdrawn_at": endorsement.withdrawn_at},
    )
    return endorsement


def active_endorsements(contribution: Contribution) -> Select[tuple[Endorsement]]:
    """A contribution's active endorsements, newest first, with their endorsers: a
    statement for the page to paginate (its total is the stored ``endorsement_count``)."""
    return (
        select(Endorsement)
        .where(Endorsement.contribution_id == contribution.id, Endorsement.withdrawn_at.is_(None))
        .options(joinedload(Endorsement.endorser))
        .order_by(Endorsement.created_at.desc(), Endorsement.id.desc())
    )


def _latest_stmt(condition: ColumnElement[bool], viewer: User, limit: int) -> Select:
    return (
        select(Endorsement.id, Endorsement.created_at)
        .join(Endorsement.contribution)
        .where(condition, Endorsement.withdrawn_at.is_(None), visible_to(viewer))
        .order_by(Endorsement.created_at.desc(), Endorsement.id.desc())
        .limit(limit)
    )


def _with_people(session: Session, latest: Select) -> Sequence[Row]:
    """The endorsements whose ids ``latest`` picks, with their contribution and people,
    newest first: the eager joins touch those few rows only."""
    picked = latest.subquery()
    return session.execute(
        select(Endorsement, *(c for c in picked.c if c.name not in ("id", "created_at")))
        .join(picked, picked.c.id == Endorsement.id)
        .options(
            joinedload(Endorsement.contribution),
            joinedload(Endorsement.endorser),
            joinedload(Endorsement.endorsee),
        )
        .order_by(picked.c.created_at.desc(), picked.c.id.desc())
    ).all()


def received(
    session: Session, member: User, viewer: User, limit: int = 10
) -> Sequence[Endorsement]:
    """The latest active endorsements ``member`` received on contributions ``viewer`` may
    see. How many there are is the sum of those contributions' ``endorsement_count``."""
    rows = _with_people(session, _latest_stmt(Endorsement.endorsee_id == member.id, viewer, limit))
    return [row.Endorsement for row in rows]


def given(
    session: Session, member: User, viewer: User, limit: int = 10
) -> tuple[int, Sequence[Endorsement]]:
    """How many active endorsements ``member`` gave on contributions ``viewer`` may see,
    and the latest of them: one query, the total counted by a window function over the
    matching rows before the limit (no rows, no total: zero)."""
    latest = _latest_stmt(Endorsement.endorser_id == member.id, viewer, limit).add_columns(
        func.count().over().label("total")
    )
    rows = _with_people(session, latest)
    return (rows[0].total if rows else 0), [row.Endorsement for row in rows]
