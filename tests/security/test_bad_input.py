"""Odd input gets 404 or a message next to the field, never a 500, and stores nothing.

The probes of a production run that answered 500 (issue 11, item 9), each as an example:
ids beyond the database's integer range, NUL bytes in the path, in query strings and in
form fields (PostgreSQL refuses NUL in text), huge page numbers, dates at years 1 and
9999 (date arithmetic overflows), and cycles dated so that their look-back window or
award term would leave the calendar. ``test_fuzz.py`` sweeps every route on top.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from nominee.accounts.models import User
from nominee.contributions.models import Contribution
from nominee.cycles.models import Cycle
from tests.factories import PASSWORD
from tests.security.test_access_table import CONTRIBUTION, CYCLE

CONTROL_MESSAGE = "control characters (such as NUL bytes)"
DATE_MESSAGE = "between 1900 and 2999"


def _body(response) -> str:
    return response.get_data(as_text=True)


@pytest.mark.parametrize(
    "path",
    [
        "/contributions/2147483648",
        "/contributions/99999999999999999999",
        "/nominations/2147483648",
        "/members/9223372036854775808",
        "/cycles/2147483648",
        "/cycles/2147483648/nominations/2147483648/review",
        "/awards/%00",
        "/awards/abc%00def",
        "/cycles/1/status/%00",
    ],
)
def test_ids_beyond_the_columns_range_and_nul_in_the_path_are_not_found(as_user, make, path):
    organizer = make.organizer()
    response = as_user(organizer).get(path)
    assert response.status_code == 404


def test_a_nul_byte_in_the_login_email_is_refused_next_to_the_field(client):
    response = client.post("/login", data={"email": "a\x00@example.org", "password": "x"})
    assert response.status_code == 400
    assert CONTROL_MESSAGE in _body(response)


def test_a_nul_byte_in_a_registration_is_refused_and_nobody_is_created(client, db):
    response = client.post(
        "/register",
        data={
            "display_name": "Nul\x00Byte",
            "email": "nul@example.org",
            "password": "a long new passphrase",
        },
    )
    assert response.status_code == 400
    assert CONTROL_MESSAGE in _body(response)
    assert db.scalar(select(User).where(User.email == "nul@example.org")) is None


@pytest.mark.parametrize("text", ["Nina\x00", "Nina\x1b[31m", "Ni\x7fna"])
def test_control_characters_in_a_profile_are_refused_and_nothing_changes(as_user, make, db, text):
    user = make.user(display_name="Nina")
    db.commit()
    response = as_user(user).post(
        "/account/profile", data={"display_name": text, "bio_md": "Hello\x00"}
    )
    assert response.status_code == 400
    assert CONTROL_MESSAGE in _body(response)
    db.expire_all()
    assert db.get(User, user.id).display_name == "Nina"


def test_tabs_and_line_breaks_in_a_text_area_are_still_welcome(as_user, make, db):
    user = make.user(display_name="Nina")
    db.commit()
    response = as_user(user).post(
        "/account/profile", data={"display_name": "Nina", "bio_md": "One\r\n\tTwo"}
    )
    assert response.status_code == 302
    db.expire_all()
    assert db.get(User, user.id).bio_md == "One\r\n\tTwo"


def test_a_nul_byte_in_a_contribution_is_refused_and_nothing_is_stored(as_user, make, db):
    owner = make.user()
    kind = make.contribution_type(roles=["Speaker"])
    category = make.category()
    db.commit()
    data = {
        **CONTRIBUTION,
        "type_id": str(kind.id),
        "primary_category_id": str(category.id),
        "contributed_on": (date.today() - timedelta(days=1)).isoformat(),
        "title": "Query\x00plans",
    }
    response = as_user(owner).post("/contributions/new", data=data)
    assert response.status_code == 400
    assert CONTROL_MESSAGE in _body(response)
    count = select(func.count()).select_from(Contribution).where(Contribution.owner_id == owner.id)
    assert db.scalar(count) == 0


@pytest.mark.parametrize(
    "query",
    [
        "page=99999999999999999999",
        "page=9223372036854775807",
        "object_id=2147483648",
        "object_id=99999999999999999999",
        "actor=99999999999999999999",
        "actor=a%00b",
        "action=a%00b",
    ],
)
def test_the_audit_log_answers_huge_pages_and_ids_and_nul_bytes(as_user, make, query):
    response = as_user(make.organizer()).get(f"/admin/audit?{query}")
    assert response.status_code in (200, 400)


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_audit_date_filters_at_the_calendars_ends_are_refused_next_to_the_field(as_user, make, day):
    client = as_user(make.organizer())
    for name in ("date_from", "date_to"):
        response = client.get(f"/admin/audit?{name}={day}")
        assert response.status_code == 400
        assert DATE_MESSAGE in _body(response)


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_contribution_date_filters_at_the_calendars_ends_say_so(as_user, make, day):
    client = as_user(make.user())
    for name in ("date_from", "date_to"):
        response = client.get(f"/contributions/mine?{name}={day}")
        assert response.status_code == 200  # the filter is ignored, with a message
        assert DATE_MESSAGE in _body(response)


@pytest.mark.parametrize(
    "query",
    ["q=a%00b", "nominee=99999999999999999999", "nominee=2147483648"],
)
def test_the_nominate_page_answers_odd_query_strings(as_user, make, db, query):
    cycle = make.cycle(categories=[make.category()])
    user = make.user()
    db.commit()
    response = as_user(user).get(f"/cycles/{cycle.id}/nominate?{query}")
    assert response.status_code in (200, 400, 404)


def test_a_nul_byte_in_a_query_string_is_refused(as_user, make):
    response = as_user(make.user()).get("/contributions/mine?sort=new%00est")
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("field", "day"),
    [
        ("nominations_open_on", "0001-01-01"),
        ("nominations_close_on", "9999-12-31"),
        ("review_close_on", "9999-12-31"),
    ],
)
def test_a_cycle_at_the_calendars_ends_is_refused_and_not_stored(as_user, make, db, field, day):
    organizer = make.organizer()
    category = make.category()
    db.commit()
    today = date.today()
    data = {
        **CYCLE,
        "name": "Edge of time",
        "category_ids": str(category.id),
        "nominations_open_on": today.isoformat(),
        "nominations_close_on": (today + timedelta(days=30)).isoformat(),
        "review_close_on": (today + timedelta(days=60)).isoformat(),
        field: day,
    }
    if field == "nominations_open_on":
        data["nominations_close_on"] = "0001-02-01"
        data["review_close_on"] = "0001-03-01"
    response = as_user(organizer).post("/cycles/new", data=data)
    assert response.status_code == 400
    assert DATE_MESSAGE in _body(response)
    assert db.scalar(select(Cycle).where(Cycle.name == "Edge of time")) is None


def test_the_cycle_service_refuses_dates_whose_window_or_term_would_overflow(app_ctx, make, db):
    from nominee.cycles.services import CycleSettings, create_cycle
    from nominee.errors import DomainError

    organizer = make.organizer()
    for opens, closes, review in (
        (date(1, 1, 1), date(1, 2, 1), date(1, 3, 1)),
        (date(9999, 1, 1), date(9999, 2, 1), date(9999, 12, 31)),
    ):
        settings = CycleSettings(
            name=f"Edge {opens.year}",
            category_ids=[],
            nominations_open_on=opens,
            nominations_close_on=closes,
            review_close_on=review,
        )
        with pytest.raises(DomainError, match=DATE_MESSAGE):
            create_cycle(db, organizer, settings)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("lookback_months", "99999999999999999999"),
        ("min_evidence", "-99999999999999999999"),
        ("reviewers_per_nomination", "2147483648"),
        ("criteria-0-weight", "nan"),
        ("criteria-0-weight", "inf"),
    ],
)
def test_a_cycle_with_huge_or_odd_numbers_is_refused(as_user, make, db, field, value):
    organizer = make.organizer()
    category = make.category()
    db.commit()
    today = date.today()
    data = {
        **CYCLE,
        "name": "Odd numbers",
        "category_ids": str(category.id),
        "nominations_open_on": today.isoformat(),
        "nominations_close_on": (today + timedelta(days=30)).isoformat(),
        "review_close_on": (today + timedelta(days=60)).isoformat(),
        field: value,
    }
    response = as_user(organizer).post("/cycles/new", data=data)
    assert response.status_code == 400
    assert db.scalar(select(Cycle).where(Cycle.name == "Odd numbers")) is None


@pytest.mark.parametrize("value", ["2147483648", "-2147483649", "99999999999999999999"])
def test_huge_ids_in_forms_are_refused_not_crashed(as_user, make, db, value):
    organizer = make.organizer()
    member = make.user()
    db.commit()
    response = as_user(organizer).post(
        f"/admin/accounts/{member.id}/role", data={"role": value, "current_password": PASSWORD}
    )
    assert response.status_code < 500
    response = as_user(member).post(
        "/login", data={"email": "x@example.org", "password": "x", "next": value}
    )
    assert response.status_code < 500


@pytest.mark.parametrize("value", ["2147483648", "99999999999999999999"])
def test_huge_figures_in_a_contribution_are_refused_next_to_the_field(as_user, make, db, value):
    owner = make.user()
    kind = make.contribution_type(roles=["Speaker"])
    category = make.category()
    db.commit()
    data = {
        **CONTRIBUTION,
        "type_id": str(kind.id),
        "primary_category_id": str(category.id),
        "contributed_on": (date.today() - timedelta(days=1)).isoformat(),
        "quantity": value,
    }
    response = as_user(owner).post("/contributions/new", data=data)
    assert response.status_code == 400
    count = select(func.count()).select_from(Contribution).where(Contribution.owner_id == owner.id)
    assert db.scalar(count) == 0


def test_every_form_of_the_app_derives_from_the_base_form(app):
    """``BaseForm`` refuses control characters, huge numbers and far dates: no form skips it."""
    from flask_wtf import FlaskForm

    from nominee.web import BaseForm

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    ours = [c for c in subclasses(FlaskForm) if c.__module__.startswith("nominee.")]
    assert ours, "no form found"
    assert [c.__qualname__ for c in ours if not issubclass(c, BaseForm)] == []


def test_every_integer_in_a_route_is_bounded_to_an_id(app):
    from nominee.web import IdConverter

    int_rules = [
        rule
        for rule in app.url_map.iter_rules()
        if any(isinstance(c, IdConverter) for c in rule._converters.values())
    ]
    assert len(int_rules) == sum("<int:" in rule.rule for rule in app.url_map.iter_rules())
    assert int_rules
