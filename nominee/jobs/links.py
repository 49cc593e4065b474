"""Absolute links outside a request: for mail built by jobs."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import current_app


def url(endpoint: str, **values: Any) -> str:
    """The absolute URL of ``endpoint`` under ``BASE_URL`` (``https://host/prefix``),
    built from the app's url_map; also inside a request, whose host it ignores."""
    base = urlsplit(current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path.rstrip("/") or "/", url_scheme=base.scheme
    )
    return adapter.build(endpoint, values, force_external=True)
