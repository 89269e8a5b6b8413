"""Two campaigns in one store, their staff, and an in-process client for the web app.

``campaign`` builds, on any store: the "North HQ" workspace owning the X account
``@northcand`` and the e-mail inbox ``office@north.example``, the "South HQ" workspace owning
``@southcand``, one user per role in North and an owner in South, and inbound messages
(replies, a mention, a DM, an e-mail) from three citizens, filed into the inboxes.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from hustings.inbox.sync import sync_inbox
from hustings.model import Message, MessageKind, TrackedAccount, Visibility
from hustings.model import Role as AccountRole
from hustings.store import Store
from hustings.store.records import write_messages, write_tracked
from hustings.web import create_app
from hustings.workspace import (
    Actor,
    Role,
    add_account,
    add_user,
    claim_account,
    create_workspace,
)

os.environ.setdefault("HUSTINGS_PASSWORD_HASH", "fast")  # Argon2id at minimal cost

PASSWORD = "correct horse battery"
NORTH, SOUTH = "North HQ", "South HQ"


@dataclass
class Campaign:
    store: Store
    north_id: int
    south_id: int
    users: dict[str, int]

    def actor(self, who: str) -> Actor:
        role = {
            "owner": Role.OWNER,
            "manager": Role.MANAGER,
            "responder": Role.RESPONDER,
            "responder2": Role.RESPONDER,
            "viewer": Role.VIEWER,
            "south": Role.OWNER,
        }[who]
        ws = self.south_id if who == "south" else self.north_id
        return Actor(ws, self.users[who], role, f"{who}@example.org")


def msg(
    pid: str,
    author: str,
    text: str,
    *,
    kind: MessageKind = MessageKind.REPLY,
    to: str | None = "100",
    to_handle: str | None = "northcand",
    platform: str = "x",
    mentions: tuple[str, ...] = (),
    minutes_ago: int = 30,
    conversation: str | None = "c1",
    visibility: Visibility = Visibility.PUBLIC,
) -> Message:
    return Message(
        platform=platform,
        platform_id=pid,
        author_id=author,
        author_handle=f"user{author}",
        created_at=datetime.now(UTC) - timedelta(minutes=minutes_ago),
        text=text,
        kind=kind,
        visibility=visibility,
        reply_to_id="p1" if kind is MessageKind.REPLY else None,
        reply_to_account_id=to,
        reply_to_handle=to_handle,
        conversation_id=conversation,
        mentions=mentions,
    )


def build_campaign(store: Store) -> Campaign:
    users = {}
    for who, ws, role in [
        ("owner", NORTH, Role.OWNER),
        ("manager", NORTH, Role.MANAGER),
        ("responder", NORTH, Role.RESPONDER),
        ("responder2", NORTH, Role.RESPONDER),
        ("viewer", NORTH, Role.VIEWER),
        ("south", SOUTH, Role.OWNER),
    ]:
        users[who] = add_user(store, f"{who}@example.org", PASSWORD, ws, role).id
    north, south = create_workspace(store, NORTH).id, create_workspace(store, SOUTH).id
    with store.begin() as conn:
        write_tracked(
            conn,
            [
                TrackedAccount("x", "northcand", AccountRole.CANDIDATE, platform_id="100"),
                TrackedAccount("x", "southcand", AccountRole.CANDIDATE, platform_id="200"),
                TrackedAccount("email", "office@north.example", AccountRole.STAFF),
            ],
        )
        add_account(conn, Actor.system(north), "x", "northcand")
        add_account(conn, Actor.system(north), "email", "office@north.example")
        add_account(conn, Actor.system(south), "x", "southcand")
        write_messages(
            conn,
            [
                msg("m1", "1", "When is your next town hall in Northville?"),
                msg("m2", "2", "Great speech last night", minutes_ago=20),
                msg(
                    "m3",
                    "3",
                    "@northcand what about the bus route?",
                    kind=MessageKind.POST,
                    to=None,
                    to_handle=None,
                    mentions=("northcand",),
                    conversation="m3",
                ),
                msg(
                    "m4",
                    "1",
                    "Can you call me back?",
                    kind=MessageKind.DM,
                    to=None,
                    to_handle=None,
                    conversation="1-100",
                    visibility=Visibility.DIRECT,
                ),
                msg(
                    "m5",
                    "jo@voter.example",
                    "Question about my ballot",
                    kind=MessageKind.EMAIL,
                    platform="email",
                    to="office@north.example",
                    to_handle="North office",
                    conversation="m5",
                    visibility=Visibility.DIRECT,
                ),
                msg(
                    "m6",
                    "9",
                    "South voters ask: where do I vote?",
                    to="200",
                    to_handle="southcand",
                    conversation="c9",
                ),
                msg("m7", "100", "Thanks all", conversation="c1"),  # the candidate's own reply
            ],
            None,
        )
    sync_inbox(store)
    return Campaign(store, north, south, users)


@pytest.fixture
def campaign(store: Store) -> Campaign:
    return build_campaign(store)


@pytest.fixture
def any_campaign(any_store: Store) -> Campaign:
    return build_campaign(any_store)


class Web:
    """A synchronous face on ``httpx.AsyncClient`` over ``ASGITransport``: the app in-process."""

    def __init__(self, store: Store) -> None:
        self.app = create_app(store, secret="test-secret")
        self._runner = asyncio.Runner()
        self.client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app, client=("10.0.0.1", 5000)),
            base_url="http://hustings.test",
        )
        self.csrf = ""

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        headers = dict(kwargs.pop("headers", {}) or {})
        if method.upper() not in ("GET", "HEAD") and self.csrf:
            headers.setdefault("X-CSRF-Token", self.csrf)
        return self._runner.run(self.client.request(method, url, headers=headers, **kwargs))

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", url, **kwargs)

    def login(self, email: str, password: str = PASSWORD) -> httpx.Response:
        response = self.post("/api/login", json={"email": email, "password": password})
        if response.status_code == 200:
            self.csrf = response.json()["csrf_token"]
        return response

    def close(self) -> None:
        self._runner.run(self.client.aclose())
        self._runner.close()


@pytest.fixture
def web_factory() -> Iterator[Any]:
    made: list[Web] = []

    def make(store: Store, email: str | None = None) -> Web:
        web = Web(store)
        made.append(web)
        if email:
            assert web.login(email).status_code == 200
        return web

    yield make
    for web in made:
        web.close()


def share_account(conn: Any, workspace_id: int, platform: str, handle: str) -> None:
    """Give a second workspace an account another already has, as connecting it with its own
    credentials does (a party HQ and its candidate's office both holding the address)."""
    from sqlalchemy import select

    from hustings.store.schema import tracked_accounts

    tracked = conn.execute(
        select(tracked_accounts.c.id).where(
            tracked_accounts.c.platform == platform, tracked_accounts.c.handle_lower == handle
        )
    ).scalar_one()
    claim_account(conn, Actor.system(workspace_id), tracked, proven=True)


def north_policy_item(conn: Any, workspace_id: int) -> int:
    """A workspace's policy source and one coded item from it (written as a fetch would,
    without a network), for walks that must name a real item of North's."""
    from hustings import policy
    from hustings.policy._items import record
    from hustings.policy._sources import get_source
    from hustings.workspace import Actor

    actor = Actor.system(workspace_id)
    now = datetime(2026, 12, 7, 19, 0, tzinfo=UTC)
    source = policy.add_source(conn, actor, "feed", "North watch", "North party",
                               "http://127.0.0.1:9/north.xml")
    entry = policy.Entry("north-1", "North's housing plan", "bus route and housing", None,
                         now, None, "bus route and housing")
    (item,) = record(conn, get_source(conn, workspace_id, source), [entry], now).new
    policy.code_pending(conn, workspace_id, now)
    return item
