"""Stream intake: 100,000 Jetstream events for 1,000 tracked Bluesky accounts, live.

Generates a Jetstream-shaped stream (seeded): 1,000 tracked accounts spread over 10
workspaces (100 each) and 20,000 other accounts. Of the events, 10 % are the tracked
accounts' own posts, 15 % replies by others in their threads, 5 % posts by others that
mention one of them (these 20 % become inbox items), 64 % posts and replies elsewhere on
the network, 3 % deletes and 3 % account and identity events. A loopback WebSocket server
in a child process plays it the way Jetstream does, and the live path consumes it in this
process: ``hustings.connectors.jetstream.follow`` (decode, ``involves`` filter against the
1,000 DIDs, the Bluesky importer's ``parse_value``), the follower's batching, then
``write_units`` into each involved workspace, which stores the posts and files the inbox
items, one transaction per batch, into a fresh PostgreSQL database.

One subscription serves the 10 workspaces here (``--subscriptions 10`` runs one per
workspace, each filtered to its own 100 accounts, as ``hustings serve`` does today with one
connection per workspace: every connection then decodes the whole stream).

Two runs:

- throughput: the server sends the 100,000 events as fast as the consumer reads them;
  sustained events/s is events over the time from the first event to the last commit, and
  the consumer's CPU time shows it runs on one core (one Python process, one GIL);
- latency: the server sends at 500 events/s, each event stamped (``time_us``) as it is
  sent; an event's latency is from that stamp to the commit of the transaction that filed
  its inbox item, for every event that became an item.

Run: ``HUSTINGS_TEST_POSTGRES_URL=postgresql+psycopg://hustings@127.0.0.1:55432/postgres
.venv/bin/python benchmarks/stream.py`` (``--events 10000`` for a quick check).
"""

# ruff: noqa: E501  (the BENCHMARKS.md table rows are long by nature)
from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import orjson
from _common import REPO, drop_database, fresh_database, write_section
from sqlalchemy import func, select

POST = "app.bsky.feed.post"
TRACKED, WORKSPACES, OTHERS = 1_000, 10, 20_000
MIX = [("own", 0.10), ("reply", 0.15), ("mention", 0.05), ("elsewhere", 0.64),
       ("delete", 0.03), ("account", 0.03)]
T0_US = 1_796_000_000_000_000
WORDS = ["housing", "bus", "lanes", "schools", "budget", "council", "tonight", "question", "plan", "vote", "town", "hall", "library", "clinic", "taxes", "rent", "parking", "bike", "climate", "jobs", "flood", "road"]


def tracked_did(i: int) -> str:
    return f"did:plc:bench{i:019d}"


def other_did(j: int) -> str:
    return f"did:plc:other{j:019d}"


