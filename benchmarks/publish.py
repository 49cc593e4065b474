"""Publishing a cycle of 3,000 nominations: ``make bench-outbox`` runs it after
``benchmarks/outbox.py`` (``--nominations``, ``--threads``, ``--workers``, ``--backends``).

On a scratch database (a SQLite file; and a PostgreSQL database of its own, created and
dropped, when ``--postgresql``'s server answers), bulk-seeded with an organizer, the
nominees, their peer nominators and, per run, a cycle in *decided* status holding
``--nominations`` decided nominations (two in five awarded, one in three a peer
nomination whose nominator is someone else), it measures:

1. the publish request: ``POST /cycles/<id>/status/published`` as the logged-in
   organizer, through the app's test client (wall time, status, SQL statements);
2. the time from the start of that request until the last mail is handed to the SMTP
   server (aiosmtpd in a process of its own, counting what it accepts): the
   ``cycle.published`` fan-out writes one notification per nominee and per peer
   nominator, each mailed at once (the default for both kinds). Drained in process
   (``nominee.outbox.sender.drain`` in 1, then 2 threads, each draining again until the
   outbox is empty, as the serving processes' job threads do when woken), then by
   ``flask --app nominee worker`` processes on a Redis queue when Redis answers (the
   request's commit asks them for a drain, as in production).

Each run checks that the server received exactly the expected number of mails.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from multiprocessing.sharedctypes import Synchronized
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from outbox import _redis_answers, free_port  # noqa: E402
from sqlalchemy import create_engine, event, func, insert, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

PASSWORD = "benchmark password, not a secret"
ORGANIZER = "organizer@bench.example.org"
CATEGORIES = ("Documentation", "Code", "Community", "Events")
CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")
DEADLINE = 300  # seconds a run may take before it is called stuck


# -- the SMTP server, counting ------------------------------------------------------------


def _smtp_main(port: int, count: Synchronized[int], last: Synchronized[float]) -> None:
    """The server process: accept every message, count it, note when (monotonic)."""
    from aiosmtpd.controller import Controller

    class Counting:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            with count.get_lock():
                count.value += 1
                last.value = time.monotonic()
            return "250 Message accepted"

    controller = Controller(Counting(), hostname="127.0.0.1", port=port)
    controller.start()
    threading.Event().wait()


@dataclass
class Smtp:
    port: int
    count: Synchronized[int]
    last: Synchronized[float]
    process: Any

    @classmethod
    def start(cls) -> Smtp:
        context = multiprocessing.get_context("spawn")
        port = free_port()
        count = context.Value("i", 0)
        last = context.Value("d", 0.0)
        process = context.Process(target=_smtp_main, args=(port, count, last), daemon=True)
        process.start()
        import socket

        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                return cls(port, count, last, process)
            except OSError:
                time.sleep(0.05)
        raise SystemExit("the SMTP server did not start")

    def stop(self) -> None:
        self.process.terminate()
        self.process.join(10)


# -- the scratch database -----------------------------------------------------------------


@dataclass
class Database:
    label: str
    url: str
    drop: Any = None  # a callable that removes it


def sqlite_database() -> Database:
    folder = Path(tempfile.mkdtemp(prefix="nominee-bench-publish-"))
    return Database("SQLite", f"sqlite:///{folder / 'publish.sqlite3'}")


def postgresql_database(server_url: str) -> Database | None:
    """A database of its own on ``server_url``'s server, or None when it does not answer."""
    admin = create_engine(
        server_url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 2}
    )
    name = f"nominee_bench_publish_{uuid.uuid4().hex[:8]}"
    try:
        with admin.connect() as connection:
            version = connection.scalar(text("SHOW server_version"))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001  (no server, no rights: skip it)
        admin.dispose()
        print(f"PostgreSQL: skipped, {server_url} did not answer ({type(exc).__name__})")
        return None

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
    return Database(f"PostgreSQL {str(version).split()[0]}", url, drop)


def create_schema(url: str) -> None:
    import nominee.models  # noqa: F401  (every table on Base.metadata)
    from nominee.db import Base, make_engine

    engine = make_engine(url)
    Base.metadata.create_all(engine)
    engine.dispose()


@dataclass
class People:
    organizer: int
    nominees: list[int]
    nominators: list[int]
    categories: list[int]


