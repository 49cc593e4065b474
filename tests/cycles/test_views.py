from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from nominee import events
from nominee.audit import AuditEvent
from nominee.cycles.models import DEFAULT_RUBRIC, Cycle, CycleStatus
from nominee.errors import DomainError
from nominee.nominations.models import NominationStatus
from nominee.reviews.models import Review
from tests.cycles.test_rules import FORBIDDEN, STEPS

TODAY = date.today()


def form_data(categories, **overrides) -> dict:
    data = {
        "name": "Spring awards",
        "category_ids": [c.id for c in categories],
        "nominations_open_on": (TODAY + timedelta(days=1)).isoformat(),
        "nominations_close_on": (TODAY + timedelta(days=31)).isoformat(),
        "review_close_on": (TODAY + timedelta(days=61)).isoformat(),
        "lookback_months": "12",
        "award_term_months": "12",
        "min_evidence": "3",
        "max_evidence": "30",
        "peer_nomination_limit": "3",
        "reviewers_per_nomination": "3",
    }
    for i, (name, description, weight) in enumerate(DEFAULT_RUBRIC):
        data[f"criteria-{i}-name"] = name
        data[f"criteria-{i}-description"] = description
        data[f"criteria-{i}-weight"] = str(weight)
    data.update(overrides)
    return data


def input_value(html: str, name: str) -> str:
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', html).group(0)
    return re.search(r'value="([^"]*)"', tag).group(1)


def actions(db, action: str) -> list[AuditEvent]:
    return db.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


@pytest.fixture
def organizer(make, auth):
    user = make.organizer()
    auth.login(user)
    return user


def test_new_cycle_form_has_the_defaults(client, organizer, make):
    make.category(name="Data Platform")
    make.category(name="Old Stuff", retired=True)
    page = client.get("/cycles/new")
    assert page.status_code == 200
    for name, *_ in DEFAULT_RUBRIC:
        assert f'value="{name}"' in page.text
    values = {
        name: input_value(page.text, name)
        for name in ("lookback_months", "award_term_months", "min_evidence", "max_evidence")
    }
    assert values == {
        "lookback_months": "12",
        "award_term_months": "12",
        "min_evidence": "3",
        "max_evidence": "30",
    }
    assert input_value(page.text, "peer_nomination_limit") == "3"
    assert "Data Platform" in page.text
    assert "Old Stuff" not in page.text


def test_organizer_creates_a_draft_cycle(client, organizer, make, db):
    categories = [make.category(), make.category()]
    response = client.post("/cycles/new", data=form_data(categories))
    assert response.status_code == 302
    cycle = db.scalar(select(Cycle))
    assert cycle.status is CycleStatus.DRAFT
    assert {c.id for c in cycle.categories} == {c.id for c in categories}
    assert [(c.name, c.weight) for c in cycle.criteria] == [(n, w) for n, _, w in DEFAULT_RUBRIC]
    assert cycle.lookback_start == cycle.nominations_close_on.replace(
        year=cycle.nominations_close_on.year - 1
    )
    (event,) = actions(db, "cycle.created")
    assert event.after["name"] == "Spring awards"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"nominations_close_on": TODAY.isoformat()},
            "nominations_close_on",
            "Nominations must close after they open.",
        ),
        (
            {"review_close_on": (TODAY + timedelta(days=30)).isoformat()},
            "review_close_on",
            "The review must close on or after the nominations close.",
        ),
        ({"max_evidence": "2"}, "max_evidence", "The maximum cannot be below the minimum."),
        ({"lookback_months": "0"}, "lookback_months", "Between 1 and 60 months."),
        ({"award_term_months": "99"}, "award_term_months", "Between 1 and 60 months."),
        (
            {"nominations_open_on": "not a date"},
            "nominations_open_on",
            "Enter a date as YYYY-MM-DD.",
        ),
        ({"category_ids": []}, "category_ids", "Choose at least one category."),
        ({"criteria-0-weight": "0"}, "criteria-0-weight", "The weight must be above 0"),
        ({"criteria-1-name": ""}, "criteria-1-name", "Give the criterion a name."),
    ],
)
def test_bad_settings_say_which_field(client, organizer, make, db, changes, field, message):
    response = client.post("/cycles/new", data=form_data([make.category()], **changes))
    assert response.status_code == 400
    error = response.text.split(f'id="{field}-error">', 1)[1].split("</p>", 1)[0]
    assert message in error
    assert db.scalar(select(Cycle)) is None


def test_both_dates_out_of_order_are_both_marked(client, organizer, make):
    data = form_data(
        [make.category()],
        nominations_close_on=TODAY.isoformat(),
        review_close_on=(TODAY - timedelta(days=1)).isoformat(),
    )
    response = client.post("/cycles/new", data=data)
    assert 'id="nominations_close_on-error"' in response.text
    assert 'id="review_close_on-error"' in response.text


