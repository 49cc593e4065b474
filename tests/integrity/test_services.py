"""The stored scan, the command's JSON contract, organizers' reviews and the job."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from nominee.audit import AuditEvent
from nominee.cycles.models import CycleStatus
from nominee.cycles.services import move_status
from nominee.endorsements.services import endorse, withdraw
from nominee.errors import NotFound, PermissionDenied
from nominee.integrity import queries, services
from nominee.integrity.models import IntegrityResult, IntegrityScan, Verdict
from nominee.jobs import handlers
from nominee.outbox import sender
from nominee.outbox.models import OutboxMessage
from tests.integrity.conftest import NOW


def _results(db) -> dict[int, IntegrityResult]:
    return {r.user_id: r for r in db.scalars(select(IntegrityResult))}


def test_a_scan_stores_every_endorsed_member_and_flags_the_ring(db, scene):
    report = services.scan(db)
    stored = _results(db)
    endorsed = {m.id for m in scene.crowd + scene.ring}
    assert set(stored) == endorsed == {r.user_id for r in report.results}
    assert {uid for uid, r in stored.items() if r.flagged} == {m.id for m in scene.ring}
    alice = stored[scene.ring[0].id]
    assert alice.received == 7 and alice.distinct_endorsers == 4
    assert alice.effective_endorsers < 4
    group = next(s for s in alice.signals if s["name"] == "closed_group")
    assert group["explanation"].startswith(
        "3 of 4 endorsers (6 of 7 endorsements, 86%) belong to a group of 4 members"
    )
    assert sorted(group["accounts"]) == sorted(m.id for m in scene.ring[1:])
    assert group["names"] == [
        db.get(type(scene.ring[0]), a).display_name for a in group["accounts"]
    ]
    scan = db.scalar(select(IntegrityScan))
    assert scan.members == len(endorsed) and scan.flagged == 4 and scan.finished_at
    assert (scan.since, scan.until) == (date(2025, 6, 1), date(2026, 6, 1))

    services.scan(db)  # a second scan replaces the rows
    assert db.scalar(select(func.count()).select_from(IntegrityResult)) == len(endorsed)


def test_the_window_leaves_older_endorsements_out(db, scene):
    recent = queries.ScanWindow(NOW.date() - timedelta(days=30), NOW.date())
    report = services.scan(db, recent)
    assert {r.user_id for r in report.results} <= {m.id for m in scene.crowd + scene.ring}
    assert report.scan.endorsements < services.scan(db).scan.endorsements


def test_the_command_prints_the_contract(runner, db, scene):
    result = runner.invoke(
        args=["integrity", "scan", "--json", "--since", "2025-06-01", "--until", "2026-06-01"]
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert set(document) == {"window", "members"}
    assert document["window"]["since"] == "2025-06-01"
    assert document["window"]["until"] == "2026-06-01"
    members = {m["user_id"]: m for m in document["members"]}
    assert set(members) == {m.id for m in scene.crowd + scene.ring}
    for member in members.values():
        assert set(member) == {"user_id", "flagged", "score", "effective_endorsers", "signals"}
        for s in member["signals"]:
            assert set(s) == {"name", "strength", "explanation", "accounts"}
            assert 0 < s["strength"] <= 1
    alice = members[scene.ring[0].id]
    assert alice["flagged"] is True and alice["score"] >= 0.6
    assert "closed_group" in {s["name"] for s in alice["signals"]}
    assert not members[scene.crowd[5].id]["flagged"]
    assert db.scalar(select(func.count()).select_from(IntegrityResult)) == len(members)


def test_the_command_refuses_a_backwards_window(runner, scene):
    result = runner.invoke(
        args=["integrity", "scan", "--json", "--since", "2026-06-01", "--until", "2026-01-01"]
    )
    assert result.exit_code != 0 and "--since is after --until" in result.output


def test_the_command_without_json_says_what_it_did(runner, scene):
    result = runner.invoke(args=["integrity", "scan"])
    assert result.exit_code == 0, result.output
    assert "44 members, 4 flagged" in result.output


def test_an_organizer_marks_a_flag_legitimate_audited(db, make, scene):
    services.scan(db)
    organizer = make.organizer()
    alice = scene.ring[0]
    services.review_flag(db, organizer, alice.id, Verdict.LEGITIMATE, " Known group. ")
    result = db.get(IntegrityResult, alice.id)
    assert not result.flagged and result.effective_endorsers == 4.0
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "integrity.flag_reviewed"))
    assert event.actor_id == organizer.id
    assert event.after["verdict"] == "legitimate" and event.after["note"] == "Known group."
    assert event.after["member_id"] == alice.id
    # The next scans keep her word.
    services.scan(db)
    assert not db.get(IntegrityResult, alice.id).flagged


def test_a_confirmed_flag_discounts_its_accounts_for_good(db, make, scene):
    services.scan(db)
    organizer = make.organizer()
    alice = scene.ring[0]
    services.review_flag(db, organizer, alice.id, Verdict.CONFIRMED, "A ring.")
    services.scan(db)
    result = db.get(IntegrityResult, alice.id)
    assert result.flagged
    assert result.effective_endorsers == 1.0  # her one organic endorser
    assert queries.latest_review(db, alice.id).verdict is Verdict.CONFIRMED


def test_only_organizers_review_flags(db, make, scene):
    services.scan(db)
    with pytest.raises(PermissionDenied):
        services.review_flag(db, make.reviewer(), scene.ring[0].id, Verdict.CONFIRMED, "")
    with pytest.raises(NotFound):
        services.review_flag(db, make.organizer(), make.user().id, Verdict.CONFIRMED, "")


def _scan_messages(db) -> list[OutboxMessage]:
    return list(db.scalars(select(OutboxMessage).where(OutboxMessage.topic == services.SCAN_TOPIC)))


def test_endorsing_asks_for_one_rescan_however_many_endorsements(db, make, scene):
    member = make.user()
    for contribution in (make.contribution(scene.crowd[1]), make.contribution(scene.crowd[2])):
        endorse(db, member, contribution)
    withdraw(db, member, contribution)
    [message] = _scan_messages(db)
    assert message.payload == {"cycle_id": None}
    assert message.available_at > NOW  # a minute later: a burst costs one scan


def test_a_cycle_entering_review_asks_for_a_scan_of_its_window(db, make, scene):
    cycle = make.cycle(
        nominations_open_on=NOW.date() - timedelta(days=60),
        nominations_close_on=NOW.date() - timedelta(days=1),
    )
    move_status(db, make.organizer(), cycle, CycleStatus.IN_REVIEW, cycle.version)
    [message] = _scan_messages(db)
    assert message.payload == {"cycle_id": cycle.id}
    report = services.scan_for_job(db, message.payload)
    assert report.window.cycle_id == cycle.id
    assert report.window.until == cycle.nominations_close_on
    assert report.window.since == cycle.lookback_start
    # Without a cycle named, the cycle in review gives the window.
    assert queries.default_window(db).cycle_id == cycle.id


def test_the_job_runs_the_scan(app, db, scene):
    assert sender.HANDLERS[services.SCAN_TOPIC] is handlers.integrity_scan
    with app.app_context():
        assert handlers.integrity_scan(db, {"cycle_id": None}) == []
    assert db.scalar(select(func.count()).select_from(IntegrityScan)) == 1
    assert len(_results(db)) == 44
