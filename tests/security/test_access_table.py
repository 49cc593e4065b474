"""Every route of the app, for every role: the one table of who gets what.

``TABLE`` lists each route of ``app.url_map`` (endpoint and method) with the answer
expected for an anonymous visitor, a member, a reviewer appointed to the cycle in
review (and assigned to its nomination), an organizer, the owner of the objects, and an
unappointed reviewer (the reviewer role, appointed to no cycle).
``test_every_route_answers_each_role_as_the_table_says`` requests each of them with real
objects (the ``world`` fixture) in the URL;
``test_the_table_lists_exactly_the_routes_of_the_app`` fails when a route is added or
removed without the table following.

A fifth role, the conflicted organizer, is an organizer who is the nominee of another
nomination in review in the same cycle: the routes about a nomination ask about hers
(``CONFLICTED_USE``), and she answers like the organizer except where the table says
(rule 9: she neither acts on it nor reads its panel's work). A sixth, the unappointed
reviewer, has the reviewer role but no appointment to the cycle, and answers like the
reviewer except where the table says.

The objects belong to nobody of the other roles: the nomination, its evidence, the
contribution and the notification are another member's, so the table shows that
nobody gets what is not theirs. POSTs carry no form data (CSRF is off in the tests;
``test_csrf.py`` sweeps the tokens): a role that may use the route gets its form's
answer (400 for a missing field, 302 back to the page with a message, 409 for a
missing version), a role that may not is refused before any form is read. Each
request runs in a savepoint rolled back after it, so no answer depends on another.

Answers: a status code, or ``LOGIN`` for a redirect to the login page. An organizer
route refusing a member or reviewer must also write an ``access.denied`` audit event.
Every answer carries the security headers (CSP without inline scripts and with
``frame-ancestors 'none'``, ``nosniff``, a referrer policy), and every page served to
a logged-in account ``Cache-Control: no-store`` (the public badge images excepted: they are
the same for everybody and cacheable).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select

from nominee.accounts.services import reset_token
from nominee.appeals.models import Appeal
from nominee.audit import AuditEvent
from nominee.contributions.models import Visibility
from nominee.cycles.models import CycleStatus
from nominee.imports.models import ContributionDraft, Feed, ImportBatch
from nominee.mail.tokens import Purpose, make_token
from nominee.nominations.models import Decision, NominationKind, NominationStatus
from nominee.outbox import services as outbox
from nominee.tokens import services as tokens
from nominee.webhooks.models import WebhookDelivery, WebhookEndpoint
from tests.factories import PASSWORD
from tests.security.helpers import client_for

LOGIN = "login"
ROLES = (
    "anonymous",
    "member",
    "reviewer",
    "organizer",
    "owner",
    "conflicted_organizer",
    "unappointed",
)


@dataclass(frozen=True)
class Expect:
    """The answers of one route. ``owner`` (the member whose objects are in the URL)
    answers like ``member`` unless told, ``conflicted`` (the conflicted organizer) like
    ``organizer``, ``unappointed`` like ``reviewer``; ``data`` is what a POST sends,
    ``{name}`` filled from the world's parameters; ``use`` swaps URL parameters for
    others."""

    anonymous: int | str
    member: int | str
    reviewer: int | str
    organizer: int | str
    owner: int | str | None = None
    conflicted: int | str | None = None
    unappointed: int | str | None = None
    data: dict | None = None
    use: dict | None = None
    organizer_only: bool = False

    def of(self, role: str) -> int | str:
        if role == "owner" and self.owner is None:
            return self.member
        if role == "conflicted_organizer":
            return self.organizer if self.conflicted is None else self.conflicted
        if role == "unappointed" and self.unappointed is None:
            return self.reviewer
        return getattr(self, role)


def organizer_only(organizer: int, **kw) -> Expect:
    """An organizer route: login first, then 403 (audited) for everybody else."""
    return Expect(LOGIN, 403, 403, organizer, organizer_only=True, **kw)


def everybody(status: int | str, **kw) -> Expect:
    return Expect(status, status, status, status, **kw)


def members(status: int, **kw) -> Expect:
    """Behind login, the same answer for every account."""
    return Expect(LOGIN, status, status, status, **kw)


STATEMENT = "Paul answers every question on the forum within a day, " * 3
CONTRIBUTION = {
    "type_id": "{type_id}",
    "role": "Speaker",
    "title": "Query plans for humans",
    "contributed_on": "{yesterday}",
    "url": "https://talks.example.org/query-plans",
    "description_md": "Why **indexes** matter.",
    "primary_category_id": "{category_id}",
    "quantity": "2",
    "audience": "150",
    "visibility": "public",
}
CYCLE = {
    "name": "Spring {today}",
    "category_ids": "{category_id}",
    "nominations_open_on": "{today}",
    "nominations_close_on": "{in_a_month}",
    "review_close_on": "{in_two_months}",
    "lookback_months": "12",
    "award_term_months": "12",
    "min_evidence": "1",
    "max_evidence": "10",
    "peer_nomination_limit": "3",
    "reviewers_per_nomination": "2",
    "criteria-0-name": "Impact",
    "criteria-0-weight": "1",
}

# What each POST sends: what the rightful user would send to succeed.
DATA = {
    "accounts.change_email": {"email": "renamed@example.org", "current_password": PASSWORD},
    "accounts.change_password": {
        "current_password": PASSWORD,
        "new_password": "a brand new passphrase",
    },
    "accounts.edit_profile": {"display_name": "Renamed"},
    "accounts.edit_reading": {"language": "es", "time_zone": "Europe/Madrid", "theme": "dark"},
    "accounts.browser_time_zone": {"time_zone": "Europe/Madrid"},
    "accounts.forgot_password": {"email": "{member_email}"},
    "accounts.reset_password": {"new_password": "a brand new passphrase"},
    "accounts.login": {"email": "{member_email}", "password": PASSWORD},
    "accounts.register": {
        "display_name": "Newcomer",
        "email": "newcomer@example.org",
        "password": "a long new passphrase",
    },
    "accounts.set_active": {"active": "0"},
    "accounts.set_role": {"role": "reviewer", "current_password": PASSWORD},
    "awards.decide": {
        "decision": "award",
        "rationale": "Strong.",
        "override": "y",  # the nomination has fewer reviews than its cycle asks
        "override_reason": "Panel short.",
        "version": "{version}",
    },
    "awards.revoke": {"reason": "Plagiarised talks.", "confirm": "y"},
    # The dashboard's selection: answered with the confirmation page.
    "awards.bulk_decide": {"nomination": "{nomination_id}", "decision": "award"},
    "categories.create": {"name": "Data Platform"},
    "integrity.review": {"verdict": "legitimate", "note": "Known user group."},
    "categories.edit": {"name": "Developer Tooling"},
    "contributions.create": CONTRIBUTION,
    "contributions.edit": CONTRIBUTION,
    "contributions.type_create": {"name": "Podcast episode", "weight": "1", "position": "0"},
    "contributions.type_edit": {"name": "Meetup talk", "weight": "1", "position": "0"},
    "contributions.metric_create": {"name": "Recording views", "maximum": "1000", "position": "0"},
    "contributions.metric_edit": {"name": "Sessions held", "maximum": "100", "position": "0"},
    "imports.draft_edit": CONTRIBUTION,
    "impact.settings": {
        "reach_weight": "0.5",
        "type_cap": "25",
        "month_points": "1",
        "type_points": "1",
        "category_points": "1",
        "endorsement_points": "2",
    },
    "impact.guidance_edit": {"mode": "fixed", "score": "10"},
    "cycles.create": CYCLE,
    "cycles.edit": {**CYCLE, "version": "{cycle_version}"},
    "cycles.move": {"version": "{cycle_version}"},
    "endorsements.endorse": {"comment": "Great talk."},
    "nominations.accept": {"evidence": "{talk_id}", "version": "{awaiting_version}"},
    "nominations.decline": {"version": "{awaiting_version}"},
    "nominations.evidence": {"evidence": "{talk_id}", "version": "{submitted_version}"},
    "nominations.nominate": {
        "nominee_id": "{peer_id}",
        "category_id": "{open_category_id}",
        "statement_md": STATEMENT,
    },
    "nominations.withdraw": {"reason": "Next year.", "version": "{submitted_version}"},
    "preferences.unsubscribe": {"List-Unsubscribe": "One-Click"},
    "tokens.index": {"name": "Blog import", "scopes": "read", "expires": "30"},
    "reviews.assign": {"reviewer_id": "{reviewer_id}"},
    "reviews.declare_conflict": {"reason": "We run a meetup together."},
    "reviews.review": {"action": "draft", "version": "0", "panel_comment": "Solid."},
    "reviews.reviewers": {"reviewer_id": "{spare_reviewer_id}", "category_id": "0"},
    "reviews.unassign": {"reviewer_id": "{reviewer_id}"},
}

# Routes about another object than the defaults: the peer nomination awaiting the
# owner's answer, the owner's self nomination submitted in the open cycle, the open cycle.
USE = {
    "nominations.accept": {"nomination_id": "awaiting_id"},
    "nominations.decline": {"nomination_id": "awaiting_id"},
    "nominations.evidence": {"nomination_id": "submitted_id"},
    "nominations.withdraw": {"nomination_id": "submitted_id"},
    "nominations.nominate": {"cycle_id": "open_cycle_id"},
    "api_docs.swagger_file": {"filename": "swagger_filename"},
    "api.member_awards": {"member_id": "user_id"},
    "accounts.verify_email": {"token": "verify_token"},
    "accounts.reset_password": {"token": "reset_token"},
}
# The conflicted organizer asks about her own nomination in review.
CONFLICTED_USE = {"nomination_id": "own_nomination_id", "version": "own_version"}

# The JSON API takes a bearer token only: a session cookie is no credential (no CSRF).
API_ROUTES = [
    ("api.me", "GET"),
    ("api.contribution_types", "GET"),
    ("api.category_list", "GET"),
    ("api.list_contributions", "GET"),
    ("api.create_contribution", "POST"),
    ("api.get_contribution", "GET"),
    ("api.update_contribution", "PATCH"),
    ("api.delete_contribution", "DELETE"),
    ("api.endorse", "POST"),
    ("api.withdraw", "DELETE"),
    ("api.received", "GET"),
    ("api.given", "GET"),
    ("api.cycle_list", "GET"),
    ("api.award", "GET"),
    ("api.member_awards", "GET"),
    ("api.my_nominations", "GET"),
    ("api.assignments", "GET"),
    ("api.get_review", "GET"),
    ("api.save_review", "PUT"),
    ("api.dashboard", "GET"),
    ("api.decisions", "GET"),
    ("api.awardees", "GET"),
]

TABLE: dict[tuple[str, str], Expect] = {
    **{route: everybody(401) for route in API_ROUTES},
    ("api.openapi_document", "GET"): everybody(200),
    ("api_docs.page", "GET"): everybody(200),
    ("api_docs.swagger_file", "GET"): everybody(200),
    # API tokens: one's own, on the account pages.
    ("tokens.index", "GET"): members(200),
    ("tokens.index", "POST"): members(201),  # the page again, with the new secret
    ("tokens.revoke", "POST"): Expect(LOGIN, 404, 404, 404, owner=302),
    # Accounts: one's own account for every role; the admin pages for organizers.
    ("accounts.login", "GET"): Expect(200, 302, 302, 302),  # logged in: sent on
    ("accounts.login", "POST"): everybody(302),
    ("accounts.register", "GET"): Expect(200, 302, 302, 302),
    ("accounts.register", "POST"): everybody(302),  # logged in: sent home, nobody created
    ("accounts.logout", "POST"): members(302),
    ("accounts.edit_profile", "GET"): members(200),
    ("accounts.edit_profile", "POST"): members(302),
    ("accounts.edit_reading", "GET"): members(200),
    ("accounts.edit_reading", "POST"): members(302),
    ("accounts.browser_time_zone", "POST"): members(204),
    ("accounts.change_email", "GET"): members(200),
    ("accounts.change_email", "POST"): members(302),
    ("accounts.change_password", "GET"): members(200),
    ("accounts.change_password", "POST"): members(302),
    # Links from account mail (a newcomer's verification, a member's reset) and what
    # registering and asking for a reset answer: the same for everybody who holds them.
    ("accounts.check_inbox", "GET"): everybody(200),
    ("accounts.verify_email", "GET"): everybody(200),
    # Confirmed, then sent to log in: confirming logs nobody in (another account, or none).
    ("accounts.verify_email", "POST"): everybody(LOGIN),
    ("accounts.resend_verification", "POST"): members(302),
    ("accounts.forgot_password", "GET"): everybody(200),
    ("accounts.forgot_password", "POST"): everybody(302),
    ("accounts.reset_password", "GET"): everybody(200),
    ("accounts.reset_password", "POST"): everybody(302),  # logged in as the reset account
    ("accounts.accounts_list", "GET"): organizer_only(200),
    ("accounts.set_role", "POST"): organizer_only(302),
    ("accounts.set_active", "POST"): organizer_only(302),
    ("auditlog.index", "GET"): organizer_only(200),
    ("auditlog.export_csv", "GET"): organizer_only(200),
    # Mail that failed: organizers see it and send it again.
    ("outbox.index", "GET"): organizer_only(200),
    ("outbox.retry", "POST"): organizer_only(302),
    # Webhooks: organizers register endpoints, read deliveries and redeliver.
    ("webhooks.index", "GET"): organizer_only(200),
    ("webhooks.new", "GET"): organizer_only(200),
    ("webhooks.new", "POST"): organizer_only(200),  # no field given: the form again
    ("webhooks.show", "GET"): organizer_only(200),
    ("webhooks.show", "POST"): organizer_only(200),
    ("webhooks.rotate", "POST"): organizer_only(200),  # the new secret, shown once
    ("webhooks.enable", "POST"): organizer_only(302),
    ("webhooks.disable", "POST"): organizer_only(302),
    ("webhooks.delete", "POST"): organizer_only(302),
    ("webhooks.delivery", "GET"): organizer_only(200),
    ("webhooks.redeliver", "POST"): organizer_only(302),
    # Evidence link checks: the owner asks for their contribution's link.
    ("linkchecks.check_contribution", "POST"): Expect(LOGIN, 403, 403, 403, owner=302),
    # Integrity flags: organizers read them, review them and ask for a scan.
    ("integrity.index", "GET"): organizer_only(200),
    ("integrity.review", "POST"): organizer_only(302),
    ("integrity.scan", "POST"): organizer_only(302),
    # Categories and contribution types: organizers.
    ("categories.index", "GET"): organizer_only(200),
    # The first-run set-up, then the programme's settings.
    ("programme.setup", "GET"): organizer_only(200),
    ("programme.setup", "POST"): organizer_only(400),  # no name: said next to the field
    ("categories.create", "GET"): organizer_only(200),
    ("categories.create", "POST"): organizer_only(302),
    ("categories.edit", "GET"): organizer_only(200),
    ("categories.edit", "POST"): organizer_only(302),
    ("contributions.types_index", "GET"): organizer_only(200),
    ("contributions.types_seed", "POST"): organizer_only(302),
    ("contributions.type_create", "GET"): organizer_only(200),
    ("contributions.type_create", "POST"): organizer_only(302),
    ("contributions.type_edit", "GET"): organizer_only(200),
    ("contributions.type_edit", "POST"): organizer_only(302),
    ("contributions.metric_create", "GET"): organizer_only(200),
    ("contributions.metric_create", "POST"): organizer_only(302),
    ("contributions.metric_edit", "GET"): organizer_only(200),
    ("contributions.metric_edit", "POST"): organizer_only(302),
    # The impact score's settings per cycle and guidance per category: organizers.
    ("impact.settings", "GET"): organizer_only(200),
    ("impact.settings", "POST"): organizer_only(302),
    ("impact.guidance_index", "GET"): organizer_only(200),
    ("impact.guidance_edit", "GET"): organizer_only(200),
    ("impact.guidance_edit", "POST"): organizer_only(302),
    # Contributions: the owner's public post. Everybody reads it; only she changes it,
    # organizers included.
    ("contributions.view", "GET"): everybody(200),
    ("contributions.member", "GET"): everybody(200),
    # The eligibility meter: the member's own, their reviewers' and organizers'.
    ("contributions.member_meter", "GET"): Expect(LOGIN, 403, 200, 200, owner=200),
    ("contributions.mine", "GET"): members(200),
    ("contributions.create", "GET"): members(200),
    ("contributions.create", "POST"): members(302),
    ("contributions.edit", "GET"): Expect(LOGIN, 403, 403, 403, owner=200),
    ("contributions.edit", "POST"): Expect(LOGIN, 403, 403, 403, owner=302),
    ("contributions.delete", "GET"): Expect(LOGIN, 403, 403, 403, owner=200),
    ("contributions.delete", "POST"): Expect(LOGIN, 403, 403, 403, owner=302),
    # Endorsing her post: anybody but her; withdrawing: nobody has endorsed it yet.
    ("endorsements.endorse", "POST"): Expect(LOGIN, 302, 302, 302, owner=403),
    ("endorsements.withdraw", "POST"): members(400),
    # Cycles: the one in review is hidden from members until published.
    ("cycles.index", "GET"): members(200),
    ("cycles.show", "GET"): members(200),
    ("cycles.create", "GET"): organizer_only(200),
    ("cycles.create", "POST"): organizer_only(302),
    ("cycles.edit", "GET"): organizer_only(200),
    ("cycles.edit", "POST"): organizer_only(302),
    ("cycles.move", "GET"): organizer_only(200),
    # In review -> decided: reviews close; undecided nominations are decided there.
    ("cycles.move", "POST"): organizer_only(302),
    # Nominations: anybody nominates a peer in the open cycle; the owner's nominations
    # are shown to their parties, organizers, and reviewers who may open them on the
    # panel's page (as members otherwise), and answered, changed or withdrawn by their
    # parties alone.
    ("nominations.nominate", "GET"): members(200),
    ("nominations.nominate", "POST"): members(302),
    ("nominations.mine", "GET"): members(200),
    ("nominations.show", "GET"): Expect(LOGIN, 404, 200, 200, owner=200, unappointed=404),
    # (Not yet in review: no reviewer's panel page, so a reviewer gets a member's 404.)
    ("nominations.accept", "GET"): Expect(LOGIN, 404, 404, 403, owner=200),
    ("nominations.accept", "POST"): Expect(LOGIN, 404, 404, 403, owner=302),
    ("nominations.decline", "GET"): Expect(LOGIN, 404, 404, 403, owner=200),
    ("nominations.decline", "POST"): Expect(LOGIN, 404, 404, 403, owner=302),
    ("nominations.evidence", "GET"): Expect(LOGIN, 404, 404, 403, owner=200),
    ("nominations.evidence", "POST"): Expect(LOGIN, 404, 404, 403, owner=302),
    ("nominations.withdraw", "GET"): Expect(LOGIN, 404, 404, 403, owner=200),
    ("nominations.withdraw", "POST"): Expect(LOGIN, 404, 404, 403, owner=302),
    # Reviews: the appointed, assigned reviewer reviews and declares conflicts; organizers
    # run the panel but write no review; nobody opens the panel's page of their own
    # nomination; a reviewer appointed to no cycle has an empty review index, no more.
    ("reviews.index", "GET"): Expect(LOGIN, 403, 200, 200),
    ("reviews.dashboard", "GET"): Expect(LOGIN, 403, 200, 200, unappointed=403),
    ("reviews.review", "GET"): Expect(
        LOGIN, 404, 200, 200, owner=404, conflicted=404, unappointed=404
    ),
    ("reviews.review", "POST"): Expect(
        LOGIN, 404, 302, 403, owner=404, conflicted=404, unappointed=404
    ),
    ("reviews.declare_conflict", "POST"): Expect(LOGIN, 403, 302, 403, unappointed=403),
    ("reviews.reviewers", "GET"): organizer_only(200),
    ("reviews.reviewers", "POST"): organizer_only(302),
    ("reviews.remove_reviewer", "POST"): organizer_only(302),
    ("reviews.assignments", "GET"): organizer_only(200),
    ("reviews.auto_assign", "POST"): organizer_only(302),
    # The conflicted organizer neither assigns nor unassigns the reviewers of hers.
    ("reviews.assign", "POST"): organizer_only(302, conflicted=403),
    ("reviews.unassign", "POST"): organizer_only(302, conflicted=403),
    # How each reviewer scores against the panel.
    ("reviews.calibration", "GET"): organizer_only(200),
    # Clearing a reviewer's detected conflict: organizers, not on a nomination of their own
    # (Rita has no conflict on Nina's: the page says so; the empty form is refused).
    ("reviews.clear_conflict", "GET"): organizer_only(200, conflicted=403),
    ("reviews.clear_conflict", "POST"): organizer_only(400, conflicted=403),
    # Appeals: only the nominee opens the appeal page of her nomination (in review, so the
    # page says why it cannot be appealed and a POST is refused); organizers answer.
    ("appeals.lodge", "GET"): Expect(LOGIN, 404, 404, 404, owner=200, conflicted=200),
    ("appeals.lodge", "POST"): Expect(LOGIN, 404, 404, 404, owner=403, conflicted=403),
    ("appeals.answer", "GET"): organizer_only(200),
    ("appeals.answer", "POST"): organizer_only(400),
    # Decisions and awards: organizers; the verification page is public.
    ("awards.decisions", "GET"): organizer_only(200),
    # Nor decides it, nor reads its reviews on the decision page.
    ("awards.decide", "GET"): organizer_only(200, conflicted=403),
    ("awards.decide", "POST"): organizer_only(302, conflicted=403),
    ("awards.export_csv", "GET"): organizer_only(200),
    # Bulk decisions: the confirmation page; the conflicted organizer's own nomination is
    # left out, so nothing is selected and she is sent back to the dashboard.
    ("awards.bulk_decide", "POST"): organizer_only(200, conflicted=302),
    ("awards.revoke", "GET"): organizer_only(200),
    ("awards.revoke", "POST"): organizer_only(302),
    ("awards.verify", "GET"): everybody(200),
    # Its badge images: public, the same for everybody (cached by browsers and proxies).
    ("awards.badge_svg", "GET"): everybody(200),
    ("awards.badge_png", "GET"): everybody(200),
    ("credentials.credential", "GET"): everybody(200),
    ("awards.baked_badge", "GET"): everybody(200),
    ("credentials.status_list", "GET"): everybody(200),
    ("credentials.did_document", "GET"): everybody(200),
    ("credentials.verify_upload", "GET"): everybody(200),
    ("credentials.verify_upload", "POST"): everybody(400),  # no credential pasted
    # The awardee directory is public; /awards leads to it.
    ("directory.current", "GET"): everybody(200),
    ("directory.alumni", "GET"): everybody(200),
    ("directory.awards_index", "GET"): everybody(302),
    # Notifications: the owner's one is hers alone.
    ("notifications.index", "GET"): members(200),
    ("notifications.mark_all_read", "POST"): members(302),
    ("notifications.mark_read", "POST"): Expect(LOGIN, 404, 404, 404, owner=302),
    ("notifications.follow", "POST"): Expect(LOGIN, 404, 404, 404, owner=302),
    # Email preferences: one's own; the unsubscribe link (signed, for the owner) needs no
    # login, and its POST (RFC 8058 one-click) answers 200 to whoever holds it.
    ("preferences.edit", "GET"): members(200),
    ("preferences.edit", "POST"): members(302),
    ("preferences.unsubscribe", "GET"): everybody(200),
    ("preferences.unsubscribe", "POST"): everybody(200),
    # Imports: one's own file, feeds and drafts (another's are not found); an empty upload
    # or feed form is answered with its messages; the organizers' import for members.
    ("imports.upload", "GET"): members(200),
    ("imports.upload", "POST"): members(400),
    ("imports.upload_for_members", "GET"): organizer_only(200),
    ("imports.upload_for_members", "POST"): organizer_only(400),
    ("imports.template", "GET"): members(200),
    ("imports.preview", "GET"): Expect(LOGIN, 404, 404, 404, owner=200),
    # (Her file has no valid row: she is sent back to its preview with the reason.)
    ("imports.confirm", "POST"): Expect(LOGIN, 404, 404, 404, owner=302),
    ("imports.cancel", "POST"): Expect(LOGIN, 404, 404, 404, owner=302),
    ("imports.feeds", "GET"): members(200),
    ("imports.feeds", "POST"): members(400),
    ("imports.feed_delete", "POST"): Expect(LOGIN, 404, 404, 404, owner=302),
    ("imports.feed_poll", "POST"): Expect(LOGIN, 404, 404, 404, owner=302),
    ("imports.drafts", "GET"): members(200),
    ("imports.drafts", "POST"): members(302),  # nothing ticked: said, back to the list
    ("imports.draft_edit", "GET"): Expect(LOGIN, 404, 404, 404, owner=200),
    ("imports.draft_edit", "POST"): Expect(LOGIN, 404, 404, 404, owner=302),
    # Search and Discover, for logged-in members; /members leads to member search.
    ("search.index", "GET"): members(200),
    ("search.members", "GET"): members(302),
    ("search.discover", "GET"): members(200),
    # Public plumbing.
    ("home.index", "GET"): everybody(200),
    ("health.healthz", "GET"): everybody(200),
    ("health.readyz", "GET"): everybody(200),
    ("static", "GET"): everybody(200),
    ("favicon", "GET"): everybody(200),
}


@dataclass
class World:
    users: dict
    params: dict


@pytest.fixture
def world(app, make, db) -> World:
    """The owner (Nina) and her things, a cycle in review with Rita appointed to it and
    assigned to Nina's nomination in it, Uma with the reviewer role appointed nowhere, an
    open cycle where Nina has a peer nomination to answer and a self nomination, and an
    award of a published cycle."""
    today = date.today()
    organizer = make.organizer(display_name="Olive Organizer")
    conflicted = make.organizer(display_name="Connie Conflicted")
    reviewer = make.reviewer(display_name="Rita Reviewer")
    spare_reviewer = make.reviewer(display_name="Sam Spare")
    unappointed = make.reviewer(display_name="Uma Unappointed")
    member = make.user(display_name="Mo Member")
    owner = make.user(display_name="Nina Nominee")
    peer = make.user(display_name="Paul Peer")
    category = make.category(name="Developer Tools")
    contribution_type = make.contribution_type(roles=["Speaker"])
    cycle = make.cycle(
        status=CycleStatus.IN_REVIEW,
        nominations_open_on=today - timedelta(days=60),
        nominations_close_on=today - timedelta(days=5),
        review_close_on=today + timedelta(days=20),
        categories=[category],
    )
    appointment = make.appointment(cycle, reviewer)
    talk = make.contribution(
        owner, type=contribution_type, primary_category=category, title="Nina's talk"
    )
    make.contribution(owner, title="Nina's private notes", visibility=Visibility.PRIVATE)
    # Not evidence of any nomination: evidence under review may not change.
    post = make.contribution(
        owner,
        type=contribution_type,
        primary_category=category,
        title="Nina's post",
        url="https://blog.example.org/ninas-post",
    )
    in_review = make.nomination(cycle, owner, status=NominationStatus.IN_REVIEW)
    make.evidence(in_review, [talk])
    make.assignment(in_review, reviewer)
    own = make.nomination(cycle, conflicted, status=NominationStatus.IN_REVIEW)
    make.evidence(own, [make.contribution(conflicted, type=contribution_type)])
    make.assignment(own, reviewer)
    open_cycle = make.cycle(
        min_evidence=1, categories=[make.category(), make.category(), make.category()]
    )
    awaiting = make.nomination(
        open_cycle,
        owner,
        kind=NominationKind.PEER,
        nominator=peer,
        status=NominationStatus.AWAITING_ACCEPTANCE,
        category=open_cycle.categories[0],
    )
    submitted = make.nomination(open_cycle, owner, category=open_cycle.categories[1])
    make.evidence(submitted, [talk])
    award = make.award(member=owner)
    notification = make.notification(owner, link="/contributions/mine")
    failed_mail = outbox.put(db, "mail.account", {"user_id": owner.id})
    failed_mail.failed_at, failed_mail.last_error = failed_mail.created_at, "550 No such user"
    endpoint = WebhookEndpoint(
        url="https://hooks.example.org/in", events=["cycle.moved"], secret="whsec_x"
    )
    db.add(endpoint)
    db.flush()
    delivery = WebhookDelivery(
        endpoint_id=endpoint.id, event_id="evt_1", event_type="cycle.moved", body="{}"
    )
    db.add(delivery)
    newcomer = make.user(email_verified_at=None)
    published = make.cycle(status=CycleStatus.PUBLISHED, published_at=datetime.now(UTC))
    declined = make.nomination(
        published, owner, status=NominationStatus.DECLINED, decision=Decision.DECLINE
    )
    appeal = Appeal(
        nomination_id=declined.id,
        appellant_id=owner.id,
        statement="The panel missed my mentoring programme.",
    )
    db.add(appeal)
    api_token, _ = tokens.create_token(db, owner, name="CI", scopes=["read"], expires_in_days=None)
    batch = ImportBatch(uploader_id=owner.id, filename="talks.csv")
    feed = Feed(
        owner_id=owner.id,
        url="https://nina.example.org/feed.xml",
        type_id=contribution_type.id,
        primary_category_id=category.id,
    )
    db.add_all([batch, feed])
    db.flush()
    draft = ContributionDraft(
        owner_id=owner.id,
        feed_id=feed.id,
        item_key="nina-item-1",
        title="Nina's draft",
        contributed_on=today - timedelta(days=2),
        type_id=contribution_type.id,
        primary_category_id=category.id,
    )
    db.add(draft)
    db.commit()
    return World(
        users={
            "member": member,
            "reviewer": reviewer,
            "organizer": organizer,
            "owner": owner,
            "conflicted_organizer": conflicted,
            "unappointed": unappointed,
        },
        params={
            "appeal_id": appeal.id,
            "appointment_id": appointment.id,
            "batch_id": batch.id,
            "draft_id": draft.id,
            "feed_id": feed.id,
            "awaiting_id": awaiting.id,
            "awaiting_version": awaiting.version,
            "category_id": category.id,
            "contribution_id": post.id,
            "cycle_id": cycle.id,
            "cycle_version": cycle.version,
            "delivery_id": delivery.id,
            "endpoint_id": endpoint.id,
            "filename": "css/nominee.css",
            "in_a_month": (today + timedelta(days=30)).isoformat(),
            "in_two_months": (today + timedelta(days=60)).isoformat(),
            "member_email": member.email,
            "message_id": failed_mail.id,
            "metric_id": contribution_type.metrics[0].id,
            "nomination_id": in_review.id,
            "notification_id": notification.id,
            "number": 0,
            "open_category_id": open_cycle.categories[2].id,
            "open_cycle_id": open_cycle.id,
            "own_nomination_id": own.id,
            "own_version": own.version,
            "peer_id": peer.id,
            "reviewer_id": reviewer.id,
            "spare_reviewer_id": spare_reviewer.id,
            "submitted_id": submitted.id,
            "submitted_version": submitted.version,
            "swagger_filename": "swagger-ui.css",
            "talk_id": talk.id,
            "to_status": CycleStatus.DECIDED.value,
            "token_id": api_token.id,
            "token": make_token(
                app.config["SECRET_KEY"],
                Purpose.UNSUBSCRIBE,
                {"user_id": owner.id, "kind": "endorsed"},
            ),
            "today": today.isoformat(),
            "type_id": contribution_type.id,
            "reset_token": reset_token(app.config["SECRET_KEY"], peer),
            "verify_token": make_token(
                app.config["SECRET_KEY"],
                Purpose.VERIFY_EMAIL,
                {"u": newcomer.id, "e": newcomer.email},
            ),
            "user_id": owner.id,
            "verification_id": award.verification_id,
            "version": in_review.version,
            "yesterday": (today - timedelta(days=1)).isoformat(),
        },
    )


def _routes(app) -> dict[tuple[str, str], str]:
    """``{(endpoint, method): rule}`` for every route, HEAD and OPTIONS left out."""
    routes = {}
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            routes[rule.endpoint, method] = rule.rule
    return routes


def _request(
    world: World, endpoint: str, method: str, rule: str, role: str | None = None
) -> tuple[str, dict | None]:
    params = dict(world.params)
    uses = USE.get(endpoint, {})
    if role == "conflicted_organizer":
        uses = {**CONFLICTED_USE, **uses}
    for name, other in uses.items():
        params[name] = params[other]
    url = re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda m: str(params[m.group(1)]), rule)
    if method != "POST":
        return url, None
    return url, {key: value.format(**params) for key, value in DATA.get(endpoint, {}).items()}


def _denials(connection) -> int:
    return connection.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "access.denied")
    )


def _answer(client, connection, method: str, url: str, data: dict | None):
    """The answer to one request, how many access.denied events it wrote, and its headers.

    The request runs in a savepoint rolled back afterwards: whatever it changed is gone.
    """
    savepoint = connection.begin_nested()
    try:
        before = _denials(connection)
        response = client.open(url, method=method, data=data)
        response.get_data()  # a streamed body (the CSV export) runs its queries now
        response.close()
        denied = _denials(connection) - before
    finally:
        savepoint.rollback()
    location = response.headers.get("Location", "")
    if response.status_code == 302 and location.startswith("/login"):
        return LOGIN, denied, response.headers
    return response.status_code, denied, response.headers


SHARED_IMAGES = ("awards.badge_svg", "awards.badge_png", "favicon")


def _header_problems(headers, endpoint: str, logged_in: bool) -> list[str]:
    """The security headers every response carries, whoever asks, whatever the answer."""
    problems = []
    csp = headers.get("Content-Security-Policy", "")
    script_src = next((part for part in csp.split(";") if "script-src" in part), "")
    if "frame-ancestors 'none'" not in csp or "'unsafe-inline'" in script_src or not script_src:
        problems.append(f"Content-Security-Policy: {csp!r}")
    if headers.get("X-Content-Type-Options") != "nosniff":
        problems.append("no X-Content-Type-Options: nosniff")
    if not headers.get("Referrer-Policy"):
        problems.append("no Referrer-Policy")
    # A logged-in account's pages are not stored (logging out ends the account's login);
    # the public images, the same for everybody, are.
    if endpoint in SHARED_IMAGES:
        if not headers.get("Cache-Control", "").startswith("public, max-age="):
            problems.append(f"Cache-Control: {headers.get('Cache-Control')!r}")
    elif logged_in and endpoint not in ("static", "accounts.logout"):
        if "no-store" not in headers.get("Cache-Control", ""):
            problems.append(f"Cache-Control: {headers.get('Cache-Control')!r}")
    return problems


def test_the_table_lists_exactly_the_routes_of_the_app(app):
    routes = set(_routes(app))
    missing = sorted(routes - TABLE.keys())
    gone = sorted(TABLE.keys() - routes)
    assert not missing, f"routes the access table does not list: {missing}"
    assert not gone, f"the access table lists routes that no longer exist: {gone}"


@pytest.mark.parametrize("role", ROLES)
def test_every_route_answers_each_role_as_the_table_says(app, connection, world, role):
    user = world.users.get(role)
    wrong = []
    for (endpoint, method), rule in sorted(_routes(app).items()):
        expect = TABLE.get((endpoint, method))
        if expect is None:
            continue  # reported by the test above
        url, data = _request(world, endpoint, method, rule, role)
        # A fresh client each time: logging out or changing the password changes cookies.
        answer, denied, headers = _answer(client_for(app, user), connection, method, url, data)
        if answer != expect.of(role):
            wrong.append(f"{method} {url} ({endpoint}): {answer}, expected {expect.of(role)}")
        elif expect.organizer_only and answer == 403 and not user.is_organizer and denied != 1:
            wrong.append(f"{method} {url} ({endpoint}): 403 without an access.denied event")
        for problem in _header_problems(headers, endpoint, logged_in=user is not None):
            wrong.append(f"{method} {url} ({endpoint}): {problem}")
    assert not wrong, f"{role}:\n" + "\n".join(wrong)


def test_methods_a_route_does_not_take_answer_405(app, world):
    client = client_for(app, world.users["organizer"])
    routes = _routes(app)
    # An address may serve several endpoints (the API's list and create, GET and POST).
    taken = {(rule, method) for (_, method), rule in routes.items()}
    for (endpoint, method), rule in sorted(routes.items()):
        other = "GET" if method == "POST" else "POST"
        if (endpoint, other) in TABLE or (rule, other) in taken:
            continue
        url, _ = _request(world, endpoint, method, rule)
        assert client.open(url, method=other).status_code == 405, (other, url)


JUNK_QUERY = {
    "page": "-1'",
    "q": "' OR 1=1 --",
    "sort": "nonsense",
    "order": "sideways",
    "category": "abc",
    "type": "9999999999999999999999",
    "status": "%00",
    "date_from": "2024-13-45",
    "next": "//evil.example",
}


@pytest.mark.parametrize("role", ROLES)
def test_no_route_answers_a_server_error_to_empty_or_junk_input(app, connection, world, role):
    """Empty POSTs and junk query strings get a message or a refusal, never a 500."""
    user = world.users.get(role)
    failed = []
    for (endpoint, method), rule in sorted(_routes(app).items()):
        url, _ = _request(world, endpoint, method, rule, role)
        if method == "GET":
            attempts = [(url, None), (url + "?" + urlencode(JUNK_QUERY), None)]
        else:
            attempts = [(url, {}), (url, {key: "\x00'\"<>" for key in JUNK_QUERY})]
        for target, data in attempts:
            answer, _, _ = _answer(client_for(app, user), connection, method, target, data)
            if answer != LOGIN and answer >= 500:
                failed.append(f"{method} {target} ({endpoint}): {answer}")
    assert not failed, f"{role}:\n" + "\n".join(failed)
