"""Journey 3: an organizer opens a cycle, closes its nominations, appoints reviewers and
runs auto-assignment; a reviewer scores a nomination and then reads the other reviews;
the organizer decides and publishes; the nominee sees the award and its public page.

What members do in between (nominating, the other reviewers' reviews) is seeded straight
into the database at the moment it would happen.
"""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path

from playwright.sync_api import expect

TODAY = date.today()
CYCLE = "Community Awards 2026"
REVIEWERS = ("Rita Reviewer", "Ravi Shankar", "Rosa Diaz")


def seed_programme(site) -> None:
    """A draft cycle whose nominations close today and whose review runs two more weeks,
    its organizer, three reviewers, and members with a year of work behind them."""
    from nominee.contributions.models import ContributionType
    from nominee.cycles.models import CycleStatus

    with site.seed() as make:
        make.organizer(display_name="Olga Organizer", email="olga@example.org")
        for name in REVIEWERS:
            make.reviewer(display_name=name, email=f"{name.split()[0].lower()}@example.org")
        category = make.category(name="Data Platform", slug="data-platform")
        make.cycle(
            name=CYCLE,
            status=CycleStatus.DRAFT,
            categories=[category],
            nominations_open_on=TODAY - timedelta(days=30),
            nominations_close_on=TODAY,
            review_close_on=TODAY + timedelta(days=14),
        )
        nina = make.user(display_name="Nina Nominator", email="nina@example.org")
        tom = make.user(display_name="Tom Okafor", email="tom@example.org")
        kinds = {t.name: t for t in make.session.query(ContributionType)}
        for owner_name, email, works in (
            (
                "Priya Raman",
                "priya@example.org",
                (
                    ("Scaling PostgreSQL at the Lisbon meetup", "Talk at a local event", 40, 2, 80),
                    ("A migration guide from MySQL", "Blog post", 75, 3, 2400),
                    ("Forum answers on query planning", "Forum answers", 12, 35, None),
                    ("Indexing workshop for beginners", "Workshop", 160, 2, 25),
                    ("pg-healthcheck", "Open-source project", 220, 4, 900),
                ),
            ),
            (
                "Marco Rossi",
                "marco@example.org",
                (
                    ("Five tips for faster dashboards", "Blog post", 30, 5, 300),
                    ("Answering on the data forum", "Forum answers", 60, 12, None),
                    ("Data meetup in Turin", "Talk at a local event", 100, 2, 40),
                ),
            ),
        ):
            owner = make.user(display_name=owner_name, email=email)
            for title, kind, days_ago, quantity, audience in works:
                work = make.contribution(
                    owner=owner,
                    type=kinds[kind],
                    role=kinds[kind].roles[0] if kinds[kind].roles else None,
                    primary_category=category,
                    title=title,
                    contributed_on=TODAY - timedelta(days=days_ago),
                    quantity=quantity,
                    audience=audience,
                )
                if owner_name == "Priya Raman":
                    make.endorsement(work, endorser=nina)
                    if days_ago < 100:
                        make.endorsement(work, endorser=tom)


def seed_nominations(site) -> None:
    """While the cycle is open: Nina nominates Priya, who accepts; Marco nominates himself."""
    from nominee import clock
    from nominee.accounts.models import User
    from nominee.contributions.models import Contribution
    from nominee.cycles.models import Cycle
    from nominee.markdown import render
    from nominee.nominations.models import NominationKind
    from nominee.nominations.services import refresh_counters

    with site.seed() as make:
        session = make.session
        cycle = session.query(Cycle).filter_by(name=CYCLE).one()
        people = {u.display_name: u for u in session.query(User)}
        for nominee, kind, nominator, statement in (
            (
                "Priya Raman",
                NominationKind.PEER,
                people["Nina Nominator"],
                "Priya runs the Lisbon PostgreSQL meetup, answers on the forum every week and "
                "wrote the migration guide that half of our community has used.",
            ),
            (
                "Marco Rossi",
                NominationKind.SELF,
                people["Marco Rossi"],
                "I started blogging about dashboards this year and answer questions on the "
                "data forum when I can; I gave my first meetup talk in Turin.",
            ),
        ):
            nomination = make.nomination(
                cycle=cycle,
                nominee=people[nominee],
                kind=kind,
                nominator=nominator,
                statement_md=statement,
                statement_html=render(statement),
                submitted_at=clock.now(),
            )
            make.evidence(
                nomination,
                session.query(Contribution).filter_by(owner_id=people[nominee].id).all(),
            )
            refresh_counters(session, nomination)


