"""``hustings accounts``: the registry of tracked accounts (who is a party, leader, candidate)."""

from __future__ import annotations

from typing import Annotated

import typer
from sqlalchemy import select

from hustings.cli.context import open_store
from hustings.cli.imports_cmd import report_imports, run_import
from hustings.cli.output import JsonOption, print_rows
from hustings.ingest.runner import ImportPlan
from hustings.store.schema import tracked_accounts

__all__ = ["app"]

app = typer.Typer(
    help="Manage tracked accounts: parties, leaders, candidates, staff, media.",
    no_args_is_help=True,
)


def is_registry_format(name: str) -> bool:
    """Registry importers are named ``registry-…``; nothing else may run here."""
    return name.startswith("registry")


@app.command("import")
def import_registry(
    ctx: typer.Context,
    paths: Annotated[list[str], typer.Argument(help="Registry files (CSV, YAML, JSON).")],
    fmt: Annotated[
        str | None, typer.Option("--format", "-f", help="Force a registry format.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Import a registry of tracked accounts, with role, party and riding.

    Example:

        hustings accounts import ../shared/data/registries/canada-uk-legislators/uk_legislators.csv
    """
    plan = ImportPlan(fmt=fmt, allowed=is_registry_format)
    summaries = run_import(ctx, paths, plan, as_json)
    report_imports(summaries, as_json)


@app.command("list")
def list_accounts(
    ctx: typer.Context,
    party: Annotated[str | None, typer.Option(help="Only this party.")] = None,
    role: Annotated[str | None, typer.Option(help="Only this role.")] = None,
    as_json: JsonOption = False,
) -> None:
    """List tracked accounts.

    Example:

        hustings accounts list --role leader
    """
    query = select(tracked_accounts).order_by(
        tracked_accounts.c.party, tracked_accounts.c.role, tracked_accounts.c.handle_lower
    )
    if party:
        query = query.where(tracked_accounts.c.party == party)
    if role:
        query = query.where(tracked_accounts.c.role == role)
    store = open_store(ctx)
    with store.begin() as conn:
        rows = [dict(r._mapping) for r in conn.execute(query)]
    store.close()
    print_rows(
        rows,
        ["platform", "handle", "role", "name", "party", "district", "office"],
        as_json,
        "Tracked accounts",
    )
