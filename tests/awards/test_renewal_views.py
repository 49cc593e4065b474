"""Renewals as organizers drive them: opened with the cycle, their evidence gathered
again as nominations close, only for the cycle's categories and active members."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from nominee.audit import AuditEvent
from nominee.contributions.models import Contribution
from nominee.cycles.models import CycleStatus, add_months
from nominee.nominations.models import Nomination, NominationKind, NominationStatus
from nominee.notifications.models import Notification
from tests.contributions.test_evidence import form_data
from tests.factories import PASSWORD, shown


def logged_in(app, user):
    client = app.test_client()
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code
    return client


def move(client, cycle, to: CycleStatus):
    return client.post(f"/cycles/{cycle.id}/status/{to.value}", data={"version": cycle.version})


def renewals(db, cycle) -> list[Nomination]:
    db.expire_all()
    return db.scalars(
        select(Nomination)
        .where(Nomination.cycle_id == cycle.id, Nomination.kind == NominationKind.RENEWAL)
        .order_by(Nomination.id)
    ).all()


@pytest.fixture
def setting(app, make, db):
    """A draft cycle, an award of an earlier one ending in its renewal window, and an
    organizer."""
    cycle = make.cycle(status=CycleStatus.DRAFT, min_evidence=1, max_evidence=2)
    earlier = make.cycle(
        status=CycleStatus.PUBLISHED,
        nominations_open_on=add_months(cycle.nominations_open_on, -12),
        nominations_close_on=add_months(cycle.nominations_close_on, -12),
        review_close_on=add_months(cycle.review_close_on, -12) - timedelta(days=10),
        categories=cycle.categories,
    )
    award = make.award(cycle=earlier, member=make.user(display_name="Ada"))
    assert award.starts_on < date.today() <= award.ends_on  # the term runs while it is open
    return cycle, award, logged_in(app, make.organizer())


def log_contribution(app, make, member, days_ago: int, audience: int):
    talk, category = make.contribution_type(), make.category()
    response = logged_in(app, member).post(
        "/contributions/new",
        data={
            "type_id": talk.id,
            "role": "Speaker",
            "title": f"Talk {days_ago} days ago",
            "contributed_on": (date.today() - timedelta(days=days_ago)).isoformat(),
            "primary_category_id": category.id,
            "quantity": "1",
            "audience": str(audience),
            "visibility": "public",
        },
    )
    assert response.status_code == 302
    return int(response.headers["Location"].rsplit("/", 1)[1])


def test_work_logged_while_open_counts_and_clears_no_activity(app, make, db, setting):
    cycle, award, organizer = setting
    assert move(organizer, cycle, CycleStatus.OPEN).status_code == 302
    [renewal] = renewals(db, cycle)
    assert renewal.no_activity is True and renewal.evidence == []

    logged = log_contribution(app, make, award.member, days_ago=2, audience=40)
    db.refresh(cycle)
    assert move(organizer, cycle, CycleStatus.IN_REVIEW).status_code == 302

    [renewal] = renewals(db, cycle)
    assert renewal.status is NominationStatus.IN_REVIEW
    assert [e.contribution_id for e in renewal.evidence] == [logged]
    assert renewal.no_activity is False
    assert (renewal.evidence_count, renewal.total_audience) == (1, 40)
    dashboard = organizer.get(f"/cycles/{cycle.id}/dashboard")
    assert "Ada" in dashboard.text and "No activity" not in dashboard.text
    history = logged_in(app, award.member).get(f"/nominations/{renewal.id}")
    assert "Evidence gathered again from the award term: 1 contribution." in history.text
    [event] = db.scalars(
        select(AuditEvent).where(AuditEvent.action == "nomination.renewal_evidence_gathered")
    ).all()
    assert event.before == {"evidence": [], "no_activity": True}
    assert event.after == {"evidence": [logged], "no_activity": False}


def test_closing_takes_the_most_recent_work_up_to_the_maximum(app, make, db, setting):
    cycle, award, organizer = setting
    oldest = make.contribution(award.member, contributed_on=award.starts_on, audience=1)
    older = make.contribution(award.member, contributed_on=award.starts_on, audience=2)
    assert move(organizer, cycle, CycleStatus.OPEN).status_code == 302
    [renewal] = renewals(db, cycle)
    assert {e.contribution_id for e in renewal.evidence} == {oldest.id, older.id}

    newest = log_contribution(app, make, award.member, days_ago=1, audience=300)
    db.refresh(cycle)
    assert move(organizer, cycle, CycleStatus.IN_REVIEW).status_code == 302
    [renewal] = renewals(db, cycle)
    assert {e.contribution_id for e in renewal.evidence} == {newest, older.id}
    assert (renewal.evidence_count, renewal.total_audience) == (2, 302)


def test_unchanged_evidence_leaves_the_renewal_alone(app, make, db, setting):
    cycle, award, organizer = setting
    make.contribution(award.member, contributed_on=award.starts_on)
    assert move(organizer, cycle, CycleStatus.OPEN).status_code == 302
    db.refresh(cycle)
    assert move(organizer, cycle, CycleStatus.IN_REVIEW).status_code == 302
    assert not db.scalars(
        select(AuditEvent).where(AuditEvent.action == "nomination.renewal_evidence_gathered")
    ).all()


def test_a_withdrawn_renewal_is_not_gathered_again(app, make, db, setting):
    cycle, award, organizer = setting
    assert move(organizer, cycle, CycleStatus.OPEN).status_code == 302
    [renewal] = renewals(db, cycle)
    member = logged_in(app, award.member)
    response = member.post(
        f"/nominations/{renewal.id}/withdraw", data={"version": renewal.version, "reason": ""}
    )
    assert response.status_code == 302
    log_contribution(app, make, award.member, days_ago=1, audience=5)
    db.refresh(cycle)
    assert move(organizer, cycle, CycleStatus.IN_REVIEW).status_code == 302
    [renewal] = renewals(db, cycle)
    assert renewal.status is NominationStatus.WITHDRAWN
    assert renewal.evidence == [] and renewal.no_activity is True


def test_awards_outside_the_cycles_categories_are_not_renewed(app, make, db, setting):
    cycle, award, organizer = setting
    elsewhere = make.award(cycle=award.cycle, category_id=make.category().id, ends_on=award.ends_on)
    assert move(organizer, cycle, CycleStatus.OPEN).status_code == 302
    assert [n.renewal_of_award_id for n in renewals(db, cycle)] == [award.id]
    assert not db.scalars(
        select(Notification).where(Notification.user_id == elsewhere.member_id)
    ).all()


def test_members_whose_account_is_closed_are_not_renewed(app, make, db, setting):
    cycle, award, organizer = setting
    award.member.is_active_account = False
    db.flush()
    assert move(organizer, cycle, CycleStatus.OPEN).status_code == 302
    assert renewals(db, cycle) == []


def test_a_renewal_with_no_work_by_the_close_lapses_and_its_holder_is_told(app, make, db, setting):
    cycle, award, organizer = setting
    assert move(organizer, cycle, CycleStatus.OPEN).status_code == 302
    [renewal] = renewals(db, cycle)
    assert renewal.status is NominationStatus.SUBMITTED and renewal.no_activity is True
    db.refresh(cycle)
    assert move(organizer, cycle, CycleStatus.IN_REVIEW).status_code == 302

    [renewal] = renewals(db, cycle)
    assert renewal.status is NominationStatus.LAPSED
    dashboard = organizer.get(f"/cycles/{cycle.id}/dashboard")
    assert "Ada" not in dashboard.text
    member = logged_in(app, award.member)
    page = member.get(f"/nominations/{renewal.id}").text
    assert "No contribution from the award term when nominations closed: not renewed." in page
    notices = [
        shown(app, notice).text
        for notice in db.scalars(
            select(Notification).where(Notification.user_id == award.member_id)
        )
    ]
    assert any("is not renewed: we found no contribution from its term" in m for m in notices)
    [event] = db.scalars(select(AuditEvent).where(AuditEvent.action == "nomination.lapsed")).all()
    assert event.after["reason"] == "no_activity"


def test_a_renewal_in_review_keeps_the_copy_of_its_regathered_evidence(app, make, db, setting):
    """Rule 8 for renewals: the evidence gathered again as nominations close is the copy
    the panel judges; its holder's later edits leave it alone."""
    cycle, award, organizer = setting
    older = make.contribution(award.member, contributed_on=award.starts_on, audience=2)
    assert move(organizer, cycle, CycleStatus.OPEN).status_code == 302
    newest = log_contribution(app, make, award.member, days_ago=1, audience=300)
    db.refresh(cycle)
    assert move(organizer, cycle, CycleStatus.IN_REVIEW).status_code == 302
    [renewal] = renewals(db, cycle)
    assert {e.contribution_id for e in renewal.evidence} == {newest, older.id}
    assert all(e.frozen_at is not None for e in renewal.evidence)

    talk = db.get(Contribution, newest)
    edited = logged_in(app, award.member).post(
        f"/contributions/{newest}/edit", data=form_data(talk, audience="5000")
    )
    assert edited.status_code == 302
    [renewal] = renewals(db, cycle)
    assert renewal.total_audience == 302
    page = organizer.get(f"/cycles/{cycle.id}/nominations/{renewal.id}/review")
    assert page.status_code == 200
    assert "300 attendees" in page.text and "5,000" not in page.text
