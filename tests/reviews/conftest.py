"""A cycle in review, its reviewers, and helpers to count SQL statements."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from nominee.audit import AuditEvent
from nominee.cycles.models import CycleStatus
from nominee.nominations.models import NominationStatus

TODAY = date.today()
CLOSED_ON = TODAY - timedelta(days=5)  # nominations closed five days ago


@pytest.fixture
def login(client):
    """Log ``user`` in by its session cookie: the password check (argon2) is slow, and
    the login itself is tested in tests/accounts."""

    def log_in(user):
        with client.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
        return user

    return log_in


@pytest.fixture
def cycle(make):
    """In review: the look-back window is the 12 months before ``CLOSED_ON``."""
    return make.cycle(
        status=CycleStatus.IN_REVIEW,
        nominations_open_on=CLOSED_ON - timedelta(days=60),
        nominations_close_on=CLOSED_ON,
        review_close_on=TODAY + timedelta(days=20),
        categories=[make.category(name="Developer Tools"), make.category(name="Data Platform")],
    )


@pytest.fixture
def in_review(make, cycle):
    """Make a nomination in review in ``cycle`` (first category unless told)."""

    def build(nominee=None, **kw):
        kw.setdefault("status", NominationStatus.IN_REVIEW)
        return make.nomination(cycle, nominee, **kw)

    return build


@pytest.fixture
def appointed(make, cycle):
    """Make a reviewer appointed for the whole cycle (or ``category``)."""

    def build(category=None, **kw):
        reviewer = make.reviewer(**kw)
        make.appointment(cycle, reviewer, category)
        return reviewer

    return build


def audit_actions(db, action: str) -> list[AuditEvent]:
    return list(db.scalars(select(AuditEvent).where(AuditEvent.action == action)))
