"""Bulk writers for the scale seeder: executemany on SQLite, COPY on PostgreSQL.

Rows are plain tuples whose values are already in a form both drivers accept: ints,
strings, bools, None, ``date`` strings ("YYYY-MM-DD") and timestamps made by
``timestamp()``. Columns of the model the seeder does not fill get their scalar
default, so a column added later with a default does not break the seed; one without a
default does, loudly.
"""

from __future__ import annotations

import enum
import json
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import date, datetime
from itertools import islice
from typing import Any

from sqlalchemy import Table, text
from sqlalchemy.engine import Connection
from sqlalchemy.sql.expression import FromClause
from sqlalchemy.sql.schema import CallableColumnDefault, ScalarElementColumnDefault

BATCH = 20_000


def batched(rows: Iterable[tuple], size: int = BATCH) -> Iterator[list[tuple]]:
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


def _plain(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, list | dict):
        return json.dumps(value)
    return value


@contextmanager
def timed(timings: dict[str, list[float]], name: str) -> Iterator[None]:
    """Adds the wall and this process's CPU seconds spent in the block to
    ``timings[name]`` (``[wall, cpu]``)."""
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        yield
    finally:
        spent = timings.setdefault(name, [0.0, 0.0])
        spent[0] += time.perf_counter() - wall
        spent[1] += time.process_time() - cpu


def driver_connection(connection: Connection) -> Any:
    """The DB-API connection (sqlite3 or psycopg) under ``connection``."""
    driver = connection.connection.driver_connection
    if driver is None:
        raise RuntimeError("the connection is closed")
    return driver


