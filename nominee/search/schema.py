"""The full-text indexes of search, kept by the database itself on both backends.

They live outside the ORM's metadata (neither SQLite's FTS5 tables nor PostgreSQL's
``tsvector`` columns are models); ``install`` creates them after ``create_all`` (tests,
benchmarks) and the migration ``b7e4c2a9d1f3`` runs the same statements.

- SQLite: two external-content FTS5 tables. ``member_search`` reads ``users``;
  ``contribution_search`` reads the view ``contribution_search_source``: the public
  contributions only, with the names of their categories. Triggers keep them in sync:
  an entry is deleted with the values it was indexed with (read from the view before the
  change) and inserted again after it, so a contribution made private leaves the index.
- PostgreSQL: ``users.search_vector`` is a generated column; ``contributions.search_vector``
  is kept by a trigger (it reads the categories, which a generated column cannot) and is
  NULL for a private contribution. Both have a GIN index. Triggers fire for COPY too, so
  the scale seeder's bulk load is indexed.

Weights: a title or a name counts most, then categories or location, then the text.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection

from nominee.db import Base

SQLITE_FTS_TABLES = ("member_search", "contribution_search")
# FTS5 keeps each index in shadow tables, which the database lists as tables.
SQLITE_TABLES = frozenset(
    f"{name}{suffix}"
    for name in SQLITE_FTS_TABLES
    for suffix in ("", "_data", "_idx", "_docsize", "_config")
)
SEARCH_COLUMN = "search_vector"
POSTGRESQL_INDEXES = frozenset({"ix_users_search", "ix_contributions_search"})

_CONTRIBUTION_COLUMNS = "title, description, categories"
_SOURCE = "contribution_search_source"


def _sqlite_reindex(when: str, event_: str, table: str, ids: str) -> str:
    """A trigger that takes the contributions ``ids`` out of the index (BEFORE) or puts
    them back (AFTER), as the view shows them at that moment."""
    name = f"{table}_search_{when[0].lower()}{event_.split()[0][0].lower()}"
    if when == "BEFORE":
        action = (
            f"INSERT INTO contribution_search(contribution_search, rowid, {_CONTRIBUTION_COLUMNS}) "
            f"SELECT 'delete', id, {_CONTRIBUTION_COLUMNS} FROM {_SOURCE} WHERE id IN ({ids});"
        )
    else:
        action = (
            f"INSERT INTO contribution_search(rowid, {_CONTRIBUTION_COLUMNS}) "
            f"SELECT id, {_CONTRIBUTION_COLUMNS} FROM {_SOURCE} WHERE id IN ({ids});"
        )
    return f"CREATE TRIGGER IF NOT EXISTS {name} {when} {event_} ON {table} BEGIN {action} END"


_CATEGORY_IDS = (
    "SELECT id FROM contributions WHERE primary_category_id = {ref}.id "
    "UNION SELECT contribution_id FROM contribution_categories WHERE category_id = {ref}.id"
)
_WATCHED = "UPDATE OF title, description_md, visibility, primary_category_id"

SQLITE_TRIGGERS = (
    _sqlite_reindex("AFTER", "INSERT", "contributions", "NEW.id"),
    _sqlite_reindex("BEFORE", _WATCHED, "contributions", "OLD.id"),
    _sqlite_reindex("AFTER", _WATCHED, "contributions", "NEW.id"),
    _sqlite_reindex("BEFORE", "DELETE", "contributions", "OLD.id"),
    _sqlite_reindex("BEFORE", "INSERT", "contribution_categories", "NEW.contribution_id"),
    _sqlite_reindex("AFTER", "INSERT", "contribution_categories", "NEW.contribution_id"),
    _sqlite_reindex("BEFORE", "DELETE", "contribution_categories", "OLD.contribution_id"),
    _sqlite_reindex("AFTER", "DELETE", "contribution_categories", "OLD.contribution_id"),
    _sqlite_reindex("BEFORE", "UPDATE OF name", "categories", _CATEGORY_IDS.format(ref="OLD")),
    _sqlite_reindex("AFTER", "UPDATE OF name", "categories", _CATEGORY_IDS.format(ref="NEW")),
    "CREATE TRIGGER IF NOT EXISTS users_search_ai AFTER INSERT ON users BEGIN "
    "INSERT INTO member_search(rowid, display_name, bio_md, location) "
    "VALUES (NEW.id, NEW.display_name, NEW.bio_md, NEW.location); END",
    "CREATE TRIGGER IF NOT EXISTS users_search_ad AFTER DELETE ON users BEGIN "
    "INSERT INTO member_search(member_search, rowid, display_name, bio_md, location) "
    "VALUES ('delete', OLD.id, OLD.display_name, OLD.bio_md, OLD.location); END",
    "CREATE TRIGGER IF NOT EXISTS users_search_au "
    "AFTER UPDATE OF display_name, bio_md, location ON users BEGIN "
    "INSERT INTO member_search(member_search, rowid, display_name, bio_md, location) "
    "VALUES ('delete', OLD.id, OLD.display_name, OLD.bio_md, OLD.location); "
    "INSERT INTO member_search(rowid, display_name, bio_md, location) "
    "VALUES (NEW.id, NEW.display_name, NEW.bio_md, NEW.location); END",
)

# unicode61 folds case and accents ("Jose" finds "José"); the prefix indexes answer
# the short prefixes typed first without merging every term that starts with them.
_FTS_OPTIONS = "tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3'"
SQLITE_CREATE = (
    f"CREATE VIEW IF NOT EXISTS {_SOURCE} AS "
    "SELECT c.id AS id, c.title AS title, c.description_md AS description, "
    "(SELECT group_concat(name, ' ') FROM (SELECT g.name AS name FROM categories g "
    "WHERE g.id = c.primary_category_id OR g.id IN (SELECT cc.category_id "
    "FROM contribution_categories cc WHERE cc.contribution_id = c.id) ORDER BY g.id)) "
    "AS categories FROM contributions c WHERE c.visibility = 'public'",
    "CREATE VIRTUAL TABLE IF NOT EXISTS contribution_search USING fts5("
    f"{_CONTRIBUTION_COLUMNS}, content = '{_SOURCE}', content_rowid = 'id', {_FTS_OPTIONS})",
    "CREATE VIRTUAL TABLE IF NOT EXISTS member_search USING fts5("
    f"display_name, bio_md, location, content = 'users', content_rowid = 'id', {_FTS_OPTIONS})",
    *SQLITE_TRIGGERS,
)
SQLITE_REBUILD = tuple(
    f"INSERT INTO {name}({name}) VALUES ('rebuild')" for name in SQLITE_FTS_TABLES
)
SQLITE_DROP = (
    "DROP TABLE IF EXISTS contribution_search",
    "DROP TABLE IF EXISTS member_search",
    f"DROP VIEW IF EXISTS {_SOURCE}",
    *(f"DROP TRIGGER IF EXISTS {statement.split()[5]}" for statement in SQLITE_TRIGGERS),
)

POSTGRESQL_CREATE = (
    "ALTER TABLE users ADD COLUMN IF NOT EXISTS search_vector tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('simple', coalesce(display_name, '')), 'A') || "
    "setweight(to_tsvector('simple', coalesce(location, '')), 'B') || "
    "setweight(to_tsvector('simple', coalesce(bio_md, '')), 'C')) STORED",
    "CREATE INDEX IF NOT EXISTS ix_users_search ON users USING gin (search_vector)",
    "ALTER TABLE contributions ADD COLUMN IF NOT EXISTS search_vector tsvector",
    "CREATE INDEX IF NOT EXISTS ix_contributions_search ON contributions USING gin (search_vector)",
    """CREATE OR REPLACE FUNCTION contribution_search_vector() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.visibility <> 'public' THEN
        NEW.search_vector := NULL;
        RETURN NEW;
    END IF;
    NEW.search_vector :=
        setweight(to_tsvector('simple', coalesce(NEW.title, '')), 'A') ||
        setweight(to_tsvector('simple', coalesce((
            SELECT string_agg(g.name, ' ' ORDER BY g.id) FROM categories g
            WHERE g.id = NEW.primary_category_id OR g.id IN (
                SELECT cc.category_id FROM contribution_categories cc
                WHERE cc.contribution_id = NEW.id)), '')), 'B') ||
        setweight(to_tsvector('simple', coalesce(NEW.description_md, '')), 'C');
    RETURN NEW;
