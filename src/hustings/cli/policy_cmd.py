"""``hustings policy``: sources, fetching, items, the matrix, review and corrections, alerts
and the offline report. Thin: each command calls ``hustings.policy``."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from hustings import policy
from hustings.cli.context import open_store
from hustings.cli.output import JsonOption, err, print_json, print_rows
from hustings.errors import ConfigError
from hustings.store import Store
from hustings.workspace import Actor
from hustings.workspace.core import find_workspace

__all__ = ["app"]

app = typer.Typer(help="Policy watch: every party's announcements by policy topic.")

WorkspaceOption = Annotated[str, typer.Option("--workspace", "-w", help="Workspace name.")]


def _actor(store: Store, name: str) -> Actor:
    with store.begin() as conn:
        return Actor.system(find_workspace(conn, name).id)


def _settings(pairs: list[str] | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"--setting takes key=value, not {pair!r}")
        out[key.strip()] = {"true": True, "false": False}.get(value.strip().lower(),
                                                              value.strip())
    return out


@app.command("topics")
def topics_cmd(as_json: JsonOption = False) -> None:
    """List CAP's major topics and their codes (what ``correct`` and alerts take).

    Example:

        hustings policy topics
    """
    print_rows([{"code": c, "topic": t} for c, t in sorted(policy.topics().items())],
               ["code", "topic"], as_json)


@app.command("sources")
def sources_cmd(ctx: typer.Context, workspace: WorkspaceOption, as_json: JsonOption = False
                ) -> None:
    """List the workspace's sources with their health: status, last item, last error, items
    this week against the usual week.

    Example:

        hustings policy sources -w "Government relations"
    """
    store = open_store(ctx)
    try:
        actor = _actor(store, workspace)
        with store.begin() as conn:
            rows = [dataclasses.asdict(h) for h in policy.list_sources(conn, actor)]
    finally:
        store.close()
    print_rows(rows, ["id", "kind", "name", "party", "status", "last_item_at", "this_week",
                      "usual_week", "last_error"], as_json)


@app.command("add-source")
def add_source_cmd(
    ctx: typer.Context,
    kind: Annotated[str, typer.Argument(help="feed, listing, email or account.")],
    name: Annotated[str, typer.Argument(help="A name people recognise.")],
    workspace: WorkspaceOption,
    party: Annotated[str, typer.Option(help="The party it speaks for.")],
    url: Annotated[str | None, typer.Option(help="The feed's or listing page's address.")] = None,
    author: Annotated[str | None, typer.Option(help="The person, if one.")] = None,
    setting: Annotated[list[str] | None, typer.Option(
        help="key=value (repeatable): timezone, articles, links, match, limit, "
             "connection_id, sender, platform, handle.")] = None,
) -> None:
    r"""Add a source and print its id.

    Example:

        hustings policy add-source feed "Greens" -w "Government relations" \
            --party Green --url https://greens.example/press.xml
    """
    store = open_store(ctx)
    try:
        actor = _actor(store, workspace)
        with store.begin() as conn:
            made = policy.add_source(conn, actor, kind, name, party, url, author,
                                     _settings(setting))
    finally:
        store.close()
    print(made)


@app.command("fetch")
def fetch_cmd(
    ctx: typer.Context, workspace: WorkspaceOption,
    source: Annotated[int | None, typer.Option(help="Only this source.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Fetch the sources now: record new items, edits and deletions, code them, raise and
    mail alerts. One row per source.

    Example:

        hustings policy fetch -w "Government relations"
    """
    store = open_store(ctx)
    try:
        actor = _actor(store, workspace)
        reports = ([policy.fetch_source(store, actor, source)] if source is not None
                   else policy.fetch_all(store, actor))
    finally:
        store.close()
    print_rows([{k: getattr(r, k) for k in ("source_id", "name", "new", "merged", "edited",
                                            "deleted", "alerts", "error")} for r in reports],
               ["source_id", "name", "new", "merged", "edited", "deleted", "alerts", "error"],
               as_json)


_ITEM_COLUMNS = ["id", "party", "topic", "published_at", "state", "title"]


def _shown(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**i, "topic": policy.topic_label(i["topic_code"])} for i in items]


@app.command("items")
def items_cmd(
    ctx: typer.Context, workspace: WorkspaceOption,
    party: Annotated[str | None, typer.Option(help="Only this party.")] = None,
    topic: Annotated[int | None, typer.Option(help="Only this CAP code.")] = None,
    state: Annotated[str | None, typer.Option(help="live, edited or deleted.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many.")] = 50,
    as_json: JsonOption = False,
) -> None:
    """List items, newest first.

    Example:

        hustings policy items -w "Government relations" --state edited
    """
    store = open_store(ctx)
    try:
        actor = _actor(store, workspace)
        with store.begin() as conn:
            items = policy.list_items(conn, actor, party=party, topic=topic, state=state,
                                      limit=limit)
    finally:
        store.close()
    print_rows(_shown(items), _ITEM_COLUMNS, as_json)


@app.command("show")
def show_cmd(ctx: typer.Context, item: Annotated[int, typer.Argument(help="The item's id.")],
             workspace: WorkspaceOption) -> None:
    """Print one item as JSON: its text, sources, versions and the diff of each change.

    Example:

        hustings policy show 12 -w "Government relations"
    """
    store = open_store(ctx)
    try:
        actor = _actor(store, workspace)
        with store.begin() as conn:
            print_json(policy.get_item(conn, actor, item))
    finally:
        store.close()


