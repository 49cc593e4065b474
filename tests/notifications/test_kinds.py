"""The kinds of notification: what each stores, its English sentence and its target."""

from __future__ import annotations

from datetime import date

import pytest

from nominee.notifications import kinds
from nominee.notifications.services import notify

NOMINATION = {"nomination_id": 4, "category": "Data", "cycle": "Spring 2026"}

# One row of every kind (and variant): its parameters, today's sentence, its target.
EXAMPLES = [
    (
        "nominated",
        {**NOMINATION, "nominator": "Bob"},
        "Bob nominated you for Data in Spring 2026. "
        "Accept it (and pick your evidence) or decline it.",
    ),
    (
        "nomination_accepted",
        {**NOMINATION, "nominee": "Grace"},
        "Grace accepted your nomination for Data in Spring 2026.",
    ),
    (
        "nomination_declined",
        {**NOMINATION, "nominee": "Grace", "reason": ""},
        "Grace declined your nomination for Data in Spring 2026.",
    ),
    (
        "nomination_declined",
        {**NOMINATION, "nominee": "Grace", "reason": "Busy this year."},
        "Grace declined your nomination for Data in Spring 2026. Reason: Busy this year.",
    ),
    (
        "nomination_withdrawn",
        {**NOMINATION, "withdrawn_by": "Grace", "reason": ""},
        "Grace withdrew the nomination for Data in Spring 2026.",
    ),
    (
        "nomination_withdrawn",
        {**NOMINATION, "withdrawn_by": "Grace", "reason": "Wrong category."},
        "Grace withdrew the nomination for Data in Spring 2026. Reason: Wrong category.",
    ),
    (
        "nomination_lapsed",
        {**NOMINATION, "nominee": "Grace", "recipient": "nominee"},
        "The nomination for Data in Spring 2026 lapsed: "
        "it was not accepted before nominations closed.",
    ),
    (
        "nomination_lapsed",
        {**NOMINATION, "nominee": "Grace", "recipient": "nominator"},
        "Your nomination of Grace for Data in Spring 2026 lapsed: "
        "it was not accepted before nominations closed.",
    ),
    (
        "endorsed",
        {"contribution_id": 9, "title": "Window functions", "endorser": "Grace"},
        "Grace endorsed your contribution “Window functions”.",
    ),
    (
        "award.granted",
        {"award_id": 2, "verification_id": "v-1", "category": "Data", "cycle": "Spring 2026"},
        "Congratulations! You received the Data award of Spring 2026.",
    ),
    (
        "results.published",
        {"nomination_id": 4, "cycle": "Spring 2026", "nominee": "Grace", "recipient": "nominee"},
        "The results of Spring 2026 are published. Read the panel's feedback on your nomination.",
    ),
    (
        "results.published",
        {"nomination_id": 4, "cycle": "Spring 2026", "nominee": "Grace", "recipient": "nominator"},
        "The results of Spring 2026 are published for your nomination of Grace.",
    ),
    (
        "award.renewal",
        {
            **NOMINATION,
            "award_id": 2,
            "ends_on": "2026-06-30",
            "evidence_count": 3,
            "stage": "up_for_renewal",
        },
        "Your Data award ends on 30 Jun 2026: it is up for renewal in Spring 2026, "
        "with 3 contributions from your award term as evidence.",
    ),
    (
        "award.renewal",
        {
            **NOMINATION,
            "award_id": 2,
            "ends_on": "2026-06-30",
            "evidence_count": 0,
            "stage": "up_for_renewal",
        },
        "Your Data award ends on 30 Jun 2026: it is up for renewal in Spring 2026, "
        "but we found no contribution from your award term.",
    ),
    (
        "award.renewal",
        {
            **NOMINATION,
            "award_id": 2,
            "ends_on": "2026-06-30",
            "evidence_count": 0,
            "stage": "not_renewed",
        },
        "Your Data award is not renewed: we found no contribution from its term. "
        "It stays valid until 30 Jun 2026.",
    ),
    (
        "award.revoked",
        {
            "award_id": 2,
            "verification_id": "v-1",
            "category": "Data",
            "cycle": "Spring 2026",
            "reason": "Plagiarised talks.",
        },
        "Your Data award of Spring 2026 was revoked: Plagiarised talks.",
    ),
    (
        "reviewer.appointed",
        {"cycle_id": 3, "cycle": "Spring 2026", "scope": "", "review_close_on": "2026-05-10"},
        "You are appointed a reviewer of all of Spring 2026. Reviews are due by 10 May 2026.",
    ),
    (
        "reviewer.appointed",
        {"cycle_id": 3, "cycle": "Spring 2026", "scope": "Data", "review_close_on": "2026-05-10"},
        "You are appointed a reviewer of Data in Spring 2026. Reviews are due by 10 May 2026.",
    ),
    (
        "reviewer.assigned",
        {"cycle_id": 3, "cycle": "Spring 2026", "count": 5, "review_close_on": "2026-05-10"},
        "5 nominations of Spring 2026 were assigned to you for review, due by 10 May 2026.",
    ),
    (
        "reviewer.assigned",
        {"cycle_id": 3, "cycle": "Spring 2026", "count": 1, "review_close_on": "2026-05-10"},
        "1 nomination of Spring 2026 was assigned to you for review, due by 10 May 2026.",
    ),
    (
        "nomination_reminder",
        {**NOMINATION, "nominator": "Bob", "closes_on": "2026-01-10"},
        "Reminder: Bob nominated you for Data in Spring 2026. Accept it or decline it "
        "by 10 Jan 2026 (UTC): after that it lapses.",
    ),
    (
        "reviews_due",
        {"cycle_id": 3, "cycle": "Spring 2026", "count": 5, "due_on": "2026-01-10"},
        "5 reviews due by 10 Jan 2026 in Spring 2026.",
    ),
    (
        "reviews_due",
        {"cycle_id": 3, "cycle": "Spring 2026", "count": 1, "due_on": "2026-01-10"},
        "1 review due by 10 Jan 2026 in Spring 2026.",
    ),
    (
        "award.expiring",
        {
            "award_id": 2,
            "verification_id": "v-1",
            "category": "Data",
            "cycle": "Spring 2026",
            "ends_on": "2026-06-30",
        },
        "Your Data award of Spring 2026 ends on 30 Jun 2026.",
    ),
    (
        "renewal.no_activity",
        {
            **NOMINATION,
            "award_id": 2,
            "starts_on": "2025-07-01",
            "ends_on": "2026-06-30",
            "closes_on": "2026-05-31",
        },
        "Your Data award's renewal in Spring 2026 has no contribution from your award term "
        "(1 Jul 2025 to 30 Jun 2026). Log one dated in that term by 31 May 2026, or the "
        "award is not renewed.",
    ),
    (
        "appeal.answered",
        {**NOMINATION, "outcome": "upheld", "verification_id": "abc"},
        "The organizers upheld your appeal on your nomination for Data in Spring 2026: you "
        "received the Data award. Read their response on your nomination.",
    ),
    (
        "appeal.answered",
        {**NOMINATION, "outcome": "dismissed", "verification_id": ""},
        "The organizers dismissed your appeal on your nomination for Data in Spring 2026: the "
        "decision stands. Read their response on your nomination.",
    ),
    (
        "link_broken",
        {
            "contribution_id": 7,
            "title": "Intro to SQL",
            "since": "2027-01-03",
            "reason": "The page answered 404.",
        },
        "The link of your contribution “Intro to SQL” is broken since 3 Jan 2027 (The page "
        "answered 404). Reviewers see it too: fix the link, or check it again if it works.",
    ),
]


