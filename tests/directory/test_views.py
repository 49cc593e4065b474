"""The public awardee directory, its alumni tab, the logged-out home page, the awardees
of a published cycle, and the privacy setting that leaves a member out of them."""

from __future__ import annotations

import time
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from nominee.accounts.models import User
from nominee.awards.models import AwardStatus
from nominee.cycles.models import CycleStatus
from nominee.directory.queries import PER_PAGE
from tests.security.helpers import client_for

TODAY = date.today()


@pytest.fixture
def world(make):
    """Two categories, a published cycle with current awards, an older one whose awards
    ended, and awardees in two countries (one with a private profile)."""
    data = make.category(name="Data Platform")
    web = make.category(name="Web")
    cycle = make.cycle(
        name="Awards 2026",
        status=CycleStatus.PUBLISHED,
        categories=[data, web],
        nominations_open_on=TODAY - timedelta(days=120),
        nominations_close_on=TODAY - timedelta(days=90),
        review_close_on=TODAY - timedelta(days=60),
    )
    old = make.cycle(
        name="Awards 2023",
        status=CycleStatus.PUBLISHED,
        categories=[data, web],
        nominations_open_on=TODAY - timedelta(days=1000),
        nominations_close_on=TODAY - timedelta(days=970),
        review_close_on=TODAY - timedelta(days=940),
    )
    ada = make.user(display_name="Ada Lovelace", country="PT")
    grace = make.user(display_name="Grace Hopper", country="KE")
    hidden = make.user(display_name="Hidden Hedy", country="PT", profile_public=False)
    alan = make.user(display_name="Alan Turing", country="CA")
    awards = {
        "ada": make.award(member=ada, cycle=cycle, category_id=data.id),
        "grace": make.award(member=grace, cycle=cycle, category_id=web.id),
        "hidden": make.award(member=hidden, cycle=cycle, category_id=data.id),
        "alan": make.award(member=alan, cycle=old, category_id=web.id),
        # Ada's earlier award: she holds a current one, so she is no alumna.
        "ada_old": make.award(member=ada, cycle=old, category_id=data.id),
    }
    return {
        "data": data,
        "web": web,
        "cycle": cycle,
        "old": old,
        "ada": ada,
        "grace": grace,
        "hidden": hidden,
        "alan": alan,
        "awards": awards,
    }


def names(page: str, *people) -> list[str]:
    return [person.display_name for person in people if person.display_name in page]


def test_current_awardees_are_listed_for_visitors_with_links(client, world):
    response = client.get("/awardees")
    assert response.status_code == 200
    page = response.text
    assert names(page, world["ada"], world["grace"], world["hidden"], world["alan"]) == [
        "Ada Lovelace",
        "Grace Hopper",
    ]
    assert "2 awards" in page
    assert f'href="/members/{world["ada"].id}"' in page
    assert f'href="/awards/{world["awards"]["ada"].verification_id}"' in page
    assert "Portugal" in page and "Kenya" in page
    # The older award of a current awardee is not a current card.
    assert world["awards"]["ada_old"].verification_id not in page


def test_alumni_lists_past_awardees_without_current_holders(client, world):
    page = client.get("/awardees/alumni").text
    assert names(page, world["ada"], world["grace"], world["hidden"], world["alan"]) == [
        "Alan Turing"
    ]
    assert "Awards 2023" in page
    assert 'aria-current="page">Past awardees (alumni)' in page


def test_revoked_awards_are_in_neither_tab(client, make, world):
    award = world["awards"]["grace"]
    award.status = AwardStatus.REVOKED
    ended = make.award(
        member=make.user(display_name="Revoked Rita"),
        cycle=world["old"],
        status=AwardStatus.REVOKED,
    )
    make.session.flush()
    assert "Grace Hopper" not in client.get("/awardees").text
    assert ended.member.display_name not in client.get("/awardees/alumni").text


