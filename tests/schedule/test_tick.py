"""The scheduler: what is due runs once, at its moment, for the right people."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select, text

from nominee.audit import AuditEvent
from nominee.awards.models import AwardStatus
from nominee.cycles.models import CycleStatus
from nominee.nominations.models import NominationKind, NominationStatus
from nominee.notifications.models import Notification
from nominee.reviews.models import ReviewStatus
from nominee.schedule import services
from nominee.schedule.models import ScheduledRun

DAY = date(2026, 1, 10)


def at(day: date, hour: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def notes(db, kind: str) -> list[Notification]:
    return list(db.scalars(select(Notification).where(Notification.kind == kind)))


def scheduled_cycle(make, **kw):
    kw.setdefault("status", CycleStatus.DRAFT)
    kw.setdefault("moves_automatically", True)
    kw.setdefault("nominations_open_on", DAY)
    kw.setdefault("nominations_close_on", DAY + timedelta(days=10))
    kw.setdefault("review_close_on", DAY + timedelta(days=20))
    return make.cycle(**kw)


def test_a_second_tick_runs_nothing_again(db, make, app_ctx):
    cycle = scheduled_cycle(make)
    first = services.tick(db, at(DAY))
    assert f"cycle:{cycle.id}:open" in first
    assert f"expire-awards:{DAY.isoformat()}" in first
    assert services.tick(db, at(DAY, 5)) == []
    keys = db.scalars(select(ScheduledRun.key)).all()
    assert sorted(keys) == sorted(first)


def test_a_cycle_that_moves_by_itself_opens_and_goes_to_review_at_its_dates(db, make, app_ctx):
    cycle = scheduled_cycle(make)
    waiting = make.nomination(cycle, kind=NominationKind.PEER, status=NominationStatus.SUBMITTED)
    day_before = (DAY - timedelta(days=1)).isoformat()
    assert services.tick(db, at(DAY - timedelta(days=1))) == [
        f"expire-awards:{day_before}",
        f"link-checks:{day_before}",
        f"statistics:{day_before}",
    ]
    assert cycle.status is CycleStatus.DRAFT
    services.tick(db, at(DAY))
    assert cycle.status is CycleStatus.OPEN
    # The closing day is the last one nominations are taken.
    services.tick(db, at(DAY + timedelta(days=10), 23))
    assert cycle.status is CycleStatus.OPEN
    ran = services.tick(db, at(DAY + timedelta(days=11)))
    assert f"cycle:{cycle.id}:in_review" in ran
    assert cycle.status is CycleStatus.IN_REVIEW
    assert waiting.status is NominationStatus.IN_REVIEW  # the move's receivers ran
    # Deciding and publishing wait for an organizer, also after the review closed.
    services.tick(db, at(DAY + timedelta(days=40)))
    assert cycle.status is CycleStatus.IN_REVIEW
    moves = db.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "cycle.status_changed", AuditEvent.object_id == cycle.id
        )
    ).all()
    assert [m.actor_id for m in moves] == [None, None]  # the programme moved it


def test_a_cycle_that_waits_for_an_organizer_does_not_move(db, make, app_ctx):
    cycle = scheduled_cycle(make, moves_automatically=False)
    services.tick(db, at(DAY + timedelta(days=1)))
    assert cycle.status is CycleStatus.DRAFT


def test_a_draft_whose_nominations_closed_does_not_open(db, make, app_ctx):
    cycle = scheduled_cycle(make)
    services.tick(db, at(DAY + timedelta(days=11)))
    assert cycle.status is CycleStatus.DRAFT


def test_peer_nominees_who_have_not_answered_are_reminded_once(db, make, app_ctx):
    cycle = make.cycle(nominations_open_on=DAY - timedelta(days=20), nominations_close_on=DAY)
    awaiting = make.nomination(
        cycle, kind=NominationKind.PEER, status=NominationStatus.AWAITING_ACCEPTANCE
    )
    make.nomination(cycle, kind=NominationKind.PEER, status=NominationStatus.SUBMITTED)
    assert f"remind-nominees:{cycle.id}" not in services.tick(db, at(DAY - timedelta(days=4)))
    assert notes(db, "nomination_reminder") == []
    assert f"remind-nominees:{cycle.id}" in services.tick(db, at(DAY - timedelta(days=3)))
    services.tick(db, at(DAY - timedelta(days=2)))
    [reminder] = notes(db, "nomination_reminder")
    assert reminder.user_id == awaiting.nominee_id
    assert reminder.params["closes_on"] == DAY.isoformat()
    assert reminder.params["nominator"] == awaiting.nominator.display_name


def test_reviewers_with_unfinished_reviews_are_reminded_once_with_their_count(db, make, app_ctx):
    cycle = make.cycle(
        status=CycleStatus.IN_REVIEW,
        nominations_open_on=DAY - timedelta(days=40),
        nominations_close_on=DAY - timedelta(days=20),
        review_close_on=DAY,
    )
    busy, drafting, done = make.reviewer(), make.reviewer(), make.reviewer()
    first, second = (make.nomination(cycle, status=NominationStatus.IN_REVIEW) for _ in "ab")
    decided = make.nomination(cycle, status=NominationStatus.AWARDED)
    for nomination in (first, second, decided):
        make.assignment(nomination, busy)
    make.review(first, busy)
    make.assignment(first, drafting)
    make.review(first, drafting, status=ReviewStatus.DRAFT)
    make.assignment(second, done)
    make.review(second, done)
    services.tick(db, at(DAY - timedelta(days=3), 9))
    services.tick(db, at(DAY - timedelta(days=1), 9))
    reminders = {n.user_id: n.params for n in notes(db, "reviews_due")}
    assert set(reminders) == {busy.id, drafting.id}
    assert reminders[busy.id]["count"] == 1  # the second nomination; the decided one is done
    assert reminders[drafting.id]["count"] == 1
    assert reminders[busy.id]["due_on"] == DAY.isoformat()


def test_an_award_about_to_expire_is_announced_once(db, make, app_ctx):
    soon = make.award(ends_on=DAY + timedelta(days=30))
    make.award(ends_on=DAY + timedelta(days=31))
    make.award(ends_on=DAY + timedelta(days=5), status=AwardStatus.REVOKED)
    services.tick(db, at(DAY))
    services.tick(db, at(DAY + timedelta(days=1)))
    warned = notes(db, "award.expiring")
    assert [(n.user_id, n.params["award_id"]) for n in warned[:1]] == [(soon.member_id, soon.id)]
    # The second award came into the 30 days on the next day: once each.
    assert len(warned) == 2


def test_awards_expire_once_a_day(db, make, app_ctx):
    award = make.award(ends_on=DAY - timedelta(days=1))
    assert f"expire-awards:{DAY.isoformat()}" in services.tick(db, at(DAY))
    assert award.status is AwardStatus.EXPIRED


def test_an_idle_renewal_warns_its_member_once_while_the_cycle_is_open(db, make, app_ctx):
    old = make.award(starts_on=DAY - timedelta(days=365), ends_on=DAY + timedelta(days=20))
    cycle = make.cycle(
        nominations_open_on=DAY - timedelta(days=10), nominations_close_on=DAY + timedelta(days=7)
    )
    renewal = make.nomination(
        cycle,
        nominee=old.member,
        kind=NominationKind.RENEWAL,
        nominator_id=None,
        renewal_of_award_id=old.id,
        no_activity=True,
    )
    services.tick(db, at(DAY - timedelta(days=1)))
    assert notes(db, "renewal.no_activity") == []
    services.tick(db, at(DAY))
    services.tick(db, at(DAY + timedelta(days=1)))
    [warning] = notes(db, "renewal.no_activity")
    assert warning.user_id == old.member_id
    assert warning.params["nomination_id"] == renewal.id


def test_an_idle_renewal_whose_member_logged_work_meanwhile_is_not_warned(db, make, app_ctx):
    old = make.award(starts_on=DAY - timedelta(days=365), ends_on=DAY + timedelta(days=20))
    cycle = make.cycle(
        nominations_open_on=DAY - timedelta(days=10), nominations_close_on=DAY + timedelta(days=3)
    )
    make.nomination(
        cycle,
        nominee=old.member,
        kind=NominationKind.RENEWAL,
        nominator_id=None,
        renewal_of_award_id=old.id,
        no_activity=True,
    )
    make.contribution(owner=old.member, contributed_on=DAY - timedelta(days=2))
    services.tick(db, at(DAY))
    assert notes(db, "renewal.no_activity") == []


def test_without_a_way_to_send_the_digest_is_skipped_and_said_so(db, app_ctx, caplog):
    with caplog.at_level("INFO", logger="nominee.schedule"):
        ran = services.tick(db, at(DAY, 8))
    assert not any(key.startswith("digest:") for key in ran)
    assert "the daily digest is skipped" in caplog.text


def test_the_digest_runs_once_a_day_from_its_hour(db, app_ctx):
    calls = []

    def digest(session, now):
        calls.append(now)

    services.tick(db, at(DAY, services.DIGEST_HOUR - 1), digest=digest)
    assert calls == []
    ran = services.tick(db, at(DAY, services.DIGEST_HOUR), digest=digest)
    assert f"digest:{DAY.isoformat()}" in ran
    services.tick(db, at(DAY, 23), digest=digest)
    assert calls == [at(DAY, services.DIGEST_HOUR)]


def test_work_that_fails_is_not_recorded_and_does_not_stop_the_rest(db, make, app_ctx, monkeypatch):
    cycle = make.cycle(nominations_open_on=DAY - timedelta(days=20), nominations_close_on=DAY)

    def broken(session, cycle):
        raise RuntimeError("boom")

    monkeypatch.setattr(services, "remind_nominees", broken)
    ran = services.tick(db, at(DAY))
    assert f"remind-nominees:{cycle.id}" not in ran
    assert f"expire-awards:{DAY.isoformat()}" in ran
    monkeypatch.undo()
    assert f"remind-nominees:{cycle.id}" in services.tick(db, at(DAY, 1))


def test_flask_tick_prints_what_ran(runner, app):
    result = runner.invoke(args=["tick"])
    assert result.exit_code == 0, result.output
    assert "Ran expire-awards:" in result.output
    assert runner.invoke(args=["tick"]).output == "Nothing was due.\n"


def test_the_daily_tick_refreshes_the_query_planners_statistics(db, make, app_ctx):
    scheduled_cycle(make)
    ran = services.tick(db, at(DAY))
    assert f"statistics:{DAY.isoformat()}" in ran
    db.commit()
    if db.get_bind().dialect.name == "sqlite":
        # ANALYZE wrote a row per table and index it read into the planner's table.
        analysed = set(db.scalars(text("SELECT DISTINCT tbl FROM sqlite_stat1")))
        assert {"cycles", "scheduled_runs"} <= analysed
    else:
        # Never analysed, a table counts -1 rows; ANALYZE counts them.
        rows = db.scalar(text("SELECT reltuples FROM pg_class WHERE oid = to_regclass('cycles')"))
        assert rows == 1
