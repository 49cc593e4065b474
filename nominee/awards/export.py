"""CSV export of a cycle's nominations with their review scores, streamed.

One query produces every row (and one, the calibration's, comes before it; see
``nominee.reviews.queries.calibration``): the nominations joined to a grouped aggregate of the
scores of submitted reviews (one mean column per rubric criterion, pivoted with
``avg(CASE ...)``). Rows are fetched in batches (a server-side cursor on PostgreSQL)
and written out in chunks, so memory does not grow with the number of nominations.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Collection, Iterable, Iterator, Sequence
from decimal import Decimal

from sqlalchemy import Row, String, case, func, select, type_coerce
from sqlalchemy.orm import Session

from nominee.accounts.models import User
from nominee.appeals.models import Appeal
from nominee.categories.models import Category
from nominee.cycles.models import Cycle, RubricCriterion
from nominee.integrity.models import IntegrityResult
from nominee.nominations.models import Nomination, NominationStatus
from nominee.nominations.rules import as_undecided
from nominee.reviews.models import Review, ReviewScore, ReviewStatus
from nominee.reviews.queries.calibration import cycle_calibration
from nominee.reviews.rules import weighted_mean

BATCH = 500
CHUNK_CHARS = 64 * 1024
# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


WITHHELD = "(conflict of interest)"


def escape_cell(value: object) -> object:
    """Text a person typed (names, titles) gets a leading quote if it could be a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _mean(value: float | Decimal | None) -> str:
    return "" if value is None else f"{float(value):.2f}"


def export_filename(cycle: Cycle) -> str:
    return f"cycle-{cycle.id}-nominations.csv"


def _criteria(session: Session, cycle_id: int) -> Sequence[Row[int, str, float]]:
    return session.execute(
        select(RubricCriterion.id, RubricCriterion.name, RubricCriterion.weight)
        .where(RubricCriterion.cycle_id == cycle_id)
        .order_by(RubricCriterion.position, RubricCriterion.id)
    ).all()


def _statement(cycle_id: int, criteria: Sequence[Row[int, str, float]]):
    """One row per nomination: its counters, then one mean per criterion.

    The means come from one grouped query over the cycle's nominations, outer-joined to
    their submitted reviews and those reviews' scores, keeping only narrow columns so
    the grouping sorts in memory. Everything else is joined afterwards by primary key:
    every join follows an index, so the plan stays linear even on stale statistics,
    where a server-side cursor's fast-start planning could otherwise pick a quadratic
    one. Recommendation counts are the nomination's counters, kept by the review
    services. Enum columns are read as their stored strings: that is what the file shows.
    """
    means = (
        select(
            Nomination.id,
            *(
                func.avg(case((ReviewScore.criterion_id == criterion.id, ReviewScore.score)))
                for criterion in criteria
            ),
        )
        .outerjoin(
            Review,
            (Review.nomination_id == Nomination.id) & (Review.status == ReviewStatus.SUBMITTED),
        )
        .outerjoin(ReviewScore, ReviewScore.review_id == Review.id)
        .where(Nomination.cycle_id == cycle_id)
        .group_by(Nomination.id)
        .subquery()
    )
    nomination_id, *mean_columns = means.c
    return (
        select(
            Nomination.id,
            User.display_name,
            Category.name,
            type_coerce(Nomination.kind, String),
            type_coerce(Nomination.status, String),
            Nomination.evidence_count,
            Nomination.distinct_endorsers,
            Nomination.total_quantity,
            Nomination.total_audience,
            Nomination.no_activity,
            Nomination.reviews_submitted,
            Nomination.recommend_award,
            Nomination.recommend_decline,
            Nomination.recommend_abstain,
            type_coerce(Nomination.decision, String),
            IntegrityResult.effective_endorsers.label("effective_endorsers"),
            type_coerce(Appeal.status, String).label("appeal_status"),
            Appeal.statement.label("appeal_statement"),
            Appeal.response.label("appeal_response"),
            Nomination.impact_score,
            Nomination.impact_percentile,
            *mean_columns,
        )
        .select_from(means)
        .join(Nomination, Nomination.id == nomination_id)
        .join(User, User.id == Nomination.nominee_id)
        .join(Category, Category.id == Nomination.category_id)
        .outerjoin(IntegrityResult, IntegrityResult.user_id == Nomination.nominee_id)
        .outerjoin(Appeal, Appeal.nomination_id == Nomination.id)
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
        "Effective endorsers",
        "Total quantity",
        "Total audience",
        "No activity",
        "Reviews submitted",
        *(f"{criterion.name} (mean)" for criterion in criteria),
        "Weighted mean",
        "Calibrated score",
        "Calibrated rank",
        "Rank band",
        "Recommend award",
        "Recommend decline",
        "Recommend abstain",
        "Decision",
        *APPEAL_HEADER,
        *IMPACT_HEADER,
    ]


