"""Imports of contributions: a CSV file checked into a preview then imported in one step,
feeds polled into drafts that their owner confirms, edits or discards.

Every contribution is created by ``contributions.services.create_contribution`` and
checked by ``contributions.services.contribution_errors``: the same rules as the form's.

The CSV file is read as a stream, ``rules.CHUNK`` rows at a time: each chunk is checked
(its members and already-logged links looked up in one query each) and written to
``import_rows``, so a 10,000-row file never sits in memory, as rows or as objects. The
preview reads the staged rows back a page at a time; importing or cancelling deletes
them, and ``expire_batches`` (the scheduler, hourly) deletes those left behind.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import IO, Any

from sqlalchemy import Select, delete, exists, func, insert, or_, select
from sqlalchemy.orm import Session

from nominee import audit, clock, outbound
from nominee.accounts.models import User
from nominee.audit import AuditEvent
from nominee.contributions import rules as contribution_rules
from nominee.contributions import services as contributions
from nominee.contributions.models import (
    Contribution,
    ContributionType,
    ReachMetric,
    Visibility,
)
from nominee.contributions.services import Choices, ContributionInput
from nominee.errors import DomainError, PermissionDenied
from nominee.formatting import format_number
from nominee.i18n import _
from nominee.imports import csvfile, feedfile, rules
from nominee.imports.models import (
    BatchStatus,
    ContributionDraft,
    DraftStatus,
    Feed,
    ImportBatch,
    ImportRow,
)
from nominee.outbox import services as outbox

IMPORT_KEEP = timedelta(hours=24)  # a preview nobody imported or cancelled
POLL_TOPIC = "feeds.poll"
VISIBILITIES = {v.value for v in Visibility}


# CSV files


@dataclass
class _Lookups:
    """Names to ids, built once per file."""

    choices: Choices
    types: dict[str, ContributionType] = field(default_factory=dict)
    categories: dict[str, int] = field(default_factory=dict)
    metric_keys: set[str] = field(default_factory=set)
    # type id -> {column key: metric}, the columns of its active metrics (names and slots)
    columns: dict[int, dict[str, ReachMetric]] = field(default_factory=dict)
    # type id -> {form field name: metric name}, for the messages
    names: dict[int, dict[str, str]] = field(default_factory=dict)

    @classmethod
    def load(cls, session: Session) -> _Lookups:
        choices = contributions.load_choices(session)
        lookups = cls(choices)
        for contribution_type in choices.types.values():
            for name in (contribution_type.name, contribution_type.slug):
                lookups.types[name.strip().lower()] = contribution_type
            active = contribution_type.active_metrics
            columns = {m.legacy_slot: m for m in active if m.legacy_slot}
            columns |= {rules.column_key(m.name): m for m in active}
            lookups.columns[contribution_type.id] = columns
            lookups.metric_keys |= columns.keys()
            lookups.names[contribution_type.id] = {
                m.field_name: m.name for m in contribution_type.metrics
            }
        for category in choices.categories.values():
            for name in (category.name, category.slug):
                lookups.categories[name.strip().lower()] = category.id
        return lookups


@dataclass
class _Parsed:
    line: int
    email: str
    title: str
    data: ContributionInput | None
    errors: list[str]


def _parse_row(lookups: _Lookups, header: rules.Header, line: int, cells: list[str]) -> _Parsed:
    """Read one row into a ``ContributionInput`` and check it like the form does; every
    problem in plain words, prefixed with its column."""
    cell = lambda name: header.cell(cells, name)  # noqa: E731
    title = cell("title")
    parsed = _Parsed(line, cell(rules.EMAIL).lower(), title[:200], None, [])
    if rules.has_nul(cells):
        parsed.errors.append(_("The row holds a NUL character: is this a text file?"))
        return parsed
    errors = parsed.errors
    type_name = cell("type")
    contribution_type = lookups.types.get(type_name.lower())
    if contribution_type is None:
        known = ", ".join(t.name for t in lookups.choices.types.values())
        errors.append(
            _(
                "Type: “%(name)s” is not a type of contribution (the types: %(types)s).",
                name=type_name[:60],
                types=known,
            )
            if type_name
            else _("Type: enter the type of contribution.")
        )
    day, message = rules.parse_date(cell("date"))
    if message:
        errors.append(_("Date: %(problem)s", problem=message))
    category_name = cell("category")
    primary = lookups.categories.get(category_name.lower())
    if primary is None:
        errors.append(
            _("Category: “%(name)s” is not an active category.", name=category_name[:60])
            if category_name
            else _("Category: enter the category.")
        )
    others = []
    for name in rules.split_names(cell("other_categories")):
        if (other := lookups.categories.get(name.lower())) is None:
            errors.append(
                _("Other categories: “%(name)s” is not an active category.", name=name[:60])
            )
        else:
            others.append(other)
    visibility_text = cell("visibility").lower() or Visibility.PUBLIC.value
    if visibility_text not in VISIBILITIES:
        errors.append(
            _(
                "Visibility: “%(value)s” must be public or private.",
                value=visibility_text[:20],
            )
        )
    figures: dict[int, int | None] = {}
    if contribution_type is not None:
        columns = lookups.columns[contribution_type.id]
        for key, index in header.figures.items():
            text = cells[index].strip() if index < len(cells) else ""
            if not text:
                continue
            metric = columns.get(key)
            if metric is None:
                counted = ", ".join(m.name for m in contribution_type.active_metrics) or _("none")
                errors.append(
                    _(
                        "%(column)s: a %(type)s does not count this (it counts: %(counted)s).",
                        column=key.replace("_", " ").capitalize(),
                        type=contribution_type.name,
                        counted=counted,
                    )
                )
                continue
            value, message = rules.parse_whole_number(text)
            if message:
                errors.append(_("%(column)s: %(problem)s", column=metric.name, problem=message))
            elif metric.id not in figures or figures[metric.id] is None:
                figures[metric.id] = value
    if contribution_type is None:
        return parsed
    # The contribution's own rules, on what could be read (a placeholder for a value that
    # could not, whose message is given above already).
    said = {"contributed_on"} if day is None else set()
    said |= {"primary_category_id"} if primary is None else set()
    data = ContributionInput(
        type_id=contribution_type.id,
        title=title,
        contributed_on=day or contribution_rules.latest_today(),
        primary_category_id=primary or 0,
        role=cell("role"),
        url=cell("url"),
        description_md=header.cell(cells, "description"),
        category_ids=others,
        figures=figures,
        visibility=Visibility(visibility_text)
        if visibility_text in VISIBILITIES
        else Visibility.PUBLIC,
    )
    names = lookups.names[contribution_type.id]
    for name, message in contributions.contribution_errors(lookups.choices, data):
        if name not in said:
            column = _(rules.LABELS[name]) if name in rules.LABELS else names.get(name, name)
            errors.append(_("%(column)s: %(problem)s", column=column, problem=message))
    if not errors:
        parsed.data = data
    return parsed


def _input_as_json(data: ContributionInput) -> dict[str, Any]:
    return {
        "type_id": data.type_id,
        "title": data.title,
        "contributed_on": data.contributed_on.isoformat(),
        "primary_category_id": data.primary_category_id,
        "role": data.role,
        "url": data.url,
        "description_md": data.description_md,
        "category_ids": data.category_ids,
        "figures": {str(k): v for k, v in data.figures.items()},
        "visibility": data.visibility.value,
    }


def _input_from_json(data: dict[str, Any]) -> ContributionInput:
    return ContributionInput(
        type_id=data["type_id"],
        title=data["title"],
        contributed_on=date.fromisoformat(data["contributed_on"]),
        primary_category_id=data["primary_category_id"],
        role=data["role"],
        url=data["url"],
        description_md=data["description_md"],
        category_ids=list(data["category_ids"]),
        figures={int(k): v for k, v in data["figures"].items()},
        visibility=Visibility(data["visibility"]),
    )


def _logged_links(session: Session, pairs: Iterable[tuple[int, str]]) -> set[tuple[int, str]]:
    """Which ``(owner id, url)`` pairs are logged contributions already."""
    pairs = list(pairs)
    if not pairs:
        return set()
    owners = {owner for owner, _ in pairs}
    urls = {url for _, url in pairs}
    rows = session.execute(
        select(Contribution.owner_id, Contribution.url).where(
            Contribution.owner_id.in_(owners), Contribution.url.in_(urls)
        )
    )
    return {(owner, url) for owner, url in rows if url is not None}


def _members_by_email(session: Session, emails: set[str]) -> dict[str, User]:
    if not emails:
        return {}
    found = session.scalars(select(User).where(func.lower(User.email).in_(emails)))
    return {user.email.lower(): user for user in found}


def _chunks(items: Iterator[Any], size: int) -> Iterator[list[Any]]:
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def discard_batches(session: Session, uploader: User) -> None:
    """Delete the uploader's files (a new upload replaces them), but one being imported."""
    ids = list(
        session.scalars(
            select(ImportBatch.id).where(
                ImportBatch.uploader_id == uploader.id,
                ImportBatch.status != BatchStatus.IMPORTING,
            )
        )
    )
    if ids:
        session.execute(delete(ImportRow).where(ImportRow.batch_id.in_(ids)))
        session.execute(delete(ImportBatch).where(ImportBatch.id.in_(ids)))


