"""Run every benchmark with one command: ``.venv/bin/python -m benchmarks [NAME ...]``.

Each benchmark is its own script (it can also run alone) and rewrites its own section of
BENCHMARKS.md. ``--quick`` runs each at a smoke-test size and writes to a scratch file
(``--out``, default a temporary file) instead of BENCHMARKS.md: CI runs it so that no
benchmark can rot unnoticed, asserting only that each completes and writes its section,
never a time.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

BENCHMARKS: dict[str, str] = {
    "ingest": "`hustings import` against `twarc2 csv` and the orjson ceiling",
    "audit": "the full scorecard on DuckDB, Spark and pandas",
    "listen": "camps in a hashtag against NetworkX Louvain",
    "nlp": "the offline classifiers' load time, throughput and accuracy",
    "stance_proxy": "stance toward a target left out of training, with 0, 10 and 50 examples",
    "inbox": "the inbox under load over HTTP on PostgreSQL",
    "stream": "Bluesky events through the live path into PostgreSQL with 10 workspaces",
    "send": "answers from click to sent against a real local Bluesky network",
    "plan": "the cadence guard: tweetstorm hold, false alarms on real timelines, latency",
    "qa": "Live Q&A question detection and duplicate merging: speed and accuracy",
    "policy": "policy watch on a replayed month of real releases: coverage, latency, edits",
    "x_sync": "10,000 recorded-shape X mentions through the X connector into PostgreSQL",
    "meta": "a 10,000-comment Facebook Page sync into PostgreSQL",
}
"""Every benchmark, in the order they run, with what it measures."""

SCRIPTS = {"inbox": "inbox_load"}
"""Script names that differ from the benchmark's (and its BENCHMARKS.md section's) name."""
NEEDS_POSTGRES = {"inbox", "stream", "send", "x_sync", "meta"}


def main() -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description=__doc__.splitlines()[0],
        epilog="\n".join(f"{name}: {what}" for name, what in BENCHMARKS.items()),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("names", nargs="*", metavar="NAME", help="default: all of them")
    parser.add_argument("--quick", action="store_true", help="smoke-test sizes, scratch output")
    parser.add_argument("--out", type=Path, help="write sections here, not BENCHMARKS.md")
    args = parser.parse_args()
    names = args.names or list(BENCHMARKS)
    unknown = [name for name in names if name not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}")
    env = dict(os.environ)
    out = args.out
    if args.quick and out is None:
        out = Path(tempfile.mkdtemp(prefix="hustings-bench-")) / "BENCHMARKS.md"
    if out is not None:
        env["HUSTINGS_BENCHMARKS_MD"] = str(out)
    failed = []
    for name in names:
        if name in NEEDS_POSTGRES and not env.get("HUSTINGS_TEST_POSTGRES_URL"):
            print(f"== {name}: skipped, it needs HUSTINGS_TEST_POSTGRES_URL (a PostgreSQL server)")
            failed.append(name)
            continue
        script = HERE / f"{SCRIPTS.get(name, name)}.py"
        command = [sys.executable, str(script), *(["--quick"] if args.quick else [])]
        print(f"== {name}: {BENCHMARKS[name]}", flush=True)
        started = time.perf_counter()
        code = subprocess.run(command, env=env).returncode
        print(f"== {name}: exit {code} after {time.perf_counter() - started:.0f} s", flush=True)
        if code != 0:
            failed.append(name)
    if out is not None:
        print(f"Sections written to {out}")
    if failed:
        print(f"Failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
