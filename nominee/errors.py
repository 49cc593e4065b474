"""The domain's refusals, raised by rules and services, mapped to answers by the web layer.

A service raises one of these and changes nothing that stays (the unit of work rolls
back); the HTML views show ``message`` next to ``field`` (or above the form), the JSON
API answers a problem document with ``status``.
"""

from __future__ import annotations


class DomainError(Exception):
    """A rule refused an operation. ``field`` names the form field it belongs to."""

    status = 400

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class PermissionDenied(DomainError):
    status = 403


class Conflict(DomainError):
    """The object changed under us (lost race, stale version): reload and try again."""

    status = 409


class NotFound(DomainError):
    """The object does not exist, or the actor may not know that it does."""

    status = 404
