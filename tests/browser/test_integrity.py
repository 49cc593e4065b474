"""Journey: a reviewer filters the dashboard to flagged nominees, opens one, and reads
the "Endorsement integrity" section (signals, figures, accounts) before scoring."""

from __future__ import annotations

import random
import re
from datetime import UTC, date, datetime, time, timedelta

from playwright.sync_api import expect

from nominee.cycles.models import CycleStatus
from nominee.integrity import services
from nominee.nominations.models import NominationStatus

TODAY = date.today()
CYCLE = "Community Awards 2026"
RING = ("Rex Ring", "Rosa Ring", "Ravi Ring", "Runa Ring")


def seed_ring(site) -> None:
    """A cycle in review; 30 organic members endorsing each other now and then; a ring of
    four who endorse each other's every contribution; Rex (of the ring) and an organic
    member nominated; Rita appointed; a scan."""
    rng = random.Random(5)
    with site.seed() as make:
        category = make.category(name="Data Platform", slug="data-platform")
        cycle = make.cycle(
            name=CYCLE,
            status=CycleStatus.IN_REVIEW,
            categories=[category],
            nominations_open_on=TODAY - timedelta(days=60),
            nominations_close_on=TODAY - timedelta(days=5),
            review_close_on=TODAY + timedelta(days=20),
        )
        crowd = [make.user(display_name=f"Member {k}") for k in range(30)]
        ring = [make.user(display_name=name) for name in RING]
        work = {m.id: [make.contribution(m, primary_category=category)] for m in crowd + ring}
        for m in ring:
            work[m.id].append(make.contribution(m, primary_category=category))

        def when() -> datetime:
            day = TODAY - timedelta(days=rng.randrange(10, 200))
            return datetime.combine(day, time(15), UTC)

        for r in crowd:
            for e in rng.sample([m for m in crowd if m is not r], 3):
                make.endorsement(work[r.id][0], e, created_at=when())
        for a in ring:
            for b in ring:
                if a is not b:
                    for contribution in work[b.id]:
                        make.endorsement(contribution, a, created_at=when())
            make.endorsement(work[a.id][0], crowd[0], created_at=when())
        make.nomination(cycle, ring[0], category=category, status=NominationStatus.IN_REVIEW)
        make.nomination(cycle, crowd[3], category=category, status=NominationStatus.IN_REVIEW)
        rita = make.reviewer(display_name="Rita Reviewer", email="rita@example.org")
        make.appointment(cycle, rita)
        make.session.flush()
        services.scan(make.session)


def test_reviewer_reads_the_integrity_section_of_a_flagged_nominee(site, visit):
    seed_ring(site)
    rita = visit("Rita")
    page = rita.page
    rita.open(site.url + "/")
    rita.log_in("rita@example.org")
    rita.follow(page.get_by_role("navigation", name="Main").get_by_role("link", name="Review"))
    rita.follow(page.get_by_role("link", name=f"Dashboard of {CYCLE}"))
    queue = page.get_by_role("table", name=re.compile("^Nominations"))
    expect(queue.get_by_role("columnheader", name="Effective endorsers")).to_be_visible()
    expect(queue).to_contain_text("Member 3")

    # Only the flagged ones.
    page.get_by_label("Integrity flagged").check()
    rita.follow(page.get_by_role("button", name="Apply"))
    queue = page.get_by_role("table", name=re.compile("^Nominations"))
    expect(queue).not_to_contain_text("Member 3")
    expect(queue.get_by_text("Flagged")).to_be_visible()
    rita.shoot("integrity-dashboard")

    rita.follow(queue.get_by_role("link", name="Rex Ring"))
    section = page.get_by_role("region", name="Endorsement integrity")
    expect(section).to_contain_text("effective endorsers")
    expect(section).to_contain_text("Flagged")
    expect(section).to_contain_text("Closed group")
    expect(section).to_contain_text("belong to a group of 4 members")
    for name in RING[1:]:
        expect(section.get_by_role("link", name=re.compile(name)).first).to_be_visible()
    # The section comes before the scoring form.
    headings = page.get_by_role("heading", level=2).all_inner_texts()
    assert headings.index("Endorsement integrity") < headings.index("Your review")
    rita.shoot("integrity-review")