def test_retired_category_and_duplicate_name_refused(client, organizer, make, db):
    make.cycle(name="Spring awards")
    retired = make.category(retired=True)
    response = client.post("/cycles/new", data=form_data([retired], name="Autumn"))
    assert response.status_code == 400
    assert (
        "Choose categories from the list." in response.text.split('id="category_ids-error"', 1)[1]
    )
    response = client.post("/cycles/new", data=form_data([make.category()], name="spring AWARDS"))
    assert response.status_code == 400
    assert "A cycle with this name exists already." in response.text


def test_rubric_editor_adds_and_removes_rows_without_javascript(client, organizer, make, db):
    category = make.category()
    data = form_data([category], add_criterion="Add a criterion")
    page = client.post("/cycles/new", data=data)
    assert page.status_code == 200
    assert 'name="criteria-4-name"' in page.text
    assert db.scalar(select(Cycle)) is None
    data = form_data(
        [category],
        **{
            "criteria-1-remove": "y",
            "criteria-4-name": "Mentoring",
            "criteria-4-description": "Helps newcomers.",
            "criteria-4-weight": "2.5",
            "criteria-5-name": "",
            "criteria-5-weight": "1",
        },
    )
    assert client.post("/cycles/new", data=data).status_code == 302
    cycle = db.scalar(select(Cycle))
    assert [(c.name, c.weight, c.position) for c in cycle.criteria] == [
        ("Impact", 1.0, 0),
        ("Community focus", 1.0, 1),
        ("Expertise", 1.0, 2),
        ("Mentoring", 2.5, 3),
    ]


def test_rubric_needs_a_criterion(client, organizer, make, db):
    data = form_data([make.category()], **{f"criteria-{i}-remove": "y" for i in range(4)})
    response = client.post("/cycles/new", data=data)
    assert response.status_code == 400
    assert "The rubric needs at least one criterion." in response.text


def edit_data(cycle, **overrides) -> dict:
    data = form_data(cycle.categories, name=cycle.name, version=str(cycle.version))
    data.update(
        nominations_open_on=cycle.nominations_open_on.isoformat(),
        nominations_close_on=cycle.nominations_close_on.isoformat(),
        review_close_on=cycle.review_close_on.isoformat(),
    )
    data.update(overrides)
    return data


def test_edit_cycle_and_audit(client, organizer, make, db):
    cycle = make.cycle(status=CycleStatus.DRAFT)
    old_version = cycle.version
    page = client.get(f"/cycles/{cycle.id}/edit")
    assert input_value(page.text, "version") == str(old_version)
    response = client.post(
        f"/cycles/{cycle.id}/edit",
        data=edit_data(cycle, name="Renamed", lookback_months="6", **{"criteria-0-weight": "3"}),
    )
    assert response.status_code == 302
    db.refresh(cycle)
    assert (cycle.name, cycle.lookback_months, cycle.criteria[0].weight) == ("Renamed", 6, 3.0)
    assert cycle.version > old_version
    (event,) = actions(db, "cycle.updated")
    assert event.before["lookback_months"] == 12 and event.after["lookback_months"] == 6


def test_edit_with_a_stale_version_is_a_conflict(client, organizer, make, db):
    cycle = make.cycle(status=CycleStatus.DRAFT)
    stale = edit_data(cycle, name="Mine")
    client.post(f"/cycles/{cycle.id}/edit", data=edit_data(cycle, name="Theirs"))
    response = client.post(f"/cycles/{cycle.id}/edit", data=stale)
    assert response.status_code == 409
    assert "This cycle changed in the meantime; reload and try again." in response.text
    db.refresh(cycle)
    assert cycle.name == "Theirs"


def test_rubric_is_locked_once_a_review_exists(client, organizer, make, db):
    cycle = make.cycle(status=CycleStatus.IN_REVIEW)
    nomination = make.nomination(cycle, status=NominationStatus.IN_REVIEW)
    db.add(Review(nomination=nomination, reviewer=make.reviewer()))
    db.flush()
    page = client.get(f"/cycles/{cycle.id}/edit")
    assert "its rubric can no longer change" in page.text
    assert 'name="criteria-0-name"' not in page.text
    # A form rendered before the first review arrived still tries to change it.
    response = client.post(
        f"/cycles/{cycle.id}/edit", data=edit_data(cycle, **{"criteria-0-weight": "4"})
    )
    assert response.status_code == 400
    assert "The rubric cannot change once the first review exists." in response.text
    db.refresh(cycle)
    assert cycle.criteria[0].weight == 1.0
    # Other settings still change, the rubric staying as it is.
    data = {k: v for k, v in edit_data(cycle, name="Still editable").items() if "criteria" not in k}
    assert client.post(f"/cycles/{cycle.id}/edit", data=data).status_code == 302
    db.refresh(cycle)
    assert cycle.name == "Still editable" and len(cycle.criteria) == 4


