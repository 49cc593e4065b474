"""Schemathesis against the served OpenAPI document: every operation, with data that
fits the document and data that does not, authenticated with a test token. No answer is
a server error, and every answer conforms to the document (status code, content type,
headers, body schema)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from nominee.cycles.models import CycleStatus
from nominee.nominations.models import NominationStatus

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
# Bounded so that the whole run stays well under a minute on a small machine.
EXAMPLES = 12
CONFIG = SchemathesisConfig.from_dict({"generation": {"deterministic": True}})


@pytest.fixture
def world_token(app, make, token_for):
    """An organizer with a little of everything the operations read, and their token
    with every scope (so that no operation is refused for its scope only)."""
    organizer = make.organizer()
    other = make.user()
    kind = make.contribution_type()
    make.category()
    mine = make.contribution(organizer, type=kind)
    theirs = make.contribution(other, type=kind)
    make.endorsement(theirs, organizer)
    make.endorsement(mine, other)
    # A cycle in review where the organizer, appointed and assigned, reviews a nomination;
    # an award of a published cycle.
    today = date.today()
    cycle = make.cycle(
        status=CycleStatus.IN_REVIEW,
        nominations_open_on=today - timedelta(days=60),
        nominations_close_on=today - timedelta(days=5),
        review_close_on=today + timedelta(days=20),
    )
    nomination = make.nomination(cycle, other, status=NominationStatus.IN_REVIEW)
    make.evidence(nomination, [theirs])
    make.appointment(cycle, organizer)
    make.assignment(nomination, organizer)
    make.award(member=other)
    return token_for(organizer)


def test_every_operation_conforms_to_the_document(app, world_token):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, config=CONFIG)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 12
    # Uncompressed answers: the WSGI transport hands the body to the checks as it is.
    headers = {"Authorization": f"Bearer {world_token}", "Accept-Encoding": "identity"}
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                database=None,
                derandomize=True,
                suppress_health_check=list(HealthCheck),
            )
            @given(case=operation.as_strategy(generation_mode=mode))
            def run(case):
                case.call_and_validate(headers=headers, checks=CHECKS)

            run()
