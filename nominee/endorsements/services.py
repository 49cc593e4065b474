"""Endorsing and withdrawing, race-safe (the lists the pages show are in ``queries``)."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from nominee import activity, audit, clock, events
from nominee.accounts.models import User
from nominee.contributions.models import Contribution, Visibility
from nominee.endorsements import rules
from nominee.endorsements.models import Endorsement
from nominee.endorsements.queries import endorsement_of
from nominee.errors import Conflict, DomainError, PermissionDenied
from nominee.i18n import _
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
    activity.changed(session, [contribution.owner_id])
    # The nominations it is evidence of count their distinct endorsers too (the review
    # dashboard sorts on them): one indexed query, one more only when there are some.
    refresh_counters_for_evidence(session, contribution.id)


def refresh_public(
    session: Session, *, contribution_id: int | None = None, endorsee_id: int | None = None
) -> None:
    """Copy again onto the endorsements of a contribution, or of every contribution of a
    member, whether everybody may see them (``Endorsement.public``): after the
    contribution's visibility or its owner's account changed. One indexed UPDATE."""
    session.flush()
    shown = (
        select(Contribution.id)
        .join(User, User.id == Contribution.owner_id)
        .where(
            Contribution.id == Endorsement.contribution_id,
            Contribution.visibility == Visibility.PUBLIC,
            User.is_active_account.is_(True),
        )
        .exists()
    )
    stmt = update(Endorsement).values(public=shown)
    if contribution_id is not None:
        stmt = stmt.where(Endorsement.contribution_id == contribution_id)
    if endorsee_id is not None:
        stmt = stmt.where(Endorsement.endorsee_id == endorsee_id)
    session.execute(stmt.execution_options(synchronize_session="fetch"))


def endorse(
    session: Session, endorser: User, contribution: Contribution, comment: str = ""
) -> Endorsement:
    """Endorse, or endorse again after a withdrawal (the same row comes back to life).

    The unique constraint on (contribution, endorser) decides between two simultaneous
    requests: the loser's insert fails inside a savepoint and becomes "already endorsed"
    (or, when the row it found is withdrawn, a reactivation, which only one wins).
    """
    if reason := rules.endorsement_refusal(endorser, contribution):
        raise PermissionDenied(reason)
    comment = comment.strip()
    if message := rules.comment_error(comment):
        raise DomainError(message, field="comment")
    # The first endorsement, the usual case, is inserted without looking first (one
    # statement less); the row is read only when it exists already: an endorsement
    # withdrawn before, or an active one (already endorsed).
    endorsement = Endorsement(
        contribution_id=contribution.id,
        endorser_id=endorser.id,
        endorsee_id=contribution.owner_id,
        comment=comment,
        public=True,  # only a public contribution of an active member is endorsed
    )
    try:
        with session.begin_nested():
            session.add(endorsement)
            session.flush()
        reactivated = False
    except IntegrityError:
        found = endorsement_of(session, endorser, contribution)
        if found is None:  # the other request's row is not committed yet
            raise Conflict(_(rules.ALREADY_ENDORSED)) from None
        endorsement = found
        # Matching on "withdrawn" lets only one of two simultaneous reactivations through.
        result = cast(
            CursorResult[Any],
            session.execute(
                update(Endorsement)
                .where(Endorsement.id == endorsement.id, Endorsement.withdrawn_at.is_not(None))
                .values(withdrawn_at=None, comment=comment, created_at=clock.now(), public=True)
                .execution_options(synchronize_session=False)
            ),
        )
        if result.rowcount == 0:
            raise Conflict(_(rules.ALREADY_ENDORSED)) from None
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
    if not reactivated:
        # Endorsing again after a withdrawal tells the owner nothing new: they were told
        # the first time (issue 20: two identical notifications, and two mails).
        notify(
            session,
            contribution.owner_id,
            "endorsed",
            contribution_id=contribution.id,
            title=contribution.title,
            endorser=endorser.display_name,
        )
    events.endorsement_made.send(endorsement, session=session, actor=endorser)
    return endorsement


def withdraw(session: Session, endorser: User, contribution: Contribution) -> Endorsement:
    """Stop counting the endorsement; the row stays for the record."""
    endorsement = endorsement_of(session, endorser, contribution)
    if endorsement is None:
        raise DomainError(_("You have not endorsed this contribution."))
    result = cast(
        CursorResult[Any],
        session.execute(
            update(Endorsement)
            .where(Endorsement.id == endorsement.id, Endorsement.withdrawn_at.is_(None))
            .values(withdrawn_at=clock.now())
            .execution_options(synchronize_session=False)
        ),
    )
    if result.rowcount == 0:
        raise Conflict(_("Your endorsement is already withdrawn."))
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
    events.endorsement_withdrawn.send(endorsement, session=session, actor=endorser)
    return endorsement
