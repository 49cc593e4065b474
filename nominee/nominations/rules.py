"""Who may see and change a nomination, and what a member may know of it (rule 5)."""

from __future__ import annotations

from collections.abc import Mapping

from nominee.accounts.models import User
from nominee.cycles.models import Cycle, CycleStatus
from nominee.nominations.models import Nomination, NominationKind, NominationStatus
from nominee.web import DomainError, PermissionDenied

STATEMENT_MIN = 100
STATEMENT_MAX = 3000
WITHDRAWN_REASON_MAX = 500

# A decision is made (awarded or declined) only once a cycle is in review; these are the
# states a nominee or nominator may still back out of.
WITHDRAWABLE = frozenset({NominationStatus.AWAITING_ACCEPTANCE, NominationStatus.SUBMITTED})
DECISIONS = frozenset({NominationStatus.AWARDED, NominationStatus.DECLINED})


def is_party(user: User, nomination: Nomination) -> bool:
    """The nominee or the nominator."""
    return user.is_authenticated and user.id in (nomination.nominee_id, nomination.nominator_id)


def can_view(user: User, nomination: Nomination) -> bool:
    """The parties, organizers, and reviewers (who must also pass ``reads_as_panel``)."""
    return is_party(user, nomination) or (user.is_authenticated and user.is_reviewer)


def reads_as_panel(user: User, nomination: Nomination) -> bool:
    """A reviewer who is no party reads the page as the panel's page allows them
    (``nominee.reviews.services.open_as_panel``): appointed for its category, not
    conflicted, once it is in review; anyone else gets what a member gets."""
    return (
        user.is_authenticated
        and user.is_reviewer
        and not user.is_organizer
        and not is_party(user, nomination)
    )


def can_see_private_evidence(user: User, nomination: Nomination) -> bool:
    """Private contributions: their owner (the nominee), and reviewers and organizers who
    are no party to it. The nominator sees what any member may see: not the private
    items, not their number, no total that includes them."""
    return user.is_authenticated and (
        user.id == nomination.nominee_id or (user.is_reviewer and not is_party(user, nomination))
    )


def decisions_hidden(user: User, cycle: Cycle) -> bool:
    """Rule 5: until the cycle is published only organizers see decisions."""
    return cycle.status is not CycleStatus.PUBLISHED and not user.is_organizer


def shown_status(user: User, nomination: Nomination) -> NominationStatus:
    """The status as ``user`` may see it: a decision reads "in review" until published."""
    if nomination.status in DECISIONS and decisions_hidden(user, nomination.cycle):
        return NominationStatus.IN_REVIEW
    return nomination.status


def masked_counts(
    cycle: Cycle, by_status: Mapping[NominationStatus, int]
) -> dict[NominationStatus, int]:
    """Counts by status for members: decisions counted as in review until published."""
    if cycle.status is CycleStatus.PUBLISHED:
        return dict(by_status)
    counts = {s: n for s, n in by_status.items() if s not in DECISIONS}
    hidden = sum(n for s, n in by_status.items() if s in DECISIONS)
    if hidden:
        counts[NominationStatus.IN_REVIEW] = counts.get(NominationStatus.IN_REVIEW, 0) + hidden
    return counts


def _open(cycle: Cycle, doing: str) -> DomainError | None:
    if cycle.status is not CycleStatus.OPEN:
        return DomainError(f"Nominations can only be {doing} while the cycle is open.")
    return None


def why_not_nominate(cycle: Cycle) -> DomainError | None:
    return _open(cycle, "made")


def why_not_respond(user: User, nomination: Nomination) -> DomainError | None:
    """Accepting or declining a peer nomination: the nominee, while it awaits them."""
    if user.id != nomination.nominee_id:
        return PermissionDenied("Only the nominee can accept or decline a nomination.")
    if refusal := _open(nomination.cycle, "accepted or declined"):
        return refusal
    if nomination.status is not NominationStatus.AWAITING_ACCEPTANCE:
        return DomainError("This nomination is not awaiting your answer any more.")
    return None


def why_not_withdraw(user: User, nomination: Nomination) -> DomainError | None:
    if not is_party(user, nomination):
        return PermissionDenied("Only the nominee or the nominator can withdraw a nomination.")
    if refusal := _open(nomination.cycle, "withdrawn"):
        return refusal
    if nomination.status not in WITHDRAWABLE:
        return DomainError("This nomination can no longer be withdrawn.")
    return None


def why_not_change_evidence(user: User, nomination: Nomination) -> DomainError | None:
    if user.id != nomination.nominee_id:
        return PermissionDenied("Only the nominee chooses the evidence.")
    if nomination.kind is NominationKind.RENEWAL:
        return DomainError("A renewal's evidence is the work done during the award term.")
    if refusal := _open(nomination.cycle, "changed"):
        return refusal
    if nomination.status is not NominationStatus.SUBMITTED:
        return DomainError("Only a submitted nomination's evidence can be changed.")
    return None


def can_respond(user: User, nomination: Nomination) -> bool:
    return why_not_respond(user, nomination) is None


def can_withdraw(user: User, nomination: Nomination) -> bool:
    return why_not_withdraw(user, nomination) is None


def can_change_evidence(user: User, nomination: Nomination) -> bool:
    return why_not_change_evidence(user, nomination) is None
