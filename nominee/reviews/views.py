"""The review blueprint: appointments, assignment, the dashboard and the reviewer's page."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from typing import Any

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
from markupsafe import Markup, escape
from sqlalchemy.orm import Session

from nominee import clock, i18n
from nominee.accounts.models import User
from nominee.awards import rules as award_rules
from nominee.categories.models import Category
from nominee.charts import activity_chart
from nominee.contributions import queries as contributions
from nominee.cycles.models import Cycle, CycleStatus
from nominee.errors import DomainError, PermissionDenied
from nominee.i18n import _, ngettext
from nominee.impact import rules as impact
from nominee.nominations import rules as nomination_rules
from nominee.nominations.models import Nomination, NominationStatus
from nominee.pagecache import members_page
from nominee.reviews import calibration as calibration_words
from nominee.reviews import queries, rules, services
from nominee.reviews.forms import (
    SCORE_LABELS,
    AppointForm,
    AssignForm,
    AssignmentFilterForm,
    ButtonForm,
    ClearConflictForm,
    ConflictForm,
    QueueForm,
    SelectionForm,
    review_form,
)
from nominee.reviews.models import (
    Confidence,
    Recommendation,
    ReviewerAppointment,
    ReviewStatus,
)
from nominee.reviews.queries import SCORE_BASES, SCORE_SORTS, SORTS, Filters
from nominee.reviews.rules import Standing
from nominee.templating import kept_fragment, member_name
from nominee.uow import get_cache, get_session, refuse
from nominee.web import (
    attach_error,
    choices,
    flash_form_errors,
    login_required,
    organizer_required,
    page_number,
    redirect_next,
    url_pattern,
)

bp = Blueprint("reviews", __name__)


def _me() -> User:
    return current_user._get_current_object()


def _cycle(cycle_id: int) -> Cycle:
    return get_session().get(Cycle, cycle_id) or abort(404)


def _nomination(cycle_id: int, nomination_id: int) -> Nomination:
    return queries.panel_nomination(get_session(), cycle_id, nomination_id) or abort(404)


@bp.get("/review")
@login_required
def index():
    user = _me()
    if not user.is_reviewer:
        abort(403)
    return render_template("reviews/index.html", cycles=queries.review_cycles(get_session(), user))


# Appointments


def _reviewer_choices(session: Session) -> list[tuple[int, str]]:
    worded = _("%(name)s (%(role)s)")  # translated once for every reviewer
    return [
        (
            row.id,
            worded
            % {
                "name": member_name(
                    name=row.display_name, user_id=row.id, holders=row.name_holders, plain=True
                ),
                "role": row.role.label.lower(),
            },
        )
        for row in queries.appointable_reviewers(session)
    ]


def _appoint_form(session: Session, cycle: Cycle) -> AppointForm:
    form = AppointForm()
    form.reviewer_id.choices = choices(_reviewer_choices(session))
    form.category_id.choices = choices(
        [(0, _("All categories")), *((c.id, c.name) for c in cycle.categories)]
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
                    raise DomainError(_("Choose a reviewer from the list."), field="reviewer_id")
                services.appoint(session, _me(), cycle, reviewer, category)
            except DomainError as exc:
                attach_error(form, exc)
                status = exc.status
            else:
                if category:
                    done = _(
                        "%(name)s is appointed for %(category)s.",
                        name=reviewer.display_name,
                        category=category.name,
                    )
                else:
                    done = _(
                        "%(name)s is appointed for all categories.", name=reviewer.display_name
                    )
                flash(done, "success")
                return redirect(url_for("reviews.reviewers", cycle_id=cycle.id))
    loads = queries.reviewer_loads(session, cycle)
    return render_template(
        "reviews/reviewers.html",
        cycle=cycle,
        form=form,
        loads=loads,
        # By name, as the loads are: each load's appointments.
        appointments=[appointment for load in loads for appointment in load.appointments],
        button=ButtonForm(formdata=None),
        editable=cycle.status in rules.APPOINTABLE_CYCLE_STATUSES,
        remove_url=url_pattern("reviews.remove_reviewer", "appointment_id", cycle_id=cycle.id),
        drafts_words=_drafts_words(),
    ), status


def _drafts_words():
    """A number of drafts ("3 drafts"), worded once per number on the page, as
    ``{% trans %}`` would."""
    words: dict[int, Markup] = {}

    def worded(count: int) -> Markup:
        if count not in words:
            words[count] = Markup(
                ngettext("%(count)s draft", "%(count)s drafts", count, count=count)
            )
        return words[count]

    return worded


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
            refuse()
            flash(exc.message, "error")
        else:
            if removed:
                done = ngettext(
                    "%(name)s's appointment is removed and unassigned from %(num)d nomination.",
                    "%(name)s's appointment is removed and unassigned from %(num)d nominations.",
                    removed,
                    name=name,
                )
            else:
                done = _("%(name)s's appointment is removed.", name=name)
            flash(done, "success")
    else:
        flash_form_errors(form)
    return redirect(url_for("reviews.reviewers", cycle_id=cycle_id))


# Assignment


@bp.get("/cycles/<int:cycle_id>/assignments")
@organizer_required
def assignments(cycle_id: int):
    session = get_session()
    # With its categories (the filter's choices) in the same query.
    cycle = queries.cycle_with_categories(session, cycle_id) or abort(404)
    form = AssignmentFilterForm(request.args)
    categories = ((0, _("All categories")), *((c.id, c.name) for c in cycle.categories))
    form.category.choices = choices(categories)
    form.validate()
    found = queries.assignments_page(
        session,
        cycle,
        _me(),
        category_id=None if form.category.errors else form.category.data,
        understaffed=bool(form.understaffed.data),
        page=page_number(),
        per_page=current_app.config["PER_PAGE"],
    )
    names, plain_names = MemberNames(), MemberNames(plain=True)
    return render_template(
        "reviews/assignments.html",
        cycle=cycle,
        form=form,
        filter_fields=_filter_fields(form, categories),
        page=found.page,
        rows=found.page.items,
        loads=found.loads,
        average=found.average,
        button=ButtonForm(formdata=None),
        can_assign=cycle.status is CycleStatus.IN_REVIEW,
        left_out=found.left_out,
        clearable=queries.clearable,
        reviewer_options=_reviewer_options(found.loads),
        ReviewStatus=ReviewStatus,
        names=names,
        plain_names=plain_names,
        panel_items=_panel_items(
            names, plain_names, can_assign=cycle.status is CycleStatus.IN_REVIEW
        ),
        review_url=url_pattern("reviews.review", "nomination_id", cycle_id=cycle.id),
        unassign_url_of=url_pattern("reviews.unassign", "nomination_id", cycle_id=cycle.id),
        assign_url=url_pattern("reviews.assign", "nomination_id", cycle_id=cycle.id),
        # The words a row repeats around names, translated once (each row fills them in,
        # escaped, as ``_`` in the template would).
        labels={
            "clear_conflict": _filled(_("the conflict of %(reviewer)s on %(nominee)s")),
            "reviewer_for": _filled(_("Reviewer for %(nominee)s")),
        },
        done_of_needed=_done_of_needed(cycle.reviewers_per_nomination),
    )


def _filter_fields(form: AssignmentFilterForm, categories: tuple[tuple[int, str], ...]) -> Markup:
    """The filter's fields, written once per process for what they show
    (``kept_fragment``): the ``categories`` to choose from (id, name), what was chosen and
    what was wrong with it (WTForms wrote the dozen options of the select again on every
    page)."""
    category, understaffed = form.category, form.understaffed
    return kept_fragment(
        (
            "assignment-filters",
            categories,
            category.data,
            tuple(map(str, category.errors)),
            understaffed.data,
            tuple(understaffed.raw_data or ()),
            tuple(map(str, understaffed.errors)),
        ),
        lambda: Markup("\n  ").join(
            get_template_attribute("_macros.html", "field")(f) for f in (category, understaffed)
        ),
    )


class MemberNames(dict):
    """``member_name(member, plain)`` by member, each one's written once for the page (the
    assignments page names the same reviewers in many rows); ``plain``: escaped once, for
    the words around them (``_filled``)."""

    def __init__(self, plain: bool = False):
        super().__init__()
        self.plain = plain

    def __missing__(self, member: Any) -> Markup | str:
        name = self[member] = (
            escape(member_name(member, True)) if self.plain else member_name(member)
        )
        return name


def _filled(words: str):
    """``words`` (translated) with its ``%(name)s`` filled in, each value escaped, as
    ``Markup(words) % values`` writes them; at a third of its cost (``Markup.__mod__``
    wraps every value in a helper): a page fills in dozens."""
    text = str(words)

    def fill(**values: Any) -> Markup:
        return Markup(text % {name: escape(value) for name, value in values.items()})

    return fill


def _done_of_needed(needed: int):
    """A panel's size of the ``needed`` ("2 of 3"), worded once per size on the page."""
    words: dict[int, Markup] = {}

    def worded(done: int) -> Markup:
        if done not in words:
            words[done] = Markup(_("%(done)s of %(needed)s", done=done, needed=needed))
        return words[done]

    return worded


