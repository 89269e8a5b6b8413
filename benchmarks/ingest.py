"""Ingest throughput: ``hustings import`` against ``twarc2 csv`` on the same X v2 file.

Builds a twarc2-style JSONL file of raw X API v2 pages (default 200,000 tweets, about
700 MB) by replicating the real pages in ``../shared/data/fixtures/x-api-v2-twarc`` with
fresh ids, then times, in the same run:

- ``hustings import`` into a fresh SQLite store (parse, upsert, threads);
- ``twarc2 csv`` from the ``twarc-csv`` package, the converter a researcher uses today,
  installed in its own virtual environment (it needs ``pandas<3``);

and records tweets per second, the ratio, and peak memory at two file sizes (flat memory
means the peak does not grow with the file). Run: ``.venv/bin/python benchmarks/ingest.py``.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
from _common import REPO, Run, run_measured, shared_data, write_section

_PAGES = ("brexit.jsonl", "noflat.jsonl", "withheld.jsonl", "2sets.jsonl")
_TWARC_VENV = REPO / "benchmarks" / ".venv-twarc"


def _source_pages() -> list[dict[str, Any]]:
    folder = shared_data() / "fixtures" / "x-api-v2-twarc"
    pages = []
    for name in _PAGES:
        for line in (folder / name).read_bytes().splitlines():
            page = orjson.loads(line)
            if page.get("data"):
                pages.append(page)
    return pages


def _fresh(value: str, copy: int) -> str:
    return str(copy * 10**19 + int(value))


def _renumber(tweet: dict[str, Any], copy: int) -> dict[str, Any]:
    out = dict(tweet)
    out["id"] = _fresh(tweet["id"], copy)
    if "conversation_id" in tweet:
        out["conversation_id"] = _fresh(tweet["conversation_id"], copy)
    if "referenced_tweets" in tweet:
        out["referenced_tweets"] = [
            {**r, "id": _fresh(r["id"], copy)} for r in tweet["referenced_tweets"]
        ]
    out.pop("edit_history_tweet_ids", None)
    return out


def _pages(target: int) -> Iterator[bytes]:
    pages = _source_pages()
    written, copy = 0, 0
    while written < target:
        for page in pages:
            copy += 1
            data = [_renumber(t, copy) for t in page["data"]][: target - written]
            includes = dict(page.get("includes", {}))
            includes["tweets"] = [_renumber(t, copy) for t in includes.get("tweets", [])]
            yield orjson.dumps({**page, "data": data, "includes": includes})
            written += len(data)
            if written >= target:
                return


def build_file(path: Path, tweets: int) -> int:
    with path.open("wb") as out:
        for page in _pages(tweets):
            out.write(page + b"\n")
    return path.stat().st_size


def _twarc_csv() -> Path:
    exe = _TWARC_VENV / "bin" / "twarc2"
    if not exe.exists():
        subprocess.run([sys.executable, "-m", "venv", str(_TWARC_VENV)], check=True)
        subprocess.run(
            [
                str(_TWARC_VENV / "bin" / "pip"),
                "install",
                "--quiet",
                "twarc-csv==0.7.2",
                "pandas<3",
            ],
            check=True,
        )
    return exe


def _hustings(path: Path, work: Path) -> Run:
    db = work / f"bench-{path.stem}.db"
    db.unlink(missing_ok=True)
    return run_measured(
        [
            str(REPO / ".venv" / "bin" / "hustings"),
            "--db",
            f"sqlite:///{db}",
            "import",
            "--json",
            str(path),
        ],
        stdout=subprocess.DEVNULL,
    )


def _peer(path: Path, work: Path) -> Run:
    return run_measured(
        [
            str(_twarc_csv()),
            "--bearer-token",
            "X",
            "csv",
            str(path),
            str(work / f"{path.stem}.csv"),
        ],
        stdout=subprocess.DEVNULL,
        cwd=work,  # twarc2 writes its twarc.log into the working directory
    )


def _verdict(rows: list[tuple[int, int, Run, Run]]) -> str:
    """The issue's target, checked: 3x the peer on the largest file, and flat memory."""
    (_, _, small, _), (_, _, large, peer) = rows[0], rows[-1]
    ratio = peer.seconds / large.seconds
    flat = large.peak_rss_mib <= 1.2 * small.peak_rss_mib
    return (
        f"Target (3x the peer, flat memory): throughput {ratio:.1f}x "
        f"({'met' if ratio >= 3 else 'NOT met'}); memory {small.peak_rss_mib:,.0f} → "
        f"{large.peak_rss_mib:,.0f} MiB ({'flat' if flat else 'NOT flat'})."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tweets", type=int, default=200_000)
    parser.add_argument(
        "--small",
        type=int,
        default=50_000,
        help="a smaller file, to show that peak memory stays flat",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="hustings-bench-") as tmp:
        work = Path(tmp)
        rows = []
        for tweets in (args.small, args.tweets):
            path = work / f"x-v2-{tweets}.jsonl"
            size = build_file(path, tweets)
            ours, peer = _hustings(path, work), _peer(path, work)
            if ours.returncode != 0 or peer.returncode != 0:
                raise SystemExit(
                    f"a run failed: hustings {ours.returncode}, twarc2 csv {peer.returncode}"
                )
            rows.append((tweets, size, ours, peer))
            print(
                f"{tweets:,} tweets: hustings {tweets / ours.seconds:,.0f}/s "
                f"({ours.peak_rss_mib:,.0f} MiB), twarc2 csv {tweets / peer.seconds:,.0f}/s "
                f"({peer.peak_rss_mib:,.0f} MiB)"
            )
    lines = [
        "## Ingest: `hustings import` vs `twarc2 csv` (X API v2 pages)",
        "",
        "| tweets | file | hustings import | peak RSS | twarc2 csv | peak RSS | ratio |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for tweets, size, ours, peer in rows:
        lines.append(
            f"| {tweets:,} | {size / 2**20:,.0f} MiB | {tweets / ours.seconds:,.0f} tweets/s "
            f"({ours.seconds:.1f} s) | {ours.peak_rss_mib:,.0f} MiB | "
            f"{tweets / peer.seconds:,.0f} tweets/s ({peer.seconds:.1f} s) | "
            f"{peer.peak_rss_mib:,.0f} MiB | {peer.seconds / ours.seconds:.1f}× |"
        )
    lines += [
        "",
        "`hustings import` parses (in a second process, so it uses both cores), upserts "
        "into a fresh SQLite store (WAL) and places every message in its thread; "
        "`twarc2 csv` (twarc-csv 0.7.2, pandas<3) converts the same file to CSV on one "
        "core. Both run as separate processes in the same session; peak memory covers all "
        "of a command's processes (PSS summed, sampled at most every 50 ms while it runs as "
        "several). Reproduce: "
        "`.venv/bin/python benchmarks/ingest.py`.",
        "",
        _verdict(rows),
    ]
    write_section("ingest", "\n".join(lines))


if __name__ == "__main__":
    main()
