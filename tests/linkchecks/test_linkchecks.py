"""Evidence link checks: live nominations' evidence links are checked through the guard
(against a real link target on 127.0.0.1), recorded per URL, and a link answering 404/410
or failing twice a day apart is broken: its owner is told and sees it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from nominee import clock
from nominee.jobs.schedule import due_loop_step
from nominee.linkchecks import rules, services
from nominee.linkchecks.models import LinkCheck
from nominee.linkchecks.rules import Outcome, State, judge
from nominee.mail.settings import MailSettings
from nominee.nominations.models import NominationStatus
from nominee.notifications.models import Notification
from nominee.outbox import sender
from nominee.outbox.models import OutboxMessage
from tests.queries import count_queries
from tests.webserver import Reply, WebServer

T0 = datetime(2027, 1, 3, 9, 0, tzinfo=UTC)
FRESH = State(None, 0, None)


@pytest.mark.parametrize(
    ("status", "broken"), [(404, True), (410, True), (500, False), (None, False), (200, False)]
)
def test_one_check(status, broken):
    after = judge(FRESH, Outcome(status, None if status == 200 else "x"), T0)
    assert (after.broken_since == T0) is broken


@pytest.mark.parametrize("status", [200, 204, 301, 401, 403, 429])
def test_answers_that_are_not_failures(status):
    assert judge(State(T0, 1, None), Outcome(status), T0 + timedelta(days=2)) == FRESH


def test_failing_twice_a_day_apart_breaks_since_the_first_failure():
    first = judge(FRESH, Outcome(None, "timeout"), T0)
    assert first == State(T0, 1, None)
    same_day = judge(first, Outcome(503), T0 + timedelta(hours=5))
    assert same_day.broken_since is None and same_day.failures == 2
    next_day = judge(same_day, Outcome(None, "timeout"), T0 + timedelta(days=1))
    assert next_day.broken_since == T0
    assert judge(next_day, Outcome(200), T0 + timedelta(days=2)) == FRESH


@pytest.fixture
def target():
    routes = {
        "/ok": Reply(200, b"<html>talk</html>"),
        "/gone": Reply(404, b"not here"),
        "/removed": Reply(410),
        "/moved": Reply(301, headers={"Location": "/ok"}),
        "/down": Reply(503),
        "/private": Reply(302, headers={"Location": "http://10.0.0.1/admin"}),
        "/big": Reply(200, b"x" * 5_000_000),
    }
    with WebServer(routes) as server:
        yield server


@pytest.fixture
def links_app(app):
    app.config["OUTBOUND_ALLOW_HOSTS"] = ["127.0.0.1"]
    return app


@pytest.fixture
def member(make):
    return make.user(display_name="Ada")


def nominated(make, member, urls, status=NominationStatus.SUBMITTED):
    contributions = [
        make.contribution(member, url=url, title=f"Talk {i}") for i, url in enumerate(urls)
    ]
    nomination = make.nomination(make.cycle(), member, status=status)
    make.evidence(nomination, contributions)
    return contributions


def checks(db) -> dict[str, LinkCheck]:
    db.expire_all()
    return {row.url: row for row in db.scalars(select(LinkCheck))}


def broken_notifications(db, user) -> list[Notification]:
    return list(
        db.scalars(
            select(Notification).where(
                Notification.user_id == user.id, Notification.kind == "link_broken"
            )
        )
    )


def drain(app) -> sender.Report:
    with app.app_context():
        return sender.drain(
            app.extensions["nominee.sessionmaker"],
            MailSettings.from_config(app.config),
            sender.Policy.from_config(app.config),
        )


def test_the_command_checks_live_evidence_links(links_app, runner, make, db, member, target):
    paths = ["/ok", "/gone", "/removed", "/moved", "/down", "/private", "/big"]
    nominated(make, member, [target.url(p) for p in paths])
    not_evidence = make.contribution(member, url=target.url("/ok?alone"))
    decided = nominated(make, member, [target.url("/ok?decided")], NominationStatus.AWARDED)
    db.commit()

    result = runner.invoke(args=["check-links"])
    assert result.exit_code == 0, result.output
    assert result.output == "Checked 7 links; 2 newly broken.\n"
    found = checks(db)
    assert not_evidence.url not in found and decided[0].url not in found
    ok, gone, removed = (found[target.url(p)] for p in ("/ok", "/gone", "/removed"))
    assert (ok.status_code, ok.broken, ok.ok_at is not None) == (200, False, True)
    assert (gone.status_code, gone.broken, gone.error) == (404, True, "The page answered 404.")
    assert removed.broken
    moved = found[target.url("/moved")]
    assert (moved.status_code, moved.final_url, moved.broken) == (200, target.url("/ok"), False)
    down = found[target.url("/down")]
    assert (down.status_code, down.failures, down.broken) == (503, 1, False)
    private = found[target.url("/private")]
    assert private.status_code is None and private.error.startswith("Refused: 10.0.0.1")
    assert not found[target.url("/big")].broken  # the body is not read

    notes = broken_notifications(db, member)
    assert sorted(n.params["title"] for n in notes) == ["Talk 1", "Talk 2"]

    again = runner.invoke(args=["check-links"])
    assert again.output == "Checked 0 links; 0 newly broken.\n"  # checked today


def test_a_link_failing_a_day_later_is_broken_and_told_once(
    links_app, runner, make, db, member, target, freeze_clock
):
    [contribution] = nominated(make, member, [target.url("/down")])
    db.commit()
    runner.invoke(args=["check-links"])
    freeze_clock(clock.now() + timedelta(days=1))
    assert runner.invoke(args=["check-links"]).output == "Checked 1 links; 1 newly broken.\n"
    row = checks(db)[contribution.url]
    assert row.broken and row.failures == 2
    freeze_clock(clock.now() + timedelta(days=1))
    runner.invoke(args=["check-links"])
    assert len(broken_notifications(db, member)) == 1
    target.routes["/down"] = Reply(200)
    freeze_clock(clock.now() + timedelta(days=1))
    runner.invoke(args=["check-links"])
    row = checks(db)[contribution.url]
    assert not row.broken and row.failures == 0 and row.notified_at is None


def test_the_command_checks_given_links(links_app, runner, target):
    result = runner.invoke(args=["check-links", "--url", target.url("/gone")])
    assert result.output.startswith(f"{target.url('/gone')}: 404 (broken since ")


def test_without_the_allow_list_local_links_are_refused(app, runner, make, db, member, target):
    [contribution] = nominated(make, member, [target.url("/ok")])
    db.commit()
    runner.invoke(args=["check-links"])
    row = checks(db)[contribution.url]
    assert row.error == "Refused: 127.0.0.1 is a loopback address"
    assert target.received == []


def test_the_scheduler_runs_the_checks_daily_as_a_job(
    links_app, make, db, member, target, freeze_clock
):
    freeze_clock(datetime(2027, 1, 3, 2, 0, tzinfo=UTC))
    [contribution] = nominated(make, member, [target.url("/gone")])
    db.commit()
    assert "link-checks:2027-01-03" in due_loop_step(links_app)
    assert "link-checks:2027-01-03" not in due_loop_step(links_app)
    assert db.scalar(select(OutboxMessage).where(OutboxMessage.topic == services.RUN_TOPIC))
    drain(links_app)
    assert checks(db)[contribution.url].broken_since == datetime(2027, 1, 3, 2, 0, tzinfo=UTC)


def test_the_owner_asks_for_a_check_and_sees_the_result(
    links_app, client, auth, make, db, member, target
):
    contribution = make.contribution(member, url=target.url("/gone"), title="My talk")
    db.commit()
    auth.login(member)
    page = client.get(f"/contributions/{contribution.id}").text
    assert "Check the link now" in page and "Link checked" not in page
    answer = client.post(f"/contributions/{contribution.id}/check-link")
    assert answer.status_code == 302
    drain(links_app)
    page = client.get(f"/contributions/{contribution.id}").text
    assert "Link broken since" in page and "The page answered 404." in page
    [note] = broken_notifications(db, member)
    assert note.params["contribution_id"] == contribution.id
    assert "is broken since" in client.get("/notifications/").text

    target.routes["/gone"] = Reply(200)
    client.post(f"/contributions/{contribution.id}/check-link")
    drain(links_app)
    page = client.get(f"/contributions/{contribution.id}").text
    assert "Link broken" not in page and "it answered 200" in page


def test_others_neither_ask_nor_see(links_app, client, auth, make, db, member, target):
    contribution = make.contribution(member, url=target.url("/gone"))
    services.record(db, contribution.url, Outcome(404, "The page answered 404."), None, clock.now())
    other = make.user()
    db.commit()
    auth.login(other)
    assert client.post(f"/contributions/{contribution.id}/check-link").status_code == 403
    page = client.get(f"/contributions/{contribution.id}").text
    assert "Link broken" not in page and "Check the link now" not in page
    no_link = make.contribution(member, url=None)
    db.commit()
    auth.login(member)
    assert client.post(f"/contributions/{no_link.id}/check-link").status_code == 403
    assert db.scalar(select(OutboxMessage).where(OutboxMessage.topic == services.URL_TOPIC)) is None


def test_url_hash_is_stable():
    assert rules.url_hash("https://a.example/") == rules.url_hash("https://a.example/")


def test_the_owners_contribution_page_stays_in_budget(client, make, db, member, connection):
    contribution = make.contribution(member, url="https://blog.example.org/post")
    for _ in range(3):
        make.endorsement(contribution)
    services.record(db, contribution.url, Outcome(200), None, clock.now())
    db.commit()
    with client.session_transaction() as session:
        session["_user_id"] = member.get_id()
        session["_fresh"] = True
    client.get(f"/contributions/{contribution.id}")
    with count_queries(connection) as statements:
        page = client.get(f"/contributions/{contribution.id}")
    assert "Link checked" in page.text
    assert len(statements) <= 10, statements