def test_expired_status_counts_as_past(client, make, world):
    make.award(
        member=make.user(display_name="Expired Emma"),
        cycle=world["old"],
        status=AwardStatus.EXPIRED,
    )
    assert "Expired Emma" in client.get("/awardees/alumni").text
    assert "Expired Emma" not in client.get("/awardees").text


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"q": "ada"}, ["Ada Lovelace"]),
        ({"q": "HOPPER"}, ["Grace Hopper"]),
        ({"q": "e"}, ["Ada Lovelace", "Grace Hopper"]),
        ({"q": "%"}, []),  # a LIKE wildcard is a character to find, not "anything"
        ({"country": "KE"}, ["Grace Hopper"]),
    ],
)
def test_filters(client, world, query, expected):
    page = client.get("/awardees", query_string=query).text
    assert names(page, world["ada"], world["grace"]) == expected


def test_filter_by_category_cycle_and_year(client, world):
    web = client.get("/awardees", query_string={"category": world["web"].id}).text
    assert names(web, world["ada"], world["grace"]) == ["Grace Hopper"]
    assert "1 award match" in web
    old = world["old"]
    by_cycle = client.get("/awardees/alumni", query_string={"cycle": old.id}).text
    assert "Alan Turing" in by_cycle
    by_year = client.get("/awardees/alumni", query_string={"year": old.award_starts_on.year}).text
    assert "Alan Turing" in by_year
    nobody = client.get("/awardees", query_string={"category": world["web"].id, "q": "ada"})
    assert "No awardee matches these filters." in nobody.text


def test_country_choices_are_the_listed_awardees_countries(client, world):
    page = client.get("/awardees").text
    assert '<option value="PT">Portugal</option>' in page
    assert '<option value="KE">Kenya</option>' in page
    assert '<option value="CA">' not in page  # Alan is an alumnus


@pytest.mark.parametrize(
    "query",
    [
        {"year": "abc"},
        {"year": "1"},
        {"year": "99999999999999999999999"},
        {"category": "999999"},
        {"category": "-1"},
        {"cycle": "1e9"},
        {"country": "ZZ"},
        {"country": "pt"},
        {"page": "99999"},
        {"page": "-4"},
        {"page": "abc"},
        {"q": "x" * 5000},
        {"q": "  "},
        {"q": "'; DROP TABLE users; --"},
    ],
)
def test_hostile_input_never_crashes(client, world, query):
    response = client.get("/awardees", query_string=query)
    assert response.status_code == 200
    assert client.get("/awardees/alumni", query_string=query).status_code == 200


def test_control_characters_are_refused_before_the_directory(client, world):
    """The app refuses them in any query string (``nominee.web``): 400, not a crash."""
    assert client.get("/awardees", query_string={"q": "ada\x00"}).status_code == 400


def test_a_bad_filter_is_left_out_with_a_message(client, world):
    page = client.get(
        "/awardees", query_string={"category": "999999", "country": "KE", "q": "x" * 101}
    ).text
    assert "Not one of the choices, so this filter is left out." in page
    assert "Search for at most 100 characters of a name." in page
    assert "Some filters could not be used" in page
    # The valid filter still applies.
    assert names(page, world["ada"], world["grace"]) == ["Grace Hopper"]


def test_pages_with_counts(client, make, world):
    cycle = world["cycle"]
    for n in range(PER_PAGE + 3):
        make.award(member=make.user(display_name=f"Zed {n:02d}", country="NO"), cycle=cycle)
    first = client.get("/awardees", query_string={"country": "NO"}).text
    assert f"{PER_PAGE + 3} awards" in first
    assert "page 1 of 2" in first
    assert "Zed 00" in first and "Zed 26" not in first
    # The next link keeps the filters.
    assert "country=NO" in first and "page=2" in first
    last = client.get("/awardees", query_string={"country": "NO", "page": 99999}).text
    assert "page 2 of 2" in last
    assert "Zed 26" in last and "Zed 00" not in last


