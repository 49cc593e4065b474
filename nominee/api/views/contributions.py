"""Contributions: list (filters, cursor), read, log, change (If-Match), delete; the
same services and rules as the pages."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, time

from flask import request, url_for
from sqlalchemy import select

from nominee import pagination
from nominee.api.framework import (
    bad_cursor,
    operation,
    require_if_match,
    responses,
    token,
    validated,
)
from nominee.api.schemas import (
    ContributionIn,
    ContributionList,
    ContributionOut,
    ContributionPatch,
    ContributionQuery,
    FigureIn,
    FigureOut,
    IdempotencyHeaders,
    IfMatchHeaders,
    MemberRef,
)
from nominee.api.views import bp
from nominee.contributions import queries, rules, services
from nominee.contributions.models import Contribution, Visibility
from nominee.errors import NotFound, PermissionDenied
from nominee.tokens.rules import Scope
from nominee.uow import get_session

TAGS = ("contributions",)


def version_of(contribution: Contribution | queries.ContributionRow) -> str:
    """The ETag of what its owner can change (endorsements coming in change nothing)."""
    row = (
        contribution
        if isinstance(contribution, queries.ContributionRow)
        else queries.ContributionRow.of(contribution)
    )
    editable = {
        "type": row.type_id,
        "role": row.role,
        "title": row.title,
        "on": row.contributed_on.isoformat(),
        "url": row.url,
        "description": row.description_md,
        "category": row.primary_category_id,
        "categories": row.category_ids,
        "figures": sorted((metric_id, value) for metric_id, _name, value in row.figures),
        "visibility": row.visibility.value,
    }
    digest = hashlib.sha256(json.dumps(editable, sort_keys=True).encode()).hexdigest()
    return f'"{digest[:24]}"'


def contribution_out(contribution: Contribution | queries.ContributionRow) -> ContributionOut:
    row = (
        contribution
        if isinstance(contribution, queries.ContributionRow)
        else queries.ContributionRow.of(contribution)
    )
    return ContributionOut(
        id=row.id,
        owner=MemberRef(id=row.owner_id, display_name=row.owner_name),
        type_id=row.type_id,
        type_name=row.type_name,
        role=row.role,
        title=row.title,
        contributed_on=row.contributed_on,
        url=row.url,
        description_md=row.description_md,
        primary_category_id=row.primary_category_id,
        category_ids=row.category_ids,
        figures=[
            FigureOut(metric_id=metric_id, name=name, value=value)
            for metric_id, name, value in row.figures
        ],
        visibility=row.visibility.value,
        endorsement_count=row.endorsement_count,
        created_at=row.created_at,
        updated_at=row.updated_at,
        etag=version_of(row),
    )


def _figures(items: list[FigureIn]) -> dict[int, int | None]:
    return {item.metric_id: item.value for item in items}


def _visible(contribution_id: int) -> Contribution:
    found = queries.visible_contribution(get_session(), token().user, contribution_id)
    if found is None:
        raise NotFound("No such contribution, or it is not yours to see.")
    return found


def _owned(contribution_id: int) -> Contribution:
    contribution = _visible(contribution_id)
    if not rules.can_edit_contribution(token().user, contribution):
        raise PermissionDenied("Only the owner can change this contribution.")
    return contribution


@bp.get("/contributions")
@operation(
    Scope.READ, query=ContributionQuery, resp=responses(HTTP_200=ContributionList), tags=TAGS
)
def list_contributions():
    """A member's contributions (yours unless ``owner`` is given), newest first: those
    you may see, filtered as on "My contributions", a page at a time (``next_cursor``)."""
    query: ContributionQuery = validated("query")
    after = None
    if query.cursor:
        # The keyset cursor of the app's lists (``nominee.pagination``), at the day's start.
        position = pagination.decode_cursor(query.cursor)
        if position is None:
            raise bad_cursor()
        after = (position[0].date(), position[1])
    found = queries.contributions_after(
        get_session(),
        token().user,
        owner_id=query.owner or token().user_id,
        type_id=query.type,
        category_id=query.category,
        visibility=Visibility(query.visibility) if query.visibility else None,
        date_from=query.date_from,
        date_to=query.date_to,
        after=after,
        limit=query.limit + 1,
    )
    page = found[: query.limit]
    last = page[-1] if len(found) > query.limit else None
    return ContributionList(
        items=[contribution_out(c) for c in page],
        next_cursor=pagination.encode_cursor(
            datetime.combine(last.contributed_on, time(), UTC), last.id
        )
        if last
        else None,
    )


@bp.post("/contributions")
@operation(
    Scope.CONTRIBUTIONS_WRITE,
    body=ContributionIn,
    headers=IdempotencyHeaders,
    resp=responses(409, HTTP_201=ContributionOut),
    tags=TAGS,
    idempotent=True,
)
def create_contribution():
    """Log a contribution: the same rules as the form (types, categories, figures,
    dates, links)."""
    data: ContributionIn = validated("json")
    contribution = services.create_contribution(
        get_session(),
        token().user,
        services.ContributionInput(
            type_id=data.type_id,
            title=data.title,
            contributed_on=data.contributed_on,
            primary_category_id=data.primary_category_id,
            role=data.role,
            url=data.url,
            description_md=data.description_md,
            category_ids=list(data.category_ids),
            figures=_figures(data.figures),
            visibility=Visibility(data.visibility),
        ),
    )
    body = contribution_out(contribution)
    return (
        body,
        201,
        {
            "Location": url_for("api.get_contribution", contribution_id=contribution.id),
            "ETag": body.etag,
        },
    )


@bp.get("/contributions/<api_id:contribution_id>")
@operation(Scope.READ, resp=responses(HTTP_200=ContributionOut), tags=TAGS)
def get_contribution(contribution_id: int):
    """One contribution you may see, with its ETag."""
    body = contribution_out(_visible(contribution_id))
    return body, 200, {"ETag": body.etag}


@bp.patch("/contributions/<api_id:contribution_id>")
@operation(
    Scope.CONTRIBUTIONS_WRITE,
    body=ContributionPatch,
    headers=IfMatchHeaders,
    resp=responses(409, 412, 428, HTTP_200=ContributionOut),
    tags=TAGS,
    idempotent=True,
)
def update_contribution(contribution_id: int):
    """Change your contribution: send its ETag in If-Match (412 when it changed since,
    428 without). Fields left out keep their value."""
    contribution = _owned(contribution_id)
    session = get_session()
    # Locked while compared and changed: two clients with the same ETag, one wins.
    session.execute(
        select(Contribution.id).where(Contribution.id == contribution.id).with_for_update()
    )
    session.refresh(contribution)
    require_if_match(version_of(contribution))
    patch: ContributionPatch = validated("json")
    figures: dict[int, int | None] = (
        _figures(patch.figures)
        if patch.figures is not None
        else {k: v for k, v in contribution.figure_values().items()}
    )
    data = services.ContributionInput(
        type_id=patch.type_id or contribution.type_id,
        title=contribution.title if patch.title is None else patch.title,
        contributed_on=patch.contributed_on or contribution.contributed_on,
        primary_category_id=patch.primary_category_id or contribution.primary_category_id,
        role=contribution.role if patch.role is None else patch.role,
        url=(contribution.url or "") if patch.url is None else patch.url,
        description_md=(
            contribution.description_md if patch.description_md is None else patch.description_md
        ),
        category_ids=(
            [c.id for c in contribution.categories]
            if patch.category_ids is None
            else list(patch.category_ids)
        ),
        figures=figures,
        visibility=Visibility(patch.visibility or contribution.visibility.value),
    )
    services.update_contribution(session, token().user, contribution, data)
    body = contribution_out(contribution)
    return body, 200, {"ETag": body.etag}


@bp.delete("/contributions/<api_id:contribution_id>")
@operation(
    Scope.CONTRIBUTIONS_WRITE,
    headers=IfMatchHeaders,
    resp=responses(409, 412, HTTP_204=None),
    tags=TAGS,
    idempotent=True,
)
def delete_contribution(contribution_id: int):
    """Delete your contribution (with If-Match, only that version). The evidence of a
    live nomination stays: 409, as on the pages."""
    contribution = _owned(contribution_id)
    if "If-Match" in request.headers:
        require_if_match(version_of(contribution))
    services.delete_contribution(get_session(), token().user, contribution)
    return "", 204
