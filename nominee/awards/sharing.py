"""Sharing an award: LinkedIn's add-to-profile link and the badge snippets to paste into
a blog or a README. Plain functions of the award's facts and its absolute addresses."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from html import escape
from urllib.parse import quote, urlencode

LINKEDIN_ADD = "https://www.linkedin.com/profile/add"


def linkedin_url(
    *,
    name: str,
    organization: str,
    issued: date,
    expires: date | None,
    cert_url: str,
    cert_id: str,
    organization_id: str | None = None,
) -> str:
    """LinkedIn's "Add licence or certification" form, filled in: the certification's
    ``name``, its issuer (``organization_id``, the LinkedIn page's number, links the
    issuer's page; else ``organization`` is shown as text), the month and year it was
    issued and expires, the address that verifies it and its id. Every value is
    percent-encoded (spaces as %20)."""
    params: dict[str, str] = {"startTask": "CERTIFICATION_NAME", "name": name}
    if organization_id:
        params["organizationId"] = organization_id
    else:
        params["organizationName"] = organization
    params["issueYear"] = str(issued.year)
    params["issueMonth"] = str(issued.month)
    if expires is not None:
        params["expirationYear"] = str(expires.year)
        params["expirationMonth"] = str(expires.month)
    params["certUrl"] = cert_url
    params["certId"] = cert_id
    return f"{LINKEDIN_ADD}?{urlencode(params, quote_via=quote)}"


_MARKDOWN_SPECIAL = re.compile(r"([\\\[\]])")


@dataclass(frozen=True)
class Snippets:
    markdown: str
    html: str


def badge_snippets(*, alt: str, image_url: str, award_url: str) -> Snippets:
    """The SVG badge linked to the award page, as Markdown and as HTML. ``alt`` is
    escaped for each (brackets and backslashes in Markdown, markup in HTML); the
    addresses are the app's own, percent-encoded already."""
    markdown_alt = _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(alt.split()))
    return Snippets(
        markdown=f"[![{markdown_alt}]({image_url})]({award_url})",
        html=(
            f'<a href="{escape(award_url)}"><img src="{escape(image_url)}" alt="{escape(alt)}"></a>'
        ),
    )
