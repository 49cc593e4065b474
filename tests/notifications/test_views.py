from __future__ import annotations

from datetime import timedelta

from sqlalchemy import event, select

from nominee import clock
from nominee.notifications.models import Notification
from nominee.notifications.services import notify
from tests.factories import PASSWORD, shown


def login(app, user):
    client = app.test_client()
    client.post("/login", data={"email": user.email, "password": PASSWORD})
    return client


def test_unread_count_in_the_header(app, make):
    user = make.user()
    make.notification(user)
    make.notification(user)
    make.notification(user, read_at=clock.now())
    make.notification(make.user())
    page = login(app, user).get("/").text
    badge = '<span class="badge badge-count">2<span class="visually-hidden"> unread</span></span>'
    assert badge in page


def test_header_count_is_one_query_and_only_for_members(app, make, connection):
    user = make.user()
    make.notification(user)
    statements = []

    def count(conn, cursor, statement, *args):
        if "notifications" in statement:
            statements.append(statement)

    event.listen(connection.engine, "before_cursor_execute", count)
    try:
        app.test_client().get("/")
        assert statements == []
        client = login(app, user)
        client.get("/")
        assert len(statements) == 1 and "count(" in statements[0].lower()
    finally:
        event.remove(connection.engine, "before_cursor_execute", count)


def test_list_is_newest_first_paginated_and_own_only(app, make):
    app.config["PER_PAGE"] = 2
    user = make.user()
    now = clock.now()
    for i in range(3):
        make.notification(user, message=f"Message {i}", created_at=now + timedelta(minutes=i))
    make.notification(make.user(), message="Somebody else's")
    client = login(app, user)
    first = client.get("/notifications/").text
    assert first.index("Message 2") < first.index("Message 1")
    assert "Message 0" not in first and "Somebody else" not in first
    assert "Page 1 of 2" in first
    assert "Message 0" in client.get("/notifications/?page=2").text


def test_mark_one_read(app, make, db):
    user = make.user()
    note, other = make.notification(user), make.notification(user)
    client = login(app, user)
    assert client.post(f"/notifications/{note.id}/read").status_code == 302
    db.refresh(note)
    db.refresh(other)
    assert note.read_at is not None and other.read_at is None


def test_cannot_touch_someone_elses(app, make, db):
    note = make.notification(make.user())
    client = login(app, make.user())
    assert client.post(f"/notifications/{note.id}/read").status_code == 404
    assert client.post(f"/notifications/{note.id}/open").status_code == 404
    db.refresh(note)
    assert note.read_at is None


def test_mark_all_read(app, make, db):
    user, other = make.user(), make.user()
    mine = [make.notification(user) for _ in range(3)]
    theirs = make.notification(other)
    response = login(app, user).post("/notifications/read-all", follow_redirects=True)
    assert "3 notifications marked read." in response.text
    for note in [*mine, theirs]:
        db.refresh(note)
    assert all(n.read_at is not None for n in mine)
    assert theirs.read_at is None


def test_following_a_link_marks_it_read(app, make, db):
    user = make.user()
    note = make.notification(user, link="/nominations/mine")
    evil = make.notification(user, link="//evil.example/")
    client = login(app, user)
    response = client.post(f"/notifications/{note.id}/open")
    assert response.headers["Location"] == "/nominations/mine"
    assert client.post(f"/notifications/{evil.id}/open").headers["Location"] == "/notifications/"
    db.refresh(note)
    assert note.read_at is not None


def test_notify_is_the_one_way_in(db, make, app):
    """Outside any app or request: the row keeps its kind and parameters, and the page
    makes the sentence and the link."""
    user = make.user()
    note = notify(
        db, user.id, "nominated", nomination_id=7, nominator="Bob", category="Data", cycle="2026"
    )
    assert db.scalars(select(Notification)).all() == [note]
    assert note.params == {
        "nomination_id": 7,
        "nominator": "Bob",
        "category": "Data",
        "cycle": "2026",
    }
    assert shown(app, note) == (
        "Bob nominated you for Data in 2026. Accept it (and pick your evidence) or decline it.",
        "/nominations/7",
    )
    page = login(app, user).get("/notifications/").text
    assert "Bob nominated you for Data in 2026." in page


def test_anonymous_is_sent_to_login(client):
    response = client.get("/notifications/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
