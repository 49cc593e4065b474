"""The programme's settings and its first-run set-up. Plain Python (no Flask).

Organizers set the programme's name and time zone once the app runs (``/setup``, then
``/admin/programme``); they are stored in ``programme_settings`` and used instead of the
``PROGRAMME_NAME`` and ``PROGRAMME_TIME_ZONE`` configuration, which stays the default
while nothing is stored.

Reading them is cheap: ``current`` answers a snapshot kept in the cache every host
shares (``nominee.sharedcache``: Redis when configured) for ``CACHE_SECONDS`` (30 s),
read again from the database after that with one statement (the settings and whether
accounts, categories and contribution types exist, which the home page tells about while
the programme is being set up). A change to any of them drops the snapshot when its
transaction commits, for every host at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from nominee import audit, clock, i18n, sharedcache
from nominee.accounts.models import Role, User
from nominee.accounts.services import refuse_hidden_characters
from nominee.categories import services as categories
from nominee.categories.models import Category
from nominee.contributions import services as contributions
from nominee.contributions.models import ContributionType
from nominee.errors import DomainError
from nominee.i18n import N_, _
from nominee.programme.models import SETTINGS_ID, ProgrammeSettings
from nominee.sharedcache import SharedCache

CACHE_SECONDS = 30.0
NAME_MIN, NAME_MAX = 2, 80

# Suggested on the set-up page, each to keep, rename or leave out.
DEFAULT_CATEGORIES: tuple[tuple[str, str], ...] = (
    (
        N_("Developer Technologies"),
        N_("Languages, frameworks, tools and practices for building software."),
    ),
    (N_("Cloud"), N_("Cloud platforms, infrastructure, DevOps and operations.")),
    (N_("Data & AI"), N_("Databases, analytics, machine learning and AI.")),
    (N_("Security"), N_("Identity, security engineering and compliance.")),
    (
        N_("Community Leadership"),
        N_("Running user groups, events and communities; mentoring and organizing."),
    ),
)


@dataclass(frozen=True)
class Programme:
    """What is stored, as it is stored ("" when unset), and what exists yet."""

    name: str
    time_zone: str
    set_up: bool  # an organizer finished the first-run set-up
    has_accounts: bool
    categories: int  # active (not retired)
    has_types: bool

    @property
    def missing_categories(self) -> bool:
        return self.categories == 0


def forget() -> None:
    """The programme's zone goes back to the configured one until the next read (the
    tests, between their rolled-back transactions)."""
    i18n.use_programme_time_zone(None)


def current(
    session: Session, cache: SharedCache | None = None, *, max_age: float = CACHE_SECONDS
) -> Programme:
    """The programme's settings, from the cache every host shares when given (kept
    ``max_age`` seconds, dropped when a change to them commits), else from the database."""
    if cache is None or max_age <= 0:
        programme = _read(session)
    else:
        programme = cache.remember(
            sharedcache.PROGRAMME, max_age, lambda: _read(session), asdict, _load
        )
    i18n.use_programme_time_zone(programme.time_zone)
    return programme


def _load(kept: dict[str, Any]) -> Programme:
    return Programme(**kept)


def _read(session: Session) -> Programme:
    active = select(func.count(Category.id)).where(Category.retired.is_(False)).scalar_subquery()
    row = session.execute(
        select(
            select(ProgrammeSettings.name)
            .where(ProgrammeSettings.id == SETTINGS_ID)
            .scalar_subquery(),
            select(ProgrammeSettings.time_zone)
            .where(ProgrammeSettings.id == SETTINGS_ID)
            .scalar_subquery(),
            exists().where(
                ProgrammeSettings.id == SETTINGS_ID, ProgrammeSettings.set_up_at.is_not(None)
            ),
            exists(select(User.id)),
            active,
            exists(select(ContributionType.id)),
        )
    ).one()
    name, zone, set_up, accounts, count, types = row
    return Programme(
        name=str(name or ""),
        time_zone=str(zone or ""),
        set_up=bool(set_up),
        has_accounts=bool(accounts),
        categories=int(str(count or 0)),
        has_types=bool(types),
    )


def _check_organizer(actor: User) -> None:
    if actor.role is not Role.ORGANIZER:
        raise DomainError(_("Only organizers can change the programme's settings."))


def settings_row(session: Session) -> ProgrammeSettings:
    row = session.get(ProgrammeSettings, SETTINGS_ID)
    if row is None:
        row = ProgrammeSettings(id=SETTINGS_ID, name="", time_zone="")
        session.add(row)
    return row


def check(name: str, time_zone: str) -> tuple[str, str]:
    """The name and zone cleaned, or a refusal next to the field at fault."""
    name = " ".join(name.split())
    refuse_hidden_characters(name=name)
    if not NAME_MIN <= len(name) <= NAME_MAX:
        raise DomainError(
            _(
                "The programme's name takes %(min)d to %(max)d characters.",
                min=NAME_MIN,
                max=NAME_MAX,
            ),
            field="name",
        )
    zone = i18n.valid_time_zone(time_zone.strip())
    if zone is None:
        raise DomainError(
            _("Choose a time zone from the list, such as Europe/Madrid or America/New_York."),
            field="time_zone",
        )
    return name, zone


def save(session: Session, actor: User, *, name: str, time_zone: str) -> ProgrammeSettings:
    """Store the programme's name and time zone."""
    _check_organizer(actor)
    name, zone = check(name, time_zone)
    row = settings_row(session)
    before = {"name": row.name, "time_zone": row.time_zone}
    row.name, row.time_zone = name, zone
    session.flush()
    audit.record(
        session,
        actor,
        "programme.updated",
        object_type="programme",
        object_id=SETTINGS_ID,
        before=before,
        after={"name": name, "time_zone": zone},
    )
    sharedcache.stale_after_commit(session, sharedcache.PROGRAMME)
    return row


