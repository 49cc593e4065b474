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

from nominee.formatting import format_number
from nominee.i18n import N_, _, ngettext

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

# The labels are translated where shown: ``_(OBJECT_TYPES[kind])``.
OBJECT_TYPES: dict[str, str] = {
    "api_token": N_("API token"),
    "appeal": N_("Appeal"),
    "award": N_("Award"),
    "category": N_("Category"),
    "contribution": N_("Contribution"),
    "contribution_type": N_("Contribution type"),
    "cycle": N_("Cycle"),
    "endorsement": N_("Endorsement"),
    "feed": N_("Feed"),
    "nomination": N_("Nomination"),
    "outbox": N_("Outgoing mail"),
    "reach_metric": N_("Reach metric"),
    "review": N_("Review"),
    "reviewer_appointment": N_("Reviewer appointment"),
    "route": N_("Page (refused access)"),
    "system": N_("The programme"),
    "user": N_("Account"),
    "webhook_endpoint": N_("Webhook endpoint"),
    "webhook_delivery": N_("Webhook delivery"),
}
# The object of a sentence when it has no name: "account #12" (lower case, mid-sentence).
_NUMBERED: dict[str, str] = {
    "api_token": N_("API token #%(id)s"),
    "appeal": N_("appeal #%(id)s"),
    "award": N_("award #%(id)s"),
    "category": N_("category #%(id)s"),
    "contribution": N_("contribution #%(id)s"),
    "contribution_type": N_("contribution type #%(id)s"),
    "cycle": N_("cycle #%(id)s"),
    "endorsement": N_("endorsement #%(id)s"),
    "feed": N_("feed #%(id)s"),
    "nomination": N_("nomination #%(id)s"),
    "outbox": N_("outgoing mail #%(id)s"),
    "reach_metric": N_("reach metric #%(id)s"),
    "review": N_("review #%(id)s"),
    "reviewer_appointment": N_("reviewer appointment #%(id)s"),
    "route": N_("page #%(id)s"),
    "system": N_("the programme"),
    "user": N_("account #%(id)s"),
    "webhook_endpoint": N_("webhook endpoint #%(id)s"),
    "webhook_delivery": N_("webhook delivery #%(id)s"),
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
            _("account #%(id)s", id=user_id) if user_id else _("someone")
        )

    def cycle(self, cycle_id: Any) -> str:
        return self.field("cycle", cycle_id, "name") or _("cycle #%(id)s", id=cycle_id)

    def of(self, name: str) -> str | None:
        kind = ALIASES.get(self.event.object_type, self.event.object_type)
        return self.field(kind, self.event.object_id, name) if kind in FIELDS else None

    def thing(self) -> str:
        """The event's object in words."""
        kind = ALIASES.get(self.event.object_type, self.event.object_type)
        oid = self.event.object_id
        after, before = self.event.after, self.event.before
        if kind == "nomination" and self.of("nominee"):
            return _(
                "%(nominee)s's nomination in %(cycle)s",
                nominee=self.of("nominee"),
                cycle=self.of("cycle"),
            )
        if kind == "appeal" and self.of("nominee"):
            return _(
                "%(nominee)s's appeal in %(cycle)s",
                nominee=self.of("nominee"),
                cycle=self.of("cycle"),
            )
        if kind == "award" and self.of("member"):
            return _(
                "%(member)s's %(category)s award of %(cycle)s",
                member=self.of("member"),
                category=self.of("category"),
                cycle=self.of("cycle"),
            )
        if kind == "review" and self.of("reviewer"):
            return _(
                "%(reviewer)s's review of %(nominee)s's nomination in %(cycle)s",
                reviewer=self.of("reviewer"),
                nominee=self.of("nominee"),
                cycle=self.of("cycle"),
            )
        if kind == "contribution" and self.of("title"):
            return _("“%(title)s” by %(owner)s", title=self.of("title"), owner=self.of("owner"))
        if kind == "endorsement" and self.of("endorser"):
            return _(
                "%(endorser)s's endorsement of “%(title)s” by %(owner)s",
                endorser=self.of("endorser"),
                title=self.of("title"),
                owner=self.of("owner"),
            )
        if kind == "category" and self.of("name"):
            return _("the category %(name)s", name=self.of("name"))
        if kind == "contribution_type" and self.of("name"):
            return _("the type %(name)s", name=self.of("name"))
        if kind in ("cycle", "user") and self.of("name"):
            return str(self.of("name"))
        if kind == "category" and (after.get("name") or before.get("name")):
            return _("the category %(name)s", name=after.get("name") or before.get("name"))
        if kind == "api_token" and (after.get("name") or before.get("name")):
            return _("the API token “%(name)s”", name=after.get("name") or before.get("name"))
        if kind == "route":
            path = after.get("path", "")
            return _("the page %(path)s", path=path) if path else _("the page")
        if kind in ("webhook_endpoint", "webhook_delivery") and (
            after.get("url") or before.get("url")
        ):
            url = after.get("url") or before.get("url")
            if kind == "webhook_delivery":
                return _(
                    "the %(event)s delivery #%(of)s to %(url)s",
                    event=after.get("event", ""),
                    of=after.get("of"),
                    url=url,
                )
            return _("the webhook endpoint %(url)s", url=url)
        if kind == "outbox":
            topic = after.get("topic", "mail")
            if oid:
                return _("a %(topic)s message (#%(id)s)", topic=topic, id=oid)
            return _("a %(topic)s message", topic=topic)
        if kind in _NUMBERED:
            return _(_NUMBERED[kind], id=oid) if oid else _(OBJECT_TYPES[kind]).lower()
        label = kind.replace("_", " ")
        return f"{label} #{oid}" if oid else label


