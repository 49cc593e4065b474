"""notifications keep their kind and parameters, not a finished sentence and URL

Revision ID: c3a9e5d17b42
Revises: b7d41c2e9a10
Create Date: 2026-12-08 10:00:00.000000

A notification's text and link are made where it is shown (``nominee.notifications.
kinds``), so the same row can be shown in another language or sent by email. Existing
rows are taken apart: the ids come from their link (``/nominations/<id>``,
``/contributions/<id>``, ``/awards/<verification id>``), the names from the rows they
point to and, for what only the sentence knows (who endorsed or withdrew, a reason, a
count), from the sentence. A row is converted only when its new parameters render its
old sentence exactly; any other (a renamed cycle, a truncated sentence, a kind this
revision does not know) becomes a ``legacy`` row that keeps its text and path as they
were. Downgrading writes the English sentence and the path back.
"""

import re
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa
from alembic import op

from nominee.notifications import kinds

revision: str = "c3a9e5d17b42"
down_revision: str | None = "b7d41c2e9a10"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

notifications = sa.table(
    "notifications",
    sa.column("id", sa.Integer),
    sa.column("user_id", sa.Integer),
    sa.column("kind", sa.String),
    sa.column("message", sa.String),
    sa.column("link", sa.String),
    sa.column("params", sa.JSON),
)

NOMINATION_PATH = re.compile(r"/nominations/(\d+)$")
CONTRIBUTION_PATH = re.compile(r"/contributions/(\d+)$")
AWARD_PATH = re.compile(r"/awards/([^/?#]+)$")

# The paths of the endpoints notifications lead to, as the downgrade writes them back.
PATHS = {
    "nominations.show": "/nominations/{nomination_id}",
    "contributions.view": "/contributions/{contribution_id}",
    "awards.verify": "/awards/{verification_id}",
}


def upgrade() -> None:
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("params", sa.JSON(), nullable=True))
    conn = op.get_bind()
    lookup = _Lookup(conn)
    rows = conn.execute(
        sa.select(
            notifications.c.id,
            notifications.c.user_id,
            notifications.c.kind,
            notifications.c.message,
            notifications.c.link,
        )
    ).all()
    for row in rows:
        kind, params = _converted(lookup, row)
        conn.execute(
            notifications.update()
            .where(notifications.c.id == row.id)
            .values(kind=kind, params=params)
        )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.alter_column("params", existing_type=sa.JSON(), nullable=False)
        batch_op.drop_column("message")
        batch_op.drop_column("link")


def downgrade() -> None:
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("message", sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column("link", sa.String(length=500), nullable=True))
    conn = op.get_bind()
    rows = conn.execute(
        sa.select(notifications.c.id, notifications.c.kind, notifications.c.params)
    ).all()
    for row in rows:
        kind, message, link = _old_row(row.kind, row.params or {})
        conn.execute(
            notifications.update()
            .where(notifications.c.id == row.id)
            .values(kind=kind, message=message[:500], link=link[:500])
        )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.alter_column("message", existing_type=sa.String(length=500), nullable=False)
        batch_op.alter_column("link", existing_type=sa.String(length=500), nullable=False)
        batch_op.drop_column("params")


def _old_row(kind: str, params: dict[str, Any]) -> tuple[str, str, str]:
    """The kind, English sentence and path the row had (or would have had)."""
    if kind == kinds.LEGACY:
        return str(params["kind"]), str(params["text"]), str(params["path"])
    try:
        message = kinds.text(kind, params)
        target = kinds.target(kind, params)
    except (KeyError, ValueError):
        return kind, kind, ""
    if target is None or target[0] not in PATHS:
        return kind, message, ""
    endpoint, values = target
    return kind, message, PATHS[endpoint].format(**values)


class _Lookup:
    """The rows a notification points to, with the names its sentence shows."""

    def __init__(self, conn: sa.Connection):
        self.conn = conn

    def _one(self, sql: str, **params: Any) -> Any:
        return self.conn.execute(sa.text(sql), params).mappings().first()

    def nomination(self, nomination_id: int) -> Any:
        return self._one(
            """
            SELECT n.id, n.nominee_id, n.nominator_id, n.renewal_of_award_id,
                   category.name AS category, cycle.name AS cycle,
                   nominee.display_name AS nominee, nominator.display_name AS nominator
            FROM nominations n
            JOIN categories category ON category.id = n.category_id
            JOIN cycles cycle ON cycle.id = n.cycle_id
            JOIN users nominee ON nominee.id = n.nominee_id
            LEFT JOIN users nominator ON nominator.id = n.nominator_id
            WHERE n.id = :id
            """,
            id=nomination_id,
        )

    def award(self, *, award_id: int | None = None, verification_id: str | None = None) -> Any:
        where = "a.id = :key" if award_id is not None else "a.verification_id = :key"
        return self._one(
            f"""
            SELECT a.id, a.verification_id, a.ends_on,
                   category.name AS category, cycle.name AS cycle
            FROM awards a
            JOIN categories category ON category.id = a.category_id
            JOIN cycles cycle ON cycle.id = a.cycle_id
            WHERE {where}
            """,
            key=award_id if award_id is not None else verification_id,
        )

    def contribution(self, contribution_id: int) -> Any:
        return self._one("SELECT id, title FROM contributions WHERE id = :id", id=contribution_id)


