"""Pure formatting of values for people: no Flask, so services, notification texts and
emails use the same words as the templates (which register these as filters)."""

from __future__ import annotations

from datetime import date, datetime


def format_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    return value.strftime("%-d %b %Y")