@pytest.mark.parametrize(("kind", "params", "sentence"), EXAMPLES)
def test_every_kind_renders_todays_sentence(kind, params, sentence):
    assert kinds.text(kind, kinds.checked_params(kind, params)) == sentence
    # A language without its own text falls back to English.
    assert kinds.text(kind, params, language="fr") == sentence


def test_every_kind_has_an_example_and_an_english_text():
    assert {kind for kind, _, _ in EXAMPLES} | {kinds.LEGACY} == set(kinds.KINDS)
    assert set(kinds.SENTENCES) == set(kinds.KINDS)


def test_targets_are_endpoints_with_values_from_the_params():
    assert kinds.target("nominated", {**NOMINATION, "nominator": "Bob"}) == (
        "nominations.show",
        {"nomination_id": 4},
    )
    assert kinds.target("endorsed", {"contribution_id": 9, "title": "", "endorser": ""}) == (
        "contributions.view",
        {"contribution_id": 9},
    )
    assert kinds.target("legacy", {"kind": "x", "text": "Hi", "path": "/x"}) is None


def test_dates_are_stored_as_iso_strings():
    stored = kinds.checked_params(
        "award.renewal",
        {
            **NOMINATION,
            "award_id": 2,
            "ends_on": date(2026, 6, 30),
            "evidence_count": 1,
            "stage": "up_for_renewal",
        },
    )
    assert stored["ends_on"] == "2026-06-30"


def test_an_unknown_kind_is_refused_when_sent(db, make):
    user = make.user()
    with pytest.raises(kinds.UnknownKind):
        notify(db, user.id, "nominatd", **NOMINATION, nominator="Bob")


@pytest.mark.parametrize(
    "params",
    [
        {**NOMINATION},  # the nominator's name is missing
        {**NOMINATION, "nominator": "Bob", "colour": "red"},  # not a parameter of the kind
        {**NOMINATION, "nominator": object()},  # not a JSON value
    ],
)
def test_params_that_do_not_match_the_kind_are_refused(db, make, params):
    with pytest.raises(kinds.BadParams):
        notify(db, make.user().id, "nominated", **params)


def test_a_choice_outside_its_values_is_refused():
    with pytest.raises(kinds.BadParams):
        kinds.checked_params(
            "results.published",
            {"nomination_id": 4, "cycle": "C", "nominee": "G", "recipient": "panel"},
        )


@pytest.mark.parametrize(("kind", "params", "sentence"), EXAMPLES)
def test_every_mailed_kind_has_a_subject_and_a_label(kind, params, sentence):
    subject = kinds.mail_subject(kind, kinds.checked_params(kind, params))
    assert subject and "\n" not in subject and len(subject) <= 78
    assert kinds.kind_of(kind).label
    assert kinds.kind_of(kind).audience in (kinds.MEMBER, kinds.REVIEWER)


def test_every_kind_is_mailed_but_the_legacy_rows():
    assert {kind.name for kind in kinds.mailed()} == set(kinds.KINDS) - {kinds.LEGACY}
