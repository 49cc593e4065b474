"""The eligibility meter, the organizers' settings and guidance, and the score reviewers
see: on constructed members whose scores are worked out by hand here."""

from __future__ import annotations

import html
import re
from datetime import date

import pytest

from nominee.cycles.models import CycleStatus
from nominee.impact import services
from nominee.impact.models import ImpactGuidance, ImpactSettings
from nominee.nominations.models import NominationStatus

TODAY = date(2026, 6, 15)
# 1 + 1/2 + ... + 1/9: nine posts of one month without reach, the n-th counting 1/n.
H9 = sum(1 / n for n in range(1, 10))


def text(response) -> str:
    flat = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", response.text)))
    return flat.replace(" ,", ",").replace(" :", ":")


@pytest.fixture
def today(freeze_clock):
    freeze_clock(TODAY)
    return TODAY


@pytest.fixture
def blog(make):
    return make.contribution_type(
        name="Blog", slug="blog", quantity_label=None, audience_label="Readers", roles=[]
    )


@pytest.fixture
def busy(make, blog, today):
    """Nine posts this month, nothing before: a score of 2.83 + 1 + 1 + 1 = 5.8."""
    category = make.category(name="Data")
    member = make.user(display_name="Busy Bee", categories=[category])
    for day in range(1, 10):
        make.contribution(
            member,
            type=blog,
            contributed_on=date(2026, 6, day),
            primary_category=category,
            role="",
        )
    return member


def test_the_member_sees_their_meter_with_its_score_and_advice(client, login, busy):
    login(busy)
    page = text(client.get("/"))
    assert "Your eligibility meter" in page
    assert f"Impact score over the last 12 months: {round(H9 + 3, 1)}" in page
    assert "No contribution in 11 of the last 12 months: each month with one adds 1 point." in page
    assert (
        "7 of your 9 “Blog” contributions this month counted at 1/3 or less: spread them over "
        "the months or try another type." in page
    )
    assert "Data: no guidance yet." in page
    own = text(client.get(f"/members/{busy.id}"))
    assert "Your eligibility meter" in own and "5.8" in own


def test_the_meter_is_never_shown_to_others(client, login, make, busy):
    meter = f"/members/{busy.id}/meter"
    assert "eligibility meter" not in client.get(f"/members/{busy.id}").text.lower()
    assert client.get(meter).status_code == 302  # to the login page
    login(make.user())
    assert "eligibility meter" not in client.get(f"/members/{busy.id}").text.lower()
    assert client.get(meter).status_code == 403
    for viewer in (make.reviewer(), make.organizer()):
        login(viewer)
        assert meter in client.get(f"/members/{busy.id}").text
        page = text(client.get(meter))
        assert "Eligibility meter" in page and "Your eligibility meter" not in page
        assert "Impact score over the last 12 months: 5.8" in page
    login(busy)
    assert "Your eligibility meter" in text(client.get(meter))


def test_the_meter_compares_with_a_fixed_guidance(client, login, make, busy, db):
    organizer = make.organizer()
    login(organizer)
    category = busy.categories[0]
    response = client.post(
        f"/admin/impact-guidance/{category.id}", data={"mode": "fixed", "score": "20"}
    )
    assert response.status_code == 302
    login(busy)
    page = text(client.get("/"))
    assert "Data: 29% 5.8 of 20.0 (set by the organizers): 14.2 to go." in page


def test_fixed_guidance_needs_a_score_next_to_the_field(client, login, make):
    category = make.category()
    login(make.organizer())
    response = client.post(f"/admin/impact-guidance/{category.id}", data={"mode": "fixed"})
    assert response.status_code == 400
    assert 'id="score-error"' in response.text
    assert "Enter the score members should reach." in response.text


def test_median_awardee_guidance_scores_the_last_published_cycles_awardees(
    client, login, make, db, blog, today
):
    category = make.category(name="Cloud")
    past = make.cycle(
        status=CycleStatus.PUBLISHED,
        categories=[category],
        nominations_open_on=date(2025, 11, 1),
        nominations_close_on=date(2025, 12, 31),
        review_close_on=date(2026, 1, 31),
    )
    # Awardees with 1, 2 and 3 contributions in distinct months of the window, no reach:
    # each scores its work (1 each) + its months (1 each) + 1 type + 1 category: 4, 6, 8.
    for count in (1, 2, 3):
        member = make.user()
        for month in range(1, count + 1):
            make.contribution(
                member,
                type=blog,
                contributed_on=date(2025, month, 10),
                primary_category=category,
                role="",
            )
        make.award(make.nomination(past, member, status=NominationStatus.AWARDED))
    login(make.organizer())
    client.post(f"/admin/impact-guidance/{category.id}", data={"mode": "median_awardee"})
    assert db.get(ImpactGuidance, category.id).score == 6.0
    index = text(client.get("/admin/impact-guidance"))
    assert "Cloud Median awardee 6.0" in index


