"""The Alembic migrations: one head, up and down cleanly, and no drift from the models.

Each test gets a fresh, empty database: a SQLite file, and a throwaway PostgreSQL
database when ``TEST_DATABASE_URL`` is set.
"""

from __future__ import annotations

import os
import pprint
import uuid
from collections.abc import Iterator

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

import nominee.models  # noqa: F401  (every table on Base.metadata)
from nominee.db import Base, make_engine
from nominee.migrate import alembic_config, upgrade

PG_URL = os.environ.get("TEST_DATABASE_URL")


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param(
            "postgresql",
            marks=pytest.mark.skipif(not PG_URL, reason="TEST_DATABASE_URL is not set"),
        ),
    ]
)
def empty_database(request, tmp_path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrations.sqlite3'}"
        return
    parsed = make_url(PG_URL)
    name = f"{parsed.database}_migrations_{uuid.uuid4().hex[:12]}"
    admin = create_engine(parsed, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield parsed.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def table_names(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_single_head():
    heads = ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads()
    assert len(heads) == 1, f"several heads, merge them: {heads}"


def test_upgrade_from_empty_downgrade_and_upgrade_again(empty_database):
    expected = set(Base.metadata.tables) | {"alembic_version"}
    upgrade(empty_database)
    assert table_names(empty_database) == expected
    command.downgrade(alembic_config(empty_database), "base")
    assert table_names(empty_database) <= {"alembic_version"}
    upgrade(empty_database)
    assert table_names(empty_database) == expected


def test_models_match_migrations(empty_database):
    upgrade(empty_database)
    engine = make_engine(empty_database)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()
    assert not diff, (
        "the models and the migrations differ; regenerate the migration "
        f"(flask --app nominee db revision):\n{pprint.pformat(diff)}"
    )


def test_every_foreign_key_of_the_models_exists_after_upgrade(empty_database):
    """Autogenerate's comparison does not see a missing ``use_alter`` key (nominations and
    awards reference each other): PostgreSQL once lacked one that SQLite had."""
    upgrade(empty_database)
    engine = make_engine(empty_database)
    try:
        inspector = inspect(engine)
        missing = {
            (table.name, fk.name)
            for table in Base.metadata.sorted_tables
            for fk in table.foreign_key_constraints
            if fk.name not in {found["name"] for found in inspector.get_foreign_keys(table.name)}
        }
    finally:
        engine.dispose()
    assert not missing, f"foreign keys of the models missing from the database: {missing}"
