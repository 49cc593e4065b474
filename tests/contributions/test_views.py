from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from nominee.audit import AuditEvent
from nominee.contributions.models import Contribution, Visibility
from nominee.endorsements.models import Endorsement


def actions(db, action: str) -> list[AuditEvent]:
    return db.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


def contributions(db) -> list[Contribution]:
    return db.scalars(select(Contribution).order_by(Contribution.id)).all()


def form_data(contribution_type, category, **overrides) -> dict:
    data = {
        "type_id": contribution_type.id,
        "role": "Speaker",
        "title": "Query plans for humans",
        "contributed_on": (date.today() - timedelta(days=3)).isoformat(),
        "url": "https://talks.example.org/query-plans",
        "description_md": "Why **indexes** matter.",
        "primary_category_id": category.id,
        "quantity": "2",
        "audience": "150",
        "visibility": "public",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def member(make, auth):
    user = make.user()
    auth.login(user)
    return user


def test_new_asks_for_the_type_first_then_shows_its_fields(client, make, member):
    talk = make.contribution_type(name="Talk at a meetup", roles=["Speaker", "Host"])
    make.contribution_type(name="Old kind", retired=True)
    picker = client.get("/contributions/new")
    assert picker.status_code == 200
    assert f"/contributions/new?type={talk.id}" in picker.text
    assert "asks for sessions and attendees" in picker.text
    assert "Old kind" not in picker.text
    page = client.get(f"/contributions/new?type={talk.id}")
    assert page.status_code == 200
    assert '<label for="quantity">Sessions</label>' in page.text
    assert '<label for="audience">Attendees</label>' in page.text
    assert '<option value="Host">Host</option>' in page.text


def test_type_without_figures_or_roles_hides_those_fields(client, make, member):
    answers = make.contribution_type(name="Answers", audience_label=None, roles=[])
    page = client.get(f"/contributions/new?type={answers.id}")
    assert 'name="quantity"' in page.text
    assert 'name="audience"' not in page.text
    assert 'name="role"' not in page.text


def test_refresh_shows_the_fields_of_the_new_type_without_saving(client, make, member, db):
    podcast = make.contribution_type(
        name="Podcast", quantity_label="Episodes", audience_label="Listeners", roles=["Host"]
    )
    response = client.post(
        "/contributions/new",
        data={"type_id": podcast.id, "title": "Half-typed", "refresh": "y"},
    )
    assert response.status_code == 200
    assert '<label for="quantity">Episodes</label>' in response.text
    assert 'value="Half-typed"' in response.text
    assert 'class="error"' not in response.text
    assert contributions(db) == []


def test_create_saves_renders_markdown_once_and_audits(client, make, member, db):
    talk = make.contribution_type()
    primary, extra1, extra2 = make.category(), make.category(), make.category()
    response = client.post(
        "/contributions/new",
        data=form_data(
            talk,
            primary,
            description_md="I **love** SQL <script>alert(1)</script> [x](javascript:alert(1))",
            category_ids=[extra1.id, extra2.id, primary.id],
        ),
    )
    [contribution] = contributions(db)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/contributions/{contribution.id}"
    assert contribution.owner_id == member.id
    assert contribution.role == "Speaker"
    assert contribution.url == "https://talks.example.org/query-plans"
    assert (contribution.quantity, contribution.audience) == (2, 150)
    assert contribution.visibility is Visibility.PUBLIC
    assert "<strong>love</strong>" in contribution.description_html
    assert "<script" not in contribution.description_html
    assert 'href="javascript' not in contribution.description_html
    assert contribution.primary_category_id == primary.id
    assert {c.id for c in contribution.categories} == {extra1.id, extra2.id}
    [event] = actions(db, "contribution.created")
    assert event.actor_id == member.id
    assert event.object_id == contribution.id
    assert event.after["title"] == "Query plans for humans"
    page = client.get(response.headers["Location"])
    assert "<strong>love</strong>" in page.text
    assert "Your contribution is logged." in page.text


def test_figures_the_type_does_not_ask_are_stored_as_zero(client, make, member, db):
    answers = make.contribution_type(audience_label=None, roles=[])
    category = make.category()
    response = client.post(
        "/contributions/new", data=form_data(answers, category, role="Hacker", audience="999")
    )
    assert response.status_code == 302
    [contribution] = contributions(db)
    assert (contribution.quantity, contribution.audience, contribution.role) == (2, 0, "")


def test_blank_figures_are_zero(client, make, member, db):
    response = client.post(
        "/contributions/new",
        data=form_data(make.contribution_type(), make.category(), quantity="", audience=""),
    )
    assert response.status_code == 302
    [contribution] = contributions(db)
    assert (contribution.quantity, contribution.audience) == (0, 0)


def future() -> str:
    return (date.today() + timedelta(days=2)).isoformat()


INVALID_FIELDS = [
    ("title", {"title": "ab"}, "The title must be 3 to 200 characters long."),
    ("title", {"title": "x" * 201}, "The title must be 3 to 200 characters long."),
    ("title", {"title": "   "}, "The title must be 3 to 200 characters long."),
    ("contributed_on", {"contributed_on": ""}, "Enter the date of the contribution."),
    ("contributed_on", {"contributed_on": "31/12/2023"}, "Enter a date like 2024-05-31."),
    ("contributed_on", {"contributed_on": future()}, "The date cannot be in the future."),
    (
        "url",
        {"url": "javascript:alert(1)"},
        "Enter a full web address starting with http:// or https://.",
    ),
    ("url", {"url": "ftp://example.org/x"}, "Enter a full web address starting with http://"),
    ("url", {"url": "https://"}, "Enter a full web address starting with http://"),
    (
        "description_md",
        {"description_md": "x" * 5001},
        "The description can be at most 5,000 characters long.",
    ),
    ("role", {"role": "Juggler"}, "Choose your role: Speaker, Co-speaker."),
    ("role", {"role": None}, "Choose your role: Speaker, Co-speaker."),
    ("quantity", {"quantity": "-1"}, "Enter a whole number from 0 to 1,000,000,000."),
    ("audience", {"audience": "1.5"}, "Enter a whole number, such as 0 or 12."),
    ("audience", {"audience": "lots"}, "Enter a whole number, such as 0 or 12."),
    ("audience", {"audience": "10000000000"}, "Enter a whole number from 0 to 1,000,000,000."),
    ("primary_category_id", {"primary_category_id": "0"}, "Choose a primary category."),
    ("type_id", {"type_id": "0"}, "Choose the type of contribution."),
    ("visibility", {"visibility": "friends"}, "Not a valid choice."),
    ("visibility", {"visibility": None}, "Choose who can see it."),
    (
        "url",
        {"url": "https://example.org/" + "x" * 2048},
        "The address can be at most",
    ),
]


@pytest.mark.parametrize(("field", "overrides", "message"), INVALID_FIELDS)
def test_each_invalid_field_gets_its_message_and_nothing_is_saved(
    client, make, member, db, field, overrides, message
):
    data = form_data(make.contribution_type(), make.category(), **overrides)
    response = client.post("/contributions/new", data=data)
    assert response.status_code == 400
    assert f'id="{field}-error"' in response.text
    error = response.text.split(f'id="{field}-error">', 1)[1].split("</p>", 1)[0]
    assert message in error
    assert contributions(db) == []


def test_all_invalid_fields_are_reported_at_once(client, make, member, db):
    categories = [make.category() for _ in range(5)]
    data = form_data(
        make.contribution_type(),
        categories[0],
        title="ab",
        contributed_on=future(),
        url="nope",
        role="Juggler",
        quantity="-3",
        audience="x",
        category_ids=[c.id for c in categories[1:]],
    )
    response = client.post("/contributions/new", data=data)
    assert response.status_code == 400
    for field in ("title", "contributed_on", "url", "role", "quantity", "audience"):
        assert f'id="{field}-error"' in response.text
    assert "Choose at most 3 more categories." in response.text
    assert "Please correct the fields marked below." in response.text
    assert contributions(db) == []


def test_retired_and_unknown_categories_and_types_are_refused(client, make, member, db):
    talk = make.contribution_type()
    retired_type = make.contribution_type(retired=True)
    category = make.category()
    retired = make.category(retired=True)
    cases = [
        form_data(talk, retired),
        form_data(talk, category, category_ids=[retired.id]),
        form_data(talk, category, category_ids=[999999]),
        form_data(retired_type, category),
    ]
    for data in cases:
        assert client.post("/contributions/new", data=data).status_code == 400
    assert contributions(db) == []


def test_anonymous_is_sent_to_login(client, make):
    contribution = make.contribution()
    for url in (
        "/contributions/new",
        "/contributions/mine",
        f"/contributions/{contribution.id}/edit",
        f"/contributions/{contribution.id}/delete",
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login?next=")


def test_public_contribution_page_for_anybody(client, make):
    contribution = make.contribution(title="Public talk", description_html="<p>Hello</p>")
    response = client.get(f"/contributions/{contribution.id}")
    assert response.status_code == 200
    assert "Public talk" in response.text
    assert "<p>Hello</p>" in response.text
    assert "Log in</a> to endorse" in response.text
    assert "/edit" not in response.text
    assert client.get("/contributions/999999").status_code == 404


@pytest.mark.parametrize(
    ("viewer", "status"),
    [("anonymous", 404), ("member", 404), ("owner", 200), ("reviewer", 200), ("organizer", 200)],
)
def test_private_contribution_only_for_owner_reviewers_organizers(
    client, make, auth, viewer, status
):
    owner = make.user()
    contribution = make.contribution(owner, title="Secret draft", visibility=Visibility.PRIVATE)
    users = {
        "member": make.user(),
        "owner": owner,
        "reviewer": make.reviewer(),
        "organizer": make.organizer(),
    }
    if viewer in users:
        auth.login(users[viewer])
    response = client.get(f"/contributions/{contribution.id}")
    assert response.status_code == status
    assert ("Secret draft" in response.text) is (status == 200)


def test_contribution_of_deactivated_member_hidden_except_for_organizers(client, make, auth):
    gone = make.user(is_active_account=False)
    contribution = make.contribution(gone)
    auth.login(make.reviewer())
    assert client.get(f"/contributions/{contribution.id}").status_code == 404
    auth.login(make.organizer())
    assert client.get(f"/contributions/{contribution.id}").status_code == 200


def test_owner_edits_and_the_change_is_audited(client, make, member, db):
    talk = make.contribution_type()
    category = make.category()
    extra = make.category()
    contribution = make.contribution(
        member, type=talk, primary_category=category, title="Old title", categories=[extra]
    )
    page = client.get(f"/contributions/{contribution.id}/edit")
    assert page.status_code == 200
    assert 'value="Old title"' in page.text
    checked = r'<input checked id="category_ids-\d+" name="category_ids" type="checkbox" '
    checked += rf'value="{extra.id}">'
    assert re.search(checked, page.text)
    response = client.post(
        f"/contributions/{contribution.id}/edit",
        data=form_data(talk, category, title="New title", visibility="private"),
    )
    assert response.status_code == 302
    db.refresh(contribution)
    assert contribution.title == "New title"
    assert contribution.visibility is Visibility.PRIVATE
    assert contribution.categories == []
    [event] = actions(db, "contribution.updated")
    assert event.before["title"] == "Old title"
    assert event.after["title"] == "New title"
    assert event.after["visibility"] == "private"
    assert "role" not in event.after


def test_edit_keeps_a_retired_type_and_category_already_chosen(client, make, member, db):
    old_type = make.contribution_type(retired=True)
    old_category = make.category(retired=True)
    contribution = make.contribution(member, type=old_type, primary_category=old_category)
    page = client.get(f"/contributions/{contribution.id}/edit")
    assert f"{old_type.name} (retired)" in page.text
    response = client.post(
        f"/contributions/{contribution.id}/edit",
        data=form_data(old_type, old_category, title="Still here"),
    )
    assert response.status_code == 302
    db.refresh(contribution)
    assert contribution.title == "Still here"


def test_invalid_edit_changes_nothing(client, make, member, db):
    contribution = make.contribution(member, title="Kept")
    data = form_data(contribution.type, contribution.primary_category, title="x")
    response = client.post(f"/contributions/{contribution.id}/edit", data=data)
    assert response.status_code == 400
    db.refresh(contribution)
    assert contribution.title == "Kept"
    assert actions(db, "contribution.updated") == []


@pytest.mark.parametrize(
    ("visibility", "status"), [(Visibility.PUBLIC, 403), (Visibility.PRIVATE, 404)]
)
@pytest.mark.parametrize(
    ("method", "path"),
    [("get", "edit"), ("post", "edit"), ("get", "delete"), ("post", "delete")],
)
def test_another_members_edit_and_delete_urls_are_refused(
    client, make, member, db, visibility, status, method, path
):
    contribution = make.contribution(title="Theirs", visibility=visibility)
    url = f"/contributions/{contribution.id}/{path}"
    data = form_data(contribution.type, contribution.primary_category, title="Mine now")
    response = client.get(url) if method == "get" else client.post(url, data=data)
    assert response.status_code == status
    db.refresh(contribution)
    assert contribution.title == "Theirs"


def test_reviewers_see_but_cannot_edit_private_contributions(client, make, auth, db):
    contribution = make.contribution(visibility=Visibility.PRIVATE)
    auth.login(make.reviewer())
    assert client.get(f"/contributions/{contribution.id}").status_code == 200
    assert client.get(f"/contributions/{contribution.id}/edit").status_code == 403
    assert client.post(f"/contributions/{contribution.id}/delete").status_code == 403
    assert db.get(Contribution, contribution.id) is not None


def test_delete_asks_for_confirmation_then_deletes_with_endorsements(client, make, member, db):
    contribution = make.contribution(member, title="Going away")
    make.endorsement(contribution)
    page = client.get(f"/contributions/{contribution.id}")
    assert f"/contributions/{contribution.id}/delete" in page.text
    confirm = client.get(f"/contributions/{contribution.id}/delete")
    assert confirm.status_code == 200
    assert "Delete “Going away”?" in confirm.text
    assert "its 1 endorsement" in confirm.text
    assert db.get(Contribution, contribution.id) is not None
    response = client.post(f"/contributions/{contribution.id}/delete")
    assert response.status_code == 302
    assert response.headers["Location"] == "/contributions/mine"
    assert db.scalar(select(func.count(Contribution.id))) == 0
    assert db.scalar(select(func.count(Endorsement.id))) == 0
    [event] = actions(db, "contribution.deleted")
    assert event.before["title"] == "Going away"
    assert event.before["endorsement_count"] == 1
    assert "“Going away” is deleted." in client.get("/contributions/mine").text
