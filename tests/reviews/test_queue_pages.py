"""The dashboard's pages where the queue is not sorted in one statement: a reviewer's sort
on a score column (the nominations their review opened, then the rest by id) and an
organizer's filter on the calibrated score (read off the calibration). Every page, both
directions, with filters, against the orders as the queue defines them."""

from __future__ import annotations

import math
import re
from dataclasses import replace

import pytest

from nominee.nominations.models import NominationStatus
from nominee.reviews.models import ReviewStatus
from nominee.reviews.queries.calibration import cycle_calibration
from nominee.reviews.queries.queue import COLUMNS, Filters, calibrated_order
from tests.reviews.panels import score, split_panel
from tests.reviews.test_dashboard import order

PER_PAGE = 3
BLIND_SORTS = ["score", "award", "decline", "abstain", "disagreement"]


@pytest.fixture
def dashboard(client, cycle):
    def get(**args):
        return client.get(f"/cycles/{cycle.id}/dashboard", query_string=args)

    return get


def every_page(dashboard, **args) -> tuple[list[int], int]:
    """The ids of every page in turn, and the total the pages state (a single page
    states none: its rows)."""
    first = dashboard(**args)
    ids = order(first)
    stated = re.search(r"\((\d+) in all\)", first.text)
    total = int(stated[1]) if stated else len(ids)
    for number in range(2, math.ceil(total / PER_PAGE) + 1):
        ids += order(dashboard(**args, page=str(number)))
    # Past the end: the last page.
    last = order(dashboard(**args, page="99"))
    assert last == ids[len(ids) - len(last) :]
    return ids, total


@pytest.fixture
def queue(app, make, cycle, in_review, appointed):
    """A reviewer's queue: their reviews opened (submitted, every criterion scored),
    submitted blind (a criterion unscored), drafted or absent; scores with ties and
    gaps; a nomination of their own (rule 9) and one not in review, both opened."""
    app.config["PER_PAGE"] = PER_PAGE
    tools, data = cycle.categories
    me = appointed()
    kinds = ["open", "open", None, "draft", "open", "blind", "open", None]
    means = [3.0, None, 4.5, 3.0, 2.0, 5.0, 3.0, 1.0]
    mine, assigned = {}, set()
    for i in range(17):
        nomination = in_review(
            category=(tools, data)[i % 2],
            score_mean=means[i % 8],
            recommend_award=i % 3,
            recommend_decline=(i * 2) % 3,
            recommend_abstain=i % 2,
            disagreement=i % 3 == 0,
        )
        mine[nomination] = kinds[i % 8]
        if i % 4 < 2:
            make.assignment(nomination, me)
            assigned.add(nomination.id)
    own = in_review(me, score_mean=5.0, recommend_award=3)
    elsewhere = make.nomination(cycle, status=NominationStatus.SUBMITTED, score_mean=5.0)
    for nomination in (own, elsewhere):
        make.review(nomination, me, scores=[5, 5, 5, 5])
    for nomination, kind in mine.items():
        if kind == "open":
            make.review(nomination, me, scores=[4, 4, 4, 4])
        elif kind == "blind":
            make.review(nomination, me, scores=[4, 4, 4, None])
        elif kind == "draft":
            make.review(nomination, me, scores=[4], status=ReviewStatus.DRAFT)
    return me, mine, assigned


def expected(mine, sort: str, descending: bool, keep=lambda nomination, kind: True) -> list[int]:
    """The queue's order on a score column for the reviewer: ``ORDER BY CASE WHEN my
    review reads the others' THEN column END NULLS LAST, id``, both in ``descending``."""
    attribute = COLUMNS[sort].key
    seen, rest = [], []
    for nomination, kind in mine.items():
        if not keep(nomination, kind):
            continue
        value = getattr(nomination, attribute)
        if kind == "open" and value is not None:
            seen.append((value, nomination.id))
        else:
            rest.append(nomination.id)
    return [i for _value, i in sorted(seen, reverse=descending)] + sorted(rest, reverse=descending)


