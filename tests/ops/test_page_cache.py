"""Public pages kept whole for visitors (nominee/pagecache.py, issue 19): served from
Redis to every host, dropped by any committed change a visitor could see, made on either
host, and never kept for a member, a visitor with a session, or another language."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event
from sqlalchemy.orm import Session

from nominee import clock, sharedcache
from nominee.accounts import services as accounts
from nominee.accounts.models import Role, User
from nominee.awards import services as awards
from nominee.awards.models import Award
from nominee.notifications import services as notifications
from nominee.pagecache import HEADER
from nominee.uow import unit_of_work
from tests import factories
from tests.factories import Factory
from tests.ops.redisserver import two_hosts


@pytest.fixture
def hosts(database_url: str, engine) -> Iterator[tuple[Flask, Flask]]:
    with two_hosts(database_url, engine, PUBLIC_PAGE_SECONDS=60) as pair:
        yield pair


@pytest.fixture
def cast(hosts):
    """An awardee with a public page and an award, and an organizer; committed."""
    first, _second = hosts
    with first.app_context(), unit_of_work() as session:
        make = Factory(session)
        awardee = make.user(display_name="Public Paula", bio_md="Runs the Lisbon meetup.")
        award = make.award(member=awardee)
        organizer = make.organizer()
        session.flush()
        ids = {
            "awardee": awardee.id,
            "email": awardee.email,
            "award": award.id,
            "verification": award.verification_id,
            "organizer": organizer.id,
        }
    return ids


def _rename(app: Flask, user_id: int, name: str) -> None:
    with app.app_context(), unit_of_work() as session:
        user = session.get(User, user_id)
        accounts.update_profile(
            session,
            user,
            display_name=name,
            bio_md=user.bio_md,
            location=user.location,
            links=[],
            primary_category_id=None,
            category_ids=[],
        )


def test_a_visitor_s_second_view_is_served_whole_on_either_host(hosts, cast):
    first, second = hosts
    path = f"/members/{cast['awardee']}"
    drawn = first.test_client().get(path)
    assert drawn.status_code == 200
    assert drawn.headers[HEADER] == "miss"
    assert "Public Paula" in drawn.text
    kept = second.test_client().get(path)
    assert kept.headers[HEADER] == "hit"
    assert kept.text == drawn.text
    assert "Accept-Language" in kept.headers["Vary"]
    # The layout's safety headers are added to a kept page as to a drawn one.
    assert kept.headers["Content-Security-Policy"] == drawn.headers["Content-Security-Policy"]
    assert "Set-Cookie" not in kept.headers


def test_a_change_on_one_host_is_seen_at_once_on_the_other(hosts, cast):
    first, second = hosts
    member_page = f"/members/{cast['awardee']}"
    award_page = f"/awards/{cast['verification']}"
    visitor = second.test_client()
    paths = (member_page, award_page, "/awardees", "/")
    # The first view of an award page writes the programme's issuer key (a change, which
    # drops what was kept before it): the pages are kept from the second round.
    for _round in range(2):
        for path in paths:
            visitor.get(path)
    for path in paths:
        assert visitor.get(path).headers[HEADER] == "hit", path
    _rename(first, cast["awardee"], "Renamed Rita")
    page = visitor.get(member_page)
    assert page.headers[HEADER] == "miss"
    assert "Renamed Rita" in page.text
    assert "Public Paula" not in page.text
    assert "Renamed Rita" in visitor.get("/awardees").text
    # The award is revoked on the first host: its public page says so on the second.
    with first.app_context(), unit_of_work() as session:
        award = session.get(Award, cast["award"])
        awards.revoke(session, session.get(User, cast["organizer"]), award, "Plagiarised talks")
    page = visitor.get(award_page)
    assert page.headers[HEADER] == "miss"
    assert "revoked" in page.text.lower()
    assert "Renamed Rita" not in visitor.get("/awardees").text


def test_bookkeeping_writes_keep_the_pages(hosts, cast):
    """A notification, sent and read, changes nothing a visitor sees: the pages stay."""
    first, second = hosts
    path = f"/members/{cast['awardee']}"
    visitor = second.test_client()
    visitor.get(path)
    with first.app_context(), unit_of_work() as session:
        note = notifications.notify(
            session, cast["awardee"], "endorsed", contribution_id=1, title="A talk", endorser="Eve"
        )
    with first.app_context(), unit_of_work() as session:
        notifications.mark_read(session, session.merge(note))
    assert visitor.get(path).headers[HEADER] == "hit"
    with first.app_context(), unit_of_work() as session:
        notifications.mark_all_read(session, cast["awardee"])
    assert visitor.get(path).headers[HEADER] == "hit"


def test_a_logged_in_member_is_never_served_a_kept_page(hosts, cast):
    first, _second = hosts
    path = f"/members/{cast['awardee']}"
    first.test_client().get(path)
    member = first.test_client()
    answer = member.post("/login", data={"email": cast["email"], "password": factories.PASSWORD})
    assert answer.status_code == 302
    page = member.get(path)
    assert page.status_code == 200
    assert HEADER not in page.headers
    assert page.headers["Cache-Control"] == "no-store"
    assert 'action="/logout"' in page.text  # their own layout, not the visitor's


def test_a_visitor_with_a_session_is_drawn_the_page(hosts, cast):
    """A visitor with a message waiting (or a form token) has a session: their pages show
    it, so they are drawn, never served from or kept for another visitor."""
    first, _second = hosts
    path = f"/members/{cast['awardee']}"
    first.test_client().get(path)
    visitor = first.test_client()
    with visitor.session_transaction() as session:
        session["_flashes"] = [("message", "Your link has expired.")]
    page = visitor.get(path)
    assert HEADER not in page.headers
    assert "Your link has expired." in page.text
    with visitor.session_transaction() as session:
        session["csrf_token"] = "a visitor's own token"
    assert HEADER not in visitor.get(path).headers
    # Another visitor is still served the page kept before, without the message.
    page = first.test_client().get(path)
    assert page.headers[HEADER] == "hit"
    assert "Your link has expired." not in page.text


def test_each_language_is_kept_apart(hosts, cast):
    first, second = hosts
    path = f"/awards/{cast['verification']}"
    english = first.test_client().get(path, headers={"Accept-Language": "en"})
    spanish = second.test_client().get(path, headers={"Accept-Language": "es"})
    assert spanish.headers[HEADER] == "miss"
    assert 'lang="es"' in spanish.text
    assert 'lang="en"' in english.text
    again = first.test_client().get(path, headers={"Accept-Language": "es-ES,es;q=0.9"})
    assert again.headers[HEADER] == "hit"
    assert 'lang="es"' in again.text


def test_errors_are_never_kept(hosts, cast):
    first, _second = hosts
    for _ in range(2):
        answer = first.test_client().get("/members/999999")
        assert answer.status_code == 404
        assert HEADER not in answer.headers


def test_without_redis_nothing_is_kept(client, make, db):
    """One process's memory cannot tell the other workers of a change: no page is kept."""
    client.application.config["PUBLIC_PAGE_SECONDS"] = 60
    member = make.user(display_name="Local Lena")
    for _ in range(2):
        page = client.get(f"/members/{member.id}")
        assert page.status_code == 200
        assert HEADER not in page.headers