def set_up(
    session: Session,
    actor: User,
    *,
    name: str,
    time_zone: str,
    categories_chosen: Sequence[tuple[str, str]],
    add_types: bool,
) -> list[Category]:
    """The first-run set-up in one go: the settings, the categories chosen (those whose
    name exists already are left as they are), the default contribution types when
    ``add_types`` (only the missing ones), and the set-up marked done. Answers the
    categories created."""
    _check_organizer(actor)
    name, zone = check(name, time_zone)
    cleaned = [(" ".join(c.split()), d.strip()) for c, d in categories_chosen if c.strip()]
    for index, (category, _description) in enumerate(cleaned):
        if not 2 <= len(category) <= 80:
            raise DomainError(
                _("A category's name takes 2 to 80 characters."), field=f"category_{index}"
            )
    existing = {n.lower() for n in session.scalars(select(Category.name))}
    has_active = session.scalar(select(exists().where(Category.retired.is_(False))))
    fresh = [(c, d) for c, d in cleaned if c.lower() not in existing]
    if not fresh and not has_active:
        raise DomainError(
            _("Keep at least one category: members file each contribution under one.")
        )
    save(session, actor, name=name, time_zone=zone)
    created = []
    seen: set[str] = set()
    for category, description in fresh:
        if category.lower() in seen:
            continue
        seen.add(category.lower())
        created.append(
            categories.create_category(session, actor, name=category, description=description)
        )
    if add_types:
        contributions.seed_contribution_types(session, actor)
    row = settings_row(session)
    row.set_up_at = clock.now()
    session.flush()
    audit.record(
        session,
        actor,
        "programme.set_up",
        object_type="programme",
        object_id=SETTINGS_ID,
        after={"categories": [c.name for c in created], "types": add_types},
    )
    sharedcache.stale_after_commit(session, sharedcache.PROGRAMME)
    return created
