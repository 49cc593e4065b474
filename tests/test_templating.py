"""The figures shown with an organizer's plural labels read as English."""

from __future__ import annotations

import pytest

from nominee.formatting import format_wait
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


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [(1, "a moment"), (60, "a minute"), (900, "15 minutes"), (3_600, "an hour"),
     (7_200, "2 hours"), (86_400, "a day")],
)  # fmt: skip
def test_a_wait_reads_in_words(seconds, shown):
    assert format_wait(seconds) == shown


def test_kept_fragments_are_per_reader_and_bounded(monkeypatch):
    from nominee import i18n, templating

    monkeypatch.setattr(templating, "_fragments", type(templating._fragments)())
    monkeypatch.setattr(templating, "FRAGMENTS_KEPT", 2)
    written = []

    def render(text):
        written.append(text)
        return text

    with i18n.reading("en"):
        assert templating.kept_fragment("k", lambda: render("<b>en</b>")) == "<b>en</b>"
        assert templating.kept_fragment("k", lambda: render("other")) == "<b>en</b>"
    with i18n.reading("es"):
        assert templating.kept_fragment("k", lambda: render("<b>es</b>")) == "<b>es</b>"
        templating.kept_fragment("k2", lambda: render("two"))
    with i18n.reading("en"):  # pushed out by the two since
        assert templating.kept_fragment("k", lambda: render("again")) == "again"
    assert written == ["<b>en</b>", "<b>es</b>", "two", "again"]
