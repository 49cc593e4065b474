"""The reviewer's page of one nomination: the rubric form, blindness, windows, locking."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from nominee.cycles.models import CycleStatus
from nominee.nominations.models import NominationKind, NominationStatus
from nominee.reviews.models import Review, ReviewStatus
from tests.reviews.conftest import CLOSED_ON, TODAY, audit_actions
from tests.reviews.test_conflicts import INSIDE, endorse


def form(cycle, scores=(4, 4, 4, 4), action="submit", version=0, **extra):
    data = {
        f"score_{criterion.id}": score
        for criterion, score in zip(cycle.criteria, scores, strict=False)
        if score is not None
    }
    data.update(recommendation="award", confidence="high", action=action, version=version)
    data.update(extra)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def url(cycle):
    def build(nomination):
        return f"/cycles/{cycle.id}/nominations/{nomination.id}/review"

    return build


def test_reviews_stay_hidden_until_my_own_is_submitted(
    client, login, make, db, cycle, in_review, appointed, url
):
    me, colleague = appointed(), appointed(display_name="Carla Colleague")
    nomination = in_review()
    make.assignment(nomination, me)
    make.review(nomination, colleague, scores=[5, 5, 5, 5], panel_comment="Outstanding mentor")
    login(me)
    before = client.get(url(nomination))
    assert before.status_code == 200
    assert "Outstanding mentor" not in before.text
    assert "Carla Colleague" not in before.text
    assert "The other reviews appear once you have submitted your own." in before.text

    client.post(url(nomination), data=form(cycle, action="draft"))
    draft = client.get(url(nomination))
    assert "Outstanding mentor" not in draft.text

    version = db.scalar(select(Review.version).where(Review.reviewer_id == me.id))
    response = client.post(url(nomination), data=form(cycle, version=version))
    assert response.status_code == 302
    after = client.get(url(nomination))
    assert "Outstanding mentor" in after.text
    assert "Carla Colleague" in after.text


def test_drafts_of_others_are_never_shown(client, login, make, cycle, in_review, appointed, url):
    me, colleague = appointed(), appointed()
    nomination = in_review()
    make.review(nomination, me, scores=[3, 3, 3, 3])
    make.review(
        nomination, colleague, status=ReviewStatus.DRAFT, panel_comment="Half-baked thought"
    )
    login(me)
    assert "Half-baked thought" not in client.get(url(nomination)).text


def test_organizers_read_every_review_without_writing_one(
    client, login, make, cycle, in_review, appointed, url
):
    reviewer = appointed()
    nomination = in_review()
    make.review(nomination, reviewer, scores=[5, 4, 3, 2], panel_comment="Solid all round")
    login(make.organizer())
    page = client.get(url(nomination))
    assert page.status_code == 200
    assert "Solid all round" in page.text
    assert "only appointed reviewers review it" in page.text
    assert 'name="action"' not in page.text
    assert client.post(url(nomination), data=form(cycle)).status_code == 403


def test_nobody_opens_the_panel_page_of_their_own_nomination(
    client, login, make, cycle, in_review, url
):
    organizer = make.organizer()
    nomination = in_review(organizer)
    login(organizer)
    assert client.get(url(nomination)).status_code == 404


@pytest.mark.parametrize(
    "who, status",
    [("member", 404), ("unappointed_reviewer", 404), ("other_category", 404), ("anonymous", 302)],
)
def test_who_may_open_the_page(who, status, client, login, make, cycle, in_review, url):
    tools, data = cycle.categories
    nomination = in_review(category=tools)
    users = {
        "member": make.user,
        "unappointed_reviewer": make.reviewer,
        "other_category": lambda: make.appointment(cycle, make.reviewer(), data).reviewer,
    }
    if who != "anonymous":
        login(users[who]())
    assert client.get(url(nomination)).status_code == status


def test_draft_submit_and_edit_are_audited_and_refresh_scores(
    client, login, make, db, cycle, in_review, appointed, url
):
    me = appointed()
    nomination = in_review()
    make.assignment(nomination, me)
    login(me)
    assert client.post(url(nomination), data=form(cycle, (2, 2, 2, 2), "draft")).status_code == 302
    db.refresh(nomination)
    assert nomination.reviews_submitted == 0 and nomination.score_mean is None
    review = db.scalar(select(Review))
    assert review.status is ReviewStatus.DRAFT and review.version == 1

    client.post(url(nomination), data=form(cycle, (2, 2, 2, 2), version=1))
    db.refresh(nomination)
    db.refresh(review)
    assert review.status is ReviewStatus.SUBMITTED and review.submitted_at is not None
    assert (nomination.reviews_submitted, nomination.score_mean) == (1, 2)

    # A submitted review is final (tests/reviews/test_review_rules.py): no edit.
    page = client.get(url(nomination))
    assert "Save draft" not in page.text and 'name="action"' not in page.text
    edit = client.post(url(nomination), data=form(cycle, (4, 4, 4, 4), "submit", version=2))
    assert edit.status_code == 403
    db.refresh(nomination)
    db.refresh(review)
    assert review.version == 2 and nomination.score_mean == 2
    assert [len(audit_actions(db, f"review.{a}")) for a in ("draft_saved", "submitted")] == [1, 1]
    [submitted] = audit_actions(db, "review.submitted")
    first_criterion = str(cycle.criteria[0].id)
    assert submitted.before["scores"][first_criterion] == 2
    assert submitted.after["status"] == "submitted"


def test_a_submitted_review_cannot_go_back_to_draft(
    client, login, make, db, cycle, in_review, appointed, url
):
    me = appointed()
    nomination = in_review()
    review = make.review(nomination, me, scores=[3, 3, 3, 3])
    login(me)
    client.post(url(nomination), data=form(cycle, (3, 3, 3, 3), "draft", version=review.version))
    db.refresh(review)
    assert review.status is ReviewStatus.SUBMITTED


def test_submitting_needs_every_score_a_recommendation_and_a_confidence(
    client, login, make, db, cycle, in_review, appointed, url
):
    me = appointed()
    nomination = in_review()
    make.assignment(nomination, me)
    login(me)
    missing = client.post(url(nomination), data=form(cycle, (4, None, 4, None)))
    assert missing.status_code == 400
    assert "Score every criterion before submitting (or recommend abstain): Consistency, " in (
        missing.text
    )
    assert f'id="score_{cycle.criteria[1].id}-error"' in missing.text
    no_recommendation = client.post(url(nomination), data=form(cycle, recommendation=None))
    assert "Choose a recommendation before submitting." in no_recommendation.text
    no_confidence = client.post(url(nomination), data=form(cycle, confidence=None))
    assert "Say how confident you are before submitting." in no_confidence.text
    out_of_range = client.post(url(nomination), data=form(cycle, (6, 4, 4, 4)))
    assert out_of_range.status_code == 400
    assert db.scalar(select(Review)) is None
    # A draft may be incomplete; an abstention may leave scores out (then it does not open
    # the other reviews: tests/reviews/test_review_rules.py).
    assert client.post(url(nomination), data=form(cycle, (4,), "draft")).status_code == 302
    abstain = form(cycle, (), version=1, recommendation="abstain")
    assert client.post(url(nomination), data=abstain).status_code == 302
    assert db.scalar(select(Review)).status is ReviewStatus.SUBMITTED


def test_a_stale_form_is_refused_with_a_reload_message(
    client, login, make, db, cycle, in_review, appointed, url
):
    me = appointed()
    nomination = in_review()
    make.assignment(nomination, me)
    login(me)
    client.post(url(nomination), data=form(cycle, (3, 3, 3, 3), "draft"))
    # Another tab saved meanwhile (version 2); this form still carries version 1.
    client.post(url(nomination), data=form(cycle, (4, 4, 4, 4), "draft", version=1))
    stale = client.post(url(nomination), data=form(cycle, (1, 1, 1, 1), "submit", version=1))
    assert stale.status_code == 409
    assert "This review changed since you opened it" in stale.text
    review = db.scalar(select(Review))
    assert review.status is ReviewStatus.DRAFT
    assert {s.score for s in review.scores} == {4}
    # A form opened before the first save is stale once a review exists.
    assert client.post(url(nomination), data=form(cycle, version=0)).status_code == 409


@pytest.mark.parametrize(
    "status", [CycleStatus.OPEN, CycleStatus.DECIDED, CycleStatus.PUBLISHED, "closed"]
)
def test_reviews_are_written_only_while_the_cycle_is_in_review(
    status, client, login, make, db, cycle, in_review, appointed, url
):
    me = appointed()
    nomination = in_review()
    make.assignment(nomination, me)
    review = make.review(nomination, me, status=ReviewStatus.DRAFT)
    if status == "closed":
        cycle.review_close_on = TODAY - timedelta(days=1)
        message = "The review period of this cycle is over."
    else:
        cycle.status = status
        message = "Reviews are written only while the cycle is in review."
    db.flush()
    login(me)
    page = client.get(url(nomination))
    assert page.status_code == 200
    assert message in page.text
    assert 'name="action"' not in page.text
    for action in ("draft", "submit"):
        response = client.post(url(nomination), data=form(cycle, action=action, version=1))
        assert response.status_code == 403
        assert message in response.text
    db.refresh(review)
    assert review.status is ReviewStatus.DRAFT and review.version == 1


def test_the_last_day_of_the_review_still_counts(
    client, login, make, db, cycle, in_review, appointed, url
):
    cycle.review_close_on = TODAY
    db.flush()
    me = appointed()
    nomination = in_review()
    make.assignment(nomination, me)
    login(me)
    assert client.post(url(nomination), data=form(cycle)).status_code == 302


def test_the_page_shows_what_is_needed_to_judge(
    client, login, make, db, cycle, in_review, appointed, url
):
    me = appointed()
    nominee = make.user(display_name="Nia Nominee")
    talk = make.contribution_type(name="Conference talk", slug="conference-talk", weight=1.5)
    post = make.contribution_type(name="Blog post", slug="blog-post", audience_label="Readers")
    evidence = make.contribution(
        nominee, type=talk, title="Scaling kindness", contributed_on=CLOSED_ON - timedelta(days=40)
    )
    evidence.audience = 300
    make.contribution(nominee, type=post, contributed_on=CLOSED_ON - timedelta(days=100))
    make.contribution(nominee, type=post, contributed_on=CLOSED_ON - timedelta(days=700))
    nomination = in_review(
        nominee,
        kind=NominationKind.PEER,
        statement_html="<p>Always there for newcomers.</p>",
    )
    make.assignment(nomination, me)
    make.evidence(nomination, [evidence])
    fan = make.user(display_name="Frank Fan")
    endorse(make, fan, nominee)
    endorse(make, fan, nominee, when=INSIDE - timedelta(days=3))
    endorse(make, nominee, fan)  # mutual
    earlier_cycle = make.cycle(
        status=CycleStatus.PUBLISHED,
        nominations_open_on=CLOSED_ON - timedelta(days=500),
        nominations_close_on=CLOSED_ON - timedelta(days=450),
    )
    earlier = make.nomination(
        earlier_cycle,
        nominee,
        status=NominationStatus.AWARDED,
        decision_feedback="Keep mentoring!",
    )
    make.award(earlier)
    login(me)
    page = client.get(url(nomination))
    assert page.status_code == 200
    text = page.text
    assert "Always there for newcomers." in text
    assert "Scaling kindness" in text and "300 attendees" in text
    assert "Weighted evidence: <strong>1.50</strong> from 1 contribution" in text
    assert '<svg role="img" aria-labelledby="activity-title activity-desc"' in text
    assert "Nia Nominee's contributions per month" in text
    # the evidence, the blog post 100 days back and the two endorsed contributions;
    # not the blog post from before the window
    assert "4 contributions in 13 months" in text
    assert "Conference talk" in text and "Blog post" in text
    assert "Frank Fan" in text and "Mutual" in text
    assert "2 endorsements from 1 member" in text
    assert earlier_cycle.name in text and "Keep mentoring!" in text
    assert "Awarded" in text
    for criterion in cycle.criteria:
        assert criterion.description in text
    assert "style=" not in text  # the CSP forbids inline styles


def test_decisions_of_unpublished_cycles_stay_hidden_from_reviewers(
    client, login, make, cycle, in_review, appointed, url
):
    me = appointed()
    nominee = make.user()
    tools, data = cycle.categories
    nomination = in_review(nominee, category=tools)
    in_review(nominee, category=data, status=NominationStatus.DECLINED, decision_feedback="Nope")
    login(me)
    page = client.get(url(nomination))
    assert "Decided, not yet published" in page.text
    assert "Nope" not in page.text


def test_feedback_for_the_nominee_shows_only_once_published_and_only_to_them(
    app, make, db, cycle, in_review, appointed
):
    from flask import render_template_string

    nominee = make.user()
    nomination = in_review(nominee)
    make.review(nomination, appointed(), scores=[4, 4, 4, 4], nominee_feedback="Write more!")
    make.review(nomination, appointed(), scores=[4, 4, 4, 4], nominee_feedback="")

    @app.get("/_feedback/<int:nomination_id>")
    def feedback(nomination_id):
        from flask_login import current_user

        from nominee.nominations.models import Nomination
        from nominee.reviews.queries import nominee_feedback
        from nominee.uow import get_session

        nomination = get_session().get(Nomination, nomination_id)
        return render_template_string(
            '{% include "reviews/_feedback_for_nominee.html" %}',
            nomination=nomination,
            reviewer_feedback=nominee_feedback(get_session(), nomination, current_user),
        )

    def seen_by(user):
        client = app.test_client()
        if user is not None:
            with client.session_transaction() as session:
                session["_user_id"] = user.get_id()
        return client.get(f"/_feedback/{nomination.id}").text

    assert "Write more!" not in seen_by(nominee)
    cycle.status = CycleStatus.PUBLISHED
    cycle.published_at = datetime.now(UTC)
    db.flush()
    shown = seen_by(nominee)
    assert "Write more!" in shown and "Feedback from the reviewers" in shown
    assert shown.count("rv-note") == 1
    assert seen_by(make.organizer()).strip() == ""
    assert seen_by(None).strip() == ""


def test_the_kept_endorsement_tally_follows_new_endorsements_names_and_endorsing_back(
    client, login, make, db, cycle, in_review, appointed, url
):
    """The tally is kept under the nominee's activity_version; the names and the
    "Mutual" flags, which the nominee's own endorsements change, are read every time."""
    MUTUAL = '<strong class="rv-tag rv-warn">Mutual</strong>'
    me = appointed()
    nominee = make.user()
    nomination = in_review(nominee)
    fan = make.user(display_name="Frank Fan")
    endorse(make, fan, nominee)
    login(me)
    first = client.get(url(nomination)).text
    assert "Frank Fan" in first and MUTUAL not in first
    assert "1 endorsement from 1 member" in first
    endorse(make, nominee, fan)  # back: the nominee's version stays
    fan.display_name = "Frances Fan"
    db.flush()
    again = client.get(url(nomination)).text
    assert "Frances Fan" in again and MUTUAL in again
    assert "1 endorsement from 1 member" in again
    endorse(make, make.user(display_name="Gina Guest"), nominee)  # a new version
    last = client.get(url(nomination)).text
    assert "Gina Guest" in last and "2 endorsements from 2 members" in last


