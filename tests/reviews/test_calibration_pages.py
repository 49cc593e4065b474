"""Calibrated scores on the dashboard and the reviewers' calibration page."""

from __future__ import annotations

import re

import pytest

from nominee.nominations.models import NominationStatus
from nominee.reviews.queries.calibration import cycle_calibration, fingerprint
from tests.queries import count_queries
from tests.reviews.panels import score, split_panel
from tests.reviews.test_dashboard import order

# Calibrated order of the split panel (see tests/reviews/panels.py), best first: each
# level before the level below, whoever reviewed it.
CALIBRATED = ["L4", "H4", "L3", "H3", "shared", "L2", "H2", "L1", "H1"]


@pytest.fixture
def panel(make, db, cycle):
    return split_panel(make, db, cycle)


@pytest.fixture
def dashboard(client, cycle):
    def get(**args):
        return client.get(f"/cycles/{cycle.id}/dashboard", query_string=args)

    return get


def cells(response, nomination_id: int) -> list[str]:
    """The text of the cells of a nomination's row."""
    row = re.search(
        rf'<tr>(?:(?!</tr>).)*?/nominations/{nomination_id}/review"(?:(?!</tr>).)*</tr>',
        response.text,
        re.S,
    )
    assert row, f"no row for {nomination_id}"
    return [
        re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row[0], re.S)
    ]


def test_organizer_sees_both_scores_and_the_rank_band(login, make, panel, dashboard):
    login(make.organizer())
    page = dashboard()
    assert page.status_code == 200
    assert ">Raw score" in page.text and ">Calibrated" in page.text and "Rank" in page.text
    assert "Both scores are shown" in page.text
    row = cells(page, panel.id("H4"))
    assert "4.00" in row and "4.54" in row and "2 (2)" in row
    assert "3.00" in cells(page, panel.id("shared")) and "5 (3–6)" in cells(
        page, panel.id("shared")
    )


def test_sort_by_calibrated_or_raw_and_the_page_says_which(login, make, panel, dashboard):
    login(make.organizer())
    by_calibrated = dashboard(sort="calibrated", order="desc")
    assert order(by_calibrated) == panel.ids(*CALIBRATED)
    assert "Sorted by calibrated score, descending" in by_calibrated.text
    assert 'aria-sort="descending"' in by_calibrated.text
    ascending = dashboard(sort="calibrated", order="asc")
    assert order(ascending) == panel.ids(*reversed(CALIBRATED))
    # Raw, H4 ties with L3 (both 4.00) and the received order breaks the tie.
    by_raw = dashboard(sort="score", order="desc")
    assert "Sorted by weighted mean score, descending" in by_raw.text
    assert order(by_raw)[:3] == panel.ids("L4", "L3", "H4")


def test_filter_by_either_score(login, make, panel, dashboard):
    login(make.organizer())
    raw = dashboard(min_score="4", basis="raw")
    assert sorted(order(raw)) == sorted(panel.ids("H4", "L3", "L4"))
    assert "whose raw weighted mean is at least 4.00" in raw.text
    calibrated = dashboard(min_score="4", basis="calibrated", sort="calibrated", order="desc")
    assert order(calibrated) == panel.ids("L4", "H4")
    assert "whose calibrated score is at least 4.00" in calibrated.text
    # With another sort, the calibrated filter keeps that order.
    assert order(dashboard(min_score="3.4", basis="calibrated", sort="nominee")) == panel.ids(
        "H3", "H4", "L3", "L4"
    )
    # Nonsense is ignored, not an error.
    assert dashboard(min_score="x", basis="nope").status_code == 200


def test_pages_of_a_calibrated_sort(login, make, panel, dashboard, app):
    app.config["PER_PAGE"] = 4
    login(make.organizer())
    assert order(dashboard(sort="calibrated", order="desc", page="2")) == panel.ids(
        *CALIBRATED[4:8]
    )
    assert order(dashboard(sort="calibrated", order="desc", page="9")) == panel.ids(CALIBRATED[8])


def test_reviewers_see_no_calibration(login, make, cycle, panel, dashboard):
    login(panel.harsh)
    page = dashboard(sort="calibrated", order="desc")
    assert page.status_code == 200
    assert ">Calibrated" not in page.text and 'value="calibrated"' not in page.text
    assert "Both scores are shown" not in page.text
    # The sort falls back to the received order (descending, as asked).
    assert order(page) == sorted(order(page), reverse=True)
    # Nor does a calibrated filter narrow anything: it reads the raw mean (blinded).
    assert dashboard(min_score="4", basis="calibrated").status_code == 200