def test_a_savepoint_rolled_back_inside_a_commit_still_drops_the_version(app, db: Session):
    """A service's SAVEPOINT that fails must not make the transaction around it forget
    the rows it wrote before: the commit still drops the public version."""
    cache = sharedcache.SharedCache(None)
    cache.set(sharedcache.PUBLIC_VERSION, "before", 60)
    with app.app_context():
        session = app.extensions["nominee.sessionmaker"]()
        sharedcache.attach(session, cache)
        Factory(session).user(display_name="Saved Sam")
        session.flush()
        nested = session.begin_nested()
        nested.rollback()
        session.commit()
        session.close()
    assert cache.get(sharedcache.PUBLIC_VERSION) is None


def test_a_value_computed_across_a_change_is_never_read_after_it():
    """A value computed from rows read before a change commits is kept under the version
    the change dropped: the next reader computes again (the contribution types' counts
    and the public pages are kept this way)."""
    cache = sharedcache.SharedCache(None)
    computed = []

    def count_while_a_change_commits():
        computed.append("old rows")
        cache.delete("types_in_use")  # the change's commit, while the rows are counted
        return 41

    def count_after():
        computed.append("new rows")
        return 42

    dump, load = (lambda value: value), (lambda kept: kept)
    assert (
        cache.remember_versioned("types_in_use", 60, count_while_a_change_commits, dump, load) == 41
    )
    assert cache.remember_versioned("types_in_use", 60, count_after, dump, load) == 42
    assert cache.remember_versioned("types_in_use", 60, count_after, dump, load) == 42
    assert computed == ["old rows", "new rows"]


