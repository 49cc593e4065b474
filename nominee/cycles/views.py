from __future__ import annotations

import re
from collections.abc import Callable

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    get_template_attribute,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from markupsafe import Markup
from werkzeug.wrappers import Response as WerkzeugResponse

from nominee import clock
from nominee.appeals import queries as appeal_queries
from nominee.awards import queries as award_queries
from nominee.awards import rules as award_rules
from nominee.charts import Histogram
from nominee.cycles import queries, rules, services
from nominee.cycles.forms import CycleForm, VersionForm
from nominee.cycles.models import DEFAULT_RUBRIC, Cycle, CycleStatus
from nominee.errors import Conflict, DomainError
from nominee.i18n import _
from nominee.nominations.models import NominationStatus
from nominee.nominations.rules import decisions_hidden, masked_counts
from nominee.pagecache import members_page
from nominee.reviews import queries as review_queries
from nominee.templating import kept_fragment
from nominee.uow import get_session, refuse
from nominee.web import (
    attach_error,
    choices,
    given,
    login_required,
    organizer_required,
    page_number,
    url_pattern,
)

bp = Blueprint("cycles", __name__, url_prefix="/cycles")


def _visible_cycle(cycle_id: int) -> Cycle:
    cycle = get_session().get(Cycle, cycle_id)
    if cycle is None or not rules.can_see(current_user, cycle):
        abort(404)
    return cycle


def _category_choices(cycle: Cycle | None) -> list[tuple[int, str]]:
    return [
        (c.id, _("%(category)s (retired)", category=c.name) if c.retired else c.name)
        for c in queries.categories_to_choose(get_session(), cycle)
    ]


# What ``secrets.token_urlsafe`` makes: an address takes it as it is.
_URL_SAFE = re.compile(r"[A-Za-z0-9_-]+")


def _award_url() -> Callable[[str], str]:
    """``url_for("awards.verify", verification_id=...)`` for every award of a list at the
    cost of one ``url_for`` (an id that would need quoting gets its own)."""
    head = url_for("awards.verify", verification_id="-").removesuffix("-")

    def link(verification_id: str) -> str:
        if _URL_SAFE.fullmatch(verification_id):
            return head + verification_id
        return url_for("awards.verify", verification_id=verification_id)

    return link


@bp.get("/")
@login_required
def index():
    page = queries.visible_cycles(
        get_session(), current_user, page_number(), current_app.config["PER_PAGE"]
    )
    return render_template(
        "cycles/index.html", page=page, can_manage=rules.can_manage_cycles(current_user)
    )


@bp.get("/<int:cycle_id>")
@login_required
@members_page
def show(cycle_id: int):
    session = get_session()
    cycle = _visible_cycle(cycle_id)
    by_status, by_category = services.nomination_counts(session, cycle)
    can_manage = rules.can_manage_cycles(current_user)
    conflicted = review_queries.conflicted_ids(session, cycle, current_user) if can_manage else []
    if decisions_hidden(current_user, cycle):
        by_status = masked_counts(cycle, by_status)
    elif can_manage:
        # Rule 9: the decisions of what the organizer is conflicted on are not theirs to
        # know, not even by subtracting the ones they see from the totals. (Asked even when
        # there is none, so the page's query count does not depend on the data.)
        hidden = services.counts_by_status(session, cycle, conflicted)
        by_status = masked_counts(cycle, by_status, hidden)
    reviewing = cycle.status in (CycleStatus.IN_REVIEW, CycleStatus.DECIDED, CycleStatus.PUBLISHED)
    overview = (
        review_queries.review_overview(session, cycle, conflicted)
        if can_manage and reviewing
        else None
    )
    return render_template(
        "cycles/show.html",
        cycle=cycle,
        by_status=[(s, by_status[s]) for s in NominationStatus if s in by_status],
        by_category=by_category,
        overview=overview,
        scores_html=_scores_html(overview.scores, cycle.name) if overview else None,
        can_manage=can_manage,
        next_statuses=rules.next_statuses(cycle),
        schedule_note=rules.schedule_note(cycle, clock.programme_today()),
        awardees=award_queries.cycle_awardees(session, cycle),
        member_url=url_pattern("contributions.member", "user_id"),
        award_url=_award_url(),
        # Each awardee's link to their award names them for screen readers: the words
        # translated once, each name filled in escaped (as ``_`` in the template would).
        of_member=Markup(_("of %(member)s")),
        appeals=appeal_queries.appeals_of_cycle(session, cycle.id)
        if can_manage and cycle.status is CycleStatus.PUBLISHED
        else [],
    )


def _scores_html(scores: Histogram, cycle_name: str) -> Markup:
    """The chart of the nominations' scores, written once per process for the counts it
    draws (the same until a review is submitted): ``kept_fragment``."""
    return kept_fragment(
        ("score-histogram", cycle_name, tuple(bar.count for bar in scores.bars), scores.unscored),
        lambda: get_template_attribute("_charts.html", "score_histogram")(scores, cycle_name),
    )


