"""The impact score on constructed members, each figure worked out by hand here."""

from __future__ import annotations

import math
from datetime import date

import pytest

from nominee.impact import rules
from nominee.impact.rules import Item, ScoreConfig

START, END = date(2026, 1, 1), date(2026, 12, 31)
BLOG, TALK = 1, 2
NAMES = {BLOG: "Blog post", TALK: "Talk"}
WEIGHTS = {BLOG: 1.0, TALK: 1.2}


def score(items, config=rules.DEFAULTS, endorsements=0.0):
    return rules.score(
        items,
        config,
        start=START,
        end=END,
        type_names=NAMES,
        type_weights=WEIGHTS,
        endorsements=endorsements,
    )


def term(breakdown, name):
    return next(t for t in breakdown.terms if t.name == name)


def test_one_talk_with_reach_is_worked_out_term_by_term():
    # A talk (weight 1.2) seen by 999 people: 1.2 * (1 + 0.5 * log10(1000)) = 1.2 * 2.5 = 3.
    b = score([Item(TALK, date(2026, 3, 5), 7, 999)], endorsements=4)
    assert term(b, "Work").points == pytest.approx(3.0)
    assert term(b, "Consistency").points == 1.0  # 1 active month
    assert term(b, "Breadth: types").points == 1.0
    assert term(b, "Breadth: categories").points == 1.0
    assert term(b, "Endorsements").points == pytest.approx(4.0)  # 2 * sqrt(4)
    assert b.total == 10.0
    assert b.months == 12 and b.active_months == 1


def test_reach_is_log_scaled():
    small = score([Item(BLOG, date(2026, 3, 5), 1, 99)])
    huge = score([Item(BLOG, date(2026, 3, 5), 1, 99_999)])
    # 1 + 0.5*2 = 2 against 1 + 0.5*5 = 3.5: a thousand times the readers, 1.75 times the points.
    assert term(small, "Work").points == pytest.approx(2.0)
    assert term(huge, "Work").points == pytest.approx(3.5)


def test_the_nth_post_of_a_month_counts_one_nth():
    items = [Item(BLOG, date(2026, 3, day), 1, 0) for day in (1, 2, 3, 4)]
    b = score(items)
    # 1 + 1/2 + 1/3 + 1/4, each worth 1 point without reach.
    assert term(b, "Work").points == pytest.approx(1 + 1 / 2 + 1 / 3 + 1 / 4)
    assert b.types[0].diminished == 3
    # The same four posts in four months count in full, and the months count too.
    spread = score([Item(BLOG, date(2026, m, 1), 1, 0) for m in (3, 4, 5, 6)])
    assert term(spread, "Work").points == pytest.approx(4.0)
    assert term(spread, "Consistency").points == 4.0


def test_the_cap_per_type_cuts_and_says_how_much():
    config = ScoreConfig(type_cap=5.0)
    # 8 monthly posts with 9 readers each: 1 + 0.5*log10(10) = 1.5 each, 12 in all.
    items = [Item(BLOG, date(2026, m, 10), 1, 9) for m in range(1, 9)]
    b = score(items, config)
    work = term(b, "Work")
    assert work.points == 5.0
    assert work.cut == pytest.approx(7.0)
    assert b.types[0].points == pytest.approx(12.0) and b.types[0].cut == pytest.approx(7.0)
    # Another type is not capped by the first.
    b2 = score([*items, Item(TALK, date(2026, 2, 1), 1, 0)], config)
    assert term(b2, "Work").points == pytest.approx(5.0 + 1.2)


def test_breadth_counts_distinct_types_and_categories():
    items = [
        Item(BLOG, date(2026, 1, 3), 10, 0),
        Item(BLOG, date(2026, 2, 3), 11, 0),
        Item(TALK, date(2026, 2, 9), 11, 0),
    ]
    b = score(items, ScoreConfig(type_points=3.0, category_points=2.0))
    assert term(b, "Breadth: types").points == 6.0  # 2 types * 3
    assert term(b, "Breadth: categories").points == 4.0  # 2 categories * 2


def test_endorsements_have_diminishing_returns():
    assert term(score([], endorsements=1), "Endorsements").points == pytest.approx(2.0)
    assert term(score([], endorsements=100), "Endorsements").points == pytest.approx(20.0)
    assert term(score([], endorsements=2), "Endorsements").points == pytest.approx(2 * math.sqrt(2))


def test_items_outside_the_window_do_not_count():
    b = score([Item(BLOG, date(2025, 12, 31), 1, 0), Item(BLOG, date(2027, 1, 1), 1, 0)])
    assert b.total == 0.0 and b.active_months == 0


def test_a_cycles_points_per_type_override_the_types_weight():
    config = ScoreConfig(type_weights={TALK: 3.0})
    b = score([Item(TALK, date(2026, 5, 1), 1, 0)], config)
    assert term(b, "Work").points == 3.0


def test_percentile_and_median():
    assert rules.percentile(10, [5, 10, 20, 30]) == 50
    assert rules.percentile(30, [5, 10, 20, 30]) == 100
    assert rules.median([5, 10, 20, 30]) == 15
    assert rules.median([3, 1, 2]) == 2
    assert rules.median([]) is None


def test_rolling_window_is_twelve_months_up_to_today():
    assert rules.rolling_window(date(2026, 11, 30)) == (date(2025, 12, 1), date(2026, 11, 30))


def test_advice_names_idle_months_and_thin_posts_of_this_month():
    today = date(2026, 12, 20)
    posts = [Item(BLOG, date(2026, 12, d), 1, 0) for d in range(1, 10)]
    b = score(posts)
    texts = [tip.text for tip in rules.advice(b, rules.DEFAULTS, today)]
    assert texts[0] == (
        "No contribution in 11 of the last 12 months: each month with one adds 1 point."
    )
    assert (
        "7 of your 9 “Blog post” contributions this month counted at 1/3 or less: spread "
        "them over the months or try another type." in texts
    )
    assert any(text.startswith("All your work is of 1 type") for text in texts)
    assert any(
        text.startswith("None of your contributions in the window is endorsed") for text in texts
    )


def test_advice_names_the_cap():
    b = score([Item(BLOG, date(2026, m, 1), 1, 0) for m in range(1, 13)], ScoreConfig(type_cap=4))
    texts = [tip.text for tip in rules.advice(b, ScoreConfig(type_cap=4), date(2026, 12, 31))]
    assert (
        "“Blog post” reached the cap of 4 points: 8.0 points did not count." in texts[0] + texts[1]
    )


def test_the_readmes_worked_example():
    items = [
        Item(TALK, date(2026, 3, 20), 7, 999),
        *(Item(BLOG, date(2026, 3, day), 8, 0) for day in (2, 9, 16)),
    ]
    b = score(items, endorsements=4)
    assert term(b, "Work").points == pytest.approx(3.0 + 1 + 1 / 2 + 1 / 3)
    assert [term(b, name).points for name in ("Consistency", "Breadth: types")] == [1, 2]
    assert term(b, "Breadth: categories").points == 2
    assert term(b, "Endorsements").points == 4
    assert b.total == 13.8


def test_endorsements_are_weighed_by_the_integrity_scan():
    from nominee.impact.rules import weigh_endorsements

    assert weigh_endorsements(10, None, None) == 10.0  # not scanned: each counts 1
    assert weigh_endorsements(10, 2.5, 5) == 5.0  # half the endorsers count
    assert weigh_endorsements(10, 6.0, 5) == 10.0  # never more than received
    assert weigh_endorsements(10, 0.0, 0) == 10.0  # a scan with no endorsers weighs nothing
