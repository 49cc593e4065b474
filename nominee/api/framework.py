"""What every API operation shares: the bearer token and its scopes, problem documents,
rate limits per token, ``Idempotency-Key``, ``If-Match``, cursors.

Tokens come only from ``Authorization: Bearer``; cookies are never read (no session, so
no CSRF: the blueprint is exempt). No CORS headers are sent: browsers on other origins
cannot call the API.
"""

from __future__ import annotations

import inspect
import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Blueprint, Response, current_app, g, request
from flask.blueprints import BlueprintSetupState
from pydantic import ValidationError
from spectree import Response as Responses
from werkzeug.exceptions import HTTPException
from werkzeug.routing import BaseConverter

from nominee import clock, inputs, web
from nominee.api.schemas import Problem
from nominee.api.spec import spec
from nominee.errors import Conflict, DomainError, NotFound, PermissionDenied
from nominee.extensions import csrf, limiter
from nominee.tokens import rules as token_rules
from nominee.tokens import services as tokens
from nominee.tokens.models import ApiToken
from nominee.tokens.rules import Scope
from nominee.uow import get_session, refuse

PROBLEM = "urn:nominee:problem:"
ERROR_CODES = (400, 401, 403, 404, 422, 429)


class ApiProblem(Exception):
    """An answer of the API that is a problem document (RFC 9457)."""

    def __init__(
        self,
        status: int,
        title: str,
        detail: str = "",
        *,
        kind: str | None = None,
        errors: list[dict[str, str]] | None = None,
        headers: dict[str, str] | None = None,
    ):
        super().__init__(detail or title)
        self.status = status
        self.title = title
        self.detail = detail
        self.type = PROBLEM + kind if kind else "about:blank"
        self.errors = errors
        self.headers = headers or {}


def problem_response(problem: ApiProblem) -> Response:
    extra: dict[str, Any] = {"type": problem.type}
    if problem.errors is not None:
        extra["errors"] = problem.errors
    response = web.problem(problem.status, problem.title, problem.detail, **extra)
    response.headers.update(problem.headers)
    return response


def _domain_problem(exc: DomainError) -> ApiProblem:
    if isinstance(exc, PermissionDenied):
        return ApiProblem(403, "Forbidden", exc.message, kind="forbidden")
    if isinstance(exc, NotFound):
        return ApiProblem(404, "Not Found", exc.message, kind="not-found")
    if isinstance(exc, Conflict):
        return ApiProblem(409, "Conflict", exc.message, kind="conflict")
    errors = [{"field": exc.field, "message": exc.message}] if exc.field else None
    return ApiProblem(422, "Request refused", exc.message, kind="validation", errors=errors)


def _pydantic_errors(exc: ValidationError) -> list[dict[str, str]]:
    return [
        {
            "field": ".".join(str(part) for part in error["loc"]) or "body",
            "message": error["msg"].removeprefix("Value error, "),
        }
        for error in exc.errors()
    ]


def refuse_invalid_request(req, resp, error, instance, model_adapter) -> None:
    """SpecTree's ``before`` hook: a request that does not validate gets a 422 problem
    naming each field (and none of SpecTree's own error format)."""
    if error is not None:
        raise ApiProblem(
            422,
            "Invalid request",
            "The request does not validate: see errors.",
            kind="validation",
            errors=_pydantic_errors(error),
        )


spec.before = refuse_invalid_request


# The token -------------------------------------------------------------------------

_NOT_LOOKED_UP = object()


def _bearer() -> str | None:
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    return secret.strip() if scheme.lower() == "bearer" and secret.strip() else None


def current_token() -> ApiToken | None:
    """The request's usable token (looked up once per request), or None."""
    token = g.get("api_token", _NOT_LOOKED_UP)
    if token is _NOT_LOOKED_UP:
        secret = _bearer()
        session = get_session()
        token = tokens.authenticate(session, secret) if secret else None
        if token is not None and token_rules.is_stale_use(token.last_used_at, clock.now()):
            token_id = token.id
            # The write begins a transaction of its own: on SQLite a GET's read
            # transaction cannot become a write once another worker has committed.
            session.rollback()
            tokens.record_use(session, token_id)
        g.api_token = token
    return token


