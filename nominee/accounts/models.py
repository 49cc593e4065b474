from __future__ import annotations

import enum
import secrets
import time
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    ForeignKey,
    String,
    Table,
    Text,
    func,
    select,
    true,
)
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from nominee import clock
from nominee.categories.models import Category
from nominee.db import Base
from nominee.enums import enum_column
from nominee.i18n import N_


class Role(enum.StrEnum):
    """Account-wide roles. A reviewer is a member organizers can appoint to cycles."""

    MEMBER = "member"
    REVIEWER = "reviewer"
    ORGANIZER = "organizer"

    @property
    def label(self) -> str:
        """In English; shown translated: ``_(role.label)``."""
        return _ROLE_LABELS[self.value]


# Marked for the catalogues; the enum's members cannot be strings of their own.
_ROLE_LABELS = {"member": N_("Member"), "reviewer": N_("Reviewer"), "organizer": N_("Organizer")}


user_categories = Table(
    "user_categories",
    Base.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("category_id", ForeignKey("categories.id", ondelete="CASCADE"), primary_key=True),
)


def new_session_token() -> str:
    return secrets.token_urlsafe(24)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased, so the unique constraint is case-insensitive on every backend.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(80), index=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    # Indexed: the staff (organizers, reviewers) are a few among many members.
    role: Mapped[Role] = mapped_column(
        enum_column(Role, "role", 16), default=Role.MEMBER, index=True
    )
    is_active_account: Mapped[bool] = mapped_column("active", default=True)
    # Part of the login id in the session and remember-me cookie: rotating it logs the
    # account out everywhere (logout, password change, deactivation).
    session_token: Mapped[str] = mapped_column(String(64), default=new_session_token)
    bio_md: Mapped[str] = mapped_column(Text, default="")
    bio_html: Mapped[str] = mapped_column(Text, default="")
    location: Mapped[str] = mapped_column(String(120), default="")
    # ISO 3166-1 alpha-2 code ("" when not given): the awardee directory filters by it.
    country: Mapped[str] = mapped_column(String(2), default="", server_default="", index=True)
    # Off: visitors who are not logged in see only the name (and awards stay verifiable
    # by their own links); the member is left out of the public awardee directory.
    profile_public: Mapped[bool] = mapped_column(default=True, server_default=true())
    links: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The member's language ("" until chosen: the browser's Accept-Language decides), time
    # zone ("" until the browser's is stored once; the programme's until then) and colour
    # theme ("" follows the system, or "light" / "dark"). See ``nominee.i18n``.
    language: Mapped[str] = mapped_column(String(8), default="", server_default="")
    time_zone: Mapped[str] = mapped_column(String(64), default="", server_default="")
    theme: Mapped[str] = mapped_column(String(8), default="", server_default="")
    primary_category_id: Mapped[int | None] = mapped_column(
        ForeignKey("categories.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    last_login_at: Mapped[datetime | None]
    # When the account's current address was confirmed by its link; None until then (a
    # new account, a changed address). See ``rules.awaits_verification``.
    email_verified_at: Mapped[datetime | None]
    # Counts password-reset requests. It is part of every reset link's fingerprint, so
    # asking for a new link voids the earlier ones.
    reset_generation: Mapped[int] = mapped_column(default=0, server_default="0")
    # Set anew, in the same transaction, by every change to the member's contributions,
    # their figures or the endorsements they received, and to the names of the types and
    # metrics they used (``contributions.models.activity_changed``): part of the key of
    # their figures in the shared cache, so no host ever reads a kept value that a
    # committed change made wrong.
    activity_version: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")

    primary_category: Mapped[Category | None] = relationship()
    categories: Mapped[list[Category]] = relationship(secondary=user_categories)

    # What Flask-Login asks of a user, written here so that models need no Flask.
    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:  # Flask-Login: inactive accounts cannot log in
        return self.is_active_account

    # When the current login began, in whole seconds since the epoch (not a column). It is
    # the last part of the login id, so the signed session and remember-me cookie carry it
    # and ``load_user`` refuses a login older than REMEMBER_COOKIE_DURATION.
    if TYPE_CHECKING:  # declared for the type checker only: the mapper must not see it
        login_started_at: int | None
        name_holders: Mapped[int]  # a column property, assigned after the class (below)
    login_started_at = None

    def get_id(self) -> str:
        started = self.login_started_at or int(time.time())
        return f"{self.id}:{self.session_token}:{started}"

    @property
    def is_organizer(self) -> bool:
        return self.role is Role.ORGANIZER

    @property
    def is_reviewer(self) -> bool:
        return self.role in (Role.REVIEWER, Role.ORGANIZER)

    def __str__(self) -> str:
        return self.display_name


_namesakes = User.__table__.alias("namesakes")
# How many accounts bear this account's display name, loaded with the account in the same
# query (an index lookup): where it is more than one, pages show the account's "#id"
# handle next to the name (``nominee.templating.member_name``).
User.name_holders = column_property(
    select(func.count())
    .select_from(_namesakes)
    .where(_namesakes.c.display_name == User.display_name)
    .correlate_except(_namesakes)
    .scalar_subquery()
)
