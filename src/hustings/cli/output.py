"""How listing commands print: a Rich table on stderr for people, JSON lines for machines."""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Annotated, Any, TypeVar

import orjson
import typer
from rich.console import Console
from rich.table import Table

__all__ = ["JsonOption", "err", "fit_to_terminal", "print_json", "print_rows", "progress_enabled"]

err = Console(stderr=True)


def fit_to_terminal() -> None:
    """Size tables to ``$COLUMNS`` as it is now, not as it was when this module loaded.

    Rich reads ``COLUMNS`` once, when the console is made; a command run in-process after
    another (the web app's ``--get``-style callers, the test runner) kept the first width.
    """
    columns = os.environ.get("COLUMNS", "")
    err.width = int(columns) if columns.isdigit() and int(columns) > 0 else None  # type: ignore[assignment]

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON (one object a line).")]

F = TypeVar("F", bound=Callable[..., Any])

_FOLDED = 16
"""The narrowest a folded column (a path) is made."""


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def print_json(value: Any) -> None:
    sys.stdout.write(
        orjson.dumps(value, default=_default, option=orjson.OPT_NON_STR_KEYS).decode() + "\n"
    )
    sys.stdout.flush()


def print_rows(
    rows: Iterable[Mapping[str, Any]],
    columns: Sequence[str],
    as_json: bool,
    title: str | None = None,
    fold: Sequence[str] = (),
) -> None:
    """One JSON object a line with ``--json``, else a table people can read.

    Values of the ``fold`` columns (file paths) may be cut anywhere onto more lines, so that
    a long one does not push the columns after it off the screen.
    """
    if as_json:
        for row in rows:
            print_json(dict(row))
        return
    cells = [["" if row.get(c) is None else _cell(row[c]) for c in columns] for row in rows]
    shown, widths = _fitting(columns, cells, err.width, {columns.index(c) for c in fold})
    table = Table(title=title, header_style="bold")
    for n in shown:
        # Fold a value longer than its column (a path, an id) onto more lines: an ellipsis
        # would hide the part that tells one row from the next ("demo-out…").
        table.add_column(columns[n].replace("_", " "), overflow="fold", width=widths[n])
    for line in cells:
        table.add_row(*(line[n] for n in shown))
    err.print(table)
    hidden = [columns[n] for n in range(len(columns)) if n not in shown]
    if hidden:
        err.print(
            f"[dim]Not shown at this width: {', '.join(hidden)} (widen the terminal or use "
            "--json).[/]",
            highlight=False,
        )


def _fitting(
    columns: Sequence[str], cells: list[list[str]], width: int, fold: set[int] | None = None
) -> tuple[list[int], dict[int, int | None]]:
    """The columns that fit ``width`` without breaking a word, leftmost first, and their widths.

    A table wraps long values at spaces, but a column narrower than its longest word cuts
    words apart; rather than that, the rightmost columns are left out (at least two stay).
    Space left over goes to the columns that want it, the least needy first.
    """
    heads = [c.replace("_", " ") for c in columns]

    def sizes(n: int) -> tuple[int, int]:
        values = [line[n] for line in cells] + [heads[n]]
        words = [len(w) for v in values for w in v.split()]
        natural = max((len(v) for v in values), default=1)
        if fold and n in fold:  # a path may be cut anywhere: it needs only a readable width
            return min(max(words, default=1), max(len(heads[n]), _FOLDED)), natural
        return max(words, default=1), natural

    least, natural = zip(*(sizes(n) for n in range(len(columns))), strict=True)
    shown = list(range(len(columns)))
    while len(shown) > 2 and sum(least[n] + 3 for n in shown) + 1 > width:  # padding, border
        shown.pop()
    if sum(least[n] + 3 for n in shown) + 1 > width:
        return shown, dict.fromkeys(shown)  # even two do not fit: let the table fold words
    given = {n: least[n] for n in shown}
    spare = width - 1 - sum(given[n] + 3 for n in shown)
    wanting = sorted(shown, key=lambda n: natural[n] - least[n])
    for i, n in enumerate(wanting):
        more = min(natural[n] - least[n], spare // (len(wanting) - i))
        given[n] += more
        spare -= more
    return shown, {n: given[n] for n in shown}


def _cell(value: Any) -> str:
    """A value as a person reads it: counts as integers, shares rounded, times to the minute."""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a count that went through pandas comes back as 0.0
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    if isinstance(value, float):
        return "" if math.isnan(value) else f"{value:,.2f}"
    return str(value)


def progress_enabled(as_json: bool) -> bool:
    """Progress bars only for a person watching: not with --json, not into a pipe."""
    return not as_json and err.is_terminal
