"""Who may see and run cycles, the status machine, and the checks on a cycle's settings."""

from __future__ import annotations

from datetime import date, timedelta

from nominee import clock, inputs
from nominee.accounts.models import User
from nominee.cycles.models import Cycle, CycleStatus
from nominee.formatting import format_date
from nominee.i18n import _, programme_time_zone

# One step forward at a time; there is no way back.
ALLOWED_TRANSITIONS: dict[CycleStatus, frozenset[CycleStatus]] = {
    CycleStatus.DRAFT: frozenset({CycleStatus.OPEN}),
    CycleStatus.OPEN: frozenset({CycleStatus.IN_REVIEW}),
    CycleStatus.IN_REVIEW: frozenset({CycleStatus.DECIDED}),
    CycleStatus.DECIDED: frozenset({CycleStatus.PUBLISHED}),
    CycleStatus.PUBLISHED: frozenset(),
}

# Members see a cycle from its opening on: in review and decided too (their nominations
# link to it, issue 20), with its decisions counted as in review until it is published.
MEMBER_VISIBLE = frozenset(
    {CycleStatus.OPEN, CycleStatus.IN_REVIEW, CycleStatus.DECIDED, CycleStatus.PUBLISHED}
)
REVIEWER_VISIBLE = MEMBER_VISIBLE

MONTHS_RANGE = (1, 60)
EVIDENCE_MAX = 100
PEER_LIMIT_MAX = 50
REVIEWERS_RANGE = (1, 20)
APPEAL_DAYS_RANGE = (0, 90)
CRITERION_WEIGHT_MAX = 100.0


def can_manage_cycles(user: User) -> bool:
    return user.is_authenticated and user.is_organizer


def visible_statuses(user: User) -> frozenset[CycleStatus]:
    if user.is_organizer:
        return frozenset(CycleStatus)
    return REVIEWER_VISIBLE if user.is_reviewer else MEMBER_VISIBLE


def can_see(user: User, cycle: Cycle) -> bool:
    return cycle.status in visible_statuses(user)


def can_move(cycle: Cycle, to: CycleStatus) -> bool:
    return to in ALLOWED_TRANSITIONS[cycle.status]


def why_not_move(cycle: Cycle, to: CycleStatus) -> str | None:
    """Why ``cycle`` cannot move to ``to``, or None when it can."""
    if not can_move(cycle, to):
        return _(
            "A cycle that is %(status)s cannot move to %(target)s.",
            status=cycle.status.label.lower(),
            target=to.label.lower(),
        )
    if to is CycleStatus.OPEN and cycle.nominations_close_on < clock.programme_today():
        # Rule 10: opening it would take no nomination, or take them after the close.
        return _(
            "Its nominations closed on %(date)s: change its dates before opening it.",
            date=format_date(cycle.nominations_close_on),
        )
    return None


def next_statuses(cycle: Cycle) -> list[CycleStatus]:
    return [s for s in CycleStatus if can_move(cycle, s)]


# The moves the scheduler makes for a cycle that moves by itself: the two that need no
# judgement. Moving to decided closes the reviews, and publishing makes the results
# public: both wait for an organizer, also after the review has closed.
AUTOMATIC_MOVES = frozenset({CycleStatus.OPEN, CycleStatus.IN_REVIEW})


def scheduled_move(cycle: Cycle, today: date) -> CycleStatus | None:
    """Where the cycle's dates say it should be on ``today``, if that is one automatic
    move from where it is (whether it moves by itself or not): a draft opens from the
    day nominations open to the day they close; an open cycle goes to review from the
    day after nominations close (the closing day is the last one they are taken)."""
    if cycle.status is CycleStatus.DRAFT:
        if cycle.nominations_open_on <= today <= cycle.nominations_close_on:
            return CycleStatus.OPEN
    elif cycle.status is CycleStatus.OPEN and today > cycle.nominations_close_on:
        return CycleStatus.IN_REVIEW
    return None


def next_scheduled_move(cycle: Cycle) -> tuple[CycleStatus, date] | None:
    """The next automatic move of the cycle and the day (from 00:00 in the programme's
    time zone) it is due, or
    None when the next step waits for an organizer whatever the cycle's choice."""
    if cycle.status is CycleStatus.DRAFT:
        return CycleStatus.OPEN, cycle.nominations_open_on
    if cycle.status is CycleStatus.OPEN:
        return CycleStatus.IN_REVIEW, cycle.nominations_close_on + timedelta(days=1)
    return None


