"""The endorsement-integrity benchmark: ``make integrity-bench`` (SCALE=small|medium|large).

Seeds a scratch SQLite database at SCALE with arranged groups planted among the organic
members (``flask --app nominee seed-scale --rings``, which writes the ground truth beside
the database), then runs the full scan the way a script would
(``flask --app nominee integrity scan --json``) in a process of its own, measuring its
wall time and peak memory (the child's maximum resident set size). From the scan's JSON
and the ground truth it computes:

- recall: planted members flagged / planted members, overall and per shape (a puppet
  star's member is its beneficiary: the puppets receive nothing);
- false-flag rate: organic members flagged / organic members with at least 5 endorsements
  received in the scan's window.

Writes ``benchmarks/integrity.json`` (with every missed planted member and every flagged
organic member, and what kind of organic member it is) and prints the figures.
``--reuse`` scans the database seeded last time (same scale and seed, seeded today).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FLASK = [str(ROOT / ".venv" / "bin" / "flask"), "--app", "nominee"]
TARGET_RECALL = 0.95
TARGET_FALSE_FLAG_RATE = 0.02
TARGET_SECONDS = 60
TARGET_MEMORY_MB = 1024
MIN_RECEIVED = 5


# -- the scratch database --------------------------------------------------------------


def scratch(scale: str) -> tuple[Path, Path]:
    """The database file and its ground truth (where ``seed-scale`` writes it)."""
    database = Path(f"/tmp/nominee-integrity-{scale}.sqlite3")
    return database, database.with_name(database.stem + ".rings.json")


def environment(database: Path) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "NOMINEE_LOG_REQUESTS": "0"}


def run_child(command: list[str], database: Path) -> tuple[int, str, str, float, Any]:
    """Exit status, output, error output, wall time and this child's own resource usage
    (``os.wait4``: RUSAGE_CHILDREN would mix in the other children's)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(
            command, env=environment(database), cwd=ROOT, stdout=out, stderr=err
        )
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return process.returncode, out.read().decode(), err.read().decode(), seconds, usage


def seed(scale: str, seed_value: int, reuse: bool) -> tuple[dict[str, float] | None, Path, Path]:
    database, truth = scratch(scale)
    stamp = database.with_suffix(".seeded")
    wanted = f"{scale} {seed_value} {time.strftime('%Y-%m-%d')}"
    if reuse and truth.exists() and stamp.exists() and stamp.read_text() == wanted:
        print(f"Reusing {database} ({wanted}).", flush=True)
        return None, database, truth
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    truth.unlink(missing_ok=True)
    stamp.unlink(missing_ok=True)
    print(f"Seeding the {scale} programme with rings into {database} ...", flush=True)
    status, stdout, stderr, seconds, usage = run_child(
        [*FLASK, "seed-scale", "--scale", scale, "--seed", str(seed_value), "--rings"], database
    )
    if status != 0:
        raise SystemExit(f"seed-scale failed:\n{stdout}\n{stderr[-4000:]}")
    printed = Path(stdout.strip().splitlines()[-1])
    if printed != truth:
        raise SystemExit(f"seed-scale wrote the ground truth to {printed}, not {truth}")
    stamp.write_text(wanted)
    cpu = usage.ru_utime + usage.ru_stime
    print(f"Seeded in {seconds:.1f} s ({cpu:.1f} s of CPU).", flush=True)
    return {"seconds": round(seconds, 1), "cpu_seconds": round(cpu, 1)}, database, truth


# -- the scan --------------------------------------------------------------------------


def scan(database: Path, extra: list[str]) -> tuple[dict[str, Any], float, float, float]:
    """The scan's JSON, its wall and CPU time (s) and its process's peak memory (MB)."""
    command = [*FLASK, "integrity", "scan", "--json", *extra]
    print("Scanning: " + " ".join(command[2:]), flush=True)
    status, stdout, stderr, seconds, usage = run_child(command, database)
    if status != 0:
        raise SystemExit(f"the scan failed ({status}):\n{stderr[-4000:]}")
    try:
        document = json.loads(stdout)
    except json.JSONDecodeError as exc:
        raise SystemExit(f"the scan printed no JSON document ({exc}):\n{stdout[:2000]}") from None
    cpu = usage.ru_utime + usage.ru_stime
    return document, seconds, cpu, usage.ru_maxrss / 1024  # kilobytes on Linux


# -- the figures -----------------------------------------------------------------------


