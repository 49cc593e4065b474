"""An award's badge as images: a shields-like SVG to embed in a blog or a README, and a
1200x630 PNG for link previews (Open Graph, Twitter cards), drawn with Pillow.

Both are drawn from ``BadgeFacts``, a few strings and dates read from the award, and are
cheap to draw again (the SVG well under a millisecond, the PNG about 14 ms of
CPU): nothing is kept on disk or in memory between requests. What a browser or proxy
keeps is checked with the ETag ``BadgeFacts.etag``: a digest of everything drawn and of
``BADGE_VERSION``, so a change of status (revoked, expired), name or drawing makes a new
one on every host.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import unicodedata
from dataclasses import astuple, dataclass
from datetime import date
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

from PIL import Image, ImageDraw, ImageFont

from nominee import i18n
from nominee.awards.models import Award, AwardStatus
from nominee.formatting import format_date

# Bump when the drawing of either image changes: every badge gets a new ETag.
BADGE_VERSION = 1
PNG_SIZE = (1200, 630)  # Open Graph's recommended image size, 1.91:1
# Debian's fonts-dejavu-core; Pillow's own font stands in when it is missing.
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT_FILES = {False: "DejaVuSans.ttf", True: "DejaVuSans-Bold.ttf"}
SVG_TEXT_MAX = 40  # characters of the programme or the category on the SVG badge


class BadgeState(StrEnum):
    VALID = "valid"
    EXPIRED = "expired"
    REVOKED = "revoked"


# White text on each has a contrast of at least 4.5:1 (WCAG AA).
COLOURS = {
    BadgeState.VALID: "#1a7f37",
    BadgeState.EXPIRED: "#8a5a00",
    BadgeState.REVOKED: "#b42318",
}
LABEL_COLOUR = "#3d4451"
BRAND = "#2147b3"
STAR = "#ffd166"


def _state(status: AwardStatus) -> BadgeState:
    if status is AwardStatus.REVOKED:
        return BadgeState.REVOKED
    if status is AwardStatus.EXPIRED:
        return BadgeState.EXPIRED
    return BadgeState.VALID  # an award whose term has not begun is valid from its start


def printable(text: str) -> str:
    """``text`` without what XML 1.0 and a drawn line cannot hold: control characters
    (each becomes a space), lone surrogates and the non-characters U+FFFE and U+FFFF."""
    kept = []
    for char in text:
        kind = unicodedata.category(char)
        if kind == "Cc":
            kept.append(" ")
        elif kind != "Cs" and char not in "\ufffe\uffff":
            kept.append(char)
    return " ".join("".join(kept).split())


@dataclass(frozen=True)
class BadgeFacts:
    """What the badge images of an award show."""

    award_id: int
    programme: str
    member: str
    category: str
    cycle: str
    starts_on: date
    ends_on: date
    state: BadgeState
    address: str  # the award page's address, shown on the PNG: "host/awards/<id>"

    @property
    def term(self) -> str:
        return f"{format_date(self.starts_on)} – {format_date(self.ends_on)}"

    @property
    def title(self) -> str:
        """The award's name: "Developer Tools award, Spring 2026"."""
        return f"{self.category} award, {self.cycle}"

    @property
    def message(self) -> str:
        """The right-hand side of the SVG badge."""
        return f"{_clip(self.category, SVG_TEXT_MAX)} · {self.state.value}"

    @property
    def summary(self) -> str:
        """One sentence saying what the badge says: alt text, descriptions."""
        award = f"the {self.category} award of {self.programme} ({self.cycle})"
        if self.state is BadgeState.REVOKED:
            return f"The {award[4:]} given to {self.member} was revoked: it is not valid."
        if self.state is BadgeState.EXPIRED:
            return (
                f"{self.member} held {award} from {format_date(self.starts_on)} to "
                f"{format_date(self.ends_on)}; it has expired."
            )
        return (
            f"{self.member} holds {award}, valid from {format_date(self.starts_on)} to "
            f"{format_date(self.ends_on)}."
        )

    def etag(self, kind: str) -> str:
        """The entity tag of the ``kind`` ("png", "svg") image: the same on every host for
        the same facts, another one as soon as anything drawn changes."""
        facts = [BADGE_VERSION, kind, *(str(value) for value in astuple(self))]
        return hashlib.sha256(json.dumps(facts).encode()).hexdigest()[:32]


