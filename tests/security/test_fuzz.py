"""Sweeps of every route: no input, however odd, answers a 5xx or shows a traceback.

Driven by the access table (``test_access_table.py``), so a new route is swept as soon as
the table lists it: each route is requested as a role that gets past the access checks
(the organizer for organizer pages, the owner for her things, the appointed reviewer for
reviews), with the table's real objects in the URL. The fields of a form are the table's
data plus every ``name`` on the route's page.

- Every form field in turn, the others rightful, gets NUL, an id beyond INTEGER and the
  years 1 and 9999 (deterministic: the kinds of value that once broke a page).
- Hypothesis on top: every POST with each field either rightful or odd (control
  characters, huge and negative numbers, NaN and infinity, odd unicode, over-long
  text, any integer or date); every GET with any of the query parameters the app reads
  (and those of the page's forms) odd; every route with odd path parameters.

Each request runs in a savepoint rolled back after it. Hypothesis runs derandomized
(the same examples on every run and in CI), 6 to 20 examples per route: the whole
sweep stays well under a minute per database."""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import quote

import pytest
from argon2 import PasswordHasher
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import update

from nominee.accounts import passwords
from nominee.accounts.models import User
from tests.factories import PASSWORD
from tests.security import test_access_table
from tests.security.helpers import client_for
from tests.security.test_access_table import LOGIN, TABLE, _request, _routes

world = test_access_table.world  # the fixture: the table's objects


@pytest.fixture(autouse=True)
def quick_passwords(monkeypatch, world, db):
    """Argon2 at its cheapest: the sweeps check passwords hundreds of times, not hashing."""
    hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    monkeypatch.setattr(passwords, "_hasher", hasher)
    monkeypatch.setattr(passwords, "_DUMMY_HASH", hasher.hash("dummy"))
    db.execute(update(User).values(password_hash=hasher.hash(PASSWORD)))
    db.commit()


def sweep(examples: int) -> settings:
    """Hypothesis settings of a sweep: ``examples`` per route, the same ones every run."""
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
        ],
    )


EDGES = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\x1b[31m",
    "\x7f",
    "\u202eevil",
    "zero\u200bwidth",
    "\ufeff",
    "0",
    "-1",
    "2147483647",
    "2147483648",
    "-2147483649",
    "9223372036854775808",
    "9" * 40,
    "1e309",
    "nan",
    "inf",
    "-inf",
    "0001-01-01",
    "9999-12-31",
    "10000-01-01",
    "2024-02-30",
    "\u0661\u0662\u0663",  # Arabic-Indic digits: int() reads them
    "\u00b2",  # superscript two: a digit to str.isdigit(), not to int()
    "\u00e9" * 300,
    "x" * 5001,  # over-long for every field (ASCII: quick to encode and decode)
]
ODD = st.one_of(
    st.sampled_from(EDGES),
    st.integers().map(str),
    st.dates().map(date.isoformat),
    st.text(max_size=20),
)


def edges(rightful: str | None) -> list[str]:
    """The kinds of value that once broke a page, for a field whose rightful value is
    ``rightful`` (None: not known): NUL for any field, an id beyond INTEGER for a number,
    the calendar's first and last years for a date."""
    values = ["a\x00b"]
    if rightful is None or rightful.lstrip("-").isdigit():
        values.append("2147483648")
    if rightful is not None and ISO_DATE.fullmatch(rightful):
        values += ["0001-01-01", "9999-12-31"]
    return values


# Every query parameter the app reads, besides those of the pages' forms.
QUERY_NAMES = ("page", "next", "nominee", "type", "show", "q", "sort", "order", "status")
ROLE_ORDER = ("anonymous", "owner", "reviewer", "organizer", "member")
NAME = re.compile(r'<(?:input|select|textarea|button)\b[^>]*\bname="([^"]+)"')
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
PARAM = re.compile(r"<(?:([^:>]+):)?([^>]+)>")


def _role(endpoint: str, method: str) -> str:
    """The first role the table lets past the access checks of this route; a public
    route that sends everybody to the login page once done (confirming an address) is
    tried as a visitor."""
    expect = TABLE[endpoint, method]
    return next((r for r in ROLE_ORDER if expect.of(r) not in (LOGIN, 403, 404)), "anonymous")


def _routes_to_sweep(app, method: str):
    return [
        (endpoint, rule)
        for (endpoint, route_method), rule in sorted(_routes(app).items())
        if route_method == method and (endpoint, method) in TABLE and endpoint != "static"
    ]