def _panel_items(names: MemberNames, plain_names: MemberNames, can_assign: bool):
    """The items of a row's panel: each assigned reviewer's name, their review's status
    and, ``can_assign``, the form that unassigns them.

    Written here, an f-string an item, rather than in the template: Jinja escaped and
    wrote the eight values of an item one by one, and a page lists 75 items (half of the
    rows' rendering). The template gives what it writes itself: the statuses' tags
    (``status_tags``), the forms' hidden fields, the way back and the button's word."""
    words = str(_("%(reviewer)s from %(nominee)s"))

    def items(
        assigned: list[tuple[Any, ReviewStatus | None]],
        unassign_url: str,
        nominee: str,
        status_tags: dict[ReviewStatus | None, Markup],
        hidden: Markup,
        back: str,
        unassign_word: str,
    ) -> Markup:
        url, back, word, hidden = (
            escape(unassign_url),
            escape(back),
            escape(unassign_word),
            escape(hidden),
        )
        nominee = escape(nominee)
        tags = {status: escape(tag) for status, tag in status_tags.items()}
        written = []
        for reviewer, status in assigned:
            item = f"        <li>{names[reviewer]} · {tags[status]}\n"
            if can_assign:
                label = words % {"reviewer": plain_names[reviewer], "nominee": nominee}
                item += (
                    f'          <form method="post" action="{url}" class="inline">\n'
                    f"            {hidden}\n"
                    '            <input type="hidden" name="reviewer_id"'
                    f' value="{int(reviewer.id)}">\n'
                    f'            <input type="hidden" name="next" value="{back}">\n'
                    f'            <button type="submit" class="link-button">{word}'
                    f'<span class="visually-hidden"> {label}</span></button>\n'
                    "          </form>\n"
                )
            written.append(f"{item}        </li>\n")
        return Markup("".join(written))

    return items


