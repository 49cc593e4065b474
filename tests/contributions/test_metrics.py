"""Reach metrics as data: organizers define them per type; the contribution form asks for
each (required, whole number, 0 to its maximum, the message next to the field); retiring
one keeps the values recorded with it readable."""

from __future__ import annotations

import html
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from nominee.audit import AuditEvent
from nominee.contributions.models import Contribution, ReachMetric


def field_error(response, field: str) -> str:
    assert f'id="{field}-error"' in response.text, response.text
    return html.unescape(response.text.split(f'id="{field}-error">', 1)[1].split("</p>", 1)[0])


@pytest.fixture
def talk(make):
    kind = make.contribution_type(name="Talk", slug="talk")
    kind.metrics.append(
        ReachMetric(name="Recording views", unit="views", maximum=5000, position=30)
    )
    kind.metrics[0].required = True  # Sessions
    make.session.flush()
    return kind


def metric(kind, name: str) -> ReachMetric:
    return next(m for m in kind.metrics if m.name == name)


def form_data(kind, category, **overrides) -> dict:
    data = {
        "type_id": kind.id,
        "role": "Speaker",
        "title": "Query plans for humans",
        "contributed_on": (date.today() - timedelta(days=3)).isoformat(),
        "primary_category_id": category.id,
        "quantity": "2",
        "audience": "150",
        f"metric_{metric(kind, 'Recording views').id}": "1200",
        "visibility": "public",
    }
    data.update(overrides)
    return data


def test_the_form_asks_each_metric_and_saves_its_figure(client, make, auth, db, talk):
    auth.login(make.user())
    page = client.get(f"/contributions/new?type={talk.id}")
    views = metric(talk, "Recording views")
    assert "Recording views (views)" in page.text
    assert f'name="metric_{views.id}"' in page.text
    assert "Required, 0 to 100" not in page.text  # the factory's maximum is bigger
    response = client.post("/contributions/new", data=form_data(talk, make.category()))
    assert response.status_code == 302, response.text
    contribution = db.scalars(select(Contribution)).one()
    assert contribution.figure_values() == {
        metric(talk, "Sessions").id: 2,
        metric(talk, "Attendees").id: 150,
        views.id: 1200,
    }
    # The headline figures follow their metrics (nomination totals read them).
    assert (contribution.quantity, contribution.audience) == (2, 150)
    shown = client.get(f"/contributions/{contribution.id}").text
    assert "Recording views" in shown and "1,200 views" in shown


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("quantity", "", "Enter the sessions."),
        ("quantity", "two", "Enter a whole number, such as 0 or 12."),
        ("quantity", "1.5", "Enter a whole number, such as 0 or 12."),
        ("quantity", "-1", "Enter a whole number from 0 to 1,000,000,000."),
        ("views", "5001", "Enter a whole number from 0 to 5,000."),
        ("views", "99999999999999999999999", "Enter a whole number from 0 to 5,000."),
    ],
)
def test_bad_figures_get_their_message_next_to_the_field(
    client, make, auth, db, talk, name, value, message
):
    auth.login(make.user())
    field = "quantity" if name == "quantity" else f"metric_{metric(talk, 'Recording views').id}"
    response = client.post(
        "/contributions/new", data=form_data(talk, make.category(), **{field: value})
    )
    assert response.status_code == 400
    assert field_error(response, field) == message
    assert db.scalars(select(Contribution)).all() == []


def test_an_optional_metric_left_blank_records_nothing(client, make, auth, db, talk):
    auth.login(make.user())
    views = metric(talk, "Recording views")
    response = client.post(
        "/contributions/new",
        data=form_data(talk, make.category(), audience="", **{f"metric_{views.id}": ""}),
    )
    assert response.status_code == 302
    contribution = db.scalars(select(Contribution)).one()
    assert contribution.figure_values() == {metric(talk, "Sessions").id: 2}
    assert contribution.audience == 0