def _programme_updated(named: _Named) -> str:
    after = named.event.after
    return _(
        "set the programme's name to “%(name)s” and its time zone to %(zone)s",
        name=after.get("name", ""),
        zone=after.get("time_zone", ""),
    )


def _says(message: str) -> Callable[[_Named], str]:
    """What the actor did, from a message (marked with ``N_``) naming ``%(thing)s``."""
    return lambda named: _(message, thing=named.thing())


def _decision(named: _Named) -> str:
    decision = str(named.event.after.get("decision"))
    if decision == "award":
        return _("awarded %(thing)s", thing=named.thing())
    if decision == "decline":
        return _("declined %(thing)s", thing=named.thing())
    return _("decided %(thing)s", thing=named.thing())


def _decision_changed(named: _Named) -> str:
    after = named.event.after
    decision = str(after.get("decision"))
    if decision == "award":
        text = _("changed the decision on %(thing)s to award", thing=named.thing())
    elif decision == "decline":
        text = _("changed the decision on %(thing)s to decline", thing=named.thing())
    else:
        text = _("changed the decision on %(thing)s", thing=named.thing())
    return _("%(change)s (on appeal)", change=text) if after.get("appeal") else text


def _status(named: _Named) -> str:
    status = str(named.event.after.get("status", "")).replace("_", " ")
    if status:
        return _("moved %(thing)s to %(status)s", thing=named.thing(), status=status)
    return _("moved %(thing)s", thing=named.thing())


def _role(named: _Named) -> str:
    role = named.event.after.get("role")
    messages = {
        "organizer": N_("made %(thing)s an organizer"),
        "reviewer": N_("made %(thing)s a reviewer"),
        "member": N_("made %(thing)s a member"),
    }
    if role in messages:
        return _(messages[role], thing=named.thing())
    return _("made %(thing)s a %(role)s", thing=named.thing(), role=role)


def _active(named: _Named) -> str:
    if named.event.after.get("active"):
        return _("reactivated %(thing)s", thing=named.thing())
    return _("deactivated %(thing)s", thing=named.thing())


def _with_reviewer(message: str) -> Callable[[_Named], str]:
    """``message`` (marked with ``N_``) names ``%(reviewer)s`` and ``%(thing)s``."""

    def say(named: _Named) -> str:
        reviewer = named.user(
            named.event.after.get("reviewer_id") or named.event.before.get("reviewer_id")
        )
        return _(message, reviewer=reviewer, thing=named.thing())

    return say


