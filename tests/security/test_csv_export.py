"""The cycle's CSV export: every text a person typed is defused for spreadsheets."""

from __future__ import annotations

import csv
import io

import pytest

from nominee.cycles.models import CycleStatus
from tests.security.helpers import client_for

FORMULAS = ["=1+2", "+SUM(A1)", "-2+3", "@SUM(A1)", "\t=1", "\r=1", '=HYPERLINK("http://x")']


@pytest.mark.parametrize("formula", FORMULAS)
def test_names_of_nominees_categories_and_criteria_cannot_be_formulas(app, make, formula):
    category = make.category(name=formula)
    cycle = make.cycle(
        status=CycleStatus.IN_REVIEW, categories=[category], criteria=[(formula, "", 1.0)]
    )
    make.nomination(cycle, make.user(display_name=formula))
    response = client_for(app, make.organizer()).get(f"/cycles/{cycle.id}/export.csv")
    header, row = csv.reader(io.StringIO(response.get_data(as_text=True), newline=""))
    typed = [cell for cell in [*header, *row] if formula in cell]
    assert len(typed) == 3, typed  # the criterion's column, the nominee, the category
    assert all(cell.startswith("'") for cell in typed), typed
