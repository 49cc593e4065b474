"""Reads of link checks: the state of a link, for its owner's contribution page (the
panel's evidence reads its links' state with it: ``nominations.queries.panel_evidence``)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from nominee.linkchecks import rules
from nominee.linkchecks.models import LinkCheck


def for_url(session: Session, url: str) -> LinkCheck | None:
    return session.scalar(select(LinkCheck).where(LinkCheck.url_hash == rules.url_hash(url)))
