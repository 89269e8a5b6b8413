"""The world built once per backend, private copies of it, and what each side sees in them.

A ``Template`` is the world as built, with everything every test compares against taken once
(so no test pays for it): the sessions of A's and B's staff (rows in the copied database,
so a copy's clients are signed in without logging in, and A's audit log is the same in
every copy), A's rows, what A's users see through the API, and what B's own inbox shows of
A. ``Copy.web`` gives a signed-in client on one web app per copy.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from fastapi import FastAPI

from hustings.store import Store
from hustings.store.database import create_store_engine
from hustings.web import create_app
from hustings.web.auth import SESSION_COOKIE
from tests.tenancy.world import A_MARKERS, PASSWORD, World, owned_rows, rows_diff
from tests.web.conftest import Web

__all__ = [
    "Client",
    "Copy",
    "Template",
    "api_view",
    "assert_same",
    "b_looks_around",
    "leaks",
    "sign_in",
]

_SECRET = "tenancy-secret"
# Who signs in when the template is built: A's owner and manager watch, B's owner attacks,
# B's manager has a session to end (logout).
STAFF = ("a:owner", "a:manager", "b:owner", "b:manager")


_APPS: dict[str, FastAPI] = {}


def shared_app(store: Store) -> FastAPI:
    """One web app per process, pointed at ``store`` by each request (``Client.request``):
    FastAPI prepares a route on its first match, which costs more per app than the
    requests a test sends."""
    if "app" not in _APPS:
        _APPS["app"] = create_app(store, secret=_SECRET)
    return _APPS["app"]


class Client(Web):
    """``tests.web.conftest.Web`` on the shared app, on one store."""

    def __init__(self, store: Store, cookie: str = "", csrf: str = "") -> None:
        self.store = store
        self.app = shared_app(store)
        self._runner = asyncio.Runner()
        self.client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app, client=("10.0.0.1", 5000)),
            base_url="http://hustings.test",
            cookies={SESSION_COOKIE: cookie} if cookie else None,
        )
        self.csrf = csrf

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        self.app.state.store = self.store
        return super().request(method, url, **kwargs)


@dataclass(frozen=True)
class Signed:
    cookie: str
    csrf: str


@dataclass
class Template:
    """The world on one backend, and the baselines every test compares with."""

    backend: str
    world: World
    make: Callable[[], str]
    sessions: dict[str, Signed] = field(default_factory=dict)
    a_rows: dict[str, list[Any]] = field(default_factory=dict)
    a_view: dict[str, Any] = field(default_factory=dict)
    b_leaks: set[tuple[str, str]] = field(default_factory=set)

    def copy(self) -> Copy:
        return Copy(Store(create_store_engine(self.make())), self)


@dataclass
class Copy:
    """One test's (or one walk's) private copy of the world."""

    store: Store
    template: Template
    clients: list[Client] = field(default_factory=list)

    @property
    def world(self) -> World:
        return self.template.world

    def web(self, who: str | None = None) -> Client:
        """A client, signed in as ``who`` (``"a:owner"``, ``"b:manager"``…) if given."""
        signed = self.template.sessions[who] if who else Signed("", "")
        client = Client(self.store, signed.cookie, signed.csrf)
        self.clients.append(client)
        return client

    def a_rows(self) -> dict[str, list[Any]]:
        with self.store.begin() as conn:
            return owned_rows(conn, self.world.a.workspace)

    def close(self) -> None:
        for client in self.clients:
            client.close()
        self.store.close()


def sign_in(template: Template, store: Store) -> None:
    """Open the staff's sessions on the template and take the baselines."""
    clients = {}
    for who in STAFF:
        side, role = who.split(":")
        client = Client(store)
        email = getattr(template.world, side).email(role)
        assert client.login(email, PASSWORD).status_code == 200
        cookie = client.client.cookies[SESSION_COOKIE]
        template.sessions[who] = Signed(cookie, client.csrf)
        clients[who] = client
    with store.begin() as conn:
        template.a_rows = owned_rows(conn, template.world.a.workspace)
    template.a_view = api_view(clients["a:owner"], clients["a:manager"])
    template.b_leaks = b_looks_around(clients["b:owner"])
    for client in clients.values():
        client.close()


def _json(web: Web, url: str) -> Any:
    response = web.get(url)
    assert response.status_code == 200, (url, response.status_code, response.text)
    return response.json()


_DASHBOARD = ("open_items", "past_sla", "unanswered_people", "reply_rate_30d")


def api_view(owner: Web, manager: Web) -> dict[str, Any]:
    """Everything a workspace's owner (and its manager's saved views) can read: the inbox
    with every item's thread, notes and replies; every person's record; canned replies,
    views, SLA policies, members, the audit log and the dashboard's figures."""
    listed = _json(owner, "/api/items?status=any&limit=500")
    people = _json(owner, "/api/people?limit=500")
    dashboard = _json(owner, "/api/dashboard")
    return {
        "items": listed,
        "details": {i["id"]: _json(owner, f"/api/items/{i['id']}") for i in listed},
        "people": people,
        "records": {p["id"]: _json(owner, f"/api/people/{p['id']}") for p in people},
        "canned": _json(owner, "/api/canned"),
        "sla": _json(owner, "/api/sla"),
        "members": _json(owner, "/api/members"),
        "audit": _json(owner, "/api/audit?limit=1000"),
        "views": _json(manager, "/api/views"),
        "dashboard": {k: dashboard[k] for k in _DASHBOARD},
    }


def leaks(body: str, sent: str = "") -> list[str]:
    """A's markers found in ``body``, each with what it is; a marker B itself ``sent`` (a
    search box showing what was searched for) is not a leak."""
    return [
        f"{marker!r} ({what})"
        for marker, what in A_MARKERS.items()
        if marker in body and marker not in sent
    ]


def b_looks_around(b: Web, pages: bool = False, typed: str = "") -> set[tuple[str, str]]:
    """Where B's own inbox and records show A's markers, as (url, marker) pairs: B reads
    every item and every person (and their export), as its staff would; ``pages`` adds the
    HTML pages and the CSV."""
    urls = ["/api/items?status=any&limit=500", "/api/people?limit=500"]
    urls += [f"/api/items/{i['id']}" for i in _json(b, urls[0])]
    for person in _json(b, urls[1]):
        urls += [f"/api/people/{person['id']}", f"/api/people/{person['id']}/export"]
    if pages:
        urls += [u.replace("/api/items", "/inbox").replace("/api/", "/") for u in urls]
        urls = [u.replace("/export", "/export.json") if u.startswith("/people/") else u
                for u in urls]  # fmt: skip
        urls += ["/api/people.csv", "/dashboard", "/api/dashboard"]
    found = set()
    for url in urls:
        response = b.get(url)
        assert response.status_code == 200, (url, response.status_code)
        found.update((url, leak) for leak in leaks(response.text, typed))
    return found


def assert_same(before: dict[str, list[Any]], after: dict[str, list[Any]], what: str) -> None:
    """Fail with the rows that changed, table by table."""
    assert after == before, f"{what} changed A's data:\n{rows_diff(before, after)}"
