"""Contribution and contribution-type operations: check rules, change state, audit, flush."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import Session

from nominee import activity, audit, sharedcache
from nominee.accounts.models import User
from nominee.categories.models import Category
from nominee.categories.services import slugify
from nominee.contributions import queries, rules
from nominee.contributions.models import (
    Contribution,
    ContributionFigure,
    ContributionType,
    ReachMetric,
    Visibility,
)
from nominee.contributions.queries import choosable_categories, choosable_types
from nominee.db import batched_writes
from nominee.endorsements import services as endorsements
from nominee.errors import DomainError, PermissionDenied
from nominee.i18n import _
from nominee.markdown import render
from nominee.nominations import services as nominations

# name, roles, weight, reach metrics: the Microsoft MVP portal's kinds. A metric is
# (name, unit, required, maximum, slot): the slot names the headline figure ("quantity" or
# "audience") the metric's value is also kept in, for nomination totals.
Metric = tuple[str, str, bool, int, str | None]
SESSIONS: Metric = ("Sessions", "sessions", True, 100, "quantity")
ATTENDEES: Metric = ("Attendees", "people", False, 1_000_000, "audience")
READERS: Metric = ("Readers", "readers", False, 100_000_000, "audience")
DEFAULT_TYPES: list[tuple[str, list[str], float, list[Metric]]] = [
    (
        "Blog post",
        ["Author", "Co-author"],
        1.0,
        [READERS, ("Comments", "comments", False, 1_000_000, None)],
    ),
    ("Article", ["Author", "Co-author", "Editor"], 1.0, [READERS]),
    (
        "Book",
        ["Author", "Co-author", "Technical reviewer"],
        1.5,
        [
            ("Chapters", "chapters", False, 1_000, "quantity"),
            ("Copies sold", "copies", False, 100_000_000, "audience"),
        ],
    ),
    (
        "Talk at a conference",
        ["Speaker", "Co-speaker", "Keynote speaker", "Panelist"],
        1.2,
        [SESSIONS, ATTENDEES, ("Recording views", "views", False, 1_000_000_000, None)],
    ),
    (
        "Talk at a local event",
        ["Speaker", "Co-speaker", "Panelist"],
        1.0,
        [SESSIONS, ATTENDEES, ("Recording views", "views", False, 1_000_000_000, None)],
    ),
    (
        "Workshop",
        ["Trainer", "Co-trainer", "Host"],
        1.2,
        [SESSIONS, ("Participants", "people", False, 100_000, "audience")],
    ),
    (
        "Video or live stream",
        ["Host", "Co-host", "Guest", "Producer"],
        1.0,
        [
            ("Videos", "videos", True, 10_000, "quantity"),
            ("Views", "views", False, 1_000_000_000, "audience"),
        ],
    ),
    (
        "Podcast",
        ["Host", "Co-host", "Guest"],
        1.0,
        [
            ("Episodes", "episodes", True, 10_000, "quantity"),
            ("Listeners", "listeners", False, 100_000_000, "audience"),
        ],
    ),
    (
        "Forum answers",
        ["Contributor", "Moderator"],
        0.8,
        [
            ("Answers", "answers", True, 100_000, "quantity"),
            ("Accepted answers", "answers", False, 100_000, None),
        ],
    ),
    (
        "Open-source project",
        ["Maintainer", "Creator", "Contributor"],
        1.2,
        [
            ("Merged pull requests", "pull requests", False, 100_000, "quantity"),
            ("Stars", "stars", False, 10_000_000, "audience"),
            ("Downloads", "downloads", False, 1_000_000_000, None),
        ],
    ),
    (
        "Code sample",
        ["Author", "Co-author"],
        0.8,
        [
            ("Downloads", "downloads", False, 1_000_000_000, "audience"),
            ("Stars", "stars", False, 10_000_000, None),
        ],
    ),
    (
        "Event organizing",
        ["Organizer", "Co-organizer", "Volunteer"],
        1.0,
        [("Events", "events", True, 1_000, "quantity"), ATTENDEES],
    ),
    (
        "User-group leadership",
        ["Leader", "Co-leader", "Organizer"],
        1.2,
        [
            ("Meetings held", "meetings", False, 1_000, "quantity"),
            ("Members", "members", False, 1_000_000, "audience"),
        ],
    ),
    (
        "Mentoring",
        ["Mentor"],
        1.0,
        [SESSIONS, ("Mentees", "people", False, 10_000, "audience")],
    ),
    (
        "Translation",
        ["Translator", "Reviewer"],
        0.8,
        [("Documents", "documents", False, 100_000, "quantity"), READERS],
    ),
    (
        "Product feedback",
        ["Reporter", "Tester"],
        0.5,
        [
            ("Items reported", "items", True, 10_000, "quantity"),
            ("Items fixed", "items", False, 10_000, None),
        ],
    ),
    (
        "Other",
        [],
        0.5,
        [
            ("Quantity", "", False, 1_000_000_000, "quantity"),
            ("Audience", "people", False, 1_000_000_000, "audience"),
        ],
    ),
]


def has_types(session: Session) -> bool:
    """Whether the programme has any contribution type (a new database has none)."""
    return bool(session.scalar(select(exists().select_from(ContributionType))))


def seed_contribution_types(session: Session, actor: User | None = None) -> list[ContributionType]:
    """Add the default types that are missing (by slug or name); answer the added ones."""
    existing = session.execute(select(ContributionType.slug, func.lower(ContributionType.name)))
    taken = {value for row in existing for value in row}
    last = session.scalar(select(func.max(ContributionType.position))) or 0
    added = []
    for index, (name, roles, weight, metrics) in enumerate(DEFAULT_TYPES, start=1):
        slug = slugify(name)
        if slug in taken or name.lower() in taken:
            continue
        contribution_type = ContributionType(
            name=name, slug=slug, roles=roles, weight=weight, position=last + index * 10
        )
        contribution_type.metrics = [
            ReachMetric(
                name=metric_name,
                unit=unit,
                required=required,
                maximum=maximum,
                legacy_slot=slot,
                position=(position + 1) * 10,
            )
            for position, (metric_name, unit, required, maximum, slot) in enumerate(metrics)
        ]
        _sync_labels(contribution_type)
        added.append(contribution_type)
    if added:
        session.add_all(added)
        session.flush()
        audit.record(
            session,
            actor,
            "contribution_type.seeded",
            object_type="contribution_type",
            after={"names": [t.name for t in added]},
        )
    if added:  # the programme's set-up state says whether types exist
        sharedcache.stale_after_commit(session, sharedcache.PROGRAMME)
    return added


def _labels(contribution_type: ContributionType) -> tuple[str | None, str | None]:
    return contribution_type.quantity_label, contribution_type.audience_label


def _sync_labels(contribution_type: ContributionType) -> None:
    """Name the headline figures after the active metrics that fill them."""
    for slot in ("quantity", "audience"):
        label = next(
            (m.name for m in contribution_type.active_metrics if m.legacy_slot == slot), None
        )
        setattr(contribution_type, f"{slot}_label", label)


@dataclass
class MetricInput:
    name: str
    unit: str = ""
    required: bool = False
    maximum: int = rules.FIGURE_MAX
    position: int = 0
    retired: bool = False


def _metric_snapshot(metric: ReachMetric) -> dict[str, Any]:
    return {
        "type": metric.type.name,
        "name": metric.name,
        "unit": metric.unit,
        "required": metric.required,
        "maximum": metric.maximum,
        "position": metric.position,
        "retired": metric.retired,
    }


def _apply_metric(
    session: Session,
    actor: User,
    contribution_type: ContributionType,
    metric: ReachMetric,
    data: MetricInput,
) -> None:
    if not rules.can_manage_types(actor):
        raise PermissionDenied(_("Only organizers manage contribution types."))
    name = data.name.strip()
    checks = [
        ("name", rules.metric_name_error(name)),
        ("unit", rules.metric_unit_error(data.unit.strip())),
        ("maximum", rules.metric_maximum_error(data.maximum)),
    ]
    for field_name, message in checks:
        if message:
            raise DomainError(message, field=field_name)
    if any(
        other.name.lower() == name.lower() and other is not metric
        for other in contribution_type.metrics
    ):
        raise DomainError(_("This type has a metric of this name already."), field="name")
    metric.name = name
    metric.unit = data.unit.strip()
    metric.required = data.required
    metric.maximum = data.maximum
    metric.position = data.position
    metric.retired = data.retired


def add_metric(
    session: Session, actor: User, contribution_type: ContributionType, data: MetricInput
) -> ReachMetric:
    """Add a reach metric to the type. A type with no metric filling a headline figure
    gives the new metric that slot (so nomination totals count it)."""
    metric = ReachMetric(type_id=contribution_type.id)
    _apply_metric(session, actor, contribution_type, metric, data)
    taken = {m.legacy_slot for m in contribution_type.metrics}
    metric.legacy_slot = next((s for s in ("quantity", "audience") if s not in taken), None)
    contribution_type.metrics.append(metric)
    labels = _labels(contribution_type)
    _sync_labels(contribution_type)
    session.flush()
    if _labels(contribution_type) != labels:  # the lists of contributions show them
        _figures_renamed(session, contribution_type.id)
    audit.record(session, actor, "reach_metric.created", metric, after=_metric_snapshot(metric))
    return metric


def update_metric(
    session: Session, actor: User, metric: ReachMetric, data: MetricInput
) -> ReachMetric:
    """Change the metric. A retired metric is no longer asked for; the values recorded
    with it stay and are shown."""
    before = _metric_snapshot(metric)
    _apply_metric(session, actor, metric.type, metric, data)
    _sync_labels(metric.type)
    session.flush()
    after = _metric_snapshot(metric)
    changed = {key for key in after if after[key] != before[key]}
    if changed:
        _figures_renamed(session, metric.type_id)
    audit.record(
        session,
        actor,
        "reach_metric.updated",
        metric,
        before={key: before[key] for key in changed},
        after={key: after[key] for key in changed},
    )
    return metric


@dataclass
class TypeInput:
    name: str
    roles: list[str]
    weight: float
    position: int
    retired: bool = False


def _type_snapshot(contribution_type: ContributionType) -> dict[str, Any]:
    return {
        "name": contribution_type.name,
        "roles": list(contribution_type.roles),
        "weight": contribution_type.weight,
        "position": contribution_type.position,
        "retired": contribution_type.retired,
    }


def _apply_type(
    session: Session, actor: User, contribution_type: ContributionType, data: TypeInput
) -> None:
    if not rules.can_manage_types(actor):
        raise PermissionDenied(_("Only organizers manage contribution types."))
    name = data.name.strip()
    slug = slugify(name)
    clash = select(ContributionType.id).where(
        or_(func.lower(ContributionType.name) == name.lower(), ContributionType.slug == slug)
    )
    if contribution_type.id is not None:
        clash = clash.where(ContributionType.id != contribution_type.id)
    if session.scalar(clash) is not None:
        raise DomainError(_("A type with this name exists already."), field="name")
    roles = list(dict.fromkeys(role.strip() for role in data.roles if role.strip()))
    if message := rules.roles_error(roles):
        raise DomainError(message, field="roles")
    contribution_type.name = name
    contribution_type.slug = slug
    contribution_type.roles = roles
    contribution_type.weight = data.weight
    contribution_type.position = data.position
    contribution_type.retired = data.retired


def create_type(session: Session, actor: User, data: TypeInput) -> ContributionType:
    contribution_type = ContributionType()
    _apply_type(session, actor, contribution_type, data)
    session.add(contribution_type)
    session.flush()
    audit.record(
        session,
        actor,
        "contribution_type.created",
        contribution_type,
        after=_type_snapshot(contribution_type),
    )
    sharedcache.stale_after_commit(session, sharedcache.PROGRAMME)
    return contribution_type


# What a member's kept figures hold of a type: its name, its place among the others and
# the weight the eligibility meter scores it with (the labels of its headline figures,
# which their kept list shows too, change with its metrics only).
SHOWN_IN_FIGURES = ("name", "position", "weight")


def _figures_renamed(session: Session, type_id: int) -> None:
    """The kept figures and lists of every member with a contribution of the type name
    it, or its metrics, as they were: they are read again."""
    activity.changed(
        session, select(Contribution.owner_id).where(Contribution.type_id == type_id).distinct()
    )


def update_type(
    session: Session, actor: User, contribution_type: ContributionType, data: TypeInput
) -> ContributionType:
    before = _type_snapshot(contribution_type)
    _apply_type(session, actor, contribution_type, data)
    session.flush()
    if any(before[key] != getattr(contribution_type, key) for key in SHOWN_IN_FIGURES):
        _figures_renamed(session, contribution_type.id)
    audit.record(
        session,
        actor,
        "contribution_type.updated",
        contribution_type,
        before=before,
        after=_type_snapshot(contribution_type),
    )
    return contribution_type


@dataclass
class ContributionInput:
    type_id: int
    title: str
    contributed_on: date
    primary_category_id: int
    role: str = ""
    url: str = ""
    description_md: str = ""
    category_ids: list[int] = field(default_factory=list)
    # The value per reach metric id; a metric left out (or None) is not recorded.
    figures: dict[int, int | None] = field(default_factory=dict)
    visibility: Visibility = Visibility.PUBLIC


def _snapshot(contribution: Contribution) -> dict[str, Any]:
    return {
        "type": contribution.type.name,
        "role": contribution.role,
        "title": contribution.title,
        "contributed_on": contribution.contributed_on,
        "url": contribution.url,
        "primary_category_id": contribution.primary_category_id,
        "category_ids": sorted(c.id for c in contribution.categories),
        "figures": {f.metric.name: f.value for f in contribution.figures},
        "visibility": contribution.visibility,
    }


@dataclass(frozen=True)
class Choices:
    """The types and categories a contribution may take, loaded once: an import checks
    thousands of rows against the same ones."""

    types: dict[int, ContributionType]
    categories: dict[int, Category]


def load_choices(session: Session, existing: Contribution | None = None) -> Choices:
    """Active types (with their metrics) and categories, plus the retired ones
    ``existing`` already has."""
    return Choices(
        types={t.id: t for t in choosable_types(session, existing)},
        categories={c.id: c for c in choosable_categories(session, existing)},
    )


def contribution_errors(choices: Choices, data: ContributionInput) -> list[tuple[str, str]]:
    """Every rule ``data`` breaks, as ``(field, message)`` in the form's order: the one
    check of a contribution, for the form (through the services), the CSV import's
    preview, the feeds' drafts and the API."""
    contribution_type = choices.types.get(data.type_id)
    if contribution_type is None:
        return [("type_id", _("Choose a type from the list."))]
    role = data.role.strip() if contribution_type.roles else ""
    checks = [
        ("role", rules.role_error(contribution_type, role)),
        ("title", rules.title_error(data.title)),
        ("contributed_on", rules.date_error(data.contributed_on)),
        ("url", rules.url_error(data.url)),
        ("description_md", rules.description_error(data.description_md)),
        ("category_ids", rules.extra_categories_error(data.primary_category_id, data.category_ids)),
    ]
    for metric in contribution_type.active_metrics:
        checks.append(
            (metric.field_name, rules.metric_value_error(metric, data.figures.get(metric.id)))
        )
    if data.primary_category_id not in choices.categories:
        checks.append(("primary_category_id", _("Choose a category from the list.")))
    extra_ids = set(data.category_ids) - {data.primary_category_id}
    if not extra_ids <= choices.categories.keys():
        checks.append(("category_ids", _("Choose categories from the list.")))
    return [(name, message) for name, message in checks if message]


