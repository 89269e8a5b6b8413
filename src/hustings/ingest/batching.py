"""Feed the runner batches of parsed units, skipping those an earlier run committed.

A batch closes at ``batch_units`` units or ``_BATCH_RECORDS`` records, whichever comes
first: a unit may be one CSV row or a twarc page of a hundred tweets with their
expansions, and memory must stay flat either way.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from hustings.ingest.base import Importer, ImportOptions, Parsed

__all__ = ["ParseJob", "parsed_batches"]

_BATCH_RECORDS = 5000


@dataclass(frozen=True, slots=True)
class ParseJob:
    importer: type[Importer]
    options: ImportOptions
    path: Path
    source: str
    skip_through: int
    batch_units: int


def parsed_batches(job: ParseJob) -> Iterator[tuple[list[Parsed], int]]:
    """``(units, bytes read so far)`` per batch of ``job.batch_units`` units."""
    with job.path.open("rb") as handle:
        pending: list[Parsed] = []
        records = 0
        for unit in job.importer(job.options).parse(handle, job.source):
            if unit.position <= job.skip_through:
                continue
            pending.append(unit)
            records += len(unit.messages) + len(unit.context) + len(unit.accounts)
            if len(pending) >= job.batch_units or records >= _BATCH_RECORDS:
                yield pending, handle.tell()
                pending, records = [], 0
        if pending:
            yield pending, handle.tell()
