"""Audit events: who changed what, from what, to what, and when."""

from __future__ import annotations

from contextvars import ContextVar
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, Index, String, func, literal, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from nominee import clock
from nominee.db import Base, flush_row

if TYPE_CHECKING:
    from nominee.accounts.models import User

# The address of the client whose request is at work; set by the web layer
# (``nominee.uow``), None for commands and jobs.
client_address: ContextVar[str | None] = ContextVar("nominee_client_address", default=None)


class AuditEvent(Base):
    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_object", "object_type", "object_id"),
        Index("ix_audit_events_created_at", "created_at"),
        Index("ix_audit_events_actor_created", "actor_id", "created_at"),
        Index("ix_audit_events_action_created", "action", "created_at"),
        Index("ix_audit_events_type_created", "object_type", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[int | None]
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    ip_address: Mapped[str | None] = mapped_column(String(45))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    actor: Mapped[User | None] = relationship()


def record(
    session: Session,
    actor: User | None,
    action: str,
    obj: Any = None,
    *,
    object_type: str | None = None,
    object_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add an audit event for ``action`` on ``obj`` (or on the given type and id) and
    flush (later inside ``db.batched_writes``)."""
    if obj is not None:
        table = obj.__tablename__
        # "categories" -> "category"; older rows say "categorie" (the log reads both).
        object_type = object_type or (
            table[:-3] + "y" if table.endswith("ies") else table.removesuffix("s")
        )
        object_id = obj.id
    actor_id = getattr(actor, "id", None) if actor is not None else None
    event = AuditEvent(
        actor_id=actor_id,
        action=action,
        object_type=object_type or "system",
        object_id=object_id,
        before=_jsonable(before),
        after=_jsonable(after),
        ip_address=client_address.get(),
    )
    session.add(event)
    flush_row(session)
    return event


# A refused organizer page is written at most once per account and route in this window.
DENIAL_WINDOW = timedelta(minutes=1)
# The first key of the PostgreSQL advisory locks (two-key form, the second is the account)
# that serialise one account's denials; any constant no other such lock of the app uses.
DENIAL_LOCK = 7_316_541


def record_denial(session: Session, actor: User, *, route: str, path: str, method: str) -> None:
    """An ``access.denied`` event for ``actor`` on ``route`` (its URL rule), unless one
    was written in the last minute: reloading or probing ids cannot flood the log.

    The session must hold no transaction: the event is inserted first, so that on SQLite
    the transaction holds the write lock before it looks for an earlier row, then dropped
    when there is one; on PostgreSQL an advisory lock on the account makes concurrent
    workers look one after the other. So every worker of every host counts alike.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(literal(DENIAL_LOCK), actor.id)))
    event = record(
        session,
        actor,
        "access.denied",
        object_type="route",
        after={"path": path, "method": method, "route": route},
    )
    earlier = session.scalar(
        select(AuditEvent.id)
        .where(
            AuditEvent.actor_id == actor.id,
            AuditEvent.created_at > event.created_at - DENIAL_WINDOW,
            AuditEvent.action == "access.denied",
            AuditEvent.after["route"].as_string() == route,
            AuditEvent.id != event.id,
        )
        .limit(1)
    )
    if earlier is not None:
        session.delete(event)
        session.flush()


def _jsonable(values: dict[str, Any] | None) -> dict[str, Any] | None:
    if values is None:
        return None
    out: dict[str, Any] = {}
    for key, value in values.items():
        if hasattr(value, "value") and not isinstance(value, int | float | str | bool):
            value = value.value  # enums
        elif hasattr(value, "isoformat"):
            value = value.isoformat()
        out[key] = value
    return out
