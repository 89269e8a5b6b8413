"""``hustings status``, ``batches``, ``messages``, ``thread``: look in the store."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

import typer
from sqlalchemy import ColumnElement, or_, select

from hustings.cli.context import open_store
from hustings.cli.output import JsonOption, err, print_json, print_rows
from hustings.errors import HustingsError
from hustings.model import Message, MessageKind, ReplyLink, Visibility
from hustings.store.batches import list_batches
from hustings.store.schema import messages, workspaces
from hustings.store.search import MessageQuery, search_messages
from hustings.threads import Thread, build_thread

__all__ = ["register"]


def _message(row: Any) -> Message:
    return Message(
        platform=row.platform,
        platform_id=row.platform_id,
        author_id=row.author_id,
        author_handle=row.author_handle,
        created_at=row.created_at,
        text=row.text,
        kind=MessageKind(row.kind),
        visibility=Visibility(row.visibility),
        reply_to_id=row.reply_to_id,
        reply_to_account_id=row.reply_to_account_id,
        reply_link=ReplyLink(row.reply_link) if row.reply_link else None,
        conversation_id=row.conversation_id,
    )


def register(app: typer.Typer) -> None:
    @app.command()
    def status(ctx: typer.Context, as_json: JsonOption = False) -> None:
        """Show where the store is and how many records it holds.

        Example:

            hustings status
        """
        store = open_store(ctx)
        counts = store.counts()
        store.close()
        if as_json:
            print_json({"database": store.url, "counts": counts})
            return
        err.print(f"Store: [bold]{store.url}[/]")
        print_rows(
            [{"table": k, "rows": v} for k, v in counts.items()], ["table", "rows"], as_json=False
        )

    @app.command()
    def batches(ctx: typer.Context, as_json: JsonOption = False) -> None:
        """List recent imports with their counts and status.

        Example:

            hustings batches --json
        """
        store = open_store(ctx)
        with store.begin() as conn:
            found = list_batches(conn)
        store.close()
        rows = [
            {
                "id": b.id,
                "source": b.source,
                "format": b.format,
                "status": b.status,
                "started_at": b.started_at,
                "checkpoint": b.checkpoint,
                **b.counts,
            }
            for b in found
        ]
        print_rows(
            rows,
            [
                "id",
                "source",
                "read",
                "added",
                "updated",
                "unchanged",
                "quarantined",
                "status",
                "format",
                "started_at",
            ],
            as_json,
            "Imports",
        )

    @app.command()
    def messages(
        ctx: typer.Context,
        sender: Annotated[
            str | None, typer.Option("--from", help="Written by this handle (or e-mail address).")
        ] = None,
        to: Annotated[
            str | None, typer.Option("--to", help="Replying to or mentioning this handle.")
        ] = None,
        mentions: Annotated[str | None, typer.Option(help="Mentioning this handle.")] = None,
        text: Annotated[str | None, typer.Option(help="Containing these words (any case).")] = None,
        since: Annotated[
            datetime | None, typer.Option(help="From this day or time on (UTC unless given).")
        ] = None,
        platform: Annotated[
            str | None, typer.Option(help="Only this platform (x, mastodon).")
        ] = None,
        limit: Annotated[int, typer.Option(min=1, help="At most this many, newest first.")] = 50,
        as_json: JsonOption = False,
    ) -> None:
        """List stored messages by author, addressee, mention, words and time, newest first.

        Each row has the platform and id that ``hustings thread`` takes.

        Example:

            hustings messages --to BeaHartnell --text rent --since 2026-10-01
            hustings thread x <id from the list>
        """
        query = MessageQuery(
            sender=sender,
            to=to,
            mentions=mentions,
            text=text,
            since=since.replace(tzinfo=since.tzinfo or UTC) if since else None,
            platform=platform,
            limit=limit,
        )
        store = open_store(ctx)
        with store.begin() as conn:
            found = search_messages(conn, query)
        store.close()
        print_rows(
            found,
            ["platform", "id", "author", "created_at", "text", "kind", "reply_to"],
            as_json,
            f"Messages ({len(found):,}, newest first)",
        )

    @app.command()
    def thread(
        ctx: typer.Context,
        platform: Annotated[str, typer.Argument(help="x, mastodon, bluesky, email …")],
        message_id: Annotated[str, typer.Argument(help="Any message id in the conversation.")],
        workspace: Annotated[
            str | None,
            typer.Option(
                help="Also show this workspace's own messages (its replies, drafts and "
                "pushes); without it, only the messages read from platforms."
            ),
        ] = None,
        as_json: JsonOption = False,
    ) -> None:
        """Show a whole conversation in turn order, with depth and participants.

        What a workspace typed or pushed is its own: it shows only with ``--workspace``
        naming that workspace, never with another's.

        Example:

            hustings thread x 1440716895355764743
            hustings thread email 'CAJt-7731@mail.example' --workspace "Riverside campaign"
        """
        found = _load_thread(ctx, platform, message_id, workspace)
        rows = [
            {
                "turn": i,
                "depth": t.depth,
                "id": t.message.platform_id,
                "author": t.message.author_handle or t.message.author_id,
                "created_at": t.message.created_at,
                "kind": t.message.kind.value,
                "reply_to": t.parent_id,
                "text": t.message.text,
            }
            for i, t in enumerate(found.turns, start=1)
        ]
        if not as_json:
            err.print(
                f"Conversation [bold]{found.root_id}[/]: {len(found.turns)} turns, "
                f"{len(found.participants)} participants, max depth {found.max_depth}"
            )
        print_rows(rows, ["turn", "depth", "author", "created_at", "kind", "text"], as_json)


def _load_thread(
    ctx: typer.Context, platform: str, message_id: str, workspace: str | None
) -> Thread:
    store = open_store(ctx)
    with store.begin() as conn:
        visible: ColumnElement[bool] = messages.c.workspace_id.is_(None)
        if workspace is not None:
            owner = conn.execute(
                select(workspaces.c.id).where(workspaces.c.name == workspace)
            ).scalar()
            if owner is None:
                raise HustingsError(f"no workspace named {workspace!r}")
            visible = or_(visible, messages.c.workspace_id == owner)
        anchor = conn.execute(
            select(messages.c.root_id, messages.c.conversation_id).where(
                messages.c.platform == platform, messages.c.platform_id == message_id, visible
            )
        ).first()
        if anchor is None:
            raise HustingsError(f"no {platform} message with id {message_id} in the store")
        root = anchor.root_id or anchor.conversation_id or message_id
        rows = conn.execute(
            select(messages).where(
                messages.c.platform == platform,
                visible,
                or_(
                    messages.c.root_id == root,
                    messages.c.conversation_id == root,
                    messages.c.platform_id == root,
                ),
            )
        ).all()
    store.close()
    return build_thread(root, [_message(r) for r in rows])