def test_category_with_nominations_stays_in_scope(client, organizer, make, db):
    keep, used = make.category(), make.category(name="Used")
    cycle = make.cycle(categories=[keep, used])
    make.nomination(cycle, category=used)
    data = edit_data(cycle, category_ids=[keep.id])
    response = client.post(f"/cycles/{cycle.id}/edit", data=data)
    assert response.status_code == 400
    assert "Used already has nominations in this cycle" in response.text


def test_published_cycle_cannot_be_edited(client, organizer, make):
    cycle = make.cycle(status=CycleStatus.PUBLISHED)
    assert client.get(f"/cycles/{cycle.id}/edit").status_code == 400
    response = client.post(f"/cycles/{cycle.id}/edit", data=edit_data(cycle, name="Rewritten"))
    assert response.status_code == 400
    assert "A published cycle cannot be changed." in response.text


def move(client, cycle, to, version=None):
    return client.post(
        f"/cycles/{cycle.id}/status/{to.value}",
        data={"version": str(cycle.version if version is None else version)},
    )


@pytest.mark.parametrize(("old", "new"), STEPS)
def test_each_step_with_confirmation_and_audit(client, organizer, make, db, old, new):
    cycle = make.cycle(status=old)
    page = client.get(f"/cycles/{cycle.id}")
    assert f"/cycles/{cycle.id}/status/{new.value}" in page.text
    confirm = client.get(f"/cycles/{cycle.id}/status/{new.value}")
    assert confirm.status_code == 200
    assert f"Move to {new.label.lower()}</button>" in confirm.text
    assert move(client, cycle, new).status_code == 302
    db.refresh(cycle)
    assert cycle.status is new
    (event,) = actions(db, "cycle.status_changed")
    assert event.before == {"status": old.value} and event.after == {"status": new.value}
    if new is CycleStatus.PUBLISHED:
        assert cycle.published_at is not None


@pytest.mark.parametrize(("old", "new"), FORBIDDEN)
def test_each_forbidden_jump_is_refused(client, organizer, make, db, old, new):
    cycle = make.cycle(status=old)
    response = move(client, cycle, new)
    assert response.status_code == 400
    assert f"A cycle that is {old.label.lower()} cannot move to {new.label.lower()}." in (
        response.text
    )
    db.refresh(cycle)
    assert cycle.status is old
    assert actions(db, "cycle.status_changed") == []
    # No button for it, and no confirmation either.
    assert f"/status/{new.value}" not in client.get(f"/cycles/{cycle.id}").text
    assert (
        "</button>"
        not in client.get(f"/cycles/{cycle.id}/status/{new.value}").text.split("<main", 1)[1]
    )


def test_stale_move_is_a_conflict_not_an_error(client, organizer, make, db):
    cycle = make.cycle(status=CycleStatus.DRAFT)
    version = cycle.version
    assert move(client, cycle, CycleStatus.OPEN, version).status_code == 302
    response = move(client, cycle, CycleStatus.IN_REVIEW, version)
    assert response.status_code == 409
    assert "This cycle changed in the meantime; reload and try again." in response.text
    db.refresh(cycle)
    assert cycle.status is CycleStatus.OPEN


def test_a_receiver_may_refuse_the_move(client, organizer, make, db):
    cycle = make.cycle(status=CycleStatus.IN_REVIEW)

    def refuse(sender, **kw):
        raise DomainError("3 nominations in review have no decision yet.")

    events.cycle_moving.connect(refuse)
    try:
        response = move(client, cycle, CycleStatus.DECIDED)
    finally:
        events.cycle_moving.disconnect(refuse)
    assert response.status_code == 400
    assert "3 nominations in review have no decision yet." in response.text
    db.refresh(cycle)
    assert cycle.status is CycleStatus.IN_REVIEW


def test_members_cannot_set_up_or_move_cycles(client, auth, make, db):
    cycle = make.cycle(status=CycleStatus.DRAFT)
    auth.login(make.user())
    assert client.get("/cycles/new").status_code == 403
    assert client.post("/cycles/new", data=form_data([make.category()])).status_code == 403
    assert client.get(f"/cycles/{cycle.id}/edit").status_code == 403
    assert move(client, cycle, CycleStatus.OPEN).status_code == 403
    db.refresh(cycle)
    assert cycle.status is CycleStatus.DRAFT