def _save(form: CycleForm, cycle: Cycle | None) -> tuple[WerkzeugResponse | None, int]:
    """Run the service for a validated form: a redirect, or None and the status to re-render."""
    session = get_session()
    actor = current_user._get_current_object()
    try:
        if cycle is None:
            cycle = services.create_cycle(session, actor, form.settings(), form.kept_criteria())
        else:
            criteria = form.kept_criteria() if form.criteria.entries else None
            services.update_cycle(
                session, actor, cycle, form.settings(), criteria, given(form.version.data)
            )
    except DomainError as exc:
        attach_error(form, exc)
        return None, exc.status
    flash(_("Cycle “%(cycle)s” saved.", cycle=cycle.name), "success")
    return redirect(url_for("cycles.show", cycle_id=cycle.id)), 302


def _submit(form: CycleForm, cycle: Cycle | None, rubric_locked: bool):
    """Handle a POST: add a rubric row, or validate and save."""
    if form.add_criterion.data:
        if not rubric_locked:
            form.add_blank_criteria()
        status = 200
    elif form.validate():
        response, status = _save(form, cycle)
        if response is not None:
            return response
    else:
        status = 400
    return _form_page(form, cycle, rubric_locked, status)


def _form_page(form: CycleForm, cycle: Cycle | None, rubric_locked: bool, status: int = 200):
    return render_template(
        "cycles/form.html", form=form, cycle=cycle, rubric_locked=rubric_locked
    ), status


@bp.route("/new", methods=["GET", "POST"])
@organizer_required
def create():
    form = CycleForm()
    form.category_ids.choices = choices(_category_choices(None))
    if request.method == "POST":
        return _submit(form, None, rubric_locked=False)
    form.load_criteria((_(name), _(text), weight) for name, text, weight in DEFAULT_RUBRIC)
    return _form_page(form, None, rubric_locked=False)


@bp.route("/<int:cycle_id>/edit", methods=["GET", "POST"])
@organizer_required
def edit(cycle_id: int):
    session = get_session()
    cycle = session.get(Cycle, cycle_id) or abort(404)
    if not rules.can_edit(cycle):
        raise DomainError(_("A published cycle cannot be changed."))
    locked = services.rubric_locked(session, cycle)
    form = CycleForm(obj=cycle if request.method == "GET" else None)
    form.category_ids.choices = choices(_category_choices(cycle))
    if request.method == "POST":
        return _submit(form, cycle, rubric_locked=locked)
    form.category_ids.data = [c.id for c in cycle.categories]
    if locked:
        while form.criteria.entries:
            form.criteria.pop_entry()
    else:
        form.load_criteria((c.name, c.description, c.weight) for c in cycle.criteria)
    return _form_page(form, cycle, rubric_locked=locked)


@bp.route("/<int:cycle_id>/status/<to_status>", methods=["GET", "POST"])
@organizer_required
def move(cycle_id: int, to_status: str):
    session = get_session()
    cycle = session.get(Cycle, cycle_id) or abort(404)
    try:
        target = CycleStatus(to_status)
    except ValueError:
        abort(404)
    form = VersionForm()
    error = None
    status = 200
    if request.method == "GET":
        form.version.data = cycle.version
    elif form.validate_on_submit():
        try:
            services.move_status(
                session, current_user._get_current_object(), cycle, target, given(form.version.data)
            )
        except DomainError as exc:
            refuse()
            error, status = exc.message, exc.status
        else:
            flash(
                _("“%(cycle)s” is now %(status)s.", cycle=cycle.name, status=target.label.lower()),
                "success",
            )
            return redirect(url_for("cycles.show", cycle_id=cycle.id))
    else:
        error, status = _(services.STALE_CYCLE), Conflict.status
    refusal = rules.why_not_move(cycle, target)
    undecided_note = None
    if refusal is None and target in (CycleStatus.DECIDED, CycleStatus.PUBLISHED):
        # Said beforehand: deciding takes place in *decided*, publishing needs every decision.
        undecided = award_queries.undecided_count(session, cycle.id)
        if target is CycleStatus.PUBLISHED:
            refusal = award_rules.publish_refusal(undecided)
        else:
            undecided_note = award_rules.undecided_note(undecided)
    if error is None and refusal:
        error, status = refusal, 400
    by_status, _by_category = services.nomination_counts(session, cycle)
    return render_template(
        "cycles/move.html",
        cycle=cycle,
        target=target,
        form=form,
        error=error,
        awaiting=by_status.get(NominationStatus.AWAITING_ACCEPTANCE, 0),
        submitted=by_status.get(NominationStatus.SUBMITTED, 0),
        undecided_note=undecided_note,
        allowed=refusal is None,
    ), status
