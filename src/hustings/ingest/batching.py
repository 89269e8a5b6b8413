"""Feed the runner batches of parsed units, skipping those an earlier run committed."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from hustings.ingest.base import Importer, ImportOptions, Parsed

__all__ = ["ParseJob", "parsed_batches"]


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
        for unit in job.importer(job.options).parse(handle, job.source):
            if unit.position <= job.skip_through:
                continue
            pending.append(unit)
            if len(pending) >= job.batch_units:
                yield pending, handle.tell()
                pending = []
        if pending:
            yield pending, handle.tell()
