"""Journey of issue 15: an organizer clears a reviewer's detected conflict, assigns the
panel automatically, moves the cycle to decided with nominations still undecided,
awards the top ones by calibrated score in one confirmed step, decides the rest one by
one with "Save and next undecided", and publishes; the declined nominee appeals, the
organizer upholds the appeal, and the nominee is told and holds a valid award.

What members do in between (the reviews) is seeded straight into the database at the
moment it would happen.
"""

from __future__ import annotations

import re
import time
from datetime import UTC, date, datetime, timedelta

from playwright.sync_api import expect

TODAY = date.today()
CYCLE = "Fair Awards 2026"
CATEGORY = "Data Platform"
REVIEWERS = ("Rita Reviewer", "Ravi Shankar", "Rosa Diaz")
# Nominee, kind of work, and the scores each reviewer gives every criterion (in the
# order of REVIEWERS): the calibrated order is the order here.
NOMINEES = (
    ("Priya Raman", "Blog post", (5, 5, 4)),
    ("Ana Lima", "Workshop", (4, 5, 4)),
    ("Ben Carter", "Forum answers", (3, 4, 3)),
    ("Marco Rossi", "Talk at a local event", (2, 3, 1)),
)
STATEMENT = (
    "The panel did not see my meetup talks in Turin and Milan: they are in my evidence "
    "but dated before the window the reviewers read."
)


def email(name: str) -> str:
    return f"{name.split()[0].lower()}@example.org"


def seed_cycle_in_review(site) -> None:
    """A cycle whose review has just closed (so its awards run from today), its
    organizer, its appointed panel, and four nominations in review; Ravi endorsed
    Priya's blog post, which conflicts him on her nomination."""
    from nominee.contributions.models import ContributionType
    from nominee.cycles.models import CycleStatus
    from nominee.nominations.models import NominationStatus

    with site.seed() as make:
        make.organizer(display_name="Olga Organizer", email="olga@example.org")
        panel = {name: make.reviewer(display_name=name, email=email(name)) for name in REVIEWERS}
        category = make.category(name=CATEGORY, slug="data-platform")
        cycle = make.cycle(
            name=CYCLE,
            status=CycleStatus.IN_REVIEW,
            categories=[category],
            nominations_open_on=TODAY - timedelta(days=60),
            nominations_close_on=TODAY - timedelta(days=20),
            review_close_on=TODAY - timedelta(days=1),
            reviewers_per_nomination=3,
        )
        for reviewer in panel.values():
            make.appointment(cycle, reviewer)
        kinds = {t.name: t for t in make.session.query(ContributionType)}
        for name, kind, _ in NOMINEES:
            nominee = make.user(display_name=name, email=email(name))
            work = make.contribution(
                owner=nominee,
                type=kinds[kind],
                role=kinds[kind].roles[0] if kinds[kind].roles else None,
                primary_category=category,
                title=f"{kind} by {name}",
                contributed_on=TODAY - timedelta(days=90),
                quantity=3,
            )
            if name == "Priya Raman":
                make.endorsement(
                    work,
                    endorser=panel["Ravi Shankar"],
                    created_at=datetime.now(UTC) - timedelta(days=40),
                )
            nomination = make.nomination(
                cycle, nominee, category=category, status=NominationStatus.IN_REVIEW
            )
            make.evidence(nomination, [work])


def seed_reviews(site) -> None:
    """The three reviewers review every nomination they were assigned, before the close."""
    from nominee.accounts.models import User
    from nominee.nominations.models import Nomination
    from nominee.reviews.models import Confidence, Recommendation
    from nominee.reviews.services import refresh_scores

    with site.seed() as make:
        session = make.session
        people = {u.display_name: u for u in session.query(User)}
        for name, _, scores in NOMINEES:
            nomination = session.query(Nomination).filter_by(nominee=people[name]).one()
            for reviewer, value in zip(REVIEWERS, scores, strict=True):
                make.review(
                    nomination,
                    people[reviewer],
                    scores=[value] * len(nomination.cycle.criteria),
                    recommendation=Recommendation.AWARD if value >= 3 else Recommendation.DECLINE,
                    confidence=Confidence.HIGH,
                    panel_comment=f"{reviewer} on {name}: {value} of 5 throughout.",
                )
            refresh_scores(session, nomination)


def decide_one(olga, decision: str, rationale: str) -> None:
    """On a decide page: the decision, the texts, then "Save and next undecided"."""
    page = olga.page
    page.get_by_role("group", name="Decision").get_by_label(decision).check()
    page.get_by_label("Rationale for the panel").fill(rationale)
    page.get_by_label("Feedback for the nominee").fill("Thank you for a year of work.")
    olga.follow(page.get_by_role("button", name="Save and next undecided"))


