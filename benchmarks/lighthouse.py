"""Lighthouse (mobile preset) on the main pages of the demo: ``make lighthouse``.

Seeds the demo (``seed-demo``) into a scratch SQLite database, serves it with
``flask run`` on a free port (no debugger), logs in as the demo's organizer through the
login form (a session cookie, passed to Lighthouse with ``--extra-headers``) and runs
Lighthouse 12 (``package.json``'s exact version, found in ``LIGHTHOUSE_DIR`` or
``node_modules``) with Chromium (``CHROME_PATH``, default ``/usr/bin/chromium``,
``--headless=new --no-sandbox``) on: the home page logged out, a member's page, a
cycle's review dashboard, a nomination and a public award page. Prints the
accessibility, best-practices and performance scores per page and the audits that lost
points, and writes them to ``benchmarks/lighthouse.json``. Only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from load import free_port  # noqa: E402

import nominee.models  # noqa: E402, F401
from nominee.accounts.models import Role, User  # noqa: E402
from nominee.awards.models import Award, AwardStatus  # noqa: E402
from nominee.cycles.models import Cycle, CycleStatus  # noqa: E402
from nominee.nominations.models import Nomination  # noqa: E402

CATEGORIES = ("accessibility", "best-practices", "performance")
PASSWORD = os.environ.get("NOMINEE_DEMO_PASSWORD", "nominee-demo")
FLASK = [str(ROOT / ".venv" / "bin" / "flask"), "--app", "nominee"]


def lighthouse_bin() -> str:
    for folder in (os.environ.get("LIGHTHOUSE_DIR"), str(ROOT)):
        if folder:
            candidate = Path(folder) / "node_modules" / ".bin" / "lighthouse"
            if candidate.exists():
                return str(candidate)
    raise SystemExit(
        "Lighthouse is missing: `npm ci` (package.json pins it), or LIGHTHOUSE_DIR=<folder> "
        "with node_modules/.bin/lighthouse"
    )


def pages(url: str) -> dict[str, tuple[str, bool]]:
    """Page name -> (path, needs the organizer's session)."""
    with Session(create_engine(url)) as session:
        organizer = session.scalar(select(User).where(User.role == Role.ORGANIZER).limit(1))
        member = session.scalar(
            select(User).where(User.role == Role.MEMBER).order_by(User.id).limit(1)
        )
        cycle = session.scalar(
            select(Cycle)
            .where(Cycle.status.in_((CycleStatus.IN_REVIEW, CycleStatus.PUBLISHED)))
            .order_by(Cycle.status != CycleStatus.IN_REVIEW, Cycle.id)
            .limit(1)
        )
        assert organizer and member and cycle, "the demo has no organizer, member or cycle"
        nomination = session.scalar(
            select(Nomination).where(Nomination.cycle_id == cycle.id).limit(1)
        )
        award = session.scalar(select(Award).where(Award.status == AwardStatus.ACTIVE).limit(1))
        assert nomination and award, "the demo has no nomination or award"
        return {
            "organizer": (organizer.email, False),
            "home (logged out)": ("/", False),
            "member page": (f"/members/{member.id}", True),
            "review dashboard": (f"/cycles/{cycle.id}/dashboard", True),
            "nomination": (f"/nominations/{nomination.id}", True),
            "award page": (f"/awards/{award.verification_id}", False),
        }


def login(base: str, email: str) -> str:
    browser = requests.Session()
    form = browser.get(base + "/login", timeout=10).text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form) or re.search(
        r'name="csrf_token" value="([^"]+)"', form
    )
    assert token, "no CSRF token on the login page"
    answer = browser.post(
        base + "/login",
        data={"csrf_token": token[1], "email": email, "password": PASSWORD},
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 302, f"login failed: {answer.status_code}"
    return "; ".join(f"{c.name}={c.value}" for c in browser.cookies)


def run(lighthouse: str, url: str, cookie: str | None, out: Path) -> dict:
    args = [
        lighthouse,
        url,
        "--quiet",
        "--output=json",
        f"--output-path={out}",
        f"--only-categories={','.join(CATEGORIES)}",
        "--chrome-flags=--headless=new --no-sandbox",
    ]
    if cookie:
        headers = out.with_suffix(".headers.json")
        headers.write_text(json.dumps({"Cookie": cookie}))
        args.append(f"--extra-headers={headers}")
    env = {**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")}
    subprocess.run(args, check=True, env=env, timeout=300)
    report = json.loads(out.read_text())
    scores = {c: round(report["categories"][c]["score"] * 100) for c in CATEGORIES}
    lost = sorted(
        f"{c}: {report['audits'][ref['id']]['title']}"
        for c in CATEGORIES
        for ref in report["categories"][c]["auditRefs"]
        if ref["weight"]
        and (report["audits"][ref["id"]].get("score") or 0) < 1
        and report["audits"][ref["id"]].get("scoreDisplayMode")
        not in ("notApplicable", "manual", "informative")
    )
    metrics = {
        key: report["audits"][key].get("displayValue", "")
        for key in (
            "first-contentful-paint",
            "largest-contentful-paint",
            "total-blocking-time",
            "cumulative-layout-shift",
        )
    }
    # Lighthouse's measure of this machine's CPU (a quiet desktop: 1,000 to 2,500); a busy
    # machine lowers it, and the performance score with it.
    benchmark = round(report["environment"]["benchmarkIndex"])
    return {"url": url, "scores": scores, "lost": lost, "metrics": metrics, "cpu": benchmark}


def main() -> None:
    lighthouse = lighthouse_bin()
    # LIGHTHOUSE_WORK=<folder of an earlier run> reuses its seeded demo database.
    reuse = os.environ.get("LIGHTHOUSE_WORK")
    work = Path(reuse) if reuse else Path(tempfile.mkdtemp(prefix="nominee-lighthouse-"))
    database = f"sqlite:///{work / 'demo.sqlite3'}"
    env = {**os.environ, "DATABASE_URL": database, "NOMINEE_LOG_REQUESTS": "false"}
    subprocess.run([*FLASK, "db", "upgrade"], check=True, env=env, cwd=ROOT)
    if not reuse:
        subprocess.run([*FLASK, "seed-demo"], check=True, env=env, cwd=ROOT)
    found = pages(database)
    email, _ = found.pop("organizer")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = (work / "server.log").open("w")
    # Served as `make serve` does (gunicorn, 2 workers), not by the development server.
    server = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "--config", "gunicorn.conf.py"],
        env={
            **env,
            "NOMINEE_BASE_URL": base,
            "HOST": "127.0.0.1",
            "PORT": str(port),
            "WORKERS": "2",
        },
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                if requests.get(base + "/healthz", timeout=5).ok:
                    break
            except requests.RequestException:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"the app did not start: see {work / 'server.log'}") from None
            time.sleep(0.5)
        cookie = login(base, email)
        only = [n.strip() for n in os.environ.get("LIGHTHOUSE_PAGES", "").split(",") if n.strip()]
        found = {name: page for name, page in found.items() if not only or name in only}
        results = {}
        for name, (path, logged_in) in found.items():
            results[name] = run(
                lighthouse,
                base + path,
                cookie if logged_in else None,
                work / f"{len(results)}.json",
            )
            row = results[name]
            print(
                f"{name:18} "
                + "  ".join(f"{c} {row['scores'][c]}" for c in CATEGORIES)
                + f"  (CPU benchmark index {row['cpu']})",
                flush=True,
            )
            for lost in row["lost"]:
                print(f"    lost: {lost}")
    finally:
        server.terminate()
        server.wait(timeout=60)  # gunicorn lets its workers finish (graceful_timeout)
    # LIGHTHOUSE_PAGES="member page,award page" runs those only and keeps the others' scores.
    saved = ROOT / "benchmarks" / "lighthouse.json"
    kept = json.loads(saved.read_text()) if saved.exists() else {}
    saved.write_text(json.dumps({**kept, **results}, indent=2) + "\n")
    print(f"reports in {work}; scores in benchmarks/lighthouse.json")


if __name__ == "__main__":
    main()
