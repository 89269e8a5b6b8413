"""The Settings page connects an X account, shows what its syncs cost of the plan, and
shows a spent monthly cap or an expired token, never the token itself."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from hustings.connectors.connections import sync_all
from tests.conftest import shared_data_dir
from tests.connectors.replay import Fault
from tests.connectors.x_replay import ME, USAGE_CAPPED, XServer
from tests.web.conftest import Campaign

TOKEN = "x-user-token-" + "Q7" * 12


@pytest.fixture(scope="module")
def x_api() -> Iterator[XServer]:
    data = shared_data_dir() / "fixtures"
    if not (data / "x-api-v2-twarc").is_dir() or not (data / "x-api-tweepy").is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"the recorded X responses are missing under {data}")
        pytest.skip(f"recorded X responses absent under {data} (see their PROVENANCE.md)")
    server = XServer(data)
    server.state.tokens = {TOKEN}
    yield server
    server.close()


def test_an_x_connection_shows_its_cost_then_its_cap_on_the_settings_page(
    campaign: Campaign, web_factory: Any, x_api: XServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HUSTINGS_SECRET_KEY", "test-app-secret-key")
    owner = web_factory(campaign.store, "owner@example.org")
    done = owner.post("/settings/connect",
                      data={"platform": "x", "server": x_api.url, "secret": TOKEN})
    assert done.status_code == 303, done.text
    sync_all(campaign.store)
    page = owner.get("/settings").text
    assert "BleacherReport" in page
    assert "of the 2,000,000-post cap" in page
    x_api.state.faults[f"/2/users/{ME}/mentions"].append(Fault(429, USAGE_CAPPED))
    sync_all(campaign.store)
    page = owner.get("/settings").text
    assert "usage cap reached" in page and "Monthly product cap" in page
    x_api.state.tokens.clear()
    sync_all(campaign.store)
    page = owner.get("/settings").text
    assert "the token expired or was revoked" in page
    assert TOKEN not in page