def test_an_award_holder_sees_how_their_renewal_looks(client, login, make, blog, today):
    member = make.user()
    published = make.cycle(
        status=CycleStatus.PUBLISHED,
        nominations_open_on=date(2025, 3, 1),
        nominations_close_on=date(2025, 4, 1),
        review_close_on=date(2025, 6, 30),
    )
    make.award(make.nomination(published, member, status=NominationStatus.AWARDED))
    login(member)
    page = text(client.get("/"))
    assert "The term runs from" in page
    assert "No contribution is dated in the term yet: without one, the renewal lapses." in page
    make.contribution(member, type=blog, contributed_on=date(2026, 2, 1), role="")
    page = text(client.get("/"))
    assert "1 contribution dated in the term so far will be the evidence of your renewal" in page


@pytest.fixture
def two_cycles(make, blog, today):
    """One nominee in two cycles in review with the same window: scored 1 + 1 + 1 + 1 = 4
    for one post (without reach) by default."""
    member = make.user(display_name="Nora")
    make.contribution(member, type=blog, contributed_on=date(2026, 3, 3), role="")
    cycles, nominations = [], []
    for name in ("Spring", "Autumn"):
        cycle = make.cycle(
            name=name,
            status=CycleStatus.IN_REVIEW,
            nominations_open_on=date(2026, 4, 1),
            nominations_close_on=date(2026, 5, 31),
            review_close_on=date(2026, 7, 31),
        )
        cycles.append(cycle)
        nominations.append(make.nomination(cycle, member, status=NominationStatus.IN_REVIEW))
    return cycles, nominations


def test_changing_a_cycles_settings_rescores_that_cycle_only(
    client, login, make, db, blog, two_cycles
):
    (spring, autumn), (in_spring, in_autumn) = two_cycles
    for cycle in (spring, autumn):
        services.score_cycle(db, cycle)
    db.refresh(in_spring), db.refresh(in_autumn)
    assert (in_spring.impact_score, in_autumn.impact_score) == (4.0, 4.0)
    login(make.organizer())
    page = client.get(f"/cycles/{spring.id}/impact")
    assert page.status_code == 200 and 'name="month_points"' in page.text
    response = client.post(
        f"/cycles/{spring.id}/impact",
        data={
            "reach_weight": "0.5",
            "type_cap": "25",
            "month_points": "5",
            "type_points": "1",
            "category_points": "1",
            "endorsement_points": "2",
            f"type_{blog.id}": "2",
        },
    )
    assert response.status_code == 302, response.text
    db.refresh(in_spring), db.refresh(in_autumn)
    # Spring: the post counts 2 points, its month 5: 2 + 5 + 1 + 1 = 9. Autumn keeps 4.
    assert (in_spring.impact_score, in_autumn.impact_score) == (9.0, 4.0)
    assert db.get(ImpactSettings, spring.id).type_weights == {str(blog.id): 2.0}
    assert db.get(ImpactSettings, autumn.id) is None


def test_settings_errors_are_shown_next_to_the_field(client, login, make, db, two_cycles):
    (spring, _), _ = two_cycles
    login(make.organizer())
    response = client.post(
        f"/cycles/{spring.id}/impact",
        data={
            "reach_weight": "lots",
            "type_cap": "0",
            "month_points": "1",
            "type_points": "1",
            "category_points": "1",
            "endorsement_points": "1",
        },
    )
    assert response.status_code == 400
    assert 'id="reach_weight-error"' in response.text
    assert "Enter a number, such as 1 or 2.5." in response.text
    assert (
        'id="type_cap-error"' in response.text
        and "Enter a number from 1 to 10000." in response.text
    )
    assert db.get(ImpactSettings, spring.id) is None


def test_settings_pages_are_for_organizers_only(client, login, make, two_cycles):
    (spring, _), _ = two_cycles
    urls = [f"/cycles/{spring.id}/impact", "/admin/impact-guidance"]
    for url in urls:
        assert client.get(url).status_code == 302
    for user in (make.user(), make.reviewer()):
        login(user)
        for url in urls:
            assert client.get(url).status_code == 403
    login(make.organizer())
    for url in urls:
        assert client.get(url).status_code == 200


