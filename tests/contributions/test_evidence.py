"""Rule 2 after submission: the evidence of a live nomination keeps a date inside its
window and is not deleted, and submitted nominations recount when its figures change
(from "in review" on a nomination keeps what the panel saw, rule 8)."""

from __future__ import annotations

import html
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from nominee.audit import AuditEvent
from nominee.contributions.models import Contribution, Visibility
from nominee.cycles.models import CycleStatus
from nominee.nominations.models import Decision, NominationKind, NominationStatus
from nominee.templating import format_date

# Still the evidence's, whatever became of the nomination: the live ones, decided too.
HELD = [
    NominationStatus.SUBMITTED,
    NominationStatus.IN_REVIEW,
    NominationStatus.AWARDED,
    NominationStatus.DECLINED,
]
LET_GO = [NominationStatus.WITHDRAWN, NominationStatus.REFUSED, NominationStatus.LAPSED]
CYCLE_STATUS = {
    NominationStatus.SUBMITTED: CycleStatus.OPEN,
    NominationStatus.IN_REVIEW: CycleStatus.IN_REVIEW,
    NominationStatus.AWARDED: CycleStatus.PUBLISHED,
    NominationStatus.DECLINED: CycleStatus.PUBLISHED,
    NominationStatus.WITHDRAWN: CycleStatus.OPEN,
    NominationStatus.REFUSED: CycleStatus.OPEN,
    NominationStatus.LAPSED: CycleStatus.IN_REVIEW,
}
DECISION = {NominationStatus.AWARDED: Decision.AWARD, NominationStatus.DECLINED: Decision.DECLINE}


@pytest.fixture
def member(make, auth):
    user = make.user(display_name="Ada")
    auth.login(user)
    return user


def nominated(make, member, status=NominationStatus.SUBMITTED, cycle_status=None, **kw):
    """A contribution of ``member`` that is the evidence of a nomination in ``status``."""
    cycle = make.cycle(
        name=f"Cycle of {status.value} {kw.get('name', '')}".strip(),
        status=cycle_status or CYCLE_STATUS[status],
    )
    contribution = make.contribution(
        member,
        title="Query plans for humans",
        contributed_on=date.today() - timedelta(days=40),
        quantity=2,
        audience=100,
    )
    nomination = make.nomination(cycle, member, status=status, decision=DECISION.get(status))
    make.evidence(nomination, [contribution])
    return contribution, nomination


def form_data(contribution: Contribution, **overrides) -> dict:
    data = {
        "type_id": contribution.type_id,
        "role": contribution.role,
        "title": contribution.title,
        "contributed_on": contribution.contributed_on.isoformat(),
        "primary_category_id": contribution.primary_category_id,
        "quantity": str(contribution.quantity),
        "audience": str(contribution.audience),
        "visibility": contribution.visibility.value,
    }
    data.update(overrides)
    return data


def field_error(response, field: str) -> str:
    assert f'id="{field}-error"' in response.text, response.text
    return html.unescape(response.text.split(f'id="{field}-error">', 1)[1].split("</p>", 1)[0])


def flashed(response) -> str:
    return html.unescape(response.text.split('class="flash flash-error">', 1)[1].split("</p>")[0])


def exists(db, contribution: Contribution) -> bool:
    return db.scalar(select(Contribution.id).where(Contribution.id == contribution.id)) is not None


def audited(db, action: str) -> list[AuditEvent]:
    return db.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


# Changing the date ----------------------------------------------------------------


@pytest.mark.parametrize("status", HELD)
def test_evidence_date_cannot_leave_the_window(client, make, member, db, status):
    contribution, nomination = nominated(make, member, status)
    kept = contribution.contributed_on
    cycle = nomination.cycle
    response = client.post(
        f"/contributions/{contribution.id}/edit",
        data=form_data(contribution, contributed_on="2015-01-01", title="Renamed"),
    )
    assert response.status_code == 400
    message = field_error(response, "contributed_on")
    assert message.startswith(
        f"This contribution is evidence of your nomination for {cycle.categories[0].name} "
        f"in {cycle.name}: its date must stay between {format_date(cycle.lookback_start)} "
        f"and {format_date(cycle.nominations_close_on)}."
    )
    db.refresh(contribution)
    assert (contribution.contributed_on, contribution.title) == (kept, "Query plans for humans")
    assert audited(db, "contribution.updated") == []


def test_open_nominations_evidence_is_told_how_to_move_it(client, make, member):
    contribution, _ = nominated(make, member)
    response = client.post(
        f"/contributions/{contribution.id}/edit",
        data=form_data(contribution, contributed_on="2015-01-01"),
    )
    assert field_error(response, "contributed_on").endswith(
        "To move it, first remove it from that nomination's evidence."
    )