def test_who_sees_which_cycles(app, make):
    cycles = {
        status: make.cycle(name=f"The {status.value} one", status=status) for status in CycleStatus
    }
    visible = {
        make.user(): {
            CycleStatus.OPEN,
            CycleStatus.IN_REVIEW,
            CycleStatus.DECIDED,
            CycleStatus.PUBLISHED,
        },
        make.reviewer(): {
            CycleStatus.OPEN,
            CycleStatus.IN_REVIEW,
            CycleStatus.DECIDED,
            CycleStatus.PUBLISHED,
        },
        make.organizer(): set(CycleStatus),
    }
    for user, statuses in visible.items():
        client = app.test_client()
        client.post(
            "/login", data={"email": user.email, "password": "correct horse battery staple"}
        )
        listing = client.get("/cycles/").text
        for status, cycle in cycles.items():
            assert (cycle.name in listing) == (status in statuses), (user.role, status)
            expected = 200 if status in statuses else 404
            assert client.get(f"/cycles/{cycle.id}").status_code == expected


def test_anonymous_is_sent_to_login(client, make):
    cycle = make.cycle()
    response = client.get(f"/cycles/{cycle.id}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_cycle_page_shows_dates_categories_rubric_and_counts(client, auth, make):
    data, tools = make.category(name="Data Platform"), make.category(name="Developer Tools")
    cycle = make.cycle(status=CycleStatus.PUBLISHED, categories=[data, tools])
    make.nomination(cycle, category=data, status=NominationStatus.AWARDED)
    make.nomination(cycle, category=data, status=NominationStatus.DECLINED)
    make.nomination(cycle, category=tools, status=NominationStatus.WITHDRAWN)
    auth.login(make.user())
    page = client.get(f"/cycles/{cycle.id}").text
    assert "Data Platform" in page and "Developer Tools" in page
    assert "Community focus" in page
    assert f"{cycle.nominations_close_on.day} " in page
    assert "<tr><td>Awarded</td><td>1</td></tr>" in page
    assert "<tr><td>Declined</td><td>1</td></tr>" in page
    assert "<tr><td>Withdrawn</td><td>1</td></tr>" in page
    assert "<tr><td>Data Platform</td><td>2</td></tr>" in page
    assert "<tr><td>Developer Tools</td><td>1</td></tr>" in page


def test_members_see_no_decision_counts_before_publishing(app, make):
    cycle = make.cycle(status=CycleStatus.DECIDED)
    make.nomination(cycle, status=NominationStatus.AWARDED)
    make.nomination(cycle, status=NominationStatus.DECLINED)
    make.nomination(cycle, status=NominationStatus.IN_REVIEW)
    reviewer, organizer = make.reviewer(), make.organizer()
    reviewer_client, organizer_client = app.test_client(), app.test_client()
    for client, user in ((reviewer_client, reviewer), (organizer_client, organizer)):
        client.post(
            "/login", data={"email": user.email, "password": "correct horse battery staple"}
        )
    page = reviewer_client.get(f"/cycles/{cycle.id}").text
    assert "<tr><td>In review</td><td>3</td></tr>" in page
    assert "Awarded" not in page and "Declined" not in page
    page = organizer_client.get(f"/cycles/{cycle.id}").text
    assert "<tr><td>Awarded</td><td>1</td></tr>" in page


def test_the_review_overview_counts_reviews_and_draws_the_scores_as_they_come_in(
    client, organizer, make, db
):
    """The cycle page's review progress and score chart (its chart is kept per process
    for the counts it draws): a submitted review shows at once, and the nomination the
    organizer is conflicted on (rule 9) counts in neither."""
    from nominee.reviews.services import refresh_scores

    reviewer = make.reviewer()
    cycle = make.cycle(status=CycleStatus.IN_REVIEW, reviewers_per_nomination=2)
    first = make.nomination(cycle, status=NominationStatus.IN_REVIEW)
    second = make.nomination(cycle, status=NominationStatus.IN_REVIEW)
    make.nomination(cycle, status=NominationStatus.IN_REVIEW, nominee=organizer)
    make.review(first, reviewer, scores=(5, 5, 5, 5))
    refresh_scores(db, first)
    db.commit()

    page = client.get(f"/cycles/{cycle.id}").get_data(as_text=True)
    assert "1 of 4 reviews submitted" in page  # two nominations, two reviews each
    assert "1 nomination scored; most score 4.5–5 (1); 1 not scored yet." in page

    make.review(second, reviewer, scores=(1, 1, 1, 1))
    refresh_scores(db, second)
    db.commit()
    page = client.get(f"/cycles/{cycle.id}").get_data(as_text=True)
    assert "2 of 4 reviews submitted" in page
    assert "2 nominations scored" in page
    assert "not scored yet" not in page
