"""``hustings people``: a workspace's people, their stance toward named targets, the targets.

Every command names its workspace (``--workspace``) and acts in it as its owner would, the
way ``hustings connect`` does: one workspace's people and targets are never another's.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer
from sqlalchemy import select

from hustings.cli.context import open_store
from hustings.cli.output import JsonOption, print_rows
from hustings.errors import NotFoundError
from hustings.people import stance as stances
from hustings.people import targets as named
from hustings.people.core import Stance, list_people
from hustings.people.privacy import person_detail
from hustings.store import Store
from hustings.store.schema import workspaces
from hustings.workspace import Actor

__all__ = ["app"]

app = typer.Typer(help="People of a workspace and their stance toward named targets.")
targets_app = typer.Typer(help="What a workspace tracks stance toward: candidate, policies.")
app.add_typer(targets_app, name="targets")

WorkspaceOption = Annotated[str, typer.Option("--workspace", "-w", help="Workspace name.")]
TargetOption = Annotated[
    str | None,
    typer.Option(help="A target the workspace named (see `people targets list`)."),
]


def _actor(store: Store, name: str) -> Actor:
    with store.begin() as conn:
        found = conn.execute(select(workspaces.c.id).where(workspaces.c.name == name)).scalar()
    if found is None:
        raise NotFoundError(f"no workspace {name!r}")
    return Actor.system(int(found))


def _stances_cell(found: list[dict[str, Any]]) -> str:
    return "; ".join(f"{s['target']}: {s['value'].replace('_', ' ')}" for s in found) or "–"


@app.command("list")
def list_(
    ctx: typer.Context,
    workspace: WorkspaceOption,
    search: Annotated[str | None, typer.Option(help="Name or handle contains this.")] = None,
    tag: Annotated[str | None, typer.Option(help="Only people with this tag.")] = None,
    target: TargetOption = None,
    stance: Annotated[
        Stance | None, typer.Option(help="Only this current stance (toward --target).")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000, help="At most this many.")] = 50,
    as_json: JsonOption = False,
) -> None:
    """List the workspace's people, newest first, with their latest stance per target.

    Example:
        hustings people list -w "Demo campaign" --target "Rent cap" --stance oppose
    """
    store = open_store(ctx)
    try:
        actor = _actor(store, workspace)
        with store.begin() as conn:
            toward = named.resolve_target(conn, actor.workspace_id, target) if target else None
            found = list_people(conn, actor, search, tag, stance, limit, target=toward)
    finally:
        store.close()
    if as_json:
        print_rows(found, (), as_json=True)
        return
    rows = [
        {
            "id": p["id"],
            "name": p["name"] or "",
            "stance_per_target": _stances_cell(p["stances"]),
        }
        for p in found
    ]
    print_rows(rows, ("id", "name", "stance_per_target"), as_json=False, title="People")


@app.command("stance")
def record(
    ctx: typer.Context,
    person_id: Annotated[int, typer.Argument(help="The person's number (`people list`).")],
    workspace: WorkspaceOption,
    value: Annotated[Stance, typer.Option(help="Where they stand.")],
    target: TargetOption = None,
    source: Annotated[
        stances.StanceSource,
        typer.Option(help="staff (your judgement) or self_declared (what they said)."),
    ] = stances.StanceSource.STAFF,
    evidence: Annotated[
        int | None, typer.Option(help="The id of their message that shows it.")
    ] = None,
    confidence: Annotated[int | None, typer.Option(min=0, max=100, help="Percent.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Record a person's stance toward a target (default: the workspace's candidate).

    Example:
        hustings people stance 42 -w "Demo campaign" --target "Rent cap" --value support
    """
    store = open_store(ctx)
    try:
        actor = _actor(store, workspace)
        with store.begin() as conn:
            now = stances.record_stance(
                conn, actor, person_id, value, source, evidence, confidence, target=target
            )
    finally:
        store.close()
    row = {"person_id": person_id, "target": now.target, "stance": now.value.value}
    print_rows([row], ("person_id", "target", "stance"), as_json, title="Current stance")


@app.command("history")
def history(
    ctx: typer.Context,
    person_id: Annotated[int, typer.Argument(help="The person's number (`people list`).")],
    workspace: WorkspaceOption,
    as_json: JsonOption = False,
) -> None:
    """List every stance judgement of a person, oldest first: toward what, by whom, why.

    Example:
        hustings people history 42 -w "Demo campaign" --json
    """
    store = open_store(ctx)
    try:
        actor = _actor(store, workspace)
        with store.begin() as conn:
            found = person_detail(conn, actor, person_id)["stance_history"]
    finally:
        store.close()
    for e in found:
        e["by"] = (
            f"model ({e['examples']} examples)"
            if e["source"] == stances.StanceSource.MODEL and e["examples"] is not None
            else e["author"] or e["source"]
        )
    columns = ("created_at", "target", "value", "source", "confidence", "by")
    print_rows(found, columns, as_json, title="Stance history")


@targets_app.command("list")
def targets_list(
    ctx: typer.Context, workspace: WorkspaceOption, as_json: JsonOption = False
) -> None:
    """List what the workspace tracks stance toward, in the order it named them.

    Example:
        hustings people targets list -w "Demo campaign"
    """
    store = open_store(ctx)
    try:
        actor = _actor(store, workspace)
        with store.begin() as conn:
            found = named.list_targets(conn, actor.workspace_id)
    finally:
        store.close()
    print_rows(found, ("name", "kind", "description"), as_json, title="Stance targets")


@targets_app.command("add")
def targets_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Short name, e.g. 'Jane Doe' or 'Carbon tax'.")],
    workspace: WorkspaceOption,
    kind: Annotated[named.TargetKind, typer.Option(help="What it is.")] = named.TargetKind.OTHER,
    description: Annotated[
        str | None, typer.Option(help="A sentence saying what it is (models read it too).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Name a new target the workspace tracks stance toward.

    Example:
        hustings people targets add "Carbon tax" -w "Demo campaign" --kind policy \\
            --description "A tax on carbon emissions, rebated to households"
    """
    store = open_store(ctx)
    try:
        actor = _actor(store, workspace)
        with store.begin() as conn:
            added = named.add_target(conn, actor, name, kind, description)
    finally:
        store.close()
    print_rows([added], ("name", "kind", "description"), as_json, title="Added")
