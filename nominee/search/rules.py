"""How a typed query becomes a full-text query: safely, for both engines.

Whatever is typed (quotes, ``*``, ``NEAR(``, ``:``, ``&``, ``!``, a whole page of text)
is cut into words of letters and digits; each word of two letters or more becomes a
prefix term, and all must match ("dock" finds "Docker", "dock comp" finds "Docker
Compose"). Only those words
reach the engine, so no operator of FTS5 or of ``to_tsquery`` can be smuggled in.
"""

from __future__ import annotations

import enum
import re
from typing import Any

from nominee.i18n import N_, _l

MAX_TERMS = 8
MAX_TERM_LENGTH = 40
MAX_QUERY_LENGTH = 200
MIN_PREFIX = 2
# Letters and digits of any script; underscores and punctuation separate words, as
# both engines' tokenizers do.
_WORD = re.compile(r"[^\W_]+")


class Scope(enum.StrEnum):
    CONTRIBUTIONS = "contributions"
    MEMBERS = "members"

    @property
    def label(self) -> Any:
        """The scope's name, translated when it is shown (a form's choices are made once)."""
        return _l(SCOPE_LABELS[self.value])


SCOPE_LABELS = {"contributions": N_("Contributions"), "members": N_("Members")}


def terms(query: str) -> list[str]:
    """The words of ``query`` to look for, lower-cased, in order, without repeats."""
    found: list[str] = []
    for word in _WORD.findall(query[: MAX_QUERY_LENGTH * 4].casefold()):
        word = word[:MAX_TERM_LENGTH]
        if word not in found:
            found.append(word)
        if len(found) == MAX_TERMS:
            break
    return found


def is_prefix(word: str) -> bool:
    """A word of one letter is looked for as a whole word ("C", not every word starting
    with c): as a prefix it would match nearly everything, at the cost of reading it all."""
    return len(word) >= MIN_PREFIX


def fts5_match(words: list[str]) -> str:
    """An FTS5 MATCH expression: every word as a quoted (prefix) term, all required."""
    return " ".join(f'"{word}"*' if is_prefix(word) else f'"{word}"' for word in words)


def tsquery(words: list[str]) -> str:
    """A ``to_tsquery('simple', ...)`` text: every word as a (prefix) term, all required."""
    return " & ".join(f"{word}:*" if is_prefix(word) else word for word in words)
