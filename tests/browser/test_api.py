"""A member makes an API token on their account pages and a script logs a contribution
with it; the API's docs page runs Swagger UI under the app's CSP."""

from __future__ import annotations

import re
from datetime import date, timedelta

from playwright.sync_api import expect

from tests.browser.test_newcomer import seed_peer


def test_a_member_makes_a_token_and_a_script_logs_work_with_it(site, visit):
    seed_peer(site)
    priya = visit("Priya")
    page = priya.page
    priya.open(site.url + "/")
    priya.log_in("priya@example.org")
    priya.follow(page.get_by_role("link", name="Settings"))
    priya.follow(page.get_by_role("link", name="API tokens"))
    page.get_by_label("Name").fill("blog import")
    page.get_by_label(re.compile("^read:")).check()
    page.get_by_label(re.compile("^contributions:write:")).check()
    expect(page.get_by_label(re.compile("^admin:"))).to_have_count(0)
    priya.follow(page.get_by_role("button", name="Create token"))
    expect(page.get_by_role("status").first).to_contain_text("Copy it now")
    secret = page.locator("code.secret").inner_text()
    assert re.fullmatch(r"nmn_[A-Za-z0-9_-]{43}", secret)

    api = page.request
    headers = {"Authorization": f"Bearer {secret}"}
    kinds = api.get("/api/v1/contribution-types", headers=headers).json()["items"]
    talk = next(kind for kind in kinds if kind["name"] == "Talk at a local event")
    categories = api.get("/api/v1/categories", headers=headers).json()["items"]
    created = api.post(
        "/api/v1/contributions",
        headers={**headers, "Idempotency-Key": "browser-1"},
        data={
            "type_id": talk["id"],
            "title": "Indexes explained at the Porto meetup",
            "contributed_on": (date.today() - timedelta(days=2)).isoformat(),
            "primary_category_id": categories[0]["id"],
            "role": talk["roles"][0] if talk["roles"] else "",
            "figures": [{"metric_id": m["id"], "value": 40} for m in talk["metrics"]],
        },
    )
    assert created.status == 201, created.text()

    priya.follow(page.get_by_role("link", name="My contributions"))
    expect(page.get_by_role("link", name="Indexes explained at the Porto meetup")).to_be_visible()


def test_the_docs_page_shows_the_operations_under_the_csp(site, visit):
    reader = visit("Reader")
    page = reader.page
    refused = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.goto(site.url + "/api/docs")
    expect(page.get_by_role("heading", name=re.compile("^Nominee API"))).to_be_visible()
    expect(page.get_by_text("/api/v1/contributions", exact=True).first).to_be_visible()
    # Swagger UI's own markup fails two axe-core rules we cannot change from outside:
    # a control nested in each operation's summary button, and its light method and
    # version badges. Every other rule must pass.
    known = {"nested-interactive": {"enabled": False}, "color-contrast": {"enabled": False}}
    results = reader.axe.run(page, options={"rules": known})
    blocking = [
        f"{v['id']}: {[node['target'] for node in v['nodes'][:3]]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not blocking, blocking
    reader.checked.add(site.url + "/api/docs")
    assert not refused, refused
