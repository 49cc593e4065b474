"""PLACEHOLDER: replaced by the contributions work (routes named here are used by base.html)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("contributions", __name__)


@bp.get("/contributions/mine")
def mine():
    return "todo"


@bp.get("/contributions/new")
def create():
    return "todo"


@bp.get("/members/<int:user_id>")
def member(user_id: int):
    return "todo"


@bp.get("/admin/contribution-types")
def types_index():
    return "todo"
