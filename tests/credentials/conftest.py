"""Fixtures of the credential tests: an award of a published cycle with public and private
evidence, its credential, and an organizer's client to revoke it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from nominee.awards.models import Award
from nominee.contributions.models import Visibility
from nominee.cycles.models import CycleStatus
from nominee.nominations.models import Decision, NominationEvidence, NominationStatus
from tests.awards.test_renewal_views import logged_in


@dataclass
class Awarded:
    award: Award
    public_title: str
    private_title: str

    @property
    def page(self) -> str:
        return f"/awards/{self.award.verification_id}"

    @property
    def credential_url(self) -> str:
        return f"{self.page}/credential.json"


def make_award(make, db, *, starts_on: date, ends_on: date, profile_public: bool = True):
    cycle = make.cycle(status=CycleStatus.PUBLISHED)
    member = make.user(display_name="Ada Lovelace", profile_public=profile_public)
    nomination = make.nomination(
        cycle, member, status=NominationStatus.AWARDED, decision=Decision.AWARD
    )
    public = make.contribution(member, title="Talk on compilers")
    private = make.contribution(member, title="Private notes", visibility=Visibility.PRIVATE)
    for contribution in (public, private):
        db.add(NominationEvidence(nomination_id=nomination.id, contribution_id=contribution.id))
    db.flush()
    award = make.award(nomination, starts_on=starts_on, ends_on=ends_on)
    return Awarded(award, public.title, private.title)


@pytest.fixture
def awarded(make, db) -> Awarded:
    today = date.today()
    return make_award(
        make, db, starts_on=today - timedelta(days=30), ends_on=today + timedelta(days=300)
    )


@pytest.fixture
def organizer(app, make):
    return logged_in(app, make.organizer())


def revoke(organizer, awarded: Awarded) -> None:
    response = organizer.post(
        f"{awarded.page}/revoke", data={"reason": "Plagiarised talks.", "confirm": "y"}
    )
    assert response.status_code == 302


def fetch_json(client, url: str) -> dict:
    response = client.get(url)
    assert response.status_code == 200, response.text
    return json.loads(response.text)