def schedule_note(cycle: Cycle, today: date) -> str | None:
    """What the cycle page says of how the cycle moves (None once it is published)."""
    if cycle.status is CycleStatus.PUBLISHED:
        return None
    if not cycle.moves_automatically:
        return _("Waits for an organizer: it moves only when an organizer moves it.")
    close = format_date(cycle.nominations_close_on)
    zone = programme_time_zone()
    to_review = format_date(cycle.nominations_close_on + timedelta(days=1))
    if cycle.status is CycleStatus.DRAFT:
        if cycle.nominations_close_on < today:
            return _(
                "Moves by itself, but its nominations closed on %(close)s: change its dates "
                "for it to open.",
                close=close,
            )
        return _(
            "Moves by itself: opens for nominations on %(open)s at 00:00 (%(zone)s), and "
            "goes to review on %(review)s at 00:00 (%(zone)s), after nominations close on "
            "%(close)s.",
            open=format_date(max(cycle.nominations_open_on, today)),
            review=to_review,
            close=close,
            zone=zone,
        )
    if cycle.status is CycleStatus.OPEN:
        return _(
            "Moves by itself: nominations close at the end of %(close)s; it goes to review "
            "on %(review)s at 00:00 (%(zone)s).",
            close=close,
            review=to_review,
            zone=zone,
        )
    return _("Moved by itself at its dates; deciding and publishing wait for an organizer.")


def can_edit(cycle: Cycle) -> bool:
    # Once published, the award dates and results are public record.
    return cycle.status is not CycleStatus.PUBLISHED


def settings_errors(
    *,
    nominations_open_on: date | None,
    nominations_close_on: date | None,
    review_close_on: date | None,
    lookback_months: int | None,
    award_term_months: int | None,
    min_evidence: int | None,
    max_evidence: int | None,
    peer_nomination_limit: int | None,
    reviewers_per_nomination: int | None,
    appeal_days: int | None = None,
) -> dict[str, str]:
    """What is wrong with these settings, as ``{field name: message}``; empty when all is well.

    A missing value is the form's business (it says "required"), so it is skipped here.
    """
    errors: dict[str, str] = {}
    # Far from the calendar's ends, so the look-back window and the term are dates too.
    for name, day in (
        ("nominations_open_on", nominations_open_on),
        ("nominations_close_on", nominations_close_on),
        ("review_close_on", review_close_on),
    ):
        if message := inputs.date_error(day):
            errors[name] = message
    if errors:
        return errors
    if nominations_open_on and nominations_close_on and nominations_close_on <= nominations_open_on:
        errors["nominations_close_on"] = _("Nominations must close after they open.")
    if nominations_close_on and review_close_on and review_close_on < nominations_close_on:
        errors["review_close_on"] = _("The review must close on or after the nominations close.")
    for name, value in (
        ("lookback_months", lookback_months),
        ("award_term_months", award_term_months),
    ):
        if value is not None and not MONTHS_RANGE[0] <= value <= MONTHS_RANGE[1]:
            errors[name] = _(
                "Between %(low)d and %(high)d months.", low=MONTHS_RANGE[0], high=MONTHS_RANGE[1]
            )
    if min_evidence is not None and not 1 <= min_evidence <= EVIDENCE_MAX:
        errors["min_evidence"] = _("Between 1 and %(high)d contributions.", high=EVIDENCE_MAX)
    if max_evidence is not None and not 1 <= max_evidence <= EVIDENCE_MAX:
        errors["max_evidence"] = _("Between 1 and %(high)d contributions.", high=EVIDENCE_MAX)
    elif min_evidence is not None and max_evidence is not None and max_evidence < min_evidence:
        errors["max_evidence"] = _("The maximum cannot be below the minimum.")
    if peer_nomination_limit is not None and not 0 <= peer_nomination_limit <= PEER_LIMIT_MAX:
        errors["peer_nomination_limit"] = _("Between 0 and %(high)d.", high=PEER_LIMIT_MAX)
    if reviewers_per_nomination is not None and not (
        REVIEWERS_RANGE[0] <= reviewers_per_nomination <= REVIEWERS_RANGE[1]
    ):
        errors["reviewers_per_nomination"] = _(
            "Between %(low)d and %(high)d reviewers.",
            low=REVIEWERS_RANGE[0],
            high=REVIEWERS_RANGE[1],
        )
    if appeal_days is not None and not APPEAL_DAYS_RANGE[0] <= appeal_days <= APPEAL_DAYS_RANGE[1]:
        errors["appeal_days"] = _(
            "Between %(low)d (no appeals) and %(high)d days.",
            low=APPEAL_DAYS_RANGE[0],
            high=APPEAL_DAYS_RANGE[1],
        )
    return errors


def criterion_errors(name: str, weight: float | None) -> dict[str, str]:
    """What is wrong with one rubric criterion, as ``{"name"|"weight": message}``."""
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = _("Give the criterion a name.")
    elif len(name.strip()) > 80:
        errors["name"] = _("At most %(max)d characters.", max=80)
    if weight is None:
        errors["weight"] = _("Give the criterion a weight.")
    elif not 0 < weight <= CRITERION_WEIGHT_MAX:
        highest = format(CRITERION_WEIGHT_MAX, "g")
        errors["weight"] = _("The weight must be above 0 and at most %(max)s.", max=highest)
    return errors