def stage_file(
    session: Session,
    uploader: User,
    stream: IO[bytes],
    filename: str = "",
    *,
    for_members: bool = False,
) -> ImportBatch:
    """Read and check the CSV file ``stream`` into a batch for the preview; nothing is
    logged yet. A member's rows are theirs; an organizer's file (``for_members``) names
    each row's member in its ``email`` column."""
    if not (uploader.is_authenticated and uploader.is_active):
        raise PermissionDenied(_("Log in with an active account to import contributions."))
    if for_members and not rules.can_import_for_members(uploader):
        raise PermissionDenied(_("Only organizers import contributions for other members."))
    discard_batches(session, uploader)
    batch = ImportBatch(uploader_id=uploader.id, for_members=for_members, filename=filename[:200])
    session.add(batch)
    session.flush()
    lookups = _Lookups.load(session)
    seen: set[bytes] = set()  # (member, link) digests met earlier in the file
    try:
        records = csvfile.rows(stream)
        first = next(records, None)
        if first is None:
            raise csvfile.FileProblem(_("The file is empty: fill in the template and upload it."))
        header, message = rules.read_header(first[1], lookups.metric_keys, for_members=for_members)
        if header is None:
            raise csvfile.FileProblem(message or _("The first line must name the columns."))
        for chunk in _chunks(records, rules.CHUNK):
            if batch.total_rows + len(chunk) > rules.MAX_ROWS:
                raise csvfile.FileProblem(
                    _(
                        "The file has more than %(max)s rows: split it into smaller files.",
                        max=format_number(rules.MAX_ROWS),
                    )
                )
            _stage_chunk(session, batch, uploader, lookups, header, chunk, seen)
    except csvfile.FileProblem as problem:
        session.execute(delete(ImportRow).where(ImportRow.batch_id == batch.id))
        batch.file_error = problem.message[:500]
        batch.total_rows = batch.valid_rows = 0
    session.flush()
    return batch


