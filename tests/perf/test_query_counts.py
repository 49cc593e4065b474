"""Issue 7: every budgeted page runs the same number of queries on a programme three times
bigger, and no more than 10; so an N+1 (or an aggregate per row) fails the suite.

The pages and the users who open them are the benchmark's (``nominee.seeding.scale.pages``),
on programmes seeded by ``nominee.seeding.scale`` at two small sizes. Both sizes are measured
once per test session (in savepoints of the first test's transaction, rolled back), and
every page is then one test, so a failure names the page and both counts.
"""

from __future__ import annotations

import pytest
from flask import Flask, url_for

from nominee.accounts.models import User
from nominee.seeding.scale.pages import (
    ROLES,
    VISITOR,
    Cast,
    Page,
    api_tokens,
    cast_of_characters,
    pages_for,
)
from tests.perf.helpers import BIG, SMALL, StatementCounter, seeded

BUDGET = 10
# Only the names matter here: the real cast comes from the seeded data.
PAGE_NAMES = [
    page.name
    for page in pages_for(Cast(0, 0, 0, 0, dict.fromkeys(ROLES, ""), 0, 0, 0, 0, [], [], 0))
    if not page.batched
]
_measured: dict[str, dict[str, dict[str, int | str]]] = {}


def _log_in(app: Flask, user: User):
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
    return client


def _request(client, page: Page, path: str):
    if page.method == "POST":
        response = client.post(path, data=page.data() if page.data else None)
    else:
        response = client.get(path)
    response.get_data()  # a streamed body runs its queries while it is read
    response.close()  # and its request ends (the session closes) only then
    if page.after:
        page.after(response)
    return response


def _measure(app: Flask, connection, scale) -> dict[str, int | str]:
    """Statements per page (or what went wrong), each page requested twice: the first
    request warms up whatever is cached per process, the second is counted."""
    result: dict[str, int | str] = {}
    with seeded(connection, scale) as session, StatementCounter(connection) as counter:
        cast = cast_of_characters(session, endorsements=10)
        users = {role: session.get(User, getattr(cast, role)) for role in ROLES}
        clients = {role: _log_in(app, user) for role, user in users.items()}
        for role, header in api_tokens(session, cast).items():
            clients[role].environ_base["HTTP_AUTHORIZATION"] = header
        session.commit()  # the tokens stay in the seeded savepoint, rolled back after
        clients[VISITOR] = app.test_client()
        session.rollback()
        savepoint = connection.get_nested_transaction()
        options = connection.get_execution_options()
        for page in pages_for(cast):
            client = clients[page.role]
            for counted in (False, True):
                with app.test_request_context():
                    path = url_for(page.endpoint, **(page.url_values() or {}))
                counter.count, counter.active = 0, counted
                response = _request(client, page, path)
                counter.active = False
                problems = []
                if connection.get_execution_options() != options:
                    # e.g. session.connection().execution_options(yield_per=...), which
                    # sets server-side cursors on the connection for good.
                    problems.append("it changed its connection's execution options")
                    connection.execution_options(stream_results=False, yield_per=None)
                if connection.get_nested_transaction() is not savepoint:
                    problems.append("its database session is still open after the response")
                    while connection.get_nested_transaction() is not savepoint:
                        connection.get_nested_transaction().rollback()
                if problems:
                    result[page.name] = "; ".join(problems)
                    break
                if response.status_code not in page.ok:
                    result[page.name] = f"HTTP {response.status_code} on {page.method} {path}"
                    break
            else:
                result[page.name] = counter.count
    return result


@pytest.fixture
def measured(request, database_url) -> dict[str, dict[str, int | str]]:
    if database_url not in _measured:
        app = request.getfixturevalue("app")
        # The programme's settings (and the public figures) are read again when their
        # 30 s (60 s) in the cache are over: one query more on whichever page that falls,
        # at one scale and not the other.
        app.config["PROGRAMME_SETTINGS_SECONDS"] = 3600
        app.config["PUBLIC_FIGURES_SECONDS"] = 3600
        connection = request.getfixturevalue("connection")
        _measured[database_url] = {
            "small": _measure(app, connection, SMALL),
            "big": _measure(app, connection, BIG),
        }
    return _measured[database_url]


@pytest.mark.parametrize("name", PAGE_NAMES)
def test_queries_do_not_grow_with_the_data_and_stay_in_budget(measured, name):
    small, big = measured["small"][name], measured["big"][name]
    assert isinstance(small, int), small
    assert isinstance(big, int), big
    assert small == big, f"{name}: {small} queries on the small programme, {big} on the big one"
    assert big <= BUDGET, f"{name}: {big} queries, over the budget of {BUDGET}"
