"""Meta webhooks (signed deliveries, the subscription check), a sync killed mid-page, and
credentials that never leak, against the loopback Graph API of ``meta_replay``."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from typer.testing import CliRunner

from hustings.cli.main import app as cli
from hustings.connectors.connections import sync_connection
from hustings.connectors.outbound import deliver_due
from hustings.inbox.replies import reply
from hustings.store import Store
from hustings.store.schema import inbox_items, messages, metadata
from hustings.web import create_app
from hustings.workspace import Actor, create_workspace
from tests.conftest import REPO
from tests.connectors.conftest import APP_SECRET, VERIFY_TOKEN, meta_connected
from tests.connectors.meta_replay import PAGE, POST, MetaServer
from tests.connectors.replay import Fault


def _signed(body: bytes, secret: str = APP_SECRET) -> dict[str, str]:
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return {"X-Hub-Signature-256": f"sha256={digest}", "Content-Type": "application/json"}


def _delivery(comment_id: str, text: str) -> bytes:
    """A Page ``feed`` webhook delivery, as Meta's webhook reference documents it."""
    return json.dumps({"object": "page", "entry": [{
        "id": PAGE, "time": 1765140000,
        "changes": [{"field": "feed", "value": {
            "item": "comment", "verb": "add", "comment_id": comment_id,
            "post_id": POST, "parent_id": POST, "message": text,
            "from": {"id": "3141592653", "name": "Jo Voter"},
            "created_time": 1765140000}}],
    }]}).encode()


def _client(store: Store) -> TestClient:
    return TestClient(create_app(store, secret="test-secret"))


def _inbox_texts(store: Store, workspace_id: int) -> list[str]:
    with store.begin() as conn:
        return sorted(conn.execute(
            select(messages.c.text).join(inbox_items, inbox_items.c.message_id == messages.c.id)
            .where(inbox_items.c.workspace_id == workspace_id)).scalars())


def test_a_signed_webhook_delivery_reaches_the_inbox(any_store: Store, meta: MetaServer) -> None:
    actor, connection = meta_connected(any_store, meta)
    body = _delivery("10158407654328553_777", "Is parking free at the hall?")
    answer = _client(any_store).post(f"/webhooks/meta/{connection}", content=body,
                                     headers=_signed(body))
    assert answer.status_code == 200, answer.text
    assert answer.json()["filed"] == 1
    assert _inbox_texts(any_store, actor.workspace_id) == ["Is parking free at the hall?"]


@pytest.mark.parametrize("headers", [
    {},
    {"X-Hub-Signature-256": "sha256=" + "0" * 64},
    _signed(b"another body"),
    _signed(_delivery("10158407654328553_777", "Is parking free at the hall?"), "wrong-secret"),
], ids=["unsigned", "zeros", "another-body", "another-secret"])
def test_a_webhook_with_a_bad_signature_is_refused_and_not_processed(
    store: Store, meta: MetaServer, headers: dict[str, str]
) -> None:
    actor, connection = meta_connected(store, meta)
    body = _delivery("10158407654328553_777", "Is parking free at the hall?")
    answer = _client(store).post(f"/webhooks/meta/{connection}", content=body,
                                 headers={"Content-Type": "application/json", **headers})
    assert answer.status_code == 403
    assert "X-Hub-Signature-256" in answer.json()["detail"]
    assert "not processed" in answer.json()["detail"]
    assert _inbox_texts(store, actor.workspace_id) == []
    with store.begin() as conn:
        assert conn.execute(select(messages.c.id).where(
            messages.c.text == "Is parking free at the hall?")).first() is None


def test_a_connection_without_an_app_secret_refuses_webhooks(
    store: Store, meta: MetaServer
) -> None:
    from tests.connectors.conftest import meta_secret

    _actor, connection = meta_connected(store, meta, secret=meta_secret(webhooks=False))
    body = _delivery("10158407654328553_777", "hello?")
    answer = _client(store).post(f"/webhooks/meta/{connection}", content=body,
                                 headers=_signed(body))
    assert answer.status_code == 403
    assert "no app secret" in answer.json()["detail"]


