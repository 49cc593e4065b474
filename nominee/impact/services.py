"""Organizers tune the impact score: a cycle's settings, a category's guidance."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from typing import Any, cast

from sqlalchemy import JSON, Table, bindparam, select, update
from sqlalchemy.orm import Session

from nominee import audit
from nominee.accounts.models import User
from nominee.categories.models import Category
from nominee.cycles.models import Cycle, CycleStatus
from nominee.errors import DomainError, PermissionDenied
from nominee.i18n import _
from nominee.impact import queries, rules
from nominee.impact.models import GuidanceMode, ImpactGuidance, ImpactSettings
from nominee.nominations.models import Nomination


def _check_organizer(actor: User) -> None:
    if not (actor.is_authenticated and actor.is_organizer):
        raise PermissionDenied(_("Only organizers tune the impact score."))


def save_settings(
    session: Session,
    actor: User,
    cycle: Cycle,
    values: Mapping[str, float],
    type_weights: Mapping[int, float],
) -> ImpactSettings:
    """Set ``cycle``'s score settings (every name of ``rules.SETTINGS``) and its points
    per type; other cycles keep theirs."""
    _check_organizer(actor)
    for name, *_rest in rules.SETTINGS:
        if message := rules.setting_error(name, values.get(name)):
            raise DomainError(message, field=name)
    for type_id, weight in type_weights.items():
        if message := rules.type_weight_error(weight):
            raise DomainError(message, field=f"type_{type_id}")
    settings = session.get(ImpactSettings, cycle.id)
    before = asdict(queries.config_from(settings))
    if settings is None:
        settings = ImpactSettings(cycle_id=cycle.id)
        session.add(settings)
    for name, *_rest in rules.SETTINGS:
        setattr(settings, name, float(values[name]))
    settings.type_weights = {str(key): float(value) for key, value in type_weights.items()}
    session.flush()
    score_cycle(session, cycle)
    audit.record(
        session,
        actor,
        "impact.settings_saved",
        cycle,
        before=_jsonable(before),
        after=_jsonable(asdict(queries.config_from(settings))),
    )
    return settings


def _jsonable(config: dict[str, Any]) -> dict[str, Any]:
    return {**config, "type_weights": {str(k): v for k, v in config["type_weights"].items()}}


def set_guidance(
    session: Session,
    actor: User,
    category: Category,
    mode: GuidanceMode,
    score: float | None,
) -> ImpactGuidance:
    """Set what the programme expects in ``category``: a fixed score, or the score of the
    median awardee of the last published cycle (worked out now, and again whenever a
    cycle is published)."""
    _check_organizer(actor)
    if mode is GuidanceMode.FIXED and (score is None or not 0 <= score <= 100_000):
        raise DomainError(_("Enter a score from 0 to 100,000."), field="score")
    guidance = session.get(ImpactGuidance, category.id)
    before = {"mode": guidance.mode.value, "score": guidance.score} if guidance else None
    if guidance is None:
        guidance = ImpactGuidance(category_id=category.id)
        session.add(guidance)
    guidance.mode = mode
    guidance.score = (
        score
        if mode is GuidanceMode.FIXED
        else queries.median_awardee_score(session, category.id)[0]
    )
    session.flush()
    audit.record(
        session,
        actor,
        "impact.guidance_set",
        category,
        before=before,
        after={"mode": mode.value, "score": guidance.score},
    )
    return guidance


def refresh_medians(session: Session) -> int:
    """Work out again every "median awardee" guidance; answers how many changed."""
    changed = 0
    for guidance in session.scalars(
        select(ImpactGuidance).where(ImpactGuidance.mode == GuidanceMode.MEDIAN_AWARDEE)
    ):
        value = queries.median_awardee_score(session, guidance.category_id)[0]
        if value != guidance.score:
            guidance.score = value
            changed += 1
    session.flush()
    return changed


def react_to_cycle_status(cycle: Cycle, *, session: Session, new: CycleStatus, **_: Any) -> None:
    """A cycle going into review gets its nominees' scores (taken then, like the panel's
    copy of the evidence); a published cycle has new awardees, so the medians move."""
    if new is CycleStatus.IN_REVIEW:
        score_cycle(session, cycle)
    elif new is CycleStatus.PUBLISHED:
        refresh_medians(session)


def score_cycle(session: Session, cycle: Cycle) -> int:
    """Keep on each of the cycle's nominations its nominee's impact score, percentile
    among the cycle's nominees and breakdown, with the cycle's settings. Answers how many
    nominations it scored. One read for every nominee, one batched write."""
    scores = queries.cycle_scores(session, cycle)
    rows = session.execute(
        select(Nomination.id, Nomination.nominee_id).where(
            Nomination.cycle_id == cycle.id, Nomination.status.in_(queries.NOMINEE_STATUSES)
        )
    ).all()
    values = []
    for nomination_id, nominee_id in rows:
        breakdown = scores.by_member[nominee_id]
        values.append(
            {
                "nomination_id": nomination_id,
                "impact_score": breakdown.total,
                "impact_percentile": scores.percentile(nominee_id),
                "impact_breakdown": rules.breakdown_to_json(breakdown),
            }
        )
    if values:
        # A table update, not the ORM's: a score is no change of the nomination's state,
        # so its version (which guards decisions against lost updates) stays.
        table = cast(Table, Nomination.__table__)
        session.execute(
            update(table)
            .where(table.c.id == bindparam("nomination_id"))
            .values(
                impact_score=bindparam("impact_score"),
                impact_percentile=bindparam("impact_percentile"),
                impact_breakdown=bindparam("impact_breakdown", type_=JSON),
            ),
            values,
        )
        for held in list(session.identity_map.values()):
            if isinstance(held, Nomination):
                session.expire(held, ["impact_score", "impact_percentile", "impact_breakdown"])
    return len(values)
