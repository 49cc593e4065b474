"""One's own nominations: those about you and those you made."""

from __future__ import annotations

from nominee.api.framework import operation, responses, token
from nominee.api.schemas import CategoryRef, CycleRef, MemberRef, NominationList, NominationOut
from nominee.api.views import bp
from nominee.nominations import queries, rules
from nominee.nominations.models import Nomination
from nominee.tokens.rules import Scope
from nominee.uow import get_session


def nomination_out(nomination: Nomination) -> NominationOut:
    nominator = nomination.nominator
    return NominationOut(
        id=nomination.id,
        cycle=CycleRef(id=nomination.cycle.id, name=nomination.cycle.name),
        category=CategoryRef(id=nomination.category.id, name=nomination.category.name),
        nominee=MemberRef(id=nomination.nominee.id, display_name=nomination.nominee.display_name),
        nominator=MemberRef(id=nominator.id, display_name=nominator.display_name)
        if nominator
        else None,
        kind=nomination.kind.value,
        status=rules.shown_status(token().user, nomination).value,
        created_at=nomination.created_at,
    )


@bp.get("/nominations")
@operation(Scope.READ, resp=responses(HTTP_200=NominationList), tags=("nominations",))
def my_nominations():
    """Your nominations (``about_me``, self nominations included) and those you made of
    others (``made``), newest first, as "My nominations" shows them."""
    mine = queries.nominations_of_member(get_session(), token().user_id)
    return NominationList(
        about_me=[nomination_out(n) for n in mine.about_me],
        made=[nomination_out(n) for n in mine.made],
    )
