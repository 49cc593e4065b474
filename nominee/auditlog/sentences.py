"""The audit log in words: one sentence per event ("Ana Ruiz awarded Tomasz Nowak's
nomination in Community Awards 2026"), from its action, its actor, its object and the
names the log page looked up for them (``nominee.auditlog.queries.names_for``).

Every action the app audits has a sentence here (``SENTENCES``); an action without one
(older rows, or one added later) reads "<actor> <action in words> <object>". Pure: no
database, no Flask. ``ACTIONS`` and ``OBJECT_TYPES`` are the filters' pick-lists.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

# What the log page looked up: (object type, id) -> fields (see ``FIELDS``).
Names = Mapping[tuple[str, int], tuple[str | None, ...]]

# The fields each object type is named by, in the order the lookup gives them.
FIELDS: dict[str, tuple[str, ...]] = {
    "user": ("name",),
    "cycle": ("name",),
    "category": ("name",),
    "contribution_type": ("name",),
    "nomination": ("nominee", "cycle", "category"),
    "appeal": ("nominee", "cycle", "category"),
    "award": ("member", "category", "cycle"),
    "review": ("reviewer", "nominee", "cycle"),
    "contribution": ("title", "owner"),
    "endorsement": ("endorser", "title", "owner"),
}
# Rows written before object types were singular for "categories".
ALIASES = {"categorie": "category"}

OBJECT_TYPES: dict[str, str] = {
    "api_token": "API token",
    "appeal": "Appeal",
    "award": "Award",
    "category": "Category",
    "contribution": "Contribution",
    "contribution_type": "Contribution type",
    "cycle": "Cycle",
    "endorsement": "Endorsement",
    "feed": "Feed",
    "nomination": "Nomination",
    "outbox": "Outgoing mail",
    "reach_metric": "Reach metric",
    "review": "Review",
    "reviewer_appointment": "Reviewer appointment",
    "route": "Page (refused access)",
    "system": "The programme",
    "user": "Account",
    "webhook_endpoint": "Webhook endpoint",
    "webhook_delivery": "Webhook delivery",
}


@dataclass(frozen=True)
class Event:
    """What a sentence reads of an audit event."""

    action: str
    actor: str | None  # the actor's name; None: the programme (or a deleted account)
    object_type: str
    object_id: int | None
    before: Mapping[str, Any]
    after: Mapping[str, Any]


class _Named:
    """The names of one event's objects, with readable fallbacks."""

    def __init__(self, names: Names, event: Event) -> None:
        self.names, self.event = names, event

    def field(self, kind: str, object_id: Any, name: str) -> str | None:
        if not isinstance(object_id, int):
            return None
        found = self.names.get((kind, object_id))
        if found is None:
            return None
        return found[FIELDS[kind].index(name)]

    def user(self, user_id: Any) -> str:
        return self.field("user", user_id, "name") or (
            f"account #{user_id}" if user_id else "someone"
        )

    def cycle(self, cycle_id: Any) -> str:
        return self.field("cycle", cycle_id, "name") or f"cycle #{cycle_id}"

    def of(self, name: str) -> str | None:
        kind = ALIASES.get(self.event.object_type, self.event.object_type)
        return self.field(kind, self.event.object_id, name) if kind in FIELDS else None

    def thing(self) -> str:
        """The event's object in words."""
        kind = ALIASES.get(self.event.object_type, self.event.object_type)
        oid = self.event.object_id
        after, before = self.event.after, self.event.before
        if kind == "nomination" and self.of("nominee"):
            return f"{self.of('nominee')}'s nomination in {self.of('cycle')}"
        if kind == "appeal" and self.of("nominee"):
            return f"{self.of('nominee')}'s appeal in {self.of('cycle')}"
        if kind == "award" and self.of("member"):
            return f"{self.of('member')}'s {self.of('category')} award of {self.of('cycle')}"
        if kind == "review" and self.of("reviewer"):
            return (
                f"{self.of('reviewer')}'s review of {self.of('nominee')}'s nomination in "
                f"{self.of('cycle')}"
            )
        if kind == "contribution" and self.of("title"):
            return f"“{self.of('title')}” by {self.of('owner')}"
        if kind == "endorsement" and self.of("endorser"):
            return (
                f"{self.of('endorser')}'s endorsement of “{self.of('title')}” by {self.of('owner')}"
            )
        if kind in ("cycle", "category", "contribution_type", "user") and self.of("name"):
            prefix = {"category": "the category ", "contribution_type": "the type "}.get(kind, "")
            return f"{prefix}{self.of('name')}"
        if kind == "category" and (after.get("name") or before.get("name")):
            return f"the category {after.get('name') or before.get('name')}"
        if kind == "api_token" and (after.get("name") or before.get("name")):
            return f"the API token “{after.get('name') or before.get('name')}”"
        if kind == "route":
            return f"the page {after.get('path', '')}".rstrip()
        if kind in ("webhook_endpoint", "webhook_delivery") and (
            after.get("url") or before.get("url")
        ):
            url = after.get("url") or before.get("url")
            if kind == "webhook_delivery":
                return f"the {after.get('event', '')} delivery #{after.get('of')} to {url}"
            return f"the webhook endpoint {url}"
        if kind == "outbox":
            return f"a {after.get('topic', 'mail')} message" + (f" (#{oid})" if oid else "")
        label = OBJECT_TYPES.get(kind, kind.replace("_", " ")).lower()
        return f"{label} #{oid}" if oid else label


