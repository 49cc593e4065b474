"""Issue 7: the awards and audit pages run a fixed number of queries, at most 10."""

from __future__ import annotations

from nominee.audit import AuditEvent
from nominee.cycles.models import CycleStatus
from nominee.nominations.models import NominationStatus
from tests.awards.helpers import review
from tests.queries import count_queries

BUDGET = 10


def build(make, db, size: int):
    """A cycle in review with ``size`` nominations, each with ``size`` reviews, and awards."""
    cycle = make.cycle(status=CycleStatus.IN_REVIEW)
    reviewers = [make.reviewer() for _ in range(size)]
    nominations = [make.nomination(cycle, status=NominationStatus.IN_REVIEW) for _ in range(size)]
    for nomination in nominations:
        for reviewer in reviewers:
            review(db, nomination, reviewer, [4, 3, 5, 2])
    member = make.user()
    awards = [make.award(member=member) for _ in range(size)]
    organizer = make.organizer(display_name="Olga Organizer")
    db.add_all(
        AuditEvent(actor_id=organizer.id, action="cycle.updated", object_type="cycle", object_id=n)
        for n in range(size * 10)
    )
    db.flush()
    return {
        "decide": f"/nominations/{nominations[0].id}/decide",
        "decisions": f"/cycles/{cycle.id}/decisions",
        "export": f"/cycles/{cycle.id}/export.csv",
        "verify": f"/awards/{awards[0].verification_id}",
        "badge svg": f"/awards/{awards[0].verification_id}/badge.svg",
        "badge png": f"/awards/{awards[0].verification_id}/badge.png",
        "audit": "/admin/audit?action=cycle.updated",
        "audit by actor": f"/admin/audit?actor={organizer.id}&date_from=2000-01-01",
        "audit by name": "/admin/audit?actor=olga",
    }, organizer


def counts(client, auth, connection, make, db, size: int) -> dict[str, int]:
    urls, organizer = build(make, db, size)
    auth.login(organizer)
    result = {}
    for name, url in urls.items():
        client.get(url)  # warm: templates compiled, nothing cached in the database layer
        with count_queries(connection) as statements:
            response = client.get(url)
            response.get_data()
        assert response.status_code == 200, name
        result[name] = len(statements)
    auth.logout()
    return result


def test_query_counts_do_not_grow_with_data(client, auth, connection, make, db):
    small = counts(client, auth, connection, make, db, 1)
    assert all(n <= BUDGET for n in small.values()), small
    assert counts(client, auth, connection, make, db, 12) == small
