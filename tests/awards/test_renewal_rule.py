"""The renewal rule: an award is renewed once, by the cycle running when its term ends
(its last day falls between the cycle's nominations opening and its award term's first
day), never before its own term began, and never twice, even by overlapping cycles."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from nominee.awards.models import Award
from nominee.cycles.models import CycleStatus, add_months
from nominee.nominations.models import Nomination, NominationKind, NominationStatus
from tests.awards.test_renewal_views import logged_in, move, renewals

TODAY = date.today()


def award_ending(make, ends_on: date, categories, **kw) -> Award:
    """An award of an earlier, published cycle whose term ends on ``ends_on``."""
    starts_on = add_months(ends_on + timedelta(days=1), -12)
    earlier = make.cycle(
        status=CycleStatus.PUBLISHED,
        nominations_open_on=starts_on - timedelta(days=60),
        nominations_close_on=starts_on - timedelta(days=30),
        review_close_on=starts_on - timedelta(days=1),
        categories=categories,
    )
    assert earlier.award_ends_on == ends_on
    return make.award(cycle=earlier, member=make.user(display_name="Ada"), **kw)


def draft(make, categories, opens: int, closes: int, reviews_close: int, **kw):
    return make.cycle(
        status=CycleStatus.DRAFT,
        nominations_open_on=TODAY + timedelta(days=opens),
        nominations_close_on=TODAY + timedelta(days=closes),
        review_close_on=TODAY + timedelta(days=reviews_close),
        categories=categories,
        **kw,
    )


def test_overlapping_open_cycles_renew_an_award_once(app, make, db):
    first = draft(make, [make.category()], opens=-10, closes=10, reviews_close=20)
    second = draft(make, first.categories, opens=-5, closes=15, reviews_close=20)
    award = award_ending(make, first.award_starts_on, first.categories)
    organizer = logged_in(app, make.organizer())

    assert move(organizer, first, CycleStatus.OPEN).status_code == 302
    assert move(organizer, second, CycleStatus.OPEN).status_code == 302

    assert [n.renewal_of_award_id for n in renewals(db, first)] == [award.id]
    assert renewals(db, second) == []
    page = logged_in(app, award.member).get("/nominations/mine").text
    assert page.count("The programme") == 1


def test_an_award_decided_in_one_renewal_is_not_put_up_again(app, make, db):
    first = draft(make, [make.category()], opens=-10, closes=10, reviews_close=20)
    award = award_ending(make, first.award_starts_on, first.categories)
    make.nomination(
        make.cycle(status=CycleStatus.IN_REVIEW, categories=first.categories),
        award.member,
        kind=NominationKind.RENEWAL,
        renewal_of_award_id=award.id,
        status=NominationStatus.AWARDED,
    )
    organizer = logged_in(app, make.organizer())
    assert move(organizer, first, CycleStatus.OPEN).status_code == 302
    assert renewals(db, first) == []


def test_an_award_just_published_is_not_renewed_by_the_next_monthly_cycle(app, make, db):
    categories = [make.category()]
    # This month's cycle is published: its awards start tomorrow and run for a year.
    this_month = make.cycle(
        status=CycleStatus.PUBLISHED,
        nominations_open_on=TODAY - timedelta(days=40),
        nominations_close_on=TODAY - timedelta(days=20),
        review_close_on=TODAY,
        categories=categories,
    )
    award = make.award(cycle=this_month, member=make.user(display_name="Ada"))
    assert award.starts_on > TODAY
    next_month = draft(make, categories, opens=0, closes=20, reviews_close=30)
    assert next_month.award_starts_on <= award.ends_on <= next_month.award_ends_on

    organizer = logged_in(app, make.organizer())
    assert move(organizer, next_month, CycleStatus.OPEN).status_code == 302
    assert renewals(db, next_month) == []
    page = logged_in(app, award.member).get("/nominations/mine").text
    assert "The programme" not in page


def test_an_award_whose_term_has_not_begun_is_never_renewed(app, make, db):
    categories = [make.category()]
    short = make.cycle(
        status=CycleStatus.PUBLISHED,
        nominations_open_on=TODAY - timedelta(days=40),
        nominations_close_on=TODAY - timedelta(days=20),
        review_close_on=TODAY,
        award_term_months=1,
        categories=categories,
    )
    award = make.award(cycle=short)
    following = draft(make, categories, opens=0, closes=20, reviews_close=40)
    assert following.nominations_open_on <= award.ends_on <= following.award_starts_on
    organizer = logged_in(app, make.organizer())
    assert move(organizer, following, CycleStatus.OPEN).status_code == 302
    assert renewals(db, following) == []


def test_an_award_ending_deep_in_the_new_term_waits_for_a_later_cycle(app, make, db):
    cycle = draft(make, [make.category()], opens=-10, closes=10, reviews_close=20)
    award = award_ending(make, add_months(cycle.award_starts_on, 6), cycle.categories)
    organizer = logged_in(app, make.organizer())
    assert move(organizer, cycle, CycleStatus.OPEN).status_code == 302
    assert renewals(db, cycle) == []
    assert award.ends_on <= cycle.award_ends_on


@pytest.mark.parametrize("days_before_open", [0, -1])
def test_the_window_opens_with_the_nominations(app, make, db, days_before_open):
    cycle = draft(make, [make.category()], opens=-10, closes=10, reviews_close=20)
    ends_on = cycle.nominations_open_on + timedelta(days=days_before_open)
    award = award_ending(make, ends_on, cycle.categories)
    organizer = logged_in(app, make.organizer())
    assert move(organizer, cycle, CycleStatus.OPEN).status_code == 302
    renewed = [n.renewal_of_award_id for n in renewals(db, cycle)]
    assert renewed == ([award.id] if days_before_open == 0 else [])


def test_the_database_refuses_a_second_live_renewal_of_one_award(make, db):
    categories = [make.category()]
    award = award_ending(make, TODAY + timedelta(days=30), categories)
    for _ in range(2):
        db.add(
            Nomination(
                cycle=make.cycle(categories=categories),
                category_id=award.category_id,
                nominee_id=award.member_id,
                kind=NominationKind.RENEWAL,
                status=NominationStatus.SUBMITTED,
                renewal_of_award_id=award.id,
            )
        )
    with pytest.raises(IntegrityError), db.begin_nested():
        db.flush()
