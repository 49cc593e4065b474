"""The impact score, as pure rules: no database, no clock.

A member's score over a window is the sum of five terms:

- **Work**: each contribution counts its type's points times a reach term,
  ``1 + reach_weight * log10(1 + reach)`` where reach is its largest recorded figure (so
  100,000 views count 3.5 times a contribution without reach, not 1,000 times 100 views).
  Within one type and one calendar month the n-th contribution counts 1/n of that, and
  each type adds at most ``type_cap`` points over the window.
- **Consistency**: ``month_points`` per month of the window with any contribution.
- **Breadth**: ``type_points`` per distinct type and ``category_points`` per distinct
  primary category.
- **Endorsements**: ``endorsement_points * sqrt(effective endorsements)``.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from nominee.accounts.models import User
from nominee.cycles.models import add_months
from nominee.i18n import N_, _, ngettext


@dataclass(frozen=True)
class ScoreConfig:
    reach_weight: float = 0.5
    type_cap: float = 25.0
    month_points: float = 1.0
    type_points: float = 1.0
    category_points: float = 1.0
    endorsement_points: float = 2.0
    # Points per type id; a type missing here counts its own weight.
    type_weights: Mapping[int, float] = field(default_factory=dict)


DEFAULTS = ScoreConfig()

# The settings an organizer tunes, with their bounds: (name, label, low, high, help).
SETTINGS: Sequence[tuple[str, str, float, float, str]] = (
    (
        "reach_weight",
        N_("Reach weight"),
        0,
        10,
        N_(
            "Each contribution counts its type's points times 1 + this × log10(1 + its "
            "largest reach figure)."
        ),
    ),
    (
        "type_cap",
        N_("Cap per type"),
        1,
        10_000,
        N_("The most points one type adds over the window."),
    ),
    (
        "month_points",
        N_("Points per active month"),
        0,
        100,
        N_("For each month with any contribution."),
    ),
    (
        "type_points",
        N_("Points per distinct type"),
        0,
        100,
        N_("Breadth: each type worked in."),
    ),
    (
        "category_points",
        N_("Points per distinct category"),
        0,
        100,
        N_("Breadth: each primary category worked in."),
    ),
    (
        "endorsement_points",
        N_("Endorsement points"),
        0,
        100,
        N_("Times the square root of the effective endorsements."),
    ),
)


def setting_error(name: str, value: float | None) -> str | None:
    for key, _label, low, high, _help in SETTINGS:
        if key == name:
            if value is None or not math.isfinite(value) or not low <= value <= high:
                return _(
                    "Enter a number from %(low)s to %(high)s.", low=f"{low:g}", high=f"{high:g}"
                )
            return None
    raise KeyError(name)


def type_weight_error(value: float | None) -> str | None:
    if value is None or not math.isfinite(value) or not 0 <= value <= 100:
        return _("Enter a number from 0 to 100.")
    return None


@dataclass(frozen=True)
class Item:
    """One contribution as the score sees it."""

    type_id: int
    contributed_on: date
    category_id: int
    reach: int  # its largest recorded figure


@dataclass(frozen=True)
class TypeLine:
    type_id: int
    name: str
    contributions: int
    points: float  # before the cap
    counted: float  # after it
    diminished: int  # contributions that counted 1/2 or less of their value

    @property
    def cut(self) -> float:
        return self.points - self.counted


@dataclass(frozen=True)
class Term:
    name: str
    counted: str  # what it counted, in words
    points: float
    cut: float = 0.0


@dataclass(frozen=True)
class Breakdown:
    start: date
    end: date
    total: float
    terms: Sequence[Term]
    types: Sequence[TypeLine]
    active_months: int
    months: int
    endorsements: float
    # Per (year, month): per type id, how many contributions.
    per_month: Mapping[tuple[int, int], Mapping[int, int]]


def reach_factor(reach: int, config: ScoreConfig) -> float:
    return 1 + config.reach_weight * math.log10(1 + max(reach, 0))


def months_in(start: date, end: date) -> list[tuple[int, int]]:
    months = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def points(count: float) -> str:
    """``1 point``, ``2.5 points``, in the reader's language."""
    shown = f"{count:g}" if isinstance(count, float) else f"{count:,}"
    return ngettext("%(shown)s point", "%(shown)s points", 1 if count == 1 else 2, shown=shown)


