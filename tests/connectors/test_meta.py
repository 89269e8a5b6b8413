"""Facebook Pages and Instagram end to end against the loopback Graph API replaying the
recorded responses (``meta_replay``): connect, sync, inbox, cursors, faults, health."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import func, select

from hustings.connectors.connections import connect, list_connections, sync_connection
from hustings.errors import CredentialsError
from hustings.ingest.base import Where
from hustings.ingest.meta import FacebookImporter
from hustings.store import Store
from hustings.store.schema import connections, inbox_items, messages, tracked_accounts
from hustings.workspace import Actor, create_workspace
from tests.connectors.conftest import meta_connected, meta_secret, meta_settings
from tests.connectors.meta_replay import IG, PAGE, POST, MetaServer, error_envelope
from tests.connectors.replay import Fault


def _items(store: Store, workspace_id: int) -> list[tuple[str, str]]:
    with store.begin() as conn:
        rows = conn.execute(
            select(inbox_items.c.kind, messages.c.text)
            .join(messages, messages.c.id == inbox_items.c.message_id)
            .where(inbox_items.c.workspace_id == workspace_id)
            .order_by(messages.c.text)
        )
        return [(r.kind, r.text) for r in rows]


def _texts(store: Store, platform: str = "facebook") -> list[str]:
    with store.begin() as conn:
        return sorted(conn.execute(
            select(messages.c.text).where(messages.c.platform == platform)
        ).scalars())


def test_connect_attaches_the_page_the_token_belongs_to(
    any_store: Store, meta: MetaServer
) -> None:
    actor, _ = meta_connected(any_store, meta)
    with any_store.begin() as conn:
        (health,) = list_connections(conn, actor)
        tracked = conn.execute(select(tracked_accounts)).one()
    assert (health.platform, health.account, health.status) == (
        "facebook", "FacebookforDevelopers", "ok")
    assert tracked.platform_id == PAGE


def test_sync_fills_the_inbox_with_page_comments_and_messenger_messages(
    any_store: Store, meta: MetaServer
) -> None:
    actor, connection = meta_connected(any_store, meta)
    report = sync_connection(any_store, connection)
    assert report.error is None
    items = _items(any_store, actor.workspace_id)
    kinds = [k for k, _ in items]
    # The ten recorded top-level comments on the Page's post, and the two recorded
    # Messenger messages; the Page's own posts are not inbound.
    assert (kinds.count("comment"), kinds.count("dm")) == (10, 2)
    assert ("comment", "how can i get invited to the Commerce Manager api ?") in items
    with any_store.begin() as conn:
        reply = conn.execute(select(messages.c.reply_to_id).where(
            messages.c.text == "Hi, please follow this link for more information: "
                               "https://bit.ly/2VTdKDu")).scalar_one()
    # A recorded reply names its parent comment through its permalink.
    assert reply == "10158407654328553_10158412899928553"


def test_a_second_sync_asks_only_for_what_is_new(store: Store, meta: MetaServer) -> None:
    _actor, connection = meta_connected(store, meta)
    sync_connection(store, connection)
    meta.state.requests.clear()
    meta.state.add_comment("Will the town hall be streamed?")
    report = sync_connection(store, connection)
    assert (report.added, report.filed) == (1, 1)
    asked = [q.get("after") for _, p, _, q in meta.state.requests
             if p.endswith(f"/{POST}/comments")]
    assert asked[0] == "c15"  # after the fifteen recorded comments and replies


def test_a_reply_to_the_pages_own_comment_is_filed_as_inbound(
    store: Store, meta: MetaServer
) -> None:
    actor, connection = meta_connected(store, meta)
    ours = meta.state.add_comment("We stream it on Facebook Live.", (PAGE, "FfD"))
    meta.state.add_comment("Thanks, and on YouTube?", parent=ours["id"])
    sync_connection(store, connection)
    assert ("reply", "Thanks, and on YouTube?") in _items(store, actor.workspace_id)
    assert ("comment", "We stream it on Facebook Live.") not in _items(store, actor.workspace_id)


def test_connect_with_an_expired_token_is_refused_and_stores_nothing(
    store: Store, meta: MetaServer
) -> None:
    actor = Actor.system(create_workspace(store, "W").id)
    with pytest.raises(CredentialsError, match="error 190"):
        connect(store, actor, "facebook", meta_settings(meta), meta_secret("expired"))
    assert store.counts()["connections"] == 0


def test_an_expired_token_shows_on_the_health_page(store: Store, meta: MetaServer) -> None:
    actor, connection = meta_connected(store, meta)
    meta.state.tokens.clear()
    report = sync_connection(store, connection)
    assert report.error is not None
    with store.begin() as conn:
        (health,) = list_connections(conn, actor)
    assert health.status == "error"
    assert "error 190: Error validating access token" in (health.last_error or "")
    assert "connect the account again" in (health.last_error or "")


@pytest.mark.parametrize("code", [4, 17, 32, 613])
def test_metas_rate_limit_codes_back_off_and_resume(
    store: Store, meta: MetaServer, code: int
) -> None:
    actor, connection = meta_connected(store, meta)
    usage = json.dumps({PAGE: [{"type": "pages", "estimated_time_to_regain_access": 0}]})
    meta.state.faults[f"/{POST}/comments"].append(Fault(
        400 if code != 4 else 403,
        error_envelope(meta.state.folder, code, f"(#{code}) Calls to this api have "
                       "exceeded the rate limit."),
        headers={"X-Business-Use-Case-Usage": usage},
    ))
    report = sync_connection(store, connection)
    assert report.error is None
    assert len(_items(store, actor.workspace_id)) == 12


def test_429_and_5xx_back_off_and_resume(store: Store, meta: MetaServer) -> None:
    actor, connection = meta_connected(store, meta)
    faults = meta.state.faults[f"/{PAGE}/feed"]
    faults.append(Fault(429, b'{"error": {"message": "slow down", "code": 4}}',
                        headers={"Retry-After": "0"}))
    faults.append(Fault(503, b"<html>Service Unavailable</html>", "text/html"))
    assert sync_connection(store, connection).error is None
    assert len(_items(store, actor.workspace_id)) == 12


def test_a_rate_limit_every_time_is_reported_not_hidden(store: Store, meta: MetaServer) -> None:
    _actor, connection = meta_connected(store, meta)
    for _ in range(3):
        meta.state.faults[f"/{PAGE}/feed"].append(Fault(
            400, error_envelope(meta.state.folder, 32, "(#32) Page request limit reached")))
    report = sync_connection(store, connection)
    assert report.error is not None
    assert "rate limited" in report.error and "error 32" in report.error


def test_a_recorded_error_envelope_is_a_clear_error(store: Store, meta: MetaServer) -> None:
    _actor, connection = meta_connected(store, meta)
    recorded = (meta.state.folder / "error.json").read_bytes()
    meta.state.faults[f"/{PAGE}/feed"].append(Fault(400, recorded))
    report = sync_connection(store, connection)
    assert report.error is not None
    assert "error 100: (#100) Pages Public Content Access requires" in report.error


def test_instagram_reads_media_comments_and_replies(store: Store, meta: MetaServer) -> None:
    actor, connection = meta_connected(store, meta, "instagram")
    assert sync_connection(store, connection).error is None
    items = _items(store, actor.workspace_id)
    # The four recorded comments answer the account's media; the recorded reply answers
    # another commenter, not the account.
    assert sorted(k for k, _ in items) == ["comment"] * 4
    with store.begin() as conn:
        reply = conn.execute(select(messages.c.reply_to_id).where(
            messages.c.text == "@lixiangguodu123 nihao")).scalar_one()
    assert reply == "17858154961981086"


def test_an_instagram_mention_named_by_webhook_is_fetched_by_the_next_pull(
    store: Store, meta: MetaServer
) -> None:
    actor, connection = meta_connected(store, meta, "instagram")
    sync_connection(store, connection)
    with store.begin() as conn:
        conn.execute(connections.update().where(connections.c.id == connection).values(
            cursor={**(conn.execute(select(connections.c.cursor)).scalar() or {}),
                    "mentions_pending": "comment:17967008497439572"}))
    assert sync_connection(store, connection).error is None
    assert ("comment", "@ikroskun good") in _items(store, actor.workspace_id)
    with store.begin() as conn:
        cursor = conn.execute(select(connections.c.cursor)).scalar_one()
    assert cursor["mentions_pending"] == ""
    asked = [q for _, p, _, q in meta.state.requests if p.endswith(f"/{IG}")]
    assert "mentioned_comment.comment_id(17967008497439572)" in asked[-1]["fields"]


def test_appsecret_proof_is_sent_and_the_token_never_in_a_url(
    store: Store, meta: MetaServer
) -> None:
    _actor, connection = meta_connected(store, meta)
    sync_connection(store, connection)
    assert meta.state.requests
    for _method, path, headers, query in meta.state.requests:
        assert "page-token" not in path and "page-token" not in str(query)
        assert headers.get("Authorization") == "Bearer page-token"
        assert len(query.get("appsecret_proof", "")) == 64


def test_live_answers_and_recorded_files_parse_the_same(meta: MetaServer) -> None:
    path = meta.state.folder / "facebook/apidata/comments/comments_p1.json"
    with path.open("rb") as handle:
        (from_file,) = FacebookImporter().parse(handle, "file")
    live = FacebookImporter().parse_value(json.loads(path.read_text()), Where("file", 1))
    assert [m.platform_id for m in from_file.messages] == [m.platform_id for m in live.messages]
    assert len(live.messages) == 10


def test_an_unreadable_comment_is_quarantined_and_the_rest_kept(
    store: Store, meta: MetaServer
) -> None:
    actor, connection = meta_connected(store, meta)
    broken: dict[str, Any] = meta.state.add_comment("a comment whose time went missing")
    del broken["created_time"]
    report = sync_connection(store, connection)
    assert report.error is None and report.quarantined == 1
    assert len(_items(store, actor.workspace_id)) == 12
    with store.begin() as conn:
        assert conn.execute(select(func.count()).select_from(messages).where(
            messages.c.text == "a comment whose time went missing")).scalar() == 0


def test_the_meta_importers_leave_x_files_alone(tmp_path: Any) -> None:
    """X v2's ``"type": "replied_to"`` once made every X file look like Threads replies, so
    an X import resumed as a Threads import and read nothing."""
    from hustings.ingest.base import Sample
    from hustings.ingest.meta import InstagramImporter, ThreadsImporter
    from tests.ingest.test_robustness import write_pages

    path = write_pages(tmp_path / "x.jsonl", 5)
    sample = Sample(path.name, path.read_bytes()[:65536])
    for cls in (FacebookImporter, InstagramImporter, ThreadsImporter):
        assert cls().sniff(sample) == 0, cls.name


@pytest.mark.parametrize(("name", "path"), [
    ("facebook", "facebook/apidata/posts/feeds_default_fields_p1.json"),
    ("facebook", "facebook/apidata/comments/comments_p1.json"),
    ("facebook", "facebook/apidata/messages/messages_info.json"),
    ("instagram", "instagram/apidata/users/medias_p1.json"),
    ("instagram", "instagram/apidata/medias/comments_p1.json"),
])
def test_recorded_meta_files_are_recognised(meta: MetaServer, name: str, path: str) -> None:
    from hustings.ingest.base import Sample
    from hustings.plugins import importers

    sample = Sample(path, (meta.state.folder / path).read_bytes()[:65536])
    scores = {n: cls().sniff(sample) for n, cls in importers().items()}
    assert max(scores, key=lambda n: scores[n]) == name
