"""Appointments and assignment, by hand and automatic."""

from __future__ import annotations

import random
import re
from collections import Counter

import pytest
from sqlalchemy import select

from nominee.accounts.models import Role
from nominee.cycles.models import CycleStatus
from nominee.errors import DomainError
from nominee.nominations.models import NominationKind
from nominee.reviews import services
from nominee.reviews.assignment import Seat, plan
from nominee.reviews.models import Assignment, ReviewerAppointment, ReviewStatus
from nominee.reviews.queries import conflicts
from tests.reviews.conftest import audit_actions
from tests.reviews.test_conflicts import endorse


def pairs(db) -> set[tuple[int, int]]:
    return {
        tuple(row) for row in db.execute(select(Assignment.nomination_id, Assignment.reviewer_id))
    }


# The plan itself


@pytest.mark.parametrize("seed", range(40))
def test_plan_gives_k_reviewers_without_conflicts_and_spreads_load(seed):
    rng = random.Random(seed)
    reviewers = list(range(1, rng.randint(4, 8) + 1))
    seats = [Seat(n, 1) for n in range(rng.randint(10, 50))]
    conflicted = {(s.nomination_id, r) for s in seats for r in reviewers if rng.random() < 0.1}
    planned = plan(seats, dict.fromkeys(reviewers), {}, conflicted, 3, {})
    assert not set(planned) & conflicted
    per_nomination = Counter(n for n, _ in planned)
    for seat in seats:
        eligible = sum((seat.nomination_id, r) not in conflicted for r in reviewers)
        assert per_nomination[seat.nomination_id] == min(3, eligible)
    loads = Counter(r for _, r in planned)
    assert max(loads.values()) <= len(planned) / len(reviewers) + 1
    again = plan(seats, dict.fromkeys(reviewers), _by_nomination(planned), conflicted, 3, loads)
    assert again == []


def _by_nomination(planned):
    existing: dict[int, set[int]] = {}
    for n, r in planned:
        existing.setdefault(n, set()).add(r)
    return existing


def test_plan_counts_existing_assignments_towards_k_and_load():
    reviewers = dict.fromkeys([1, 2, 3, 4])
    seats = [Seat(n, 1) for n in range(4)]
    existing = {0: {1, 2}, 1: {1}}
    planned = plan(seats, reviewers, existing, set(), 2, {1: 2, 2: 1})
    per_nomination = Counter(n for n, _ in planned)
    assert per_nomination == {1: 1, 2: 2, 3: 2}
    loads = Counter({1: 2, 2: 1}) + Counter(r for _, r in planned)
    assert max(loads.values()) - min(loads.values()) <= 1


def test_plan_respects_category_scopes():
    reviewers = {1: frozenset({10}), 2: frozenset({20}), 3: None}
    planned = plan([Seat(1, 10), Seat(2, 20)], reviewers, {}, set(), 2, {})
    assert planned == [(1, 1), (1, 3), (2, 2), (2, 3)]


# Automatic assignment through the app


def test_auto_assignment_properties(client, login, make, db, cycle, in_review, appointed):
    organizer = make.organizer()
    reviewers = [appointed() for _ in range(5)]
    nominations = [in_review() for _ in range(11)]
    for nomination in nominations[:3]:
        endorse(make, reviewers[0], nomination.nominee)
    endorse(make, nominations[3].nominee, reviewers[1])
    peer = in_review(kind=NominationKind.PEER, nominator=reviewers[2])
    nominations.append(peer)
    kept = make.assignment(nominations[5], reviewers[4])
    conflicted = set(conflicts.find_conflicts(db, cycle, [r.id for r in reviewers]))
    assert len(conflicted) == 5

    login(organizer)
    response = client.post(f"/cycles/{cycle.id}/assignments/auto")
    assert response.status_code == 302
    first = pairs(db)
    assert not first & conflicted
    assert (kept.nomination_id, kept.reviewer_id) in first
    assert Counter(n for n, _ in first) == {n.id: 3 for n in nominations}
    loads = Counter(r for _, r in first)
    assert max(loads.values()) <= len(first) / len(reviewers) + 1

    client.post(f"/cycles/{cycle.id}/assignments/auto")
    assert pairs(db) == first
    runs = audit_actions(db, "review.auto_assigned")
    assert [run.after["added"] for run in runs] == [len(first) - 1, 0]

    page = client.get(f"/cycles/{cycle.id}/assignments")
    assert "Load per reviewer" in page.text
    for reviewer in reviewers:
        assert reviewer.display_name in page.text


def test_auto_assignment_uses_only_reviewers_appointed_for_the_category(
    make, db, cycle, in_review, appointed
):
    tools, data = cycle.categories
    only_data = [appointed(category=data) for _ in range(3)]
    everywhere = [appointed() for _ in range(2)]
    tools_nomination = in_review(category=tools)
    data_nomination = in_review(category=data)
    services.auto_assign(db, make.organizer(), cycle)
    assigned = pairs(db)
    on_tools = {r for n, r in assigned if n == tools_nomination.id}
    on_data = {r for n, r in assigned if n == data_nomination.id}
    assert on_tools == {r.id for r in everywhere}  # only two may review it
    assert len(on_data) == 3
    assert not on_tools & {r.id for r in only_data}


def test_auto_assignment_tells_which_nominations_stay_short(
    client, login, make, db, cycle, in_review, appointed
):
    appointed(), appointed()
    in_review(), in_review()
    login(make.organizer())
    response = client.post(f"/cycles/{cycle.id}/assignments/auto", follow_redirects=True)
    assert "4 assignments added. 2 nominations have fewer than 3 reviewers" in response.text
    assert len(pairs(db)) == 4


