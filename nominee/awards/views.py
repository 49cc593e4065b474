"""Decisions, the cycle's CSV export, public award pages and revocation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

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

from nominee import clock
from nominee.awards import badges, baking, export, queries, rules, services, sharing
from nominee.awards.forms import BulkDecisionForm, DecisionForm, RevokeForm
from nominee.awards.models import Award, AwardStatus
from nominee.credentials import services as credentials
from nominee.credentials.views import download_name, gone, issuer
from nominee.cycles.models import Cycle
from nominee.errors import Conflict, DomainError
from nominee.i18n import _, ngettext
from nominee.inputs import fits_integer
from nominee.jobs import links
from nominee.nominations.models import Decision, NominationKind
from nominee.nominations.rules import decisions_public
from nominee.pagecache import public_page
from nominee.programme.views import programme_name
from nominee.reviews import queries as review_queries
from nominee.reviews.queries import Filters
from nominee.uow import get_session, refuse
from nominee.web import (
    attach_error,
    given,
    organizer_required,
    page_number,
    shared_image,
    url_pattern,
)

bp = Blueprint("awards", __name__)


def _cycle(cycle_id: int) -> Cycle:
    return get_session().get(Cycle, cycle_id) or abort(404)


@bp.app_template_global("awards_today")
def awards_today() -> date:
    return clock.today()


@bp.get("/cycles/<int:cycle_id>/decisions")
@organizer_required
def decisions(cycle_id: int):
    """The nominations of a cycle that entered review, undecided first."""
    cycle = _cycle(cycle_id)
    undecided_only = request.args.get("show") == "undecided"
    listing = queries.decision_list(
        get_session(),
        cycle,
        current_user,
        undecided_only=undecided_only,
        page=page_number(),
        per_page=current_app.config["PER_PAGE"],
    )
    return render_template(
        "awards/decisions.html",
        cycle=cycle,
        page=listing.page,
        decided=listing.decided,
        total=listing.total,
        undecided_only=undecided_only,
        decisions_open=rules.decisions_open(cycle),
        left_out=listing.left_out,
        kind_labels={kind: kind.label for kind in NominationKind},
        decision_labels={decision: decision.label for decision in Decision},
        decide_url=url_pattern("awards.decide", "nomination_id"),
    )


def _dashboard_order() -> tuple[Filters, dict[str, Any]]:
    """The dashboard order the decide page came from (``sort``, ``order``), which "save
    and next undecided" follows; the received order when none or an unknown one."""
    sort = request.args.get("sort", "id")
    if sort not in review_queries.SORTS:
        sort = "id"
    descending = request.args.get("order") == "desc"
    return Filters(sort=sort, descending=descending), {
        "sort": sort,
        "order": "desc" if descending else "asc",
    }


@bp.route("/nominations/<int:nomination_id>/decide", methods=["GET", "POST"])
@organizer_required
def decide(nomination_id: int):
    session = get_session()
    user = current_user._get_current_object()
    nomination = queries.nomination_to_decide(session, nomination_id, user)
    if nomination is None:
        abort(404)
    order, order_args = _dashboard_order()
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
                user,
                nomination,
                decision=Decision(form.decision.data),
                rationale=given(form.rationale.data),
                feedback=form.feedback.data or "",
                version=given(form.version.data),
                override_reason=(form.override_reason.data or "") if form.override.data else None,
            )
        except DomainError as exc:
            attach_error(form, exc)
            status = exc.status
        else:
            saved = _(
                "Decision saved for %(nominee)s: %(decision)s.",
                nominee=nomination.nominee.display_name,
                decision=given(nomination.decision).label.lower(),
            )
            if request.form.get("action") != "next":
                flash(saved, "success")
                return redirect(url_for("awards.decisions", cycle_id=nomination.cycle_id))
            following = review_queries.next_undecided(
                session, nomination.cycle, user, order, nomination.id
            )
            if following is None:
                flash(
                    _("%(saved)s No undecided nomination is left in this cycle.", saved=saved),
                    "success",
                )
                return redirect(url_for("awards.decisions", cycle_id=nomination.cycle_id))
            flash(_("%(saved)s Here is the next undecided nomination.", saved=saved), "success")
            return redirect(url_for("awards.decide", nomination_id=following, **order_args))
    elif request.method == "POST":
        status = 400
    cycle = nomination.cycle
    reviews = queries.submitted_reviews_of(session, nomination.id)
    calibration = review_queries.cycle_calibration(
        session, cycle.id, review_queries.conflicted_ids(session, cycle, user)
    )
    return render_template(
        "awards/decide.html",
        nomination=nomination,
        cycle=cycle,
        form=form,
        refusal=rules.decision_refusal(user, nomination),
        shortfall=rules.review_shortfall(len(reviews), cycle.reviewers_per_nomination),
        criteria=review_queries.criterion_stats(session, nomination),
        reviews=reviews,
        evidence=review_queries.evidence(session, nomination),
        calibrated=calibration.of(nomination.id),
        ranked=len(calibration.nominations),
        order_args=order_args,
    ), status