END $$""",
    # A change of categories or of a category's name touches the title: the trigger
    # above computes the vector again (statement-level, so a bulk load is one UPDATE).
    """CREATE OR REPLACE FUNCTION contribution_categories_search() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE contributions SET title = title
    WHERE id IN (SELECT contribution_id FROM changed_rows);
    RETURN NULL;
END $$""",
    """CREATE OR REPLACE FUNCTION category_name_search() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE contributions SET title = title
    WHERE primary_category_id = NEW.id OR id IN (
        SELECT contribution_id FROM contribution_categories WHERE category_id = NEW.id);
    RETURN NULL;
END $$""",
    "DROP TRIGGER IF EXISTS contributions_search ON contributions",
    "CREATE TRIGGER contributions_search BEFORE INSERT OR UPDATE OF title, description_md, "
    "visibility, primary_category_id ON contributions FOR EACH ROW "
    "EXECUTE FUNCTION contribution_search_vector()",
    "DROP TRIGGER IF EXISTS contribution_categories_search_ai ON contribution_categories",
    "CREATE TRIGGER contribution_categories_search_ai AFTER INSERT ON contribution_categories "
    "REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT "
    "EXECUTE FUNCTION contribution_categories_search()",
    "DROP TRIGGER IF EXISTS contribution_categories_search_ad ON contribution_categories",
    "CREATE TRIGGER contribution_categories_search_ad AFTER DELETE ON contribution_categories "
    "REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT "
    "EXECUTE FUNCTION contribution_categories_search()",
    "DROP TRIGGER IF EXISTS categories_search ON categories",
    "CREATE TRIGGER categories_search AFTER UPDATE OF name ON categories FOR EACH ROW "
    "WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION category_name_search()",
)
# Existing rows get their vector (the generated column computes its own).
POSTGRESQL_REBUILD = ("UPDATE contributions SET title = title",)
POSTGRESQL_DROP = (
    "DROP TRIGGER IF EXISTS categories_search ON categories",
    "DROP TRIGGER IF EXISTS contribution_categories_search_ad ON contribution_categories",
    "DROP TRIGGER IF EXISTS contribution_categories_search_ai ON contribution_categories",
    "DROP TRIGGER IF EXISTS contributions_search ON contributions",
    "DROP FUNCTION IF EXISTS category_name_search()",
    "DROP FUNCTION IF EXISTS contribution_categories_search()",
    "DROP FUNCTION IF EXISTS contribution_search_vector()",
    "DROP INDEX IF EXISTS ix_contributions_search",
    "ALTER TABLE contributions DROP COLUMN IF EXISTS search_vector",
    "DROP INDEX IF EXISTS ix_users_search",
    "ALTER TABLE users DROP COLUMN IF EXISTS search_vector",
)


def create_statements(dialect: str) -> tuple[str, ...]:
    return SQLITE_CREATE if dialect == "sqlite" else POSTGRESQL_CREATE


def install(connection: Connection, *, rebuild: bool = True) -> None:
    """Create the indexes and their triggers (idempotent) and index the rows there are."""
    dialect = connection.dialect.name
    for statement in create_statements(dialect):
        connection.exec_driver_sql(statement)
    if rebuild:
        for statement in SQLITE_REBUILD if dialect == "sqlite" else POSTGRESQL_REBUILD:
            connection.exec_driver_sql(statement)


def uninstall(connection: Connection) -> None:
    for statement in SQLITE_DROP if connection.dialect.name == "sqlite" else POSTGRESQL_DROP:
        connection.exec_driver_sql(statement)


def repair_sqlite(connection: Connection) -> bool:
    """Put back the triggers a SQLite table rebuild dropped (Alembic's batch mode copies a
    table and drops the old one, its triggers with it) and rebuild the indexes then.
    Answers whether anything was missing. Nothing to do before the search migration."""
    names = {
        row[0]
        for row in connection.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')"
        )
    }
    if "contribution_search" not in names:
        return False
    wanted = {statement.split()[5] for statement in SQLITE_TRIGGERS}
    if wanted <= names:
        return False
    install(connection)
    return True


def is_search_object(name: str | None, type_: str) -> bool:
    """Whether a database object belongs to search (not to the models): for Alembic's
    comparison of the models with the database."""
    if type_ == "table":
        return name in SQLITE_TABLES
    if type_ == "column":
        return name == SEARCH_COLUMN
    if type_ == "index":
        return name in POSTGRESQL_INDEXES
    return False


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    """Alembic's ``include_object`` hook: leave the search objects out of autogenerate."""
    return not (reflected and compare_to is None and is_search_object(name, type_))


def _after_create(target: Any, connection: Connection, **_kw: Any) -> None:
    install(connection, rebuild=False)


def _before_drop(target: Any, connection: Connection, **_kw: Any) -> None:
    uninstall(connection)


event.listen(Base.metadata, "after_create", _after_create)
event.listen(Base.metadata, "before_drop", _before_drop)
