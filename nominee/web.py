"""Web plumbing shared by every blueprint: the base form, input checks, role checks, errors,
pagination, redirects."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import (
    Flask,
    Response,
    abort,
    flash,
    g,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import Select
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter
from werkzeug.wrappers import Response as WerkzeugResponse
from wtforms import Field, FieldList, FormField

# SelectChoice is missing from the WTForms stubs.
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]

from nominee import inputs, pagination, resilience
from nominee.errors import DomainError
from nominee.formatting import format_wait
from nominee.i18n import _
from nominee.pagination import Page
from nominee.uow import get_session, keep, refuse

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")
log = logging.getLogger("nominee.request")


def wants_json() -> bool:
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return (
        best == "application/json"
        and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
    )


def problem(status: int, title: str, detail: str = "", **extra: Any) -> Response:
    body = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    body.update(extra)
    response = jsonify(body)
    response.status_code = status
    response.mimetype = "application/problem+json"
    return response


def login_required(view: F) -> F:
    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any):
        if not current_user.is_authenticated:
            if wants_json():
                return problem(401, "Unauthorized", "Log in first.")
            flash(_("Please log in to see that page."), "info")
            return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def organizer_required(view: F) -> F:
    @wraps(view)
    @login_required
    def wrapped(*args: Any, **kwargs: Any):
        if not current_user.is_organizer:
            from nominee import audit

            session = get_session()
            actor = current_user._get_current_object()
            # The denial gets a transaction of its own, begun by its write: on SQLite a
            # GET's read transaction cannot turn into a write once another worker has
            # committed ("database is locked"). Detached, the user keeps what is loaded.
            session.expunge(actor)
            session.rollback()
            audit.record_denial(
                session,
                actor,
                route=request.url_rule.rule if request.url_rule else request.path,
                path=request.path,
                method=request.method,
            )
            keep()  # the 403 commits the denial, and nothing else
            abort(403)
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def is_safe_redirect(target: str | None) -> bool:
    """Only local absolute paths: no scheme, no host, no backslash or control tricks."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return False
    if "\\" in target or any(ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def redirect_next(default: str) -> WerkzeugResponse:
    target = request.args.get("next") or request.form.get("next")
    return redirect(target if target and is_safe_redirect(target) else default)


# Deeper pages than anybody reads; the bound keeps OFFSET inside what a database takes.
MAX_PAGE = 100_000


def page_number() -> int:
    try:
        return min(MAX_PAGE, max(1, int(request.args.get("page", 1))))
    except ValueError:
        return 1


def id_arg(name: str) -> int | None:
    """Query parameter ``name`` as an id a column can hold, or None (absent or not one)."""
    value = request.args.get(name, type=int)
    return value if value is not None and inputs.fits_integer(value) else None


def paginate(
    stmt: Select, per_page: int, *, scalars: bool = True, total: int | None = None
) -> Page:
    """``pagination.paginate`` for the page the request asks for."""
    return pagination.paginate(
        get_session(), stmt, page_number(), per_page, scalars=scalars, total=total
    )


def url_for_page(page: int) -> str:
    """The current URL with ``page`` replaced, keeping every filter."""
    args = request.args.to_dict(flat=False)
    args["page"] = [str(page)]
    return url_for(request.endpoint or "", **(request.view_args or {}), **args)  # type: ignore[arg-type]


def url_with(**changes: str | None) -> str:
    """The current URL with the query parameters ``changes`` set (None: removed), keeping
    the others (a page's other lists and filters)."""
    args = request.args.to_dict(flat=False)
    for name, value in changes.items():
        if value is None:
            args.pop(name, None)
        else:
            args[name] = [value]
    return url_for(request.endpoint or "", **(request.view_args or {}), **args)  # type: ignore[arg-type]


# An id no row has (the largest ``IdConverter`` takes), standing for the row's in a link
# built once for many rows (``url_pattern``).
_MARKER = str(inputs.INT_MAX)


def url_pattern(endpoint: str, key: str, **values: Any) -> Callable[[int], str]:
    """``url_for(endpoint, **{key: row_id}, **values)`` for every row of a list at the cost
    of one ``url_for``: the link is built once with a marker id, and each row's id takes
    the marker's place (a list of 25 rows builds one link, not 25)."""
    built = url_for(endpoint, **{**values, key: int(_MARKER)})
    head, found, tail = built.partition(_MARKER)
    if not found or _MARKER in tail:
        return lambda row_id: url_for(endpoint, **{**values, key: row_id})
    return lambda row_id: f"{head}{int(row_id)}{tail}"


class IdConverter(IntegerConverter):
    """``<int:...>`` in every route: only what an id column holds; beyond it, 404."""

    def __init__(self, map, fixed_digits=0, min=None, max=inputs.INT_MAX, signed=False):
        super().__init__(map, fixed_digits, min, max, signed)


def register_input_checks(app: Flask) -> None:
    """Call before any blueprint is registered: the routes bind ``int`` as they are added."""
    app.url_map.converters["int"] = IdConverter

    @app.before_request
    def refuse_control_characters() -> None:
        # No page's address holds a control character, and no query parameter takes one.
        if inputs.has_control_characters(request.path):
            abort(404)
        for key, value in request.args.items(multi=True):
            if inputs.has_control_characters(key) or inputs.has_control_characters(value):
                abort(400, description=inputs.control_message())


def _fields(fields) -> list[Field]:
    """Every leaf field of a form, inside field lists and sub-forms too."""
    found = []
    for field in fields:
        if isinstance(field, FieldList):
            found += _fields(field.entries)
        elif isinstance(field, FormField):
            found += _fields(field.form)
        else:
            found.append(field)
    return found


class BaseForm(FlaskForm):
    """The base of every form: refuses what no field takes (``nominee.inputs``).

    Text with control characters, a number beyond what a column holds, an infinite number
    or a date outside ``inputs.EARLIEST``..``LATEST`` makes ``validate()`` fail with a
    message next to its field (the field's own message when its validators have one, as
    "from 0 to 1,000,000,000"). The view's code never sees such a value, even before
    validating: text loses its control characters, the rest becomes None.
    """

    def process(self, formdata=None, obj=None, data=None, extra_filters=None, **kwargs):
        super().process(formdata, obj, data, extra_filters, **kwargs)
        # (field, the value as submitted, the message when no validator says more)
        self._out_of_range: list[tuple[Field, Any, str]] = []
        for field in _fields(self):
            if field.raw_data:
                self._refuse_odd_input(field)

    def _refuse_odd_input(self, field: Field) -> None:
        raw = [value for value in field.raw_data or () if isinstance(value, str)]
        if any(inputs.has_control_characters(value) for value in raw):
            field.process_errors = [*field.process_errors, inputs.control_message()]
            if isinstance(field.data, str):
                field.data = inputs.without_control_characters(field.data)
            elif isinstance(field.data, list):
                field.data = [
                    inputs.without_control_characters(v) if isinstance(v, str) else v
                    for v in field.data
                ]
        values = field.data if isinstance(field.data, list) else [field.data]
        for value in values:
            if message := inputs.number_error(value) or inputs.date_error(value):
                self._out_of_range.append((field, field.data, message))
                field.data = [] if isinstance(field.data, list) else None
                return

    def validate(self, extra_validators=None) -> bool:
        # The validators judge the value as submitted (pure checks, no database), so a
        # field's own range message wins over the general one.
        safe = [(field, field.data) for field, _submitted, _message in self._out_of_range]
        for field, submitted, _message in self._out_of_range:
            field.data = submitted
        try:
            ok = super().validate(extra_validators)
        finally:
            for field, value in safe:
                field.data = value
        for field, _value, message in self._out_of_range:
            if not field.errors:
                field.errors = [message]
        return ok and not self._out_of_range


def _rate_limit_message(exc: HTTPException) -> str | None:
    """How long the limit that was hit lasts (Flask-Limiter's RateLimitExceeded carries
    it), so "3 per 15 minutes" does not answer "wait a minute"."""
    window = getattr(getattr(getattr(exc, "limit", None), "limit", None), "get_expiry", None)
    if window is None:
        return None
    return _("Please wait up to %(wait)s before trying again.", wait=format_wait(int(window())))


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if exc.code and exc.code >= 500:
            refuse()
        if wants_json():
            response = problem(exc.code or 500, exc.name, exc.description or "")
        else:
            message = _rate_limit_message(exc) if exc.code == 429 else None
            response = make_response(
                render_template("error.html", error=exc, message=message), exc.code
            )
        # What the exception asks to send along: Retry-After (429, 503), Allow (405).
        for name, value in exc.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError):
        refuse()
        if wants_json():
            return problem(exc.status, "Request refused", exc.message, field=exc.field)
        return render_template("error.html", error=exc, message=exc.message), exc.status

    @app.errorhandler(Exception)
    def server_error(exc: Exception):
        if isinstance(exc, HTTPException):
            return http_error(exc)
        if resilience.is_busy(exc) or resilience.is_unavailable(exc):
            return resilience.unavailable_response(exc)
        refuse()
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        if wants_json():
            return problem(500, "Internal Server Error", "Something went wrong on our side.")
        return render_template("error.html", error=None, code=500), 500


