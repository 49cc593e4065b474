"""CSV export of a cycle's nominations with their review scores, streamed.

One query produces every row: the nominations joined to a grouped aggregate of the
submitted reviews and their scores (one mean column per rubric criterion, pivoted with
``avg(CASE ...)``). Rows are fetched in batches (a server-side cursor on PostgreSQL)
and written out in chunks, so memory does not grow with the number of nominations.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from decimal import Decimal

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from nominee.accounts.models import User
from nominee.categories.models import Category
from nominee.cycles.models import Cycle, RubricCriterion
from nominee.nominations.models import Nomination
from nominee.reviews.models import Recommendation, Review, ReviewScore, ReviewStatus

BATCH = 500
CHUNK_CHARS = 64 * 1024
# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def escape_cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _mean(value: float | Decimal | None) -> str:
    return "" if value is None else f"{float(value):.2f}"


def export_filename(cycle: Cycle) -> str:
    return f"cycle-{cycle.id}-nominations.csv"


def _criteria(session: Session, cycle_id: int) -> list:
    return session.execute(
        select(RubricCriterion.id, RubricCriterion.name, RubricCriterion.weight)
        .where(RubricCriterion.cycle_id == cycle_id)
        .order_by(RubricCriterion.position, RubricCriterion.id)
    ).all()


def _statement(cycle_id: int, criteria: list):
    def recommended(recommendation: Recommendation):
        return func.count(func.distinct(case((Review.recommendation == recommendation, Review.id))))

    aggregates = (
        select(
            Review.nomination_id.label("nomination_id"),
            func.count(func.distinct(Review.id)).label("reviews"),
            recommended(Recommendation.AWARD).label("recommend_award"),
            recommended(Recommendation.DECLINE).label("recommend_decline"),
            recommended(Recommendation.ABSTAIN).label("recommend_abstain"),
            *(
                func.avg(case((ReviewScore.criterion_id == criterion.id, ReviewScore.score))).label(
                    f"mean_{index}"
                )
                for index, criterion in enumerate(criteria)
            ),
        )
        .join(Nomination, Nomination.id == Review.nomination_id)
        .outerjoin(ReviewScore, ReviewScore.review_id == Review.id)
        .where(Nomination.cycle_id == cycle_id, Review.status == ReviewStatus.SUBMITTED)
        .group_by(Review.nomination_id)
        .subquery()
    )
    return (
        select(
            Nomination.id,
            User.display_name,
            Category.name.label("category"),
            Nomination.kind,
            Nomination.status,
            Nomination.evidence_count,
            Nomination.distinct_endorsers,
            Nomination.total_quantity,
            Nomination.total_audience,
            Nomination.no_activity,
            Nomination.decision,
            aggregates,
        )
        .join(User, User.id == Nomination.nominee_id)
        .join(Category, Category.id == Nomination.category_id)
        .outerjoin(aggregates, aggregates.c.nomination_id == Nomination.id)
        .where(Nomination.cycle_id == cycle_id)
        .order_by(Category.name, User.display_name, Nomination.id)
    )


def header(criteria: Iterable) -> list[str]:
    return [
        "Nomination",
        "Nominee",
        "Category",
        "Kind",
        "Status",
        "Evidence",
        "Distinct endorsers",
        "Total quantity",
        "Total audience",
        "No activity",
        "Reviews submitted",
        *(f"{criterion.name} (mean)" for criterion in criteria),
        "Weighted mean",
        "Recommend award",
        "Recommend decline",
        "Recommend abstain",
        "Decision",
    ]


def rows(session: Session, cycle: Cycle) -> Iterator[list]:
    """The header, then one list of cells per nomination, fetched in batches."""
    criteria = _criteria(session, cycle.id)
    weights = [criterion.weight for criterion in criteria]
    yield header(criteria)
    result = session.execute(_statement(cycle.id, criteria), execution_options={"yield_per": BATCH})
    for row in result:
        means = [getattr(row, f"mean_{index}") for index in range(len(criteria))]
        scored = [
            (float(mean), weight)
            for mean, weight in zip(means, weights, strict=True)
            if mean is not None
        ]
        weighted = (
            sum(mean * weight for mean, weight in scored) / sum(weight for _, weight in scored)
            if scored
            else None
        )
        yield [
            row.id,
            row.display_name,
            row.category,
            row.kind.value,
            row.status.value,
            row.evidence_count,
            row.distinct_endorsers,
            row.total_quantity,
            row.total_audience,
            "yes" if row.no_activity else "no",
            row.reviews or 0,
            *(_mean(mean) for mean in means),
            _mean(weighted),
            row.recommend_award or 0,
            row.recommend_decline or 0,
            row.recommend_abstain or 0,
            row.decision.value if row.decision else "",
        ]


def stream_csv(session: Session, cycle: Cycle) -> Iterator[str]:
    """CSV text in chunks of about ``CHUNK_CHARS``, every cell escaped."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for cells in rows(session, cycle):
        writer.writerow([escape_cell(cell) for cell in cells])
        if buffer.tell() >= CHUNK_CHARS:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