def test_auto_assignment_only_while_in_review(client, login, make, db, cycle, in_review, appointed):
    appointed()
    in_review()
    cycle.status = CycleStatus.DECIDED
    db.flush()
    login(make.organizer())
    response = client.post(f"/cycles/{cycle.id}/assignments/auto", follow_redirects=True)
    assert "Reviewers are assigned once the cycle is in review." in response.text
    assert pairs(db) == set()


# By hand


def test_assign_and_unassign_by_hand_are_audited(
    client, login, make, db, cycle, in_review, appointed
):
    reviewer = appointed(display_name="Rita Reviewer")
    nomination = in_review()
    login(make.organizer())
    url = f"/cycles/{cycle.id}/nominations/{nomination.id}"
    back = f"/cycles/{cycle.id}/assignments?category=0"
    response = client.post(f"{url}/assign", data={"reviewer_id": reviewer.id, "next": back})
    assert response.headers["Location"] == back
    assert pairs(db) == {(nomination.id, reviewer.id)}
    again = client.post(f"{url}/assign", data={"reviewer_id": reviewer.id}, follow_redirects=True)
    assert "Rita Reviewer is already assigned." in again.text
    client.post(f"{url}/unassign", data={"reviewer_id": reviewer.id})
    assert pairs(db) == set()
    assert len(audit_actions(db, "review.assigned")) == 1
    assert len(audit_actions(db, "review.unassigned")) == 1


def test_the_assignments_filter_shows_what_each_page_chose(client, login, make, cycle):
    # The filter's fields are kept per process for what they show: one page's choice must
    # never show on another's.
    tools, data = cycle.categories
    login(make.organizer())
    url = f"/cycles/{cycle.id}/assignments"

    def chosen(query: str) -> tuple[list[str], bool, bool]:
        text = client.get(f"{url}?{query}").text
        selected = re.findall(r'<option selected value="(\d+)">', text)
        return selected, '<input checked id="understaffed"' in text, "has-error" in text

    assert chosen(f"category={tools.id}") == ([str(tools.id)], False, False)
    assert chosen(f"category={data.id}") == ([str(data.id)], False, False)
    assert chosen(f"category={data.id}&understaffed=y") == ([str(data.id)], True, False)
    assert chosen("category=987654") == ([], False, True)
    assert chosen("") == (["0"], False, False)


def test_assigning_a_reviewer_not_appointed_for_the_category_is_refused(
    client, login, make, db, cycle, in_review, appointed
):
    tools, data = cycle.categories
    reviewer = appointed(category=data, display_name="Dana Data")
    nomination = in_review(category=tools)
    login(make.organizer())
    response = client.post(
        f"/cycles/{cycle.id}/nominations/{nomination.id}/assign",
        data={"reviewer_id": reviewer.id},
        follow_redirects=True,
    )
    assert "Dana Data is not appointed for Developer Tools in this cycle." in response.text
    assert pairs(db) == set()


# Appointments


def test_organizer_appoints_per_category_then_for_the_whole_cycle(client, login, make, db, cycle):
    reviewer = make.reviewer(display_name="Rita Reviewer")
    tools, _ = cycle.categories
    login(make.organizer())
    url = f"/cycles/{cycle.id}/reviewers"
    response = client.post(url, data={"reviewer_id": reviewer.id, "category_id": tools.id})
    assert response.status_code == 302
    twice = client.post(url, data={"reviewer_id": reviewer.id, "category_id": tools.id})
    assert twice.status_code == 400
    assert "Rita Reviewer is already appointed for Developer Tools." in twice.text
    client.post(url, data={"reviewer_id": reviewer.id, "category_id": 0})
    rows = db.scalars(select(ReviewerAppointment)).all()
    assert [(a.reviewer_id, a.category_id) for a in rows] == [(reviewer.id, None)]
    assert len(audit_actions(db, "review.reviewer_appointed")) == 2
    page = client.get(url)
    assert "Rita Reviewer" in page.text and "All categories" in page.text


def test_only_reviewers_and_organizers_can_be_appointed(make, db, cycle):
    with pytest.raises(DomainError, match="reviewer role"):
        services.appoint(db, make.organizer(), cycle, make.user(), None)
    services.appoint(db, make.organizer(), cycle, make.user(Role.ORGANIZER), None)


def test_members_are_not_offered_for_appointment(client, login, make, cycle):
    member = make.user(display_name="Mo Member")
    login(make.organizer())
    response = client.post(
        f"/cycles/{cycle.id}/reviewers", data={"reviewer_id": member.id, "category_id": 0}
    )
    assert response.status_code == 400
    assert "Mo Member" not in response.text


def test_removing_an_appointment_unassigns_what_it_covered(
    client, login, make, db, cycle, in_review
):
    tools, data = cycle.categories
    reviewer = make.reviewer()
    tools_appointment = make.appointment(cycle, reviewer, tools)
    make.appointment(cycle, reviewer, data)
    on_tools, on_data = in_review(category=tools), in_review(category=data)
    reviewed = in_review(category=tools)
    for nomination in (on_tools, on_data, reviewed):
        make.assignment(nomination, reviewer)
    make.review(on_tools, reviewer, status=ReviewStatus.DRAFT)
    make.review(reviewed, reviewer, scores=[3, 3, 3, 3])
    login(make.organizer())
    response = client.post(f"/cycles/{cycle.id}/reviewers/{tools_appointment.id}/remove")
    assert response.status_code == 302
    # A submitted review is final and counts: its reviewer stays on that panel.
    assert pairs(db) == {(on_data.id, reviewer.id), (reviewed.id, reviewer.id)}
    [event] = audit_actions(db, "review.reviewer_removed")
    assert event.after == {"assignments_removed": 1}
