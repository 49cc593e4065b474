"""Endorsements: give and withdraw one, list those a member received or gave."""

from __future__ import annotations

from nominee import pagination
from nominee.accounts.models import User
from nominee.api.framework import (
    bad_cursor,
    operation,
    responses,
    token,
    validated,
)
from nominee.api.schemas import (
    EndorsementIn,
    EndorsementList,
    EndorsementOut,
    IdempotencyHeaders,
    MemberQuery,
    MemberRef,
)
from nominee.api.views import bp
from nominee.api.views.contributions import _visible
from nominee.endorsements import queries, services
from nominee.endorsements.models import Endorsement
from nominee.errors import NotFound
from nominee.tokens.rules import Scope
from nominee.uow import get_session

TAGS = ("endorsements",)


def endorsement_out(endorsement: Endorsement | queries.EndorsementRow) -> EndorsementOut:
    row = (
        endorsement
        if isinstance(endorsement, queries.EndorsementRow)
        else queries.EndorsementRow.of(endorsement)
    )
    return EndorsementOut(
        id=row.id,
        contribution_id=row.contribution_id,
        contribution_title=row.contribution_title,
        endorser=MemberRef(id=row.endorser_id, display_name=row.endorser_name),
        endorsee=MemberRef(id=row.endorsee_id, display_name=row.endorsee_name),
        comment=row.comment,
        created_at=row.created_at,
        withdrawn_at=row.withdrawn_at,
    )


@bp.post("/contributions/<api_id:contribution_id>/endorsement")
@operation(
    Scope.ENDORSEMENTS_WRITE,
    body=EndorsementIn,
    headers=IdempotencyHeaders,
    resp=responses(409, HTTP_201=EndorsementOut),
    tags=TAGS,
    idempotent=True,
)
def endorse(contribution_id: int):
    """Endorse another member's public contribution (once; 409 when you already do, 403
    for your own)."""
    data: EndorsementIn = validated("json")
    endorsement = services.endorse(
        get_session(), token().user, _visible(contribution_id), data.comment
    )
    return endorsement_out(endorsement), 201


@bp.delete("/contributions/<api_id:contribution_id>/endorsement")
@operation(
    Scope.ENDORSEMENTS_WRITE,
    headers=IdempotencyHeaders,
    resp=responses(409, HTTP_200=EndorsementOut),
    tags=TAGS,
    idempotent=True,
)
def withdraw(contribution_id: int):
    """Withdraw your endorsement (the record of it stays)."""
    contribution = _visible(contribution_id)
    session = get_session()
    if queries.endorsement_of(session, token().user, contribution) is None:
        raise NotFound("You have not endorsed this contribution.")
    return endorsement_out(services.withdraw(session, token().user, contribution))


def _listing(direction: str) -> EndorsementList:
    """A member's received or given endorsements, a keyset page of the member page's
    lists (``endorsements.queries``)."""
    query: MemberQuery = validated("query")
    if query.cursor and pagination.decode_cursor(query.cursor) is None:
        raise bad_cursor()
    session = get_session()
    member = session.get(User, query.member) if query.member else token().user
    if member is None:
        raise NotFound("No such member.")
    if direction == "received":
        page = queries.received(session, member, token().user, query.cursor, query.limit)
    else:
        page = queries.given(session, member, token().user, query.cursor, query.limit)
    return EndorsementList(items=[endorsement_out(e) for e in page.items], next_cursor=page.next)


@bp.get("/endorsements/received")
@operation(Scope.READ, query=MemberQuery, resp=responses(HTTP_200=EndorsementList), tags=TAGS)
def received():
    """Active endorsements a member (you unless ``member``) received, newest first."""
    return _listing("received")


@bp.get("/endorsements/given")
@operation(Scope.READ, query=MemberQuery, resp=responses(HTTP_200=EndorsementList), tags=TAGS)
def given():
    """Active endorsements a member (you unless ``member``) gave, newest first."""
    return _listing("given")
