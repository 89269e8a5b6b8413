"""Send path: answers from the inbox posted as Bluesky replies on a real local PDS.

Starts the same real local Bluesky network the tests use (``@atproto/dev-env``: PLC, PDS,
AppView, on loopback; tests/servers/bluesky, installed by scripts/servers.sh) with a
throwaway redis-server and a database on the PostgreSQL server, and a Hustings store in a
fresh PostgreSQL database. A campaign account is connected as a user would connect it;
citizens mention it ``--replies`` times and one sync files the items. Then:

- burst: every item is answered at once (``inbox.replies.reply``: the reply is queued, as a
  click in the inbox does), and ``deliver_due`` sends the queue: replies/s from the first
  click to the last reply sent, and each reply's click-to-sent time;
- one at a time: ``--paced`` replies are clicked one by one while the background worker of
  ``hustings serve`` runs (``start_worker``, sending every ``--send-every`` seconds): the
  click-to-"sent" time a responder sees, which includes waiting for the worker's next round.

Each sent reply is checked on the PDS (a reply with the right root and parent). Without
Node.js 22 and dev-env installed it says so and exits without measuring.

Run: ``HUSTINGS_TEST_POSTGRES_URL=postgresql+psycopg://hustings@127.0.0.1:55432/postgres
.venv/bin/python benchmarks/send.py``.
"""

# ruff: noqa: E501  (the BENCHMARKS.md table rows are long by nature)
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from _common import REPO, write_section
from sqlalchemy import create_engine, select, text

sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "src"))

from tests.servers.fixtures import (
    BLUESKY_DIR,
    NODE,
    BlueskyNetwork,
    _await_ready,
    free_port,
    stop,
    wait_for_port,
)


def _admin() -> str:
    url = os.environ.get("HUSTINGS_TEST_POSTGRES_URL")
    if not url:
        sys.exit("set HUSTINGS_TEST_POSTGRES_URL (a PostgreSQL server to create databases in)")
    return url


