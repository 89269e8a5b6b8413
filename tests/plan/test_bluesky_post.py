"""A planned post published on a real local Bluesky network (@atproto/dev-env, the session
fixture ``bluesky_network``): judged first, then a new top-level post on the account's PDS,
exactly once."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from hustings.connectors.connections import connect
from hustings.connectors.secrets import Secret
from hustings.plan import draft, post_now
from hustings.store import Store
from hustings.store.schema import connections, outbound, plan_verdicts
from hustings.workspace import Actor, create_workspace
from tests.servers.fixtures import BLUESKY, BlueskyNetwork

pytestmark = [pytest.mark.servers, BLUESKY]


@pytest.fixture(autouse=True)
def _secret_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUSTINGS_SECRET_KEY", "test-app-secret-key")


def test_a_planned_post_is_judged_then_published_as_a_new_post_on_the_pds(
    store: Store, bluesky_network: BlueskyNetwork
) -> None:
    from atproto import Client

    account = bluesky_network.create_account()
    actor = Actor.system(create_workspace(store, "Plan on Bluesky").id)
    health = connect(store, actor, "bluesky",
                     {"service": bluesky_network.pds_url, "handle": account.handle,
                      "timeout": 5.0}, Secret(account.password))
    with store.begin() as conn:
        tracked = conn.execute(select(connections.c.tracked_account_id)
                               .where(connections.c.id == health.id)).scalar_one()
        made = draft(conn, actor, int(tracked), "Doors open at 6: town hall on #housing")
    assert post_now(store, actor, int(made["id"]))["state"] == "sent"
    with store.begin() as conn:
        uri = conn.execute(select(outbound.c.platform_id)).scalar_one()
        sent_at = conn.execute(select(outbound.c.sent_at)).scalar_one()
        judged = conn.execute(select(plan_verdicts.c.judged_at)
                              .where(plan_verdicts.c.path == "post")).scalar_one()
    assert judged <= sent_at
    client = Client(base_url=f"{bluesky_network.pds_url}/xrpc")
    client.login(account.handle, account.password)
    records = client.com.atproto.repo.list_records(
        {"repo": account.did, "collection": "app.bsky.feed.post"}).records
    (record,) = records
    assert record.uri == uri
    assert record.value.text == "Doors open at 6: town hall on #housing"
    assert record.value.reply is None
