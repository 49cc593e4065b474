"""The landing page (the blueprint ``home``)."""

from __future__ import annotations

import time

from flask import Blueprint, current_app, render_template, url_for
from flask_login import current_user

from nominee import clock
from nominee.directory import queries as directory
from nominee.home import queries
from nominee.impact import queries as impact
from nominee.uow import get_session

bp = Blueprint("home", __name__)

FAILED_MAIL = "outbox.index"
FIGURES = "nominee.public_figures"


def _figures(session, today) -> directory.Figures:
    """The programme's figures, counted again at most every ``PUBLIC_FIGURES_SECONDS``
    in this process: the count of every contribution grows with the programme, and a
    figure a minute old tells a visitor the same."""
    lifetime = current_app.config["PUBLIC_FIGURES_SECONDS"]
    kept = current_app.extensions.get(FIGURES)
    now = time.monotonic()
    if kept is not None and now - kept[0] < lifetime and kept[1] == today:
        return kept[2]
    figures = directory.figures(session, today)
    current_app.extensions[FIGURES] = (now, today, figures)
    return figures


@bp.get("/")
def index():
    session = get_session()
    if not current_user.is_authenticated:
        today = clock.today()
        return render_template(
            "home.html",
            figures=_figures(session, today),
            latest=directory.latest_awardees(session, today),
            today=today,
        )
    landing = queries.landing(session, current_user)
    return render_template(
        "home.html",
        open_cycles=landing.open_cycles,
        awaiting=landing.awaiting,
        recent=landing.recent,
        meter=impact.meter(session, current_user, clock.today()),
        reviews_due=queries.reviews_due(session, current_user) if current_user.is_reviewer else [],
        todo=queries.organizer_todo(session, clock.programme_today())
        if current_user.is_organizer
        else None,
        # The organizers' page of failed mail, where this checkout has it.
        failed_mail_url=url_for(FAILED_MAIL) if FAILED_MAIL in current_app.view_functions else None,
    )
