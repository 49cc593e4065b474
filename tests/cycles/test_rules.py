from __future__ import annotations

from datetime import date

import pytest

from nominee.cycles import rules
from nominee.cycles.models import Cycle, CycleStatus

STEPS = [
    (CycleStatus.DRAFT, CycleStatus.OPEN),
    (CycleStatus.OPEN, CycleStatus.IN_REVIEW),
    (CycleStatus.IN_REVIEW, CycleStatus.DECIDED),
    (CycleStatus.DECIDED, CycleStatus.PUBLISHED),
]
FORBIDDEN = [(a, b) for a in CycleStatus for b in CycleStatus if (a, b) not in STEPS]

SETTINGS = {
    "nominations_open_on": date(2026, 1, 1),
    "nominations_close_on": date(2026, 2, 1),
    "review_close_on": date(2026, 3, 1),
    "lookback_months": 12,
    "award_term_months": 12,
    "min_evidence": 3,
    "max_evidence": 30,
    "peer_nomination_limit": 3,
    "reviewers_per_nomination": 3,
}


@pytest.mark.parametrize(("old", "new"), STEPS)
def test_one_step_forward_is_allowed(old, new):
    cycle = Cycle(status=old, nominations_close_on=date.today())
    assert rules.can_move(cycle, new)
    assert rules.why_not_move(cycle, new) is None


@pytest.mark.parametrize(("old", "new"), FORBIDDEN)
def test_every_other_move_is_refused(old, new):
    assert not rules.can_move(Cycle(status=old), new)
    assert rules.why_not_move(Cycle(status=old), new).startswith("A cycle that is")


def test_published_is_the_end():
    assert rules.next_statuses(Cycle(status=CycleStatus.PUBLISHED)) == []


def test_good_settings_have_no_errors():
    assert rules.settings_errors(**SETTINGS) == {}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"nominations_close_on": date(2026, 1, 1)}, "nominations_close_on"),
        ({"nominations_close_on": date(2025, 12, 1)}, "nominations_close_on"),
        ({"review_close_on": date(2026, 1, 31)}, "review_close_on"),
        ({"lookback_months": 0}, "lookback_months"),
        ({"award_term_months": 61}, "award_term_months"),
        ({"min_evidence": 0}, "min_evidence"),
        ({"min_evidence": 5, "max_evidence": 4}, "max_evidence"),
        ({"peer_nomination_limit": -1}, "peer_nomination_limit"),
        ({"reviewers_per_nomination": 0}, "reviewers_per_nomination"),
    ],
)
def test_settings_errors_name_the_field(changes, field):
    assert list(rules.settings_errors(**{**SETTINGS, **changes})) == [field]


def test_review_may_close_the_day_nominations_close():
    same_day = {**SETTINGS, "review_close_on": SETTINGS["nominations_close_on"]}
    assert rules.settings_errors(**same_day) == {}


@pytest.mark.parametrize(
    ("name", "weight", "fields"),
    [("Impact", 1.0, []), ("", 1.0, ["name"]), ("Impact", 0, ["weight"]), ("X", -2, ["weight"])],
)
def test_criterion_errors(name, weight, fields):
    assert list(rules.criterion_errors(name, weight)) == fields
