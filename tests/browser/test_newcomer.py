"""Journey 1: a newcomer registers, logs two contributions (correcting a mistake on the
way), endorses a peer's contribution and sees it counted. Then the same by keyboard."""

from __future__ import annotations

import re
from datetime import date, timedelta

from playwright.sync_api import expect

from tests.browser.keyboard import Keyboard
from tests.browser.mail import latest_link

TODAY = date.today()


def seed_peer(site) -> None:
    """Somebody already in the community, with a public talk to endorse."""
    from nominee.contributions.models import ContributionType

    with site.seed() as make:
        make.organizer(display_name="Olga Organizer", email="olga@example.org")
        category = make.category(name="Data Platform", slug="data-platform")
        make.category(name="Web", slug="web")
        talk = make.session.query(ContributionType).filter_by(name="Talk at a local event").one()
        make.contribution(
            owner=make.user(display_name="Priya Raman", email="priya@example.org"),
            type=talk,
            primary_category=category,
            title="Scaling PostgreSQL at the Lisbon meetup",
            quantity=1,
            audience=80,
        )


def test_newcomer_logs_work_and_endorses_a_peer(site, visit):
    seed_peer(site)
    sam = visit("Sam")
    page = sam.page
    sam.open(site.url + "/")
    sam.shoot("home-visitor")

    sam.follow(page.get_by_role("link", name="Join the programme"))
    page.get_by_label("Display name").fill("Sam Newcomer")
    page.get_by_label("Email").fill("sam@example.org")
    page.get_by_label("Password").fill("a long and careful passphrase")
    sam.follow(page.get_by_role("button", name="Create account"))
    # Registering answers "check your inbox"; the mail's link confirms, then Sam logs in.
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your inbox")
    page.goto(latest_link(site, "verify_email", "sam@example.org"))
    sam.check()
    sam.follow(page.get_by_role("button", name="Confirm my address"))
    expect(page.get_by_role("status")).to_contain_text("Your email address is confirmed")
    page.get_by_label("Email").fill("sam@example.org")
    page.get_by_label("Password").fill("a long and careful passphrase")
    sam.follow(page.get_by_role("button", name="Log in"))
    expect(page.get_by_role("link", name="Your page: Sam Newcomer")).to_be_visible()

    # First contribution: a talk dated in the future is refused, with the reason at the date.
    sam.follow(page.get_by_role("link", name="Log a contribution").first)
    sam.shoot("log-contribution-type")
    sam.follow(page.get_by_role("link", name="Talk at a local event"))
    page.get_by_label("Your role").select_option(label="Speaker")
    page.get_by_label("Title").fill("Observability for small teams")
    # Two days ahead: a future date wherever on earth the member is (UTC+14 included).
    page.get_by_label("Date").fill((TODAY + timedelta(days=2)).isoformat())
    page.get_by_label("Primary category").select_option(label="Web")
    page.get_by_label("Sessions").fill("1")
    page.get_by_label("Attendees").fill("45")
    sam.follow(page.get_by_role("button", name="Log contribution"))
    date_field = page.get_by_label("Date")
    expect(date_field).to_have_attribute("aria-invalid", "true")
    expect(date_field).to_have_accessible_description(re.compile("cannot be in the future"))
    expect(page.get_by_role("alert")).to_contain_text("Please correct the fields marked below")
    expect(page.get_by_label("Title")).to_have_value("Observability for small teams")
    sam.shoot("contribution-form-error")
    date_field.fill((TODAY - timedelta(days=3)).isoformat())
    sam.follow(page.get_by_role("button", name="Log contribution"))
    expect(page.get_by_role("status")).to_contain_text("Your contribution is logged")
    expect(page.get_by_role("heading", level=1)).to_have_text("Observability for small teams")

    # Second contribution, from "My contributions".
    sam.follow(
        page.get_by_role("navigation", name="Main").get_by_role("link", name="My contributions")
    )
    sam.follow(page.get_by_role("link", name="Log a contribution").first)
    sam.follow(page.get_by_role("link", name="Blog post"))
    page.get_by_label("Your role").select_option(label="Author")
    page.get_by_label("Title").fill("What I learned running a user group")
    page.get_by_label("Date").fill((TODAY - timedelta(days=20)).isoformat())
    page.get_by_label("Primary category").select_option(label="Data Platform")
    page.get_by_label("Readers").fill("1200")
    sam.follow(page.get_by_role("button", name="Log contribution"))
    expect(page.get_by_role("status")).to_contain_text("Your contribution is logged")
    sam.follow(
        page.get_by_role("navigation", name="Main").get_by_role("link", name="My contributions")
    )
    expect(page.get_by_role("link", name="Observability for small teams")).to_be_visible()
    expect(page.get_by_role("link", name="What I learned running a user group")).to_be_visible()
    sam.shoot("my-contributions")

    # Endorse the peer's talk, found on the home page.
    sam.follow(page.get_by_role("link", name="Nominee", exact=True))
    sam.shoot("home-member")
    sam.follow(page.get_by_role("link", name="Scaling PostgreSQL at the Lisbon meetup"))
    expect(page.get_by_role("heading", name="0 endorsements")).to_be_visible()
    page.get_by_label("Comment").fill("Clear, practical and honest about the trade-offs.")
    sam.follow(page.get_by_role("button", name="Endorse", exact=True))
    expect(page.get_by_role("status")).to_contain_text("your endorsement is recorded")
    expect(page.get_by_role("heading", name="1 endorsement")).to_be_visible()
    expect(page.get_by_text("Clear, practical and honest")).to_be_visible()
    sam.shoot("contribution-endorsed")

    # Counted on the peer's page and on Sam's.
    sam.follow(page.get_by_role("link", name="Priya Raman").first)
    expect(page.get_by_role("heading", name="Endorsements received (1)")).to_be_visible()
    sam.shoot("member-page")
    sam.follow(page.get_by_role("link", name="Your page: Sam Newcomer"))
    expect(page.get_by_role("heading", name="Endorsements given (1)")).to_be_visible()
    expect(page.get_by_role("heading", name="Contributions (2)")).to_be_visible()


