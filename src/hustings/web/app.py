"""The FastAPI application: pages, the JSON API, static assets, and error mapping.

Errors are mapped in one place: a ``WorkspaceError`` raised by any library function becomes
404 (not found, also for another workspace's ids), 403 (role or CSRF), 409 (someone got
there first), 422 (input to fix), 401 (not signed in) or 429 (login rate limit), as JSON
``{"detail": "..."}`` under ``/api`` and as a short HTML page elsewhere.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Sequence
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy.exc import DataError
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from hustings.errors import (
    AuthError,
    ConflictError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    WorkspaceError,
)
from hustings.inbox.scorecard import AuditCache
from hustings.inbox.sync import sync_inbox, warm_up
from hustings.qa import AskLimiter
from hustings.render import environment
from hustings.store import Store
from hustings.web import (
    api_inbox,
    api_people,
    api_plan,
    api_qa,
    pages,
    pages_people,
    pages_plan,
    pages_policy,
    pages_qa,
    pages_qa_live,
    pages_settings,
    webhooks,
)
from hustings.web.auth import Sessions, load_secret
from hustings.web.deps import LoginRequired
from hustings.web.proxies import trusted_proxies as proxy_list

__all__ = ["create_app"]

_HERE = Path(__file__).parent
_log = logging.getLogger(__name__)

_STATUS: tuple[tuple[type[WorkspaceError], int], ...] = (
    (NotFoundError, 404),
    (PermissionDeniedError, 403),
    (ConflictError, 409),
    (InvalidInputError, 422),
    (RateLimitedError, 429),
    (AuthError, 401),
)


def _status(exc: WorkspaceError) -> int:
    return next((code for kind, code in _STATUS if isinstance(exc, kind)), 400)


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


_SECURITY_HEADERS = (
    ("x-frame-options", "DENY"),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "same-origin"),
    (
        "content-security-policy",
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; "
        "frame-ancestors 'none'; form-action 'self'",
    ),
)


_STATIC = "/static/"


class _SecurityHeaders:
    """No framing, no sniffing, scripts only from this origin (htmx is vendored), and no
    copy of anything but the static files kept by the browser or a proxy.

    Every response outside ``/static/`` gets ``Cache-Control: no-store`` and ``Vary:
    Cookie``: pages, API answers and exports (people.csv, a person's export.json) hold
    personal data, and after sign-out Back must not show them again. Set here for every
    route rather than route by route, a new route cannot forget it. (htmx's own history
    cache is turned off in ``base.html``.)

    A plain ASGI middleware that edits the response start message: Starlette's
    ``BaseHTTPMiddleware`` would run every request through an extra task and stream.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        private = not scope["path"].startswith(_STATIC)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in _SECURITY_HEADERS:
                    headers.setdefault(name, value)
                if private:
                    headers["cache-control"] = "no-store"
                    headers.add_vary_header("Cookie")
            await send(message)

        await self.app(scope, receive, send_with_headers)


def create_app(
    store: Store,
    *,
    secret: str | None = None,
    sync_every: float | None = None,
    audit_every: float | None = None,
    trusted_proxies: Sequence[str] | None = None,
) -> FastAPI:
    """The web app over ``store``.

    ``secret`` signs session cookies (default: ``load_secret()``). ``sync_every`` seconds, if
    given, runs the inbox sync in the background so imported files reach the inbox without
    anyone pressing a button; ``audit_every`` seconds recomputes the dashboard's audit
    scorecard the same way. ``hustings serve`` turns both on, tests leave them off (and call
    ``app.state.audit.refresh``).

    ``trusted_proxies`` (default: ``HUSTINGS_TRUSTED_PROXIES``, else none) lists the reverse
    proxies whose ``X-Forwarded-For`` and ``X-Forwarded-Proto`` are believed; see
    ``web/proxies.py``.
    """
    proxies = proxy_list(trusted_proxies)

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        tasks = []
        if sync_every:
            # Load the needs-reply model before the first request rather than during it.
            await asyncio.to_thread(warm_up)
            tasks.append(asyncio.create_task(_every(sync_every, sync_inbox, store)))
        if audit_every:
            tasks.append(asyncio.create_task(_every(audit_every, audit.refresh, store)))
        yield
        for task in tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    app = FastAPI(
        title="Hustings",
        description="Inbox and people for campaigns that answer. Writes need the "
        "X-CSRF-Token header returned by POST /api/login.",
        version="0.1.0",
        lifespan=lifespan,
        # FastAPI's own /docs and /redoc load their scripts from a CDN, which the CSP
        # blocks (and an offline laptop cannot reach): /docs below serves Swagger UI
        # from /static instead.
        docs_url=None,
        redoc_url=None,
    )
    audit = AuditCache()
    app.state.store = store
    app.state.audit = audit
    app.state.sessions = Sessions(secret or load_secret())
    # The environment reports render through too: one set of filters, one stylesheet.
    app.state.templates = Jinja2Templates(env=environment())
    app.add_middleware(_SecurityHeaders)
    if proxies:
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=proxies)
    app.mount("/static", StaticFiles(directory=_HERE / "static"), name="static")
    app.state.ask_limiter = AskLimiter()
    app.state.qa_speech = {}  # the overlay's spoken questions, a few kept
    for module in (
        api_inbox,
        api_people,
        api_plan,
        api_qa,
        pages,
        pages_people,
        pages_plan,
        pages_policy,
        pages_qa,
        pages_qa_live,
        pages_settings,
        webhooks,
    ):
        app.include_router(module.router)
    app.include_router(pages_qa_live.stream_router)

    @app.get("/docs", include_in_schema=False)
    async def docs(request: Request) -> HTMLResponse:
        """The API reference: vendored Swagger UI, its start-up script in ``static/docs.js``."""
        templates: Jinja2Templates = request.app.state.templates
        return templates.TemplateResponse(request, "docs.html", {})

    @app.exception_handler(WorkspaceError)
    async def workspace_error(request: Request, exc: WorkspaceError) -> Response:
        code = _status(exc)
        if _is_api(request):
            return JSONResponse({"detail": str(exc)}, status_code=code)
        if isinstance(exc, AuthError) and not isinstance(exc, RateLimitedError):
            return RedirectResponse("/login", status_code=303)
        return _error_page(request, code, str(exc))

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, _exc: LoginRequired) -> Response:
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)

    @app.exception_handler(DataError)
    async def data_error(request: Request, exc: DataError) -> Response:
        message = "the database refused a value as out of range or malformed"
        if _is_api(request):
            return JSONResponse({"detail": message}, status_code=422)
        return _error_page(request, 422, message)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        problems = [
            f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg', 'invalid')}"
            for e in exc.errors()
        ]
        if _is_api(request):
            return JSONResponse(
                {"detail": "; ".join(problems) or "invalid request", "errors": problems},
                status_code=422,
            )
        return _error_page(request, 422, "; ".join(problems))

    return app


def _error_page(request: Request, code: int, message: str) -> HTMLResponse:
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(
        request,
        "error.html",
        {"code": code, "message": message, "session": None},
        status_code=code,
    )


async def _every(seconds: float, work: Callable[[Store], object], store: Store) -> None:
    """Run ``work`` on the store now and then every ``seconds``, forever, off the event loop.

    A round that fails is logged and tried again next time: one bad round must not end the
    background work for the life of the server.
    """
    while True:
        try:
            await asyncio.to_thread(work, store)
        except Exception:
            _log.exception("background %s failed; retrying in %g s", work.__name__, seconds)
        await asyncio.sleep(seconds)