def seed_people(app: Any, nominations: int) -> People:
    """The organizer, one nominee per nomination and a nominator per three, in bulk."""
    from nominee.accounts.models import Role, User
    from nominee.accounts.passwords import hash_password
    from nominee.categories.models import Category
    from nominee.uow import unit_of_work

    now = _now()
    with app.app_context(), unit_of_work() as session:
        session.execute(
            insert(Category),
            [{"name": n, "slug": n.lower(), "created_at": now} for n in CATEGORIES],
        )
        hashed = hash_password(PASSWORD)
        rows = [{"email": ORGANIZER, "display_name": "Olga Organizer", "role": Role.ORGANIZER}]
        rows += [
            {"email": f"nominee{n}@bench.example.org", "display_name": f"Nominee {n}"}
            for n in range(nominations)
        ]
        rows += [
            {"email": f"nominator{n}@bench.example.org", "display_name": f"Nominator {n}"}
            for n in range(nominations // 3 + 1)
        ]
        for row in rows:
            row.setdefault("role", Role.MEMBER)
            row.update(
                password_hash=hashed,
                session_token=uuid.uuid4().hex,
                created_at=now,
                email_verified_at=now,
            )
        session.execute(insert(User), rows)
        ids = {email: id_ for email, id_ in session.execute(select(User.email, User.id))}
        categories = list(session.scalars(select(Category.id).order_by(Category.id)))
    return People(
        ids[ORGANIZER],
        [ids[f"nominee{n}@bench.example.org"] for n in range(nominations)],
        [ids[f"nominator{n}@bench.example.org"] for n in range(nominations // 3 + 1)],
        categories,
    )


@dataclass
class Seeded:
    cycle_id: int
    awarded: int
    declined: int
    peer: int

    @property
    def expected_mails(self) -> int:
        """One per nominee (award granted, or results published) and per peer nominator:
        both kinds are mailed at once by default, and nobody changed their preference."""
        return self.awarded + self.declined + self.peer


def seed_cycle(app: Any, people: People, run: int) -> Seeded:
    """A cycle in *decided* status with one decided nomination per nominee."""
    from nominee.cycles.models import Cycle, CycleStatus, cycle_categories
    from nominee.nominations.models import Decision, Nomination, NominationKind, NominationStatus
    from nominee.uow import unit_of_work

    now = _now()
    today = date.today()
    with app.app_context(), unit_of_work() as session:
        cycle_id = session.execute(
            insert(Cycle)
            .values(
                name=f"Bench cycle {run}",
                status=CycleStatus.DECIDED,
                nominations_open_on=today - timedelta(days=90),
                nominations_close_on=today - timedelta(days=60),
                review_close_on=today - timedelta(days=1),
                created_at=now,
                version=1,
            )
            .returning(Cycle.id)
        ).scalar_one()
        session.execute(
            insert(cycle_categories),
            [{"cycle_id": cycle_id, "category_id": c} for c in people.categories],
        )
        rows = []
        awarded = peer = 0
        for n, nominee in enumerate(people.nominees):
            award = n % 5 < 2
            is_peer = n % 3 == 0
            awarded += award
            peer += is_peer
            rows.append(
                {
                    "cycle_id": cycle_id,
                    "category_id": people.categories[n % len(people.categories)],
                    "nominee_id": nominee,
                    "nominator_id": people.nominators[n // 3] if is_peer else nominee,
                    "kind": NominationKind.PEER if is_peer else NominationKind.SELF,
                    "status": NominationStatus.AWARDED if award else NominationStatus.DECLINED,
                    "statement_md": "Steady work all year.",
                    "statement_html": "<p>Steady work all year.</p>",
                    "created_at": now,
                    "submitted_at": now,
                    "decision": Decision.AWARD if award else Decision.DECLINE,
                    "decision_rationale": "The panel's view.",
                    "decision_feedback": "Thank you for all of it." if n % 2 else "",
                    "decided_by_id": people.organizer,
                    "decided_at": now,
                    "version": 2,
                }
            )
        session.execute(insert(Nomination), rows)
    total = len(people.nominees)
    return Seeded(cycle_id, awarded, total - awarded, peer)


def _now() -> Any:
    from nominee import clock

    return clock.now()


# -- measuring ----------------------------------------------------------------------------


class Statements:
    """Counts the statements ``engine`` runs while ``active`` (not transaction control)."""

    def __init__(self, engine: Any):
        self.count = 0
        self.active = False
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if self.active and not statement.lstrip().upper().startswith(CONTROL):
            self.count += 1


@dataclass
class Result:
    database: str
    drain: str
    request_seconds: float
    status: int
    statements: int
    fanout_seconds: float
    last_mail_seconds: float
    mails: int
    expected: int

    def row(self) -> str:
        rate = self.mails / (self.last_mail_seconds - self.request_seconds)
        ok = "" if self.mails == self.expected else f"  MISMATCH: expected {self.expected}"
        return (
            f"{self.database:<16} {self.drain:<20} {self.request_seconds:7.2f} s "
            f"{self.status:4d} {self.statements:6d}  {self.fanout_seconds:8.1f} s "
            f"{self.last_mail_seconds:8.1f} s {self.mails:6d} {rate:7.1f}{ok}"
        )


HEADER = (
    f"{'database':<16} {'drain':<20} {'request':>9} {'HTTP':>4} {'SQL':>6}  "
    f"{'fan-out':>10} {'last mail':>10} {'mails':>6} {'mail/s':>7}"
)


def make_app(settings: dict[str, Any]) -> Any:
    from nominee import create_app

    return create_app(settings)


def login(app: Any) -> Any:
    client = app.test_client()
    response = client.post("/login", data={"email": ORGANIZER, "password": PASSWORD})
    if response.status_code != 302:
        raise SystemExit(f"could not log in as the organizer: HTTP {response.status_code}")
    return client


def publish(app: Any, client: Any, statements: Statements, cycle_id: int) -> tuple[float, int, int]:
    """POST the move to *published*: (seconds, HTTP status, SQL statements)."""
    statements.count = 0
    statements.active = True
    started = time.monotonic()
    response = client.post(f"/cycles/{cycle_id}/status/published", data={"version": "1"})
    elapsed = time.monotonic() - started
    statements.active = False
    if response.status_code != 302:
        raise SystemExit(f"publishing answered HTTP {response.status_code}: {response.text[:500]}")
    return elapsed, response.status_code, statements.count


def outbox_state(app: Any) -> tuple[int, int, Any]:
    """(messages not yet dispatched nor failed, failed, when cycle.published was done)."""
    from nominee.awards.services import RESULTS_TOPIC
    from nominee.outbox.models import OutboxMessage

    with app.app_context():
        session = app.extensions["nominee.sessionmaker"]()
        try:
            waiting = session.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.dispatched_at.is_(None), OutboxMessage.failed_at.is_(None))
            )
            failed = session.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.failed_at.is_not(None))
            )
            fanned = session.scalar(
                select(func.max(OutboxMessage.dispatched_at)).where(
                    OutboxMessage.topic == RESULTS_TOPIC
                )
            )
            return int(waiting or 0), int(failed or 0), fanned
        finally:
            session.close()