def test_organizer_decides_fairly_and_upholds_an_appeal(site, visit):
    seed_cycle_in_review(site)

    # The organizer finds Ravi conflicted on Priya's nomination, and clears it.
    olga = visit("Olga")
    page = olga.page
    olga.open(site.url + "/")
    olga.log_in("olga@example.org")
    olga.follow(page.get_by_role("navigation", name="Main").get_by_role("link", name="Review"))
    olga.follow(page.get_by_role("link", name=f"Assignments of {CYCLE}"))
    staffed = page.get_by_role("table", name=re.compile("Nominations in review"))
    priya_row = staffed.get_by_role("row", name=re.compile("Priya Raman"))
    expect(priya_row).to_contain_text("Ravi Shankar endorsed them")
    olga.shoot("fair-assignments-conflict")
    olga.follow(
        priya_row.get_by_role("link", name="Clear… the conflict of Ravi Shankar on Priya Raman")
    )
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "Clear the conflict of Ravi Shankar"
    )
    expect(page.get_by_role("main")).to_contain_text("endorsed the nominee on")
    page.get_by_label("Why the conflict does not bind").fill(
        "Ravi endorsed one blog post as a reader; they have never worked together."
    )
    olga.shoot("fair-clear-conflict")
    olga.follow(page.get_by_role("button", name="Clear the conflict"))
    expect(page.get_by_role("status")).to_contain_text(
        "The conflict of Ravi Shankar on Priya Raman's nomination is cleared."
    )
    expect(priya_row).to_contain_text(
        "Ravi Shankar: cleared by Olga Organizer: Ravi endorsed one blog post as a reader"
    )

    # Automatic assignment now gives every nomination, Priya's too, all three reviewers.
    olga.follow(page.get_by_role("button", name="Assign automatically"))
    expect(page.get_by_role("status")).to_contain_text("12 assignments added")
    for name, _, _ in NOMINEES:
        row = staffed.get_by_role("row", name=re.compile(name))
        expect(row).to_contain_text("3 of 3")
        for reviewer in REVIEWERS:
            expect(row).to_contain_text(reviewer)
    olga.shoot("fair-assignments")

    # The panel reviews; the organizer moves the cycle to decided, none decided yet.
    seed_reviews(site)
    olga.follow(page.get_by_role("navigation", name="Main").get_by_role("link", name="Cycles"))
    olga.follow(page.get_by_role("link", name=CYCLE))
    olga.follow(page.get_by_role("link", name="Move to decided…"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Move “{CYCLE}” to decided?")
    expect(page.get_by_role("main")).to_contain_text(
        "4 nominations in review have no decision yet: decide them once the cycle is "
        "decided, before publishing."
    )
    olga.shoot("fair-move-to-decided")
    olga.follow(page.get_by_role("button", name="Move to decided"))
    expect(page.get_by_role("status")).to_contain_text(f"“{CYCLE}” is now decided")

    # On the dashboard: the top two by calibrated score, awarded in one confirmed step.
    olga.follow(page.get_by_role("navigation", name="Main").get_by_role("link", name="Review"))
    olga.follow(page.get_by_role("link", name=f"Dashboard of {CYCLE}"))
    page.get_by_label("Number to select").fill("2")
    olga.follow(page.get_by_role("button", name="Select the top undecided by calibrated score"))
    for name, ticked in (
        ("Priya Raman", True),
        ("Ana Lima", True),
        ("Ben Carter", False),
        ("Marco Rossi", False),
    ):
        box = page.get_by_role("checkbox", name=f"Select {name}")
        expect(box).to_be_checked() if ticked else expect(box).not_to_be_checked()
    olga.shoot("fair-dashboard-top")
    olga.follow(page.get_by_role("button", name="Award selected"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm: award 2 nominations")
    page.get_by_label("Rationale for the panel, for every selected nomination").fill(
        "The two best calibrated scores; every reviewer recommended an award."
    )
    page.get_by_label("Feedback for each nominee").fill("The panel was unanimous: congratulations.")
    olga.shoot("fair-bulk-confirm")
    olga.follow(page.get_by_role("button", name="Confirm: award the ticked nominations"))
    expect(page.get_by_text("2 nominations awarded.")).to_be_visible()

    # The rest one by one, from the undecided ones, with "Save and next undecided".
    expect(page.get_by_role("main")).to_contain_text("2 nominations still need a decision")
    olga.follow(page.get_by_role("link", name="Show the undecided ones"))
    olga.follow(page.get_by_role("link", name="Decide Ben Carter"))
    panel = page.get_by_role("main")
    expect(panel).to_contain_text("Rosa Diaz on Ben Carter: 3 of 5 throughout.")
    olga.shoot("fair-decide")
    decide_one(olga, "Award", "Steady forum work; two of three reviewers scored it well.")
    expect(page.get_by_role("status").first).to_contain_text(
        "Decision saved for Ben Carter: award. Here is the next undecided nomination."
    )
    expect(page.get_by_role("heading", level=1)).to_contain_text("Marco Rossi")
    decide_one(olga, "Decline", "One talk this year; the panel recommends declining.")
    expect(page.get_by_role("status").first).to_contain_text(
        "Decision saved for Marco Rossi: decline. No undecided nomination is left in this cycle."
    )
    decisions = page.get_by_role("table", name=f"Nominations of {CYCLE}")
    for name, decision in (
        ("Priya Raman", "Award"),
        ("Ana Lima", "Award"),
        ("Ben Carter", "Award"),
        ("Marco Rossi", "Decline"),
    ):
        expect(decisions.get_by_role("row", name=re.compile(name))).to_contain_text(decision)
    olga.shoot("fair-decisions")

    # Publishes.
    olga.follow(page.get_by_role("link", name="Publish the results"))
    olga.follow(page.get_by_role("button", name="Move to published"))
    expect(page.get_by_role("status")).to_contain_text(f"“{CYCLE}” is now published")

    # Marco, declined, appeals from his nomination's page.
    marco = visit("Marco")
    page = marco.page
    marco.open(site.url + "/")
    marco.log_in(email("Marco Rossi"))
    marco.follow(
        page.get_by_role("navigation", name="Main").get_by_role("link", name="My nominations")
    )
    marco.follow(page.get_by_role("link", name="Yourself"))
    expect(page.get_by_role("region", name="Decision")).to_contain_text(
        "Thank you for a year of work."
    )
    marco.follow(page.get_by_role("link", name="Appeal this decision"))
    page.get_by_label("Why the decision should change").fill(STATEMENT)
    marco.shoot("fair-appeal")
    marco.follow(page.get_by_role("button", name="Send the appeal"))
    expect(page.get_by_role("status").first).to_contain_text("Your appeal is sent")
    expect(page.get_by_role("heading", name="Appeal: open")).to_be_visible()
    marco.shoot("fair-appeal-open")

    # The organizer sees the open appeal on her home page, and upholds it.
    page = olga.page
    olga.follow(page.get_by_role("banner").get_by_role("link", name="Nominee", exact=True))
    olga.follow(page.get_by_role("link", name="1 open appeal"))
    olga.follow(page.get_by_role("link", name=f"Marco Rossi, {CATEGORY}"))
    expect(page.get_by_role("main")).to_contain_text(STATEMENT)
    page.get_by_label("Uphold: the decision becomes an award").check()
    page.get_by_label("New rationale for the decision (when upholding)").fill(
        "The talks in Turin and Milan fall inside the year after all."
    )
    page.get_by_label("Response to the nominee").fill(
        "You were right: we misread the dates of your talks. Congratulations."
    )
    olga.shoot("fair-appeal-answer")
    olga.follow(page.get_by_role("button", name="Answer the appeal"))
    expect(page.get_by_role("status").first).to_contain_text(
        "The appeal of Marco Rossi is upheld; they are told."
    )

    # Marco is told, in the app and by mail, and his new award's page says it is valid.
    subject = f"Your appeal is upheld: the {CATEGORY} award is yours"
    deadline = time.monotonic() + 5
    while not any(
        str(m.message["Subject"]) == subject and m.recipients == [email("Marco Rossi")]
        for m in list(site.smtp.received)
    ):
        assert time.monotonic() < deadline, f"no mail “{subject}” to Marco"
        time.sleep(0.05)
    page = marco.page
    marco.follow(page.get_by_role("link", name=re.compile(r"^Notifications \d+ unread$")))
    marco.follow(page.get_by_role("button", name=re.compile("upheld your appeal")))
    certificate = page.get_by_role("article")
    expect(certificate.get_by_role("heading", level=1)).to_have_text("Marco Rossi")
    expect(certificate).to_contain_text(f"{CATEGORY} award, {CYCLE}")
    expect(certificate.get_by_role("status")).to_contain_text("This award is valid until")
    marco.shoot("fair-upheld-award")
    verification_url = page.url

    # His nomination now reads "Awarded", with the appeal upheld and the response.
    marco.follow(
        page.get_by_role("navigation", name="Main").get_by_role("link", name="My nominations")
    )
    marco.follow(page.get_by_role("link", name="Yourself"))
    expect(page.locator(".status").first).to_have_text("Awarded")
    decision = page.get_by_role("region", name="Decision")
    expect(decision.get_by_role("heading", name="Appeal: upheld")).to_be_visible()
    expect(decision).to_contain_text("we misread the dates of your talks")
    marco.shoot("fair-appeal-upheld")

    # Anybody given the link can check it, without an account.
    visitor = visit("Visitor")
    visitor.open(verification_url)
    expect(visitor.page.get_by_role("article").get_by_role("status")).to_contain_text(
        "This award is valid until"
    )