def _page_names(client, url: str) -> set[str]:
    response = client.get(url)
    if response.status_code != 200 or response.mimetype != "text/html":
        return set()
    return set(NAME.findall(response.get_data(as_text=True))) - {"csrf_token"}


def _server_error(connection, client, method: str, url: str, data=None) -> str | None:
    """What went wrong (a 5xx or a traceback) answering this request, or None."""
    savepoint = connection.begin_nested()
    try:
        response = client.open(url, method=method, data=data)
        body = response.get_data().decode("utf-8", "replace")  # a PNG badge is not text
        response.close()
    finally:
        savepoint.rollback()
    if response.status_code >= 500 or "Traceback (most recent call last)" in body:
        return f"{method} {url} {data!r}: {response.status_code}"
    return None


def _sweep(routes, check) -> None:
    """Run ``check(endpoint, rule)`` for each route; report every route that failed."""
    failed = []
    for endpoint, rule in routes:
        try:
            check(endpoint, rule)
        except AssertionError as exc:
            failed.append(f"{endpoint}: {exc}")
    assert not failed, "\n".join(failed)


def _form(app, world, endpoint: str, rule: str):
    """Who posts to this route, where, its rightful data, and every field it may take."""
    user = world.users.get(_role(endpoint, "POST"))
    url, data = _request(world, endpoint, "POST", rule)
    names = set(data)
    if (endpoint, "GET") in TABLE:
        names |= _page_names(client_for(app, user), url)
    return user, url, data, sorted(names)


def test_every_form_field_refuses_each_edge_value_alone(app, connection, world):
    """Each field in turn gets each of its ``edges``, the others their rightful values:
    the odd value meets the form and, if it slips through, the service."""

    def check(endpoint: str, rule: str) -> None:
        user, url, data, names = _form(app, world, endpoint, rule)
        for name in names:
            for value in edges(data.get(name)):
                values = {**data, name: value}
                problem = _server_error(connection, client_for(app, user), "POST", url, values)
                assert problem is None, problem

    _sweep(_routes_to_sweep(app, "POST"), check)


def test_no_form_answers_a_server_error_to_odd_field_values(app, connection, world):
    routes = _routes_to_sweep(app, "POST")

    def check(endpoint: str, rule: str) -> None:
        user, url, data, names = _form(app, world, endpoint, rule)
        # Half the examples change one field, the other half any of them.
        fields = {name: st.one_of(st.just(data.get(name, "")), ODD) for name in names}
        values = st.fixed_dictionaries(fields)
        if names:
            one_odd = st.sampled_from(names).flatmap(lambda n: ODD.map(lambda v: {**data, n: v}))
            values = st.one_of(one_odd, values)

        @sweep(20)
        @given(values)
        def post(values):
            problem = _server_error(connection, client_for(app, user), "POST", url, values)
            assert problem is None, problem

        post()

    _sweep(routes, check)


def test_no_page_answers_a_server_error_to_odd_query_parameters(app, connection, world):
    routes = _routes_to_sweep(app, "GET")

    def check(endpoint: str, rule: str) -> None:
        user = world.users.get(_role(endpoint, "GET"))
        url, _ = _request(world, endpoint, "GET", rule)
        names = set(QUERY_NAMES) | _page_names(client_for(app, user), url)
        query = st.fixed_dictionaries({}, optional={name: ODD for name in sorted(names)})

        @sweep(12)
        @given(query)
        def get(args):
            target = url + "?" + "&".join(f"{quote(k)}={quote(v)}" for k, v in args.items())
            problem = _server_error(connection, client_for(app, user), "GET", target)
            assert problem is None, problem

        get()

    _sweep(routes, check)


PATH_VALUES = {
    "int": st.one_of(st.integers().map(str), st.sampled_from(EDGES)),
    None: st.one_of(st.text(min_size=1, max_size=20), st.sampled_from(EDGES[1:])),
}


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_no_route_answers_a_server_error_to_odd_path_parameters(app, connection, world, method):
    routes = [(e, r) for e, r in _routes_to_sweep(app, method) if "<" in r]

    def check(endpoint: str, rule: str) -> None:
        user = world.users.get(_role(endpoint, method))
        _, data = _request(world, endpoint, method, rule)
        params = {
            name: PATH_VALUES.get(kind, PATH_VALUES[None]) for kind, name in PARAM.findall(rule)
        }

        @sweep(6)
        @given(st.fixed_dictionaries(params))
        def request(values):
            url = PARAM.sub(lambda m: quote(values[m.group(2)], safe=""), rule)
            problem = _server_error(connection, client_for(app, user), method, url, data)
            assert problem is None, problem

        request()

    _sweep(routes, check)
