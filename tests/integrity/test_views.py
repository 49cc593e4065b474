"""What reviewers and organizers see: the dashboard's column and filter, the review
page's section, the decisions pages, the export and the organizers' page."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import select

from nominee.audit import AuditEvent
from nominee.cycles.models import CycleStatus
from nominee.integrity import services
from nominee.integrity.models import IntegrityResult, Verdict
from nominee.nominations.models import NominationStatus
from tests.integrity.conftest import NOW


@pytest.fixture
def login(client):
    def log_in(user):
        with client.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
        return user

    return log_in


@pytest.fixture
def panel(make, db, scene):
    """A cycle in review with the ring's Alice and an organic member nominated, a
    reviewer appointed, an organizer, and a scan."""
    today = NOW.date()
    cycle = make.cycle(
        status=CycleStatus.IN_REVIEW,
        nominations_open_on=today - timedelta(days=60),
        nominations_close_on=today - timedelta(days=5),
        review_close_on=today + timedelta(days=20),
    )
    flagged = make.nomination(cycle, scene.ring[0], status=NominationStatus.IN_REVIEW)
    clean = make.nomination(cycle, scene.crowd[5], status=NominationStatus.IN_REVIEW)
    reviewer = make.reviewer(display_name="Rita Reviewer")
    make.appointment(cycle, reviewer)
    services.scan(db)
    return cycle, flagged, clean, reviewer, make.organizer()


def test_the_dashboard_shows_effective_endorsers_filters_and_sorts(client, login, panel):
    cycle, flagged, clean, reviewer, _organizer = panel
    login(reviewer)
    page = client.get(f"/cycles/{cycle.id}/dashboard").text
    assert "Effective endorsers" in page and "Flagged" in page
    alice = flagged.nominee.display_name
    crowd = clean.nominee.display_name
    only = client.get(f"/cycles/{cycle.id}/dashboard?flagged=y").text
    assert alice in only and crowd not in only
    ascending = client.get(f"/cycles/{cycle.id}/dashboard?sort=effective&order=asc").text
    assert ascending.index(alice) < ascending.index(crowd)
    descending = client.get(f"/cycles/{cycle.id}/dashboard?sort=effective&order=desc").text
    assert descending.index(crowd) < descending.index(alice)


def test_the_review_page_shows_the_integrity_section_before_the_form(client, login, db, panel):
    cycle, flagged, _clean, reviewer, _organizer = panel
    login(reviewer)
    page = client.get(f"/cycles/{cycle.id}/nominations/{flagged.id}/review").text
    section = page.index("Endorsement integrity")
    assert section < page.index('id="my-review-heading"')
    result = db.get(IntegrityResult, flagged.nominee_id)
    assert f"{result.effective_endorsers:.1f} effective endorsers" in page
    assert "Closed group" in page and "belong to a group of 4 members" in page
    for member in ("Bob Ring", "Carol Ring", "Dan Ring"):
        assert member in page[section:]


def test_the_decisions_pages_and_the_export_show_effective_endorsers(client, login, db, panel):
    cycle, flagged, clean, _reviewer, organizer = panel
    login(organizer)
    effective = db.get(IntegrityResult, flagged.nominee_id).effective_endorsers
    organic = db.get(IntegrityResult, clean.nominee_id).effective_endorsers
    listing = client.get(f"/cycles/{cycle.id}/decisions").text
    assert "Effective endorsers" in listing
    flag = '<strong class="rv-tag rv-warn">Flagged</strong>'
    assert f'<td class="num">{effective:.1f} {flag}</td>' in listing
    assert f'<td class="num">{organic:.1f}</td>' in listing
    decide = client.get(f"/nominations/{flagged.id}/decide").text
    assert f"{effective:.1f} effective" in decide
    rows = list(csv.reader(io.StringIO(client.get(f"/cycles/{cycle.id}/export.csv").text)))
    column = rows[0].index("Effective endorsers")
    [row] = [r for r in rows[1:] if r[0] == str(flagged.id)]
    assert float(row[column]) == effective


def test_the_organizers_page_lists_flags_and_records_reviews(client, login, db, panel, scene):
    _cycle, _flagged, _clean, reviewer, organizer = panel
    login(reviewer)
    assert client.get("/admin/integrity/").status_code == 403
    login(organizer)
    page = client.get("/admin/integrity/").text
    for member in scene.ring:
        assert f'id="member-{member.id}"' in page
    assert f'id="member-{scene.crowd[5].id}"' not in page
    assert "belong to a group of 4 members" in page
    assert 'href="/admin/integrity/"' in client.get("/").text  # in the organizers' menu

    alice = scene.ring[0]
    response = client.post(
        f"/admin/integrity/members/{alice.id}/review",
        data={"verdict": "legitimate", "note": "They run the local user group."},
    )
    assert response.status_code == 302
    result = db.get(IntegrityResult, alice.id)
    assert result.verdict is Verdict.LEGITIMATE and not result.flagged
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "integrity.flag_reviewed"))
    assert event.actor_id == organizer.id and event.after["member_id"] == alice.id
    page = client.get("/admin/integrity/").text
    assert "Reviewed, legitimate" in page and "They run the local user group." in page


def test_a_review_without_a_verdict_changes_nothing(client, login, db, panel, scene):
    *_rest, organizer = panel
    login(organizer)
    alice = scene.ring[0]
    response = client.post(f"/admin/integrity/members/{alice.id}/review", data={"note": "x"})
    assert response.status_code == 302
    assert "Choose legitimate or confirmed." in client.get("/admin/integrity/").text
    assert db.get(IntegrityResult, alice.id).verdict is None


def test_scan_now_asks_the_job(client, login, db, panel):
    from nominee.outbox.models import OutboxMessage

    *_rest, organizer = panel
    login(organizer)
    assert client.post("/admin/integrity/scan").status_code == 302
    [message] = db.scalars(
        select(OutboxMessage).where(OutboxMessage.topic == services.SCAN_TOPIC)
    ).all()
    assert message.available_at <= NOW


def test_the_organizers_page_runs_the_same_few_queries_however_many_flags(
    client, login, db, make, connection, panel, scene
):
    from tests.queries import count_queries

    *_rest, organizer = panel
    login(organizer)
    client.get("/")  # the programme's settings are read once, then kept
    counts = []
    for extra in (0, 6):
        for member in scene.crowd[10 : 10 + extra]:
            result = db.get(IntegrityResult, member.id)
            result.flagged = True
            result.signals = [
                {
                    "name": "burst",
                    "strength": 0.5,
                    "explanation": "Many at once.",
                    "accounts": [scene.crowd[0].id],
                    "names": [scene.crowd[0].display_name],
                }
            ]
        db.flush()
        with count_queries(connection) as statements:
            page = client.get("/admin/integrity/")
            assert page.status_code == 200
        counts.append(len(statements))
    assert "Many at once." in page.text
    assert counts[0] == counts[1] and counts[1] <= 8, counts