def test_only_a_page_s_own_address_is_kept(hosts, cast):
    """Addresses with a query (made-up ones too) are drawn each time: what is kept is
    bounded by the programme's pages, not by the addresses a visitor can make up."""
    first, _second = hosts
    path = f"/members/{cast['awardee']}"
    visitor = first.test_client()
    for query in ("?page=1", "?x=1", "?x=2"):
        for _ in range(2):
            page = visitor.get(path + query)
            assert page.status_code == 200
            assert HEADER not in page.headers
    assert visitor.get(path).headers[HEADER] == "miss"
    assert visitor.get(path).headers[HEADER] == "hit"


def test_a_forged_host_is_never_kept_in_a_page(hosts, cast):
    """Absolute links come from BASE_URL: a page drawn for a forged Host header is the
    same page, safe to serve to everybody."""
    first, second = hosts
    path = f"/awards/{cast['verification']}"
    first.test_client().get(path)  # writes the programme's issuer key: a change
    forged = first.test_client().get(path, headers={"Host": "evil.example"})
    assert forged.status_code == 200
    assert forged.headers[HEADER] == "miss"  # drawn for the forged host, and kept
    assert "evil.example" not in forged.text
    kept = second.test_client().get(path)
    assert kept.headers[HEADER] == "hit"
    assert "evil.example" not in kept.text


# -- a logged-in member's own copy (MEMBER_PAGE_SECONDS) -------------------------------


@pytest.fixture
def member_hosts(database_url: str, engine) -> Iterator[tuple[Flask, Flask]]:
    """Two hosts that keep members' pages, with form tokens checked as in production."""
    with two_hosts(database_url, engine, MEMBER_PAGE_SECONDS=60, WTF_CSRF_ENABLED=True) as pair:
        yield pair


@pytest.fixture
def members(member_hosts):
    """Two members, an organizer with a cycle, and an awardee; committed."""
    first, _second = member_hosts
    with first.app_context(), unit_of_work() as session:
        make = Factory(session)
        awardee = make.user(display_name="Public Paula")
        make.award(member=awardee)
        mia = make.user(display_name="Member Mia")
        max_ = make.user(display_name="Member Max")
        organizer = make.organizer(display_name="Organizer Olga")
        cycle = make.cycle(name="Spring recognition")
        session.flush()
        return {
            "awardee": awardee.id,
            "mia": (mia.id, mia.email),
            "max": (max_.id, max_.email),
            "organizer": (organizer.id, organizer.email),
            "cycle": cycle.id,
        }


def _token(page: str) -> str:
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert found, "no form token on the page"
    return found.group(1)


def _logged_in(app: Flask, email: str) -> FlaskClient:
    client = app.test_client()
    login = client.get("/login")
    answer = client.post(
        "/login",
        data={"email": email, "password": factories.PASSWORD, "csrf_token": _token(login.text)},
    )
    assert answer.status_code == 302
    client.get("/")  # the first page after logging in gives the session its form token
    return client