def _stage_chunk(
    session: Session,
    batch: ImportBatch,
    uploader: User,
    lookups: _Lookups,
    header: rules.Header,
    chunk: list[tuple[int, list[str]]],
    seen: set[bytes],
) -> None:
    parsed = [_parse_row(lookups, header, line, cells) for line, cells in chunk]
    if batch.for_members:
        members = _members_by_email(session, {p.email for p in parsed if p.email})
    else:
        members = {"": uploader}
    owners: dict[int, User | None] = {}
    for row in parsed:
        if batch.for_members and not row.email:
            row.errors.insert(0, _("Email: enter the email address of the member."))
            row.data = None
        member = members.get(row.email) if batch.for_members else uploader
        if batch.for_members and row.email and (member is None or not member.is_active):
            row.errors.insert(
                0, _("Email: no active member has the address “%(email)s”.", email=row.email[:80])
            )
            row.data = None
            member = None
        owners[row.line] = member
    links = {
        (owner.id, row.data.url.strip())
        for row in parsed
        if row.data and row.data.url.strip() and (owner := owners[row.line]) is not None
    }
    logged = _logged_links(session, links)
    values = []
    for row in parsed:
        owner = owners[row.line]
        url = row.data.url.strip() if row.data else ""
        if row.data and owner is not None and url:
            digest = hashlib.sha256(f"{owner.id} {url}".encode()).digest()[:16]
            if (owner.id, url) in logged:
                row.errors.append(
                    _("Link: You have logged a contribution with this link already.")
                    if owner.id == uploader.id
                    else _("Link: This member has logged a contribution with this link already.")
                )
            elif digest in seen:
                row.errors.append(_("Link: an earlier row of the file has the same link."))
            seen.add(digest)
        valid = row.data is not None and not row.errors
        batch.total_rows += 1
        batch.valid_rows += valid
        values.append(
            {
                "batch_id": batch.id,
                "line": row.line,
                "owner_id": owner.id if owner is not None else None,
                "title": row.title,
                "valid": valid,
                "data": _input_as_json(row.data) if valid and row.data else None,
                "errors": row.errors,
            }
        )
    session.execute(insert(ImportRow), values)


