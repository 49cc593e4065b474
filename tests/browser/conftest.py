"""Browser tests: the app served on a free local port, driven by Debian's Chromium.

Each pytest(-xdist) worker serves its own app on its own SQLite file, so workers never
share a database, and sends its mail to a real SMTP server of its own (``tests.smtp``)
through the outbox, drained by the app's in-process job thread after each commit, as
``make run`` does; each test starts from empty tables (``site``), seeds the little it
needs directly, and then acts only through what is on screen (``Visit``). Every page a
test lands on is checked with axe-core, and a test fails if it left one unchecked.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urldefrag

import pytest
from flask import Flask
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from werkzeug.serving import make_server

import nominee.models  # noqa: F401  (every table on Base.metadata)
from nominee import create_app
from nominee.contributions.services import seed_contribution_types
from nominee.db import Base
from nominee.jobs import runner as jobs_runner
from tests.factories import PASSWORD, Factory
from tests.smtp import SMTPServer

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}
SCREENSHOTS = Path(__file__).resolve().parent.parent / "screenshots"
BLOCKING_IMPACTS = {"serious", "critical"}
TIMEOUT_MS = 10_000

__all__ = ["PASSWORD", "Site", "Visit"]


def pytest_collection_modifyitems(config, items):
    if Path(CHROMIUM).exists():
        return
    # On CI a missing browser is a broken set-up, not a reason to skip (.ci/run installs it).
    if os.environ.get("CI"):
        raise pytest.UsageError(f"{CHROMIUM} is missing: apt-get install -y chromium")
    skip = pytest.mark.skip(reason=f"{CHROMIUM} is missing: apt-get install -y chromium")
    here = Path(__file__).resolve().parent
    for item in items:
        if Path(str(item.fspath)).resolve().parent == here:
            item.add_marker(skip)


@dataclass
class Site:
    """The served app and its database."""

    url: str
    app: Flask
    smtp: SMTPServer

    @property
    def engine(self) -> Engine:
        return self.app.extensions["nominee.engine"]

    def reset(self) -> None:
        """Empty tables and the default contribution types, as after ``make migrate``."""
        Base.metadata.drop_all(self.engine)
        Base.metadata.create_all(self.engine)
        with self.seed() as make:
            seed_contribution_types(make.session)
        with self.smtp.lock:
            self.smtp.received.clear()
            self.smtp.sessions.clear()

    @contextmanager
    def seed(self) -> Iterator[Factory]:
        """Test data written straight to the database (committed), before any click."""
        session = Session(self.engine, expire_on_commit=False)
        try:
            yield Factory(session)
            session.commit()
        finally:
            session.close()


@pytest.fixture(scope="session")
def served(tmp_path_factory) -> Iterator[Site]:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    folder = tmp_path_factory.mktemp("browser")
    smtp = SMTPServer().start()
    app = create_app(
        {
            "SECRET_KEY": "browser-tests-" + "x" * 32,
            "DATABASE_URL": f"sqlite:///{folder / f'nominee-{worker}.sqlite3'}",
            "RATELIMIT_ENABLED": False,
            "LOG_REQUESTS": False,
            # CSRF stays on: the forms must carry their tokens as in production.
            # Mail goes out for real: the first request starts the job thread, which
            # drains the outbox after every commit that wrote to it.
            "MAIL_URL": smtp.url(),
            "MAIL_FOLDER": str(folder / "mail"),  # unused while MAIL_URL is set
            "JOBS_BACKEND": "thread",
            "JOBS_IN_PROCESS": True,
        }
    )
    server = make_server("127.0.0.1", 0, app, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    app.config["BASE_URL"] = url  # the links in mail lead back to this server
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Site(url, app, smtp)
    server.shutdown()
    thread.join(timeout=5)
    app.extensions[jobs_runner.EXTENSION].stop()
    smtp.stop()
    app.extensions["nominee.engine"].dispose()


@pytest.fixture
def site(served: Site) -> Site:
    served.reset()
    return served


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


@dataclass
class Visit:
    """One person's browser tab. ``follow`` clicks something that loads a page and checks
    that page with axe-core; ``visited`` and ``checked`` let the fixture prove that every
    page the person landed on was checked."""

    page: object
    axe: object
    name: str
    visited: list[str] = field(default_factory=list)
    checked: set[str] = field(default_factory=set)

    def open(self, url: str) -> None:
        """The first page only: after it, a person clicks what they see."""
        assert not self.visited, "only the first page is opened by its address"
        self.page.goto(url)
        self.check()

    def follow(self, locator) -> None:
        """Click (or press Enter on) something that loads a new page, then check it."""
        with self.page.expect_navigation():
            locator.click()
        self.check()

    def log_in(self, email: str, password: str = PASSWORD) -> None:
        """From any page, through the header's "Log in" link and the login form."""
        page = self.page
        self.follow(page.get_by_role("banner").get_by_role("link", name="Log in"))
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(password)
        self.follow(page.get_by_role("button", name="Log in"))

    def submit_by_keyboard(self, key: str = "Enter") -> None:
        with self.page.expect_navigation():
            self.page.keyboard.press(key)
        self.check()

    def check(self) -> None:
        """No serious or critical axe-core violation on the page now shown."""
        self.page.wait_for_load_state("load")
        url = urldefrag(self.page.url).url
        results = self.axe.run(self.page)
        blocking = [
            f"{v['id']} ({v['impact']}): {v['help']} at "
            + ", ".join(str(node["target"]) for node in v["nodes"][:3])
            for v in results.response["violations"]
            if v["impact"] in BLOCKING_IMPACTS
        ]
        assert not blocking, f"{url}:\n" + "\n".join(blocking)
        self.checked.add(url)

    def shoot(self, name: str) -> None:
        """Full-page screenshots at desktop and phone width, for people to look at; at
        phone width the page is checked with axe-core again (what overflows a narrow
        screen, a table that scrolls sideways for one, only shows there), and must not
        be wider than the screen."""
        SCREENSHOTS.mkdir(exist_ok=True)
        viewport = self.page.viewport_size
        for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
            self.page.set_viewport_size(size)
            self.page.screenshot(path=SCREENSHOTS / f"{name}-{label}.png", full_page=True)
            if size is PHONE:
                self.check()
                self.fits(size["width"])
        self.page.set_viewport_size(viewport)

    def fits(self, width: int) -> None:
        """Nothing makes the page itself scroll sideways (a wide table scrolls in its own
        box; on a phone the main navigation folds into its Menu)."""
        scroll_width = self.page.evaluate("() => document.documentElement.scrollWidth")
        assert scroll_width <= width, (
            f"{self.page.url} is {scroll_width}px wide at a {width}px wide screen"
        )

    def unchecked(self) -> list[str]:
        return [url for url in self.visited if url not in self.checked]


@pytest.fixture
def visit(browser, axe, site) -> Iterator:
    """``visit(name)`` opens a fresh browser context (no cookies) for one person."""
    contexts, visits = [], []

    def open_tab(name: str) -> Visit:
        context = browser.new_context(viewport=DESKTOP, locale="en-US", base_url=site.url)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        person = Visit(page, axe, name)

        def landed(frame) -> None:
            if frame == page.main_frame:
                url = urldefrag(frame.url).url
                if url.startswith(site.url):
                    person.visited.append(url)

        page.on("framenavigated", landed)
        visits.append(person)
        return person

    yield open_tab
    for context in contexts:
        context.close()
    unchecked = {person.name: person.unchecked() for person in visits if person.unchecked()}
    assert not unchecked, f"pages landed on but not checked with axe-core: {unchecked}"
