"""Facebook sync: 10,000 Page comments through the Facebook connector into PostgreSQL.

A loopback Graph API in a child process (``tests/connectors/meta_replay.py``, the replay
server the tests use) serves the recorded Page and one post carrying ``--comments``
comments: the 15 recorded comments and replies of ``comments_p1/p2.json`` (pyfacebook's
recordings of Meta's own Page) in turn, each given its own id and one of 1,000 authors
(the recordings hide the author; a Page token shows it). A fresh PostgreSQL database, one
workspace with the Page connected as a user connects it, then one timed
``sync_connection``: the connector's pages of 100 comments (``after`` cursors, appsecret
proof), the importer's ``parse_value``, one ``write_units`` per page with its cursor, and
the inbox filing of every comment.

Run: ``HUSTINGS_TEST_POSTGRES_URL=postgresql+psycopg://hustings@127.0.0.1:55432/postgres
.venv/bin/python benchmarks/meta.py`` (``--quick``: 1,000 comments).
"""

# ruff: noqa: E501  (the BENCHMARKS.md table rows are long by nature)
from __future__ import annotations

import argparse
import copy
import json
import os
import resource
import subprocess
import sys
import time
import uuid

from _common import REPO, shared_data, write_section
from sqlalchemy import create_engine, func, select, text

sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "src"))

FOLDER = shared_data() / "fixtures" / "meta-graph-api"


def serve(count: int) -> None:
    """The child: the replay server with ``count`` comments on the post, until stdin ends."""
    from tests.connectors.meta_replay import POST, MetaServer

    server = MetaServer(FOLDER)
    recorded = server.state.comments[POST]
    made = []
    for n in range(count):
        comment = copy.deepcopy(recorded[n % len(recorded)])
        local = str(10159000000000000 + n)
        comment["id"] = f"10158407654328553_{local}"
        comment["permalink_url"] = (
            f"https://www.facebook.com/19292868552/posts/10158407654328553/?comment_id={local}")
        comment["from"] = {"id": str(900000000 + n % 1000), "name": f"Voter {n % 1000}"}
        made.append(comment)
    server.state.comments[POST] = made
    server.state.conversations = []
    print(server.url, flush=True)
    sys.stdin.read()
    server.close()


def _database(admin: str, name: str, drop: bool = False) -> str:
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)' if drop
                          else f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return admin.rsplit("/", 1)[0] + "/" + name


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--comments", type=int, default=10_000)
    parser.add_argument("--quick", action="store_true", help="a smoke run: 1,000 comments")
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--no-write", action="store_true", help="do not touch BENCHMARKS.md")
    args = parser.parse_args()
    if args.serve is not None:
        serve(args.serve)
        return
    if args.quick:
        args.comments = 1_000
    admin = os.environ.get("HUSTINGS_TEST_POSTGRES_URL")
    if not admin:
        sys.exit("set HUSTINGS_TEST_POSTGRES_URL (a PostgreSQL server to create databases in)")
    if not FOLDER.is_dir():
        sys.exit(f"the recorded Meta Graph API responses are absent: {FOLDER}")
    os.environ.setdefault("HUSTINGS_SECRET_KEY", "benchmark-secret-key")
    from hustings.connectors.connections import connect, sync_connection
    from hustings.connectors.secrets import Secret
    from hustings.inbox.sync import warm_up
    from hustings.store import Store
    from hustings.store.schema import inbox_items, messages
    from hustings.workspace import Actor, create_workspace

    child = subprocess.Popen([sys.executable, __file__, "--serve", str(args.comments)],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    url = child.stdout.readline().strip()
    name = f"hustings_bench_meta_{uuid.uuid4().hex[:8]}"
    db = _database(admin, name)
    load_before = os.getloadavg()[0]
    try:
        store = Store.open(db)
        actor = Actor.system(create_workspace(store, "Riding 12").id)
        secret = Secret(json.dumps({"access_token": "page-token", "app_secret": "s"}))
        health = connect(store, actor, "facebook",
                         {"server": url, "page_size": 100, "recent": 1}, secret)
        warm_up()  # as `hustings serve` does at start: the needs-reply model is loaded once
        cpu = resource.getrusage(resource.RUSAGE_SELF)
        started = time.perf_counter()
        report = sync_connection(store, health.id)
        seconds = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_SELF)
        used = (after.ru_utime + after.ru_stime) - (cpu.ru_utime + cpu.ru_stime)
        assert report.error is None, report.error
        with store.begin() as conn:
            comments = conn.execute(select(func.count()).select_from(messages)
                                    .where(messages.c.kind == "comment")).scalar_one()
            items = conn.execute(select(func.count()).select_from(inbox_items)).scalar_one()
        again = sync_connection(store, health.id)
        store.close()
    finally:
        child.communicate("")
        _database(admin, name, drop=True)
    rate = comments / seconds
    print(f"{comments:,} comments in {seconds:.2f} s = {rate:,.0f} items/s; "
          f"{items:,} inbox items; CPU {used:.1f} s; second sync added {again.added}",
          file=sys.stderr)
    if args.no_write:
        return
    body = f"""## Meta: a Facebook Page sync into PostgreSQL (`benchmarks/meta.py`)

{args.comments:,} comments on one Page post (the 15 recorded comments of
`meta-graph-api/facebook/apidata/comments/comments_p{{1,2}}.json` in turn, each with its own
id and one of 1,000 authors), served by the tests' loopback Graph API in a child process,
pulled by the Facebook connector in pages of 100 (`after` cursors, `appsecret_proof`),
parsed by the importer's `parse_value` and written 1,000 at a time with the cursor of the
last page (`write_units`, then inbox filing of just those comments) into a fresh PostgreSQL 15 database.

| Measure | Result | Target |
|---|---|---|
| Sync throughput | {rate:,.0f} items/s ({comments:,} comments in {seconds:.2f} s; CPU {used:.1f} s in the syncing process) | ≥ 2,000 items/s |
| Inbox items made | {items:,} | every comment filed once |
| A second sync | {again.added} added | nothing new, nothing doubled |

The target is **{"met" if rate >= 2000 else "not met"}** here. The syncing process
used {used:.1f} s of CPU for {comments:,} comments ({used / comments * 1000:.2f} ms an item:
fetching, parsing, writing and filing, including the needs-reply model over every comment);
the rest of the {seconds:.0f} s wall time it waited on PostgreSQL (the statements that
upsert the messages and their authors and file the items: about twenty a transaction, one
transaction per 1,000 comments) and on the replay server. PostgreSQL, the replay server and
the sync share the machine's 2 cores with other work: the load average was
{load_before:.1f} when the run started and {os.getloadavg()[0]:.1f} when it ended.
"""
    write_section("meta", body)


if __name__ == "__main__":
    main()