def token() -> ApiToken:
    found = current_token()
    assert found is not None  # the blueprint's before_request refused the request
    return found


def rate_limit_key() -> str:
    """Per token (its secret's owner may run many clients); per address without one."""
    found = current_token()
    return f"api-token:{found.id}" if found is not None else f"api-ip:{request.remote_addr}"


# Operations ------------------------------------------------------------------------


def responses(*codes: int, **models: Any) -> Responses:
    """SpecTree's responses: ``models`` as ``HTTP_200=Model``, every code in ``codes``
    and the ones every operation may answer as a problem document."""
    errors = {f"HTTP_{code}": Problem for code in sorted({*ERROR_CODES, *codes})}
    return Responses(**errors, **models)


def operation(
    scope: Scope,
    *,
    resp: Responses,
    tags: tuple[str, ...],
    query: Any = None,
    body: Any = None,
    headers: Any = None,
    idempotent: bool = False,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare an operation: the scope its token needs, what it takes and answers (for
    validation and the OpenAPI document), and whether a POST honours Idempotency-Key."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        # The document says which scope each operation needs.
        view.__doc__ = f"{inspect.getdoc(view) or view.__name__}\n\nScope: `{scope.value}`."
        if body is not None:
            resp.add_model(415, Problem, replace=False)
        validated = spec.validate(
            query=query,
            json=body,
            headers=headers,
            resp=resp,
            tags=tags,
            operation_id=view.__name__,
        )(view)

        @wraps(validated)
        def run(*args: Any, **kwargs: Any) -> Any:
            if body is not None and not request.is_json:
                raise ApiProblem(
                    415,
                    "Unsupported Media Type",
                    "Send the body as JSON, with Content-Type: application/json.",
                    kind="unsupported-media-type",
                )
            key = request.headers.get("Idempotency-Key") if idempotent else None
            if key is None:
                return validated(*args, **kwargs)
            return _once(key, lambda: validated(*args, **kwargs))

        run.api_scope = scope  # type: ignore[attr-defined]
        return run

    return decorate


def _once(key: str, call: Callable[[], Any]) -> Response:
    """Run a write once per Idempotency-Key: a retry with the same request gets the kept
    answer; the same key with another request is refused (422)."""
    session = get_session()
    fingerprint = tokens.request_hash(request.method, request.path, request.get_data())
    kept = tokens.claim_key(session, token(), key, fingerprint)
    if kept is not None:
        replay = current_app.response_class(
            kept.body, status=kept.status, mimetype="application/json"
        )
        replay.headers.update(kept.headers)
        replay.headers["Idempotent-Replayed"] = "true"
        return replay
    response = current_app.make_response(call())
    if response.status_code < 400:
        kept_headers = {
            name: response.headers[name]
            for name in ("Location", "ETag")
            if name in response.headers
        }
        tokens.keep_reply(
            session,
            token(),
            key,
            response.status_code,
            response.get_data(as_text=True),
            kept_headers,
        )
    return response


def require_if_match(current: str) -> None:
    """412 unless If-Match names ``current`` (or ``*``); 428 without If-Match."""
    given = request.headers.get("If-Match")
    if given is None:
        raise ApiProblem(
            428,
            "Precondition Required",
            "Send the resource's ETag in If-Match: changes are made to a known version.",
            kind="precondition-required",
        )
    tags = {tag.strip().removeprefix("W/") for tag in given.split(",")}
    if "*" not in tags and current not in tags:
        raise ApiProblem(
            412,
            "Precondition Failed",
            "The resource changed since that version: fetch it again and retry.",
            kind="precondition-failed",
        )


def bad_cursor() -> ApiProblem:
    return ApiProblem(
        422,
        "Invalid request",
        "The cursor is not one this API gave.",
        kind="validation",
        errors=[{"field": "cursor", "message": "Pass next_cursor as it was given."}],
    )


# The blueprint ---------------------------------------------------------------------


class IdConverter(BaseConverter):
    """``<api_id:...>``: any path segment, as an id (0, which no row has, when it is not
    one a column holds), so that a wrong id is the view's 404. (The pages' ``int``
    converter refuses it while matching, and Werkzeug then answers 405 for methods the
    route takes: not what the document says.)"""

    regex = "[^/]+"

    def to_python(self, value: str) -> int:
        if value.isascii() and value.isdigit() and inputs.fits_integer(int(value)):
            return int(value)
        return 0

    def to_url(self, value: object) -> str:
        return str(value)


PUBLIC_ENDPOINTS = {"api.openapi_document"}


def _add_id_converter(state: BlueprintSetupState) -> None:
    state.app.url_map.converters.setdefault("api_id", IdConverter)


def validated(part: str) -> Any:
    """The request's ``query`` or ``json`` as its operation's model validated it."""
    return getattr(request.context, part)  # type: ignore[attr-defined]


def make_blueprint() -> Blueprint:
    bp = Blueprint("api", __name__, url_prefix="/api/v1")
    bp.record_once(_add_id_converter)
    csrf.exempt(bp)
    limiter.limit(lambda: current_app.config["API_RATELIMIT"], key_func=rate_limit_key)(bp)

    @bp.before_request
    def authenticate() -> None:
        if request.endpoint in PUBLIC_ENDPOINTS:
            return
        found = current_token()
        if found is None:
            raise ApiProblem(
                401,
                "Unauthorized",
                "Send a valid personal access token: Authorization: Bearer nmn_...",
                kind="unauthorized",
                headers={"WWW-Authenticate": 'Bearer realm="nominee"'},
            )
        # The token's member is the request's user (never the session cookie's).
        g._login_user = found.user
        view = current_app.view_functions.get(request.endpoint or "")
        scope = getattr(view, "api_scope", None)
        if scope is not None and not token_rules.grants(found, scope):
            raise ApiProblem(
                403,
                "Forbidden",
                f"This token lacks the {scope.value} scope (or your role no longer allows it).",
                kind="insufficient-scope",
                headers={"WWW-Authenticate": f'Bearer error="insufficient_scope", scope="{scope}"'},
            )

    @bp.after_request
    def rate_limit_headers(response: Response) -> Response:
        """The IETF RateLimit header fields, from the limit this request counted on."""
        current = limiter.current_limit if limiter.enabled else None
        if current is not None:
            window = current.limit.get_expiry()
            response.headers["RateLimit-Limit"] = str(current.limit.amount)
            response.headers["RateLimit-Remaining"] = str(max(0, current.remaining))
            response.headers["RateLimit-Reset"] = str(max(0, int(current.reset_at - time.time())))
            response.headers["RateLimit-Policy"] = f"{current.limit.amount};w={window}"
        return response

    @bp.errorhandler(ApiProblem)
    def api_problem(exc: ApiProblem) -> Response:
        refuse()
        return problem_response(exc)

    @bp.errorhandler(DomainError)
    def domain_error(exc: DomainError) -> Response:
        refuse()
        return problem_response(_domain_problem(exc))

    @bp.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response:
        code = exc.code or 500
        if code >= 500 or code == 429:
            refuse()
        kind = {404: "not-found", 405: "method-not-allowed", 429: "rate-limited"}.get(code)
        detail = exc.description or ""
        if code == 429:
            detail = "Too many requests with this token: wait for RateLimit-Reset seconds."
        problem = ApiProblem(code, exc.name, detail, kind=kind)
        response = problem_response(problem)
        for name, value in exc.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    return bp
