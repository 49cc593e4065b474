from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload, selectinload

from nominee import clock
from nominee.accounts.models import User
from nominee.appeals import queries as appeal_queries
from nominee.appeals import rules as appeal_rules
from nominee.awards import rules as awards_rules
from nominee.contributions.models import Contribution
from nominee.cycles import rules as cycle_rules
from nominee.cycles.models import Cycle
from nominee.errors import DomainError
from nominee.extensions import limiter
from nominee.i18n import _
from nominee.nominations import queries, rules, services
from nominee.nominations.forms import (
    AcceptForm,
    DeclineForm,
    EvidenceForm,
    MemberSearchForm,
    NominateForm,
    WithdrawForm,
)
from nominee.nominations.models import (
    Nomination,
    NominationEvent,
    NominationEvidence,
    NominationStatus,
)
from nominee.reviews import queries as review_queries
from nominee.uow import get_session
from nominee.web import attach_error, choices, given, id_arg, login_required

APPEALABLE = (NominationStatus.DECLINED, NominationStatus.AWARDED)

bp = Blueprint("nominations", __name__)


# Nomination statuses as every page words them (a revoked award shows on its nomination).
bp.add_app_template_global(rules.status_text, "status_text")
bp.add_app_template_global(rules.revoked_label, "revoked_label")
bp.add_app_template_global(rules.note_text, "note_text")


def _actor() -> User:
    return current_user._get_current_object()


def _nomination(nomination_id: int, with_evidence: bool = True) -> Nomination:
    """The nomination, or 404 for anybody who may not see it (403 for a conflicted
    reviewer, as on the panel's page); its evidence loaded unless ``with_evidence`` is
    False (the nomination page reads it as plain rows)."""
    session = get_session()
    evidence = (
        [
            selectinload(Nomination.evidence)
            .selectinload(NominationEvidence.contribution)
            .selectinload(Contribution.type)
        ]
        if with_evidence
        else []
    )
    nomination = session.get(
        Nomination,
        nomination_id,
        options=[
            *evidence,
            selectinload(Nomination.events).selectinload(NominationEvent.actor),
            joinedload(Nomination.award),
            joinedload(Nomination.cycle),
            joinedload(Nomination.category),
        ],
    )
    if nomination is None or not rules.can_view(current_user, nomination):
        abort(404)
    if rules.reads_as_panel(current_user, nomination):
        if review_queries.open_as_panel(session, _actor(), nomination) is None:
            abort(404)
    return nomination


def _template_rules(conflicted: bool = False) -> dict:
    user = current_user
    return {
        "status_of": lambda n: rules.shown_status(user, n, conflicted=conflicted),
        "can_respond": lambda n: rules.can_respond(user, n),
        "can_withdraw": lambda n: rules.can_withdraw(user, n),
        "can_change_evidence": lambda n: rules.can_change_evidence(user, n),
    }


def _run(form, operation):
    """Call a service (the request commits it); on refusal show it on the form (and
    refuse the request: what the service flushed rolls back).

    Returns the service's result (None when refused) and the status to re-render with.
    """
    session = get_session()
    try:
        result = operation(session)
    except DomainError as exc:
        attach_error(form, exc)
        return None, exc.status
    return result, 302


