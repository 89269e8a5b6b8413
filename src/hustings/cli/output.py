"""How listing commands print: a Rich table on stderr for people, JSON lines for machines."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Annotated, Any, TypeVar

import orjson
import typer
from rich.console import Console
from rich.table import Table

__all__ = ["JsonOption", "err", "print_json", "print_rows", "progress_enabled"]

err = Console(stderr=True)

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON (one object a line).")]

F = TypeVar("F", bound=Callable[..., Any])


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def print_json(value: Any) -> None:
    sys.stdout.write(orjson.dumps(value, default=_default).decode() + "\n")
    sys.stdout.flush()


def print_rows(
    rows: Iterable[Mapping[str, Any]],
    columns: Sequence[str],
    as_json: bool,
    title: str | None = None,
) -> None:
    """One JSON object a line with ``--json``, else a table people can read."""
    if as_json:
        for row in rows:
            print_json(dict(row))
        return
    table = Table(title=title, header_style="bold")
    for column in columns:
        table.add_column(column.replace("_", " "))
    for row in rows:
        table.add_row(*("" if row.get(c) is None else _cell(row[c]) for c in columns))
    err.print(table)


def _cell(value: Any) -> str:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def progress_enabled(as_json: bool) -> bool:
    """Progress bars only for a person watching: not with --json, not into a pipe."""
    return not as_json and err.is_terminal
