from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask import render_template_string
from sqlalchemy import select

from nominee import clock
from nominee.audit import AuditEvent
from nominee.awards.models import Award, AwardStatus
from nominee.awards.queries import awards_for_member
from nominee.cycles.models import CycleStatus
from nominee.nominations.models import Decision, NominationStatus
from nominee.notifications.models import Notification
from nominee.templating import format_date
from nominee.uow import get_session
from tests.awards.helpers import move
from tests.factories import shown

MEMBER_PAGE = '{% include "awards/_member_awards.html" ignore missing %}'


def member_awards_html(app, member) -> str:
    """The partial as the member page renders it: its view passes the member's awards."""
    with app.test_request_context():
        awards = awards_for_member(get_session(), member.id)
        return render_template_string(MEMBER_PAGE, member=member, awards=awards)


def test_verification_page_of_an_active_award_needs_no_login(client, make):
    holder = make.user(display_name="Grace Hopper")
    award = make.award(member=holder)
    page = client.get(f"/awards/{award.verification_id}")
    assert page.status_code == 200
    assert "Grace Hopper" in page.text
    assert award.category.name in page.text
    assert award.cycle.name in page.text
    # The factory's cycle closes its review in the future: the term has not begun yet.
    starts = award.starts_on.strftime("%-d %b %Y")
    assert f'<strong class="award-status">Awarded, from {starts}</strong>' in page.text
    assert f"valid from {award.starts_on.strftime('%-d %b %Y')} to" in page.text
    assert "Revoke this award" not in page.text


def test_verification_page_of_an_award_in_its_term(client, make):
    award = make.award(starts_on=date.today() - timedelta(days=10))
    page = client.get(f"/awards/{award.verification_id}")
    assert f"valid until {award.ends_on.strftime('%-d %b %Y')}" in page.text


def test_verification_page_says_when_an_award_expired(client, make):
    ends_on = date.today() - timedelta(days=3)
    award = make.award(starts_on=ends_on - timedelta(days=365), ends_on=ends_on)
    page = client.get(f"/awards/{award.verification_id}")
    assert page.status_code == 200
    assert f"This award expired on {ends_on.strftime('%-d %b %Y')}" in page.text
    assert '<strong class="award-status">Expired</strong>' in page.text


def test_verification_page_says_when_an_award_was_revoked(client, auth, make, db):
    organizer = make.organizer()
    award = make.award()
    auth.login(organizer)
    client.post(
        f"/awards/{award.verification_id}/revoke",
        data={"reason": "Plagiarised talks.", "confirm": "y"},
    )
    auth.logout()
    page = client.get(f"/awards/{award.verification_id}")
    assert page.status_code == 200
    assert "This award was revoked on" in page.text
    assert "no longer valid" in page.text
    # The reason is for organizers and the holder, not the public.
    assert "Plagiarised" not in page.text


def test_unknown_verification_id_is_404(client, make):
    make.award()
    assert client.get("/awards/not-a-real-id").status_code == 404
    assert client.get("/awards/" + "x" * 300).status_code == 404


@pytest.mark.parametrize("status", [CycleStatus.OPEN, CycleStatus.IN_REVIEW, CycleStatus.DECIDED])
def test_award_of_an_unpublished_cycle_is_not_shown(app, client, make, status):
    award = make.award(cycle=make.cycle(status=status))
    assert client.get(f"/awards/{award.verification_id}").status_code == 404
    assert "Awards" not in member_awards_html(app, award.member)


def test_members_see_no_outcome_before_publishing(app, client, auth, make, db):
    """Rule 5: a decision shows nowhere until the cycle is published."""
    organizer = make.organizer()
    cycle = make.cycle(status=CycleStatus.DECIDED)
    nomination = make.nomination(cycle, status=NominationStatus.AWARDED, decision=Decision.AWARD)
    member = nomination.nominee
    assert awards_for_member(db, member.id) == []
    assert "Awards" not in member_awards_html(app, member)
    assert db.scalars(select(Notification).where(Notification.user_id == member.id)).all() == []

    with app.app_context():
        move(db, cycle, CycleStatus.PUBLISHED, organizer)
    [award] = awards_for_member(db, member.id)
    html = member_awards_html(app, member)
    assert f"/awards/{award.verification_id}" in html
    # Its term begins after the review closes.
    assert '<span class="badge">Upcoming</span>' in html
    assert client.get(f"/awards/{award.verification_id}").status_code == 200


