"""Served under concurrency: ``make bench-http`` (SCALE, default large; issue 19).

Seeds the scale programme (``benchmarks/bench.py``'s scratch database; ``--reuse`` keeps a
SQLite one already seeded at that scale), serves it the way ``make serve`` does (gunicorn,
4 workers, production settings, rate limits counted in Redis) and drives it from outside
with wrk: ``--connections`` (16) for ``--duration`` (30 s) on each page, one page at a
time, after ``--warmup`` (5 s) of the same, unmeasured. Beside it the floor, a minimal
Flask app that renders a template and queries nothing (``benchmarks/floor_app.py``), is
served by gunicorn with the same workers and measured the same way.

Writes ``benchmarks/results-http.json``: per page the requests/s, p50 and p99 latency,
errors (non-2xx/3xx answers and socket errors) and ``fraction_of_floor`` (the page's
requests/s over the floor's); the targets are a fraction of at least 0.2, p99 at most
3x p50 and no error. Only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench import PASSWORD, scratch_database, seed  # noqa: E402
from load import free_port  # noqa: E402

import nominee.models  # noqa: E402, F401
from nominee.accounts.models import User  # noqa: E402
from nominee.seeding.scale.pages import cast_of_characters  # noqa: E402

WORKERS = 4
TARGET_FRACTION = 0.2
TARGET_P99_OVER_P50 = 3.0


class Gunicorn:
    """A gunicorn master on a free port, until ``stop``."""

    def __init__(self, args: list[str], env: dict[str, str], log: Path, ready_path: str):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = log.open("w")
        env = {**env, "HOST": "127.0.0.1", "PORT": str(self.port), "WORKERS": str(WORKERS)}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", *args, "--bind", f"127.0.0.1:{self.port}"],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited with {self.process.returncode}: see {log}")
            try:
                if requests.get(self.base + ready_path, timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.3)
        raise SystemExit(f"gunicorn did not answer {ready_path} in time: see {log}")

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


# Sent by every request, the login's and wrk's, as a browser sends its own: a session is
# bound to the address and browser that logged in (Flask-Login's session protection), and
# one used from another browser is marked not fresh again on every request.
USER_AGENT = "nominee-bench-http"


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return float(number) * UNITS[unit]


def wrk(
    url: str, args: argparse.Namespace, cookie: str | None, duration: int | None = None
) -> dict[str, Any]:
    """One wrk run on ``url``: requests/s, p50/p99 in ms, errors."""
    duration = duration or args.duration
    command = [
        "wrk",
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{duration}s",
        "--latency",
        "--timeout",
        "10s",
        "-H",
        f"User-Agent: {USER_AGENT}",
    ]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(
        [*command, url], capture_output=True, text=True, check=True, timeout=duration + 60
    ).stdout
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", out, re.MULTILINE))
    if set(latency) != {"50", "99"}:
        raise SystemExit(f"wrk gave no latency distribution for {url}:\n{out}")
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "requests_per_second": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),  # type: ignore[union-attr]
        "p50_ms": round(_ms(latency["50"]), 2),
        "p99_ms": round(_ms(latency["99"]), 2),
        "errors": errors + (int(non_2xx.group(1)) if non_2xx else 0),
    }


def log_in(base: str, email: str) -> str:
    """The session cookie of ``email``, logged in through the login form (the cookie is
    marked Secure in production, so it is read off the answer and sent by hand)."""
    http = requests.Session()
    http.headers["User-Agent"] = USER_AGENT
    page = http.get(base + "/login", timeout=10)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text)
    if token is None:
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text)
    assert token, "no CSRF token on the login page"
    cookie = page.headers.get("Set-Cookie", "").split(";", 1)[0]
    answer = requests.post(
        base + "/login",
        data={"email": email, "password": PASSWORD, "csrf_token": token.group(1)},
        headers={"Cookie": cookie, "User-Agent": USER_AGENT},
        allow_redirects=False,
        timeout=30,
    )
    assert answer.status_code == 302, f"login of {email} answered {answer.status_code}"
    cookie = answer.headers["Set-Cookie"].split(";", 1)[0]
    # The first page after logging in gives the session its form token, as a browser
    # keeps it: wrk then sends the session a browser would hold from then on.
    first = requests.get(
        base + "/", headers={"Cookie": cookie, "User-Agent": USER_AGENT}, timeout=30
    )
    updated = first.headers.get("Set-Cookie", "")
    return updated.split(";", 1)[0] if updated.startswith("session=") else cookie


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default=os.environ.get("SCALE", "large"))
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--reuse", action="store_true", help="keep a seeded SQLite database")
    parser.add_argument("--duration", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=5, help="seconds of wrk first, unmeasured")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--redis-url", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/13")
    )
    parser.add_argument("--output", default=str(ROOT / "benchmarks" / "results-http.json"))
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (Debian: apt-get install wrk)")

    sqlite_path = Path(f"/tmp/nominee-bench-{args.scale}.sqlite3")
    sqlite = not args.database_url or args.database_url.startswith("sqlite")
    if args.reuse and sqlite and sqlite_path.exists() and sqlite_path.stat().st_size > 1 << 20:
        url = f"sqlite:///{sqlite_path}"
        print(f"Reusing {sqlite_path}", flush=True)
    else:
        url, _ = scratch_database(args.database_url, args.scale)
        print(f"Seeding the {args.scale} programme ...", flush=True)
        seconds, _ = seed(url, args.scale, 1, {})
        print(f"Seeded in {seconds:.1f} s", flush=True)

    engine = create_engine(url)
    with Session(engine) as session:
        cast = cast_of_characters(session, endorsements=0)
        organizer_email = session.scalar(select(User.email).where(User.id == cast.organizer))
        members = session.scalar(select(func.count()).select_from(User))
    engine.dispose()

    logs = Path("/tmp/nominee-bench-http")
    logs.mkdir(exist_ok=True)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": secrets.token_urlsafe(48),
        "NOMINEE_ENV_NAME": "production",
        "NOMINEE_MAIL_URL": "smtp://127.0.0.1:1",  # never reached: nothing sends mail here
        "NOMINEE_BASE_URL": "https://nominee.example.org",
        "REDIS_URL": args.redis_url,
        # Limits on and counted in Redis; every request comes from 127.0.0.1.
        "NOMINEE_RATELIMIT_LOGIN": "100000 per minute",
    }
    floor = Gunicorn(
        ["--workers", str(WORKERS), "--chdir", "benchmarks", "floor_app:app"],
        os.environ.copy(),
        logs / "floor.log",
        "/",
    )
    app = Gunicorn(["--config", "gunicorn.conf.py"], env, logs / "nominee.log", "/healthz")
    pages: list[dict[str, Any]] = []
    try:
        member = log_in(app.base, cast.emails["viewer"])
        organizer = log_in(app.base, organizer_email or cast.emails["organizer"])
        targets = [
            ("floor (minimal Flask app)", floor.base, "/", None),
            ("/healthz", app.base, "/healthz", None),
            # Nominee's own cheapest logged-in page (the session, the account, the
            # layout): what every logged-in page costs before it reads anything.
            ("account language page (yardstick)", app.base, "/account/language", member),
            ("public award page", app.base, f"/awards/{cast.award}", None),
            ("member page (heavy member, visitor)", app.base, f"/members/{cast.heavy}", None),
            ("member page (heavy member)", app.base, f"/members/{cast.heavy}", member),
            ("home (logged in)", app.base, "/", member),
            (
                "review dashboard (organizer)",
                app.base,
                f"/cycles/{cast.cycle}/dashboard",
                organizer,
            ),
        ]
        for name, base, path, cookie in targets:
            print(f"  {name} ...", flush=True)
            # Warmed first, unmeasured: every worker has compiled the page's templates and
            # read what it keeps (as it has after its first minute in production).
            wrk(base + path, args, cookie, duration=args.warmup)
            pages.append({"name": name, "path": path, **wrk(base + path, args, cookie)})
    finally:
        app.stop()
        floor.stop()

    floor_rps = pages[0]["requests_per_second"]
    for row in pages:
        row["fraction_of_floor"] = round(row["requests_per_second"] / floor_rps, 3)
        row["p99_over_p50"] = round(row["p99_ms"] / row["p50_ms"], 2) if row["p50_ms"] else None
        row["meets_target"] = (
            row["fraction_of_floor"] >= TARGET_FRACTION
            and (row["p99_over_p50"] or 0) <= TARGET_P99_OVER_P50
            and row["errors"] == 0
        )
    result = {
        "scale": args.scale,
        "database": url.split(":", 1)[0],
        "members": members,
        "workers": WORKERS,
        "connections": args.connections,
        "duration_seconds": args.duration,
        "warmup_seconds": args.warmup,
        "load_generator": subprocess.run(["wrk", "-v"], capture_output=True, text=True)
        .stdout.split("\n")[0]
        .strip(),
        "pages": pages,
        "targets": {
            "min_fraction_of_floor": TARGET_FRACTION,
            "max_p99_over_p50": TARGET_P99_OVER_P50,
            "errors": 0,
        },
        "machine": {
            "platform": platform.platform(),
            "cpu_count": os.cpu_count(),
            "load_average": [round(x, 2) for x in os.getloadavg()],
        },
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    Path(args.output).write_text(json.dumps(result, indent=2) + "\n")
    header = ("page", "req/s", "p50 ms", "p99 ms", "errors", "of floor")
    print("\n| {:<30} | {:>8} | {:>8} | {:>8} | {:>6} | {:>8} |".format(*header))
    for row in pages:
        flag = "" if row["meets_target"] else " !"
        print(
            f"| {row['name']:<30} | {row['requests_per_second']:>8.0f} | {row['p50_ms']:>8.2f} | "
            f"{row['p99_ms']:>8.2f} | {row['errors']:>6} | "
            f"{row['fraction_of_floor']:>7.3f}x |{flag}"
        )
    print(f"\nWrote {args.output}")


if __name__ == "__main__":
    main()
