"""``Endorsement.public`` follows its contribution's visibility and its owner's account,
as the services change them: what the member page lists and counts to others."""

from __future__ import annotations

from datetime import date, timedelta

from nominee.contributions.models import Contribution


def edit_form(contribution: Contribution, visibility: str) -> dict:
    return {
        "type_id": contribution.type_id,
        "role": "Speaker",
        "title": contribution.title,
        "contributed_on": (date.today() - timedelta(days=3)).isoformat(),
        "url": "",
        "description_md": "Why **indexes** matter.",
        "primary_category_id": contribution.primary_category_id,
        "quantity": "2",
        "audience": "150",
        "visibility": visibility,
    }


def test_a_contribution_made_private_hides_its_endorsements_from_others(client, make, auth):
    owner = make.user(display_name="Owner")
    fan = make.user(display_name="Fan")
    talk = make.contribution(owner, title="Query plans for humans")
    make.endorsement(talk, fan, comment="Clear and kind")
    other = make.user()
    auth.login(other)
    page = client.get(f"/members/{fan.id}").text
    assert "Endorsements given (1)" in page and "Clear and kind" in page

    auth.login(owner)
    response = client.post(f"/contributions/{talk.id}/edit", data=edit_form(talk, "private"))
    assert response.status_code == 302
    auth.login(other)
    page = client.get(f"/members/{fan.id}").text
    assert "Endorsements given (0)" in page and "Clear and kind" not in page
    # Its owner still sees it on the endorser's page; so do reviewers.
    auth.login(owner)
    assert "Endorsements given (1)" in client.get(f"/members/{fan.id}").text
    auth.login(make.reviewer())
    assert "Endorsements given (1)" in client.get(f"/members/{fan.id}").text

    auth.login(owner)
    client.post(f"/contributions/{talk.id}/edit", data=edit_form(talk, "public"))
    auth.login(other)
    page = client.get(f"/members/{fan.id}").text
    assert "Endorsements given (1)" in page and "Clear and kind" in page


def test_a_deactivated_owner_hides_the_endorsements_of_their_work(client, make, auth):
    owner = make.user(display_name="Owner")
    fan = make.user(display_name="Fan")
    make.endorsement(make.contribution(owner), fan, comment="Clear and kind")
    organizer = make.organizer()
    auth.login(organizer)
    assert (
        client.post(f"/admin/accounts/{owner.id}/active", data={"active": "0"}).status_code == 302
    )
    for viewer in (make.user(), make.reviewer()):
        auth.login(viewer)
        page = client.get(f"/members/{fan.id}").text
        assert "Endorsements given (0)" in page and "Clear and kind" not in page
    auth.login(organizer)
    assert "Endorsements given (1)" in client.get(f"/members/{fan.id}").text

    client.post(f"/admin/accounts/{owner.id}/active", data={"active": "1"})
    auth.login(make.user())
    assert "Endorsements given (1)" in client.get(f"/members/{fan.id}").text
