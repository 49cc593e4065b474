"""Open Badges 3.0 baking: the credential in an ``openbadgecredential`` iTXt chunk."""

from __future__ import annotations

import io
import json
import struct
import zlib
from datetime import date

import pytest
from PIL import Image, PngImagePlugin

from nominee.awards.badges import BadgeFacts, BadgeState, badge_png
from nominee.awards.baking import BakingError, bake, unbake

CREDENTIAL = json.dumps(
    {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": "Développeur de l’année ✨",
    },
    ensure_ascii=False,
)


def png(info: PngImagePlugin.PngInfo | None = None) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 3), "#2147b3").save(out, "PNG", pnginfo=info)
    return out.getvalue()


def chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    """(type, data) of each chunk, read independently of the module under test."""
    found, offset = [], 8
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        found.append((data[offset + 4 : offset + 8], data[offset + 8 : offset + 8 + length]))
        offset += 12 + length
    return found


def test_a_baked_image_gives_the_credential_back_and_still_opens():
    baked = bake(png(), CREDENTIAL)
    assert unbake(baked) == CREDENTIAL
    image = Image.open(io.BytesIO(baked))
    image.load()
    assert image.size == (4, 3)
    # Pillow reads the chunk too: keyword and text as the spec has them.
    assert image.text["openbadgecredential"] == CREDENTIAL


def test_the_chunk_is_uncompressed_itxt_just_before_iend():
    baked = chunks(bake(png(), CREDENTIAL))
    assert [kind for kind, _ in baked[-2:]] == [b"iTXt", b"IEND"]
    data = baked[-2][1]
    # keyword, NUL, compression flag 0, method 0, no language tag, no translated keyword
    assert data == b"openbadgecredential\x00\x00\x00\x00\x00" + CREDENTIAL.encode()


def test_baking_again_replaces_the_credential():
    once = bake(png(), CREDENTIAL)
    twice = bake(once, '{"id": "urn:uuid:2"}')
    assert unbake(twice) == '{"id": "urn:uuid:2"}'
    kinds = [kind for kind, data in chunks(twice) if data.startswith(b"openbadgecredential\0")]
    assert kinds == [b"iTXt"]
    assert len(chunks(twice)) == len(chunks(once))


def test_other_text_chunks_are_kept():
    info = PngImagePlugin.PngInfo()
    info.add_itxt("openbadges", "https://example.org/assertion/1")  # Open Badges 2.0
    info.add_text("Software", "Nominee")
    baked = bake(png(info), CREDENTIAL)
    image = Image.open(io.BytesIO(baked))
    image.load()
    assert image.text == {
        "openbadges": "https://example.org/assertion/1",
        "Software": "Nominee",
        "openbadgecredential": CREDENTIAL,
    }


def test_a_compressed_credential_from_another_tool_is_read_and_replaced():
    info = PngImagePlugin.PngInfo()
    info.add_itxt("openbadgecredential", CREDENTIAL, zip=True)
    foreign = png(info)
    assert unbake(foreign) == CREDENTIAL
    rebaked = bake(foreign, "{}")
    assert unbake(rebaked) == "{}"
    assert sum(data.startswith(b"openbadgecredential") for _, data in chunks(rebaked)) == 1


def test_an_image_without_a_credential_unbakes_to_none():
    assert unbake(png()) is None


def test_the_award_badge_bakes():
    facts = BadgeFacts(
        1, "Nominee", "Ada", "Data", "2026", date(2026, 1, 1), date(2026, 12, 31),
        BadgeState.VALID, "example.org/awards/x",
    )  # fmt: skip
    baked = bake(badge_png(facts), CREDENTIAL)
    assert unbake(baked) == CREDENTIAL
    assert Image.open(io.BytesIO(baked)).size == (1200, 630)


def _with_chunk_after_iend(data: bytes) -> bytes:
    return data + struct.pack(">I", 0) + b"tEXt" + struct.pack(">I", zlib.crc32(b"tEXt"))


def _with_bad_crc(data: bytes) -> bytes:
    return data[:-1] + bytes([data[-1] ^ 1])


@pytest.mark.parametrize(
    ("make_input", "message"),
    [
        (lambda: b"", "PNG signature"),
        (lambda: b"GIF89a\x01\x00\x01\x00", "PNG signature"),
        (lambda: b"<svg xmlns='http://www.w3.org/2000/svg'/>", "PNG signature"),
        (lambda: png()[:-20], "Truncated"),
        (lambda: png()[:8], "Truncated"),
        (lambda: _with_bad_crc(png()), "CRC"),
        (lambda: _with_chunk_after_iend(png()), "follows its IEND"),
        (lambda: png()[:8] + struct.pack(">I", 0xFFFFFFF0) + b"IHDR", "Truncated"),
        (lambda: png()[:8] + png()[33:], "first chunk is not IHDR"),
        (lambda: "not bytes", "bytes"),
    ],
)
def test_what_is_not_a_sound_png_is_refused_clearly(make_input, message):
    data = make_input()
    with pytest.raises(BakingError, match=message):
        bake(data, CREDENTIAL)
    with pytest.raises(BakingError, match=message):
        unbake(data)


def test_a_credential_must_be_text():
    with pytest.raises(BakingError, match="text"):
        bake(png(), b"{}")  # type: ignore[arg-type]
    with pytest.raises(BakingError, match="Unicode"):
        bake(png(), "\ud800")


def test_a_malformed_credential_chunk_is_refused():
    body = b"openbadgecredential\x00\x01\x00\x00\x00not deflate"
    chunk = struct.pack(">I", len(body)) + b"iTXt" + body
    chunk += struct.pack(">I", zlib.crc32(b"iTXt" + body))
    data = png()
    damaged = data[:-12] + chunk + data[-12:]
    with pytest.raises(BakingError, match="deflate"):
        unbake(damaged)
    # Baking over it replaces it.
    assert unbake(bake(damaged, CREDENTIAL)) == CREDENTIAL


def test_a_baked_image_damaged_after_its_credential_is_refused():
    with pytest.raises(BakingError, match="follows its IEND"):
        unbake(_with_chunk_after_iend(bake(png(), CREDENTIAL)))


def test_a_credential_bigger_than_the_inflation_limit_is_refused(monkeypatch):
    from nominee.awards import baking

    info = PngImagePlugin.PngInfo()
    info.add_itxt("openbadgecredential", "x" * 5000, zip=True)
    monkeypatch.setattr(baking, "MAX_INFLATED", 1000)
    with pytest.raises(BakingError, match="too large"):
        unbake(png(info))
