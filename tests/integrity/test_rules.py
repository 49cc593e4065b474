"""The scan's analysis on small planted graphs: each arranged shape is flagged, with
its figures and accounts; the organic look-alikes are not."""

from __future__ import annotations

import pytest

from nominee.integrity import rules
from tests.integrity.graphs import CLOSE, DAY, START, Plan, signal


@pytest.fixture
def plan() -> Plan:
    plan = Plan()
    plan.background()
    return plan


def test_a_reciprocal_pair_is_flagged_with_its_figures(plan):
    a, b = plan.members(2)
    for k in range(5):
        plan.endorse(a, b, at=START + k * 20 * DAY)
        plan.endorse(b, a, at=START + k * 20 * DAY + 2 * DAY)
    plan.organic_for([a, b])
    results = plan.analyse()
    for me, partner in ((a, b), (b, a)):
        result = results[me]
        assert result.flagged
        reciprocity = signal(result, "reciprocity")
        assert reciprocity is not None and reciprocity.accounts == [partner]
        assert reciprocity.explanation.startswith("5 of 7 endorsements received (71%) were")
        assert "5 of 5 given (100%) were returned" in reciprocity.explanation
        assert f"(#{partner})" in reciprocity.explanation
        # Returned favours count half, and the closed pair takes most of the rest.
        assert result.effective_endorsers < result.distinct_endorsers


@pytest.mark.parametrize("size", [3, 5, 8])
def test_a_clique_is_flagged_as_a_closed_group(plan, size):
    clique = plan.members(size)
    for a in clique:
        for b in clique:
            if a != b:
                plan.endorse(a, b, 2)
    plan.organic_for(clique)
    results = plan.analyse()
    for m in clique:
        assert results[m].flagged, results[m]
        group = signal(results[m], "closed_group")
        assert group is not None
        assert sorted(group.accounts) == sorted(set(clique) - {m})
        inside = 2 * (size - 1)
        received = inside + 2
        assert group.explanation.startswith(
            f"{size - 1} of {size + 1} endorsers ({inside} of {received} endorsements, "
            f"{round(100 * inside / received)}%) belong to a group of {size} members"
        )


def test_a_directed_ring_without_a_mutual_pair_is_caught(plan):
    ring = plan.members(4)
    for i, a in enumerate(ring):
        plan.endorse(a, ring[(i + 1) % 4], 4)
    plan.organic_for(ring)
    results = plan.analyse()
    for m in ring:
        assert results[m].flagged
        assert signal(results[m], "reciprocity") is None  # no pair endorses both ways
        group = signal(results[m], "closed_group")
        assert group is not None and sorted(group.accounts) == sorted(set(ring) - {m})
        assert "group of 4 members who receive 67% of their endorsements from each other" in (
            group.explanation
        )


def test_a_ring_stays_caught_when_one_member_draws_more_outsiders_than_ring_endorsements(plan):
    """A directed ring of six as the large seed makes them: each member endorses most of
    the next one's recent work, and the crowd endorses them a little. One member's few
    pieces drew 3 endorsements from the ring and 4 from outsiders (43% inside): a ring
    has no second path around such a member, so it must not break the ring apart."""
    ring = plan.members(6)
    arranged = [10, 7, 3, 4, 5, 11]  # ring[i] endorses ring[i + 1] this often
    outsiders = [4, 0, 4, 1, 2, 1]  # organic endorsements of ring[i + 1]
    for i, a in enumerate(ring):
        b = ring[(i + 1) % 6]
        plan.endorse(a, b, arranged[i])
        for e in plan.rng.sample(plan.crowd, outsiders[i]):
            plan.endorse(e, b)
        for e in plan.rng.sample(plan.crowd, 2):  # they endorse the crowd a little too
            plan.endorse(a, e)
    results = plan.analyse()
    for m in ring:
        assert results[m].flagged, results[m]
        assert signal(results[m], "reciprocity") is None
        group = signal(results[m], "closed_group")
        assert group is not None and sorted(group.accounts) == sorted(set(ring) - {m})
    weak = signal(results[ring[3]], "closed_group")
    assert weak is not None
    assert weak.explanation.startswith(
        "1 of 5 endorsers (3 of 7 endorsements, 43%) belong to a group of 6 members who "
        "receive 77% of their endorsements from each other"
    )


def test_a_user_group_taking_a_third_from_each_other_is_not_a_closed_group(plan):
    """Each member receives 3 of 8 endorsements from the group: enough to stay in a
    group that is closed as a whole, but this one takes most of its endorsements from
    outside, so it is not one."""
    group = plan.members(4)
    for a in group:
        for b in group:
            if a != b:
                plan.endorse(a, b)
        for e in plan.rng.sample(plan.crowd, 5):
            plan.endorse(e, a)
    results = plan.analyse()
    for m in group:
        assert signal(results[m], "closed_group") is None
        assert not results[m].flagged


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_small_programme_endorsing_each_other_once_now_and_then_is_not_closed(seed):
    """Forty members, each endorsed once by three others: any sixteen of them keep much
    inside by chance, but no one endorses anyone twice, so no group holds."""
    plan = Plan(seed=seed)
    crowd = plan.members(40)
    for r in crowd:
        for e in plan.rng.sample([m for m in crowd if m != r], 3):
            plan.endorse(e, r)
    results = plan.analyse()
    assert not any(signal(r, "closed_group") for r in results.values())
    assert not any(r.flagged for r in results.values())


