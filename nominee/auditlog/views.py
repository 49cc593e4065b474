"""The audit log: every change of state, newest first, filtered by organizers."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from flask import Blueprint, current_app, render_template, request
from sqlalchemy import Select, or_, select
from sqlalchemy.orm import joinedload

from nominee.accounts.models import User
from nominee.audit import AuditEvent
from nominee.auditlog.forms import ACTION_PREFIXES, OBJECT_TYPES, AuditFilterForm
from nominee.web import organizer_required, paginate

bp = Blueprint("auditlog", __name__)


def _start_of(day) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def filtered(form: AuditFilterForm) -> Select:
    stmt = (
        select(AuditEvent)
        .options(joinedload(AuditEvent.actor))
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
    )
    actor = (form.actor.data or "").strip()
    if actor.isdigit():
        stmt = stmt.where(AuditEvent.actor_id == int(actor))
    elif actor:
        pattern = f"%{actor.lower()}%"
        matching = select(User.id).where(
            or_(User.display_name.ilike(pattern), User.email.like(pattern))
        )
        stmt = stmt.where(AuditEvent.actor_id.in_(matching))
    if action := (form.action.data or "").strip():
        stmt = stmt.where(AuditEvent.action.startswith(action, autoescape=True))
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
    valid = form.validate()
    return render_template(
        "auditlog/index.html",
        form=form,
        page=paginate(filtered(form), current_app.config["PER_PAGE"]) if valid else None,
        action_prefixes=ACTION_PREFIXES,
        object_types=OBJECT_TYPES,
    ), 200 if valid else 400