def test_organizer_defines_a_metric_on_the_type_page(client, make, auth, db):
    kind = make.contribution_type(name="Code", slug="code", quantity_label=None)
    organizer = make.organizer()
    auth.login(organizer)
    response = client.post(
        f"/admin/contribution-types/{kind.id}/metrics/new",
        data={"name": "Stars", "unit": "stars", "maximum": "1000000", "position": "5"},
    )
    assert response.status_code == 302
    page = client.get(f"/admin/contribution-types/{kind.id}/edit").text
    assert "Stars" in page and "1,000,000" in page
    db.refresh(kind)
    stars = metric(kind, "Stars")
    assert (stars.unit, stars.required, stars.maximum) == ("stars", False, 1_000_000)
    # The type had no metric for the headline quantity: this one fills it.
    assert stars.legacy_slot == "quantity" and kind.quantity_label == "Stars"
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "reach_metric.created"))
    assert event.actor_id == organizer.id and event.after["name"] == "Stars"


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": ""}, "name", "The name must be 1 to 40 characters long."),
        ({"name": "attendees"}, "name", "This type has a metric of this name already."),
        ({"maximum": "0"}, "maximum", "Enter a whole number from 1 to 1,000,000,000."),
        ({"maximum": "lots"}, "maximum", "Enter a whole number, such as 1000."),
        ({"unit": "u" * 41}, "unit", "The unit can be at most 40 characters long."),
    ],
)
def test_metric_form_messages(client, make, auth, db, data, field, message):
    kind = make.contribution_type(name="Talk", slug="talk")
    auth.login(make.organizer())
    response = client.post(
        f"/admin/contribution-types/{kind.id}/metrics/new",
        data={"name": "Views", "maximum": "100", "position": "0", **data},
    )
    assert response.status_code == 400
    assert field_error(response, field) == message
    db.refresh(kind)
    assert [m.name for m in kind.metrics] == ["Sessions", "Attendees"]


def test_metric_pages_are_for_organizers_only(client, make, auth, talk):
    views = metric(talk, "Recording views")
    urls = [
        f"/admin/contribution-types/{talk.id}/metrics/new",
        f"/admin/contribution-types/{talk.id}/metrics/{views.id}/edit",
    ]
    for url in urls:
        assert client.get(url).status_code == 302
    auth.login(make.user())
    for url in urls:
        assert client.get(url).status_code == 403
        assert client.post(url, data={"name": "Mine", "maximum": "5"}).status_code == 403
    auth.login(make.organizer())
    other = make.contribution_type(name="Other", slug="other")
    assert client.get(urls[1]).status_code == 200
    assert (
        client.get(f"/admin/contribution-types/{other.id}/metrics/{views.id}/edit").status_code
        == 404
    )


def test_retiring_a_metric_keeps_its_values_readable(client, make, auth, db, talk):
    member = make.user()
    auth.login(member)
    views = metric(talk, "Recording views")
    client.post("/contributions/new", data=form_data(talk, make.category()))
    contribution = db.scalars(select(Contribution)).one()

    auth.login(make.organizer())
    response = client.post(
        f"/admin/contribution-types/{talk.id}/metrics/{views.id}/edit",
        data={
            "name": "Recording views",
            "unit": "views",
            "maximum": "5000",
            "position": "30",
            "retired": "y",
        },
    )
    assert response.status_code == 302
    db.refresh(views)
    assert views.retired

    auth.login(member)
    # No longer asked of new contributions...
    assert f"metric_{views.id}" not in client.get(f"/contributions/new?type={talk.id}").text
    # ...but shown where it was recorded, read-only on the edit form, and kept on save.
    shown = client.get(f"/contributions/{contribution.id}").text
    assert "Recording views" in shown and "retired metric" in shown and "1,200" in shown
    mine = html.unescape(client.get("/contributions/mine").text)
    assert "2 sessions, 150 attendees, 1,200 recording views" in mine  # the totals by type
    edit = client.get(f"/contributions/{contribution.id}/edit").text
    assert f'name="metric_{views.id}"' in edit and "readonly" in edit
    data = form_data(talk, contribution.primary_category, title="Query plans, again")
    data[f"metric_{views.id}"] = "9"  # a read-only field's value is ignored
    assert client.post(f"/contributions/{contribution.id}/edit", data=data).status_code == 302
    db.refresh(contribution)
    assert contribution.figure_values()[views.id] == 1200
    assert contribution.title == "Query plans, again"


def test_changing_the_type_drops_the_old_types_figures(client, make, auth, db, talk):
    auth.login(make.user())
    client.post("/contributions/new", data=form_data(talk, make.category()))
    contribution = db.scalars(select(Contribution)).one()
    post = make.contribution_type(
        name="Post", slug="post", quantity_label=None, audience_label="Readers", roles=[]
    )
    data = form_data(talk, contribution.primary_category, type_id=post.id, audience="40")
    assert client.post(f"/contributions/{contribution.id}/edit", data=data).status_code == 302
    db.refresh(contribution)
    assert contribution.figure_values() == {post.metrics[0].id: 40}
    assert (contribution.quantity, contribution.audience) == (0, 40)
