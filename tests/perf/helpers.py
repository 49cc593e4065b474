"""A seeded programme inside the test's transaction, and a statement counter."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from nominee.seeding.scale import Scale, seed_programme
from tests import factories

# Two sizes, the second three times the first, small enough to seed in a fraction of a
# second. A page whose query count differs between them has an N+1. Fewer reviews than
# assignments: the save-review POST needs a review not yet submitted (submitted is final).
SMALL = Scale("tiny", 40, 300, 1_000, 6, 5, 15, 1, 4)
BIG = Scale("tiny x3", 120, 900, 3_000, 18, 6, 45, 1, 6)
ANCHOR = date.today()
# Transaction control is not a query: SQLite's BEGIN, and the savepoints the test
# fixtures wrap every request's session in.
CONTROL = ("BEGIN", "SAVEPOINT", "RELEASE", "ROLLBACK", "COMMIT")


@contextmanager
def seeded(connection: Connection, scale: Scale, seed: int = 7) -> Iterator[Session]:
    """``scale``'s programme in a savepoint of the test's transaction, rolled back after;
    yields a session that sees it."""
    savepoint = connection.begin_nested()
    session = Session(bind=connection, join_transaction_mode="create_savepoint")
    try:
        seed_programme(
            connection,
            scale,
            seed,
            factories._PASSWORD_HASH,
            anchor=ANCHOR,
            drop_indexes=False,
        )
        yield session
    finally:
        session.close()
        savepoint.rollback()


class StatementCounter:
    """Counts the statements run on ``connection`` while ``active``, control left out."""

    def __init__(self, connection: Connection):
        self.connection = connection
        self.count = 0
        self.active = False

    def _seen(self, _conn, _cursor, statement: str, *_args) -> None:
        if self.active and not statement.lstrip().upper().startswith(CONTROL):
            self.count += 1

    def __enter__(self) -> StatementCounter:
        event.listen(self.connection, "before_cursor_execute", self._seen)
        return self

    def __exit__(self, *_exc) -> None:
        event.remove(self.connection, "before_cursor_execute", self._seen)
