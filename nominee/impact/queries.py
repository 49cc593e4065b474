"""The reads of the impact score: a cycle's settings, members' contributions in a window
(one query for any number of members, scored in Python), a cycle's nominees' scores with
percentiles, and a member's eligibility meter."""

from __future__ import annotations

import functools
import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import (
    BigInteger,
    CompoundSelect,
    Date,
    Float,
    Integer,
    Select,
    String,
    bindparam,
    extract,
    false,
    func,
    literal,
    null,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.orm import Session

from nominee import i18n
from nominee.accounts.models import User, user_categories
from nominee.awards.models import Award, AwardStatus
from nominee.categories.models import Category
from nominee.contributions.models import Contribution, ContributionFigure, ContributionType
from nominee.cycles.models import Cycle, CycleStatus, add_months
from nominee.i18n import _
from nominee.impact import rules
from nominee.impact.models import GuidanceMode, ImpactGuidance, ImpactSettings
from nominee.integrity.models import IntegrityResult
from nominee.nominations.models import Nomination, NominationStatus
from nominee.sharedcache import SharedCache

# The nominations whose nominees a cycle's percentiles compare.
NOMINEE_STATUSES = (
    NominationStatus.SUBMITTED,
    NominationStatus.IN_REVIEW,
    NominationStatus.AWARDED,
    NominationStatus.DECLINED,
)


def config_from(settings: ImpactSettings | None) -> rules.ScoreConfig:
    if settings is None:
        return rules.DEFAULTS
    return rules.with_type_weights(
        rules.ScoreConfig(
            reach_weight=settings.reach_weight,
            type_cap=settings.type_cap,
            month_points=settings.month_points,
            type_points=settings.type_points,
            category_points=settings.category_points,
            endorsement_points=settings.endorsement_points,
        ),
        settings.type_weights or {},
    )


def cycle_config(session: Session, cycle_id: int | None) -> rules.ScoreConfig:
    if cycle_id is None:
        return rules.DEFAULTS
    return config_from(session.get(ImpactSettings, cycle_id))


def cycle_window(cycle: Cycle) -> tuple[date, date]:
    """The window a cycle scores: its look-back window."""
    return cycle.lookback_start, cycle.nominations_close_on


@dataclass(frozen=True)
class MemberWork:
    """One member's contributions as the score sees them, with the types' names and
    weights and the endorsements they received."""

    items: list[rules.Item]
    endorsements: int


@dataclass(frozen=True)
class Work:
    by_member: Mapping[int, MemberWork]
    type_names: Mapping[int, str]
    type_weights: Mapping[int, float]


def effective_endorsements(session: Session, received: Mapping[int, int]) -> dict[int, float]:
    """Each member's effective endorsements in the window, from ``received`` (the active
    endorsements of their contributions in it, counted by the query): weighed by the
    endorsement integrity scan's verdict on them (one query, whatever their number)."""
    found = (
        {
            row.user_id: (row.effective_endorsers, row.distinct_endorsers)
            for row in session.execute(
                select(
                    IntegrityResult.user_id,
                    IntegrityResult.effective_endorsers,
                    IntegrityResult.distinct_endorsers,
                ).where(IntegrityResult.user_id.in_(list(received)))
            )
        }
        if received
        else {}
    )
    return {
        member: rules.weigh_endorsements(count, *found.get(member, (None, None)))
        for member, count in received.items()
    }


def work(session: Session, members: Iterable[int] | Select[Any], start: date, end: date) -> Work:
    """The contributions dated ``start`` to ``end`` of ``members`` (ids, or a select of
    ids): one query, whatever their number."""
    reach = (
        select(func.max(ContributionFigure.value))
        .where(ContributionFigure.contribution_id == Contribution.id)
        .correlate(Contribution)
        .scalar_subquery()
    )
    owners = members if isinstance(members, Select) else list(members)
    rows = session.execute(
        select(
            Contribution.owner_id,
            Contribution.type_id,
            Contribution.contributed_on,
            Contribution.primary_category_id,
            Contribution.endorsement_count,
            func.coalesce(reach, 0).label("reach"),
            ContributionType.name,
            ContributionType.weight,
        )
        .join(ContributionType, ContributionType.id == Contribution.type_id)
        .where(
            Contribution.owner_id.in_(owners),
            Contribution.contributed_on >= start,
            Contribution.contributed_on <= end,
        )
    ).all()
    items: dict[int, list[rules.Item]] = defaultdict(list)
    received: dict[int, int] = defaultdict(int)
    names: dict[int, str] = {}
    weights: dict[int, float] = {}
    for row in rows:
        items[row.owner_id].append(
            rules.Item(row.type_id, row.contributed_on, row.primary_category_id, int(row.reach))
        )
        received[row.owner_id] += row.endorsement_count
        names[row.type_id], weights[row.type_id] = row.name, row.weight
    effective = effective_endorsements(session, received)
    return Work(
        by_member={
            member: MemberWork(list_, int(effective.get(member, 0)))
            for member, list_ in items.items()
        },
        type_names=names,
        type_weights=weights,
    )


def score_of(
    found: Work, member_id: int, config: rules.ScoreConfig, start: date, end: date
) -> rules.Breakdown:
    member = found.by_member.get(member_id, MemberWork([], 0))
    return rules.score(
        member.items,
        config,
        start=start,
        end=end,
        type_names=found.type_names,
        type_weights=found.type_weights,
        endorsements=member.endorsements,
    )


@dataclass(frozen=True)
class CycleScores:
    """The scores of a cycle's nominees (by member id), for percentiles and sorting."""

    cycle_id: int
    config: rules.ScoreConfig
    by_member: Mapping[int, rules.Breakdown]

    def percentile(self, member_id: int) -> int:
        breakdown = self.by_member.get(member_id)
        if breakdown is None:
            return 0
        return rules.percentile(breakdown.total, [b.total for b in self.by_member.values()])

    def total(self, member_id: int) -> float | None:
        breakdown = self.by_member.get(member_id)
        return breakdown.total if breakdown else None


def cycle_scores(session: Session, cycle: Cycle) -> CycleScores:
    """Every nominee of ``cycle`` scored with the cycle's settings over its look-back
    window: three queries (the settings, the nominees, their contributions)."""
    config = cycle_config(session, cycle.id)
    start, end = cycle_window(cycle)
    nominees = select(Nomination.nominee_id).where(
        Nomination.cycle_id == cycle.id, Nomination.status.in_(NOMINEE_STATUSES)
    )
    member_ids = set(session.scalars(nominees))
    found = work(session, nominees, start, end)
    return CycleScores(
        cycle.id,
        config,
        {member: score_of(found, member, config, start, end) for member in member_ids},
    )


def median_awardee_score(session: Session, category_id: int) -> tuple[float | None, Cycle | None]:
    """The score of the median awardee in the category of the last published cycle that
    awarded in it, scored as that cycle scores (its settings, its window)."""
    cycle = session.scalar(
        select(Cycle)
        .join(Award, Award.cycle_id == Cycle.id)
        .where(Cycle.status == CycleStatus.PUBLISHED, Award.category_id == category_id)
        .order_by(Cycle.published_at.desc(), Cycle.id.desc())
        .limit(1)
    )
    if cycle is None:
        return None, None
    config = cycle_config(session, cycle.id)
    start, end = cycle_window(cycle)
    awardees = select(Award.member_id).where(
        Award.cycle_id == cycle.id,
        Award.category_id == category_id,
        Award.status != AwardStatus.REVOKED,
    )
    member_ids = set(session.scalars(awardees))
    found = work(session, awardees, start, end)
    value = rules.median([score_of(found, m, config, start, end).total for m in member_ids])
    return (round(value, 1) if value is not None else None), cycle


@dataclass(frozen=True)
class Target:
    category: str
    score: float | None  # None: no guidance can be given yet
    source: str  # where the figure comes from, in words


@dataclass(frozen=True)
class RenewalOutlook:
    category: str
    starts_on: date
    ends_on: date
    contributions: int  # dated inside the term so far
    breakdown: rules.Breakdown  # the term scored up to today


@dataclass(frozen=True)
class Meter:
    member_id: int
    breakdown: rules.Breakdown
    window: str  # how the window was chosen, in words
    targets: Sequence[Target]
    advice: Sequence[rules.Advice]
    renewals: Sequence[RenewalOutlook]


# The meter's one statement: rows of five kinds in one column shape (see ``meter``).
ITEM, AWARD, GUIDANCE, CYCLE, SETTING = "item", "award", "guidance", "cycle", "setting"
INTEGRITY = "integrity"
# Any active award began, and an open cycle's look-back window starts, at most this many
# months ago (terms and look-back windows are at most 60 months long).
FURTHEST_MONTHS = 61


def _month_index(column: Any) -> Any:
    """A date's month counted from year 0 (year x 12 + month), on either database."""
    return extract("year", column) * 12 + extract("month", column)


@functools.cache
def _meter_statement(items: str | None) -> CompoundSelect[Any]:
    """Everything the meter reads, as one UNION ALL: the member's contributions since
    ``since`` (``ITEM``; ``items``: "counted", those any of the meter's windows can count,
    "all", every one, None: none), their active awards (``AWARD``), the guidance of their
    categories (``GUIDANCE``), the open cycle closing first (``CYCLE``) and its settings,
    one row per setting (``SETTING``), and the integrity scan's figures on the member
    (``INTEGRITY``). Columns: kind, n1..n4 (integers), d1, d2 (dates), label, text, value
    (a number).

    Built once per process for each ``items``: the member, the day and the dates are
    parameters (``_meter_parameters``)."""
    member_id = bindparam("member_id", type_=Integer)
    today = bindparam("today", type_=Date)
    since = bindparam("since", type_=Date)
    primary_category_id = bindparam("primary_category_id", type_=Integer)
    reach = (
        select(func.max(ContributionFigure.value))
        .where(ContributionFigure.contribution_id == Contribution.id)
        .correlate(Contribution)
        .scalar_subquery()
    )
    none_int, none_date = null().cast(Integer), null().cast(Date)
    none_text, none_value = null().cast(String), null().cast(Float)
    counted = or_(
        Contribution.contributed_on >= bindparam("rolling_start", type_=Date),
        _month_index(Contribution.contributed_on)
        >= select(func.min(_month_index(Cycle.nominations_close_on) - Cycle.lookback_months))
        .where(Cycle.status == CycleStatus.OPEN)
        .scalar_subquery(),
        Contribution.contributed_on
        >= select(func.min(Award.starts_on))
        .where(Award.member_id == member_id, Award.status == AwardStatus.ACTIVE)
        .scalar_subquery(),
    )
    item_rows = (
        select(
            literal(ITEM).label("kind"),
            Contribution.type_id.label("n1"),
            Contribution.primary_category_id.label("n2"),
            Contribution.endorsement_count.label("n3"),
            func.coalesce(reach, 0).cast(BigInteger).label("n4"),
            Contribution.contributed_on.label("d1"),
            none_date.label("d2"),
            ContributionType.name.label("label"),
            none_text.label("text"),
            ContributionType.weight.label("value"),
        )
        .join(ContributionType, ContributionType.id == Contribution.type_id)
        .where(
            Contribution.owner_id == member_id,
            Contribution.contributed_on >= since,
            Contribution.contributed_on <= today,
            # "counted": only what a window counts, the rolling 12 months, the open cycles'
            # look-back windows (to the month) and the terms of the member's active awards.
            # A heavy member's years of older work are never read.
            {"counted": counted, "all": true()}.get(items or "", false()),
        )
    )
    awards = (
        select(
            literal(AWARD),
            Award.category_id,
            none_int,
            none_int,
            none_int,
            Award.starts_on,
            Award.ends_on,
            Category.name,
            none_text,
            none_value,
        )
        .join(Category, Category.id == Award.category_id)
        .join(Cycle, Cycle.id == Award.cycle_id)
        .where(
            Award.member_id == member_id,
            Award.status == AwardStatus.ACTIVE,
            Cycle.status == CycleStatus.PUBLISHED,
        )
    )
    chosen = select(user_categories.c.category_id).where(user_categories.c.user_id == member_id)
    guidance = (
        select(
            literal(GUIDANCE),
            Category.id,
            none_int,
            none_int,
            none_int,
            none_date,
            none_date,
            Category.name,
            ImpactGuidance.mode.cast(String),
            ImpactGuidance.score,
        )
        .outerjoin(ImpactGuidance, ImpactGuidance.category_id == Category.id)
        .where(
            Category.retired.is_(False),
            or_(
                Category.id.in_(chosen),
                Category.id == primary_category_id,
            ),
        )
    )
    open_cycle = (
        select(Cycle.id)
        .where(Cycle.status == CycleStatus.OPEN)
        .order_by(Cycle.nominations_close_on, Cycle.id)
        .limit(1)
        .scalar_subquery()
    )
    cycle = select(
        literal(CYCLE),
        Cycle.id,
        Cycle.lookback_months,
        none_int,
        none_int,
        Cycle.nominations_close_on,
        none_date,
        Cycle.name,
        none_text,
        none_value,
    ).where(Cycle.id == open_cycle)
    settings = [
        select(
            literal(SETTING),
            none_int,
            none_int,
            none_int,
            none_int,
            none_date,
            none_date,
            literal(name),
            (ImpactSettings.type_weights.cast(String) if name == "type_weights" else none_text),
            none_value if name == "type_weights" else getattr(ImpactSettings, name),
        ).where(ImpactSettings.cycle_id == open_cycle)
        for name in [*(setting[0] for setting in rules.SETTINGS), "type_weights"]
    ]
    integrity = select(
        literal(INTEGRITY),
        IntegrityResult.distinct_endorsers,
        none_int,
        none_int,
        none_int,
        none_date,
        none_date,
        none_text,
        none_text,
        IntegrityResult.effective_endorsers,
    ).where(IntegrityResult.user_id == member_id)
    return union_all(item_rows, awards, guidance, cycle, *settings, integrity)


def _meter_parameters(member: User, today: date, since: date) -> dict[str, Any]:
    return {
        "member_id": member.id,
        "primary_category_id": member.primary_category_id,
        "today": today,
        "since": since,
        "rolling_start": rules.rolling_window(today)[0],
    }


# How long a member's contributions, and their meter, are kept: the keys change with every
# change to them (``nominee.activity``), so this only bounds the memory of old versions.
METER_SECONDS = 600.0


def meter(session: Session, member: User, today: date, cache: SharedCache | None = None) -> Meter:
    """The member's eligibility meter: their score over the open cycle's look-back window
    (the rolling 12 months when no cycle is open), against each of their categories'
    guidance, with what would raise it most, and how their active awards' renewal looks.

    One query (``_meter_statement``), so the pages that show it keep their budget. With
    a ``cache``, what is the same for every viewer is kept in it: the member's
    contributions of the last ``FURTHEST_MONTHS`` under their ``activity_version`` (the
    query then reads only the rest: awards, guidance, the open cycle, its settings and the
    integrity figures), and the meter itself under everything it is made of (that
    version, the day, the reader's language and all the rest the query read)."""
    since = add_months(today, -FURTHEST_MONTHS)
    items_key = f"meter-items:{member.id}:{member.activity_version}:{today.isoformat()}"
    have_items = cache is not None and cache.contains(items_key)
    wanted = None if have_items else "counted" if cache is None else "all"
    rows = session.execute(_meter_statement(wanted), _meter_parameters(member, today, since)).all()
    by_kind: dict[str, list[Any]] = defaultdict(list)
    for row in rows:
        by_kind[row.kind].append(row)
    if cache is None:
        return _meter(member, today, by_kind, _items(by_kind[ITEM]))
    made_of = repr(sorted(repr(tuple(row)) for row in rows if row.kind != ITEM))
    key = ":".join(
        (
            "meter",
            str(member.id),
            str(member.activity_version),
            today.isoformat(),
            i18n.current().language,
            hashlib.sha256(made_of.encode()).hexdigest()[:32],
        )
    )
    kept_meter = cache.get(key)
    if kept_meter is not None:
        return _meter_from_json(kept_meter)
    items = cache.get(items_key) if have_items else None
    if items is None:
        if have_items:  # expired since: read them (a second query, seldom)
            rows = session.execute(
                _meter_statement("all"), _meter_parameters(member, today, since)
            ).all()
            by_kind[ITEM] = [row for row in rows if row.kind == ITEM]
        items = _items(by_kind[ITEM])
        cache.set(items_key, items, METER_SECONDS)
    found = _meter(member, today, by_kind, items)
    cache.set(key, _meter_to_json(found), METER_SECONDS)
    return found


def _items(rows: Sequence[Any]) -> dict[str, Any]:
    """The meter's ``ITEM`` rows as kept: the types' names and weights, and per
    contribution its day (ISO text, which compares as the dates do), type, category,
    endorsements and reach."""
    return {
        "types": {str(r.n1): [r.label, float(r.value)] for r in rows},
        "items": [[r.d1.isoformat(), r.n1, r.n2, r.n3, int(r.n4 or 0)] for r in rows],
    }


def _meter(
    member: User, today: date, by_kind: Mapping[str, Sequence[Any]], kept: Mapping[str, Any]
) -> Meter:
    config = rules.DEFAULTS
    if by_kind[CYCLE]:
        cycle = by_kind[CYCLE][0]
        settings = {r.label: r for r in by_kind[SETTING]}
        if settings:
            value = {name: float(settings[name].value) for name, *_rest in rules.SETTINGS}
            config = rules.with_type_weights(
                rules.ScoreConfig(
                    reach_weight=value["reach_weight"],
                    type_cap=value["type_cap"],
                    month_points=value["month_points"],
                    type_points=value["type_points"],
                    category_points=value["category_points"],
                    endorsement_points=value["endorsement_points"],
                ),
                json.loads(settings["type_weights"].text or "{}"),
            )
        start, end = add_months(cycle.d1, -cycle.n2), min(today, cycle.d1)
        window = _("the look-back window of %(cycle)s", cycle=cycle.label)
    else:
        start, end = rules.rolling_window(today)
        window = _("the last 12 months")
    # Only the contributions a window counts become items: the meter's and the terms of
    # the member's awards.
    windows = [(start, end), *((a.d1, min(today, a.d2)) for a in by_kind[AWARD])]
    spans = [(first.isoformat(), last.isoformat()) for first, last in windows]
    inside = [item for item in kept["items"] if any(a <= item[0] <= b for a, b in spans)]
    first, last = spans[0]
    received = sum(item[3] for item in inside if first <= item[0] <= last)
    types = {int(type_id): pair for type_id, pair in kept["types"].items()}
    found = Work(
        by_member={
            member.id: MemberWork(
                [
                    rules.Item(type_id, date.fromisoformat(day), category_id, reach)
                    for day, type_id, category_id, _endorsements, reach in inside
                ],
                int(
                    rules.weigh_endorsements(
                        # The endorsements of the window's contributions, as a cycle counts.
                        received,
                        *next(((r.value, r.n1) for r in by_kind[INTEGRITY]), (None, None)),
                    )
                ),
            )
        },
        type_names={type_id: name for type_id, (name, _weight) in types.items()},
        type_weights={type_id: weight for type_id, (_name, weight) in types.items()},
    )
    breakdown = score_of(found, member.id, config, start, end)
    targets = [
        Target(
            g.label,
            g.value,
            _("set by the organizers")
            if g.text == GuidanceMode.FIXED.value
            else _("the median awardee of the last published cycle"),
        )
        if g.text is not None
        else Target(g.label, None, "")
        for g in sorted(by_kind[GUIDANCE], key=lambda g: g.label)
    ]
    renewals = []
    for award in sorted(by_kind[AWARD], key=lambda a: a.d2):
        term = score_of(found, member.id, config, award.d1, min(today, award.d2))
        renewals.append(
            RenewalOutlook(
                award.label,
                award.d1,
                award.d2,
                sum(line.contributions for line in term.types),
                term,
            )
        )
    return Meter(
        member_id=member.id,
        breakdown=breakdown,
        window=window,
        targets=targets,
        advice=rules.advice(breakdown, config, today)[:3],
        renewals=renewals,
    )


def _breakdown_to_json(b: rules.Breakdown) -> list[Any]:
    # Without ``per_month``: only ``rules.advice`` reads it, before the meter is kept.
    return [
        b.start.isoformat(),
        b.end.isoformat(),
        b.total,
        [[t.name, t.counted, t.points, t.cut] for t in b.terms],
        [[x.type_id, x.name, x.contributions, x.points, x.counted, x.diminished] for x in b.types],
        b.active_months,
        b.months,
        b.endorsements,
    ]


def _breakdown_from_json(kept: list[Any]) -> rules.Breakdown:
    start, end, total, terms, types, active_months, months, endorsements = kept
    return rules.Breakdown(
        start=date.fromisoformat(start),
        end=date.fromisoformat(end),
        total=total,
        terms=[rules.Term(*term) for term in terms],
        types=[rules.TypeLine(*line) for line in types],
        active_months=active_months,
        months=months,
        endorsements=endorsements,
        per_month={},
    )


def _meter_to_json(found: Meter) -> dict[str, Any]:
    return {
        "member_id": found.member_id,
        "breakdown": _breakdown_to_json(found.breakdown),
        "window": found.window,
        "targets": [[t.category, t.score, t.source] for t in found.targets],
        "advice": [[a.text, a.gain] for a in found.advice],
        "renewals": [
            [r.category, r.starts_on.isoformat(), r.ends_on.isoformat(), r.contributions]
            + [_breakdown_to_json(r.breakdown)]
            for r in found.renewals
        ],
    }


def _meter_from_json(kept: dict[str, Any]) -> Meter:
    return Meter(
        member_id=kept["member_id"],
        breakdown=_breakdown_from_json(kept["breakdown"]),
        window=kept["window"],
        targets=[Target(*target) for target in kept["targets"]],
        advice=[rules.Advice(*tip) for tip in kept["advice"]],
        renewals=[
            RenewalOutlook(
                category,
                date.fromisoformat(starts_on),
                date.fromisoformat(ends_on),
                contributions,
                _breakdown_from_json(breakdown),
            )
            for category, starts_on, ends_on, contributions, breakdown in kept["renewals"]
        ],
    )


def guidance_rows(session: Session) -> Sequence[tuple[Category, ImpactGuidance | None]]:
    """Every active category with its guidance, for the organizers' page."""
    return [
        (row[0], row[1])
        for row in session.execute(
            select(Category, ImpactGuidance)
            .outerjoin(ImpactGuidance, ImpactGuidance.category_id == Category.id)
            .where(Category.retired.is_(False))
            .order_by(Category.name)
        )
    ]