def test_evidence_date_may_move_inside_the_window(client, make, member, db):
    contribution, nomination = nominated(make, member, NominationStatus.IN_REVIEW)
    inside = nomination.cycle.lookback_start
    response = client.post(
        f"/contributions/{contribution.id}/edit",
        data=form_data(contribution, contributed_on=inside.isoformat()),
    )
    assert response.status_code == 302
    db.refresh(contribution)
    assert contribution.contributed_on == inside


@pytest.mark.parametrize("status", LET_GO)
def test_evidence_of_a_dead_nomination_moves_freely(client, make, member, db, status):
    contribution, _ = nominated(make, member, status)
    response = client.post(
        f"/contributions/{contribution.id}/edit",
        data=form_data(contribution, contributed_on="2015-01-01"),
    )
    assert response.status_code == 302
    db.refresh(contribution)
    assert contribution.contributed_on == date(2015, 1, 1)


def test_renewal_evidence_stays_inside_the_award_term(client, make, member, db):
    today = date.today()
    earlier = make.cycle(
        status=CycleStatus.PUBLISHED,
        nominations_open_on=today - timedelta(days=400),
        nominations_close_on=today - timedelta(days=330),
        review_close_on=today - timedelta(days=300),
    )
    award = make.award(cycle=earlier, member=member)
    cycle = make.cycle(status=CycleStatus.IN_REVIEW, categories=earlier.categories)
    contribution = make.contribution(member, contributed_on=award.starts_on)
    renewal = make.nomination(
        cycle,
        member,
        kind=NominationKind.RENEWAL,
        status=NominationStatus.IN_REVIEW,
        renewal_of_award_id=award.id,
    )
    make.evidence(renewal, [contribution])
    before_term = award.starts_on - timedelta(days=1)
    assert cycle.lookback_start <= before_term  # inside the cycle's window, not the term
    response = client.post(
        f"/contributions/{contribution.id}/edit",
        data=form_data(contribution, contributed_on=before_term.isoformat()),
    )
    assert response.status_code == 400
    assert field_error(response, "contributed_on") == (
        f"This contribution is evidence of your renewal for {cycle.categories[0].name} in "
        f"{cycle.name}: its date must stay between {format_date(award.starts_on)} and "
        f"{format_date(award.ends_on)}."
    )
    db.refresh(contribution)
    assert contribution.contributed_on == award.starts_on


def test_evidence_may_become_private(client, make, member, db):
    """Reviewers see private evidence: the nomination keeps it."""
    contribution, nomination = nominated(make, member, NominationStatus.IN_REVIEW)
    response = client.post(
        f"/contributions/{contribution.id}/edit", data=form_data(contribution, visibility="private")
    )
    assert response.status_code == 302
    db.refresh(contribution)
    db.refresh(nomination)
    assert contribution.visibility is Visibility.PRIVATE
    assert [e.contribution_id for e in nomination.evidence] == [contribution.id]


# Deleting -------------------------------------------------------------------------


DECIDED = ", which is decided: the evidence of a decision stays as the reviewers saw it."
EXPECTED_REFUSAL = {
    NominationStatus.SUBMITTED: ". Remove it from that nomination's evidence first, "
    "then delete it.",
    NominationStatus.IN_REVIEW: ", which is in review: its evidence stays as the reviewers see it.",
    NominationStatus.AWARDED: DECIDED,
    NominationStatus.DECLINED: DECIDED,
}


@pytest.mark.parametrize("status", HELD)
def test_evidence_cannot_be_deleted(client, make, member, db, status):
    contribution, nomination = nominated(make, member, status)
    make.endorsement(contribution)
    where = f"{nomination.category.name} in {nomination.cycle.name}"
    response = client.post(f"/contributions/{contribution.id}/delete")
    assert response.status_code == 400
    assert flashed(response) == (
        f"This contribution is evidence of your nomination for {where}{EXPECTED_REFUSAL[status]}"
    )
    assert "Query plans for humans" in response.text  # back on the contribution's page
    assert exists(db, contribution)
    db.refresh(nomination)
    assert [e.contribution_id for e in nomination.evidence] == [contribution.id]
    assert audited(db, "contribution.deleted") == []


def test_the_delete_page_says_so_before_the_click(client, make, member, db):
    contribution, nomination = nominated(make, member, NominationStatus.IN_REVIEW)
    page = client.get(f"/contributions/{contribution.id}/delete")
    assert page.status_code == 200
    assert "It cannot be deleted now: This contribution is evidence of your nomination" in (
        page.text
    )
    assert "Delete for good" not in page.text
    free = make.contribution(member, title="Not evidence")
    page = client.get(f"/contributions/{free.id}/delete")
    assert "Delete for good" in page.text and "cannot be deleted now" not in page.text