def cancel_batch(session: Session, actor: User, batch: ImportBatch) -> None:
    """Forget the staged file: nothing was logged, nothing is."""
    if not rules.can_use_batch(actor, batch):
        raise PermissionDenied(_("Only the file's uploader can cancel it."))
    if batch.status is BatchStatus.IMPORTING:
        raise DomainError(_("This file is being imported: it can no longer be cancelled."))
    session.execute(delete(ImportRow).where(ImportRow.batch_id == batch.id))
    session.delete(batch)
    session.flush()


IMPORT_TOPIC = "imports.csv"


def start_import(session: Session, actor: User, batch: ImportBatch) -> bool:
    """Import the file now (True), or, with more than ``rules.INLINE_ROWS`` valid rows,
    ask a job to (False: after commit; the preview page follows it)."""
    if not rules.can_use_batch(actor, batch):
        raise PermissionDenied(_("Only the file's uploader can import it."))
    if not rules.can_import(batch):
        raise DomainError(_("This file has no row to import."))
    if batch.valid_rows <= rules.INLINE_ROWS:
        import_batch(session, actor, batch)
        return True
    batch.status = BatchStatus.IMPORTING
    outbox.put(session, IMPORT_TOPIC, {"batch_id": batch.id})
    session.flush()
    return False


def import_for_job(session: Session, batch_id: int) -> None:
    """The job's side of ``start_import``: import as the uploader. A refusal rolls back
    what was logged and marks the file failed, with the reason, in a savepoint."""
    batch = session.get(ImportBatch, batch_id)
    if batch is None or batch.status is not BatchStatus.IMPORTING:
        return
    try:
        with session.begin_nested():
            import_batch(session, batch.uploader, batch)
    except DomainError as exc:
        batch.status = BatchStatus.FAILED
        batch.failure = exc.message[:500]
        session.execute(delete(ImportRow).where(ImportRow.batch_id == batch.id))
        session.flush()


def import_batch(session: Session, actor: User, batch: ImportBatch) -> None:
    """Log every valid row of the staged file, in this one transaction, through the
    contribution services (which check each again), then delete its rows (the batch
    keeps the counts: ``imported``, ``members``, ``skipped``).

    A row that no longer passes (its type retired since the preview) refuses the whole
    import: nothing is logged and the member sees which line. A row whose link was
    logged meanwhile is skipped and counted."""
    if not rules.can_use_batch(actor, batch):
        raise PermissionDenied(_("Only the file's uploader can import it."))
    if batch.status not in (BatchStatus.STAGED, BatchStatus.IMPORTING) or not batch.valid_rows:
        raise DomainError(_("This file has no row to import."))
    choices = contributions.load_choices(session)
    imported = skipped = 0
    members: set[int] = set()
    after = 0
    while True:
        rows = session.execute(
            select(ImportRow.line, ImportRow.owner_id, ImportRow.data)
            .where(
                ImportRow.batch_id == batch.id, ImportRow.valid.is_(True), ImportRow.line > after
            )
            .order_by(ImportRow.line)
            .limit(rules.CHUNK)
        ).all()
        if not rows:
            break
        after = rows[-1].line
        owners = {
            user.id: user
            for user in session.scalars(select(User).where(User.id.in_({r.owner_id for r in rows})))
        }
        inputs = [(row.line, owners.get(row.owner_id), _input_from_json(row.data)) for row in rows]
        logged = _logged_links(
            session, ((o.id, d.url.strip()) for _, o, d in inputs if o is not None and d.url)
        )
        items = []
        for line, owner, data in inputs:
            if owner is None:
                raise DomainError(
                    _(
                        "Line %(line)d: its member's account is gone. Nothing was imported.",
                        line=line,
                    )
                )
            if data.url and (owner.id, data.url.strip()) in logged:
                skipped += 1
                continue
            items.append((line, owner, data))
        try:
            created = contributions.create_contributions(
                session, [(owner, data) for _, owner, data in items], actor=actor, choices=choices
            )
        except DomainError as exc:
            line = _refused_line(choices, items)
            raise DomainError(
                _(
                    "Line %(line)d: %(problem)s Nothing was imported: upload the file again.",
                    line=line,
                    problem=exc.message,
                )
            ) from exc
        members.update(owner.id for _, owner, _ in items)
        imported += len(created)
        # The session keeps no thousands of objects: what is written is let go.
        for obj in created:
            session.expunge(obj)
        for event in [o for o in session.identity_map.values() if isinstance(o, AuditEvent)]:
            session.expunge(event)
    audit.record(
        session,
        actor,
        "contribution.imported",
        object_type="contribution",
        after={
            "count": imported,
            "members": len(members),
            "file": batch.filename,
            "for_members": batch.for_members,
        },
    )
    session.execute(delete(ImportRow).where(ImportRow.batch_id == batch.id))
    batch.status = BatchStatus.IMPORTED
    batch.imported, batch.members, batch.skipped = imported, len(members), skipped
    session.flush()