def facts_of(award: Award, *, programme: str, today: date, address: str) -> BadgeFacts:
    return BadgeFacts(
        award_id=award.id,
        programme=printable(programme),
        member=printable(award.member.display_name),
        category=printable(award.category.name),
        cycle=printable(award.cycle.name),
        starts_on=award.starts_on,
        ends_on=award.ends_on,
        state=_state(award.status_on(today)),
        address=printable(address),
    )


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# Fonts


Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


@lru_cache(maxsize=32)
def font(size: int, bold: bool = False) -> Font:
    """DejaVu Sans at ``size`` pixels, or Pillow's default font where it is missing."""
    try:
        return ImageFont.truetype(str(FONT_DIR / FONT_FILES[bold]), size)
    except OSError:
        return ImageFont.load_default(size)


def text_width(text: str, size: int, bold: bool = False) -> float:
    return float(font(size, bold).getlength(text))


# SVG


def _attr(text: str) -> str:
    return escape(text, {'"': "&quot;"})


def badge_svg(facts: BadgeFacts) -> str:
    """A shields.io-like badge: the programme on the left, "<category> · <state>" on the
    right in the state's colour; ``<title>`` and ``aria-label`` give its text."""
    label = _clip(facts.programme, SVG_TEXT_MAX)
    message = facts.message
    # Widths measured in DejaVu Sans at 11px (close to Verdana, the first font asked
    # for); ``textLength`` fits whatever font the reader has into them.
    label_text = round(text_width(label, 11))
    message_text = round(text_width(message, 11))
    left, right = label_text + 10, message_text + 10
    width = left + right
    name = f"{facts.programme}: {facts.category} award of {facts.member}, {facts.state.value}"
    colour = COLOURS[facts.state]
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="20" '
        f'viewBox="0 0 {width} 20" role="img" aria-label="{_attr(name)}">'
        f"<title>{escape(name)}</title>"
        '<linearGradient id="s" x2="0" y2="100%">'
        '<stop offset="0" stop-color="#bbb" stop-opacity=".1"/>'
        '<stop offset="1" stop-opacity=".1"/></linearGradient>'
        f'<clipPath id="r"><rect width="{width}" height="20" rx="3" fill="#fff"/></clipPath>'
        '<g clip-path="url(#r)">'
        f'<rect width="{left}" height="20" fill="{LABEL_COLOUR}"/>'
        f'<rect x="{left}" width="{right}" height="20" fill="{colour}"/>'
        f'<rect width="{width}" height="20" fill="url(#s)"/></g>'
        '<g fill="#fff" text-anchor="middle" '
        'font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11" '
        'text-rendering="geometricPrecision">'
        + _shadowed(label, left / 2, label_text)
        + _shadowed(message, left + right / 2, message_text)
        + "</g></svg>"
    )


def _shadowed(text: str, middle: float, length: int) -> str:
    body = escape(text)
    common = f'x="{middle:g}" textLength="{length}" lengthAdjust="spacingAndGlyphs"'
    return (
        f'<text aria-hidden="true" {common} y="15" fill="#010101" fill-opacity=".3">'
        f"{body}</text>"
        f'<text aria-hidden="true" {common} y="14">{body}</text>'
    )


# PNG


