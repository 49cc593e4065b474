"""The public awardee directory (``/awardees``, its alumni tab) and ``/awards``."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for

from nominee import clock
from nominee.directory import queries
from nominee.directory.forms import DirectoryFilterForm
from nominee.directory.rules import Tab
from nominee.pagecache import public_page
from nominee.uow import get_session
from nominee.web import page_number

bp = Blueprint("directory", __name__)


def _directory(tab: Tab):
    session = get_session()
    today = clock.today()
    form = DirectoryFilterForm(request.args)
    form.configure(queries.choices(session, tab, today))
    form.validate()
    filters = form.filters()
    page = queries.awardees(session, tab, filters, today, page_number())
    return render_template(
        "directory/index.html",
        tab=tab,
        Tab=Tab,
        form=form,
        filters=filters,
        page=page,
        today=today,
    )


@bp.get("/awardees")
@public_page
def current():
    """Awardees now: anyone may browse it, logged in or not."""
    return _directory(Tab.CURRENT)


@bp.get("/awardees/alumni")
@public_page
def alumni():
    """Past awardees: their awards ended (expired, never revoked)."""
    return _directory(Tab.ALUMNI)


@bp.get("/awards")
def awards_index():
    """Each award has its own page (``/awards/<verification id>``); the list is the
    directory."""
    return redirect(url_for("directory.current"))
