"""Reading a feed (RSS, Atom, a YouTube channel's, a podcast's) into items, with
feedparser on the bytes the poll fetched: no network here, no database, no Flask."""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass
from datetime import date
from time import struct_time
from typing import Any

import feedparser

from nominee.contributions import rules as contribution_rules
from nominee.i18n import _

TITLE_MAX = 200
SUMMARY_MAX = 2000


@dataclass(frozen=True)
class Item:
    key: str  # SHA-256 of the item's id (its guid; else its link; else title and date)
    link_key: str | None  # SHA-256 of its link
    title: str
    url: str | None
    published_on: date | None
    summary: str


@dataclass(frozen=True)
class Parsed:
    title: str
    items: list[Item]
    problem: str | None  # the feed could not be read at all


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _text(value: Any) -> str:
    """Plain text from a feed's (possibly HTML) text: tags dropped, entities decoded,
    whitespace folded, control characters gone."""
    text = re.sub(r"<[^>]*>", " ", str(value or ""))
    text = html.unescape(text)
    text = re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", "", text)
    return re.sub(r"\s+", " ", text).strip()


def _link(entry: Any) -> str | None:
    candidates = [entry.get("link")]
    # A podcast episode may only link its audio file.
    candidates += [
        link.get("href") for link in entry.get("links", []) if link.get("rel") == "enclosure"
    ]
    for candidate in candidates:
        url = str(candidate or "").strip()
        if url and contribution_rules.url_error(url) is None:
            return url
    return None


def _day(entry: Any) -> date | None:
    for name in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(name)
        if isinstance(value, struct_time):
            try:
                return date(value.tm_year, value.tm_mon, value.tm_mday)
            except ValueError:
                continue
    return None


def parse(body: bytes, content_type: str | None = None) -> Parsed:
    """The feed's title and items, newest as the feed orders them."""
    headers = {"content-type": content_type} if content_type else {}
    result = feedparser.parse(body, response_headers=headers, sanitize_html=False)
    entries = result.get("entries", [])
    if not entries and not result.get("version"):
        return Parsed("", [], _("The address does not answer with an RSS or Atom feed."))
    items = []
    for entry in entries:
        url = _link(entry)
        title = _text(entry.get("title"))[:TITLE_MAX]
        published = _day(entry)
        identity = str(entry.get("id") or url or f"{title}|{published}")
        summary = _text(entry.get("summary") or entry.get("description"))
        items.append(
            Item(
                key=digest(identity),
                link_key=digest(url) if url else None,
                title=title,
                url=url,
                published_on=published,
                summary=summary[:SUMMARY_MAX],
            )
        )
    return Parsed(_text(result.get("feed", {}).get("title"))[:TITLE_MAX], items, None)
