"""The daily digest: notifications of digest kinds since the last digest, once a day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from nominee import clock
from nominee.mail.digest import daily_digest, due_digests, send_digests
from nominee.notifications.kinds import MailMode
from nominee.notifications.services import notify
from nominee.preferences import services as preferences
from nominee.preferences.models import MailDigest
from tests.mailbox import mail_context, parts, path_of, unsubscribe_path
from tests.security.helpers import client_for

MORNING = datetime(2031, 3, 2, 7, 0, tzinfo=UTC)


def _endorse(db, member, contribution, endorser, at):
    with clock.as_of(at):
        return notify(
            db, member.id, "endorsed",
            contribution_id=contribution.id, title=contribution.title, endorser=endorser,
        )  # fmt: skip


def test_digest_collects_digest_kinds_since_the_last_one_and_is_idempotent(app, db, make):
    member = make.user(display_name="Nina")
    other = make.user()
    talk = make.contribution(member, title="Window functions")
    _endorse(db, member, talk, "Bo", MORNING - timedelta(hours=5))
    _endorse(db, member, talk, "Cy", MORNING - timedelta(hours=2))
    _endorse(db, member, talk, "Old", MORNING - timedelta(days=3))  # before the first window
    with clock.as_of(MORNING - timedelta(hours=1)):  # immediate kind: not in the digest
        notify(db, member.id, "award.revoked", award_id=1, verification_id="v", category="C",
               cycle="S", reason="R")  # fmt: skip
    assert due_digests(db, MORNING) == [member.id]

    sent = []
    assert send_digests(db, MORNING, sent.append, context=mail_context(app)) == 1
    [message] = sent
    assert message["To"].addresses[0].addr_spec == member.email
    assert message["Subject"] == "Your Nominee digest: 2 new notifications"
    text, html = parts(message)
    assert "Bo endorsed" in text and "Cy endorsed" in text and "Cy endorsed" in html
    assert "Old endorsed" not in text and "revoked" not in text
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    client = client_for(app, member)
    talk_link = next(line.strip() for line in text.splitlines() if "/contributions/" in line)
    assert client.get(path_of(talk_link)).status_code == 200
    assert db.get(MailDigest, member.id).last_digest_at == MORNING

    # Later the same day: nothing due, nothing sent, even with something new.
    _endorse(db, member, talk, "Di", MORNING + timedelta(hours=1))
    assert due_digests(db, MORNING + timedelta(hours=3)) == []
    assert (
        send_digests(db, MORNING + timedelta(hours=3), sent.append, context=mail_context(app)) == 0
    )
    assert len(sent) == 1

    # The next day: only what came since the last digest.
    tomorrow = MORNING + timedelta(days=1)
    assert send_digests(db, tomorrow, sent.append, context=mail_context(app)) == 1
    text, _ = parts(sent[-1])
    assert "Di endorsed" in text and "Bo endorsed" not in text
    assert sent[-1]["Subject"] == "Your Nominee digest: 1 new notification"
    assert other.id not in due_digests(db, tomorrow + timedelta(days=1))


def test_nothing_in_digest_mode_means_no_digest(app, db, make):
    member = make.user()
    talk = make.contribution(member)
    preferences.set_modes(db, member, {"endorsed": MailMode.IMMEDIATE})
    _endorse(db, member, talk, "Bo", MORNING - timedelta(hours=1))
    assert due_digests(db, MORNING) == []
    assert (
        daily_digest(db, member.id, MORNING - timedelta(days=1), context=mail_context(app)) is None
    )


def test_a_kind_moved_to_the_digest_is_collected(app, db, make):
    member = make.user()
    preferences.set_modes(db, member, {"nomination_accepted": MailMode.DIGEST})
    with clock.as_of(MORNING - timedelta(hours=1)):
        notify(db, member.id, "nomination_accepted", nomination_id=1, category="Data",
               cycle="Spring", nominee="Grace")  # fmt: skip
    message = daily_digest(
        db, member.id, MORNING - timedelta(days=1), until=MORNING, context=mail_context(app)
    )
    assert "Grace accepted your nomination" in parts(message)[0]


def test_the_digest_unsubscribe_link_stops_every_digest_kind(app, db, make):
    member = make.user()
    talk = make.contribution(member)
    preferences.set_modes(db, member, {"nomination_accepted": MailMode.DIGEST})
    _endorse(db, member, talk, "Bo", MORNING - timedelta(hours=1))
    db.commit()
    message = daily_digest(db, member.id, MORNING - timedelta(days=1), context=mail_context(app))
    path = unsubscribe_path(message)
    client = app.test_client()
    assert "Stop the daily digest?" in client.get(path).text
    assert client.post(path, data={"List-Unsubscribe": "One-Click"}).status_code == 200
    db.expire_all()
    assert due_digests(db, MORNING) == []
    from nominee.preferences.queries import modes

    chosen = modes(db, member.id)
    assert chosen["endorsed"] is MailMode.OFF and chosen["nomination_accepted"] is MailMode.OFF
    assert chosen["nominated"] is MailMode.IMMEDIATE
