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


META_TOKEN = "page-token"
APP_SECRET = "app-secret-for-tests"
VERIFY_TOKEN = "verify-me"


@pytest.fixture(scope="session")
def meta_server() -> Iterator[Any]:
    from tests.connectors.meta_replay import MetaServer

    folder = shared_data_dir() / "fixtures" / "meta-graph-api"
    if not folder.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"the recorded Meta Graph API responses are missing: {folder}")
        pytest.skip(f"recorded Meta Graph API responses absent: {folder} (see its PROVENANCE.md)")
    server = MetaServer(folder)
    yield server
    server.close()


@pytest.fixture
def meta(meta_server: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The Meta replay server with fresh state, and a secret key for the credentials."""
    meta_server.state.reset()
    monkeypatch.setenv("HUSTINGS_SECRET_KEY", "test-app-secret-key")
    return meta_server


def meta_settings(server: Any, **extra: Any) -> dict[str, Any]:
    return {"server": server.url, "page_size": 4, "batch": 4, "backoff": 0.01, "tries": 3,
            "timeout": 2.0, **extra}


def meta_secret(token: str = META_TOKEN, webhooks: bool = True) -> Secret:
    if not webhooks:
        return Secret(token)
    import json

    return Secret(json.dumps({"access_token": token, "app_secret": APP_SECRET,
                              "verify_token": VERIFY_TOKEN}))


def meta_connected(store: Store, server: Any, platform: str = "facebook",
                   name: str = "Riding 12", secret: Secret | None = None,
                   **extra: Any) -> tuple[Actor, int]:
    """A new workspace with its Facebook Page (or Instagram, or Threads account) connected."""
    from tests.connectors.meta_replay import IG

    ws = create_workspace(store, name)
    actor = Actor.system(ws.id)
    settings = meta_settings(server, **extra)
    if platform == "instagram":
        settings.setdefault("account_id", IG)
    health = connect(store, actor, platform, settings, secret or meta_secret())
    return actor, health.id