class BulkWriter:
    """Writes many rows per round trip on the seeder's single connection."""

    def __init__(self, connection: Connection):
        self.connection = connection
        self.dialect = connection.dialect.name
        self.driver = driver_connection(connection)
        self.counts: dict[str, int] = {}
        # Phase -> [wall seconds, this process's CPU seconds], added up (``phase``).
        self.timings: dict[str, list[float]] = {}
        # SQLAlchemy keeps SQLite datetimes as naive UTC text; PostgreSQL wants the offset.
        self.tz_suffix = "+00:00" if self.dialect == "postgresql" else ""

    def time_of_day(self, second: int) -> str:
        """The part after a "YYYY-MM-DD" that makes it a timestamp column's value."""
        hours, rest = divmod(second, 3600)
        return f" {hours:02d}:{rest // 60:02d}:{rest % 60:02d}.000000{self.tz_suffix}"

    def value(self, value: Any) -> Any:
        """A Python value (datetime, enum, list...) in the form ``write`` expects."""
        if isinstance(value, datetime):
            return value.strftime("%Y-%m-%d %H:%M:%S.%f") + self.tz_suffix
        if isinstance(value, date):
            return value.isoformat()
        return _plain(value)

    def _defaults(self, table: Table, columns: Sequence[str]) -> tuple[list[str], tuple]:
        """Columns the seeder leaves out, with the value each gets."""
        names, values = [], []
        for column in table.columns:
            if column.name in columns:
                continue
            default = column.default
            if isinstance(default, ScalarElementColumnDefault):
                names.append(column.name)
                values.append(self.value(default.arg))
            elif isinstance(default, CallableColumnDefault):
                names.append(column.name)
                # Our defaults (utcnow, list, token makers) take no execution context:
                # SQLAlchemy wraps them in one that ignores it.
                values.append(self.value(default.arg(None)))  # type: ignore[arg-type]
            elif not column.nullable and column.server_default is None:
                raise RuntimeError(
                    f"{table.name}.{column.name} has no default: "
                    "teach nominee.seeding.scale to fill it"
                )
        return names, tuple(values)

    def phase(self, name: str) -> AbstractContextManager[None]:
        return timed(self.timings, name)

    def write(self, table: FromClause, columns: Sequence[str], rows: Iterable[tuple]) -> int:
        """Write ``rows`` into ``table`` (a ``Table``, or a model's ``__table__``)."""
        if not isinstance(table, Table):
            raise TypeError(f"not a table: {table!r}")
        # Rows made lazily are made here: their making is timed with their writing.
        with self.phase(f"write {table.name}"):
            return self._write(table, columns, rows)

    def _write(self, table: Table, columns: Sequence[str], rows: Iterable[tuple]) -> int:
        extra_names, extra_values = self._defaults(table, columns)
        if extra_values:
            rows = (row + extra_values for row in rows)
        names = [*columns, *extra_names]
        written = 0
        if self.dialect == "postgresql":
            quoted = ", ".join(f'"{name}"' for name in names)
            with self.driver.cursor() as cursor:
                with cursor.copy(f'COPY "{table.name}" ({quoted}) FROM STDIN') as copy:
                    for row in rows:
                        copy.write_row(row)
                        written += 1
        else:
            sql = "INSERT INTO {} ({}) VALUES ({})".format(
                table.name, ", ".join(names), ", ".join("?" * len(names))
            )
            cursor = self.driver.cursor()
            for batch in batched(rows):
                cursor.executemany(sql, batch)
                written += len(batch)
            cursor.close()
        self.counts[table.name] = self.counts.get(table.name, 0) + written
        return written

    @contextmanager
    def without_indexes(self, tables: Iterable[Table]) -> Iterator[None]:
        """Drop the tables' plain indexes for the load and build them once, sorted, after:
        far cheaper than updating them row by row in random order. On PostgreSQL, every
        index the database has on them but a constraint's, as it defines it: search's
        GIN index, which no model declares, included."""
        tables = list(tables)
        if self.dialect != "postgresql":
            indexes = [index for table in tables for index in table.indexes]
            for index in indexes:
                index.drop(self.connection)
            yield
            with self.phase("indexes"):
                for index in indexes:
                    index.create(self.connection)
            return
        found = self.connection.execute(
            text(
                "SELECT quote_ident(ci.relname), pg_get_indexdef(x.indexrelid) "
                "FROM pg_index x JOIN pg_class ci ON ci.oid = x.indexrelid "
                "JOIN pg_class ct ON ct.oid = x.indrelid "
                "WHERE ct.relnamespace = current_schema()::regnamespace "
                "AND ct.relname = ANY(:names) AND NOT EXISTS (SELECT 1 FROM pg_constraint c "
                "WHERE c.conindid = x.indexrelid AND c.conrelid = x.indrelid) "
                "ORDER BY ct.relname, ci.relname"
            ),
            {"names": [table.name for table in tables]},
        ).all()
        for name, _ in found:
            self.connection.execute(text(f"DROP INDEX {name}"))
        yield
        with self.phase("indexes"):
            # Each build sorts its whole table: in memory, not in temporary files.
            self.connection.execute(text("SET LOCAL maintenance_work_mem = '256MB'"))
            for _, definition in found:
                self.connection.exec_driver_sql(str(definition))

    @contextmanager
    def without_foreign_keys(self) -> Iterator[None]:
        """PostgreSQL: every foreign key of the schema dropped for the load and added back
        after it, as the database defines it (migrated or made from the models), each then
        checked in one pass over its table instead of by a trigger per row written (a
        lookup and a row lock in the referenced table for each of millions of rows).
        SQLite checks none during the load (``PRAGMA foreign_keys=OFF``)."""
        if self.dialect != "postgresql":
            yield
            return
        keys = self.connection.execute(
            text(
                "SELECT conrelid::regclass::text, quote_ident(conname), "
                "pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE contype = 'f' AND connamespace = current_schema()::regnamespace "
                "ORDER BY conrelid::regclass::text, conname"
            )
        ).all()
        for table, name, _ in keys:
            self.connection.execute(text(f"ALTER TABLE {table} DROP CONSTRAINT {name}"))
        yield
        with self.phase("foreign keys"):
            for table, name, definition in keys:
                self.connection.exec_driver_sql(
                    f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}"
                )

    def reset_sequences(self, tables: Iterable[Table]) -> None:
        """PostgreSQL identity sequences continue after the ids the seeder chose."""
        if self.dialect != "postgresql":
            return
        for table in tables:
            pk = list(table.primary_key.columns)
            if len(pk) != 1 or not pk[0].autoincrement or pk[0].type.python_type is not int:
                continue
            self.connection.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', '{pk[0].name}'), "
                    f"COALESCE((SELECT MAX({pk[0].name}) FROM {table.name}), 0) + 1, false)"
                )
            )