def test_member_page_partial_shows_current_and_past_awards(app, make):
    member = make.user()
    current = make.award(member=member, starts_on=date.today() - timedelta(days=30))
    upcoming = make.award(member=member)
    expired = make.award(
        member=member,
        starts_on=date.today() - timedelta(days=800),
        ends_on=date.today() - timedelta(days=435),
    )
    revoked = make.award(member=member, status=AwardStatus.REVOKED, revoked_at=clock.now())
    make.award()  # someone else's
    html = member_awards_html(app, member)
    for award in (current, upcoming, expired, revoked):
        assert f"/awards/{award.verification_id}" in html
    assert html.count("<li") == 4
    revoked_badge = f"Awarded, revoked on {format_date(revoked.revoked_at)}"
    for badge in ("Current", "Upcoming", "Expired", revoked_badge):
        assert f'<span class="badge">{badge}</span>' in html
    # Latest term first.
    assert html.index(current.verification_id) < html.index(expired.verification_id)


def test_member_awards_cost_one_query(app, make, db):
    from sqlalchemy import event

    member = make.user()
    for _ in range(3):
        make.award(member=member)
    statements = []
    engine_conn = db.connection()
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine_conn, "before_cursor_execute", listener)
    try:
        awards = awards_for_member(db, member.id)
        assert [a.category.name for a in awards] and [a.cycle.name for a in awards]
    finally:
        event.remove(engine_conn, "before_cursor_execute", listener)
    assert len(statements) == 1


# Revocation


@pytest.mark.parametrize("role", ["member", "reviewer"])
def test_only_organizers_revoke(client, auth, make, db, role):
    award = make.award()
    auth.login(make.user() if role == "member" else make.reviewer())
    url = f"/awards/{award.verification_id}/revoke"
    assert client.get(url).status_code == 403
    assert client.post(url, data={"reason": "x", "confirm": "y"}).status_code == 403
    db.refresh(award)
    assert award.status is AwardStatus.ACTIVE


def test_revocation_needs_reason_and_confirmation(client, auth, make, db):
    award = make.award()
    auth.login(make.organizer())
    url = f"/awards/{award.verification_id}/revoke"
    page = client.get(url)
    assert page.status_code == 200 and "Revoking cannot be undone" in page.text
    response = client.post(url, data={"reason": "", "confirm": ""})
    assert response.status_code == 400
    assert "Give the reason for revoking." in response.text
    assert "Confirm that you want to revoke this award." in response.text
    db.refresh(award)
    assert award.status is AwardStatus.ACTIVE


def test_organizer_revokes_with_audit_and_notice(app, client, auth, make, db):
    organizer = make.organizer()
    award = make.award()
    auth.login(organizer)
    verify = client.get(f"/awards/{award.verification_id}")
    assert "Revoke this award" in verify.text
    response = client.post(
        f"/awards/{award.verification_id}/revoke",
        data={"reason": "Plagiarised talks.", "confirm": "y"},
    )
    assert response.status_code == 302
    db.refresh(award)
    assert award.status is AwardStatus.REVOKED
    assert award.revoked_reason == "Plagiarised talks."
    assert award.revoked_by_id == organizer.id
    assert award.revoked_at is not None
    [event] = db.scalars(select(AuditEvent).where(AuditEvent.action == "award.revoked")).all()
    assert event.before == {"status": "active"}
    assert event.after == {"status": "revoked", "reason": "Plagiarised talks."}
    [notice] = db.scalars(select(Notification).where(Notification.user_id == award.member_id)).all()
    assert notice.kind == "award.revoked" and "Plagiarised talks." in shown(app, notice).text
    assert "Revocation reason: Plagiarised talks." in client.get(response.location).text

    again = client.post(
        f"/awards/{award.verification_id}/revoke", data={"reason": "Again.", "confirm": "y"}
    )
    assert again.status_code == 409
    assert "already revoked" in again.text
    db.refresh(award)
    assert award.revoked_reason == "Plagiarised talks."


# Expiry


def test_expire_awards_command(runner, make, db):
    yesterday = date.today() - timedelta(days=1)
    past = make.award(starts_on=yesterday - timedelta(days=365), ends_on=yesterday)
    current = make.award()
    revoked = make.award(starts_on=past.starts_on, ends_on=yesterday, status=AwardStatus.REVOKED)
    result = runner.invoke(args=["expire-awards"])
    assert result.exit_code == 0, result.output
    assert "1 award expired." in result.output
    for award in (past, current, revoked):
        db.refresh(award)
    assert past.status is AwardStatus.EXPIRED
    assert current.status is AwardStatus.ACTIVE
    assert revoked.status is AwardStatus.REVOKED
    [event] = db.scalars(select(AuditEvent).where(AuditEvent.action == "award.expired")).all()
    assert event.object_id == past.id and event.actor_id is None
    assert runner.invoke(args=["expire-awards"]).output.strip() == "0 awards expired."
    assert db.scalar(select(Award).where(Award.id == past.id)).status_on(date.today()) is (
        AwardStatus.EXPIRED
    )
