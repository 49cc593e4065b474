"""The review dashboard: progress, filters, sorts, pagination, blindness, query budget."""

from __future__ import annotations

import re

import pytest

from nominee.nominations.models import NominationKind, NominationStatus
from nominee.reviews.models import ReviewStatus
from tests.queries import count_queries
from tests.reviews.test_conflicts import endorse


def order(response) -> list[int]:
    """Nomination ids in the order the queue lists them."""
    row = r'<th scope="row"><a href="/cycles/\d+/nominations/(\d+)/review"'
    return [int(i) for i in re.findall(row, response.text)]


@pytest.fixture
def dashboard(client, cycle):
    def get(**args):
        return client.get(f"/cycles/{cycle.id}/dashboard", query_string=args)

    return get


def test_progress_counts_reviews_submitted_of_reviews_needed(
    login, make, cycle, in_review, dashboard
):
    tools, data = cycle.categories
    in_review(category=tools, reviews_submitted=2)
    in_review(category=tools, reviews_submitted=4)  # more than K counts as K
    in_review(category=tools)
    in_review(category=data, reviews_submitted=1)
    make.nomination(cycle, status=NominationStatus.WITHDRAWN)  # never reached the panel
    login(make.organizer())
    page = dashboard()
    assert page.status_code == 200
    assert "5 of 9" in page.text  # Developer Tools: 3 nominations x 3 reviews
    assert "1 of 3" in page.text  # Data Platform
    assert "6 of 12 (50%)" in page.text


def test_my_progress_and_status_columns(login, make, cycle, in_review, appointed, dashboard):
    me = appointed()
    done, drafting, untouched = in_review(), in_review(), in_review()
    for nomination in (done, drafting, untouched):
        make.assignment(nomination, me)
    make.review(done, me, scores=[3, 3, 3, 3])
    make.review(drafting, me, status=ReviewStatus.DRAFT)
    login(me)
    page = dashboard()
    assert "1 of 3 assigned" in page.text
    assert page.text.count("rv-tag rv-done") == 1
    assert page.text.count("rv-tag rv-draft") == 1
    assert page.text.count("Not started") == 1


def test_filters(login, make, cycle, in_review, appointed, dashboard):
    tools, data = cycle.categories
    me = appointed()
    mine_done = in_review(category=tools, disagreement=True)
    mine_open = in_review(category=tools)
    other_data = in_review(category=data, disagreement=True)
    awarded = in_review(category=data, status=NominationStatus.AWARDED)
    make.assignment(mine_done, me)
    make.assignment(mine_open, me)
    make.review(mine_done, me, scores=[1, 1, 1, 1])
    login(me)
    everything = [mine_done.id, mine_open.id, other_data.id, awarded.id]
    assert order(dashboard()) == everything
    assert order(dashboard(category=data.id)) == [other_data.id, awarded.id]
    # Before publishing a reviewer filters on no decision (tests/reviews/test_decisions_hidden.py).
    assert order(dashboard(status="awarded")) == everything
    assert order(dashboard(mine="y")) == [mine_done.id, mine_open.id]
    assert order(dashboard(unreviewed="y")) == [mine_open.id, other_data.id, awarded.id]
    assert order(dashboard(mine="y", unreviewed="y")) == [mine_open.id]
    # A reviewer filters on disagreement only where they may see it.
    assert order(dashboard(disagreement="y")) == [mine_done.id]
    login(make.organizer())
    assert order(dashboard(disagreement="y")) == [mine_done.id, other_data.id]


def test_invalid_filter_values_fall_back_to_defaults(login, make, in_review, dashboard):
    first, second = in_review(), in_review()
    login(make.organizer())
    for args in (
        {"sort": "id; DROP TABLE nominations"},
        {"order": "sideways"},
        {"category": "x"},
        {"status": "nope"},
        {"page": "-3"},
    ):
        response = dashboard(**args)
        assert response.status_code == 200, args
        assert order(response) == [first.id, second.id], args


