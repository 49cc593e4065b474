"""The landing page (the blueprint ``home``)."""

from __future__ import annotations

from dataclasses import asdict

from flask import Blueprint, current_app, render_template, url_for
from flask_login import current_user

from nominee import clock
from nominee.directory import queries as directory
from nominee.home import queries
from nominee.impact import queries as impact
from nominee.pagecache import public_page
from nominee.sharedcache import PUBLIC_FIGURES
from nominee.uow import get_cache, get_session

bp = Blueprint("home", __name__)

FAILED_MAIL = "outbox.index"


def _figures(session, today) -> directory.Figures:
    """The programme's figures, counted again at most every ``PUBLIC_FIGURES_SECONDS``
    (the count of every contribution grows with the programme, and a figure a minute
    old tells a visitor the same), and at once after an award is granted, revoked or
    expires. Kept in the shared cache, so every host shows the same figures."""
    kept = get_cache().get(PUBLIC_FIGURES)
    if kept is not None and kept.get("day") == today.isoformat():
        return directory.Figures(**kept["figures"])
    figures = directory.figures(session, today)
    get_cache().set(
        PUBLIC_FIGURES,
        {"day": today.isoformat(), "figures": asdict(figures)},
        current_app.config["PUBLIC_FIGURES_SECONDS"],
    )
    return figures


@bp.get("/")
@public_page
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
        meter=impact.meter(session, current_user, clock.today(), get_cache()),
        reviews_due=queries.reviews_due(session, current_user) if current_user.is_reviewer else [],
        todo=queries.organizer_todo(session, clock.programme_today())
        if current_user.is_organizer
        else None,
        # The organizers' page of failed mail, where this checkout has it.
        failed_mail_url=url_for(FAILED_MAIL) if FAILED_MAIL in current_app.view_functions else None,
    )