def _database(name: str, drop: bool = False) -> str:
    admin = create_engine(_admin(), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if drop:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        else:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return _admin().rsplit("/", 1)[0] + "/" + name


def start_network(folder: Path) -> tuple[BlueskyNetwork, list[subprocess.Popen[Any]], str]:
    """redis-server and dev-env's TestNetwork, as tests/servers/fixtures.py starts them."""
    redis_bin = shutil.which("redis-server")
    assert redis_bin is not None
    port = free_port()
    redis_log = folder / "redis.log"
    redis = subprocess.Popen(
        [redis_bin, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", str(folder), "--logfile", str(redis_log)],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    wait_for_port(port, redis, redis_log, 20.0)
    database = f"hustings_bsky_{uuid.uuid4().hex[:12]}"
    db_url = _database(database).replace("postgresql+psycopg:", "postgresql:")
    log = folder / "network.log"
    env = {**os.environ, "DB_POSTGRES_URL": db_url, "DB_POSTGRES_SCHEMA": "hustings",
           "REDIS_HOST": f"127.0.0.1:{port}", "TMPDIR": str(folder), "LOG_ENABLED": "false",
           "NODE_COMPILE_CACHE": str(BLUESKY_DIR / "node_modules" / ".cache" / "node-compile")}
    with log.open("w") as err:
        node = subprocess.Popen(
            [str(NODE), str(BLUESKY_DIR / "network.mjs")], cwd=BLUESKY_DIR, env=env, text=True,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err, bufsize=1)
    ready = _await_ready(node, log)
    return BlueskyNetwork(node, ready, log), [node, redis], database


def pct(values: list[float], q: int) -> float:
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def measure(net: BlueskyNetwork, store: Any, replies: int, paced: int,
            send_every: float) -> dict[str, Any]:
    from hustings.connectors.connections import connect, sync_connection
    from hustings.connectors.outbound import deliver_due
    from hustings.connectors.secrets import Secret
    from hustings.connectors.worker import start_worker
    from hustings.inbox.replies import reply
    from hustings.store.schema import inbox_items, messages, outbound
    from hustings.workspace import Actor, create_workspace

    os.environ.setdefault("HUSTINGS_SECRET_KEY", "benchmark-secret-key")
    campaign = net.create_account()
    actor = Actor.system(create_workspace(store, "Send benchmark").id)
    health = connect(store, actor, "bluesky", {"service": net.pds_url,
                                               "handle": campaign.handle},
                     Secret(campaign.password))
    citizens = [net.create_account() for _ in range(5)]
    for n in range(replies + paced):
        who = citizens[n % len(citizens)]
        net.mention(who, [campaign], f"@{campaign.handle} question {n}: when is the vote?")
    report = sync_connection(store, health.id)
    assert report.error is None, report.error
    with store.begin() as conn:
        items = list(conn.execute(
            select(inbox_items.c.id, messages.c.platform_id)
            .join(messages, messages.c.id == inbox_items.c.message_id)
            .where(inbox_items.c.workspace_id == actor.workspace_id)
            .order_by(inbox_items.c.id)).all())
    assert len(items) == replies + paced, f"{len(items)} items for {replies + paced} mentions"

    def answer(item_id: int, n: int) -> float:
        with store.begin() as conn:
            reply(conn, actor, item_id, f"Thank you for asking ({n}): the vote is on Thursday.")
        return time.time()

    clicked = {item.id: answer(item.id, n) for n, item in enumerate(items[:replies])}
    start = min(clicked.values())
    outcome = deliver_due(store, actor.workspace_id)
    burst_end = time.time()
    assert set(outcome.values()) == {"sent"}, outcome
    thread, stop_worker = start_worker(store, pull_every=3600, send_every=send_every)
    paced_clicks: dict[int, float] = {}
    try:
        for n, item in enumerate(items[replies:]):
            paced_clicks[item.id] = answer(item.id, replies + n)
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                with store.begin() as conn:
                    state = conn.execute(select(outbound.c.state)
                                         .where(outbound.c.item_id == item.id)).scalar()
                if state == "sent":
                    break
                time.sleep(0.05)
    finally:
        stop_worker.set()
        thread.join(timeout=60)
    with store.begin() as conn:
        sent = {r.item_id: (r.sent_at, r.platform_id) for r in conn.execute(
            select(outbound.c.item_id, outbound.c.sent_at, outbound.c.platform_id)
            .where(outbound.c.state == "sent"))}
    burst = [sent[i][0].timestamp() - t for i, t in clicked.items()]
    single = [sent[i][0].timestamp() - t for i, t in paced_clicks.items() if i in sent]
    net.process_all()
    on_pds = sum(1 for _, uri in sent.values() if uri and uri.startswith(f"at://{campaign.did}/"))
    return {"replies": replies, "seconds": burst_end - start, "burst": burst,
            "paced": paced, "single": single, "on_pds": on_pds, "sent": len(sent)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--replies", type=int, default=100)
    parser.add_argument("--paced", type=int, default=20)
    parser.add_argument("--send-every", type=float, default=1.0)
    parser.add_argument("--no-write", action="store_true", help="do not touch BENCHMARKS.md")
    parser.add_argument("--quick", action="store_true", help="a smoke run: 5 + 3 replies")
    args = parser.parse_args()
    if args.quick:
        args.replies, args.paced = 5, 3
    if not NODE.exists() or not (BLUESKY_DIR / "node_modules" / "@atproto" / "dev-env").exists():
        print("send benchmark skipped: Node.js 22 and @atproto/dev-env are not installed "
              "(source scripts/servers.sh installs them)", file=sys.stderr)
        return
    if shutil.which("redis-server") is None:
        print("send benchmark skipped: redis-server is not installed (scripts/servers.sh)",
              file=sys.stderr)
        return
    from hustings.store import Store

    store_db = f"hustings_send_{uuid.uuid4().hex[:8]}"
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        net, procs, network_db = start_network(Path(tmp))
        up = time.perf_counter() - started
        store = Store.open(_database(store_db))
        try:
            result = measure(net, store, args.replies, args.paced, args.send_every)
        finally:
            store.close()
            if net._proc.stdin is not None:
                net._proc.stdin.close()
            for proc in procs:
                stop(proc)
            _database(store_db, drop=True)
            _database(network_db, drop=True)
    rate = result["replies"] / result["seconds"]
    b50, b95 = pct(result["burst"], 50), pct(result["burst"], 95)
    s50, s95 = pct(result["single"], 50), pct(result["single"], 95)
    print(json.dumps({"network_up_s": round(up, 1), "replies_per_s": round(rate, 2),
                      "burst_p50_s": round(b50, 3), "burst_p95_s": round(b95, 3),
                      "single_p50_s": round(s50, 3), "single_p95_s": round(s95, 3),
                      "sent": result["sent"], "on_pds": result["on_pds"]}), file=sys.stderr)
    if args.no_write:
        return
    body = f"""## Send path: inbox answers as Bluesky replies on a local PDS (`benchmarks/send.py`)

A real local Bluesky network (`@atproto/dev-env`: PLC, PDS, AppView; up in {up:.0f} s here)
and a Hustings store on PostgreSQL 15. A connected campaign account is mentioned
{result['replies'] + result['paced']} times by 5 citizens; one sync files the items. Each
answer is queued as a click in the inbox does (`inbox.replies.reply`) and sent by
`deliver_due` (a threaded reply with facets, exactly-once bookkeeping, the sent post stored
and the item marked answered).

| Measure | Result |
|---|---|
| Burst: {result['replies']} answers clicked at once, then sent | {rate:.1f} replies/s ({result['replies']} in {result['seconds']:.1f} s) |
| Burst: click to "sent", p50 / p95 | {b50:.2f} s / {b95:.2f} s (queueing behind the burst included) |
| One at a time, background worker sending every {args.send_every:g} s: click to "sent", p50 / p95 | {s50:.2f} s / {s95:.2f} s ({len(result['single'])} answers) |
| Replies on the PDS by the campaign account | {result['on_pds']} of {result['sent']} sent |

`hustings serve` sends every 5 s by default (`start_worker`'s `send_every`): a responder
waits for the next round plus the send itself.
"""
    write_section("send", body)


if __name__ == "__main__":
    main()
