"""Where a benchmarked page spends its time: pyinstrument over repeated requests.

Runs on a database ``benchmarks/bench.py`` seeded (``--reuse`` keeps it), with the same
cast and logged-in clients, and writes one text profile per page whose name contains one
of the ``--only`` words::

    .venv/bin/python benchmarks/profile_page.py --sqlite-path /tmp/nominee-bench-large.sqlite3 \
        --only "member page (heavy" --requests 50 --output-dir /tmp/profiles
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import re
import sys
import time
from pathlib import Path

from pyinstrument import Profiler

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench import (  # noqa: E402
    FLOOR_ENDPOINT,
    Measured,
    QueryCounter,
    hit,
    login,
    make_bench_app,
)

from nominee.seeding.scale.pages import (  # noqa: E402
    ROLES,
    VISITOR,
    api_tokens,
    cast_of_characters,
    pages_for,
)
from nominee.uow import get_session, unit_of_work  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sqlite-path", default="/tmp/nominee-bench-large.sqlite3")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--only", nargs="+", required=True)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--output-dir", default=str(ROOT / "benchmarks" / "profiles"))
    parser.add_argument(
        "--cpu",
        action="store_true",
        help="cProfile on CPU time (process_time) instead of pyinstrument's wall clock: "
        "on a machine others load, waiting for the CPU is not charged to the code",
    )
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{args.sqlite_path}"
    app = make_bench_app(url)
    counter = QueryCounter(app.extensions["nominee.engine"])
    with app.app_context():
        cast = cast_of_characters(get_session(), endorsements=args.requests * 2 + 10)
    clients = {role: login(app, cast.emails[role]) for role in ROLES}
    with app.app_context(), unit_of_work() as session:
        for role, header in api_tokens(session, cast).items():
            clients[role].environ_base["HTTP_AUTHORIZATION"] = header
    clients[VISITOR] = app.test_client()
    output = Path(args.output_dir)
    output.mkdir(parents=True, exist_ok=True)
    for page in pages_for(cast, FLOOR_ENDPOINT):
        if not any(word in page.name for word in args.only) or page.streamed:
            continue
        item = Measured(page)
        for _ in range(5):
            hit(app, clients, counter, item, keep=False)
        cpu_started = time.process_time()
        if args.cpu:
            profiler = cProfile.Profile(time.process_time)
            profiler.enable()
            for _ in range(args.requests):
                hit(app, clients, counter, item, keep=True)
            profiler.disable()
        else:
            profiler = Profiler(interval=0.0002)
            profiler.start()
            for _ in range(args.requests):
                hit(app, clients, counter, item, keep=True)
            profiler.stop()
        cpu_ms = (time.process_time() - cpu_started) * 1000 / args.requests
        if item.status != "ok":
            print(f"{page.name}: {item.status}")
            continue
        timings = sorted(item.timings)
        head = (
            f"{page.name} ({page.role}, {item.path}): {len(timings)} requests, "
            f"p50 {timings[len(timings) // 2]:.2f} ms, CPU {cpu_ms:.2f} ms a request "
            f"(profiled), queries {item.queries[-1]}\n\n"
        )
        if isinstance(profiler, cProfile.Profile):
            out = io.StringIO()
            stats = pstats.Stats(profiler, stream=out).strip_dirs()
            stats.sort_stats("cumulative").print_stats(45)
            stats.sort_stats("tottime").print_stats(25)
            text = out.getvalue()
        else:
            text = profiler.output_text(unicode=True, color=False, short_mode=False)
        slug = re.sub(r"[^a-z0-9]+", "-", page.name.lower()).strip("-")
        (output / f"{slug}.txt").write_text(head + text)
        print(head.strip(), "->", output / f"{slug}.txt", flush=True)


if __name__ == "__main__":
    main()
