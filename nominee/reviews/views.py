"""The review blueprint: appointments, assignment, the dashboard and the reviewer's page."""

from __future__ import annotations

from dataclasses import replace

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from nominee.accounts.models import Role, User
from nominee.categories.models import Category
from nominee.cycles.models import Cycle, CycleStatus
from nominee.errors import DomainError, PermissionDenied
from nominee.nominations import rules as nomination_rules
from nominee.nominations.models import Nomination, NominationStatus
from nominee.reviews import conflicts, dossier, rules, services
from nominee.reviews.forms import (
    SCORE_LABELS,
    AppointForm,
    AssignForm,
    AssignmentFilterForm,
    ButtonForm,
    ConflictForm,
    QueueForm,
    review_form,
)
from nominee.reviews.models import (
    Assignment,
    Confidence,
    Recommendation,
    ReviewerAppointment,
    ReviewStatus,
)
from nominee.reviews.queue import SCORE_SORTS, SORTS, Filters, Queue, known_total
from nominee.templating import member_name
from nominee.uow import commit, get_session
from nominee.web import (
    attach_error,
    choices,
    flash_form_errors,
    login_required,
    organizer_required,
    page_number,
    paginate,
    redirect_next,
)

bp = Blueprint("reviews", __name__)


@bp.app_template_global("nominee_feedback")
def nominee_feedback(nomination: Nomination) -> list[str]:
    """For ``reviews/_feedback_for_nominee.html``: empty unless the viewer may read it."""
    return services.nominee_feedback(get_session(), nomination, current_user)


def _me() -> User:
    return current_user._get_current_object()


def _cycle(cycle_id: int) -> Cycle:
    return get_session().get(Cycle, cycle_id) or abort(404)


def _nomination(cycle_id: int, nomination_id: int) -> Nomination:
    """The nomination with everything its pages show of it, in one query."""
    nomination = (
        get_session()
        .scalars(
            select(Nomination)
            .where(Nomination.id == nomination_id, Nomination.cycle_id == cycle_id)
            .options(
                joinedload(Nomination.cycle).joinedload(Cycle.criteria),
                joinedload(Nomination.category),
                joinedload(Nomination.nominee),
                joinedload(Nomination.nominator),
            )
        )
        .unique()
        .one_or_none()
    )
    return nomination or abort(404)


@bp.get("/review")
@login_required
def index():
    user = _me()
    if not user.is_reviewer:
        abort(403)
    stmt = select(Cycle).order_by(Cycle.nominations_close_on.desc(), Cycle.id.desc())
    if not user.is_organizer:
        stmt = stmt.where(
            Cycle.id.in_(
                select(ReviewerAppointment.cycle_id).where(
                    ReviewerAppointment.reviewer_id == user.id
                )
            )
        )
    return render_template("reviews/index.html", cycles=get_session().scalars(stmt).all())


# Appointments


def _reviewer_choices(session) -> list[tuple[int, str]]:
    rows = session.execute(
        select(User.id, User.display_name, User.name_holders, User.role)
        .where(User.role.in_((Role.REVIEWER, Role.ORGANIZER)), User.is_active_account.is_(True))
        .order_by(User.display_name, User.id)
    )
    return [
        (
            row.id,
            member_name(name=row.display_name, user_id=row.id, holders=row.name_holders, plain=True)
            + f" ({row.role.label.lower()})",
        )
        for row in rows
    ]


def _appoint_form(session, cycle: Cycle) -> AppointForm:
    form = AppointForm()
    form.reviewer_id.choices = choices(_reviewer_choices(session))
    form.category_id.choices = choices(
        [(0, "All categories"), *((c.id, c.name) for c in cycle.categories)]
    )
    return form


@bp.route("/cycles/<int:cycle_id>/reviewers", methods=["GET", "POST"])
@organizer_required
def reviewers(cycle_id: int):
    session = get_session()
    cycle = _cycle(cycle_id)
    form = _appoint_form(session, cycle)
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate_on_submit():
            reviewer = session.get(User, form.reviewer_id.data)
            category = (
                session.get(Category, form.category_id.data) if form.category_id.data else None
            )
            try:
                if reviewer is None:
                    raise DomainError("Choose a reviewer from the list.", field="reviewer_id")
                services.appoint(session, _me(), cycle, reviewer, category)
            except DomainError as exc:
                session.rollback()
                attach_error(form, exc)
                status = exc.status
            else:
                commit()
                scope = category.name if category else "all categories"
                flash(f"{reviewer.display_name} is appointed for {scope}.", "success")
                return redirect(url_for("reviews.reviewers", cycle_id=cycle.id))
    return render_template(
        "reviews/reviewers.html",
        cycle=cycle,
        form=form,
        loads=services.reviewer_loads(session, cycle),
        appointments=services.appointments(session, cycle),
        button=ButtonForm(formdata=None),
        editable=cycle.status in rules.APPOINTABLE_CYCLE_STATUSES,
    ), status


