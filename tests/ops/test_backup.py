"""``flask backup`` and ``flask restore`` on a live SQLite database."""

from __future__ import annotations

import sqlite3
import threading
import time
from contextlib import closing
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import insert

from nominee import create_app
from nominee.categories.models import Category
from nominee.db import make_engine
from nominee.migrate import upgrade
from tests.conftest import BASE_CONFIG


@pytest.fixture
def live(tmp_path) -> Path:
    path = tmp_path / "live.sqlite3"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture
def live_app(live) -> Flask:
    app = create_app({**BASE_CONFIG, "DATABASE_URL": f"sqlite:///{live}"})
    yield app
    app.extensions["nominee.engine"].dispose()


def category_names(path: Path) -> list[str]:
    with closing(sqlite3.connect(path)) as conn:
        return [row[0] for row in conn.execute("SELECT name FROM categories ORDER BY id")]


class Writer(threading.Thread):
    """Commits one category after another, each in its own write transaction."""

    def __init__(self, url: str):
        super().__init__(daemon=True)
        self.engine = make_engine(url)
        self.committed: list[str] = []
        self.stop = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            for n in range(1_000_000):
                if self.stop.is_set():
                    break
                name = f"Category {n:06d}"
                with self.engine.begin() as conn:
                    conn.execute(insert(Category).values(name=name, slug=f"category-{n:06d}"))
                self.committed.append(name)
        except BaseException as exc:  # reported by the test
            self.error = exc
        finally:
            self.engine.dispose()

    def wait_for(self, count: int, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while len(self.committed) < count:
            assert self.error is None, self.error
            assert time.monotonic() < deadline, "writer too slow"
            time.sleep(0.01)


def test_backup_under_write_load_then_restore_loses_nothing(live, live_app, tmp_path):
    runner = live_app.test_cli_runner()
    writer = Writer(f"sqlite:///{live}")
    writer.start()
    try:
        writer.wait_for(100)
        committed_before_backup = list(writer.committed)
        result = runner.invoke(args=["backup", str(tmp_path / "backup.sqlite3")])
        assert result.exit_code == 0, result.output
        assert "Backed up" in result.output
        committed_after_backup = len(writer.committed)
        writer.wait_for(committed_after_backup + 100)  # writes went on during and after
    finally:
        writer.stop.set()
        writer.join(timeout=30)
    assert writer.error is None
    assert len(category_names(live)) == len(writer.committed)

    result = runner.invoke(args=["restore", "--yes", str(tmp_path / "backup.sqlite3")])
    assert result.exit_code == 0, result.output
    assert "Restored" in result.output

    restored = category_names(live)
    # Everything committed before the backup started is back ...
    assert set(committed_before_backup) <= set(restored)
    # ... and the backup is one consistent snapshot: a prefix of the commits, no holes,
    # taken before the writes that followed it.
    assert restored == writer.committed[: len(restored)]
    assert len(restored) <= committed_after_backup < len(writer.committed)
    with closing(sqlite3.connect(live)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_backup_refuses_postgresql():
    app = create_app(
        {**BASE_CONFIG, "DATABASE_URL": "postgresql+psycopg://postgres@127.0.0.1:1/nominee"}
    )
    result = app.test_cli_runner().invoke(args=["backup", "/tmp/never-written.sqlite3"])
    assert result.exit_code == 1
    assert "pg_dump" in result.output
    assert not Path("/tmp/never-written.sqlite3").exists()


def test_backup_refuses_to_overwrite_without_force(live_app, tmp_path):
    target = tmp_path / "backup.sqlite3"
    target.write_text("keep me")
    runner = live_app.test_cli_runner()
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code == 1
    assert "exists already" in result.output
    assert target.read_text() == "keep me"
    assert runner.invoke(args=["backup", "--force", str(target)]).exit_code == 0
    assert target.read_bytes().startswith(b"SQLite format 3")


def test_restore_asks_for_confirmation(live_app, live, tmp_path):
    runner = live_app.test_cli_runner()
    runner.invoke(args=["backup", str(tmp_path / "backup.sqlite3")])
    result = runner.invoke(args=["restore", str(tmp_path / "backup.sqlite3")], input="n\n")
    assert result.exit_code == 1
    assert "Is the server stopped?" in result.output


def test_restore_refuses_a_file_that_is_not_a_database(live_app, live, tmp_path):
    before = live.read_bytes()
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"definitely not a database" * 100)
    result = live_app.test_cli_runner().invoke(args=["restore", "--yes", str(junk)])
    assert result.exit_code == 1
    assert "is not a usable SQLite database" in result.output
    assert live.read_bytes() == before
    assert not list(tmp_path.glob(".*.tmp"))


def test_restore_refuses_a_database_that_is_not_nominee(live_app, live, tmp_path):
    before = live.read_bytes()
    other = tmp_path / "other.sqlite3"
    with closing(sqlite3.connect(other)) as conn:
        conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
    result = live_app.test_cli_runner().invoke(args=["restore", "--yes", str(other)])
    assert result.exit_code == 1
    assert "is not a Nominee database (no alembic_version)" in result.output
    assert live.read_bytes() == before


def test_restore_refuses_a_corrupt_database(live_app, live, tmp_path):
    runner = live_app.test_cli_runner()
    with closing(sqlite3.connect(live)) as conn, conn:
        conn.executemany(
            "INSERT INTO categories (name, slug, description, retired, created_at) "
            "VALUES (?, ?, '', 0, '2025-01-01')",
            [(f"Category {n}", f"category-{n}") for n in range(2000)],
        )
    backup_file = tmp_path / "backup.sqlite3"
    assert runner.invoke(args=["backup", str(backup_file)]).exit_code == 0
    with closing(sqlite3.connect(backup_file)) as conn:
        query = "SELECT rootpage FROM sqlite_master WHERE name = 'categories'"
        (root,) = conn.execute(query).fetchone()
    data = bytearray(backup_file.read_bytes())
    page_size = int.from_bytes(data[16:18], "big")
    # Scribble over the categories table's root page: the b-tree no longer adds up.
    start = (root - 1) * page_size
    data[start : start + page_size] = b"\xff" * page_size
    backup_file.write_bytes(bytes(data))
    before = live.read_bytes()
    result = runner.invoke(args=["restore", "--yes", str(backup_file)])
    assert result.exit_code == 1
    assert "failed the integrity check" in result.output or "not a usable" in result.output
    assert live.read_bytes() == before


def test_restore_removes_the_old_write_ahead_log(live_app, live, tmp_path):
    runner = live_app.test_cli_runner()
    assert runner.invoke(args=["backup", str(tmp_path / "backup.sqlite3")]).exit_code == 0
    for suffix in ("-wal", "-shm"):
        Path(f"{live}{suffix}").write_bytes(b"stale")
    result = runner.invoke(args=["restore", "--yes", str(tmp_path / "backup.sqlite3")])
    assert result.exit_code == 0, result.output
    assert not Path(f"{live}-wal").exists()
    assert not Path(f"{live}-shm").exists()
    assert category_names(live) == []
