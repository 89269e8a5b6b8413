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
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from _common import (
    REPO,
    Run,
    interleaved,
    peak_mib,
    rate,
    run_measured,
    shared_data,
    write_section,
)

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


_ORJSON_ONLY = (
    "import sys, orjson\n"
    "n = 0\n"
    "with open(sys.argv[1], 'rb') as f:\n"
    "    for line in f:\n"
    "        n += len(orjson.loads(line)['data'])\n"
)


def _ceiling(path: Path, work: Path) -> Run:
    """The parser's limit: ``orjson`` decoding every page of the same file, nothing else."""
    return run_measured([sys.executable, "-c", _ORJSON_ONLY, str(path)], stdout=subprocess.DEVNULL)


def _verdict(rows: list[Row]) -> str:
    """The targets, checked on the largest file: 10x the peer, half the orjson-only rate,
    flat memory."""
    small, large = rows[0], rows[-1]
    ours = rate(large.tweets, large.runs["hustings import"]).median
    ceiling = rate(large.tweets, large.runs["orjson only"]).median
    flat = peak_mib(large.runs["hustings import"]) <= 1.2 * peak_mib(small.runs["hustings import"])
    parts = [
        f"{ours / ceiling:.0%} of the orjson-only rate (target 50%: "
        f"{'met' if ours >= 0.5 * ceiling else 'NOT met'})"
    ]
    if "twarc2 csv" in large.runs:
        peer = rate(large.tweets, large.runs["twarc2 csv"]).median
        parts.insert(
            0,
            f"{ours / peer:.1f}x twarc2 csv (target 10x: "
            f"{'met' if ours >= 10 * peer else 'NOT met'})",
        )
    parts.append(
        f"memory {peak_mib(small.runs['hustings import']):,.0f} → "
        f"{peak_mib(large.runs['hustings import']):,.0f} MiB ({'flat' if flat else 'NOT flat'})"
    )
    return f"On {large.tweets:,} tweets (medians): " + "; ".join(parts) + "."


@dataclass(frozen=True)
class Row:
    tweets: int
    size: int
    runs: dict[str, list[Run]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tweets", type=int, default=200_000)
    parser.add_argument(
        "--small",
        type=int,
        default=50_000,
        help="a smaller file, to show that peak memory stays flat",
    )
    parser.add_argument("--repeats", type=int, default=3, help="interleaved runs per command")
    parser.add_argument(
        "--quick", action="store_true", help="a smoke run: tiny files, one run, no peer install"
    )
    args = parser.parse_args()
    if args.quick:
        args.tweets, args.small, args.repeats = 2_000, 1_000, 1
    with_peer = not args.quick or (_TWARC_VENV / "bin" / "twarc2").exists()
    with tempfile.TemporaryDirectory(prefix="hustings-bench-") as tmp:
        work = Path(tmp)
        rows = []
        for tweets in (args.small, args.tweets):
            path = work / f"x-v2-{tweets}.jsonl"
            size = build_file(path, tweets)
            commands: dict[str, Callable[[], Run]] = {
                "hustings import": lambda p=path: _hustings(p, work),
                "orjson only": lambda p=path: _ceiling(p, work),
            }
            if with_peer:
                commands["twarc2 csv"] = lambda p=path: _peer(p, work)
            runs = interleaved(commands, args.repeats)
            rows.append(Row(tweets, size, runs))
            print(
                f"{tweets:,} tweets: "
                + ", ".join(f"{name} {rate(tweets, r).show()}/s" for name, r in runs.items())
            )
    names = list(rows[0].runs)
    lines = [
        "## Ingest: `hustings import` vs `twarc2 csv` (X API v2 pages)",
        "",
        "| tweets | file | " + " | ".join(f"{n} (tweets/s) | peak RSS" for n in names) + " |",
        "|---:|---:|" + "---:|---:|" * len(names),
    ]
    for row in rows:
        cells = [
            f"{rate(row.tweets, row.runs[n]).show()} | {peak_mib(row.runs[n]):,.0f} MiB"
            for n in names
        ]
        lines.append(
            f"| {row.tweets:,} | {row.size / 2**20:,.0f} MiB | " + " | ".join(cells) + " |"
        )
    if not with_peer:
        lines += ["", "_twarc2 csv was not installed: the peer was left out of this quick run._"]
    lines += [
        "",
        "Each figure is the median of the runs, with min and max beside it; the commands "
        "run interleaved (A B C A B C ...) so the machine's drift hits all of them alike. "
        "`hustings import` parses (in a second process, so it uses both cores), upserts "
        "into a fresh SQLite store (WAL) and places every message in its thread; "
        "`orjson only` decodes every page of the same file and does nothing else (the "
        "parser's ceiling on one core); `twarc2 csv` (twarc-csv 0.7.2, pandas<3) converts "
        "the same file to CSV on one core. Peak memory covers all of a command's processes "
        "(PSS summed, sampled while it runs as several). Reproduce: "
        "`.venv/bin/python -m benchmarks ingest`.",
        "",
        _verdict(rows),
    ]
    write_section("ingest", "\n".join(lines))


if __name__ == "__main__":
    main()
