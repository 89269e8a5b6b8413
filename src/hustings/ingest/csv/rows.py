"""Stream CSV records with the line each starts on, turning bad bytes into quarantine entries.

The standard ``csv`` module over a strict UTF-8 text wrapper stops at the first bad byte
and loses the line number. Here each physical line is decoded on its own (undecodable bytes
kept as surrogates), so a record spanning several quoted lines still parses, its first line
is known, and a record with invalid UTF-8 is set aside while the rest of the file imports.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from hustings.ingest.readers import MAX_LINE_BYTES, iter_lines, quarantined
from hustings.model import Quarantined

__all__ = ["Row", "header_of", "iter_records", "iter_rows"]

_SURROGATE = re.compile("[\udc80-\udcff]")
_BOM = "\ufeff"


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


def iter_rows(
    stream: BinaryIO, source: str, repair: Callable[[str], str] | None = None
) -> Iterator[Row | Quarantined]:
    """Yield every non-blank record as a ``Row``, or a ``Quarantined`` with its line and reason.

    The first record (the header) is yielded like any other; a BOM before it is dropped.
    ``repair`` may rewrite each field first: undecodable bytes reach it as surrogates
    (``\udc94`` for byte 0x94), so a known defect of one file can be mended precisely.
    """
    too_long: list[int] = []

    def lines() -> Iterator[str]:
        for number, raw in iter_lines(stream):
            if raw is None:
                too_long.append(number)
                yield "\n"
                continue
            text = raw.decode("utf-8", "surrogateescape")
            yield text.lstrip(_BOM) if number == 1 else text

    reader = csv.reader(lines(), strict=False)
    consumed = 0
    while True:
        start = consumed + 1
        try:
            fields = next(reader)
        except StopIteration:
            fields = None
        except csv.Error as exc:
            consumed = reader.line_num
            yield quarantined(source, start, "line", f"malformed CSV: {exc}")
            continue
        consumed = reader.line_num
        if fields is None:
            return
        if too_long and too_long[0] <= consumed:
            del too_long[:]
            reason = f"line longer than {MAX_LINE_BYTES} bytes"
            yield quarantined(source, start, "line", reason)
            continue
        if not fields or (len(fields) == 1 and not fields[0].strip()):
            continue
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
