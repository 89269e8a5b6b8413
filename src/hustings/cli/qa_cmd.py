"""``hustings qa``: a workspace's Live Q&A events, their questions, their public moderation
log, and the after-event export. Thin: each command calls ``hustings.qa``."""

from __future__ import annotations

import csv
import sys
from datetime import datetime
from typing import Annotated, Any

import typer

from hustings import qa
from hustings.cli.context import open_store
from hustings.cli.output import JsonOption, print_json, print_rows
from hustings.errors import ConfigError
from hustings.workspace import Actor

__all__ = ["app"]

app = typer.Typer(help="Live Q&A: events, questions, the moderation log, exports.")

WorkspaceOption = Annotated[str, typer.Option("--workspace", "-w", help="Workspace name.")]
EventOption = Annotated[int, typer.Option("--event", "-e", help="The event's id.")]


def _moment(value: str, option: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise ConfigError(
            f"{option} must be an ISO 8601 time, e.g. 2026-12-07T19:00+00:00"
        ) from exc
    if moment.utcoffset() is None:
        raise ConfigError(f"{option} needs a UTC offset, e.g. 2026-12-07T19:00+00:00")
    return moment


def _post(value: str | None) -> tuple[str, str] | None:
    if value is None:
        return None
    platform, sep, post_id = value.partition(":")
    if not sep or not post_id:
        raise ConfigError("--post must be platform:id, e.g. mastodon:113456789")
    return platform, post_id


@app.command("create")
def create_cmd(
    ctx: typer.Context,
    title: Annotated[str, typer.Argument(help="The event's title.")],
    workspace: WorkspaceOption,
    starts: Annotated[str, typer.Option(help="Start, ISO 8601 with offset.")],
    ends: Annotated[str, typer.Option(help="End, ISO 8601 with offset.")],
    moderation: Annotated[str, typer.Option(help="pre or post.")] = "pre",
    source: Annotated[
        list[str] | None,
        typer.Option(help="web, manual, youtube, facebook, bluesky or mastodon (repeatable)."),
    ] = None,
    post: Annotated[
        str | None,
        typer.Option(help="platform:id of the Bluesky or Mastodon post whose replies count."),
    ] = None,
    youtube_chat: Annotated[
        str | None,
        typer.Option(help="The liveChatId `hustings serve` polls while the event runs."),
    ] = None,
) -> None:
    r"""Create an event and print its id.

    Example:

        hustings qa create "Town hall" -w "Riverside campaign" \
            --starts 2026-12-07T19:00+00:00 --ends 2026-12-07T21:00+00:00 \
            --source youtube --youtube-chat Cg0KC2xpdmVfY2hhdA
    """
    store = open_store(ctx)
    try:
        with store.begin() as conn:
            event = qa.create_event(
                conn,
                qa.workspace_named(conn, workspace),
                title,
                _moment(starts, "--starts"),
                _moment(ends, "--ends"),
                moderation,
                source or ["web", "manual"],
                youtube_chat,
                _post(post),
            )
    finally:
        store.close()
    print(event.id)


@app.command("ask")
def ask_cmd(
    ctx: typer.Context,
    event: Annotated[int, typer.Argument(help="The event's id.")],
    text: Annotated[str, typer.Argument(help="The question as the asker put it.")],
    workspace: WorkspaceOption,
    author: Annotated[str | None, typer.Option(help="The asker's name; none: Anonymous.")] = None,
) -> None:
    """Enter a question taken by phone or e-mail (source "manual"); print where it went.

    Example:

        hustings qa ask 1 "When will the depot reopen?" -w "Riverside campaign" --author "Ana"
    """
    store = open_store(ctx)
    try:
        with store.begin() as conn:
            asked = qa.add_question(
                conn, qa.workspace_named(conn, workspace), event, text, "manual", author
            )
    finally:
        store.close()
    print(f"question {asked.id} in cluster {asked.cluster_id} ({asked.status})")


@app.command("events")
def events_cmd(ctx: typer.Context, workspace: WorkspaceOption, as_json: JsonOption = False) -> None:
    """List the workspace's events: id, title, times, moderation mode and sources.

    Example:

        hustings qa events --workspace "Riverside campaign" --json
    """
    store = open_store(ctx)
    try:
        with store.begin() as conn:
            found = qa.list_events(conn, qa.workspace_named(conn, workspace))
    finally:
        store.close()
    rows = [
        {"id": e.id, "title": e.title, "starts_at": e.starts_at, "ends_at": e.ends_at,
         "moderation": e.moderation, "sources": ",".join(e.sources)}
        for e in found
    ]  # fmt: skip
    print_rows(rows, ["id", "title", "starts_at", "moderation", "sources"], as_json, "Events")


@app.command("questions")
def questions_cmd(
    ctx: typer.Context,
    workspace: WorkspaceOption,
    event: EventOption,
    status: Annotated[str | None, typer.Option(help="received, approved, ...")] = None,
    as_json: JsonOption = False,
) -> None:
    """List an event's questions in arrival order, with status, cluster and votes.

    Example:

        hustings qa questions --workspace "Riverside campaign" --event 1 --status approved
    """
    store = open_store(ctx)
    try:
        with store.begin() as conn:
            own = qa.workspace_named(conn, workspace)
            rows = qa.export_rows(conn, own, event)
            if status is not None:
                kept = {x.id for x in qa.list_questions(conn, own, event, status)}
                rows = [r for r in rows if r["question_id"] in kept]
    finally:
        store.close()
    print_rows(rows, ["question_id", "status", "votes", "author", "text"], as_json, "Questions")


@app.command("log")
def log_cmd(
    ctx: typer.Context, workspace: WorkspaceOption, event: EventOption, as_json: JsonOption = False
) -> None:
    """Print an event's public moderation log: received, merged, approved, edited, dismissed
    by reason, answered.

    Example:

        hustings qa log --workspace "Riverside campaign" --event 1 --json
    """
    store = open_store(ctx)
    try:
        with store.begin() as conn:
            counts = qa.moderation_log(conn, qa.workspace_named(conn, workspace), event)
    finally:
        store.close()
    rows = [{"what": k, "count": v} for k, v in counts.items() if k != "dismissed"]
    rows += [{"what": f"dismissed: {r}", "count": n} for r, n in counts["dismissed"].items()]
    print_rows(rows, ["what", "count"], as_json, "Moderation log")


@app.command("export")
def export_cmd(
    ctx: typer.Context,
    event: Annotated[int, typer.Argument(help="The event's id.")],
    workspace: WorkspaceOption,
    fmt: Annotated[str, typer.Option("--format", help="csv or json (JSON lines).")] = "csv",
) -> None:
    """Write every question of an event to standard output, with each answered question's
    time in the recording (seconds), as CSV or JSON lines.

    Example:

        hustings qa export 1 --workspace "Riverside campaign" --format csv > townhall.csv
    """
    if fmt not in ("csv", "json"):
        raise ConfigError("--format must be csv or json")
    store = open_store(ctx)
    try:
        with store.begin() as conn:
            rows = qa.export_rows(conn, qa.workspace_named(conn, workspace), event)
    finally:
        store.close()
    if fmt == "json":
        for row in rows:
            print_json(row)
        return
    writer = csv.DictWriter(sys.stdout, fieldnames=list(qa.EXPORT_COLUMNS))
    writer.writeheader()
    writer.writerows(rows)


def _host(conn: Any, workspace: str) -> Actor:
    """The CLI acts for the workspace as a whole (as ``plan`` and ``people`` do): it is the
    host of every event of it; the parts it hands out bind the web pages and the API."""
    return Actor.system(qa.workspace_named(conn, workspace))


@app.command("role")
def role_cmd(
    ctx: typer.Context,
    event: Annotated[int, typer.Argument(help="The event's id.")],
    email: Annotated[str, typer.Argument(help="A member of the workspace.")],
    workspace: WorkspaceOption,
    role: Annotated[
        str | None, typer.Option(help="host, moderator or assistant; none takes it away.")
    ] = None,
) -> None:
    """Give a member a part at an event (host, moderator, assistant), or take it away.

    Example:

        hustings qa role 1 sam@riverside.example -w "Riverside campaign" --role moderator
    """
    store = open_store(ctx)
    try:
        with store.begin() as conn:
            qa.set_role(conn, _host(conn, workspace), event, email, role)
    finally:
        store.close()
    print(f"{email}: {role or 'no part'} at event {event}")


@app.command("follow-up")
def follow_up_cmd(
    ctx: typer.Context,
    event: Annotated[int, typer.Argument(help="The event's id.")],
    workspace: WorkspaceOption,
) -> None:
    """After an event, file its unanswered questions into the inbox, each addressed to its
    asker in the channel they used; say how many stayed out (web form and phone questions
    carry no address) and why.

    Example:

        hustings qa follow-up 1 --workspace "Riverside campaign"
    """
    store = open_store(ctx)
    try:
        with store.begin() as conn:
            done = qa.file_unanswered(conn, _host(conn, workspace), event)
    finally:
        store.close()
    print(
        f"{done.filed} filed into the inbox; {done.no_contact} without an address to answer "
        f"(web form, phone); {done.no_account} from a platform the workspace has no account on"
    )