def _apply(
    session: Session,
    contribution: Contribution,
    data: ContributionInput,
    choices: Choices | None = None,
) -> None:
    """Check every rule on ``data`` and copy it onto ``contribution`` (new or saved)."""
    existing = contribution if contribution.id is not None else None
    choices = choices or load_choices(session, existing)
    for name, message in contribution_errors(choices, data):
        raise DomainError(message, field=name)
    contribution_type = choices.types[data.type_id]
    role = data.role.strip() if contribution_type.roles else ""
    kept = contribution.figure_values() if existing is not None else {}
    asked = [m for m in contribution_type.metrics if not m.retired or m.id in kept]
    extra_ids = set(data.category_ids) - {data.primary_category_id}
    categories = choices.categories

    contribution.type = contribution_type
    contribution.role = role
    contribution.title = data.title.strip()
    contribution.contributed_on = data.contributed_on
    contribution.url = data.url.strip() or None
    if existing is None or contribution.description_md != data.description_md:
        contribution.description_md = data.description_md
        contribution.description_html = render(data.description_md)
    contribution.primary_category = categories[data.primary_category_id]
    contribution.categories = sorted(
        (categories[i] for i in extra_ids), key=lambda category: category.name
    )
    _apply_figures(contribution, contribution_type, asked, data.figures)
    if existing is not None and contribution.visibility != data.visibility:
        contribution.visibility = data.visibility
        # Its endorsements say whether everybody may see them (``Endorsement.public``).
        endorsements.refresh_public(session, contribution_id=contribution.id)
    contribution.visibility = data.visibility


