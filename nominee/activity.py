"""The version of a member's activity (``User.activity_version``), which keys what the
shared cache keeps of their figures (``contributions.queries.member_figures``).

Every service that changes a member's contributions, their reach figures or the
endorsements they received, or the names and order of the types and metrics their
figures are shown under (or the names of the categories and figures' labels their kept
list of contributions shows, ``contributions.queries.member_listing``), calls
``changed`` in its transaction. The new version commits
with the change, and a page reads it with the member's row: a value kept under an older
version is never read again, on any host, and a rollback leaves the old one in force.
Plain Python: no Flask.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Select, update
from sqlalchemy.orm import Session

from nominee.accounts.models import User


def changed(session: Session, members: Iterable[int] | Select[Any]) -> None:
    """The kept figures of ``members`` (ids, or a select of ids) are stale: each gets a
    new version. A random one rather than the next number, so that a version a rolled-back
    transaction used (and a value kept under it) is never taken again."""
    owners = members if isinstance(members, Select) else sorted(set(members))
    if not isinstance(owners, Select) and not owners:
        return
    session.execute(
        update(User)
        .where(User.id.in_(owners))
        .values(activity_version=secrets.randbits(53))
        .execution_options(synchronize_session=False)
    )
    # The members this session holds read their new version when next asked.
    for held in list(session.identity_map.values()):
        if isinstance(held, User):
            session.expire(held, ["activity_version"])
