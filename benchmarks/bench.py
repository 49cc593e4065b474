"""The performance benchmark: ``make bench`` (SCALE=small|medium|large, DATABASE_URL).

Seeds a scratch database with ``nominee.seeding.scale`` (SQLite: a new file under /tmp;
PostgreSQL: a database ``nominee_bench``, or ``--pg-database``, on the server of
``DATABASE_URL``, dropped and created again: the database the URL names is never
touched), then measures in process, with the Flask test client and a logged-in user of
the right role, every page of the issue: after a warm-up, requests go round-robin over
the pages, so that the load other people put on the machine falls on every page alike,
and each page's p95 is compared with the floor's (a page that renders the base layout
and queries nothing else).

Writes ``benchmarks/results.json`` (PostgreSQL: ``benchmarks/results-postgresql-SCALE.json``)
and prints the same as a table. A page whose route does not exist (yet) is reported as
missing; one that fails, with its status.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import statistics
import sys
import time
import tracemalloc
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask, render_template, url_for
from flask.testing import FlaskClient
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine, make_url
from werkzeug.routing import BuildError

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import nominee.models  # noqa: E402, F401  (every table on Base.metadata)
from nominee import create_app  # noqa: E402
from nominee.db import Base, make_engine  # noqa: E402
from nominee.seeding.scale.database import seed_database  # noqa: E402
from nominee.seeding.scale.pages import (  # noqa: E402
    ROLES,
    VISITOR,
    Page,
    api_tokens,
    cast_of_characters,
    pages_for,
)
from nominee.uow import get_session, unit_of_work  # noqa: E402

PASSWORD = "nominee-bench-password"
FLOOR_PATH = "/_bench/floor"
FLOOR_ENDPOINT = "bench_floor"
CONTROL = ("BEGIN", "SAVEPOINT", "RELEASE", "ROLLBACK", "COMMIT")
TARGET_RATIO = 5  # issue 19 (issue 7 asked for 10)
TARGET_QUERIES = 10
TARGET_EXPORT_MB = 20
TARGET_EXPORT_ROWS_PER_SECOND = 5_000
# An export longer than this is timed once, not ``--export-runs`` times.
LONG_EXPORT_ROWS = 100_000


# -- the scratch database --------------------------------------------------------------


def scratch_database(
    url: str | None,
    scale: str,
    reuse: bool = False,
    sqlite_path: str | None = None,
    pg_database: str = "nominee_bench",
) -> tuple[str, bool]:
    """A new, empty database URL on the backend ``url`` selects, and whether it is
    already seeded (``reuse``: a SQLite file, or a PostgreSQL database ``pg_database``,
    seeded by an earlier run is kept)."""
    if not url or url.startswith("sqlite"):
        path = Path(sqlite_path or f"/tmp/nominee-bench-{scale}.sqlite3")
        if reuse and path.exists() and path.stat().st_size > 0:
            return f"sqlite:///{path}", True
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}", False
    parsed = make_url(url)
    scratch = parsed.set(database=pg_database).render_as_string(hide_password=False)
    admin = create_engine(parsed, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": pg_database}
        ).first()
        if reuse and exists and existing_counts(scratch).get("users"):
            admin.dispose()
            return scratch, True
        conn.execute(text(f'DROP DATABASE IF EXISTS "{pg_database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{pg_database}"'))
    admin.dispose()
    return scratch, False


def seed(
    url: str, scale: str, seed_value: int, timings: dict[str, list[float]]
) -> tuple[float, dict[str, int]]:
    engine = make_engine(url)
    # The models' schema, indexes included (a proposed index is measured before it has
    # a migration).
    Base.metadata.create_all(engine)
    started = time.perf_counter()
    counts = seed_database(engine, scale, seed_value, PASSWORD, timings=timings)
    seconds = time.perf_counter() - started
    engine.dispose()
    return seconds, counts


def seed_phases(timings: dict[str, list[float]], seconds: float, cpu: float) -> dict:
    """The seed's phases, longest first, in wall and CPU seconds (this process's: on
    PostgreSQL the server's work is in the wall time only); what no phase holds is
    making the rows that are written later."""
    phases = {
        name: {"seconds": round(wall, 1), "cpu_seconds": round(spent, 1)}
        for name, (wall, spent) in sorted(timings.items(), key=lambda item: -item[1][0])
        if wall >= 0.05
    }
    phases["generating rows (the rest)"] = {
        "seconds": round(seconds - sum(wall for wall, _ in timings.values()), 1),
        "cpu_seconds": round(cpu - sum(spent for _, spent in timings.values()), 1),
    }
    return phases


# -- what to measure -------------------------------------------------------------------


@dataclass
class Measured:
    page: Page
    status: str = "ok"
    path: str = ""
    timings: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)  # this process's CPU time, ms
    queries: list[int] = field(default_factory=list)


class QueryCounter:
    """Counts the statements the app's engine executes while ``active``; transaction
    control (SQLite's BEGIN, savepoints) is not a query, as in tests/perf."""

    def __init__(self, engine: Engine):
        self.count = 0
        self.active = False
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, _conn, _cursor, statement: str, *_args) -> None:
        if self.active and not statement.lstrip().upper().startswith(CONTROL):
            self.count += 1


