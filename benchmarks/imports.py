"""The CSV import at size: ``python benchmarks/imports.py`` (``--rows``, ``--database-url``).

Seeds a scratch database (SQLite: a new file under /tmp; PostgreSQL: the database a
``--database-url`` names, whose tables are created and emptied) with the default types,
two categories and a member who has 2,000 contributions already, writes a CSV file of
``--rows`` rows (every 20th with a problem: a bad date, an unknown type, a duplicate
link), then measures, each in its own transaction:

1. the preview: ``imports.services.stage_file`` streaming the file from disk (read,
   checked, staged), with its peak Python memory (tracemalloc);
2. the preview page's query: the first page of the rows with problems;
3. the import of the valid rows (``imports.services.import_batch``, which a job runs for a
   file of more than 1,000 valid rows), with its peak memory.

Each is run at 1,000 rows and at ``--rows`` (10,000 by default), so the peak memory of
both sizes shows whether it stays flat. Time is measured in a first run, peak memory in a
second one on a fresh database (tracemalloc slows Python down several times). Prints a
table.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

import nominee.models  # noqa: E402, F401  (every table on Base.metadata)
from nominee.accounts.models import Role, User  # noqa: E402
from nominee.categories.models import Category  # noqa: E402
from nominee.contributions.models import Contribution, ContributionType  # noqa: E402
from nominee.contributions.services import seed_contribution_types  # noqa: E402
from nominee.db import Base, make_engine  # noqa: E402
from nominee.imports import queries, services  # noqa: E402

EXISTING = 2_000


def seed(session: Session) -> User:
    seed_contribution_types(session)
    session.add_all(
        [
            Category(name="Developer Tools", slug="developer-tools"),
            Category(name="Data Platform", slug="data-platform"),
        ]
    )
    member = User(
        email="heavy@example.org", display_name="Heavy Member", password_hash="x", role=Role.MEMBER
    )
    session.add(member)
    session.flush()
    post = session.scalar(select(ContributionType).where(ContributionType.slug == "blog-post"))
    category = session.scalar(select(Category).limit(1))
    assert post is not None and category is not None
    session.add_all(
        Contribution(
            owner=member,
            type=post,
            primary_category=category,
            role="Author",
            title=f"Old post {n}",
            contributed_on=date(2024, 1, 1),
            url=f"https://blog.example.org/old/{n}",
        )
        for n in range(EXISTING)
    )
    session.commit()
    return member


def write_file(path: Path, rows: int) -> None:
    """A file like a busy member's: posts, talks and videos, every 20th row wrong."""
    rng = random.Random(18)
    day = date.today() - timedelta(days=1)
    with path.open("w", newline="", encoding="utf-8-sig") as out:
        writer = csv.writer(out)
        writer.writerow(
            ["type", "title", "date", "url", "role", "category", "other_categories",
             "visibility", "description", "Readers", "Sessions", "Attendees", "Videos", "Views"]
        )  # fmt: skip
        for n in range(rows):
            when = (day - timedelta(days=n % 700)).isoformat()
            url = f"https://blog.example.org/new/{n}"
            kind = n % 3
            row: list[Any]
            if kind == 0:
                row = ["Blog post", f"Post number {n}", when, url, "Author", "Developer Tools",
                       "Data Platform", "public", "A **post** about things. " * 4,
                       rng.randint(0, 5000), "", "", "", ""]  # fmt: skip
            elif kind == 1:
                row = ["Talk at a conference", f"Talk number {n}", when, url, "Speaker",
                       "Data Platform", "", "public", "", "", 1, rng.randint(10, 500), "",
                       ""]  # fmt: skip
            else:
                row = ["Video or live stream", f"Video number {n}", when, url, "Host",
                       "Developer Tools", "", "private", "", "", "", "", 1,
                       rng.randint(0, 10**6)]  # fmt: skip
            if n % 20 == 19:
                problem = n // 20 % 3
                if problem == 0:
                    row[2] = "31/12/2024"
                elif problem == 1:
                    row[0] = "Podcast episode"
                else:
                    row[3] = f"https://blog.example.org/old/{n % EXISTING}"
            writer.writerow(row)


def measure(work: Callable[[], Any], memory: bool) -> tuple[Any, float]:
    """The result and the seconds it took, or (with ``memory``) its peak memory in bytes."""
    if memory:
        tracemalloc.start()
    started = time.perf_counter()
    result = work()
    elapsed = time.perf_counter() - started
    if memory:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return result, peak
    return result, elapsed


def run(url: str, rows: int, memory: bool) -> list[tuple[str, float]]:
    engine = make_engine(url)
    Base.metadata.drop_all(engine)
    Base.metadata.create_all(engine)
    results = []
    with Session(engine, expire_on_commit=False) as session:
        member_id = seed(session).id
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "contributions.csv"
        write_file(path, rows)
        size = path.stat().st_size
        with Session(engine, expire_on_commit=False) as session:
            member = session.get(User, member_id)
            assert member is not None
            with path.open("rb") as stream:
                batch, figure = measure(
                    lambda: services.stage_file(session, member, stream, "contributions.csv"),
                    memory,
                )
            session.commit()
            results.append((f"preview: read, check, stage ({size / 1e6:.1f} MB)", figure))
            assert batch.file_error is None, batch.file_error
            valid = batch.valid_rows
            _, figure = measure(
                lambda: queries.batch_rows(session, batch, valid=False, page=1, per_page=50),
                memory,
            )
            results.append(("preview page: first 50 rows with problems", figure))
            session.commit()
            _, figure = measure(lambda: services.import_batch(session, member, batch), memory)
            session.commit()
            assert batch.imported == valid, (batch.imported, valid)
            results.append((f"import: {batch.imported:,} contributions logged", figure))
    engine.dispose()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    print(f"{'rows':>7}  {'step':<48} {'seconds':>8} {'peak MiB':>9}")
    for rows in (1_000, args.rows):
        figures = []
        for memory in (False, True):
            with tempfile.TemporaryDirectory() as scratch:
                url = args.database_url or f"sqlite:///{scratch}/imports.sqlite3"
                figures.append(run(url, rows, memory))
        for (step, elapsed), (_, peak) in zip(*figures, strict=True):
            print(f"{rows:>7,}  {step:<48} {elapsed:>8.2f} {peak / 2**20:>9.1f}")


if __name__ == "__main__":
    main()
