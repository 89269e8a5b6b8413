"""Topic coding: unsure items wait for a person; a correction is kept with who and when,
exported for training, and survives an edit of the item."""

from __future__ import annotations

from datetime import timedelta

from hustings import policy
from hustings.connectors.http import Http
from hustings.nlp.cap import LOW_CONFIDENCE
from hustings.store import Store
from hustings.workspace import Actor, Role
from tests.policy.conftest import workspace
from tests.policy.replay import PressServer


def test_unsure_items_wait_for_review_and_a_correction_survives_an_edit(
    store: Store, press: PressServer, http: Http,
) -> None:
    system = workspace(store)
    ana = Actor(system.workspace_id, None, Role.RESPONDER, "ana@watch.test")
    press.state.now = press.releases[0].published_at + timedelta(days=2)
    with store.begin() as conn:
        feed = policy.add_source(conn, system, "feed", "Democrats", "Democrat",
                                 f"{press.url}/party/D.xml")
    policy.fetch_source(store, system, feed, press.state.now, http)
    with store.begin() as conn:
        items = policy.list_items(conn, system)
        queue = {i["id"] for i in policy.list_items(conn, system, review=True)}
    assert items and all(i["topic_code"] is not None for i in items)
    assert queue == {i["id"] for i in items if i["topic_confidence"] < LOW_CONFIDENCE}
    target = items[-1]
    new_code = 9 if target["topic_code"] != 9 else 3
    with store.begin() as conn:
        policy.correct(conn, ana, target["id"], new_code)
        (export,) = policy.export_corrections(conn, system)
    assert (export["old_code"], export["code"], export["by"]) == (
        target["topic_code"], new_code, "ana@watch.test")
    release = next(r for r in press.releases if target["url"].endswith(f"/release/{r.n}"))
    press.state.edited[release.n] = release.text + "\nEdited."
    policy.fetch_source(store, system, feed, press.state.now + timedelta(minutes=15), http)
    with store.begin() as conn:
        after = policy.get_item(conn, system, target["id"])
        queue = {i["id"] for i in policy.list_items(conn, system, review=True)}
    assert after["state"] == "edited"
    assert (after["topic_code"], after["topic_by"]) == (new_code, "human")
    assert target["id"] not in queue
