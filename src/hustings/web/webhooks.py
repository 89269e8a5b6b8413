"""``/webhooks/meta/{connection_id}``: Meta's subscription check and signed deliveries.

Public by design (Meta signs in with nothing but the app secret's signature, checked in
``hustings.connectors.webhooks``); a refused check or delivery is a 403 with the reason,
never a 500, and nothing of a refused delivery is read.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from starlette.concurrency import run_in_threadpool

from hustings.connectors.webhooks import receive, verify_subscription
from hustings.errors import InvalidInputError, NotFoundError, PermissionDeniedError

__all__ = ["router"]

router = APIRouter(prefix="/webhooks", include_in_schema=False)
_MAX_BODY = 1_000_000


def _refused(exc: Exception) -> JSONResponse:
    code = 404 if isinstance(exc, NotFoundError) else 403 if isinstance(
        exc, PermissionDeniedError) else 422
    return JSONResponse({"detail": str(exc)}, status_code=code)


@router.get("/meta/{connection_id}")
def subscribe(
    request: Request,
    connection_id: int,
    mode: Annotated[str | None, Query(alias="hub.mode")] = None,
    token: Annotated[str | None, Query(alias="hub.verify_token")] = None,
    challenge: Annotated[str | None, Query(alias="hub.challenge")] = None,
) -> Response:
    try:
        answer = verify_subscription(request.app.state.store, connection_id, mode, token,
                                     challenge)
    except (NotFoundError, PermissionDeniedError, InvalidInputError) as exc:
        return _refused(exc)
    return PlainTextResponse(answer)


@router.post("/meta/{connection_id}")
async def deliver(request: Request, connection_id: int) -> Response:
    body = await request.body()
    if len(body) > _MAX_BODY:
        return JSONResponse({"detail": "the delivery is too large"}, status_code=413)
    try:
        done = await run_in_threadpool(receive, request.app.state.store, connection_id, body,
                                       request.headers.get("x-hub-signature-256"))
    except (NotFoundError, PermissionDeniedError, InvalidInputError) as exc:
        return _refused(exc)
    return JSONResponse({"added": done.added, "filed": done.filed,
                         "quarantined": done.quarantined})
