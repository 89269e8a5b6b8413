"""Workspace walls, on SQLite and PostgreSQL: another workspace's source, item, connection
and alert ids find nothing, and its listings and matrix show none of them. The same fetch,
edit and deletion flow runs on both stores."""

from __future__ import annotations

from datetime import timedelta

import pytest

from hustings import policy
from hustings.connectors.http import Http
from hustings.errors import NotFoundError
from hustings.store import Store
from tests.policy.conftest import workspace
from tests.policy.replay import PressServer


def test_another_workspaces_ids_find_nothing(any_store: Store, press: PressServer,
                                             http: Http) -> None:
    a, b = workspace(any_store, "A"), workspace(any_store, "B")
    first = next(r for r in press.releases if r.party == "Republican")
    press.state.now = first.published_at + timedelta(hours=1)
    with any_store.begin() as conn:
        source = policy.add_source(conn, a, "feed", "A's watch", "Republican",
                                   f"{press.url}/party/R.xml")
        policy.add_rule(conn, a, "first")
    report = policy.fetch_source(any_store, a, source, press.state.now, http)
    assert report.new >= 1 and report.alerts >= 1
    item = report.item_ids[0]
    with any_store.begin() as conn:
        with pytest.raises(NotFoundError):
            policy.get_item(conn, b, item)
        with pytest.raises(NotFoundError):
            policy.correct(conn, b, item, 3)
        assert policy.list_items(conn, b) == [] and policy.list_sources(conn, b) == []
        assert policy.list_alerts(conn, b) == [] and policy.export_corrections(conn, b) == []
        assert policy.build_matrix(conn, b).cells == {}
    with pytest.raises(NotFoundError):
        policy.fetch_source(any_store, b, source, press.state.now, http)
    with any_store.begin() as conn:
        assert policy.get_item(conn, a, item)["topic_by"] == "model"  # untouched by B


def test_edits_and_deletions_are_kept_on_both_stores(any_store: Store, press: PressServer,
                                                     http: Http) -> None:
    actor = workspace(any_store)
    first, second = [r for r in press.releases if r.party == "Democrat"][:2]
    press.state.now = second.published_at + timedelta(minutes=1)
    with any_store.begin() as conn:
        feed = policy.add_source(conn, actor, "feed", "Democrats", "Democrat",
                                 f"{press.url}/party/D.xml")
    policy.fetch_source(any_store, actor, feed, press.state.now, http)
    press.state.edited[first.n] = first.text + "\nAn added line."
    press.state.deleted.add(second.n)
    report = policy.fetch_source(any_store, actor, feed, press.state.now + timedelta(hours=1),
                                 http)
    assert (report.edited, report.deleted) == (1, 1)
    with any_store.begin() as conn:
        states = sorted(i["state"] for i in policy.list_items(conn, actor))
    assert states == ["deleted", "edited"]
