"""``hustings plan``: draft, queue, list, post, cancel and override planned posts.

Every command that could put a post out shows the guard's verdict and its reasons; a held
post leaves only after ``hustings plan override`` with a reason (kept in the audit log).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

import typer
from sqlalchemy import select

from hustings.cli.context import open_store
from hustings.cli.output import JsonOption, err, print_json, print_rows
from hustings.errors import NotFoundError
from hustings.store import Store
from hustings.store.schema import workspaces
from hustings.workspace import Actor

__all__ = ["app"]

app = typer.Typer(help="Plan posts through the cadence guard.", no_args_is_help=True)
WorkspaceOption = Annotated[str, typer.Option("--workspace", "-w", help="Workspace name.")]
AtOption = Annotated[
    datetime | None, typer.Option("--at", help="When it should go out (UTC unless stated).")
]


def _actor(store: Store, name: str) -> Actor:
    with store.begin() as conn:
        found = conn.execute(select(workspaces.c.id).where(workspaces.c.name == name)).scalar()
    if found is None:
        raise NotFoundError(f"no workspace {name!r}")
    return Actor.system(int(found))


def _utc(value: datetime | None) -> datetime | None:
    return None if value is None else value.replace(tzinfo=value.tzinfo or UTC)


def _show(result: dict[str, Any], as_json: bool = False) -> None:
    if as_json:
        print_json(result)
        return
    err.print(f"Post {result['id']}: {result['state']}, verdict {result['verdict']}",
              highlight=False)
    for finding in result.get("findings") or ():
        if finding["verdict"] != "ok":
            err.print(f"  {finding['verdict']}: {finding['reason']}", highlight=False)
    best = result.get("best_time")
    if best:
        err.print(f"Best time: {best['why']}", highlight=False)
    nudge = result.get("nudge")
    if nudge:
        err.print(f"[yellow]{nudge['message']}[/]", highlight=False)
        for item in nudge["waiting"]:
            err.print(f"  item {item['item_id']} @{item['author']}: {item['text'][:70]}",
                      highlight=False)


@app.command("draft")
def draft_cmd(
    ctx: typer.Context,
    workspace: WorkspaceOption,
    account: Annotated[str, typer.Option("--account", help="Handle (platform:handle) or id.")],
    text: Annotated[str, typer.Argument(help="The post.")],
    at: AtOption = None,
    thread: Annotated[int | None, typer.Option("--thread", help="Follows this post.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Write a draft and show the guard's verdict, with the nudge if people are waiting.

    Example:

        hustings plan draft -w "Riding 12" --account bluesky:jane.bsky.social "Town hall at 7"
    """
    from hustings.plan import draft

    store = open_store(ctx)
    try:
        actor = _actor(store, workspace)
        with store.begin() as conn:
            result = draft(conn, actor, account, text, _utc(at), thread)
    finally:
        store.close()
    _show(result, as_json)


@app.command("queue")
def queue_cmd(ctx: typer.Context, workspace: WorkspaceOption,
              post: Annotated[int, typer.Argument(help="Planned post id.")],
              at: AtOption = None) -> None:
    """Schedule a post; a hold keeps it held until a manager overrides.

    Example:

        hustings plan queue -w "Riding 12" 4 --at 2026-12-08T18:00
    """
    from hustings.plan import queue

    store = open_store(ctx)
    try:
        actor = _actor(store, workspace)
        with store.begin() as conn:
            result = queue(conn, actor, post, _utc(at))
    finally:
        store.close()
    _show(result)


@app.command("edit")
def edit_cmd(ctx: typer.Context, workspace: WorkspaceOption,
             post: Annotated[int, typer.Argument(help="Planned post id.")],
             text: Annotated[str | None, typer.Option("--text", help="The new text.")] = None,
             at: AtOption = None) -> None:
    """Change a post's text or time before it goes, and show the guard's new verdict.

    A queued post the guard now holds is held; an override does not carry over to the
    edited post.

    Example:

        hustings plan edit -w "Riding 12" 4 --text "Town hall moved to 8" --at 2026-12-08T19:00
    """
    from hustings.plan import edit

    store = open_store(ctx)
    try:
        actor = _actor(store, workspace)
        with store.begin() as conn:
            result = edit(conn, actor, post, text, _utc(at))
    finally:
        store.close()
    _show(result)


