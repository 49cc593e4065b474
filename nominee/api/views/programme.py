"""The token's member, and the programme's lists: contribution types, categories."""

from __future__ import annotations

from nominee import clock
from nominee.accounts.models import User
from nominee.api.framework import operation, responses, token, validated
from nominee.api.schemas import (
    AwardList,
    AwardOut,
    CategoryList,
    CategoryOut,
    CategoryRef,
    ContributionTypeList,
    ContributionTypeOut,
    CycleList,
    CycleOut,
    CycleRef,
    Me,
    MemberRef,
    MetricOut,
    PageNumber,
    TokenInfo,
)
from nominee.api.views import bp
from nominee.awards import queries as awards
from nominee.awards.models import Award
from nominee.categories import queries as categories
from nominee.contributions import queries as contributions
from nominee.contributions import rules as contribution_rules
from nominee.cycles import queries as cycles
from nominee.cycles.models import Cycle
from nominee.errors import NotFound
from nominee.tokens.rules import Scope
from nominee.uow import get_session

CYCLES_PER_PAGE = 50


@bp.get("/me")
@operation(Scope.READ, resp=responses(HTTP_200=Me), tags=("account",))
def me():
    """The token's member, and the token."""
    current = token()
    user = current.user
    return Me(
        id=user.id,
        display_name=user.display_name,
        email=user.email,
        role=user.role.value,
        token=TokenInfo(
            name=current.name,
            prefix=current.prefix,
            scopes=current.scopes,
            expires_at=current.expires_at,
        ),
    )


@bp.get("/contribution-types")
@operation(Scope.READ, resp=responses(HTTP_200=ContributionTypeList), tags=("programme",))
def contribution_types():
    """The types a contribution can be logged with, and the reach metrics each asks for."""
    return ContributionTypeList(
        items=[
            ContributionTypeOut(
                id=kind.id,
                name=kind.name,
                slug=kind.slug,
                roles=list(kind.roles),
                retired=kind.retired,
                metrics=[
                    MetricOut(
                        id=metric.id,
                        name=metric.name,
                        unit=metric.unit,
                        required=metric.required,
                        maximum=metric.maximum,
                        retired=metric.retired,
                    )
                    for metric in kind.metrics
                ],
            )
            for kind in contributions.choosable_types(get_session(), None)
        ]
    )


@bp.get("/categories")
@operation(Scope.READ, resp=responses(HTTP_200=CategoryList), tags=("programme",))
def category_list():
    """Every category, retired ones too (``retired``: no longer chosen for new work)."""
    return CategoryList(
        items=[
            CategoryOut(id=c.id, name=c.name, slug=c.slug, retired=c.retired)
            for c in categories.by_name(get_session())
        ]
    )


def cycle_out(cycle: Cycle) -> CycleOut:
    return CycleOut(
        id=cycle.id,
        name=cycle.name,
        status=cycle.status.value,
        nominations_open_on=cycle.nominations_open_on,
        nominations_close_on=cycle.nominations_close_on,
        review_close_on=cycle.review_close_on,
        lookback_months=cycle.lookback_months,
        award_term_months=cycle.award_term_months,
        categories=[CategoryRef(id=c.id, name=c.name) for c in cycle.categories],
    )


@bp.get("/cycles")
@operation(Scope.READ, query=PageNumber, resp=responses(HTTP_200=CycleList), tags=("programme",))
def cycle_list():
    """The award cycles you may see (organizers: drafts too), latest opening first, 50 a
    page."""
    query: PageNumber = validated("query")
    page = cycles.visible_cycles(
        get_session(), token().user, query.page, CYCLES_PER_PAGE, with_categories=True
    )
    return CycleList(items=[cycle_out(c) for c in page.items], page=page.page, pages=page.pages)


def award_out(award: Award) -> AwardOut:
    return AwardOut(
        verification_id=award.verification_id,
        member=MemberRef(id=award.member.id, display_name=award.member.display_name),
        category=CategoryRef(id=award.category.id, name=award.category.name),
        cycle=CycleRef(id=award.cycle.id, name=award.cycle.name),
        starts_on=award.starts_on,
        ends_on=award.ends_on,
        status=award.status_on(clock.today()).value,
    )


@bp.get("/awards/<verification_id>")
@operation(Scope.READ, resp=responses(HTTP_200=AwardOut), tags=("awards",))
def award(verification_id: str):
    """A published award by its verification id (as on its public page)."""
    found = awards.find_public_award(get_session(), verification_id)
    if found is None:
        raise NotFound("No published award has this verification id.")
    return award_out(found)


@bp.get("/members/<api_id:member_id>/awards")
@operation(Scope.READ, resp=responses(HTTP_200=AwardList), tags=("awards",))
def member_awards(member_id: int):
    """A member's awards of published cycles, latest term first."""
    session = get_session()
    member = session.get(User, member_id)
    if member is None or not contribution_rules.can_view_member(token().user, member):
        raise NotFound("No such member.")
    return AwardList(items=[award_out(a) for a in awards.awards_for_member(session, member.id)])
