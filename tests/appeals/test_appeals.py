"""Issue 15: a declined nominee appeals once, within the cycle's appeal period; an
organizer upholds (the award is created as publishing creates one) or dismisses; the
nominee is told in the app and by mail, and sees the status; all audited, in the CSV."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from nominee.appeals import services
from nominee.appeals.models import Appeal, AppealStatus
from nominee.audit import AuditEvent
from nominee.awards.models import Award
from nominee.cycles.models import CycleStatus
from nominee.errors import DomainError
from nominee.mail.notifications import notification_mail
from nominee.nominations.models import Decision, NominationStatus
from nominee.notifications.models import Notification
from tests.mailbox import mail_context, parts

PUBLISHED = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
STATEMENT = "My mentoring programme reached 40 newcomers; the panel missed its write-up."


@pytest.fixture
def login(client):
    def log_in(user):
        with client.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
        return user

    return log_in


@pytest.fixture
def declined(make, db, freeze_clock):
    """A declined nomination of a cycle published on 2 Nov 2026 (appeals: 14 days)."""
    freeze_clock(PUBLISHED + timedelta(days=3))
    cycle = make.cycle(
        name="Community Awards 2026",
        status=CycleStatus.PUBLISHED,
        nominations_open_on=date(2026, 6, 1),
        nominations_close_on=date(2026, 7, 31),
        review_close_on=date(2026, 10, 15),
        published_at=PUBLISHED,
    )
    nominee = make.user(display_name="Tomasz Nowak")
    nomination = make.nomination(
        cycle,
        nominee,
        status=NominationStatus.DECLINED,
        decision=Decision.DECLINE,
        decision_rationale="Too little evidence.",
    )
    db.flush()
    return nomination


def appeal_url(nomination) -> str:
    return f"/nominations/{nomination.id}/appeal"


def lodge(client, nomination, statement=STATEMENT):
    return client.post(appeal_url(nomination), data={"statement": statement})


def test_the_nominee_appeals_once_and_sees_its_status(client, login, db, declined):
    login(declined.nominee)
    page = client.get(f"/nominations/{declined.id}").text
    assert "Appeal this decision" in page and "Once, until 15 Nov 2026." in page
    assert lodge(client, declined).status_code == 302
    (appeal,) = db.scalars(select(Appeal)).all()
    assert appeal.status is AppealStatus.OPEN and appeal.statement == STATEMENT
    page = client.get(f"/nominations/{declined.id}").text
    assert "Appeal: open" in page and STATEMENT in page
    assert "Appeal this decision" not in page
    again = lodge(client, declined, "Another try, with a different and longer statement.")
    assert again.status_code == 403
    assert "appealed this decision already" in again.text
    assert len(db.scalars(select(Appeal)).all()) == 1
    (event,) = db.scalars(select(AuditEvent).where(AuditEvent.action == "appeal.lodged"))
    assert event.actor_id == declined.nominee_id and event.after["statement"] == STATEMENT


def test_the_statement_is_checked_next_to_the_field(client, login, db, declined):
    login(declined.nominee)
    short = lodge(client, declined, "Unfair.")
    assert short.status_code == 400 and "Between 20 and 4,000 characters." in short.text
    long = lodge(client, declined, "x" * 4001)
    assert long.status_code == 400 and "Between 20 and 4,000 characters." in long.text
    assert db.scalars(select(Appeal)).all() == []


def test_the_period_is_enforced(client, login, db, declined, freeze_clock):
    login(declined.nominee)
    freeze_clock(datetime(2026, 11, 15, 23, 0, tzinfo=UTC))  # the 14th day
    assert "Appeal this decision" in client.get(f"/nominations/{declined.id}").text
    freeze_clock(datetime(2026, 11, 16, 0, 30, tzinfo=UTC))
    assert "Appeal this decision" not in client.get(f"/nominations/{declined.id}").text
    late = lodge(client, declined)
    assert late.status_code == 403 and "The appeal period ended on 15 Nov 2026." in late.text
    with pytest.raises(DomainError, match="appeal period ended"):
        services.lodge(db, declined.nominee, declined, STATEMENT)
    assert db.scalars(select(Appeal)).all() == []


def test_a_cycle_without_appeals_and_undeclined_nominations_refuse(make, db, declined):
    declined.cycle.appeal_days = 0
    with pytest.raises(DomainError, match="takes no appeals"):
        services.lodge(db, declined.nominee, declined, STATEMENT)
    declined.cycle.appeal_days = 14
    awarded = make.nomination(
        declined.cycle, status=NominationStatus.AWARDED, decision=Decision.AWARD
    )
    with pytest.raises(DomainError, match="Only a declined nomination"):
        services.lodge(db, awarded.nominee, awarded, STATEMENT)


def test_nobody_else_appeals_or_sees_the_appeal(client, login, make, db, declined):
    login(make.user())
    assert client.get(appeal_url(declined)).status_code == 404
    assert lodge(client, declined).status_code == 404
    login(make.organizer())
    assert lodge(client, declined).status_code == 404
    assert db.scalars(select(Appeal)).all() == []
    appeal = services.lodge(db, declined.nominee, declined, STATEMENT)
    login(make.user())
    assert client.get(f"/appeals/{appeal.id}").status_code == 403
    assert client.post(f"/appeals/{appeal.id}", data={"outcome": "dismiss"}).status_code == 403


def test_uphold_creates_a_valid_award_and_tells_the_nominee(app, client, login, make, db, declined):
    appeal = services.lodge(db, declined.nominee, declined, STATEMENT)
    ana = login(make.organizer(display_name="Ana Ruiz"))
    home = client.get("/").text
    assert "1 open appeal" in home
    cycle_page = client.get(f"/cycles/{declined.cycle_id}").text
    assert f"/appeals/{appeal.id}" in cycle_page and "Tomasz Nowak" in cycle_page
    page = client.get(f"/appeals/{appeal.id}")
    assert page.status_code == 200 and STATEMENT in page.text
    missing = client.post(
        f"/appeals/{appeal.id}",
        data={"outcome": "uphold", "rationale": "", "response": "", "version": appeal.version},
    )
    assert missing.status_code == 400
    assert "Write your response to the nominee" in missing.text
    response = client.post(
        f"/appeals/{appeal.id}",
        data={
            "outcome": "uphold",
            "rationale": "The mentoring write-up shows sustained impact.",
            "response": "You are right: we missed the mentoring write-up.",
            "version": appeal.version,
        },
    )
    assert response.status_code == 302
    db.refresh(appeal)
    db.refresh(declined)
    assert appeal.status is AppealStatus.UPHELD and appeal.decided_by_id == ana.id
    assert declined.status is NominationStatus.AWARDED
    assert declined.decision is Decision.AWARD
    assert declined.decision_rationale == "The mentoring write-up shows sustained impact."
    award = db.scalar(select(Award).where(Award.nomination_id == declined.id))
    assert award.member_id == declined.nominee_id
    assert (award.starts_on, award.ends_on) == (
        declined.cycle.award_starts_on,
        declined.cycle.award_ends_on,
    )
    # The public page answers, for anybody.
    client.post("/logout")
    public = app.test_client().get(f"/awards/{award.verification_id}")
    assert public.status_code == 200 and "Tomasz Nowak" in public.text
    kinds = [
        n.kind
        for n in db.scalars(select(Notification).where(Notification.user_id == declined.nominee_id))
    ]
    assert kinds == ["award.granted", "appeal.answered"]
    answered = db.scalar(select(Notification).where(Notification.kind == "appeal.answered"))
    (message,) = notification_mail(db, {"notification_id": answered.id}, context=mail_context(app))
    text, _ = parts(message)
    assert "Your appeal is upheld" in message["Subject"]
    assert "You are right: we missed the mentoring write-up." in text
    actions = set(db.scalars(select(AuditEvent.action)))
    assert {"appeal.upheld", "award.created", "nomination.decision_changed"} <= actions
    # The nominee reads it on their nomination.
    login(declined.nominee)
    page = client.get(f"/nominations/{declined.id}").text
    assert "Appeal: upheld" in page and "we missed the mentoring write-up" in page


def test_dismiss_keeps_the_decision_tells_the_nominee_and_is_in_the_csv(
    app, client, login, make, db, declined
):
    appeal = services.lodge(db, declined.nominee, declined, STATEMENT)
    login(make.organizer())
    response = client.post(
        f"/appeals/{appeal.id}",
        data={
            "outcome": "dismiss",
            "response": "The panel read the write-up; the decision stands.",
            "version": appeal.version,
        },
    )
    assert response.status_code == 302
    db.refresh(appeal)
    assert appeal.status is AppealStatus.DISMISSED
    assert declined.status is NominationStatus.DECLINED
    assert db.scalars(select(Award)).all() == []
    answered = db.scalar(select(Notification).where(Notification.kind == "appeal.answered"))
    assert answered.user_id == declined.nominee_id
    assert answered.params["outcome"] == "dismissed"
    (message,) = notification_mail(db, {"notification_id": answered.id}, context=mail_context(app))
    assert "dismissed" in message["Subject"]
    again = client.post(
        f"/appeals/{appeal.id}",
        data={"outcome": "uphold", "rationale": "r", "response": "r", "version": appeal.version},
    )
    assert again.status_code == 409
    csv_text = client.get(f"/cycles/{declined.cycle_id}/export.csv").get_data(as_text=True)
    header, *rows = list(csv.reader(io.StringIO(csv_text)))
    row = dict(zip(header, rows[0], strict=True))
    assert row["Appeal"] == "dismissed"
    assert row["Appeal statement"] == STATEMENT
    assert row["Appeal response"] == "The panel read the write-up; the decision stands."
    (event,) = db.scalars(select(AuditEvent).where(AuditEvent.action == "appeal.dismissed"))
    assert event.after["response"] == "The panel read the write-up; the decision stands."


def test_a_conflicted_organizer_does_not_answer(client, login, make, db, declined):
    appeal = services.lodge(db, declined.nominee, declined, STATEMENT)
    nominator = make.organizer()
    declined.nominator_id = nominator.id
    db.flush()
    login(nominator)
    assert client.get(f"/appeals/{appeal.id}").status_code == 403
    assert (
        client.post(
            f"/appeals/{appeal.id}",
            data={"outcome": "dismiss", "response": "No.", "version": appeal.version},
        ).status_code
        == 403
    )
    db.refresh(appeal)
    assert appeal.status is AppealStatus.OPEN


def test_the_cycle_form_sets_the_period(client, login, make, db):
    cycle = make.cycle()
    login(make.organizer())
    page = client.get(f"/cycles/{cycle.id}/edit").text
    assert "Appeal period (days)" in page