def _reviewer_options(loads: list[queries.Load]):
    """The assign selects' options: a row's candidates are appointed reviewers, whose
    ``<option>`` is written once for the page (25 rows may list 40 candidates each), the
    name escaped in an f-string (``Markup % values`` took three times as long)."""
    written = {
        load.reviewer.id: f'<option value="{load.reviewer.id}">'
        f"{escape(member_name(load.reviewer, True))}</option>"
        for load in loads
    }
    # Joined as text: every piece is escaped already, which ``Markup.join`` would check
    # (and escape) again, piece by piece (a thousand options a page).
    return lambda candidates: Markup("".join([written[reviewer.id] for reviewer in candidates]))


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
            refuse()
            flash(exc.message, "error")
        else:
            sentences = [
                ngettext(
                    "%(num)d assignment added.", "%(num)d assignments added.", len(result.added)
                )
            ]
            if result.short:
                sentences.append(
                    ngettext(
                        "%(num)d nomination has fewer than %(needed)d reviewers: no other "
                        "appointed reviewer without a conflict is left for it.",
                        "%(num)d nominations have fewer than %(needed)d reviewers: no other "
                        "appointed reviewer without a conflict is left for them.",
                        len(result.short),
                        needed=cycle.reviewers_per_nomination,
                    )
                )
            if result.left_out:
                sentences.append(
                    ngettext(
                        "%(num)d nomination you are conflicted on is left for another organizer.",
                        "%(num)d nominations you are conflicted on are left for another organizer.",
                        result.left_out,
                    )
                )
            flash(" ".join(sentences), "success" if not result.short else "info")
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
        refuse()
        flash(exc.message, "error")
    else:
        names = {"name": reviewer.display_name, "nominee": nomination.nominee.display_name}
        if assigning:
            done = _("%(name)s is assigned to %(nominee)s's nomination.", **names)
        else:
            done = _("%(name)s is unassigned from %(nominee)s's nomination.", **names)
        flash(done, "success")
    return redirect_next(default)


