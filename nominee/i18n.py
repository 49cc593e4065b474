"""Languages and time zones: who reads, in which language and zone. Plain Python.

Every user-facing string is marked where it is written: ``_("...")`` (``gettext``) and
``ngettext`` translate at once, in the language of the current reader; ``_l("...")``
(``lazy_gettext``) when the string is used (form labels on a class); ``N_("...")``
marks a string for extraction and leaves it as it is (module-level constants, translated
where they are shown, with ``_(CONSTANT)``). Parameters are named:
``_("%(name)s endorsed your post", name=...)``.

The current reader is a context (``contextvars``): the web layer resolves it per request
from the member's choice or the browser's ``Accept-Language`` (``nominee.localization``);
a job that mails a member sets it per recipient (``with reading(member.language,
member.time_zone):``). Outside both it is English and the programme's time zone.

Catalogues live in ``nominee/translations/<lang>/LC_MESSAGES/messages.po``, compiled in
memory when first read; English is the source language and needs none.
``python -m nominee.ops.catalogues update`` (``make messages``) extracts the marked
strings and updates every catalogue; ``check`` (in ``make lint``) fails while any
message is untranslated, fuzzy or missing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from babel import Locale
from babel.messages import mofile, pofile
from babel.messages.catalog import Catalog
from babel.support import LazyProxy, NullTranslations, Translations

TRANSLATIONS = Path(__file__).resolve().parent / "translations"
DEFAULT_LANGUAGE = "en"
# The languages a member can choose, in their own words.
LANGUAGES: dict[str, str] = {"en": "English", "es": "Español"}
DEFAULT_TIME_ZONE = "UTC"


@dataclass(frozen=True)
class Reader:
    language: str
    time_zone: str

    @property
    def locale(self) -> Locale:
        return _locale(self.language)

    @property
    def zone(self) -> ZoneInfo:
        return zone(self.time_zone)

    @property
    def translations(self) -> NullTranslations:
        return catalogue(self.language)


# The programme's zone: one per process, set at start-up (threads do not inherit a
# context variable set there) from the configuration, then from the organizers' setting
# when one is stored (``nominee.programme.services``).
_configured_zone = DEFAULT_TIME_ZONE
_programme_zone = DEFAULT_TIME_ZONE
_reader: ContextVar[Reader | None] = ContextVar("reader", default=None)


def programme_time_zone() -> str:
    return _programme_zone


def set_programme_time_zone(name: str) -> None:
    """At start-up, from the ``PROGRAMME_TIME_ZONE`` setting (checked by the config)."""
    global _programme_zone, _configured_zone
    _configured_zone = _programme_zone = valid_time_zone(name) or DEFAULT_TIME_ZONE


def use_programme_time_zone(name: str | None) -> None:
    """The zone organizers chose (``nominee.programme``); None or "" goes back to the
    configured one."""
    global _programme_zone
    _programme_zone = valid_time_zone(name) or _configured_zone


# Where the reader comes from when no block has set one: the web layer's request (it
# loads the member lazily, on first use). None outside a request.
_resolver: Callable[[], Reader | None] = lambda: None  # noqa: E731


def resolve_with(resolver: Callable[[], Reader | None]) -> None:
    global _resolver
    _resolver = resolver


def current() -> Reader:
    return _reader.get() or _resolver() or Reader(DEFAULT_LANGUAGE, programme_time_zone())


def begin(language: str | None, time_zone: str | None) -> object:
    """Make ``language`` and ``time_zone`` the current reader's; returns the token for ``end``."""
    return _reader.set(
        Reader(supported(language), valid_time_zone(time_zone) or programme_time_zone())
    )


def use(reader: Reader) -> object:
    """Make ``reader`` the current one until ``end``: the web layer sets a request's reader
    once it is chosen, so each of a page's hundreds of words reads it from here."""
    return _reader.set(reader)


def end(token: object) -> None:
    _reader.reset(token)  # type: ignore[arg-type]


