"""Consistent copies of a live SQLite database, and putting one back.

``backup`` uses SQLite's online backup API in a single step: it reads one snapshot
under a read transaction, and in WAL mode writers carry on meanwhile. ``restore``
copies the backup beside the live file, checks the copy (integrity, and that it is a
Nominee database), then swaps it in with ``os.replace``, so the live file is either
the old database or the complete new one, never half of each.

PostgreSQL has its own tools (``pg_dump`` and ``pg_restore``); see the README.
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from pathlib import Path

from sqlalchemy.engine import make_url

POSTGRES_HINT = (
    "backup and restore work on the SQLite database only; for PostgreSQL use "
    "pg_dump --format=custom and pg_restore (see the README, Backups)"
)


class BackupError(Exception):
    """The backup or restore was refused; nothing was changed."""


def live_database(url: str) -> Path:
    """The file of the configured SQLite database."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        raise BackupError(POSTGRES_HINT)
    if not parsed.database or parsed.database == ":memory:":
        raise BackupError("the database is in memory: there is no file to back up or restore")
    return Path(parsed.database).resolve()


def backup(url: str, target: Path, *, overwrite: bool = False) -> Path:
    """Copy the live database to ``target`` while the app keeps running. Returns the source."""
    source = live_database(url)
    if not source.is_file():
        raise BackupError(f"there is no database at {source}")
    target = target.resolve()
    if target == source:
        raise BackupError("the backup cannot replace the live database itself")
    if target.exists() and not overwrite:
        raise BackupError(f"{target} exists already (use --force to overwrite it)")
    if not target.parent.is_dir():
        raise BackupError(f"folder {target.parent} does not exist")
    temporary = _temporary_beside(target)
    try:
        try:
            with closing(sqlite3.connect(source, timeout=30)) as src:
                with closing(sqlite3.connect(temporary)) as dst:
                    src.backup(dst)  # pages=-1: the whole database from one snapshot
                    # A single self-contained file: no -wal beside the backup.
                    dst.execute("PRAGMA journal_mode=DELETE")
                    _check(dst, source)
        except sqlite3.Error as exc:
            raise BackupError(f"could not back up {source}: {exc}") from None
        _fsync(temporary)
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
    return source


def restore(url: str, backup_file: Path) -> tuple[Path, str]:
    """Replace the live database with ``backup_file`` after checking it.

    The server must be stopped: open connections would keep using the old file.
    Returns the live path and the backup's schema revision.
    """
    live = live_database(url)
    backup_file = backup_file.resolve()
    if not backup_file.is_file():
        raise BackupError(f"there is no file at {backup_file}")
    if backup_file == live:
        raise BackupError("the backup is the live database itself")
    if not live.parent.is_dir():
        raise BackupError(f"folder {live.parent} does not exist")
    temporary = _temporary_beside(live)
    try:
        try:
            with closing(sqlite3.connect(f"{backup_file.as_uri()}?mode=ro", uri=True)) as src:
                with closing(sqlite3.connect(temporary)) as dst:
                    src.backup(dst)
                    dst.execute("PRAGMA journal_mode=DELETE")
                    revision = _check(dst, backup_file)
        except sqlite3.Error as exc:
            raise BackupError(f"{backup_file} is not a usable SQLite database ({exc})") from None
        _fsync(temporary)
        # A -wal left from the old database would be replayed onto the new one.
        for suffix in ("-wal", "-shm"):
            Path(f"{live}{suffix}").unlink(missing_ok=True)
        os.replace(temporary, live)
    finally:
        temporary.unlink(missing_ok=True)
    return live, revision


def _check(conn: sqlite3.Connection, name: Path) -> str:
    """Integrity check, and the Alembic revision proving this is a Nominee database."""
    try:
        problems = [row[0] for row in conn.execute("PRAGMA integrity_check")]
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{name} failed the integrity check: {exc}") from None
    if problems != ["ok"]:
        lines = [line for row in problems for line in row.splitlines() if "***" not in line]
        raise BackupError(f"{name} failed the integrity check: {'; '.join(lines[:3])}")
    has_versions = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
    ).fetchone()
    revision = has_versions and conn.execute("SELECT version_num FROM alembic_version").fetchone()
    if not revision:
        raise BackupError(f"{name} is not a Nominee database (no alembic_version)")
    return revision[0]


def _temporary_beside(path: Path) -> Path:
    # Same folder, so that os.replace is an atomic rename on the same file system.
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
