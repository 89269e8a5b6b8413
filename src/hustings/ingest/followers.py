"""Follower counts over time from a CSV of snapshots, for burst and follower-loss analysis.

Platforms' APIs give a follower count only "now", so researchers and campaign tools keep
daily counts in a spreadsheet: ``platform,handle,taken_at,followers`` (``account_id`` may
stand for ``handle``). A snapshot known by handle is joined to the account the store
already holds under that handle, so import the account's posts first.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import partial
from typing import BinaryIO

from hustings.hookspecs import hookimpl
from hustings.ingest.base import Importer, Parsed, Sample
from hustings.ingest.csv.rows import header_of, iter_records
from hustings.ingest.readers import RecordError, guard, parse_time
from hustings.model import FollowerSnapshot, Quarantined

__all__ = ["FollowersCsvImporter"]


def _snapshot(record: Mapping[str, str], assume: str | None) -> FollowerSnapshot:
    platform = record["platform"].strip().lower()
    account_id = (record.get("account_id") or "").strip() or None
    handle = (record.get("handle") or "").strip().lstrip("@") or None
    if not platform or not (account_id or handle):
        raise RecordError("a snapshot needs a platform and a handle or account_id")
    count = record["followers"].strip()
    if not count.isdigit():
        raise RecordError(f"followers must be a whole number, not {count!r}")
    return FollowerSnapshot(
        platform=platform,
        account_id=account_id,
        handle=handle,
        taken_at=parse_time(record["taken_at"], assume),
        followers=int(count),
    )


class FollowersCsvImporter(Importer):
    name = "followers-csv"
    title = "Follower snapshots (CSV)"
    platform = "any"
    description = (
        "Reads a CSV of follower counts over time (platform, handle or account_id, taken_at, "
        "followers) into follower snapshots of accounts already in the store."
    )

    def sniff(self, sample: Sample) -> int:
        columns = set(header_of(sample.head))
        wanted = {"platform", "taken_at", "followers"} <= columns
        return 95 if wanted and columns & {"handle", "account_id"} else 0

    def parse(self, stream: BinaryIO, source: str) -> Iterator[Parsed]:
        assume = self.options.assume_timezone
        for record in iter_records(stream, source):
            if isinstance(record, Quarantined):
                yield Parsed(position=record.position, quarantined=(record,))
                continue
            line, values = record
            result = guard(
                source, line, "line", ",".join(values.values()), partial(_snapshot, values, assume)
            )
            if isinstance(result, Quarantined):
                yield Parsed(position=line, quarantined=(result,))
            else:
                yield Parsed(position=line, snapshots=(result,))


@hookimpl
def register_importers() -> list[type[Importer]]:
    return [FollowersCsvImporter]
