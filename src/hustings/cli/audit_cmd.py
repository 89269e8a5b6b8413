"""``hustings audit``: the dialogic scorecard over the store, or straight over files.

A thin shell: it gets a Parquet snapshot (exported from the store, or from a temporary store
the named files are imported into), runs :func:`hustings.metrics.run_audit` on the chosen
engine, prints the league table and, with ``--out``, writes the report.
"""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from hustings.cli.context import open_store
from hustings.cli.output import JsonOption, err, print_json, print_rows, progress_enabled
from hustings.errors import ConfigError
from hustings.ingest.runner import ImportPlan, import_paths
from hustings.metrics import ENGINES, AuditParams, Denominator
from hustings.store import Store

if TYPE_CHECKING:
    from hustings.metrics import Scope, Scorecard

__all__ = ["audit", "register"]

_LEAGUE_COLUMNS = [
    "platform",
    "handle",
    "dialogue_score",
    "party",
    "role",
    "reply_share",
    "response_rate_72h",
    "median_first_response_min",
    "reciprocity",
    "waiting",
]


def _when(value: str | None, end: bool = False) -> datetime | None:
    """A date or ISO time in UTC; a bare ``--until`` date includes that whole day."""
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise ConfigError(f"not a date or ISO time: {value!r}") from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    if end and len(value) == 10:
        parsed = parsed.replace(hour=23, minute=59, second=59)
    return parsed.astimezone(UTC)


def _store_to_audit(ctx: typer.Context, paths: list[str], registry: list[str], work: Path) -> Store:
    """The user's store, or a throwaway one holding ``paths``; with the registry imported."""
    if paths:
        store = Store.open(f"sqlite:///{work / 'audit.db'}")
        import_paths(store, paths)
    else:
        store = open_store(ctx)
    if registry:
        import_paths(store, registry, ImportPlan(allowed=lambda n: n.startswith("registry")))
    return store


def _scope(
    store: Store, parties: list[str], handles: list[str], workspace: str | None
) -> Scope | None:
    """The accounts the headline speaks for, from ``--party``, ``--account``, ``--workspace``."""
    from hustings.metrics import Scope

    owned: set[tuple[str, str]] = set()
    if workspace is not None:
        from hustings.workspace import find_workspace, owned_handles

        with store.begin() as conn:
            owned = owned_handles(conn, find_workspace(conn, workspace).id)
    return Scope.of(parties, handles, owned, workspace)


def _print_league(card: Scorecard, as_json: bool) -> None:
    from hustings.metrics import SCORE_DEFINITION, to_records  # Ibis and pandas: on use

    shown = card.in_scope
    rows = to_records(shown[[c for c in _LEAGUE_COLUMNS if c in shown]])
    if as_json:
        for row in rows:
            print_json(row)
        return
    title = f"Dialogue league, {card.window_text()}"
    if card.scope is not None:
        title = f"{card.scope.label}: {len(shown)} of {len(card.accounts)} accounts, " + title
    print_rows(rows, _LEAGUE_COLUMNS, False, title)
    err.print(f"[dim]{SCORE_DEFINITION}[/]", soft_wrap=True)


def audit(
    ctx: typer.Context,
    paths: Annotated[
        list[str] | None,
        typer.Argument(help="Files or folders to audit directly (default: the store)."),
    ] = None,
    accounts: Annotated[
        list[str] | None,
        typer.Option("--accounts", help="Registry of tracked accounts to audit (CSV, YAML)."),
    ] = None,
    min_posts: Annotated[
        int, typer.Option(help="Without a registry: audit accounts with this many posts.")
    ] = 20,
    since: Annotated[str | None, typer.Option(help="First day (or ISO time), UTC.")] = None,
    until: Annotated[str | None, typer.Option(help="Last day (or ISO time), UTC.")] = None,
    denominator: Annotated[
        Denominator, typer.Option(help="Which inbound messages response rates count.")
    ] = Denominator.NEEDS_REPLY,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", help="Write report.html, charts, CSV and JSON here.", file_okay=False
        ),
    ] = None,
    engine: Annotated[str, typer.Option(help=f"Engine: {' or '.join(ENGINES)}.")] = "duckdb",
    master: Annotated[str | None, typer.Option(help="Spark master URL (default local[*]).")] = None,
    party: Annotated[
        list[str] | None,
        typer.Option("--party", help="Headline for this party's accounts (repeatable)."),
    ] = None,
    account: Annotated[
        list[str] | None,
        typer.Option("--account", help="Headline for this handle or platform:handle (repeatable)."),
    ] = None,
    workspace: Annotated[
        str | None,
        typer.Option("--workspace", help="Headline for the accounts this workspace holds."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Score how far accounts converse rather than broadcast, and show who waited in vain.

    Prints the league table ranked by dialogue score; with --out also writes the report.
    --party, --account and --workspace name your accounts: the report's headline is theirs
    (the league and the comparisons still show everyone) and the table lists only them.

    Example:

        hustings audit data/*.jsonl --accounts registry.csv --party "Harbour Party" --out audit/
    """
    if engine not in ENGINES:
        raise ConfigError(f"unknown engine {engine!r}; engines: {', '.join(ENGINES)}")
    params = AuditParams(
        since=_when(since),
        until=_when(until, end=True),
        min_posts=min_posts,
        denominator=denominator,
    )
    show = progress_enabled(as_json)
    from hustings.metrics import audit_store

    with tempfile.TemporaryDirectory(prefix="hustings-audit-") as tmp:
        store = _store_to_audit(ctx, list(paths or []), list(accounts or []), Path(tmp))
        try:
            card = audit_store(
                store,
                params,
                engine,
                master,
                progress=(lambda step: err.print(f"[dim]{step}…[/]")) if show else None,
                scope=_scope(store, list(party or []), list(account or []), workspace),
            )
        finally:
            store.close()
    written = {}
    if out is not None:
        from hustings.report import write_report

        written = write_report(card, out)
    _print_league(card, as_json)
    if out is not None and not as_json:
        err.print(f"Report: {written['report']}")


def register(app: typer.Typer) -> None:
    """Mount ``hustings audit`` on the main application."""
    app.command("audit")(audit)
