"""Who may appeal a decision, when, and who answers: the appeal rules in one place.

A declined nominee appeals once per nomination, after the cycle is published and within
its appeal period: ``Cycle.appeal_days`` days from the day of publishing, that day
counted as the first (0: the cycle takes no appeals). Organizers who are not conflicted
on the nomination answer it: uphold (the decision becomes an award) or dismiss.
"""

from __future__ import annotations

from datetime import date, timedelta

from nominee.accounts.models import User
from nominee.appeals.models import Appeal, AppealStatus
from nominee.cycles.models import Cycle, CycleStatus
from nominee.formatting import format_date, format_number
from nominee.i18n import _
from nominee.nominations.models import Nomination, NominationStatus

STATEMENT_MIN = 20
STATEMENT_MAX = 4000
RESPONSE_MAX = 4000


def last_day(cycle: Cycle) -> date | None:
    """The last day a nominee of ``cycle`` may appeal, or None (not published, or no
    appeals)."""
    if cycle.status is not CycleStatus.PUBLISHED or cycle.published_at is None:
        return None
    if not cycle.appeal_days:
        return None
    return cycle.published_at.date() + timedelta(days=cycle.appeal_days - 1)


def appeal_refusal(
    user: User, nomination: Nomination, existing: Appeal | None, today: date
) -> str | None:
    """Why ``user`` may not appeal the decision on ``nomination`` now, or None."""
    if not user.is_authenticated or user.id != nomination.nominee_id:
        return _("Only the nominee appeals the decision on their nomination.")
    cycle = nomination.cycle
    if cycle.status is not CycleStatus.PUBLISHED:
        return _("Decisions are appealed once the results are published.")
    if nomination.status is not NominationStatus.DECLINED:
        return _("Only a declined nomination can be appealed.")
    if existing is not None:
        return _("You have appealed this decision already: a decision is appealed once.")
    if not cycle.appeal_days:
        return _("This cycle takes no appeals.")
    end = last_day(cycle)
    if end is None or today > end:
        if end is None:
            return _("The appeal period ended on publishing.")
        return _("The appeal period ended on %(date)s.", date=format_date(end))
    return None


def statement_error(statement: str) -> str | None:
    text = statement.strip()
    if len(text) < STATEMENT_MIN:
        return _(
            "Say why the decision should change, in at least %(min)s characters.",
            min=format_number(STATEMENT_MIN),
        )
    if len(text) > STATEMENT_MAX:
        return _too_long(STATEMENT_MAX, text)
    return None


def _too_long(limit: int, text: str) -> str:
    return _(
        "At most %(max)s characters (this is %(length)s).",
        max=format_number(limit),
        length=format_number(len(text)),
    )


def response_error(response: str, field: str) -> str | None:
    text = response.strip()
    if not text:
        return (
            _("Give the new rationale for the decision.")
            if field == "rationale"
            else _("Write your response to the nominee: they read it.")
        )
    if len(text) > RESPONSE_MAX:
        return _too_long(RESPONSE_MAX, text)
    return None


def answer_refusal(user: User, appeal: Appeal, *, conflicted: bool) -> str | None:
    """Why ``user`` may not answer ``appeal`` now, or None."""
    if not user.is_authenticated or not user.is_organizer:
        return _("Only organizers answer appeals.")
    if conflicted or user.id == appeal.appellant_id:
        return _(
            "You have a conflict of interest with this nomination: another organizer "
            "answers its appeal."
        )
    if appeal.status is not AppealStatus.OPEN:
        return _("This appeal is %(status)s already.", status=appeal.status.label.lower())
    return None
