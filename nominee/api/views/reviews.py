"""For reviewers: their assignments, and their review of a nomination (draft, submit),
through the same rules and service as the review page."""

from __future__ import annotations

from nominee import clock
from nominee.api.framework import operation, responses, token, validated
from nominee.api.schemas import (
    AssignmentList,
    AssignmentOut,
    CategoryRef,
    CriterionOut,
    CycleRef,
    IdempotencyHeaders,
    MemberRef,
    ReviewIn,
    ReviewOut,
    ScoreOut,
)
from nominee.api.views import bp
from nominee.errors import NotFound, PermissionDenied
from nominee.nominations.models import Nomination
from nominee.reviews import queries, rules, services
from nominee.reviews.models import Confidence, Recommendation, Review
from nominee.reviews.rules import Standing
from nominee.tokens.rules import Scope
from nominee.uow import get_session

TAGS = ("reviews",)
MAX_ASSIGNMENTS = 500


@bp.get("/reviews/assignments")
@operation(Scope.READ, resp=responses(HTTP_200=AssignmentList), tags=TAGS)
def assignments():
    """The nominations you are assigned to review, with your review's status."""
    rows = queries.reviewer_assignments(get_session(), token().user, MAX_ASSIGNMENTS)
    return AssignmentList(
        items=[
            AssignmentOut(
                nomination_id=row.nomination_id,
                cycle=CycleRef(id=row.cycle_id, name=row.cycle_name),
                cycle_status=row.cycle_status.value,
                review_close_on=row.review_close_on,
                category=CategoryRef(id=row.category_id, name=row.category_name),
                nominee=MemberRef(id=row.nominee_id, display_name=row.nominee_name),
                review_status=row.review_status.value if row.review_status else None,
                review_version=row.review_version or 0,
            )
            for row in rows
        ]
    )


def _panel(cycle_id: int, nomination_id: int) -> tuple[Nomination, Standing]:
    """The nomination as its panel opens it: 404 when the page does not exist for the
    token's member, 403 when they are conflicted (rule 4)."""
    session = get_session()
    nomination = queries.panel_nomination(session, cycle_id, nomination_id)
    position = queries.open_as_panel(session, token().user, nomination) if nomination else None
    if nomination is None or position is None:
        raise NotFound("No such nomination on your panel.")
    return nomination, position


def review_out(nomination: Nomination, position: Standing, own: Review | None) -> ReviewOut:
    refusal = rules.review_refusal(token().user, nomination, position, clock.programme_today(), own)
    return ReviewOut(
        nomination_id=nomination.id,
        criteria=[
            CriterionOut(id=c.id, name=c.name, description=c.description, weight=c.weight)
            for c in nomination.cycle.criteria
        ],
        status=own.status.value if own else None,
        version=own.version if own else 0,
        scores=[ScoreOut(criterion_id=s.criterion_id, score=s.score) for s in own.scores]
        if own
        else [],
        confidence=own.confidence.value if own and own.confidence else None,
        recommendation=own.recommendation.value if own and own.recommendation else None,
        panel_comment=own.panel_comment if own else "",
        nominee_feedback=own.nominee_feedback if own else "",
        submitted_at=own.submitted_at if own else None,
        writable=not refusal,
        refusal=refusal or None,
    )


def _own(nomination: Nomination) -> Review | None:
    reviews = queries.reviews_of(get_session(), nomination)
    return next((r for r in reviews if r.reviewer_id == token().user_id), None)


@bp.get("/cycles/<api_id:cycle_id>/nominations/<api_id:nomination_id>/review")
@operation(Scope.READ, resp=responses(HTTP_200=ReviewOut), tags=TAGS)
def get_review(cycle_id: int, nomination_id: int):
    """Your review of a nomination on your panel (none yet: status null, version 0),
    with the cycle's rubric."""
    nomination, position = _panel(cycle_id, nomination_id)
    return review_out(nomination, position, _own(nomination))


@bp.put("/cycles/<api_id:cycle_id>/nominations/<api_id:nomination_id>/review")
@operation(
    Scope.REVIEWS_WRITE,
    body=ReviewIn,
    headers=IdempotencyHeaders,
    resp=responses(409, HTTP_200=ReviewOut),
    tags=TAGS,
    idempotent=True,
)
def save_review(cycle_id: int, nomination_id: int):
    """Save your review as a draft (``submit`` false) or submit it (final). Only while
    the cycle is in review, for an assigned, unconflicted reviewer; ``version`` guards
    against overwriting a save made meanwhile (409)."""
    nomination, position = _panel(cycle_id, nomination_id)
    data: ReviewIn = validated("json")
    if refusal := rules.review_refusal(token().user, nomination, position, clock.programme_today()):
        raise PermissionDenied(refusal)
    review = services.save_review(
        get_session(),
        token().user,
        nomination,
        services.ReviewInput(
            scores={s.criterion_id: s.score for s in data.scores},
            confidence=Confidence(data.confidence) if data.confidence else None,
            recommendation=Recommendation(data.recommendation) if data.recommendation else None,
            panel_comment=data.panel_comment,
            nominee_feedback=data.nominee_feedback,
        ),
        submit=data.submit,
        version=data.version,
        position=position,
    )
    return review_out(nomination, position, review)
