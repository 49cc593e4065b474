"""Who may see and change contributions, and what a valid contribution is.

Each ``*_error`` function answers the message for a bad value, or None. The forms use them
to show every message at once; the services use them again as the authority, so the CLI,
the API and the tests get the same rules.
"""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import urlsplit

from sqlalchemy import ColumnElement, and_, or_, true

from nominee import clock
from nominee.accounts.models import User
from nominee.contributions.models import Contribution, ContributionType, ReachMetric, Visibility
from nominee.formatting import format_number
from nominee.i18n import _

TITLE_MIN, TITLE_MAX = 3, 200
DESCRIPTION_MAX = 5000
URL_MAX = 2000
FIGURE_MAX = 1_000_000_000
MAX_EXTRA_CATEGORIES = 3
ROLE_MAX = 40
MAX_ROLES = 12


def can_see_private_contributions(viewer: User, owner: User) -> bool:
    return viewer.is_authenticated and (viewer.id == owner.id or viewer.is_reviewer)


def can_view_member(viewer: User, member: User) -> bool:
    """A deactivated account's page is gone for everybody but organizers."""
    return member.is_active_account or (viewer.is_authenticated and viewer.is_organizer)


def can_view_contribution(viewer: User, contribution: Contribution) -> bool:
    return can_view_member(viewer, contribution.owner) and (
        contribution.is_public or can_see_private_contributions(viewer, contribution.owner)
    )


def can_edit_contribution(user: User, contribution: Contribution) -> bool:
    return user.is_authenticated and user.is_active and user.id == contribution.owner_id


def can_manage_types(user: User) -> bool:
    return user.is_authenticated and user.is_organizer


def visible_to(viewer: User) -> ColumnElement[bool]:
    """``can_view_contribution`` as a SQL condition, for lists."""
    if viewer.is_authenticated and viewer.is_organizer:
        return true()
    owner_active = Contribution.owner.has(User.is_active_account.is_(True))
    if viewer.is_authenticated and viewer.is_reviewer:
        return owner_active
    public = Contribution.visibility == Visibility.PUBLIC
    if viewer.is_authenticated:
        public = or_(public, Contribution.owner_id == viewer.id)
    return and_(owner_active, public)


def latest_today() -> date:
    """Today where it is latest on earth (UTC+14), so nobody's today counts as future."""
    return (clock.now() + timedelta(hours=14)).date()


def title_error(title: str) -> str | None:
    if not TITLE_MIN <= len(title.strip()) <= TITLE_MAX:
        return _(
            "The title must be %(min)d to %(max)d characters long.", min=TITLE_MIN, max=TITLE_MAX
        )
    return None


def date_error(day: date | None) -> str | None:
    if day is None:
        return _("Enter the date of the contribution.")
    if day > latest_today():
        return _("The date cannot be in the future.")
    return None


def url_error(url: str) -> str | None:
    url = url.strip()
    if not url:
        return None
    parts = urlsplit(url)
    if (
        parts.scheme.lower() not in ("http", "https")
        or not parts.hostname
        or any(ch.isspace() for ch in url)
    ):
        return _("Enter a full web address starting with http:// or https://.")
    if len(url) > URL_MAX:
        return _("The address can be at most %(max)s characters long.", max=format_number(URL_MAX))
    return None


def description_error(text: str) -> str | None:
    if len(text) > DESCRIPTION_MAX:
        return _(
            "The description can be at most %(max)s characters long.",
            max=format_number(DESCRIPTION_MAX),
        )
    return None


def role_error(contribution_type: ContributionType, role: str) -> str | None:
    if contribution_type.roles and role not in contribution_type.roles:
        return _("Choose your role: %(roles)s.", roles=", ".join(contribution_type.roles))
    return None


def extra_categories_error(primary_id: int | None, category_ids: list[int]) -> str | None:
    if len(set(category_ids) - {primary_id}) > MAX_EXTRA_CATEGORIES:
        return _("Choose at most %(max)d more categories.", max=MAX_EXTRA_CATEGORIES)
    return None


def roles_error(roles: list[str]) -> str | None:
    if len(roles) > MAX_ROLES:
        return _("List at most %(max)d roles.", max=MAX_ROLES)
    if any(len(role) > ROLE_MAX for role in roles):
        return _("Each role can be at most %(max)d characters long.", max=ROLE_MAX)
    return None


METRIC_NAME_MAX = 40


def metric_name_error(name: str) -> str | None:
    if not 1 <= len(name.strip()) <= METRIC_NAME_MAX:
        return _("The name must be 1 to %(max)d characters long.", max=METRIC_NAME_MAX)
    return None


def metric_unit_error(unit: str) -> str | None:
    if len(unit) > METRIC_NAME_MAX:
        return _("The unit can be at most %(max)d characters long.", max=METRIC_NAME_MAX)
    return None


def metric_maximum_error(maximum: int | None) -> str | None:
    if maximum is None or not 1 <= maximum <= FIGURE_MAX:
        return _("Enter a whole number from 1 to %(max)s.", max=format_number(FIGURE_MAX))
    return None


def metric_value_error(metric: ReachMetric, value: int | None) -> str | None:
    """The message for ``value`` recorded for ``metric`` (None: left blank)."""
    if value is None:
        return _("Enter the %(figure)s.", figure=metric.name.lower()) if metric.required else None
    if not 0 <= value <= metric.maximum:
        return _("Enter a whole number from 0 to %(max)s.", max=format_number(metric.maximum))
    return None