def score(
    items: Iterable[Item],
    config: ScoreConfig,
    *,
    start: date,
    end: date,
    type_names: Mapping[int, str],
    type_weights: Mapping[int, float],
    endorsements: float = 0.0,
) -> Breakdown:
    """The score of one member's ``items`` dated from ``start`` to ``end`` (others are
    left out). ``type_weights`` are the types' own weights, which ``config.type_weights``
    override; ``endorsements`` the member's effective endorsements in the window."""
    inside = sorted(
        (item for item in items if start <= item.contributed_on <= end),
        key=lambda item: item.contributed_on,
    )
    seen: dict[tuple[int, int, int], int] = defaultdict(int)
    raw: dict[int, float] = defaultdict(float)
    count: dict[int, int] = defaultdict(int)
    diminished: dict[int, int] = defaultdict(int)
    per_month: dict[tuple[int, int], dict[int, int]] = defaultdict(lambda: defaultdict(int))
    categories: set[int] = set()
    for item in inside:
        month = (item.contributed_on.year, item.contributed_on.month)
        key = (item.type_id, *month)
        seen[key] += 1
        nth = seen[key]
        weight = config.type_weights.get(item.type_id, type_weights.get(item.type_id, 1.0))
        raw[item.type_id] += weight * reach_factor(item.reach, config) / nth
        count[item.type_id] += 1
        if nth >= 2:
            diminished[item.type_id] += 1
        per_month[month][item.type_id] += 1
        categories.add(item.category_id)
    lines = sorted(
        (
            TypeLine(
                type_id=type_id,
                name=type_names.get(type_id, _("Other")),
                contributions=count[type_id],
                points=points,
                counted=min(points, config.type_cap),
                diminished=diminished[type_id],
            )
            for type_id, points in raw.items()
        ),
        key=lambda line: (-line.counted, line.name),
    )
    months = len(months_in(start, end))
    active = len(per_month)
    work = sum(line.counted for line in lines)
    cut = sum(line.cut for line in lines)
    terms = [
        Term(
            N_("Work"),
            _(
                "%(contributions)s in %(types)s; the n-th of a type in a month counts 1/n, "
                "each type at most %(cap)s",
                contributions=ngettext(
                    "%(num)d contribution", "%(num)d contributions", len(inside)
                ),
                types=ngettext("%(num)d type", "%(num)d types", len(lines)),
                cap=f"{config.type_cap:g}",
            ),
            work,
            cut,
        ),
        Term(
            N_("Consistency"),
            _(
                "%(active)d of %(months)d months active × %(points)s",
                active=active,
                months=months,
                points=f"{config.month_points:g}",
            ),
            active * config.month_points,
        ),
        Term(
            N_("Breadth: types"),
            _(
                "%(types)s × %(points)s",
                types=ngettext("%(num)d type", "%(num)d types", len(lines)),
                points=f"{config.type_points:g}",
            ),
            len(lines) * config.type_points,
        ),
        Term(
            N_("Breadth: categories"),
            _(
                "%(categories)s × %(points)s",
                categories=ngettext("%(num)d category", "%(num)d categories", len(categories)),
                points=f"{config.category_points:g}",
            ),
            len(categories) * config.category_points,
        ),
        Term(
            N_("Endorsements"),
            _(
                "√%(endorsements)s effective endorsements × %(points)s",
                endorsements=f"{endorsements:g}",
                points=f"{config.endorsement_points:g}",
            ),
            math.sqrt(max(endorsements, 0.0)) * config.endorsement_points,
        ),
    ]
    return Breakdown(
        start=start,
        end=end,
        total=round(sum(term.points for term in terms), 1),
        terms=terms,
        types=lines,
        active_months=active,
        months=months,
        endorsements=endorsements,
        per_month={month: dict(types) for month, types in per_month.items()},
    )


def percentile(value: float, population: Sequence[float]) -> int:
    """The share of ``population`` (in percent, rounded) scoring at most ``value``."""
    if not population:
        return 0
    return round(100 * sum(1 for other in population if other <= value) / len(population))


def median(values: Sequence[float]) -> float | None:
    ordered = sorted(values)
    if not ordered:
        return None
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def can_see_meter(viewer: User, member: User) -> bool:
    """The meter is the member's own, and their reviewers' and organizers': never public."""
    return viewer.is_authenticated and (viewer.id == member.id or viewer.is_reviewer)


def rolling_window(today: date, months: int = 12) -> tuple[date, date]:
    """The ``months`` calendar months up to ``today``, this one included."""
    return add_months(today.replace(day=1), 1 - months), today


