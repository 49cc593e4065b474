"""Issue 17, sharing: the award page's link-preview tags, "Add to LinkedIn", the badge
snippets, and the badge images (SVG to embed, PNG for link previews) with their caching."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from datetime import date, timedelta
from html import escape
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest
from PIL import Image

from nominee.cycles.models import CycleStatus

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = '</text><script>alert("x")</script> & <b>'


class Head(HTMLParser):
    """The page's ``<meta>`` tags (by property or name), its links and textareas."""

    def __init__(self):
        super().__init__()
        self.meta: dict[str, str] = {}
        self.links: dict[str, str] = {}  # link text -> href
        self.textareas: dict[str, str] = {}  # id -> text
        self.images: list[dict[str, str]] = []
        self._link: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta" and ("property" in attrs or "name" in attrs):
            self.meta[attrs.get("property") or attrs["name"]] = attrs.get("content", "")
        elif tag == "a":
            self._link = attrs.get("href", "")
            self._text = ""
        elif tag == "textarea":
            self._textarea = attrs["id"]
            self.textareas[self._textarea] = ""
        elif tag == "img":
            self.images.append(attrs)

    def handle_data(self, data):
        if self._link is not None:
            self._text += data
        if self._textarea is not None:
            self.textareas[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "a" and self._link is not None:
            self.links[" ".join(self._text.split())] = self._link
            self._link = None
        elif tag == "textarea":
            self._textarea = None


def parsed(html: str) -> Head:
    head = Head()
    head.feed(html)
    return head


def in_term(make, **kw):
    """An award of a published cycle whose term runs today."""
    today = date.today()
    kw.setdefault("starts_on", date(today.year, today.month, 1) - timedelta(days=40))
    kw.setdefault("ends_on", kw["starts_on"] + timedelta(days=364))
    return make.award(**kw)


def revoke(client, auth, make, award):
    auth.login(make.organizer())
    response = client.post(
        f"/awards/{award.verification_id}/revoke",
        data={"reason": "Plagiarised talks.", "confirm": "y"},
    )
    assert response.status_code == 302
    auth.logout()


# The page: link previews


def test_the_award_page_has_link_preview_tags_with_absolute_addresses(app, client, make):
    app.config["BASE_URL"] = "https://awards.example.org/programme"
    app.config["PROGRAMME_NAME"] = "Example Champions"
    holder = make.user(display_name="Grace Hopper")
    award = in_term(make, member=holder)
    page = client.get(f"/awards/{award.verification_id}")
    assert page.status_code == 200
    meta = parsed(page.text).meta
    base = f"https://awards.example.org/programme/awards/{award.verification_id}"
    category = award.category.name
    assert meta["og:url"] == base
    assert meta["og:image"] == meta["twitter:image"] == f"{base}/badge.png"
    assert (meta["og:image:width"], meta["og:image:height"]) == ("1200", "630")
    assert meta["og:type"] == "website"
    assert meta["og:site_name"] == "Example Champions"
    assert meta["og:title"] == meta["twitter:title"]
    assert meta["og:title"] == f"Grace Hopper: {category} award, {award.cycle.name}"
    assert meta["twitter:card"] == "summary_large_image"
    description = meta["og:description"]
    assert description.startswith(f"Grace Hopper holds the {category} award of Example Champions")
    assert "valid from" in description
    assert meta["og:image:alt"] == meta["twitter:image:alt"] == description
    assert f'<link rel="canonical" href="{base}">' in page.text


def test_a_hostile_name_stays_text_in_the_tags_and_snippets(client, make):
    award = in_term(make, member=make.user(display_name=HOSTILE))
    page = client.get(f"/awards/{award.verification_id}")
    assert "<script>" not in page.text
    head = parsed(page.text)
    assert head.meta["og:title"].startswith(HOSTILE)
    # The snippets read as the text to paste: the HTML one escapes the name once.
    base = f"http://127.0.0.1:5000/awards/{award.verification_id}"
    alt = escape(f"Nominee: {award.category.name} award of {HOSTILE}")
    assert head.textareas["badge-html"] == (
        f'<a href="{base}"><img src="{base}/badge.svg" alt="{alt}"></a>'
    )
    assert f"award of {HOSTILE}]({base}/badge.svg)" in head.textareas["badge-markdown"]


# The page: sharing


def test_the_holder_gets_the_linkedin_link_with_the_award_filled_in(app, client, auth, make):
    app.config["PROGRAMME_NAME"] = "Example Champions & Friends"
    holder = make.user(display_name="Grace Hopper")
    award = in_term(make, member=holder)
    auth.login(holder)
    head = parsed(client.get(f"/awards/{award.verification_id}").text)
    link = urlsplit(head.links["Add to LinkedIn"])
    assert (link.scheme, link.netloc, link.path) == ("https", "www.linkedin.com", "/profile/add")
    award_url = f"http://127.0.0.1:5000/awards/{award.verification_id}"
    assert parse_qs(link.query, strict_parsing=True) == {
        "startTask": ["CERTIFICATION_NAME"],
        "name": [f"{award.category.name} award, {award.cycle.name}"],
        "organizationName": ["Example Champions & Friends"],
        "issueYear": [str(award.starts_on.year)],
        "issueMonth": [str(award.starts_on.month)],
        "expirationYear": [str(award.ends_on.year)],
        "expirationMonth": [str(award.ends_on.month)],
        "certUrl": [award_url],
        "certId": [award.verification_id],
    }
    # Percent-encoded: "&" and the address's "/" and ":" never read as separators.
    assert "organizationName=Example%20Champions%20%26%20Friends&" in link.query
    assert "certUrl=http%3A%2F%2F127.0.0.1%3A5000%2Fawards%2F" in link.query


def test_a_linkedin_page_of_the_programme_is_linked_by_its_id(app, client, auth, make):
    app.config["LINKEDIN_ORGANIZATION_ID"] = 1337  # a number, as read from the environment
    holder = make.user()
    award = in_term(make, member=holder)
    auth.login(holder)
    head = parsed(client.get(f"/awards/{award.verification_id}").text)
    query = parse_qs(urlsplit(head.links["Add to LinkedIn"]).query)
    assert query["organizationId"] == ["1337"]
    assert "organizationName" not in query


def test_everybody_gets_the_badge_snippets_only_the_holder_linkedin(client, auth, make):
    award = in_term(make)
    page = client.get(f"/awards/{award.verification_id}")
    head = parsed(page.text)
    assert "Add to LinkedIn" not in head.links
    base = f"http://127.0.0.1:5000/awards/{award.verification_id}"
    alt = f"Nominee: {award.category.name} award of {award.member.display_name}"
    assert head.textareas["badge-markdown"] == f"[![{alt}]({base}/badge.svg)]({base})"
    assert head.textareas["badge-html"] == (
        f'<a href="{base}"><img src="{base}/badge.svg" alt="{alt}"></a>'
    )
    assert '<label for="badge-markdown">Markdown</label>' in page.text
    assert '<label for="badge-html">HTML</label>' in page.text
    images = {image["src"]: image for image in head.images}
    svg = images[f"/awards/{award.verification_id}/badge.svg"]
    assert svg["alt"] == f"Nominee: {award.category.name} · valid"
    png = images[f"/awards/{award.verification_id}/badge.png"]
    assert png["alt"].startswith(f"{award.member.display_name} holds the")
    # Another member, logged in, is not the holder either.
    auth.login(make.user())
    assert "Add to LinkedIn" not in client.get(f"/awards/{award.verification_id}").text


def test_an_expired_award_can_still_be_added_to_linkedin(client, auth, make):
    holder = make.user()
    ends_on = date.today() - timedelta(days=3)
    award = make.award(member=holder, starts_on=ends_on - timedelta(days=364), ends_on=ends_on)
    auth.login(holder)
    head = parsed(client.get(f"/awards/{award.verification_id}").text)
    query = parse_qs(urlsplit(head.links["Add to LinkedIn"]).query)
    assert query["expirationYear"] == [str(ends_on.year)]
    assert head.meta["og:description"].endswith("it has expired.")


def test_a_revoked_award_page_stays_says_so_and_offers_no_sharing(client, auth, make):
    holder = make.user()
    award = in_term(make, member=holder)
    revoke(client, auth, make, award)
    auth.login(holder)
    page = client.get(f"/awards/{award.verification_id}")
    assert page.status_code == 200
    assert "This award was revoked on" in page.text
    assert "Share this award" not in page.text
    assert "Add to LinkedIn" not in page.text
    meta = parsed(page.text).meta
    assert meta["og:description"].endswith("was revoked: it is not valid.")


# The SVG badge


def badge(client, award, **headers):
    return client.get(f"/awards/{award.verification_id}/badge.svg", headers=headers)


def svg_of(response) -> ET.Element:
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    return ET.fromstring(response.data)  # well-formed XML, or this raises


def texts(root: ET.Element) -> list[str]:
    return [
        text.text or "" for text in root.iter(f"{SVG}text") if "fill-opacity" not in text.attrib
    ]


@pytest.mark.parametrize(
    ("when", "state", "colour"),
    [
        ("upcoming", "valid", "#1a7f37"),
        ("in term", "valid", "#1a7f37"),
        ("expired", "expired", "#8a5a00"),
        ("revoked", "revoked", "#b42318"),
    ],
)
def test_the_svg_badge_shows_the_state(client, auth, make, when, state, colour):
    today = date.today()
    if when == "upcoming":
        award = make.award()
        assert award.starts_on > today
    elif when == "expired":
        award = make.award(starts_on=today - timedelta(days=400), ends_on=today - timedelta(1))
    else:
        award = in_term(make)
    if when == "revoked":
        revoke(client, auth, make, award)
    root = svg_of(badge(client, award))
    category = award.category.name
    assert texts(root) == ["Nominee", f"{category} · {state}"]
    fills = [rect.get("fill") for rect in root.iter(f"{SVG}rect")]
    assert colour in fills
    title = root.find(f"{SVG}title")
    name = f"Nominee: {category} award of {award.member.display_name}, {state}"
    assert title is not None and title.text == name
    assert root.get("role") == "img" and root.get("aria-label") == name


def test_the_svg_badge_escapes_hostile_names(app, client, make):
    app.config["PROGRAMME_NAME"] = 'Prog "<ram>" & co'
    category = make.category(name='</text><script>alert(1)</script>"&')
    cycle = make.cycle(status=CycleStatus.PUBLISHED, categories=[category])
    award = make.award(cycle=cycle, member=make.user(display_name=HOSTILE))
    response = badge(client, award)
    root = svg_of(response)
    assert b"<script" not in response.data
    assert not list(root.iter(f"{SVG}script"))
    assert texts(root) == ['Prog "<ram>" & co', '</text><script>alert(1)</script>"& · valid']
    title = root.find(f"{SVG}title")
    assert title is not None and HOSTILE in (title.text or "")
    assert HOSTILE in root.get("aria-label", "")


def test_badge_images_are_cached_by_etag(client, auth, make):
    award = in_term(make)
    for kind, max_age in (("svg", 300), ("png", 3600)):
        url = f"/awards/{award.verification_id}/badge.{kind}"
        first = client.get(url)
        etag = first.headers["ETag"]
        assert etag.startswith('W/"')
        assert first.headers["Cache-Control"] == f"public, max-age={max_age}"
        assert first.headers["Cross-Origin-Resource-Policy"] == "cross-origin"
        again = client.get(url, headers={"If-None-Match": etag})
        assert again.status_code == 304
        assert again.data == b""
        assert again.headers["ETag"] == etag
        assert again.headers["Cache-Control"] == f"public, max-age={max_age}"
        assert client.get(url, headers={"If-None-Match": 'W/"other"'}).status_code == 200
    svg_tag = badge(client, award).headers["ETag"]
    # Revoked: another ETag, so the kept copy is not reused.
    revoke(client, auth, make, award)
    changed = badge(client, award, **{"If-None-Match": svg_tag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != svg_tag
    assert "revoked" in texts(svg_of(changed))[1]


def test_a_logged_in_visitor_gets_the_same_cacheable_image(client, auth, make):
    award = in_term(make)
    auth.login(make.user())
    response = client.get(f"/awards/{award.verification_id}/badge.png")
    assert response.headers["Cache-Control"] == "public, max-age=3600"
    # The page itself is still not kept.
    assert client.get(f"/awards/{award.verification_id}").headers["Cache-Control"] == "no-store"


def test_the_svg_badge_may_run_nothing_when_opened_on_its_own(client, make):
    response = badge(client, in_term(make))
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "script-src 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"


# The PNG image


def test_the_png_badge_is_a_1200_by_630_png(client, make):
    award = in_term(make)
    response = client.get(f"/awards/{award.verification_id}/badge.png")
    assert response.status_code == 200
    assert response.mimetype == "image/png"
    image = Image.open(io.BytesIO(response.data))
    image.verify()
    assert (image.format, image.size) == ("PNG", (1200, 630))


def test_a_revoked_award_gets_another_png(client, auth, make):
    award = in_term(make)
    url = f"/awards/{award.verification_id}/badge.png"
    before = client.get(url)
    revoke(client, auth, make, award)
    after = client.get(url)
    assert after.status_code == 200
    assert after.headers["ETag"] != before.headers["ETag"]
    # The state's colour is in the stripe along the card's top.
    pixel = Image.open(io.BytesIO(after.data)).convert("RGB").getpixel((600, 47))
    assert pixel == (0xB4, 0x23, 0x18)


@pytest.mark.parametrize("kind", ["svg", "png"])
def test_badges_of_unknown_or_unpublished_awards_are_404(client, make, kind):
    unpublished = make.award(cycle=make.cycle(status=CycleStatus.DECIDED))
    for verification_id in (unpublished.verification_id, "not-a-real-id", "x" * 300):
        assert client.get(f"/awards/{verification_id}/badge.{kind}").status_code == 404


def test_revoked_status_reaches_the_badges_without_the_reason(client, auth, make):
    award = in_term(make)
    revoke(client, auth, make, award)
    svg = badge(client, award).text
    assert "revoked" in svg
    assert "Plagiarised" not in svg


def test_a_logged_in_visitors_404_for_a_badge_is_not_kept(client, auth, make):
    auth.login(make.user())
    response = client.get("/awards/not-a-real-id/badge.svg")
    assert response.status_code == 404
    assert response.headers["Cache-Control"] == "no-store"