def test_sort_by_counts_and_scores_with_a_stable_tiebreak(login, make, in_review, dashboard):
    a = in_review(evidence_count=3, distinct_endorsers=9, score_mean=4.5, recommend_award=2)
    b = in_review(evidence_count=7, distinct_endorsers=2, score_mean=None)
    c = in_review(evidence_count=3, distinct_endorsers=5, score_mean=2.0, recommend_award=0)
    login(make.organizer())
    assert order(dashboard(sort="evidence", order="desc")) == [b.id, c.id, a.id]
    assert order(dashboard(sort="evidence", order="asc")) == [a.id, c.id, b.id]
    assert order(dashboard(sort="endorsers", order="desc")) == [a.id, c.id, b.id]
    # Unscored nominations come last either way.
    assert order(dashboard(sort="score", order="desc")) == [a.id, c.id, b.id]
    assert order(dashboard(sort="score", order="asc")) == [c.id, a.id, b.id]
    assert order(dashboard(sort="award", order="desc")) == [a.id, c.id, b.id]


def test_sort_by_nominee_name_and_kind_flags(login, make, in_review, dashboard):
    zoe = in_review(make.user(display_name="zoe"))
    adam = in_review(make.user(display_name="Adam"), kind=NominationKind.RENEWAL, no_activity=True)
    login(make.organizer())
    page = dashboard(sort="nominee")
    assert order(page) == [adam.id, zoe.id]
    assert "Renewal" in page.text and "No activity" in page.text
    assert 'aria-sort="ascending"' in page.text


def test_reviewers_see_scores_only_after_their_own_review_and_sorting_does_not_leak(
    login, make, in_review, appointed, dashboard
):
    me = appointed()
    first = in_review(score_mean=5.0, reviews_submitted=3, recommend_award=3)
    mine = in_review(score_mean=2.0, reviews_submitted=3, recommend_decline=3)
    last = in_review(score_mean=1.0, reviews_submitted=3)
    make.review(mine, me, scores=[2, 2, 2, 2])
    login(me)
    page = dashboard(sort="score", order="desc")
    assert "2.00" in page.text
    assert "5.00" not in page.text and "1.00" not in page.text
    assert page.text.count("Hidden until you submit your review") == 2
    # Mine first (the only score I may see), then the others by id, not by their scores.
    assert order(page) == [mine.id, last.id, first.id]
    assert order(dashboard(sort="score", order="asc")) == [mine.id, first.id, last.id]
    login(make.organizer())
    assert order(dashboard(sort="score", order="desc")) == [first.id, mine.id, last.id]


def test_reviewers_appointed_for_one_category_see_only_it(
    login, make, cycle, in_review, appointed, dashboard
):
    tools, data = cycle.categories
    me = appointed(category=data)
    in_review(category=tools)
    on_data = in_review(category=data)
    login(me)
    page = dashboard()
    assert order(page) == [on_data.id]
    assert "Developer Tools" not in page.text


def test_pagination_keeps_filters_and_sort(login, make, cycle, in_review, dashboard):
    tools, _ = cycle.categories
    nominations = [in_review(category=tools, evidence_count=i) for i in range(30)]
    login(make.organizer())
    first = dashboard(category=tools.id, sort="evidence", order="desc")
    assert order(first) == [n.id for n in reversed(nominations)][:25]
    assert "Page 1 of 2 (30 in all)" in first.text
    link = re.search(r'href="([^"]+)" rel="next"', first.text).group(1).replace("&amp;", "&")
    assert f"category={tools.id}" in link and "sort=evidence" in link and "order=desc" in link
    second = dashboard(category=tools.id, sort="evidence", order="desc", page=2)
    assert order(second) == [n.id for n in reversed(nominations)][25:]