def test_a_member_s_page_is_kept_for_them_alone_with_a_token_signed_each_time(
    member_hosts, members
):
    first, second = member_hosts
    path = f"/members/{members['awardee']}"
    mia = _logged_in(first, members["mia"][1])
    drawn = mia.get(path)
    assert drawn.headers[HEADER] == "miss"
    kept = mia.get(path)
    assert kept.headers[HEADER] == "hit"
    assert kept.headers["Cache-Control"] == "no-store"
    assert "Member Mia" in kept.text and "Public Paula" in kept.text
    assert "<nominee-csrf-token>" not in kept.text
    # The same page but for the forms' token, which is the session's and works.
    token = _token(kept.text)
    assert kept.text.replace(token, "") == drawn.text.replace(_token(drawn.text), "")
    # Max, on the other host, is drawn his own page: never Mia's.
    max_ = _logged_in(second, members["max"][1])
    his = max_.get(path)
    assert his.headers[HEADER] == "miss"
    assert "Member Max" in his.text and "Member Mia" not in his.text
    assert max_.get(path).headers[HEADER] == "hit"
    # Mia's kept token logs her out (a form token from another session would not).
    assert max_.post("/logout", data={"csrf_token": token}).status_code == 400
    assert mia.post("/logout", data={"csrf_token": token}).status_code == 302
    # Logged out, she is a visitor: never served the page kept for her.
    after = mia.get(path)
    assert after.status_code == 200
    assert "Member Mia" not in after.text
    assert 'action="/logout"' not in after.text


def test_any_change_a_member_could_see_drops_their_kept_pages_on_every_host(member_hosts, members):
    first, second = member_hosts
    mia_id, mia_email = members["mia"]
    mia = _logged_in(first, mia_email)
    path = f"/members/{members['awardee']}"
    mia.get(path)
    assert mia.get(path).headers[HEADER] == "hit"
    assert mia.get("/").headers[HEADER] in ("miss", "hit")
    assert mia.get("/").headers[HEADER] == "hit"
    # A notification for her, made on the other host: the header counts it at once.
    with second.app_context(), unit_of_work() as session:
        notifications.notify(
            session, mia_id, "endorsed", contribution_id=1, title="A talk", endorser="Eve"
        )
    for address in (path, "/"):
        page = mia.get(address)
        assert page.headers[HEADER] == "miss", address
        assert 'class="badge badge-count">1<' in page.text
    # Somebody else's change she can see (the awardee renamed) drops them too.
    mia.get(path)
    _rename(second, members["awardee"], "Renamed Rita")
    page = mia.get(path)
    assert page.headers[HEADER] == "miss"
    assert "Renamed Rita" in page.text


def test_a_member_with_a_message_waiting_is_drawn_the_page(member_hosts, members):
    first, _second = member_hosts
    mia = _logged_in(first, members["mia"][1])
    path = f"/members/{members['awardee']}"
    mia.get(path)
    assert mia.get(path).headers[HEADER] == "hit"
    with mia.session_transaction() as session:
        session["_flashes"] = [("info", "Your contribution was saved.")]
    page = mia.get(path)
    assert HEADER not in page.headers
    assert "Your contribution was saved." in page.text
    again = mia.get(path)
    assert again.headers[HEADER] == "hit"
    assert "Your contribution was saved." not in again.text


def test_the_access_checks_run_before_a_kept_page_is_served(member_hosts, members):
    """An organizer's kept dashboard is never served to anybody else at its address, nor
    to her once she is no longer one."""
    first, second = member_hosts
    organizer_id, organizer_email = members["organizer"]
    olga = _logged_in(first, organizer_email)
    path = f"/cycles/{members['cycle']}/dashboard"
    assert olga.get(path).headers[HEADER] == "miss"
    assert olga.get(path).headers[HEADER] == "hit"
    mia = _logged_in(second, members["mia"][1])
    assert mia.get(path).status_code == 403
    with second.app_context(), unit_of_work() as session:
        other = Factory(session).organizer()
        session.flush()
        accounts.change_role(session, other, session.get(User, organizer_id), Role.MEMBER)
    # A change of role ends the account's sessions: she logs in again, as a member.
    refused = olga.get(path)
    assert refused.status_code == 302
    assert "/login" in refused.headers["Location"]
    olga = _logged_in(first, organizer_email)
    refused = olga.get(path)
    assert refused.status_code == 403
    assert HEADER not in refused.headers


def test_a_member_s_addresses_with_a_query_are_drawn_each_time(member_hosts, members):
    first, _second = member_hosts
    olga = _logged_in(first, members["organizer"][1])
    path = f"/cycles/{members['cycle']}/dashboard"
    for _ in range(2):
        page = olga.get(path + "?sort=nominee")
        assert page.status_code == 200
        assert HEADER not in page.headers