def _decision(named: _Named) -> str:
    after = named.event.after
    thing = named.thing()
    verb = {"award": "awarded", "decline": "declined"}.get(str(after.get("decision")), "decided")
    return f"{verb} {thing}"


def _decision_changed(named: _Named) -> str:
    after = named.event.after
    to = {"award": "award", "decline": "decline"}.get(str(after.get("decision")), "")
    text = f"changed the decision on {named.thing()}" + (f" to {to}" if to else "")
    return text + (" (on appeal)" if after.get("appeal") else "")


def _status(named: _Named) -> str:
    status = str(named.event.after.get("status", "")).replace("_", " ")
    return f"moved {named.thing()} to {status}" if status else f"moved {named.thing()}"


def _role(named: _Named) -> str:
    role = named.event.after.get("role")
    return f"made {named.thing()} {'an' if role == 'organizer' else 'a'} {role}"


def _active(named: _Named) -> str:
    return f"{'reactivated' if named.event.after.get('active') else 'deactivated'} {named.thing()}"


def _with_reviewer(verb: str, tail: str = "") -> Callable[[_Named], str]:
    def say(named: _Named) -> str:
        reviewer = named.user(
            named.event.after.get("reviewer_id") or named.event.before.get("reviewer_id")
        )
        return f"{verb.format(reviewer=reviewer)} {named.thing()}{tail}"

    return say


def _appointed(named: _Named) -> str:
    data = named.event.after if named.event.after.get("reviewer_id") else named.event.before
    who, cycle = named.user(data.get("reviewer_id")), named.cycle(data.get("cycle_id"))
    verb = "appointed" if named.event.action.endswith("appointed") else "removed"
    scope = "" if data.get("category_id") is None else " for one category"
    return f"{verb} {who} as a reviewer of {cycle}{scope}"


def _auto(named: _Named) -> str:
    added = named.event.after.get("added", 0)
    return f"assigned reviewers automatically in {named.thing()} ({added} assignments)"


def _failed_login(named: _Named) -> str:
    return f"failed to log in as {named.event.after.get('email', 'an account')}"


def _award_created(named: _Named) -> str:
    return f"granted {named.thing()}"


# action -> (label for the pick-list, what the actor did)
def _metric(verb: str) -> Callable[[_Named], str]:
    def say(named: _Named) -> str:
        name = named.event.after.get("name") or named.event.before.get("name")
        return f"{verb} the reach metric {name}" if name else f"{verb} {named.thing()}"

    return say


def _flag_reviewed(named: _Named) -> str:
    verdict = {"legitimate": "legitimate", "confirmed": "confirmed"}.get(
        str(named.event.after.get("verdict")), "reviewed"
    )
    return (
        f"marked the endorsement flag on {named.user(named.event.after.get('member_id'))} "
        f"as {verdict}"
    )


def _imported(named: _Named) -> str:
    after = named.event.after
    count, members = int(after.get("count", 0)), int(after.get("members", 0))
    text = f"imported {count:,} contribution{'' if count == 1 else 's'}"
    if after.get("for_members"):
        text += f" for {members:,} member{'' if members == 1 else 's'}"
    return text + (f" from {after['file']}" if after.get("file") else "")


