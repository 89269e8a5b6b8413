"""``hustings export``: hand the store's records to other tools."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from hustings.cli.context import open_store
from hustings.cli.output import JsonOption, print_json, print_rows

__all__ = ["app"]

app = typer.Typer(help="Export the store for analysis.", no_args_is_help=True)


@app.command("parquet")
def parquet(
    ctx: typer.Context,
    out_dir: Annotated[Path, typer.Argument(help="Folder to write into.", file_okay=False)],
    as_json: JsonOption = False,
) -> None:
    """Write messages (by platform and month), accounts, registry and follower snapshots.

    Example:

        hustings export parquet analytics/
    """
    store = open_store(ctx)
    from hustings.store.parquet import export_parquet  # pyarrow: only when exporting

    written = export_parquet(store, out_dir)
    store.close()
    if as_json:
        print_json({name: str(path) for name, path in written.items()})
    else:
        print_rows(
            [{"table": k, "path": str(v)} for k, v in written.items()],
            ["table", "path"],
            as_json=False,
            title="Parquet written",
        )