def test_a_puppet_star_is_flagged_on_its_beneficiary(plan):
    [beneficiary] = plan.members(1)
    puppets = plan.members(6, young=True, created=CLOSE - 25 * DAY)
    for p in puppets:
        plan.endorse(p, beneficiary, 2, at=CLOSE - 20 * DAY, span=10 * DAY)
    plan.organic_for([beneficiary], 3)
    result = plan.analyse()[beneficiary]
    assert result.flagged
    found = signal(result, "puppets")
    assert found is not None and found.accounts == puppets
    assert found.explanation.startswith("12 of 15 endorsements (80%) come from 6 accounts")
    assert "(6 unverified; 6 of them registered within 7 days of each other)" in (found.explanation)
    # Puppets count a fifth each: 6 x 0.2 + 3 organic endorsers.
    assert result.effective_endorsers == pytest.approx(4.2)


def test_a_camouflaged_clique_is_caught_although_its_members_endorse_popular_members(plan):
    popular = plan.members(5)
    for p in popular:
        for fan in plan.members(40):
            plan.endorse(fan, p)
    clique = plan.members(5)
    for a in clique:
        for b in clique:
            if a != b:
                plan.endorse(a, b, 2)
        for p in popular:
            plan.endorse(a, p, 4)  # most of what they give goes outside
    plan.organic_for(clique)
    results = plan.analyse()
    for m in clique:
        assert results[m].flagged
        assert signal(results[m], "closed_group") is not None
    assert not any(results[p].flagged for p in popular)


def test_a_burst_ring_before_nominations_close(plan):
    ring = plan.members(4)
    for a in ring:
        for b in ring:
            if a != b:
                plan.endorse(a, b, 2, at=CLOSE - 2 * DAY, span=DAY)
    plan.organic_for(ring)
    results = plan.analyse()
    for m in ring:
        assert results[m].flagged
        found = signal(results[m], "burst")
        assert found is not None
        assert found.explanation.startswith("6 of 8 endorsements (75%) arrived within 48 hours")
        assert "hours before nominations closed" in found.explanation


def test_two_prolific_friends_are_not_flagged(plan):
    a, b = plan.members(2)
    for m in (a, b):
        fans = plan.members(40)
        for f in fans:
            plan.endorse(f, m, 2)
    for k in range(6):
        plan.endorse(a, b, at=START + k * 30 * DAY)
        plan.endorse(b, a, at=START + k * 30 * DAY + DAY)
    results = plan.analyse()
    for m in (a, b):
        assert not results[m].flagged
        assert results[m].score < rules.FLAG_THRESHOLD
        assert signal(results[m], "closed_group") is None


def test_a_user_group_endorsed_by_many_others_is_not_flagged(plan):
    group = plan.members(8)
    for a in group:
        for b in group:
            if a != b:
                plan.endorse(a, b)
    for m in group:
        for e in plan.rng.sample(plan.crowd, 15):
            plan.endorse(e, m)
    results = plan.analyse()
    assert not any(results[m].flagged for m in group)


def test_a_popular_member_is_not_flagged(plan):
    [star] = plan.members(1)
    for e in plan.members(150):
        plan.endorse(e, star)
    for e in plan.crowd:
        plan.endorse(e, star)
    result = plan.analyse()[star]
    assert not result.flagged and result.signals == []
    assert result.effective_endorsers == result.distinct_endorsers == 230


def test_one_weak_signal_alone_never_flags(plan):
    """A single devoted fan is a thin base, and no more."""
    [member] = plan.members(1)
    [fan] = plan.members(1)
    plan.endorse(fan, member, 10)
    result = plan.analyse()[member]
    thin = signal(result, "thin_base")
    assert thin is not None and thin.strength == 1.0
    assert thin.explanation.startswith("10 endorsements come from 1 distinct endorsers (10%")
    assert not result.flagged


def test_organizer_reviews_change_the_flag_and_the_count(plan):
    clique = plan.members(4)
    for a in clique:
        for b in clique:
            if a != b:
                plan.endorse(a, b, 2)
    plan.organic_for(clique)
    m = clique[0]
    before = plan.analyse()[m]
    assert before.flagged and before.effective_endorsers < before.distinct_endorsers

    legitimate = plan.analyse({m: rules.Review(legitimate=True)})[m]
    assert not legitimate.flagged
    assert legitimate.effective_endorsers == legitimate.distinct_endorsers == 5

    confirmed = plan.analyse({m: rules.Review(False, frozenset(clique[1:]))})[m]
    assert confirmed.flagged
    assert confirmed.effective_endorsers == 2.0  # only the two organic endorsers count


def test_the_combined_score():
    assert rules.combine([]) == 0
    assert rules.combine([("thin_base", 1.0)]) == 0.5
    assert rules.combine([("thin_base", 1.0), ("burst", 1.0)]) == 0.75
    # Reciprocity alone never flags either: a group of friends returns favours.
    assert rules.combine([("reciprocity", 1.0)]) < rules.FLAG_THRESHOLD
    assert rules.combine([("closed_group", 0.5), ("reciprocity", 1.0)]) == pytest.approx(0.775)


def test_puppets_spread_over_a_group_are_puppets_too(plan):
    trio = plan.members(3)
    for a in trio:
        for b in trio:
            if a != b:
                plan.endorse(a, b, 2)
    puppets = plan.members(6, young=True, created=CLOSE - 25 * DAY)
    for p in puppets:
        for m in trio:  # a third of its endorsements to each: no single favourite
            plan.endorse(p, m, at=CLOSE - 20 * DAY, span=10 * DAY)
    plan.organic_for(trio)
    results = plan.analyse()
    for m in trio:
        found = signal(results[m], "puppets")
        assert found is not None and found.accounts == puppets
        assert "to one member or group" in found.explanation
        assert results[m].flagged
