"""A stacked bar chart of contributions per month, drawn on the server as SVG.

No JavaScript, and no style attributes (the CSP forbids inline styles): the template
writes SVG presentation attributes (``fill``, ``x``, ``height``...) from the geometry
computed here, and a table of the same figures serves as the text alternative.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

# Okabe-Ito: distinguishable with the common colour-vision deficiencies.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#7f7f7f")
MAX_SERIES = len(PALETTE)  # beyond that, the smallest types are shown as "Other"
OTHER = "Other"

WIDTH = 720
HEIGHT = 220
LEFT = 36  # room for the axis labels
BOTTOM = 28
TOP = 8


@dataclass(frozen=True)
class Segment:
    x: float
    y: float
    width: float
    height: float
    fill: str
    title: str


@dataclass
class ActivityChart:
    months: list[date]  # first day of each month in the window
    series: list[tuple[str, str]]  # (type name, colour), largest first
    counts: dict[str, list[int]]  # type name -> count per month
    segments: list[Segment] = field(default_factory=list)
    ticks: list[tuple[float, int]] = field(default_factory=list)  # (y, value)
    labels: list[tuple[float, str]] = field(default_factory=list)  # (x, month label)
    width: int = WIDTH
    height: int = HEIGHT
    baseline: float = HEIGHT - BOTTOM

    @property
    def totals(self) -> list[int]:
        return [
            sum(self.counts[name][i] for name, _ in self.series) for i in range(len(self.months))
        ]

    @property
    def total(self) -> int:
        return sum(self.totals)

    @property
    def busiest(self) -> tuple[date, int] | None:
        totals = self.totals
        if not totals or not max(totals):
            return None
        best = max(range(len(totals)), key=lambda i: (totals[i], -i))
        return self.months[best], totals[best]


def month_starts(start: date, end: date) -> list[date]:
    months, day = [], date(start.year, start.month, 1)
    while day <= end:
        months.append(day)
        day = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return months


def _nice_max(value: int) -> int:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000):
        if value <= step * 4:
            return step * 4
    return value


def activity_chart(
    start: date, end: date, rows: list[tuple[int, str, int, int, int]]
) -> ActivityChart:
    """``rows``: (type id, type name, year, month, count) from the activity query."""
    months = month_starts(start, end)
    index = {(m.year, m.month): i for i, m in enumerate(months)}
    by_type: dict[str, list[int]] = defaultdict(lambda: [0] * len(months))
    for _type_id, name, year, month, count in rows:
        if (year, month) in index:
            by_type[name][index[year, month]] += count
    ranked = sorted(by_type, key=lambda name: (-sum(by_type[name]), name))
    if len(ranked) > MAX_SERIES:
        other = [0] * len(months)
        for name in ranked[MAX_SERIES - 1 :]:
            other = [a + b for a, b in zip(other, by_type.pop(name), strict=True)]
        ranked = [*ranked[: MAX_SERIES - 1], OTHER]
        by_type[OTHER] = other
    chart = ActivityChart(
        months=months,
        series=[(name, PALETTE[i]) for i, name in enumerate(ranked)],
        counts={name: by_type[name] for name in ranked},
    )
    top = _nice_max(max(chart.totals, default=0) or 1)
    plot_height = chart.baseline - TOP
    slot = (WIDTH - LEFT) / max(1, len(months))
    bar = slot * 0.7
    for i, month in enumerate(months):
        x = LEFT + i * slot + (slot - bar) / 2
        y = chart.baseline
        for name, colour in chart.series:
            count = chart.counts[name][i]
            if count:
                height = plot_height * count / top
                y -= height
                chart.segments.append(
                    Segment(
                        round(x, 1),
                        round(y, 1),
                        round(bar, 1),
                        round(height, 1),
                        colour,
                        f"{month:%b %Y}: {count} × {name}",
                    )
                )
        if len(months) <= 12 or i % 3 == 0:
            label = f"{month:%b}" if month.month != 1 and i else f"{month:%b %Y}"
            chart.labels.append((round(x + bar / 2, 1), label))
    chart.ticks = [
        (round(chart.baseline - plot_height * value / top, 1), value)
        for value in (0, top // 2, top)
    ]
    return chart
