"""Every route of the web app, and how B attacks each one with A's ids and data.

``app_routes`` lists what the app serves, read from ``app.routes``. Every route with an id in
its path is attacked with A's ids automatically (``id_attacks``), once per kind of A object
it can name; ``BODIES`` holds the valid body each such write needs, so that the request gets
past validation to the isolation check. ``EXTRA`` holds the attacks on routes without ids in
their path (A's ids in the query or body) and attacks that name B's own objects with A's data
inside. ``PUBLIC`` names the routes that need no session. The coverage test fails when a
route is in none of these.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from fastapi import FastAPI
from starlette.routing import Mount, Route

from hustings.store import Store
from hustings.store.cursor import encode_cursor
from hustings.web import create_app
from tests.tenancy.world import A_TARGET, World

__all__ = ["ATTACKS", "BODIES", "EXTRA", "PARAMS", "PUBLIC", "Attack", "app_routes", "fill"]

Body = Callable[[World], Any]

# Which of A's objects a path parameter may name; the first is the default.
_TARGETS: dict[str, tuple[str, ...]] = {
    "item_id": ("dm", "shared"),
    "person_id": ("fan", "both"),
}


@dataclass(frozen=True)
class Attack:
    """One request B sends: ``target`` picks the object the path names (``b:`` for B's own)."""

    method: str
    route: str
    target: str = ""
    note: str = ""
    query: Body | None = None
    body: Body | None = None
    expect: tuple[int, ...] = (403, 404)
    csv: bool = False
    own_session: bool = False

    def __str__(self) -> str:
        text = f"{self.method} {self.route}"
        if self.target:
            text += f" [{self.target}]"
        return text + (f" ({self.note})" if self.note else "")


def app_routes(app: FastAPI | None = None) -> set[tuple[str, str]]:
    """(method, path) of every route the app serves, included routers and docs too."""
    app = app or create_app(cast(Store, None), secret="routes")
    found: set[tuple[str, str]] = set()

    def walk(routes: list[Any]) -> None:
        for route in routes:
            inner = getattr(route, "original_router", None)
            if inner is not None:
                walk(inner.routes)
            elif isinstance(route, Route):
                found.update((m, route.path) for m in route.methods or () if m != "HEAD")
            elif isinstance(route, Mount):
                found.add(("MOUNT", route.path))
            else:
                found.add((type(route).__name__, getattr(route, "path", "?")))

    walk(app.routes)
    return found


# What each path parameter names, given the owning side and the kind of object asked for.
PARAMS: dict[str, Callable[[Any, str], Any]] = {
    "item_id": lambda side, kind: side.items[kind or "dm"],
    "person_id": lambda side, kind: side.people[kind or "fan"],
    "canned_id": lambda side, kind: side.canned,
    "view_id": lambda side, kind: side.view,
    "merge_id": lambda side, kind: side.merge,
    "tag": lambda side, kind: side.tag,
    "connection_id": lambda side, kind: side.connection,
    "post_id": lambda side, kind: side.planned,
    "nudge_id": lambda side, kind: side.nudge,
    "rule_id": lambda side, kind: side.rule,
    # A public capability, not an id: whoever holds an event's form link may ask there (the
    # routes are in PUBLIC, so no attack fills this in).
    "form_token": lambda side, kind: "not-attacked",
    "overlay_token": lambda side, kind: "not-attacked",
    "event_id": lambda side, kind: side.event,
    "policy_item_id": lambda side, kind: side.policy_item,
}


def fill(route: str, target: str, world: World) -> str:
    """The route's path with A's (or, for ``b:…`` targets, B's) ids in it."""
    owner, _, kind = target.rpartition(":")
    side = world.b if owner == "b" else world.a
    return re.sub(r"{(\w+)}", lambda m: str(PARAMS[m.group(1)](side, kind)), route)


# A valid body for every write route with an id in its path: JSON under /api/, else form.
BODIES: dict[tuple[str, str], Body] = {
    ("POST", "/api/items/{item_id}/assign"): lambda w: {"user_id": w.a.users["responder"]},
    ("POST", "/api/items/{item_id}/status"): lambda w: {"status": "closed"},
    ("POST", "/api/items/{item_id}/priority"): lambda w: {"priority": 3},
    ("POST", "/api/items/{item_id}/notes"): lambda w: {"text": "Bravo was here"},
    ("POST", "/api/items/{item_id}/replies"): lambda w: {"text": "Bravo answers"},
    ("POST", "/api/people/{person_id}/stance"): lambda w: {
        "value": "strong_opposition",
        "evidence_message_id": w.a.messages["reply"],
    },
    ("POST", "/api/people/{person_id}/tags"): lambda w: {"tag": "bravo-tag"},
    ("POST", "/api/people/{person_id}/notes"): lambda w: {"text": "Bravo was here"},
    ("POST", "/api/people/{person_id}/identities"): lambda w: {
        "platform": "x",
        "account_id": "9999",
    },
    ("POST", "/inbox/{item_id}/status"): lambda w: {"status": "closed"},
    ("POST", "/inbox/{item_id}/priority"): lambda w: {"priority": "3"},
    ("POST", "/inbox/{item_id}/assign"): lambda w: {"user_id": str(w.a.users["responder"])},
    ("POST", "/inbox/{item_id}/notes"): lambda w: {"text": "Bravo was here"},
    ("POST", "/inbox/{item_id}/reply"): lambda w: {"text": "Bravo answers"},
    ("POST", "/merges/{merge_id}/undo"): lambda w: {"person_id": str(w.a.people["fan"])},
    ("POST", "/people/{person_id}/stance"): lambda w: {
        "value": "oppose",
        "evidence_message_id": str(w.a.messages["reply"]),
    },
    ("POST", "/people/{person_id}/tags"): lambda w: {"tag": "bravo-tag"},
    ("POST", "/people/{person_id}/notes"): lambda w: {"text": "Bravo was here"},
    ("POST", "/people/{person_id}/erase"): lambda w: {"confirm": "ERASE"},
    ("POST", "/plan/{post_id}/override"): lambda w: {"reason": "Bravo says so"},
    ("POST", "/api/plan/posts/{post_id}/override"): lambda w: {"reason": "Bravo says so"},
    ("POST", "/plan/{post_id}/edit"): lambda w: {"text": "Bravo rewrites A's post"},
    ("POST", "/api/plan/posts/{post_id}/edit"): lambda w: {"text": "Bravo rewrites A's post"},
    ("POST", "/api/plan/nudges/{nudge_id}/decide"): lambda w: {"outcome": "posted_anyway"},
    ("POST", "/plan/nudges/{nudge_id}/decide"): lambda w: {"outcome": "posted_anyway"},
    ("POST", "/qa/events/{event_id}/act"): lambda w: {"action": "clear"},
    ("POST", "/api/qa/events/{event_id}/act"): lambda w: {"action": "clear"},
    ("PUT", "/api/qa/events/{event_id}/roles"): lambda w: {
        "email": "responder@bravo.example", "role": "moderator"},
    ("POST", "/policy/items/{policy_item_id}/correct"): lambda w: {"code": 3},
}


def id_attacks(routes: set[tuple[str, str]]) -> list[Attack]:
    """B names A's objects in the path of every route that takes an id."""
    found = []
    for method, route in sorted(routes):
        params = re.findall(r"{(\w+)}", route)
        if not params or method == "MOUNT" or (method, route) in PUBLIC:
            continue
        targets = next((_TARGETS[p] for p in params if p in _TARGETS), ("",))
        body = BODIES.get((method, route))
        for target in targets:
            found.append(Attack(method, route, target, body=body))
    return found


def _merge(keep: str, merged: str) -> Body:
    def body(w: World) -> dict[str, int]:
        sides = {"a": w.a, "b": w.b}
        return {
            "keep_id": sides[keep[0]].people[keep[2:]],
            "merge_id": sides[merged[0]].people[merged[2:]],
        }

    return body


def _form(body: Body) -> Body:
    return lambda w: {k: str(v) for k, v in body(w).items()}


_OK = (200,)
_REDIRECT = (303,)
_REFUSED = (403, 404, 409, 422)

EXTRA: list[Attack] = [
    # Listings and searches: B's own data only, whatever A's ids the query names.
    *(Attack("GET", r, expect=_OK) for r in ("/api/me", "/api/members", "/api/canned",
                                              "/api/views", "/api/sla", "/api/dashboard",
                                              "/api/people/merge-suggestions", "/api/people.csv",
                                              "/dashboard", "/dashboard/accounts",
                                              "/openapi.json", "/docs")),
    Attack("GET", "/api/audit", note="limit 1000", query=lambda w: {"limit": 1000}, expect=_OK),
    Attack("GET", "/api/items", note="everything", expect=_OK,
           query=lambda w: {"status": "any", "limit": 500}),
    Attack("GET", "/api/items", note="A's person", expect=_OK,
           query=lambda w: {"status": "any", "person_id": w.a.people["fan"]}),
    Attack("GET", "/api/items", note="A's responder", expect=_OK,
           query=lambda w: {"status": "any", "assignee": str(w.a.users["responder"])}),
    Attack("GET", "/api/items", note="A's words", expect=_OK,
           query=lambda w: {"status": "any", "q": "Amberley"}),
    Attack("GET", "/api/items", note="A's view", query=lambda w: {"view": w.a.view}),
    Attack("GET", "/inbox", note="everything", expect=_OK, query=lambda w: {"status": "any"}),
    Attack("GET", "/inbox", note="A's words", expect=_OK,
           query=lambda w: {"status": "any", "q": "Orchard"}),
    Attack("GET", "/inbox", note="A's view", query=lambda w: {"view": w.a.view}),
    # Page cursors placed just before A's rows: B still reads on through its own only.
    Attack("GET", "/api/items", note="cursor at A's item", expect=_OK,
           query=lambda w: {"status": "any", "sort": "newest",
                            "cursor": encode_cursor("items:newest",
                                                    ["9999-01-01T00:00:00+00:00",
                                                     w.a.items["dm"] + 1], 0)}),
    Attack("GET", "/inbox", note="cursor at A's item", expect=_OK,
           query=lambda w: {"status": "any", "sort": "newest",
                            "cursor": encode_cursor("items:newest",
                                                    ["9999-01-01T00:00:00+00:00",
                                                     w.a.items["dm"] + 1], 0)}),
    Attack("GET", "/api/people", note="cursor at A's person", expect=_OK,
           query=lambda w: {"cursor": encode_cursor("people:newest",
                                                    [w.a.people["fan"] + 1], 0)}),
    Attack("GET", "/api/people", note="everyone", expect=_OK, query=lambda w: {"limit": 500}),
    Attack("GET", "/api/people", note="A's words", expect=_OK, query=lambda w: {"q": "amberley"}),
    Attack("GET", "/api/people", note="A's tag", expect=_OK, query=lambda w: {"tag": w.a.tag}),
    Attack("GET", "/people", note="A's words", expect=_OK, query=lambda w: {"q": "amberley"}),
    Attack("GET", "/people", note="A's tag", expect=_OK, query=lambda w: {"tag": w.a.tag}),
    # Stance targets: B lists and names its own; A's target's name filters nothing of A's.
    Attack("GET", "/api/stance-targets", expect=_OK),
    Attack("POST", "/api/stance-targets", note="named as A's candidate target", expect=_OK,
           body=lambda w: {"name": "alphacand", "kind": "candidate"}),
    Attack("GET", "/api/people", note="A's target", expect=_OK,
           query=lambda w: {"target": A_TARGET, "stance": "support"}),
    Attack("GET", "/people", note="A's target", expect=_OK,
           query=lambda w: {"target": A_TARGET, "stance": "support"}),
    Attack("GET", "/api/items", note="A's target", expect=_OK,
           query=lambda w: {"status": "any", "stance_target": A_TARGET, "stance": "support"}),
    Attack("GET", "/inbox", note="A's target", expect=_OK,
           query=lambda w: {"status": "any", "stance_target": A_TARGET}),
    # Writes without ids in the path: A's ids in the body.
    Attack("POST", "/api/people/merge", note="A's person into B's", body=_merge("b:fan", "a:fan")),
    Attack("POST", "/api/people/merge", note="B's person into A's", body=_merge("a:fan", "b:fan")),
    Attack("POST", "/api/people/merge", note="A's into A's", body=_merge("a:fan", "a:both")),
    Attack("POST", "/people/merge", note="A's person into B's",
           body=_form(_merge("b:fan", "a:fan"))),
    Attack("POST", "/people/merge", note="B's person into A's",
           body=_form(_merge("a:fan", "b:fan"))),
    Attack("POST", "/api/canned", note="B's own", expect=_OK,
           body=lambda w: {"name": "Bravo hello", "body": "Hello {name}"}),
    Attack("POST", "/api/views", note="filters naming A's ids", expect=_OK,
           body=lambda w: {"name": "Bravo spy", "filters": {
               "status": "any", "person_id": w.a.people["fan"],
               "assignee": str(w.a.users["responder"])}}),
    Attack("POST", "/inbox/views", note="filters naming A's ids", expect=_REDIRECT,
           body=lambda w: {"name": "Bravo spy form", "status": "any",
                           "person_id": str(w.a.people["fan"])}),
    Attack("PUT", "/api/sla", note="B's own", expect=_OK,
           body=lambda w: {"name": "Bravo fast", "first_response_minutes": 1440,
                           "next_response_minutes": 1440}),
    Attack("POST", "/api/sync", expect=_OK),
    Attack("POST", "/api/messages", note="a reply to A's account", expect=(200, *_REFUSED),
           body=lambda w: [{"platform": "x", "platform_id": "walk-push", "author_id": "55",
                            "created_at": "2026-01-05T10:00:00Z", "text": "Bravo pushes",
                            "kind": "reply", "reply_to_account_id": "100",
                            "reply_to_handle": "alphacand", "conversation_id": "ca1"}]),
    Attack("POST", "/api/people/import", note="A's person's id", expect=_OK, csv=True,
           body=lambda w: f"nationbuilder_id,first_name\n{w.a.people['fan']},Bravo Newcomer\n"),
    Attack("POST", "/api/login", note="A's owner, B's password", expect=(401,),
           body=lambda w: {"email": w.a.email("owner"), "password": "not A's password"}),
    Attack("GET", "/settings", note="B's own connections only", expect=_OK),
    Attack("GET", "/plan", note="B's own planned posts only", expect=_OK),
    Attack("GET", "/policy", note="B's own matrix, alerts and sources only", expect=_OK),
    Attack("GET", "/policy/items", note="A's policy item named in ids", expect=_OK,
           query=lambda w: {"ids": str(w.a.policy_item)}),
    Attack("GET", "/api/plan/posts", note="B's own planned posts only", expect=_OK),
    Attack("GET", "/api/plan/best-time", note="B's own accounts only", expect=_OK),
    Attack("GET", "/api/plan/best-time", note="A's account", expect=_REFUSED,
           query=lambda w: {"account": "x:alphacand"}),
    Attack("GET", "/api/plan/rules", note="B's own rules only", expect=_OK),
    Attack("GET", "/api/plan/response", note="B's own accounts only", expect=_OK),
    Attack("GET", "/api/plan/response", note="A's account", expect=_REFUSED,
           query=lambda w: {"account": "x:alphacand"}),
    Attack("POST", "/api/plan/rules", note="on A's account", expect=_REFUSED,
           body=lambda w: {"kind": "max_per_day", "posts": 1, "account": "x:alphacand"}),
    Attack("POST", "/plan/rules", note="on A's account", expect=_REFUSED,
           body=lambda w: {"kind": "max_per_day", "posts": "1", "account": "x:alphacand"}),
    Attack("POST", "/api/plan/posts", note="on A's account", expect=_REFUSED,
           body=lambda w: {"account": "x:alphacand", "text": "Bravo posting as Alpha"}),
    Attack("POST", "/api/plan/posts", note="a thread under A's post", expect=_REFUSED,
           body=lambda w: {"account": "x:bravocand", "text": "Bravo's reply",
                           "thread_parent_id": w.a.planned}),
    Attack("GET", "/plan", note="A's nudge", expect=_REFUSED,
           query=lambda w: {"nudge": w.a.nudge}),
    Attack("POST", "/plan/draft", note="on A's account", expect=_REFUSED,
           body=lambda w: {"account": "x:alphacand", "text": "Bravo posting as Alpha"}),
    # Connecting with credentials the platform refuses (nothing listens on port 9): B's
    # error page, and nothing of A's connection or account changes.
    Attack("POST", "/settings/connect", note="A's server, refused", expect=(200, 400, 422),
           body=lambda w: {"platform": "mastodon", "server": "http://127.0.0.1:9",
                           "secret": "not-a-token"}),
    Attack("POST", "/api/logout", expect=_OK, own_session=True),
    Attack("POST", "/logout", expect=_REDIRECT, own_session=True),
    # B's own objects, with A's ids inside the body.
    Attack("POST", "/api/items/{item_id}/replies", "b:reply", "A's canned reply",
           body=lambda w: {"canned_id": w.a.canned, "fields": {"name": "Sam"}}),
    Attack("POST", "/api/items/{item_id}/assign", "b:reply", "A's responder", expect=(422,),
           body=lambda w: {"user_id": w.a.users["responder"]}),
    Attack("POST", "/inbox/{item_id}/assign", "b:reply", "A's responder", expect=(422,),
           body=lambda w: {"user_id": str(w.a.users["responder"])}),
    *(Attack("POST", "/api/people/{person_id}/stance", "b:both", f"citing A's {kind}",
             body=lambda w, kind=kind: {"value": "support",  # type: ignore[misc]
                                        "evidence_message_id": w.a.messages[kind]})
      for kind in ("reply", "dm", "email", "draft")),
    Attack("POST", "/people/{person_id}/stance", "b:both", "citing A's DM",
           body=lambda w: {"value": "support", "evidence_message_id": str(w.a.messages["dm"])}),
    Attack("POST", "/api/people/{person_id}/stance", "b:both", "toward A's target",
           body=lambda w: {"value": "oppose", "target": A_TARGET}),
    Attack("POST", "/people/{person_id}/stance", "b:both", "toward A's target",
           body=lambda w: {"value": "oppose", "target": A_TARGET}),
    Attack("POST", "/api/people/{person_id}/identities", "b:fan", "A's candidate's account",
           expect=_REFUSED, body=lambda w: {"platform": "x", "account_id": "100"}),
    Attack("POST", "/api/people/{person_id}/identities", "b:fan", "A's candidate's handle",
           expect=_REFUSED, body=lambda w: {"platform": "x", "account_id": "alphacand"}),
    Attack("POST", "/api/people/{person_id}/identities", "b:fan", "A's office address",
           expect=_REFUSED, body=lambda w: {"platform": "email",
                                            "account_id": "office@alpha.example"}),
]  # fmt: skip

# Routes anyone may call without a session; they take no workspace and no id (the question
# form's and the overlay's tokens are capabilities a campaign hands out, not ids).
PUBLIC = {("GET", "/"), ("GET", "/login"), ("POST", "/login"), ("MOUNT", "/static"),
          ("GET", "/ask/{form_token}"), ("POST", "/ask/{form_token}"),
          ("POST", "/ask/{form_token}/vote"),
          ("GET", "/overlay/{overlay_token}"),
          ("GET", "/overlay/{overlay_token}/events")}  # fmt: skip

ATTACKS: list[Attack] = id_attacks(app_routes()) + EXTRA