@bp.post("/cycles/<int:cycle_id>/nominations/<int:nomination_id>/assign")
@organizer_required
def assign(cycle_id: int, nomination_id: int):
    return _change_assignment(cycle_id, nomination_id, assigning=True)


@bp.post("/cycles/<int:cycle_id>/nominations/<int:nomination_id>/unassign")
@organizer_required
def unassign(cycle_id: int, nomination_id: int):
    return _change_assignment(cycle_id, nomination_id, assigning=False)


@bp.route(
    "/cycles/<int:cycle_id>/nominations/<int:nomination_id>/conflicts/<int:reviewer_id>/clear",
    methods=["GET", "POST"],
)
@organizer_required
def clear_conflict(cycle_id: int, nomination_id: int, reviewer_id: int):
    """An organizer clears a reviewer's detected conflict on one nomination, with a reason."""
    session = get_session()
    nomination = _nomination(cycle_id, nomination_id)
    reviewer = session.get(User, reviewer_id) or abort(404)
    if queries.conflicted_on(session, nomination, _me()):
        raise PermissionDenied(_(services.CONFLICTED_ORGANIZER))
    form = ClearConflictForm()
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate_on_submit():
            try:
                services.clear_conflict(
                    session, _me(), nomination, reviewer, form.reason.data or ""
                )
            except PermissionDenied:
                raise
            except DomainError as exc:
                attach_error(form, exc)
                status = exc.status
            else:
                flash(
                    _(
                        "The conflict of %(name)s on %(nominee)s's nomination is cleared.",
                        name=reviewer.display_name,
                        nominee=nomination.nominee.display_name,
                    ),
                    "success",
                )
                return redirect(url_for("reviews.assignments", cycle_id=cycle_id))
    found = queries.causes(session, nomination, reviewer.id, cleared=False)
    return render_template(
        "reviews/clear_conflict.html",
        cycle=nomination.cycle,
        nomination=nomination,
        reviewer=reviewer,
        causes=found,
        clearable=queries.clearable(found),
        form=form,
    ), status


# The dashboard


def _filters(form: QueueForm) -> Filters:
    """The valid filters of ``form``; an invalid value falls back to its default."""
    form.validate()

    def valid(field, default=None):
        return default if field.errors else field.data

    min_score = valid(form.min_score)
    return Filters(
        category_id=valid(form.category) or None,
        status=None if form.status.errors else form.status_value(),
        assigned_to_me=bool(form.mine.data),
        not_reviewed_by_me=bool(form.unreviewed.data),
        disagreement=bool(form.disagreement.data),
        flagged=bool(form.flagged.data),
        sort=valid(form.sort, "id"),
        descending=valid(form.order, "asc") == "desc",
        min_score=float(min_score) if min_score is not None else None,
        score_basis=valid(form.basis, "raw"),
    )


DEFAULT_SELECTED = 10
MAX_SELECTED = 100


