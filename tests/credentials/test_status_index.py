"""Each award takes a stable place in the status lists as it is granted."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from nominee.awards.models import Award
from nominee.cycles.models import CycleStatus
from nominee.nominations.models import Decision, NominationStatus
from tests.awards.helpers import move

pytestmark = pytest.mark.usefixtures("app_ctx")


def test_publishing_gives_each_award_its_id_as_status_index(make, db):
    cycle = make.cycle(status=CycleStatus.DECIDED)
    for _ in range(3):
        make.nomination(cycle, status=NominationStatus.AWARDED, decision=Decision.AWARD)
    move(db, cycle, CycleStatus.PUBLISHED, make.organizer())
    db.expire_all()
    awards = db.scalars(select(Award).order_by(Award.id)).all()
    assert len(awards) == 3
    assert [award.status_index for award in awards] == [award.id for award in awards]
