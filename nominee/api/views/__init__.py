"""The API's operations on one blueprint (``/api/v1``), and its docs page (``/api/docs``)."""

from __future__ import annotations

from flask import Blueprint

from nominee.api.framework import make_blueprint

bp: Blueprint = make_blueprint()

# The operations register themselves on ``bp``.
from nominee.api.views import (  # noqa: E402
    awardees,  # noqa: F401
    contributions,  # noqa: F401
    docs,  # noqa: F401
    endorsements,  # noqa: F401
    nominations,  # noqa: F401
    organizers,  # noqa: F401
    programme,  # noqa: F401
    reviews,  # noqa: F401
)
from nominee.api.views.docs import docs_bp  # noqa: E402

__all__ = ["bp", "docs_bp"]