def _selection(form: SelectionForm, filters: Filters) -> tuple[str, int, Filters]:
    """The selection helper asked for (``""``: none), how many, and the filters it needs:
    the top N are the first N undecided by calibrated score, best first; the unanimous
    ones are among the undecided."""
    form.validate()
    helper = "" if form.select.errors else form.select.data or ""
    top = form.top.data if not form.top.errors and form.top.data else DEFAULT_SELECTED
    top = min(max(1, top), MAX_SELECTED)
    if helper == "top":
        filters = replace(filters, sort="calibrated", descending=True)
    if helper:
        filters = replace(filters, status=NominationStatus.IN_REVIEW)
    return helper, top, filters


def _selected(helper: str, top: int, page) -> set[int]:
    """The ids the selection helper ticks on this page of the queue."""
    if helper == "top":
        first = (page.page - 1) * page.per_page
        return {
            row.Nomination.id
            for index, row in enumerate(page.items)
            if first + index < top and row.Nomination.score_mean is not None
        }
    if helper == "unanimous":
        return {
            row.Nomination.id
            for row in page.items
            if row.Nomination.reviews_submitted
            and row.Nomination.recommend_award == row.Nomination.reviews_submitted
        }
    return set()


# Two pieces of the dashboard show nothing but the request's filters, the user's kind
# of view and words, in the reader's language: the filter form's fields (their values,
# errors and choices) and the queue's header row (its sort links). They are the same for
# every request that asks the same, so each is rendered once and kept in the shared
# cache under a key made of all it shows (it cannot go stale: what it shows is its key).
KEPT_HTML_SECONDS = 3600


def _kept_html(template: str, shows: Any, **context: Any) -> Markup:
    """``template`` rendered with ``context``, kept under ``shows`` (all it depends on,
    besides the reader's language)."""
    described = repr((template, i18n.current().language, shows))
    key = "dashboard-html:" + hashlib.sha256(described.encode()).hexdigest()
    cache = get_cache()
    kept = cache.get(key)
    if kept is None:
        kept = render_template(template, **context)
        cache.set(key, kept, KEPT_HTML_SECONDS)
    return Markup(kept)


def _queue_fields(form: QueueForm, **shown: bool) -> Markup:
    """The filter fields of the dashboard's form (``shown``: which of them the user gets)."""
    fields = [
        (
            f.name,
            f.raw_data,
            repr(f.data),
            [str(error) for error in f.errors],
            getattr(f, "choices", None),
        )
        for f in form
    ]
    return _kept_html(
        "reviews/_queue_filters.html", (sorted(shown.items()), fields), form=form, **shown
    )


# A sort header's link: the dashboard's address with these in place of the sort and order.
_SORT_MARK = "zsortz"
_ORDER_MARK = "zorderz"


def _queue_head(cycle_id: int, filters: Filters, calibration: bool, bulk: bool) -> Markup:
    """The queue's header row. Each sortable column links to the current filters, on page
    1, sorted by that column (descending first, ascending for names; the current sort
    reversed): the links are built from one ``url_for``."""
    args: dict[str, Any] = request.args.to_dict()
    args.update(sort=_SORT_MARK, order=_ORDER_MARK, page="1")
    pattern = url_for("reviews.dashboard", cycle_id=cycle_id, **args)

    def sort_url(key: str) -> str:
        same = filters.sort == key
        order = "asc" if same and filters.descending else "desc"
        if not same and key in ("nominee", "category", "id"):
            order = "asc"
        return pattern.replace(_SORT_MARK, key).replace(_ORDER_MARK, order)

    return _kept_html(
        "reviews/_queue_head.html",
        (pattern, filters.sort, filters.descending, calibration, bulk),
        filters=filters,
        sort_url=sort_url,
        calibration=calibration,
        bulk=bulk,
    )


def _row_rules(user: User, cycle: Cycle, rows) -> tuple[dict[int, str], set[int]]:
    """What the rules say of each row of the queue, worked out once for the page: the
    status line under a nominee (where the status ``user`` sees is not "in review"), and
    the nominations whose scores are hidden from ``user``."""
    notes: dict[int, str] = {}
    blinded: set[int] = set()
    # Rule 5 for the whole cycle at once: nobody but organizers knows a decision yet.
    hidden = nomination_rules.decisions_hidden(user, cycle)
    for row in rows:
        nomination = row.Nomination
        shown = (
            nomination_rules.as_undecided(nomination.status)
            if hidden
            else nomination_rules.shown_status(user, nomination)
        )
        if shown is not NominationStatus.IN_REVIEW:
            notes[nomination.id] = nomination_rules.status_text(shown, row.revoked_at)
        if not rules.sees_scores(user, row.my_reads_others):
            blinded.add(nomination.id)
    return notes, blinded


