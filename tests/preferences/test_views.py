"""The email preferences page: reached from the profile, shows and saves each kind's mode."""

from __future__ import annotations

import re

from nominee.notifications.kinds import MailMode
from nominee.preferences import queries
from tests.security.helpers import client_for


def _checked(page: str) -> dict[str, str]:
    return dict(
        re.findall(r'<input checked [^>]*name="(mode_[a-z_]+)" type="radio" value="(\w+)"', page)
    )


def test_the_profile_links_to_the_preferences(app, make):
    page = client_for(app, make.user()).get("/account/profile").text
    assert 'href="/account/email-preferences"' in page


def test_the_page_shows_the_defaults_in_members_words(app, make):
    page = client_for(app, make.user()).get("/account/email-preferences")
    assert page.status_code == 200
    assert "Someone endorses one of your contributions" in page.text
    assert "In a daily digest" in page.text and "Not at all" in page.text
    checked = _checked(page.text)
    assert checked["mode_endorsed"] == "digest"
    assert checked["mode_nominated"] == "immediate"
    # Reviewing is for reviewers; security mail is not listed.
    assert "Reviewing" not in page.text and "mode_reviewer_assigned" not in checked
    assert "always sent" in page.text


def test_reviewers_see_their_kinds_under_a_heading(app, make):
    page = client_for(app, make.reviewer()).get("/account/email-preferences").text
    assert "<h2>Reviewing</h2>" in page
    assert _checked(page)["mode_reviewer_assigned"] == "immediate"


def test_saving_stores_the_modes_and_shows_them(app, db, make):
    member = make.user()
    db.commit()
    client = client_for(app, member)
    answer = client.post(
        "/account/email-preferences",
        data={
            "mode_endorsed": "off",
            "mode_nominated": "digest",
            "mode_award_granted": "immediate",
        },
    )
    assert answer.status_code == 302
    checked = _checked(client.get("/account/email-preferences").text)
    assert checked["mode_endorsed"] == "off" and checked["mode_nominated"] == "digest"
    assert queries.mode_of(db, member.id, "nominated") is MailMode.DIGEST
    assert queries.mode_of(db, member.id, "award.granted") is MailMode.IMMEDIATE
    # Back to the default: a kind left out of the form keeps its mode.
    client.post("/account/email-preferences", data={"mode_nominated": "immediate"})
    db.expire_all()
    assert queries.mode_of(db, member.id, "nominated") is MailMode.IMMEDIATE
    assert queries.mode_of(db, member.id, "endorsed") is MailMode.OFF


def test_a_mode_that_is_not_offered_is_refused(app, db, make):
    member = make.user()
    db.commit()
    client = client_for(app, member)
    answer = client.post("/account/email-preferences", data={"mode_endorsed": "hourly"})
    # Refused as every other form refuses its input: 400, the field's error beside it.
    assert answer.status_code == 400 and "Not a valid choice" in answer.text
    assert 'aria-describedby="mode_endorsed-error"' in answer.text
    assert '<p class="error" id="mode_endorsed-error">Not a valid choice' in answer.text
    assert queries.mode_of(db, member.id, "endorsed") is MailMode.DIGEST


def test_the_page_needs_a_login(client):
    assert client.get("/account/email-preferences").status_code == 302
