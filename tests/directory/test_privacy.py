"""The member's country and public-profile settings, and what a private profile hides."""

from __future__ import annotations

from sqlalchemy import select

from nominee.audit import AuditEvent
from tests.security.helpers import client_for

PROFILE = {"display_name": "Ada Lovelace", "primary_category_id": "0"}


def test_profile_form_offers_the_countries_and_the_privacy_switch(app, make):
    page = client_for(app, make.user(country="PT")).get("/account/profile").text
    assert '<option selected value="PT">Portugal</option>' in page
    assert '<option value="">Not given</option>' in page
    assert '<option value="BO">Bolivia</option>' in page  # the common name, from pycountry
    assert page.count("<option") > 240
    assert 'checked id="profile_public" name="profile_public" type="checkbox"' in page
    private = client_for(app, make.user(profile_public=False)).get("/account/profile").text
    assert '<input aria-describedby="profile_public-help" id="profile_public"' in private
    assert "Public profile" in page
    assert "visitors who are not logged in see only your name" in page


def test_saving_country_and_turning_the_profile_private(app, make, db):
    member = make.user()
    response = client_for(app, member).post("/account/profile", data={**PROFILE, "country": "KE"})
    assert response.status_code == 302
    db.refresh(member)
    assert member.country == "KE"
    assert member.profile_public is False  # the box was not ticked
    event = db.scalars(
        select(AuditEvent).where(AuditEvent.action == "account.profile_updated")
    ).one()
    assert event.after["country"] == "KE"
    assert event.before["profile_public"] is True
    assert event.after["profile_public"] is False

    client_for(app, member).post(
        "/account/profile", data={**PROFILE, "country": "", "profile_public": "y"}
    )
    db.refresh(member)
    assert (member.country, member.profile_public) == ("", True)


def test_an_unknown_country_is_refused_next_to_the_field(app, make, db):
    member = make.user(country="PT")
    for bad in ("ZZ", "Portugal", "pt" * 50):
        response = client_for(app, member).post(
            "/account/profile", data={**PROFILE, "country": bad, "profile_public": "y"}
        )
        assert response.status_code == 400
        assert 'id="country-error"' in response.text
        db.refresh(member)
        assert member.country == "PT"
        assert member.display_name != "Ada Lovelace"


def test_private_profile_shows_visitors_only_the_name(client, app, make):
    member = make.user(
        display_name="Hedy Lamarr",
        profile_public=False,
        location="Vienna",
        bio_html="<p>Frequency hopping.</p>",
        links=["https://hedy.example.org"],
    )
    contribution = make.contribution(owner=member, title="Spread spectrum explained")
    award = make.award(member=member)
    page = client.get(f"/members/{member.id}")
    assert page.status_code == 200
    assert "Hedy Lamarr" in page.text
    assert "This member's profile is private." in page.text
    for hidden in ("Vienna", "Frequency hopping", "hedy.example.org", contribution.title):
        assert hidden not in page.text
    assert award.verification_id not in page.text
    # Their award stays verifiable by its own link.
    verified = client.get(f"/awards/{award.verification_id}")
    assert verified.status_code == 200 and "Hedy Lamarr" in verified.text

    # A logged-in member sees the page as ever.
    seen = client_for(app, make.user()).get(f"/members/{member.id}").text
    assert "This member's profile is private." not in seen
    for shown in ("Vienna", "Frequency hopping", contribution.title, award.verification_id):
        assert shown in seen


def test_public_profile_shows_visitors_everything(client, make):
    member = make.user(display_name="Ada Lovelace", location="London")
    page = client.get(f"/members/{member.id}").text
    assert "London" in page and "profile is private" not in page
