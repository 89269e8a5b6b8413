"""The user stream, a sync killed mid-page, and credentials that never leak."""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from sqlalchemy import select, text
from typer.testing import CliRunner

from hustings.cli.main import app
from hustings.connectors.connections import follow_connection, sync_connection
from hustings.connectors.outbound import deliver_due
from hustings.inbox.replies import reply
from hustings.store import Store
from hustings.store.schema import inbox_items, messages, metadata, quarantine
from tests.conftest import REPO
from tests.connectors.conftest import connected
from tests.connectors.replay import Fault, ReplayServer, sse


def _texts(store: Store) -> list[str]:
    with store.begin() as conn:
        return sorted(
            conn.execute(select(messages.c.text).where(messages.c.partial.is_(False))).scalars()
        )


def test_a_dropped_stream_reconnects_from_its_cursor_without_gap_or_duplicate(
    any_store: Store, mastodon: ReplayServer
) -> None:
    actor, connection = connected(any_store, mastodon)
    sync_connection(any_store, connection)
    state = mastodon.state
    first, second, third = (state.mention(n, f"live {n}?") for n in (1, 2, 3))
    whole = sse("notification", second)
    # Stream 1: the first mention, then the second cut off mid-event by a dropped connection.
    state.notifications.extend([first, second])
    state.streams.append([sse("notification", first), whole[: len(whole) // 2], None])
    # Stream 2: the third mention, and the first again (a duplicate event), then it ends.
    state.streams.append([sse("notification", third), sse("notification", first)])
    state.notifications.append(third)
    stop = threading.Event()
    assert follow_connection(any_store, connection, stop, 0.01, max_connects=2) == 2
    live = [t for t in _texts(any_store) if "live" in t]
    assert live == ["@mastodonpy_test live 1?", "@mastodonpy_test live 2?",
                    "@mastodonpy_test live 3?"]
    with any_store.begin() as conn:
        assert conn.execute(select(quarantine.c.id)).first() is None
        items = conn.execute(
            select(inbox_items.c.id).where(inbox_items.c.workspace_id == actor.workspace_id)
        ).all()
    assert len(items) == 3 + 3


def test_a_duplicate_stream_event_is_a_no_op(store: Store, mastodon: ReplayServer) -> None:
    _actor, connection = connected(store, mastodon)
    state = mastodon.state
    event = state.mention(9, "twice?")
    state.streams.append([sse("notification", event), sse("notification", event)])
    follow_connection(store, connection, threading.Event(), 0.01, max_connects=1)
    assert _texts(store).count("@mastodonpy_test twice?") == 1


def _sync_in_subprocess(db: str, home: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "HUSTINGS_HOME": str(home)}
    return subprocess.Popen(
        [sys.executable, "-m", "hustings", "--db", db, "sync", "--once"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )


def test_a_sync_killed_mid_page_and_restarted_ends_as_an_uninterrupted_one(
    tmp_path: Path, mastodon: ReplayServer
) -> None:
    mastodon.state.add_mentions(4)
    # The reference: the same account synced without interruption.
    calm = Store.open(f"sqlite:///{tmp_path / 'calm.db'}")
    _, calm_id = connected(calm, mastodon)
    sync_connection(calm, calm_id)
    expected = _texts(calm)
    calm.close()

    url = f"sqlite:///{tmp_path / 'killed.db'}"
    store = Store.open(url)
    _, connection = connected(store, mastodon)
    reached, held = threading.Event(), threading.Event()
    # The fourth page of mentions is held until the sync is killed while waiting for it.
    faults = mastodon.state.faults["/api/v1/notifications"]
    faults.extend([Fault(0), Fault(0), Fault(0), Fault(0, block=held, reached=reached)])
    process = _sync_in_subprocess(url, tmp_path / "home")
    try:
        assert reached.wait(60), "the sync never reached the fourth page"
        process.send_signal(signal.SIGKILL)
        process.wait(10)
    finally:
        held.set()
        process.kill()
    partial = _texts(store)
    assert 0 < len(partial) < len(expected)
    assert sync_connection(store, connection).error is None
    assert _texts(store) == expected
    store.close()


def test_no_credential_appears_in_the_database_logs_or_output(
    tmp_path: Path, mastodon: ReplayServer, caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    secret = "tok-" + "S3cr3t" * 6
    mastodon.state.tokens = {secret}
    token_file = tmp_path / "token.txt"
    token_file.write_text(secret + "\n")
    db = f"sqlite:///{tmp_path / 'leak.db'}"
    caplog.set_level(logging.DEBUG)
    runner = CliRunner()
    outputs = []
    store = Store.open(db)
    from hustings.workspace import Actor, create_workspace

    actor = Actor.system(create_workspace(store, "Leaky").id)
    for args in (
        ["connect", "mastodon", "-w", "Leaky", "--server", mastodon.url,
         "--token-file", str(token_file), "--json"],
        ["sync", "-w", "Leaky", "--once", "--json"],
        ["connections", "-w", "Leaky", "--json"],
        ["connections", "-w", "Leaky"],
    ):
        result = runner.invoke(app, ["--db", db, *args])
        assert result.exit_code == 0, result.output
        outputs.append(result.output)
    with store.begin() as conn:
        item = conn.execute(select(inbox_items.c.id)).scalars().first()
        reply(conn, actor, int(item), "Thanks for writing.")
    deliver_due(store)
    mastodon.state.tokens.clear()  # revoked: the error must not quote the credential either
    outputs.append(runner.invoke(app, ["--db", db, "sync", "--once"]).output)
    outputs.append(runner.invoke(app, ["--db", db, "connections", "-w", "Leaky", "--json"]).output)
    assert "refused the credentials" in outputs[-1]
    cells = []
    with store.begin() as conn:
        for table in metadata.sorted_tables:
            for row in conn.execute(text(f"SELECT * FROM {table.name}")):
                cells.extend(json.dumps(v, default=str) for v in row)
    assert cells and mastodon.state.post_count() == 1
    for where, haystack in (
        ("database", "\n".join(cells)),
        ("logs", caplog.text),
        ("output", "\n".join(outputs)),
    ):
        assert secret not in haystack, f"the credential appears in the {where}"
    store.close()


def test_a_burst_of_stream_events_all_become_items_once(
    store: Store, mastodon: ReplayServer
) -> None:
    actor, connection = connected(store, mastodon)
    burst = [mastodon.state.mention(200 + n, f"burst {n}?") for n in range(60)]
    mastodon.state.streams.append([sse("notification", e) for e in [*burst, *burst[:10]]])
    follow_connection(store, connection, threading.Event(), 0.01, max_connects=1)
    with store.begin() as conn:
        texts = conn.execute(
            select(messages.c.text)
            .join(inbox_items, inbox_items.c.message_id == messages.c.id)
            .where(inbox_items.c.workspace_id == actor.workspace_id)
        ).scalars().all()
    assert sorted(t for t in texts if "burst" in t) == sorted(
        f"@mastodonpy_test burst {n}?" for n in range(60)
    )