def _fitted(text: str, width: int, sizes: range, bold: bool = False) -> tuple[str, Font]:
    """``text`` in the largest of ``sizes`` it fits ``width`` at, else at the smallest
    with an ellipsis."""
    for size in sizes:
        if text_width(text, size, bold) <= width:
            return text, font(size, bold)
    size = sizes[-1]
    low, high = 0, len(text)  # the longest prefix that fits with "…"
    while low < high:
        middle = (low + high + 1) // 2
        if text_width(text[:middle].rstrip() + "…", size, bold) <= width:
            low = middle
        else:
            high = middle - 1
    return text[:low].rstrip() + "…", font(size, bold)


def _star(draw: ImageDraw.ImageDraw, x: int, y: int, radius: int) -> None:
    """The brand's mark: a yellow star in a blue disc, centred on (x, y)."""
    draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=BRAND)
    points = []
    outer, inner = radius * 0.62, radius * 0.26
    for index in range(10):
        angle = math.pi / 2 + index * math.pi / 5
        r = outer if index % 2 == 0 else inner
        points.append((x + r * math.cos(angle), y - r * math.sin(angle)))
    draw.polygon(points, fill=STAR)


# Drawn PNGs kept per process, by what they show (a few hundred at about 15 KB each).
PNG_CACHE_SIZE = 256


def badge_png(facts: BadgeFacts) -> bytes:
    """The 1200x630 link-preview image: programme, member, award, cycle, term, state and
    the address to verify it at. Drawn once per process for the same facts and reader's
    language (the image is a function of them alone, so no host's copy can go stale:
    changed facts are another key, as they are another ETag)."""
    reader = i18n.current()
    return _drawn_png(facts, reader.language, reader.time_zone)


@lru_cache(maxsize=PNG_CACHE_SIZE)
def _drawn_png(facts: BadgeFacts, _language: str, _time_zone: str) -> bytes:
    width, height = PNG_SIZE
    colour = COLOURS[facts.state]
    image = Image.new("RGB", PNG_SIZE, "#eef1f7")
    draw = ImageDraw.Draw(image)
    # A white card with a 16 px stripe of the state's colour along its top.
    draw.rounded_rectangle((40, 40, width - 40, height - 40), 28, fill=colour)
    draw.rectangle((40, 56, width - 40, height - 68), fill="#ffffff")
    draw.rounded_rectangle((40, height - 100, width - 40, height - 40), 28, fill="#ffffff")
    inner = width - 2 * 90  # text column, between 90 px margins
    _star(draw, 118, 128, 28)
    text, face = _fitted(facts.programme, inner - 60, range(38, 23, -2), bold=True)
    draw.text((160, 128), text, font=face, fill=BRAND, anchor="lm")
    text, face = _fitted(facts.member, inner, range(76, 39, -4), bold=True)
    draw.text((90, 240), text, font=face, fill="#111827", anchor="ls")
    text, face = _fitted(f"{facts.category} award", inner, range(46, 27, -2))
    draw.text((90, 318), text, font=face, fill="#1f2937", anchor="ls")
    text, face = _fitted(facts.cycle, inner, range(34, 23, -2))
    draw.text((90, 378), text, font=face, fill="#4b5563", anchor="ls")
    draw.text((90, 438), facts.term, font=font(34), fill="#1f2937", anchor="ls")
    pill = facts.state.value.upper()
    pill_font = font(30, bold=True)
    pill_width = round(text_width(pill, 30, bold=True)) + 48
    draw.rounded_rectangle((90, 480, 90 + pill_width, 540), 30, fill=colour)
    draw.text((90 + pill_width / 2, 510), pill, font=pill_font, fill="#ffffff", anchor="mm")
    left = 90 + pill_width + 28
    text, face = _fitted(facts.address, width - 90 - left, range(24, 17, -2))
    draw.text((left, 510), text, font=face, fill="#4b5563", anchor="lm")
    out = io.BytesIO()
    # A few flat colours and their anti-aliased edges: 64 colours in a palette look the
    # same, weigh a third (about 15 KB) and encode faster than RGB.
    image.quantize(64, method=Image.Quantize.FASTOCTREE).save(out, "PNG", compress_level=6)
    return out.getvalue()
