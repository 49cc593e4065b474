from __future__ import annotations

import html
import re
from datetime import UTC, datetime

import pytest

from nominee.audit import AuditEvent


@pytest.fixture
def events(make, db):
    """Three events by two actors on different days, plus a system one."""
    ada = make.organizer(display_name="Ada Organizer")
    bob = make.user(display_name="Bob Member", email="bob@example.org")

    def event(actor, action, object_type, object_id, day, **kw):
        created = datetime(2025, 3, day, 12, 0, tzinfo=UTC)
        db.add(
            AuditEvent(
                actor_id=actor.id if actor else None,
                action=action,
                object_type=object_type,
                object_id=object_id,
                created_at=created,
                **kw,
            )
        )

    event(ada, "nomination.decided", "nomination", 7, 1, after={"decision": "award"})
    event(
        ada,
        "nomination.decision_changed",
        "nomination",
        7,
        2,
        before={"decision": "award"},
        after={"decision": "decline"},
    )
    event(bob, "endorsement.created", "endorsement", 3, 3)
    event(None, "award.expired", "award", 9, 4, before={"status": "active"})
    db.flush()
    return ada, bob


def listed(response) -> list[str]:
    """The actions shown, in page order."""
    text = response.text
    found = []
    for action in (
        "nomination.decided",
        "nomination.decision_changed",
        "endorsement.created",
        "award.expired",
    ):
        marker = f"<code>{action}</code>"
        if marker in text:
            found.append((text.index(marker), action))
    return [action for _, action in sorted(found)]


@pytest.mark.parametrize("role", ["member", "reviewer"])
def test_audit_log_is_for_organizers(client, auth, make, role):
    auth.login(make.user() if role == "member" else make.reviewer())
    assert client.get("/admin/audit").status_code == 403


def test_audit_log_needs_login(client):
    response = client.get("/admin/audit")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_newest_first_with_before_and_after(client, auth, events):
    ada, _ = events
    auth.login(ada)
    page = client.get("/admin/audit?date_to=2025-03-31")
    assert page.status_code == 200
    assert listed(page) == [
        "award.expired",
        "endorsement.created",
        "nomination.decision_changed",
        "nomination.decided",
    ]
    assert "<dt>decision</dt><dd>award</dd>" in page.text
    assert "<dt>decision</dt><dd>decline</dd>" in page.text
    assert "System" in page.text
    assert "nomination #7" in page.text


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("actor=ada", ["nomination.decision_changed", "nomination.decided"]),
        ("actor=organizer", ["nomination.decision_changed", "nomination.decided"]),
        ("actor=BOB", ["endorsement.created"]),
        ("actor=Bob@Example.org", ["endorsement.created"]),
        ("actor=bob@example", []),
        ("actor=%25", []),
        ("action=nomination.decided", ["nomination.decided"]),
        ("object_type=award", ["award.expired"]),
        (
            "object_type=nomination&object_id=7",
            ["nomination.decision_changed", "nomination.decided"],
        ),
        (
            "date_from=2025-03-02&date_to=2025-03-03",
            ["endorsement.created", "nomination.decision_changed"],
        ),
        ("date_to=2025-03-01", ["nomination.decided"]),
        ("actor=ada&action=nomination.decided&date_to=2025-03-31", ["nomination.decided"]),
    ],
)
def test_filters(client, auth, events, query, expected):
    ada, _ = events
    auth.login(ada)
    page = client.get(f"/admin/audit?{query}")
    assert page.status_code == 200
    assert listed(page) == expected


def test_filter_by_actor_id(client, auth, events):
    ada, bob = events
    auth.login(ada)
    assert listed(client.get(f"/admin/audit?actor={bob.id}")) == ["endorsement.created"]


def test_bad_dates_are_refused_next_to_the_field(client, auth, events):
    ada, _ = events
    auth.login(ada)
    page = client.get("/admin/audit?date_from=2025-03-05&date_to=2025-03-01")
    assert page.status_code == 400
    assert 'id="date_to-error"' in page.text
    assert "The end date is before the start date." in page.text
    assert listed(page) == []
    assert client.get("/admin/audit?date_from=yesterday").status_code == 400


def test_actor_search_matching_too_many_accounts_asks_for_more(client, auth, make, events):
    ada, _ = events
    for n in range(51):
        make.user(display_name=f"Common Name {n}")
    auth.login(ada)
    page = client.get("/admin/audit?actor=common")
    assert page.status_code == 400
    assert "More than 50 accounts match" in page.text
    assert client.get("/admin/audit?actor=common name 7").status_code == 200


def test_pagination_keeps_the_filters(app, client, auth, make, db):
    """Keyset windows: older continues below the last event shown, newer above the first."""
    organizer = make.organizer()
    for n in range(app.config["PER_PAGE"] + 5):
        db.add(
            AuditEvent(
                actor_id=organizer.id, action="cycle.updated", object_type="cycle", object_id=n + 1
            )
        )
    db.flush()
    auth.login(organizer)
    first = client.get("/admin/audit?action=cycle.updated")
    assert first.text.count("<code>cycle.updated</code>") == app.config["PER_PAGE"]
    assert "Older events" in first.text and "Newer events" not in first.text
    older = re.search(r'href="([^"]*older=[^"]*)" rel="next"', first.text).group(1)
    assert "action=cycle.updated" in older and "page=" not in older
    second = client.get(html.unescape(older))
    assert second.text.count("<code>cycle.updated</code>") == 5
    assert "Newer events" in second.text and "Older events" not in second.text
    newer = re.search(r'href="([^"]*newer=[^"]*)" rel="prev"', second.text).group(1)
    back = client.get(html.unescape(newer))
    assert back.text.count("<code>cycle.updated</code>") == app.config["PER_PAGE"]
    assert "Newer events" not in back.text and "Older events" in back.text
    beyond = client.get("/admin/audit?action=cycle.updated&older=2000-01-01T00:00:00%2B00:00_1")
    assert "No older events" in beyond.text
    # A cursor that is not one shows the newest events, never an error.
    for bad in ("x", "2025-13-01_1", "2025-01-01_x", "_", "9" * 80):
        assert client.get(f"/admin/audit?older={bad}").status_code == 200
