"""The pages issue 7 budgets, on a seeded programme: for the benchmark and the query tests.

``cast_of_characters`` finds who and what to measure in the seeded data (the heaviest
member, the most endorsed contribution, the big cycle under review, one of its
nominations and a reviewer assigned to it whose review is not submitted yet...);
``pages_for`` lists every page with the role that opens it. POSTs change the data, so each
request gets fresh form data: the endorse POST endorses a new contribution every time, the
save-review POST saves the reviewer's draft with the current version (a submitted review
is final).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from nominee.accounts.models import Role, User
from nominee.audit import AuditEvent
from nominee.auditlog.queries import Cursor as AuditCursor
from nominee.awards.models import Award, AwardStatus
from nominee.contributions.models import Contribution, Visibility
from nominee.cycles.models import Cycle, CycleStatus, RubricCriterion
from nominee.endorsements.models import Endorsement
from nominee.nominations.models import Nomination, NominationStatus
from nominee.reviews.models import Assignment, Review, ReviewStatus
from nominee.tokens import rules as token_rules
from nominee.tokens import services as tokens

# The dashboard's sortable columns, should ``nominee.reviews.queries.queue`` not list them.
FALLBACK_SORTS = ("id", "nominee", "category", "evidence", "endorsers", "reach", "score")
ROLES = ("viewer", "heavy", "reviewer", "organizer")
# A visitor who is not logged in: the caller's client for this role sends no cookie.
VISITOR = "visitor"


@dataclass
class Page:
    name: str
    role: str  # a key of ``Cast.emails``
    endpoint: str
    values: dict[str, Any] | Callable[[], dict[str, Any] | None] = field(default_factory=dict)
    method: str = "GET"
    data: Callable[[], dict[str, Any]] | None = None  # a POST's form, per request
    after: Callable[[Any], None] | None = None  # sees every response
    ok: tuple[int, ...] = (200,)
    # An export (the CSV files, the API's decisions): measured apart, in rows per second.
    streamed: bool = False
    # Read in batches of rows (the audit CSV: each batch's events, then the names they
    # mention): its queries grow with the rows by design, so no query budget applies.
    batched: bool = False

    def url_values(self) -> dict[str, Any] | None:
        """The endpoint's values for the next request; None when there is nothing left."""
        return self.values() if callable(self.values) else self.values


@dataclass
class Cast:
    heavy: int  # the member with the most contributions
    viewer: int  # an ordinary member who looks at others' pages and endorses
    reviewer: int
    organizer: int
    emails: dict[str, str]  # role -> email
    cycle: int  # the cycle under review
    # The heavy member's nomination in it, else its largest, with a reviewer whose review
    # is not submitted yet (the save-review POST saves a draft: a submitted one is final).
    nomination: int
    category: int
    most_endorsed: int
    to_endorse: list[int]
    criteria: list[int]
    review_version: int
    # The awardee directory's filters, from one of its listed awardees: category,
    # country, year, cycle and a part of the name (empty: nobody is listed).
    directory: dict[str, Any] = field(default_factory=dict)
    # For the pages issue 19 added: a published cycle, an award of it, a contribution of
    # the heavy member's and the oldest audit event's cursor (the audit log's last window).
    published_cycle: int | None = None
    award: str | None = None  # the verification id of an award of the published cycle
    own_contribution: int | None = None
    oldest_audit: str | None = None
    # The most endorsed contribution's type and category: Discover's filter by both
    # (that contribution at least is in it, at every size).
    type_id: int = 0
    type_category: int = 0
    webhook_endpoint: int = 0  # the endpoint with the most deliveries
    webhook_delivery: int = 0  # its latest delivery


def _one(session: Session, stmt):
    return session.execute(stmt.limit(1)).scalar()


def _directory_filters(session: Session) -> dict[str, Any]:
    """The filters of the current awardee with a public profile and a country who has
    the most company in their category (so the filtered page lists more than one)."""
    row = session.execute(
        select(Award.category_id, User.country, Award.starts_on, Award.cycle_id, User.display_name)
        .join(User, User.id == Award.member_id)
        .join(Cycle, Cycle.id == Award.cycle_id)
        .where(
            Cycle.status == CycleStatus.PUBLISHED,
            Award.status == AwardStatus.ACTIVE,
            User.profile_public.is_(True),
            User.is_active_account.is_(True),
            User.country != "",
        )
        .order_by(Award.id)
        .limit(1)
    ).first()
    if row is None:
        return {}
    return {
        "category": row.category_id,
        "country": row.country,
        "year": row.starts_on.year,
        "cycle": row.cycle_id,
        "q": row.display_name.split()[-1][:4].lower(),
    }


