"""Account names: no invisible or control characters, and members sharing a display name
are told apart wherever both appear."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from nominee.accounts.models import User

INVISIBLE = {
    "right-to-left override": "Ada\u202eecalevol",
    "zero-width space": "Ad\u200ba",
    "zero-width joiner": "Ada\u200dLovelace",
    "byte order mark": "\ufeffAda",
    "control character": "Ada\x07",
    "line break": "Ada\nLovelace",
    "NUL": "Ada\x00",
}
MESSAGE = "invisible or control characters"
# Control characters (NUL...) are refused by every form before the name's own check.
CONTROL = "Text with control characters"


def refused(text: str) -> bool:
    return MESSAGE in text or CONTROL in text


@pytest.mark.parametrize("name", INVISIBLE.values(), ids=INVISIBLE.keys())
def test_registration_refuses_invisible_characters_in_the_name(client, db, name):
    response = client.post(
        "/register",
        data={"display_name": name, "email": "ada@example.org", "password": "long pass phrase"},
    )
    assert response.status_code == 400
    assert refused(response.text)
    assert 'id="display_name-error"' in response.text
    assert db.scalar(select(User)) is None


@pytest.mark.parametrize("name", INVISIBLE.values(), ids=INVISIBLE.keys())
def test_profile_refuses_invisible_characters_in_name_and_location(client, auth, make, db, name):
    user = make.user(display_name="Ada")
    auth.login(user)
    for field in ("display_name", "location"):
        data = {"display_name": "Ada", "location": "Lyon", "primary_category_id": "0"}
        data[field] = name
        response = client.post("/account/profile", data=data)
        assert response.status_code == 400, field
        assert refused(response.text)
        assert f'id="{field}-error"' in response.text
    db.refresh(user)
    assert (user.display_name, user.location) == ("Ada", "")


def test_names_in_other_scripts_and_with_accents_are_accepted(client, db):
    response = client.post(
        "/register",
        data={
            "display_name": "Zoë Ōkubo 大久保 أحمد",
            "email": "zoe@example.org",
            "password": "long pass phrase",
        },
    )
    assert response.status_code == 302
    assert db.scalar(select(User.display_name)) == "Zoë Ōkubo 大久保 أحمد"


def test_create_organizer_refuses_invisible_characters(runner, db):
    result = runner.invoke(
        args=["create-organizer", "root@example.org", "--name", "Ro\u202eot"],
        env={"NOMINEE_ORGANIZER_PASSWORD": "long pass phrase"},
    )
    assert result.exit_code != 0
    assert MESSAGE in result.output
    assert db.scalar(select(User)) is None


def _handle(user) -> str:
    return f'{user.display_name} <span class="muted">#{user.id}</span>'


def test_members_sharing_a_name_are_told_apart_where_both_appear(client, auth, make):
    author = make.user(display_name="Ada Lovelace")
    first, second = make.user(display_name="Sam Smith"), make.user(display_name="Sam Smith")
    contribution = make.contribution(owner=author)
    make.endorsement(contribution, first)
    make.endorsement(contribution, second)
    organizer = make.organizer(display_name="Olga")
    auth.login(organizer)
    pages = {
        "contribution": client.get(f"/contributions/{contribution.id}").text,
        "member page": client.get(f"/members/{author.id}").text,
        "accounts list": client.get("/admin/accounts").text,
    }
    for name, page in pages.items():
        assert _handle(first) in page, name
        assert _handle(second) in page, name
        # A name nobody else bears gets no handle.
        assert "Ada Lovelace <span" not in page, name


def test_namesakes_are_told_apart_on_the_review_dashboard_and_assignments(client, auth, make):
    from nominee.cycles.models import CycleStatus
    from nominee.nominations.models import NominationStatus

    cycle = make.cycle(status=CycleStatus.IN_REVIEW)
    first, second = make.user(display_name="Sam Smith"), make.user(display_name="Sam Smith")
    for nominee in (first, second):
        make.nomination(cycle, nominee, status=NominationStatus.IN_REVIEW)
    auth.login(make.organizer())
    for path in (f"/cycles/{cycle.id}/dashboard", f"/cycles/{cycle.id}/assignments"):
        page = client.get(path)
        assert page.status_code == 200, path
        assert _handle(first) in page.text, path
        assert _handle(second) in page.text, path
