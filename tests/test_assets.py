"""Static files, icons and compression, through the test client."""

from __future__ import annotations

import gzip
import hashlib
import io
import re
from pathlib import Path

import brotli
from PIL import Image

from nominee import ROOT
from tests.awards.test_sharing import in_term

CSS = ROOT / "static" / "css" / "nominee.css"


def fingerprint(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def test_pages_link_the_stylesheet_by_a_fingerprinted_name(client):
    page = client.get("/").text
    digest = fingerprint(CSS)
    assert f'href="/static/css/nominee.{digest}.css"' in page
    assert "/static/css/nominee.css" not in page


def test_a_fingerprinted_file_is_kept_for_a_year(client):
    response = client.get(f"/static/css/nominee.{fingerprint(CSS)}.css")
    assert response.status_code == 200
    assert response.data == CSS.read_bytes()
    assert response.mimetype == "text/css"
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    again = client.get(
        f"/static/css/nominee.{fingerprint(CSS)}.css",
        headers={"If-None-Match": response.headers["ETag"]},
    )
    assert again.status_code == 304 and again.data == b""


def test_the_plain_name_and_an_old_fingerprint_still_answer_briefly(client):
    for url in ("/static/css/nominee.css", "/static/css/nominee.0123456789ab.css"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.data == CSS.read_bytes()
        assert response.headers["Cache-Control"] == "public, max-age=3600"


def test_a_missing_or_escaping_static_path_is_404(client):
    assert client.get("/static/css/missing.css").status_code == 404
    assert client.get("/static/../nominee/config.py").status_code == 404
    assert client.get("/static/%2e%2e/pyproject.toml").status_code == 404


def test_the_favicon_is_a_real_icon_and_the_page_links_the_app_icons(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.mimetype == "image/x-icon"
    icon = Image.open(io.BytesIO(response.data))
    assert icon.format == "ICO" and (32, 32) in icon.info["sizes"]
    head = client.get("/").text.split("</head>")[0]
    links = dict(re.findall(r'<link rel="(apple-touch-icon|manifest)" href="([^"]+)"', head))
    assert re.search(r'<link rel="icon" href="/static/favicon\.[0-9a-f]{12}\.svg"', head)
    touch = client.get(links["apple-touch-icon"])
    assert Image.open(io.BytesIO(touch.data)).size == (180, 180)
    manifest = client.get(links["manifest"])
    assert manifest.mimetype == "application/manifest+json"
    for icon in manifest.json["icons"]:
        answer = client.get("/static/" + icon["src"])
        assert answer.status_code == 200 and answer.mimetype == "image/png"
        size = Image.open(io.BytesIO(answer.data)).size
        assert f"{size[0]}x{size[1]}" == icon["sizes"]


def test_pages_and_the_stylesheet_are_compressed_with_brotli_or_gzip(client):
    css = f"/static/css/nominee.{fingerprint(CSS)}.css"
    for url, mimetype in (("/", "text/html"), (css, "text/css")):
        plain = client.get(url).data
        br = client.get(url, headers={"Accept-Encoding": "gzip, deflate, br"})
        assert br.headers["Content-Encoding"] == "br", url
        assert br.mimetype == mimetype
        assert "Accept-Encoding" in br.headers["Vary"]
        assert brotli.decompress(br.data) == plain
        gz = client.get(url, headers={"Accept-Encoding": "gzip"})
        assert gz.headers["Content-Encoding"] == "gzip"
        assert gzip.decompress(gz.data) == plain
        assert len(gz.data) < len(plain) / 2
        identity = client.get(url, headers={"Accept-Encoding": "identity"})
        assert "Content-Encoding" not in identity.headers and identity.data == plain


def test_a_compressed_static_file_still_answers_304(client):
    css = f"/static/css/nominee.{fingerprint(CSS)}.css"
    first = client.get(css, headers={"Accept-Encoding": "br"})
    again = client.get(
        css, headers={"Accept-Encoding": "br", "If-None-Match": first.headers["ETag"]}
    )
    assert again.status_code == 304


def test_images_are_not_compressed_again(client):
    for url in ("/favicon.ico", "/static/icon-512.png"):
        response = client.get(url, headers={"Accept-Encoding": "br, gzip"})
        assert response.status_code == 200
        assert "Content-Encoding" not in response.headers, url


def test_the_svg_badge_is_compressed_and_keeps_its_etag_and_304(client, make):
    award = in_term(make)
    url = f"/awards/{award.verification_id}/badge.svg"
    first = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert first.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(first.data).startswith(b"<svg")
    assert first.headers["ETag"].startswith('W/"')
    again = client.get(
        url, headers={"Accept-Encoding": "gzip", "If-None-Match": first.headers["ETag"]}
    )
    assert again.status_code == 304 and again.data == b""
    png = client.get(
        f"/awards/{award.verification_id}/badge.png", headers={"Accept-Encoding": "gzip"}
    )
    assert "Content-Encoding" not in png.headers


def test_a_csv_download_is_streamed_uncompressed(client, auth, make):
    auth.login(make.organizer())
    response = client.get("/admin/audit.csv", headers={"Accept-Encoding": "br, gzip"})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.is_streamed
    assert "Content-Encoding" not in response.headers
    assert response.get_data(as_text=True).startswith("When (UTC)")
