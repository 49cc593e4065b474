from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import insert

from nominee.awards.export import escape_cell
from nominee.cycles.models import CycleStatus
from nominee.nominations.models import Decision, Nomination, NominationKind, NominationStatus
from nominee.reviews.models import Recommendation, ReviewStatus
from tests.awards.helpers import review

CRITERIA = [("Impact", "", 2.0), ("Consistency", "", 1.0), ("Expertise", "", 1.0)]


def read_csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Ada = Lovelace", "Ada = Lovelace"),
        (-1, -1),
        ("", ""),
    ],
)
def test_escape_cell(value, expected):
    assert escape_cell(value) == expected


@pytest.fixture
def cycle(make):
    return make.cycle(status=CycleStatus.IN_REVIEW, criteria=CRITERIA)


@pytest.mark.parametrize("role", ["member", "reviewer"])
def test_export_is_for_organizers_only(client, auth, make, cycle, role):
    auth.login(make.user() if role == "member" else make.reviewer())
    assert client.get(f"/cycles/{cycle.id}/export.csv").status_code == 403


def test_export_needs_login(client, cycle):
    response = client.get(f"/cycles/{cycle.id}/export.csv")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_export_of_unknown_cycle_is_404(client, auth, make):
    auth.login(make.organizer())
    assert client.get("/cycles/999999/export.csv").status_code == 404


def test_export_header_and_rows(client, auth, make, db, cycle):
    alice = make.user(display_name="Alice")
    bob = make.user(display_name="Bob")
    scored = make.nomination(
        cycle,
        alice,
        status=NominationStatus.AWARDED,
        decision=Decision.AWARD,
        evidence_count=5,
        distinct_endorsers=3,
        total_quantity=12,
        total_audience=400,
        reviews_submitted=3,
        recommend_award=1,
        recommend_decline=1,
        recommend_abstain=1,
    )
    renewal = make.nomination(
        cycle,
        bob,
        kind=NominationKind.RENEWAL,
        status=NominationStatus.IN_REVIEW,
        no_activity=True,
    )
    review(db, scored, make.reviewer(), [5, 4, 3], Recommendation.AWARD)
    review(db, scored, make.reviewer(), [4, 2, 3], Recommendation.DECLINE)
    review(db, scored, make.reviewer(), [3], Recommendation.ABSTAIN)
    review(db, scored, make.reviewer(), [1, 1, 1], status=ReviewStatus.DRAFT)
    other_cycle = make.cycle(categories=cycle.categories)
    make.nomination(other_cycle, make.user(display_name="Elsewhere"))

    auth.login(make.organizer())
    response = client.get(f"/cycles/{cycle.id}/export.csv")
    assert response.status_code == 200
    assert response.is_streamed
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="cycle-{cycle.id}-nominations.csv"'
    )
    header, *rows = read_csv(response)
    assert header == [
        "Nomination", "Nominee", "Category", "Kind", "Status", "Evidence",
        "Distinct endorsers", "Effective endorsers", "Total quantity", "Total audience",
        "No activity",
        "Reviews submitted", "Impact (mean)", "Consistency (mean)", "Expertise (mean)",
        "Weighted mean", "Calibrated score", "Calibrated rank", "Rank band",
        "Recommend award", "Recommend decline", "Recommend abstain", "Decision",
        "Appeal", "Appeal statement", "Appeal response", "Impact score", "Impact percentile",
    ]  # fmt: skip
    category = cycle.categories[0].name
    # Impact (5+4+3)/3 = 4, Consistency (4+2)/2 = 3, Expertise 3; weights 2, 1, 1 -> 3.5.
    # Calibrated: one scored review per reviewer, so each is shrunk to a quarter of the
    # way toward the panel mean (3.5) and their mean is the panel mean; the only rank: 1.
    assert rows == [
        [
            str(scored.id), "Alice", category, "self", "awarded", "5", "3", "", "12", "400", "no",
            "3", "4.00", "3.00", "3.00", "3.50", "3.50", "1", "1", "1", "1", "1", "award",
            "", "", "", "", "",
        ],
        [
            str(renewal.id), "Bob", category, "renewal", "in_review", "0", "0", "", "0", "0", "yes",
            "0", "", "", "", "", "", "", "", "0", "0", "0", "", "", "", "", "", "",
        ],
    ]  # fmt: skip


def test_export_escapes_formula_cells(client, auth, make, cycle):
    make.nomination(cycle, make.user(display_name='=HYPERLINK("http://evil.example","x")'))
    make.nomination(cycle, make.user(display_name="@Ops"))
    make.nomination(cycle, make.user(display_name="Plain Name"))
    auth.login(make.organizer())
    _, *rows = read_csv(client.get(f"/cycles/{cycle.id}/export.csv"))
    names = sorted(row[1] for row in rows)
    assert names == ['\'=HYPERLINK("http://evil.example","x")', "'@Ops", "Plain Name"]


def test_export_streams_in_batches(client, auth, make, db, cycle, monkeypatch):
    """More rows than one fetch batch, written out in several chunks, all present, in order."""
    from nominee.awards import export

    monkeypatch.setattr(export, "CHUNK_CHARS", 4096)
    nominees = [make.user(display_name=f"Nominee {i:04d}") for i in range(export.BATCH + 20)]
    db.execute(
        insert(Nomination),
        [
            {
                "cycle_id": cycle.id,
                "category_id": cycle.categories[0].id,
                "nominee_id": user.id,
                "nominator_id": user.id,
                "kind": NominationKind.SELF,
                "status": NominationStatus.IN_REVIEW,
            }
            for user in nominees
        ],
    )
    auth.login(make.organizer())
    response = client.get(f"/cycles/{cycle.id}/export.csv")
    chunks = list(response.iter_encoded())
    assert len(chunks) > 5
    _, *rows = csv.reader(io.StringIO(b"".join(chunks).decode()))
    assert [row[1] for row in rows] == [user.display_name for user in nominees]


def test_export_closes_its_session_and_leaves_the_connection_as_it_was(
    client, auth, make, connection, cycle
):
    make.nomination(cycle)
    auth.login(make.organizer())
    savepoint = connection.get_nested_transaction()
    options = connection.get_execution_options()
    response = client.get(f"/cycles/{cycle.id}/export.csv")
    assert len(read_csv(response)) == 2
    response.close()
    assert connection.get_nested_transaction() is savepoint
    assert connection.get_execution_options() == options
