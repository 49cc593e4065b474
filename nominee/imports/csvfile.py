"""Reading an uploaded CSV file as a stream of rows, never all of it at once.

``rows(stream)`` decodes the upload as UTF-8 (with or without a byte-order mark) and
yields ``(line, cells)`` for each record; a problem with the file itself (not UTF-8, a
line longer than ``rules.MAX_LINE``, a quote never closed) raises ``FileProblem`` with
the message for the member. No database, no Flask.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from typing import IO, Any

from nominee.formatting import format_number
from nominee.i18n import _
from nominee.imports import rules


class FileProblem(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _lines(text: IO[str], counter: list[int]) -> Iterator[str]:
    """The file's physical lines, each at most ``rules.MAX_LINE`` characters (a huge line
    is refused before it is held in memory); ``counter[0]`` is the current line."""
    while True:
        try:
            line = text.readline(rules.MAX_LINE + 1)
        except UnicodeDecodeError as exc:
            raise FileProblem(
                _(
                    "Line %(line)d is not UTF-8 text: save the file as “CSV UTF-8” "
                    "from your spreadsheet and upload it again.",
                    line=counter[0] + 1,
                )
            ) from exc
        if not line:
            return
        counter[0] += 1
        if len(line) > rules.MAX_LINE and not line.endswith("\n"):
            raise FileProblem(
                _(
                    "Line %(line)d is longer than %(max)s characters: is this a CSV file?",
                    line=counter[0],
                    max=format_number(rules.MAX_LINE),
                )
            )
        yield line


def rows(stream: IO[bytes]) -> Iterator[tuple[int, list[str]]]:
    """``(line number, cells)`` of each record of the CSV file ``stream`` (the line a
    record starts on: a quoted cell may span lines). Blank records are skipped."""
    head = stream.read(4096)  # enough to tell text from a binary file
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise FileProblem(
            _(
                "The file is UTF-16 text: save it as “CSV UTF-8” from your spreadsheet and "
                "upload it again."
            )
        )
    if b"\x00" in head:
        raise FileProblem(_("This is not a CSV file: upload a CSV (comma-separated) text file."))
    joined = io.BufferedReader(_Prefixed(head, stream))
    text = io.TextIOWrapper(joined, encoding="utf-8-sig", errors="strict", newline="")
    counter = [0]
    reader = csv.reader(_lines(text, counter), strict=True)
    start = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise FileProblem(
                _(
                    "Line %(line)d cannot be read as CSV (%(error)s): check its quotes.",
                    line=counter[0],
                    error=exc,
                )
            ) from exc
        if any(cell.strip() for cell in cells):
            yield start, cells
        start = counter[0] + 1


class _Prefixed(io.RawIOBase):
    """``stream`` with the bytes already read from it put back in front."""

    def __init__(self, prefix: bytes, stream: IO[bytes]) -> None:
        self._prefix = prefix
        self._stream = stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._prefix:
            size = min(len(buffer), len(self._prefix))
            buffer[:size] = self._prefix[:size]
            self._prefix = self._prefix[size:]
            return size
        data = self._stream.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)
