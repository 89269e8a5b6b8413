"""Stream CSV records with the line each starts on, turning bad bytes into quarantine entries.

The standard ``csv`` module over a strict UTF-8 text wrapper stops at the first bad byte
and loses the line number. Here each physical line is decoded on its own (undecodable bytes
kept as surrogates), so a record spanning several quoted lines still parses, its first line
is known, and a record with invalid UTF-8 is set aside while the rest of the file imports.
"""

from __future__ import annotations

import csv
import re
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from hustings.ingest.readers import MAX_LINE_BYTES, iter_lines, quarantined
from hustings.model import Quarantined

__all__ = ["Row", "header_of", "iter_records", "iter_rows"]

_SURROGATE = re.compile("[\udc80-\udcff]")
_BOM = "\ufeff"
_MAX_RECORD_BYTES = 1024 * 1024
"""A quoted field may span lines, but a record longer than this is an unclosed quote."""
_UNCLOSED = "unclosed quote: a quoted field opens on this line and never closes"


class _RecordTooLong(Exception):
    """Raised inside the line feed when one record grows past ``_MAX_RECORD_BYTES``."""


@dataclass(frozen=True, slots=True)
class Row:
    """One CSV record: the line it starts on and its fields, text already validated."""

    line: int
    fields: list[str]

    def excerpt(self) -> str:
        return ",".join(self.fields)


def header_of(head: bytes) -> list[str]:
    """The column names in the first line of ``head`` (for sniffing), or ``[]``."""
    first = head.split(b"\n", 1)[0].decode("utf-8", "replace").lstrip(_BOM)
    try:
        names = next(csv.reader([first]), [])
    except csv.Error:
        return []
    return [name.strip() for name in names]


def _has_bad_bytes(fields: list[str]) -> bool:
    return any(_SURROGATE.search(value) for value in fields)


def _shown(fields: list[str]) -> str:
    joined = ",".join(fields)
    return joined.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


class _Lines:
    """The file's lines for ``csv.reader``, numbered, with the lines of the record being read
    kept (``current``) so that they can be fed again (``replay``).

    An iterator object rather than a generator: raising ``_RecordTooLong`` from a generator
    would end it, and the lines after the bad record would be lost.
    """

    def __init__(self, stream: BinaryIO) -> None:
        self._source = iter_lines(stream)
        self._again: deque[tuple[int, str | None]] = deque()
        self.current: list[tuple[int, str | None]] = []
        self._size = 0

    def start_record(self) -> None:
        self.current = []
        self._size = 0

    def replay(self, lines: list[tuple[int, str | None]]) -> None:
        self._again.extendleft(reversed(lines))

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        if self._again:
            number, text = self._again.popleft()
        else:
            number, raw = next(self._source)
            text = None if raw is None else raw.decode("utf-8", "surrogateescape")
            if number == 1 and text is not None:
                text = text.lstrip(_BOM)
        self.current.append((number, text))
        self._size += MAX_LINE_BYTES if text is None else len(text)
        if len(self.current) > 1 and self._size > _MAX_RECORD_BYTES:
            raise _RecordTooLong
        return "\n" if text is None else text


def _first(lines: list[tuple[int, str | None]]) -> str:
    """The first line of a bad record, as the quarantine shows it."""
    return _shown([(lines[0][1] or "").rstrip("\r\n")])


def iter_rows(
    stream: BinaryIO, source: str, repair: Callable[[str], str] | None = None
) -> Iterator[Row | Quarantined]:
    """Yield every non-blank record as a ``Row``, or a ``Quarantined`` with its line and reason.

    The first record (the header) is yielded like any other; a BOM before it is dropped.
    ``repair`` may rewrite each field first: undecodable bytes reach it as surrogates
    (``\udc94`` for byte 0x94), so a known defect of one file can be mended precisely.

    An unclosed quote must not swallow the rows after it. A record that spans several lines
    and then breaks the CSV rules (a closing quote followed by text, the end of the file
    inside quotes, more than ``_MAX_RECORD_BYTES``) or has another number of fields than the
    header is taken to open a quote it never closes: its first line is quarantined and the
    lines after it are read again as records of their own.
    """
    feed = _Lines(stream)
    reader = csv.reader(feed, strict=True)
    width: int | None = None
    while True:
        feed.start_record()
        error: str | None = None
        try:
            fields = next(reader)
        except StopIteration:
            return
        except _RecordTooLong:
            fields, error = [], f"a record longer than {_MAX_RECORD_BYTES} bytes"
        except csv.Error as exc:
            fields, error = [], str(exc)
        current = feed.current
        if not current:
            return
        start = current[0][0]
        spans = len(current) > 1
        if spans and (error is not None or (width is not None and len(fields) != width)):
            feed.replay(current[1:])
            yield quarantined(source, start, "line", _UNCLOSED, _first(current))
            continue
        if error is not None:
            reason = _UNCLOSED if "end of data" in error else f"malformed CSV: {error}"
            yield quarantined(source, start, "line", reason, _first(current))
            continue
        if any(text is None for _, text in current):
            yield quarantined(source, start, "line", f"line longer than {MAX_LINE_BYTES} bytes")
            continue
        if not fields or (len(fields) == 1 and not fields[0].strip()):
            continue
        if width is None:
            width = len(fields)
        if repair is not None:
            fields = [repair(value) for value in fields]
        if _has_bad_bytes(fields):
            yield quarantined(source, start, "line", "invalid UTF-8", _shown(fields))
            continue
        yield Row(line=start, fields=fields)


def iter_records(
    stream: BinaryIO, source: str, repair: Callable[[str], str] | None = None
) -> Iterator[tuple[int, dict[str, str]] | Quarantined]:
    """Yield ``(line, {column: value})`` per record after the header, or a ``Quarantined``.

    A record with a different number of fields than the header is quarantined: guessing which
    column was dropped would put values under the wrong names.
    """
    rows = iter_rows(stream, source, repair)
    first = next(rows, None)
    if not isinstance(first, Row):
        return
    header = [name.strip() for name in first.fields]
    for row in rows:
        if isinstance(row, Quarantined):
            yield row
        elif len(row.fields) != len(header):
            reason = f"expected {len(header)} columns, found {len(row.fields)}"
            yield quarantined(source, row.line, "line", reason, row.excerpt())
        else:
            yield row.line, dict(zip(header, row.fields, strict=True))