@bp.post("/cycles/<int:cycle_id>/reviewers/<int:appointment_id>/remove")
@organizer_required
def remove_reviewer(cycle_id: int, appointment_id: int):
    session = get_session()
    appointment = session.get(ReviewerAppointment, appointment_id)
    if appointment is None or appointment.cycle_id != cycle_id:
        abort(404)
    form = ButtonForm()
    if form.validate_on_submit():
        name = appointment.reviewer.display_name
        try:
            removed = services.remove_appointment(session, _me(), appointment)
        except DomainError as exc:
            session.rollback()
            flash(exc.message, "error")
        else:
            commit()
            note = f" and unassigned from {removed} nominations" if removed else ""
            flash(f"{name}'s appointment is removed{note}.", "success")
    else:
        flash_form_errors(form)
    return redirect(url_for("reviews.reviewers", cycle_id=cycle_id))


# Assignment


@bp.get("/cycles/<int:cycle_id>/assignments")
@organizer_required
def assignments(cycle_id: int):
    session = get_session()
    cycle = _cycle(cycle_id)
    form = AssignmentFilterForm(request.args)
    form.category.choices = choices(
        [(0, "All categories"), *((c.id, c.name) for c in cycle.categories)]
    )
    form.validate()
    k = cycle.reviewers_per_nomination
    stmt = (
        select(Nomination)
        .join(User, User.id == Nomination.nominee_id)
        .where(Nomination.cycle_id == cycle.id, Nomination.status == NominationStatus.IN_REVIEW)
        .options(joinedload(Nomination.nominee), joinedload(Nomination.category))
        .order_by(Nomination.id)
    )
    if form.category.data and not form.category.errors:
        stmt = stmt.where(Nomination.category_id == form.category.data)
    # Rule 9: the nominations the organizer is conflicted on are another organizer's.
    conflicted = services.conflicted_ids(session, cycle, _me())
    if conflicted:
        stmt = stmt.where(Nomination.id.not_in(conflicted))
    if form.understaffed.data:
        assigned = (
            select(func.count())
            .where(Assignment.nomination_id == Nomination.id)
            .correlate(Nomination)
            .scalar_subquery()
        )
        stmt = stmt.where(assigned < k)
    page = paginate(stmt, current_app.config["PER_PAGE"])
    ids = [nomination.id for nomination in page.items]
    loads = services.reviewer_loads(session, cycle)
    scopes = services.appointed_scopes(session, cycle)
    found = conflicts.find_conflicts(session, cycle, scopes, ids)
    assigned_to = services.assignments_of(session, ids)
    names = {load.reviewer.id: load.reviewer for load in loads}
    rows = []
    for nomination in page.items:
        on_it = {reviewer.id for reviewer, _ in assigned_to.get(nomination.id, [])}
        eligible = [
            reviewer_id
            for reviewer_id, scope in scopes.items()
            if scope is None or nomination.category_id in scope
        ]
        rows.append(
            {
                "nomination": nomination,
                "assigned": assigned_to.get(nomination.id, []),
                "conflicts": [
                    (names[r], found[nomination.id, r])
                    for r in eligible
                    if (nomination.id, r) in found and r in names
                ],
                "candidates": sorted(
                    (
                        names[r]
                        for r in eligible
                        if r not in on_it and (nomination.id, r) not in found and r in names
                    ),
                    key=lambda user: (user.display_name, user.id),
                ),
            }
        )
    total = sum(load.assigned for load in loads)
    return render_template(
        "reviews/assignments.html",
        cycle=cycle,
        form=form,
        page=page,
        rows=rows,
        loads=loads,
        average=total / len(loads) if loads else 0,
        button=ButtonForm(formdata=None),
        can_assign=cycle.status is CycleStatus.IN_REVIEW,
        left_out=bool(conflicted),
    )