@bp.get("/cycles/<int:cycle_id>/dashboard")
@login_required
@members_page
def dashboard(cycle_id: int):
    session = get_session()
    user = _me()
    cycle = queries.cycle_with_categories(session, cycle_id) or abort(404)
    scope = queries.scope_of(session, cycle.id, user.id)
    if not rules.can_see_queue(user, appointed=scope.appointed):
        abort(403)
    categories = queries.queue_categories(cycle, user, scope)
    form = QueueForm(request.args, calibrated=user.is_organizer)
    form.category.choices = choices(
        [(0, _("All categories")), *((c.id, c.name) for c in categories)]
    )
    filters = _filters(form)
    # Bulk decisions: organizers, while decisions are taken (``awards.rules``).
    bulk = user.is_organizer and award_rules.decisions_open(cycle)
    selection = SelectionForm(request.args)
    helper, top, filters = _selection(selection, filters) if bulk else ("", 0, filters)
    board = queries.dashboard(
        session,
        cycle,
        user,
        scope,
        filters,
        page_number(),
        current_app.config["PER_PAGE"],
    )
    filters = board.filters
    if helper:
        # The form shows the order and status the helper chose.
        form.sort.data = filters.sort
        form.order.data = "desc" if filters.descending else "asc"
        form.status.data = filters.status.value if filters.status else ""

    status_notes, blinded = _row_rules(user, cycle, board.page.items)
    return render_template(
        "reviews/dashboard.html",
        cycle=cycle,
        form=form,
        filters=filters,
        page=board.page,
        progress=board.progress,
        overall=board.overall,
        scope=scope,
        queue_head=_queue_head(cycle.id, filters, board.calibration is not None, bulk),
        queue_fields=_queue_fields(
            form,
            status_filter=board.status_filter,
            appointed=scope.appointed,
            calibration=board.calibration is not None,
        ),
        sorts=SORTS,
        score_sorts=SCORE_SORTS,
        status_filter=board.status_filter,
        status_notes=status_notes,
        blinded=blinded,
        ReviewStatus=ReviewStatus,
        calibration=board.calibration,
        score_bases=SCORE_BASES,
        bulk=bulk,
        selection=selection,
        selected=_selected(helper, top, board.page) if helper else set(),
        helper=helper,
        top=top,
        review_url=url_pattern("reviews.review", "nomination_id", cycle_id=cycle.id),
        # The decide page's "next undecided" follows the dashboard's order.
        decide_url=(
            url_pattern(
                "awards.decide",
                "nomination_id",
                sort=filters.sort,
                order="desc" if filters.descending else "asc",
            )
            if user.is_organizer
            else None
        ),
    )


# Calibration