@bp.route("/cycles/<int:cycle_id>/nominate", methods=["GET", "POST"])
@login_required
@limiter.limit(lambda: current_app.config["RATELIMIT_NOMINATE"], methods=["POST"])
def nominate(cycle_id: int):
    session = get_session()
    cycle = session.get(Cycle, cycle_id)
    if cycle is None or not cycle_rules.can_see(current_user, cycle):
        abort(404)
    if refusal := rules.why_not_nominate(cycle):
        raise refusal
    actor = _actor()
    if refusal := rules.why_not_nominate_as(actor):
        raise refusal
    form = NominateForm()
    form.category_id.choices = choices((c.id, c.name) for c in cycle.categories)
    # Announced before anyone writes a statement (issue 20): the peer nominations left.
    peers_made = services.peer_nominations_made(session, actor.id, cycle.id)
    peers_left = max(0, cycle.peer_nomination_limit - peers_made)
    if request.method == "GET":
        chosen = id_arg("nominee")
        if chosen is None:
            search = MemberSearchForm(request.args)
            query = search.q.data if search.validate() and peers_left else ""
            results = services.search_members(session, query or "", exclude_id=actor.id)
            return render_template(
                "nominations/choose.html",
                cycle=cycle,
                search=search,
                results=results,
                peers_made=peers_made,
                peers_left=peers_left,
            )
        form.nominee_id.data = chosen
    nominee = session.get(User, form.nominee_id.data) if form.nominee_id.data else None
    if request.method == "GET" and (nominee is None or not nominee.is_active_account):
        abort(404)
    is_self = nominee is not None and nominee.id == actor.id
    status = 200
    if form.validate_on_submit():
        created, status = _run(
            form,
            lambda s: services.nominate(
                s,
                actor,
                cycle,
                category_id=form.category_id.data,
                nominee_id=given(form.nominee_id.data),
                statement_md=given(form.statement_md.data),
                evidence_ids=(form.evidence.data or []) if is_self else [],
            ),
        )
        if created is not None:
            if is_self:
                flash(_("Your nomination is submitted. Good luck!"), "success")
            else:
                flash(
                    _("%(name)s is nominated and notified.", name=given(nominee).display_name),
                    "success",
                )
            return redirect(url_for("nominations.show", nomination_id=created.id))
    elif request.method == "POST":
        status = 400
    return render_template(
        "nominations/nominate.html",
        cycle=cycle,
        form=form,
        nominee=nominee,
        is_self=is_self,
        eligible=services.eligible_evidence(session, cycle, actor.id) if is_self else [],
        peers_made=peers_made,
        peers_left=peers_left,
    ), status


@bp.get("/nominations/mine")
@login_required
def mine():
    mine = queries.nominations_of_member(get_session(), current_user.id)
    return render_template(
        "nominations/mine.html",
        about_me=mine.about_me,
        made=mine.made,
        **_template_rules(),
    )


@bp.get("/nominations/<int:nomination_id>")
@login_required
def show(nomination_id: int):
    nomination = _nomination(nomination_id, with_evidence=False)
    user = current_user
    contributions = queries.evidence_items(
        get_session(), nomination.id, as_panel=rules.sees_panel_copy(user)
    )
    if not rules.can_see_private_evidence(user, nomination):
        shown = [c for c in contributions if c.is_public]
    else:
        shown = contributions
    # Rule 9: an organizer conflicted on it knows no more of it than a member.
    conflicted = user.is_organizer and review_queries.conflicted_on(get_session(), nomination, user)
    hide_decisions = not rules.sees_decision(user, nomination, conflicted=conflicted)
    events = sorted(nomination.events, key=lambda e: (e.created_at, e.id))
    if hide_decisions:
        events = [
            e
            for e in events
            if e.to_status not in rules.DECISIONS and e.from_status not in rules.DECISIONS
        ]
    appeal, may_appeal, appeal_ends = None, False, None
    if (
        nomination.status in APPEALABLE
        and rules.decisions_public(nomination.cycle)
        and (user.id == nomination.nominee_id or user.is_organizer)
    ):
        # Only a published decision has an appeal, which its nominee and the organizers
        # see: no query before that.
        appeal = appeal_queries.appeal_of(get_session(), nomination.id)
        may_appeal = appeal_rules.appeal_refusal(user, nomination, appeal, clock.today()) is None
        appeal_ends = appeal_rules.last_day(nomination.cycle)
    return render_template(
        "nominations/show.html",
        nomination=nomination,
        appeal=appeal,
        may_appeal=may_appeal,
        appeal_ends=appeal_ends,
        evidence=shown,
        totals=services.totals(get_session(), nomination, shown, len(contributions)),
        events=events,
        hide_decisions=hide_decisions,
        can_decide=awards_rules.can_decide(user, nomination, conflicted=conflicted),
        sees_feedback=not hide_decisions
        and (user.id == nomination.nominee_id or user.is_organizer),
        reviewer_feedback=review_queries.nominee_feedback(get_session(), nomination, user),
        **_template_rules(conflicted=conflicted),
    )