@bp.post("/cycles/<int:cycle_id>/assignments/auto")
@organizer_required
def auto_assign(cycle_id: int):
    session = get_session()
    cycle = _cycle(cycle_id)
    form = ButtonForm()
    if form.validate_on_submit():
        try:
            result = services.auto_assign(session, _me(), cycle)
        except DomainError as exc:
            session.rollback()
            flash(exc.message, "error")
        else:
            commit()
            message = f"{len(result.added)} assignments added."
            if result.short:
                message += (
                    f" {len(result.short)} nominations have fewer than "
                    f"{cycle.reviewers_per_nomination} reviewers: no other appointed reviewer "
                    "without a conflict is left for them."
                )
            if result.left_out:
                message += (
                    f" {result.left_out} nominations you are conflicted on are left for "
                    "another organizer."
                )
            flash(message, "success" if not result.short else "info")
    else:
        flash_form_errors(form)
    return redirect(url_for("reviews.assignments", cycle_id=cycle_id))


def _change_assignment(cycle_id: int, nomination_id: int, assigning: bool):
    session = get_session()
    nomination = _nomination(cycle_id, nomination_id)
    form = AssignForm()
    default = url_for("reviews.assignments", cycle_id=cycle_id)
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect_next(default)
    reviewer = session.get(User, form.reviewer_id.data) or abort(404)
    operation = services.assign if assigning else services.unassign
    try:
        operation(session, _me(), nomination, reviewer)
    except PermissionDenied:
        raise
    except DomainError as exc:
        session.rollback()
        flash(exc.message, "error")
    else:
        commit()
        verb = "assigned to" if assigning else "unassigned from"
        flash(
            f"{reviewer.display_name} is {verb} {nomination.nominee.display_name}'s nomination.",
            "success",
        )
    return redirect_next(default)


@bp.post("/cycles/<int:cycle_id>/nominations/<int:nomination_id>/assign")
@organizer_required
def assign(cycle_id: int, nomination_id: int):
    return _change_assignment(cycle_id, nomination_id, assigning=True)


@bp.post("/cycles/<int:cycle_id>/nominations/<int:nomination_id>/unassign")
@organizer_required
def unassign(cycle_id: int, nomination_id: int):
    return _change_assignment(cycle_id, nomination_id, assigning=False)


# The dashboard


def _filters(form: QueueForm) -> Filters:
    """The valid filters of ``form``; an invalid value falls back to its default."""
    form.validate()

    def valid(field, default=None):
        return default if field.errors else field.data

    return Filters(
        category_id=valid(form.category) or None,
        status=None if form.status.errors else form.status_value(),
        assigned_to_me=bool(form.mine.data),
        not_reviewed_by_me=bool(form.unreviewed.data),
        disagreement=bool(form.disagreement.data),
        sort=valid(form.sort, "id"),
        descending=valid(form.order, "asc") == "desc",
    )


@bp.get("/cycles/<int:cycle_id>/dashboard")
@login_required
def dashboard(cycle_id: int):
    session = get_session()
    user = _me()
    cycle = (
        session.scalars(
            select(Cycle).where(Cycle.id == cycle_id).options(joinedload(Cycle.categories))
        )
        .unique()
        .one_or_none()
    ) or abort(404)
    scope = services.scope_of(session, cycle.id, user.id)
    if not rules.can_see_queue(user, appointed=scope.appointed):
        abort(403)
    categories = [c for c in cycle.categories if user.is_organizer or scope.covers(c.id)]
    form = QueueForm(request.args)
    form.category.choices = choices([(0, "All categories"), *((c.id, c.name) for c in categories)])
    filters = _filters(form)
    status_filter = not nomination_rules.decisions_hidden(user, cycle)
    if not status_filter:
        # Rule 5: before publishing, nothing a reviewer asks narrows the queue by decision.
        filters = replace(filters, status=None)
    queue = Queue(cycle, user, scope, services.conflicted_ids(session, cycle, user))
    progress, overall = queue.progress_table(
        session.execute(queue.progress()).all(),
        session.execute(queue.mine()).all() if scope.appointed else [],
        categories,
    )
    total = known_total(filters, progress, overall)
    page = queue.page(session, filters, page_number(), current_app.config["PER_PAGE"], total)

    def sort_url(key: str) -> str:
        args = request.args.to_dict()
        same = filters.sort == key
        args.update(sort=key, order="asc" if same and filters.descending else "desc", page="1")
        if not same and key in ("nominee", "category", "id"):
            args["order"] = "asc"
        return url_for("reviews.dashboard", cycle_id=cycle.id, **args)

    return render_template(
        "reviews/dashboard.html",
        cycle=cycle,
        form=form,
        filters=filters,
        page=page,
        progress=progress,
        overall=overall,
        scope=scope,
        sort_url=sort_url,
        sorts=SORTS,
        score_sorts=SCORE_SORTS,
        sees_scores=rules.sees_scores,
        status_filter=status_filter,
        status_of=lambda n: nomination_rules.shown_status(user, n),
        ReviewStatus=ReviewStatus,
    )


