"""Contribution and contribution-type operations: check rules, change state, audit, flush."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import Session

from nominee import audit
from nominee.accounts.models import User
from nominee.categories.services import slugify
from nominee.contributions import rules
from nominee.contributions.models import Contribution, ContributionType, Visibility
from nominee.contributions.queries import choosable_categories, choosable_types
from nominee.errors import DomainError, PermissionDenied
from nominee.markdown import render
from nominee.nominations import services as nominations

# name, quantity label, audience label, roles, weight: the Microsoft MVP portal's kinds.
DEFAULT_TYPES: list[tuple[str, str | None, str | None, list[str], float]] = [
    ("Blog post", "Posts", "Readers", ["Author", "Co-author"], 1.0),
    ("Article", "Articles", "Readers", ["Author", "Co-author", "Editor"], 1.0),
    ("Book", "Chapters", "Copies sold", ["Author", "Co-author", "Technical reviewer"], 1.5),
    (
        "Talk at a conference",
        "Sessions",
        "Attendees",
        ["Speaker", "Co-speaker", "Keynote speaker", "Panelist"],
        1.2,
    ),
    ("Talk at a local event", "Sessions", "Attendees", ["Speaker", "Co-speaker", "Panelist"], 1.0),
    ("Workshop", "Sessions", "Participants", ["Trainer", "Co-trainer", "Host"], 1.2),
    ("Video or live stream", "Videos", "Views", ["Host", "Co-host", "Guest", "Producer"], 1.0),
    ("Podcast", "Episodes", "Listeners", ["Host", "Co-host", "Guest"], 1.0),
    ("Forum answers", "Answers given", None, ["Contributor", "Moderator"], 0.8),
    (
        "Open-source project",
        "Releases",
        "Stars or downloads",
        ["Maintainer", "Creator", "Contributor"],
        1.2,
    ),
    ("Code sample", "Samples", "Downloads", ["Author", "Co-author"], 0.8),
    ("Event organizing", "Events", "Attendees", ["Organizer", "Co-organizer", "Volunteer"], 1.0),
    (
        "User-group leadership",
        "Meetings held",
        "Members",
        ["Leader", "Co-leader", "Organizer"],
        1.2,
    ),
    ("Mentoring", "Sessions", "Mentees", ["Mentor"], 1.0),
    ("Translation", "Documents", "Readers", ["Translator", "Reviewer"], 0.8),
    ("Product feedback", "Items reported", None, ["Reporter", "Tester"], 0.5),
    ("Other", "Quantity", "Audience", [], 0.5),
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
    for index, (name, quantity, audience, roles, weight) in enumerate(DEFAULT_TYPES, start=1):
        slug = slugify(name)
        if slug in taken or name.lower() in taken:
            continue
        added.append(
            ContributionType(
                name=name,
                slug=slug,
                quantity_label=quantity,
                audience_label=audience,
                roles=roles,
                weight=weight,
                position=last + index * 10,
            )
        )
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
    return added


@dataclass
class TypeInput:
    name: str
    quantity_label: str
    audience_label: str
    roles: list[str]
    weight: float
    position: int
    retired: bool = False


def _type_snapshot(contribution_type: ContributionType) -> dict[str, Any]:
    return {
        "name": contribution_type.name,
        "quantity_label": contribution_type.quantity_label,
        "audience_label": contribution_type.audience_label,
        "roles": list(contribution_type.roles),
        "weight": contribution_type.weight,
        "position": contribution_type.position,
        "retired": contribution_type.retired,
    }


def _apply_type(
    session: Session, actor: User, contribution_type: ContributionType, data: TypeInput
) -> None:
    if not rules.can_manage_types(actor):
        raise PermissionDenied("Only organizers manage contribution types.")
    name = data.name.strip()
    slug = slugify(name)
    clash = select(ContributionType.id).where(
        or_(func.lower(ContributionType.name) == name.lower(), ContributionType.slug == slug)
    )
    if contribution_type.id is not None:
        clash = clash.where(ContributionType.id != contribution_type.id)
    if session.scalar(clash) is not None:
        raise DomainError("A type with this name exists already.", field="name")
    roles = list(dict.fromkeys(role.strip() for role in data.roles if role.strip()))
    if message := rules.roles_error(roles):
        raise DomainError(message, field="roles")
    contribution_type.name = name
    contribution_type.slug = slug
    contribution_type.quantity_label = data.quantity_label.strip() or None
    contribution_type.audience_label = data.audience_label.strip() or None
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
    return contribution_type


def update_type(
    session: Session, actor: User, contribution_type: ContributionType, data: TypeInput
) -> ContributionType:
    before = _type_snapshot(contribution_type)
    _apply_type(session, actor, contribution_type, data)
    session.flush()
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
    quantity: int | None = None
    audience: int | None = None
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
        "quantity": contribution.quantity,
        "audience": contribution.audience,
        "visibility": contribution.visibility,
    }


def _apply(session: Session, contribution: Contribution, data: ContributionInput) -> None:
    """Check every rule on ``data`` and copy it onto ``contribution`` (new or saved)."""
    existing = contribution if contribution.id is not None else None
    types = {t.id: t for t in choosable_types(session, existing)}
    contribution_type = types.get(data.type_id)
    if contribution_type is None:
        raise DomainError("Choose a type from the list.", field="type_id")
    role = data.role.strip() if contribution_type.roles else ""
    checks = [
        ("role", rules.role_error(contribution_type, role)),
        ("title", rules.title_error(data.title)),
        ("contributed_on", rules.date_error(data.contributed_on)),
        ("url", rules.url_error(data.url)),
        ("description_md", rules.description_error(data.description_md)),
        ("category_ids", rules.extra_categories_error(data.primary_category_id, data.category_ids)),
        ("quantity", rules.figure_error(data.quantity)),
        ("audience", rules.figure_error(data.audience)),
    ]
    for name, message in checks:
        if message:
            raise DomainError(message, field=name)
    extra_ids = set(data.category_ids) - {data.primary_category_id}
    categories = {c.id: c for c in choosable_categories(session, existing)}
    if data.primary_category_id not in categories:
        raise DomainError("Choose a category from the list.", field="primary_category_id")
    if not extra_ids <= categories.keys():
        raise DomainError("Choose categories from the list.", field="category_ids")

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
    # A figure the type does not ask for is stored as 0, so totals never mix meanings.
    contribution.quantity = (data.quantity or 0) if contribution_type.quantity_label else 0
    contribution.audience = (data.audience or 0) if contribution_type.audience_label else 0
    contribution.visibility = data.visibility


def create_contribution(session: Session, owner: User, data: ContributionInput) -> Contribution:
    if not (owner.is_authenticated and owner.is_active):
        raise PermissionDenied("Log in with an active account to log contributions.")
    contribution = Contribution(owner=owner)
    _apply(session, contribution, data)
    session.add(contribution)
    session.flush()
    audit.record(
        session, owner, "contribution.created", contribution, after=_snapshot(contribution)
    )
    return contribution


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
        raise PermissionDenied("Only the owner can edit this contribution.")
    if data.contributed_on != contribution.contributed_on:
        _lock(session, contribution)
        nominations.check_evidence_date(session, actor, contribution.id, data.contributed_on)
    before = _snapshot(contribution)
    _apply(session, contribution, data)
    session.flush()
    after = _snapshot(contribution)
    changed = {key for key in after if after[key] != before[key]}
    if changed & {"quantity", "audience"}:
        nominations.refresh_counters_for_evidence(session, contribution.id)
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
        raise PermissionDenied("Only the owner can delete this contribution.")
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
