"""Search (``/search``; ``/members`` leads there) and Discover (``/discover``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_login import current_user

from nominee.accounts.rules import must_be_verified
from nominee.categories import queries as categories
from nominee.contributions import queries as contributions
from nominee.search import queries
from nominee.search.forms import DiscoverForm, SearchForm
from nominee.search.rules import Scope
from nominee.uow import get_session
from nominee.web import id_arg, login_required, page_number, url_pattern

bp = Blueprint("search", __name__)


class ContributionLinks(NamedTuple):
    """A listed contribution's links, each built once for the whole list (``url_pattern``)."""

    contribution: Callable[[int], str]
    member: Callable[[int], str]
    endorse: Callable[[int], str]


def contribution_links() -> ContributionLinks:
    return ContributionLinks(
        url_pattern("contributions.view", "contribution_id"),
        url_pattern("contributions.member", "user_id"),
        url_pattern("endorsements.endorse", "contribution_id"),
    )


@bp.get("/search")
@login_required
def index():
    form = SearchForm(request.args)
    form.validate()
    scope = form.chosen_scope()
    query = (form.q.data or "") if not form.q.errors else ""
    results = queries.search(
        get_session(), scope, query, page_number(), current_app.config["PER_PAGE"]
    )
    return render_template(
        "search/index.html",
        form=form,
        scope=scope,
        query=query,
        results=results,
        links=contribution_links(),
    )


@bp.get("/members")
@login_required
def members():
    return redirect(url_for("search.index", scope=Scope.MEMBERS.value))


@bp.get("/discover")
@login_required
def discover():
    session = get_session()
    form = DiscoverForm(request.args)
    form.configure(contributions.all_types(session), categories.by_name(session))
    form.validate()
    found = queries.discover(
        session,
        current_user,
        type_id=form.valid("type"),
        category_id=form.valid("category"),
        before=id_arg("before"),
    )
    filters = {name: request.args[name] for name in ("type", "category") if form.valid(name)}
    return render_template(
        "search/discover.html",
        form=form,
        found=found,
        filters=filters,
        before=id_arg("before"),
        links=contribution_links(),
        # An unconfirmed address: the page says so once instead of offering the buttons.
        must_verify=must_be_verified(current_user, "endorse") is not None,
    )