def _id_value(value: str) -> int | None:
    """A form value that is a plain id (ASCII digits a database column holds), or None."""
    if not (value.isascii() and value.isdigit() and len(value) <= 12):
        return None
    number = int(value)
    return number if fits_integer(number) else None


def _bulk_ids() -> list[int]:
    return [
        found
        for value in request.form.getlist("nomination")
        if (found := _id_value(value)) is not None
    ]


def _bulk_versions(nominations) -> dict[int, int]:
    """The version of each nomination shown on the confirmation page."""
    versions = {}
    for nomination in nominations:
        found = _id_value(request.form.get(f"version-{nomination.id}", ""))
        if found is not None:
            versions[nomination.id] = found
    return versions


@bp.post("/cycles/<int:cycle_id>/decisions/bulk")
@organizer_required
def bulk_decide(cycle_id: int):
    """Award or decline the nominations ticked on the dashboard: first a confirmation
    page listing them, with one rationale and feedback for all; then, confirmed, each is
    decided as the decide page does it (``services.decide_many``)."""
    session = get_session()
    user = current_user._get_current_object()
    cycle = _cycle(cycle_id)
    dashboard = url_for("reviews.dashboard", cycle_id=cycle.id)
    nominations = queries.bulk_nominations(session, cycle, user, _bulk_ids())
    decision_value = request.form.get("decision", "")
    if decision_value not in {d.value for d in Decision}:
        flash(_("Choose “Award selected” or “Decline selected”."), "error")
        return redirect(dashboard)
    if not nominations:
        flash(_("Select at least one nomination to decide."), "error")
        return redirect(dashboard)
    decision = Decision(decision_value)
    confirming = request.form.get("action") == "confirm"
    form = BulkDecisionForm() if confirming else BulkDecisionForm(formdata=None)
    form.decision.data = decision.value
    refusals: dict[int, str] = {}
    status = 200
    if confirming:
        status = 400
        if form.validate_on_submit():
            try:
                services.decide_many(
                    session,
                    user,
                    nominations,
                    decision=decision,
                    rationale=given(form.rationale.data),
                    feedback=form.feedback.data or "",
                    versions=_bulk_versions(nominations),
                    override_reason=(
                        (form.override_reason.data or "") if form.override.data else None
                    ),
                )
            except services.BulkRefused as exc:
                refuse()
                refusals = exc.refusals
                form.form_errors.append(exc.message)
            except Conflict as exc:
                refuse()
                flash(_("%(reason)s Nothing was decided.", reason=exc.message), "error")
                return redirect(dashboard)
            else:
                count = len(nominations)
                if decision is Decision.AWARD:
                    done = ngettext(
                        "%(num)d nomination awarded. Each decision can still be changed on its "
                        "decide page.",
                        "%(num)d nominations awarded. Each decision can still be changed on its "
                        "decide page.",
                        count,
                    )
                else:
                    done = ngettext(
                        "%(num)d nomination declined. Each decision can still be changed on its "
                        "decide page.",
                        "%(num)d nominations declined. Each decision can still be changed on its "
                        "decide page.",
                        count,
                    )
                flash(done, "success")
                return redirect(url_for("awards.decisions", cycle_id=cycle.id))
    calibration = review_queries.cycle_calibration(
        session, cycle.id, review_queries.conflicted_ids(session, cycle, user)
    )
    return render_template(
        "awards/bulk_decide.html",
        cycle=cycle,
        form=form,
        decision=decision,
        nominations=nominations,
        calibration=calibration,
        refusals=refusals,
        shortfalls={
            n.id: rules.review_shortfall(n.reviews_submitted, cycle.reviewers_per_nomination)
            for n in nominations
        },
        refusal_of={n.id: rules.decision_refusal(user, n) for n in nominations},
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
    return queries.find_public_award(get_session(), verification_id) or abort(404)


def badge_facts(award: Award) -> badges.BadgeFacts:
    address = links.url("awards.verify", verification_id=award.verification_id)
    return badges.facts_of(
        award,
        programme=programme_name(),
        today=clock.today(),
        address=address.split("://", 1)[-1],
    )


@dataclass(frozen=True)
class Sharing:
    """What the award page offers for sharing, with absolute addresses (under
    ``BASE_URL``: link previews and embedded badges are fetched from elsewhere)."""

    award_url: str
    png_url: str
    svg_url: str
    facts: badges.BadgeFacts
    snippets: sharing.Snippets
    linkedin: str


def _sharing(award: Award) -> Sharing:
    facts = badge_facts(award)
    award_url = links.url("awards.verify", verification_id=award.verification_id)
    svg_url = links.url("awards.badge_svg", verification_id=award.verification_id)
    organization_id = current_app.config.get("LINKEDIN_ORGANIZATION_ID")
    return Sharing(
        award_url=award_url,
        png_url=links.url("awards.badge_png", verification_id=award.verification_id),
        svg_url=svg_url,
        facts=facts,
        snippets=sharing.badge_snippets(
            alt=f"{facts.programme}: {facts.category} award of {facts.member}",
            image_url=svg_url,
            award_url=award_url,
        ),
        linkedin=sharing.linkedin_url(
            name=facts.title,
            organization=facts.programme,
            organization_id=str(organization_id) if organization_id else None,
            issued=award.starts_on,
            expires=award.ends_on,
            cert_url=award_url,
            cert_id=award.verification_id,
        ),
    )


@bp.get("/awards/<verification_id>")
@public_page
def verify(verification_id: str):
    """The public verification page: no login needed, nothing before publishing."""
    award = _public_award(verification_id)
    today = clock.today()
    return render_template(
        "awards/verify.html",
        award=award,
        verification=credentials.verify_award(get_session(), issuer(), award),
        today=today,
        status=award.status_on(today),
        AwardStatus=AwardStatus,
        can_revoke=rules.can_revoke(current_user, award),
        is_holder=current_user.is_authenticated and current_user.id == award.member_id,
        share=_sharing(award),
    )


# Both images are drawn again on a miss (PNG ~14 ms of CPU, SVG 0.03 ms): browsers and
# proxies keep them for a short while, then ask again with the ETag, answered 304 from
# one query. Short, so that a revocation shows soon on every embedded badge.
SVG_MAX_AGE = 300
PNG_MAX_AGE = 3600
# The SVG opened on its own is a document: it may load and run nothing.
SVG_CSP = "default-src 'none'; script-src 'none'; style-src 'none'; frame-ancestors 'none'"


def _badge_image(verification_id: str, kind: str, max_age: int) -> Response:
    facts = badge_facts(_public_award(verification_id))
    tag = facts.etag(kind)
    if request.if_none_match.contains_weak(tag):
        response = Response(status=304)
    elif kind == "svg":
        response = Response(badges.badge_svg(facts), mimetype="image/svg+xml")
        response.headers["Content-Security-Policy"] = SVG_CSP
    else:
        response = Response(badges.badge_png(facts), mimetype="image/png")
    response.set_etag(tag, weak=True)
    response.cache_control.public = True
    response.cache_control.max_age = max_age
    # Meant to be embedded by other sites (blogs, READMEs, link previews).
    response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response


@bp.get("/awards/<verification_id>/badge.svg")
@shared_image
def badge_svg(verification_id: str):
    """The embeddable badge: the programme, the category and valid, expired or revoked."""
    return _badge_image(verification_id, "svg", SVG_MAX_AGE)


@bp.get("/awards/<verification_id>/badge.png")
@shared_image
def badge_png(verification_id: str):
    """The link-preview image (Open Graph, Twitter cards), 1200x630."""
    return _badge_image(verification_id, "png", PNG_MAX_AGE)


@bp.get("/awards/<verification_id>/credential.png")
def baked_badge(verification_id: str):
    """The badge image with the signed credential baked in (Open Badges baking: an iTXt
    chunk ``openbadgecredential``), for backpacks and wallets that read baked badges; a
    revoked award's answers 410 Gone, as its credential does."""
    session = get_session()
    award = _public_award(verification_id)
    try:
        text = credentials.credential_for_download(session, issuer(), award)
    except credentials.Gone as exc:
        return gone(exc)
    png = baking.bake(badges.badge_png(badge_facts(award)), text)
    response = Response(png, mimetype="image/png")
    response.headers["Content-Disposition"] = download_name(award, "badge.png")
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.route("/awards/<verification_id>/revoke", methods=["GET", "POST"])
@organizer_required
def revoke(verification_id: str):
    session = get_session()
    award = _public_award(verification_id)
    form = RevokeForm()
    status = 200
    if form.validate_on_submit():
        try:
            services.revoke(
                session, current_user._get_current_object(), award, given(form.reason.data)
            )
        except DomainError as exc:
            attach_error(form, exc)
            status = exc.status
        else:
            flash(
                _("The award of %(member)s is revoked.", member=award.member.display_name),
                "success",
            )
            return redirect(url_for("awards.verify", verification_id=award.verification_id))
    elif request.method == "POST":
        status = 400
    return render_template("awards/revoke.html", award=award, form=form), status
