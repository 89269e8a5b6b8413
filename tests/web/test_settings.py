"""The Settings page: owners see and manage the workspace's connections; nobody else can,
and a secret typed into it never comes back in a page."""

from __future__ import annotations

from typing import Any

import pytest

from tests.servers.fixtures import BLUESKY, BlueskyNetwork
from tests.web.conftest import Campaign


def test_only_the_owner_sees_settings(campaign: Campaign, web_factory: Any) -> None:
    responder = web_factory(campaign.store, "responder@example.org")
    assert responder.get("/settings").status_code == 403
    assert "/settings" not in responder.get("/inbox").text
    owner = web_factory(campaign.store, "owner@example.org")
    page = owner.get("/settings")
    assert page.status_code == 200
    assert "No account connected" in page.text
    assert 'type="password"' in page.text and 'href="/settings"' in page.text


def test_connecting_needs_the_csrf_token(campaign: Campaign, web_factory: Any) -> None:
    owner = web_factory(campaign.store, "owner@example.org")
    refused = owner.post(
        "/settings/connect", headers={"X-CSRF-Token": "forged"},
        data={"platform": "bluesky", "server": "http://127.0.0.1:9", "handle": "a.test",
              "secret": "whatever"},
    )
    assert refused.status_code == 403
    assert campaign.store.counts()["connections"] == 0


def test_a_responder_cannot_connect(campaign: Campaign, web_factory: Any) -> None:
    responder = web_factory(campaign.store, "responder@example.org")
    refused = responder.post(
        "/settings/connect",
        data={"platform": "bluesky", "server": "http://127.0.0.1:9", "handle": "a.test",
              "secret": "whatever"},
    )
    assert refused.status_code == 403
    assert campaign.store.counts()["connections"] == 0


def test_a_live_stream_url_is_refused_where_the_platform_cannot_stream(
    campaign: Campaign, web_factory: Any
) -> None:
    owner = web_factory(campaign.store, "owner@example.org")
    polled = owner.post(
        "/settings/connect",
        data={"platform": "email", "server": "http://127.0.0.1:9", "secret": "whatever",
              "stream": "wss://stream.example.org/subscribe"},
    )
    assert polled.status_code == 400
    assert "email connections are polled" in polled.text
    not_a_websocket = owner.post(
        "/settings/connect",
        data={"platform": "bluesky", "server": "http://127.0.0.1:9", "handle": "a.test",
              "secret": "whatever", "stream": "https://jetstream.example.org/subscribe"},
    )
    assert not_a_websocket.status_code == 400
    assert "jetstream must be a WebSocket URL" in not_a_websocket.text
    assert "https://jetstream.example.org/subscribe" in not_a_websocket.text  # kept in the form
    assert campaign.store.counts()["connections"] == 0


@pytest.mark.servers
@BLUESKY
def test_connect_a_wrong_password_says_why_then_connect_and_detach(
    campaign: Campaign, web_factory: Any, bluesky_network: BlueskyNetwork,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HUSTINGS_SECRET_KEY", "test-app-secret-key")
    account = bluesky_network.create_account()
    owner = web_factory(campaign.store, "owner@example.org")
    form = {"platform": "bluesky", "server": bluesky_network.pds_url,
            "handle": account.handle}
    wrong = owner.post("/settings/connect", data={**form, "secret": "wrong-secret-1234"})
    assert wrong.status_code == 400
    assert "Bluesky refused the credentials" in wrong.text
    assert "wrong-secret-1234" not in wrong.text
    assert account.handle in wrong.text  # the form keeps what is not secret
    live = "ws://127.0.0.1:6008/subscribe"
    done = owner.post("/settings/connect",
                      data={**form, "secret": account.password, "stream": live})
    assert done.status_code == 303, done.text
    page = owner.get("/settings").text
    assert account.handle in page and account.password not in page
    assert f"live: {live}" in page  # followed live, not polled
    connection = page.split('data-connection="')[1].split('"')[0]
    gone = owner.post(f"/settings/connections/{connection}/detach")
    assert gone.status_code == 303
    assert "No account connected" in owner.get("/settings").text
    assert campaign.store.counts()["connections"] == 0
