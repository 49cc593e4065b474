"""The audit log's reads: every change of state, newest first, filtered by organizers.

Each filter is answered by an index on ``audit_events`` in newest-first order: the
actor (resolved first to at most ``MAX_ACTORS`` accounts) by (actor, created), the
exact action by (action, created), an object by (type, id), dates by (created).

The pages are "newer / older" windows rather than ``nominee.pagination.paginate``: the
audit log is the biggest table of all, and counting its millions of rows for "page 3 of
N" would cost more than the page itself. They are keyset windows, not OFFSET: "older"
continues below the last event shown, "newer" above the first (a ``Cursor``: its time
and id), so a page deep in the log costs what the first one does.
"""

from __future__ import annotations

import functools
import json
from collections import defaultdict
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import (
    CompoundSelect,
    Select,
    String,
    and_,
    bindparam,
    cast,
    literal,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session, aliased

from nominee import inputs
from nominee.accounts.models import Role, User
from nominee.appeals.models import Appeal
from nominee.audit import AuditEvent
from nominee.auditlog import sentences
from nominee.awards.models import Award
from nominee.categories.models import Category
from nominee.contributions.models import Contribution, ContributionType
from nominee.cycles.models import Cycle
from nominee.endorsements.models import Endorsement
from nominee.nominations.models import Nomination
from nominee.reviews import queries as reviews
from nominee.reviews.models import Review

MAX_ACTORS = 50


@dataclass(frozen=True)
class Cursor:
    """A place in the newest-first order: an event's time and id."""

    at: datetime
    id: int

    def __str__(self) -> str:
        return f"{self.at.isoformat()}_{self.id}"

    @classmethod
    def of(cls, event: Any) -> Cursor:
        return cls(event.created_at, event.id)

    @classmethod
    def parse(cls, text: str | None) -> Cursor | None:
        """The cursor a link carries, or None when there is none or it is not one."""
        if not text or "_" not in text or len(text) > 60:
            return None
        at_text, _, id_text = text.rpartition("_")
        try:
            at, event_id = datetime.fromisoformat(at_text), int(id_text)
        except ValueError:
            return None
        if not inputs.fits_integer(event_id) or not 1900 <= at.year <= 2999:
            return None
        return cls(at if at.tzinfo else at.replace(tzinfo=UTC), event_id)


@dataclass
class Window:
    """One window of events, newest first, with the cursors of the windows around it."""

    items: Sequence[Any]  # rows of ``filtered``
    newer: Cursor | None = None  # "newer events" start above this one
    older: Cursor | None = None  # "older events" start below this one


@dataclass(frozen=True)
class AuditFilter:
    """What the organizer asks for; ``actor_ids`` from ``matching_actors``."""

    actor_ids: Sequence[int] | None = None
    by: int | None = None  # one account from the pick-list; 0: the programme itself
    action: str = ""
    object_type: str = ""
    object_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None


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


def withheld_from(session: Session, viewer: User) -> frozenset[int]:
    """Rule 9: the nominations ``viewer`` may read nothing about in the log, those they are
    conflicted on, until their cycle is published."""
    return frozenset(reviews.undisclosed_conflicts(session, viewer))


def withholding(stmt: Select[Any], nomination_ids: Collection[int]) -> Select[Any]:
    """``stmt`` without the events about these nominations: theirs (decisions, assignments,
    declared conflicts) and their reviews'. Filtered in SQL, so the newest-first index
    walks stay what they were. The ids are bound at execution (``withheld_values``)."""
    if not nomination_ids:
        return stmt
    return stmt.where(*_withheld())


def withheld_values(nomination_ids: Collection[int]) -> dict[str, Any]:
    """The values ``withholding``'s statement is executed with."""
    return {"withheld": sorted(nomination_ids)} if nomination_ids else {}


@functools.cache
def _withheld() -> tuple[Any, ...]:
    """``withholding``'s conditions, built once per process with the nominations' ids as
    a parameter (``withheld``)."""
    ids: Any = bindparam("withheld", expanding=True)
    reviews_of = select(Review.id).where(Review.nomination_id.in_(ids))
    return (
        or_(AuditEvent.object_type != "nomination", AuditEvent.object_id.not_in(ids)),
        or_(AuditEvent.object_type != "review", AuditEvent.object_id.not_in(reviews_of)),
    )


def shown_after(event: Any, nomination_ids: Collection[int]) -> dict[str, Any] | None:
    """What an event's "after" shows: an auto-assignment without the pairs of these
    nominations (the stored event keeps them)."""
    after: dict[str, Any] | None = event.after
    if not nomination_ids or event.action != "review.auto_assigned" or not after:
        return after
    pairs = [pair for pair in after.get("pairs", []) if pair[0] not in nomination_ids]
    return {**after, "added": len(pairs), "pairs": pairs}


@functools.cache
def _events() -> Select[Any]:
    """Every event, newest first, as rows of the columns the page and the CSV show, the
    actor's name and namesakes beside them: rows rather than ``AuditEvent`` and ``User``
    entities, as loading those took a third of the page; built once per process (the
    actor's aliased columns took longer to build than the query to run)."""
    actor = aliased(User)
    return (
        select(
            AuditEvent.id,
            AuditEvent.actor_id,
            AuditEvent.action,
            AuditEvent.object_type,
            AuditEvent.object_id,
            AuditEvent.before,
            AuditEvent.after,
            AuditEvent.ip_address,
            AuditEvent.created_at,
            actor.display_name.label("actor_name"),
            actor.name_holders.label("actor_holders"),
        )
        .outerjoin(actor, actor.id == AuditEvent.actor_id)
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
    )


def filtered(wanted: AuditFilter) -> Select[Any]:
    """The events ``wanted`` asks for (``_events``)."""
    stmt = _events()
    if wanted.actor_ids is not None:
        if len(wanted.actor_ids) == 1:
            stmt = stmt.where(AuditEvent.actor_id == wanted.actor_ids[0])
        else:
            stmt = stmt.where(AuditEvent.actor_id.in_(wanted.actor_ids))
    if wanted.by is not None:
        stmt = stmt.where(
            AuditEvent.actor_id.is_(None) if wanted.by == 0 else AuditEvent.actor_id == wanted.by
        )
    if action := wanted.action.strip():
        stmt = stmt.where(AuditEvent.action == action)
    if object_type := wanted.object_type.strip():
        older = [old for old, new in sentences.ALIASES.items() if new == object_type]
        if older:  # rows written under an older spelling of the type count too
            stmt = stmt.where(AuditEvent.object_type.in_([object_type, *older]))
        else:
            stmt = stmt.where(AuditEvent.object_type == object_type)
    if wanted.object_id:
        stmt = stmt.where(AuditEvent.object_id == wanted.object_id)
    if wanted.date_from:
        stmt = stmt.where(AuditEvent.created_at >= _start_of(wanted.date_from))
    if wanted.date_to:
        stmt = stmt.where(AuditEvent.created_at < _start_of(wanted.date_to + timedelta(days=1)))
    return stmt


# Each keyset condition leads with a plain bound on ``created_at``: SQLite plans the OR
# alone, with its values bound, as a walk of the whole index from the newest event (the
# last window of 1.9M events took 850 ms; with the bound, a range search of under 1 ms).


def _below(cursor: Cursor) -> Any:
    return and_(
        AuditEvent.created_at <= cursor.at,
        or_(
            AuditEvent.created_at < cursor.at,
            and_(AuditEvent.created_at == cursor.at, AuditEvent.id < cursor.id),
        ),
    )


def _above(cursor: Cursor) -> Any:
    return and_(
        AuditEvent.created_at >= cursor.at,
        or_(
            AuditEvent.created_at > cursor.at,
            and_(AuditEvent.created_at == cursor.at, AuditEvent.id > cursor.id),
        ),
    )


def events_window(
    session: Session,
    wanted: AuditFilter,
    withheld: Collection[int],
    per_page: int,
    *,
    older_than: Cursor | None = None,
    newer_than: Cursor | None = None,
) -> Window:
    """The ``per_page`` events ``wanted`` asks for, newest first, without those about the
    ``withheld`` nominations: the newest, those just below ``older_than``, or those just
    above ``newer_than``."""
    stmt = withholding(filtered(wanted), withheld)
    values = withheld_values(withheld)
    if newer_than is not None:
        rows = session.execute(
            stmt.where(_above(newer_than))
            .order_by(None)
            .order_by(AuditEvent.created_at, AuditEvent.id)
            .limit(per_page + 1),
            values,
        ).all()
        items = list(reversed(rows[:per_page]))
        return Window(
            items=items,
            newer=Cursor.of(items[0]) if len(rows) > per_page else None,
            older=Cursor.of(items[-1]) if items else newer_than,
        )
    if older_than is not None:
        stmt = stmt.where(_below(older_than))
    rows = session.execute(stmt.limit(per_page + 1), values).all()
    items = list(rows[:per_page])
    return Window(
        items=items,
        newer=(Cursor.of(items[0]) if items else older_than) if older_than else None,
        older=Cursor.of(items[-1]) if len(rows) > per_page else None,
    )


# Sentences


def as_event(event: Any, after: dict[str, Any] | None = None) -> sentences.Event:
    """What a sentence reads of ``event``, a row of ``filtered`` (``after``: what the page
    shows of it)."""
    return sentences.Event(
        action=event.action,
        actor=event.actor_name,
        object_type=event.object_type,
        object_id=event.object_id,
        before=event.before or {},
        after=(event.after if after is None else after) or {},
    )


def names_for(session: Session, events: Sequence[sentences.Event]) -> sentences.Names:
    """The names the sentences of ``events`` need, in one query (a UNION ALL with a
    branch per kind of object present, each by primary key); none needed: no query."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for event in events:
        kind = sentences.ALIASES.get(event.object_type, event.object_type)
        if kind in sentences.FIELDS and event.object_id is not None:
            wanted[kind].add(event.object_id)
        for other, ids in sentences.mentioned(event).items():
            wanted[other] |= ids
    kinds = tuple(sorted(kind for kind, ids in wanted.items() if ids))
    if not kinds:
        return {}
    rows = session.execute(_union(kinds), {f"ids_{kind}": sorted(wanted[kind]) for kind in kinds})
    return {(row.kind, row.id): (row.a, row.b, row.c) for row in rows}


@functools.cache
def _union(kinds: tuple[str, ...]) -> CompoundSelect[Any]:
    """The names' statement for these kinds of object, built once per process (building
    it cost more than running it), the ids bound at execution."""
    return union_all(*(_branch(kind) for kind in kinds))


def _branch(kind: str) -> Select[Any]:
    """One kind's names: ``kind``, ``id``, then up to three texts (``sentences.FIELDS``),
    for the ids bound as ``ids_<kind>``."""
    ids: Any = bindparam(f"ids_{kind}", expanding=True)
    nominee, reviewer, owner, endorser = (aliased(User) for _ in range(4))
    none = null().cast(String)

    def pick(table_id: Any, *texts: Any) -> Select[Any]:
        padded = [*texts, none, none, none][:3]
        return select(
            literal(kind, String).label("kind"),
            table_id.label("id"),
            *(cast(text, String).label(name) for text, name in zip(padded, "abc", strict=True)),
        )

    if kind == "user":
        return pick(User.id, User.display_name).where(User.id.in_(ids))
    if kind == "cycle":
        return pick(Cycle.id, Cycle.name).where(Cycle.id.in_(ids))
    if kind == "category":
        return pick(Category.id, Category.name).where(Category.id.in_(ids))
    if kind == "contribution_type":
        return pick(ContributionType.id, ContributionType.name).where(ContributionType.id.in_(ids))
    if kind in ("nomination", "appeal"):
        key = Nomination.id if kind == "nomination" else Appeal.id
        stmt = pick(key, nominee.display_name, Cycle.name, Category.name)
        if kind == "appeal":
            stmt = stmt.select_from(Appeal).join(Nomination, Nomination.id == Appeal.nomination_id)
        else:
            stmt = stmt.select_from(Nomination)
        return (
            stmt.join(nominee, nominee.id == Nomination.nominee_id)
            .join(Cycle, Cycle.id == Nomination.cycle_id)
            .join(Category, Category.id == Nomination.category_id)
            .where(key.in_(ids))
        )
    if kind == "award":
        return (
            pick(Award.id, owner.display_name, Category.name, Cycle.name)
            .select_from(Award)
            .join(owner, owner.id == Award.member_id)
            .join(Category, Category.id == Award.category_id)
            .join(Cycle, Cycle.id == Award.cycle_id)
            .where(Award.id.in_(ids))
        )
    if kind == "review":
        return (
            pick(Review.id, reviewer.display_name, nominee.display_name, Cycle.name)
            .select_from(Review)
            .join(reviewer, reviewer.id == Review.reviewer_id)
            .join(Nomination, Nomination.id == Review.nomination_id)
            .join(nominee, nominee.id == Nomination.nominee_id)
            .join(Cycle, Cycle.id == Nomination.cycle_id)
            .where(Review.id.in_(ids))
        )
    if kind == "contribution":
        return (
            pick(Contribution.id, Contribution.title, owner.display_name)
            .select_from(Contribution)
            .join(owner, owner.id == Contribution.owner_id)
            .where(Contribution.id.in_(ids))
        )
    assert kind == "endorsement", kind
    return (
        pick(Endorsement.id, endorser.display_name, Contribution.title, owner.display_name)
        .select_from(Endorsement)
        .join(endorser, endorser.id == Endorsement.endorser_id)
        .join(Contribution, Contribution.id == Endorsement.contribution_id)
        .join(owner, owner.id == Contribution.owner_id)
        .where(Endorsement.id.in_(ids))
    )


def sentences_of(
    session: Session, events: Sequence[Any], withheld: Collection[int]
) -> dict[int, str]:
    """Each event's sentence by its id (one query for the names)."""
    shown = [as_event(event, shown_after(event, withheld)) for event in events]
    names = names_for(session, shown)
    return {
        event.id: sentences.describe(view, names) for event, view in zip(events, shown, strict=True)
    }