def _apply_figures(
    contribution: Contribution,
    contribution_type: ContributionType,
    asked: list[ReachMetric],
    values: dict[int, int | None],
) -> None:
    """Record the figures of the type's metrics; a retired metric keeps its value. The
    slot metrics' values are copied to the headline figures (0 when the type has none), so
    totals never mix meanings."""
    by_id = {metric.id: metric for metric in asked}
    figures = []
    for figure in contribution.figures:
        metric = by_id.get(figure.metric_id)
        if metric is not None and metric.retired:
            figures.append(figure)  # not asked any more: kept as recorded
    current = {f.metric_id: f for f in contribution.figures}
    for metric in asked:
        value = values.get(metric.id)
        if metric.retired or value is None:
            continue
        figure = current.get(metric.id) or ContributionFigure(metric_id=metric.id)
        figure.metric = metric
        figure.value = value
        figures.append(figure)
    contribution.figures = figures
    slots = {f.metric.legacy_slot: f.value for f in figures if f.metric.legacy_slot}
    contribution.quantity = slots.get("quantity", 0)
    contribution.audience = slots.get("audience", 0)


def create_contribution(
    session: Session,
    owner: User,
    data: ContributionInput,
    *,
    actor: User | None = None,
    choices: Choices | None = None,
) -> Contribution:
    """Log ``owner``'s contribution. ``actor`` is who does it when it is not the owner
    (an organizer importing a file for several members)."""
    return create_contributions(session, [(owner, data)], actor=actor, choices=choices)[0]


