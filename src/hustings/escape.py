"""Escaping for the files Hustings writes: CSV cells a spreadsheet will open, JSON inside HTML.

CSV: a spreadsheet runs a cell that begins with ``=``, ``+``, ``-`` or ``@`` as a formula
(``=HYPERLINK(...)``, ``+cmd|' /C calc'!A0``, ``-2+3``, ``@SUM(...)``), and a leading tab or
carriage return can hide such a cell's start. As OWASP's "CSV Injection" page recommends,
``csv_cell`` prefixes such a cell with a single quote, which spreadsheets show as text and do
not evaluate. Plain numbers are kept as they are: a cell that is nothing but a decimal number
(``-2``, ``-0.5``, ``1e-3``) cannot carry a formula, and quoting it would turn every negative
count or score into text. The test is the whole cell against a strict number pattern, so
``-2+3`` or ``-1e5)`` still gets its quote. ``csv_value`` undoes the quote on import, so a
file Hustings wrote reads back to what it held.

HTML: JSON inside a ``<script>`` element ends at ``</script>``, and ``<!--`` followed by
``<script`` puts the parser in a state where even ``</script>`` no longer ends it, so one
user name like ``<!--<script>`` swallowed the rest of a report. ``script_json`` writes
``<``, ``>`` and ``&`` (and the JavaScript line separators) as ``\\uXXXX`` escapes, which
leave the JSON's meaning unchanged and give the HTML parser nothing to see.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import IO, Any

__all__ = ["csv_cell", "csv_value", "script_json", "write_csv_rows"]

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?")
_SCRIPT_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}
_SCRIPT_UNSAFE = re.compile("[<>&\u2028\u2029]")


def csv_cell(value: Any) -> Any:
    """``value`` made safe to open in a spreadsheet: formula-leading text gets a ``'``.

    Anything that is not a string (numbers, ``None``) is returned unchanged, and so is a
    string that is exactly a decimal number.
    """
    if not isinstance(value, str) or not value.startswith(_FORMULA_START):
        return value
    if _NUMBER.fullmatch(value):
        return value
    return "'" + value


def csv_value(cell: str) -> str:
    """A cell read back from a CSV ``csv_cell`` wrote: the protective quote removed.

    Only a quote that ``csv_cell`` would have added is removed (a ``'`` followed by a
    formula-leading character), so a value that really begins with a quote is kept.
    """
    if cell.startswith("'") and cell[1:2] and cell[1:].startswith(_FORMULA_START):
        return cell[1:]
    return cell


def write_csv_rows(
    handle: IO[str],
    columns: Sequence[str],
    rows: Iterable[Mapping[str, Any]],
    **fmt: Any,
) -> None:
    """Write a header and ``rows`` as CSV with every cell passed through ``csv_cell``.

    Every CSV writer in Hustings goes through here, so none can forget the escaping.
    ``fmt`` is passed to ``csv.writer`` (e.g. ``lineterminator``).
    """
    writer = csv.writer(handle, **fmt)
    writer.writerow([csv_cell(c) for c in columns])
    for row in rows:
        writer.writerow([csv_cell(row.get(c)) for c in columns])


def script_json(value: Any) -> str:
    """``value`` as JSON that is safe inside an HTML ``<script>`` element."""
    text = json.dumps(value)
    return _SCRIPT_UNSAFE.sub(lambda m: _SCRIPT_ESCAPES[m.group()], text)