def _appointed(named: _Named) -> str:
    data = named.event.after if named.event.after.get("reviewer_id") else named.event.before
    who, cycle = named.user(data.get("reviewer_id")), named.cycle(data.get("cycle_id"))
    one_category = data.get("category_id") is not None
    if named.event.action.endswith("appointed"):
        if one_category:
            return _(
                "appointed %(who)s as a reviewer of %(cycle)s for one category",
                who=who,
                cycle=cycle,
            )
        return _("appointed %(who)s as a reviewer of %(cycle)s", who=who, cycle=cycle)
    if one_category:
        return _(
            "removed %(who)s as a reviewer of %(cycle)s for one category", who=who, cycle=cycle
        )
    return _("removed %(who)s as a reviewer of %(cycle)s", who=who, cycle=cycle)


def _auto(named: _Named) -> str:
    added = named.event.after.get("added", 0)
    return _(
        "assigned reviewers automatically in %(thing)s (%(added)s assignments)",
        thing=named.thing(),
        added=added,
    )


def _failed_login(named: _Named) -> str:
    email = named.event.after.get("email")
    if email:
        return _("failed to log in as %(email)s", email=email)
    return _("failed to log in as an account")


def _award_created(named: _Named) -> str:
    return _("granted %(thing)s", thing=named.thing())


def _metric(added: bool) -> Callable[[_Named], str]:
    def say(named: _Named) -> str:
        name = named.event.after.get("name") or named.event.before.get("name")
        if added:
            if name:
                return _("added the reach metric %(name)s", name=name)
            return _("added %(thing)s", thing=named.thing())
        if name:
            return _("changed the reach metric %(name)s", name=name)
        return _("changed %(thing)s", thing=named.thing())

    return say


def _flag_reviewed(named: _Named) -> str:
    member = named.user(named.event.after.get("member_id"))
    verdict = str(named.event.after.get("verdict"))
    if verdict == "legitimate":
        return _("marked the endorsement flag on %(member)s as legitimate", member=member)
    if verdict == "confirmed":
        return _("marked the endorsement flag on %(member)s as confirmed", member=member)
    return _("marked the endorsement flag on %(member)s as reviewed", member=member)


def _imported(named: _Named) -> str:
    after = named.event.after
    count, members = int(after.get("count", 0)), int(after.get("members", 0))
    text = ngettext(
        "imported %(count)s contribution",
        "imported %(count)s contributions",
        count,
        count=format_number(count),
    )
    if after.get("for_members"):
        text = ngettext(
            "%(imported)s for %(count)s member",
            "%(imported)s for %(count)s members",
            members,
            imported=text,
            count=format_number(members),
        )
    if after.get("file"):
        text = _("%(imported)s from %(file)s", imported=text, file=after["file"])
    return text


def _feed(added: bool) -> Callable[[_Named], str]:
    def say(named: _Named) -> str:
        url = (named.event.after or named.event.before).get("url", "")
        if added:
            return _("added the feed %(url)s", url=url) if url else _("added a feed")
        return _("removed the feed %(url)s", url=url) if url else _("removed a feed")

    return say


# action -> (label for the pick-list, translated where shown; what the actor did)