@app.command("post")
def post_cmd(ctx: typer.Context, workspace: WorkspaceOption,
             post: Annotated[int, typer.Argument(help="Planned post id.")],
             breaking: Annotated[str | None, typer.Option(
                 "--breaking", help="Breaking news: post through a hold (managers), saying why."
             )] = None) -> None:
    """Post now, through the account's connection, unless the guard holds it.

    With --breaking and a reason, a manager posts through a hold (the guard's or a rule
    the workspace set); the reason goes into the audit log.

    Example:

        hustings plan post -w "Riding 12" 4 --breaking "Polling station flooded: moved"
    """
    from hustings.plan import post_now

    store = open_store(ctx)
    try:
        result = post_now(store, _actor(store, workspace), post, breaking)
    finally:
        store.close()
    _show(result)


@app.command("cancel")
def cancel_cmd(ctx: typer.Context, workspace: WorkspaceOption,
               post: Annotated[int, typer.Argument(help="Planned post id.")]) -> None:
    """Cancel a post that has not been handed over yet.

    Example:

        hustings plan cancel -w "Riding 12" 4
    """
    from hustings.plan import cancel

    store = open_store(ctx)
    try:
        actor = _actor(store, workspace)
        with store.begin() as conn:
            result = cancel(conn, actor, post)
    finally:
        store.close()
    _show(result)


@app.command("override")
def override_cmd(ctx: typer.Context, workspace: WorkspaceOption,
                 post: Annotated[int, typer.Argument(help="Planned post id.")],
                 reason: Annotated[str, typer.Option("--reason", help="Why it may go.")]) -> None:
    """Let a held post go, with the reason (recorded in the audit log).

    Example:

        hustings plan override -w "Riding 12" 4 --reason "Polls close in an hour"
    """
    from hustings.plan import override

    store = open_store(ctx)
    try:
        actor = _actor(store, workspace)
        with store.begin() as conn:
            result = override(conn, actor, post, reason)
    finally:
        store.close()
    _show(result)


@app.command("list")
def list_cmd(ctx: typer.Context, workspace: WorkspaceOption,
             state: Annotated[str | None, typer.Option("--state", help="Only this state.")] = None,
             as_json: JsonOption = False) -> None:
    """List the workspace's planned posts with their state and the guard's verdict.

    Example:

        hustings plan list -w "Riding 12" --state held --json
    """
    from hustings.plan import list_posts

    store = open_store(ctx)
    try:
        actor = _actor(store, workspace)
        with store.begin() as conn:
            rows = list_posts(conn, actor, state)
    finally:
        store.close()
    print_rows(rows, ["id", "platform", "state", "verdict", "scheduled_at", "text"], as_json,
               "Planned posts")


@app.command("best-time")
def best_time_cmd(
    ctx: typer.Context, workspace: WorkspaceOption,
    account: Annotated[str, typer.Option("--account", help="Handle (platform:handle) or id.")],
    tz: Annotated[str | None, typer.Option("--tz", help="Time zone of the week shown.")] = None,
    top: Annotated[int, typer.Option("--top", min=1, max=168, help="Hours shown.")] = 10,
    as_json: JsonOption = False,
) -> None:
    """Score each hour of the week from the account's own followers' responses, best first,
    and suggest when to post next.

    Example:

        hustings plan best-time -w "Riding 12" --account x:janedoe --tz Europe/London
    """
    from hustings.plan import best_time

    store = open_store(ctx)
    try:
        actor = _actor(store, workspace)
        with store.begin() as conn:
            found = best_time(conn, actor, account, tz=tz)
    finally:
        store.close()
    rows = sorted(found["slots"], key=lambda r: (-r["score"], -r["posts"]))[:top]
    if not as_json:
        err.print(found["definition"], highlight=False)
        err.print(f"Suggested: {found['why']}", highlight=False)
    print_rows(rows, ["day", "hour", "posts", "responses", "score"], as_json,
               f"Best hours for {found['platform']}:{found['handle']} ({found['tz']})")


