"""What every command needs from the command line's context: the store to work on."""

from __future__ import annotations

import typer

from hustings.store import Store

__all__ = ["open_store"]


def open_store(ctx: typer.Context) -> Store:
    """The store named by ``--db`` / ``HUSTINGS_DATABASE_URL``, else the default SQLite file."""
    root = ctx.find_root()
    url = root.obj.get("db") if isinstance(root.obj, dict) else None
    return Store.open(url)
