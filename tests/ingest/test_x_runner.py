"""X files through the runner: detection, store row counts, and idempotent re-imports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import ColumnElement, func, select

from hustings.ingest.runner import import_paths
from hustings.store import Store
from hustings.store.schema import accounts, messages

DATA = Path(__file__).resolve().parent.parent / "data" / "x"
_RECORDS = ("messages", "accounts", "follower_snapshots")


def count(store: Store, *where: ColumnElement[bool]) -> int:
    with store.begin() as conn:
        query = select(func.count()).select_from(messages).where(*where)
        return int(conn.execute(query).scalar_one())


def page_tweet_ids(path: Path) -> tuple[set[str], set[str]]:
    """Ids of primary tweets and of ``includes.tweets``, read with plain json."""
    data: set[str] = set()
    included: set[str] = set()
    for line in path.read_bytes().splitlines():
        try:
            page = json.loads(line)
        except ValueError:
            continue
        items = page["data"] if isinstance(page["data"], list) else [page["data"]]
        data |= {t["id"] for t in items}
        included |= {t["id"] for t in page.get("includes", {}).get("tweets", [])}
    return data, included


@pytest.mark.parametrize("name", ["brexit.jsonl", "withheld.jsonl", "2sets.jsonl"])
def test_store_rows_match_raw_json(store: Store, shared_data: Path, name: str) -> None:
    path = shared_data / "fixtures" / "x-api-v2-twarc" / name
    (summary,) = import_paths(store, [str(path)])
    data, included = page_tweet_ids(path)
    assert (summary.format, summary.read, summary.added) == ("x-v2", len(data), len(data))
    assert count(store, messages.c.partial.is_(False)) == len(data)
    assert count(store, messages.c.partial.is_(True)) == len(included - data)


@pytest.mark.parametrize(
    "path",
    [
        "fixtures/x-api-v2-twarc/noflat.jsonl",
        "fixtures/x-api-v2-twarc/flat.jsonl",
        "fixtures/x-api-v2-twarc/streaming_output_with_error.jsonl",
        "registries/us-congress/raw_v1_tweets_2017-06-13.json",
    ],
)
def test_second_import_adds_nothing(store: Store, shared_data: Path, path: str) -> None:
    name = str(shared_data / path)
    (first,) = import_paths(store, [name])
    rows = store.counts()
    (again,) = import_paths(store, [name])
    assert (again.added, again.updated, again.context_added) == (0, 0, 0)
    assert again.read == first.read
    assert again.unchanged == again.read - again.quarantined
    after = store.counts()
    assert {t: after[t] for t in _RECORDS} == {t: rows[t] for t in _RECORDS}


def test_flat_then_raw_adds_no_messages(store: Store, shared_data: Path) -> None:
    folder = shared_data / "fixtures" / "x-api-v2-twarc"
    (flat,) = import_paths(store, [str(folder / "flat.jsonl")])
    (raw,) = import_paths(store, [str(folder / "noflat.jsonl")])
    assert flat.added == 100
    assert (raw.added, raw.updated, raw.unchanged) == (0, 0, 100)


def test_archive_folder_imports_tweets_and_skips_account_js(store: Store) -> None:
    summaries = {Path(s.source).name: s for s in import_paths(store, [str(DATA / "archive")])}
    assert summaries["tweets.js"].added == 3
    assert summaries["account.js"].skipped is not None
    with store.begin() as conn:
        handle = conn.execute(
            select(accounts.c.handle).where(accounts.c.platform_id == "1500000000000000001")
        ).scalar_one()
    assert handle == "CllrJaneDoe"


def test_bad_lines_are_quarantined_and_counted(store: Store) -> None:
    (summary,) = import_paths(store, [str(DATA / "bad_v2.jsonl")])
    assert (summary.added, summary.quarantined) == (3, 5)
