"""Test data. Objects are built directly (fast) unless a test is about the service itself."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.orm import Session

from nominee import activity
from nominee.accounts.models import Role, User
from nominee.accounts.passwords import hash_password
from nominee.categories.models import Category
from nominee.contributions.models import (
    Contribution,
    ContributionFigure,
    ContributionType,
    ReachMetric,
    Visibility,
)
from nominee.cycles.models import DEFAULT_RUBRIC, Cycle, CycleStatus, RubricCriterion
from nominee.endorsements.models import Endorsement
from nominee.nominations.models import Nomination, NominationKind, NominationStatus

PASSWORD = "correct horse battery staple"
_PASSWORD_HASH = hash_password(PASSWORD)  # hashing once keeps the suite fast
_seq = itertools.count(1)


class Factory:
    def __init__(self, session: Session):
        self.session = session

    def _save(self, obj):
        self.session.add(obj)
        self.session.flush()
        return obj

    def _work(self, obj, cycle_id: int):
        """``obj`` changed the cycle's review work, as the services say it when they make
        such rows (``nominee.activity.review_work_changed``): the review pages' kept
        figures of the cycle are stale. Drawn at every row, not once per transaction: the
        test's requests share its connection and read what it has not committed, as if
        each row had been committed on its own."""
        from nominee.activity import draw_review_activity

        draw_review_activity(self.session, cycle_id)
        return obj

    def user(self, role: Role = Role.MEMBER, **kw) -> User:
        n = next(_seq)
        kw.setdefault("email", f"user{n}@example.org")
        kw.setdefault("display_name", f"Member {n}")
        kw.setdefault("password_hash", _PASSWORD_HASH)
        # Confirmed unless a test says otherwise (email_verified_at=None).
        kw.setdefault("email_verified_at", datetime.now(UTC))
        return self._save(User(role=role, **kw))

    def organizer(self, **kw) -> User:
        return self.user(Role.ORGANIZER, **kw)

    def reviewer(self, **kw) -> User:
        return self.user(Role.REVIEWER, **kw)

    def category(self, **kw) -> Category:
        n = next(_seq)
        kw.setdefault("name", f"Category {n}")
        kw.setdefault("slug", f"category-{n}")
        return self._save(Category(**kw))

    def contribution_type(self, **kw) -> ContributionType:
        n = next(_seq)
        kw.setdefault("name", f"Talk {n}")
        kw.setdefault("slug", f"talk-{n}")
        kw.setdefault("quantity_label", "Sessions")
        kw.setdefault("audience_label", "Attendees")
        kw.setdefault("roles", ["Speaker", "Co-speaker"])
        if "metrics" not in kw:
            # The headline figures' labels as reach metrics, as the migration makes them.
            same = kw.get("quantity_label") == kw.get("audience_label")
            kw["metrics"] = [
                ReachMetric(
                    # A metric's name is unique in its type.
                    name=(
                        kw[f"{slot}_label"][:29] + " (audience)"
                        if same and position == 20
                        else kw[f"{slot}_label"]
                    ),
                    legacy_slot=slot,
                    position=position,
                    maximum=1_000_000_000,
                )
                for position, slot in ((10, "quantity"), (20, "audience"))
                if kw.get(f"{slot}_label")
            ]
        return self._save(ContributionType(**kw))

    def contribution(self, owner: User | None = None, **kw) -> Contribution:
        n = next(_seq)
        owner = owner or self.user()
        if "type" not in kw and "type_id" not in kw:
            kw["type"] = self.contribution_type()
        if "primary_category" not in kw and "primary_category_id" not in kw:
            kw["primary_category"] = self.category()
        kw.setdefault("title", f"Contribution {n}")
        kw.setdefault("contributed_on", date.today() - timedelta(days=30))
        kw.setdefault("visibility", Visibility.PUBLIC)
        kw.setdefault("role", "Speaker")
        contribution = Contribution(owner=owner, **kw)
        if "figures" not in kw:
            # Headline figures given: recorded with the type's slot metrics too.
            kind = contribution.type or self.session.get(ContributionType, contribution.type_id)
            contribution.figures = [
                ContributionFigure(metric=metric, value=getattr(contribution, slot) or 0)
                for metric in kind.metrics
                if (slot := metric.legacy_slot) and kw.get(slot) is not None
            ]
        self._save(contribution)
        activity.changed(self.session, [contribution.owner_id])  # as the services do
        return contribution

    def endorsement(self, contribution: Contribution, endorser: User | None = None, **kw):
        endorser = endorser or self.user()
        endorsement = self._save(
            Endorsement(
                contribution=contribution,
                endorser=endorser,
                endorsee_id=contribution.owner_id,
                **kw,
            )
        )
        if "public" not in kw:
            # As the services keep it (``Endorsement.public``).
            owner = contribution.owner or self.session.get(User, contribution.owner_id)
            endorsement.public = contribution.is_public and owner.is_active_account
            self.session.flush()
        if endorsement.withdrawn_at is None:
            contribution.endorsement_count += 1
            self.session.flush()
            activity.changed(self.session, [contribution.owner_id])
        return endorsement

    def cycle(self, **kw) -> Cycle:
        """An open cycle by default; pass ``criteria=[(name, description, weight), ...]``."""
        n = next(_seq)
        today = date.today()
        kw.setdefault("name", f"Cycle {n}")
        kw.setdefault("status", CycleStatus.OPEN)
        kw.setdefault("nominations_open_on", today - timedelta(days=30))
        kw.setdefault("nominations_close_on", today + timedelta(days=30))
        kw.setdefault("review_close_on", kw["nominations_close_on"] + timedelta(days=30))
        if "categories" not in kw:
            kw["categories"] = [self.category()]
        rubric = kw.pop("criteria", DEFAULT_RUBRIC)
        kw["criteria"] = [
            RubricCriterion(name=name, description=description, weight=weight, position=i)
            for i, (name, description, weight) in enumerate(rubric)
        ]
        return self._save(Cycle(**kw))

    def nomination(self, cycle: Cycle | None = None, nominee: User | None = None, **kw):
        """A self nomination by default; ``kind=PEER`` gets a nominator, RENEWAL none."""
        cycle = cycle or self.cycle()
        nominee = nominee or self.user()
        kind = kw.setdefault("kind", NominationKind.SELF)
        if "nominator" not in kw and "nominator_id" not in kw:
            if kind is NominationKind.SELF:
                kw["nominator"] = nominee
            elif kind is NominationKind.PEER:
                kw["nominator"] = self.user()
        if "category" not in kw and "category_id" not in kw:
            kw["category"] = cycle.categories[0]
        kw.setdefault("status", NominationStatus.SUBMITTED)
        kw.setdefault("statement_md", "Works for the community.")
        kw.setdefault("statement_html", "<p>Works for the community.</p>")
        return self._work(self._save(Nomination(cycle=cycle, nominee=nominee, **kw)), cycle.id)

    def evidence(self, nomination: Nomination, contributions) -> Nomination:
        """Attach contributions as evidence, keeping the evidence counter in step."""
        from nominee.nominations.models import NominationEvidence

        for contribution in contributions:
            self.session.add(NominationEvidence(nomination=nomination, contribution=contribution))
        nomination.evidence_count += len(contributions)
        self.session.flush()
        return nomination

    def notification(self, user: User, *, message: str | None = None, link: str = "", **kw):
        """A notification showing ``message`` and leading to ``link`` as given (a row of
        the ``legacy`` kind), unless ``kind`` and ``params`` are given."""
        from nominee.notifications.kinds import LEGACY
        from nominee.notifications.models import Notification

        if "kind" not in kw:
            text = message if message is not None else f"Notification {next(_seq)}"
            kw.update(kind=LEGACY, params={"kind": "test", "text": text, "path": link})
        return self._save(Notification(user_id=user.id, **kw))

    def award(self, nomination: Nomination | None = None, **kw):
        """An award of a published cycle; from ``nomination`` when given."""
        from nominee.awards.models import Award

        if nomination is not None:
            kw.setdefault("cycle", nomination.cycle)
            kw.setdefault("member", nomination.nominee)
            kw.setdefault("category_id", nomination.category_id)
            kw.setdefault("nomination_id", nomination.id)
        cycle = kw.pop("cycle", None) or self.cycle(status=CycleStatus.PUBLISHED)
        kw.setdefault("member", self.user())
        kw.setdefault("category_id", cycle.categories[0].id)
        kw.setdefault("starts_on", cycle.award_starts_on)
        kw.setdefault("ends_on", cycle.award_ends_on)
        return self._save(Award(cycle=cycle, **kw))

    def appointment(self, cycle: Cycle, reviewer: User, category: Category | None = None):
        from nominee.reviews.models import ReviewerAppointment

        appointment = ReviewerAppointment(cycle=cycle, reviewer=reviewer, category=category)
        return self._work(self._save(appointment), cycle.id)

    def assignment(self, nomination: Nomination, reviewer: User):
        from nominee.reviews.models import Assignment

        assigned = self._save(Assignment(nomination=nomination, reviewer=reviewer))
        return self._work(assigned, nomination.cycle_id)

    def review(self, nomination: Nomination, reviewer: User, scores=(), **kw):
        """A review; ``scores`` are given in rubric order (None: not scored).

        A submitted review (the default) gets a recommendation. Stored aggregates are
        not refreshed: call ``nominee.reviews.services.refresh_scores`` when they matter.
        """
        from nominee import clock
        from nominee.reviews.models import Recommendation, Review, ReviewScore, ReviewStatus

        kw.setdefault("status", ReviewStatus.SUBMITTED)
        if kw["status"] is ReviewStatus.SUBMITTED:
            kw.setdefault("recommendation", Recommendation.AWARD)
            kw.setdefault("submitted_at", clock.now())
        criteria = nomination.cycle.criteria
        kw["scores"] = [
            ReviewScore(criterion_id=criterion.id, score=score)
            for criterion, score in zip(criteria, scores, strict=False)
            if score is not None
        ]
        kw.setdefault(
            "reads_others",
            kw["status"] is ReviewStatus.SUBMITTED and len(kw["scores"]) == len(criteria),
        )
        review = self._save(Review(nomination=nomination, reviewer=reviewer, **kw))
        return self._work(review, nomination.cycle_id)


def shown(app, notification):
    """The notification's text and URL as its page shows them (``.text``, ``.url``)."""
    from nominee.notifications.views import render

    with app.test_request_context():
        return render(notification)