def _evidence_page(template: str, nomination: Nomination, form, status: int, **extra):
    eligible = services.eligible_evidence(get_session(), nomination.cycle, nomination.nominee_id)
    return render_template(
        template, nomination=nomination, form=form, eligible=eligible, **extra
    ), status


@bp.route("/nominations/<int:nomination_id>/accept", methods=["GET", "POST"])
@login_required
def accept(nomination_id: int):
    nomination = _nomination(nomination_id)
    if refusal := rules.why_not_respond(current_user, nomination):
        raise refusal
    form = AcceptForm()
    status = 200
    if request.method == "GET":
        form.version.data = nomination.version
    elif form.validate_on_submit():
        done, status = _run(
            form,
            lambda s: services.accept(
                s,
                _actor(),
                nomination,
                evidence_ids=form.evidence.data or [],
                nominee_statement_md=form.nominee_statement_md.data or "",
                expected_version=given(form.version.data),
            ),
        )
        if done:
            flash(_("You accepted the nomination; it is submitted."), "success")
            return redirect(url_for("nominations.show", nomination_id=nomination.id))
    else:
        status = 400
    return _evidence_page("nominations/accept.html", nomination, form, status)


def _end_with_reason(nomination, form, service, template: str, message: str, then: str):
    """The confirmation page of declining or withdrawing, with an optional reason: on a
    valid POST the service ends the nomination and the member goes to ``then``."""
    status = 200
    if request.method == "GET":
        form.version.data = nomination.version
    elif form.validate_on_submit():
        done, status = _run(
            form,
            lambda s: service(
                s,
                _actor(),
                nomination,
                reason=form.reason.data or "",
                expected_version=given(form.version.data),
            ),
        )
        if done:
            flash(message, "success")
            return redirect(then)
    else:
        status = 400
    return render_template(template, nomination=nomination, form=form), status


@bp.route("/nominations/<int:nomination_id>/decline", methods=["GET", "POST"])
@login_required
def decline(nomination_id: int):
    """A confirmation, with an optional reason for the nominator, before declining."""
    nomination = _nomination(nomination_id)
    if refusal := rules.why_not_respond(current_user, nomination):
        raise refusal
    return _end_with_reason(
        nomination,
        DeclineForm(),
        services.refuse,
        "nominations/decline.html",
        _("You declined the nomination. The nominator is told."),
        url_for("nominations.mine"),
    )


@bp.route("/nominations/<int:nomination_id>/withdraw", methods=["GET", "POST"])
@login_required
def withdraw(nomination_id: int):
    nomination = _nomination(nomination_id)
    if refusal := rules.why_not_withdraw(current_user, nomination):
        raise refusal
    return _end_with_reason(
        nomination,
        WithdrawForm(),
        services.withdraw,
        "nominations/withdraw.html",
        _("The nomination is withdrawn."),
        url_for("nominations.show", nomination_id=nomination.id),
    )


@bp.route("/nominations/<int:nomination_id>/evidence", methods=["GET", "POST"])
@login_required
def evidence(nomination_id: int):
    nomination = _nomination(nomination_id)
    if refusal := rules.why_not_change_evidence(current_user, nomination):
        raise refusal
    form = EvidenceForm()
    status = 200
    if request.method == "GET":
        form.version.data = nomination.version
        form.evidence.data = [e.contribution_id for e in nomination.evidence]
    elif form.validate_on_submit():
        done, status = _run(
            form,
            lambda s: services.change_evidence(
                s,
                _actor(),
                nomination,
                form.evidence.data or [],
                expected_version=given(form.version.data),
            ),
        )
        if done:
            flash(_("Your evidence is saved."), "success")
            return redirect(url_for("nominations.show", nomination_id=nomination.id))
    else:
        status = 400
    return _evidence_page("nominations/evidence.html", nomination, form, status)