def window_bounds(window: dict[str, Any]) -> tuple[str | None, str | None]:
    """The window's first day and the day after its last, as SQL text, when it says."""

    def day(*keys: str) -> date | None:
        for key in keys:
            value = window.get(key)
            if isinstance(value, str) and len(value) >= 10:
                try:
                    return date.fromisoformat(value[:10])
                except ValueError:
                    continue
        return None

    since = day("since", "start", "from", "starts_on")
    until = day("until", "end", "to", "ends_on")
    return (
        since.isoformat() if since else None,
        (until + timedelta(days=1)).isoformat() if until else None,
    )


def received_counts(database: Path, window: dict[str, Any]) -> Counter[int]:
    """Active endorsements received per member inside the scan's window."""
    import sqlite3

    since, before = window_bounds(window)
    sql = "SELECT endorsee_id, COUNT(*) FROM endorsements WHERE withdrawn_at IS NULL"
    args: list[str] = []
    if since:
        sql += " AND created_at >= ?"
        args.append(since)
    if before:
        sql += " AND created_at < ?"
        args.append(before)
    with sqlite3.connect(database) as conn:
        rows = conn.execute(sql + " GROUP BY endorsee_id", args).fetchall()
    return Counter(dict(rows))


def organic_kinds(truth: dict[str, Any]) -> dict[int, str]:
    """What kind of organic look-alike each member is, when it is one."""
    kinds: dict[int, str] = {}
    organic = truth.get("organic", {})
    for pair in organic.get("friends", []):
        kinds.update((member, "friend") for member in pair)
    for _fan, member in organic.get("fans", []):
        kinds[member] = "fan's favourite"
    for group in organic.get("user_groups", []):
        kinds.update((member, "user_group") for member in group)
    kinds.update((member, "newcomer") for member in organic.get("newcomers", []))
    return kinds


def figures(
    document: dict[str, Any], truth: dict[str, Any], received: Counter[int]
) -> dict[str, Any]:
    """Recall per shape and overall, the false-flag rate, and who was misclassified."""
    members = {int(m["user_id"]): m for m in document.get("members", [])}
    flagged = {user for user, m in members.items() if m.get("flagged")}
    planted = truth.get("planted", [])
    planted_members = {user for group in planted for user in group["user_ids"]}
    puppets = {user for group in planted for user in group.get("puppets", [])}

    def brief(user: int) -> dict[str, Any]:
        m = members.get(user)
        if m is None:
            return {"user_id": user, "scanned": False, "received": received.get(user, 0)}
        return {
            "user_id": user,
            "score": m.get("score"),
            "received": received.get(user, 0),
            "signals": {
                s.get("name"): round(float(s.get("strength", 0)), 3) for s in m.get("signals", [])
            },
        }

    shapes: dict[str, dict[str, Any]] = {}
    missed = []
    for index, group in enumerate(planted):
        shape = shapes.setdefault(
            group["shape"], {"groups": 0, "groups_fully_caught": 0, "members": 0, "flagged": 0}
        )
        caught = [user for user in group["user_ids"] if user in flagged]
        shape["groups"] += 1
        shape["members"] += len(group["user_ids"])
        shape["flagged"] += len(caught)
        shape["groups_fully_caught"] += len(caught) == len(group["user_ids"])
        if len(caught) < len(group["user_ids"]):
            missed.append(
                {
                    "group": index,
                    "shape": group["shape"],
                    "size": len(group["user_ids"]),
                    "missed": [brief(u) for u in group["user_ids"] if u not in flagged],
                }
            )
    for shape in shapes.values():
        shape["recall"] = round(shape["flagged"] / shape["members"], 4)
    organic = (
        {user for user, count in received.items() if count >= MIN_RECEIVED}
        - planted_members
        - puppets
    )
    false_flags = sorted(flagged - planted_members - puppets)
    kinds = organic_kinds(truth)
    false_flag_rows = []
    for user in false_flags:
        row = brief(user)
        row["kind"] = kinds.get(user, "other")
        false_flag_rows.append(row)
    recall = len(flagged & planted_members) / len(planted_members) if planted_members else None
    rate = len(false_flags) / len(organic) if organic else None
    return {
        "members_scanned": len(members),
        "members_flagged": len(flagged),
        "planted_members": len(planted_members),
        "planted_flagged": len(flagged & planted_members),
        "recall": round(recall, 4) if recall is not None else None,
        "shapes": dict(sorted(shapes.items())),
        "organic_members": len(organic),
        "organic_flagged": len(false_flags),
        "false_flag_rate": round(rate, 4) if rate is not None else None,
        "false_flags_by_kind": dict(Counter(row["kind"] for row in false_flag_rows)),
        "missed": missed,
        "false_flags": false_flag_rows,
    }


