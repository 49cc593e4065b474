"""The figures shown with an organizer's plural labels read as English."""

from __future__ import annotations

import pytest

from nominee.templating import format_count


@pytest.mark.parametrize(
    ("value", "label", "shown"),
    [
        (1, "Sessions", "1 session"),
        (45, "Attendees", "45 attendees"),
        (1, "Answers given", "1 answer given"),
        (1, "Copies sold", "1 copy sold"),
        (0, "Posts", "0 posts"),
        (1_200, "Readers", "1,200 readers"),
        (1, "Quantity", "1 quantity"),
        (1, "Audience", "1 audience"),
    ],
)
def test_count_reads_in_the_singular_for_one(value, label, shown):
    assert format_count(value, label) == shown
