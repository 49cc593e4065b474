"""The Open Badges credentials on the web: an award's credential, the status lists and
the issuer's DID document. Public, no login: anyone verifies."""

from __future__ import annotations

import json
import re

from flask import Blueprint, Response, abort, current_app, render_template, request

from nominee.awards import queries as award_queries
from nominee.credentials import services
from nominee.credentials.forms import VerifyForm
from nominee.errors import DomainError, NotFound
from nominee.extensions import limiter
from nominee.i18n import _
from nominee.uow import get_session
from nominee.web import attach_error, given, problem

bp = Blueprint("credentials", __name__)

JSON_LD = "application/ld+json"


def issuer() -> services.Issuer:
    """The programme as issuer, from the app's settings."""
    return services.Issuer.from_config(current_app.config)


def _json(text: str, mimetype: str = "application/json", max_age: int = 0) -> Response:
    response = Response(text, mimetype=mimetype)
    response.headers["Access-Control-Allow-Origin"] = "*"  # verifiers in the browser
    response.headers["Cache-Control"] = f"public, max-age={max_age}" if max_age else "no-cache"
    return response


def _award(verification_id: str):
    # ``find_public_award`` looks up no id longer than any issued.
    return award_queries.find_public_award(get_session(), verification_id) or abort(404)


def gone(exc: services.Gone) -> Response:
    return problem(
        410,
        "Gone",
        exc.message,
        revoked_at=exc.revoked_at.isoformat() if exc.revoked_at else None,
    )


def download_name(award, suffix: str) -> str:
    name = re.sub(r"[^a-z0-9]+", "-", f"{award.category.name} {award.cycle.name}".lower())
    return f'attachment; filename="{name.strip("-") or "award"}-{suffix}"'


@bp.get("/awards/<verification_id>/credential.json")
def credential(verification_id: str):
    """The award's signed Open Badges 3.0 credential, as a download; a revoked award's
    answers 410 Gone with the date of its revocation."""
    session = get_session()
    award = _award(verification_id)
    try:
        text = services.credential_for_download(session, issuer(), award)
    except services.Gone as exc:
        return gone(exc)
    response = _json(text)
    response.headers["Content-Disposition"] = download_name(award, "credential.json")
    return response


@bp.get("/credentials/status/<int:number>")
def status_list(number: int):
    """Revocation status list ``number``, a signed BitstringStatusListCredential."""
    try:
        document = services.status_list_credential(get_session(), issuer(), number)
    except NotFound:
        abort(404)
    return _json(services.to_json(document), max_age=60)


@bp.get("/.well-known/did.json")
def did_document():
    """The issuer's did:web document: the public keys that verify its credentials."""
    document = services.did_document(get_session(), issuer())
    return _json(services.to_json(document), "application/did+ld+json", max_age=300)


@bp.route("/awards/<verification_id>/credential", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_VERIFY"], methods=["POST"])
def verify_upload(verification_id: str):
    """Verify a credential file someone was given: paste its JSON, read the result
    (its proof by this programme's keys, its revocation bit, its dates), and whether it
    is this award's credential."""
    award = _award(verification_id)
    form = VerifyForm()
    result = None
    this_award = False
    status = 200
    if form.validate_on_submit():
        try:
            document = json.loads(given(form.credential.data))
        except (ValueError, RecursionError):
            document = None
        if not isinstance(document, dict):
            message = _("This is not a JSON object: paste the whole file.")
            attach_error(form, DomainError(message, field="credential"))
            status = 400
        else:
            result = services.verify(get_session(), issuer(), document)
            this_award = document.get("id") == f"{issuer().root}/awards/{award.verification_id}"
    elif request.method == "POST":
        status = 400
    return render_template(
        "credentials/verify_upload.html",
        award=award,
        form=form,
        result=result,
        this_award=this_award,
    ), status
