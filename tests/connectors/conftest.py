"""The Mastodon replay server (one per session, reset per test) and a connected workspace."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from hustings.connectors.connections import connect
from hustings.connectors.secrets import Secret
from hustings.store import Store
from hustings.workspace import Actor, create_workspace
from tests.conftest import shared_data_dir
from tests.connectors.replay import ReplayServer

TOKEN = "good-token"


@pytest.fixture(scope="session")
def replay_server() -> Iterator[ReplayServer]:
    folder = shared_data_dir() / "fixtures" / "mastodon"
    if not folder.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"the recorded Mastodon responses are missing: {folder}")
        pytest.skip(f"recorded Mastodon responses absent: {folder} (see its PROVENANCE.md)")
    server = ReplayServer(folder)
    yield server
    server.close()


@pytest.fixture
def mastodon(replay_server: ReplayServer, monkeypatch: pytest.MonkeyPatch) -> ReplayServer:
    """The replay server with fresh state, and a secret key for this test's credentials."""
    replay_server.state.reset()
    monkeypatch.setenv("HUSTINGS_SECRET_KEY", "test-app-secret-key")
    return replay_server


def settings(server: ReplayServer, **extra: Any) -> dict[str, Any]:
    """Fast retries and small pages, so that faults and pagination show in a test."""
    return {"server": server.url, "page_size": 1, "backoff": 0.01, "tries": 3,
            "timeout": 2.0, **extra}


def connected(store: Store, server: ReplayServer, name: str = "Riding 12",
              **extra: Any) -> tuple[Actor, int]:
    """A new workspace with its Mastodon account connected; returns its actor and the
    connection id."""
    ws = create_workspace(store, name)
    actor = Actor.system(ws.id)
    health = connect(store, actor, "mastodon", settings(server, **extra), Secret(TOKEN))
    return actor, health.id
