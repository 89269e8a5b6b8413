"""Mastodon end to end against the replay server: connect, sync, inbox, health, faults."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from hustings.connectors.connections import connect, list_connections, sync_all, sync_connection
from hustings.connectors.secrets import Secret
from hustings.errors import CredentialsError
from hustings.store import Store
from hustings.store.schema import inbox_items, messages, quarantine, tracked_accounts
from hustings.workspace import Actor, create_workspace
from tests.connectors.conftest import connected, settings
from tests.connectors.replay import Fault, ReplayServer


def _messages(store: Store) -> list[tuple[str, str, str]]:
    with store.begin() as conn:
        rows = conn.execute(
            select(messages.c.platform_id, messages.c.kind, messages.c.text)
            .where(messages.c.partial.is_(False))
            .order_by(messages.c.platform_id)
        )
        return [tuple(r) for r in rows]


def _items(store: Store, workspace_id: int) -> int:
    with store.begin() as conn:
        return int(conn.execute(
            select(func.count()).select_from(inbox_items)
            .where(inbox_items.c.workspace_id == workspace_id)
        ).scalar_one())


def test_connect_attaches_the_account_the_token_belongs_to(
    any_store: Store, mastodon: ReplayServer
) -> None:
    actor, _ = connected(any_store, mastodon)
    with any_store.begin() as conn:
        (health,) = list_connections(conn, actor)
        tracked = conn.execute(select(tracked_accounts)).one()
    assert health.account == "mastodonpy_test@localhost:3000"
    assert health.status == "ok"
    assert tracked.platform_id == f"localhost:3000/{mastodon.state.me['id']}"


def test_connect_with_a_wrong_token_is_refused_and_stores_nothing(
    store: Store, mastodon: ReplayServer
) -> None:
    actor = Actor.system(create_workspace(store, "W").id)
    with pytest.raises(CredentialsError, match="refused the credentials"):
        connect(store, actor, "mastodon", settings(mastodon), Secret("wrong"))
    assert store.counts()["connections"] == 0


def test_sync_fills_the_inbox_with_mentions_and_direct_messages(
    any_store: Store, mastodon: ReplayServer
) -> None:
    actor, connection = connected(any_store, mastodon)
    report = sync_connection(any_store, connection)
    assert report.error is None
    kinds = [k for _, k, _ in _messages(any_store)]
    assert kinds.count("dm") == 2 and kinds.count("reply") + kinds.count("post") >= 2
    # Two mentions of the account and the direct message addressed to it.
    assert _items(any_store, actor.workspace_id) == 3


def test_a_second_sync_adds_nothing(store: Store, mastodon: ReplayServer) -> None:
    _actor, connection = connected(store, mastodon)
    sync_connection(store, connection)
    before = _messages(store)
    again = sync_connection(store, connection)
    assert (again.added, again.filed) == (0, 0)
    assert _messages(store) == before


def test_sync_continues_from_its_cursor(store: Store, mastodon: ReplayServer) -> None:
    _actor, connection = connected(store, mastodon)
    sync_connection(store, connection)
    mastodon.state.queries.clear()
    mastodon.state.add_mentions(2)
    report = sync_connection(store, connection)
    assert report.added == 2 and report.filed == 2
    # The second sync asked only for what lies above the first one's last notification.
    asked = [q.get("min_id") for _, p, q in mastodon.state.queries if p == "/api/v1/notifications"]
    assert asked[0] == "21"


def test_429_then_success_backs_off_and_resumes(store: Store, mastodon: ReplayServer) -> None:
    actor, connection = connected(store, mastodon)
    faults = mastodon.state.faults["/api/v1/notifications"]
    faults.append(Fault(429, b'{"error":"Too many requests"}', headers={"Retry-After": "0"}))
    faults.append(Fault(503, b"<html>Service Unavailable</html>", "text/html"))
    report = sync_connection(store, connection)
    assert report.error is None
    assert _items(store, actor.workspace_id) == 3


def test_5xx_every_time_shows_on_the_connection(store: Store, mastodon: ReplayServer) -> None:
    actor, connection = connected(store, mastodon)
    for _ in range(3):
        mastodon.state.faults["/api/v1/notifications"].append(Fault(502, b"{}"))
    report = sync_connection(store, connection)
    assert report.error is not None and "failed 3 times (last: HTTP 502)" in report.error
    with store.begin() as conn:
        (health,) = list_connections(conn, actor)
    assert health.status == "error" and health.last_error == report.error


@pytest.mark.parametrize(
    ("fault", "said"),
    [
        (Fault(200, b"<!doctype html><h1>Down</h1>", "text/html"), "text/html instead of JSON"),
        (Fault(200, b'[{"id": "1", "type": "ment'), "malformed JSON"),
    ],
)
def test_an_answer_that_is_not_the_api_is_a_clear_error(
    store: Store, mastodon: ReplayServer, fault: Fault, said: str
) -> None:
    actor, connection = connected(store, mastodon)
    mastodon.state.faults["/api/v1/notifications"].append(fault)
    report = sync_connection(store, connection)
    assert report.error is not None and said in report.error
    # Nothing is lost: the next sync, with the server well again, gets everything.
    assert sync_connection(store, connection).error is None
    assert _items(store, actor.workspace_id) == 3


def test_a_bad_status_is_quarantined_and_the_rest_kept(
    store: Store, mastodon: ReplayServer
) -> None:
    actor, connection = connected(store, mastodon)
    broken: dict[str, Any] = mastodon.state.add_mentions(1)[0]
    del broken["status"]["created_at"]
    report = sync_connection(store, connection)
    assert report.error is None and report.quarantined == 1
    with store.begin() as conn:
        (row,) = conn.execute(select(quarantine)).all()
    assert row.source == f"connector:mastodon:{connection}"
    assert "created_at" in row.reason
    assert _items(store, actor.workspace_id) == 3
    sync_connection(store, connection)
    assert store.counts()["quarantine"] == 1


def test_revoked_credentials_show_as_a_clear_error(store: Store, mastodon: ReplayServer) -> None:
    actor, _connection = connected(store, mastodon)
    mastodon.state.tokens.clear()
    reports = sync_all(store, actor.workspace_id)
    assert reports[0].error is not None
    with store.begin() as conn:
        (health,) = list_connections(conn, actor)
    assert health.status == "error"
    assert "refused the credentials" in (health.last_error or "")
    assert "connect the account again" in (health.last_error or "")


def test_hashtag_timelines_are_read_for_listen(store: Store, mastodon: ReplayServer) -> None:
    _actor, connection = connected(store, mastodon, hashtags=["#hoot"])
    sync_connection(store, connection)
    with store.begin() as conn:
        tagged = conn.execute(select(messages.c.hashtags).where(
            messages.c.platform_id == f"localhost:3000/{mastodon.state.tag[0]['id']}"
        )).scalar_one()
    assert "hoot" in tagged


def test_only_an_owner_may_connect(store: Store, mastodon: ReplayServer) -> None:
    from hustings.errors import PermissionDeniedError
    from hustings.workspace import Role

    ws = create_workspace(store, "W")
    manager = Actor(workspace_id=ws.id, user_id=None, role=Role.MANAGER)
    with pytest.raises(PermissionDeniedError, match="owner"):
        connect(store, manager, "mastodon", settings(mastodon), Secret("good-token"))


def test_two_workspaces_holding_the_token_each_get_their_own_connection_and_inbox(
    any_store: Store, mastodon: ReplayServer
) -> None:
    office, office_connection = connected(any_store, mastodon, "MP office")
    campaign, campaign_connection = connected(any_store, mastodon, "Campaign")
    assert office_connection != campaign_connection
    sync_connection(any_store, office_connection)
    assert (_items(any_store, office.workspace_id), _items(any_store, campaign.workspace_id)) == (
        3, 0
    )
    sync_connection(any_store, campaign_connection)
    assert _items(any_store, campaign.workspace_id) == 3
    with any_store.begin() as conn:
        (mine,) = list_connections(conn, campaign)
    assert mine.id == campaign_connection
