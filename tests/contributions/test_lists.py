"""My contributions (filters, totals, pagination) and the public member page."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from nominee import clock
from nominee.contributions.models import Contribution, Visibility


def titles(html: str) -> list[str]:
    return re.findall(r'<h3><a href="/contributions/\d+">([^<]+)</a></h3>', html)


def totals(html: str) -> dict[str, list[str]]:
    """Rows of the totals table: type name -> [count, quantity, audience]."""
    table = html.split('<table class="totals">', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r'<th scope="row">([^<]+)</th>\s*(.*?)</tr>', table, re.S)
    return {
        name: [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td>(.*?)</td>", row)]
        for name, row in rows
    }


@pytest.fixture
def portfolio(make):
    """A member with talks and posts across two categories, public and private."""
    owner = make.user()
    talk = make.contribution_type(
        name="Talk", quantity_label="Sessions", audience_label="Attendees"
    )
    post = make.contribution_type(
        name="Post", quantity_label="Posts", audience_label=None, roles=["Author"]
    )
    data, cloud = make.category(name="Data"), make.category(name="Cloud")
    rows = [
        ("Talk Jan", talk, data, [], date(2024, 1, 10), 1, 100, Visibility.PUBLIC),
        ("Talk Mar", talk, cloud, [data], date(2024, 3, 5), 2, 250, Visibility.PRIVATE),
        ("Post Feb", post, data, [], date(2024, 2, 1), 1, 0, Visibility.PUBLIC),
        ("Post Jun", post, cloud, [], date(2024, 6, 20), 3, 0, Visibility.PUBLIC),
    ]
    for title, kind, primary, extra, day, quantity, audience, visibility in rows:
        make.contribution(
            owner,
            title=title,
            type=kind,
            role=kind.roles[0],
            primary_category=primary,
            categories=extra,
            contributed_on=day,
            quantity=quantity,
            audience=audience,
            visibility=visibility,
        )
    make.contribution(title="Somebody else's")
    return {"owner": owner, "talk": talk, "post": post, "data": data, "cloud": cloud}


def test_mine_lists_own_newest_first_with_totals(client, auth, portfolio):
    auth.login(portfolio["owner"])
    response = client.get("/contributions/mine")
    assert response.status_code == 200
    assert titles(response.text) == ["Post Jun", "Talk Mar", "Post Feb", "Talk Jan"]
    assert totals(response.text) == {
        "Talk": ["2", "3 sessions, 350 attendees"],
        "Post": ["2", "4 posts"],
    }
    assert "Private" in response.text


def test_mine_sorts_oldest_first(client, auth, portfolio):
    auth.login(portfolio["owner"])
    response = client.get("/contributions/mine?sort=oldest")
    assert titles(response.text) == ["Talk Jan", "Post Feb", "Talk Mar", "Post Jun"]


@pytest.mark.parametrize(
    ("query", "expected", "expected_totals"),
    [
        ("type={talk}", ["Talk Mar", "Talk Jan"], {"Talk": ["2", "3 sessions, 350 attendees"]}),
        # The category matches the primary one or one of the others.
        (
            "category={data}",
            ["Talk Mar", "Post Feb", "Talk Jan"],
            {
                "Talk": ["2", "3 sessions, 350 attendees"],
                "Post": ["1", "1 post"],
            },
        ),
        ("visibility=private", ["Talk Mar"], {"Talk": ["1", "2 sessions, 250 attendees"]}),
        (
            "date_from=2024-02-01&date_to=2024-03-31",
            ["Talk Mar", "Post Feb"],
            {
                "Talk": ["1", "2 sessions, 250 attendees"],
                "Post": ["1", "1 post"],
            },
        ),
        (
            "type={post}&category={cloud}&visibility=public",
            ["Post Jun"],
            {"Post": ["1", "3 posts"]},
        ),
    ],
)
def test_mine_filters_and_totals_follow_the_filters(
    client, auth, portfolio, query, expected, expected_totals
):
    auth.login(portfolio["owner"])
    ids = {name: obj.id for name, obj in portfolio.items()}
    response = client.get("/contributions/mine?" + query.format(**ids))
    assert response.status_code == 200
    assert titles(response.text) == expected
    assert totals(response.text) == expected_totals
    assert "Reach by type (filtered)" in response.text
    assert "Clear filters" in response.text


def test_mine_with_nothing_matching(client, auth, portfolio):
    auth.login(portfolio["owner"])
    response = client.get("/contributions/mine?date_from=2030-01-01")
    assert titles(response.text) == []
    assert "No contribution matches these filters." in response.text
    assert '<table class="totals">' not in response.text


def test_mine_invalid_filters_get_a_message_and_are_ignored(client, auth, portfolio):
    auth.login(portfolio["owner"])
    response = client.get("/contributions/mine?date_from=yesterday&type=abc&sort=sideways")
    assert response.status_code == 200
    assert "Enter a date like 2024-05-31." in response.text
    assert len(titles(response.text)) == 4
    backwards = client.get("/contributions/mine?date_from=2024-03-01&date_to=2024-02-01")
    assert "The end date is before the start date." in backwards.text
    assert titles(backwards.text) == ["Post Jun", "Talk Mar"]


def test_mine_empty_state(client, make, auth):
    auth.login(make.user())
    response = client.get("/contributions/mine")
    assert "You have not logged any contribution yet." in response.text


def test_mine_paginates_and_page_links_keep_filters(app, client, auth, portfolio):
    app.config["PER_PAGE"] = 1
    auth.login(portfolio["owner"])
    talk = portfolio["talk"].id
    first = client.get(f"/contributions/mine?type={talk}&sort=oldest")
    assert titles(first.text) == ["Talk Jan"]
    assert "Page 1 of 2 (2 in all)" in first.text
    next_link = re.search(r'<a href="([^"]+)" rel="next">', first.text).group(1)
    assert f"type={talk}" in next_link and "sort=oldest" in next_link and "page=2" in next_link
    second = client.get(next_link.replace("&amp;", "&"))
    assert titles(second.text) == ["Talk Mar"]
    # Totals cover the whole filtered set, not the page.
    assert totals(second.text)["Talk"][0] == "2"


def test_member_page_shows_public_work_to_others(client, make, auth, portfolio):
    owner = portfolio["owner"]
    owner.bio_html = "<p>I <strong>teach</strong> SQL.</p>"
    owner.location = "Lisbon"
    owner.links = ["https://owner.example.org"]
    owner.primary_category = portfolio["data"]
    auth.login(make.user())
    response = client.get(f"/members/{owner.id}")
    assert response.status_code == 200
    assert owner.display_name in response.text
    assert "<strong>teach</strong>" in response.text
    assert "Lisbon" in response.text
    assert 'href="https://owner.example.org"' in response.text
    assert "Categories: Data" in response.text
    assert "Public contributions (3)" in response.text
    assert titles(response.text) == ["Post Jun", "Post Feb", "Talk Jan"]
    assert totals(response.text)["Talk"] == ["1", "1 session, 100 attendees"]


@pytest.mark.parametrize("viewer", ["anonymous", "member"])
def test_member_page_hides_private_work(client, make, auth, portfolio, viewer):
    if viewer == "member":
        auth.login(make.user())
    response = client.get(f"/members/{portfolio['owner'].id}")
    assert response.status_code == 200
    assert "Talk Mar" not in response.text


@pytest.mark.parametrize("viewer", ["owner", "reviewer", "organizer"])
def test_member_page_shows_private_work_to_owner_and_staff(client, make, auth, portfolio, viewer):
    users = {
        "owner": portfolio["owner"],
        "reviewer": make.reviewer(),
        "organizer": make.organizer(),
    }
    auth.login(users[viewer])
    response = client.get(f"/members/{portfolio['owner'].id}")
    assert "Contributions (4)" in response.text
    assert "Talk Mar" in response.text
    assert totals(response.text)["Talk"] == ["2", "3 sessions, 350 attendees"]


def test_member_page_endorsements_received_and_given(client, make, db, portfolio):
    owner = portfolio["owner"]
    fan, gone = make.user(display_name="Fan"), make.user(display_name="Gone")
    theirs = make.contribution(fan, title="Fan's workshop")
    mine = {
        c.title: c
        for c in db.scalars(select(Contribution).where(Contribution.owner_id == owner.id))
    }
    make.endorsement(mine["Talk Jan"], fan, comment="Clear and kind")
    make.endorsement(mine["Post Feb"], gone, comment="Old news")
    make.endorsement(mine["Post Jun"], make.user(), withdrawn_at=clock.now())
    # A private contribution's endorsements stay hidden from the public.
    make.endorsement(mine["Talk Mar"], make.user(), comment="Private praise")
    make.endorsement(theirs, owner, comment="Loved it")
    response = client.get(f"/members/{owner.id}")
    assert "Endorsements received (2)" in response.text
    assert "Clear and kind" in response.text
    assert "Private praise" not in response.text
    assert "Endorsements given (1)" in response.text
    assert "Fan&#39;s workshop" in response.text
    assert "Loved it" in response.text


def test_member_page_of_deactivated_account_only_for_organizers(client, make, auth):
    gone = make.user(is_active_account=False)
    assert client.get(f"/members/{gone.id}").status_code == 404
    auth.login(make.reviewer())
    assert client.get(f"/members/{gone.id}").status_code == 404
    auth.login(make.organizer())
    response = client.get(f"/members/{gone.id}")
    assert response.status_code == 200
    assert "Deactivated account" in response.text


def test_unknown_member_is_404(client):
    assert client.get("/members/999999").status_code == 404


def test_member_page_endorsement_lists_are_paged_by_keyset_with_their_totals(
    client, make, db, portfolio
):
    """Issue 17: no cap at 10; each list pages on its own, keeping the other's place."""
    owner = portfolio["owner"]
    talk = db.scalars(
        select(Contribution).where(
            Contribution.owner_id == owner.id, Contribution.visibility == Visibility.PUBLIC
        )
    ).first()
    moment = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    for n in range(13):  # two share a moment: the id breaks the tie
        endorser = make.user(display_name=f"Endorser {n:02d}")
        make.endorsement(talk, endorser, created_at=moment + timedelta(minutes=n // 2 * 2))
        make.endorsement(
            make.contribution(endorser, title=f"Work {n:02d}"),
            owner,
            created_at=moment + timedelta(minutes=n),
        )
    first = client.get(f"/members/{owner.id}").text
    assert "Endorsements received (13)" in first and "Endorsements given (13)" in first
    assert "Endorser 12" in first and "Endorser 03" in first and "Endorser 02" not in first
    older = re.findall(r'href="([^"]+)" rel="next">Older', first)
    assert len(older) == 2
    received_next = older[0].replace("&amp;", "&")
    second = client.get(received_next).text
    assert "Endorsements received (13)" in second and "Endorsements given (13)" in second
    shown = re.findall(r"Endorser (\d\d)", second.split('id="given-heading"')[0])
    assert sorted(set(shown)) == ["00", "01", "02"]
    given_next = re.findall(r'href="([^"]+)" rel="next">Older', second)[-1].replace("&amp;", "&")
    assert "received_after=" in given_next and "given_after=" in given_next
    third = client.get(given_next).text
    given_part = third.split('id="given-heading"')[1]
    assert "Work 02" in given_part and "Work 03" not in given_part
    assert "Endorsements given (13)" in third
