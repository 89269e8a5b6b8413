"""Nudges toward answering: shown when an account broadcasts more than it answers while
people wait, logged with their outcome; and a workspace's nudges and posts are its own."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from hustings.connectors.connections import sync_connection
from hustings.errors import NotFoundError
from hustings.plan import cancel, decide, draft, get_post, list_posts, reply_share
from hustings.store import Store
from hustings.store.schema import audit_log, plan_nudges
from tests.connectors.conftest import connected
from tests.connectors.replay import ReplayServer
from tests.plan.test_posts import _account, _own_post


def test_a_broadcasting_account_with_people_waiting_is_nudged_and_the_outcome_logged(
    any_store: Store, mastodon: ReplayServer
) -> None:
    actor, connection = connected(any_store, mastodon)
    sync_connection(any_store, connection)
    account = _account(any_store, connection)
    for h in range(4):
        _own_post(any_store, account, datetime.now(UTC) - timedelta(hours=h + 1))
    with any_store.begin() as conn:
        made = draft(conn, actor, account, "Another announcement")
    nudge = made["nudge"]
    assert nudge is not None and nudge["broadcasts"] == 4 and nudge["replies"] == 0
    assert nudge["waiting"] and all(w["text"] for w in nudge["waiting"])
    with any_store.begin() as conn:
        decide(conn, actor, nudge["id"], "answered")
        row = conn.execute(select(plan_nudges)).one()
        actions = conn.execute(select(audit_log.c.action).where(
            audit_log.c.target_id == nudge["id"])).scalars().all()
        share = reply_share(conn, actor, account)
    assert row.outcome == "answered" and row.decided_at is not None
    assert set(actions) >= {"plan.nudge", "plan.nudge.decide"}
    assert share["before"] == 0.0


def test_an_account_that_answers_more_than_it_broadcasts_is_not_nudged(
    store: Store, mastodon: ReplayServer
) -> None:
    actor, connection = connected(store, mastodon)
    sync_connection(store, connection)
    with store.begin() as conn:
        made = draft(conn, actor, _account(store, connection), "A quiet announcement")
    assert made["nudge"] is None


def test_another_workspace_cannot_see_or_change_the_posts_and_nudges(
    any_store: Store, mastodon: ReplayServer
) -> None:
    actor, connection = connected(any_store, mastodon)
    sync_connection(any_store, connection)
    account = _account(any_store, connection)
    for h in range(3):
        _own_post(any_store, account, datetime.now(UTC) - timedelta(hours=h + 1))
    with any_store.begin() as conn:
        made = draft(conn, actor, account, "Alpha only")
    other, _ = connected(any_store, mastodon, name="Another campaign")
    with any_store.begin() as conn:
        assert list_posts(conn, other) == []
        with pytest.raises(NotFoundError):
            get_post(conn, other, made["id"])
        with pytest.raises(NotFoundError):
            cancel(conn, other, made["id"])
        with pytest.raises(NotFoundError):
            decide(conn, other, made["nudge"]["id"], "posted_anyway")
    with any_store.begin() as conn:
        assert get_post(conn, actor, made["id"]).state == "draft"
        assert conn.execute(select(plan_nudges.c.outcome)).scalar_one() is None
