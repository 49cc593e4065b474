"""For organizers (the ``admin`` scope): a cycle's review dashboard rows and its
decisions export, as the pages give them."""

from __future__ import annotations

from nominee.api.framework import operation, responses, token, validated
from nominee.api.schemas import (
    CategoryRef,
    Dashboard,
    DashboardQuery,
    DashboardRow,
    DecisionsExport,
    MemberRef,
)
from nominee.api.views import bp
from nominee.awards import export
from nominee.cycles.models import Cycle
from nominee.errors import NotFound, PermissionDenied
from nominee.nominations import rules as nomination_rules
from nominee.nominations.rules import decisions_public
from nominee.reviews import queries
from nominee.reviews.queries import Filters
from nominee.tokens.rules import Scope
from nominee.uow import get_session

TAGS = ("organizers",)
ROWS_PER_PAGE = 50


def _cycle(cycle_id: int) -> Cycle:
    if not token().user.is_organizer:
        raise PermissionDenied("Only organizers read this.")
    cycle = queries.cycle_with_categories(get_session(), cycle_id)
    if cycle is None:
        raise NotFound("No such cycle.")
    return cycle


@bp.get("/cycles/<api_id:cycle_id>/dashboard")
@operation(Scope.ADMIN, query=DashboardQuery, resp=responses(HTTP_200=Dashboard), tags=TAGS)
def dashboard(cycle_id: int):
    """The cycle's review queue, a page of 50 rows, filtered and sorted as on the
    dashboard (nominations you are conflicted on are left out, rule 9)."""
    cycle = _cycle(cycle_id)
    session = get_session()
    user = token().user
    query: DashboardQuery = validated("query")
    filters = Filters(category_id=query.category, sort=query.sort, descending=query.order == "desc")
    board = queries.dashboard(
        session,
        cycle,
        user,
        queries.scope_of(session, cycle.id, user.id),
        filters,
        query.page,
        ROWS_PER_PAGE,
    )
    return Dashboard(
        items=[
            DashboardRow(
                nomination_id=row.Nomination.id,
                nominee=MemberRef(id=row.Nomination.nominee_id, display_name=row.nominee_name),
                category=CategoryRef(id=row.Nomination.category_id, name=row.category_name),
                status=nomination_rules.shown_status(user, row.Nomination).value,
                evidence_count=row.Nomination.evidence_count,
                distinct_endorsers=row.Nomination.distinct_endorsers,
                effective_endorsers=row.effective_endorsers,
                total_audience=row.Nomination.total_audience,
                reviews_submitted=row.Nomination.reviews_submitted,
                score_mean=row.Nomination.score_mean,
                recommend_award=row.Nomination.recommend_award,
                recommend_decline=row.Nomination.recommend_decline,
                recommend_abstain=row.Nomination.recommend_abstain,
                integrity_flagged=bool(row.integrity_flagged),
            )
            for row in board.page.items
        ],
        page=board.page.page,
        pages=board.page.pages,
        total=board.page.total,
    )


@bp.get("/cycles/<api_id:cycle_id>/decisions")
@operation(Scope.ADMIN, resp=responses(HTTP_200=DecisionsExport), tags=TAGS)
def decisions(cycle_id: int):
    """The cycle's nominations with their scores and decisions: the CSV export's columns
    and rows (rows you are conflicted on keep their public counters only, rule 9)."""
    cycle = _cycle(cycle_id)
    session = get_session()
    conflicted = frozenset(queries.conflicted_ids(session, cycle, token().user))
    header, *rows = export.rows(
        session, cycle.id, conflicted, decisions_public(cycle), for_spreadsheets=False
    )
    return DecisionsExport(columns=[str(c) for c in header], rows=rows)