def make_bench_app(url: str) -> Flask:
    app = create_app(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": "benchmark-only-secret-key-" + "x" * 32,
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "LOG_REQUESTS": False,
            "TESTING": True,
            # The pages' own work is measured: no visitor's or member's page is served
            # kept whole (nominee/pagecache.py; make bench-http serves with them, as
            # production does).
            "PUBLIC_PAGE_SECONDS": 0,
            "MEMBER_PAGE_SECONDS": 0,
        }
    )

    def floor():
        return render_template("base.html")

    # The floor: the base layout for a logged-in member, and nothing else.
    app.add_url_rule(FLOOR_PATH, FLOOR_ENDPOINT, floor)
    return app


def login(app: Flask, email: str) -> FlaskClient:
    client = app.test_client()
    response = client.post("/login", data={"email": email, "password": PASSWORD})
    if response.status_code != 302:
        raise SystemExit(f"could not log in as {email}: HTTP {response.status_code}")
    return client


# -- measuring -------------------------------------------------------------------------


def resolve(app: Flask, item: Measured) -> bool:
    values = item.page.url_values()
    if values is None:
        item.status = "missing: no contribution left to endorse"
        return False
    with app.test_request_context():
        try:
            item.path = url_for(item.page.endpoint, **values)
        except BuildError:
            item.status = f"missing (no route {item.page.endpoint})"
            return False
    return True


