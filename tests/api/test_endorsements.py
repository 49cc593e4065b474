"""Endorsements through the API: give, withdraw, and the received and given lists."""

from __future__ import annotations

from nominee.contributions.models import Visibility


def test_a_member_endorses_and_withdraws(api_as, make, db):
    owner, endorser = make.user(), make.user()
    contribution = make.contribution(owner)
    api = api_as(endorser)
    path = f"/contributions/{contribution.id}/endorsement"
    given = api.post(path, json={"comment": "Great talk."})
    assert given.status_code == 201, given.json
    assert given.json["endorser"]["id"] == endorser.id and given.json["comment"] == "Great talk."
    assert api.post(path, json={}).status_code == 409
    db.refresh(contribution)
    assert contribution.endorsement_count == 1
    assert [e["id"] for e in api.get("/endorsements/given").json["items"]] == [given.json["id"]]
    received = api_as(owner).get("/endorsements/received").json["items"]
    assert [e["endorser"]["id"] for e in received] == [endorser.id]
    withdrawn = api.delete(path)
    assert withdrawn.status_code == 200 and withdrawn.json["withdrawn_at"]
    assert api.delete(path).status_code == 409
    assert api.get("/endorsements/given").json["items"] == []


def test_nobody_endorses_their_own_or_unseen_work(api_as, make):
    owner = make.user()
    own = make.contribution(owner)
    private = make.contribution(make.user(), visibility=Visibility.PRIVATE)
    api = api_as(owner)
    assert api.post(f"/contributions/{own.id}/endorsement", json={}).status_code == 403
    assert api.post(f"/contributions/{private.id}/endorsement", json={}).status_code == 404
    assert api.delete(f"/contributions/{own.id}/endorsement").status_code == 404


def test_the_lists_page_with_a_cursor(api_as, make):
    owner = make.user()
    endorsers = [make.user() for _ in range(3)]
    contribution = make.contribution(owner)
    for endorser in endorsers:
        make.endorsement(contribution, endorser)
    api = api_as(owner)
    first = api.get("/endorsements/received?limit=2").json
    rest = api.get(f"/endorsements/received?limit=2&cursor={first['next_cursor']}").json
    ids = [e["id"] for e in first["items"] + rest["items"]]
    assert len(set(ids)) == 3 and rest["next_cursor"] is None
    assert api.get("/endorsements/received?member=2147483647").status_code == 404
