from __future__ import annotations

import pytest
from sqlalchemy import func, select

from nominee.endorsements import rules, services
from nominee.endorsements.models import Endorsement
from nominee.errors import Conflict

pytestmark = pytest.mark.usefixtures("app_ctx")


def test_an_insert_that_lost_the_race_becomes_already_endorsed(db, make, monkeypatch):
    """The other request committed between our check and our insert: the unique
    constraint refuses the row, the savepoint keeps the transaction usable."""
    contribution = make.contribution()
    endorser = make.user()
    make.endorsement(contribution, endorser)
    monkeypatch.setattr(services, "endorsement_of", lambda *_args: None)
    with pytest.raises(Conflict, match=rules.ALREADY_ENDORSED):
        services.endorse(db, endorser, contribution, "again")
    assert db.scalar(select(func.count(Endorsement.id))) == 1
    db.refresh(contribution)
    assert contribution.endorsement_count == 1


def test_endorsing_does_not_touch_updated_at(db, make):
    contribution = make.contribution()
    before = contribution.updated_at
    services.endorse(db, make.user(), contribution)
    db.refresh(contribution)
    assert contribution.endorsement_count == 1
    assert contribution.updated_at == before