@app.command("review")
def review_cmd(ctx: typer.Context, workspace: WorkspaceOption, as_json: JsonOption = False
               ) -> None:
    """List the items whose topic the model was unsure of, waiting for a person.

    Example:

        hustings policy review -w "Government relations"
    """
    store = open_store(ctx)
    try:
        actor = _actor(store, workspace)
        with store.begin() as conn:
            items = policy.list_items(conn, actor, review=True)
    finally:
        store.close()
    print_rows(_shown(items), ["id", "party", "topic", "topic_confidence", "title"], as_json)


@app.command("correct")
def correct_cmd(ctx: typer.Context, item: Annotated[int, typer.Argument(help="Item id.")],
                code: Annotated[int, typer.Argument(help="CAP major topic code.")],
                workspace: WorkspaceOption) -> None:
    """Set an item's topic by hand (kept with who and when).

    Example:

        hustings policy correct 12 9 -w "Government relations"
    """
    store = open_store(ctx)
    try:
        actor = _actor(store, workspace)
        with store.begin() as conn:
            print_json(policy.correct(conn, actor, item, code))
    finally:
        store.close()


@app.command("corrections")
def corrections_cmd(ctx: typer.Context, workspace: WorkspaceOption,
                    as_json: JsonOption = False) -> None:
    """List every correction with its text: the next training run's examples.

    Example:

        hustings policy corrections -w "Government relations" --json > corrections.jsonl
    """
    store = open_store(ctx)
    try:
        actor = _actor(store, workspace)
        with store.begin() as conn:
            rows = policy.export_corrections(conn, actor)
    finally:
        store.close()
    print_rows(rows, ["item_id", "old_code", "code", "by", "at", "title"], as_json)


@app.command("matrix")
def matrix_cmd(ctx: typer.Context, workspace: WorkspaceOption,
               weeks: Annotated[int, typer.Option(help="Weeks up to the latest item.")] = 4,
               as_json: JsonOption = False) -> None:
    """List the matrix: one row per party, topic and week with its attention share, the
    topic's first mover and the party's lag. The definitions are printed below the table.

    Example:

        hustings policy matrix -w "Government relations" --weeks 2
    """
    store = open_store(ctx)
    try:
        actor = _actor(store, workspace)
        with store.begin() as conn:
            m = policy.build_matrix(conn, actor, weeks=weeks)
    finally:
        store.close()
    rows = []
    for c in sorted(m.cells.values(), key=lambda c: (c.topic, c.party, c.week)):
        mover = m.movers[c.topic]
        lag = None if mover.party == c.party else mover.lags.get(c.party)
        rows.append({"party": c.party, "topic": m.topics[c.topic], "week": c.week.isoformat(),
                     "share": f"{c.share:.0%}", "items": c.count, "first": mover.party,
                     "lag_h": None if lag is None else round(lag.total_seconds() / 3600, 1)})
    print_rows(rows, ["topic", "party", "week", "share", "items", "first", "lag_h"], as_json)
    if not as_json:
        for d in policy.DEFINITIONS:
            err.print(f"[bold]{d.title}[/]: {d.definition}", highlight=False)


@app.command("alerts")
def alerts_cmd(ctx: typer.Context, workspace: WorkspaceOption, as_json: JsonOption = False
               ) -> None:
    """List the alerts raised, newest first, and whether their mail left.

    Example:

        hustings policy alerts -w "Government relations"
    """
    store = open_store(ctx)
    try:
        actor = _actor(store, workspace)
        with store.begin() as conn:
            rows = policy.list_alerts(conn, actor)
    finally:
        store.close()
    print_rows(rows, ["id", "kind", "reason", "item_id", "created_at", "mail"], as_json)


@app.command("add-alert")
def add_alert_cmd(
    ctx: typer.Context,
    kind: Annotated[str, typer.Argument(help="any_party, owned or first.")],
    workspace: WorkspaceOption,
    topic: Annotated[list[int] | None, typer.Option(help="CAP code (repeatable).")] = None,
    party: Annotated[str | None, typer.Option(help="The party watched.")] = None,
    delivery: Annotated[str, typer.Option(help="now or digest (daily).")] = "now",
    email: Annotated[str | None, typer.Option(help="Mail alerts to this address.")] = None,
    connection: Annotated[int | None, typer.Option(
        help="The workspace's e-mail connection that sends them.")] = None,
) -> None:
    r"""Add an alert rule and print its id.

    Example:

        hustings policy add-alert any_party -w "Government relations" --topic 9 \
            --email gr@example.org --connection 3 --delivery digest
    """
    store = open_store(ctx)
    try:
        actor = _actor(store, workspace)
        with store.begin() as conn:
            made = policy.add_rule(conn, actor, kind, topics_=topic, party=party,
                                   delivery=delivery, email=email, connection_id=connection)
    finally:
        store.close()
    print(made)


@app.command("report")
def report_cmd(ctx: typer.Context, workspace: WorkspaceOption,
               out: Annotated[Path, typer.Option(help="The HTML file to write.")] = Path(
                   "policy-watch.html"),
               weeks: Annotated[int, typer.Option(help="Weeks up to the latest item.")] = 4,
               ) -> None:
    """Write the matrix as an offline HTML report and print its path.

    Example:

        hustings policy report -w "Government relations" --out policy.html
    """
    store = open_store(ctx)
    try:
        actor = _actor(store, workspace)
        path = policy.write_policy_report(store, actor, out, weeks)
    finally:
        store.close()
    sys.stdout.write(f"{path}\n")
