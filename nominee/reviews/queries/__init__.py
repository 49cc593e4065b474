"""The review domain's reads, the only place they are written: functions taking the
session and plain values (ids, filters, a page number, the viewer), returning models,
rows, dataclasses or a ``Page``. No Flask here.

- ``conflicts``: the conflict-of-interest rule as SQL (who is conflicted on what, why);
- ``panel``: appointments, a user's standing on a nomination, panels, loads, the
  assignments page, the reviews of a nomination and the nominee's feedback;
- ``queue``: the dashboard (the review queue of a cycle as one user sees it);
- ``dossier``: everything a reviewer needs to judge one nomination;
- ``overview``: a cycle's review at a glance, for the organizers' cycle page;
- ``scores``: the panel's scores per criterion, as the score rule reads them;
- ``calibration``: the cycle's calibration (reviewers' figures, calibrated scores), kept
  per process until a review changes.

The names callers use are gathered here: ``from nominee.reviews import queries``, then
``queries.standing(...)``.
"""

from nominee.reviews.queries.calibration import cycle_calibration, reviewer_rows
from nominee.reviews.queries.conflicts import (
    CLEARABLE,
    Cause,
    causes,
    clearable,
    clearances,
    conflicted_ids,
    conflicted_in_cycles,
    conflicted_on,
    find_conflicts,
    is_conflicted,
    undisclosed_conflicts,
)
from nominee.reviews.queries.dossier import (
    awards,
    endorsements_received,
    evidence,
    other_nominations,
)
from nominee.reviews.queries.overview import ReviewOverview, review_overview
from nominee.reviews.queries.panel import (
    AssignmentRow,
    AssignmentsPage,
    Load,
    Scope,
    appointable_reviewers,
    appointed_scopes,
    assignments_of,
    assignments_page,
    cycle_with_categories,
    nominee_feedback,
    open_as_panel,
    panel_nomination,
    review_cycles,
    reviewer_assignments,
    reviewer_loads,
    reviews_of,
    scope_of,
    standing,
    submitted_review,
)
from nominee.reviews.queries.queue import (
    CALIBRATED_SORTS,
    SCORE_BASES,
    SCORE_SORTS,
    SORTS,
    Dashboard,
    Filters,
    dashboard,
    next_undecided,
    queue_categories,
)
from nominee.reviews.queries.scores import criterion_means_for_cycle, criterion_stats

__all__ = [
    "CALIBRATED_SORTS",
    "SCORE_BASES",
    "next_undecided",
    "submitted_review",
    "SCORE_SORTS",
    "SORTS",
    "AssignmentRow",
    "AssignmentsPage",
    "Cause",
    "Dashboard",
    "Filters",
    "Load",
    "ReviewOverview",
    "Scope",
    "appointable_reviewers",
    "appointed_scopes",
    "assignments_of",
    "assignments_page",
    "awards",
    "causes",
    "CLEARABLE",
    "clearable",
    "clearances",
    "conflicted_ids",
    "conflicted_in_cycles",
    "conflicted_on",
    "criterion_means_for_cycle",
    "cycle_calibration",
    "criterion_stats",
    "cycle_with_categories",
    "dashboard",
    "endorsements_received",
    "evidence",
    "find_conflicts",
    "is_conflicted",
    "nominee_feedback",
    "open_as_panel",
    "other_nominations",
    "panel_nomination",
    "queue_categories",
    "review_cycles",
    "reviewer_assignments",
    "review_overview",
    "reviewer_loads",
    "reviewer_rows",
    "reviews_of",
    "scope_of",
    "standing",
    "undisclosed_conflicts",
]
