"""The landing page: for a member, where to go next; for a visitor, what Nominee is.

A few cheap queries whatever the size of the programme (the page is benchmarked): the
open cycles, the nominations waiting for the member's answer, and the latest public
contributions of other members (newest ids first, so the primary key serves the order).
"""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from nominee.accounts.models import User
from nominee.contributions.models import Contribution, Visibility
from nominee.cycles.models import Cycle, CycleStatus
from nominee.nominations.models import Nomination, NominationStatus
from nominee.uow import get_session

bp = Blueprint("home", __name__)

RECENT_SHOWN = 6
OPEN_CYCLES_SHOWN = 5


@bp.get("/")
def index():
    if not current_user.is_authenticated:
        return render_template("home.html")
    session = get_session()
    open_cycles = session.scalars(
        select(Cycle)
        .where(Cycle.status == CycleStatus.OPEN)
        .order_by(Cycle.nominations_close_on, Cycle.id)
        .limit(OPEN_CYCLES_SHOWN)
    ).all()
    awaiting = session.scalar(
        select(func.count(Nomination.id)).where(
            Nomination.nominee_id == current_user.id,
            Nomination.status == NominationStatus.AWAITING_ACCEPTANCE,
        )
    )
    recent = session.scalars(
        select(Contribution)
        .join(User, User.id == Contribution.owner_id)
        .where(
            Contribution.visibility == Visibility.PUBLIC,
            Contribution.owner_id != current_user.id,
            User.is_active_account.is_(True),
        )
        .options(joinedload(Contribution.owner), joinedload(Contribution.type))
        .order_by(Contribution.id.desc())
        .limit(RECENT_SHOWN)
    ).all()
    return render_template("home.html", open_cycles=open_cycles, awaiting=awaiting, recent=recent)
