"""Cycles, awards, one's nominations, reviewers' assignments and reviews, organizers'
dashboard rows and decisions, through the API: the same rules as the pages."""

from __future__ import annotations

from datetime import date, timedelta

from nominee.cycles.models import CycleStatus
from nominee.nominations.models import Decision, NominationKind, NominationStatus
from nominee.reviews.models import Review, ReviewStatus


def _in_review(make):
    today = date.today()
    category = make.category()
    cycle = make.cycle(
        status=CycleStatus.IN_REVIEW,
        nominations_open_on=today - timedelta(days=60),
        nominations_close_on=today - timedelta(days=5),
        review_close_on=today + timedelta(days=20),
        categories=[category],
    )
    nominee = make.user()
    nomination = make.nomination(
        cycle, nominee, status=NominationStatus.IN_REVIEW, category=category
    )
    make.evidence(nomination, [make.contribution(nominee, primary_category=category)])
    return cycle, nomination


def test_cycles_are_listed_as_the_pages_show_them(api_as, make):
    open_cycle = make.cycle()
    draft = make.cycle(status=CycleStatus.DRAFT)
    listed = api_as(make.user()).get("/cycles").json
    ids = [c["id"] for c in listed["items"]]
    assert open_cycle.id in ids and draft.id not in ids
    assert listed["items"][0]["categories"][0]["name"]
    organizer_ids = [c["id"] for c in api_as(make.organizer()).get("/cycles").json["items"]]
    assert draft.id in organizer_ids


def test_public_awards_and_a_members_awards(api_as, make):
    award = make.award()
    api = api_as(make.user())
    found = api.get(f"/awards/{award.verification_id}").json
    assert found["member"]["id"] == award.member_id and found["status"] == "active"
    assert api.get("/awards/nope").status_code == 404
    assert api.get("/awards/" + "x" * 41).status_code == 404
    listed = api.get(f"/members/{award.member_id}/awards").json["items"]
    assert [a["verification_id"] for a in listed] == [award.verification_id]
    assert api.get("/members/0/awards").status_code == 404


def test_the_awardee_directory_as_the_page_lists_it(api_as, make):
    listed = make.award(member=make.user(display_name="Ana Public", country="PT"))
    make.award(member=make.user(display_name="Bo Private", profile_public=False))
    api = api_as(make.user())
    page = api.get("/awardees").json
    assert [a["verification_id"] for a in page["items"]] == [listed.verification_id]
    assert page["total"] == 1 and page["pages"] == 1
    assert api.get("/awardees?country=PT&name=ana").json["total"] == 1
    assert api.get("/awardees?country=FR").json["items"] == []
    assert api.get("/awardees?tab=alumni").json["items"] == []
    assert api.get("/awardees?country=portugal").status_code == 422


def test_my_nominations_hide_a_decision_until_published(api_as, make):
    nominee, peer = make.user(), make.user()
    cycle = make.cycle(status=CycleStatus.DECIDED)
    decided = make.nomination(
        cycle, nominee, status=NominationStatus.AWARDED, decision=Decision.AWARD
    )
    made = make.nomination(make.cycle(), peer, kind=NominationKind.PEER, nominator=nominee)
    mine = api_as(nominee).get("/nominations").json
    assert [n["id"] for n in mine["about_me"]] == [decided.id]
    assert mine["about_me"][0]["status"] == "in_review"  # rule 5
    assert [n["id"] for n in mine["made"]] == [made.id]


