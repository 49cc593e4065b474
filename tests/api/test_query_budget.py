"""The API's lists run as many queries with three times the data, and at most 10
(authentication included): no N+1 behind a page of JSON."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from nominee.cycles.models import CycleStatus
from nominee.nominations.models import NominationStatus
from tests.api.conftest import Api
from tests.perf.helpers import StatementCounter

BUDGET = 10
LISTS = [
    "/me",
    "/contributions?limit=100",
    "/contributions?owner={other}&limit=100",
    "/endorsements/received?limit=100",
    "/endorsements/given?limit=100",
    "/contribution-types",
    "/categories",
    "/cycles",
    "/nominations",
    "/reviews/assignments",
    "/members/{other}/awards",
    "/awardees",
    "/cycles/{cycle}/dashboard",
    "/cycles/{cycle}/decisions",
]


def _programme(make, organizer, other, size: int):
    """``size`` of everything the lists show, around ``organizer`` and ``other``."""
    today = date.today()
    for n in range(size):
        kind, category = make.contribution_type(), make.category()
        mine = make.contribution(organizer, type=kind, primary_category=category)
        theirs = make.contribution(other, type=kind, categories=[make.category()])
        make.endorsement(theirs, organizer)
        make.endorsement(mine, make.user())
        cycle = make.cycle(
            status=CycleStatus.IN_REVIEW,
            nominations_open_on=today - timedelta(days=60 + n),
            nominations_close_on=today - timedelta(days=5),
            review_close_on=today + timedelta(days=20),
            categories=[category],
        )
        nomination = make.nomination(
            cycle, make.user(), status=NominationStatus.IN_REVIEW, category=category
        )
        make.evidence(nomination, [make.contribution(nomination.nominee)])
        make.appointment(cycle, organizer)
        make.assignment(nomination, organizer)
        make.award(member=other)
    return cycle


@pytest.mark.parametrize("size", [3])
def test_the_lists_stay_flat_and_in_budget(app, make, token_for, connection, size):
    organizer, other = make.organizer(), make.user()
    api = Api(app.test_client(), token_for(organizer))
    counts: dict[str, list[int]] = {path: [] for path in LISTS}
    for scale in (size, size * 3):
        cycle = _programme(make, organizer, other, scale - (size if scale > size else 0))
        for path in LISTS:
            url = path.format(other=other.id, cycle=cycle.id)
            api.get(url)  # warm what is cached per process
            with StatementCounter(connection) as counter:
                counter.active = True
                answer = api.get(url)
                counter.active = False
            assert answer.status_code == 200, (url, answer.json)
            counts[path].append(counter.count)
    wrong = {path: c for path, c in counts.items() if c[1] > BUDGET or c[1] != c[0]}
    assert not wrong, f"queries (small, large) per list: {wrong}"