def test_an_unpublished_decision_reads_as_in_review(client, make, member, db):
    """Rule 5: the refusal does not tell the nominee their nomination is decided."""
    contribution, _ = nominated(
        make, member, NominationStatus.AWARDED, cycle_status=CycleStatus.DECIDED
    )
    response = client.post(f"/contributions/{contribution.id}/delete")
    assert response.status_code == 400
    assert flashed(response).endswith(EXPECTED_REFUSAL[NominationStatus.IN_REVIEW])
    assert "decided" not in flashed(response)
    assert exists(db, contribution)


def test_refused_deletion_answers_json_with_a_problem(client, make, member, db):
    contribution, _ = nominated(make, member)
    response = client.post(
        f"/contributions/{contribution.id}/delete", headers={"Accept": "application/json"}
    )
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert "Remove it from that nomination's evidence first" in response.json["detail"]
    assert exists(db, contribution)


@pytest.mark.parametrize("status", LET_GO)
def test_evidence_of_a_dead_nomination_can_be_deleted(client, make, member, db, status):
    contribution, _ = nominated(make, member, status)
    response = client.post(f"/contributions/{contribution.id}/delete")
    assert response.status_code == 302
    assert not exists(db, contribution)


def test_removed_from_the_evidence_then_deleted(client, make, member, db):
    contribution, nomination = nominated(make, member)
    other = make.contribution(member, contributed_on=date.today() - timedelta(days=3))
    nomination.cycle.min_evidence = 1
    db.flush()
    changed = client.post(
        f"/nominations/{nomination.id}/evidence",
        data={"version": nomination.version, "evidence": [other.id]},
    )
    assert changed.status_code == 302
    assert client.post(f"/contributions/{contribution.id}/delete").status_code == 302
    assert not exists(db, contribution)


# Figures --------------------------------------------------------------------------


def test_changed_figures_are_recounted_by_submitted_nominations(client, make, member, db):
    contribution, submitted = nominated(make, member)
    _, in_review = nominated(make, member, NominationStatus.IN_REVIEW)
    make.evidence(in_review, [contribution])
    _, awarded = nominated(make, member, NominationStatus.AWARDED)
    make.evidence(awarded, [contribution])
    for nomination in (submitted, in_review, awarded):
        nomination.total_quantity, nomination.total_audience = 2, 100
    db.flush()
    versions = {n.id: n.version for n in (submitted, in_review, awarded)}

    response = client.post(
        f"/contributions/{contribution.id}/edit",
        data=form_data(contribution, quantity="5", audience="400"),
    )
    assert response.status_code == 302
    for nomination in (submitted, in_review, awarded):
        db.refresh(nomination)
    assert (submitted.total_quantity, submitted.total_audience) == (5, 400)
    assert (submitted.evidence_count, submitted.distinct_endorsers) == (1, 0)
    # In review and decided: the figures the panel saw as review began.
    assert (in_review.total_quantity, in_review.total_audience) == (2, 100)
    assert (awarded.total_quantity, awarded.total_audience) == (2, 100)
    # A recount is not an edit: nobody's open form goes stale.
    assert {n.id: n.version for n in (submitted, in_review, awarded)} == versions


def test_review_dashboard_keeps_the_reach_the_panel_saw(client, make, auth, member, db):
    contribution, nomination = nominated(make, member, NominationStatus.IN_REVIEW)
    nomination.total_audience = 100
    db.flush()
    edited = client.post(
        f"/contributions/{contribution.id}/edit", data=form_data(contribution, audience="12345")
    )
    assert edited.status_code == 302
    auth.logout()
    auth.login(make.organizer())
    page = client.get(f"/cycles/{nomination.cycle.id}/dashboard")
    assert page.status_code == 200
    assert "12,345" not in page.text
    db.refresh(nomination)
    assert nomination.total_audience == 100


def test_renewal_evidence_cannot_be_deleted_while_the_cycle_is_open(client, make, member, db):
    cycle = make.cycle()
    award = make.award(member=member, category_id=cycle.categories[0].id)
    contribution = make.contribution(member)
    renewal = make.nomination(
        cycle, member, kind=NominationKind.RENEWAL, renewal_of_award_id=award.id
    )
    make.evidence(renewal, [contribution])
    response = client.post(f"/contributions/{contribution.id}/delete")
    assert response.status_code == 400
    assert flashed(response) == (
        f"This contribution is evidence of your renewal for {cycle.categories[0].name} in "
        f"{cycle.name}, gathered from your award term: it stays while the renewal is considered."
    )
    assert exists(db, contribution)