def test_without_redis_no_member_s_page_is_kept(client, make, db):
    client.application.config["MEMBER_PAGE_SECONDS"] = 60
    member = make.user(display_name="Local Lena")
    client.post("/login", data={"email": member.email, "password": factories.PASSWORD})
    for _ in range(2):
        page = client.get(f"/members/{member.id}")
        assert page.status_code == 200
        assert HEADER not in page.headers


# -- a kept copy is served before the account is loaded --------------------------------


def test_a_kept_copy_is_served_without_a_single_query(member_hosts, members):
    first, _second = member_hosts
    mia = _logged_in(first, members["mia"][1])
    path = f"/members/{members['awardee']}"
    mia.get(path)
    engine = first.extensions["nominee.engine"]
    statements: list[str] = []

    def note(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", note)
    try:
        kept = mia.get(path)
    finally:
        event.remove(engine, "before_cursor_execute", note)
    assert kept.headers[HEADER] == "hit"
    assert "Member Mia" in kept.text
    assert kept.headers["Cache-Control"] == "no-store"
    assert statements == []


def test_a_disabled_account_is_never_served_its_kept_copy(member_hosts, members):
    first, second = member_hosts
    mia_id, mia_email = members["mia"]
    mia = _logged_in(first, mia_email)
    path = f"/cycles/{members['cycle']}"
    mia.get(path)
    assert mia.get(path).headers[HEADER] == "hit"
    with second.app_context(), unit_of_work() as session:
        organizer = session.get(User, members["organizer"][0])
        accounts.set_active(session, organizer, session.get(User, mia_id), False)
    refused = mia.get(path)
    assert refused.status_code == 302
    assert "/login" in refused.headers["Location"]
    assert HEADER not in refused.headers


def test_a_job_s_commit_drops_the_kept_copies_too(member_hosts, members):
    """A job or a command commits through the app's sessions, outside any request: the
    header's count of unread notifications is right at once all the same."""
    first, second = member_hosts
    mia_id, mia_email = members["mia"]
    mia = _logged_in(first, mia_email)
    mia.get("/")
    assert mia.get("/").headers[HEADER] == "hit"
    with second.app_context():
        session = second.extensions["nominee.sessionmaker"]()
        try:
            notifications.notify(
                session, mia_id, "endorsed", contribution_id=1, title="A talk", endorser="Eve"
            )
            session.commit()
        finally:
            session.close()
    page = mia.get("/")
    assert page.headers[HEADER] == "miss"
    assert 'class="badge badge-count">1<' in page.text


def test_an_expired_login_is_never_served_its_kept_copy(member_hosts, members):
    first, _second = member_hosts
    mia = _logged_in(first, members["mia"][1])
    path = "/contributions/mine"
    mia.get(path)
    assert mia.get(path).headers[HEADER] == "hit"
    first.config["REMEMBER_COOKIE_DURATION"] = timedelta(seconds=-1)
    refused = mia.get(path)
    assert refused.status_code == 302
    assert "/login" in refused.headers["Location"]


def test_a_session_from_another_browser_is_drawn_the_page(member_hosts, members):
    """Flask-Login's session protection: a session cookie carried to another browser is
    never served the copy kept for it; the page is drawn, as a fresh login's would be."""
    first, _second = member_hosts
    mia = _logged_in(first, members["mia"][1])
    path = f"/members/{members['awardee']}"
    mia.get(path)
    assert mia.get(path).headers[HEADER] == "hit"
    elsewhere = mia.get(path, headers={"User-Agent": "Another browser/1.0"})
    assert elsewhere.status_code == 200
    assert elsewhere.headers.get(HEADER) != "hit"


def test_a_kept_copy_is_served_on_the_programme_day_it_was_drawn_only(member_hosts, members):
    first, _second = member_hosts
    mia = _logged_in(first, members["mia"][1])
    path = "/contributions/mine"
    mia.get(path)
    assert mia.get(path).headers[HEADER] == "hit"
    with clock.as_of(clock.now() + timedelta(days=1)):
        assert mia.get(path).headers[HEADER] == "miss"
        assert mia.get(path).headers[HEADER] == "hit"
