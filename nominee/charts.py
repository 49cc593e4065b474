"""Charts drawn on the server as SVG: contributions per month by type, and the
distribution of a cycle's weighted scores.

No JavaScript, and no style attributes (the CSP forbids inline styles): the templates
(``templates/_charts.html``) write SVG presentation attributes (``fill``, ``x``,
``height``...) from the geometry computed here, and a table of the same figures serves
as the text alternative.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any, NamedTuple

from markupsafe import Markup, escape
from sqlalchemy import ColumnElement, Integer, cast, extract, func, select
from sqlalchemy.orm import Session

from nominee.contributions.models import Contribution, ContributionType
from nominee.formatting import format_decimal, format_month
from nominee.i18n import N_, _

# Okabe-Ito: distinguishable with the common colour-vision deficiencies.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#7f7f7f")
MAX_SERIES = len(PALETTE)  # beyond that, the smallest types are shown as "Other"
OTHER = N_("Other")  # translated when a chart is drawn, in its reader's language

WIDTH = 720
HEIGHT = 220
LEFT = 36  # room for the axis labels
BOTTOM = 28
TOP = 8


class Segment(NamedTuple):
    x: float
    y: float
    width: float
    height: float
    fill: str
    title: str

    @property
    def svg(self) -> Markup:
        """The segment's ``<rect>`` with its title: a busy year has a hundred segments,
        and writing one string here costs a fraction of the template's six escaped
        values (the figures are numbers: only the colour and the title need escaping)."""
        return Markup(
            f'<rect x="{self.x}" y="{self.y}" width="{self.width}" height="{self.height}" '
            f'fill="{escape(self.fill)}"><title>{escape(self.title)}</title></rect>'
        )


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

    @cached_property
    def totals(self) -> list[int]:
        return [
            sum(self.counts[name][i] for name, _colour in self.series)
            for i in range(len(self.months))
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


def chart_to_json(chart: ActivityChart) -> list[Any]:
    """The chart as JSON, for the shared cache (``chart_from_json`` reads it back)."""
    return [
        [day.isoformat() for day in chart.months],
        [list(pair) for pair in chart.series],
        chart.counts,
        [list(segment) for segment in chart.segments],
        [list(tick) for tick in chart.ticks],
        [list(label) for label in chart.labels],
    ]


def chart_from_json(kept: list[Any]) -> ActivityChart:
    months, series, counts, segments, ticks, labels = kept
    return ActivityChart(
        months=[date.fromisoformat(day) for day in months],
        series=[(name, colour) for name, colour in series],
        counts=counts,
        segments=[Segment(*segment) for segment in segments],
        ticks=[(y, value) for y, value in ticks],
        labels=[(x, label) for x, label in labels],
    )


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
    start: date, end: date, rows: Sequence[tuple[int, str, int, int, int]]
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
        ranked = [*ranked[: MAX_SERIES - 1], _(OTHER)]
        by_type[_(OTHER)] = other
    chart = ActivityChart(
        months=months,
        series=[(name, PALETTE[i]) for i, name in enumerate(ranked)],
        counts={name: by_type[name] for name in ranked},
    )
    top = _nice_max(max(chart.totals, default=0) or 1)
    plot_height = chart.baseline - TOP
    slot = (WIDTH - LEFT) / max(1, len(months))
    bar = slot * 0.7
    # Translated once for the chart's segments (a year of a busy member has a hundred).
    segment_title = _("%(month)s: %(count)s × %(type)s")
    for i, first_day in enumerate(months):
        x = LEFT + i * slot + (slot - bar) / 2
        y = chart.baseline
        month_name = format_month(first_day)
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
                        segment_title % {"month": month_name, "count": count, "type": name},
                    )
                )
        if len(months) <= 12 or i % 3 == 0:
            short = first_day.month != 1 and i
            label = format_month(first_day, "name" if short else "short")
            chart.labels.append((round(x + bar / 2, 1), label))
    chart.ticks = [
        (round(chart.baseline - plot_height * value / top, 1), value)
        for value in (0, top // 2, top)
    ]
    return chart


def months_back(today: date, months: int = 12) -> date:
    """The first day of the month ``months - 1`` months before ``today``'s: with
    ``today`` itself, a window of ``months`` calendar months."""
    index = today.year * 12 + today.month - 1 - (months - 1)
    return date(index // 12, index % 12 + 1, 1)


def monthly_activity(
    session: Session, start: date, end: date, *conditions: ColumnElement[bool]
) -> ActivityChart:
    """Contributions matching ``conditions`` per month and type from ``start`` to ``end``,
    in one grouped query."""
    return activity_chart(start, end, activity_rows(session, start, end, *conditions))


def activity_rows(
    session: Session, start: date, end: date, *conditions: ColumnElement[bool]
) -> list[tuple[int, str, int, int, int]]:
    """The figures of ``monthly_activity``'s chart: (type id, type name, year, month,
    count) rows."""
    year = cast(extract("year", Contribution.contributed_on), Integer)
    month = cast(extract("month", Contribution.contributed_on), Integer)
    rows = session.execute(
        select(
            ContributionType.id,
            ContributionType.name,
            year.label("year"),
            month.label("month"),
            func.count().label("count"),
        )
        .join(ContributionType, ContributionType.id == Contribution.type_id)
        .where(
            *conditions,
            Contribution.contributed_on >= start,
            Contribution.contributed_on <= end,
        )
        .group_by(ContributionType.id, ContributionType.name, year, month)
    ).all()
    return [(row[0], row[1], row[2], row[3], row[4]) for row in rows]


# Weighted mean scores run from 1 to 5: bins half a point wide, the last one closed.
SCORE_BINS = tuple((1 + i / 2, 1.5 + i / 2) for i in range(8))
HIST_WIDTH = 480
HIST_HEIGHT = 200


@dataclass(frozen=True)
class Bar:
    low: float
    high: float
    count: int
    x: float
    y: float
    width: float
    height: float

    @cached_property  # shown three times a bar; a histogram is made per request (and language)
    def label(self) -> str:
        return f"{format_decimal(self.low)}–{format_decimal(self.high)}"


@dataclass
class Histogram:
    bars: list[Bar]
    unscored: int
    ticks: list[tuple[float, int]]
    width: int = HIST_WIDTH
    height: int = HIST_HEIGHT
    baseline: float = HIST_HEIGHT - BOTTOM

    @property
    def scored(self) -> int:
        return sum(bar.count for bar in self.bars)

    @property
    def mode(self) -> Bar | None:
        busiest = max(self.bars, key=lambda bar: bar.count, default=None)
        return busiest if busiest and busiest.count else None


def score_histogram(counts: Sequence[int], unscored: int = 0) -> Histogram:
    """``counts``: nominations per bin of ``SCORE_BINS``, lowest scores first."""
    top = _nice_max(max(counts, default=0) or 1)
    baseline = HIST_HEIGHT - BOTTOM
    plot_height = baseline - TOP
    slot = (HIST_WIDTH - LEFT) / len(SCORE_BINS)
    bars = []
    for i, ((low, high), count) in enumerate(zip(SCORE_BINS, counts, strict=True)):
        height = round(plot_height * count / top, 1)
        bars.append(
            Bar(
                low,
                high,
                count,
                round(LEFT + i * slot + 2, 1),
                round(baseline - height, 1),
                round(slot - 4, 1),
                height,
            )
        )
    ticks = [
        (round(baseline - plot_height * value / top, 1), value) for value in (0, top // 2, top)
    ]
    return Histogram(bars, unscored, ticks)
