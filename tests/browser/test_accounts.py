"""Journeys of accounts: a newcomer confirms their address from the mail and can then
endorse; a member who forgot their password resets it from the mail."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.mail import latest_link
from tests.browser.test_newcomer import seed_peer


def test_newcomer_confirms_the_address_then_endorses(site, visit):
    seed_peer(site)
    sam = visit("Sam")
    page = sam.page
    sam.open(site.url + "/")
    sam.follow(page.get_by_role("link", name="Join the programme"))
    page.get_by_label("Display name").fill("Sam Newcomer")
    page.get_by_label("Email").fill("sam@example.org")
    page.get_by_label("Password").fill("a long and careful passphrase")
    sam.follow(page.get_by_role("button", name="Create account"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your inbox")

    # Logged in with the password, Sam can look but not endorse yet.
    sam.log_in("sam@example.org", "a long and careful passphrase")
    sam.follow(page.get_by_role("link", name="Scaling PostgreSQL at the Lisbon meetup"))
    expect(page.get_by_role("note")).to_contain_text("Confirm your email address to endorse")
    expect(page.get_by_role("button", name="Endorse", exact=True)).to_have_count(0)
    sam.follow(page.get_by_role("button", name="Send the link again"))
    expect(page.get_by_role("status")).to_contain_text("We sent a new link to sam@example.org")

    page.goto(latest_link(site, "verify_email", "sam@example.org"))
    sam.check()
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your email address")
    sam.follow(page.get_by_role("button", name="Confirm my address"))
    expect(page.get_by_role("status")).to_contain_text("Your email address is confirmed")

    sam.follow(page.get_by_role("link", name="Scaling PostgreSQL at the Lisbon meetup"))
    page.get_by_label("Comment").fill("Clear and practical.")
    sam.follow(page.get_by_role("button", name="Endorse", exact=True))
    expect(page.get_by_role("status")).to_contain_text("your endorsement is recorded")
    expect(page.get_by_role("heading", name="1 endorsement")).to_be_visible()


def test_member_resets_a_forgotten_password(site, visit):
    seed_peer(site)
    priya = visit("Priya")
    page = priya.page
    priya.open(site.url + "/login")
    priya.follow(page.get_by_role("link", name="Forgot your password?"))
    page.get_by_label("Email").fill("priya@example.org")
    priya.follow(page.get_by_role("button", name="Send me a link"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your inbox")

    page.goto(latest_link(site, "password_reset", "priya@example.org"))
    priya.check()
    page.get_by_label("New password").fill("a fresh and memorable phrase")
    priya.follow(page.get_by_role("button", name="Save my new password"))
    expect(page.get_by_role("status")).to_contain_text("every other session")
    priya.follow(page.get_by_role("button", name="Log out"))

    priya.log_in("priya@example.org", "a fresh and memorable phrase")
    expect(page.get_by_role("status")).to_contain_text("Welcome back, Priya Raman")