rules_app = typer.Typer(help="The workspace's own posting rules, applied by the guard.",
                        no_args_is_help=True)
app.add_typer(rules_app, name="rules")


@rules_app.command("list")
def rules_list_cmd(ctx: typer.Context, workspace: WorkspaceOption,
                   as_json: JsonOption = False) -> None:
    """List the posting rules the workspace set (quiet hours, blackouts, daily maximum).

    Example:

        hustings plan rules list -w "Riding 12" --json
    """
    from hustings.plan import list_rules

    store = open_store(ctx)
    try:
        actor = _actor(store, workspace)
        with store.begin() as conn:
            rows = list_rules(conn, actor)
    finally:
        store.close()
    print_rows(rows, ["id", "account_id", "kind", "words", "note"], as_json, "Posting rules")


@rules_app.command("add")
def rules_add_cmd(
    ctx: typer.Context, workspace: WorkspaceOption,
    kind: Annotated[str, typer.Argument(help="quiet-hours, blackout or max-per-day.")],
    account: Annotated[str | None, typer.Option(
        "--account", help="Only this account (default: all of the workspace's).")] = None,
    start: Annotated[int | None, typer.Option("--start", help="Quiet from this hour.")] = None,
    end: Annotated[int | None, typer.Option("--end", help="Quiet until this hour.")] = None,
    days: Annotated[str | None, typer.Option("--days", help="e.g. sat,sun.")] = None,
    date_from: Annotated[str | None, typer.Option("--from", help="Blackout from.")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="Blackout to.")] = None,
    posts: Annotated[int | None, typer.Option("--posts", help="Most posts a day.")] = None,
    tz: Annotated[str, typer.Option("--tz", help="IANA time zone.")] = "UTC",
    note: Annotated[str | None, typer.Option("--note", help="Why (shown in reasons).")] = None,
) -> None:
    """Set a posting rule the guard holds drafts to.

    Example:

        hustings plan rules add -w "Riding 12" quiet-hours --days sun --start 6 --end 12
    """
    from hustings.plan import add_rule

    settings = {"start": start, "end": end, "days": days, "from": date_from, "to": date_to,
                "posts": posts, "tz": tz}
    store = open_store(ctx)
    try:
        actor = _actor(store, workspace)
        with store.begin() as conn:
            made = add_rule(conn, actor, kind, settings, account, note)
    finally:
        store.close()
    err.print(f"Rule {made['id']}: {made['words']}", highlight=False)


@rules_app.command("remove")
def rules_remove_cmd(ctx: typer.Context, workspace: WorkspaceOption,
                     rule: Annotated[int, typer.Argument(help="Rule id.")]) -> None:
    """Remove a posting rule.

    Example:

        hustings plan rules remove -w "Riding 12" 2
    """
    from hustings.plan import remove_rule

    store = open_store(ctx)
    try:
        actor = _actor(store, workspace)
        with store.begin() as conn:
            remove_rule(conn, actor, rule)
    finally:
        store.close()
    err.print(f"Rule {rule} removed", highlight=False)


@app.command("response")
def response_cmd(
    ctx: typer.Context, workspace: WorkspaceOption,
    account: Annotated[str, typer.Option("--account", help="Handle (platform:handle) or id.")],
    as_json: JsonOption = False,
) -> None:
    """List each day the account posted with its follower change and responses against the
    account's own baseline; burst days show what the burst cost.

    Example:

        hustings plan response -w "Riding 12" --account x:janedoe --json
    """
    from hustings.plan import response

    store = open_store(ctx)
    try:
        actor = _actor(store, workspace)
        with store.begin() as conn:
            found = response(conn, actor, account)
    finally:
        store.close()
    if not as_json:
        err.print(found["definition"], highlight=False)
        if not found["has_followers"]:
            err.print("No follower counts for this account: posts and responses only.",
                      highlight=False)
    rows = [{**d, "burst": "burst" if d["burst"] else ""} for d in found["days"]]
    print_rows(rows if not as_json else found["days"],
               ["day", "posts", "change", "baseline", "excess", "responses_per_post", "burst"],
               as_json, f"Follower response of {found['platform']}:{found['handle']}")
