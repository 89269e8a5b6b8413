"""``hustings import`` and ``hustings formats``."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TaskID, TimeRemainingColumn

from hustings.cli.context import open_store
from hustings.cli.output import JsonOption, err, print_json, print_rows, progress_enabled
from hustings.ingest.base import ImportOptions
from hustings.ingest.runner import COUNTED, ImportPlan, ImportSummary, import_paths
from hustings.plugins import importers

__all__ = ["EXIT_QUARANTINED", "register", "report_imports", "run_import"]

EXIT_QUARANTINED = 3
EXIT_INTERRUPTED = 130


def run_import(
    ctx: typer.Context, paths: list[str], plan: ImportPlan, as_json: bool
) -> list[ImportSummary]:
    """Import with a progress bar for people; a resumable stop on Ctrl-C."""
    store = open_store(ctx)
    try:
        if not progress_enabled(as_json):
            return import_paths(store, paths, plan)
        with Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            DownloadColumn(),
            TimeRemainingColumn(),
            console=err,
            transient=True,
        ) as bar:
            tasks: dict[str, TaskID] = {}

            def update(source: str, done: int, total: int) -> None:
                if source not in tasks:
                    tasks[source] = bar.add_task(Path(source).name, total=total)
                bar.update(tasks[source], completed=done)

            return import_paths(store, paths, replace(plan, progress=update))
    except KeyboardInterrupt:
        err.print(
            "[yellow]Interrupted.[/] Everything up to the last checkpoint is saved; "
            "run the same command again to resume."
        )
        raise typer.Exit(EXIT_INTERRUPTED) from None
    finally:
        store.close()


def report_imports(summaries: list[ImportSummary], as_json: bool) -> None:
    """Print totals and per-file counts; exit 3 when anything was quarantined."""
    totals = {key: sum(int(getattr(s, key)) for s in summaries) for key in COUNTED}
    if as_json:
        print_json({**totals, "files": [s.as_dict() for s in summaries]})
    else:
        folder, names = _short_names([s.source for s in summaries])
        rows = [
            {
                "file": name,
                "format": s.format,
                **{k: getattr(s, k) for k in COUNTED},
                "note": s.skipped
                or (f"resumed after {s.resumed_from}" if s.resumed_from else None),
            }
            for s, name in zip(summaries, names, strict=True)
        ]
        # The counts right after the file: read = added + updated + unchanged + quarantined
        # must stay on screen at 80 columns, where the rightmost columns are left out.
        columns = ["file", "read", "added", "updated", "unchanged", "quarantined", "format", "note"]
        title = f"Import (files in {folder})" if folder else "Import"
        print_rows(rows, columns, as_json=False, title=title, fold=["file"])
        err.print(
            f"[bold]{totals['read']:,}[/] read, [green]{totals['added']:,} added[/], "
            f"{totals['updated']:,} updated, {totals['unchanged']:,} unchanged, "
            f"{totals['context_added']:,} context, {totals['accounts_added']:,} new "
            f"accounts, [red]{totals['quarantined']:,} quarantined[/]"
        )
        if totals["quarantined"]:
            err.print(
                "See them with [bold]hustings quarantine list[/]; once the cause is fixed, "
                "[bold]hustings quarantine retry[/] reads them again."
            )
    if totals["quarantined"]:
        raise typer.Exit(EXIT_QUARANTINED)


def _short_names(sources: list[str]) -> tuple[str | None, list[str]]:
    """The folder the imported files share, and each file's path inside it.

    A long folder repeated on every row is what pushed the counts off a narrow screen; it is
    said once, in the title. Stdin and a single name without a folder stay as they are.
    """
    paths = [Path(s) for s in sources if s != "<stdin>"]
    if not paths:
        return None, sources
    try:
        common = Path(os.path.commonpath([p.parent for p in paths]))
    except ValueError:  # absolute and relative paths mixed
        return None, sources
    if common in (Path("."), Path("")):
        return None, sources
    names = [s if s == "<stdin>" else Path(s).relative_to(common).as_posix() for s in sources]
    return str(common), names


def register(app: typer.Typer) -> None:
    @app.command("import")
    def import_(
        ctx: typer.Context,
        paths: Annotated[list[str], typer.Argument(help="Files, folders, or - for stdin.")],
        fmt: Annotated[
            str | None,
            typer.Option("--format", "-f", help="Force a format (see `hustings formats`)."),
        ] = None,
        mapping: Annotated[
            Path | None,
            typer.Option(help="Column-mapping YAML for CSV files.", exists=True, dir_okay=False),
        ] = None,
        timezone: Annotated[
            str | None, typer.Option(help="Zone for timestamps that carry none (e.g. UTC).")
        ] = None,
        commit_every: Annotated[
            int,
            typer.Option(
                min=1, help="Input units (lines, items, mails) per transaction and checkpoint."
            ),
        ] = 2000,
        enrich: Annotated[
            bool,
            typer.Option(
                help="Then score new messages: needs reply, sentiment, incivility, topic."
            ),
        ] = False,
        as_json: JsonOption = False,
    ) -> None:
        """Import platform files into the store; formats are detected from content.

        Re-running an import adds nothing; an interrupted one resumes from its checkpoint.
        Bad records are quarantined with file, line and reason (exit code 3). With --enrich,
        the messages are then scored as `hustings nlp enrich` does.

        Example:

            hustings import tweets.jsonl mastodon/ campaign.mbox --enrich
        """
        plan = ImportPlan(
            fmt=fmt,
            options=ImportOptions(mapping=mapping, assume_timezone=timezone),
            commit_every=commit_every,
        )
        summaries = run_import(ctx, paths, plan, as_json)
        if enrich:
            from hustings.cli.nlp_cmd import parse_tasks, run_enrich
            from hustings.nlp.enrich import DEFAULT_TASKS

            run_enrich(ctx, parse_tasks(",".join(DEFAULT_TASKS)), rescore=False, as_json=as_json)
        report_imports(summaries, as_json)

    @app.command()
    def formats(as_json: JsonOption = False) -> None:
        """List the formats `hustings import` reads.

        Example:

            hustings formats --json
        """
        rows = [
            {
                "name": name,
                "platform": cls.platform,
                "title": cls.title,
                "description": cls.description,
            }
            for name, cls in sorted(importers().items())
        ]
        print_rows(rows, ["name", "platform", "title", "description"], as_json, "Formats")
