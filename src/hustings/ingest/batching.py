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
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TypeVar

from hustings.errors import HustingsError, RecordRefusedError
from hustings.ingest.base import Importer, ImportOptions, Parsed
from hustings.ingest.readers import quarantined
from hustings.model import Account, FollowerSnapshot, Quarantined, TrackedAccount
from hustings.store.bounds import admit_account, admit_snapshot, admit_tracked
from hustings.store.rows import MessageRow, encode_message

__all__ = ["ParseJob", "Prepared", "SeenCache", "Target", "prepare", "prepared_batches"]

R = TypeVar("R")

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


@dataclass(frozen=True, slots=True)
class Target:
    """Where prepared records go: the source they are quarantined under, the file batch
    (``None`` for a connector sync or a push) and the store's dialect they are encoded for."""

    source: str
    batch_id: int | None
    dialect: str


def _refused(job: Target, unit: Parsed, kind: str, reason: str, excerpt: str) -> Quarantined:
    return quarantined(job.source, unit.position, kind, reason, excerpt)


def _encode(job: Target, batch: Prepared, units: list[Parsed]) -> None:
    """Encode context then primary messages, each admitted by ``hustings.store.bounds``.

    A refused primary message is quarantined at its unit; a refused context message is left
    out, as a broken expansion is (it only fills a gap the primary record names by id).
    """
    for unit in units:
        for message in unit.context:
            try:
                batch.messages.append(encode_message(message, job.batch_id, job.dialect))
            except RecordRefusedError:
                continue
    for unit in units:
        for message in unit.messages:
            try:
                batch.messages.append(encode_message(message, job.batch_id, job.dialect))
            except RecordRefusedError as exc:
                kind = message.raw.unit if message.raw else unit.unit
                batch.quarantined.append(_refused(job, unit, kind, str(exc), message.text))
            else:
                batch.primary += 1


def _admitted(admit: Callable[[R], R], record: R) -> R | str:
    """The record as the store keeps it, or the reason it refuses it."""
    try:
        return admit(record)
    except RecordRefusedError as exc:
        return str(exc)


def prepare(units: list[Parsed], done: int, job: Target, seen: SeenCache) -> Prepared:
    """Encode one batch's records and drop what ``seen`` says was written already.

    Every record passes ``hustings.store.bounds`` here, before either database sees it:
    refused registry entries, primary messages and snapshots of snapshot files are
    quarantined at their unit; refused accounts and riding snapshots are left out.
    """
    batch = Prepared(position=units[-1].position if units else 0, done=done)
    _encode(job, batch, units)
    for unit in units:
        for account in unit.accounts:
            admitted = _admitted(admit_account, account)
            key = ("account", account.platform, account.platform_id)
            if not isinstance(admitted, str) and not seen.is_repeat(key, admitted):
                batch.accounts.append(admitted)
        for entry in unit.tracked:
            kept = _admitted(admit_tracked, entry)
            if isinstance(kept, str):
                shown = f"{entry.platform},{entry.handle},{entry.role.value},{entry.name or ''}"
                batch.quarantined.append(_refused(job, unit, unit.unit, kept, shown))
            else:
                batch.tracked.append(kept)
        batch.quarantined.extend(unit.quarantined)
        standalone = _only_snapshots(unit)
        for snap in unit.snapshots:
            taken = _admitted(admit_snapshot, snap)
            if isinstance(taken, str):
                if standalone:
                    shown = f"{snap.handle or snap.account_id},{snap.followers}"
                    batch.quarantined.append(_refused(job, unit, unit.unit, taken, shown))
                continue
            batch.standalone += int(standalone)
            if not seen.is_repeat(("snapshot", taken), True):
                batch.snapshots.append((taken, unit.position))
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
    target = Target(job.source, job.batch_id, job.dialect)
    for units, done in _parsed_batches(job):
        yield prepare(units, done, target, seen)


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
