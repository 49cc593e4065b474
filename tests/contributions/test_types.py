"""Contribution types: organizer pages, the defaults and ``flask seed-types``."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from nominee.audit import AuditEvent
from nominee.contributions.models import ContributionType
from nominee.contributions.services import DEFAULT_TYPES, seed_contribution_types

TYPE_URLS = ["/admin/contribution-types", "/admin/contribution-types/new"]


def all_types(db) -> list[ContributionType]:
    return db.scalars(select(ContributionType).order_by(ContributionType.id)).all()


def type_data(**overrides) -> dict:
    data = {
        "name": "Hackathon",
        "roles": "Mentor,  Judge , ,Organizer, Judge",
        "weight": "1.5",
        "position": "5",
    }
    data.update(overrides)
    return data


def test_seed_adds_every_default_once_with_metrics_and_roles(db):
    added = seed_contribution_types(db)
    assert [t.name for t in added] == [row[0] for row in DEFAULT_TYPES]
    by_name = {t.name: t for t in added}

    def metrics(name: str) -> list[str]:
        return [m.name for m in by_name[name].metrics]

    talk = by_name["Talk at a conference"]
    assert metrics("Talk at a conference") == ["Sessions", "Attendees", "Recording views"]
    assert (talk.quantity_label, talk.audience_label) == ("Sessions", "Attendees")
    assert talk.metrics[0].required and not talk.metrics[2].required
    assert "Speaker" in talk.roles
    assert metrics("Open-source project") == ["Merged pull requests", "Stars", "Downloads"]
    assert metrics("Forum answers") == ["Answers", "Accepted answers"]
    assert by_name["Forum answers"].audience_label is None
    assert by_name["Open-source project"].roles[0] == "Maintainer"
    assert seed_contribution_types(db) == []
    assert len(all_types(db)) == len(DEFAULT_TYPES)


def test_seed_keeps_types_an_organizer_already_has(db, make):
    make.contribution_type(name="blog post", slug="my-blog-post", roles=["Writer"])
    added = seed_contribution_types(db)
    assert "Blog post" not in [t.name for t in added]
    assert len(all_types(db)) == len(DEFAULT_TYPES)


def test_seed_types_command(runner, db):
    result = runner.invoke(args=["seed-types"])
    assert result.exit_code == 0, result.output
    assert f"Added {len(DEFAULT_TYPES)} contribution types: Blog post, Article" in result.output
    again = runner.invoke(args=["seed-types", "--missing"])
    assert "Every default contribution type exists already." in again.output
    assert len(all_types(db)) == len(DEFAULT_TYPES)


def test_seed_types_command_leaves_an_organizers_renamed_type_alone(runner, db):
    runner.invoke(args=["seed-types"])
    blog = db.scalars(select(ContributionType).where(ContributionType.name == "Blog post")).one()
    blog.name, blog.slug = "Blog posts and newsletters", "blog-posts-and-newsletters"
    db.flush()
    result = runner.invoke(args=["seed-types"])
    assert result.exit_code == 0, result.output
    assert "Contribution types exist already" in result.output
    assert len(all_types(db)) == len(DEFAULT_TYPES)
    result = runner.invoke(args=["seed-types", "--missing"])
    assert "Added 1 contribution types: Blog post." in result.output


@pytest.mark.parametrize("url", TYPE_URLS)
def test_type_pages_are_for_organizers_only(client, make, auth, url):
    assert client.get(url).status_code == 302
    auth.login(make.user())
    assert client.get(url).status_code == 403
    auth.login(make.reviewer())
    assert client.get(url).status_code == 403
    auth.login(make.organizer())
    assert client.get(url).status_code == 200


def test_member_cannot_post_type_changes(client, make, auth, db):
    kind = make.contribution_type(name="Talk")
    auth.login(make.user())
    assert client.post("/admin/contribution-types/new", data=type_data()).status_code == 403
    edit = client.post(f"/admin/contribution-types/{kind.id}/edit", data=type_data(name="Mine"))
    assert edit.status_code == 403
    assert client.post("/admin/contribution-types/defaults").status_code == 403
    assert [t.name for t in all_types(db)] == ["Talk"]


def test_organizer_adds_the_defaults_from_the_page(client, make, auth, db):
    auth.login(make.organizer())
    empty = client.get("/admin/contribution-types")
    assert "No contribution types yet." in empty.text
    response = client.post("/admin/contribution-types/defaults", follow_redirects=True)
    assert f"Added {len(DEFAULT_TYPES)} default types." in response.text
    assert "Talk at a conference" in response.text
    again = client.post("/admin/contribution-types/defaults", follow_redirects=True)
    assert "Every default type exists already." in again.text
    [event] = db.scalars(
        select(AuditEvent).where(AuditEvent.action == "contribution_type.seeded")
    ).all()
    assert len(event.after["names"]) == len(DEFAULT_TYPES)


def test_organizer_creates_a_type_with_roles_from_a_comma_list(client, make, auth, db):
    organizer = make.organizer()
    auth.login(organizer)
    response = client.post("/admin/contribution-types/new", data=type_data())
    assert response.status_code == 302
    [kind] = all_types(db)
    assert kind.name == "Hackathon"
    assert kind.slug == "hackathon"
    assert kind.roles == ["Mentor", "Judge", "Organizer"]
    assert (kind.weight, kind.position, kind.retired) == (1.5, 5, False)
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "contribution_type.created"))
    assert event.actor_id == organizer.id
    assert event.after["roles"] == ["Mentor", "Judge", "Organizer"]
    index = client.get("/admin/contribution-types")
    assert "Mentor, Judge, Organizer" in index.text


def test_a_new_type_asks_for_no_figure_until_it_has_metrics(client, make, auth, db):
    auth.login(make.organizer())
    client.post("/admin/contribution-types/new", data=type_data(roles=""))
    [kind] = all_types(db)
    assert (kind.quantity_label, kind.audience_label, kind.roles, kind.metrics) == (
        None,
        None,
        [],
        [],
    )


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"name": ""}, "name", "Enter a name."),
        ({"name": "T"}, "name", "The name must be 2 to 80 characters long."),
        ({"name": "Talk"}, "name", "A type with this name exists already."),
        ({"name": "TALK"}, "name", "A type with this name exists already."),
        ({"roles": "x" * 41}, "roles", "Each role can be at most 40 characters long."),
        ({"roles": ",".join(f"R{i}" for i in range(13))}, "roles", "List at most 12 roles."),
        ({"weight": "heavy"}, "weight", "Enter a number, such as 1 or 1.5."),
        ({"weight": "-1"}, "weight", "Enter a number from 0 to 100."),
        ({"position": "1.5"}, "position", "Enter a whole number."),
    ],
)
def test_type_validation_messages(client, make, auth, db, overrides, field, message):
    make.contribution_type(name="Talk", slug="talk")
    auth.login(make.organizer())
    response = client.post("/admin/contribution-types/new", data=type_data(**overrides))
    assert response.status_code == 400
    error = response.text.split(f'id="{field}-error">', 1)[1].split("</p>", 1)[0]
    assert message in error
    assert [t.name for t in all_types(db)] == ["Talk"]


def test_organizer_edits_and_retires_a_type(client, make, auth, db):
    kind = make.contribution_type(name="Talk", roles=["Speaker", "Host"])
    auth.login(make.organizer())
    page = client.get(f"/admin/contribution-types/{kind.id}/edit")
    assert 'value="Speaker, Host"' in page.text
    response = client.post(
        f"/admin/contribution-types/{kind.id}/edit",
        data=type_data(name="Talk (any)", roles="Speaker", retired="y"),
    )
    assert response.status_code == 302
    db.refresh(kind)
    assert (kind.name, kind.roles, kind.retired) == ("Talk (any)", ["Speaker"], True)
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "contribution_type.updated"))
    assert event.before["name"] == "Talk"
    assert event.after["retired"] is True
    # A retired type is no longer offered to members.
    auth.login(make.user())
    assert f"/contributions/new?type={kind.id}" not in client.get("/contributions/new").text


def test_unknown_type_is_404(client, make, auth):
    auth.login(make.organizer())
    assert client.get("/admin/contribution-types/999999/edit").status_code == 404


def test_choose_type_page_without_types(client, make, auth):
    auth.login(make.user())
    assert "Please ask an organizer to add them." in client.get("/contributions/new").text
    auth.login(make.organizer())
    assert "Add the default types" in client.get("/contributions/new").text
