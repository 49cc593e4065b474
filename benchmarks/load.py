"""Load and fault test: Nominee under gunicorn with 4 workers, on SQLite then PostgreSQL.

    .venv/bin/python benchmarks/load.py [--duration 20] [--clients 16] [--backend sqlite]
    make load

For each database the script creates a fresh database (a SQLite file in a temporary
folder; for PostgreSQL a throwaway database on a private cluster it initialises on a
free port, so that it may restart it, or on ``--pg-url`` when it cannot), migrates it,
fills it with ``flask seed-demo`` and starts gunicorn the way ``make serve`` does
(``WORKERS=4``). The PostgreSQL run also gets a private ``redis-server`` with rate
limits on (high, since every client comes from 127.0.0.1); the SQLite run has them off.
CSRF stays on: clients fetch each form and send its token like a browser.

Each phase runs ``--clients`` threads, each logged in as its own demo member, doing a
weighted mix of page views, new contributions, endorsements, logging out and in, and
one thread per demo reviewer saving drafts, for ``--duration`` seconds. A fault starts a
quarter of the way in: a worker killed with SIGKILL; on SQLite another process holding
the write lock past the lock budget; on PostgreSQL a burst of terminated backends, a
restart of the cluster, Redis stopped and started; then a second app host, requests
alternating between the two, and a worker killed. After each phase every acknowledged
write must be in the database, the endorsement counts must match the rows, and no
audit event may be written twice.

It prints requests, errors by status and p50/p95 latency per step, and exits with
status 1 on any 500 (a 503 must carry Retry-After), a missing write, or a recovery
slower than 2 s after the fault ended. Only 127.0.0.1 is contacted; every loop
is bounded by the phase's deadline.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from html.parser import HTMLParser
from pathlib import Path

import requests
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.pool import NullPool

ROOT = Path(__file__).resolve().parent.parent
DEMO_PASSWORD = "nominee-demo"
WORKERS = 4
REQUEST_TIMEOUT = 30
DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
CONTRIBUTION_ID = re.compile(r"/contributions/(\d+)$")
ERROR_MESSAGE = re.compile(r'class="[^"]*error[^"]*"[^>]*>([^<]+)<')


# --- the browser side ------------------------------------------------------------------


@dataclass
class Form:
    action: str
    fields: dict[str, str] = field(default_factory=dict)
    options: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))


class FormParser(HTMLParser):
    """The forms of a page: hidden and text values, and the options of selects,
    radio buttons and checkboxes (what a browser would offer to choose from)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append(Form(action=a.get("action", "")))
        elif not self.forms:
            return
        elif tag == "input" and a.get("name"):
            if a.get("type") in ("checkbox", "radio"):
                self.forms[-1].options[a["name"]].append(a.get("value", "on"))
            else:
                self.forms[-1].fields[a["name"]] = a.get("value", "")
        elif tag == "select":
            self._select = a.get("name")
        elif tag == "option" and self._select:
            self.forms[-1].options[self._select].append(a.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None


def forms_of(html: str) -> list[Form]:
    parser = FormParser()
    parser.feed(html)
    return parser.forms


def form_posting_to(html: str, suffix: str) -> Form | None:
    """The form whose action ends with ``suffix`` ("" matches a form posting to its page)."""
    for form in forms_of(html):
        if (form.action.endswith(suffix) if suffix else not form.action) and (
            "csrf_token" in form.fields
        ):
            return form
    return None


# --- what the clients saw --------------------------------------------------------------


@dataclass
class Acks:
    """Writes that got a success answer: they must be in the database afterwards."""

    contributions: dict[int, str] = field(default_factory=dict)  # id -> title
    endorsements: set[tuple[int, int]] = field(default_factory=set)  # (contribution, user)
    logins: int = 0
    # (nomination, reviewer) -> the panel comment of the last draft saved with success
    reviews: dict[tuple[int, int], str] = field(default_factory=dict)


class Stats:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.statuses: dict[str, Counter] = defaultdict(Counter)
        self.answered_at: list[float] = []
        self.failed_at: list[float] = []  # 5xx answers and connection errors
        self.without_retry_after = 0  # 503s that do not say when to come back
        self.acks = Acks()
        # (nomination, reviewer) -> panel comments sent, in order (answered or not)
        self.review_drafts: dict[tuple[int, int], list[str]] = defaultdict(list)
        self.samples: dict[tuple[str, int], str] = {}  # first error message per step, status

    def record(
        self, step: str, status: int | str, ms: float, body: str = "", retry_after=None
    ) -> None:
        with self.lock:
            self.statuses[step][status] += 1
            if not isinstance(status, int) or status >= 500:
                self.failed_at.append(time.monotonic())
            if status == 503 and not retry_after:
                self.without_retry_after += 1
            if isinstance(status, int):
                self.latencies[step].append(ms)
                self.answered_at.append(time.monotonic())
                if status >= 400 and (step, status) not in self.samples:
                    messages = ERROR_MESSAGE.findall(body) or [body[:200]]
                    self.samples[step, status] = " | ".join(m.strip() for m in messages[:3])


@dataclass
class Target:
    contribution_id: int
    owner_id: int


class Shared:
    """What every client may pick from: public contributions (grows as clients log more)."""

    def __init__(self, targets: list[Target], member_ids: list[int]):
        self.lock = threading.Lock()
        self.targets = targets
        self.member_ids = member_ids

    def add(self, target: Target) -> None:
        with self.lock:
            self.targets.append(target)

    def pick(self, rng: random.Random) -> Target:
        with self.lock:
            return rng.choice(self.targets)


class Client(threading.Thread):
    """One browser: a requests.Session logged in as one demo member."""

    def __init__(
        self,
        bases: list[str],
        email: str,
        user_id: int,
        endorsed: set[int],
        types: list[int],
        shared: Shared,
        stats: Stats,
        deadline: float,
        seed: int,
    ):
        super().__init__(daemon=True)
        self.bases = bases  # one per app host: requests alternate between them
        self.sent = 0
        self.email = email
        self.user_id = user_id
        self.endorsed = endorsed  # contribution ids this member has endorsed
        self.types = types  # contribution type ids
        self.shared = shared
        self.stats = stats
        self.deadline = deadline
        self.rng = random.Random(seed)
        self.http = requests.Session()
        self.csrf = ""  # from the last page seen, as a browser's next form would carry it
        self.created = 0

    def request(self, step: str, method: str, path: str, **kw) -> requests.Response | None:
        base = self.bases[self.sent % len(self.bases)]
        self.sent += 1
        started = time.perf_counter()
        try:
            response = self.http.request(
                method, base + path, timeout=REQUEST_TIMEOUT, allow_redirects=False, **kw
            )
        except requests.RequestException as exc:
            self.stats.record(step, type(exc).__name__, 0)
            return None
        ms = (time.perf_counter() - started) * 1000
        self.stats.record(
            step, response.status_code, ms, response.text, response.headers.get("Retry-After")
        )
        if "text/html" in response.headers.get("Content-Type", ""):
            token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', response.text)
            if token:
                self.csrf = token.group(1)
        return response

    def form(self, step: str, path: str, suffix: str = "") -> Form | None:
        """GET a page and find the form posting to ``suffix`` on it."""
        page = self.request(step, "GET", path)
        if page is not None and page.headers.get("Location", "").startswith("/login"):
            self.log_in()  # logged out (a login whose answer was lost): log in again
            return None
        if page is None or page.status_code != 200:
            return None
        return form_posting_to(page.text, suffix)

    def follow(self, response: requests.Response) -> None:
        """Load the page a redirect points to, as a browser would (and show its flash)."""
        location = response.headers.get("Location", "")
        if location.startswith("/"):
            self.request("view (after redirect)", "GET", location)

    # The actions. Each returns early when an answer is not the expected one; the
    # status is already counted.

    def log_in(self) -> None:
        form = self.form("login (form)", "/login")
        if form is None:
            return
        data = {**form.fields, "email": self.email, "password": DEMO_PASSWORD}
        answer = self.request("login (post)", "POST", "/login", data=data)
        if answer is not None and answer.status_code == 302:
            with self.stats.lock:
                self.stats.acks.logins += 1
            self.follow(answer)

    def log_out_and_in(self) -> None:
        if self.csrf:
            self.request("logout", "POST", "/logout", data={"csrf_token": self.csrf})
        self.http.cookies.clear()
        self.log_in()

    def view(self) -> None:
        choice = self.rng.random()
        if choice < 0.4:
            target = self.shared.pick(self.rng)
            self.request("view contribution", "GET", f"/contributions/{target.contribution_id}")
        elif choice < 0.65:
            member = self.rng.choice(self.shared.member_ids)
            self.request("view member", "GET", f"/members/{member}")
        elif choice < 0.9:
            self.request("view my contributions", "GET", "/contributions/mine")
        else:
            self.request("view home", "GET", "/")

    def create_contribution(self) -> None:
        type_id = self.rng.choice(self.types)
        form = self.form("create (form)", f"/contributions/new?type={type_id}")
        if form is None:
            return
        self.created += 1
        title = f"Load test {self.user_id}-{self.created}-{secrets.token_hex(3)}"
        categories = [c for c in form.options["primary_category_id"] if c not in ("", "0")]
        primary = self.rng.choice(categories)
        data = {
            "csrf_token": form.fields["csrf_token"],
            "type_id": str(type_id),
            "role": self.rng.choice([r for r in form.options.get("role", []) if r] or [""]),
            "title": title,
            "contributed_on": (date.today() - timedelta(days=self.rng.randint(1, 300))).isoformat(),
            "url": f"https://example.org/{title.lower().replace(' ', '-')}",
            "description_md": "Written by the **load test**.\n\n- one\n- two",
            "primary_category_id": primary,
            "category_ids": [c for c in categories if c != primary][:1],
            "quantity": str(self.rng.randint(1, 5)),
            "audience": str(self.rng.randint(10, 500)),
            "visibility": "private" if self.rng.random() < 0.1 else "public",
        }
        answer = self.request("create (post)", "POST", "/contributions/new", data=data)
        if answer is None or answer.status_code != 302:
            return
        found = CONTRIBUTION_ID.search(answer.headers.get("Location", ""))
        if not found:
            self.stats.record("create (post)", "redirect without id", 0)
            return
        contribution_id = int(found.group(1))
        with self.stats.lock:
            self.stats.acks.contributions[contribution_id] = title
        if data["visibility"] == "public":
            self.shared.add(Target(contribution_id, self.user_id))
        self.follow(answer)

    def endorse(self) -> None:
        for _ in range(20):  # find a contribution of someone else's not endorsed yet
            target = self.shared.pick(self.rng)
            if target.owner_id != self.user_id and target.contribution_id not in self.endorsed:
                break
        else:
            return
        path = f"/contributions/{target.contribution_id}"
        form = self.form("endorse (page)", path, "/endorse")
        if form is None:
            return
        comment = self.rng.choice(["", "Very useful, thank you.", "Shared it with my team."])
        data = {**form.fields, "comment": comment}
        answer = self.request("endorse (post)", "POST", f"{path}/endorse", data=data)
        if answer is not None and answer.status_code == 302:
            self.endorsed.add(target.contribution_id)
            with self.stats.lock:
                self.stats.acks.endorsements.add((target.contribution_id, self.user_id))
            self.follow(answer)

    ACTIONS = [
        (log_out_and_in, 0.08),
        (view, 0.47),
        (create_contribution, 0.22),
        (endorse, 0.23),
    ]

    def run(self) -> None:
        actions, weights = zip(*self.ACTIONS, strict=True)
        self.log_in()
        while time.monotonic() < self.deadline:
            self.rng.choices(actions, weights)[0](self)
        self.http.close()


@dataclass
class ReviewSlot:
    cycle_id: int
    nomination_id: int


class Reviewer(Client):
    """A reviewer saving drafts of the reviews still open on their assignments."""

    def __init__(self, *args, slots: list[ReviewSlot], **kwargs):
        super().__init__(*args, **kwargs)
        self.slots = slots
        self.saves = 0

    def save_review(self) -> None:
        if not self.slots:
            return
        slot = self.rng.choice(self.slots)
        path = f"/cycles/{slot.cycle_id}/nominations/{slot.nomination_id}/review"
        form = self.form("review (form)", path)
        if form is None:
            return
        self.saves += 1
        comment = f"Load test draft {self.user_id}-{self.saves}-{secrets.token_hex(3)}"
        data = {
            "csrf_token": form.fields["csrf_token"],
            "version": form.fields.get("version", "0"),
            "action": "draft",
            "panel_comment": comment,
            "nominee_feedback": "Keep going.",
        }
        for name, options in form.options.items():
            if name.startswith("score_") or name in ("confidence", "recommendation"):
                data[name] = self.rng.choice(options)
        key = (slot.nomination_id, self.user_id)
        with self.stats.lock:
            self.stats.review_drafts[key].append(comment)
        answer = self.request("review save (post)", "POST", path, data=data)
        if answer is not None and answer.status_code == 302:
            with self.stats.lock:
                self.stats.acks.reviews[key] = comment
            self.follow(answer)

    def view_dashboard(self) -> None:
        if self.slots:
            cycle_id = self.slots[0].cycle_id
            self.request("view review dashboard", "GET", f"/cycles/{cycle_id}/dashboard")

    ACTIONS = [
        (save_review, 0.6),
        (view_dashboard, 0.25),
        (Client.view, 0.15),
    ]


# --- the server ------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def child_pids(pid: int) -> list[int]:
    """Pids of a process's live children (Linux /proc): a gunicorn master's workers."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if fields[0] != "Z" and int(fields[1]) == pid:
            found.append(int(entry.name))
    return found


def flask(env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "nominee", *args],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


class Server:
    def __init__(self, env: dict[str, str], log_path: Path):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = log_path.open("w")
        env = {**env, "HOST": "127.0.0.1", "PORT": str(self.port), "WORKERS": str(WORKERS)}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py"],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited with {self.process.returncode}: see {log_path}")
            try:
                if requests.get(self.base + "/healthz", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            time.sleep(0.2)
        else:
            raise SystemExit(f"gunicorn did not answer /healthz in time: see {log_path}")
        self.wait_for_workers(WORKERS, timeout=30)

    def workers(self) -> list[int]:
        return child_pids(self.process.pid)

    def wait_for_workers(self, count: int, timeout: float) -> float | None:
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if len(self.workers()) >= count:
                return time.monotonic() - started
            time.sleep(0.05)
        return None

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


# --- the databases ---------------------------------------------------------------------


@dataclass
class Database:
    name: str
    url: str
    drop: Engine | None = None  # admin engine of a throwaway PostgreSQL database
    throwaway: str = ""
    admin_url: str = ""

    def close(self) -> None:
        if self.drop is not None:
            with self.drop.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{self.throwaway}" WITH (FORCE)'))
            self.drop.dispose()


def sqlite_database(folder: Path) -> Database:
    return Database("SQLite", f"sqlite:///{folder / 'load.sqlite3'}")


def postgresql_database(admin_url: str) -> Database:
    parsed = make_url(admin_url)
    name = f"nominee_load_{os.getpid()}"
    # No pooled connection: the restart phase would leave one dead for the final DROP.
    admin = create_engine(parsed, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = parsed.set(database=name).render_as_string(hide_password=False)
    return Database("PostgreSQL", url, drop=admin, throwaway=name, admin_url=admin_url)


@dataclass
class Start:
    """What the clients start from, read from the database before a phase."""

    members: list  # rows (id, email) of the demo members the clients log in as
    reviewers: list  # rows (id, email) of the demo reviewers
    endorsed: dict[int, set[int]]  # user id -> contribution ids endorsed
    types: list[int]
    slots: dict[int, list[ReviewSlot]]  # reviewer id -> reviews still open
    shared: Shared


def starting_state(engine: Engine, clients: int) -> Start:
    with engine.connect() as conn:
        people = conn.execute(
            text(
                "SELECT id, email, role FROM users "
                "WHERE email LIKE 'member%' OR email LIKE 'reviewer%' ORDER BY id"
            )
        ).all()
        endorsed: dict[int, set[int]] = defaultdict(set)
        for contribution_id, endorser_id in conn.execute(
            text("SELECT contribution_id, endorser_id FROM endorsements")
        ):
            endorsed[endorser_id].add(contribution_id)
        types = list(
            conn.scalars(text("SELECT id FROM contribution_types WHERE NOT retired ORDER BY id"))
        )
        targets = [
            Target(row.id, row.owner_id)
            for row in conn.execute(
                text("SELECT id, owner_id FROM contributions WHERE visibility = 'public'")
            )
        ]
        slots: dict[int, list[ReviewSlot]] = defaultdict(list)
        for row in conn.execute(
            text(
                "SELECT a.reviewer_id, n.cycle_id, a.nomination_id FROM review_assignments a "
                "JOIN nominations n ON n.id = a.nomination_id "
                "LEFT JOIN reviews r "
                "ON r.nomination_id = a.nomination_id AND r.reviewer_id = a.reviewer_id "
                "WHERE n.status = 'in_review' AND (r.status IS NULL OR r.status = 'draft')"
            )
        ):
            slots[row.reviewer_id].append(ReviewSlot(row.cycle_id, row.nomination_id))
    members = [p for p in people if p.role == "member"]
    if len(members) < clients:
        raise SystemExit(f"only {len(members)} demo members for {clients} clients")
    return Start(
        members=members[:clients],
        reviewers=[p for p in people if p.role == "reviewer"],
        endorsed=endorsed,
        types=types,
        slots=slots,
        shared=Shared(targets, [m.id for m in members]),
    )


def verify(
    engine: Engine, acks: Acks, drafts: dict[tuple[int, int], list[str]], logins_before: int
) -> list[str]:
    """Every acknowledged write must be in the database; counts must match the rows."""
    problems = []
    with engine.connect() as conn:
        stored = dict(conn.execute(text("SELECT id, title FROM contributions")).all())
        missing = [i for i, title in acks.contributions.items() if stored.get(i) != title]
        if missing:
            problems.append(f"{len(missing)} acknowledged contributions missing: {missing[:10]}")
        active = set(
            conn.execute(
                text(
                    "SELECT contribution_id, endorser_id FROM endorsements "
                    "WHERE withdrawn_at IS NULL"
                )
            ).all()
        )
        lost = acks.endorsements - {tuple(row) for row in active}
        if lost:
            problems.append(f"{len(lost)} acknowledged endorsements missing: {sorted(lost)[:10]}")
        drift = conn.execute(
            text(
                "SELECT count(*) FROM contributions c WHERE c.endorsement_count != "
                "(SELECT count(*) FROM endorsements e "
                "WHERE e.contribution_id = c.id AND e.withdrawn_at IS NULL)"
            )
        ).scalar_one()
        if drift:
            problems.append(f"{drift} contributions whose endorsement_count differs from rows")
        logins = login_count(conn) - logins_before
        if logins < acks.logins:
            problems.append(f"{acks.logins} logins acknowledged, {logins} recorded")
        saved = {
            (row.nomination_id, row.reviewer_id): row.panel_comment
            for row in conn.execute(
                text("SELECT nomination_id, reviewer_id, panel_comment FROM reviews")
            )
        }
        # The stored draft is the last acknowledged one, or one sent after it (a save
        # whose answer was lost can still have committed).
        stale = [
            key
            for key, comment in acks.reviews.items()
            if saved.get(key) not in drafts[key][drafts[key].index(comment) :]
        ]
        if stale:
            problems.append(f"{len(stale)} acknowledged review saves missing: {stale[:10]}")
    return problems


def login_count(conn) -> int:
    return conn.execute(
        text("SELECT count(*) FROM audit_events WHERE action = 'login.succeeded'")
    ).scalar_one()


# --- one phase, one database -----------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def report(title: str, stats: Stats, seconds: float, hosts: int = 1) -> tuple[int, int]:
    total = sum(sum(c.values()) for c in stats.statuses.values())
    on = f" on {hosts} hosts" if hosts > 1 else ""
    print(f"\n  {title}: {total} requests{on} in {seconds:.0f} s ({total / seconds:.0f}/s)")
    print(f"  {'step':<26}{'requests':>9}{'p50 ms':>9}{'p95 ms':>9}   errors by status")
    server_errors = other_errors = 0
    for step in sorted(stats.statuses):
        counter = stats.statuses[step]
        errors = {
            status: n
            for status, n in counter.items()
            if not (isinstance(status, int) and status < 400)
        }
        for status, n in errors.items():
            if isinstance(status, int) and status >= 500:
                server_errors += n
            else:
                other_errors += n
        latencies = stats.latencies[step]
        shown = ", ".join(f"{s}: {n}" for s, n in sorted(errors.items(), key=str)) or "-"
        print(
            f"  {step:<26}{sum(counter.values()):>9}{percentile(latencies, 0.5):>9.0f}"
            f"{percentile(latencies, 0.95):>9.0f}   {shown}"
        )
    for (step, status), message in sorted(stats.samples.items()):
        print(f"  first {status} on {step}: {message}")
    acks = stats.acks
    print(
        f"  acknowledged writes: {len(acks.contributions)} contributions, "
        f"{len(acks.endorsements)} endorsements, {acks.logins} logins, "
        f"{len(acks.reviews)} reviews (last draft saved)"
    )
    return server_errors, other_errors


@dataclass
class Context:
    """What a fault may act on."""

    servers: list[Server]
    database: Database
    redis: PrivateRedis | None
    postgres: PrivatePostgres | None
    started: float  # phase start (monotonic)


@dataclass
class Fault:
    """Something breaks during the second quarter of a phase; ``inject`` returns when it ends.

    ``inject`` returns a line for the report and whether its own checks passed. After it,
    every failure must be a 503 with Retry-After (or, for a killed worker, the one request
    it was serving), and answers must be good again within ``RECOVERY_SECONDS``.
    """

    name: str
    inject: Callable[[Context], tuple[str, bool]]
    connection_errors_allowed: bool = False
    min_duration: float = 0


RECOVERY_SECONDS = 2.0


def kill_a_worker(ctx: Context) -> tuple[str, bool]:
    server = ctx.servers[0]
    victim = random.Random(1).choice(server.workers())
    killed_at = time.monotonic()
    os.kill(victim, signal.SIGKILL)
    replaced_in = server.wait_for_workers(WORKERS, timeout=30)
    probe_started = time.monotonic()
    try:
        probe = requests.get(server.base + "/healthz", timeout=REQUEST_TIMEOUT).status_code
    except requests.RequestException as exc:
        probe = type(exc).__name__
    probe_ms = (time.monotonic() - probe_started) * 1000
    replaced = "NOT replaced" if replaced_in is None else f"replaced after {replaced_in:.1f} s"
    line = (
        f"SIGKILL to worker {victim} at {killed_at - ctx.started:.1f} s; {replaced}; "
        f"/healthz right after: {probe} in {probe_ms:.0f} ms"
    )
    return line, replaced_in is not None and probe == 200


SQLITE_LOCK_SECONDS = 15  # longer than the app's DB_LOCK_TIMEOUT (10 s)


def hold_sqlite_lock(ctx: Context) -> tuple[str, bool]:
    """Another process's writer (a backup tool, a migration) holds the write lock."""
    path = make_url(ctx.database.url).database
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sqlite3, sys, time\n"
            "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
            "c.execute('BEGIN IMMEDIATE'); print('held', flush=True)\n"
            "time.sleep(float(sys.argv[2])); c.execute('ROLLBACK')\n",
            path,
            str(SQLITE_LOCK_SECONDS),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    held = holder.stdout.readline().strip() == "held"
    holder.wait(timeout=SQLITE_LOCK_SECONDS + 30)
    workers = [len(server.workers()) for server in ctx.servers]
    return (
        f"another process held the write lock for {SQLITE_LOCK_SECONDS} s; "
        f"workers afterwards: {workers}",
        held and all(n == WORKERS for n in workers),
    )


def terminate_backends(ctx: Context) -> tuple[str, bool]:
    """A burst of pg_terminate_backend over 6 s, as a failover or a pooler recycle does."""
    name = make_url(ctx.database.url).database
    admin = create_engine(ctx.database.admin_url, isolation_level="AUTOCOMMIT")
    terminated = 0
    try:
        until = time.monotonic() + 6
        with admin.connect() as conn:
            while time.monotonic() < until:
                terminated += len(
                    conn.execute(
                        text(
                            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                            "WHERE datname = :name AND pid <> pg_backend_pid()"
                        ),
                        {"name": name},
                    ).all()
                )
                time.sleep(0.3)
    finally:
        admin.dispose()
    return f"{terminated} backends terminated over 6 s", terminated > 0


def restart_postgresql(ctx: Context) -> tuple[str, bool]:
    assert ctx.postgres is not None
    took = ctx.postgres.restart()
    return f"PostgreSQL restarted (fast shutdown) in {took:.1f} s", True


def redis_outage(ctx: Context) -> tuple[str, bool]:
    assert ctx.redis is not None
    ctx.redis.stop()
    time.sleep(6)
    ctx.redis.start()
    return "Redis stopped for 6 s, then started again (empty)", True


def run_phase(
    ctx: Context, engine: Engine, clients: int, duration: float, fault: Fault | None
) -> tuple[bool, str]:
    duration = max(duration, fault.min_duration if fault else 0)
    start = starting_state(engine, clients)
    with engine.connect() as conn:
        logins_before = login_count(conn)
        audit_before = audit_rows(conn)
    stats = Stats()
    started = time.monotonic()
    ctx.started = started
    deadline = started + duration
    bases = [server.base for server in ctx.servers]

    def client(cls: type[Client], person, seed: int, **extra) -> Client:
        return cls(
            bases,
            person.email,
            person.id,
            start.endorsed[person.id],
            start.types,
            start.shared,
            stats,
            deadline,
            seed,
            **extra,
        )

    threads = [client(Client, m, n) for n, m in enumerate(start.members)] + [
        client(Reviewer, r, 1000 + n, slots=start.slots[r.id])
        for n, r in enumerate(start.reviewers)
    ]
    for thread in threads:
        thread.start()
    fault_ok = True
    if fault:
        time.sleep(duration / 4)
        fault_started = time.monotonic()
        line, fault_ok = fault.inject(ctx)
        fault_ended = time.monotonic()
    for thread in threads:
        thread.join(timeout=duration + REQUEST_TIMEOUT + 10)
    seconds = time.monotonic() - started
    title = f"{fault.name} phase" if fault else "steady phase"
    server_errors, other_errors = report(title, stats, seconds, len(ctx.servers))
    statuses = Counter()
    for counter in stats.statuses.values():
        statuses.update(counter)
    hard_errors = sum(
        n
        for status, n in statuses.items()
        if isinstance(status, int) and status >= 500 and status != 503
    )
    connection_errors = sum(n for status, n in statuses.items() if not isinstance(status, int))
    recovery = 0.0
    if fault:
        with stats.lock:
            late = [t for t in stats.failed_at if t > fault_ended]
            answered_after = sum(t > fault_ended for t in stats.answered_at)
        recovery = max(late) - fault_ended if late else 0.0
        print(
            f"  fault at {fault_started - started:.1f} s, over at {fault_ended - started:.1f} s: "
            f"{line}; recovered {recovery:.1f} s after it ended; "
            f"{answered_after} answers after it"
        )
        fault_ok = fault_ok and answered_after > 0 and recovery <= RECOVERY_SECONDS
        if not fault.connection_errors_allowed:
            fault_ok = fault_ok and connection_errors == 0
    if stats.without_retry_after:
        print(f"  {stats.without_retry_after} answers 503 without Retry-After")
    problems = verify(engine, stats.acks, stats.review_drafts, logins_before)
    with engine.connect() as conn:
        duplicates = duplicate_audit_rows(conn, audit_before)
    if duplicates:
        problems.append(f"{duplicates} audit events written twice")
    for problem in problems:
        print(f"  LOST: {problem}")
    if not problems:
        print("  verified: every acknowledged write is in the database once, counts match")
    ok = hard_errors == 0 and not stats.without_retry_after and not problems and fault_ok
    summary = (
        f"{sum(statuses.values())} requests, {hard_errors} 500s, "
        f"{statuses.get(503, 0)} 503s, {connection_errors} connection errors"
        + (f", recovered in {recovery:.1f} s" if fault else "")
        + f", {'nothing lost' if not problems else 'WRITES LOST'}"
    )
    return ok, summary


def audit_rows(conn) -> int:
    return conn.execute(text("SELECT coalesce(max(id), 0) FROM audit_events")).scalar_one()


def duplicate_audit_rows(conn, after_id: int) -> int:
    """Identical audit events (actor, action, object, time) written during the phase."""
    return conn.execute(
        text(
            "SELECT coalesce(sum(n - 1), 0) FROM (SELECT count(*) AS n FROM audit_events "
            "WHERE id > :after AND action NOT LIKE 'login.%' AND action != 'logout' "
            "GROUP BY actor_id, action, object_type, object_id, created_at) AS g WHERE n > 1"
        ),
        {"after": after_id},
    ).scalar_one()


# --- private services the script may stop and restart -------------------------------------


class PrivateRedis:
    """A redis-server of the script's own on a free port: stopping it harms nobody."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None
        self.start()

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise SystemExit("the private redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


class PrivatePostgres:
    """A PostgreSQL cluster of the script's own (initdb in a temporary folder, a free
    port), so that restarting it disturbs no other database on the machine."""

    def __init__(self) -> None:
        bins = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
        if not bins:
            raise RuntimeError("no PostgreSQL server binaries under /usr/lib/postgresql")
        self.bin = bins[-1].parent
        self.folder = Path(tempfile.mkdtemp(prefix="nominee-load-pg-"))
        self.data = self.folder / "data"
        self.data.mkdir()
        self.port = free_port()
        self.prefix: list[str] = []
        if os.geteuid() == 0:  # initdb refuses root: run the server as postgres
            shutil.chown(self.folder, "postgres")
            shutil.chown(self.data, "postgres")
            self.prefix = ["runuser", "-u", "postgres", "--"]
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres")
        self.admin_url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"
        self._ctl("start")

    def _run(self, tool: str, *args: str) -> None:
        subprocess.run(
            [*self.prefix, str(self.bin / tool), *args],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def _ctl(self, action: str) -> None:
        options = f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.data / "server.log"),
            "-w",
            "-m",
            "fast",
            "-o",
            options,
            action,
        )

    def restart(self) -> float:
        started = time.monotonic()
        self._ctl("restart")
        return time.monotonic() - started

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


# --- one database, its phases ------------------------------------------------------------


def run_database(
    database: Database, args, logs: Path, postgres: PrivatePostgres | None
) -> list[tuple[str, bool, str]]:
    print(f"\n== {database.name} ==")
    env = {
        **os.environ,
        "DATABASE_URL": database.url,
        "SECRET_KEY": secrets.token_urlsafe(48),
        "NOMINEE_ENV_NAME": "development",
        "NOMINEE_DEMO_PASSWORD": DEMO_PASSWORD,
    }
    env.pop("REDIS_URL", None)
    redis = None
    if database.name == "PostgreSQL" and shutil.which("redis-server"):
        redis = PrivateRedis()
        env["REDIS_URL"] = redis.url
        # Limits on, counted in Redis, high enough that clients sharing 127.0.0.1 pass:
        # the Redis phase then shows what an outage does to them.
        for name in ("LOGIN", "REGISTER", "PASSWORD", "ENDORSE", "NOMINATE"):
            env[f"NOMINEE_RATELIMIT_{name}"] = "100000 per minute"
    else:
        env["NOMINEE_RATELIMIT_ENABLED"] = "false"  # every client comes from 127.0.0.1
    print(f"  database: {make_url(database.url).render_as_string(hide_password=True)}")
    print(
        f"  redis: {env.get('REDIS_URL', 'not used')}; "
        f"rate limits {'on (through Redis)' if redis else 'off'}; CSRF on"
    )
    flask(env, "db", "upgrade")
    flask(env, "seed-demo")
    engine = create_engine(database.url, pool_pre_ping=True)
    faults: list[Fault | None] = [None, Fault("worker killed", kill_a_worker, True)]
    if database.name == "SQLite":
        faults.append(
            Fault("write lock held", hold_sqlite_lock, min_duration=SQLITE_LOCK_SECONDS + 12)
        )
    else:
        faults.append(Fault("backends terminated", terminate_backends))
        if postgres is not None:
            faults.append(Fault("PostgreSQL restarted", restart_postgresql))
        if redis is not None:
            faults.append(Fault("Redis down", redis_outage))
    servers = [Server(env, logs / f"gunicorn-{database.name.lower()}.log")]
    print(f"  gunicorn: {WORKERS} workers on {servers[0].base}")
    ctx = Context(servers, database, redis, postgres, 0.0)
    results = []
    try:
        for fault in faults:
            ok, summary = run_phase(ctx, engine, args.clients, args.duration, fault)
            results.append((f"{database.name} {fault.name if fault else 'steady'}", ok, summary))
        if database.name == "PostgreSQL":
            servers.append(Server(env, logs / "gunicorn-postgresql-2.log"))
            print(f"\n  second host: gunicorn, {WORKERS} workers on {servers[1].base}")
            ok, summary = run_phase(
                ctx,
                engine,
                args.clients,
                args.duration,
                Fault("two hosts, worker killed", kill_a_worker, True),
            )
            results.append(("PostgreSQL two hosts", ok, summary))
    finally:
        for server in servers:
            server.stop()
        engine.dispose()
        if redis is not None:
            redis.stop()
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=20, help="seconds per phase")
    parser.add_argument("--clients", type=int, default=16, help="concurrent client threads")
    parser.add_argument(
        "--backend",
        choices=["sqlite", "postgresql"],
        action="append",
        help="database to test (repeatable; default: both)",
    )
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("TEST_DATABASE_URL") or DEFAULT_PG_URL,
        help="PostgreSQL admin URL, used when no private cluster can be started",
    )
    args = parser.parse_args()
    if not 1 <= args.duration <= 600 or not 1 <= args.clients <= 40:
        parser.error("keep --duration within 1..600 and --clients within 1..40")
    results = []
    with tempfile.TemporaryDirectory(prefix="nominee-load-") as tmp:
        folder = Path(tmp)
        logs = ROOT / "instance" / "load-logs"
        logs.mkdir(parents=True, exist_ok=True)
        for backend in args.backend or ["sqlite", "postgresql"]:
            postgres = None
            if backend == "sqlite":
                database = sqlite_database(folder)
            else:
                try:
                    postgres = PrivatePostgres()
                    admin_url = postgres.admin_url
                    print(f"\nprivate PostgreSQL cluster on port {postgres.port}")
                except (RuntimeError, OSError, subprocess.CalledProcessError) as exc:
                    print(f"\nno private PostgreSQL cluster ({exc}): no restart phase")
                    admin_url = args.pg_url
                database = postgresql_database(admin_url)
            try:
                results += run_database(database, args, logs, postgres)
            finally:
                database.close()
                if postgres is not None:
                    postgres.stop()
    print("\n== summary ==")
    for name, ok, summary in results:
        print(f"  {'PASS' if ok else 'FAIL'}  {name:<34} {summary}")
    return 0 if all(ok for _, ok, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())
