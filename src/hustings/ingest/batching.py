"""Feed the runner batches ready for the store, parsed in a second process for large files.

A batch closes at ``batch_units`` units or ``_BATCH_RECORDS`` records, whichever comes
first: a unit may be one CSV row or a twarc page of a hundred tweets with their
expansions, and memory must stay flat either way.

Parsing JSON into canonical records costs about as much CPU as writing them, so a large
file is parsed by a forked child while the parent writes the previous batch. The child
sends finished rows (``MessageRow`` tuples, not ``Message`` objects, which cost five times
as much to pickle) over a pipe that holds about one batch, so it never runs far ahead.
Checkpoints stay with the parent's transactions: a crash resumes exactly as before.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import pickle
import signal
import traceback
from collections.abc import Hashable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path

from hustings.errors import HustingsError
from hustings.ingest.base import Importer, ImportOptions, Parsed
from hustings.model import Account, FollowerSnapshot, Quarantined, TrackedAccount
from hustings.store.rows import MessageRow, encode_message

__all__ = ["ParseJob", "Prepared", "SeenCache", "prepared_batches"]

_BATCH_RECORDS = 5000
_CHILD_MIN_BYTES = 4 * 1024 * 1024
"""Below this a file parses in well under a second: not worth a second process."""


@dataclass(frozen=True, slots=True)
class ParseJob:
    importer: type[Importer]
    options: ImportOptions
    path: Path
    source: str
    skip_through: int
    batch_units: int
    batch_id: int | None
    dialect: str
    """The store's SQLAlchemy dialect name: rows are encoded for it before they travel."""


@dataclass(slots=True)
class Prepared:
    """One batch of units, made ready for the store.

    ``messages`` puts context records before primary ones, so that a full record in the
    batch wins over a context copy of it. Accounts and snapshots already met earlier in the
    same file are left out. Each snapshot comes with the position it was read at, so that
    one naming an unknown handle can be quarantined there; ``standalone`` counts snapshots
    from files of snapshots alone, which are records of their own.
    """

    position: int
    done: int
    messages: list[MessageRow] = field(default_factory=list)
    primary: int = 0
    accounts: list[Account] = field(default_factory=list)
    snapshots: list[tuple[FollowerSnapshot, int]] = field(default_factory=list)
    standalone: int = 0
    tracked: list[TrackedAccount] = field(default_factory=list)
    quarantined: list[Quarantined] = field(default_factory=list)


class SeenCache:
    """What one import already wrote, so a record repeated on every page skips the database.

    Search results carry the same authors' profiles page after page; comparing with what was
    written a moment ago is far cheaper than a lookup. Bounded: past ``limit`` keys the
    oldest half is forgotten, which costs only a lookup, never a wrong write.
    """

    def __init__(self, limit: int = 50_000) -> None:
        self.limit = limit
        self._seen: dict[Hashable, Hashable] = {}

    def is_repeat(self, key: Hashable, value: Hashable) -> bool:
        if self._seen.get(key) == value:
            return True
        self._seen[key] = value
        if len(self._seen) > self.limit:
            for old in list(itertools.islice(self._seen, self.limit // 2)):
                del self._seen[old]
        return False


def _only_snapshots(unit: Parsed) -> bool:
    """A unit of a snapshot file, as opposed to snapshots riding along with posts or users."""
    return not (unit.messages or unit.context or unit.accounts or unit.tracked or unit.quarantined)


def prepare(units: list[Parsed], done: int, job: ParseJob, seen: SeenCache) -> Prepared:
    """Encode one batch's messages and drop what ``seen`` says was written already."""
    batch = Prepared(position=units[-1].position, done=done)
    encode = [m for u in units for m in u.context] + [m for u in units for m in u.messages]
    batch.messages = [encode_message(m, job.batch_id, job.dialect) for m in encode]
    batch.primary = sum(len(u.messages) for u in units)
    batch.accounts = [
        a
        for u in units
        for a in u.accounts
        if not seen.is_repeat(("account", a.platform, a.platform_id), a)
    ]
    for unit in units:
        batch.standalone += len(unit.snapshots) if _only_snapshots(unit) else 0
        batch.tracked.extend(unit.tracked)
        batch.quarantined.extend(unit.quarantined)
        for snap in unit.snapshots:
            if not seen.is_repeat(("snapshot", snap), True):
                batch.snapshots.append((snap, unit.position))
    return batch


def _parsed_batches(job: ParseJob) -> Iterator[tuple[list[Parsed], int]]:
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


def _in_process(job: ParseJob) -> Iterator[Prepared]:
    seen = SeenCache()
    for units, done in _parsed_batches(job):
        yield prepare(units, done, job, seen)


@dataclass(frozen=True, slots=True)
class _ChildFailed:
    """An exception in the parser process: re-raised in the parent, or its traceback."""

    error: Exception | None
    text: str


def _child(job: ParseJob, pipe: Connection, parents_end: Connection) -> None:
    """The parser process: Ctrl-C is the parent's to handle; a closed pipe means stop.

    The forked child inherits the parent's reading end too; it closes it at once, or a parent
    killed with SIGKILL would leave the child blocked forever on a pipe that it reads itself.
    """
    parents_end.close()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        for batch in _in_process(job):
            pipe.send_bytes(pickle.dumps(batch, pickle.HIGHEST_PROTOCOL))
        pipe.send_bytes(pickle.dumps(None))
    except (BrokenPipeError, ConnectionResetError):
        return
    except Exception as exc:
        failed = _ChildFailed(exc, traceback.format_exc())
        try:
            data = pickle.dumps(failed)
        except Exception:
            data = pickle.dumps(_ChildFailed(None, failed.text))
        pipe.send_bytes(data)


def _in_child(job: ParseJob) -> Iterator[Prepared]:
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(
        target=_child, args=(job, send, receive), daemon=True, name="hustings-parse"
    )
    child.start()
    send.close()
    try:
        while True:
            try:
                value = pickle.loads(receive.recv_bytes())
            except EOFError:
                child.join(timeout=10)
                raise HustingsError(
                    f"{job.source}: the parser process stopped unexpectedly "
                    f"(exit code {child.exitcode}); run the import again to resume"
                ) from None
            if value is None:
                return
            if isinstance(value, _ChildFailed):
                if value.error is not None:
                    raise value.error
                raise HustingsError(f"{job.source}: the parser process failed:\n{value.text}")
            yield value
    finally:
        receive.close()
        if child.is_alive():
            child.terminate()
        child.join()


def prepared_batches(job: ParseJob, parser_process: bool | None = None) -> Iterator[Prepared]:
    """Batches after ``job.skip_through``; parsed in a child process when it pays.

    ``parser_process`` forces the choice; by default a file of 4 MiB or more on a machine
    with more than one core gets one.
    """
    if parser_process is None:
        parser_process = (os.cpu_count() or 1) > 1 and job.path.stat().st_size >= _CHILD_MIN_BYTES
    return _in_child(job) if parser_process else _in_process(job)
