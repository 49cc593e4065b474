"""The Alembic migrations: one head, up and down cleanly, and no drift from the models.

Each test gets a fresh, empty database: a SQLite file, and a throwaway PostgreSQL
database when ``TEST_DATABASE_URL`` is set.
"""

from __future__ import annotations

import os
import pprint
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.operations import Operations
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, String, Table, create_engine, inspect, text
from sqlalchemy import insert as insert_into
from sqlalchemy.engine import make_url

import nominee.models  # noqa: F401  (every table on Base.metadata)
from nominee.db import Base, make_engine
from nominee.migrate import alembic_config, upgrade
from nominee.search import schema as search_schema

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


def expected_tables(url: str) -> set[str]:
    """The models' tables, and on SQLite the search's FTS5 tables (not models)."""
    search = search_schema.SQLITE_TABLES if url.startswith("sqlite") else set()
    return set(Base.metadata.tables) | {"alembic_version"} | search


def test_upgrade_from_empty_downgrade_and_upgrade_again(empty_database):
    expected = expected_tables(empty_database)
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
            # The search's FTS5 tables and tsvector columns are not models.
            context = MigrationContext.configure(
                conn,
                opts={"compare_type": True, "include_object": search_schema.include_object},
            )
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


def _seed_before_the_copy(conn) -> dict[str, int]:
    """A member's talk, the evidence of a nomination in review and of a submitted one,
    written with the schema of 5a3ec68b6e27 (before evidence kept the panel's copy)."""
    metadata = MetaData()

    def insert(table: str, **values) -> int:
        reflected = Table(table, metadata, autoload_with=conn)
        return conn.execute(insert_into(reflected).values(**values)).inserted_primary_key[0]

    now = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
    entered_review = datetime(2026, 2, 14, 8, 0, tzinfo=UTC)
    when = {"created_at": now}
    ada = insert(
        "users",
        email="ada@example.org",
        display_name="Ada",
        password_hash="x",
        role="member",
        active=True,
        session_token="t",
        bio_md="",
        bio_html="",
        location="",
        links=[],
        **when,
    )
    category = insert("categories", name="Data", slug="data", description="", retired=False, **when)
    talk_type = insert(
        "contribution_types",
        name="Talk",
        slug="talk",
        quantity_label="Sessions",
        audience_label="Attendees",
        roles=["Speaker"],
        weight=1.2,
        position=1,
        retired=False,
    )
    talk = insert(
        "contributions",
        owner_id=ada,
        type_id=talk_type,
        role="Speaker",
        title="Query plans for humans",
        contributed_on=date(2026, 1, 10),
        url="https://talks.example.org/query-plans",
        description_md="Why **indexes** matter.",
        description_html="<p>Why <strong>indexes</strong> matter.</p>",
        primary_category_id=category,
        quantity=2,
        audience=427,
        visibility="public",
        endorsement_count=3,
        created_at=now,
        updated_at=now,
    )
    ids = {}
    for status in ("in_review", "submitted"):
        cycle = insert(
            "cycles",
            name=f"Cycle {status}",
            status="in_review" if status == "in_review" else "open",
            nominations_open_on=date(2026, 1, 1),
            nominations_close_on=date(2026, 2, 14),
            review_close_on=date(2026, 3, 31),
            lookback_months=12,
            award_term_months=12,
            min_evidence=1,
            max_evidence=30,
            peer_nomination_limit=3,
            reviewers_per_nomination=3,
            version=1,
            **when,
        )
        nomination = insert(
            "nominations",
            cycle_id=cycle,
            category_id=category,
            nominee_id=ada,
            nominator_id=ada,
            kind="self",
            status=status,
            statement_md="",
            statement_html="",
            nominee_statement_md="",
            nominee_statement_html="",
            withdrawn_reason="",
            no_activity=False,
            evidence_count=1,
            distinct_endorsers=3,
            total_quantity=2,
            total_audience=427,
            reviews_submitted=0,
            recommend_award=0,
            recommend_decline=0,
            recommend_abstain=0,
            disagreement=False,
            decision_rationale="",
            decision_feedback="",
            version=1,
            **when,
        )
        conn.execute(
            insert_into(Table("nomination_evidence", metadata, autoload_with=conn)).values(
                nomination_id=nomination, contribution_id=talk, added_at=now
            )
        )
        if status == "in_review":
            insert(
                "nomination_events",
                nomination_id=nomination,
                from_status="submitted",
                to_status="in_review",
                note="",
                created_at=entered_review,
            )
        ids[status] = nomination
    return ids


