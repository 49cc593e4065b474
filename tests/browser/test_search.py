"""Journey: a member searches for a contribution by the start of a word, opens it, then
goes to Discover and endorses another from there, landing back on Discover."""

from __future__ import annotations

from playwright.sync_api import expect


def seed(site) -> None:
    from nominee.contributions.models import Visibility

    with site.seed() as make:
        make.user(display_name="Grace Hopper", email="grace@example.org")
        ada = make.user(display_name="Ada Lovelace", email="ada@example.org")
        cloud = make.category(name="Cloud and Datacenter", slug="cloud")
        make.contribution(
            ada,
            title="Docker in production: lessons learned",
            description_md="Images, volumes and health checks.",
            primary_category=cloud,
        )
        make.contribution(ada, title="Kubernetes operators explained", primary_category=cloud)
        make.contribution(
            ada,
            title="Docker secrets I keep to myself",
            primary_category=cloud,
            visibility=Visibility.PRIVATE,
        )


def test_search_then_endorse_from_discover(site, visit):
    seed(site)
    grace = visit("grace")
    grace.open("/")
    grace.log_in("grace@example.org")
    page = grace.page

    grace.follow(page.get_by_role("navigation", name="Main").get_by_role("link", name="Search"))
    page.get_by_label("Search for").fill("dock")
    grace.submit_by_keyboard()
    results = page.get_by_role("region", name="1 contribution found")
    expect(
        results.get_by_role("link", name="Docker in production: lessons learned")
    ).to_be_visible()
    expect(page.get_by_text("Docker secrets")).to_have_count(0)
    grace.shoot("search-results")

    grace.follow(page.get_by_role("link", name="Docker in production: lessons learned"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Docker in production: lessons learned"
    )

    grace.follow(page.get_by_role("navigation", name="Main").get_by_role("link", name="Discover"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Discover")
    grace.shoot("discover")
    item = page.get_by_role("listitem").filter(has_text="Kubernetes operators explained")
    grace.follow(item.get_by_role("button", name="Endorse"))
    expect(page).to_have_url(f"{site.url}/discover")
    expect(page.get_by_role("status")).to_contain_text("your endorsement is recorded")
    expect(page.get_by_text("Kubernetes operators explained")).to_have_count(0)
    expect(page.get_by_text("Docker in production: lessons learned")).to_be_visible()