# The appeal of a published decision: its status (open, upheld, dismissed), the
# nominee's statement and the organizers' response; empty without an appeal.
APPEAL_HEADER = ("Appeal", "Appeal statement", "Appeal response")
IMPACT_HEADER = ("Impact score", "Impact percentile")


def _impact(row: Row) -> list[object]:
    """The nominee's impact score and percentile, kept on the nomination (nominee.impact)."""
    if row.impact_score is None:
        return ["", ""]
    return [f"{row.impact_score:.1f}", row.impact_percentile]


def _as_typed(value: object) -> object:
    return value


def rows(
    session: Session,
    cycle_id: int,
    withheld: Collection[int] = frozenset(),
    published: bool = False,
    *,
    for_spreadsheets: bool = True,
) -> Iterator[list]:
    """The header, then one list of cells per nomination, fetched in batches. The
    nominations in ``withheld`` (those the reader is conflicted on, rule 9) keep their
    counters, with their status read as "in review" until the cycle is ``published``,
    and none of their panel's scores, recommendations or decision. Typed text that a
    spreadsheet could run as a formula is quoted unless ``for_spreadsheets`` is False
    (the JSON API gives it as typed)."""
    quote = escape_cell if for_spreadsheets else _as_typed
    criteria = _criteria(session, cycle_id)
    # Computed before the rows stream (one query, or none while the reviews are as they
    # were), without the withheld nominations, as the reader's dashboard shows it.
    calibration = cycle_calibration(session, cycle_id, withheld)
    yield [quote(cell) for cell in header(criteria)]
    result = session.execute(_statement(cycle_id, criteria), execution_options={"yield_per": BATCH})
    for row in result:
        hidden = row[0] in withheld
        status = row[4]
        if hidden and not published:
            status = as_undecided(NominationStatus(status)).value
        counters = [
            row[0],
            quote(row[1]),
            quote(row[2]),
            row[3],
            status,
            row[5],
            row[6],
            "" if row.effective_endorsers is None else row.effective_endorsers,
            row[7],
            row[8],
            "yes" if row[9] else "no",
            row[10],
        ]
        if hidden:
            yield (counters + [WITHHELD] * (len(criteria) + 8 + len(APPEAL_HEADER)) + _impact(row))
            continue
        means = row[len(row) - len(criteria) :]  # the criteria's means come last
        weighted = weighted_mean(
            criteria,
            {c.id: float(m) for c, m in zip(criteria, means, strict=True) if m is not None},
        )
        calibrated = calibration.of(row[0])
        yield [
            *counters,
            *(_mean(m) for m in means),
            _mean(weighted),
            *(
                (_mean(calibrated.calibrated), calibrated.rank, calibrated.band)
                if calibrated
                else ("", "", "")
            ),
            row[11],
            row[12],
            row[13],
            row[14] or "",
            row.appeal_status or "",
            quote(row.appeal_statement or ""),
            quote(row.appeal_response or ""),
            *_impact(row),
        ]


def stream_csv(
    session: Session,
    cycle_id: int,
    withheld: Collection[int] = frozenset(),
    published: bool = False,
) -> Iterator[str]:
    """CSV text in chunks of about ``CHUNK_CHARS``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for cells in rows(session, cycle_id, withheld, published):
        writer.writerow(cells)
        if buffer.tell() >= CHUNK_CHARS:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
