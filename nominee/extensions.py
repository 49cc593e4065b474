"""Extension objects, bound to the app in ``create_app``."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort, current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf import CSRFProtect

F = TypeVar("F", bound=Callable[..., Any])
# How long a client is asked to wait while the shared rate-limit storage is unreachable.
LIMITS_UNAVAILABLE_RETRY_AFTER = 30

login_manager = LoginManager()
csrf = CSRFProtect()
# The counters live where RATELIMIT_STORAGE_URI says (REDIS_URL when set, see
# ``nominee.config``). When that storage stops answering, Flask-Limiter logs it once
# ("Rate limit storage unreachable") and counts in this worker's memory until it answers
# again: limited actions keep a per-worker limit, and with RATELIMIT_FAIL_CLOSED the
# credential endpoints refuse instead (``fails_closed``).
limiter = Limiter(get_remote_address, headers_enabled=True, in_memory_fallback_enabled=True)


def limits_unavailable() -> bool:
    """Whether the limiter counts in this worker's memory because its storage is down."""
    return bool(limiter.enabled and limiter.initialized) and (
        limiter.limiter.storage is not limiter.storage
    )


def fails_closed(view: F) -> F:
    """For endpoints that check a password: with ``RATELIMIT_FAIL_CLOSED``, while the
    shared counters cannot be reached, answer 503 with Retry-After instead of letting
    every worker count on its own (by default they do: logins keep working, limited per
    worker, through a Redis outage)."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any):
        if (
            request.method == "POST"
            and current_app.config["RATELIMIT_FAIL_CLOSED"]
            and limits_unavailable()
        ):
            abort(
                503,
                description="Logging in, signing up and password changes are paused for a "
                "moment because their attempt limits cannot be checked. Please try again "
                "in a minute.",
                retry_after=LIMITS_UNAVAILABLE_RETRY_AFTER,
            )
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]