def _refused_line(choices: Choices, items: list[tuple[int, User, ContributionInput]]) -> int | str:
    """The line of the first row the contribution rules refuse now."""
    for line, owner, data in items:
        if not owner.is_active or contributions.contribution_errors(choices, data):
            return line
    return "?"


def _stale(now: datetime | None) -> Select[Any]:
    return select(ImportBatch.id).where(ImportBatch.created_at < (now or clock.now()) - IMPORT_KEEP)


def has_stale_batches(session: Session, now: datetime | None = None) -> bool:
    return session.scalar(_stale(now).limit(1)) is not None


def expire_batches(session: Session, now: datetime | None = None) -> int:
    """Delete the staged files older than ``IMPORT_KEEP``; how many."""
    old = _stale(now)
    ids = list(session.scalars(old))
    if ids:
        session.execute(delete(ImportRow).where(ImportRow.batch_id.in_(ids)))
        session.execute(delete(ImportBatch).where(ImportBatch.id.in_(ids)))
    return len(ids)


# Feeds


@dataclass
class FeedInput:
    url: str
    type_id: int
    primary_category_id: int
    title: str = ""


def _feed_checks(
    session: Session, data: FeedInput, allow_hosts: frozenset[str]
) -> tuple[str, int, int]:
    url = data.url.strip()
    if not url:
        raise DomainError(_("Enter the feed's address."), field="url")
    if message := contribution_rules.url_error(url):
        raise DomainError(message, field="url")
    try:
        outbound.check_url(url, allow_hosts)
    except outbound.OutboundError as exc:
        raise DomainError(
            _("This address cannot be followed: %(reason)s.", reason=exc.reason), field="url"
        ) from exc
    choices = contributions.load_choices(session)
    if data.type_id not in choices.types:
        raise DomainError(_("Choose a type from the list."), field="type_id")
    if data.primary_category_id not in choices.categories:
        raise DomainError(_("Choose a category from the list."), field="primary_category_id")
    return url, data.type_id, data.primary_category_id


def add_feed(
    session: Session, owner: User, data: FeedInput, allow_hosts: frozenset[str] = frozenset()
) -> Feed:
    """Follow a feed: its new items become drafts of ``data``'s type and category. The
    first poll is asked for at once (the outbox, after commit). The address must pass the
    outbound guard's checks (``allow_hosts``: the ``OUTBOUND_ALLOW_HOSTS`` setting)."""
    if not (owner.is_authenticated and owner.is_active):
        raise PermissionDenied(_("Log in with an active account to add feeds."))
    url, type_id, category_id = _feed_checks(session, data, allow_hosts)
    count = session.scalar(select(func.count(Feed.id)).where(Feed.owner_id == owner.id)) or 0
    if count >= rules.MAX_FEEDS:
        raise DomainError(
            _("You can follow at most %(max)d feeds.", max=rules.MAX_FEEDS), field="url"
        )
    clash = select(Feed.id).where(Feed.owner_id == owner.id, Feed.url == url)
    if session.scalar(clash) is not None:
        raise DomainError(_("You follow this feed already."), field="url")
    feed = Feed(
        owner_id=owner.id,
        url=url,
        title=data.title.strip()[:200],
        type_id=type_id,
        primary_category_id=category_id,
    )
    session.add(feed)
    session.flush()
    audit.record(session, owner, "feed.added", feed, after={"url": url, "owner_id": owner.id})
    request_poll(session, feed.id)
    return feed


