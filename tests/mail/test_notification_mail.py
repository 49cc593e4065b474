"""Email for notifications: each kind's message (both parts, recipient, absolute links
that work when followed, unsubscribe headers), per the member's preference."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from nominee.cycles.models import CycleStatus
from nominee.mail import transport
from nominee.mail.notifications import notification_mail
from nominee.mail.settings import parse_mail_url
from nominee.nominations.models import Decision, NominationKind, NominationStatus
from nominee.notifications.kinds import MailMode
from nominee.notifications.services import notify
from nominee.preferences import queries as preference_queries
from nominee.preferences import services as preferences
from tests.mailbox import BASE_URL, mail_context, parts, path_of, unsubscribe_path
from tests.security.helpers import client_for

LINK = re.compile(r"https://nominee\.example/\S+")


@pytest.fixture
def world(make, db):
    """A member with a peer nomination to answer, a contribution, a decided nomination
    of a published cycle with feedback, an award; a reviewer appointed to a cycle."""
    nominee = make.user(display_name="Nina Nominee")
    nominator = make.user(display_name="Paul Peer")
    reviewer = make.reviewer(display_name="Rita Reviewer")
    open_cycle = make.cycle(name="Spring", nominations_close_on=date.today() + timedelta(days=9))
    awaiting = make.nomination(
        open_cycle,
        nominee,
        kind=NominationKind.PEER,
        nominator=nominator,
        status=NominationStatus.AWAITING_ACCEPTANCE,
    )
    talk = make.contribution(nominee, title="Window functions")
    published = make.cycle(name="Autumn", status=CycleStatus.PUBLISHED)
    decided = make.nomination(
        published,
        nominee,
        kind=NominationKind.PEER,
        nominator=nominator,
        status=NominationStatus.DECLINED,
        decision=Decision.DECLINE,
        decision_feedback="Show more of your mentoring next time.",
    )
    make.review(decided, reviewer, nominee_feedback="Your talks were clear.")
    award = make.award(decided, verification_id="v-abc")
    review_cycle = make.cycle(
        name="Winter",
        status=CycleStatus.IN_REVIEW,
        nominations_open_on=date.today() - timedelta(days=30),
        nominations_close_on=date.today() - timedelta(days=1),
        review_close_on=date(2031, 1, 10),
    )
    make.appointment(review_cycle, reviewer)
    db.flush()
    return {
        "nominee": nominee,
        "nominator": nominator,
        "reviewer": reviewer,
        "awaiting": awaiting,
        "talk": talk,
        "decided": decided,
        "award": award,
        "review_cycle": review_cycle,
    }


def _about(nomination):
    return {
        "nomination_id": nomination.id,
        "category": nomination.category.name,
        "cycle": nomination.cycle.name,
    }


# (kind, recipient, parameters from the world, what the message must say)
CASES = [
    ("nominated", "nominee", lambda w: {**_about(w["awaiting"]), "nominator": "Paul Peer"},
     ["Paul Peer nominated you", "Answer by"]),
    ("nomination_accepted", "nominator",
     lambda w: {**_about(w["awaiting"]), "nominee": "Nina Nominee"}, ["accepted"]),
    ("nomination_declined", "nominator",
     lambda w: {**_about(w["awaiting"]), "nominee": "Nina Nominee", "reason": ""}, ["declined"]),
    ("nomination_withdrawn", "nominator",
     lambda w: {**_about(w["awaiting"]), "withdrawn_by": "Nina Nominee", "reason": "Later."},
     ["withdrew", "Later."]),
    ("nomination_lapsed", "nominator",
     lambda w: {**_about(w["awaiting"]), "nominee": "Nina Nominee", "recipient": "nominator"},
     ["lapsed"]),
    ("endorsed", "nominee",
     lambda w: {"contribution_id": w["talk"].id, "title": "Window functions", "endorser": "Bo"},
     ["Bo endorsed"]),
    ("award.granted", "nominee",
     lambda w: {"award_id": w["award"].id, "verification_id": "v-abc", "category": "Data",
                "cycle": "Autumn"},
     ["Congratulations", "Show more of your mentoring", "Your talks were clear."]),
    ("results.published", "nominee",
     lambda w: {"nomination_id": w["decided"].id, "cycle": "Autumn", "nominee": "Nina Nominee",
                "recipient": "nominee"},
     ["Not awarded", "Show more of your mentoring", "Your talks were clear."]),
    ("results.published", "nominator",
     lambda w: {"nomination_id": w["decided"].id, "cycle": "Autumn", "nominee": "Nina Nominee",
                "recipient": "nominator"},
     ["Not awarded"]),
    ("award.renewal", "nominee",
     lambda w: {**_about(w["decided"]), "award_id": w["award"].id, "ends_on": "2031-06-30",
                "evidence_count": 2, "stage": "up_for_renewal"},
     ["up for renewal"]),
    ("award.revoked", "nominee",
     lambda w: {"award_id": w["award"].id, "verification_id": "v-abc", "category": "Data",
                "cycle": "Autumn", "reason": "Plagiarised talks."},
     ["revoked: Plagiarised talks."]),
    ("reviewer.appointed", "reviewer",
     lambda w: {"cycle_id": w["review_cycle"].id, "cycle": "Winter", "scope": "",
                "review_close_on": w["review_cycle"].review_close_on},
     ["reviewer of all of Winter", "Reviews due by", "10 Jan 2031"]),
    ("reviewer.assigned", "reviewer",
     lambda w: {"cycle_id": w["review_cycle"].id, "cycle": "Winter", "count": 4,
                "review_close_on": w["review_cycle"].review_close_on},
     ["4 nominations of Winter", "10 Jan 2031"]),
]  # fmt: skip
IDS = [f"{kind}-{recipient}" for kind, recipient, _, _ in CASES]


@pytest.mark.parametrize(("kind", "recipient", "params", "says"), CASES, ids=IDS)
def test_each_kind_mails_its_member_with_links_that_work(
    app, db, world, kind, recipient, params, says
):
    member = world[recipient]
    preferences.set_modes(db, member, {kind: MailMode.IMMEDIATE})
    notification = notify(db, member.id, kind, **params(world))
    db.commit()

    [message] = notification_mail(
        db, {"notification_id": notification.id}, context=mail_context(app)
    )

    assert message["To"].addresses[0].addr_spec == member.email
    assert message["Subject"]
    text, html = parts(message)
    for words in says:
        assert words in text, words
        assert words in html.replace("&#39;", "'"), words
    assert "<a href" not in text and html.startswith("<!DOCTYPE html>")
    links = LINK.findall(text)
    assert links, text
    for link in links:
        assert f'href="{link}"' in html
    # Every link works for the member, logged in: the pages, and the unsubscribe page.
    client = client_for(app, member)
    for link in links:
        assert client.get(path_of(link)).status_code == 200, link
    assert message["List-Unsubscribe"].startswith(f"<{BASE_URL}/unsubscribe/")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_the_peer_nomination_links_to_the_accept_page_and_says_the_deadline(app, db, world):
    nomination = world["awaiting"]
    notification = notify(
        db, world["nominee"].id, "nominated", **_about(nomination), nominator="Paul Peer"
    )
    [message] = notification_mail(
        db, {"notification_id": notification.id}, context=mail_context(app)
    )
    text, _ = parts(message)
    assert message["Subject"] == "Paul Peer nominated you for " + nomination.category.name
    assert f"{BASE_URL}/nominations/{nomination.id}/accept" in text
    close = nomination.cycle.nominations_close_on
    assert f"Answer by: {close.day} {close:%b %Y}, when nominations close" in text


def test_the_nominator_does_not_get_the_nominees_feedback(app, db, world):
    notification = notify(
        db, world["nominator"].id, "results.published",
        nomination_id=world["decided"].id, cycle="Autumn", nominee="Nina Nominee",
        recipient="nominator",
    )  # fmt: skip
    [message] = notification_mail(
        db, {"notification_id": notification.id}, context=mail_context(app)
    )
    text, html = parts(message)
    assert "mentoring" not in text and "Your talks" not in html


def test_digest_and_off_give_no_message_here(app, db, world):
    member = world["nominee"]
    params = {"contribution_id": world["talk"].id, "title": "T", "endorser": "Bo"}
    # Endorsements go to the daily digest by default.
    assert preference_queries.mode_of(db, member.id, "endorsed") is MailMode.DIGEST
    endorsed = notify(db, member.id, "endorsed", **params)
    assert notification_mail(db, {"notification_id": endorsed.id}, context=mail_context(app)) == []
    preferences.set_modes(db, member, {"endorsed": MailMode.OFF})
    assert notification_mail(db, {"notification_id": endorsed.id}, context=mail_context(app)) == []


def test_a_deactivated_member_or_a_deleted_notification_gives_no_message(app, db, world):
    member = world["nominator"]
    params = {**_about(world["awaiting"]), "nominee": "Nina Nominee"}
    notification = notify(db, member.id, "nomination_accepted", **params)
    context = mail_context(app)
    assert notification_mail(db, {"notification_id": notification.id + 1000}, context=context) == []
    member.is_active_account = False
    assert notification_mail(db, {"notification_id": notification.id}, context=context) == []


def test_one_click_unsubscribe_turns_the_kind_off_and_later_ones_send_nothing(app, db, world):
    member = world["nominator"]
    params = {**_about(world["awaiting"]), "nominee": "Nina Nominee"}
    first = notify(db, member.id, "nomination_accepted", **params)
    db.commit()
    [message] = notification_mail(db, {"notification_id": first.id}, context=mail_context(app))
    path = unsubscribe_path(message)

    client = app.test_client()  # a mail client: no login, no cookie, no CSRF token
    asking = client.get(path)
    assert asking.status_code == 200 and "Stop emails for" in asking.text
    assert preference_queries.mode_of(db, member.id, "nomination_accepted") is MailMode.IMMEDIATE
    for _ in range(2):  # idempotent: the second click answers the same
        done = client.post(path, data={"List-Unsubscribe": "One-Click"})
        assert done.status_code == 200 and "You will no longer receive" in done.text
    db.expire_all()
    assert preference_queries.mode_of(db, member.id, "nomination_accepted") is MailMode.OFF

    later = notify(db, member.id, "nomination_accepted", **params)
    assert notification_mail(db, {"notification_id": later.id}, context=mail_context(app)) == []
    # Other kinds still come.
    declined = notify(db, member.id, "nomination_declined", **params, reason="")
    assert (
        len(notification_mail(db, {"notification_id": declined.id}, context=mail_context(app))) == 1
    )


def test_a_forged_or_mangled_unsubscribe_link_changes_nothing(app, client):
    assert client.get("/unsubscribe/not-a-token").status_code == 404
    assert client.post("/unsubscribe/not-a-token").status_code == 404


def test_the_message_reaches_a_real_smtp_server(app, db, world, smtp_server, tmp_path):
    member = world["nominator"]
    notification = notify(
        db, member.id, "nomination_declined", **_about(world["awaiting"]), nominee="Nina", reason=""
    )
    [message] = notification_mail(
        db, {"notification_id": notification.id}, context=mail_context(app)
    )
    context = mail_context(app)
    settings = type(context.settings)(
        sender=context.settings.sender, base_url=BASE_URL,
        url=parse_mail_url(smtp_server.url()), timeout=5, folder=tmp_path,
    )  # fmt: skip
    transport.send(settings, message)
    [received] = smtp_server.received
    assert received.recipients == [member.email]
    assert received.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "Nina declined your nomination" in received.text()
    assert "Nina declined your nomination" in received.html()


def test_the_jobs_give_the_running_apps_context(app):
    from nominee.jobs.handlers import mail_context

    with app.app_context():
        context = mail_context()
        link = context.link_for("nominations.show", {"nomination_id": 7})
    assert context.secret == app.config["SECRET_KEY"]
    assert context.settings.base_url == app.config["BASE_URL"].rstrip("/")
    assert link == f"{context.settings.base_url}/nominations/7"