def test_endorsements_of_very_endorsed_nominees_are_summarised_from_the_latest(
    client, login, make, cycle, in_review, appointed, url, monkeypatch
):
    from nominee.reviews.queries import dossier

    monkeypatch.setattr(dossier, "ENDORSEMENTS_SCANNED", 3)
    me = appointed()
    nominee = make.user()
    nomination = in_review(nominee)
    old_fan, new_fan = make.user(display_name="Olga Old"), make.user(display_name="Nora New")
    endorse(make, old_fan, nominee, when=INSIDE - timedelta(days=20))
    for days in (3, 2, 1):
        endorse(make, new_fan, nominee, when=INSIDE - timedelta(days=days))
    login(me)
    page = client.get(url(nomination))
    assert "The latest 3 endorsements (there are more) from 1 member" in page.text
    assert "Nora New" in page.text and "Olga Old" not in page.text


def test_the_parts_written_once_follow_what_they_show(
    client, login, make, db, cycle, in_review, appointed, url
):
    """The dossier's evidence, chart, endorsements and impact score are kept written per
    process (``templating.kept_fragment``), keyed by their figures: any change shows at
    once, and each reader reads their own language."""
    me = appointed()
    nominee = make.user(display_name="Nia Nominee")
    talk = make.contribution(nominee, title="Scaling kindness", contributed_on=INSIDE)
    nomination = in_review(nominee)
    make.assignment(nomination, me)
    make.evidence(nomination, [talk])
    endorse(make, make.user(display_name="Frank Fan"), nominee)
    login(me)
    first = client.get(url(nomination)).text
    assert "Nia Nominee's contributions per month" in first
    assert "Scaling kindness" in first and "2 contributions in 13 months" in first

    nominee.display_name = "Nina Nominee"  # no version changes with a name
    talk.title = "Scaling kindness, retitled"  # not frozen yet: read as it is now
    make.contribution(nominee, contributed_on=INSIDE)
    db.flush()
    again = client.get(url(nomination)).text
    assert "Nina Nominee's contributions per month" in again
    assert "Nia Nominee" not in again
    assert "Who endorsed Nina Nominee most" in again
    assert "Scaling kindness, retitled" in again
    assert "3 contributions in 13 months" in again

    spanish = client.get(url(nomination), headers={"Accept-Language": "es-ES,es;q=0.9"}).text
    assert "contributions per month" not in spanish and "Nina Nominee" in spanish
    assert "contributions per month" in client.get(url(nomination)).text


def test_the_rubric_shows_the_choices_made(
    client, login, make, db, cycle, in_review, appointed, url
):
    me = appointed()
    nomination = in_review()
    make.assignment(nomination, me)
    login(me)
    client.post(url(nomination), data=form(cycle, scores=(2, 5, None, 1), action="draft"))
    page = client.get(url(nomination)).text
    first, second, third, _ = cycle.criteria
    assert (
        f'<input type="radio" id="score_{first.id}-1" name="score_{first.id}" value="2" checked>'
        " 2 Fair</label>"
    ) in page
    assert f'id="score_{second.id}-4" name="score_{second.id}" value="5" checked>' in page
    assert (
        f'name="score_{third.id}" value="3">' in page
        and "checked" not in page.split(f"<legend>{third.name}")[1].split("</fieldset>")[0]
    )
    assert 'name="recommendation" value="award" checked> Award</label>' in page
