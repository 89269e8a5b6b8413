"""``hustings connect``, ``connections``, ``sync`` and ``accounts attach/detach``.

A credential never comes from the command line (it would sit in the shell history and in
``ps``): it is read from a file (``--token-file``, or ``--password-file`` for a Bluesky app
password), an environment variable (``HUSTINGS_<PLATFORM>_TOKEN``) or a hidden prompt.
The CLI acts as the workspace's owner.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy import select

from hustings.cli.context import open_store
from hustings.cli.output import JsonOption, err, print_json, print_rows
from hustings.connectors.connections import (
    attach_account,
    connect,
    detach_account,
    follow_connection,
    list_connections,
    sync_all,
)
from hustings.connectors.outbound import deliver_due
from hustings.connectors.secrets import Secret
from hustings.errors import ConfigError, CredentialsError, NotFoundError
from hustings.model import Role as AccountRole
from hustings.store import Store
from hustings.store.schema import connections, workspaces
from hustings.workspace import Actor

__all__ = ["register", "register_accounts"]

WorkspaceOption = Annotated[str, typer.Option("--workspace", "-w", help="Workspace name.")]


def _workspace(store: Store, name: str) -> Actor:
    with store.begin() as conn:
        found = conn.execute(select(workspaces.c.id).where(workspaces.c.name == name)).scalar()
    if found is None:
        raise NotFoundError(f"no workspace {name!r}")
    return Actor.system(int(found))


def _read_secret(platform: str, token_file: Path | None) -> Secret:
    what = "app password" if platform == "bluesky" else "access token"
    if token_file is not None:
        try:
            return Secret(token_file.read_text())
        except OSError as exc:
            raise CredentialsError(f"{token_file}: {exc.strerror or exc}") from None
    env = os.environ.get(f"HUSTINGS_{platform.upper()}_TOKEN")
    if env:
        return Secret(env)
    return Secret(typer.prompt(f"{platform} {what}", hide_input=True))


def connect_cmd(
    ctx: typer.Context,
    platform: Annotated[str, typer.Argument(help="The platform, e.g. mastodon.")],
    workspace: WorkspaceOption,
    server: Annotated[str | None, typer.Option(help="The server's URL (Mastodon).")] = None,
    token_file: Annotated[
        Path | None, typer.Option(help="A file holding the access token (never the token).")
    ] = None,
    service: Annotated[
        str | None, typer.Option(help="The PDS URL, e.g. https://bsky.social (Bluesky).")
    ] = None,
    handle: Annotated[str | None, typer.Option(help="The account's handle (Bluesky).")] = None,
    password_file: Annotated[
        Path | None,
        typer.Option(help="A file holding the password: Bluesky app password or e-mail's."),
    ] = None,
    hashtag: Annotated[
        list[str] | None, typer.Option(help="A hashtag timeline to follow (repeatable).")
    ] = None,
    role: Annotated[str, typer.Option(help="Registry role of a newly tracked account.")] = (
        "candidate"
    ),
    imap_host: Annotated[str | None, typer.Option(help="IMAP server (e-mail).")] = None,
    imap_port: Annotated[int | None, typer.Option(help="IMAP port (993).")] = None,
    imap_tls: Annotated[
        bool | None, typer.Option("--imap-tls/--imap-plain", help="IMAP over TLS (default).")
    ] = None,
    smtp_host: Annotated[str | None, typer.Option(help="SMTP server (e-mail).")] = None,
    smtp_port: Annotated[int | None, typer.Option(help="SMTP port (587).")] = None,
    smtp_starttls: Annotated[
        bool | None,
        typer.Option("--smtp-starttls/--smtp-plain", help="SMTP with STARTTLS (default)."),
    ] = None,
    address: Annotated[str | None, typer.Option(help="The workspace's address (e-mail).")] = None,
    folder: Annotated[str | None, typer.Option(help="IMAP folder to read (INBOX).")] = None,
    setting: Annotated[
        list[str] | None, typer.Option("--set", help="Any other setting, KEY=VALUE (repeatable).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Connect one of the workspace's own accounts: check the credentials with the platform,
    attach the account they belong to, and store them encrypted.

    Examples:

        hustings connect mastodon -w "Riding 12" --server https://mastodon.social --token-file t.txt

        hustings connect email -w "Riding 12" --imap-host imap.example.org \
            --smtp-host smtp.example.org --address office@example.org --password-file pw.txt

        hustings connect bluesky -w "Riding 12" --service https://bsky.social \
            --handle jane.bsky.social --password-file app-password.txt
    """
    settings: dict[str, object] = {}
    if server:
        settings["server"] = server
    if service:
        settings["service"] = service
    if handle:
        settings["handle"] = handle
    if hashtag:
        settings["hashtags"] = list(hashtag)
    given = {"imap_host": imap_host, "imap_port": imap_port, "imap_tls": imap_tls,
             "smtp_host": smtp_host, "smtp_port": smtp_port, "smtp_starttls": smtp_starttls,
             "address": address, "folder": folder}
    settings.update({k: v for k, v in given.items() if v is not None})
    for pair in setting or []:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"--set takes KEY=VALUE, not {pair!r}")
        flag = {"true": True, "false": False}.get(value.strip().lower())
        settings[key.strip()] = flag if flag is not None else value
    try:
        account_role = AccountRole(role)
    except ValueError:
        raise ConfigError(
            f"unknown role {role!r}; roles: {', '.join(r.value for r in AccountRole)}"
        ) from None
    store = open_store(ctx)
    try:
        health = connect(
            store, _workspace(store, workspace), platform, settings,
            _read_secret(platform, password_file or token_file), account_role,
        )
    finally:
        store.close()
    if as_json:
        print_json(health.as_dict())
    else:
        err.print(f"Connected {health.platform} account {health.account} (connection {health.id}).")


