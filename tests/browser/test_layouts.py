"""Every page of the three journeys (newcomer, nomination, award) on a phone and on a
desktop, in the light and the dark theme, in English and in Spanish: the page never
scrolls sideways (a wide table scrolls in its own box), ``<html lang>`` is the reader's
language, and in the dark theme axe-core finds nothing serious or critical (the light
theme is checked on the same pages by the journeys themselves, ``Visit.check``).

The eight combinations are covered pairwise by four looks, so every width meets every
theme and every language; phones are also measured at 320 px, and the header's Menu
must reach every link. The text is not asserted here (the Spanish catalogue is still
being written), only the structure.

The journeys' states are seeded at once: an open cycle with a peer nomination awaiting
acceptance, a cycle in review with its panel half done, and a published cycle's award.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PASSWORD, SCREENSHOTS, TIMEOUT_MS, Visit
from tests.browser.test_award import CYCLE, seed_nominations, seed_other_reviews, seed_programme

TODAY = date.today()
# A word longer than any phone is wide: it must wrap, not push the page sideways.
LONG_TITLE = "Notes from https://example.org/community/meetups/2026/lisbon/postgresql-at-scale"


@dataclass(frozen=True)
class Look:
    width: int
    scheme: str
    language: str

    @property
    def name(self) -> str:
        device = "phone" if self.width < 600 else "desktop"
        return f"{device}-{self.scheme}-{self.language}"


LOOKS = (
    Look(375, "light", "en"),
    Look(375, "dark", "es"),
    Look(1280, "dark", "en"),
    Look(1280, "light", "es"),
)
# A few pages people look at first, shot for the README and for review by eye.
SHOTS = {"accept", "review", "decisions", "award"}


def seed_world(site) -> dict[str, list[tuple[str, str]]]:
    """The three journeys' states; answers each person's pages as (name, path)."""
    from nominee.accounts.models import User
    from nominee.contributions.models import Contribution, ContributionType
    from nominee.cycles.models import Cycle, CycleStatus
    from nominee.nominations.models import Nomination, NominationKind, NominationStatus

    seed_programme(site)
    seed_nominations(site)
    seed_other_reviews(site)
    with site.seed() as make:
        session = make.session
        people = {u.display_name: u for u in session.query(User)}
        olga, nina, priya = (
            people["Olga Organizer"],
            people["Nina Nominator"],
            people["Priya Raman"],
        )
        rita = people["Rita Reviewer"]
        in_review = session.query(Cycle).filter_by(name=CYCLE).one()
        category = in_review.categories[0]
        in_review.status = CycleStatus.IN_REVIEW
        nominations = session.query(Nomination).filter_by(cycle_id=in_review.id).all()
        for nomination in nominations:
            nomination.status = NominationStatus.IN_REVIEW
        for reviewer in (rita, people["Ravi Shankar"], people["Rosa Diaz"]):
            make.appointment(in_review, reviewer)
            for nomination in nominations:
                make.assignment(nomination, reviewer)
        reviewed = next(n for n in nominations if n.nominee_id == priya.id)
        talk = session.query(ContributionType).filter_by(name="Talk at a local event").one()
        long_one = make.contribution(
            owner=priya,
            type=talk,
            role=talk.roles[0] if talk.roles else None,
            primary_category=category,
            title=LONG_TITLE,
            contributed_on=TODAY - timedelta(days=5),
            quantity=1,
            audience=60,
        )
        make.endorsement(long_one, endorser=nina)
        # The nomination journey: Nina's peer nomination of Priya waits for her answer.
        open_cycle = make.cycle(name="Community Awards 2027", categories=[category])
        waiting = make.nomination(
            cycle=open_cycle,
            nominee=priya,
            kind=NominationKind.PEER,
            nominator=nina,
            status=NominationStatus.AWAITING_ACCEPTANCE,
        )
        # The award journey's end: last year's published cycle and Priya's award.
        published = make.cycle(
            name="Community Awards 2025",
            status=CycleStatus.PUBLISHED,
            categories=[category],
            nominations_open_on=TODAY - timedelta(days=400),
            nominations_close_on=TODAY - timedelta(days=370),
            review_close_on=TODAY - timedelta(days=350),
        )
        won = make.nomination(
            cycle=published,
            nominee=priya,
            kind=NominationKind.PEER,
            nominator=nina,
            status=NominationStatus.AWARDED,
        )
        award = make.award(won)
        session.flush()
        peer_work = session.query(Contribution).filter_by(owner_id=priya.id).first()
        ids = {
            "open": open_cycle.id,
            "review": in_review.id,
            "waiting": waiting.id,
            "reviewed": reviewed.id,
            "won": won.id,
            "award": award.verification_id,
            "priya": priya.id,
            "work": peer_work.id,
            "long": long_one.id,
            "talk": talk.id,
            "nina": nina.id,
            "olga": olga.id,
        }
    award_page = f"/awards/{ids['award']}"
    return {
        "": [
            ("home-visitor", "/"),
            ("register", "/register"),
            ("check-inbox", "/check-inbox"),
            ("login", "/login"),
            ("award", award_page),
            ("credential-verify", f"{award_page}/credential"),
            ("awardees", "/awardees"),
        ],
        # Journey 1, the newcomer's pages (seen by Nina, a member like any other).
        "nina@example.org": [
            ("home-member", "/"),
            ("my-contributions", "/contributions/mine"),
            ("log-contribution-type", "/contributions/new"),
            ("log-contribution", f"/contributions/new?type={ids['talk']}"),
            ("contribution", f"/contributions/{ids['work']}"),
            ("contribution-long", f"/contributions/{ids['long']}"),
            ("member-page", f"/members/{ids['priya']}"),
            ("settings", "/account/profile"),
            # Journey 2, the nominator's side.
            ("cycles", "/cycles/"),
            ("cycle-open", f"/cycles/{ids['open']}"),
            ("nominate-search", f"/cycles/{ids['open']}/nominate?q=priya"),
            ("nominate", f"/cycles/{ids['open']}/nominate?nominee={ids['priya']}"),
            ("nomination-waiting", f"/nominations/{ids['waiting']}"),
            ("my-nominations", "/nominations/mine"),
        ],
        # Journey 2, the nominee's side, and journey 3's end.
        "priya@example.org": [
            ("notifications", "/notifications/"),
            ("accept", f"/nominations/{ids['waiting']}/accept"),
            ("my-nominations-nominee", "/nominations/mine"),
            ("nomination-awarded", f"/nominations/{ids['won']}"),
            ("award-holder", award_page),
            ("own-page", f"/members/{ids['priya']}"),
        ],
        # Journey 3, the reviewer and the organizer.
        "rita@example.org": [
            ("reviews", "/review"),
            ("review-dashboard", f"/cycles/{ids['review']}/dashboard"),
            ("review", f"/cycles/{ids['review']}/nominations/{ids['reviewed']}/review"),
        ],
        "olga@example.org": [
            ("cycle-in-review", f"/cycles/{ids['review']}"),
            ("move-cycle", f"/cycles/{ids['review']}/status/decided"),
            ("reviewers", f"/cycles/{ids['review']}/reviewers"),
            ("assignments", f"/cycles/{ids['review']}/assignments"),
            ("decisions", f"/cycles/{ids['review']}/decisions"),
            ("decide", f"/nominations/{ids['reviewed']}/decide"),
        ],
    }


@pytest.fixture(scope="module")
def world(served):
    """Seeded once for the four looks: they only read."""
    served.reset()
    return seed_world(served)


def make_small(path) -> None:
    """These shots are committed: 128 colours keep them a third of the size, still crisp."""
    from PIL import Image

    with Image.open(path) as image:
        small = image.convert("RGB").quantize(colors=128, method=Image.Quantize.MEDIANCUT)
    small.save(path, optimize=True)


def overflow(page) -> int:
    """How many pixels the page is wider than the screen (0: it fits)."""
    return page.evaluate(
        "() => Math.max(0, document.documentElement.scrollWidth - window.innerWidth)"
    )


def menu_reaches_every_link(page, look: Look) -> None:
    """The header's links, the organizer's last one included: on a phone behind the Menu
    (opened by keyboard, no script needed), on a desktop always shown."""
    last = page.locator("header nav a[href='/admin/integrity/']")
    if look.width < 600:
        expect(last).to_be_hidden()
        page.locator("summary.site-menu-toggle").focus()
        page.keyboard.press("Enter")
    expect(last).to_be_visible()
    expect(page.locator("header nav a[href='/contributions/mine']")).to_be_visible()


@pytest.mark.parametrize("look", LOOKS, ids=lambda look: look.name)
def test_every_journey_page_fits_and_reads_in_each_look(served, world, browser, axe, look):
    problems: list[str] = []
    for email, pages in world.items():
        context = browser.new_context(
            viewport={"width": look.width, "height": 800},
            color_scheme=look.scheme,
            locale=look.language,
            extra_http_headers={"Accept-Language": look.language},
            base_url=served.url,
        )
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        person = Visit(page, axe, email or "visitor")
        if email:
            page.goto("/login")
            page.locator("input[name=email]").fill(email)
            page.locator("input[name=password]").fill(PASSWORD)
            with page.expect_navigation():
                page.locator("form:has(input[name=password]) [type=submit]").click()
            assert "/login" not in page.url, f"{email} could not log in"
        if email == "olga@example.org":
            menu_reaches_every_link(page, look)
        for name, path in pages:
            response = page.goto(path)
            assert response is not None and response.ok, f"{path}: {response and response.status}"
            lang = page.evaluate("() => document.documentElement.lang")
            if lang != look.language:
                problems.append(f"{path}: <html lang={lang!r}>")
            if excess := overflow(page):
                problems.append(f"{path}: {excess}px too wide at {look.width}px")
            if look.scheme == "dark":
                person.check()
            if name in SHOTS:
                SCREENSHOTS.mkdir(exist_ok=True)
                shot = SCREENSHOTS / f"{name}-{look.name}.png"
                page.screenshot(path=shot)
                make_small(shot)
            if look.width < 600:
                page.set_viewport_size({"width": 320, "height": 800})
                if excess := overflow(page):
                    widest = page.evaluate(
                        """() => [...document.querySelectorAll('body *')]
                        .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
                        .filter(e => !e.closest('.table-wrap'))
                        .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' +
                        Math.round(e.getBoundingClientRect().right) + ' ' +
                        (e.textContent || '').trim().slice(0, 40))"""
                    )
                    problems.append(f"{path}: {excess}px too wide at 320px: {widest}")
                page.set_viewport_size({"width": look.width, "height": 800})
        context.close()
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    ("chosen", "system", "background"),
    [
        ("dark", "light", "rgb(15, 19, 26)"),
        ("light", "dark", "rgb(244, 246, 250)"),
    ],
)
def test_a_members_theme_wins_over_the_system_one(
    served, world, browser, chosen, system, background
):
    """Settings' theme is the page's, whatever the system prefers."""
    from nominee.accounts.models import User

    with served.seed() as make:
        make.session.query(User).filter_by(email="nina@example.org").one().theme = chosen
    context = browser.new_context(color_scheme=system, base_url=served.url)
    page = context.new_page()
    try:
        page.goto("/login")
        page.locator("input[name=email]").fill("nina@example.org")
        page.locator("input[name=password]").fill(PASSWORD)
        with page.expect_navigation():
            page.locator("form:has(input[name=password]) [type=submit]").click()
        assert page.evaluate("() => document.documentElement.dataset.theme") == chosen
        assert page.evaluate("() => getComputedStyle(document.body).backgroundColor") == background
    finally:
        context.close()
        with served.seed() as make:
            make.session.query(User).filter_by(email="nina@example.org").one().theme = ""
