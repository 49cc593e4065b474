"""Static files: fingerprinted names, long cache lifetimes, the favicon (web layer).

``url_for('static', filename='css/nominee.css')`` gives ``/static/css/nominee.<hash>.css``,
the hash being the first 12 hex digits of the file's SHA-256: a changed file gets a new
URL, so the old one can be kept for a year (``Cache-Control: public, max-age=31536000,
immutable``) by browsers and proxies. The plain name (``/static/css/nominee.css``) still
answers, kept for ``STATIC_MAX_AGE`` seconds (an hour by default); so does a
fingerprint that is not the current one (a page cached from before a deploy), with the
current file and the short lifetime.

The fingerprints are computed once per process, when a file is first asked for; with
``DEBUG`` on, again whenever the file's modification time changes (editing the CSS
under ``make run`` shows at once). The static folder is small (a stylesheet, icons), so
its files are answered from memory: not streamed, they are compressed like the pages
(``nominee.compression``) and answered ``304`` to a matching ``If-None-Match``.

``/favicon.ico`` answers the icon browsers ask for at the root (``static/favicon.ico``,
drawn by ``python -m nominee.ops.icons``).
"""

from __future__ import annotations

import hashlib
import mimetypes
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask, Response, abort, request

from nominee.web import shared_image

YEAR = 31_536_000
HASH_LENGTH = 12
FINGERPRINTED = re.compile(r"^(?P<stem>.+)\.(?P<hash>[0-9a-f]{12})(?P<suffix>\.[^./]+)$")
mimetypes.add_type("application/manifest+json", ".webmanifest")
mimetypes.add_type("image/x-icon", ".ico")


@dataclass(frozen=True)
class Asset:
    path: Path
    mtime_ns: int
    digest: str  # the fingerprint
    etag: str  # the whole SHA-256
    body: bytes
    mimetype: str


class Assets:
    """The static folder's files, read once and fingerprinted."""

    def __init__(self, folder: Path, *, watch: bool) -> None:
        self.folder = folder.resolve()
        self.watch = watch  # look at modification times again (DEBUG)
        self._files: dict[str, Asset | None] = {}

    def get(self, filename: str) -> Asset | None:
        if filename in self._files:
            kept = self._files[filename]
            if not (self.watch and kept is not None and _changed(kept)):
                return kept
        asset = self._read(filename)
        self._files[filename] = asset
        return asset

    def _read(self, filename: str) -> Asset | None:
        path = (self.folder / filename).resolve()
        if not path.is_relative_to(self.folder) or not path.is_file():
            return None
        body = path.read_bytes()
        digest = hashlib.sha256(body).hexdigest()
        mimetype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return Asset(path, path.stat().st_mtime_ns, digest[:HASH_LENGTH], digest, body, mimetype)

    def fingerprinted(self, filename: str) -> str:
        """``css/nominee.css`` -> ``css/nominee.<hash>.css``; a missing file keeps its name."""
        asset = self.get(filename)
        if asset is None:
            return filename
        stem, dot, suffix = filename.rpartition(".")
        if not dot or "/" in suffix:
            return f"{filename}.{asset.digest}"
        return f"{stem}.{asset.digest}.{suffix}"


def _changed(asset: Asset) -> bool:
    try:
        return asset.path.stat().st_mtime_ns != asset.mtime_ns
    except OSError:
        return True


def original(filename: str) -> tuple[str, str | None]:
    """The file a requested name stands for, and the fingerprint it carried (or None)."""
    found = FINGERPRINTED.match(filename)
    if found is None:
        return filename, None
    return found["stem"] + found["suffix"], found["hash"]


def answer(asset: Asset, *, immutable: bool, max_age: int) -> Response:
    response = Response(asset.body, mimetype=asset.mimetype)
    response.set_etag(asset.etag)
    response.cache_control.public = True
    if immutable:
        response.cache_control.max_age = YEAR
        response.cache_control.immutable = True
    else:
        response.cache_control.max_age = max_age
    response.make_conditional(request)
    return response


def init_app(app: Flask) -> None:
    assets = Assets(Path(app.static_folder or "static"), watch=app.debug)
    app.extensions["nominee.assets"] = assets
    app.config.setdefault("STATIC_MAX_AGE", 3600)

    def static(filename: str) -> Response:
        name, digest = original(filename)
        asset = assets.get(name)
        if asset is None and digest is not None:
            # A file whose own name looks fingerprinted.
            name, digest = filename, None
            asset = assets.get(name)
        if asset is None:
            abort(404)
        fresh = digest is not None and digest == asset.digest
        return answer(asset, immutable=fresh, max_age=app.config["STATIC_MAX_AGE"])

    app.view_functions["static"] = static

    @app.url_defaults
    def fingerprint(endpoint: str, values: dict[str, Any]) -> None:
        if endpoint == "static" and "filename" in values:
            values["filename"] = assets.fingerprinted(values["filename"])

    @app.get("/favicon.ico")
    @shared_image  # the same icon for everybody: cacheable, logged in or not
    def favicon() -> Response:
        asset = assets.get("favicon.ico")
        if asset is None:
            abort(404)
        return answer(asset, immutable=False, max_age=app.config["STATIC_MAX_AGE"])
