"""Every kind of notification: the parameters it stores, its text and where it leads.

A notification row keeps its kind and parameters, snapshotted when it was sent (ids for
the link, and the names and dates its text shows, so showing it needs no query). The
text and the link are made when the row is shown: by the notification centre today,
by an email later, in the reader's language (``TEXTS`` per language; English is the
only one yet, and the one every other falls back to).

The link is a target, ``(endpoint, values)``, not a URL: the web layer builds the URL
with ``url_for`` (``nominee.notifications.views.render``), an email with its own base
URL. Pure Python: no Flask, no database.

Each kind also says how it is mailed (``nominee.mail.notifications``): its subject
(``mail_subject``; without one, the sentence stands in), the line that names it on the
member's email preferences page (``label``, in members' words; ``audience`` "reviewer"
puts it under the reviewers' heading) and its default mode (``mail``: immediately, in
the daily digest, or not at all), which a member may change (``nominee.preferences``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from nominee.formatting import format_count, format_date

Params = Mapping[str, Any]
Target = tuple[str, dict[str, Any]]

DEFAULT_LANGUAGE = "en"
LEGACY = "legacy"


class UnknownKind(ValueError):
    """``notify`` was given a kind that is not declared here."""


class BadParams(ValueError):
    """``notify`` was given parameters that do not match its kind."""


class MailMode(StrEnum):
    """How a member gets the email of a kind."""

    IMMEDIATE = "immediate"
    DIGEST = "digest"
    OFF = "off"


MEMBER = "member"
REVIEWER = "reviewer"


@dataclass(frozen=True)
class Kind:
    """A kind: the parameters its rows must carry (``choices`` limits some of them to a
    few values) and the target its link leads to; how it is mailed (see above)."""

    name: str
    params: frozenset[str]
    target: Callable[[Params], Target | None]
    choices: Mapping[str, frozenset[str]] | None = None
    mail_subject: Callable[[Params], str] | None = None
    label: str = ""
    audience: str = MEMBER
    mail: MailMode = MailMode.IMMEDIATE


def _nomination(params: Params) -> Target:
    return "nominations.show", {"nomination_id": params["nomination_id"]}


def _contribution(params: Params) -> Target:
    return "contributions.view", {"contribution_id": params["contribution_id"]}


def _award(params: Params) -> Target:
    return "awards.verify", {"verification_id": params["verification_id"]}


def _reviewing(params: Params) -> Target:
    return "reviews.index", {}


def _review_queue(params: Params) -> Target:
    return "reviews.dashboard", {"cycle_id": params["cycle_id"], "mine": "y", "unreviewed": "y"}


def _appeal(params: Params) -> Target:
    if params["outcome"] == "upheld" and params["verification_id"]:
        return _award(params)
    return _nomination(params)


def _no_target(params: Params) -> None:
    return None


def _kinds(*kinds: Kind) -> dict[str, Kind]:
    return {kind.name: kind for kind in kinds}


NOMINATION = {"nomination_id", "category", "cycle"}
RECIPIENT = frozenset({"nominee", "nominator"})

KINDS: dict[str, Kind] = _kinds(
    Kind(
        "nominated",
        frozenset({*NOMINATION, "nominator"}),
        _nomination,
        mail_subject=lambda p: f"{p['nominator']} nominated you for {p['category']}",
        label="Someone nominates you for an award",
    ),
    Kind(
        "nomination_accepted",
        frozenset({*NOMINATION, "nominee"}),
        _nomination,
        mail_subject=lambda p: f"{p['nominee']} accepted your nomination",
        label="Someone you nominated accepts the nomination",
    ),
    Kind(
        "nomination_declined",
        frozenset({*NOMINATION, "nominee", "reason"}),  # reason: "" when none was given
        _nomination,
        mail_subject=lambda p: f"{p['nominee']} declined your nomination",
        label="Someone you nominated declines the nomination",
    ),
    Kind(
        "nomination_withdrawn",
        frozenset({*NOMINATION, "withdrawn_by", "reason"}),
        _nomination,
        mail_subject=lambda p: f"A nomination for {p['category']} was withdrawn",
        label="A nomination you are part of is withdrawn",
    ),
    Kind(
        "nomination_lapsed",
        frozenset({*NOMINATION, "nominee", "recipient"}),
        _nomination,
        {"recipient": RECIPIENT},
        mail_subject=lambda p: f"A nomination for {p['category']} lapsed",
        label="A nomination lapses because it was not accepted in time",
    ),
    Kind(
        "endorsed",
        frozenset({"contribution_id", "title", "endorser"}),
        _contribution,
        mail_subject=lambda p: f"{p['endorser']} endorsed “{p['title']}”",
        label="Someone endorses one of your contributions",
        mail=MailMode.DIGEST,
    ),
    Kind(
        "award.granted",
        frozenset({"award_id", "verification_id", "category", "cycle"}),
        _award,
        mail_subject=lambda p: f"You received the {p['category']} award",
        label="You receive an award",
    ),
    Kind(
        "results.published",
        frozenset({"nomination_id", "cycle", "nominee", "recipient"}),
        _nomination,
        {"recipient": RECIPIENT},
        mail_subject=lambda p: f"The results of {p['cycle']} are published",
        label="The results of a nomination you are part of are published",
    ),
    Kind(
        "award.renewal",
        frozenset(
            {*NOMINATION, "award_id", "ends_on", "evidence_count", "stage"},
        ),
        _nomination,
        {"stage": frozenset({"up_for_renewal", "not_renewed"})},
        mail_subject=lambda p: (
            f"Your {p['category']} award is not renewed"
            if p["stage"] == "not_renewed"
            else f"Your {p['category']} award is up for renewal"
        ),
        label="Your award comes up for renewal, or is not renewed",
    ),
    Kind(
        "award.revoked",
        frozenset({"award_id", "verification_id", "category", "cycle", "reason"}),
        _award,
        mail_subject=lambda p: f"Your {p['category']} award was revoked",
        label="Your award is revoked",
    ),
    Kind(
        "reviewer.appointed",
        frozenset({"cycle_id", "cycle", "scope", "review_close_on"}),
        _reviewing,
        mail_subject=lambda p: f"You are a reviewer of {p['cycle']}",
        label="You are appointed a reviewer of a cycle",
        audience=REVIEWER,
    ),
    Kind(
        "reviewer.assigned",
        frozenset({"cycle_id", "cycle", "count", "review_close_on"}),
        _reviewing,
        mail_subject=lambda p: (
            f"{format_count(p['count'], 'nominations')} to review in {p['cycle']}"
        ),
        label="Nominations are assigned to you for review",
        audience=REVIEWER,
    ),
    Kind(
        "appeal.answered",
        frozenset({*NOMINATION, "outcome", "verification_id"}),
        _appeal,
        {"outcome": frozenset({"upheld", "dismissed"})},
        mail_subject=lambda p: (
            f"Your appeal is upheld: the {p['category']} award is yours"
            if p["outcome"] == "upheld"
            else f"Your appeal on {p['category']} in {p['cycle']} is dismissed"
        ),
        label="The organizers answer your appeal",
    ),
    # Sent by the scheduler (``nominee.schedule``).
    Kind(
        "nomination_reminder",
        frozenset({*NOMINATION, "nominator", "closes_on"}),
        _nomination,
        mail_subject=lambda p: f"Reminder: answer your nomination for {_where(p)}",
        label="A reminder to answer a peer nomination before it lapses",
    ),
    Kind(
        "reviews_due",
        frozenset({"cycle_id", "cycle", "count", "due_on"}),
        _review_queue,
        mail_subject=lambda p: f"{format_count(p['count'], 'reviews')} due by {_day(p['due_on'])}",
        label="A reminder of reviews due soon",
        audience=REVIEWER,
    ),
    Kind(
        "award.expiring",
        frozenset({"award_id", "verification_id", "category", "cycle", "ends_on"}),
        _award,
        mail_subject=lambda p: f"Your {p['category']} award ends on {_day(p['ends_on'])}",
        label="Your award ends within a month",
    ),
    Kind(
        "renewal.no_activity",
        frozenset({*NOMINATION, "award_id", "starts_on", "ends_on", "closes_on"}),
        _nomination,
        mail_subject=lambda p: f"Your {p['category']} award's renewal has no activity yet",
        label="Your award's renewal has no contribution from its term",
    ),
    Kind(
        "link_broken",
        frozenset({"contribution_id", "title", "since", "reason"}),
        _contribution,
        mail_subject=lambda p: f"A link of your contribution “{p['title']}” is broken",
        label="A link in your contributions is broken",
        mail=MailMode.DIGEST,
    ),
    # Rows written before kinds had parameters, whose sentence could not be taken apart
    # (migration c3a9e5d17b42): their old kind, text and site-relative path, as they were.
    # Never mailed: they are older than mail.
    Kind(LEGACY, frozenset({"kind", "text", "path"}), _no_target, mail=MailMode.OFF),
)


def _where(p: Params) -> str:
    return f"{p['category']} in {p['cycle']}"


def _withdrawn(p: Params) -> str:
    text = f"{p['withdrawn_by']} withdrew the nomination for {_where(p)}."
    return f"{text} Reason: {p['reason']}" if p["reason"] else text


def _lapsed(p: Params) -> str:
    if p["recipient"] == "nominee":
        return (
            f"The nomination for {_where(p)} lapsed: it was not accepted before nominations closed."
        )
    return (
        f"Your nomination of {p['nominee']} for {_where(p)} lapsed: "
        "it was not accepted before nominations closed."
    )


def _results(p: Params) -> str:
    if p["recipient"] == "nominee":
        return (
            f"The results of {p['cycle']} are published. "
            "Read the panel's feedback on your nomination."
        )
    return f"The results of {p['cycle']} are published for your nomination of {p['nominee']}."


def _renewal(p: Params) -> str:
    ends_on = format_date(date.fromisoformat(p["ends_on"]))
    if p["stage"] == "not_renewed":
        return (
            f"Your {p['category']} award is not renewed: we found no contribution from "
            f"its term. It stays valid until {ends_on}."
        )
    if p["evidence_count"]:
        return (
            f"Your {p['category']} award ends on {ends_on}: it is up for renewal in "
            f"{p['cycle']}, with {p['evidence_count']} contributions from your award term "
            "as evidence."
        )
    return (
        f"Your {p['category']} award ends on {ends_on}: it is up for renewal in "
        f"{p['cycle']}, but we found no contribution from your award term."
    )


def _appeal_answered(p: Params) -> str:
    if p["outcome"] == "upheld":
        return (
            f"The organizers upheld your appeal on your nomination for {_where(p)}: "
            f"you received the {p['category']} award. Read their response on your nomination."
        )
    return (
        f"The organizers dismissed your appeal on your nomination for {_where(p)}: the "
        "decision stands. Read their response on your nomination."
    )


def _day(iso: str) -> str:
    return format_date(date.fromisoformat(iso))


def _appointed(p: Params) -> str:
    scope = f"{p['scope']} in {p['cycle']}" if p["scope"] else f"all of {p['cycle']}"
    return (
        f"You are appointed a reviewer of {scope}. Reviews are due by {_day(p['review_close_on'])}."
    )


def _reminder(p: Params) -> str:
    return (
        f"Reminder: {p['nominator']} nominated you for {_where(p)}. Accept it or decline it "
        f"by {_day(p['closes_on'])} (UTC): after that it lapses."
    )


def _reviews_due(p: Params) -> str:
    noun = "review" if p["count"] == 1 else "reviews"
    return f"{p['count']} {noun} due by {_day(p['due_on'])} in {p['cycle']}."


def _no_activity(p: Params) -> str:
    return (
        f"Your {p['category']} award's renewal in {p['cycle']} has no contribution from your "
        f"award term ({_day(p['starts_on'])} to {_day(p['ends_on'])}). Log one dated in "
        f"that term by {_day(p['closes_on'])}, or the award is not renewed."
    )


def _link_broken(p: Params) -> str:
    reason = f" ({p['reason'].rstrip('.')})" if p["reason"] else ""
    return (
        f"The link of your contribution “{p['title']}” is broken since {_day(p['since'])}"
        f"{reason}. Reviewers see it too: fix the link, or check it again if it works."
    )


ENGLISH: dict[str, Callable[[Params], str]] = {
    "nominated": lambda p: (
        f"{p['nominator']} nominated you for {_where(p)}. "
        "Accept it (and pick your evidence) or decline it."
    ),
    "nomination_accepted": lambda p: f"{p['nominee']} accepted your nomination for {_where(p)}.",
    "nomination_declined": lambda p: (
        f"{p['nominee']} declined your nomination for {_where(p)}."
        + (f" Reason: {p['reason']}" if p.get("reason") else "")
    ),
    "nomination_withdrawn": _withdrawn,
    "nomination_lapsed": _lapsed,
    "endorsed": lambda p: f"{p['endorser']} endorsed your contribution “{p['title']}”.",
    "award.granted": lambda p: (
        f"Congratulations! You received the {p['category']} award of {p['cycle']}."
    ),
    "results.published": _results,
    "award.renewal": _renewal,
    "award.revoked": lambda p: (
        f"Your {p['category']} award of {p['cycle']} was revoked: {p['reason']}"
    ),
    "reviewer.appointed": _appointed,
    "reviewer.assigned": lambda p: (
        f"{format_count(p['count'], 'nominations')} of {p['cycle']} "
        f"{'was' if p['count'] == 1 else 'were'} assigned to you for review, due by "
        f"{_day(p['review_close_on'])}."
    ),
    "nomination_reminder": _reminder,
    "reviews_due": _reviews_due,
    "award.expiring": lambda p: (
        f"Your {p['category']} award of {p['cycle']} ends on {_day(p['ends_on'])}."
    ),
    "renewal.no_activity": _no_activity,
    "appeal.answered": _appeal_answered,
    "link_broken": _link_broken,
    LEGACY: lambda p: str(p["text"]),
}

# Per language, a text for every kind (a language may leave some out: English stands in).
TEXTS: dict[str, dict[str, Callable[[Params], str]]] = {"en": ENGLISH}


def kind_of(name: str) -> Kind:
    try:
        return KINDS[name]
    except KeyError:
        raise UnknownKind(f"unknown notification kind {name!r}") from None


def checked_params(name: str, params: Params) -> dict[str, Any]:
    """``params`` as stored for a notification of kind ``name``: exactly its parameters,
    dates as ISO strings, every value JSON's. Raises ``UnknownKind`` or ``BadParams``."""
    kind = kind_of(name)
    missing, extra = kind.params - params.keys(), params.keys() - kind.params
    if missing or extra:
        raise BadParams(
            f"notification {name!r}: missing {sorted(missing)}, unexpected {sorted(extra)}"
        )
    stored = {key: _jsonable(name, key, value) for key, value in params.items()}
    for key, allowed in (kind.choices or {}).items():
        if stored[key] not in allowed:
            raise BadParams(f"notification {name!r}: {key}={stored[key]!r} not in {allowed}")
    return stored


def _jsonable(name: str, key: str, value: object) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise BadParams(f"notification {name!r}: {key} is a {type(value).__name__}, not a value")


def text(name: str, params: Params, language: str = DEFAULT_LANGUAGE) -> str:
    """The notification's sentence in ``language`` (English where it has none)."""
    texts = TEXTS.get(language, ENGLISH)
    return texts.get(name, ENGLISH[name])(params)


def target(name: str, params: Params) -> Target | None:
    """Where the notification leads: an endpoint and its values, or None."""
    return kind_of(name).target(params)


def mail_subject(name: str, params: Params) -> str:
    """The subject of the kind's email: its own, or its sentence cut to a subject's length."""
    kind = kind_of(name)
    if kind.mail_subject is not None:
        return kind.mail_subject(params)
    sentence = text(name, params)
    return sentence if len(sentence) <= 78 else sentence[:77].rstrip() + "…"


def mailed() -> list[Kind]:
    """The kinds a member can get by email, in the order the preferences page lists them."""
    return [kind for kind in KINDS.values() if kind.name != LEGACY]