def _feed(verb: str) -> Callable[[_Named], str]:
    def say(named: _Named) -> str:
        data = named.event.after or named.event.before
        return f"{verb} the feed {data.get('url', '')}".rstrip()

    return say


SENTENCES: dict[str, tuple[str, Callable[[_Named], str]]] = {
    "access.denied": ("Refused page", lambda n: f"was refused {n.thing()}"),
    "api_token.created": ("API token created", lambda n: f"created {n.thing()}"),
    "api_token.revoked": ("API token revoked", lambda n: f"revoked {n.thing()}"),
    "account.deactivated": ("Account deactivated", _active),
    "account.email_changed": ("Email changed", lambda n: f"changed the email of {n.thing()}"),
    "account.email_verified": ("Email confirmed", lambda n: f"confirmed the email of {n.thing()}"),
    "account.password_changed": (
        "Password changed",
        lambda n: f"changed the password of {n.thing()}",
    ),
    "account.password_reset": ("Password reset", lambda n: f"reset the password of {n.thing()}"),
    "account.password_reset_requested": (
        "Password reset asked",
        lambda n: f"sent a password reset link to {n.thing()}",
    ),
    "account.profile_updated": ("Profile changed", lambda n: f"changed the profile of {n.thing()}"),
    "account.reactivated": ("Account reactivated", _active),
    "account.registered": ("Account registered", lambda n: f"registered as {n.thing()}"),
    "account.registration_refused": (
        "Registration refused",
        lambda n: f"refused a registration with the address of {n.thing()}",
    ),
    "account.role_changed": ("Role changed", _role),
    "appeal.dismissed": ("Appeal dismissed", lambda n: f"dismissed {n.thing()}"),
    "appeal.lodged": ("Appeal lodged", lambda n: f"lodged {n.thing()}"),
    "appeal.upheld": ("Appeal upheld", lambda n: f"upheld {n.thing()}"),
    "award.created": ("Award granted", _award_created),
    "award.expired": ("Award expired", lambda n: f"marked {n.thing()} expired"),
    "award.revoked": ("Award revoked", lambda n: f"revoked {n.thing()}"),
    "issuer_key.rotated": (
        "Signing key rotated",
        lambda n: "rotated the key that signs the award credentials",
    ),
    "impact.guidance_set": (
        "Impact guidance set",
        lambda n: f"set the impact guidance of {n.thing()}",
    ),
    "impact.settings_saved": (
        "Impact settings saved",
        lambda n: f"changed the impact score settings of {n.thing()}",
    ),
    "reach_metric.created": ("Reach metric added", _metric("added")),
    "reach_metric.updated": ("Reach metric changed", _metric("changed")),
    "integrity.flag_reviewed": ("Endorsement flag reviewed", _flag_reviewed),
    "programme.updated": (
        "Programme settings changed",
        lambda n: "set the programme's name to “{}” and its time zone to {}".format(
            n.event.after.get("name", ""), n.event.after.get("time_zone", "")
        ),
    ),
    "programme.set_up": ("Programme set up", lambda n: "finished setting up the programme"),
    "category.created": ("Category created", lambda n: f"created {n.thing()}"),
    "category.updated": ("Category changed", lambda n: f"changed {n.thing()}"),
    "contribution.created": ("Contribution logged", lambda n: f"logged {n.thing()}"),
    "contribution.deleted": ("Contribution deleted", lambda n: f"deleted {n.thing()}"),
    "contribution.imported": ("Contributions imported", _imported),
    "contribution.updated": ("Contribution changed", lambda n: f"changed {n.thing()}"),
    "contribution_type.created": ("Contribution type created", lambda n: f"created {n.thing()}"),
    "contribution_type.seeded": (
        "Contribution types added",
        lambda n: f"added the default contribution types ({len(n.event.after.get('names', []))})",
    ),
    "contribution_type.updated": ("Contribution type changed", lambda n: f"changed {n.thing()}"),
    "cycle.created": ("Cycle created", lambda n: f"created the cycle {n.thing()}"),
    "cycle.status_changed": ("Cycle moved", _status),
    "cycle.updated": ("Cycle changed", lambda n: f"changed the settings of {n.thing()}"),
    "demo.seeded": ("Demo seeded", lambda n: "filled the demo programme"),
    "feed.added": ("Feed added", _feed("added")),
    "feed.removed": ("Feed removed", _feed("removed")),
    "endorsement.created": ("Endorsement given", lambda n: f"gave {n.thing()}"),
    "endorsement.withdrawn": ("Endorsement withdrawn", lambda n: f"withdrew {n.thing()}"),
    "login.failed": ("Login failed", _failed_login),
    "login.succeeded": ("Logged in", lambda n: "logged in"),
    "logout": ("Logged out", lambda n: "logged out"),
    "nomination.accepted": ("Nomination accepted", lambda n: f"accepted {n.thing()}"),
    "nomination.created": ("Nomination made", lambda n: f"made {n.thing()}"),
    "nomination.decided": ("Nomination decided", _decision),
    "nomination.decision_changed": ("Decision changed", _decision_changed),
    "nomination.entered_review": (
        "Nomination entered review",
        lambda n: f"put {n.thing()} in review",
    ),
    "nomination.evidence_changed": (
        "Evidence changed",
        lambda n: f"changed the evidence of {n.thing()}",
    ),
    "nomination.lapsed": ("Nomination lapsed", lambda n: f"let {n.thing()} lapse"),
    "nomination.refused": ("Nomination refused", lambda n: f"refused {n.thing()}"),
    "nomination.renewal_created": (
        "Renewal created",
        lambda n: f"put an award up for renewal: {n.thing()}",
    ),
    "nomination.renewal_evidence_gathered": (
        "Renewal evidence gathered",
        lambda n: f"gathered the renewal evidence of {n.thing()} again",
    ),
    "nomination.withdrawn": ("Nomination withdrawn", lambda n: f"withdrew {n.thing()}"),
    "outbox.retried": ("Mail retried", lambda n: f"sent {n.thing()} again"),
    "review.assigned": ("Reviewer assigned", _with_reviewer("assigned {reviewer} to")),
    "review.auto_assigned": ("Automatic assignment", _auto),
    "review.conflict_cleared": (
        "Conflict cleared",
        _with_reviewer("cleared the conflict of {reviewer} on"),
    ),
    "review.conflict_declared": (
        "Conflict declared",
        _with_reviewer("declared a conflict on"),
    ),
    "review.draft_saved": ("Review draft saved", lambda n: f"saved a draft of {n.thing()}"),
    "review.reviewer_appointed": ("Reviewer appointed", _appointed),
    "review.reviewer_removed": ("Reviewer removed", _appointed),
    "review.submitted": ("Review submitted", lambda n: f"submitted {n.thing()}"),
    "review.unassigned": ("Reviewer unassigned", _with_reviewer("took {reviewer} off")),
    "review.updated": ("Review changed", lambda n: f"changed {n.thing()}"),
    "webhook.created": ("Webhook added", lambda n: f"added {n.thing()}"),
    "webhook.updated": ("Webhook changed", lambda n: f"changed {n.thing()}"),
    "webhook.secret_rotated": (
        "Webhook secret rotated",
        lambda n: f"rotated the signing secret of {n.thing()}",
    ),
    "webhook.enabled": ("Webhook enabled", lambda n: f"enabled {n.thing()}"),
    "webhook.disabled": ("Webhook disabled", lambda n: f"disabled {n.thing()}"),
    "webhook.deleted": ("Webhook deleted", lambda n: f"deleted {n.thing()}"),
    "webhook.redelivered": ("Webhook redelivered", lambda n: f"sent {n.thing()} again"),
}

ACTIONS: dict[str, str] = {action: label for action, (label, _) in sorted(SENTENCES.items())}


def _generic(named: _Named) -> str:
    words = named.event.action.replace(".", " ").replace("_", " ")
    return f"did “{words}” on {named.thing()}"


def describe(event: Event, names: Names) -> str:
    """The event as one sentence, its actor first."""
    named = _Named(names, event)
    _, say = SENTENCES.get(event.action, ("", _generic))
    actor = event.actor or "The programme"
    return f"{actor} {say(named)}."


def mentioned(event: Event) -> dict[str, set[int]]:
    """The objects the sentence names beyond the event's own object: accounts and cycles
    in its before and after (a reviewer assigned, a cycle of an appointment)."""
    found: dict[str, set[int]] = {"user": set(), "cycle": set()}
    for data in (event.before, event.after):
        for key, kind in (("reviewer_id", "user"), ("member_id", "user"), ("cycle_id", "cycle")):
            value = data.get(key)
            if isinstance(value, int):
                found[kind].add(value)
    return found
