"""PLACEHOLDER: replaced by the endorsements work."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("endorsements", __name__)
