"""Decisions, the cycle's CSV export, public award pages and revocation."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from nominee.awards import export, rules, services
from nominee.awards.forms import DecisionForm, RevokeForm
from nominee.awards.models import Award, AwardStatus
from nominee.cycles.models import Cycle
from nominee.errors import DomainError, PermissionDenied
from nominee.nominations.models import Decision, Nomination
from nominee.nominations.rules import decisions_public
from nominee.reviews import queries as review_queries
from nominee.reviews.models import Review, ReviewStatus
from nominee.uow import commit, get_session
from nominee.web import attach_error, organizer_required, paginate

bp = Blueprint("awards", __name__)

MAX_VERIFICATION_ID = 40


def _cycle(cycle_id: int) -> Cycle:
    return get_session().get(Cycle, cycle_id) or abort(404)


@bp.get("/cycles/<int:cycle_id>/decisions")
@organizer_required
def decisions(cycle_id: int):
    """The nominations of a cycle that entered review, undecided first."""
    session = get_session()
    cycle = _cycle(cycle_id)
    undecided_only = request.args.get("show") == "undecided"
    stmt = (
        select(Nomination)
        .where(
            Nomination.cycle_id == cycle.id,
            Nomination.status.in_(rules.REVIEWED_STATUSES),
        )
        .options(
            joinedload(Nomination.nominee),
            joinedload(Nomination.category),
            joinedload(Nomination.award),
        )
        .order_by(
            Nomination.decision.is_not(None),
            Nomination.score_mean.desc().nulls_last(),
            Nomination.id,
        )
    )
    # Rule 9: what the organizer is conflicted on is left out (listed, its place in the
    # order would tell its decision and its score).
    conflicted = review_queries.conflicted_ids(session, cycle, current_user)
    if conflicted:
        stmt = stmt.where(Nomination.id.not_in(conflicted))
    if undecided_only:
        stmt = stmt.where(Nomination.decision.is_(None))
    decided, total = services.decision_progress(session, cycle.id)
    return render_template(
        "awards/decisions.html",
        cycle=cycle,
        page=paginate(stmt, current_app.config["PER_PAGE"]),
        decided=decided,
        total=total,
        undecided_only=undecided_only,
        decisions_open=rules.decisions_open(cycle),
        left_out=services.reviewed_among(session, cycle.id, conflicted),
    )


def _reviews(nomination: Nomination) -> list[Review]:
    return (
        get_session()
        .scalars(
            select(Review)
            .where(Review.nomination_id == nomination.id, Review.status == ReviewStatus.SUBMITTED)
            .options(joinedload(Review.reviewer))
            .order_by(Review.submitted_at, Review.id)
        )
        .all()
    )


@bp.route("/nominations/<int:nomination_id>/decide", methods=["GET", "POST"])
@organizer_required
def decide(nomination_id: int):
    session = get_session()
    nomination = session.scalar(
        select(Nomination)
        .where(Nomination.id == nomination_id)
        .options(
            joinedload(Nomination.cycle),
            joinedload(Nomination.category),
            joinedload(Nomination.nominee),
            joinedload(Nomination.decided_by),
        )
    )
    if nomination is None:
        abort(404)
    if nomination.nominee_id == current_user.id:
        # Conflicted (rule 9): its reviews, scores and decision are not for the nominee.
        raise PermissionDenied(
            "This is your own nomination: another organizer decides it, and its reviews "
            "are not shown to you."
        )
    if review_queries.conflicted_on(session, nomination, current_user):
        raise PermissionDenied(rules.CONFLICTED)
    form = DecisionForm()
    if request.method == "GET":
        form.decision.data = nomination.decision.value if nomination.decision else None
        form.rationale.data = nomination.decision_rationale
        form.feedback.data = nomination.decision_feedback
        form.override_reason.data = nomination.decision_override_reason
        form.override.data = bool(nomination.decision_override_reason)
        form.version.data = nomination.version
    status = 200
    if form.validate_on_submit():
        try:
            services.decide(
                session,
                current_user._get_current_object(),
                nomination,
                decision=Decision(form.decision.data),
                rationale=form.rationale.data,
                feedback=form.feedback.data or "",
                version=form.version.data,
                override_reason=(form.override_reason.data or "") if form.override.data else None,
            )
        except DomainError as exc:
            session.rollback()
            attach_error(form, exc)
            status = exc.status
        else:
            commit()
            flash(
                f"Decision saved for {nomination.nominee.display_name}: "
                f"{nomination.decision.label.lower()}.",
                "success",
            )
            return redirect(url_for("awards.decisions", cycle_id=nomination.cycle_id))
    elif request.method == "POST":
        status = 400
    cycle = nomination.cycle
    reviews = _reviews(nomination)
    return render_template(
        "awards/decide.html",
        nomination=nomination,
        cycle=cycle,
        form=form,
        refusal=rules.decision_refusal(current_user, nomination),
        shortfall=rules.review_shortfall(len(reviews), cycle.reviewers_per_nomination),
        criteria=review_queries.criterion_stats(session, nomination),
        reviews=reviews,
    ), status


@bp.get("/cycles/<int:cycle_id>/export.csv")
@organizer_required
def export_csv(cycle_id: int):
    cycle = _cycle(cycle_id)
    # Rule 9: the rows the organizer is conflicted on keep their public counters only.
    conflicted = frozenset(review_queries.conflicted_ids(get_session(), cycle, current_user))
    published = decisions_public(cycle)

    def body():
        # Flask ends the request (its teardown closes the view's session) before the
        # body is read, then pushes the contexts again around this generator: the
        # session must be taken here, so that the second teardown closes it.
        yield from export.stream_csv(get_session(), cycle.id, conflicted, published)

    response = Response(stream_with_context(body()), mimetype="text/csv")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{export.export_filename(cycle)}"'
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _public_award(verification_id: str) -> Award:
    if len(verification_id) > MAX_VERIFICATION_ID:
        abort(404)
    return services.find_public_award(get_session(), verification_id) or abort(404)


@bp.get("/awards/<verification_id>")
def verify(verification_id: str):
    """The public verification page: no login needed, nothing before publishing."""
    award = _public_award(verification_id)
    today = services.today()
    return render_template(
        "awards/verify.html",
        award=award,
        today=today,
        status=award.status_on(today),
        AwardStatus=AwardStatus,
        can_revoke=rules.can_revoke(current_user, award),
    )


@bp.route("/awards/<verification_id>/revoke", methods=["GET", "POST"])
@organizer_required
def revoke(verification_id: str):
    session = get_session()
    award = _public_award(verification_id)
    form = RevokeForm()
    status = 200
    if form.validate_on_submit():
        try:
            services.revoke(session, current_user._get_current_object(), award, form.reason.data)
        except DomainError as exc:
            session.rollback()
            attach_error(form, exc)
            status = exc.status
        else:
            commit()
            flash(f"The award of {award.member.display_name} is revoked.", "success")
            return redirect(url_for("awards.verify", verification_id=award.verification_id))
    elif request.method == "POST":
        status = 400
    return render_template("awards/revoke.html", award=award, form=form), status
