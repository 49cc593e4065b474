"""The organizers' mail page says what each failed message is, in their words."""

from __future__ import annotations

from nominee import clock
from nominee.notifications.services import notify
from nominee.outbox.services import put


def test_failed_messages_are_named_for_organizers(client, auth, db, make):
    member = make.user()
    talk = make.contribution(member, title="Window functions")
    note = notify(
        db, member.id, "endorsed", contribution_id=talk.id, title=talk.title, endorser="Bo"
    )
    prepared = "Subject: Your Nominee digest: 2 new notifications\nTo: a@example.org\n\nHi\n"
    rows = [
        put(db, "mail.account", {"user_id": member.id, "template": "password_reset"}),
        put(db, "notification.created", {"notification_id": note.id}),
        put(db, "mail.prepared", {"to": "a@example.org", "message": prepared}),
    ]
    for row in rows:
        row.failed_at, row.last_error = clock.now(), "550 No such user"
    db.flush()
    auth.login(make.organizer())

    response = client.get("/admin/mail/")
    assert response.status_code == 200
    page = response.text

    assert "Password reset" in page
    assert "Notification: Someone endorses one of your contributions" in page
    assert "Your Nominee digest: 2 new notifications" in page
    assert "mail.account" not in page and "notification.created" not in page
