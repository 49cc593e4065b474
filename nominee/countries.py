"""Countries by their ISO 3166-1 alpha-2 code, named as pycountry (the ISO list, kept
up to date by its maintainers) names them: the common name where ISO's is formal
("Bolivia", not "Bolivia, Plurinational State of")."""

from __future__ import annotations

import unicodedata
from functools import cache

import pycountry

from nominee import i18n


@cache
def names() -> dict[str, str]:
    """Every country's name by its code, in the order of the names."""
    found = {
        country.alpha_2: getattr(country, "common_name", None) or country.name
        for country in pycountry.countries
    }
    return dict(sorted(found.items(), key=lambda item: sort_key(item[1])))


def sort_key(name: str) -> str:
    """Åland sorts with the A's, Côte d'Ivoire with the C's."""
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def is_country(code: str) -> bool:
    return code in names()


def country_name(code: str) -> str:
    """The name of the country ``code`` ("" for none; an unknown code as it is), in the
    reader's language: ISO's English names for English, Babel's (CLDR) for the others."""
    reader = i18n.current()
    if code and reader.language != i18n.DEFAULT_LANGUAGE:
        localized = reader.locale.territories.get(code)
        if localized:
            return str(localized)
    return names().get(code, code)
