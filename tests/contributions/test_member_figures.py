"""A member's figures (reach totals per type, twelve months of activity) are kept in the
shared cache under the member's ``activity_version``: every change made through the app
shows on the next page, read from a warm cache."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from nominee.contributions.models import Visibility
from tests.contributions.test_lists import totals


def form(kind, category, **overrides) -> dict:
    data = {
        "type_id": kind.id,
        "role": "Speaker",
        "title": "Second talk",
        "contributed_on": (date.today() - timedelta(days=3)).isoformat(),
        "url": "",
        "description_md": "",
        "primary_category_id": category.id,
        "quantity": "2",
        "audience": "150",
        "visibility": "public",
    }
    data.update(overrides)
    return data


def main(html: str) -> str:
    return html.split("<main", 1)[1].split("</main>", 1)[0]


def kept(app, prefix: str) -> list[str]:
    return [key for key in app.extensions["nominee.cache"]._local if key.startswith(prefix)]


@pytest.fixture
def scene(make):
    owner = make.user(display_name="Owner")
    kind = make.contribution_type(
        name="Talk", quantity_label="Sessions", audience_label="Attendees"
    )
    category = make.category(name="Data")
    first = make.contribution(
        owner, title="First talk", type=kind, primary_category=category, quantity=1, audience=100
    )
    return {
        "owner": owner,
        "kind": kind,
        "category": category,
        "first": first,
        "viewer": make.user(display_name="Viewer"),
        "fan": make.user(display_name="Fan"),
        "organizer": make.organizer(),
    }


def test_every_change_shows_on_the_member_page_read_from_the_cache(app, client, auth, scene):
    owner, first = scene["owner"], scene["first"]

    def page(as_user) -> str:
        auth.login(as_user)
        response = client.get(f"/members/{owner.id}")
        assert response.status_code == 200
        return response.text

    html = page(scene["viewer"])
    assert "Public contributions (1)" in html and "Endorsements received (0)" in html
    assert kept(app, "member-totals:") and kept(app, "member-activity:")
    assert main(page(scene["viewer"])) == main(html)  # warm: the same page

    auth.login(owner)
    created = client.post("/contributions/new", data=form(scene["kind"], scene["category"]))
    assert created.status_code == 302
    second = int(created.headers["Location"].rsplit("/", 1)[1])
    html = page(scene["viewer"])
    assert "Public contributions (2)" in html
    assert "2 contributions in 12 months" in html
    assert totals(html)["Talk"][0] == "2"

    auth.login(owner)
    data = form(scene["kind"], scene["category"], audience="1000")
    assert client.post(f"/contributions/{second}/edit", data=data).status_code == 302
    assert "1,100" in totals(page(scene["viewer"]))["Talk"][1]

    auth.login(owner)
    data = form(scene["kind"], scene["category"], audience="1000", visibility="private")
    assert client.post(f"/contributions/{second}/edit", data=data).status_code == 302
    html = page(scene["viewer"])
    assert "Public contributions (1)" in html and "1 contribution in 12 months" in html
    assert "Contributions (2)" in page(owner)

    auth.login(scene["fan"])
    endorsed = client.post(f"/contributions/{first.id}/endorse", data={"comment": "Clear"})
    assert endorsed.status_code == 302
    assert "Endorsements received (1)" in page(scene["viewer"])
    auth.login(scene["fan"])
    assert client.post(f"/contributions/{first.id}/endorsement/withdraw").status_code == 302
    assert "Endorsements received (0)" in page(scene["viewer"])

    auth.login(owner)
    assert client.post(f"/contributions/{second}/delete").status_code == 302
    html = page(owner)
    assert "Contributions (1)" in html and "1 contribution in 12 months" in html


def test_renamed_types_and_metrics_show_on_the_cached_figures(app, client, auth, scene):
    owner, kind = scene["owner"], scene["kind"]
    auth.login(scene["viewer"])
    assert "Talk" in totals(client.get(f"/members/{owner.id}").text)
    assert kept(app, "member-totals:")

    auth.login(scene["organizer"])
    renamed = client.post(
        f"/admin/contribution-types/{kind.id}/edit",
        data={"name": "Keynote", "roles": "Speaker", "weight": "1", "position": "0"},
    )
    assert renamed.status_code == 302
    auth.login(scene["viewer"])
    html = client.get(f"/members/{owner.id}").text
    assert list(totals(html)) == ["Keynote"]
    assert "Keynote</li>" in html  # the chart's legend

    attendees = next(metric for metric in kind.metrics if metric.name == "Attendees")
    auth.login(scene["organizer"])
    renamed = client.post(
        f"/admin/contribution-types/{kind.id}/metrics/{attendees.id}/edit",
        data={"name": "Listeners", "unit": "", "maximum": "1000000", "position": "20"},
    )
    assert renamed.status_code == 302
    auth.login(scene["viewer"])
    assert "100 listeners" in totals(client.get(f"/members/{owner.id}").text)["Keynote"][1]


def test_my_contributions_totals_follow_a_new_contribution(app, client, auth, scene):
    owner = scene["owner"]
    auth.login(owner)
    assert totals(client.get("/contributions/mine").text)["Talk"][0] == "1"
    assert kept(app, "member-totals:")
    data = form(scene["kind"], scene["category"], visibility="private")
    assert client.post("/contributions/new", data=data).status_code == 302
    html = client.get("/contributions/mine").text
    assert totals(html)["Talk"][0] == "2"


def test_the_meter_follows_a_new_contribution_and_an_endorsement(app, client, auth, scene):
    owner = scene["owner"]

    def score() -> str:
        auth.login(owner)
        html = client.get("/").text
        return html.split('<p class="impact-score">', 1)[1].split("</p>", 1)[0]

    before = score()
    assert kept(app, "meter:") and kept(app, "meter-items:")
    assert score() == before  # warm
    data = form(scene["kind"], scene["category"])
    assert client.post("/contributions/new", data=data).status_code == 302
    after = score()
    assert after != before
    auth.login(scene["fan"])
    endorsed = client.post(f"/contributions/{scene['first'].id}/endorse", data={"comment": ""})
    assert endorsed.status_code == 302
    assert score() != after


def test_the_types_counts_follow_every_contribution_added_retyped_or_deleted(
    app, client, auth, make, scene
):
    other = make.contribution_type(name="Video")

    def in_use() -> dict[str, str]:
        auth.login(scene["organizer"])
        html = client.get("/admin/contribution-types").text
        rows = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0].split("<tr>")[1:]
        return {
            row.split("<td>")[1].split("</td>")[0]: row.split("<td>")[6].split("</td>")[0]
            for row in rows
        }

    assert in_use() == {"Talk": "1", "Video": "0"}
    assert kept(app, "types_in_use")
    auth.login(scene["owner"])
    created = client.post("/contributions/new", data=form(scene["kind"], scene["category"]))
    assert created.status_code == 302
    second = int(created.headers["Location"].rsplit("/", 1)[1])
    assert in_use() == {"Talk": "2", "Video": "0"}

    auth.login(scene["owner"])
    data = form(other, scene["category"])
    assert client.post(f"/contributions/{second}/edit", data=data).status_code == 302
    assert in_use() == {"Talk": "1", "Video": "1"}

    auth.login(scene["owner"])
    assert client.post(f"/contributions/{second}/delete").status_code == 302
    assert in_use() == {"Talk": "1", "Video": "0"}


def listing(html: str) -> str:
    return html.split('<ul class="contributions">', 1)[1].split("</ul>", 1)[0]


def test_the_cached_list_follows_renamed_categories_and_new_headline_figures(
    app, client, auth, make, scene
):
    owner, first = scene["owner"], scene["first"]
    further = make.category(name="Cloud")
    first.categories.append(further)
    bare = make.contribution_type(name="Mentoring", quantity_label=None, audience_label=None)
    make.contribution(owner, title="Mentoring", type=bare, primary_category=scene["category"])

    def shown() -> str:
        auth.login(scene["viewer"])
        return listing(client.get(f"/members/{owner.id}").text)

    html = shown()
    assert "Data, Cloud" in html and kept(app, "member-list:")
    auth.login(scene["organizer"])
    for category, name in ((scene["category"], "Databases"), (further, "Cloud native")):
        renamed = client.post(f"/admin/categories/{category.id}/edit", data={"name": name})
        assert renamed.status_code == 302
    assert "Databases, Cloud native" in shown()

    auth.login(scene["organizer"])
    added = client.post(
        f"/admin/contribution-types/{bare.id}/metrics/new",
        data={"name": "Mentees", "unit": "", "maximum": "1000", "position": "10"},
    )
    assert added.status_code == 302
    assert "0 mentees" in shown()


def test_the_cached_list_is_the_viewers_own(app, client, auth, make, scene):
    owner = scene["owner"]
    make.contribution(owner, title="Draft notes", visibility=Visibility.PRIVATE)
    auth.login(owner)
    assert "Draft notes" in listing(client.get(f"/members/{owner.id}").text)
    auth.login(scene["viewer"])
    assert "Draft notes" not in client.get(f"/members/{owner.id}").text
    auth.login(owner)
    data = form(scene["kind"], scene["category"], title="Third talk")
    assert client.post("/contributions/new", data=data).status_code == 302
    auth.login(scene["viewer"])
    html = listing(client.get(f"/members/{owner.id}").text)
    assert "Third talk" in html and "Draft notes" not in html


def test_the_cached_chart_is_drawn_in_each_readers_language(app, client, auth, make, scene):
    owner = scene["owner"]
    auth.login(scene["viewer"])
    english = client.get(f"/members/{owner.id}").text
    assert "1 contribution in 12 months" in english
    auth.login(make.user(language="es"))
    spanish = client.get(f"/members/{owner.id}").text
    assert "1 contribución en 12 meses" in spanish
    assert len(kept(app, "member-activity:")) == 2
