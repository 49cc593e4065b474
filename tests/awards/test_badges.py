"""The badge drawings and the share links as plain functions: fonts, odd text, ETags."""

from __future__ import annotations

import dataclasses
import io
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import pytest
from PIL import Image

from nominee.awards import badges
from nominee.awards.badges import BadgeFacts, BadgeState, badge_png, badge_svg, printable
from nominee.awards.sharing import badge_snippets, linkedin_url

FACTS = BadgeFacts(
    award_id=7,
    programme="Nominee Community Awards",
    member="Grace Hopper",
    category="Developer Tools",
    cycle="Spring 2026",
    starts_on=date(2026, 4, 1),
    ends_on=date(2027, 3, 31),
    state=BadgeState.VALID,
    address="awards.example.org/awards/AbCd",
)


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def test_summaries_say_what_the_badge_says():
    assert FACTS.summary == (
        "Grace Hopper holds the Developer Tools award of Nominee Community Awards "
        "(Spring 2026), valid from 1 Apr 2026 to 31 Mar 2027."
    )
    expired = dataclasses.replace(FACTS, state=BadgeState.EXPIRED)
    assert expired.summary == (
        "Grace Hopper held the Developer Tools award of Nominee Community Awards "
        "(Spring 2026) from 1 Apr 2026 to 31 Mar 2027; it has expired."
    )
    revoked = dataclasses.replace(FACTS, state=BadgeState.REVOKED)
    assert revoked.summary == (
        "The Developer Tools award of Nominee Community Awards (Spring 2026) given to "
        "Grace Hopper was revoked: it is not valid."
    )


def test_the_etag_changes_with_everything_drawn_and_the_version(monkeypatch):
    tag = FACTS.etag("png")
    assert tag == FACTS.etag("png")  # the same on every call, process and host
    assert FACTS.etag("svg") != tag
    for field, other in (
        ("award_id", 8),
        ("programme", "Other"),
        ("member", "Grace M. Hopper"),
        ("category", "Data"),
        ("cycle", "Autumn 2026"),
        ("starts_on", date(2026, 4, 2)),
        ("ends_on", date(2027, 4, 1)),
        ("state", BadgeState.REVOKED),
        ("address", "elsewhere.example/awards/AbCd"),
    ):
        assert dataclasses.replace(FACTS, **{field: other}).etag("png") != tag, field
    monkeypatch.setattr(badges, "BADGE_VERSION", badges.BADGE_VERSION + 1)
    assert FACTS.etag("png") != tag


def test_printable_drops_what_xml_cannot_hold():
    assert printable("Ada\x00Love\x0blace\ud800\ufffe") == "Ada Love lace"
    assert printable("  Zoë  Ωmega\t👩‍💻 ") == "Zoë Ωmega 👩‍💻"


@pytest.mark.parametrize("state", list(BadgeState))
def test_every_state_draws_a_well_formed_svg_and_a_png(state):
    facts = dataclasses.replace(FACTS, state=state)
    root = ET.fromstring(badge_svg(facts))
    assert root.get("height") == "20"
    assert f"· {state.value}" in "".join(root.itertext())
    image = opened(badge_png(facts))
    assert (image.format, image.size) == ("PNG", (1200, 630))


def test_long_and_unusual_names_still_fit():
    facts = dataclasses.replace(
        FACTS,
        member="W" * 80,
        category="ש" * 40 + " 数据平台 " + "é" * 39,
        programme="P" * 120,
        cycle="\u202econtrol\u202c" * 10,
    )
    root = ET.fromstring(badge_svg(facts))
    shown = [t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert all(len(text) <= 52 for text in shown)  # clipped with "…"
    assert opened(badge_png(facts)).size == (1200, 630)


def test_without_dejavu_pillows_own_font_draws(monkeypatch, tmp_path):
    monkeypatch.setattr(badges, "FONT_DIR", Path(tmp_path) / "missing")
    badges.font.cache_clear()
    try:
        assert not isinstance(badges.font(30), type(None))
        assert opened(badge_png(FACTS)).size == (1200, 630)
        ET.fromstring(badge_svg(FACTS))
    finally:
        badges.font.cache_clear()


def test_linkedin_url_encodes_every_value():
    url = linkedin_url(
        name="C# & .NET award, 2026/27",
        organization="Zoë's = Programme",
        issued=date(2026, 4, 1),
        expires=None,
        cert_url="https://awards.example.org/awards/a-b_c?x=1",
        cert_id="a-b_c",
    )
    assert url == (
        "https://www.linkedin.com/profile/add?startTask=CERTIFICATION_NAME"
        "&name=C%23%20%26%20.NET%20award%2C%202026%2F27"
        "&organizationName=Zo%C3%AB%27s%20%3D%20Programme"
        "&issueYear=2026&issueMonth=4"
        "&certUrl=https%3A%2F%2Fawards.example.org%2Fawards%2Fa-b_c%3Fx%3D1&certId=a-b_c"
    )


def test_snippets_escape_the_alt_text():
    snippets = badge_snippets(
        alt='A [b] \\ "c" <d>', image_url="https://x.example/b.svg", award_url="https://x.example/a"
    )
    assert (
        snippets.markdown
        == '[![A \\[b\\] \\\\ "c" <d>](https://x.example/b.svg)](https://x.example/a)'
    )
    assert snippets.html == (
        '<a href="https://x.example/a"><img src="https://x.example/b.svg" '
        'alt="A [b] \\ &quot;c&quot; &lt;d&gt;"></a>'
    )
