"""Blind review and assignments: a submitted review is final, an abstention without every
score never opens the other reviews, and only assigned reviewers write reviews that count."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from nominee.errors import DomainError, PermissionDenied
from nominee.reviews import services
from nominee.reviews.models import Confidence, Recommendation, Review, ReviewStatus
from tests.reviews.test_reviews import form


@pytest.fixture
def url(cycle):
    return lambda nomination: f"/cycles/{cycle.id}/nominations/{nomination.id}/review"


@pytest.fixture
def assigned(make, appointed):
    """A reviewer appointed for the whole cycle and assigned to ``nomination``."""

    def build(nomination, **kw):
        reviewer = appointed(**kw)
        make.assignment(nomination, reviewer)
        return reviewer

    return build


def my_review(db, reviewer) -> Review | None:
    review = db.scalar(select(Review).where(Review.reviewer_id == reviewer.id))
    if review is not None:
        db.refresh(review)
    return review


# Item 2: blind review


def test_an_abstention_without_scores_never_opens_the_other_reviews_nor_becomes_an_award(
    client, login, make, db, cycle, in_review, assigned, url
):
    nomination = in_review()
    colleague = assigned(nomination, display_name="Carla Colleague")
    make.review(nomination, colleague, scores=[2, 2, 2, 2], panel_comment="Thin evidence")
    services.refresh_scores(db, nomination)
    me = assigned(nomination)
    login(me)
    abstain = form(cycle, (), recommendation="abstain")
    assert client.post(url(nomination), data=abstain).status_code == 302
    page = client.get(url(nomination)).text
    assert "Thin evidence" not in page and "Carla Colleague" not in page
    assert "You abstained without scoring every criterion" in page
    # The dashboard keeps the scores of that row hidden too.
    board = client.get(f"/cycles/{cycle.id}/dashboard?sort=score").text
    assert "Hidden: you abstained without scoring every criterion" in board

    version = my_review(db, me).version
    award = form(cycle, (5, 5, 5, 5), version=version)
    refused = client.post(url(nomination), data=award)
    assert refused.status_code == 403
    assert "Your review is submitted and final" in refused.text
    review = my_review(db, me)
    assert review.recommendation is Recommendation.ABSTAIN and review.scores == []
    db.refresh(nomination)
    assert (nomination.recommend_award, nomination.recommend_abstain) == (1, 1)


def test_a_submitted_review_is_final_and_shown_read_only_with_the_reason(
    client, login, make, db, cycle, in_review, assigned, url
):
    nomination = in_review()
    colleague = assigned(nomination)
    make.review(nomination, colleague, scores=[5, 5, 5, 5], panel_comment="Outstanding mentor")
    me = assigned(nomination)
    login(me)
    assert client.post(url(nomination), data=form(cycle, (2, 2, 2, 2))).status_code == 302
    page = client.get(url(nomination)).text
    assert "Outstanding mentor" in page  # the other reviews are open now...
    assert 'name="action"' not in page  # ...and my review no longer has a form
    assert "Your review is submitted and final" in page
    for action in ("submit", "draft"):
        changed = form(cycle, (5, 5, 5, 5), action, version=my_review(db, me).version)
        assert client.post(url(nomination), data=changed).status_code == 403
    review = my_review(db, me)
    assert [s.score for s in review.scores] == [2, 2, 2, 2]
    assert review.status is ReviewStatus.SUBMITTED


def test_the_service_refuses_to_change_a_submitted_review(db, cycle, in_review, assigned, make):
    nomination = in_review()
    me = assigned(nomination)
    review = make.review(nomination, me, scores=[3, 3, 3, 3])
    data = services.ReviewInput(
        scores={c.id: 5 for c in cycle.criteria},
        confidence=Confidence.HIGH,
        recommendation=Recommendation.AWARD,
    )
    with pytest.raises(DomainError, match="submitted and final"):
        services.save_review(db, me, nomination, data, submit=True, version=review.version)


def test_drafts_stay_freely_editable(client, login, db, cycle, in_review, assigned, url):
    nomination = in_review()
    me = assigned(nomination)
    login(me)
    client.post(url(nomination), data=form(cycle, (2, 2, 2, 2), "draft"))
    client.post(url(nomination), data=form(cycle, (3, 3, 3, 3), "draft", version=1))
    assert client.post(url(nomination), data=form(cycle, (4,) * 4, version=2)).status_code == 302
    assert [s.score for s in my_review(db, me).scores] == [4, 4, 4, 4]


# Item 6: assignments


def test_an_appointed_reviewer_not_assigned_writes_no_review(
    client, login, make, db, cycle, in_review, assigned, appointed, url
):
    nomination = in_review()
    for _ in range(cycle.reviewers_per_nomination):
        make.review(nomination, assigned(nomination), scores=[3, 3, 3, 3])
    services.refresh_scores(db, nomination)
    outsider = appointed()
    login(outsider)
    page = client.get(url(nomination))
    assert page.status_code == 200
    assert "Only the reviewers assigned to this nomination review it" in page.text
    assert 'name="action"' not in page.text
    for action in ("submit", "draft"):
        response = client.post(url(nomination), data=form(cycle, (5, 5, 5, 5), action))
        assert response.status_code == 403
    assert my_review(db, outsider) is None
    db.refresh(nomination)
    assert nomination.reviews_submitted == cycle.reviewers_per_nomination
    assert nomination.score_mean == 3


def test_the_service_refuses_reviews_from_unassigned_or_unappointed_reviewers(
    db, make, cycle, in_review, appointed
):
    nomination = in_review()
    data = services.ReviewInput(
        scores={c.id: 5 for c in cycle.criteria},
        confidence=None,
        recommendation=Recommendation.ABSTAIN,
    )
    unappointed = make.reviewer()
    make.assignment(nomination, unappointed)  # an assignment left over is not enough
    for reviewer in (appointed(), unappointed):
        with pytest.raises(PermissionDenied):
            services.save_review(db, reviewer, nomination, data, submit=False, version=0)
    assert db.scalar(select(Review)) is None


def test_an_assigned_reviewer_with_a_submitted_review_stays_assigned(
    db, make, cycle, in_review, assigned
):
    """Unassigning would leave a counted review by a reviewer who is not on the panel."""
    nomination = in_review()
    done, drafting = assigned(nomination), assigned(nomination)
    make.review(nomination, done, scores=[3, 3, 3, 3])
    make.review(nomination, drafting, status=ReviewStatus.DRAFT)
    organizer = make.organizer()
    with pytest.raises(DomainError, match="submitted review"):
        services.unassign(db, organizer, nomination, done)
    services.unassign(db, organizer, nomination, drafting)
