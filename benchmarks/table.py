"""The README's Performance table from the results files ``make bench`` wrote.

Prints one Markdown table with a row per page and, per results file, its p95, query
count, p95 over the floor's and CPU p50 over the floor's; a page over a target is
marked with an exclamation mark::

    .venv/bin/python benchmarks/table.py benchmarks/results.json \
        benchmarks/results-postgresql-medium.json benchmarks/results-postgresql-large.json
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any


def label(result: dict[str, Any]) -> str:
    engine = "SQLite" if result["database"] == "sqlite" else "PostgreSQL"
    return f"{engine} {result['scale']}"


def cell(row: dict[str, Any] | None, target: float, max_queries: int) -> list[str]:
    if row is None or row.get("status") != "ok":
        return ["–", "–", "–", "–"]
    queries = str(row["queries"])
    if row["queries_min"] != row["queries_max"]:
        queries = f"{row['queries_min']}–{row['queries_max']}"
    ratio = row["ratio_p95_to_floor"] or 0
    mark = " !" if ratio > target or row["queries_max"] > max_queries else ""
    return [
        f"{row['p95_ms']:.2f}",
        queries,
        f"{ratio:.2f}x{mark}",
        f"{row['ratio_cpu_p50_to_floor'] or 0:.2f}x",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", nargs="+", type=Path)
    args = parser.parse_args()
    results = [json.loads(path.read_text()) for path in args.results]
    names: list[str] = []
    for result in results:
        for row in result["pages"]:
            if row["name"] not in names:
                names.append(row["name"])
    by_name = [{row["name"]: row for row in result["pages"]} for result in results]
    header = ["page"]
    for result in results:
        header += [f"{label(result)} p95 ms", "queries", "p95/floor", "CPU/floor"]
    print("| " + " | ".join(header) + " |")
    print("| --- |" + " ---: |" * (len(header) - 1))
    for name in names:
        cells = [name]
        for result, rows in zip(results, by_name, strict=True):
            targets = result["targets"]
            cells += cell(rows.get(name), targets["max_ratio_p95_to_floor"], targets["max_queries"])
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