@dataclass(frozen=True)
class Advice:
    text: str
    gain: float  # about how many points acting on it would add


def advice(breakdown: Breakdown, config: ScoreConfig, today: date) -> list[Advice]:
    """What would raise the score most, biggest likely gain first."""
    tips: list[Advice] = []
    idle = breakdown.months - breakdown.active_months
    if idle and config.month_points:
        tips.append(
            Advice(
                _(
                    "No contribution in %(idle)d of the last %(months)d months: "
                    "each month with one adds %(points)s.",
                    idle=idle,
                    months=breakdown.months,
                    points=points(config.month_points),
                ),
                idle * config.month_points,
            )
        )
    this_month = breakdown.per_month.get((today.year, today.month), {})
    names = {line.type_id: line.name for line in breakdown.types}
    for type_id, count in sorted(this_month.items(), key=lambda pair: -pair[1]):
        if count >= 3:
            # What spreading them over months would win back: each would count in full.
            lost = count - sum(1 / n for n in range(1, count + 1))
            tips.append(
                Advice(
                    _(
                        "%(some)d of your %(count)d “%(type)s” contributions this month "
                        "counted at 1/3 or less: spread them over the months or try "
                        "another type.",
                        some=count - 2,
                        count=count,
                        type=names.get(type_id, _("other")),
                    ),
                    lost,
                )
            )
    for line in breakdown.types:
        if line.cut > 0:
            tips.append(
                Advice(
                    _(
                        "“%(type)s” reached the cap of %(cap)s points: %(cut)s points did "
                        "not count. Work of another type counts in full.",
                        type=line.name,
                        cap=f"{config.type_cap:g}",
                        cut=f"{line.cut:.1f}",
                    ),
                    config.type_points + config.category_points,
                )
            )
    if len(breakdown.types) <= 1 and config.type_points:
        tips.append(
            Advice(
                _(
                    "All your work is of %(types)s: each further type adds %(points)s and "
                    "its work counts from its first contribution.",
                    types=ngettext("%(num)d type", "%(num)d types", len(breakdown.types)),
                    points=points(config.type_points),
                ),
                config.type_points + 1,
            )
        )
    if breakdown.endorsements == 0 and config.endorsement_points:
        tips.append(
            Advice(
                _(
                    "None of your contributions in the window is endorsed yet: make your "
                    "work public so peers who used it can vouch for it."
                ),
                config.endorsement_points,
            )
        )
    return sorted(tips, key=lambda tip: -tip.gain)


def with_type_weights(config: ScoreConfig, weights: Mapping[str, float]) -> ScoreConfig:
    return replace(config, type_weights={int(key): value for key, value in weights.items()})


def breakdown_to_json(breakdown: Breakdown) -> dict[str, Any]:
    """The breakdown as kept on a nomination (see ``breakdown_from_json``)."""
    return {
        "start": breakdown.start.isoformat(),
        "end": breakdown.end.isoformat(),
        "total": breakdown.total,
        "terms": [
            [t.name, t.counted, round(t.points, 3), round(t.cut, 3)] for t in breakdown.terms
        ],
        # By name, not id: what the breakdown shows (and ids differ between databases).
        "types": [
            [
                line.name,
                line.contributions,
                round(line.points, 3),
                round(line.counted, 3),
                line.diminished,
            ]
            for line in breakdown.types
        ],
        "active_months": breakdown.active_months,
        "months": breakdown.months,
        "endorsements": breakdown.endorsements,
    }


def breakdown_from_json(data: Mapping[str, Any] | None) -> Breakdown | None:
    if not data:
        return None
    return Breakdown(
        start=date.fromisoformat(data["start"]),
        end=date.fromisoformat(data["end"]),
        total=data["total"],
        terms=[Term(*term) for term in data["terms"]],
        types=[TypeLine(0, *line) for line in data["types"]],
        active_months=data["active_months"],
        months=data["months"],
        endorsements=data["endorsements"],
        per_month={},
    )


def weigh_endorsements(received: int, effective: float | None, distinct: int | None) -> float:
    """The endorsements a member received, weighed as the endorsement integrity scan
    weighs their endorsers: ``received`` times their effective endorsers over their
    distinct endorsers (at most 1). Without a scan of them, each endorsement counts 1."""
    if effective is None or not distinct:
        return float(received)
    return received * min(1.0, max(0.0, effective / distinct))