class Stuck(Exception):
    """The mails did not all arrive in time."""


def wait_for_mail(smtp: Smtp, start: int, target: int, app: Any) -> None:
    deadline = time.monotonic() + DEADLINE
    while smtp.count.value < target:
        if time.monotonic() > deadline:
            waiting, failed, _ = outbox_state(app)
            raise Stuck(
                f"stuck: {smtp.count.value - start} of {target - start} mails after "
                f"{DEADLINE} s ({waiting} outbox messages waiting, {failed} failed)"
            )
        time.sleep(0.02)


def _seconds_since(moment: Any, wall_start: float) -> float:
    if moment is None:
        return float("nan")
    if moment.tzinfo is None:
        from datetime import UTC

        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp() - wall_start


def run_in_process(
    app: Any, people: People, smtp: Smtp, run: int, threads: int, label: str
) -> Result:
    from nominee.mail.settings import MailSettings
    from nominee.outbox import sender

    seeded = seed_cycle(app, people, run)
    client = login(app)
    statements = Statements(app.extensions["nominee.engine"])
    target = smtp.count.value + seeded.expected_mails
    before = smtp.count.value
    wall_start = time.time()
    started = time.monotonic()
    request_seconds, status, count = publish(app, client, statements, seeded.cycle_id)
    sessions = app.extensions["nominee.sessionmaker"]
    settings = MailSettings.from_config(app.config)
    policy = sender.Policy.from_config(app.config)

    def drain() -> None:
        # As a job thread woken by each commit: drain again until nothing is left.
        deadline = time.monotonic() + DEADLINE
        while time.monotonic() < deadline:
            with app.app_context():
                sender.drain(sessions, settings, policy)
            if outbox_state(app)[0] == 0:
                return
            time.sleep(0.02)

    workers = [threading.Thread(target=drain) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    wait_for_mail(smtp, before, target, app)
    _, failed, fanned = outbox_state(app)
    if failed:
        raise SystemExit(f"{failed} outbox messages failed")
    return Result(
        label,
        f"in process, {threads} thread{'s' if threads > 1 else ''}",
        request_seconds,
        status,
        count,
        _seconds_since(fanned, wall_start),
        smtp.last.value - started,
        smtp.count.value - before,
        seeded.expected_mails,
    )


def run_with_rq(
    app: Any,
    people: People,
    smtp: Smtp,
    run: int,
    workers: int,
    label: str,
    env: dict[str, str],
) -> Result:
    from rq import Queue, Worker

    from nominee.redisclient import client_for

    seeded = seed_cycle(app, people, run)
    client = login(app)
    statements = Statements(app.extensions["nominee.engine"])
    connection = client_for(app.config["REDIS_URL"])
    queue = Queue(app.config["JOBS_QUEUE"], connection=connection)
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "nominee", "worker"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # killed with their work-horses, should they hang
        )
        for _ in range(workers)
    ]
    try:
        deadline = time.monotonic() + 60
        while len(Worker.all(queue=queue)) < workers:
            if time.monotonic() > deadline:
                raise SystemExit("the workers did not start")
            time.sleep(0.1)
        time.sleep(1)  # their first drains and scheduler steps (nothing due) are over
        target = smtp.count.value + seeded.expected_mails
        before = smtp.count.value
        wall_start = time.time()
        started = time.monotonic()
        request_seconds, status, count = publish(app, client, statements, seeded.cycle_id)
        wait_for_mail(smtp, before, target, app)
        _, failed, fanned = outbox_state(app)
        if failed:
            raise SystemExit(f"{failed} outbox messages failed")
        return Result(
            label,
            f"RQ, {workers} worker{'s' if workers > 1 else ''}",
            request_seconds,
            status,
            count,
            _seconds_since(fanned, wall_start),
            smtp.last.value - started,
            smtp.count.value - before,
            seeded.expected_mails,
        )
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:  # waiting for a hung work-horse
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(30)
        queue.delete(delete_jobs=True)
        for key in connection.scan_iter(f"{app.config['JOBS_QUEUE']}:*"):
            connection.delete(key)


