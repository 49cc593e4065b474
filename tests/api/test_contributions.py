"""Contributions through the API: the same rules as the pages, cursors, If-Match,
Idempotency-Key, problem documents."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from nominee.contributions.models import Contribution, Visibility
from tests.api.conftest import READ


def _body(kind, category, **kw):
    return {
        "type_id": kind.id,
        "title": "Query plans for humans",
        "contributed_on": (date.today() - timedelta(days=3)).isoformat(),
        "primary_category_id": category.id,
        "role": "Speaker",
        "url": "https://talks.example.org/query-plans",
        "figures": [{"metric_id": m.id, "value": 120} for m in kind.metrics],
        **kw,
    }


def test_a_contribution_is_logged_read_and_listed(api_as, make, db):
    member, kind, category = make.user(), make.contribution_type(), make.category()
    api = api_as(member)
    created = api.post("/contributions", json=_body(kind, category))
    assert created.status_code == 201, created.json
    body = created.json
    assert body["owner"]["id"] == member.id and body["title"] == "Query plans for humans"
    assert {f["value"] for f in body["figures"]} == {120}
    assert created.headers["Location"] == f"/api/v1/contributions/{body['id']}"
    assert created.headers["ETag"] == body["etag"]
    assert api.get(f"/contributions/{body['id']}").json == body
    assert [c["id"] for c in api.get("/contributions").json["items"]] == [body["id"]]
    stored = db.get(Contribution, body["id"])
    assert stored.owner_id == member.id and stored.quantity == 120


def test_the_services_rules_answer_422_next_to_the_field(api_as, make):
    kind, category = make.contribution_type(), make.category()
    api = api_as(make.user())
    future = (date.today() + timedelta(days=30)).isoformat()
    answer = api.post("/contributions", json=_body(kind, category, contributed_on=future))
    assert answer.status_code == 422
    assert answer.mimetype == "application/problem+json"
    assert answer.json["errors"] == [
        {"field": "contributed_on", "message": "The date cannot be in the future."}
    ]
    answer = api.post("/contributions", json=_body(kind, category, title="a\x00b", extra=1))
    assert answer.status_code == 422
    fields = {e["field"] for e in answer.json["errors"]}
    assert fields == {"title", "extra"}
    assert answer.json["type"] == "urn:nominee:problem:validation"
    surrogate = api.post(
        "/contributions",
        data='{"title": "half a pair \\ud800"}',
        headers={"Content-Type": "application/json"},
    )
    assert surrogate.status_code == 422
    assert "title" in {e["field"] for e in surrogate.json["errors"]}  # no text a DB stores
    assert api.post("/contributions", data="not json").status_code == 415
    form = api.post("/contributions", data={"title": "A form"})
    assert form.status_code == 415 and form.mimetype == "application/problem+json"
    broken = api.post(
        "/contributions", data="{not json", headers={"Content-Type": "application/json"}
    )
    assert broken.status_code == 422


def test_the_list_filters_and_pages_with_a_cursor(api_as, make):
    member, other = make.user(), make.user()
    kind, other_kind = make.contribution_type(), make.contribution_type()
    days = [date.today() - timedelta(days=d) for d in range(1, 6)]
    mine = [make.contribution(member, type=kind, contributed_on=day) for day in days]
    make.contribution(member, type=other_kind)
    make.contribution(other, type=kind)
    api = api_as(member)
    first = api.get(f"/contributions?type={kind.id}&limit=2").json
    assert [c["id"] for c in first["items"]] == [mine[0].id, mine[1].id]
    second = api.get(f"/contributions?type={kind.id}&limit=2&cursor={first['next_cursor']}").json
    third = api.get(f"/contributions?type={kind.id}&limit=2&cursor={second['next_cursor']}").json
    assert [c["id"] for c in second["items"] + third["items"]] == [c.id for c in mine[2:]]
    assert third["next_cursor"] is None
    ranged = api.get(f"/contributions?date_from={days[2]}&date_to={days[1]}").json["items"]
    assert [c["id"] for c in ranged] == [mine[1].id, mine[2].id]
    assert api.get("/contributions?cursor=junk").status_code == 422
    assert api.get("/contributions?limit=1000").status_code == 422


def test_another_members_private_work_stays_hidden(api_as, make):
    owner = make.user()
    public = make.contribution(owner)
    private = make.contribution(owner, visibility=Visibility.PRIVATE)
    api = api_as(make.user())
    listed = api.get(f"/contributions?owner={owner.id}").json["items"]
    assert [c["id"] for c in listed] == [public.id]
    assert api.get(f"/contributions/{private.id}").status_code == 404
    assert api.get(f"/contributions/{private.id}").json["type"] == "urn:nominee:problem:not-found"


def test_a_change_needs_the_current_etag(api_as, make, db):
    member = make.user()
    contribution = make.contribution(member)
    api = api_as(member)
    etag = api.get(f"/contributions/{contribution.id}").headers["ETag"]
    path = f"/contributions/{contribution.id}"
    assert api.patch(path, json={"title": "Renamed talk"}).status_code == 428
    stale = api.patch(path, json={"title": "Renamed talk"}, headers={"If-Match": '"old"'})
    assert stale.status_code == 412
    assert stale.json["type"] == "urn:nominee:problem:precondition-failed"
    changed = api.patch(path, json={"title": "Renamed talk"}, headers={"If-Match": etag})
    assert changed.status_code == 200, changed.json
    assert changed.json["title"] == "Renamed talk" and changed.headers["ETag"] != etag
    again = api.patch(path, json={"title": "Lost update"}, headers={"If-Match": etag})
    assert again.status_code == 412
    db.refresh(contribution)
    assert contribution.title == "Renamed talk"


def test_only_the_owner_changes_or_deletes(api_as, make, db):
    contribution = make.contribution()
    api = api_as(make.user())
    path = f"/contributions/{contribution.id}"
    assert api.patch(path, json={"title": "Mine now"}, headers={"If-Match": "*"}).status_code == 403
    assert api.delete(path).status_code == 403
    assert db.get(Contribution, contribution.id) is not None


def test_delete_follows_the_pages_rules(api_as, make, db):
    member = make.user()
    contribution = make.contribution(member)
    api = api_as(member)
    path = f"/contributions/{contribution.id}"
    assert api.delete(path, headers={"If-Match": '"old"'}).status_code == 412
    assert api.delete(path).status_code == 204
    assert api.get(path).status_code == 404


def test_a_read_token_cannot_write(api_as, make):
    kind, category = make.contribution_type(), make.category()
    api = api_as(make.user(), READ)
    answer = api.post("/contributions", json=_body(kind, category))
    assert answer.status_code == 403
    assert answer.json["type"] == "urn:nominee:problem:insufficient-scope"
    assert "contributions:write" in answer.json["detail"]


def test_a_retried_post_creates_nothing_twice(api_as, make, db):
    member, kind, category = make.user(), make.contribution_type(), make.category()
    api = api_as(member)
    key = {"Idempotency-Key": "retry-1"}
    first = api.post("/contributions", json=_body(kind, category), headers=key)
    again = api.post("/contributions", json=_body(kind, category), headers=key)
    assert first.status_code == again.status_code == 201
    assert again.json == first.json and again.headers["Location"] == first.headers["Location"]
    assert again.headers["Idempotent-Replayed"] == "true"
    count = select(func.count()).select_from(Contribution).where(Contribution.owner_id == member.id)
    assert db.scalar(count) == 1
    other = api.post("/contributions", json=_body(kind, category, title="Another"), headers=key)
    assert other.status_code == 422
    assert "another request" in other.json["detail"]
    assert db.scalar(count) == 1
    assert api.post("/contributions", json=_body(kind, category)).status_code == 201
    assert db.scalar(count) == 2


def test_a_failed_post_keeps_no_reply_for_its_key(api_as, make):
    kind, category = make.contribution_type(), make.category()
    api = api_as(make.user())
    key = {"Idempotency-Key": "retry-2"}
    future = (date.today() + timedelta(days=30)).isoformat()
    refused = api.post(
        "/contributions", json=_body(kind, category, contributed_on=future), headers=key
    )
    assert refused.status_code == 422
    fixed = api.post(
        "/contributions", json=_body(kind, category, contributed_on=future), headers=key
    )
    assert fixed.status_code == 422  # the same request, judged again


def test_a_retried_patch_or_delete_gets_its_first_answer(api_as, make):
    member = make.user()
    contribution = make.contribution(member)
    api = api_as(member)
    path = f"/contributions/{contribution.id}"
    etag = api.get(path).headers["ETag"]
    sent = {"If-Match": etag, "Idempotency-Key": "rename-1"}
    first = api.patch(path, json={"title": "Renamed once"}, headers=sent)
    again = api.patch(path, json={"title": "Renamed once"}, headers=sent)
    assert first.status_code == again.status_code == 200
    assert again.json == first.json and again.headers["Idempotent-Replayed"] == "true"
    gone = {"Idempotency-Key": "delete-1"}
    assert api.delete(path, headers=gone).status_code == 204
    assert api.delete(path, headers=gone).status_code == 204
    assert api.delete(path).status_code == 404
