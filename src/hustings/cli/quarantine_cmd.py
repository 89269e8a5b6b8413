"""``hustings quarantine list | retry | clear``: the records imports set aside."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from hustings.cli.context import open_store
from hustings.cli.output import JsonOption, err, print_rows
from hustings.errors import NotFoundError
from hustings.ingest.quarantine import clear_batch, count_entries, list_entries, retry

__all__ = ["app"]

app = typer.Typer(
    help="List, retry or clear the records imports could not read.",
    invoke_without_command=True,
)

BatchOption = Annotated[int | None, typer.Option("--batch", help="Only this import batch.")]


def _no_batch(exc: NotFoundError) -> typer.BadParameter:
    return typer.BadParameter(str(exc), param_hint="--batch")


@app.callback()
def _quarantine(ctx: typer.Context) -> None:
    """List, retry or clear the records imports could not read.

    Without a command, lists them as `hustings quarantine list` does.

    Example:

        hustings quarantine
    """
    if ctx.invoked_subcommand is None:
        _list(ctx, None, as_json=False)


def _list(ctx: typer.Context, batch: int | None, as_json: bool) -> None:
    store = open_store(ctx)
    with store.begin() as conn:
        found = list_entries(conn, batch)
    store.close()
    rows = [
        {
            "id": q.id,
            "batch": q.batch_id,
            "source": q.source,
            "unit": q.unit,
            "position": q.position,
            "where": f"{q.unit} {q.position:,}",
            "reason": q.reason,
            "excerpt": q.excerpt,
        }
        for q in found
    ]
    # The reason first after the place: a long path must not push it off a narrow screen.
    print_rows(rows, ["batch", "where", "reason", "source"], as_json, "Quarantine")


@app.command("list")
def list_(ctx: typer.Context, batch: BatchOption = None, as_json: JsonOption = False) -> None:
    """List records imports could not accept, with batch, file, line and reason.

    Example:

        hustings quarantine list --batch 3
    """
    _list(ctx, batch, as_json)


@app.command("retry")
def retry_(ctx: typer.Context, batch: BatchOption = None, as_json: JsonOption = False) -> None:
    """Read quarantined records again with today's code and the batch's own options.

    Each record is re-read from its file (which must be unchanged since its import) with the
    importer, mapping and time zone its batch used. Records that now parse are stored as an
    import stores them and leave the quarantine; the others stay, with today's reason.
    Running it again changes nothing. Records from stdin or a live connection are left as
    they are.

    Example:

        hustings quarantine retry --batch 3
    """
    store = open_store(ctx)
    try:
        results = retry(store, batch)
    except NotFoundError as exc:
        raise _no_batch(exc) from None
    finally:
        store.close()
    rows = [
        {
            "batch": r.batch_id,
            "source": r.source,
            "retried": r.retried,
            "imported": r.imported,
            "still": r.still,
            "skipped": r.skipped,
            "note": r.note,
            "reasons": r.reasons,
        }
        for r in results
    ]
    if as_json:
        print_rows(rows, [], as_json=True)
        return
    print_rows(
        rows,
        ["batch", "source", "retried", "imported", "still", "skipped", "note"],
        as_json=False,
        title="Quarantine retried",
    )
    imported = sum(r.imported for r in results)
    still = sum(r.still + r.skipped for r in results)
    err.print(f"[green]{imported:,} now imported[/], [red]{still:,} still quarantined[/]")


@app.command("clear")
def clear(
    ctx: typer.Context,
    batch: Annotated[int, typer.Option("--batch", help="The import batch to clear.")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Forget one batch's quarantined records (the batch's counts stay as they were).

    Asks first; in a script, pass --yes.

    Example:

        hustings quarantine clear --batch 3 --yes
    """
    store = open_store(ctx)
    try:
        with store.begin() as conn:
            count = count_entries(conn, batch)
        if not yes:
            if not sys.stdin.isatty():
                raise typer.BadParameter(
                    "no terminal to ask for confirmation: pass --yes", param_hint="--yes"
                )
            typer.confirm(
                f"Forget the {count:,} quarantined records of batch {batch}?", abort=True,
                err=True,
            )
        with store.begin() as conn:
            cleared = clear_batch(conn, batch)
    except NotFoundError as exc:
        raise _no_batch(exc) from None
    finally:
        store.close()
    err.print(f"Cleared {cleared:,} quarantined records of batch {batch}.")
