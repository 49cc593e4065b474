"""Imports every model so that ``Base.metadata`` knows all tables (Alembic, tests, CLI)."""

from nominee.accounts.models import Role, User, user_categories
from nominee.audit import AuditEvent
from nominee.categories.models import Category
from nominee.contributions.models import Contribution, ContributionType, Visibility
from nominee.endorsements.models import Endorsement

__all__ = [
    "AuditEvent",
    "Category",
    "Contribution",
    "ContributionType",
    "Endorsement",
    "Role",
    "User",
    "Visibility",
    "user_categories",
]