def create_contributions(
    session: Session,
    items: Sequence[tuple[User, ContributionInput]],
    *,
    actor: User | None = None,
    choices: Choices | None = None,
) -> list[Contribution]:
    """Log each owner's contribution, checked one by one (the first refusal raises, and
    the caller's transaction rolls back), written in one flush: an import logs
    thousands. ``choices``: the types and categories already loaded (``load_choices``)."""
    choices = choices or load_choices(session)
    created = []
    for owner, data in items:
        if not (owner.is_authenticated and owner.is_active):
            raise PermissionDenied(_("Log in with an active account to log contributions."))
        contribution = Contribution(owner=owner)
        _apply(session, contribution, data, choices)
        session.add(contribution)
        created.append(contribution)
    session.flush()
    activity.changed(session, (contribution.owner_id for contribution in created))
    sharedcache.stale_after_commit(session, queries.TYPES_IN_USE)
    with batched_writes(session):
        for contribution in created:
            audit.record(
                session,
                actor or contribution.owner,
                "contribution.created",
                contribution,
                after=_snapshot(contribution),
            )
    return created


def _lock(session: Session, contribution: Contribution) -> None:
    """Lock the row for update: a nomination taking it as evidence at the same moment
    (which reads it under a key-share lock) commits first and is seen, or waits for us."""
    session.execute(
        select(Contribution.id).where(Contribution.id == contribution.id).with_for_update()
    )