def hit(app: Flask, clients: dict[str, FlaskClient], counter: QueryCounter, item: Measured, keep):
    """One request of ``item``'s page; its time and query count kept when ``keep``."""
    page = item.page
    if item.status != "ok" or not resolve(app, item):
        return
    client = clients[page.role]
    counter.count = 0
    counter.active = True
    started = time.perf_counter()
    cpu_started = time.process_time()
    try:
        if page.method == "POST":
            response = client.post(item.path, data=page.data() if page.data else None)
        else:
            response = client.get(item.path)
        elapsed = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
    except Exception as exc:  # a page that crashes is reported, not fatal
        item.status = f"error: {type(exc).__name__}: {exc}"[:160]
        return
    finally:
        counter.active = False
    if response.status_code not in page.ok:
        item.status = f"HTTP {response.status_code} on {page.method} {item.path}"
        return
    if page.after:
        page.after(response)
    if keep:
        item.timings.append(elapsed * 1000)
        item.cpu.append(cpu * 1000)
        item.queries.append(counter.count)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def measure_export(app: Flask, clients, counter: QueryCounter, item: Measured, runs: int):
    """Rows per second (median of ``runs`` downloads) and peak memory growth (tracemalloc,
    in a separate download: tracing slows everything down)."""
    if not resolve(app, item):
        return {"status": item.status}
    client = clients[item.page.role]

    def download() -> tuple[int, int, float]:
        counter.count = 0
        counter.active = True
        started = time.perf_counter()
        response = client.get(item.path, buffered=False)
        if response.is_json:  # the API's decisions: {"columns": [...], "rows": [...]}
            body = b"".join(response.iter_encoded())
        else:  # CSV: a line a row after the header, counted as it streams
            lines = sum(chunk.count(b"\n") for chunk in response.iter_encoded())
        response.close()
        elapsed = time.perf_counter() - started
        counter.active = False
        if response.is_json:
            lines = len(json.loads(body).get("rows", [])) + 1
        return response.status_code, lines, elapsed

    status, lines, _ = download()  # warm-up
    if status != 200:
        return {"status": f"HTTP {status} on GET {item.path}"}
    if lines > LONG_EXPORT_ROWS:
        runs = 1  # the whole audit log at large scale: a minute a download
    seconds = [download()[2] for _ in range(runs)]
    queries = counter.count
    gc.collect()
    tracemalloc.start()
    baseline = tracemalloc.get_traced_memory()[0]
    download()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    rows = lines - 1  # the header
    median = statistics.median(seconds)
    growth_mb = (peak - baseline) / 2**20
    rate = rows / median if median else 0.0
    return {
        "status": "ok",
        "path": item.path,
        "rows": rows,
        "median_seconds": round(median, 3),
        "rows_per_second": round(rate),
        "peak_memory_growth_mb": round(growth_mb, 2),
        "queries": queries,
        "meets_target": rate >= TARGET_EXPORT_ROWS_PER_SECOND and growth_mb < TARGET_EXPORT_MB,
    }


def summary(
    item: Measured, floor_p95: float | None, floor_cpu: float | None = None
) -> dict[str, Any]:
    page = item.page
    row: dict[str, Any] = {
        "name": page.name,
        "method": page.method,
        "path": item.path,
        "role": page.role,
        "status": item.status,
    }
    if item.status == "ok" and item.timings:
        p95 = percentile(item.timings, 0.95)
        row.update(
            requests=len(item.timings),
            p50_ms=round(percentile(item.timings, 0.5), 2),
            p95_ms=round(p95, 2),
            queries=int(statistics.median(item.queries)),
            queries_min=min(item.queries),
            queries_max=max(item.queries),
            ratio_p95_to_floor=round(p95 / floor_p95, 2) if floor_p95 else None,
            # CPU time (the app's, SQLite's included): on a machine others load, waiting
            # for a CPU inflates every wall time, not this.
            cpu_p50_ms=round(percentile(item.cpu, 0.5), 2),
            ratio_cpu_p50_to_floor=(
                round(percentile(item.cpu, 0.5) / floor_cpu, 2) if floor_cpu else None
            ),
        )
        row["meets_target"] = (
            row["queries_max"] <= TARGET_QUERIES
            and (row["ratio_p95_to_floor"] or 0) <= TARGET_RATIO
        )
    return row


