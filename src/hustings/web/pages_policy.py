"""Policy watch pages: the matrix (each cell linking to its items), items with their
versions and diffs, the review queue with its correction form, alerts and source health.

Thin over :mod:`hustings.policy`; every query is the session's workspace's, so another
workspace's item id is a 404.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from hustings import policy
from hustings.errors import InvalidInputError
from hustings.web.deps import Conn, Id, PageSession, PageWrite, ShortText, TransactionRoute
from hustings.web.pages import back, render

__all__ = ["router"]

router = APIRouter(include_in_schema=False, route_class=TransactionRoute)


def _link(ids: tuple[int, ...]) -> str:
    return "/policy/items?ids=" + ",".join(map(str, ids))


@router.get("/policy")
def matrix_page(request: Request, s: PageSession, conn: Conn,
                weeks: Annotated[int, Query(ge=1, le=52)] = 4) -> HTMLResponse:
    m = policy.build_matrix(conn, s.actor, weeks=weeks)
    return render(request, "policy.html", s, m=m, link=_link, definitions=policy.DEFINITIONS,
                  sources=policy.list_sources(conn, s.actor),
                  alerts=policy.list_alerts(conn, s.actor, limit=20), weeks=weeks)


@router.get("/policy/items")
def items_page(request: Request, s: PageSession, conn: Conn,
               ids: Annotated[ShortText, Query()] = "",
               review: Annotated[bool, Query()] = False) -> HTMLResponse:
    chosen = None
    if ids:
        try:
            chosen = [int(i) for i in ids.split(",") if i.strip()]
        except ValueError:
            raise InvalidInputError("ids must be item numbers separated by commas") from None
    found = policy.list_items(conn, s.actor, ids=chosen, review=True if review else None)
    for item in found:
        item["topic"] = policy.topic_label(item["topic_code"])
    return render(request, "policy_items.html", s, items=found, review=review)


@router.get("/policy/items/{policy_item_id}")
def item_page(request: Request, policy_item_id: Id, s: PageSession, conn: Conn
              ) -> HTMLResponse:
    item = policy.get_item(conn, s.actor, policy_item_id)
    return render(request, "policy_item.html", s, item=item,
                  topic=policy.topic_label(item["topic_code"]), topics=policy.topics())


@router.post("/policy/items/{policy_item_id}/correct")
def correct(policy_item_id: Id, s: PageWrite, conn: Conn,
            code: Annotated[int, Form()]) -> Response:
    policy.correct(conn, s.actor, policy_item_id, code)
    return back(f"/policy/items/{policy_item_id}")
