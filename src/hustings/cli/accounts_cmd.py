"""``hustings accounts``: the registry of tracked accounts (who is a party, leader, candidate)."""

from __future__ import annotations

from typing import Annotated

import typer

from hustings.cli.context import open_store
from hustings.cli.imports_cmd import report_imports, run_import
from hustings.cli.output import JsonOption, print_rows
from hustings.ingest.runner import ImportPlan
from hustings.model import Role
from hustings.store.search import list_tracked, tracked_parties

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
    party: Annotated[
        str | None, typer.Option(help="Only this party (any case); unknown names list the known.")
    ] = None,
    role: Annotated[Role | None, typer.Option(case_sensitive=False, help="Only this role.")] = None,
    as_json: JsonOption = False,
) -> None:
    """List tracked accounts.

    Example:

        hustings accounts list --role leader
    """
    store = open_store(ctx)
    with store.begin() as conn:
        named = None
        if party is not None:
            parties = tracked_parties(conn)
            named = next((p for p in parties if p.casefold() == party.casefold()), None)
            if named is None:
                store.close()
                known = ", ".join(parties) or "none: import a registry first"
                raise typer.BadParameter(
                    f"no tracked account of party {party!r}; parties: {known}",
                    param_hint="--party",
                )
        rows = list_tracked(conn, named, role.value if role else None)
    store.close()
    print_rows(
        rows,
        ["platform", "handle", "role", "party", "name", "district", "office"],
        as_json,
        "Tracked accounts",
    )
