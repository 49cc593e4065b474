"""Journey: a visitor, not logged in, finds an awardee in the public directory by
category and name, opens the award's page and downloads its credential; a member makes
their profile private and the directory leaves them out."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

from playwright.sync_api import expect

TODAY = date.today()
CYCLE = "Community Awards 2026"
AWARDEES = (
    # name, email, category, country
    ("Priya Raman", "priya@example.org", "Data Platform", "PT"),
    ("Priya Nair", "nair@example.org", "Web", "IN"),
    ("Marco Rossi", "marco@example.org", "Data Platform", "IT"),
    ("Amara Okafor", "amara@example.org", "Web", "NG"),
    ("Hedy Lamarr", "hedy@example.org", "Data Platform", "AT"),
)


def seed_awardees(site) -> None:
    """A published cycle in two categories and its awardees in five countries."""
    from nominee.cycles.models import CycleStatus

    with site.seed() as make:
        categories = {
            name: make.category(name=name, slug=name.lower().replace(" ", "-"))
            for name in ("Data Platform", "Web")
        }
        cycle = make.cycle(
            name=CYCLE,
            status=CycleStatus.PUBLISHED,
            categories=list(categories.values()),
            nominations_open_on=TODAY - timedelta(days=120),
            nominations_close_on=TODAY - timedelta(days=90),
            review_close_on=TODAY - timedelta(days=60),
        )
        for name, email, category, country in AWARDEES:
            member = make.user(display_name=name, email=email, country=country)
            make.award(member=member, cycle=cycle, category_id=categories[category].id)


def test_visitor_finds_an_awardee_by_category_and_name(site, visit):
    seed_awardees(site)
    visitor = visit("Visitor")
    page = visitor.page
    visitor.open("/")
    latest = page.get_by_role("region", name="Latest awardees")
    expect(latest.get_by_role("link", name="Amara Okafor", exact=True)).to_be_visible()
    expect(page.get_by_text("awardees now")).to_be_visible()
    visitor.shoot("home-visitor")

    visitor.follow(page.get_by_role("link", name="Browse every awardee"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Awardees")
    expect(page.get_by_text("5 awards")).to_be_visible()
    page.get_by_label("Award category").select_option(label="Data Platform")
    page.get_by_label("Name").fill("priya")
    visitor.follow(page.get_by_role("button", name="Filter"))
    cards = page.locator(".awardee")
    expect(cards).to_have_count(1)
    expect(cards).to_contain_text("Priya Raman")
    expect(cards).to_contain_text("Portugal")
    expect(page.get_by_text("1 award matches these filters")).to_be_visible()
    # The filters stay as chosen.
    expect(page.get_by_label("Award category").locator("option:checked")).to_have_text(
        "Data Platform"
    )
    expect(page.get_by_label("Name")).to_have_value("priya")
    visitor.shoot("directory-filtered")

    visitor.follow(page.get_by_role("link", name="Verify the award of Priya Raman"))
    article = page.get_by_role("article")
    expect(article).to_contain_text("Priya Raman")
    expect(article).to_contain_text(f"Data Platform award, {CYCLE}")
    # Her signed credential, verified on the page and downloaded as a file.
    credential = page.get_by_role("region", name="Open Badges credential")
    expect(credential.get_by_role("status")).to_contain_text("Verified:")
    with page.expect_download() as download:
        credential.get_by_role("link", name="Download credential (JSON)").click()
    badge = json.loads(Path(download.value.path()).read_text("utf-8"))
    assert badge["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert badge["proof"]["cryptosuite"] == "eddsa-rdfc-2022"

    visitor.follow(page.get_by_role("link", name="Awardees"))
    visitor.follow(page.get_by_role("link", name="Past awardees (alumni)"))
    expect(page.get_by_text("No past awardee to show yet.")).to_be_visible()


def test_member_makes_the_profile_private_and_leaves_the_directory(site, visit):
    seed_awardees(site)
    hedy = visit("Hedy")
    page = hedy.page
    hedy.open("/awardees")
    expect(page.locator(".awardee", has_text="Hedy Lamarr")).to_have_count(1)
    hedy.log_in("hedy@example.org")
    hedy.follow(page.get_by_role("link", name="Settings"))
    expect(page.get_by_label("Country")).to_have_value("AT")
    page.get_by_label("Country").select_option(label="Germany")
    page.get_by_label("Public profile").uncheck()
    hedy.shoot("profile-privacy")
    hedy.follow(page.get_by_role("button", name="Save profile"))
    expect(page.get_by_text("Your profile is saved.")).to_be_visible()
    expect(page.get_by_label("Public profile")).not_to_be_checked()

    visitor = visit("Visitor")
    visitor.open("/awardees")
    expect(visitor.page.locator(".awardee")).to_have_count(4)
    expect(visitor.page.get_by_text("Hedy Lamarr")).to_have_count(0)