def remove_feed(session: Session, actor: User, feed: Feed) -> None:
    """Stop following the feed. Its pending drafts go; the confirmed and discarded ones
    stay (an item is never imported twice, should the feed be added again)."""
    if not rules.can_manage_feed(actor, feed):
        raise PermissionDenied(_("Only the feed's owner can remove it."))
    session.execute(
        delete(ContributionDraft).where(
            ContributionDraft.feed_id == feed.id, ContributionDraft.status == DraftStatus.PENDING
        )
    )
    audit.record(
        session, actor, "feed.removed", feed, before={"url": feed.url, "owner_id": feed.owner_id}
    )
    session.delete(feed)
    session.flush()


def has_feeds(session: Session) -> bool:
    return bool(session.scalar(select(exists().select_from(Feed))))


def request_poll(session: Session, feed_id: int | None = None) -> None:
    """Ask a worker to poll one feed (or every due one), after commit."""
    outbox.put(session, POLL_TOPIC, {"feed_id": feed_id})


@dataclass(frozen=True)
class Response:
    """What a fetch answered: ``nominee.jobs`` adapts the outbound guard's answer."""

    status: int
    headers: dict[str, str]
    body: bytes


class FeedUnreachable(Exception):
    """The fetch failed or was refused (``message`` says why, for the feed's page)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# (url, request headers) -> the answer; raises FeedUnreachable.
Fetch = Callable[[str, dict[str, str]], Response]


def conditional_headers(feed: Feed) -> dict[str, str]:
    headers = {
        "Accept": "application/atom+xml, application/rss+xml, application/xml;q=0.9, */*;q=0.5"
    }
    if feed.etag:
        headers["If-None-Match"] = feed.etag
    if feed.last_modified:
        headers["If-Modified-Since"] = feed.last_modified
    return headers


@dataclass(frozen=True)
class PollResult:
    status: int | None
    added: int
    error: str | None = None


def due_feeds(session: Session, now: datetime, every: timedelta) -> list[int]:
    """The feeds not polled for ``every``, longest waiting first."""
    return list(
        session.scalars(
            select(Feed.id)
            .where(or_(Feed.polled_at.is_(None), Feed.polled_at <= now - every))
            .order_by(Feed.polled_at.is_not(None), Feed.polled_at, Feed.id)
        )
    )


def record_failure(session: Session, feed: Feed, message: str) -> PollResult:
    feed.polled_at = clock.now()
    feed.last_status = None
    feed.last_error = message[:500]
    session.flush()
    return PollResult(None, 0, feed.last_error)


def record_answer(session: Session, feed: Feed, response: Response) -> PollResult:
    """Keep the answer's validators and add a draft per item not seen before."""
    feed.polled_at = clock.now()
    feed.last_status = response.status
    if response.status == 304:
        feed.last_error = None
        session.flush()
        return PollResult(304, 0)
    if response.status != 200:
        feed.last_error = _("The feed answered %(status)s.", status=response.status)
        session.flush()
        return PollResult(response.status, 0, feed.last_error)
    headers = {k.lower(): v for k, v in response.headers.items()}
    parsed = feedfile.parse(response.body, headers.get("content-type"))
    if parsed.problem:
        feed.last_error = parsed.problem
        session.flush()
        return PollResult(response.status, 0, parsed.problem)
    feed.etag = (headers.get("etag") or "")[:500] or None
    feed.last_modified = (headers.get("last-modified") or "")[:100] or None
    feed.last_error = None
    if parsed.title and not feed.title:
        feed.title = parsed.title
    added = add_drafts(session, feed, parsed.items)
    session.flush()
    return PollResult(200, added)