def _text(rng: random.Random, prefix: str = "") -> str:
    return (prefix + " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 30))))[:300]


def generate(count: int, seed: int = 7) -> list[dict[str, Any]]:
    """The stream's events, ``time_us`` ascending (100 µs apart, so 10,000 a second)."""
    rng = random.Random(seed)
    kinds, weights = zip(*MIX, strict=True)
    own_posts: list[tuple[str, str]] = []  # (uri, cid) of tracked accounts' posts
    events: list[dict[str, Any]] = []
    for n in range(count):
        at = T0_US + n * 100
        kind = rng.choices(kinds, weights)[0]
        if kind in ("reply",) and not own_posts:
            kind = "own"
        rkey = f"3l{n:011d}"
        record: dict[str, Any] = {"$type": POST, "createdAt": "2026-12-07T20:00:00.000Z",
                                  "langs": ["en"]}
        if kind == "own":
            did = tracked_did(rng.randrange(TRACKED))
            record["text"] = _text(rng)
            own_posts.append((f"at://{did}/{POST}/{rkey}", f"bafyrei{n:020d}"))
        elif kind == "reply":
            did = other_did(rng.randrange(OTHERS))
            uri, cid = rng.choice(own_posts[-5000:])
            record["text"] = _text(rng)
            record["reply"] = {"root": {"uri": uri, "cid": cid}, "parent": {"uri": uri, "cid": cid}}
        elif kind == "mention":
            did = other_did(rng.randrange(OTHERS))
            named = rng.randrange(TRACKED)
            tag = f"@t{named}.bench.test "
            record["text"] = _text(rng, tag)
            record["facets"] = [{"index": {"byteStart": 0, "byteEnd": len(tag) - 1},
                                 "features": [{"$type": "app.bsky.richtext.facet#mention",
                                               "did": tracked_did(named)}]}]
        elif kind == "elsewhere":
            did = other_did(rng.randrange(OTHERS))
            record["text"] = _text(rng)
            if rng.random() < 0.5:
                parent = f"at://{other_did(rng.randrange(OTHERS))}/{POST}/3l{rng.randrange(n + 1):011d}"
                ref = {"uri": parent, "cid": "bafyreiother"}
                record["reply"] = {"root": ref, "parent": ref}
        if kind == "delete":
            did = other_did(rng.randrange(OTHERS))
            events.append({"did": did, "time_us": at, "kind": "commit", "commit": {
                "rev": rkey, "operation": "delete", "collection": POST,
                "rkey": f"3l{rng.randrange(n + 1):011d}"}})
        elif kind == "account":
            did = other_did(rng.randrange(OTHERS))
            events.append({"did": did, "time_us": at, "kind": "account", "account": {
                "active": True, "did": did, "seq": n, "time": "2026-12-07T20:00:00.000Z"}})
        else:
            events.append({"did": did, "time_us": at, "kind": "commit", "commit": {
                "rev": rkey, "operation": "create", "collection": POST, "rkey": rkey,
                "record": record, "cid": f"bafyrei{n:020d}"}})
    return events


# -- the server: a child process playing the events over a WebSocket --------------------------


def serve(path: Path, port_file: Path, rate: float) -> None:
    """Play the events of ``path`` (JSON lines) to each connection: all at once, or at
    ``rate`` a second, each stamped with the time it is sent; then close."""
    from websockets.sync.server import serve as ws_serve

    frames = path.read_bytes().splitlines()

    def handle(connection: Any) -> None:
        if rate <= 0:
            for frame in frames:
                connection.send(frame.decode())
        else:
            start = time.time()
            for n, frame in enumerate(frames):
                wait = start + n / rate - time.time()
                if wait > 0:
                    time.sleep(wait)
                event = orjson.loads(frame)
                event["time_us"] = int(time.time() * 1_000_000)
                connection.send(orjson.dumps(event).decode())
        connection.close()

    # No keepalive pings: a consumer whose queue is full stops reading the socket (that is
    # its back-pressure), and a ping unanswered for 20 s would end the replay mid-way.
    with ws_serve(handle, "127.0.0.1", 0, compression=None, max_queue=None,
                  ping_interval=None) as server:
        port_file.write_text(str(server.socket.getsockname()[1]))
        server.serve_forever()


# -- the consumer: the live path into PostgreSQL -----------------------------------------------


def prepare(url: str) -> tuple[Any, dict[str, int]]:
    """The store: 10 workspaces of 100 tracked accounts each; DID to workspace id."""
    from hustings.model import Role as AccountRole
    from hustings.model import TrackedAccount
    from hustings.store import Store
    from hustings.store.records import write_tracked
    from hustings.workspace import Actor, add_account, create_workspace

    store = Store.open(url)
    owner: dict[str, int] = {}
    for w in range(WORKSPACES):
        ws = create_workspace(store, f"Campaign {w}")
        with store.begin() as conn:
            mine = range(w, TRACKED, WORKSPACES)
            write_tracked(conn, [TrackedAccount("bluesky", f"t{i}.bench.test",
                                                AccountRole.CANDIDATE, platform_id=tracked_did(i))
                                 for i in mine])
            for i in mine:
                add_account(conn, Actor.system(ws.id), "bluesky", f"t{i}.bench.test")
                owner[tracked_did(i)] = ws.id
    return store, owner


def _dids(message: Any) -> set[str]:
    found = {message.author_id, message.reply_to_account_id, *message.mentions}
    for uri in (message.conversation_id, message.quote_of_id):
        if isinstance(uri, str) and uri.startswith("at://"):
            found.add(uri[5:].split("/", 1)[0])
    return found


def consume(store: Any, url: str, owner: dict[str, int], subscriptions: int,
            expect: int) -> dict[str, Any]:
    """Follow the stream until it ends; per filed event its latency (stamp to commit)."""
    from hustings.connectors import jetstream
    from hustings.connectors.connections import _STREAM_BATCH, _batched
    from hustings.errors import PlatformUnavailableError
    from hustings.inbox.answered import mark_answered_on_platform
    from hustings.inbox.sync import file_written
    from hustings.ingest.base import Where
    from hustings.ingest.bluesky import BlueskyImporter
    from hustings.ingest.intake import connector_source, write_units

    parser = BlueskyImporter()
    groups: list[set[str]] = (
        [set(owner)] if subscriptions == 1
        else [{d for d, w in owner.items() if w == ws} for ws in sorted(set(owner.values()))]
    )
    latencies: list[float] = []
    counts = {"events": 0, "kept": 0, "batches": 0}
    lock = threading.Lock()

    def run(watch: set[str], n: int) -> None:
        source = connector_source("bluesky", n)
        events = jetstream.follow(
            url, 0, watch, lambda v, at: parser.parse_value(v, Where(source, at, "event")),
            source)
        try:
            for batch in _batched(events, _STREAM_BATCH):
                if batch[0].kind in ("open", "resume"):
                    continue
                by_ws: dict[int, list[Any]] = defaultdict(list)
                filed: list[int] = []
                units = [unit for event in batch for unit in event.units]
                for unit in units:
                    for message in unit.messages:
                        targets = {owner[d] for d in _dids(message) if d in owner}
                        for ws in targets:
                            by_ws[ws].append(message)
                        if message.author_id not in owner and targets:
                            filed.append(unit.position)
                with store.begin() as conn:
                    write_units(conn, units, source)
                    for ws, written in by_ws.items():
                        if file_written(conn, ws, written)[1]:
                            mark_answered_on_platform(conn, ws)
                done = time.time()
                with lock:
                    latencies.extend(done - at / 1_000_000 for at in filed)
                    counts["kept"] += sum(1 for e in batch if e.units)
                    counts["batches"] += 1
        except PlatformUnavailableError:
            pass  # the server closed: the replay is over

    threads = [threading.Thread(target=run, args=(g, n)) for n, g in enumerate(groups)]
    cpu, wall = time.process_time(), time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    counts["events"] = expect
    return {**counts, "seconds": time.perf_counter() - wall,
            "cpu": time.process_time() - cpu, "latencies": latencies}


def one_run(events_file: Path, rate: float, subscriptions: int, count: int) -> dict[str, Any]:
    url = fresh_database("hustings_stream")
    port_file = events_file.with_suffix(f".port{rate}")
    server = subprocess.Popen(
        [sys.executable, __file__, "--serve", str(events_file), str(port_file), str(rate)])
    try:
        store, owner = prepare(url)
        deadline = time.monotonic() + 30
        while not port_file.exists() or not port_file.read_text():
            if time.monotonic() > deadline:
                raise RuntimeError("the stream server did not start")
            time.sleep(0.05)
        ws_url = f"ws://127.0.0.1:{port_file.read_text()}/subscribe"
        result = consume(store, ws_url, owner, subscriptions, count)
        from hustings.store.schema import inbox_items, messages

        with store.begin() as conn:
            result["items"] = conn.execute(select(func.count()).select_from(inbox_items)).scalar()
            result["messages"] = conn.execute(select(func.count()).select_from(messages)).scalar()
        store.close()
        return result
    finally:
        server.terminate()
        server.wait()
        drop_database(url)


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if values else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--rate", type=float, default=500.0, help="latency run: events/s")
    parser.add_argument("--latency-seconds", type=float, default=60.0)
    parser.add_argument("--subscriptions", type=int, choices=(1, 10), default=1)
    parser.add_argument("--no-write", action="store_true", help="do not touch BENCHMARKS.md")
    parser.add_argument("--serve", nargs=3, help=argparse.SUPPRESS)
    parser.add_argument("--quick", action="store_true", help="a smoke run: 2,000 events")
    args = parser.parse_args()
    if args.quick:
        args.events, args.rate, args.latency_seconds = 2_000, 100.0, 4.0
    if args.serve:
        serve(Path(args.serve[0]), Path(args.serve[1]), float(args.serve[2]))
        return
    sys.path.insert(0, str(REPO / "src"))
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        all_events = generate(args.events)
        expected_items = sum(
            1 for e in all_events
            if e["kind"] == "commit" and e["did"].startswith("did:plc:other")
            and (("reply" in (e["commit"].get("record") or {})
                 and "bench" in e["commit"]["record"]["reply"]["root"]["uri"])
                 or "facets" in (e["commit"].get("record") or {})))
        fast = Path(tmp) / "events.jsonl"
        fast.write_bytes(b"\n".join(orjson.dumps(e) for e in all_events))
        paced = Path(tmp) / "paced.jsonl"
        paced.write_bytes(b"\n".join(
            orjson.dumps(e) for e in all_events[: int(args.rate * args.latency_seconds)]))
        through = one_run(fast, 0, args.subscriptions, args.events)
        rate = through["events"] / through["seconds"]
        print(f"throughput: {through['events']:,} events in {through['seconds']:.1f} s = "
              f"{rate:,.0f} events/s; consumer CPU {through['cpu']:.1f} s; kept "
              f"{through['kept']:,}; items {through['items']:,} (expected {expected_items:,}); "
              f"{through['batches']:,} batches", file=sys.stderr)
        paced_count = int(args.rate * args.latency_seconds)
        lat = one_run(paced, args.rate, args.subscriptions, paced_count)
        p50, p95 = pct(lat["latencies"], 50), pct(lat["latencies"], 95)
        print(f"latency at {args.rate:.0f} events/s over {paced_count:,} events: "
              f"p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, max "
              f"{max(lat['latencies'], default=0) * 1000:.0f} ms "
              f"({len(lat['latencies']):,} filed events)", file=sys.stderr)
    load = (load_before, os.getloadavg()[0])
    if args.no_write:
        return
    subs = ("one Jetstream subscription filtered to all 1,000 DIDs" if args.subscriptions == 1
            else "one subscription per workspace (10), each filtered to its 100 DIDs")
    body = f"""## Stream intake: Jetstream events into 10 workspaces (`benchmarks/stream.py`)

{args.events:,} Jetstream-shaped Bluesky events (seeded: 10 % tracked accounts' own posts,
15 % replies in their threads, 5 % mentions of them, 64 % the rest of the network, 3 %
deletes, 3 % account events) for 1,000 tracked accounts in 10 workspaces, played by a
loopback WebSocket server in a child process and consumed by the live path
(`jetstream.follow`: decode, `involves`, `parse_value`; the follower's batches of up to
2,000 events; per batch one `write_units` for the posts, then `file_written` into each
involved workspace's inbox) into a fresh PostgreSQL 15 database, {subs}.

| Measure | Result | Target |
|---|---|---|
| Sustained intake, as fast as it reads | {rate:,.0f} events/s ({through['events']:,} in {through['seconds']:.1f} s; consumer CPU {through['cpu']:.1f} s, one process) | ≥ 5,000 events/s on one core |
| Stored / inbox items made | {through['messages']:,} posts / {through['items']:,} items (expected {expected_items:,}) | every reply and mention filed once |
| Event to inbox item at {args.rate:.0f} events/s, p50 | {p50 * 1000:.0f} ms | |
| Event to inbox item at {args.rate:.0f} events/s, p95 | {p95 * 1000:.0f} ms ({len(lat['latencies']):,} items over {paced_count:,} events) | < 1 s |

Latency is from the moment the server stamps and sends an event to the commit of the
transaction that filed its inbox item. PostgreSQL, the server and the consumer share the
machine's cores with whatever else runs on it: the load average was {load[0]:.1f} before
and {load[1]:.1f} after these runs. The consumer's own CPU time is a fraction of the wall
time: most of it waits on PostgreSQL's round trips (about ten statements per involved
workspace per batch to file the items: people, identities, follow-ups, items).
"""
    write_section("stream", body)


if __name__ == "__main__":
    main()