def test_upgrade_copies_the_evidence_of_nominations_in_review(empty_database):
    """Rule 8 for data already there: a nomination in review or decided gets its copy
    (dated when it went into review); a submitted one follows its contributions still."""
    upgrade(empty_database, "5a3ec68b6e27")
    engine = make_engine(empty_database)
    try:
        with engine.begin() as conn:
            ids = _seed_before_the_copy(conn)
        upgrade(empty_database)
        with engine.connect() as conn:
            rows = {
                row.nomination_id: row
                for row in conn.execute(text("SELECT * FROM nomination_evidence")).mappings()
            }
        frozen, following = rows[ids["in_review"]], rows[ids["submitted"]]
        assert (frozen["title"], frozen["url"], frozen["quantity"], frozen["audience"]) == (
            "Query plans for humans",
            "https://talks.example.org/query-plans",
            2,
            427,
        )
        assert (frozen["type_name"], frozen["type_weight"], frozen["audience_label"]) == (
            "Talk",
            1.2,
            "Attendees",
        )
        assert (frozen["visibility"], frozen["endorsement_count"], frozen["role"]) == (
            "public",
            3,
            "Speaker",
        )
        assert frozen["description_html"] == "<p>Why <strong>indexes</strong> matter.</p>"
        assert str(frozen["frozen_at"]).startswith("2026-02-14 08:00:00")
        assert following["frozen_at"] is None and following["title"] is None

        command.downgrade(alembic_config(empty_database), "5a3ec68b6e27")
        with engine.connect() as conn:
            kept = conn.execute(text("SELECT nomination_id FROM nomination_evidence")).all()
        assert sorted(row[0] for row in kept) == sorted(ids.values())
        assert "frozen_at" not in {
            column["name"] for column in inspect(engine).get_columns("nomination_evidence")
        }
    finally:
        engine.dispose()


CHILD_TABLES = ("nominations", "nomination_evidence", "nomination_events", "contributions")


def test_upgrade_and_downgrade_keep_every_row_of_rebuilt_tables(empty_database):
    """SQLite's batch mode rebuilds a table by dropping it: with foreign keys on, the drop
    deleted every row cascading from it (a nomination's evidence and history were lost
    on upgrade). The migrations run with foreign keys off and check them after."""
    upgrade(empty_database, "5a3ec68b6e27")
    engine = make_engine(empty_database)
    try:
        with engine.begin() as conn:
            _seed_before_the_copy(conn)

        def counts() -> dict[str, int]:
            with engine.connect() as conn:
                return {
                    table: conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
                    for table in CHILD_TABLES
                }

        before = counts()
        assert before["nomination_evidence"] == 2 and before["nomination_events"] == 1
        upgrade(empty_database)
        assert counts() == before
        command.downgrade(alembic_config(empty_database), "5a3ec68b6e27")
        assert counts() == before
    finally:
        engine.dispose()


METRICS = "f3b1c9d2a7e4"


def test_reach_metrics_take_the_quantity_and_audience_and_give_them_back(empty_database):
    """Issue 16: each type's two reach slots become metrics, every contribution's figures
    become rows of them; downgrading writes them back. Nothing is lost either way."""
    before = ScriptDirectory.from_config(alembic_config(empty_database)).get_revision(METRICS)
    upgrade(empty_database, "5a3ec68b6e27")
    engine = make_engine(empty_database)
    try:
        with engine.begin() as conn:
            _seed_before_the_copy(conn)
            conn.execute(
                text(
                    "INSERT INTO contribution_types (name, slug, quantity_label, roles, weight,"
                    " position, retired) VALUES ('Answers', 'answers', 'Answers given', '[]',"
                    " 0.8, 2, false)"
                )
            )
            # Both slots named alike: a metric's name is unique in its type.
            conn.execute(
                text(
                    "INSERT INTO contribution_types (name, slug, quantity_label, audience_label,"
                    " roles, weight, position, retired) VALUES ('Videos', 'videos', 'Views',"
                    " 'Views', '[]', 1.0, 3, false)"
                )
            )
        upgrade(empty_database, before.down_revision)
        upgrade(empty_database, METRICS)
        with engine.connect() as conn:
            metrics = conn.execute(
                text(
                    "SELECT t.slug, m.name, m.legacy_slot, m.required, m.retired FROM "
                    "reach_metrics m JOIN contribution_types t ON t.id = m.type_id "
                    "ORDER BY t.slug, m.position"
                )
            ).all()
            figures = conn.execute(
                text(
                    "SELECT c.title, m.name, f.value FROM contribution_figures f "
                    "JOIN contributions c ON c.id = f.contribution_id "
                    "JOIN reach_metrics m ON m.id = f.metric_id ORDER BY m.position"
                )
            ).all()
        assert [tuple(row) for row in metrics] == [
            ("answers", "Answers given", "quantity", False, False),
            ("talk", "Sessions", "quantity", False, False),
            ("talk", "Attendees", "audience", False, False),
            ("videos", "Views", "quantity", False, False),
            ("videos", "Views (audience)", "audience", False, False),
        ]
        assert [tuple(row) for row in figures] == [
            ("Query plans for humans", "Sessions", 2),
            ("Query plans for humans", "Attendees", 427),
        ]
        with engine.begin() as conn:
            # Changed after the upgrade: the downgrade carries the new values back.
            conn.execute(text("UPDATE contribution_figures SET value = 500 WHERE value = 427"))
            conn.execute(
                text("UPDATE reach_metrics SET name = 'Sessions held' WHERE name = 'Sessions'")
            )
        command.downgrade(alembic_config(empty_database), before.down_revision)
        with engine.connect() as conn:
            talk = conn.execute(text("SELECT quantity, audience FROM contributions")).one()
            labels = conn.execute(
                text(
                    "SELECT slug, quantity_label, audience_label FROM contribution_types "
                    "ORDER BY slug"
                )
            ).all()
        assert tuple(talk) == (2, 500)
        assert [tuple(row) for row in labels] == [
            ("answers", "Answers given", None),
            ("talk", "Sessions held", "Attendees"),
            ("videos", "Views", "Views (audience)"),
        ]
        assert "reach_metrics" not in table_names(empty_database)
        assert "impact_score" not in {
            column["name"] for column in inspect(engine).get_columns("nominations")
        }
    finally:
        engine.dispose()


