"""The token's member, and the programme's lists: contribution types, categories."""

from __future__ import annotations

from nominee.api.framework import operation, responses, token
from nominee.api.schemas import (
    CategoryList,
    CategoryOut,
    ContributionTypeList,
    ContributionTypeOut,
    Me,
    MetricOut,
    TokenInfo,
)
from nominee.api.views import bp
from nominee.categories import queries as categories
from nominee.contributions import queries as contributions
from nominee.tokens.rules import Scope
from nominee.uow import get_session


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