def bench_database(database: Database, smtp: Smtp, args: argparse.Namespace) -> list[Result]:
    create_schema(database.url)
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    settings: dict[str, Any] = {
        "DATABASE_URL": database.url,
        "MAIL_URL": f"smtp://127.0.0.1:{smtp.port}",
        "REDIS_URL": redis_url,
        "JOBS_QUEUE": f"nominee-bench-{uuid.uuid4().hex[:8]}",
        "SECRET_KEY": "bench-" + "x" * 40,
        "LOG_REQUESTS": False,
        "JOBS_IN_PROCESS": False,
    }
    test_settings = {"TESTING": True, "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False}
    app = make_app({**settings, **test_settings, "JOBS_BACKEND": "inline"})
    people = seed_people(app, args.nominations)
    results = []
    run = 0
    for threads in args.threads:
        run += 1
        result = run_in_process(app, people, smtp, run, threads, database.label)
        print(result.row(), flush=True)
        results.append(result)
    app.extensions["nominee.engine"].dispose()
    if not args.workers:
        return results
    if not _redis_answers(redis_url):
        print(f"RQ: skipped, no Redis at {redis_url}")
        return results
    rq_app = make_app({**settings, **test_settings, "JOBS_BACKEND": "rq"})
    env = {
        **os.environ,
        **{f"NOMINEE_{k}": str(v) for k, v in settings.items() if k != "JOBS_IN_PROCESS"},
    }
    for workers in args.workers:
        run += 1
        try:
            result = run_with_rq(rq_app, people, smtp, run, workers, database.label, env)
        except Stuck as exc:
            print(f"{database.label:<16} RQ, {workers} worker(s):  {exc}", flush=True)
            continue
        print(result.row(), flush=True)
        results.append(result)
    rq_app.extensions["nominee.engine"].dispose()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nominations", type=int, default=3000)
    parser.add_argument("--threads", type=int, nargs="*", default=[1, 2])
    parser.add_argument("--workers", type=int, nargs="*", default=[1, 2])
    parser.add_argument(
        "--backends", nargs="*", default=["sqlite", "postgresql"], choices=["sqlite", "postgresql"]
    )
    parser.add_argument(
        "--postgresql",
        default=os.environ.get(
            "BENCH_POSTGRESQL_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
        ),
        help="a server where a scratch database may be created (and dropped)",
    )
    args = parser.parse_args()

    smtp = Smtp.start()
    print(
        f"\nPublishing a cycle of {args.nominations} decided nominations; SMTP at "
        f"127.0.0.1:{smtp.port} (aiosmtpd, counting). Seconds from the start of the request."
    )
    print(HEADER, flush=True)
    try:
        for backend in args.backends:
            if backend == "sqlite":
                database: Database | None = sqlite_database()
            else:
                database = postgresql_database(args.postgresql)
            if database is None:
                continue
            try:
                bench_database(database, smtp, args)
            finally:
                if database.drop is not None:
                    database.drop()
    finally:
        smtp.stop()
    print(
        "request: the POST, answered (awards created, one cycle.published message); "
        "fan-out: until every notification was written;\nlast mail: until the SMTP server "
        "accepted the last one; mail/s: mails over the time after the request."
    )


if __name__ == "__main__":
    main()
