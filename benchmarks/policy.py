"""Benchmark policy watch on a replayed month of real press releases.

Run ``python benchmarks/policy.py`` (``--quick``: the first two and a half days); it prints the
results and rewrites the ``policy`` section of BENCHMARKS.md. A loopback server
(``tests/policy/replay.py``) serves one RSS feed per party of the real releases of
``us-congress-press-releases/2022-10.jsonl`` at their real dates (a time of day fixed per
release, the set having dates only); a simulated clock advances in poll steps and every
source is fetched at each. On the way the Democrats' feed breaks for two hours, the
Republicans' feed moves (301), and releases are silently edited and deleted a day after
they came out. Coverage is the share of releases coded into the matrix within 60 minutes
of publication; latency the time from publication to coded.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from _common import machine, shared_data, write_section  # noqa: E402
from sqlalchemy import select  # noqa: E402
from tests.policy.replay import PressServer, Release, load_releases  # noqa: E402

from hustings import policy  # noqa: E402
from hustings.store import Store  # noqa: E402
from hustings.store.schema import policy_item_versions, policy_items  # noqa: E402
from hustings.workspace import Actor, create_workspace  # noqa: E402

POLL = timedelta(minutes=15)
TARGET = timedelta(minutes=60)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--days", type=float, default=None,
                        help="replay only this many days of the month")
    args = parser.parse_args()
    data = shared_data() / "announcements"
    releases = load_releases(data / "us-congress-press-releases" / "2022-10.jsonl")
    server = PressServer(data / "press-release-rss-feeds", releases)
    start = releases[0].published_at - POLL
    end = releases[-1].published_at + POLL
    days = 2.5 if args.quick else args.days
    if days is not None:
        end = start + timedelta(days=days)
    shown = [r for r in releases if r.published_at <= end]
    # Changed a day after publication: only those whose change falls inside the replay.
    changeable = [r for r in shown if r.published_at + timedelta(days=1) <= end - POLL]
    edits = changeable[10::40][:8]
    deletions = changeable[25::45][:8]
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(f"sqlite:///{tmp}/bench.db")
        actor = Actor.system(create_workspace(store, "Benchmark").id)
        with store.begin() as conn:
            for code, party in (("D", "Democrat"), ("R", "Republican"), ("I", "Independent")):
                policy.add_source(conn, actor, "feed", f"{party}s", party,
                                  f"{server.url}/party/{code}.xml")
        http = policy.http_client(tries=1, timeout=10.0, sleep=lambda _: None)
        now, fetches, spent = start, 0, 0.0
        broken_from = start + (end - start) / 3
        moved_at = start + (end - start) / 2
        while now <= end:
            server.state.now = now
            state = server.state
            if broken_from <= now < broken_from + timedelta(hours=2):
                state.broken.add("/party/D.xml")
            else:
                state.broken.discard("/party/D.xml")
            if now >= moved_at:
                state.moved["/party/R.xml"] = "/moved/party/R.xml"
            for r in edits:
                if now >= r.published_at + timedelta(days=1):
                    state.edited[r.n] = r.text.replace(".", ". (Updated.)", 1)
            for r in deletions:
                if now >= r.published_at + timedelta(days=1):
                    state.deleted.add(r.n)
            began = time.perf_counter()
            policy.fetch_all(store, actor, now, http, deliver=False)
            spent += time.perf_counter() - began
            fetches += 3
            now += POLL
        with store.begin() as conn:
            items = {r.url: r for r in conn.execute(select(policy_items)).all()}
            versions = conn.execute(select(policy_item_versions.c.item_id,
                                           policy_item_versions.c.change)).all()
        http.close()
        store.close()
    server.close()
    lat = []
    for r in shown:
        item = items.get(f"{server.url}/release/{r.n}")
        if item is not None and item.coded_at is not None:
            lat.append((item.coded_at - r.published_at).total_seconds() / 60)
    covered = sum(1 for m in lat if m <= TARGET.total_seconds() / 60)
    by_item: dict[int, set[str]] = {}
    for v in versions:
        by_item.setdefault(v.item_id, set()).add(v.change)
    def found(rs: list[Release], change: str) -> int:
        return sum(1 for r in rs if change in by_item.get(
            getattr(items.get(f"{server.url}/release/{r.n}"), "id", -1), set()))
    coverage = covered / len(shown)
    lat.sort()
    p95 = lat[int(0.95 * (len(lat) - 1))] if lat else float("nan")
    body = (
        f"Machine: {machine()}. Date: {time.strftime('%Y-%m-%d')}. "
        f"{f'{days:g} days replayed' if days else 'Full month'}: {len(shown)} real releases "
        f"(us-congress-press-releases 2022-10), 3 party feeds polled every "
        f"{int(POLL.total_seconds() // 60)} min of simulated time; the Democrats' feed broken "
        "for 2 h, the Republicans' moved (301), releases edited and deleted a day after.\n\n"
        "| measure | value | target | met |\n|---|---|---|---|\n"
        f"| in the matrix within 60 min of publication | {coverage:.1%} ({covered}/{len(shown)})"
        f" | ≥ 95% | {'yes' if coverage >= 0.95 else 'no'} |\n"
        f"| latency publication → coded, median | {statistics.median(lat):.0f} min | | |\n"
        f"| latency, 95th percentile | {p95:.0f} min | | |\n"
        f"| silent edits detected | {found(edits, 'edit')}/{len(edits)} | all | "
        f"{'yes' if found(edits, 'edit') == len(edits) else 'no'} |\n"
        f"| deletions detected | {found(deletions, 'delete')}/{len(deletions)} | all | "
        f"{'yes' if found(deletions, 'delete') == len(deletions) else 'no'} |\n"
        f"| fetch time per source (fetch, record, code, alerts) | "
        f"{1000 * spent / max(fetches, 1):.1f} ms | | |\n"
    )
    print(body)
    write_section("policy", body)
    return 0


if __name__ == "__main__":
    sys.exit(main())
