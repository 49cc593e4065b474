"""Load and fault test: Nominee under gunicorn with 4 workers, on SQLite then PostgreSQL.

    .venv/bin/python benchmarks/load.py [--duration 20] [--clients 16] [--backend sqlite]
    make load

For each database the script:

1. creates a fresh database (a SQLite file in a temporary folder; a throwaway
   PostgreSQL database created through the admin URL ``--pg-url``, default
   ``TEST_DATABASE_URL`` or ``postgresql+psycopg://postgres@127.0.0.1:5432/test``),
   migrates it and fills it with ``flask seed-demo``;
2. starts gunicorn the way ``make serve`` does (``gunicorn.conf.py``, ``WORKERS=4``) on
   a free port of 127.0.0.1. Rate limits are OFF (``NOMINEE_RATELIMIT_ENABLED=false``):
   every client comes from 127.0.0.1, and the login limit would throttle them all;
   CSRF stays on, and the clients fetch each form and send its token like a browser;
3. steady phase: ``--clients`` threads, each logged in as its own demo member, run a
   weighted mix of actions (page views, contributions created, endorsements, logging
   out and in again) for ``--duration`` seconds, and one thread per demo reviewer saves
   drafts of the reviews still open on their assignments and looks at the dashboard;
4. fault phase: the same traffic, and halfway through one gunicorn worker gets
   SIGKILL; it must be replaced, ``/healthz`` must answer 200 right after, and the
   clients must keep getting answers (the request the worker was serving is lost: a
   connection error, never acknowledged);
5. after each phase, checks that every acknowledged write (a contribution id, an
   endorsement, a login, a review draft that got its success redirect) is in the
   database, and that the stored endorsement counts match the rows.

It prints requests, errors by status and p50/p95 latency per step, and exits with
status 1 on any 5xx answer or missing write. Only 127.0.0.1 is contacted; every loop
is bounded by the phase's deadline.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from html.parser import HTMLParser
from pathlib import Path

import requests
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url

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
        self.acks = Acks()
        # (nomination, reviewer) -> panel comments sent, in order (answered or not)
        self.review_drafts: dict[tuple[int, int], list[str]] = defaultdict(list)
        self.samples: dict[tuple[str, int], str] = {}  # first error message per step, status

    def record(self, step: str, status: int | str, ms: float, body: str = "") -> None:
        with self.lock:
            self.statuses[step][status] += 1
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
        base: str,
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
        self.base = base
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
        started = time.perf_counter()
        try:
            response = self.http.request(
                method, self.base + path, timeout=REQUEST_TIMEOUT, allow_redirects=False, **kw
            )
        except requests.RequestException as exc:
            self.stats.record(step, type(exc).__name__, 0)
            return None
        ms = (time.perf_counter() - started) * 1000
        self.stats.record(step, response.status_code, ms, response.text)
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
    admin = create_engine(parsed, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = parsed.set(database=name).render_as_string(hide_password=False)
    return Database("PostgreSQL", url, drop=admin, throwaway=name)


def redis_url() -> str | None:
    """The local Redis, when one answers: the server then checks it in /healthz."""
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            if sock.recv(16).startswith(b"+PONG"):
                return "redis://127.0.0.1:6379/15"
    except OSError:
        pass
    return None


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


def report(title: str, stats: Stats, seconds: float) -> tuple[int, int]:
    total = sum(sum(c.values()) for c in stats.statuses.values())
    print(f"\n  {title}: {total} requests in {seconds:.0f} s ({total / seconds:.0f}/s)")
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


def run_phase(
    server: Server, engine: Engine, clients: int, duration: float, *, fault: bool
) -> tuple[bool, str]:
    start = starting_state(engine, clients)
    with engine.connect() as conn:
        logins_before = login_count(conn)
    stats = Stats()
    started = time.monotonic()
    deadline = started + duration

    def client(cls: type[Client], person, seed: int, **extra) -> Client:
        return cls(
            server.base,
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
        time.sleep(duration / 2)
        victim = random.Random(1).choice(server.workers())
        killed_at = time.monotonic()
        os.kill(victim, signal.SIGKILL)
        replaced_in = server.wait_for_workers(WORKERS, timeout=duration)
        probe_started = time.monotonic()
        try:
            probe = requests.get(server.base + "/healthz", timeout=REQUEST_TIMEOUT).status_code
        except requests.RequestException as exc:
            probe = type(exc).__name__
        probe_ms = (time.monotonic() - probe_started) * 1000
    for thread in threads:
        thread.join(timeout=duration + REQUEST_TIMEOUT + 10)
    seconds = time.monotonic() - started
    server_errors, other_errors = report("fault phase" if fault else "steady phase", stats, seconds)
    if fault:
        with stats.lock:
            answered_after = sum(t > killed_at for t in stats.answered_at)
        replaced = "NOT replaced" if replaced_in is None else f"replaced after {replaced_in:.1f} s"
        print(
            f"  fault: SIGKILL to worker {victim} at {killed_at - started:.1f} s; {replaced}; "
            f"/healthz right after: {probe} in {probe_ms:.0f} ms; "
            f"{answered_after} answers after the kill"
        )
        fault_ok = replaced_in is not None and probe == 200 and answered_after > 0
    problems = verify(engine, stats.acks, stats.review_drafts, logins_before)
    for problem in problems:
        print(f"  LOST: {problem}")
    if not problems:
        print("  verified: every acknowledged write is in the database, counts match")
    ok = server_errors == 0 and not problems and fault_ok
    summary = (
        f"{sum(sum(c.values()) for c in stats.statuses.values())} requests, "
        f"{server_errors} 5xx, {other_errors} other errors, "
        f"{'nothing lost' if not problems else 'WRITES LOST'}"
    )
    return ok, summary


def run_database(database: Database, args, folder: Path) -> list[tuple[str, bool, str]]:
    print(f"\n== {database.name} ==")
    env = {
        **os.environ,
        "DATABASE_URL": database.url,
        "SECRET_KEY": secrets.token_urlsafe(48),
        "NOMINEE_RATELIMIT_ENABLED": "false",
        "NOMINEE_DEMO_PASSWORD": DEMO_PASSWORD,
    }
    env.pop("REDIS_URL", None)
    if database.name == "PostgreSQL" and (redis := redis_url()):
        env["REDIS_URL"] = redis
    print(f"  database: {make_url(database.url).render_as_string(hide_password=True)}")
    print(f"  redis: {env.get('REDIS_URL', 'not used')}; rate limits off; CSRF on")
    flask(env, "db", "upgrade")
    flask(env, "seed-demo")
    engine = create_engine(database.url)
    log_path = folder / f"gunicorn-{database.name.lower()}.log"
    server = Server(env, log_path)
    print(f"  gunicorn: {WORKERS} workers on {server.base}; log {log_path}")
    results = []
    try:
        for fault in (False, True):
            ok, summary = run_phase(server, engine, args.clients, args.duration, fault=fault)
            results.append((f"{database.name} {'fault' if fault else 'steady'}", ok, summary))
    finally:
        server.stop()
        engine.dispose()
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
        help="PostgreSQL URL used to create and drop the throwaway database",
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
            database = (
                sqlite_database(folder) if backend == "sqlite" else postgresql_database(args.pg_url)
            )
            try:
                results += run_database(database, args, logs)
            finally:
                database.close()
    print("\n== summary ==")
    for name, ok, summary in results:
        print(f"  {'PASS' if ok else 'FAIL'}  {name:<22} {summary}")
    return 0 if all(ok for _, ok, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())