def connections_cmd(
    ctx: typer.Context, workspace: WorkspaceOption, as_json: JsonOption = False
) -> None:
    """List the workspace's connections and their health: status, last success, last error
    and inbox items per day over the last week.

    Example:

        hustings connections --workspace "Riding 12" --json
    """
    store = open_store(ctx)
    try:
        actor = _workspace(store, workspace)
        with store.begin() as conn:
            rows = [h.as_dict() for h in list_connections(conn, actor)]
    finally:
        store.close()
    print_rows(
        rows,
        ["id", "platform", "account", "status", "last_ok_at", "items_per_day", "last_error",
         "notice"],
        as_json,
        "Connections",
    )


def sync_cmd(
    ctx: typer.Context,
    workspace: Annotated[str | None, typer.Option("--workspace", "-w")] = None,
    follow: Annotated[
        bool, typer.Option("--follow/--once", help="Keep streaming, or sync once and stop.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Pull what is new on every connection, file it into the inboxes and send queued
    replies; with --follow, keep streaming until interrupted.

    Example:

        hustings sync --workspace "Riding 12" --once
    """
    store = open_store(ctx)
    try:
        ws = _workspace(store, workspace).workspace_id if workspace else None
        reports = sync_all(store, ws)
        rows = [
            {"connection": r.connection_id, "platform": r.platform, "added": r.added,
             "filed": r.filed, "quarantined": r.quarantined, "error": r.error}
            for r in reports
        ]
        print_rows(rows, list(rows[0]) if rows else ["connection"], as_json, "Sync")
        if follow:
            _follow(store, ws)
    finally:
        store.close()
    if any(r.error for r in reports):
        raise typer.Exit(1)


def _follow(store: Store, workspace_id: int | None) -> None:
    query = select(connections.c.id)
    if workspace_id is not None:
        query = query.where(connections.c.workspace_id == workspace_id)
    with store.begin() as conn:
        ids = list(conn.execute(query).scalars())
    stop = threading.Event()
    threads = [
        threading.Thread(target=follow_connection, args=(store, i, stop), daemon=True)
        for i in ids
    ]
    for thread in threads:
        thread.start()
    try:
        while not stop.wait(5.0):
            deliver_due(store, workspace_id)
    except KeyboardInterrupt:
        stop.set()


def register(app: typer.Typer) -> None:
    app.command("connect")(connect_cmd)
    app.command("connections")(connections_cmd)
    app.command("sync")(sync_cmd)


def attach_cmd(
    ctx: typer.Context,
    workspace: WorkspaceOption,
    platform: Annotated[str, typer.Option(help="The account's platform.")],
    handle: Annotated[str, typer.Argument(help="The account's handle.")],
    role: Annotated[str, typer.Option(help="Registry role if it is newly tracked.")] = (
        "candidate"
    ),
) -> None:
    """Attach an account to the workspace without credentials (read from imports only).

    Example:

        hustings accounts attach --workspace "Riding 12" --platform bluesky jane.bsky.social
    """
    store = open_store(ctx)
    try:
        actor = _workspace(store, workspace)
        with store.begin() as conn:
            attach_account(conn, actor, platform, handle, AccountRole(role))
    finally:
        store.close()
    err.print(f"Attached {platform} account {handle} to {workspace}.")


def detach_cmd(
    ctx: typer.Context,
    workspace: WorkspaceOption,
    platform: Annotated[str, typer.Option(help="The account's platform.")],
    handle: Annotated[str, typer.Argument(help="The account's handle.")],
) -> None:
    """Detach an account from the workspace, deleting its connection and credentials.

    Example:

        hustings accounts detach --workspace "Riding 12" --platform mastodon jane@mastodon.social
    """
    store = open_store(ctx)
    try:
        actor = _workspace(store, workspace)
        with store.begin() as conn:
            detach_account(conn, actor, platform, handle)
    finally:
        store.close()
    err.print(f"Detached {platform} account {handle} from {workspace}.")


def register_accounts(app: typer.Typer) -> None:
    app.command("attach")(attach_cmd)
    app.command("detach")(detach_cmd)