def test_reviewers_see_the_score_breakdown_and_percentile(
    client, login, make, db, two_cycles, blog
):
    (spring, _), (in_spring, _) = two_cycles
    # A second nominee with nothing in the window: scored 0.
    idle = make.nomination(
        spring, make.user(display_name="Idle"), status=NominationStatus.IN_REVIEW
    )
    services.score_cycle(db, spring)
    db.refresh(in_spring), db.refresh(idle)
    assert (in_spring.impact_score, in_spring.impact_percentile) == (4.0, 100)
    assert (idle.impact_score, idle.impact_percentile) == (0.0, 50)
    organizer = login(make.organizer())
    review = text(client.get(f"/cycles/{spring.id}/nominations/{in_spring.id}/review"))
    assert "Impact score 4.0, higher than or equal to 100% of this cycle's nominees" in review
    # The look-back window, 31 May 2025 to 31 May 2026, touches 13 calendar months.
    assert "Consistency 1 of 13 months active × 1 1.0" in review
    dashboard = client.get(f"/cycles/{spring.id}/dashboard?sort=impact&order=desc").text
    assert dashboard.index("Nora") < dashboard.index("Idle")
    ascending = client.get(f"/cycles/{spring.id}/dashboard?sort=impact&order=asc").text
    assert ascending.index("Idle") < ascending.index("Nora")
    assert organizer
    csv_text = client.get(f"/cycles/{spring.id}/export.csv").text
    assert "Impact score,Impact percentile" in csv_text.splitlines()[0]
    assert csv_text.count(",4.0,100") == 1


def test_the_meter_uses_the_open_cycles_window_and_settings(client, login, make, db, blog, today):
    member = make.user()
    make.contribution(member, type=blog, contributed_on=date(2025, 9, 1), role="")
    make.contribution(member, type=blog, contributed_on=date(2026, 5, 1), role="")
    cycle = make.cycle(
        name="Summer",
        nominations_open_on=date(2026, 6, 1),
        nominations_close_on=date(2026, 6, 30),
        review_close_on=date(2026, 7, 31),
        lookback_months=6,
    )
    db.add(
        ImpactSettings(
            cycle_id=cycle.id,
            reach_weight=0.5,
            type_cap=25,
            month_points=4,
            type_points=1,
            category_points=1,
            endorsement_points=2,
            type_weights={},
        )
    )
    db.flush()
    login(member)
    page = text(client.get("/"))
    # 31 Dec 2025 to today: the May post only; 1 + 4 (its month) + 1 + 1 = 7.
    assert "Impact score over the look-back window of Summer: 7.0" in page


def test_endorsements_count_as_the_integrity_scan_weighs_them(client, login, make, db, busy):
    """Four endorsements add 2 x sqrt(4) = 4 points; once the integrity scan finds that
    only one of the four endorsers counts (effective 1 of 4 distinct), they count as one
    endorsement: 2 x sqrt(1) = 2 points."""
    from nominee.contributions.models import Contribution
    from nominee.integrity.models import IntegrityResult, IntegrityScan

    work = db.query(Contribution).filter_by(owner_id=busy.id).first()
    for _ in range(4):
        make.endorsement(work)
    login(busy)
    assert f"Impact score over the last 12 months: {round(H9 + 3 + 4, 1)}" in text(client.get("/"))
    scan = IntegrityScan(since=date(2025, 6, 15), until=TODAY, finished_at=None)
    db.add(scan)
    db.flush()
    db.add(
        IntegrityResult(
            user_id=busy.id,
            scan_id=scan.id,
            flagged=True,
            score=0.9,
            received=4,
            distinct_endorsers=4,
            effective_endorsers=1.0,
        )
    )
    db.flush()
    assert f"Impact score over the last 12 months: {round(H9 + 3 + 2, 1)}" in text(client.get("/"))


def test_the_meter_counts_only_the_windows_work_and_endorsements(client, login, make, busy, blog):
    """Work of three years ago, and the endorsements it drew, count for nothing in the
    rolling 12 months: the score stays that of this month's nine posts."""
    old = make.contribution(busy, type=blog, contributed_on=date(2023, 6, 1), role="")
    for _ in range(9):
        make.endorsement(old)
    login(busy)
    assert f"Impact score over the last 12 months: {round(H9 + 3, 1)}" in text(client.get("/"))
