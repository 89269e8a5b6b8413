"""The CLI reference: every command's ``--help``, as ``docs/cli.md`` prints it (by cog).

Rendered with click's plain formatter at a fixed width rather than Rich's boxes, so that the
page is the same on every machine and terminal, and a test (``cog --check``) can tell when a
command's help changed without the page following. Typer carries its own copy of click, so
commands and contexts are reached through Typer's objects, never ``import click``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import typer
import typer.core

__all__ = ["WIDTH", "command_help", "command_paths"]

WIDTH = 88


def _context(command: Any, name: str, parent: Any = None) -> Any:
    return command.context_class(
        command, info_name=name, parent=parent, terminal_width=WIDTH, max_content_width=WIDTH
    )


def _walk(command: Any, ctx: Any, path: str) -> Iterator[tuple[str, Any]]:
    """``(path, context)`` for ``command`` and, for a group, every command under it."""
    yield path, ctx
    if hasattr(command, "list_commands"):
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is not None and not sub.hidden:
                yield from _walk(sub, _context(sub, name, ctx), f"{path} {name}")


def _root(app: typer.Typer) -> Iterator[tuple[str, Any]]:
    root = typer.main.get_command(app)
    return _walk(root, _context(root, "hustings"), "hustings")


def command_paths(app: typer.Typer) -> list[str]:
    """Every command and group, by the words that call it (``hustings quarantine retry``)."""
    return [path for path, _ in _root(app)]


def command_help(app: typer.Typer) -> list[tuple[str, str]]:
    """``(path, help text)`` for the root, every group and every command, in menu order."""
    plain, typer.core.HAS_RICH = typer.core.HAS_RICH, False
    try:
        return [(path, ctx.command.get_help(ctx).rstrip()) for path, ctx in _root(app)]
    finally:
        typer.core.HAS_RICH = plain
