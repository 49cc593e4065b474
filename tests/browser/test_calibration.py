"""An organizer reads the reviewers' calibration, selects the top nominations by
calibrated score, awards them in one confirmed step, and decides another with "Save and
next undecided": every page checked with axe-core, the forms used by keyboard."""

from __future__ import annotations

from datetime import date, timedelta

from playwright.sync_api import expect

TODAY = date.today()
CYCLE = "Calibrated Awards"


def seed(site) -> None:
    from nominee.cycles.models import CycleStatus
    from tests.reviews.panels import split_panel

    with site.seed() as make:
        make.organizer(display_name="Olga Organizer", email="olga@example.org")
        cycle = make.cycle(
            name=CYCLE,
            status=CycleStatus.IN_REVIEW,
            nominations_open_on=TODAY - timedelta(days=60),
            nominations_close_on=TODAY - timedelta(days=5),
            review_close_on=TODAY + timedelta(days=20),
            reviewers_per_nomination=1,
        )
        split_panel(make, make.session, cycle)


def test_calibration_and_bulk_decisions(site, visit):
    seed(site)
    olga = visit("organizer")
    page = olga.page
    olga.open(site.url + "/")
    olga.log_in("olga@example.org")
    olga.follow(page.get_by_role("banner").get_by_role("link", name="Review"))
    olga.follow(page.get_by_role("link", name=f"Dashboard of {CYCLE}"))
    expect(page.get_by_role("columnheader", name="Calibrated")).to_be_visible()

    olga.follow(
        page.get_by_role("navigation", name=f"Review of {CYCLE}").get_by_role(
            "link", name="Calibration"
        )
    )
    expect(page.get_by_text("Scores 2.0 points below the panel on average.")).to_be_visible()
    olga.follow(page.get_by_role("link", name="Nominations by calibrated score"))

    page.get_by_label("Number to select").fill("2")
    olga.follow(page.get_by_role("button", name="Select the top undecided by calibrated score"))
    expect(page.get_by_role("checkbox", name="Select Nominee L4")).to_be_checked()
    expect(page.get_by_role("checkbox", name="Select Nominee H4")).to_be_checked()
    expect(page.get_by_role("checkbox", name="Select Nominee L3")).not_to_be_checked()
    olga.follow(page.get_by_role("button", name="Award selected"))

    expect(page.get_by_role("heading", name="Confirm: award 2 nominations")).to_be_visible()
    page.get_by_label("Rationale for the panel, for every selected nomination").fill(
        "The two best calibrated scores."
    )
    olga.follow(page.get_by_role("button", name="Confirm: award the ticked nominations"))
    expect(page.get_by_text("2 nominations awarded.")).to_be_visible()

    olga.follow(page.get_by_role("link", name="Review"))
    olga.follow(page.get_by_role("link", name=f"Dashboard of {CYCLE}"))
    olga.follow(page.get_by_role("link", name="Calibrated", exact=True))  # sorted by it
    olga.follow(page.get_by_role("link", name="Decide Nominee L3"))
    expect(page.get_by_text("Leo Lenient: Award")).to_be_visible()
    page.get_by_role("radio", name="Award").check()
    page.get_by_label("Rationale for the panel").fill("Consistent work.")
    page.get_by_label("Rationale for the panel").focus()
    olga.follow(page.get_by_role("button", name="Save and next undecided"))
    expect(page.get_by_text("Here is the next undecided nomination.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Nominee H3")
