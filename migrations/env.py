"""Alembic environment: the app's metadata, batch mode on SQLite."""

from __future__ import annotations

from alembic import context

import nominee.models  # noqa: F401  (every table on Base.metadata)
from nominee.db import Base, make_engine
from nominee.search import schema as search_schema

config = context.config
target_metadata = Base.metadata


def run_migrations_offline() -> None:
    url = config.get_main_option("sqlalchemy.url")
    context.configure(
        url=url,
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=url.startswith("sqlite"),
        compare_type=True,
        include_object=search_schema.include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connectable = config.attributes.get("connection")
    if connectable is not None:
        _run(connectable)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url"))
    try:
        with engine.connect() as connection:
            _run(connection)
    finally:
        engine.dispose()


def _run(connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # Batch mode rebuilds a table by copying it and dropping the old one; with foreign
        # keys on, that DROP deletes every row that cascades from it (a nomination's
        # evidence, reviews, history). SQLite ignores this pragma inside a transaction,
        # so it is set on the driver's connection before Alembic begins one.
        connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
        # The search view and triggers name the tables batch mode renames; a modern
        # RENAME checks them mid-rebuild (the new table is not there yet) and fails.
        # The legacy RENAME leaves them as they are; the names are the same after.
        connection.connection.driver_connection.execute("PRAGMA legacy_alter_table=ON")
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=sqlite,
        compare_type=True,
        include_object=search_schema.include_object,
    )
    try:
        with context.begin_transaction():
            context.run_migrations()
            if sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
                if broken:
                    raise RuntimeError(f"migration left rows without their parent: {broken[:5]}")
        # A batch rebuild of a table drops its triggers, the search's among them.
        if sqlite and search_schema.repair_sqlite(connection) and connection.in_transaction():
            connection.commit()
    finally:
        if sqlite:
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=ON")
            connection.connection.driver_connection.execute("PRAGMA legacy_alter_table=OFF")


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