def add_drafts(session: Session, feed: Feed, items: list[feedfile.Item]) -> int:
    """A pending draft per item never imported for this member: not by its id, not by its
    link, and not a link they logged already. How many."""
    keys = {item.key for item in items}
    link_keys = {item.link_key for item in items if item.link_key}
    seen = set(
        session.scalars(
            select(ContributionDraft.item_key).where(
                ContributionDraft.owner_id == feed.owner_id, ContributionDraft.item_key.in_(keys)
            )
        )
    )
    seen_links = set(
        session.scalars(
            select(ContributionDraft.link_key).where(
                ContributionDraft.owner_id == feed.owner_id,
                ContributionDraft.link_key.in_(link_keys),
            )
        )
    )
    logged = {
        url for _, url in _logged_links(session, ((feed.owner_id, i.url) for i in items if i.url))
    }
    today = contribution_rules.latest_today()
    added = 0
    for item in items:
        if item.key in seen or (item.link_key and item.link_key in seen_links):
            continue
        if item.url and item.url in logged:
            continue
        seen.add(item.key)
        if item.link_key:
            seen_links.add(item.link_key)
        session.add(
            ContributionDraft(
                owner_id=feed.owner_id,
                feed_id=feed.id,
                item_key=item.key,
                link_key=item.link_key,
                title=item.title or _("Untitled item"),
                url=item.url,
                contributed_on=min(item.published_on or clock.today(), today),
                summary=item.summary,
                type_id=feed.type_id,
                primary_category_id=feed.primary_category_id,
            )
        )
        added += 1
    return added


# Drafts


def draft_input(draft: ContributionDraft) -> ContributionInput:
    """The contribution a draft proposes: the feed's type and category, the type's first
    role, and 1 for each required figure (an item is one post, one video, one episode)."""
    contribution_type = draft.type
    return ContributionInput(
        type_id=draft.type_id,
        title=draft.title,
        contributed_on=draft.contributed_on,
        primary_category_id=draft.primary_category_id,
        role=contribution_type.roles[0] if contribution_type.roles else "",
        url=draft.url or "",
        description_md=draft.summary,
        figures={m.id: 1 for m in contribution_type.active_metrics if m.required},
        visibility=draft.visibility,
    )


def confirm_draft(
    session: Session,
    actor: User,
    draft: ContributionDraft,
    data: ContributionInput | None = None,
    *,
    choices: Choices | None = None,
) -> Contribution:
    """Log the draft as a contribution (as proposed, or as edited: ``data``)."""
    if not rules.can_decide_draft(actor, draft):
        raise PermissionDenied(_("Only the draft's owner can confirm it, once."))
    contribution = contributions.create_contribution(
        session, actor, data or draft_input(draft), choices=choices
    )
    draft.status = DraftStatus.CONFIRMED
    draft.contribution_id = contribution.id
    draft.decided_at = clock.now()
    session.flush()
    return contribution


def discard_draft(session: Session, actor: User, draft: ContributionDraft) -> None:
    """Drop the draft; its item is remembered and never imported again."""
    if not rules.can_decide_draft(actor, draft):
        raise PermissionDenied(_("Only the draft's owner can discard it."))
    draft.status = DraftStatus.DISCARDED
    draft.decided_at = clock.now()
    session.flush()


@dataclass
class DraftsDecided:
    done: int = 0
    refused: list[tuple[ContributionDraft, str]] = field(default_factory=list)


def decide_drafts(
    session: Session, actor: User, draft_ids: Iterable[int], *, confirm: bool
) -> DraftsDecided:
    """Confirm (or discard) the actor's pending drafts among ``draft_ids``. A draft the
    contribution rules refuse as it stands (a title too short...) is left pending, with
    the message: its owner edits it."""
    ids = set(draft_ids)
    drafts = session.scalars(
        select(ContributionDraft)
        .where(
            ContributionDraft.id.in_(ids),
            ContributionDraft.owner_id == actor.id,
            ContributionDraft.status == DraftStatus.PENDING,
        )
        .order_by(ContributionDraft.id)
    ).all()
    result = DraftsDecided()
    choices = contributions.load_choices(session) if confirm else None
    for draft in drafts:
        if not confirm:
            discard_draft(session, actor, draft)
            result.done += 1
            continue
        assert choices is not None
        data = draft_input(draft)
        errors = contributions.contribution_errors(choices, data)
        if errors:
            result.refused.append((draft, errors[0][1]))
            continue
        confirm_draft(session, actor, draft, data, choices=choices)
        result.done += 1
    return result
