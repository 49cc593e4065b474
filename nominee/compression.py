"""Responses compressed with brotli or gzip (Flask-Compress), for text only (web layer).

Pages (HTML), the stylesheet, scripts, SVG, JSON and the web app manifest are compressed
when the browser accepts it (``Accept-Encoding``: brotli preferred, then gzip); PNG,
ICO and other images that are compressed already are not, nor CSV downloads (streamed
row by row: ``text/csv`` is not in the list, and streamed responses are left alone),
nor anything under 500 bytes. A response that carries a strong ETag gets the encoding
appended to it (``"abc:br"``), so a cache never mixes the two; weak ETags (the badge
images) stay as they are, and a matching ``If-None-Match`` still answers ``304``.

Behind a proxy that compresses (nginx ``gzip on``, Caddy ``encode``), set
``COMPRESS_REGISTER = False`` (``NOMINEE_COMPRESS_REGISTER=false``) to leave it to the
proxy; either way a proxy must keep ``Vary: Accept-Encoding``.
"""

from __future__ import annotations

from flask import Flask
from flask_compress import Compress

compress = Compress()

MIMETYPES = [
    "text/html",
    "text/css",
    "text/plain",
    "text/javascript",
    "application/javascript",
    "application/json",
    "application/ld+json",
    "application/problem+json",
    "application/manifest+json",
    "application/xml",
    "application/atom+xml",
    "application/rss+xml",
    "image/svg+xml",
]


def init_app(app: Flask) -> None:
    app.config.setdefault("COMPRESS_MIMETYPES", MIMETYPES)
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    # Streamed responses (CSV downloads) go out as they are written, uncompressed.
    app.config.setdefault("COMPRESS_STREAMS", False)
    app.config.setdefault("COMPRESS_MIN_SIZE", 500)
    compress.init_app(app)
