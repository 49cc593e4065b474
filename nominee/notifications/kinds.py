"""Every kind of notification: the parameters it stores, its text and where it leads.

A notification row keeps its kind and parameters, snapshotted when it was sent (ids for
the link, and the names and dates its text shows, so showing it needs no query). The
text and the link are made when the row is shown, by the notification centre or by an
email, in the language of whoever reads it: each sentence is one message of the
translation catalogue (``SENTENCES``), its names and dates filled in as parameters, so
a row written while the page was English reads in Spanish to a member who reads Spanish.

The link is a target, ``(endpoint, values)``, not a URL: the web layer builds the URL
with ``url_for`` (``nominee.notifications.views.render``), an email with its own base
URL. Pure Python: no Flask, no database.

Each kind also says how it is mailed (``nominee.mail.notifications``): its subject
(``mail_subject``; without one, the sentence stands in), the line that names it on the
member's email preferences page (``label``, in members' words; ``audience`` "reviewer"
puts it under the reviewers' heading) and its default mode (``mail``: immediately, in
the daily digest, or not at all), which a member may change (``nominee.preferences``).
Subjects are translated like the sentences; labels are marked (``N_``) and translated
where they are shown.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from nominee import i18n
from nominee.formatting import format_date
from nominee.i18n import N_, _, ngettext

Params = Mapping[str, Any]
Target = tuple[str, dict[str, Any]]

DEFAULT_LANGUAGE = i18n.DEFAULT_LANGUAGE
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
        mail_subject=lambda p: _("%(nominator)s nominated you for %(category)s", **p),
        label=N_("Someone nominates you for an award"),
    ),
    Kind(
        "nomination_accepted",
        frozenset({*NOMINATION, "nominee"}),
        _nomination,
        mail_subject=lambda p: _("%(nominee)s accepted your nomination", **p),
        label=N_("Someone you nominated accepts the nomination"),
    ),
    Kind(
        "nomination_declined",
        frozenset({*NOMINATION, "nominee", "reason"}),  # reason: "" when none was given
        _nomination,
        mail_subject=lambda p: _("%(nominee)s declined your nomination", **p),
        label=N_("Someone you nominated declines the nomination"),
    ),
    Kind(
        "nomination_withdrawn",
        frozenset({*NOMINATION, "withdrawn_by", "reason"}),
        _nomination,
        mail_subject=lambda p: _("A nomination for %(category)s was withdrawn", **p),
        label=N_("A nomination you are part of is withdrawn"),
    ),
    Kind(
        "nomination_lapsed",
        frozenset({*NOMINATION, "nominee", "recipient"}),
        _nomination,
        {"recipient": RECIPIENT},
        mail_subject=lambda p: _("A nomination for %(category)s lapsed", **p),
        label=N_("A nomination lapses because it was not accepted in time"),
    ),
    Kind(
        "endorsed",
        frozenset({"contribution_id", "title", "endorser"}),
        _contribution,
        mail_subject=lambda p: _("%(endorser)s endorsed “%(title)s”", **p),
        label=N_("Someone endorses one of your contributions"),
        mail=MailMode.DIGEST,
    ),
    Kind(
        "award.granted",
        frozenset({"award_id", "verification_id", "category", "cycle"}),
        _award,
        mail_subject=lambda p: _("You received the %(category)s award", **p),
        label=N_("You receive an award"),
    ),
    Kind(
        "results.published",
        frozenset({"nomination_id", "cycle", "nominee", "recipient"}),
        _nomination,
        {"recipient": RECIPIENT},
        mail_subject=lambda p: _("The results of %(cycle)s are published", **p),
        label=N_("The results of a nomination you are part of are published"),
    ),
    Kind(
        "award.renewal",
        frozenset(
            {*NOMINATION, "award_id", "ends_on", "evidence_count", "stage"},
        ),
        _nomination,
        {"stage": frozenset({"up_for_renewal", "not_renewed"})},
        mail_subject=lambda p: (
            _("Your %(category)s award is not renewed", **p)
            if p["stage"] == "not_renewed"
            else _("Your %(category)s award is up for renewal", **p)
        ),
        label=N_("Your award comes up for renewal, or is not renewed"),
    ),
    Kind(
        "award.revoked",
        frozenset({"award_id", "verification_id", "category", "cycle", "reason"}),
        _award,
        mail_subject=lambda p: _("Your %(category)s award was revoked", **p),
        label=N_("Your award is revoked"),
    ),
    Kind(
        "reviewer.appointed",
        frozenset({"cycle_id", "cycle", "scope", "review_close_on"}),
        _reviewing,
        mail_subject=lambda p: _("You are a reviewer of %(cycle)s", **p),
        label=N_("You are appointed a reviewer of a cycle"),
        audience=REVIEWER,
    ),
    Kind(
        "reviewer.assigned",
        frozenset({"cycle_id", "cycle", "count", "review_close_on"}),
        _reviewing,
        mail_subject=lambda p: ngettext(
            "%(num)d nomination to review in %(cycle)s",
            "%(num)d nominations to review in %(cycle)s",
            p["count"],
            cycle=p["cycle"],
        ),
        label=N_("Nominations are assigned to you for review"),
        audience=REVIEWER,
    ),
    Kind(
        "appeal.answered",
        frozenset({*NOMINATION, "outcome", "verification_id"}),
        _appeal,
        {"outcome": frozenset({"upheld", "dismissed"})},
        mail_subject=lambda p: (
            _("Your appeal is upheld: the %(category)s award is yours", **p)
            if p["outcome"] == "upheld"
            else _("Your appeal on %(category)s in %(cycle)s is dismissed", **p)
        ),
        label=N_("The organizers answer your appeal"),
    ),
    # Sent by the scheduler (``nominee.schedule``).
    Kind(
        "nomination_reminder",
        frozenset({*NOMINATION, "nominator", "closes_on"}),
        _nomination,
        mail_subject=lambda p: _(
            "Reminder: answer your nomination for %(category)s in %(cycle)s", **p
        ),
        label=N_("A reminder to answer a peer nomination before it lapses"),
    ),
    Kind(
        "reviews_due",
        frozenset({"cycle_id", "cycle", "count", "due_on"}),
        _review_queue,
        mail_subject=lambda p: ngettext(
            "%(num)d review due by %(day)s",
            "%(num)d reviews due by %(day)s",
            p["count"],
            day=_day(p["due_on"]),
        ),
        label=N_("A reminder of reviews due soon"),
        audience=REVIEWER,
    ),
    Kind(
        "award.expiring",
        frozenset({"award_id", "verification_id", "category", "cycle", "ends_on"}),
        _award,
        mail_subject=lambda p: _(
            "Your %(category)s award ends on %(day)s",
            category=p["category"],
            day=_day(p["ends_on"]),
        ),
        label=N_("Your award ends within a month"),
    ),
    Kind(
        "renewal.no_activity",
        frozenset({*NOMINATION, "award_id", "starts_on", "ends_on", "closes_on"}),
        _nomination,
        mail_subject=lambda p: _("Your %(category)s award's renewal has no activity yet", **p),
        label=N_("Your award's renewal has no contribution from its term"),
    ),
    Kind(
        "link_broken",
        frozenset({"contribution_id", "title", "since", "reason"}),
        _contribution,
        mail_subject=lambda p: _("A link of your contribution “%(title)s” is broken", **p),
        label=N_("A link in your contributions is broken"),
        mail=MailMode.DIGEST,
    ),
    # Rows written before kinds had parameters, whose sentence could not be taken apart
    # (migration c3a9e5d17b42): their old kind, text and site-relative path, as they were.
    # Never mailed: they are older than mail.
    Kind(LEGACY, frozenset({"kind", "text", "path"}), _no_target, mail=MailMode.OFF),
)


# The sentences: each one message of the catalogue, its names and dates as parameters,
# translated when it is shown (``text``), in the language of whoever reads it.


def _nominated(p: Params) -> str:
    return _(
        "%(nominator)s nominated you for %(category)s in %(cycle)s. "
        "Accept it (and pick your evidence) or decline it.",
        **p,
    )


def _declined(p: Params) -> str:
    if p.get("reason"):
        return _(
            "%(nominee)s declined your nomination for %(category)s in %(cycle)s. "
            "Reason: %(reason)s",
            **p,
        )
    return _("%(nominee)s declined your nomination for %(category)s in %(cycle)s.", **p)


def _withdrawn(p: Params) -> str:
    if p["reason"]:
        return _(
            "%(withdrawn_by)s withdrew the nomination for %(category)s in %(cycle)s. "
            "Reason: %(reason)s",
            **p,
        )
    return _("%(withdrawn_by)s withdrew the nomination for %(category)s in %(cycle)s.", **p)


def _lapsed(p: Params) -> str:
    if p["recipient"] == "nominee":
        return _(
            "The nomination for %(category)s in %(cycle)s lapsed: it was not accepted "
            "before nominations closed.",
            **p,
        )
    return _(
        "Your nomination of %(nominee)s for %(category)s in %(cycle)s lapsed: "
        "it was not accepted before nominations closed.",
        **p,
    )


def _results(p: Params) -> str:
    if p["recipient"] == "nominee":
        return _(
            "The results of %(cycle)s are published. Read the panel's feedback on your nomination.",
            **p,
        )
    return _("The results of %(cycle)s are published for your nomination of %(nominee)s.", **p)


def _renewal(p: Params) -> str:
    ends_on = _day(p["ends_on"])
    if p["stage"] == "not_renewed":
        return _(
            "Your %(category)s award is not renewed: we found no contribution from "
            "its term. It stays valid until %(ends_on)s.",
            category=p["category"],
            ends_on=ends_on,
        )
    if p["evidence_count"]:
        return ngettext(
            "Your %(category)s award ends on %(ends_on)s: it is up for renewal in "
            "%(cycle)s, with %(num)d contribution from your award term as evidence.",
            "Your %(category)s award ends on %(ends_on)s: it is up for renewal in "
            "%(cycle)s, with %(num)d contributions from your award term as evidence.",
            p["evidence_count"],
            category=p["category"],
            cycle=p["cycle"],
            ends_on=ends_on,
        )
    return _(
        "Your %(category)s award ends on %(ends_on)s: it is up for renewal in "
        "%(cycle)s, but we found no contribution from your award term.",
        category=p["category"],
        cycle=p["cycle"],
        ends_on=ends_on,
    )


def _appeal_answered(p: Params) -> str:
    if p["outcome"] == "upheld":
        return _(
            "The organizers upheld your appeal on your nomination for %(category)s in "
            "%(cycle)s: you received the %(category)s award. Read their response on your "
            "nomination.",
            **p,
        )
    return _(
        "The organizers dismissed your appeal on your nomination for %(category)s in "
        "%(cycle)s: the decision stands. Read their response on your nomination.",
        **p,
    )


def _day(iso: str) -> str:
    return format_date(date.fromisoformat(iso))


def _appointed(p: Params) -> str:
    due = _day(p["review_close_on"])
    if p["scope"]:
        return _(
            "You are appointed a reviewer of %(scope)s in %(cycle)s. Reviews are due by %(day)s.",
            scope=p["scope"],
            cycle=p["cycle"],
            day=due,
        )
    return _(
        "You are appointed a reviewer of all of %(cycle)s. Reviews are due by %(day)s.",
        cycle=p["cycle"],
        day=due,
    )


def _assigned(p: Params) -> str:
    return ngettext(
        "%(num)d nomination of %(cycle)s was assigned to you for review, due by %(day)s.",
        "%(num)d nominations of %(cycle)s were assigned to you for review, due by %(day)s.",
        p["count"],
        cycle=p["cycle"],
        day=_day(p["review_close_on"]),
    )


def _reminder(p: Params) -> str:
    return _(
        "Reminder: %(nominator)s nominated you for %(category)s in %(cycle)s. Accept it or "
        "decline it by %(day)s (UTC): after that it lapses.",
        nominator=p["nominator"],
        category=p["category"],
        cycle=p["cycle"],
        day=_day(p["closes_on"]),
    )


def _reviews_due(p: Params) -> str:
    return ngettext(
        "%(num)d review due by %(day)s in %(cycle)s.",
        "%(num)d reviews due by %(day)s in %(cycle)s.",
        p["count"],
        day=_day(p["due_on"]),
        cycle=p["cycle"],
    )


def _expiring(p: Params) -> str:
    return _(
        "Your %(category)s award of %(cycle)s ends on %(day)s.",
        category=p["category"],
        cycle=p["cycle"],
        day=_day(p["ends_on"]),
    )


def _no_activity(p: Params) -> str:
    return _(
        "Your %(category)s award's renewal in %(cycle)s has no contribution from your "
        "award term (%(starts_on)s to %(ends_on)s). Log one dated in that term by "
        "%(closes_on)s, or the award is not renewed.",
        category=p["category"],
        cycle=p["cycle"],
        starts_on=_day(p["starts_on"]),
        ends_on=_day(p["ends_on"]),
        closes_on=_day(p["closes_on"]),
    )


def _link_broken(p: Params) -> str:
    since = _day(p["since"])
    if p["reason"]:
        return _(
            "The link of your contribution “%(title)s” is broken since %(since)s "
            "(%(reason)s). Reviewers see it too: fix the link, or check it again if it works.",
            title=p["title"],
            since=since,
            reason=p["reason"].rstrip("."),
        )
    return _(
        "The link of your contribution “%(title)s” is broken since %(since)s. "
        "Reviewers see it too: fix the link, or check it again if it works.",
        title=p["title"],
        since=since,
    )


SENTENCES: dict[str, Callable[[Params], str]] = {
    "nominated": _nominated,
    "nomination_accepted": lambda p: _(
        "%(nominee)s accepted your nomination for %(category)s in %(cycle)s.", **p
    ),
    "nomination_declined": _declined,
    "nomination_withdrawn": _withdrawn,
    "nomination_lapsed": _lapsed,
    "endorsed": lambda p: _("%(endorser)s endorsed your contribution “%(title)s”.", **p),
    "award.granted": lambda p: _(
        "Congratulations! You received the %(category)s award of %(cycle)s.", **p
    ),
    "results.published": _results,
    "award.renewal": _renewal,
    "award.revoked": lambda p: _(
        "Your %(category)s award of %(cycle)s was revoked: %(reason)s", **p
    ),
    "reviewer.appointed": _appointed,
    "reviewer.assigned": _assigned,
    "nomination_reminder": _reminder,
    "reviews_due": _reviews_due,
    "award.expiring": _expiring,
    "renewal.no_activity": _no_activity,
    "appeal.answered": _appeal_answered,
    "link_broken": _link_broken,
    # As it was written, in the language it was written in: it has no message to translate.
    LEGACY: lambda p: str(p["text"]),
}


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


def text(name: str, params: Params, language: str | None = None) -> str:
    """The notification's sentence in the current reader's language (the page's, or the
    mail's recipient's: ``i18n.reading``), or in ``language`` when one is given; English
    where the catalogue has no translation."""
    sentence = SENTENCES[name]
    if language is None:
        return sentence(params)
    with i18n.reading(language, i18n.current().time_zone):
        return sentence(params)


def target(name: str, params: Params) -> Target | None:
    """Where the notification leads: an endpoint and its values, or None."""
    return kind_of(name).target(params)


def mail_subject(name: str, params: Params) -> str:
    """The subject of the kind's email, in the current reader's language: its own, or its
    sentence cut to a subject's length."""
    kind = kind_of(name)
    if kind.mail_subject is not None:
        return kind.mail_subject(params)
    sentence = text(name, params)
    return sentence if len(sentence) <= 78 else sentence[:77].rstrip() + "…"


def mailed() -> list[Kind]:
    """The kinds a member can get by email, in the order the preferences page lists them."""
    return [kind for kind in KINDS.values() if kind.name != LEGACY]
