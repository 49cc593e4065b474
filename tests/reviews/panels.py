"""A constructed panel for the calibration pages: a harsh and a lenient reviewer."""

from __future__ import annotations

from dataclasses import dataclass

from nominee.accounts.models import User
from nominee.cycles.models import Cycle
from nominee.nominations.models import Nomination, NominationStatus
from nominee.reviews.models import Confidence, Recommendation
from nominee.reviews.services import refresh_scores


@dataclass
class Panel:
    harsh: User
    lenient: User
    # "H1".."H4": reviewed by the harsh reviewer alone, levels 1 to 4 scored 1 to 4;
    # "L1".."L4": by the lenient one alone, the same levels scored 2 to 5;
    # "shared": both, the harsh scoring 2 and the lenient 4, both recommending an award.
    nominations: dict[str, Nomination]

    def id(self, name: str) -> int:
        return self.nominations[name].id

    def ids(self, *names: str) -> list[int]:
        return [self.id(name) for name in names]


def score(make, db, nomination: Nomination, reviewer: User, value: int, **kw) -> None:
    kw.setdefault("recommendation", Recommendation.AWARD if value >= 3 else Recommendation.DECLINE)
    kw.setdefault("confidence", Confidence.MEDIUM)
    kw.setdefault("panel_comment", f"{reviewer.display_name} on this one.")
    make.review(nomination, reviewer, scores=[value] * len(nomination.cycle.criteria), **kw)
    refresh_scores(db, nomination)


def split_panel(make, db, cycle: Cycle, *, shared: bool = True) -> Panel:
    harsh = make.reviewer(display_name="Hana Harsh")
    lenient = make.reviewer(display_name="Leo Lenient")
    for reviewer in (harsh, lenient):
        make.appointment(cycle, reviewer)
    nominations: dict[str, Nomination] = {}
    for prefix, reviewer, offset in (("H", harsh, 0), ("L", lenient, 1)):
        for level in range(1, 5):
            name = f"{prefix}{level}"
            nomination = make.nomination(
                cycle, make.user(display_name=f"Nominee {name}"), status=NominationStatus.IN_REVIEW
            )
            make.assignment(nomination, reviewer)
            score(make, db, nomination, reviewer, level + offset)
            nominations[name] = nomination
    if shared:
        nomination = make.nomination(
            cycle, make.user(display_name="Nominee shared"), status=NominationStatus.IN_REVIEW
        )
        for reviewer, value in ((harsh, 2), (lenient, 4)):
            make.assignment(nomination, reviewer)
            score(make, db, nomination, reviewer, value, recommendation=Recommendation.AWARD)
        nominations["shared"] = nomination
    db.expire_all()
    return Panel(harsh, lenient, nominations)