@pytest.mark.parametrize("sort", BLIND_SORTS)
def test_a_reviewers_sort_on_a_score_column_page_by_page(sort, login, cycle, queue, dashboard):
    me, mine, assigned = queue
    tools, data = cycle.categories
    login(me)
    filters = {
        "all": ({}, lambda n, kind: True),
        "category": ({"category": data.id}, lambda n, kind: n.category_id == data.id),
        "mine": ({"mine": "y"}, lambda n, kind: n.id in assigned),
        "unreviewed": ({"unreviewed": "y"}, lambda n, kind: kind in (None, "draft")),
        "disagreement": ({"disagreement": "y"}, lambda n, kind: kind == "open" and n.disagreement),
        "score": (
            {"min_score": "3"},
            lambda n, kind: kind == "open" and n.score_mean is not None and n.score_mean >= 3,
        ),
        "mine in a category": (
            {"mine": "y", "category": tools.id},
            lambda n, kind: n.category_id == tools.id and n.id in assigned,
        ),
    }
    for name, (args, keep) in filters.items():
        for direction in ("asc", "desc"):
            ids, total = every_page(dashboard, sort=sort, order=direction, **args)
            wanted = expected(mine, sort, direction == "desc", keep)
            assert ids == wanted, (name, direction)
            assert total == len(wanted), (name, direction)


def test_the_pages_cross_from_the_opened_part_to_the_rest(login, queue, dashboard):
    me, mine, _assigned = queue
    login(me)
    opened = [n for n, kind in mine.items() if kind == "open" and n.score_mean is not None]
    assert len(opened) % PER_PAGE, "a page must straddle the two parts"
    ids, _total = every_page(dashboard, sort="score", order="desc")
    assert ids[: len(opened)] == [
        n.id for n in sorted(opened, key=lambda n: (n.score_mean, n.id), reverse=True)
    ]
    # The rest by id, downwards: hidden scores order nothing.
    assert ids[len(opened) :] == sorted(ids[len(opened) :], reverse=True)


@pytest.fixture
def panel(make, db, cycle):
    return split_panel(make, db, cycle)


@pytest.mark.parametrize("sort", ["id", "calibrated"])
@pytest.mark.parametrize("direction", ["asc", "desc"])
def test_an_organizers_calibrated_filter_page_by_page(
    sort, direction, app, login, make, db, cycle, connection, panel, dashboard
):
    app.config["PER_PAGE"] = PER_PAGE
    organizer = make.organizer()
    # In the queue, not in the calibration (no score); the organizer's own (rule 9).
    unscored = make.nomination(cycle, status=NominationStatus.IN_REVIEW)
    own = make.nomination(cycle, organizer, status=NominationStatus.IN_REVIEW)
    score(make, db, own, panel.harsh, 5)
    login(organizer)
    calibration = cycle_calibration(db, cycle.id, [own.id])
    received = sorted([*panel.ids(*panel.nominations), unscored.id])
    for bound in ("1", "3", "4.2", "9"):
        filters = Filters(
            sort=sort,
            descending=direction == "desc",
            min_score=float(bound),
            score_basis="calibrated",
        )
        queue_order = received[::-1] if filters.descending and sort == "id" else received
        wanted = calibrated_order(queue_order, filters, calibration)
        ids, total = every_page(
            dashboard, min_score=bound, basis="calibrated", sort=sort, order=direction
        )
        assert ids == wanted, bound
        assert total == len(wanted)
        assert own.id not in ids and unscored.id not in ids
    # Any other filter reads the queue: the same order.
    category = panel.nominations["shared"].category_id
    filters = replace(filters, min_score=3.0, category_id=category)
    ids, _total = every_page(
        dashboard, min_score="3", basis="calibrated", sort=sort, order=direction, category=category
    )
    queue_order = received[::-1] if filters.descending and sort == "id" else received
    assert ids == calibrated_order(queue_order, filters, calibration)