def run(args: argparse.Namespace) -> dict[str, Any]:
    url, seeded = scratch_database(
        args.database_url, args.scale, args.reuse, args.sqlite_path, args.pg_database
    )
    backend = make_url(url).get_backend_name()
    load_before = os.getloadavg()
    phases: dict = {}
    if seeded:
        print(f"Reusing the {args.scale} programme seeded in {url}.", flush=True)
        seed_seconds, seed_cpu, counts = 0.0, 0.0, existing_counts(url)
    else:
        print(f"Seeding the {args.scale} programme on {backend} ...", flush=True)
        seed_cpu = time.process_time()
        timings: dict[str, list[float]] = {}
        seed_seconds, counts = seed(url, args.scale, args.seed, timings)
        seed_cpu = time.process_time() - seed_cpu
        phases = seed_phases(timings, seed_seconds, seed_cpu)
        print(
            f"Seeded in {seed_seconds:.1f} s ({seed_cpu:.1f} s of CPU in this process). "
            "Longest phases: "
            + ", ".join(f"{name} {phase['seconds']} s" for name, phase in list(phases.items())[:6]),
            flush=True,
        )

    app = make_bench_app(url)
    counter = QueryCounter(app.extensions["nominee.engine"])
    with app.app_context():
        cast = cast_of_characters(get_session(), endorsements=args.requests + args.warmup + 10)
    clients = {role: login(app, cast.emails[role]) for role in ROLES}
    with app.app_context(), unit_of_work() as session:
        # The API pages' bearer tokens; the HTML pages ignore the header.
        for role, header in api_tokens(session, cast).items():
            clients[role].environ_base["HTTP_AUTHORIZATION"] = header
    clients[VISITOR] = app.test_client()  # not logged in: the public pages
    items = [
        Measured(page)
        for index, page in enumerate(pages_for(cast, FLOOR_ENDPOINT))
        # The floor always; with --only, the pages whose name holds one of its words.
        if index == 0 or not args.only or any(word in page.name for word in args.only)
    ]
    timed = [item for item in items if not item.page.streamed]
    for _ in range(args.warmup):
        for item in timed:
            hit(app, clients, counter, item, keep=False)
    started = time.perf_counter()
    for _ in range(args.requests):
        for item in timed:
            hit(app, clients, counter, item, keep=True)
    measured = time.perf_counter() - started
    streamed = {
        item.page.name: measure_export(app, clients, counter, item, args.export_runs)
        for item in items
        if item.page.streamed and not args.no_exports
    }
    export = streamed.get(
        "CSV export",
        {
            "status": "not measured (--only, --no-exports)"
            if args.only or args.no_exports
            else "missing"
        },
    )
    app.extensions["nominee.engine"].dispose()

    floor = timed[0]
    floor_p95 = percentile(floor.timings, 0.95) if floor.timings else None
    floor_cpu = percentile(floor.cpu, 0.5) if floor.cpu else None
    rows = [summary(item, floor_p95, floor_cpu) for item in timed]
    return {
        "scale": args.scale,
        "seed": args.seed,
        "database": backend,
        "database_version": server_version(url),
        "seed_seconds": round(seed_seconds, 1),
        "seed_cpu_seconds": round(seed_cpu, 1),
        "seed_phases": phases,
        "rows": counts,
        "requests_per_page": args.requests,
        "warmup_rounds": args.warmup,
        "measure_seconds": round(measured, 1),
        "floor": {key: rows[0].get(key) for key in ("p50_ms", "p95_ms", "queries")},
        "pages": rows,
        "csv_export": export,
        "streamed": streamed,
        "targets": {
            "max_queries": TARGET_QUERIES,
            "max_ratio_p95_to_floor": TARGET_RATIO,
            "export_rows_per_second": TARGET_EXPORT_ROWS_PER_SECOND,
            "export_memory_growth_mb": TARGET_EXPORT_MB,
        },
        "machine": {
            "platform": platform.platform(),
            "python": platform.python_version(),
            "cpu_count": os.cpu_count(),
            "load_average_before": [round(x, 2) for x in load_before],
            "load_average_after": [round(x, 2) for x in os.getloadavg()],
        },
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }


def existing_counts(url: str) -> dict[str, int]:
    """The rows of the main tables of a database seeded by an earlier run."""
    engine = create_engine(url)
    tables = ("users", "contributions", "endorsements", "nominations")
    with engine.connect() as conn:
        counts = {
            name: conn.execute(text(f"select count(*) from {name}")).scalar() for name in tables
        }
    engine.dispose()
    return {name: int(value or 0) for name, value in counts.items()}