def test_nothing_before_publishing(client, make, world):
    for status in (CycleStatus.IN_REVIEW, CycleStatus.DECIDED):
        cycle = make.cycle(name=f"Secret {status.value}", status=status)
        make.award(member=make.user(display_name=f"Not yet {status.value}"), cycle=cycle)
    for path in ("/awardees", "/awardees/alumni", "/"):
        page = client.get(path).text
        assert "Not yet" not in page
        assert "Secret" not in page  # nor their cycles in the filter


def test_alumni_tab_does_not_tell_an_unpublished_award(client, make, world):
    """Alan, an alumnus, awarded again in a cycle not yet published, stays an alumnus."""
    decided = make.cycle(status=CycleStatus.DECIDED)
    make.award(member=world["alan"], cycle=decided)
    assert "Alan Turing" in client.get("/awardees/alumni").text


def test_inactive_accounts_are_left_out(client, world, make):
    world["grace"].is_active_account = False
    make.session.flush()
    assert "Grace Hopper" not in client.get("/awardees").text


def test_awards_leads_to_the_directory(client):
    response = client.get("/awards")
    assert response.status_code == 302
    assert response.headers["Location"] == "/awardees"


def test_logged_in_members_get_the_directory_too(app, make, world):
    page = client_for(app, make.user()).get("/awardees").text
    assert "Ada Lovelace" in page and "Hidden Hedy" not in page


def test_empty_directory(client):
    assert "No awardee to show yet" in client.get("/awardees").text
    assert "No past awardee to show yet" in client.get("/awardees/alumni").text


# The logged-out home page


def test_home_shows_latest_awardees_and_figures(client, make, world):
    make.contribution(owner=world["ada"])
    page = client.get("/").text
    assert "Latest awardees" in page
    assert names(page, world["ada"], world["grace"], world["hidden"], world["alan"]) == [
        "Ada Lovelace",
        "Grace Hopper",
    ]
    # Awardees now counts the private one too: a figure names nobody.
    for label, value in (
        ("awardees now", 3),
        ("members", make.session.scalar(select(func.count(User.id)))),
        ("contributions logged", 1),
        ("award cycles published", 2),
    ):
        assert f"<div><dt>{label}</dt><dd>{value}</dd></div>" in page


def test_home_without_awards(client):
    page = client.get("/").text
    assert "The awardees appear here once a cycle's results are published." in page


# The published cycle's page


def test_published_cycle_lists_its_awardees_by_category(app, make, world):
    page = client_for(app, make.user()).get(f"/cycles/{world['cycle'].id}").text
    section = page.split('id="awardees-heading"')[1].split("<h2>Dates</h2>")[0]
    assert section.index("Data Platform") < section.index("Ada Lovelace")
    assert section.index("Ada Lovelace") < section.index("Web")
    assert section.index("Web") < section.index("Grace Hopper")
    # Logged in, a private profile is no secret (the page is for members).
    assert "Hidden Hedy" in section
    assert world["awards"]["grace"].verification_id in section


@pytest.mark.parametrize("status", [CycleStatus.IN_REVIEW, CycleStatus.DECIDED])
def test_unpublished_cycle_shows_no_awardee(app, make, status):
    organizer = make.organizer()
    cycle = make.cycle(status=status)
    make.award(member=make.user(display_name="Premature Pat"), cycle=cycle)
    for viewer in (organizer, make.user()):
        response = client_for(app, viewer).get(f"/cycles/{cycle.id}")
        assert "Premature Pat" not in response.text
        assert 'id="awardees-heading"' not in response.text


def test_home_figures_are_counted_again_once_they_are_old(app, client, make, world, monkeypatch):
    assert "<div><dt>contributions logged</dt><dd>0</dd></div>" in client.get("/").text
    make.contribution(owner=world["ada"])
    # Kept for PUBLIC_FIGURES_SECONDS (60 by default): the new one is not counted yet.
    assert "<div><dt>contributions logged</dt><dd>0</dd></div>" in client.get("/").text
    later = time.monotonic() + 61
    monkeypatch.setattr("nominee.sharedcache.time.monotonic", lambda: later)
    assert "<div><dt>contributions logged</dt><dd>1</dd></div>" in client.get("/").text
