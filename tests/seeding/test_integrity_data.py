"""The data ``make integrity-bench`` judges the integrity scan on: organic endorsements
with genuine reciprocity (a detector that flags every reciprocal pair fails on them), and
``seed-scale --rings`` planting every shape, with a ground truth that names real members."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from benchmarks.integrity import figures, received_counts
from nominee import create_app
from nominee.accounts.models import User
from nominee.contributions.models import Contribution, Visibility
from nominee.cycles.models import Cycle, CycleStatus
from nominee.endorsements.models import Endorsement
from nominee.seeding.scale import SCALES, SHAPES, seed_programme
from tests import factories
from tests.conftest import BASE_CONFIG
from tests.perf.helpers import ANCHOR

SMALL = SCALES["small"]
YEAR_AGO = ANCHOR - timedelta(days=365)
SINCE = datetime.combine(YEAR_AGO, time(), tzinfo=UTC)


def _edges(session: Session) -> list[tuple[int, int]]:
    """(endorser, endorsee) of the active endorsements of the last year."""
    return [
        (row.endorser_id, row.endorsee_id)
        for row in session.execute(
            select(Endorsement.endorser_id, Endorsement.endorsee_id).where(
                Endorsement.withdrawn_at.is_(None), Endorsement.created_at >= SINCE
            )
        )
    ]


def _naive_reciprocity_flags(edges: list[tuple[int, int]]) -> set[int]:
    """A stand-in detector: every member in a reciprocal pair (A endorsed B, B endorsed A)."""
    given = set(edges)
    return {a for a, b in given if (b, a) in given}


def test_organic_endorsements_have_genuine_reciprocity(connection):
    """Without rings, flagging every reciprocal pair would flag far more than 2% of the
    members with 5 endorsements or more: friends, user groups and busy members return
    endorsements for honest reasons."""
    savepoint = connection.begin_nested()
    session = Session(bind=connection, join_transaction_mode="create_savepoint")
    truth: dict = {}
    try:
        seed_programme(
            connection,
            SMALL,
            1,
            factories._PASSWORD_HASH,
            anchor=ANCHOR,
            drop_indexes=False,
            truth=truth,
        )
        assert truth["planted"] == []
        edges = _edges(session)
        received: dict[int, int] = defaultdict(int)
        endorsers: dict[int, set[int]] = defaultdict(set)
        for endorser, endorsee in edges:
            received[endorsee] += 1
            endorsers[endorsee].add(endorser)
        organic = {member for member, count in received.items() if count >= 5}
        flagged = _naive_reciprocity_flags(edges) & set(received)
        assert len(flagged & organic) / len(organic) > 0.02
        assert len(flagged & organic) / len(organic) > 0.25  # far more, in fact

        # Heavy tail: a few members are endorsed by many, most by far fewer (at small
        # scale, where 200 members are the ceiling).
        distinct = sorted((len(people) for people in endorsers.values()), reverse=True)
        assert distinct[0] >= 4 * distinct[len(distinct) // 2]
        # Friends endorse each other, and are endorsed by many others.
        for a, b in truth["organic"]["friends"]:
            assert (a, b) in set(edges) or (b, a) in set(edges)
            assert len(endorsers[a] | endorsers[b]) >= 10
        # A user group endorses each other and is endorsed from outside, more.
        for group in truth["organic"]["user_groups"]:
            inside = sum(len(endorsers[m] & set(group)) for m in group)
            outside = sum(len(endorsers[m] - set(group)) for m in group)
            assert inside and outside > inside
        # Newcomers registered in the last half year, and endorse only since.
        newcomers = truth["organic"]["newcomers"]
        assert newcomers
        early = session.scalar(
            select(func.count())
            .select_from(Endorsement)
            .join(User, User.id == Endorsement.endorser_id)
            .where(Endorsement.created_at < User.created_at)
        )
        assert early == 0
        young = session.scalars(select(User.created_at).where(User.id.in_(newcomers))).all()
        assert min(young).date() >= ANCHOR - timedelta(days=181)
    finally:
        session.close()
        savepoint.rollback()


@pytest.fixture(scope="module")
def seeded_with_rings(tmp_path_factory) -> tuple[Path, Path, dict]:
    """``seed-scale --scale small`` (rings by default) on a SQLite file of its own."""
    database = tmp_path_factory.mktemp("rings") / "programme.sqlite3"
    app = create_app({**BASE_CONFIG, "DATABASE_URL": f"sqlite:///{database}"})
    result = app.test_cli_runner().invoke(args=["seed-scale", "--scale", "small"])
    assert result.exit_code == 0, result.output
    app.extensions["nominee.engine"].dispose()
    path = Path(result.output.strip().splitlines()[-1])
    assert path == database.with_name("programme.rings.json")
    return database, path, json.loads(path.read_text())


def test_seed_scale_plants_every_shape_and_writes_the_ground_truth(seeded_with_rings):
    database, _path, truth = seeded_with_rings
    planted = truth["planted"]
    assert {group["shape"] for group in planted} == set(SHAPES)
    engine = create_engine(f"sqlite:///{database}")
    with Session(engine) as session:
        accounts = {user.id: user for user in session.scalars(select(User))}
        public = defaultdict(int)
        for owner in session.scalars(
            select(Contribution.owner_id).where(Contribution.visibility == Visibility.PUBLIC)
        ):
            public[owner] += 1
        edges = set(_edges(session))
        given = defaultdict(list)
        for endorser, endorsee, created in session.execute(
            select(Endorsement.endorser_id, Endorsement.endorsee_id, Endorsement.created_at)
        ):
            given[endorser].append((endorsee, created))
        closes = session.scalar(
            select(Cycle.nominations_close_on).where(Cycle.status == CycleStatus.IN_REVIEW)
        )
    engine.dispose()

    everyone = [u for group in planted for u in group["user_ids"] + group.get("puppets", [])]
    assert len(everyone) == len(set(everyone))  # one group each
    for group in planted:
        members = group["user_ids"]
        assert members and all(accounts[u].role.value == "member" for u in members), group
        inside = {(a, b) for a in members for b in members if (a, b) in edges}
        shape = group["shape"]
        if shape == "reciprocal_pair":
            assert len(members) == 2 and len(inside) == 2
        elif shape in ("clique", "camouflaged_clique", "burst_ring"):
            assert 3 <= len(members) <= 8
            assert len(inside) == len(members) * (len(members) - 1)
        elif shape == "cycle":
            assert 4 <= len(members) <= 8
            assert len(inside) == len(members)  # each endorses the next, nobody returns it
            assert not {(b, a) for a, b in inside} & inside
        elif shape == "puppet_star":
            (beneficiary,) = members
            puppets = group["puppets"]
            assert 5 <= len(puppets) <= 10
            for puppet in puppets:
                account = accounts[puppet]
                assert public[puppet] == 0
                assert account.created_at.date() >= ANCHOR - timedelta(days=181)
                endorsed = [endorsee for endorsee, _ in given[puppet]]
                assert endorsed.count(beneficiary) >= len(endorsed) - 1
                first = min(created for _, created in given[puppet])
                assert first - account.created_at < timedelta(days=3)
        if shape == "burst_ring":
            for member in members:
                for endorsee, created in given[member]:
                    if endorsee in members:
                        assert closes - timedelta(days=2) <= created.date() <= closes
    # Ring members have a few organic endorsements too, given and received.
    ring = [group["user_ids"] for group in planted if group["shape"] != "puppet_star"]
    outside_given = [m for g in ring for m in g if any(e not in g for e, _ in given[m])]
    outside_received = [m for g in ring for m in g if any(b == m and a not in g for a, b in edges)]
    members = sum(len(g) for g in ring)
    assert len(outside_given) >= members // 2
    assert len(outside_received) >= members * 3 // 4
    # Some puppets confirmed their address to endorse, then changed it.
    assert any(accounts[u].email_verified_at is None for g in planted for u in g.get("puppets", []))


def test_the_benchmark_scores_a_scan_against_the_ground_truth(seeded_with_rings):
    """The harness, on a stand-in scan (the naive reciprocity detector): recall per shape
    and false flags as the ground truth says."""
    database, _path, truth = seeded_with_rings
    engine = create_engine(f"sqlite:///{database}")
    with Session(engine) as session:
        edges = _edges(session)
    engine.dispose()
    flagged = _naive_reciprocity_flags(edges)
    endorsed = {b for _, b in edges}
    document = {
        "window": {"since": YEAR_AGO.isoformat(), "until": ANCHOR.isoformat()},
        "members": [
            {"user_id": u, "flagged": u in flagged, "score": 1.0, "signals": []}
            for u in sorted(endorsed)
        ],
    }
    received = received_counts(database, document["window"])
    result = figures(document, truth, received)
    assert set(result["shapes"]) == set(SHAPES)
    for shape in ("reciprocal_pair", "clique", "camouflaged_clique", "burst_ring"):
        assert result["shapes"][shape]["recall"] == 1.0  # they return every endorsement
    stars = [u for g in truth["planted"] if g["shape"] == "puppet_star" for u in g["user_ids"]]
    assert result["shapes"]["puppet_star"]["recall"] == round(
        len(flagged & set(stars)) / len(stars), 4
    )
    planted = {u for g in truth["planted"] for u in g["user_ids"]}
    puppets = {u for g in truth["planted"] for u in g.get("puppets", [])}
    organic = {u for u, n in received.items() if n >= 5} - planted - puppets
    assert result["organic_members"] == len(organic)
    assert result["organic_flagged"] == len(flagged - planted - puppets)
    assert result["false_flag_rate"] > 0.02
    assert {row["kind"] for row in result["false_flags"]} <= {
        "friend",
        "fan's favourite",
        "user_group",
        "newcomer",
        "other",
    }