def test_calibration_page_explains_each_reviewer(login, make, cycle, panel, client):
    login(make.organizer())
    page = client.get(f"/cycles/{cycle.id}/calibration")
    assert page.status_code == 200
    assert "Reviewer calibration" in page.text
    assert "10 scored reviews" in page.text
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.text))
    assert "Hana Harsh" in text and "Leo Lenient" in text
    assert "Scores 2.0 points below the panel on average." in text
    assert "Scores 2.0 points above the panel on average." in text
    assert "Agrees with the panel on 1 of 1 recommendation." in text
    assert "5 scored reviews: their scores are 62% calibrated, 38% taken as given." in text
    assert "-2.00" in text and "+2.00" in text
    # Linked from the dashboard's navigation, and back.
    assert (
        f'href="/cycles/{cycle.id}/calibration"' in client.get(f"/cycles/{cycle.id}/dashboard").text
    )
    assert f"/cycles/{cycle.id}/dashboard?sort=calibrated" in page.text


def test_calibration_page_is_for_organizers(login, make, cycle, panel, client):
    login(panel.harsh)
    assert client.get(f"/cycles/{cycle.id}/calibration").status_code == 403


def test_an_empty_cycle(login, make, cycle, client, dashboard):
    login(make.organizer())
    page = client.get(f"/cycles/{cycle.id}/calibration")
    assert "No review is submitted in this cycle yet." in page.text
    assert dashboard(sort="calibrated").status_code == 200


def test_a_new_review_is_counted_at_once(login, make, db, cycle, panel, client):
    login(make.organizer())
    assert "10 scored reviews" in client.get(f"/cycles/{cycle.id}/calibration").text
    score(make, db, panel.nominations["H1"], panel.lenient, 5)
    assert "11 scored reviews" in client.get(f"/cycles/{cycle.id}/calibration").text


def test_the_calibration_is_computed_once_while_the_reviews_stay(
    make, db, connection, cycle, panel
):
    first = cycle_calibration(db, cycle.id)
    with count_queries(connection) as statements:
        again = cycle_calibration(db, cycle.id)
    assert again is first
    assert len(statements) == 1  # the fingerprint alone
    key = fingerprint(db, cycle.id)
    score(make, db, panel.nominations["L1"], panel.harsh, 1)
    assert fingerprint(db, cycle.id) != key
    assert cycle_calibration(db, cycle.id) is not first


def test_the_dashboard_reads_a_new_review_through_its_cached_calibration(
    login, make, db, panel, dashboard
):
    """The dashboard's fingerprint is read off the nominations' counters (its progress
    query): a review submitted after the calibration was cached changes the page."""
    login(make.organizer())
    # L4's raw score stays; its calibrated score moves with its reviewer's figures.
    before = cells(dashboard(sort="calibrated", order="desc"), panel.id("L4"))
    assert cells(dashboard(sort="calibrated", order="desc"), panel.id("L4")) == before
    score(make, db, panel.nominations["H1"], panel.lenient, 5)
    after = cells(dashboard(sort="calibrated", order="desc"), panel.id("L4"))
    assert after != before
    assert "5.00" in before and "5.00" in after  # the raw score


def test_a_conflicted_organizer_gets_figures_without_her_nomination(
    login, make, db, cycle, panel, client, dashboard
):
    organizer = make.organizer(display_name="Olga Organizer")
    own = make.nomination(cycle, organizer, status=NominationStatus.IN_REVIEW)
    score(make, db, own, panel.harsh, 5)
    login(organizer)
    page = client.get(f"/cycles/{cycle.id}/calibration")
    assert "1 nomination you are conflicted on is left out of these figures." in page.text
    assert "10 scored reviews" in page.text
    assert order(dashboard(sort="calibrated", order="desc")) == panel.ids(*CALIBRATED)


@pytest.mark.parametrize("value", ["sNaN", "NaN", "inf", "1e400", "5" * 400, "-5", "²"])
def test_odd_scores_and_counts_are_ignored(login, make, panel, dashboard, value):
    login(make.organizer())
    assert dashboard(min_score=value, basis="calibrated").status_code == 200
    assert dashboard(select="top", top=value).status_code == 200
