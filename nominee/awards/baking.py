"""Open Badges baking: a credential carried inside the badge's PNG image.

Open Badges 3.0 (https://www.imsglobal.org/spec/ob/v3p0/#baking) puts the credential in
an ``iTXt`` chunk with the keyword ``openbadgecredential``, uncompressed, before the
image's ``IEND`` chunk; a baked image holds one such chunk. Pure Python on the PNG chunk
layout (length, type, data, CRC-32 of type and data), so any image library can open the
result and any Open Badges tool can read the credential back.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
KEYWORD = b"openbadgecredential"
# What unbaking inflates at most from a compressed chunk (the spec bakes uncompressed;
# a foreign tool might not): a credential is a few kilobytes.
MAX_INFLATED = 16 * 1024 * 1024
_MAX_CHUNK = 2**31 - 1  # PNG: a chunk's length fits in 31 bits


class BakingError(ValueError):
    """The bytes are not a PNG image this module can bake or read."""


def _chunks(png: bytes) -> Iterator[tuple[bytes, bytes, bytes]]:
    """``(type, data, raw chunk)`` for each chunk of ``png``, checked: the signature,
    lengths inside the file, each CRC, IHDR first and nothing after IEND."""
    if not isinstance(png, bytes | bytearray | memoryview):
        raise BakingError("A PNG image is bytes.")
    png = bytes(png)
    if not png.startswith(PNG_SIGNATURE):
        raise BakingError("Not a PNG image: it does not start with the PNG signature.")
    offset = len(PNG_SIGNATURE)
    first = True
    while True:
        if offset + 12 > len(png):
            raise BakingError("Truncated PNG image: it ends before its IEND chunk.")
        length, kind = struct.unpack(">I4s", png[offset : offset + 8])
        end = offset + 12 + length
        if length > _MAX_CHUNK or end > len(png):
            raise BakingError(f"Truncated PNG image: its {kind!r} chunk runs past the end.")
        data = png[offset + 8 : end - 4]
        (crc,) = struct.unpack(">I", png[end - 4 : end])
        if zlib.crc32(kind + data) != crc:
            raise BakingError(f"Damaged PNG image: the CRC of its {kind!r} chunk is wrong.")
        if first and kind != b"IHDR":
            raise BakingError("Not a PNG image: its first chunk is not IHDR.")
        first = False
        yield kind, data, png[offset:end]
        offset = end
        if kind == b"IEND":
            if offset != len(png):
                raise BakingError("Damaged PNG image: data follows its IEND chunk.")
            return


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _is_credential(kind: bytes, data: bytes) -> bool:
    return kind == b"iTXt" and data.startswith(KEYWORD + b"\x00")


def bake(png: bytes, credential_json: str) -> bytes:
    """``png`` with ``credential_json`` (the credential as JSON, or a compact JWS) in an
    uncompressed ``openbadgecredential`` iTXt chunk before IEND, replacing one already
    there. ``BakingError`` when ``png`` is not a sound PNG image."""
    if not isinstance(credential_json, str):
        raise BakingError("The credential to bake is text (its JSON).")
    try:
        text = credential_json.encode("utf-8")
    except UnicodeEncodeError as exc:  # a lone surrogate
        raise BakingError("The credential is not valid Unicode text.") from exc
    # keyword, NUL, compression flag 0 and method 0, empty language tag and translated
    # keyword (each NUL-terminated), then the UTF-8 text.
    baked = _chunk(b"iTXt", KEYWORD + b"\x00\x00\x00\x00\x00" + text)
    if len(baked) - 12 > _MAX_CHUNK:
        raise BakingError("The credential is too large for a PNG chunk.")
    out = [PNG_SIGNATURE]
    for kind, data, raw in _chunks(png):
        if _is_credential(kind, data):
            continue
        if kind == b"IEND":
            out.append(baked)
        out.append(raw)
    return b"".join(out)


def unbake(png: bytes) -> str | None:
    """The credential baked in ``png`` (its first ``openbadgecredential`` chunk), or None
    when there is none. ``BakingError`` when ``png`` is not a sound PNG image (checked to
    its end) or the chunk is malformed."""
    found = [data for kind, data, _raw in _chunks(png) if _is_credential(kind, data)]
    return _text(found[0]) if found else None


def _text(data: bytes) -> str:
    """The text of an ``openbadgecredential`` iTXt chunk's data."""
    rest = data[len(KEYWORD) + 1 :]
    if len(rest) < 2:
        raise BakingError("Malformed openbadgecredential chunk: no compression flag.")
    compressed, method = rest[0], rest[1]
    parts = rest[2:].split(b"\x00", 2)  # language tag, translated keyword, text
    if len(parts) != 3:
        raise BakingError("Malformed openbadgecredential chunk: missing separators.")
    text = parts[2]
    if compressed:
        if method != 0:
            raise BakingError("Malformed openbadgecredential chunk: unknown compression.")
        inflater = zlib.decompressobj()
        try:
            text = inflater.decompress(text, MAX_INFLATED)
        except zlib.error as exc:
            raise BakingError("Malformed openbadgecredential chunk: bad deflate data.") from exc
        if inflater.unconsumed_tail:
            raise BakingError("The baked credential is too large.")
    try:
        return text.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BakingError("The baked credential is not UTF-8 text.") from exc
