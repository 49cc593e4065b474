"""A synthetic programme at scale, for benchmarks: ``flask --app nominee seed-scale``."""

from __future__ import annotations

import gc
from contextlib import ExitStack
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from nominee import clock
from nominee.audit import AuditEvent
from nominee.contributions.models import ContributionType
from nominee.seeding.scale.loader import BulkWriter
from nominee.seeding.scale.programme import SCALES, SHAPES, Programme, Scale

# Tables with hundreds of thousands of rows at large scale.
BIG_TABLES = (
    "endorsements",
    "contributions",
    "contribution_figures",
    "audit_events",
    "notifications",
)

__all__ = ["SCALES", "SHAPES", "Scale", "seed_programme"]


def _slot_metric(kind: ContributionType, slot: str) -> int | None:
    """The id of the type's active metric kept in the headline figure ``slot``."""
    return next((m.id for m in kind.active_metrics if m.legacy_slot == slot), None)


def seed_programme(
    connection: Connection,
    scale: Scale,
    seed: int,
    password_hash: str,
    anchor: date | None = None,
    drop_indexes: bool = True,
    truth: dict | None = None,
    rings: bool = False,
    timings: dict[str, list[float]] | None = None,
) -> dict[str, int]:
    """Write a whole programme on ``connection`` (in its transaction, uncommitted).

    Answers the number of rows written per table. The database must be empty. With
    ``drop_indexes`` the big tables' indexes are built after the load, not during it, and
    on PostgreSQL the foreign keys are checked once after it, not row by row.
    ``timings``, when given, receives the wall and CPU seconds of each phase (writing
    each table, making its rows included; indexes; foreign keys; scores).
    With ``rings`` arranged groups are planted among the organic members; ``truth``, when
    given, receives which (``{"planted": [{"shape", "user_ids"}...], "organic": ...}``).
    """
    from nominee.contributions.services import seed_contribution_types

    # A savepoint of its own, released (not rolled back) whatever the caller's transaction.
    session = Session(bind=connection, join_transaction_mode="create_savepoint")
    seed_contribution_types(session)
    types = [
        (
            t.id,
            _slot_metric(t, "quantity"),
            _slot_metric(t, "audience"),
            list(t.roles),
            [(m.id, m.maximum) for m in t.active_metrics if not m.legacy_slot],
        )
        for t in session.scalars(select(ContributionType).order_by(ContributionType.position))
    ]
    first_audit_id = (session.scalar(select(func.max(AuditEvent.id))) or 0) + 1
    session.commit()
    session.close()
    writer = BulkWriter(connection)
    if timings is not None:
        writer.timings = timings
    programme = Programme(writer, scale, seed, anchor or clock.today(), password_hash, plant=rings)
    import nominee.models  # noqa: F401  (every table on Base.metadata)
    from nominee.db import Base

    big = [Base.metadata.tables[name] for name in BIG_TABLES] if drop_indexes else []
    # Millions of long-lived tuples and no reference cycles: collections would only rescan
    # them over and over.
    gc.disable()
    try:
        with ExitStack() as stack:
            if drop_indexes:
                stack.enter_context(writer.without_foreign_keys())
            stack.enter_context(writer.without_indexes(big))
            programme.run(types, first_audit_id)
    finally:
        gc.enable()

    writer.reset_sequences(Base.metadata.sorted_tables)
    if truth is not None:
        truth.update(programme.ground_truth())
    with writer.phase("scores"):
        _score_cycles(connection)
    return writer.counts


def _score_cycles(connection: Connection) -> None:
    """Keep the impact score on the nominations of every cycle past its nominations, as
    the programme would have when each went into review."""
    from nominee.cycles.models import Cycle, CycleStatus
    from nominee.impact.services import score_cycle

    session = Session(bind=connection, join_transaction_mode="create_savepoint")
    reviewed = (CycleStatus.IN_REVIEW, CycleStatus.DECIDED, CycleStatus.PUBLISHED)
    for cycle in session.scalars(select(Cycle).where(Cycle.status.in_(reviewed))).all():
        score_cycle(session, cycle)
    session.commit()
    session.close()
