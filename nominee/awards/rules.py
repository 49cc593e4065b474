"""Who may decide, revoke and see awards, and when."""

from __future__ import annotations

from nominee.accounts.models import User
from nominee.awards.models import Award, AwardStatus
from nominee.cycles.models import Cycle, CycleStatus
from nominee.i18n import N_, _, ngettext
from nominee.nominations.models import Nomination, NominationStatus

# Longer than any verification id issued: looked up by nobody.
MAX_VERIFICATION_ID = 40

# Decisions are taken, and may be changed, until the results are published: in *decided*
# (reviews closed, the stage for deciding), and already in review for a nomination whose
# reviews are in (with fewer than the cycle asks, only with the override and a reason).
DECIDING_CYCLE_STATUSES = (CycleStatus.IN_REVIEW, CycleStatus.DECIDED)
# A nomination that entered review: it needs a decision before the cycle is published.
REVIEWED_STATUSES = (
    NominationStatus.IN_REVIEW,
    NominationStatus.AWARDED,
    NominationStatus.DECLINED,
)


def is_organizer(user: User | None) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_organizer)


def decisions_open(cycle: Cycle) -> bool:
    return cycle.status in DECIDING_CYCLE_STATUSES


CONFLICTED = N_(
    "You have a conflict of interest with this nomination: another organizer decides it, "
    "and its reviews are not shown to you."
)


OWN_NOMINATION = N_(
    "This is your own nomination: another organizer decides it, and its reviews "
    "are not shown to you."
)


def decision_page_refusal(user: User, nomination: Nomination, *, conflicted: bool) -> str | None:
    """Why ``user`` may not open the decision page of ``nomination`` (its reviews, scores
    and decision), or None. ``conflicted``: the conflict rule binds them (rule 9)."""
    if user.id == nomination.nominee_id:
        return _(OWN_NOMINATION)
    if conflicted:
        return _(CONFLICTED)
    return None


def decision_refusal(
    user: User | None, nomination: Nomination, *, conflicted: bool = False
) -> str | None:
    """Why ``user`` may not decide ``nomination`` now, or None when they may.
    ``conflicted``: the conflict rule (``nominee.reviews.queries.conflicts``) binds them
    (rule 9)."""
    if user is None or not is_organizer(user):
        return _("Only organizers decide nominations.")
    if user.id == nomination.nominee_id:
        return _("You cannot decide your own nomination.")
    if conflicted or user.id == nomination.nominator_id:
        return _(CONFLICTED)
    if not decisions_open(nomination.cycle):
        if nomination.cycle.status is CycleStatus.PUBLISHED:
            return _("The results of this cycle are published: decisions can no longer change.")
        return _("Decisions are taken while the cycle is in review or decided.")
    if nomination.status not in REVIEWED_STATUSES:
        return _(
            "A nomination that is %(status)s cannot be decided.",
            status=nomination.status.label.lower(),
        )
    return None


def undecided_note(undecided: int) -> str | None:
    """What the move to *decided* says beforehand of the nominations still undecided."""
    if not undecided:
        return None
    return ngettext(
        "%(num)d nomination in review has no decision yet: decide them once the cycle is "
        "decided, before publishing.",
        "%(num)d nominations in review have no decision yet: decide them once the cycle is "
        "decided, before publishing.",
        undecided,
    )


def publish_refusal(undecided: int) -> str | None:
    """Why a cycle with ``undecided`` nominations without a decision cannot be
    published, or None when every one is decided."""
    if not undecided:
        return None
    return ngettext(
        "%(num)d nomination in review has no decision yet: decide every nomination before "
        "publishing.",
        "%(num)d nominations in review have no decision yet: decide every nomination before "
        "publishing.",
        undecided,
    )


def review_shortfall(submitted: int, asked: int) -> str | None:
    """What is missing when a nomination has fewer submitted reviews than its cycle asks
    for (deciding it then takes an override with a reason), or None."""
    if submitted >= asked:
        return None
    return ngettext(
        "%(num)d of the %(asked)d reviews this cycle asks for is submitted.",
        "%(num)d of the %(asked)d reviews this cycle asks for are submitted.",
        submitted,
        asked=asked,
    )


def can_decide(user: User | None, nomination: Nomination, *, conflicted: bool = False) -> bool:
    return decision_refusal(user, nomination, conflicted=conflicted) is None


def is_public(award: Award) -> bool:
    """Awards exist only once their cycle is published; the check guards the rule anyway."""
    return award.cycle.status is CycleStatus.PUBLISHED


def can_revoke(user: User | None, award: Award) -> bool:
    return is_organizer(user) and is_public(award) and award.status is not AwardStatus.REVOKED