SENTENCES: dict[str, tuple[str, Callable[[_Named], str]]] = {
    "access.denied": (N_("Refused page"), _says(N_("was refused %(thing)s"))),
    "api_token.created": (N_("API token created"), _says(N_("created %(thing)s"))),
    "api_token.revoked": (N_("API token revoked"), _says(N_("revoked %(thing)s"))),
    "account.deactivated": (N_("Account deactivated"), _active),
    "account.email_changed": (N_("Email changed"), _says(N_("changed the email of %(thing)s"))),
    "account.email_verified": (
        N_("Email confirmed"),
        _says(N_("confirmed the email of %(thing)s")),
    ),
    "account.password_changed": (
        N_("Password changed"),
        _says(N_("changed the password of %(thing)s")),
    ),
    "account.password_reset": (N_("Password reset"), _says(N_("reset the password of %(thing)s"))),
    "account.password_reset_requested": (
        N_("Password reset asked"),
        _says(N_("sent a password reset link to %(thing)s")),
    ),
    "account.profile_updated": (
        N_("Profile changed"),
        _says(N_("changed the profile of %(thing)s")),
    ),
    "account.reactivated": (N_("Account reactivated"), _active),
    "account.reading_updated": (
        N_("Language and time changed"),
        _says(N_("changed the language, time zone or theme of %(thing)s")),
    ),
    "account.registered": (N_("Account registered"), _says(N_("registered as %(thing)s"))),
    "account.registration_refused": (
        N_("Registration refused"),
        _says(N_("refused a registration with the address of %(thing)s")),
    ),
    "account.role_changed": (N_("Role changed"), _role),
    "appeal.dismissed": (N_("Appeal dismissed"), _says(N_("dismissed %(thing)s"))),
    "appeal.lodged": (N_("Appeal lodged"), _says(N_("lodged %(thing)s"))),
    "appeal.upheld": (N_("Appeal upheld"), _says(N_("upheld %(thing)s"))),
    "award.created": (N_("Award granted"), _award_created),
    "award.expired": (N_("Award expired"), _says(N_("marked %(thing)s expired"))),
    "award.revoked": (N_("Award revoked"), _says(N_("revoked %(thing)s"))),
    "issuer_key.rotated": (
        N_("Signing key rotated"),
        _says(N_("rotated the key that signs the award credentials")),
    ),
    "impact.guidance_set": (
        N_("Impact guidance set"),
        _says(N_("set the impact guidance of %(thing)s")),
    ),
    "impact.settings_saved": (
        N_("Impact settings saved"),
        _says(N_("changed the impact score settings of %(thing)s")),
    ),
    "reach_metric.created": (N_("Reach metric added"), _metric(added=True)),
    "reach_metric.updated": (N_("Reach metric changed"), _metric(added=False)),
    "integrity.flag_reviewed": (N_("Endorsement flag reviewed"), _flag_reviewed),
    "programme.updated": (N_("Programme settings changed"), _programme_updated),
    "programme.set_up": (
        N_("Programme set up"),
        lambda named: _("finished setting up the programme"),
    ),
    "category.created": (N_("Category created"), _says(N_("created %(thing)s"))),
    "category.updated": (N_("Category changed"), _says(N_("changed %(thing)s"))),
    "contribution.created": (N_("Contribution logged"), _says(N_("logged %(thing)s"))),
    "contribution.deleted": (N_("Contribution deleted"), _says(N_("deleted %(thing)s"))),
    "contribution.imported": (N_("Contributions imported"), _imported),
    "contribution.updated": (N_("Contribution changed"), _says(N_("changed %(thing)s"))),
    "contribution_type.created": (N_("Contribution type created"), _says(N_("created %(thing)s"))),
    "contribution_type.seeded": (
        N_("Contribution types added"),
        lambda n: _(
            "added the default contribution types (%(count)d)",
            count=len(n.event.after.get("names", [])),
        ),
    ),
    "contribution_type.updated": (N_("Contribution type changed"), _says(N_("changed %(thing)s"))),
    "cycle.created": (N_("Cycle created"), _says(N_("created the cycle %(thing)s"))),
    "cycle.status_changed": (N_("Cycle moved"), _status),
    "cycle.updated": (N_("Cycle changed"), _says(N_("changed the settings of %(thing)s"))),
    "demo.seeded": (N_("Demo seeded"), _says(N_("filled the demo programme"))),
    "feed.added": (N_("Feed added"), _feed(added=True)),
    "feed.removed": (N_("Feed removed"), _feed(added=False)),
    "endorsement.created": (N_("Endorsement given"), _says(N_("gave %(thing)s"))),
    "endorsement.withdrawn": (N_("Endorsement withdrawn"), _says(N_("withdrew %(thing)s"))),
    "login.failed": (N_("Login failed"), _failed_login),
    "login.succeeded": (N_("Logged in"), _says(N_("logged in"))),
    "logout": (N_("Logged out"), _says(N_("logged out"))),
    "nomination.accepted": (N_("Nomination accepted"), _says(N_("accepted %(thing)s"))),
    "nomination.created": (N_("Nomination made"), _says(N_("made %(thing)s"))),
    "nomination.decided": (N_("Nomination decided"), _decision),
    "nomination.decision_changed": (N_("Decision changed"), _decision_changed),
    "nomination.entered_review": (
        N_("Nomination entered review"),
        _says(N_("put %(thing)s in review")),
    ),
    "nomination.evidence_changed": (
        N_("Evidence changed"),
        _says(N_("changed the evidence of %(thing)s")),
    ),
    "nomination.lapsed": (N_("Nomination lapsed"), _says(N_("let %(thing)s lapse"))),
    "nomination.refused": (N_("Nomination refused"), _says(N_("refused %(thing)s"))),
    "nomination.renewal_created": (
        N_("Renewal created"),
        _says(N_("put an award up for renewal: %(thing)s")),
    ),
    "nomination.renewal_evidence_gathered": (
        N_("Renewal evidence gathered"),
        _says(N_("gathered the renewal evidence of %(thing)s again")),
    ),
    "nomination.withdrawn": (N_("Nomination withdrawn"), _says(N_("withdrew %(thing)s"))),
    "outbox.retried": (N_("Mail retried"), _says(N_("sent %(thing)s again"))),
    "review.assigned": (
        N_("Reviewer assigned"),
        _with_reviewer(N_("assigned %(reviewer)s to %(thing)s")),
    ),
    "review.auto_assigned": (N_("Automatic assignment"), _auto),
    "review.conflict_cleared": (
        N_("Conflict cleared"),
        _with_reviewer(N_("cleared the conflict of %(reviewer)s on %(thing)s")),
    ),
    "review.conflict_declared": (
        N_("Conflict declared"),
        _with_reviewer(N_("declared a conflict on %(thing)s")),
    ),
    "review.draft_saved": (N_("Review draft saved"), _says(N_("saved a draft of %(thing)s"))),
    "review.reviewer_appointed": (N_("Reviewer appointed"), _appointed),
    "review.reviewer_removed": (N_("Reviewer removed"), _appointed),
    "review.submitted": (N_("Review submitted"), _says(N_("submitted %(thing)s"))),
    "review.unassigned": (
        N_("Reviewer unassigned"),
        _with_reviewer(N_("took %(reviewer)s off %(thing)s")),
    ),
    "review.updated": (N_("Review changed"), _says(N_("changed %(thing)s"))),
    "webhook.created": (N_("Webhook added"), _says(N_("added %(thing)s"))),
    "webhook.updated": (N_("Webhook changed"), _says(N_("changed %(thing)s"))),
    "webhook.secret_rotated": (
        N_("Webhook secret rotated"),
        _says(N_("rotated the signing secret of %(thing)s")),
    ),
    "webhook.enabled": (N_("Webhook enabled"), _says(N_("enabled %(thing)s"))),
    "webhook.disabled": (N_("Webhook disabled"), _says(N_("disabled %(thing)s"))),
    "webhook.deleted": (N_("Webhook deleted"), _says(N_("deleted %(thing)s"))),
    "webhook.redelivered": (N_("Webhook redelivered"), _says(N_("sent %(thing)s again"))),
}

ACTIONS: dict[str, str] = {action: label for action, (label, _) in sorted(SENTENCES.items())}


def _generic(named: _Named) -> str:
    words = named.event.action.replace(".", " ").replace("_", " ")
    return _("did “%(words)s” on %(thing)s", words=words, thing=named.thing())


def describe(event: Event, names: Names) -> str:
    """The event as one sentence, its actor first."""
    named = _Named(names, event)
    say = SENTENCES[event.action][1] if event.action in SENTENCES else _generic
    actor = event.actor or _("The programme")
    return _("%(actor)s %(did)s.", actor=actor, did=say(named))


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