def _before(message: str, marker: str) -> str | None:
    head, found, _ = message.partition(marker)
    return head if found else None


def _after(message: str, marker: str) -> str:
    _, found, tail = message.partition(marker)
    return tail if found else ""


def _iso(value: Any) -> str:
    if isinstance(value, date):
        return value.isoformat()
    return str(value)[:10]


def _about(n: Any) -> dict[str, Any]:
    return {"nomination_id": n["id"], "category": n["category"], "cycle": n["cycle"]}


def _recipient(n: Any, user_id: int) -> str:
    return "nominee" if user_id == n["nominee_id"] else "nominator"


def _nominated(n: Any, row: Any) -> dict[str, Any]:
    return {**_about(n), "nominator": n["nominator"]}


def _answered(n: Any, row: Any) -> dict[str, Any]:
    return {**_about(n), "nominee": n["nominee"]}


def _declined(n: Any, row: Any) -> dict[str, Any]:
    # A decline had no reason then ("reason" came with issue 20's confirmation page).
    return {**_answered(n, row), "reason": ""}


def _withdrawn(n: Any, row: Any) -> dict[str, Any]:
    return {
        **_about(n),
        "withdrawn_by": _before(row.message, " withdrew the nomination for "),
        "reason": _after(row.message, " Reason: "),
    }


def _lapsed(n: Any, row: Any) -> dict[str, Any]:
    return {**_about(n), "nominee": n["nominee"], "recipient": _recipient(n, row.user_id)}


def _results(n: Any, row: Any) -> dict[str, Any]:
    return {
        "nomination_id": n["id"],
        "cycle": n["cycle"],
        "nominee": n["nominee"],
        "recipient": _recipient(n, row.user_id),
    }


def _renewal(lookup: _Lookup, n: Any, row: Any) -> dict[str, Any] | None:
    if n["renewal_of_award_id"] is None:
        return None
    award = lookup.award(award_id=n["renewal_of_award_id"])
    if award is None:
        return None
    count = re.search(r", with (\d+) contributions from your award term", row.message)
    return {
        "nomination_id": n["id"],
        "award_id": award["id"],
        "category": award["category"],
        "cycle": n["cycle"],
        "ends_on": _iso(award["ends_on"]),
        "evidence_count": int(count.group(1)) if count else 0,
        "stage": "not_renewed" if " award is not renewed: " in row.message else "up_for_renewal",
    }


NOMINATION_KINDS: dict[str, Callable[[Any, Any], dict[str, Any]]] = {
    "nominated": _nominated,
    "nomination_accepted": _answered,
    "nomination_declined": _declined,
    "nomination_withdrawn": _withdrawn,
    "nomination_lapsed": _lapsed,
    "results.published": _results,
}


def _params(lookup: _Lookup, row: Any) -> dict[str, Any] | None:
    """What the row's kind needs, read from its link, the rows it points to and its
    sentence; None when they cannot be found."""
    link = row.link or ""
    if (path := NOMINATION_PATH.search(link)) is not None:
        n = lookup.nomination(int(path.group(1)))
        if n is None:
            return None
        if row.kind == "award.renewal":
            return _renewal(lookup, n, row)
        build = NOMINATION_KINDS.get(row.kind)
        return build(n, row) if build else None
    if (path := CONTRIBUTION_PATH.search(link)) is not None and row.kind == "endorsed":
        contribution = lookup.contribution(int(path.group(1)))
        if contribution is None:
            return None
        return {
            "contribution_id": contribution["id"],
            "title": contribution["title"],
            "endorser": _before(row.message, " endorsed your contribution “"),
        }
    if (path := AWARD_PATH.search(link)) is not None and row.kind in (
        "award.granted",
        "award.revoked",
    ):
        award = lookup.award(verification_id=path.group(1))
        if award is None:
            return None
        params = {
            "award_id": award["id"],
            "verification_id": award["verification_id"],
            "category": award["category"],
            "cycle": award["cycle"],
        }
        if row.kind == "award.revoked":
            params["reason"] = _after(row.message, " was revoked: ")
        return params
    return None


def _converted(lookup: _Lookup, row: Any) -> tuple[str, dict[str, Any]]:
    """The row's kind and parameters, or ``legacy`` with its sentence and path unless the
    parameters render exactly the sentence it had."""
    try:
        params = _params(lookup, row)
        if params is not None:
            stored = kinds.checked_params(row.kind, params)
            if kinds.text(row.kind, stored) == row.message:
                return row.kind, stored
    except (KeyError, ValueError):
        pass
    return kinds.LEGACY, {"kind": row.kind, "text": row.message, "path": row.link or ""}