SEARCH = "b7e4c2a9d1f3"


def _search(conn, word: str) -> list[str]:
    """Titles of public contributions the database's full-text index finds for ``word``."""
    if conn.dialect.name == "sqlite":
        sql = (
            "SELECT c.title FROM contribution_search s JOIN contributions c ON c.id = s.rowid "
            "WHERE contribution_search MATCH :q"
        )
        q = f'"{word}"*'
    else:
        sql = "SELECT title FROM contributions WHERE search_vector @@ to_tsquery('simple', :q)"
        q = f"{word}:*"
    return [row[0] for row in conn.execute(text(sql), {"q": q})]


def test_search_indexes_what_was_there_and_survives_a_table_rebuild(empty_database):
    """Issue 17: the upgrade indexes existing public contributions (not private ones); a
    later migration whose batch mode rebuilds ``contributions`` on SQLite keeps search
    working (env.py puts the triggers back); the downgrade removes it all."""
    before = ScriptDirectory.from_config(alembic_config(empty_database)).get_revision(SEARCH)
    upgrade(empty_database, "5a3ec68b6e27")
    engine = make_engine(empty_database)
    try:
        with engine.begin() as conn:
            _seed_before_the_copy(conn)
            conn.execute(
                text(
                    "INSERT INTO contributions (owner_id, type_id, role, title, contributed_on,"
                    " description_md, description_html, primary_category_id, quantity, audience,"
                    " visibility, endorsement_count, created_at, updated_at) SELECT owner_id,"
                    " type_id, role, 'Hidden query notes', contributed_on, '', '',"
                    " primary_category_id, 0, 0, 'private', 0, created_at, updated_at"
                    " FROM contributions"
                )
            )
        upgrade(empty_database, before.down_revision)
        # What the downgrade must come back to (later migrations' tables are not there).
        tables_before = table_names(empty_database)
        upgrade(empty_database, SEARCH)
        with engine.connect() as conn:
            assert _search(conn, "quer") == ["Query plans for humans"]
            assert _search(conn, "dat") == ["Query plans for humans"]  # its category
            assert _search(conn, "hidde") == []
        if empty_database.startswith("sqlite"):
            config = alembic_config(empty_database)
            with engine.begin() as conn:
                conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
                conn.exec_driver_sql("PRAGMA legacy_alter_table=ON")
                operations = Operations(MigrationContext.configure(conn))
                with operations.batch_alter_table("contributions", recreate="always") as batch:
                    batch.alter_column("role", existing_type=String(40), nullable=True)
            command.stamp(config, SEARCH)
            upgrade(empty_database, SEARCH)  # nothing to run: env.py repairs
        with engine.begin() as conn:
            conn.execute(text("UPDATE contributions SET title = 'Index tuning for humans'"))
        with engine.connect() as conn:
            assert _search(conn, "tunin") == ["Index tuning for humans"]
            assert _search(conn, "quer") == []
        command.downgrade(alembic_config(empty_database), before.down_revision)
        assert table_names(empty_database) == tables_before
        assert not tables_before & set(search_schema.SQLITE_TABLES)
        assert "search_vector" not in {
            column["name"] for column in inspect(engine).get_columns("contributions")
        }
    finally:
        engine.dispose()


def test_a_migrated_database_has_the_issuer_signing_key(empty_database):
    """Made with the schema, so no public GET (several at once, on several hosts) ever has
    to write it; the key is a real Ed25519 pair whose public half signs what it says."""
    from nominee.credentials import proofs

    upgrade(empty_database)
    engine = make_engine(empty_database)
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT public_key_multibase, secret_key_multibase, retired_at FROM issuer_keys")
        ).all()
    engine.dispose()
    [(public, secret, retired)] = rows
    assert retired is None and public.startswith("z6Mk")
    assert proofs.public_multibase(proofs.private_key(secret)) == public
