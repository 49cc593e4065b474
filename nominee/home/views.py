"""The landing page (the blueprint ``home``)."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from nominee.home import queries
from nominee.uow import get_session

bp = Blueprint("home", __name__)


@bp.get("/")
def index():
    if not current_user.is_authenticated:
        return render_template("home.html")
    landing = queries.landing(get_session(), current_user)
    return render_template(
        "home.html",
        open_cycles=landing.open_cycles,
        awaiting=landing.awaiting,
        recent=landing.recent,
    )