def test_newcomer_journey_by_keyboard_alone(site, visit):
    """Tab, Shift+Tab, Enter and Space only (and typing into fields): every focused
    element shows a focus outline, and Tab always moves on (no trap)."""
    seed_peer(site)
    sam = visit("Sam (keyboard)")
    keys = Keyboard(sam)
    sam.open(site.url + "/")

    keys.skip_to_content()
    keys.activate("link", "Join the programme")
    keys.type_into("Display name", "Sam Keys")
    keys.type_into("Email", "keys@example.org")
    keys.type_into("Password", "a long and careful passphrase")
    keys.activate("button", "Create account")
    sam.page.goto(latest_link(site, "verify_email", "keys@example.org"))
    sam.check()
    keys.activate("button", "Confirm my address")
    expect(sam.page.get_by_role("status")).to_contain_text("Your email address is confirmed")
    keys.type_into("Email", "keys@example.org")
    keys.type_into("Password", "a long and careful passphrase")
    keys.activate("button", "Log in")

    for title, kind, role, category, figures, days_ago in (
        ("Keyboard-first design", "Talk at a local event", "Speaker", "Web", ("1", "30"), 4),
        ("Forms that forgive", "Blog post", "Author", "Data Platform", ("1", "300"), 9),
    ):
        keys.activate("link", "My contributions")
        keys.skip_to_content()
        keys.activate("link", "Log a contribution")
        keys.skip_to_content()
        keys.activate("link", kind)
        keys.choose("Your role", role)
        keys.type_into("Title", title)
        if title == "Keyboard-first design":
            # A first try without a date: the message is read with the field.
            keys.choose("Primary category", category)
            keys.activate("button", "Log contribution")
            date_field = sam.page.get_by_label("Date")
            expect(date_field).to_have_accessible_description(re.compile("Enter the date"))
            keys.skip_to_content()
        keys.type_date("Date", TODAY - timedelta(days=days_ago))
        keys.choose("Primary category", category)
        quantity, audience = figures
        labels = {
            "Talk at a local event": ("Sessions", "Attendees (people)"),
            "Blog post": ("Comments", "Readers"),
        }
        keys.type_into(labels[kind][0], quantity)
        keys.type_into(labels[kind][1], audience)
        keys.activate("button", "Log contribution")
        expect(sam.page.get_by_role("status")).to_contain_text("Your contribution is logged")

    keys.activate("link", "Nominee")
    keys.activate("link", "Scaling PostgreSQL at the Lisbon meetup")
    keys.type_into("Comment", "Thank you for the slides.")
    keys.activate("button", "Endorse", key=" ")
    expect(sam.page.get_by_role("heading", name="1 endorsement")).to_be_visible()
    keys.assert_no_trap()