@pytest.mark.parametrize("role", ["organizer", "reviewer"])
def test_the_dashboard_runs_the_same_few_queries_at_any_size(
    role, client, login, make, connection, cycle, in_review, appointed, dashboard
):
    viewer = make.organizer() if role == "organizer" else appointed()
    colleague = appointed()
    tools, data = cycle.categories

    def add(count):
        for i in range(count):
            nomination = in_review(category=(tools, data)[i % 2], evidence_count=i)
            make.assignment(nomination, viewer)
            make.review(nomination, colleague, scores=[3, 4, 5, 2])
            if i % 2:
                make.review(nomination, viewer, scores=[4, 4, 4, 4])
            endorse(make, make.user(), nomination.nominee)
        endorse(make, viewer, make.user())  # an endorsement that conflicts with nobody

    login(viewer)
    client.get("/")  # the programme's settings are read once, then kept (shared cache)
    add(5)
    requests = [
        {},
        {"sort": "score", "order": "desc"},
        {"mine": "y", "unreviewed": "y", "category": tools.id},
        {"disagreement": "y", "sort": "nominee", "page": "2"},
        {"sort": "award", "order": "asc", "unreviewed": "y", "page": "2"},
        {"min_score": "3", "basis": "calibrated"},
    ]
    counts = {}
    for size, extra in (("small", 0), ("large", 25)):
        add(extra)
        counts[size] = []
        for args in requests:
            with count_queries(connection) as statements:
                assert dashboard(**args).status_code == 200
            counts[size].append(len(statements))
    assert counts["small"] == counts["large"]
    assert max(counts["large"]) <= 10, counts


def test_the_review_page_runs_the_same_few_queries_at_any_size(
    client, login, make, connection, cycle, in_review, appointed
):
    from nominee.cycles.models import CycleStatus

    me = appointed()

    def nomination_with(size):
        nominee = make.user()
        nomination = in_review(nominee)
        contributions = [make.contribution(nominee) for _ in range(size)]
        make.evidence(nomination, contributions)
        for contribution in contributions:
            make.endorsement(contribution, make.user())
        endorse(make, nominee, make.user())
        for _ in range(size // 3):
            make.review(nomination, make.reviewer(), scores=[3, 3, 3, 3])
            past = make.cycle(status=CycleStatus.PUBLISHED)
            make.award(make.nomination(past, nominee, status=NominationStatus.AWARDED))
        make.review(nomination, me, scores=[4, 4, 4, 4])
        return nomination

    login(me)
    client.get("/")  # the programme's settings are read once, then kept
    counts = []
    for nomination in (nomination_with(1), nomination_with(12)):
        with count_queries(connection) as statements:
            page = client.get(f"/cycles/{cycle.id}/nominations/{nomination.id}/review")
            assert page.status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1]
    assert counts[1] <= 10, counts


def test_the_dashboard_and_decisions_name_kinds_alike(
    client, login, make, cycle, in_review, dashboard
):
    """Issue 20: the dashboard said New/Renewal where the decisions page said Self/Peer."""
    in_review(kind=NominationKind.SELF)
    in_review(kind=NominationKind.PEER)
    login(make.organizer())
    for page in (dashboard().text, client.get(f"/cycles/{cycle.id}/decisions").text):
        cells = re.findall(r"<td>\s*(Self|Peer|Renewal|New)\b", page)
        assert sorted(cells) == ["Peer", "Self"], cells


def test_the_kept_filter_form_and_headers_follow_each_request(
    login, make, cycle, in_review, db, dashboard, client
):
    """The filter fields and the header row are kept as HTML (``reviews.views._kept_html``)
    under all they show: each request still gets its own values, words and links."""
    tools, _ = cycle.categories
    in_review(category=tools)
    login(make.organizer())
    by_evidence = dashboard(sort="evidence", order="desc").text
    by_score = dashboard(sort="score", order="asc", category=tools.id).text
    assert '<option selected value="evidence">' in by_evidence
    assert '<option selected value="score">' in by_score
    assert f'<option selected value="{tools.id}">' in by_score
    assert 'aria-sort="descending"' in by_evidence and 'aria-sort="ascending"' in by_score
    # The links carry the request's other filters, each column its own order.
    assert f"sort=nominee&amp;order=asc&amp;category={tools.id}&amp;page=1" in by_score
    assert f"sort=score&amp;order=desc&amp;category={tools.id}&amp;page=1" in by_score
    assert "sort=evidence&amp;order=asc&amp;page=1" in by_evidence
    tools.name = "Renamed tools"
    db.flush()
    assert "Renamed tools</option>" in dashboard(sort="evidence", order="desc").text
    spanish = client.get(
        f"/cycles/{cycle.id}/dashboard?sort=evidence&order=desc",
        headers={"Accept-Language": "es"},
    ).text
    assert "Ordenar por" in spanish and "Sort by" not in spanish
