"""The favicon and app icons, drawn from the brand mark: ``python -m nominee.ops.icons``.

The brand mark is the SVG at the top of ``templates/base.html`` (a blue disc, a yellow
star, on a 28 x 28 grid). This draws the same shapes with Pillow, eight times larger
than needed and scaled down (smooth edges), and writes into ``static/``:

- ``favicon.svg``: the mark itself, for browsers that take an SVG icon;
- ``favicon.ico``: 16, 32 and 48 px, for ``/favicon.ico`` and older browsers;
- ``apple-touch-icon.png`` (180 px, on white: iOS fills transparency with black);
- ``icon-192.png`` and ``icon-512.png``: the web app manifest's icons
  (``site.webmanifest``); the 512 one is maskable (the mark inside the safe zone).

Run it again after changing the mark; the files are committed.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

STATIC = Path(__file__).resolve().parent.parent.parent / "static"
BLUE = "#2147b3"
YELLOW = "#ffd166"
GRID = 28.0
# The star of the mark, as its path's relative moves from (14, 6.5).
STAR_MOVES = [
    (2.2, 4.6),
    (5, 0.7),
    (-3.6, 3.5),
    (0.9, 5),
    (-4.5, -2.4),
    (-4.5, 2.4),
    (0.9, -5),
    (-3.6, -3.5),
    (5, -0.7),
]
SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 28 28">'
    f'<circle cx="14" cy="14" r="13" fill="{BLUE}"/>'
    '<path d="M14 6.5l2.2 4.6 5 .7-3.6 3.5.9 5-4.5-2.4-4.5 2.4.9-5-3.6-3.5 5-.7z" '
    f'fill="{YELLOW}"/></svg>\n'
)
SUPERSAMPLE = 8


def star() -> list[tuple[float, float]]:
    x, y = 14.0, 6.5
    points = [(x, y)]
    for dx, dy in STAR_MOVES:
        x, y = x + dx, y + dy
        points.append((x, y))
    return points


def draw(size: int, *, background: str | None = None, scale: float = 1.0) -> Image.Image:
    """The mark at ``size`` px; ``scale`` < 1 leaves a margin (maskable icons)."""
    big = size * SUPERSAMPLE
    image = Image.new("RGBA", (big, big), background or (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    unit = big / GRID * scale
    offset = (big - GRID * unit) / 2

    def at(x: float, y: float) -> tuple[float, float]:
        return (offset + x * unit, offset + y * unit)

    pen.ellipse([*at(1, 1), *at(27, 27)], fill=BLUE)
    pen.polygon([at(x, y) for x, y in star()], fill=YELLOW)
    return image.resize((size, size), Image.Resampling.LANCZOS)


def main() -> None:
    (STATIC / "favicon.svg").write_text(SVG, encoding="utf-8")
    draw(48).save(STATIC / "favicon.ico", sizes=[(16, 16), (32, 32), (48, 48)])
    draw(180, background="#ffffff", scale=0.86).convert("RGB").save(
        STATIC / "apple-touch-icon.png", optimize=True
    )
    draw(192).save(STATIC / "icon-192.png", optimize=True)
    draw(512, background=BLUE, scale=0.8).save(STATIC / "icon-512.png", optimize=True)


if __name__ == "__main__":
    main()
