"""Nothing is per host: two app instances ("hosts") on one database and one Redis, as in
the README's production section, behave as one.

Each host is its own ``create_app`` (its own engine, pools, limiter, cache object),
sharing only the database and Redis; requests go to one or the other. A login made on
one holds on the other, limits count across both, the public figures one host caches
are dropped by a change made on the other, and a production host writes nothing into
its instance folder (secret key, issuer key and mail come from settings and the
database). The scheduler running on every host at once is covered by
``tests/schedule`` (the database's lock: each due moment runs once).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

import nominee
from nominee import create_app
from nominee.accounts.models import User
from nominee.awards import services as awards
from nominee.awards.models import Award
from nominee.cycles.models import CycleStatus
from nominee.db import Base
from nominee.nominations.models import Nomination
from nominee.reviews.queries import calibration as queries
from nominee.uow import unit_of_work
from tests import factories
from tests.conftest import BASE_CONFIG
from tests.factories import Factory
from tests.ops.redisserver import two_hosts
from tests.reviews.panels import score, split_panel

AWARDEES = re.compile(r"<dt>awardees now</dt><dd>(\d+)</dd>")


@pytest.fixture
def hosts(database_url: str, engine) -> Iterator[tuple[Flask, Flask]]:
    """Two hosts, really committing; their Redis keys and the tables are emptied after."""
    with two_hosts(database_url, engine) as pair:
        yield pair


def _committed(app: Flask) -> Session:
    return app.extensions["nominee.sessionmaker"]()


def _login(client, email: str, password: str = factories.PASSWORD):
    return client.post("/login", data={"email": email, "password": password})


def test_a_login_on_one_host_holds_on_the_other(hosts):
    first, second = hosts
    with _committed(first) as session:
        member = Factory(session).user(display_name="Roaming Rosa")
        email = member.email
        session.commit()
    on_first = first.test_client()
    assert _login(on_first, email).status_code == 302
    on_second = second.test_client()
    cookie = on_first.get_cookie("session")
    assert cookie is not None
    on_second.set_cookie("session", cookie.value)
    page = on_second.get("/account/profile")
    assert page.status_code == 200
    assert "Roaming Rosa" in page.text
    # Logging out on the second host ends the login on the first too.
    assert on_second.post("/logout").status_code == 302
    assert on_first.get("/account/profile").status_code == 302  # to the login page


def test_login_limits_count_across_hosts(hosts):
    first, second = hosts
    with _committed(first) as session:
        email = Factory(session).user().email
        session.commit()
    answers = [
        _login((first if n % 2 else second).test_client(), email, "wrong password").status_code
        for n in range(4)
    ]
    # Three wrong passwords are refused with 400 (on either host); the fourth attempt,
    # wherever it lands, is over the account's limit of 3 a minute.
    assert answers == [400, 400, 400, 429]


def test_the_public_figures_follow_a_change_made_on_the_other_host(hosts):
    first, second = hosts
    with _committed(first) as session:
        make = Factory(session)
        award_id = make.award(member=make.user(display_name="Awarded Abel")).id
        organizer_id = make.organizer().id
        session.commit()
    visitor = second.test_client()
    assert AWARDEES.search(visitor.get("/").text).group(1) == "1"
    # Kept in the shared cache for a minute; the other host revokes the award.
    with first.app_context(), unit_of_work() as session:
        award = session.get(Award, award_id)
        actor = session.get(User, organizer_id)
        awards.revoke(session, actor, award, "Plagiarised talks")
    assert AWARDEES.search(visitor.get("/").text).group(1) == "0"
    with _committed(second) as session:
        assert session.scalar(select(Award.status).where(Award.id == award_id)).value == "revoked"


def test_a_production_host_writes_nothing_into_its_instance_folder(
    database_url, engine, tmp_path, monkeypatch
):
    """Another host would not see it: the secret key, the mail and the issuer's key come
    from the settings and the database."""
    root = tmp_path / "host"
    root.mkdir()
    for shared in ("templates", "static"):
        (root / shared).symlink_to(Path(nominee.ROOT) / shared)
    monkeypatch.setattr(nominee, "ROOT", root)
    app = create_app(
        {
            **BASE_CONFIG,
            "TESTING": False,
            "ENV_NAME": "production",
            "SECRET_KEY": secrets.token_urlsafe(48),
            "DATABASE_URL": database_url,
            "MAIL_URL": "smtp://127.0.0.1:2525",
            "BASE_URL": "https://awards.example.org",
            "JOBS_IN_PROCESS": False,
        }
    )
    try:
        client = app.test_client()
        assert client.get("/", base_url="https://awards.example.org").status_code == 200
        assert (
            client.get("/.well-known/did.json", base_url="https://awards.example.org").status_code
            == 200
        )
        answer = client.post(
            "/register",
            base_url="https://awards.example.org",
            data={
                "display_name": "New Nadia",
                "email": "nadia@example.org",
                "password": "a long enough passphrase",
            },
        )
        assert answer.status_code in (200, 302)
        instance = root / "instance"
        assert not instance.exists() or not any(instance.rglob("*")), sorted(instance.rglob("*"))
    finally:
        app.extensions["nominee.engine"].dispose()
        with engine.begin() as conn:
            for table in reversed(Base.metadata.sorted_tables):
                conn.execute(table.delete())


def test_a_calibration_computed_on_one_host_is_read_on_the_other(hosts, monkeypatch):
    """Calibrating a cycle takes a second or more at a few thousand nominations: one
    worker of one host computes it, the others read it from Redis (under its
    fingerprint, so a new review is a new key)."""
    first, second = hosts
    with _committed(first) as session:
        make = Factory(session)
        cycle = make.cycle(status=CycleStatus.IN_REVIEW, categories=[make.category()])
        panel = split_panel(make, session, cycle)
        session.commit()
        cycle_id, nomination, reviewer = cycle.id, panel.nominations["H1"].id, panel.lenient.id
        best = panel.id("L4")
    computed = []
    calibrate = queries.calibrate

    def counted(reviews):
        computed.append(1)
        return calibrate(reviews)

    monkeypatch.setattr(queries, "calibrate", counted)
    with first.app_context(), unit_of_work() as session:
        drawn = queries.cycle_calibration(session, cycle_id)
    queries.clear_cache()  # the second host is another process: nothing in its memory
    with second.app_context(), unit_of_work() as session:
        read = queries.cycle_calibration(session, cycle_id)
    assert computed == [1]
    assert read == drawn
    assert read.order() == drawn.order()
    assert read.of(best) == drawn.of(best)
    assert read.order()[0] == best
    # A review submitted on the first host: the second computes the new figures.
    with _committed(first) as session:
        make = Factory(session)
        score(make, session, session.get(Nomination, nomination), session.get(User, reviewer), 5)
        session.commit()
    queries.clear_cache()
    with second.app_context(), unit_of_work() as session:
        again = queries.cycle_calibration(session, cycle_id)
    assert computed == [1, 1]
    assert again != drawn