@contextmanager
def reading(language: str | None, time_zone: str | None = None) -> Iterator[Reader]:
    """The block reads (and writes mail) as a member with this language and zone."""
    token = begin(language, time_zone)
    try:
        yield current()
    finally:
        end(token)


def language_of(chosen: str | None) -> str:
    """A member's language for what they read away from a page (mail): their choice, or
    when they have none (their browser's decides on pages) the current reader's, e.g.
    the language of the page that sent a verification link."""
    return supported(chosen) if chosen else current().language


def supported(language: str | None) -> str:
    """The language if we have it (``es-MX`` -> ``es``), else the default."""
    if not language:
        return DEFAULT_LANGUAGE
    base = language.replace("_", "-").split("-")[0].lower()
    return base if base in LANGUAGES else DEFAULT_LANGUAGE


@cache
def _locale(language: str) -> Locale:
    return Locale.parse(language)


@cache
def catalogue(language: str) -> NullTranslations:
    """The language's translations, compiled from its ``.po`` once per process (no
    build step, nothing compiled to keep in step). Working parts (``*.part.po``, see
    ``nominee.ops.catalogues``) fill what the catalogue leaves empty."""
    folder = TRANSLATIONS / language / "LC_MESSAGES"
    sources = [folder / "messages.po", *sorted(folder.glob("*.part.po"))]
    sources = [path for path in sources if path.exists()]
    if language == DEFAULT_LANGUAGE or not sources:
        return NullTranslations()
    messages = _read_po(sources[0], language)
    for path in sources[1:]:
        for message in _read_po(path, language):
            have = messages.get(message.id, context=message.context) if message.id else None
            if message.id and message.string and (have is None or not have.string):
                messages[message.id] = message
    compiled = BytesIO()
    mofile.write_mo(compiled, messages)
    compiled.seek(0)
    return Translations(compiled, domain="messages")


def _read_po(path: Path, language: str) -> Catalog:
    with path.open("rb") as source:
        return pofile.read_po(source, locale=language)


@cache
def time_zones() -> tuple[str, ...]:
    """Every IANA zone a member can pick, sorted (``Europe/Madrid``...)."""
    return tuple(sorted(name for name in available_timezones() if "/" in name or name == "UTC"))


def valid_time_zone(name: str | None) -> str | None:
    if not name or name not in _zone_names():
        return None
    return name


@cache
def _zone_names() -> frozenset[str]:
    return frozenset(time_zones())


@cache
def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_TIME_ZONE)


def gettext(message: str, **params: Any) -> str:
    text = current().translations.gettext(message)
    return text % params if params else text


def ngettext(singular: str, plural: str, num: int, **params: Any) -> str:
    text = current().translations.ngettext(singular, plural, num)
    return text % {"num": num, **params}


def pgettext(context: str, message: str, **params: Any) -> str:
    text = str(current().translations.pgettext(context, message))
    return text % params if params else text


def lazy_gettext(message: str, **params: Any) -> Any:
    """``gettext`` when the string is used, not when it is written: form labels and
    messages declared on a class, read by each request in its own language."""
    return LazyProxy(gettext, message, enable_cache=False, **params)


_l = lazy_gettext


def N_(message: str) -> str:  # noqa: N802 - the conventional name, found by extraction
    """Marks ``message`` for the catalogue; translate it where it is shown."""
    return message


_ = gettext


def install(env: Any) -> None:
    """Give a Jinja environment ``_``, ``gettext``, ``ngettext`` and ``{% trans %}``, all
    reading the current reader's catalogue (new-style: autoescaped, named parameters)."""
    env.add_extension("jinja2.ext.i18n")
    env.policies["ext.i18n.trimmed"] = True
    env.install_gettext_callables(
        lambda message: current().translations.gettext(message),
        lambda singular, plural, num: current().translations.ngettext(singular, plural, num),
        newstyle=True,
        pgettext=lambda context, message: current().translations.pgettext(context, message),
    )