def verdict(result: dict[str, Any]) -> dict[str, bool]:
    shapes = result["shapes"]
    return {
        "recall_every_shape": bool(shapes)
        and all(s["recall"] >= TARGET_RECALL for s in shapes.values()),
        "false_flag_rate": result["false_flag_rate"] is not None
        and result["false_flag_rate"] < TARGET_FALSE_FLAG_RATE,
        "seconds": result["scan_seconds"] < TARGET_SECONDS,
        "memory": result["scan_peak_memory_mb"] < TARGET_MEMORY_MB,
    }


def table(result: dict[str, Any]) -> str:
    yes = {True: "meets", False: "MISSES"}
    meets = result["meets_target"]
    lines = [
        f"Endorsement integrity: {result['scale']} scale (seed {result['seed']}), "
        f"{result['members_scanned']:,} members scanned, {result['members_flagged']:,} flagged",
        f"scan: {result['scan_seconds']:.1f} s ({yes[meets['seconds']]} < {TARGET_SECONDS} s; "
        f"{result['scan_cpu_seconds']:.1f} s of CPU), "
        f"peak memory {result['scan_peak_memory_mb']:.0f} MB "
        f"({yes[meets['memory']]} < {TARGET_MEMORY_MB} MB)",
        "",
        f"| {'shape':<20} | {'groups':>6} | {'caught':>6} | {'members':>7} | {'flagged':>7} "
        f"| {'recall':>7} |",
        f"|{'-' * 22}|{'-' * 8}|{'-' * 8}|{'-' * 9}|{'-' * 9}|{'-' * 9}|",
    ]
    for name, shape in result["shapes"].items():
        lines.append(
            f"| {name:<20} | {shape['groups']:>6} | {shape['groups_fully_caught']:>6} | "
            f"{shape['members']:>7} | {shape['flagged']:>7} | {shape['recall']:>7.1%} |"
        )
    recall = result["recall"]
    lines += [
        "",
        f"recall: {result['planted_flagged']} of {result['planted_members']} planted members "
        f"= {recall:.1%}"
        if recall is not None
        else "recall: nothing planted",
        f"false flags: {result['organic_flagged']} of {result['organic_members']} organic "
        f"members with >= {MIN_RECEIVED} endorsements received = "
        f"{result['false_flag_rate']:.2%} ({yes[meets['false_flag_rate']]} < "
        f"{TARGET_FALSE_FLAG_RATE:.0%}); by kind: {result['false_flags_by_kind'] or 'none'}",
        f"recall >= {TARGET_RECALL:.0%} on every shape: {yes[meets['recall_every_shape']]}",
    ]
    return "\n".join(lines)


def run(args: argparse.Namespace) -> dict[str, Any]:
    seeding, database, truth_path = seed(args.scale, args.seed, args.reuse)
    truth = json.loads(truth_path.read_text())
    extra = []
    if args.since:
        extra += ["--since", args.since]
    if args.until:
        extra += ["--until", args.until]
    load_before = os.getloadavg()
    document, seconds, cpu, memory = scan(database, extra)
    received = received_counts(database, document.get("window") or {})
    result: dict[str, Any] = {
        "scale": args.scale,
        "seed": args.seed,
        "database": str(database),
        "ground_truth": str(truth_path),
        "seeding": seeding,
        "window": document.get("window"),
        "scan_seconds": round(seconds, 2),
        "scan_cpu_seconds": round(cpu, 2),
        "scan_peak_memory_mb": round(memory, 1),
        **figures(document, truth, received),
        "targets": {
            "recall_every_shape": TARGET_RECALL,
            "false_flag_rate_below": TARGET_FALSE_FLAG_RATE,
            "scan_seconds_below": TARGET_SECONDS,
            "scan_memory_mb_below": TARGET_MEMORY_MB,
            "organic_min_received": MIN_RECEIVED,
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
    result["meets_target"] = verdict(result)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default=os.environ.get("SCALE", "large"))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--since", help="YYYY-MM-DD, passed to the scan")
    parser.add_argument("--until", help="YYYY-MM-DD, passed to the scan")
    parser.add_argument(
        "--reuse", action="store_true", help="scan the database seeded last time, if any"
    )
    parser.add_argument("--output", default=str(ROOT / "benchmarks" / "integrity.json"))
    args = parser.parse_args()
    result = run(args)
    Path(args.output).write_text(json.dumps(result, indent=2) + "\n")
    print(table(result))
    print(f"\nWrote {args.output}")


if __name__ == "__main__":
    sys.exit(main())
