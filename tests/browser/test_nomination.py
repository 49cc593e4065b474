"""Journey 2: a member nominates a peer; the peer logs in, sees the notification, and
accepts with evidence picked from their own contributions."""

from __future__ import annotations

import re
from datetime import date, timedelta

from playwright.sync_api import expect

TODAY = date.today()
STATEMENT = (
    "Priya has run the Lisbon PostgreSQL meetup every month this year, answers questions "
    "on the forum with patience, and wrote the migration guide half the community uses."
)
EVIDENCE = (
    "Scaling PostgreSQL at the Lisbon meetup",
    "A migration guide from MySQL",
    "Forum answers on query planning",
)


def seed_cycle_and_peer(site) -> None:
    """An open cycle, the member who nominates, and a peer with work inside its window."""
    from nominee.contributions.models import ContributionType

    with site.seed() as make:
        category = make.category(name="Data Platform", slug="data-platform")
        make.cycle(name="Community Awards 2025", categories=[category])
        make.user(display_name="Nina Nominator", email="nina@example.org")
        priya = make.user(display_name="Priya Raman", email="priya@example.org")
        kinds = {t.name: t for t in make.session.query(ContributionType)}
        for title, kind, days_ago, figures in (
            (EVIDENCE[0], "Talk at a local event", 40, (1, 80)),
            (EVIDENCE[1], "Blog post", 75, (1, 2400)),
            (EVIDENCE[2], "Forum answers", 12, (35, 5000)),
            ("An older talk nobody needs to see", "Talk at a local event", 90, (1, 20)),
        ):
            make.contribution(
                owner=priya,
                type=kinds[kind],
                role=kinds[kind].roles[0] if kinds[kind].roles else None,
                primary_category=category,
                title=title,
                contributed_on=TODAY - timedelta(days=days_ago),
                quantity=figures[0],
                audience=figures[1],
            )


def test_member_nominates_a_peer_who_accepts_with_evidence(site, visit):
    seed_cycle_and_peer(site)

    # Nina finds the open cycle and nominates Priya.
    nina = visit("Nina")
    page = nina.page
    nina.open(site.url + "/")
    nina.log_in("nina@example.org")
    main_nav = page.get_by_role("navigation", name="Main")
    nina.follow(main_nav.get_by_role("link", name="Cycles"))
    nina.follow(page.get_by_role("link", name="Community Awards 2025"))
    nina.follow(page.get_by_role("link", name="Nominate yourself or a peer"))
    page.get_by_label("Member's name").fill("priya")
    nina.follow(page.get_by_role("button", name="Search"))
    nina.follow(page.get_by_role("link", name="Nominate Priya Raman"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Nominate Priya Raman in Community Awards 2025"
    )
    page.get_by_label("Category").select_option(label="Data Platform")
    page.get_by_label("Statement").fill(STATEMENT)
    nina.shoot("nominate-peer")
    nina.follow(page.get_by_role("button", name="Nominate", exact=True))
    expect(page.get_by_role("status")).to_contain_text("Priya Raman is nominated and notified")
    expect(page.get_by_role("heading", level=1)).to_have_text("Priya Raman for Data Platform")
    expect(page.get_by_text("Awaiting acceptance").first).to_be_visible()
    expect(page.get_by_text("The nominee picks the evidence when accepting")).to_be_visible()

    # Priya sees the unread notification in the header and follows it.
    priya = visit("Priya")
    page = priya.page
    priya.open(site.url + "/")
    priya.log_in("priya@example.org")
    bell = page.get_by_role("link", name=re.compile(r"^Notifications 1 unread$"))
    expect(bell).to_be_visible()
    priya.follow(bell)
    notice = page.get_by_role(
        "button", name=re.compile("Nina Nominator nominated you for Data Platform")
    )
    expect(notice).to_be_visible()
    priya.shoot("notifications")
    priya.follow(notice)
    expect(page.get_by_role("heading", level=1)).to_have_text("Priya Raman for Data Platform")
    expect(page.get_by_role("link", name=re.compile(r"^Notifications"))).to_have_text(
        "Notifications"
    )

    # She accepts, with three of her contributions as evidence.
    priya.follow(page.get_by_role("link", name="Accept the nomination for Data Platform"))
    expect(page.get_by_text(STATEMENT)).to_be_visible()
    for title in EVIDENCE:
        page.get_by_role("checkbox", name=re.compile(re.escape(title))).check()
    page.get_by_label("Your own statement (optional)").fill(
        "Thank you, Nina. The meetup is a team effort; these are the pieces I am proudest "
        "of, and the forum answers are where most of my evenings went this year."
    )
    priya.shoot("accept-nomination")
    priya.follow(page.get_by_role("button", name="Accept and submit"))
    expect(page.get_by_role("status")).to_contain_text("You accepted the nomination")
    expect(page.locator(".status").first).to_have_text("Submitted")
    evidence = page.get_by_role("table", name="Evidence")
    for title in EVIDENCE:
        expect(evidence.get_by_role("cell", name=title)).to_be_visible()
    expect(evidence).not_to_contain_text("An older talk nobody needs to see")
    expect(page.get_by_role("heading", name="By Priya Raman")).to_be_visible()
    priya.shoot("nomination-submitted")

    # Listed as submitted in her nominations, and Nina hears of it.
    priya.follow(
        page.get_by_role("navigation", name="Main").get_by_role("link", name="My nominations")
    )
    expect(page.get_by_role("main")).to_contain_text("Submitted")
    page = nina.page
    nina.follow(page.get_by_role("link", name=re.compile(r"^Nominee$")))
    bell = page.get_by_role("link", name=re.compile(r"^Notifications 1 unread$"))
    nina.follow(bell)
    expect(page.get_by_role("main")).to_contain_text("Priya Raman accepted")