def cast_of_characters(session: Session, endorsements: int = 2_000) -> Cast:
    heavy = _one(
        session,
        select(Contribution.owner_id)
        .group_by(Contribution.owner_id)
        .order_by(func.count().desc(), Contribution.owner_id),
    )
    cycle = _one(session, select(Cycle.id).where(Cycle.status == CycleStatus.IN_REVIEW))
    submitted = exists().where(
        Review.nomination_id == Assignment.nomination_id,
        Review.reviewer_id == Assignment.reviewer_id,
        Review.status == ReviewStatus.SUBMITTED,
    )
    open_review = (
        select(Assignment.reviewer_id)
        .where(Assignment.nomination_id == Nomination.id, ~submitted)
        .correlate(Nomination)
        .exists()
    )
    nomination = session.execute(
        select(Nomination.id, Nomination.category_id)
        .where(
            Nomination.cycle_id == cycle,
            Nomination.status == NominationStatus.IN_REVIEW,
            open_review,
        )
        .order_by((Nomination.nominee_id == heavy).desc(), Nomination.evidence_count.desc())
        .limit(1)
    ).one()
    reviewer = _one(
        session,
        select(Assignment.reviewer_id)
        .where(Assignment.nomination_id == nomination.id, ~submitted)
        .order_by(Assignment.reviewer_id),
    )
    viewer = session.scalars(
        select(User.id)
        .where(User.role == Role.MEMBER, User.id != heavy)
        .order_by(User.id)
        .offset(9)
        .limit(1)
    ).one()
    organizer = _one(session, select(User.id).where(User.role == Role.ORGANIZER).order_by(User.id))
    endorsed = select(Endorsement.contribution_id).where(Endorsement.endorser_id == viewer)
    ids = {"heavy": heavy, "viewer": viewer, "reviewer": reviewer, "organizer": organizer}
    emails = dict(
        session.execute(select(User.id, User.email).where(User.id.in_(ids.values()))).all()
    )

    most_endorsed = _one(
        session,
        select(Contribution.id)
        .where(
            Contribution.visibility == Visibility.PUBLIC,
            Contribution.owner_id != viewer,
            Contribution.id.not_in(endorsed),
        )
        .order_by(Contribution.endorsement_count.desc(), Contribution.id),
    )
    picked = session.execute(
        select(Contribution.type_id, Contribution.primary_category_id).where(
            Contribution.id == most_endorsed
        )
    ).one()
    return Cast(
        heavy=heavy,
        viewer=viewer,
        reviewer=reviewer,
        organizer=organizer,
        emails={role: emails[user_id] for role, user_id in ids.items()},
        cycle=cycle,
        nomination=nomination.id,
        category=nomination.category_id,
        # Someone else's, which the viewer has not endorsed: the page shows the endorse
        # form at every size.
        most_endorsed=most_endorsed,
        to_endorse=list(
            session.scalars(
                select(Contribution.id)
                .where(
                    Contribution.visibility == Visibility.PUBLIC,
                    Contribution.owner_id != viewer,
                    Contribution.id.not_in(endorsed),
                )
                .order_by(Contribution.id.desc())
                .limit(endorsements)
            )
        ),
        criteria=list(
            session.scalars(
                select(RubricCriterion.id)
                .where(RubricCriterion.cycle_id == cycle)
                .order_by(RubricCriterion.position)
            )
        ),
        directory=_directory_filters(session),
        review_version=_one(
            session,
            select(Review.version).where(
                Review.nomination_id == nomination.id, Review.reviewer_id == reviewer
            ),
        )
        or 0,
        published_cycle=_one(
            session,
            select(Cycle.id).where(Cycle.status == CycleStatus.PUBLISHED).order_by(Cycle.id.desc()),
        ),
        award=_one(
            session,
            select(Award.verification_id)
            .join(Cycle, Cycle.id == Award.cycle_id)
            .where(Cycle.status == CycleStatus.PUBLISHED, Award.status == AwardStatus.ACTIVE)
            .order_by(Award.id),
        ),
        own_contribution=_one(
            session,
            select(Contribution.id)
            .where(Contribution.owner_id == heavy)
            .order_by(Contribution.id.desc()),
        ),
        oldest_audit=_oldest_audit(session),
        type_id=picked.type_id,
        type_category=picked.primary_category_id,
        **_webhook(session),
    )


