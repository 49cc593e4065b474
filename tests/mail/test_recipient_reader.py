"""Mail reads as its recipient does: their language and their time zone, whoever's
request or job writes it (issue 20: "emails use the recipient's zone")."""

from __future__ import annotations

from datetime import UTC, date, datetime

from nominee import i18n
from nominee.cycles.models import CycleStatus
from nominee.mail.account import messages_for
from nominee.mail.digest import daily_digest
from nominee.mail.notifications import notification_mail
from nominee.mail.settings import MailSettings
from nominee.nominations.models import NominationKind, NominationStatus
from nominee.notifications.kinds import MailMode
from nominee.notifications.services import notify
from nominee.preferences import services as preferences
from tests.mailbox import mail_context, parts

SETTINGS = MailSettings(
    sender="Nominee <nominee@nominee.example>", base_url="https://nominee.example"
)
CHANGED_AT = datetime(2026, 11, 30, 17, 45, tzinfo=UTC)


def _security_notice(db, user) -> str:
    payload = {
        "user_id": user.id,
        "template": "security_notice",
        "params": {
            "change": "password",
            "changed_at": CHANGED_AT.isoformat(),
            "reset_link": "/password/forgot",
        },
    }
    (message,) = messages_for(SETTINGS, db, payload)
    return parts(message)[0]


def test_account_mail_gives_the_time_in_the_recipient_s_zone(make, db):
    madrid = make.user(language="es", time_zone="Europe/Madrid")
    tokyo = make.user(language="en", time_zone="Asia/Tokyo")
    unset = make.user()
    assert "30 nov 2026, 18:45 CET" in _security_notice(db, madrid)
    assert "1 Dec 2026, 02:45 JST" in _security_notice(db, tokyo)
    # No zone chosen: the programme's (UTC in the tests), in English.
    assert "30 Nov 2026, 17:45 UTC" in _security_notice(db, unset)


def test_the_reader_of_the_request_does_not_leak_into_mail(make, db):
    madrid = make.user(language="es", time_zone="Europe/Madrid")
    with i18n.reading("en", "America/New_York"):
        text = _security_notice(db, madrid)
        assert i18n.current().time_zone == "America/New_York"  # given back after
    assert "18:45 CET" in text


def _nominated(make, db, member):
    cycle = make.cycle(
        name="Invierno",
        status=CycleStatus.OPEN,
        nominations_open_on=date(2026, 11, 1),
        nominations_close_on=date(2026, 11, 30),
    )
    nominator = make.user(display_name="Paul Peer")
    nomination = make.nomination(
        cycle,
        member,
        kind=NominationKind.PEER,
        nominator=nominator,
        status=NominationStatus.AWAITING_ACCEPTANCE,
    )
    return notify(
        db,
        member.id,
        "nominated",
        nomination_id=nomination.id,
        category=nomination.category.name,
        cycle=cycle.name,
        nominator="Paul Peer",
    )


def test_a_spanish_member_s_notification_mail_has_spanish_dates(app, make, db):
    nina = make.user(display_name="Nina", language="es", time_zone="Europe/Madrid")
    preferences.set_modes(db, nina, {"nominated": MailMode.IMMEDIATE})
    notification = _nominated(make, db, nina)
    db.flush()
    (message,) = notification_mail(
        db, {"notification_id": notification.id}, context=mail_context(app)
    )
    text, html = parts(message)
    assert "30 nov 2026" in text and "30 nov 2026" in html  # Spanish month, lower case
    assert "30 Nov 2026" not in text


def test_the_digest_is_written_as_its_member_reads(app, make, db, monkeypatch):
    nina = make.user(display_name="Nina", language="es", time_zone="Europe/Madrid")
    preferences.set_modes(db, nina, {"nominated": MailMode.DIGEST})
    _nominated(make, db, nina)
    db.flush()
    seen = []
    original = i18n.begin

    def spy(language, time_zone):
        seen.append((language, time_zone))
        return original(language, time_zone)

    monkeypatch.setattr(i18n, "begin", spy)
    message = daily_digest(db, nina.id, datetime(2000, 1, 1, tzinfo=UTC), context=mail_context(app))
    assert message is not None
    assert ("es", "Europe/Madrid") in seen