def server_version(url: str) -> str:
    engine = create_engine(url)
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            version = "SQLite " + conn.execute(text("select sqlite_version()")).scalar()
        else:
            version = conn.execute(text("show server_version")).scalar()
            version = f"PostgreSQL {version}"
    engine.dispose()
    return version


def table(result: dict[str, Any]) -> str:
    lines = [
        f"Nominee benchmark: {result['scale']} scale on {result['database_version']}, "
        f"{result['requests_per_page']} requests per page",
        f"seeded in {result['seed_seconds']} s; {result['machine']['platform']}, "
        f"{result['machine']['cpu_count']} CPUs, load average "
        f"{result['machine']['load_average_before'][0]} -> "
        f"{result['machine']['load_average_after'][0]}",
        "",
        f"| {'page':<36} | {'p50 ms':>8} | {'p95 ms':>8} | {'queries':>7} | {'p95/floor':>9} "
        f"| {'CPU p50/floor':>13} |",
        f"|{'-' * 38}|{'-' * 10}|{'-' * 10}|{'-' * 9}|{'-' * 11}|{'-' * 15}|",
    ]
    for row in result["pages"]:
        if row["status"] != "ok":
            lines.append(f"| {row['name']:<36} | {row['status'][:45]}")
            continue
        queries = str(row["queries"])
        if row["queries_min"] != row["queries_max"]:
            queries = f"{row['queries_min']}-{row['queries_max']}"
        flag = "" if row["meets_target"] else " !"
        lines.append(
            f"| {row['name']:<36} | {row['p50_ms']:>8.2f} | {row['p95_ms']:>8.2f} | "
            f"{queries:>7} | {row['ratio_p95_to_floor']:>8.2f}x | "
            f"{row['ratio_cpu_p50_to_floor'] or 0:>12.2f}x |{flag}"
        )
    lines.append("")
    for name, export in result.get("streamed", {"CSV export": result["csv_export"]}).items():
        if export.get("status") == "ok":
            lines.append(
                f"{name}: {export['rows']} rows, {export['rows_per_second']:,} rows/s, "
                f"peak memory growth {export['peak_memory_growth_mb']} MB, "
                f"{export['queries']} queries"
            )
        else:
            lines.append(f"{name}: {export.get('status')}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default=os.environ.get("SCALE", "medium"))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--export-runs", type=int, default=5)
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep the database an earlier run seeded (SQLite: at --sqlite-path; "
        "PostgreSQL: --pg-database), if any",
    )
    parser.add_argument(
        "--pg-database",
        default=os.environ.get("BENCH_PG_DATABASE", "nominee_bench"),
        help="PostgreSQL: the scratch database's name, on the server of --database-url "
        "(dropped and created again unless --reuse finds it seeded; default nominee_bench)",
    )
    parser.add_argument(
        "--sqlite-path",
        default=None,
        help="SQLite: the scratch database's file (default /tmp/nominee-bench-SCALE.sqlite3)",
    )
    parser.add_argument(
        "--output",
        default=None,
        help="default benchmarks/results.json on SQLite, "
        "benchmarks/results-postgresql-SCALE.json on PostgreSQL",
    )
    parser.add_argument(
        "--only",
        nargs="*",
        default=[],
        help="measure only the pages whose name contains one of these words (and the floor)",
    )
    parser.add_argument(
        "--no-exports",
        action="store_true",
        help="skip the streamed exports (the whole audit log at large scale takes minutes)",
    )
    args = parser.parse_args()
    result = run(args)
    output = args.output or str(
        ROOT
        / "benchmarks"
        / (
            "results.json"
            if result["database"] == "sqlite"
            else f"results-{result['database']}-{args.scale}.json"
        )
    )
    Path(output).write_text(json.dumps(result, indent=2) + "\n")
    print(table(result))
    print(f"\nWrote {output}")


if __name__ == "__main__":
    main()
