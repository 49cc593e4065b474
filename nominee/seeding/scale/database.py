"""Seed a whole database at scale: refuse one with data, load fast, then ANALYZE (and
on PostgreSQL VACUUM).

``flask --app nominee seed-scale`` (``nominee.seeding.cli``) and ``benchmarks/bench.py``
call ``seed_database``.
"""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session

from nominee.credentials import services as credentials
from nominee.seeding.scale import SCALES, seed_programme
from nominee.seeding.scale.loader import driver_connection, timed

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


def ground_truth_path(url: str, instance_path: str) -> Path:
    """Where ``seed-scale`` writes the ground truth: beside a SQLite file
    (``x.sqlite3`` -> ``x.rings.json``), else in the instance folder, named after the
    database."""
    parsed = make_url(url)
    name = parsed.database
    if parsed.get_backend_name() == "sqlite" and name and name != ":memory:":
        database = Path(name)
        return database.with_name(database.stem + ".rings.json")
    return Path(instance_path) / f"{name or 'nominee'}.rings.json"


def write_ground_truth(path: Path, truth: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(truth, indent=1) + "\n")


class ScaleRefused(Exception):
    """The database is not empty: the programme only fills an empty one."""


# Tables a migrated database has rows in before anyone uses it: the issuer's key.
MADE_BY_MIGRATIONS = frozenset({"issuer_keys"})


def has_data(engine: Engine) -> bool:
    import nominee.models  # noqa: F401  (every table on Base.metadata)
    from nominee.db import Base

    with engine.connect() as conn:
        return any(
            conn.execute(select(1).select_from(table).limit(1)).first() is not None
            for table in Base.metadata.sorted_tables
            if table.name not in MADE_BY_MIGRATIONS
        )


def seed_database(
    engine: Engine,
    scale_name: str,
    seed: int,
    password: str,
    rings: bool = False,
    truth: dict | None = None,
    timings: dict[str, list[float]] | None = None,
) -> dict[str, int]:
    """Seed an empty, migrated database; answers rows written per table. With ``rings``
    arranged groups are planted; ``truth`` receives the ground truth, ``timings`` the
    wall and CPU seconds of each phase (see ``seed_programme``)."""
    from nominee.accounts.passwords import hash_password

    if has_data(engine):
        raise ScaleRefused(
            "The database is not empty: seed-scale only fills an empty one "
            "(point DATABASE_URL at a new database)."
        )
    password_hash = hash_password(password)
    timings = {} if timings is None else timings
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as conn:
        driver = driver_connection(conn)
        if sqlite:
            for pragma in SQLITE_LOAD_PRAGMAS:
                driver.execute(pragma)
        try:
            with conn.begin():
                counts = seed_programme(
                    conn,
                    SCALES[scale_name],
                    seed,
                    password_hash,
                    truth=truth,
                    rings=rings,
                    timings=timings,
                )
                # The issuer's key, as a migrated database has it (a served benchmark's
                # first requests would all race to make one).
                credentials.ensure_key(Session(bind=conn, join_transaction_mode="create_savepoint"))
            with timed(timings, "analyze"):
                if sqlite:
                    driver.execute("PRAGMA analysis_limit=2000")
                    driver.execute("ANALYZE")
                    for pragma in SQLITE_RESTORE_PRAGMAS:
                        driver.execute(pragma)
                else:
                    conn.execute(select(1))  # VACUUM runs outside a transaction
                    conn.commit()
                    driver.autocommit = True
                    # VACUUM too: it marks the freshly written pages all-visible, so the
                    # covering indexes answer index-only from the first request, and
                    # autovacuum has nothing left to do in the middle of a benchmark.
                    driver.execute("VACUUM (ANALYZE)")
        finally:
            # The pragmas above belong to the seed: this connection is not pooled again.
            conn.invalidate()
    return counts
