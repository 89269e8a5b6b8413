"""``hustings listen``: a hashtag's conversation as a network of camps, bridges and shouting.

``hustings.listen`` (igraph, pandas) is imported when the command runs, not when the CLI
starts: every other command would otherwise pay for it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from hustings.cli.context import open_store
from hustings.cli.output import JsonOption, err, print_json, print_rows

if TYPE_CHECKING:
    from hustings.listen import ListenResult

__all__ = ["register"]


def _utc(value: datetime | None) -> datetime | None:
    return None if value is None else value.replace(tzinfo=value.tzinfo or UTC)


def _print(result: ListenResult, as_json: bool) -> None:
    from hustings.listen import MEASURES
    from hustings.listen._verdict import VERDICT_RULE

    rows = [
        {
            "measure": m.name,
            "value": result.measures.get(m.name),
            "unit": m.unit,
            "definition": m.definition,
        }
        for m in MEASURES.values()
    ]
    if as_json:
        for row in rows:
            print_json(row)
        for camp in result.camps:
            print_json(
                {
                    "camp": camp.number + 1,
                    "size": camp.size,
                    "top_accounts": list(camp.top_accounts),
                    "parties": dict(camp.parties),
                    "stance": camp.stance,
                }
            )
        print_json(
            {
                "verdict": result.verdict.label,
                "facts": result.verdict.facts,
                "rule": VERDICT_RULE,
                "notes": list(result.notes),
            }
        )
        return
    shown = [{**r, "value": "—" if r["value"] is None else f"{r['value']:.4g}"} for r in rows]
    print_rows(
        shown, ["measure", "value", "unit", "definition"], False, f"Listening: {result.query}"
    )
    for camp in result.camps:
        err.print(f"{camp.label} ({camp.size} accounts)", highlight=False)
    err.print(f"[bold]Verdict[/]: {result.verdict.sentence}.", highlight=False)
    for note in result.notes:
        err.print(f"[yellow]{note}[/]", highlight=False)


def register(app: typer.Typer) -> None:
    @app.command("listen")
    def listen_cmd(
        ctx: typer.Context,
        query: Annotated[
            str | None,
            typer.Argument(help="A hashtag (#brexit) and/or keywords; any one selects a message."),
        ] = None,
        accounts: Annotated[
            str | None,
            typer.Option(
                "--accounts", help="Comma-separated handles: their messages, replies, mentions."
            ),
        ] = None,
        since: Annotated[datetime | None, typer.Option(help="From this time (UTC).")] = None,
        until: Annotated[datetime | None, typer.Option(help="Before this time (UTC).")] = None,
        from_files: Annotated[
            list[str] | None,
            typer.Option("--from-files", help="Import these files into a temporary store instead."),
        ] = None,
        out: Annotated[
            Path | None,
            typer.Option("--out", help="Write report.html, PNGs, GEXF, GraphML and CSVs here."),
        ] = None,
        stance_target: Annotated[
            str | None,
            typer.Option("--stance-target", help="Label camps by stance toward this target."),
        ] = None,
        no_classify: Annotated[
            bool, typer.Option("--no-classify", help="Skip the incivility and stance classifiers.")
        ] = False,
        workspace: Annotated[
            str | None,
            typer.Option(
                "--workspace", help="Count each of this workspace's people once across platforms."
            ),
        ] = None,
        as_json: JsonOption = False,
    ) -> None:
        """Map a hashtag's conversation: camps, cross-camp dialogue, bridges, open questions.

        Prints every measure with its definition; ``--out`` also writes the report and the
        network files for Gephi.

        Example:

            hustings listen '#brexit' --from-files tweets.jsonl --out listen-brexit
        """
        from hustings.listen import ListenQuery, listen, listen_files, write_outputs

        parsed = ListenQuery.parse(query, (accounts or "").split(","), _utc(since), _utc(until))
        if from_files:
            result = listen_files(
                from_files, parsed, classify=not no_classify, stance_target=stance_target
            )
        else:
            store = open_store(ctx)
            try:
                result = listen(
                    store,
                    parsed,
                    classify=not no_classify,
                    stance_target=stance_target,
                    workspace=workspace,
                )
            finally:
                store.close()
        _print(result, as_json)
        if out is not None:
            for path in write_outputs(result, out):
                err.print(f"wrote {path}", highlight=False)