def test_the_subscription_check_echoes_the_challenge_for_our_verify_token(
    store: Store, meta: MetaServer
) -> None:
    _actor, connection = meta_connected(store, meta)
    client = _client(store)
    good = client.get(f"/webhooks/meta/{connection}", params={
        "hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1158201444"})
    assert (good.status_code, good.text) == (200, "1158201444")
    assert good.headers["cache-control"] == "no-store"
    bad = client.get(f"/webhooks/meta/{connection}", params={
        "hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "1158201444"})
    assert bad.status_code == 403 and "verify token does not match" in bad.json()["detail"]
    assert "1158201444" not in bad.text


def test_a_webhook_for_an_unknown_connection_is_404(store: Store, meta: MetaServer) -> None:
    answer = _client(store).post("/webhooks/meta/99", content=b"{}", headers=_signed(b"{}"))
    assert answer.status_code == 404


def test_an_instagram_mention_webhook_queues_the_mention_for_the_next_pull(
    store: Store, meta: MetaServer
) -> None:
    actor, connection = meta_connected(store, meta, "instagram")
    sync_connection(store, connection)
    body = json.dumps({"object": "instagram", "entry": [{"id": "17841406338772941",
                       "time": 1765140000, "changes": [{"field": "mentions", "value": {
                           "media_id": "17889114512354744",
                           "comment_id": "17967008497439572"}}]}]}).encode()
    answer = _client(store).post(f"/webhooks/meta/{connection}", content=body,
                                 headers=_signed(body))
    assert answer.status_code == 200
    sync_connection(store, connection)
    assert "@ikroskun good" in _inbox_texts(store, actor.workspace_id)


def _sync_in_subprocess(db: str, home: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "HUSTINGS_HOME": str(home)}
    return subprocess.Popen(
        [sys.executable, "-m", "hustings", "--db", db, "sync", "--once"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )


def _all_texts(store: Store) -> list[str]:
    with store.begin() as conn:
        return sorted(conn.execute(select(messages.c.text)).scalars())


def test_a_sync_killed_mid_page_and_restarted_ends_as_an_uninterrupted_one(
    tmp_path: Path, meta: MetaServer
) -> None:
    calm = Store.open(f"sqlite:///{tmp_path / 'calm.db'}")
    _, calm_id = meta_connected(calm, meta)
    sync_connection(calm, calm_id)
    expected = _all_texts(calm)
    calm.close()

    url = f"sqlite:///{tmp_path / 'killed.db'}"
    store = Store.open(url)
    _, connection = meta_connected(store, meta)
    reached, held = threading.Event(), threading.Event()
    # The post's third page of comments is held until the sync is killed waiting for it.
    meta.state.faults[f"/{POST}/comments"].extend(
        [Fault(0), Fault(0), Fault(0, block=held, reached=reached)])
    process = _sync_in_subprocess(url, tmp_path / "home")
    try:
        assert reached.wait(60), "the sync never reached the third page"
        process.send_signal(signal.SIGKILL)
        process.wait(10)
    finally:
        held.set()
        process.kill()
    partial = _all_texts(store)
    assert 0 < len(partial) < len(expected)
    meta.state.requests.clear()
    assert sync_connection(store, connection).error is None
    assert _all_texts(store) == expected
    # It resumed after the last page written, not from the start of the comments.
    asked = [q.get("after") for _, p, _, q in meta.state.requests
             if p.endswith(f"/{POST}/comments")]
    assert asked[0] == "c8"
    store.close()


def test_no_meta_credential_appears_in_the_database_logs_html_or_output(
    tmp_path: Path, meta: MetaServer, caplog: pytest.LogCaptureFixture,
) -> None:
    token = "EAAG" + "S3cr3tPageT0ken" * 4
    app_secret, verify = "app-" + "S3cr3t" * 5, "verify-" + "S3cr3t" * 4
    meta.state.tokens = {token}
    token_file = tmp_path / "meta.json"
    token_file.write_text(json.dumps({"access_token": token, "app_secret": app_secret,
                                      "verify_token": verify}))
    db = f"sqlite:///{tmp_path / 'leak.db'}"
    caplog.set_level(logging.DEBUG)
    runner = CliRunner()
    outputs: list[str] = []
    store = Store.open(db)
    actor = Actor.system(create_workspace(store, "Leaky").id)
    for args in (
        ["connect", "facebook", "-w", "Leaky", "--server", meta.url, "--set", "tries=2",
         "--set", "backoff=0.01", "--token-file", str(token_file), "--json"],
        ["sync", "-w", "Leaky", "--once", "--json"],
        ["connections", "-w", "Leaky", "--json"],
        ["connections", "-w", "Leaky"],
    ):
        result = runner.invoke(cli, ["--db", db, *args])
        assert result.exit_code == 0, result.output
        outputs.append(result.output)
    with store.begin() as conn:
        item = conn.execute(select(inbox_items.c.id)).scalars().first()
        reply(conn, actor, int(item), "Thanks for writing.")
    deliver_due(store)
    client = _client(store)
    bad = client.post("/webhooks/meta/1", content=b'{"object": "page", "entry": []}',
                      headers={"X-Hub-Signature-256": "sha256=" + "1" * 64})
    wrong = client.get("/webhooks/meta/1", params={"hub.mode": "subscribe",
                                                   "hub.verify_token": "x", "hub.challenge": "1"})
    outputs += [bad.text, wrong.text]
    meta.state.tokens.clear()  # expired: the error must not quote the credential either
    outputs.append(runner.invoke(cli, ["--db", db, "sync", "--once"]).output)
    outputs.append(runner.invoke(cli, ["--db", db, "connections", "-w", "Leaky", "--json"]).output)
    assert "error 190" in outputs[-1]
    cells: list[str] = []
    with store.begin() as conn:
        for table in metadata.sorted_tables:
            for row in conn.execute(text(f"SELECT * FROM {table.name}")):
                cells.extend(json.dumps(v, default=str) for v in row)
    assert cells and meta.state.posts_sent() == 1
    headers_sent = [h for _, _, h, _ in meta.state.requests]
    assert any(token in str(h) for h in headers_sent)  # it was used, in a header
    for secret in (token, app_secret, verify):
        for where, haystack in (
            ("database", "\n".join(cells)),
            ("logs", caplog.text),
            ("output", "\n".join(outputs)),
            ("request URLs", "\n".join(f"{p}?{q}" for _, p, _, q in meta.state.requests)),
        ):
            assert secret not in haystack, f"a credential appears in the {where}"
    store.close()


