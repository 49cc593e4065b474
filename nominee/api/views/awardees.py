"""The public awardee directory, as ``/awardees`` shows it."""

from __future__ import annotations

from nominee import clock
from nominee.api.framework import operation, responses, validated
from nominee.api.schemas import AwardeeList, AwardeeQuery
from nominee.api.views import bp
from nominee.api.views.programme import award_out
from nominee.directory import queries
from nominee.directory.rules import Tab
from nominee.tokens.rules import Scope
from nominee.uow import get_session


@bp.get("/awardees")
@operation(Scope.READ, query=AwardeeQuery, resp=responses(HTTP_200=AwardeeList), tags=("awards",))
def awardees():
    """The awardee directory: one entry per award of a published cycle, by member name;
    ``tab`` current (default: the term has not ended) or alumni; the directory's filters;
    24 a page. Members who keep their profile private are left out, as on the page."""
    query: AwardeeQuery = validated("query")
    page = queries.awardees(
        get_session(),
        Tab(query.tab),
        queries.Filters(
            category_id=query.category,
            country=query.country,
            year=query.year,
            cycle_id=query.cycle,
            name=query.name or None,
        ),
        clock.today(),
        query.page,
    )
    return AwardeeList(
        items=[award_out(award) for award in page.items],
        page=page.page,
        pages=page.pages,
        total=page.total,
    )
