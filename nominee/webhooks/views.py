"""The organizers' webhook pages: endpoints, their deliveries, and re-delivery."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response as WerkzeugResponse

from nominee.errors import DomainError
from nominee.i18n import _
from nominee.outbound import allow_hosts_from
from nominee.uow import get_session, refuse
from nominee.web import (
    attach_error,
    flash_form_errors,
    organizer_required,
    page_number,
    url_pattern,
)
from nominee.webhooks import queries, services
from nominee.webhooks.forms import ButtonForm, EndpointForm
from nominee.webhooks.models import DeliveryStatus
from nominee.webhooks.rules import DELIVERY_HEADER, EVENT_HEADER, EVENT_TYPES, SIGNATURE_HEADER

bp = Blueprint("webhooks", __name__, url_prefix="/admin/webhooks")


def _actor():
    return current_user._get_current_object()


def _allow_hosts() -> frozenset[str]:
    return allow_hosts_from(current_app.config)


@bp.get("/")
@organizer_required
def index() -> str:
    session = get_session()
    return render_template(
        "webhooks/index.html",
        endpoints=queries.endpoints(session),
        counts=queries.undelivered_counts(session),
        event_types=EVENT_TYPES,
    )


@bp.route("/new", methods=["GET", "POST"])
@organizer_required
def new():
    form = EndpointForm()
    if form.validate_on_submit():
        try:
            endpoint, secret = services.create_endpoint(
                get_session(),
                _actor(),
                url=form.url.data or "",
                events=form.events.data or [],
                description=form.description.data or "",
                allow_hosts=_allow_hosts(),
            )
        except DomainError as exc:
            attach_error(form, exc)
        else:
            return render_template(
                "webhooks/secret.html", endpoint=endpoint, secret=secret, created=True
            )
    return render_template("webhooks/form.html", form=form, endpoint=None)


@bp.route("/<int:endpoint_id>", methods=["GET", "POST"])
@organizer_required
def show(endpoint_id: int):
    session = get_session()
    endpoint = services.get_endpoint(session, _actor(), endpoint_id)
    form = EndpointForm.for_endpoint(endpoint, posted=request.method == "POST")
    if form.validate_on_submit():
        try:
            services.update_endpoint(
                session,
                _actor(),
                endpoint,
                url=form.url.data or "",
                events=form.events.data or [],
                description=form.description.data or "",
                allow_hosts=_allow_hosts(),
            )
        except DomainError as exc:
            attach_error(form, exc)
            endpoint = services.get_endpoint(session, _actor(), endpoint_id)
        else:
            flash(_("The endpoint is saved."), "success")
            return redirect(url_for("webhooks.show", endpoint_id=endpoint_id))
    page = queries.deliveries(session, endpoint.id, page_number(), current_app.config["PER_PAGE"])
    return render_template(
        "webhooks/show.html",
        endpoint=endpoint,
        form=form,
        page=page,
        buttons=ButtonForm(formdata=None),
        event_types=EVENT_TYPES,
        # What every delivery's line repeats, made once: its links and status words.
        delivery_url=url_pattern("webhooks.delivery", "delivery_id", endpoint_id=endpoint.id),
        redeliver_url=url_pattern("webhooks.redeliver", "delivery_id", endpoint_id=endpoint.id),
        status_labels={status: status.label for status in DeliveryStatus},
    )


@bp.post("/<int:endpoint_id>/rotate")
@organizer_required
def rotate(endpoint_id: int):
    form = ButtonForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(url_for("webhooks.show", endpoint_id=endpoint_id))
    session = get_session()
    endpoint = services.get_endpoint(session, _actor(), endpoint_id)
    secret = services.rotate_secret(session, _actor(), endpoint)
    return render_template("webhooks/secret.html", endpoint=endpoint, secret=secret, created=False)


def _switch(endpoint_id: int, enabled: bool) -> WerkzeugResponse:
    form = ButtonForm()
    if form.validate_on_submit():
        session = get_session()
        endpoint = services.get_endpoint(session, _actor(), endpoint_id)
        services.set_enabled(session, _actor(), endpoint, enabled)
        flash(
            _("The endpoint is enabled.")
            if enabled
            else _("The endpoint is disabled: it gets nothing."),
            "success",
        )
    else:
        flash_form_errors(form)
    return redirect(url_for("webhooks.show", endpoint_id=endpoint_id))


@bp.post("/<int:endpoint_id>/enable")
@organizer_required
def enable(endpoint_id: int) -> WerkzeugResponse:
    return _switch(endpoint_id, True)


@bp.post("/<int:endpoint_id>/disable")
@organizer_required
def disable(endpoint_id: int) -> WerkzeugResponse:
    return _switch(endpoint_id, False)


@bp.post("/<int:endpoint_id>/delete")
@organizer_required
def delete(endpoint_id: int) -> WerkzeugResponse:
    form = ButtonForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(url_for("webhooks.show", endpoint_id=endpoint_id))
    session = get_session()
    endpoint = services.get_endpoint(session, _actor(), endpoint_id)
    url = endpoint.url
    services.delete_endpoint(session, _actor(), endpoint)
    flash(_("The endpoint %(url)s is deleted, with its deliveries.", url=url), "success")
    return redirect(url_for("webhooks.index"))


@bp.get("/<int:endpoint_id>/deliveries/<int:delivery_id>")
@organizer_required
def delivery(endpoint_id: int, delivery_id: int) -> str:
    session = get_session()
    endpoint = services.get_endpoint(session, _actor(), endpoint_id)
    found = services.get_delivery(session, _actor(), endpoint, delivery_id)
    return render_template(
        "webhooks/delivery.html",
        endpoint=endpoint,
        delivery=found,
        attempts=queries.attempts(session, found.id),
        buttons=ButtonForm(formdata=None),
        headers=(SIGNATURE_HEADER, EVENT_HEADER, DELIVERY_HEADER),
    )


@bp.post("/<int:endpoint_id>/deliveries/<int:delivery_id>/redeliver")
@organizer_required
def redeliver(endpoint_id: int, delivery_id: int) -> WerkzeugResponse:
    form = ButtonForm()
    if form.validate_on_submit():
        session = get_session()
        endpoint = services.get_endpoint(session, _actor(), endpoint_id)
        found = services.get_delivery(session, _actor(), endpoint, delivery_id)
        try:
            again = services.redeliver(session, _actor(), found)
        except DomainError as exc:
            refuse()
            flash(exc.message, "error")
        else:
            flash(
                _(
                    "Delivery %(id)s will be sent again now, as delivery %(again)s.",
                    id=found.id,
                    again=again.id,
                ),
                "success",
            )
    else:
        flash_form_errors(form)
    return redirect(url_for("webhooks.show", endpoint_id=endpoint_id))
