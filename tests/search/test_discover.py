"""Discover: others' recent public work the member has not endorsed, to endorse."""

from __future__ import annotations

import pytest

from nominee.contributions.models import Visibility
from nominee.search import queries


@pytest.fixture
def member(make, auth):
    user = make.user(display_name="Grace Reader")
    auth.login(user)
    return user


def test_lists_others_public_unendorsed_work_newest_first(client, make, member):
    ada = make.user(display_name="Ada")
    old = make.contribution(ada, title="Old post")
    new = make.contribution(ada, title="New post")
    make.contribution(member, title="My own post")
    make.contribution(ada, title="Secret draft", visibility=Visibility.PRIVATE)
    make.contribution(make.user(is_active_account=False), title="Gone member's post")
    endorsed = make.contribution(ada, title="Already endorsed")
    make.endorsement(endorsed, member)
    withdrawn = make.contribution(ada, title="Endorsement withdrawn")
    make.endorsement(withdrawn, member, withdrawn_at=withdrawn.created_at)
    page = client.get("/discover").text
    for absent in ("My own post", "Secret draft", "Gone member", "Already endorsed"):
        assert absent not in page
    assert page.index("Endorsement withdrawn") < page.index("New post") < page.index("Old post")
    assert f'action="/contributions/{new.id}/endorse"' in page
    assert f'action="/contributions/{old.id}/endorse"' in page


def test_filters_by_type_and_category(client, make, member):
    talk, post = make.contribution_type(name="Talk"), make.contribution_type(name="Post")
    data, web = make.category(name="Data"), make.category(name="Web")
    owner = make.user()
    make.contribution(owner, title="Data talk", type=talk, primary_category=data)
    make.contribution(owner, title="Web talk", type=talk, primary_category=web)
    also_data = make.contribution(owner, title="Web post on data", type=post, primary_category=web)
    also_data.categories = [data]
    make.contribution(owner, title="Web post", type=post, primary_category=web)
    page = client.get("/discover", query_string={"type": talk.id}).text
    assert "Data talk" in page and "Web talk" in page and "Web post" not in page
    page = client.get("/discover", query_string={"category": data.id}).text
    assert "Data talk" in page and "Web post on data" in page
    assert "Web talk" not in page and "Web post<" not in page
    page = client.get("/discover", query_string={"type": post.id, "category": data.id}).text
    assert "Web post on data" in page and "Data talk" not in page
    assert "Clear filters" in page
    # Nonsense filters are ignored, never an error.
    for odd in ({"type": "x"}, {"category": "99999999999999999999"}, {"before": "-1"}):
        assert client.get("/discover", query_string=odd).status_code == 200


def test_pages_by_keyset_keeping_the_filters(client, db, make, member):
    category = make.category(name="Data")
    owner = make.user()
    made = [
        make.contribution(owner, title=f"Item {n:02d}", primary_category=category)
        for n in range(queries.DISCOVER_PER_PAGE + 3)
    ]
    first = client.get("/discover", query_string={"category": category.id}).text
    assert "Item 22" in first and "Item 03" in first and "Item 02" not in first
    before = made[3].id
    assert f"/discover?before={before}&amp;category={category.id}" in first
    second = client.get("/discover", query_string={"category": category.id, "before": before}).text
    assert "Item 02" in second and "Item 00" in second and "Item 03" not in second
    assert 'rel="next"' not in second and "Newest" in second


def test_endorsing_from_discover_comes_back_to_it(client, db, make, member):
    target = make.contribution(make.user(), title="Worth endorsing")
    page = client.get("/discover?category=").text
    assert 'name="next" value="/discover?category="' in page
    response = client.post(
        f"/contributions/{target.id}/endorse", data={"next": "/discover?category="}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/discover?category="
    page = client.get("/discover").text
    assert "Thank you: your endorsement is recorded." in page
    assert "Worth endorsing" not in page
    # Anywhere else is not where a button sends one.
    other = make.contribution(make.user(), title="Another")
    response = client.post(
        f"/contributions/{other.id}/endorse", data={"next": "https://evil.example/"}
    )
    assert response.headers["Location"] == f"/contributions/{other.id}"


def test_discover_needs_a_login_and_is_linked(client, make, auth):
    assert client.get("/discover").status_code == 302
    auth.login(make.user())
    home = client.get("/").text
    assert 'href="/discover"' in home and 'href="/search"' in home


def test_an_unconfirmed_address_is_asked_for_instead_of_the_buttons(client, make, auth):
    sam = make.user(email_verified_at=None)
    target = make.contribution(make.user(), title="Window functions")
    auth.login(sam)
    page = client.get("/discover").text
    assert "Window functions" in page and "Send the link again" in page
    assert f'action="/contributions/{target.id}/endorse"' not in page
