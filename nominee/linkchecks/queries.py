"""Reads of link checks: the state of given links (for the owner's contribution page and
the panel's evidence), and the broken links of a member."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from nominee.linkchecks import rules
from nominee.linkchecks.models import LinkCheck


def for_url(session: Session, url: str) -> LinkCheck | None:
    return session.scalar(select(LinkCheck).where(LinkCheck.url_hash == rules.url_hash(url)))


def broken(session: Session, urls: Iterable[str | None]) -> dict[str, LinkCheck]:
    """The broken ones among ``urls``, by URL (one query; none without links)."""
    hashes = {rules.url_hash(url) for url in urls if url}
    if not hashes:
        return {}
    rows = session.scalars(
        select(LinkCheck).where(
            LinkCheck.url_hash.in_(sorted(hashes)), LinkCheck.broken_since.is_not(None)
        )
    )
    return {row.url: row for row in rows}