# One nomination


def _fill(form, review) -> None:
    form.version.data = review.version if review else 0
    if review is None:
        return
    form.confidence.data = review.confidence.value if review.confidence else None
    form.recommendation.data = review.recommendation.value if review.recommendation else None
    form.panel_comment.data = review.panel_comment
    form.nominee_feedback.data = review.nominee_feedback
    for score in review.scores:
        field = form._fields.get(f"score_{score.criterion_id}")
        if field is not None:
            field.data = score.score


@bp.route("/cycles/<int:cycle_id>/nominations/<int:nomination_id>/review", methods=["GET", "POST"])
@login_required
def review(cycle_id: int, nomination_id: int):
    session = get_session()
    user = _me()
    nomination = _nomination(cycle_id, nomination_id)
    cycle = nomination.cycle
    position = services.open_as_panel(session, user, nomination) or abort(404)
    form = review_form(cycle.criteria)
    status = 200
    if request.method == "POST":
        # Refused before the form is read; a final review is refused by the service.
        if refusal := rules.review_refusal(user, nomination, position, services.today()):
            raise PermissionDenied(refusal)
        status = 400
        if form.validate_on_submit():
            submit = request.form.get("action") == "submit"
            data = services.ReviewInput(
                scores=form.scores(),
                confidence=Confidence(form.confidence.data) if form.confidence.data else None,
                recommendation=(
                    Recommendation(form.recommendation.data) if form.recommendation.data else None
                ),
                panel_comment=form.panel_comment.data or "",
                nominee_feedback=form.nominee_feedback.data or "",
            )
            try:
                saved = services.save_review(
                    session,
                    user,
                    nomination,
                    data,
                    submit=submit,
                    version=form.version.data or 0,
                    position=position,
                )
            except PermissionDenied:
                raise
            except DomainError as exc:
                session.rollback()
                attach_error(form, exc)
                status = exc.status
            else:
                commit()
                if saved.status is ReviewStatus.DRAFT:
                    flash("Your draft is saved. Submit it when you are done.", "success")
                elif saved.reads_others:
                    flash("Your review is submitted. The other reviews are below.", "success")
                else:
                    flash(
                        "Your abstention is submitted. Without every score, the other reviews "
                        "stay closed to you.",
                        "success",
                    )
                return redirect(
                    url_for("reviews.review", cycle_id=cycle.id, nomination_id=nomination.id)
                )
    reviews = services.reviews_of(session, nomination)
    own = next((r for r in reviews if r.reviewer_id == user.id), None)
    refusal = rules.review_refusal(user, nomination, position, services.today(), own)
    if request.method == "GET":
        _fill(form, own)
    reading = rules.can_read_reviews(user, nomination, position, own)
    others = [
        r
        for r in reviews
        if reading and r.reviewer_id != user.id and r.status is ReviewStatus.SUBMITTED
    ]
    return render_template(
        "reviews/review.html",
        cycle=cycle,
        nomination=nomination,
        shown_status=nomination_rules.shown_status(
            user, nomination, conflicted=position.conflicted
        ),
        form=form,
        own=own,
        standing=position,
        writable=not refusal,
        refusal=refusal,
        reading=reading,
        others=others,
        stats=services.stats_from_reviews(cycle.criteria, reviews) if reading else [],
        evidence=dossier.evidence(session, nomination),
        chart=dossier.activity(session, nomination.nominee_id, cycle),
        endorsements=dossier.endorsements_received(session, nomination.nominee_id, cycle),
        history=dossier.other_nominations(session, nomination, user),
        awards=dossier.awards(session, nomination.nominee_id),
        conflict_form=ConflictForm(formdata=None),
        can_declare=rules.can_declare_conflict(user, nomination, position),
        score_labels=SCORE_LABELS,
        today=services.today(),
    ), status


@bp.post("/cycles/<int:cycle_id>/nominations/<int:nomination_id>/conflict")
@login_required
def declare_conflict(cycle_id: int, nomination_id: int):
    session = get_session()
    nomination = _nomination(cycle_id, nomination_id)
    form = ConflictForm()
    back = url_for("reviews.review", cycle_id=cycle_id, nomination_id=nomination_id)
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(back)
    try:
        services.declare_conflict(session, _me(), nomination, form.reason.data)
    except PermissionDenied:
        raise
    except DomainError as exc:
        session.rollback()
        flash(exc.message, "error")
        return redirect(back)
    commit()
    flash("Your conflict is recorded; the nomination left your queue.", "success")
    return redirect(url_for("reviews.dashboard", cycle_id=cycle_id))