def test_a_reviewer_drafts_and_submits_a_review(api_as, make, db):
    cycle, nomination = _in_review(make)
    reviewer = make.reviewer()
    make.appointment(cycle, reviewer)
    make.assignment(nomination, reviewer)
    api = api_as(reviewer)
    assigned = api.get("/reviews/assignments").json["items"]
    assert [a["nomination_id"] for a in assigned] == [nomination.id]
    assert assigned[0]["review_status"] is None and assigned[0]["review_version"] == 0
    path = f"/cycles/{cycle.id}/nominations/{nomination.id}/review"
    empty = api.get(path).json
    assert empty["status"] is None and empty["writable"] is True
    criteria = [c["id"] for c in empty["criteria"]]
    scores = [{"criterion_id": c, "score": 4} for c in criteria]
    draft = api.client.put(
        "/api/v1" + path,
        json={"scores": scores[:1], "version": 0},
        headers=api._headers(None),
    )
    assert draft.status_code == 200, draft.json
    assert draft.json["status"] == "draft"
    stale = api.client.put(
        "/api/v1" + path, json={"scores": scores, "version": 0}, headers=api._headers(None)
    )
    assert stale.status_code == 409
    incomplete = api.client.put(
        "/api/v1" + path,
        json={"scores": scores[:1], "version": draft.json["version"], "submit": True},
        headers=api._headers(None),
    )
    assert incomplete.status_code == 422
    assert incomplete.json["errors"][0]["field"] == "recommendation"
    submitted = api.client.put(
        "/api/v1" + path,
        json={
            "scores": scores,
            "version": draft.json["version"],
            "submit": True,
            "recommendation": "award",
            "confidence": "high",
        },
        headers=api._headers(None),
    )
    assert submitted.status_code == 200, submitted.json
    assert submitted.json["status"] == "submitted" and submitted.json["writable"] is False
    review = db.query(Review).one()
    assert review.status is ReviewStatus.SUBMITTED and len(review.scores) == len(criteria)


def test_reviews_need_the_scope_and_a_place_on_the_panel(api_as, make):
    cycle, nomination = _in_review(make)
    reviewer, stranger = make.reviewer(), make.reviewer()
    make.appointment(cycle, reviewer)
    make.assignment(nomination, reviewer)
    path = f"/api/v1/cycles/{cycle.id}/nominations/{nomination.id}/review"
    body = {"scores": [], "version": 0}
    read_only = api_as(reviewer, ["read"])
    assert (
        read_only.client.put(path, json=body, headers=read_only._headers(None)).status_code == 403
    )
    outsider = api_as(stranger)
    assert outsider.client.put(path, json=body, headers=outsider._headers(None)).status_code == 404
    # The nominee is conflicted on their own nomination: never its panel.
    nominee = api_as(nomination.nominee)
    assert nominee.get(f"/cycles/{cycle.id}/nominations/{nomination.id}/review").status_code in (
        403,
        404,
    )


def test_organizers_read_the_dashboard_rows_and_decisions(api_as, make):
    cycle, nomination = _in_review(make)
    organizer = make.organizer()
    api = api_as(organizer)
    board = api.get(f"/cycles/{cycle.id}/dashboard?sort=evidence&order=desc").json
    assert [r["nomination_id"] for r in board["items"]] == [nomination.id]
    assert board["items"][0]["evidence_count"] == 1 and board["total"] == 1
    export = api.get(f"/cycles/{cycle.id}/decisions").json
    assert export["columns"][:3] == ["Nomination", "Nominee", "Category"]
    assert [row[0] for row in export["rows"]] == [nomination.id]
    # JSON is no spreadsheet: names come as typed (the CSV quotes "=..." names).
    nomination.nominee.display_name = "=Ana"
    make.session.flush()
    assert api.get(f"/cycles/{cycle.id}/decisions").json["rows"][0][1] == "=Ana"
    assert api.get("/cycles/0/dashboard").status_code == 404


def test_the_admin_scope_is_for_organizers_only(api_as, make):
    cycle, _ = _in_review(make)
    member = api_as(make.user())
    assert member.get(f"/cycles/{cycle.id}/dashboard").status_code == 403
    assert member.get(f"/cycles/{cycle.id}/decisions").status_code == 403
    organizer_without_admin = api_as(make.organizer(), ["read"])
    assert organizer_without_admin.get(f"/cycles/{cycle.id}/decisions").status_code == 403
