"""The organizer's choice per cycle: it moves by itself at its dates, or waits for them."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from nominee import clock
from nominee.cycles import rules
from nominee.cycles.models import Cycle, CycleStatus
from nominee.formatting import format_date
from tests.cycles.test_views import TODAY, form_data


@pytest.fixture
def organizer(make, auth):
    user = make.organizer()
    auth.login(user)
    return user


@pytest.mark.parametrize("moves", [True, False])
def test_the_cycle_form_keeps_the_choice_and_the_page_says_it(client, organizer, make, db, moves):
    page = client.get("/cycles/new").text
    assert "Moves by itself at its dates" in page
    extra = {"moves_automatically": "y"} if moves else {}
    response = client.post("/cycles/new", data=form_data([make.category()], **extra))
    assert response.status_code == 302
    cycle = db.scalar(select(Cycle))
    assert cycle.moves_automatically is moves
    page = client.get(f"/cycles/{cycle.id}").text
    if moves:
        opens = format_date(TODAY + timedelta(days=1))
        to_review = format_date(TODAY + timedelta(days=32))
        assert f"Moves by itself: opens for nominations on {opens} at 00:00 (UTC)" in page
        assert f"goes to review on {to_review} at 00:00 (UTC)" in page
    else:
        assert "Waits for an organizer" in page
    # Editing keeps it, and can change it.
    edit = client.get(f"/cycles/{cycle.id}/edit").text
    tag = re.search(r'<input[^>]*name="moves_automatically"[^>]*>', edit).group(0)
    assert ("checked" in tag) is moves


def test_what_the_page_says_at_each_stage(make):
    cycle = make.cycle(
        status=CycleStatus.OPEN,
        moves_automatically=True,
        nominations_open_on=date(2026, 1, 1),
        nominations_close_on=date(2026, 1, 10),
        review_close_on=date(2026, 2, 1),
    )
    with clock.as_of(date(2026, 1, 5)):
        assert rules.schedule_note(cycle, clock.today()) == (
            "Moves by itself: nominations close at the end of 10 Jan 2026; "
            "it goes to review on 11 Jan 2026 at 00:00 (UTC)."
        )
    cycle.status = CycleStatus.IN_REVIEW
    assert "deciding and publishing wait for an organizer" in rules.schedule_note(
        cycle, date(2026, 1, 12)
    )
    cycle.status = CycleStatus.PUBLISHED
    assert rules.schedule_note(cycle, date(2026, 3, 1)) is None


def test_only_opening_and_going_to_review_are_automatic(make):
    cycle = make.cycle(
        status=CycleStatus.DRAFT,
        nominations_open_on=date(2026, 1, 1),
        nominations_close_on=date(2026, 1, 10),
        review_close_on=date(2026, 2, 1),
    )
    assert rules.scheduled_move(cycle, date(2025, 12, 31)) is None
    assert rules.scheduled_move(cycle, date(2026, 1, 1)) is CycleStatus.OPEN
    assert rules.scheduled_move(cycle, date(2026, 1, 11)) is None  # too late to open
    cycle.status = CycleStatus.OPEN
    assert rules.scheduled_move(cycle, date(2026, 1, 10)) is None
    assert rules.scheduled_move(cycle, date(2026, 1, 11)) is CycleStatus.IN_REVIEW
    for status in (CycleStatus.IN_REVIEW, CycleStatus.DECIDED):
        cycle.status = status
        assert rules.scheduled_move(cycle, date(2027, 1, 1)) is None