def _oldest_audit(session: Session) -> str | None:
    """The cursor just after the oldest audit event but one: the log's last window."""
    row = session.execute(
        select(AuditEvent.created_at, AuditEvent.id)
        .order_by(AuditEvent.created_at, AuditEvent.id)
        .offset(1)
        .limit(1)
    ).first()
    return str(AuditCursor(row.created_at, row.id)) if row else None


def _webhook(session: Session) -> dict[str, int]:
    from nominee.webhooks.models import WebhookDelivery

    busiest = session.execute(
        select(WebhookDelivery.endpoint_id, func.max(WebhookDelivery.id))
        .group_by(WebhookDelivery.endpoint_id)
        .order_by(func.count().desc(), WebhookDelivery.endpoint_id)
        .limit(1)
    ).first()
    if busiest is None:
        return {}
    return {"webhook_endpoint": busiest[0], "webhook_delivery": busiest[1]}


def dashboard_sorts() -> list[str]:
    try:
        from nominee.reviews.queries.queue import SORTS
    except ImportError:
        return list(FALLBACK_SORTS)
    return list(SORTS)


def pages_for(cast: Cast, floor_endpoint: str | None = None) -> list[Page]:
    """Every budgeted page; ``floor_endpoint`` first when given."""
    pending = iter(cast.to_endorse)
    webhook = {"endpoint_id": cast.webhook_endpoint}
    target = {"contribution_id": next(pending, None)}

    def endorse_values() -> dict[str, Any] | None:
        return dict(target) if target["contribution_id"] is not None else None

    def endorsed(_response) -> None:
        target["contribution_id"] = next(pending, None)

    review = {"version": cast.review_version, "round": 0}

    def review_form() -> dict[str, Any]:
        review["round"] += 1
        score = str(3 + review["round"] % 2)  # a real change every time
        form = {f"score_{criterion}": score for criterion in cast.criteria}
        form.update(
            confidence="medium",
            recommendation="award",
            panel_comment=f"Well endorsed, sustained evidence (round {review['round']}).",
            nominee_feedback="",
            version=str(review["version"]),
            action="draft",
        )
        return form

    def review_saved(response) -> None:
        if response.status_code == 302:
            review["version"] += 1

    dashboard = {"cycle_id": cast.cycle}

    def award() -> dict[str, Any] | None:
        return {"verification_id": cast.award} if cast.award else None

    nomination = {"cycle_id": cast.cycle, "nomination_id": cast.nomination}
    pages = [Page("floor", "viewer", floor_endpoint)] if floor_endpoint else []
    pages += [
        Page("home", "viewer", "home.index"),
        Page("home (reviewer: reviews due)", "reviewer", "home.index"),
        Page("home (organizer: to-do)", "organizer", "home.index"),
        # The eligibility meter scores the member's window in Python from one query.
        Page("home (heavy member: eligibility meter)", "heavy", "home.index"),
        Page(
            "member page (own, with the meter)",
            "heavy",
            "contributions.member",
            {"user_id": cast.heavy},
        ),
        Page(
            "eligibility meter (reviewer)",
            "reviewer",
            "contributions.member_meter",
            {"user_id": cast.heavy},
        ),
        Page("my contributions (heavy member)", "heavy", "contributions.mine"),
        Page(
            "member page (heavy member)",
            "viewer",
            "contributions.member",
            {"user_id": cast.heavy},
        ),
        Page(
            "contribution page (most endorsed)",
            "viewer",
            "contributions.view",
            {"contribution_id": cast.most_endorsed},
        ),
        # The organizer: the nomination need not be the heavy member's (see ``Cast``).
        Page(
            "nomination page", "organizer", "nominations.show", {"nomination_id": cast.nomination}
        ),
        # Search: a prefix most titles' words start with ("production", "Productivity"...)
        # and members by the start of a name; Discover's first page and filtered pages.
        Page(
            "search contributions (common prefix)",
            "viewer",
            "search.index",
            {"q": "pro", "scope": "contributions"},
        ),
        Page("search members (prefix)", "viewer", "search.index", {"q": "an", "scope": "members"}),
        Page("discover (first page)", "viewer", "search.discover"),
        Page(
            "discover (filter category)",
            "viewer",
            "search.discover",
            {"category": cast.category},
        ),
        Page(
            "discover (filter type and category)",
            "viewer",
            "search.discover",
            {"type": cast.type_id, "category": cast.type_category},
        ),
        Page("review dashboard (organizer)", "organizer", "reviews.dashboard", dashboard),
        Page("review dashboard", "reviewer", "reviews.dashboard", dashboard),
    ]
    pages += [
        Page(
            f"dashboard sort {key} desc",
            "reviewer",
            "reviews.dashboard",
            {**dashboard, "sort": key, "order": "desc"},
        )
        for key in dashboard_sorts()
        if key != "id"
    ]
    filters = (
        ("category", {"category": cast.category}),
        ("status", {"status": NominationStatus.IN_REVIEW.value}),
        ("assigned to me", {"mine": "y"}),
        ("not reviewed by me", {"unreviewed": "y"}),
        ("disagreement", {"disagreement": "y"}),
    )
    pages += [
        Page(f"dashboard filter {name}", "reviewer", "reviews.dashboard", {**dashboard, **args})
        for name, args in filters
    ]
    # Calibration (organizers): one query while the reviews stay as they are.
    pages += [
        Page(
            "dashboard sort calibrated desc (organizer)",
            "organizer",
            "reviews.dashboard",
            {**dashboard, "sort": "calibrated", "order": "desc"},
        ),
        Page(
            "dashboard filter calibrated score (organizer)",
            "organizer",
            "reviews.dashboard",
            {**dashboard, "min_score": "3", "basis": "calibrated"},
        ),
        Page("reviewers' calibration", "organizer", "reviews.calibration", dashboard),
    ]
    # The public pages, for a visitor who is not logged in.
    directory = cast.directory
    pages += [
        Page("home (visitor: latest awardees, figures)", VISITOR, "home.index"),
        Page("awardee directory (first page)", VISITOR, "directory.current"),
        Page("awardee directory (last page)", VISITOR, "directory.current", {"page": 100_000}),
        Page(
            "awardee directory (category, country, year)",
            VISITOR,
            "directory.current",
            {key: directory[key] for key in ("category", "country", "year") if key in directory},
        ),
        Page(
            "awardee directory (cycle, name)",
            VISITOR,
            "directory.current",
            {key: directory[key] for key in ("cycle", "q") if key in directory},
        ),
        Page("past awardees (last page)", VISITOR, "directory.alumni", {"page": 100_000}),
    ]
    pages += [
        Page("reviewer's page", "reviewer", "reviews.review", nomination),
        Page("mail failures (first page)", "organizer", "outbox.index"),
        # Past the end: the last page (pagination clamps).
        Page("mail failures (last page)", "organizer", "outbox.index", {"page": 100_000}),
        Page("email preferences", "viewer", "preferences.edit"),
        # Imports: the upload pages list every type with its reach figures.
        Page("import a CSV file", "heavy", "imports.upload"),
        Page("import for members (organizer)", "organizer", "imports.upload_for_members"),
        Page("CSV template", "heavy", "imports.template"),
        Page("feeds", "heavy", "imports.feeds"),
        Page("drafts from feeds", "heavy", "imports.drafts"),
        Page("flagged members (first page)", "organizer", "integrity.index"),
        Page("flagged members (last page)", "organizer", "integrity.index", {"page": 100_000}),
        Page("impact guidance", "organizer", "impact.guidance_index"),
        Page("webhook endpoints", "organizer", "webhooks.index"),
        Page("webhook deliveries (first page)", "organizer", "webhooks.show", webhook),
        Page(
            "webhook deliveries (last page)",
            "organizer",
            "webhooks.show",
            {**webhook, "page": 100_000},
        ),
        Page(
            "webhook delivery",
            "organizer",
            "webhooks.delivery",
            {**webhook, "delivery_id": cast.webhook_delivery},
        ),
        Page("audit log", "organizer", "auditlog.index"),
        Page(
            "audit log filter action",
            "organizer",
            "auditlog.index",
            {"action": "nomination.entered_review"},
        ),
        Page(
            "audit log filter actor", "organizer", "auditlog.index", {"actor": cast.emails["heavy"]}
        ),
        Page(
            "audit log (last window)",
            "organizer",
            "auditlog.index",
            lambda: {"older": cast.oldest_audit} if cast.oldest_audit else None,
        ),
        Page("audit log CSV", "organizer", "auditlog.export_csv", streamed=True, batched=True),
        # Every other page that reads more than one row (issue 19), paged ones at their first
        # and last page; ``tests/perf/test_every_page.py`` names the few that are exempt.
        Page("review queue (reviewer)", "reviewer", "reviews.index"),
        Page("assignments", "organizer", "reviews.assignments", dashboard),
        Page("reviewers", "organizer", "reviews.reviewers", dashboard),
        Page("decisions (first page)", "organizer", "awards.decisions", dashboard),
        Page(
            "decisions (last page)", "organizer", "awards.decisions", {**dashboard, "page": 100_000}
        ),
        Page("impact settings", "organizer", "impact.settings", dashboard),
        Page("cycles", "organizer", "cycles.index"),
        Page("cycle page (in review)", "organizer", "cycles.show", dashboard),
        Page(
            "cycle page (published)",
            "viewer",
            "cycles.show",
            lambda: {"cycle_id": cast.published_cycle} if cast.published_cycle else None,
        ),
        # Its badge images: link previews and badges embedded elsewhere.
        Page("award badge PNG", "viewer", "awards.badge_png", award),
        Page("award badge SVG", "viewer", "awards.badge_svg", award),
        Page("my nominations (heavy member)", "heavy", "nominations.mine"),
        Page("notifications (first page)", "heavy", "notifications.index"),
        Page("notifications (last page)", "heavy", "notifications.index", {"page": 100_000}),
        Page("accounts (first page)", "organizer", "accounts.accounts_list"),
        Page("accounts (last page)", "organizer", "accounts.accounts_list", {"page": 100_000}),
        Page("categories", "organizer", "categories.index"),
        Page("contribution types", "organizer", "contributions.types_index"),
        Page("profile", "heavy", "accounts.edit_profile"),
        Page("language and time", "heavy", "accounts.edit_reading"),
        Page("new contribution form", "heavy", "contributions.create"),
        Page(
            "edit contribution form",
            "heavy",
            "contributions.edit",
            lambda: {"contribution_id": cast.own_contribution} if cast.own_contribution else None,
        ),
        Page(
            "endorse POST",
            "viewer",
            "endorsements.endorse",
            endorse_values,
            method="POST",
            data=lambda: {"comment": "Useful, thank you."},
            after=endorsed,
            ok=(302,),
        ),
        Page(
            "save-review POST",
            "reviewer",
            "reviews.review",
            nomination,
            method="POST",
            data=review_form,
            after=review_saved,
            ok=(302,),
        ),
        Page("API tokens (heavy member)", "heavy", "tokens.index"),
        # The JSON API, with each role's token (``api_tokens``) on its client.
        Page(
            "API: contributions (heavy member)", "heavy", "api.list_contributions", {"limit": 100}
        ),
        Page("API: endorsements received (heavy)", "heavy", "api.received", {"limit": 100}),
        Page("API: reviewer's assignments", "reviewer", "api.assignments"),
        Page("API: dashboard rows (organizer)", "organizer", "api.dashboard", dashboard),
        # The CSV export's JSON twin: every nomination of the cycle in one answer, by its
        # contract (issue 11): measured as an export, in rows per second.
        Page(
            "API: decisions export (organizer)",
            "organizer",
            "api.decisions",
            dashboard,
            streamed=True,
        ),
        Page("API: endorsements given (viewer)", "viewer", "api.given", {"limit": 100}),
        Page("API: my nominations (heavy member)", "heavy", "api.my_nominations"),
        Page("API: awardees", "viewer", "api.awardees"),
        Page("API: a member's awards", "viewer", "api.member_awards", {"member_id": cast.heavy}),
        Page("API: cycles", "viewer", "api.cycle_list"),
        Page("API: categories", "viewer", "api.category_list"),
        Page("API: contribution types", "viewer", "api.contribution_types"),
        # Open Badges: the award page verifies the award's credential (signature, status
        # list, dates); then the credential, the status list and the DID document.
        Page("award page (verified credential)", "viewer", "awards.verify", award),
        Page("award credential (JSON)", "viewer", "credentials.credential", award),
        Page("credential status list", "viewer", "credentials.status_list", {"number": 0}),
        Page("issuer DID document", "viewer", "credentials.did_document"),
        Page(
            "CSV export",
            "organizer",
            "awards.export_csv",
            {"cycle_id": cast.cycle},
            streamed=True,
        ),
    ]
    return pages


def api_tokens(session: Session, cast: Cast) -> dict[str, str]:
    """A token per role of the cast, with every scope its role allows: the headers the
    API pages are requested with (``{role: "Bearer nmn_..."}``)."""
    headers = {}
    for role in ROLES:
        user = session.get(User, getattr(cast, role))
        assert user is not None
        _, secret = tokens.create_token(
            session,
            user,
            name="benchmark",
            scopes=[scope.value for scope in token_rules.scopes_for(user)],
            expires_in_days=None,
        )
        headers[role] = f"Bearer {secret}"
    return headers