def staff(session: Session) -> Sequence[Any]:
    """The organizers and reviewers, for the actor pick-list: ``id``, ``display_name``."""
    return session.execute(_staff()).all()


@functools.cache
def _staff() -> Select[int, str]:
    return (
        select(User.id, User.display_name)
        .where(User.role.in_((Role.ORGANIZER, Role.REVIEWER)))
        .order_by(User.display_name, User.id)
    )


CSV_BATCH = 500


def csv_rows(
    session: Session, wanted: AuditFilter, withheld: Collection[int]
) -> Iterator[list[Any]]:
    """The filtered log as CSV cells, newest first: a header, then one row per event,
    read in keyset batches of ``CSV_BATCH`` (each batch's names in one query), so memory
    does not grow with the log."""
    yield [
        "When (UTC)",
        "Actor id",
        "Actor",
        "Action",
        "Sentence",
        "Object type",
        "Object id",
        "Before",
        "After",
        "Address",
    ]
    stmt = withholding(filtered(wanted), withheld)
    values = withheld_values(withheld)
    last: Cursor | None = None
    while True:
        batch = stmt
        if last is not None:
            batch = batch.where(_below(last))
        events = session.execute(batch.limit(CSV_BATCH), values).all()
        if not events:
            return
        said = sentences_of(session, events, withheld)
        for event in events:
            yield [
                event.created_at.isoformat(),
                event.actor_id or "",
                event.actor_name or "",
                event.action,
                said[event.id],
                event.object_type,
                event.object_id or "",
                json.dumps(event.before, sort_keys=True) if event.before else "",
                json.dumps(shown_after(event, withheld), sort_keys=True) if event.after else "",
                event.ip_address or "",
            ]
        last = Cursor.of(events[-1])
