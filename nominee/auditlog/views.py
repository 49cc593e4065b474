"""The audit log: every change of state, newest first, filtered by organizers.

Each filter is answered by an index on ``audit_events`` in newest-first order: the
actor (resolved first to at most ``MAX_ACTORS`` accounts) by (actor, created), the
exact action by (action, created), an object by (type, id), dates by (created).

The pages are "newer / older" windows rather than ``nominee.web.paginate``: the audit
log is the biggest table of all, and counting its millions of rows for "page 3 of N"
would cost more than the page itself.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from flask import Blueprint, current_app, render_template, request
from flask_login import current_user
from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session, joinedload

from nominee import inputs
from nominee.accounts.models import User
from nominee.audit import AuditEvent
from nominee.auditlog.forms import ACTIONS, OBJECT_TYPES, AuditFilterForm
from nominee.reviews import queries as review_queries
from nominee.reviews.models import Review
from nominee.uow import get_session
from nominee.web import organizer_required, page_number

bp = Blueprint("auditlog", __name__)

MAX_ACTORS = 50


@dataclass
class Window:
    """One page of events, and whether older ones follow."""

    items: Sequence[AuditEvent]
    page: int
    has_next: bool

    @property
    def has_prev(self) -> bool:
        return self.page > 1


def window(session: Session, stmt: Select, per_page: int) -> Window:
    page = page_number()
    rows = session.scalars(stmt.limit(per_page + 1).offset((page - 1) * per_page)).all()
    return Window(items=rows[:per_page], page=page, has_next=len(rows) > per_page)


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def matching_actors(session: Session, query: str) -> list[int]:
    """Ids of the accounts ``query`` names (at most ``MAX_ACTORS`` + 1)."""
    query = query.strip()
    if query.isdecimal():
        return [int(query)] if inputs.fits_integer(int(query)) else []
    if "@" in query:
        condition = User.email == query.lower()
    else:
        condition = or_(
            User.display_name.icontains(query, autoescape=True),
            User.email.startswith(f"{query.lower()}@", autoescape=True),
        )
    return list(session.scalars(select(User.id).where(condition).limit(MAX_ACTORS + 1)))


def withholding(stmt: Select, nomination_ids: Collection[int]) -> Select:
    """``stmt`` without the events about these nominations: theirs (decisions, assignments,
    declared conflicts) and their reviews'. Filtered in SQL, so the newest-first index
    walks stay what they were."""
    if not nomination_ids:
        return stmt
    ids = sorted(nomination_ids)
    reviews = select(Review.id).where(Review.nomination_id.in_(ids))
    return stmt.where(
        or_(AuditEvent.object_type != "nomination", AuditEvent.object_id.not_in(ids)),
        or_(AuditEvent.object_type != "review", AuditEvent.object_id.not_in(reviews)),
    )


def shown_after(event: AuditEvent, nomination_ids: Collection[int]) -> dict | None:
    """What an event's "after" shows: an auto-assignment without the pairs of these
    nominations (the stored event keeps them)."""
    after = event.after
    if not nomination_ids or event.action != "review.auto_assigned" or not after:
        return after
    pairs = [pair for pair in after.get("pairs", []) if pair[0] not in nomination_ids]
    return {**after, "added": len(pairs), "pairs": pairs}


def filtered(form: AuditFilterForm, actor_ids: list[int] | None) -> Select:
    stmt = (
        select(AuditEvent)
        .options(joinedload(AuditEvent.actor))
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
    )
    if actor_ids is not None:
        if len(actor_ids) == 1:
            stmt = stmt.where(AuditEvent.actor_id == actor_ids[0])
        else:
            stmt = stmt.where(AuditEvent.actor_id.in_(actor_ids))
    if action := (form.action.data or "").strip():
        stmt = stmt.where(AuditEvent.action == action)
    if object_type := (form.object_type.data or "").strip():
        stmt = stmt.where(AuditEvent.object_type == object_type)
    if form.object_id.data:
        stmt = stmt.where(AuditEvent.object_id == form.object_id.data)
    if form.date_from.data:
        stmt = stmt.where(AuditEvent.created_at >= _start_of(form.date_from.data))
    if form.date_to.data:
        stmt = stmt.where(AuditEvent.created_at < _start_of(form.date_to.data + timedelta(days=1)))
    return stmt


@bp.get("/admin/audit")
@organizer_required
def index():
    form = AuditFilterForm(request.args)
    session = get_session()
    valid = form.validate()
    actor_ids = None
    if valid and (form.actor.data or "").strip():
        actor_ids = matching_actors(session, form.actor.data)
        if len(actor_ids) > MAX_ACTORS:
            form.actor.errors.append(
                f"More than {MAX_ACTORS} accounts match: type more of the name or the email."
            )
            valid = False
    # Rule 9: nothing about the nominations the organizer is conflicted on, until published.
    withheld = frozenset(review_queries.undisclosed_conflicts(session, current_user))
    stmt = withholding(filtered(form, actor_ids), withheld)
    return render_template(
        "auditlog/index.html",
        form=form,
        page=window(session, stmt, current_app.config["PER_PAGE"]) if valid else None,
        after_of=lambda event: shown_after(event, withheld),
        actions=ACTIONS,
        object_types=OBJECT_TYPES,
    ), 200 if valid else 400