@bp.get("/cycles/<int:cycle_id>/calibration")
@organizer_required
def calibration(cycle_id: int):
    """Each reviewer's figures beside the panel's, in words (organizers)."""
    session = get_session()
    cycle = _cycle(cycle_id)
    excluded = queries.conflicted_ids(session, cycle, _me())
    found = queries.cycle_calibration(session, cycle.id, excluded)
    reviewers = queries.reviewer_rows(session, found.reviewers)
    # The rows say each reviewer's figures in words: written once per process for the
    # figures and names themselves (the same until a review is submitted or a name changes).
    figures = tuple((tuple(row), found.reviewers[row.id]) for row in reviewers)
    rows_html = kept_fragment(
        ("calibration", figures),
        lambda: get_template_attribute("reviews/_macros.html", "calibration_rows")(
            reviewers, found.reviewers, calibration_words
        ),
    )
    return render_template(
        "reviews/calibration.html",
        cycle=cycle,
        calibration=found,
        reviewers=reviewers,
        rows_html=rows_html,
        left_out=len(excluded),
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
    position: Standing = queries.open_as_panel(session, user, nomination) or abort(404)
    form = review_form(cycle.criteria)
    status = 200
    if request.method == "POST":
        # Refused before the form is read; a final review is refused by the service.
        if refusal := rules.review_refusal(user, nomination, position, clock.programme_today()):
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
                attach_error(form, exc)
                status = exc.status
            else:
                if saved.status is ReviewStatus.DRAFT:
                    flash(_("Your draft is saved. Submit it when you are done."), "success")
                elif saved.reads_others:
                    flash(_("Your review is submitted. The other reviews are below."), "success")
                else:
                    flash(
                        _(
                            "Your abstention is submitted. Without every score, the other "
                            "reviews stay closed to you."
                        ),
                        "success",
                    )
                return redirect(
                    url_for("reviews.review", cycle_id=cycle.id, nomination_id=nomination.id)
                )
    reviews = queries.reviews_of(session, nomination)
    own = next((r for r in reviews if r.reviewer_id == user.id), None)
    refusal = rules.review_refusal(user, nomination, position, clock.programme_today(), own)
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
        stats=rules.stats_from_reviews(cycle.criteria, reviews) if reading else [],
        **_dossier_html(session, nomination),
        history=queries.other_nominations(session, nomination, user),
        awards=queries.awards(session, nomination.nominee_id),
        conflict_form=ConflictForm(formdata=None),
        clearances=list(queries.clearances(session, [nomination.id]).values())
        if position.cleared_here
        else [],
        can_declare=rules.can_declare_conflict(user, nomination, position),
        score_labels=SCORE_LABELS,
        today=clock.today(),
    ), status


def _dossier_html(session: Session, nomination: Nomination) -> dict[str, Markup]:
    """The parts of the reviewer's page that are the same for every reader of the
    nomination: its impact score, evidence, the nominee's activity and the endorsements
    they received. Each is written once per process for what it shows (``kept_fragment``:
    the figures themselves are the key), as each of the panel reads the page again,
    after every draft they save too."""
    cycle, nominee = nomination.cycle, nomination.nominee
    name, start, end = nominee.display_name, cycle.lookback_start, cycle.nominations_close_on
    breakdown = nomination.impact_breakdown
    percentile = nomination.impact_percentile
    evidence = tuple(queries.evidence(session, nomination))
    # The nominee's activity, private contributions too, as their own page keeps it.
    rows = tuple(
        contributions.member_activity_rows(session, get_cache(), nominee, True, start, end)
    )
    endorsements = queries.endorsements_received(session, nominee, cycle, get_cache())
    return {
        "impact_html": kept_fragment(
            ("impact", json.dumps(breakdown, sort_keys=True), percentile, name),
            lambda: get_template_attribute("impact/_review_score.html", "review_score")(
                impact.breakdown_from_json(breakdown), percentile, name
            ),
        ),
        "evidence_html": kept_fragment(
            ("evidence", evidence),
            lambda: get_template_attribute("reviews/_macros.html", "evidence_table")(evidence),
        ),
        "chart_html": kept_fragment(
            ("activity", name, start, end, rows),
            lambda: get_template_attribute("_charts.html", "activity_chart")(
                activity_chart(start, end, rows), name, start, end
            ),
        ),
        "endorsements_html": kept_fragment(
            (
                "endorsements",
                name,
                endorsements.distinct,
                endorsements.total,
                tuple(endorsements.endorsers),
            ),
            lambda: get_template_attribute("reviews/_macros.html", "endorsements_received")(
                endorsements, name
            ),
        ),
    }


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
        services.declare_conflict(session, _me(), nomination, form.reason.data or "")
    except PermissionDenied:
        raise
    except DomainError as exc:
        refuse()
        flash(exc.message, "error")
        return redirect(back)
    flash(_("Your conflict is recorded; the nomination left your queue."), "success")
    return redirect(url_for("reviews.dashboard", cycle_id=cycle_id))
