"""``flask --app nominee seed-scale --scale small|medium|large [--seed N]``."""

from __future__ import annotations

import time

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import inspect, select
from sqlalchemy.engine import Engine

from nominee.db import make_engine
from nominee.seeding.scale import SCALES, seed_programme

# Only for the bulk load, on the seeder's own connection: a crash mid-seed leaves a
# database to throw away anyway, and the seed refuses to run on one that has data.
SQLITE_LOAD_PRAGMAS = (
    "PRAGMA foreign_keys=OFF",
    "PRAGMA journal_mode=MEMORY",
    "PRAGMA synchronous=OFF",
    "PRAGMA cache_size=-512000",
    "PRAGMA temp_store=MEMORY",
)
SQLITE_RESTORE_PRAGMAS = ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL")


def has_data(engine: Engine) -> bool:
    import nominee.models  # noqa: F401  (every table on Base.metadata)
    from nominee.db import Base

    with engine.connect() as conn:
        return any(
            conn.execute(select(1).select_from(table).limit(1)).first() is not None
            for table in Base.metadata.sorted_tables
        )


def seed_database(engine: Engine, scale_name: str, seed: int, password: str) -> dict[str, int]:
    """Seed an empty, migrated database; answers rows written per table."""
    from nominee.accounts.passwords import hash_password

    if has_data(engine):
        raise click.ClickException(
            "The database is not empty: seed-scale only fills an empty one "
            "(point DATABASE_URL at a new database)."
        )
    password_hash = hash_password(password)
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as conn:
        driver = conn.connection.driver_connection
        if sqlite:
            for pragma in SQLITE_LOAD_PRAGMAS:
                driver.execute(pragma)
        try:
            with conn.begin():
                counts = seed_programme(conn, SCALES[scale_name], seed, password_hash)
            if sqlite:
                driver.execute("PRAGMA analysis_limit=2000")
                driver.execute("ANALYZE")
                for pragma in SQLITE_RESTORE_PRAGMAS:
                    driver.execute(pragma)
            else:
                conn.execute(select(1))  # ANALYZE below runs outside a transaction
                conn.commit()
                driver.autocommit = True
                driver.execute("ANALYZE")
        finally:
            # The pragmas above belong to the seed: this connection is not pooled again.
            conn.invalidate()
    return counts


@click.command("seed-scale")
@click.option(
    "--scale",
    "scale_name",
    type=click.Choice(list(SCALES)),
    default="small",
    show_default=True,
    help="large: 20,000 members, 300,000 contributions, 1.5 million endorsements; "
    "medium is a tenth, small a hundredth.",
)
@click.option("--seed", default=1, show_default=True, help="Same seed, same day: same data.")
@with_appcontext
def seed_scale(scale_name: str, seed: int) -> None:
    """Fill an empty database with a synthetic programme at scale, for benchmarks."""
    from nominee.migrate import upgrade

    # An engine of its own, without the app's per-statement time budget: bulk inserts
    # and index builds at large scale run longer than any request may.
    engine = make_engine(current_app.config["DATABASE_URL"])
    if not inspect(engine).has_table("users"):
        upgrade()
    started = time.perf_counter()
    try:
        counts = seed_database(engine, scale_name, seed, current_app.config["DEMO_PASSWORD"])
    finally:
        engine.dispose()
    elapsed = time.perf_counter() - started
    for table, count in counts.items():
        click.echo(f"{table:>24} {count:>10,}")
    click.echo(
        f"Seeded the {scale_name} programme (seed {seed}) in {elapsed:.1f} s. "
        f"Logins: organizer@example.org, reviewer1@example.org, member1@example.org "
        f"(the most active member); password: the DEMO_PASSWORD setting."
    )
