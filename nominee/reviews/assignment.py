"""The automatic assignment plan: pure, so its properties are easy to test.

Each nomination gets up to ``k`` reviewers, counting the ones it already has (existing
assignments are kept). A candidate is appointed for the nomination's category, not
conflicted on it, and not already on it (``rules.may_join_panel``, as the assignments
page lists them). Load is spread evenly:

1. the nominations with the least room (candidates minus places) are served first, so
   a scarce reviewer is not used up by nominations that had other choices;
2. each place goes to the candidate with the lowest load so far (ties: lowest id, so
   the plan is deterministic);
3. then new assignments move from a reviewer to a candidate with a load at least two
   lower, while one exists. Every move lowers the sum of squared loads, so this ends.

When every reviewer may take every nomination and nothing was assigned before, the loads
end within one of each other, so nobody is more than one above the average. With
conflicts, category limits and kept assignments that is not always possible; checked
against an exact max-flow bound on thousands of random cases, the plan reached it
whenever it was.

Running the plan again on its own result adds nothing: every nomination either has
``k`` reviewers or no candidate left.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from nominee.reviews.rules import may_join_panel


@dataclass(frozen=True)
class Seat:
    nomination_id: int
    category_id: int


def plan(
    nominations: Sequence[Seat],
    scopes: Mapping[int, frozenset[int] | None],
    existing: Mapping[int, set[int]],
    conflicted: set[tuple[int, int]],
    k: int,
    loads: Mapping[int, int],
) -> list[tuple[int, int]]:
    """New ``(nomination_id, reviewer_id)`` pairs.

    ``scopes`` maps each appointed reviewer to the categories they review (None: all);
    ``existing`` the reviewers each nomination already has; ``loads`` each reviewer's
    current number of assignments in the cycle.
    """
    load = {reviewer: loads.get(reviewer, 0) for reviewer in scopes}

    def candidates(seat: Seat) -> list[int]:
        taken = existing.get(seat.nomination_id, set())
        return [
            reviewer
            for reviewer, scope in scopes.items()
            if may_join_panel(
                scope, seat.nomination_id, seat.category_id, reviewer, taken, conflicted
            )
        ]

    work = []
    for seat in nominations:
        places = k - len(existing.get(seat.nomination_id, ()))
        if places > 0:
            pool = candidates(seat)
            if pool:
                work.append((len(pool) - places, seat.nomination_id, places, pool))
    work.sort(key=lambda item: (item[0], item[1]))

    chosen: dict[int, set[int]] = {}
    for _, nomination_id, places, pool in work:
        picked = sorted(pool, key=lambda reviewer: (load[reviewer], reviewer))[:places]
        chosen[nomination_id] = set(picked)
        for reviewer in picked:
            load[reviewer] += 1

    pools = {nomination_id: pool for _, nomination_id, _, pool in work}
    moved = True
    while moved:
        moved = False
        for nomination_id in sorted(chosen):
            on_it = chosen[nomination_id]
            for reviewer in sorted(on_it, key=lambda r: (-load[r], r)):
                lighter = [
                    other
                    for other in pools[nomination_id]
                    if other not in on_it and load[other] <= load[reviewer] - 2
                ]
                if lighter:
                    other = min(lighter, key=lambda r: (load[r], r))
                    on_it.remove(reviewer)
                    on_it.add(other)
                    load[reviewer] -= 1
                    load[other] += 1
                    moved = True
                    break
    return sorted(
        (nomination_id, reviewer)
        for nomination_id, reviewers in chosen.items()
        for reviewer in reviewers
    )
