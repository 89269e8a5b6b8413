"""Settings: the workspace's connections with their health, connect one, detach one.

Owner only, like ``hustings connect``. Connecting checks the credentials with the platform,
so that route is ``async`` and holds no database transaction while it waits: the session
and CSRF token are checked first (``settle_write``), then ``connect`` runs in a worker
thread with its own short transactions. The secret arrives in a password field, goes
straight into ``Secret`` and is never put back into the page, even when connecting fails.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import Connection
from starlette.concurrency import run_in_threadpool

from hustings.connectors.connections import connect, detach, list_connections
from hustings.connectors.secrets import Secret
from hustings.errors import HustingsError
from hustings.plugins import connectors
from hustings.web.auth import Session
from hustings.web.deps import (
    Conn,
    Id,
    PageSession,
    PageWrite,
    PageWriteClaim,
    ShortText,
    TransactionRoute,
    get_store,
    settle_write,
)
from hustings.web.pages import back, render
from hustings.workspace import Role

__all__ = ["router"]

router = APIRouter(include_in_schema=False, route_class=TransactionRoute)

# What the form's "server" field means on each platform (the connector's setting name).
_SERVER_SETTING = {"bluesky": "service", "mastodon": "server"}
_SERVER_SETTING.update(x="api", youtube="api")  # the API's address: https://api.x.com, ...


def _page(request: Request, s: Session, conn: Connection, code: int = 200,
          error: str | None = None, form: dict[str, str] | None = None) -> HTMLResponse:
    s.actor.require(Role.OWNER)
    platforms = sorted(p for p in connectors() if p in _SERVER_SETTING)
    return render(request, "settings.html", s, code, connections=list_connections(conn, s.actor),
                  platforms=platforms, error=error, form=form or {})


def _failed(request: Request, s: Session, error: str, form: dict[str, str]) -> HTMLResponse:
    with get_store(request).begin() as conn:
        return _page(request, s, conn, 400, error, form)


@router.get("/settings")
def settings(request: Request, s: PageSession, conn: Conn) -> HTMLResponse:
    return _page(request, s, conn)


@router.post("/settings/connect")
async def connect_account(
    request: Request,
    claim: PageWriteClaim,
    platform: Annotated[ShortText, Form()],
    server: Annotated[ShortText, Form()],
    secret: Annotated[ShortText, Form()],
    handle: Annotated[ShortText, Form()] = "",
    stream: Annotated[ShortText, Form()] = "",
) -> Response:
    s = await run_in_threadpool(settle_write, claim)
    s.actor.require(Role.OWNER)
    form = {"platform": platform, "server": server, "handle": handle, "stream": stream}
    settings = {_SERVER_SETTING.get(platform, "server"): server}
    if platform == "bluesky":
        settings["handle"] = handle
    if stream.strip():
        found = connectors().get(platform)
        name = found.stream_setting if found is not None else None
        if name is None:
            error = f"{platform} connections are polled: leave the live stream URL empty"
            return await run_in_threadpool(_failed, request, s, error, form)
        settings[name] = stream.strip()
    try:
        await run_in_threadpool(
            connect, get_store(request), s.actor, platform, settings, Secret(secret)
        )
    except HustingsError as exc:
        return await run_in_threadpool(_failed, request, s, str(exc), form)
    return back("/settings")


@router.post("/settings/connections/{connection_id}/detach")
def detach_connection(connection_id: Id, s: PageWrite, conn: Conn) -> Response:
    detach(conn, s.actor, connection_id)
    return back("/settings")