def update_contribution(
    session: Session, actor: User, contribution: Contribution, data: ContributionInput
) -> Contribution:
    """Save the owner's changes. Rule 2 holds on: the evidence of a live nomination keeps
    a date inside that nomination's window, and submitted nominations recount their
    reach totals when its figures change. (A nomination in review or decided keeps the
    copy of its evidence taken as it went into review, rule 8: the owner's edits leave
    what the panel judges alone.)"""
    if not rules.can_edit_contribution(actor, contribution):
        raise PermissionDenied(_("Only the owner can edit this contribution."))
    if data.contributed_on != contribution.contributed_on:
        _lock(session, contribution)
        nominations.check_evidence_date(session, actor, contribution.id, data.contributed_on)
    before = _snapshot(contribution)
    _apply(session, contribution, data)
    session.flush()
    after = _snapshot(contribution)
    changed = {key for key in after if after[key] != before[key]}
    if "figures" in changed:
        nominations.refresh_counters_for_evidence(session, contribution.id)
    if changed:
        activity.changed(session, [contribution.owner_id])
    if "type" in changed:
        sharedcache.stale_after_commit(session, queries.TYPES_IN_USE)
    audit.record(
        session,
        actor,
        "contribution.updated",
        contribution,
        before={key: before[key] for key in changed},
        after={key: after[key] for key in changed},
    )
    return contribution


def delete_contribution(session: Session, actor: User, contribution: Contribution) -> None:
    """Delete it with its endorsements (the database cascades); the audit keeps the record.

    The evidence of a live nomination stays (rule 2; a decided one keeps what the
    reviewers saw): its owner is told what to do instead."""
    if not rules.can_edit_contribution(actor, contribution):
        raise PermissionDenied(_("Only the owner can delete this contribution."))
    _lock(session, contribution)
    nominations.check_not_evidence(session, actor, contribution.id)
    audit.record(
        session,
        actor,
        "contribution.deleted",
        contribution,
        before={**_snapshot(contribution), "endorsement_count": contribution.endorsement_count},
    )
    session.delete(contribution)
    session.flush()
    activity.changed(session, [contribution.owner_id])
    sharedcache.stale_after_commit(session, queries.TYPES_IN_USE)
