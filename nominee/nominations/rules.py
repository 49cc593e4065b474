"""Who may see and change a nomination, and what a member may know of it (rule 5)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from nominee import clock
from nominee.accounts.models import User
from nominee.accounts.rules import must_be_verified
from nominee.cycles.models import Cycle, CycleStatus
from nominee.errors import DomainError, PermissionDenied
from nominee.formatting import format_date
from nominee.i18n import N_, _, programme_time_zone
from nominee.nominations.models import Nomination, NominationKind, NominationStatus

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


def decisions_public(cycle: Cycle) -> bool:
    """A cycle's decisions are everybody's to know once its results are published."""
    return cycle.status is CycleStatus.PUBLISHED


def sees_panel_copy(user: User) -> bool:
    """Rule 8: the panel (reviewers and organizers) sees the evidence of a nomination in
    review as it was when review began; other members see the contributions as they are
    now, as far as they may see them."""
    return user.is_authenticated and user.is_reviewer


def decisions_hidden(user: User, cycle: Cycle) -> bool:
    """Rule 5: until the cycle is published only organizers see decisions (and filter,
    sort or count by them)."""
    return not decisions_public(cycle) and not user.is_organizer


def sees_decision(user: User, nomination: Nomination, *, conflicted: bool = False) -> bool:
    """Rules 5 and 9, the one place that says who knows ``nomination``'s decision (its
    status, feedback and rationale): everybody who sees it once the cycle is published;
    before, organizers only, and not one conflicted on it. Its nominee and nominator are
    conflicted by definition; ``conflicted`` carries the rest of the conflict rule
    (endorsements, declarations), which ``nominee.reviews.queries.conflicts`` detects."""
    if decisions_public(nomination.cycle):
        return True
    return (
        user.is_authenticated
        and user.is_organizer
        and not conflicted
        and not is_party(user, nomination)
    )


def as_undecided(status: NominationStatus) -> NominationStatus:
    """A status with its decision hidden: awarded and declined read as in review."""
    return NominationStatus.IN_REVIEW if status in DECISIONS else status


def shown_status(
    user: User, nomination: Nomination, *, conflicted: bool = False
) -> NominationStatus:
    """The status as ``user`` may see it: a decision reads "in review" until published."""
    if sees_decision(user, nomination, conflicted=conflicted):
        return nomination.status
    return as_undecided(nomination.status)


def revoked_label(revoked_at: datetime) -> str:
    return _("Awarded, revoked on %(date)s", date=format_date(revoked_at))


def note_text(note: str) -> str:
    """A history line's note as the reader reads it: the notes the programme writes are
    stored in English (marked with ``N_`` where written) and shown translated; a member's
    own words (a reason) are shown as written."""
    return _(note) if note else note


def status_text(status: NominationStatus, revoked_at: datetime | None = None) -> str:
    """A status as pages write it: the award a nomination gave, revoked since, says so."""
    if status is NominationStatus.AWARDED and revoked_at is not None:
        return revoked_label(revoked_at)
    return status.label


def masked_counts(
    cycle: Cycle,
    by_status: Mapping[NominationStatus, int],
    hidden: Mapping[NominationStatus, int] | None = None,
) -> dict[NominationStatus, int]:
    """Counts by status as shown: until published, the decisions of ``hidden`` (the counts
    by status of the nominations whose decision the viewer may not know; None: all of
    them, for members and reviewers) are counted as in review."""
    if decisions_public(cycle):
        return dict(by_status)
    hidden = by_status if hidden is None else hidden
    counts = dict(by_status)
    for status in DECISIONS:
        moved = min(hidden.get(status, 0), counts.get(status, 0))
        if moved:
            counts[status] -= moved
            counts[NominationStatus.IN_REVIEW] = counts.get(NominationStatus.IN_REVIEW, 0) + moved
    return {status: count for status, count in counts.items() if count}


# What is refused outside the cycle's time, one sentence per doing: (while open, in dates).
_MADE = (
    N_("Nominations can only be made while the cycle is open."),
    N_("Nominations can only be made from %(start)s to %(end)s (%(zone)s)."),
)
_ANSWERED = (
    N_("Nominations can only be accepted or declined while the cycle is open."),
    N_("Nominations can only be accepted or declined from %(start)s to %(end)s (%(zone)s)."),
)
_WITHDRAWN = (N_("Nominations can only be withdrawn while the cycle is open."), "")
_CHANGED = (
    N_("Nominations can only be changed while the cycle is open."),
    N_("Nominations can only be changed from %(start)s to %(end)s (%(zone)s)."),
)


def _open(cycle: Cycle, doing: tuple[str, str]) -> DomainError | None:
    if cycle.status is not CycleStatus.OPEN:
        return DomainError(_(doing[0]))
    return None


def _in_dates(cycle: Cycle, doing: tuple[str, str]) -> DomainError | None:
    """Rule 10: the cycle's nomination dates, both included, as days of the programme's
    time zone (``clock.programme_today``)."""
    if not cycle.nominations_open_on <= clock.programme_today() <= cycle.nominations_close_on:
        return DomainError(
            _(
                doing[1],
                start=format_date(cycle.nominations_open_on),
                end=format_date(cycle.nominations_close_on),
                zone=programme_time_zone(),
            )
        )
    return None


def _taking_nominations(cycle: Cycle, doing: tuple[str, str]) -> DomainError | None:
    return _open(cycle, doing) or _in_dates(cycle, doing)


def why_not_nominate(cycle: Cycle) -> DomainError | None:
    return _taking_nominations(cycle, _MADE)


def why_not_nominate_as(actor: User) -> DomainError | None:
    """A member nominates (a peer or themself) once their address is confirmed."""
    if reason := must_be_verified(actor, "nominate"):
        return PermissionDenied(reason)
    return None


def why_not_respond(user: User, nomination: Nomination) -> DomainError | None:
    """Accepting or declining a peer nomination: the nominee, while it awaits them."""
    if user.id != nomination.nominee_id:
        return PermissionDenied(_("Only the nominee can accept or decline a nomination."))
    if refusal := _taking_nominations(nomination.cycle, _ANSWERED):
        return refusal
    if nomination.status is not NominationStatus.AWAITING_ACCEPTANCE:
        return DomainError(_("This nomination is not awaiting your answer any more."))
    return None


def why_not_withdraw(user: User, nomination: Nomination) -> DomainError | None:
    if not is_party(user, nomination):
        return PermissionDenied(_("Only the nominee or the nominator can withdraw a nomination."))
    if refusal := _open(nomination.cycle, _WITHDRAWN):
        return refusal
    if nomination.status not in WITHDRAWABLE:
        return DomainError(_("This nomination can no longer be withdrawn."))
    return None


def why_not_change_evidence(user: User, nomination: Nomination) -> DomainError | None:
    if user.id != nomination.nominee_id:
        return PermissionDenied(_("Only the nominee chooses the evidence."))
    if nomination.kind is NominationKind.RENEWAL:
        return DomainError(_("A renewal's evidence is the work done during the award term."))
    if refusal := _taking_nominations(nomination.cycle, _CHANGED):
        return refusal
    if nomination.status is not NominationStatus.SUBMITTED:
        return DomainError(_("Only a submitted nomination's evidence can be changed."))
    return None


def can_respond(user: User, nomination: Nomination) -> bool:
    return why_not_respond(user, nomination) is None


def can_withdraw(user: User, nomination: Nomination) -> bool:
    return why_not_withdraw(user, nomination) is None


def can_change_evidence(user: User, nomination: Nomination) -> bool:
    return why_not_change_evidence(user, nomination) is None
