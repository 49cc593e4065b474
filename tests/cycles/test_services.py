from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from nominee.cycles import services
from nominee.cycles.models import Cycle, CycleStatus
from nominee.errors import Conflict, DomainError, PermissionDenied
from nominee.uow import get_session
from tests.factories import Factory

TODAY = date.today()


def settings(categories, **changes) -> services.CycleSettings:
    values = {
        "name": "Autumn awards",
        "category_ids": [c.id for c in categories],
        "nominations_open_on": TODAY,
        "nominations_close_on": TODAY + timedelta(days=30),
        "review_close_on": TODAY + timedelta(days=60),
    }
    return services.CycleSettings(**{**values, **changes})


def test_create_refuses_a_retired_category(db, make):
    organizer = make.organizer()
    with pytest.raises(DomainError) as refused:
        services.create_cycle(db, organizer, settings([make.category(retired=True)]))
    assert refused.value.field == "category_ids"


def test_a_category_retired_later_may_stay_in_scope(db, make):
    organizer, category = make.organizer(), make.category()
    cycle = services.create_cycle(db, organizer, settings([category]))
    category.retired = True
    services.update_cycle(
        db, organizer, cycle, settings([category], name="Renamed"), None, cycle.version
    )
    assert cycle.name == "Renamed" and cycle.categories == [category]


def test_create_checks_dates_too(db, make):
    organizer = make.organizer()
    bad = settings([make.category()], review_close_on=TODAY + timedelta(days=29))
    with pytest.raises(DomainError) as refused:
        services.create_cycle(db, organizer, bad)
    assert refused.value.field == "review_close_on"


def test_create_checks_criteria(db, make):
    organizer = make.organizer()
    with pytest.raises(DomainError, match="Two criteria"):
        services.create_cycle(
            db, organizer, settings([make.category()]), [("Impact", "", 1), ("impact", "", 2)]
        )
    with pytest.raises(DomainError, match="weight"):
        services.create_cycle(db, organizer, settings([make.category()]), [("Impact", "", 0)])


def test_only_organizers(db, make):
    member = make.user()
    cycle = make.cycle(status=CycleStatus.DRAFT)
    with pytest.raises(PermissionDenied):
        services.create_cycle(db, member, settings([make.category()]))
    with pytest.raises(PermissionDenied):
        services.move_status(db, member, cycle, CycleStatus.OPEN, cycle.version)


def test_rubric_change_keeps_criterion_ids(db, make):
    organizer = make.organizer()
    cycle = make.cycle(status=CycleStatus.DRAFT)
    ids = [c.id for c in cycle.criteria]
    criteria = [(c.name, c.description, c.weight) for c in cycle.criteria][:3]
    criteria[0] = ("Reach", "How far it went.", 2.0)
    services.update_cycle(db, organizer, cycle, settings(cycle.categories), criteria, cycle.version)
    assert [c.id for c in cycle.criteria] == ids[:3]
    assert cycle.criteria[0].name == "Reach"


def test_lost_race_on_the_status_is_a_conflict(committing_app):
    """Two organizers move the same cycle; the second one's UPDATE finds a new version."""
    with committing_app.app_context():
        session = get_session()
        make = Factory(session)
        organizer = make.organizer()
        cycle_id = make.cycle(status=CycleStatus.DRAFT).id
        organizer_id = organizer.id
        session.commit()
    with committing_app.app_context():
        first = get_session()
        first_cycle = first.get(Cycle, cycle_id)
        loaded_version = first_cycle.version
        first.commit()  # end the read (SQLite would hold its write lock); the object stays
        with committing_app.app_context():
            second = get_session()
            second_cycle = second.get(Cycle, cycle_id)
            services.move_status(
                second,
                second.get(type(organizer), organizer_id),
                second_cycle,
                CycleStatus.OPEN,
                second_cycle.version,
            )
            second.commit()
        with pytest.raises(Conflict, match="changed in the meantime"):
            services.move_status(
                first,
                first.get(type(organizer), organizer_id),
                first_cycle,
                CycleStatus.OPEN,
                loaded_version,
            )
        first.rollback()
        assert first.scalar(select(Cycle.status).where(Cycle.id == cycle_id)) is CycleStatus.OPEN
