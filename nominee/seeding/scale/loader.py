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
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
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

    def write(self, table: FromClause, columns: Sequence[str], rows: Iterable[tuple]) -> int:
        """Write ``rows`` into ``table`` (a ``Table``, or a model's ``__table__``)."""
        if not isinstance(table, Table):
            raise TypeError(f"not a table: {table!r}")
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
        far cheaper than updating them row by row in random order."""
        indexes = [index for table in tables for index in table.indexes]
        for index in indexes:
            index.drop(self.connection)
        yield
        for index in indexes:
            index.create(self.connection)

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
