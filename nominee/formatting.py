"""Dates, figures and counts as members read them; plain Python, shared by the
templates and by the services that write messages."""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import lru_cache

import inflect
from babel import dates, numbers

from nominee import i18n

# English dates read day first (``30 Nov 2026``), as in most of the world; other
# languages take their locale's medium form.
_DATE_PATTERNS = {"en": "d MMM y"}


def format_date(value: date | datetime | None) -> str:
    """A date in the reader's language (``30 Nov 2026``, ``30 nov 2026``); a moment is
    first put in the reader's time zone, so it falls on the day they saw it."""
    if value is None:
        return ""
    reader = i18n.current()
    if isinstance(value, datetime):
        value = _in_zone(value, reader.time_zone).date()
    return _formatted_date(value, reader.language)


# Babel formats a date or a number in some 20 microseconds; a list page shows hundreds,
# mostly the same ones from request to request: kept per process (pure functions of
# their arguments, so nothing here can go stale).
@lru_cache(maxsize=8192)
def _formatted_date(value: date, language: str) -> str:
    return dates.format_date(
        value, _date_pattern(language), locale=i18n.Reader(language, "UTC").locale
    )


def _date_pattern(language: str) -> str:
    return _DATE_PATTERNS.get(language, "medium")


def format_datetime(value: datetime | None) -> str:
    """A moment in the reader's zone, with the zone named: ``30 Nov 2026, 18:45 CET``."""
    if value is None:
        return ""
    reader = i18n.current()
    moment = _in_zone(value, reader.time_zone)
    # The day through the kept dates; "HH:mm" is two padded figures in every locale (Babel
    # writes pattern digits as ASCII), written here for the 20 microseconds Babel takes.
    day = _formatted_date(moment.date(), reader.language)
    return f"{day}, {moment.hour:02d}:{moment.minute:02d} {_zone_label(moment)}"


def format_programme_date(value: date) -> str:
    """A cycle's date, a day of the programme's calendar, with its zone named:
    ``1 Dec 2026 (Europe/Madrid)``."""
    return f"{format_date(value)} ({i18n.programme_time_zone()})"


def format_programme_dates(start: date, end: date) -> str:
    """A cycle's span of days, in the programme's zone:
    ``1 Dec 2026 – 31 Dec 2026 (Europe/Madrid)``."""
    return f"{format_date(start)} – {format_date(end)} ({i18n.programme_time_zone()})"


def _in_zone(value: datetime, zone_name: str) -> datetime:
    if value.tzinfo is None:  # stored moments are UTC
        value = value.replace(tzinfo=UTC)
    return value.astimezone(i18n.zone(zone_name))


def _zone_label(moment: datetime) -> str:
    """``CET``, ``UTC``, ``EST``; a zone without a well-known abbreviation (``-03``) as
    ``UTC-03``."""
    name = moment.tzname() or "UTC"
    return f"UTC{name}" if name[:1] in "+-" else name


def format_month(value: date, form: str = "short") -> str:
    """A month in the reader's language: ``Nov 2026`` (``short``), ``November 2026``
    (``long``), ``Nov`` (``name``); Spanish ``nov 2026``, ``noviembre de 2026``, ``nov``."""
    return _formatted_month(value, form, i18n.current().language)


@lru_cache(maxsize=4096)
def _formatted_month(value: date, form: str, language: str) -> str:
    skeleton = {"short": "yMMM", "long": "yMMMM", "name": "MMM"}[form]
    return dates.format_skeleton(skeleton, value, locale=i18n.Reader(language, "UTC").locale)


def format_decimal(value: float) -> str:
    """A figure as short as it goes (``2.5``, ``3``), with the reader's decimal sign."""
    return numbers.format_decimal(value, format="#,##0.##", locale=i18n.current().locale)


def format_number(value: int | float | None) -> str:
    if value is None:
        value = 0
    language = i18n.current().language
    if isinstance(value, int) or value == int(value):
        return _formatted_integer(int(value), language)
    return _formatted_fraction(float(value), language)


@lru_cache(maxsize=8192)
def _formatted_fraction(value: float, language: str) -> str:
    """Babel takes ~15 µs a figure; the scores and means of a page repeat a lot."""
    return numbers.format_decimal(
        value, format="#,##0.00", locale=i18n.Reader(language, "UTC").locale
    )


@lru_cache(maxsize=8192)
def _formatted_integer(value: int, language: str) -> str:
    return numbers.format_decimal(value, locale=i18n.Reader(language, "UTC").locale)


_inflect = inflect.engine()


@lru_cache(maxsize=256)
def _singular(label: str) -> str:
    """``answers given`` -> ``answer given``: the first word is the counted noun."""
    first, _, rest = label.partition(" ")
    singular = _inflect.singular_noun(first) or first
    return f"{singular} {rest}" if rest else singular


def format_count(value: int | float | None, label: str) -> str:
    """A figure and an organizer's plural label, e.g. ``1 session``, ``45 attendees``.

    The label is the organizer's, in the words they typed: it is not translated, and
    only an English reader gets its singular (``1 session``); other languages read
    ``1 sesiones`` rather than a word English rules made up."""
    label = label.lower()
    one = value == 1 and i18n.current().language == "en"
    return f"{format_number(value)} {_singular(label) if one else label}"


def format_wait(seconds: int) -> str:
    """A rate limit's window as a wait: ``a minute``, ``15 minutes``, ``an hour``."""
    if seconds >= 86_400:
        return i18n.ngettext("a day", "%(num)d days", round(seconds / 86_400))
    if seconds >= 3_600:
        return i18n.ngettext("an hour", "%(num)d hours", round(seconds / 3_600))
    if seconds >= 60:
        return i18n.ngettext("a minute", "%(num)d minutes", round(seconds / 60))
    return i18n.gettext("a moment")