def seed_other_reviews(site) -> None:
    """Ravi and Rosa review Priya's nomination before Rita does."""
    from nominee.accounts.models import User
    from nominee.nominations.models import Nomination
    from nominee.reviews.models import Confidence, Recommendation
    from nominee.reviews.services import refresh_scores

    with site.seed() as make:
        session = make.session
        people = {u.display_name: u for u in session.query(User)}
        nomination = session.query(Nomination).filter_by(nominee=people["Priya Raman"]).one()
        for reviewer, scores, recommendation, comment in (
            (
                "Ravi Shankar",
                (5, 4, 5, 4),
                Recommendation.AWARD,
                "Steady work all year and most of it for beginners.",
            ),
            (
                "Rosa Diaz",
                (4, 4, 5, 3),
                Recommendation.AWARD,
                "The meetup alone would justify it; the guide is widely linked.",
            ),
        ):
            make.review(
                nomination,
                people[reviewer],
                scores=scores,
                recommendation=recommendation,
                confidence=Confidence.HIGH,
                panel_comment=comment,
            )
        refresh_scores(session, nomination)


def move_cycle(olga, to: str) -> None:
    """From the cycle page: the move button, then the confirmation page."""
    page = olga.page
    olga.follow(page.get_by_role("link", name=f"Move to {to}…"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Move “{CYCLE}” to {to}?")
    olga.follow(page.get_by_role("button", name=f"Move to {to}"))
    expect(page.get_by_role("status")).to_contain_text(f"“{CYCLE}” is now {to}")


def test_organizer_runs_a_cycle_from_opening_to_published_award(site, visit):
    seed_programme(site)

    # The organizer opens the draft cycle.
    olga = visit("Olga")
    page = olga.page
    olga.open(site.url + "/")
    olga.log_in("olga@example.org")
    olga.follow(page.get_by_role("navigation", name="Main").get_by_role("link", name="Cycles"))
    olga.follow(page.get_by_role("link", name=CYCLE))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Draft")
    move_cycle(olga, "open")
    expect(page.get_by_role("link", name="Nominate yourself or a peer")).to_be_visible()

    # Members nominate while it is open; then the organizer closes nominations.
    seed_nominations(site)
    olga.follow(page.get_by_role("link", name="Move to in review…"))
    expect(page.get_by_role("main")).to_contain_text("2 submitted nominations will enter review")
    olga.follow(page.get_by_role("button", name="Move to in review"))
    expect(page.get_by_role("status")).to_contain_text(f"“{CYCLE}” is now in review")

    # Appoints the panel, then lets the app assign them.
    olga.follow(page.get_by_role("link", name="Reviewers", exact=True))
    for name in REVIEWERS:
        page.get_by_label("Reviewer", exact=True).select_option(label=f"{name} (reviewer)")
        page.get_by_label("Categories").select_option(label="All categories")
        olga.follow(page.get_by_role("button", name="Appoint"))
        expect(page.get_by_role("status")).to_contain_text(
            f"{name} is appointed for all categories"
        )
    appointed = page.get_by_role("table", name=f"Reviewers appointed to {CYCLE}")
    for name in REVIEWERS:
        expect(appointed.get_by_role("rowheader", name=name)).to_be_visible()
    olga.follow(
        page.get_by_role("navigation", name=f"Review of {CYCLE}").get_by_text("Assignments")
    )
    olga.follow(page.get_by_role("button", name="Assign automatically"))
    expect(page.get_by_role("status")).to_contain_text("6 assignments added")
    staffed = page.get_by_role("table", name=re.compile("Nominations in review"))
    for nominee in ("Priya Raman", "Marco Rossi"):
        row = staffed.get_by_role("row", name=re.compile(nominee))
        expect(row).to_contain_text("3 of 3")
        for name in REVIEWERS:
            expect(row).to_contain_text(name)
    olga.shoot("assignments")

    # The other two reviewers review Priya's nomination; Rita logs in to hers.
    seed_other_reviews(site)
    rita = visit("Rita")
    page = rita.page
    rita.open(site.url + "/")
    rita.log_in("rita@example.org")
    rita.follow(page.get_by_role("navigation", name="Main").get_by_role("link", name="Review"))
    rita.follow(page.get_by_role("link", name=f"Dashboard of {CYCLE}"))
    queue = page.get_by_role("table", name=re.compile("^Nominations, sorted by"))
    priya_row = queue.get_by_role("row", name=re.compile("Priya Raman"))
    expect(priya_row).to_contain_text("2/3")
    expect(priya_row).to_contain_text("Hidden until you submit your review")
    rita.shoot("review-dashboard")
    rita.follow(priya_row.get_by_role("link", name="Priya Raman"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Priya Raman")
    expect(page.get_by_role("main")).to_contain_text(
        "The other reviews appear once you have submitted your own."
    )
    expect(page.get_by_role("main")).not_to_contain_text("Steady work all year")
    for criterion, score in (
        ("Impact", "4 Strong"),
        ("Consistency", "5 Exceptional"),
        ("Community focus", "5 Exceptional"),
        ("Expertise", "4 Strong"),
    ):
        page.get_by_role("group", name=criterion).get_by_label(score).check()
    page.get_by_role("group", name="Confidence").get_by_label("High").check()
    page.get_by_role("group", name="Recommendation").get_by_label("Award").check()
    page.get_by_label("Comment for the panel").fill(
        "Year-round work for newcomers, well endorsed by people outside her circle."
    )
    page.get_by_label("Feedback for the nominee (optional)").fill(
        "Your migration guide is the page I send people to. Thank you."
    )
    rita.shoot("review-form")
    rita.follow(page.get_by_role("button", name="Submit review"))
    expect(page.get_by_role("status")).to_contain_text("Your review is submitted")
    panel = page.get_by_role("region", name="The panel")
    expect(panel.get_by_role("table", name="Scores over 3 submitted reviews")).to_be_visible()
    for name, comment in (
        ("Ravi Shankar", "Steady work all year"),
        ("Rosa Diaz", "The meetup alone would justify it"),
    ):
        other = panel.get_by_role("article", name=re.compile(name))
        expect(other).to_contain_text("Award, confidence high")
        expect(other).to_contain_text(comment)
    expect(panel).to_contain_text("Recommendations: 3 award · 0 decline · 0 abstain")
    rita.shoot("review-submitted")

    # The organizer decides both nominations, marks the cycle decided and publishes.
    page = olga.page
    olga.follow(page.get_by_role("navigation", name="Main").get_by_role("link", name="Cycles"))
    olga.follow(page.get_by_role("link", name=CYCLE))
    expect(page.get_by_role("progressbar", name="3 of 6 reviews submitted (50%)")).to_be_visible()
    scores = page.get_by_role("img", name=re.compile("^Weighted mean scores of the nominations"))
    expect(scores).to_have_accessible_name(re.compile("1 nomination scored; most score 4–4.5"))
    olga.shoot("cycle-in-review")
    olga.follow(page.get_by_role("link", name="Decisions"))
    for nominee, decision, rationale in (
        ("Priya Raman", "Award", "Unanimous panel; a year of community work."),
        ("Marco Rossi", "Decline", "A promising start; not yet a year of sustained work."),
    ):
        olga.follow(page.get_by_role("link", name=f"Decide {nominee}"))
        page.get_by_role("group", name="Decision").get_by_label(decision).check()
        page.get_by_label("Rationale for the panel").fill(rationale)
        page.get_by_label("Feedback for the nominee").fill("Thank you for your work.")
        override = page.get_by_label("Decide with fewer reviews than the cycle asks")
        if override.count():  # one review of the three the cycle asks for
            override.check()
            page.get_by_label("Why decide without every review").fill(
                "The other reviewers were conflicted; one careful review is enough here."
            )
        olga.follow(page.get_by_role("button", name="Save decision"))
        expect(page.get_by_role("status").first).to_contain_text(f"Decision saved for {nominee}")
    decisions = page.get_by_role("table", name=f"Nominations of {CYCLE}")
    expect(decisions.get_by_role("row", name=re.compile("Priya Raman"))).to_contain_text("Award")
    expect(decisions.get_by_role("row", name=re.compile("Marco Rossi"))).to_contain_text("Decline")
    expect(page.get_by_role("status").last).to_contain_text(
        "Every nomination in review has a decision"
    )
    olga.shoot("decisions")
    olga.follow(page.get_by_role("link", name="Mark the cycle decided"))
    olga.follow(page.get_by_role("button", name="Move to decided"))
    expect(page.get_by_role("status")).to_contain_text(f"“{CYCLE}” is now decided")
    olga.follow(page.get_by_role("link", name="Decisions"))
    olga.follow(page.get_by_role("link", name="Publish the results"))
    expect(page.get_by_role("main")).to_contain_text("Nominees and nominators see the decisions")
    olga.follow(page.get_by_role("button", name="Move to published"))
    expect(page.get_by_role("status")).to_contain_text(f"“{CYCLE}” is now published")

    # Priya hears of it, and follows the notification to the award's public page.
    priya = visit("Priya")
    page = priya.page
    priya.open(site.url + "/")
    priya.log_in("priya@example.org")
    priya.follow(page.get_by_role("link", name=re.compile(r"^Notifications \d+ unread$")))
    congratulations = page.get_by_role(
        "button", name=f"Congratulations! You received the Data Platform award of {CYCLE}."
    )
    priya.follow(congratulations)
    certificate = page.get_by_role("article")
    expect(certificate.get_by_role("heading", level=1)).to_have_text("Priya Raman")
    expect(certificate).to_contain_text(f"Data Platform award, {CYCLE}")
    starts = TODAY + timedelta(days=15)
    expect(certificate.get_by_role("status")).to_contain_text(
        f"This award is valid from {starts.day} {starts:%b %Y}"
    )
    verification_url = page.url
    # She can add it to her LinkedIn profile and copy a badge for her blog.
    share = page.get_by_role("region", name="Share this award")
    linkedin = share.get_by_role("link", name="Add to LinkedIn")
    expect(linkedin).to_be_visible()
    expect(linkedin).to_have_attribute(
        "href",
        re.compile(r"^https://www\.linkedin\.com/profile/add\?startTask=CERTIFICATION_NAME&"),
    )
    markdown = share.get_by_label("Markdown")
    expect(markdown).to_be_visible()
    expect(markdown).to_have_attribute("readonly", "")
    expect(markdown).to_have_value(re.compile(r"^\[!\[.+\]\(http.+/badge\.svg\)\]\(http.+\)$"))
    expect(share.get_by_label("HTML")).to_have_value(
        re.compile(r"^<a href=.+<img src=.+badge\.svg")
    )
    badge = share.get_by_role("img", name="Nominee: Data Platform · valid")
    expect(badge).to_be_visible()
    assert badge.evaluate("img => img.naturalWidth") > 0  # the SVG loaded under the CSP
    preview = share.get_by_role("img", name=re.compile("^Priya Raman holds the Data Platform"))
    expect(preview).to_be_visible()
    assert preview.evaluate("img => img.naturalWidth") == 1200
    priya.shoot("award-verification")

    # Her nomination reads "Awarded", with the decision and the panel's feedback.
    priya.follow(
        page.get_by_role("navigation", name="Main").get_by_role("link", name="My nominations")
    )
    priya.follow(page.get_by_role("link", name="Nina Nominator"))
    expect(page.locator(".status").first).to_have_text("Awarded")
    decision = page.get_by_role("region", name="Decision")
    expect(decision).to_contain_text("Awarded")
    expect(decision).to_contain_text("Your migration guide is the page I send people to.")

    # Her public page lists the award, linked to the same verification page.
    priya.follow(page.get_by_role("link", name="Your page: Priya Raman"))
    awards = page.get_by_role("region", name="Awards")
    priya.follow(awards.get_by_role("link", name="Data Platform"))
    assert page.url == verification_url

    # Anybody given the link can check it, without an account.
    visitor = visit("Visitor")
    visitor.open(verification_url)
    expect(visitor.page.get_by_role("article")).to_contain_text("Priya Raman")
    expect(visitor.page.get_by_role("article")).to_contain_text(f"Data Platform award, {CYCLE}")
    # The badge snippet is for anybody to embed; LinkedIn is the holder's to add.
    share = visitor.page.get_by_role("region", name="Share this award")
    expect(share.get_by_label("Markdown")).to_be_visible()
    expect(share.get_by_role("link", name="Add to LinkedIn")).to_have_count(0)
    visitor.shoot("award-verification-visitor")

    # The award's Open Badges credential: verified from itself (its term starts later),
    # downloaded as a file, and checked again by pasting it.
    credential = visitor.page.get_by_role("region", name="Open Badges credential")
    expect(credential.get_by_role("status")).to_contain_text(
        f"Not verified. Not valid yet: valid from {starts.day} {starts:%b %Y}."
    )
    with visitor.page.expect_download() as download:
        credential.get_by_role("link", name="Download credential (JSON)").click()
    assert download.value.suggested_filename.endswith("-credential.json")
    text = Path(download.value.path()).read_text("utf-8")
    badge = json.loads(text)
    assert badge["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert badge["credentialSubject"]["achievement"]["name"] == "Data Platform award"
    visitor.follow(credential.get_by_role("link", name="Verify a credential file you were given"))
    visitor.page.get_by_label("Credential (JSON)").fill(text)
    visitor.follow(visitor.page.get_by_role("button", name="Verify"))
    result = visitor.page.get_by_role("region", name="Result")
    expect(result).to_contain_text(f"Not valid yet: valid from {starts.day} {starts:%b %Y}.")
    expect(result).to_contain_text("It is the credential of this award.")
