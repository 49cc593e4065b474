"""Issue 15: the audit log reads as sentences, filters by pick-lists and dates, keeps the
raw data one click away and exports the filtered log as CSV."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime
from pathlib import Path

from nominee.audit import AuditEvent
from nominee.auditlog import sentences
from nominee.awards import services as awards
from nominee.cycles.models import CycleStatus
from nominee.nominations.models import Decision, NominationStatus
from nominee.reviews import services as reviews
from nominee.webhooks.rules import EVENT_TYPES
from tests.queries import count_queries

ROOT = Path(__file__).parents[2] / "nominee"


def test_every_audited_action_has_a_sentence():
    """Every action the code audits (``audit.record`` and the nomination status gate)."""
    source = "\n".join(p.read_text() for p in ROOT.rglob("*.py") if "seeding" not in p.parts)
    recorded = set(re.findall(r'audit\.record\(\s*session,\s*[\w.]+,\s*"([a-z_.]+)"', source))
    recorded |= set(re.findall(r'"(nomination\.[a-z_]+)"', source))
    recorded |= {"access.denied", "review.submitted", "review.draft_saved"}
    recorded -= set(EVENT_TYPES)  # webhook event types ("nomination.submitted"), not actions
    assert recorded, "the scan found nothing"
    assert recorded - set(sentences.SENTENCES) == set()


def test_a_decision_reads_as_a_sentence(client, auth, make, db):
    ana = make.organizer(display_name="Ana Ruiz")
    cycle = make.cycle(
        name="Community Awards 2026", status=CycleStatus.IN_REVIEW, reviewers_per_nomination=1
    )
    tomasz = make.user(display_name="Tomasz Nowak")
    nomination = make.nomination(cycle, tomasz, status=NominationStatus.IN_REVIEW)
    make.review(nomination, make.reviewer(), scores=[4, 4, 4, 4], recommendation="award")
    awards.decide(
        db, ana, nomination, decision=Decision.AWARD, rationale="r", feedback="", version=1
    )
    rita = make.reviewer(display_name="Rita Reviewer")
    reviews.appoint(db, ana, cycle, rita, None)
    auth.login(ana)
    page = client.get("/admin/audit").text
    assert "Ana Ruiz awarded Tomasz Nowak&#39;s nomination in Community Awards 2026." in page
    assert "Ana Ruiz appointed Rita Reviewer as a reviewer of Community Awards 2026." in page
    # The raw data is one click away.
    assert "<summary>Raw data" in page and "<code>nomination.decided</code>" in page


def test_unknown_actions_and_missing_objects_still_read(client, auth, make, db):
    ana = make.organizer(display_name="Ana Ruiz")
    db.add(AuditEvent(actor_id=ana.id, action="webhook.sent", object_type="webhook", object_id=4))
    db.add(
        AuditEvent(
            actor_id=None, action="nomination.lapsed", object_type="nomination", object_id=999
        )
    )
    db.flush()
    auth.login(ana)
    page = client.get("/admin/audit").text
    assert "Ana Ruiz did “webhook sent” on webhook #4." in page
    assert "The programme let nomination #999 lapse." in page


def test_pick_lists_filter_by_actor_action_and_type(client, auth, make, db):
    ana = make.organizer(display_name="Ana Ruiz")
    bo = make.reviewer(display_name="Bo Reviewer")
    day = datetime(2026, 3, 3, 12, tzinfo=UTC)
    for actor, action, kind in (
        (ana, "cycle.updated", "cycle"),
        (bo, "review.submitted", "review"),
        (None, "award.expired", "award"),
    ):
        db.add(
            AuditEvent(
                actor_id=actor.id if actor else None,
                action=action,
                object_type=kind,
                object_id=1,
                created_at=day,
            )
        )
    db.flush()
    auth.login(ana)
    page = client.get("/admin/audit").text
    assert f'<option value="{bo.id}">Bo Reviewer</option>' in page
    assert '<option value="review.submitted">Review submitted</option>' in page
    assert '<option value="award">Award</option>' in page

    def actions(query: str) -> list[str]:
        text = client.get(f"/admin/audit?{query}").text
        return re.findall(r"<code>([a-z_.]+)</code>", text)

    assert actions(f"by={bo.id}") == ["review.submitted"]
    assert actions("by=0") == ["award.expired"]
    assert actions("action=cycle.updated") == ["cycle.updated"]
    assert actions("object_type=award&date_from=2026-03-03&date_to=2026-03-03") == ["award.expired"]
    assert actions("date_from=2026-03-04&date_to=2026-03-31") == []
    refused = client.get("/admin/audit?action=nomination.")
    assert refused.status_code == 400 and "Not a valid choice" in refused.text


def test_the_csv_export_is_the_filtered_log_in_words(client, auth, make, db):
    ana = make.organizer(display_name="Ana Ruiz")
    cycle = make.cycle(name="Spring 2027")
    for n in range(3):
        db.add(
            AuditEvent(
                actor_id=ana.id,
                action="cycle.updated",
                object_type="cycle",
                object_id=cycle.id,
                after={"n": n},
            )
        )
    db.add(AuditEvent(actor_id=ana.id, action="logout", object_type="user", object_id=ana.id))
    db.add(
        AuditEvent(
            actor_id=ana.id,
            action="category.created",
            object_type="category",
            after={"name": "=cmd"},
        )
    )
    db.flush()
    auth.login(ana)
    page = client.get("/admin/audit?action=cycle.updated").text
    assert "/admin/audit.csv?action=cycle.updated" in page
    response = client.get("/admin/audit.csv?action=cycle.updated")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    header, *rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert header[:5] == ["When (UTC)", "Actor id", "Actor", "Action", "Sentence"]
    assert len(rows) == 3
    assert {row[4] for row in rows} == {"Ana Ruiz changed the settings of Spring 2027."}
    assert {row[8] for row in rows} == {'{"n": 0}', '{"n": 1}', '{"n": 2}'}
    every = list(csv.reader(io.StringIO(client.get("/admin/audit.csv").get_data(as_text=True))))
    assert len(every) >= 6
    assert any(row[8].startswith("'") for row in every[1:] if "cmd" in row[8]) or all(
        not row[8].startswith("=") for row in every[1:]
    )


def test_the_csv_export_is_for_organizers(client, auth, make):
    auth.login(make.user())
    assert client.get("/admin/audit.csv").status_code == 403


def test_the_log_answers_in_flat_queries_whatever_the_kinds_of_objects(
    client, auth, make, db, connection
):
    ana = make.organizer()
    cycle = make.cycle()
    nomination = make.nomination(cycle)
    for kind, oid in (("cycle", cycle.id), ("nomination", nomination.id), ("user", ana.id)):
        db.add(AuditEvent(actor_id=ana.id, action="x.y", object_type=kind, object_id=oid))
    db.flush()
    auth.login(ana)
    client.get("/admin/audit")
    with count_queries(connection) as few:
        client.get("/admin/audit")
    for n in range(20):
        other = make.nomination(make.cycle())
        db.add(
            AuditEvent(actor_id=ana.id, action="x.y", object_type="nomination", object_id=other.id)
        )
        db.add(AuditEvent(actor_id=ana.id, action="x.y", object_type="award", object_id=n + 1))
    db.flush()
    with count_queries(connection) as many:
        client.get("/admin/audit")
    assert len(many) == len(few)
