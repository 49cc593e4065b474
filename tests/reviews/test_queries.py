"""The review reads moved out of the views (issue 12): the assignments page's rows, the
score rule, and a refused operation that leaves nothing behind."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from nominee.cycles.models import CycleStatus, RubricCriterion
from nominee.errors import DomainError
from nominee.nominations.models import Decision, NominationStatus
from nominee.reviews import queries, rules, services
from nominee.reviews.models import Assignment
from tests.reviews.test_conflicts import endorse


def test_assignments_page_rows_name_the_panel_the_conflicted_and_the_candidates(
    make, db, cycle, in_review, appointed
):
    tools, data = cycle.categories
    on_panel = appointed(display_name="Paula Panel")
    free = appointed(display_name="Fred Free")
    data_only = appointed(category=data, display_name="Dana Data")
    fan = appointed(display_name="Carl Conflicted")
    nomination = in_review(category=tools)
    endorse(make, fan, nomination.nominee)
    make.assignment(nomination, on_panel)
    organizer = make.organizer()

    found = queries.assignments_page(
        db, cycle, organizer, category_id=None, understaffed=False, page=1, per_page=25
    )

    (row,) = found.page.items
    assert isinstance(row, queries.AssignmentRow)
    assert row.nomination.id == nomination.id
    assert row.nominee.display_name == nomination.nominee.display_name
    assert [reviewer.id for reviewer, _ in row.assigned] == [on_panel.id]
    assert [(reviewer.id, [c.kind for c in why]) for reviewer, why in row.conflicts] == [
        (fan.id, ["endorsed"])
    ]
    # Not on it, not conflicted, and covering Tools.
    assert [reviewer.id for reviewer in row.candidates] == [free.id]
    assert data_only.id not in [reviewer.id for reviewer in row.candidates]
    assert found.average == pytest.approx(1 / 4)
    assert not found.left_out


def test_assignments_page_leaves_out_what_the_viewer_is_conflicted_on(make, db, cycle, in_review):
    organizer = make.organizer()
    in_review(organizer)
    kept = in_review()
    found = queries.assignments_page(
        db, cycle, organizer, category_id=None, understaffed=False, page=1, per_page=25
    )
    assert [row.nomination.id for row in found.page.items] == [kept.id]
    assert found.left_out


def test_may_join_panel():
    assert rules.may_join_panel(None, 1, 7, 3, on_it=(), conflicted=())
    assert rules.may_join_panel(frozenset({7}), 1, 7, 3, on_it=(), conflicted=())
    assert not rules.may_join_panel(frozenset({8}), 1, 7, 3, on_it=(), conflicted=())
    assert not rules.may_join_panel(None, 1, 7, 3, on_it={3}, conflicted=())
    assert not rules.may_join_panel(None, 1, 7, 3, on_it=(), conflicted={(1, 3)})


def test_may_join_of_is_may_join_panel_for_reviewers_covering_the_category():
    covering, on_it, conflicted = [5, 3, 8, 4], {8}, {(1, 3), (2, 5)}
    assert rules.may_join_of(covering, 1, on_it, conflicted) == [
        r for r in covering if rules.may_join_panel(None, 1, 7, r, on_it, conflicted)
    ]
    assert rules.may_join_of(covering, 1, on_it, conflicted) == [5, 4]


def test_stats_by_criterion_gives_mean_range_and_spread():
    impact = RubricCriterion(id=1, name="Impact", weight=2.0)
    reach = RubricCriterion(id=2, name="Reach", weight=1.0)
    stats = rules.stats_by_criterion([impact, reach], {1: [3, 5, 4]})
    assert (stats[0].count, stats[0].mean, stats[0].low, stats[0].high) == (3, 4, 3, 5)
    assert stats[0].spread == 2 and stats[0].disagreement
    assert (stats[1].count, stats[1].mean, stats[1].spread) == (0, None, None)
    assert not stats[1].disagreement
    assert rules.score_mean(stats) == 4  # the unscored criterion adds nothing


def test_a_refused_assignment_commits_nothing_it_flushed(
    client, login, make, db, cycle, in_review, appointed, monkeypatch
):
    """The view answers a redirect (302 < 400), which would commit: it refuses instead."""
    reviewer = appointed()
    nomination = in_review()

    def half_done(session, actor, nomination, reviewer):
        session.add(Assignment(nomination_id=nomination.id, reviewer_id=reviewer.id))
        session.flush()
        raise DomainError("Refused after a write.")

    monkeypatch.setattr(services, "assign", half_done)
    login(make.organizer())
    response = client.post(
        f"/cycles/{cycle.id}/nominations/{nomination.id}/assign",
        data={"reviewer_id": reviewer.id},
        follow_redirects=True,
    )
    assert "Refused after a write." in response.text
    assert db.scalars(select(Assignment)).all() == []


def test_the_nomination_page_shows_the_reviewers_feedback_to_the_nominee_once_published(
    client, login, make, db, cycle, in_review, appointed
):
    nominee = make.user()
    nomination = in_review(nominee)
    make.review(nomination, appointed(), scores=[4, 4, 4, 4], nominee_feedback="Write more!")
    nomination.status, nomination.decision = NominationStatus.DECLINED, Decision.DECLINE
    db.flush()
    login(nominee)
    assert "Write more!" not in client.get(f"/nominations/{nomination.id}").text
    cycle.status = CycleStatus.PUBLISHED
    cycle.published_at = datetime.now(UTC)
    db.flush()
    page = client.get(f"/nominations/{nomination.id}")
    assert "Feedback from the reviewers" in page.text and "Write more!" in page.text
