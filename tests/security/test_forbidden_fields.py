"""Fields a role may not set, posted anyway, change nothing (mass assignment).

Each form reads only its own fields, and the services set owners, statuses, counters
and versions themselves. Every test posts a real form that succeeds, plus the fields an
attacker would add, and checks what is stored.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from nominee.accounts.models import Role, User
from nominee.contributions.models import Contribution
from nominee.cycles.models import CycleStatus
from nominee.endorsements.models import Endorsement
from nominee.nominations.models import Nomination, NominationKind, NominationStatus
from nominee.reviews.models import Review, ReviewStatus
from tests.contributions.test_views import form_data
from tests.factories import PASSWORD

# What an attacker adds to any form: other people's ids, statuses, roles, counters.
FORGED = {
    "id": "999999",
    "role": "organizer",
    "active": "0",
    "is_active_account": "0",
    "session_token": "forged",
    "password_hash": "forged",
    "status": "awarded",
    "decision": "award",
    "kind": "renewal",
    "version": "999",
    "endorsement_count": "500",
    "evidence_count": "50",
    "score_mean": "5",
    "reviews_submitted": "9",
    "created_at": "2000-01-01",
}


@pytest.fixture
def member(make):
    return make.user(display_name="Ada Member")


@pytest.fixture
def other(make):
    return make.user(display_name="Bob Other")


def test_profile_ignores_role_activity_token_email_and_password(as_user, db, member, other):
    token, password_hash, email = member.session_token, member.password_hash, member.email
    response = as_user(member).post(
        "/account/profile",
        data={
            "display_name": "Ada Renamed",
            **FORGED,
            "email": other.email,
            "user_id": other.id,
            "primary_category_id": "0",
        },
    )
    assert response.status_code == 302
    db.refresh(member)
    assert member.display_name == "Ada Renamed"
    assert member.role is Role.MEMBER
    assert member.is_active_account is True
    assert (member.session_token, member.password_hash, member.email) == (
        token,
        password_hash,
        email,
    )
    db.refresh(other)
    assert other.display_name == "Bob Other"


def test_registering_never_grants_a_role(as_user, db, make):
    make.organizer()  # not the first account: the newcomer is a member
    response = as_user().post(
        "/register",
        data={
            "display_name": "Mallory",
            "email": "mallory@example.org",
            "password": "a long new passphrase",
            **FORGED,
        },
    )
    assert response.status_code == 302
    mallory = db.scalar(select(User).where(User.email == "mallory@example.org"))
    assert mallory.role is Role.MEMBER and mallory.is_active_account is True


def test_changing_email_changes_nothing_else(as_user, db, member):
    response = as_user(member).post(
        "/account/email",
        data={"email": "ada@example.net", "current_password": PASSWORD, **FORGED},
    )
    assert response.status_code == 302
    db.refresh(member)
    assert member.email == "ada@example.net"
    assert member.role is Role.MEMBER


def test_new_contribution_belongs_to_the_poster_with_no_endorsements(
    as_user, db, make, member, other
):
    talk = make.contribution_type(roles=["Speaker"])
    category = make.category()
    response = as_user(member).post(
        "/contributions/new",
        # FORGED first: "role" is a contribution's own field (Speaker), not the account's.
        data={**FORGED, **form_data(talk, category, owner_id=other.id)},
    )
    assert response.status_code == 302
    (contribution,) = db.scalars(select(Contribution).where(Contribution.title.like("Query%")))
    assert contribution.owner_id == member.id
    assert contribution.endorsement_count == 0
    assert contribution.id != 999999
    assert contribution.created_at.year == date.today().year


def test_editing_keeps_owner_and_endorsement_count(as_user, db, make, member, other):
    talk = make.contribution_type(roles=["Speaker"])
    category = make.category()
    contribution = make.contribution(member, type=talk, primary_category=category)
    make.endorsement(contribution, other)
    response = as_user(member).post(
        f"/contributions/{contribution.id}/edit",
        data={**FORGED, **form_data(talk, category, title="Renamed", owner_id=other.id)},
    )
    assert response.status_code == 302
    db.refresh(contribution)
    assert contribution.title == "Renamed"
    assert contribution.owner_id == member.id
    assert contribution.endorsement_count == 1


def test_endorsement_is_the_posters_own(as_user, db, make, member, other):
    third = make.user()
    contribution = make.contribution(other)
    response = as_user(member).post(
        f"/contributions/{contribution.id}/endorse",
        data={"comment": "Great", "endorser_id": third.id, "endorsee_id": third.id, **FORGED},
    )
    assert response.status_code == 302
    (endorsement,) = db.scalars(select(Endorsement))
    assert (endorsement.endorser_id, endorsement.endorsee_id) == (member.id, other.id)
    db.refresh(contribution)
    assert contribution.endorsement_count == 1


@pytest.fixture
def open_cycle(make):
    return make.cycle(min_evidence=1)


def test_a_nomination_starts_where_the_rules_say(as_user, db, make, member, other, open_cycle):
    third = make.user()
    statement = "Bob answers every question on the forum within a day. " * 3
    response = as_user(member).post(
        f"/cycles/{open_cycle.id}/nominate",
        data={
            "nominee_id": other.id,
            "category_id": open_cycle.categories[0].id,
            "statement_md": statement,
            "nominator_id": third.id,
            **FORGED,
        },
    )
    assert response.status_code == 302
    (nomination,) = db.scalars(select(Nomination))
    assert nomination.status is NominationStatus.AWAITING_ACCEPTANCE
    assert nomination.kind is NominationKind.PEER
    assert nomination.nominator_id == member.id
    assert nomination.decision is None and nomination.score_mean is None
    assert nomination.reviews_submitted == 0 and nomination.evidence_count == 0


def test_accepting_submits_and_nothing_more(as_user, db, make, member, other, open_cycle):
    talk = make.contribution(member)
    nomination = make.nomination(
        open_cycle,
        member,
        kind=NominationKind.PEER,
        nominator=other,
        status=NominationStatus.AWAITING_ACCEPTANCE,
    )
    response = as_user(member).post(
        f"/nominations/{nomination.id}/accept",
        data={
            "evidence": talk.id,
            **FORGED,
            "version": nomination.version,
            "nominee_id": other.id,
            "cycle_id": "999",
        },
    )
    assert response.status_code == 302
    db.refresh(nomination)
    assert nomination.status is NominationStatus.SUBMITTED
    assert nomination.decision is None
    assert (nomination.nominee_id, nomination.cycle_id) == (member.id, open_cycle.id)
    assert nomination.evidence_count == 1


def test_withdrawing_sets_withdrawn_whatever_status_is_posted(
    as_user, db, make, member, open_cycle
):
    nomination = make.nomination(open_cycle, member)
    response = as_user(member).post(
        f"/nominations/{nomination.id}/withdraw",
        data={**FORGED, "status": "submitted", "version": nomination.version},
    )
    assert response.status_code == 302
    db.refresh(nomination)
    assert nomination.status is NominationStatus.WITHDRAWN


def test_a_review_is_the_posters_and_a_draft_stays_a_draft(as_user, db, make, other):
    cycle = make.cycle(
        status=CycleStatus.IN_REVIEW,
        nominations_open_on=date.today() - timedelta(days=60),
        nominations_close_on=date.today() - timedelta(days=5),
    )
    nomination = make.nomination(cycle, other, status=NominationStatus.IN_REVIEW)
    reviewer, colleague = make.reviewer(), make.reviewer()
    for person in (reviewer, colleague):
        make.appointment(cycle, person)
        make.assignment(nomination, person)
    response = as_user(reviewer).post(
        f"/cycles/{cycle.id}/nominations/{nomination.id}/review",
        data={
            "action": "draft",
            "panel_comment": "Promising.",
            **FORGED,
            "version": "0",
            "status": "submitted",
            "reviewer_id": colleague.id,
            "recommendation": "award",
        },
    )
    assert response.status_code == 302
    (review,) = db.scalars(select(Review))
    assert review.reviewer_id == reviewer.id
    assert review.status is ReviewStatus.DRAFT
    db.refresh(nomination)
    assert nomination.reviews_submitted == 0 and nomination.score_mean is None
    assert nomination.status is NominationStatus.IN_REVIEW


def test_an_unknown_role_is_refused(as_user, db, make, member):
    organizer = make.organizer()
    as_organizer = as_user(organizer)
    for role in ("superuser", "ORGANIZER", ""):
        as_organizer.post(
            f"/admin/accounts/{member.id}/role",
            data={"role": role, "current_password": PASSWORD},
        )
        db.refresh(member)
        assert member.role is Role.MEMBER, role
