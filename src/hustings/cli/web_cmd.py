"""``hustings serve`` and ``hustings users add``: run the web app and let people into it."""

from __future__ import annotations

import os
import sys
from typing import Annotated, Any

import typer

from hustings.cli.context import open_store
from hustings.cli.output import err
from hustings.errors import InvalidInputError
from hustings.workspace import Role, add_user

__all__ = ["register", "server_config"]

users_app = typer.Typer(help="Manage who can sign in to the web app.", no_args_is_help=True)


def serve(
    ctx: typer.Context,
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="TCP port.")] = 8000,
    host: Annotated[
        str, typer.Option("--host", help="Interface to listen on (loopback by default).")
    ] = "127.0.0.1",
    sync_every: Annotated[
        float, typer.Option("--sync-every", min=0.5, help="Seconds between inbox syncs.")
    ] = 5.0,
    audit_every: Annotated[
        float,
        typer.Option("--audit-every", min=10, help="Seconds between dashboard scorecard audits."),
    ] = 900.0,
    pull_every: Annotated[
        float, typer.Option("--pull-every", min=5, help="Seconds between connector pulls.")
    ] = 60.0,
    qa_every: Annotated[
        float,
        typer.Option(
            "--qa-every",
            min=1,
            help="Seconds between looks for running Q&A events whose YouTube chat to poll "
            "(needs HUSTINGS_YOUTUBE_API_KEY; HUSTINGS_YOUTUBE_API_URL overrides the API).",
        ),
    ] = 30.0,
    trusted_proxy: Annotated[
        list[str] | None,
        typer.Option(
            "--trusted-proxy",
            help="A reverse proxy (IP or CIDR) whose X-Forwarded-For/-Proto are believed; "
            "repeat for more. Default: HUSTINGS_TRUSTED_PROXIES, else none.",
        ),
    ] = None,
) -> None:
    """Start the web app (inbox, people, dashboard, JSON API) on the store.

    Example:

        hustings serve --port 8000
        open http://127.0.0.1:8000/login
        hustings serve --trusted-proxy 127.0.0.1   # behind nginx on this machine
    """
    import uvicorn

    from hustings.connectors.worker import start_worker
    from hustings.qa import LivePolling, YouTubeAccess
    from hustings.qa._live import DEFAULT_API
    from hustings.web import create_app

    store = open_store(ctx)
    app = create_app(
        store,
        sync_every=sync_every,
        audit_every=audit_every,
        trusted_proxies=trusted_proxy or None,
    )
    start_worker(store, pull_every=pull_every)  # connectors run beside, never in, requests
    key = os.environ.get("HUSTINGS_YOUTUBE_API_KEY")
    api = os.environ.get("HUSTINGS_YOUTUBE_API_URL", DEFAULT_API)
    app.state.qa_polling = LivePolling(store, YouTubeAccess(key, api) if key else None)
    app.state.qa_polling.start(every=qa_every)  # Q&A chats and post replies, per event
    err.print(f"Hustings on http://{host}:{port}/login (API docs at /docs)", highlight=False)
    uvicorn.Server(server_config(app, host, port)).run()


def server_config(app: Any, host: str, port: int) -> Any:
    """uvicorn's settings for ``serve``: its own proxy-header handling off.

    uvicorn believes ``X-Forwarded-For`` from 127.0.0.1 by default, so any local process
    could pick its address for the login limit; the app believes only the proxies the
    operator lists (``web/proxies.py``).
    """
    import uvicorn

    return uvicorn.Config(app, host=host, port=port, log_level="warning", proxy_headers=False)


@users_app.command("add")
def users_add(
    ctx: typer.Context,
    email: Annotated[str, typer.Argument(help="The user's e-mail address (their login).")],
    workspace: Annotated[str, typer.Option("--workspace", help="Workspace name (created if new).")],
    role: Annotated[Role, typer.Option("--role", help="What they may do.")] = Role.RESPONDER,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
) -> None:
    """Add a user to a workspace with a role (owner, manager, responder, viewer).

    Example:

        hustings users add sam@campaign.example --workspace "Riding HQ" --role manager
        printf '%s' "$PW" | hustings users add ana@campaign.example --workspace HQ --password-stdin
    """
    if password_stdin:
        password = sys.stdin.read().rstrip("\r\n")
    elif not sys.stdin.isatty():
        # getpass would fall back to echoing the password (a GetPassWarning); say what works.
        raise typer.BadParameter(
            "no terminal to ask for the password: pipe it in with --password-stdin",
            param_hint="--password-stdin",
        )
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    if not password:
        raise InvalidInputError("empty password")
    user = add_user(open_store(ctx), email, password, workspace, role)
    err.print(f"{user.email} is a {role.value} of {workspace!r}", highlight=False)


def register(app: typer.Typer) -> None:
    """Mount ``serve`` and the ``users`` group on the root command."""
    app.command("serve")(serve)
    app.add_typer(users_app, name="users")
