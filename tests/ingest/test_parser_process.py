"""Parsing in a second process changes nothing a user can see, and fails loudly.

Large files are parsed by a forked child while the parent writes; the store, the counts
and the quarantine must be exactly those of parsing in one process, for every format.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

import pytest
from sqlalchemy import select

from hustings.errors import HustingsError, SourceUnreadableError
from hustings.ingest.base import Importer, ImportOptions, Parsed, Sample
from hustings.ingest.batching import ParseJob, prepared_batches
from hustings.ingest.runner import ImportPlan, import_file
from hustings.model import Message, MessageKind
from hustings.store import Store
from hustings.store.schema import accounts, follower_snapshots, messages, quarantine
from tests.xpages import page, tweet, write_pages

DATA = Path(__file__).resolve().parent.parent / "data"


def _contents(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    """Every row a user could query, without surrogate keys."""
    tables = {
        "messages": (messages, ["id"]),
        "accounts": (accounts, ["id"]),
        "follower_snapshots": (follower_snapshots, ["id"]),
        "quarantine": (quarantine, ["id"]),
    }
    out = {}
    with store.begin() as conn:
        for name, (table, skip) in tables.items():
            cols = [c for c in table.c if c.name not in skip]
            out[name] = sorted(tuple(map(repr, r)) for r in conn.execute(select(*cols)))
    return out


def _both_ways(tmp_path: Path, path: Path, fmt: str | None = None) -> None:
    results = []
    for child in (False, True):
        store = Store.open(f"sqlite:///{tmp_path / f'child-{child}.db'}")
        plan = ImportPlan(fmt=fmt, parser_process=child, commit_every=3)
        summary = import_file(store, path, plan).as_dict()
        results.append((summary, _contents(store)))
        store.close()
    (serial, serial_rows), (forked, forked_rows) = results
    assert forked == serial
    assert forked_rows == serial_rows
    assert serial_rows["messages"], "the file should have given messages"


def test_handwritten_pages_with_bad_lines_import_the_same_in_a_child(tmp_path: Path) -> None:
    path = write_pages(tmp_path / "x.jsonl", 40)
    with path.open("ab") as out:
        out.write(b"{broken\n" + page([tweet(99, 3, text="late reply")]) + b"\n")
    _both_ways(tmp_path, path)


@pytest.mark.parametrize(
    "relative",
    [
        "fixtures/x-api-v2-twarc/brexit.jsonl",
        "fixtures/x-api-v2-twarc/flat.jsonl",
        "fixtures/x-api-v2-twarc/2sets.jsonl",
        "fixtures/mastodon/timeline_public.json",
    ],
)
def test_real_recordings_import_the_same_in_a_child(
    shared_data: Path, tmp_path: Path, relative: str
) -> None:
    _both_ways(tmp_path, shared_data / relative)


@pytest.mark.parametrize(
    ("relative", "fmt"),
    [
        ("email/campaign.mbox", None),
        ("csv/getoldtweets3.csv", None),
        ("mastodon/bad_statuses.jsonl", None),
    ],
)
def test_other_formats_import_the_same_in_a_child(
    tmp_path: Path, relative: str, fmt: str | None
) -> None:
    _both_ways(tmp_path, DATA / relative, fmt)


class _Failing(Importer):
    """Yields one good unit, then fails the way a vanished disk or a crash would."""

    name = "failing"
    title = description = "test"
    platform = "x"
    how = "raise"

    def sniff(self, sample: Sample) -> int:
        return 0

    def parse(self, stream: BinaryIO, source: str) -> Iterator[Parsed]:
        yield Parsed(1, messages=(Message("x", "1", "a", _when(), "hi", MessageKind.POST),))
        if self.how == "raise":
            raise SourceUnreadableError(f"{source}: the disk went away")
        os._exit(9)


class _Dying(_Failing):
    how = "die"


def _when() -> Any:
    from datetime import UTC, datetime

    return datetime(2026, 10, 1, tzinfo=UTC)


def _job(importer: type[Importer], path: Path) -> ParseJob:
    return ParseJob(importer, ImportOptions(), path, str(path), 0, 1, None, "sqlite")


def test_an_error_in_the_parser_process_reaches_the_user_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "input.jsonl"
    path.write_text("{}\n")
    batches = prepared_batches(_job(_Failing, path), parser_process=True)
    first = next(batches)
    assert [m.platform_id for m in first.messages] == ["1"]
    with pytest.raises(SourceUnreadableError, match="the disk went away"):
        next(batches)


def test_a_parser_process_that_dies_is_reported_with_a_way_forward(tmp_path: Path) -> None:
    path = tmp_path / "input.jsonl"
    path.write_text("{}\n")
    batches = prepared_batches(_job(_Dying, path), parser_process=True)
    next(batches)
    with pytest.raises(HustingsError, match=r"stopped unexpectedly \(exit code 9\).*resume"):
        next(batches)
