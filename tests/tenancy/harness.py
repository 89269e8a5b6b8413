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
from datetime import UTC, datetime
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import Engine, bindparam, select, text, update

from hustings.store import Store
from hustings.store.database import create_store_engine
from hustings.store.schema import metadata
from hustings.web import create_app
from hustings.web.auth import SESSION_COOKIE
from tests.tenancy.rows import owned_rows, rows_diff
from tests.tenancy.world import A_MARKERS, A_PUSHED, PASSWORD, World
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
# Who signs in when the template is built: A's owner watches, B's owner attacks, B's
# manager has a session to end (logout).
STAFF = ("a:owner", "b:owner", "b:manager")


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


class Dump:
    """Every row of every table and where each id sequence stood: PostgreSQL's way back to
    the world as built, in one transaction, far quicker than creating a database from a
    template (and dropping it again) for every test."""

    def __init__(self, engine: Engine) -> None:
        with engine.connect() as conn:
            self.rows = {
                t.name: [dict(r._mapping) for r in conn.execute(select(t))]
                for t in metadata.sorted_tables
            }
            self.sequences = [
                (seq, *conn.execute(text(f"SELECT last_value, is_called FROM {seq}")).one())
                for t in metadata.sorted_tables
                if "id" in t.c
                and (seq := conn.execute(
                    text(f"SELECT pg_get_serial_sequence('{t.name}', 'id')")).scalar())
            ]  # fmt: skip

    def restore(self, engine: Engine) -> None:
        tables = metadata.sorted_tables
        with engine.begin() as conn:
            # DELETE, not TRUNCATE: a few dozen rows, and no files to swap per table.
            for table in reversed(tables):
                conn.execute(table.delete())
            for table in tables:
                rows = self.rows[table.name]
                if not rows:
                    continue
                # A column pointing into its own table (a merged person) is set afterwards.
                own = [fk.parent.name for fk in table.foreign_keys if fk.column.table is table]
                conn.execute(table.insert(), [{**r, **dict.fromkeys(own, None)} for r in rows])
                for name in own:
                    later = [{"key": r["id"], "value": r[name]} for r in rows if r[name]]
                    if later:
                        conn.execute(
                            update(table)
                            .where(table.c.id == bindparam("key"))
                            .values({name: bindparam("value")}),
                            later,
                        )
            for seq, value, called in self.sequences:
                conn.execute(text("SELECT setval(:s, :v, :c)"), {"s": seq, "v": value, "c": called})


@dataclass
class Template:
    """The world on one backend, and the baselines every test compares with.

    ``copy()`` is a test's private world: a copied SQLite file, or on PostgreSQL one scratch
    database put back as built (``Dump``) for each test in turn. ``private_copy()`` is a
    database of its own, for the walk that keeps its copy for a whole module.
    """

    backend: str
    world: World
    make: Callable[[], str]
    sessions: dict[str, Signed] = field(default_factory=dict)
    a_rows: dict[str, list[Any]] = field(default_factory=dict)
    a_view: dict[str, Any] = field(default_factory=dict)
    b_leaks: set[tuple[str, str]] = field(default_factory=set)
    dump: Dump | None = None
    scratch: Store | None = None

    def copy(self) -> Copy:
        if self.dump is None:
            return self.private_copy()
        if self.scratch is None:
            self.scratch = Store(create_store_engine(self.make()))
        self.dump.restore(self.scratch.engine)
        return Copy(self.scratch, self, owned=False)

    def private_copy(self) -> Copy:
        return Copy(Store(create_store_engine(self.make())), self)

    def close(self) -> None:
        if self.scratch is not None:
            self.scratch.close()


@dataclass
class Copy:
    """One test's (or one walk's) private copy of the world."""

    store: Store
    template: Template
    owned: bool = True
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
        if self.owned:
            self.store.close()


def sign_in(template: Template, store: Store) -> None:
    """Open the staff's sessions on the template, have A's connector push a DM (so that A
    holds a pushed message too), and take the baselines."""
    clients = {}
    for who in STAFF:
        side, role = who.split(":")
        client = Client(store)
        email = getattr(template.world, side).email(role)
        assert client.login(email, PASSWORD).status_code == 200
        cookie = client.client.cookies[SESSION_COOKIE]
        template.sessions[who] = Signed(cookie, client.csrf)
        clients[who] = client
    _push_as_a(clients["a:owner"], template.world)
    with store.begin() as conn:
        template.a_rows = owned_rows(conn, template.world.a.workspace)
    template.a_view = api_view(clients["a:owner"])
    template.b_leaks = b_looks_around(clients["b:owner"])
    for client in clients.values():
        client.close()
    if store.engine.dialect.name == "postgresql":
        template.dump = Dump(store.engine)


def _push_as_a(owner: Client, world: World) -> None:
    message = {**A_PUSHED, "created_at": datetime.now(UTC).isoformat()}
    assert owner.post("/api/messages", json=[message]).status_code == 200
    found = _json(owner, "/api/items?status=any&limit=500")
    item = next(i for i in found if i["text"] == A_PUSHED["text"])
    world.a.items["pushed"] = item["id"]
    world.a.messages["pushed"] = item["message_id"]
    world.a.people["pushed"] = item["person_id"]


def _json(web: Web, url: str) -> Any:
    response = web.get(url)
    assert response.status_code == 200, (url, response.status_code, response.text)
    return response.json()


def api_view(owner: Web) -> dict[str, Any]:
    """What a workspace's owner reads of its inbox and people: every item with its thread,
    notes and replies, every person's record (identities, stance history, tags, notes,
    merges, items). Canned replies, views, policies, members and the audit log are A's own
    rows only, which ``owned_rows`` compares exactly."""
    listed = _json(owner, "/api/items?status=any&limit=500")
    people = _json(owner, "/api/people?limit=500")
    return {
        "items": listed,
        "details": {i["id"]: _json(owner, f"/api/items/{i['id']}") for i in listed},
        "people": people,
        "records": {p["id"]: _json(owner, f"/api/people/{p['id']}") for p in people},
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
    every item and every person, as its staff would; ``pages`` adds their exports, the HTML
    pages, the CSV and the dashboard."""
    urls = ["/api/items?status=any&limit=500", "/api/people?limit=500"]
    items = [f"/api/items/{i['id']}" for i in _json(b, urls[0])]
    people = [f"/api/people/{p['id']}" for p in _json(b, urls[1])]
    urls += items + people
    if pages:
        urls += [f"{p}/export" for p in people] + [f"{p[4:]}/export.json" for p in people]
        urls += ["/inbox?status=any"] + [f"/inbox/{i.rpartition('/')[2]}" for i in items]
        urls += ["/people"] + [p[4:] for p in people]
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