# On ``g``: the account a kept copy of its page was served to (``nominee.pagecache``),
# without loading it; the hooks after the view read it instead of ``current_user``.
MEMBER_COPY_FOR = "member_copy_for"


def register_request_logging(app: Flask) -> None:
    @app.before_request
    def start_timer() -> None:
        g.request_started = time.perf_counter()

    @app.after_request
    def log_request(response: Response) -> Response:
        if app.config["LOG_REQUESTS"] and "request_started" in g:
            elapsed = (time.perf_counter() - g.request_started) * 1000
            user_id = g.get(MEMBER_COPY_FOR) or (
                current_user.id if current_user and current_user.is_authenticated else "-"
            )
            log.info(
                'method=%s path="%s" status=%s ms=%.1f user=%s',
                request.method,
                request.path,
                response.status_code,
                elapsed,
                user_id,
            )
        return response


CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)


def register_security_headers(app: Flask) -> None:
    @app.after_request
    def security_headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        if request.is_secure:
            response.headers.setdefault(
                "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
            )
        # A page served to a logged-in account (private work, unpublished results) is
        # never kept by the browser or a proxy: not behind the back button of a shared
        # computer after logging out, not in a shared cache. Static files stay cacheable.
        # So are the public images marked ``shared_image``, the same for everybody (not
        # an error page drawn for the account instead).
        shared = response.status_code in (200, 304) and getattr(
            app.view_functions.get(request.endpoint or ""), "shared", False
        )
        logged_in = MEMBER_COPY_FOR in g or current_user.is_authenticated
        if request.endpoint != "static" and not shared and logged_in:
            response.headers["Cache-Control"] = "no-store"
        return response


def shared_image(view: F) -> F:
    """Marks a view answering the same public image to everybody (an award's badge):
    its own ``Cache-Control`` stands for logged-in visitors too (see
    ``register_security_headers``)."""
    view.shared = True  # type: ignore[attr-defined]
    return view


def flash_form_errors(form) -> None:
    """For forms that redirect instead of re-rendering: tell the user what was wrong."""
    for field, errors in form.errors.items():
        label = getattr(getattr(form, field, None), "label", None)
        for error in errors:
            flash(f"{label.text if label else field}: {error}", "error")


def attach_error(form, exc: DomainError) -> None:
    """Show a service's refusal next to the field it concerns (or above the form); what
    the services flushed before refusing is rolled back, and nothing is committed."""
    refuse()
    field = getattr(form, exc.field, None) if exc.field else None
    if field is not None:
        field.errors = [*field.errors, exc.message]
    else:
        form.form_errors.append(exc.message)


def given(value: T | None) -> T:
    """A form value its validators required: never None once the form has validated."""
    if value is None:
        raise ValueError("a required form value is missing")
    return value


def choices(pairs) -> list[SelectChoice]:
    """WTForms select options from ``(value, label)`` pairs."""
    return [SelectChoice(value, label) for value, label in pairs]
