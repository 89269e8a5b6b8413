"""Run importers over files, folders or stdin into the store, with resumable checkpoints.

The runner owns everything importers must not: choosing the format, batching writes,
counting, quarantining, checkpointing and refreshing threads. A batch of units is written
in one transaction together with the checkpoint, so an interrupted import restarts exactly
where the last committed batch ended, and a finished one re-run adds nothing.
"""

from __future__ import annotations

import gc
import hashlib
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import BinaryIO

from sqlalchemy.exc import SQLAlchemyError

from hustings.errors import SourceUnreadableError, UnknownFormatError
from hustings.ingest.base import Importer, ImportOptions, Sample
from hustings.ingest.batching import ParseJob, Prepared, prepared_batches
from hustings.ingest.intake import write_units
from hustings.ingest.readers import MAX_LINE_BYTES
from hustings.model import ImportBatch
from hustings.plugins import importers
from hustings.store import Store
from hustings.store.batches import claim_batch, finish_batch, save_checkpoint

__all__ = [
    "COUNTED",
    "ImportPlan",
    "ImportSummary",
    "Progress",
    "detect",
    "expand",
    "import_file",
    "import_paths",
]

_HEAD_BYTES = 64 * 1024
_FINGERPRINT_SPAN = 1024 * 1024

Progress = Callable[[str, int, int], None]
"""Called as ``progress(source, bytes_done, bytes_total)`` after each committed batch."""


@dataclass(slots=True)
class ImportSummary:
    source: str
    format: str
    batch_id: int | None = None
    read: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    quarantined: int = 0
    context_added: int = 0
    accounts_added: int = 0
    tracked_added: int = 0
    resumed_from: int = 0
    skipped: str | None = None
    counts: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        data = asdict(self)
        data.pop("counts")
        return data


COUNTED = (
    "read",
    "added",
    "updated",
    "unchanged",
    "quarantined",
    "context_added",
    "accounts_added",
    "tracked_added",
)


def detect(
    sample: Sample,
    fmt: str | None = None,
    allowed: Callable[[str], bool] | None = None,
    options: ImportOptions | None = None,
) -> type[Importer]:
    """The importer for ``sample``: the one named by ``fmt``, else the surest sniffer.

    ``allowed`` narrows the choice by name (``hustings accounts import`` reads registries
    only, so a message file given there is refused instead of imported as messages).
    """
    available = {name: cls for name, cls in importers().items() if allowed is None or allowed(name)}
    if fmt is not None:
        if fmt not in available:
            raise UnknownFormatError(
                f"unknown format {fmt!r}; formats: {', '.join(sorted(available))}"
            )
        return available[fmt]
    scored = sorted(
        ((cls(options).sniff(sample), name) for name, cls in available.items()),
        reverse=True,
    )
    if not scored or scored[0][0] <= 0:
        kind = "binary data" if b"\x00" in sample.head[:4096] else "no importer recognises it"
        raise UnknownFormatError(
            f"{sample.name}: not a format Hustings reads ({kind}); use --format, one of: "
            f"{', '.join(sorted(available))}"
        )
    return available[scored[0][1]]


def expand(paths: Iterable[str]) -> Iterator[Path]:
    """Files named, and the files inside folders named (sorted, hidden files left out)."""
    for name in paths:
        path = Path(name)
        if path.is_dir():
            yield from sorted(
                p
                for p in path.rglob("*")
                if p.is_file()
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
        elif path.is_file():
            yield path
        else:
            raise SourceUnreadableError(f"{name}: no such file or folder")


def fingerprint(path: Path) -> str:
    """A cheap identity of a file's bytes: its size plus its first and last megabyte."""
    size = path.stat().st_size
    digest = hashlib.blake2b(str(size).encode(), digest_size=16)
    with path.open("rb") as handle:
        digest.update(handle.read(_FINGERPRINT_SPAN))
        if size > _FINGERPRINT_SPAN:
            handle.seek(max(_FINGERPRINT_SPAN, size - _FINGERPRINT_SPAN))
            digest.update(handle.read())
    return digest.hexdigest()


@dataclass(frozen=True, slots=True)
class ImportPlan:
    """How to import: which format (or detection), options, and how often to commit.

    ``allowed`` narrows detection by importer name; ``commit_every`` is the number of input
    units (lines, items, mails) written per transaction and checkpoint; ``parser_process``
    forces parsing in a second process on or off (by default large files get one).
    """

    fmt: str | None = None
    options: ImportOptions = field(default_factory=ImportOptions)
    allowed: Callable[[str], bool] | None = None
    commit_every: int = 2000
    progress: Progress | None = None
    parser_process: bool | None = None


def import_paths(
    store: Store,
    paths: Iterable[str],
    plan: ImportPlan | None = None,
    stdin: BinaryIO | None = None,
) -> list[ImportSummary]:
    """Import every file in ``paths`` (``-`` is stdin). Folders skip files of no known format."""
    plan = plan or ImportPlan()
    summaries = []
    for name in paths:
        if name == "-":
            summaries.append(_import_stdin(store, stdin or sys.stdin.buffer, plan))
            continue
        in_folder = Path(name).is_dir()
        for path in expand([name]):
            try:
                summaries.append(import_file(store, path, plan))
            except (UnknownFormatError, SourceUnreadableError) as exc:
                if not in_folder:
                    raise
                summaries.append(ImportSummary(source=str(path), format="-", skipped=str(exc)))
    return summaries


def _import_stdin(store: Store, stream: BinaryIO, plan: ImportPlan) -> ImportSummary:
    """Spool stdin to a temporary file: constant memory, and a fingerprint to resume by."""
    with tempfile.NamedTemporaryFile(prefix="hustings-stdin-", delete=False) as spool:
        shutil.copyfileobj(stream, spool, 1024 * 1024)
    try:
        return import_file(store, Path(spool.name), plan, label="<stdin>")
    finally:
        os.unlink(spool.name)


def _second_head(path: Path) -> bytes | None:
    """The ``_HEAD_BYTES`` after the first line ends, or ``None`` when it does not end
    within ``MAX_LINE_BYTES``, read in pieces so that a long line costs no memory."""
    with path.open("rb") as handle:
        for _ in range(MAX_LINE_BYTES // _HEAD_BYTES + 1):
            piece = handle.read(_HEAD_BYTES)
            if not piece:
                return None
            end = piece.find(b"\n")
            if end >= 0:
                handle.seek(end + 1 - len(piece), os.SEEK_CUR)
                return handle.read(_HEAD_BYTES) or None
    return None


def _detect_file(path: Path, head: bytes, plan: ImportPlan, source: str) -> type[Importer]:
    """The importer for ``path``: from its head, else from what follows its first line.

    Format detection must not rest on the first line alone: one cut off, unparseable or
    longer than the head says nothing, while the lines after it say what the file is.
    """
    try:
        return detect(Sample(name=path.name, head=head), plan.fmt, plan.allowed, plan.options)
    except UnknownFormatError as first:
        later = _second_head(path) if plan.fmt is None and b"\x00" not in head[:4096] else None
        if later is None:
            raise
        try:
            return detect(Sample(name=path.name, head=later), None, plan.allowed, plan.options)
        except UnknownFormatError:
            raise first from None


def _alive(pid: int) -> bool:
    """Whether process ``pid`` exists on this machine and has not exited (a zombie has)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: it exists
        return True
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state not in ("Z", "X")


def _open_batch(store: Store, source: str, fmt: str, key: str) -> tuple[ImportBatch, bool]:
    with store.begin() as conn:
        return claim_batch(conn, source, fmt, key, os.getpid(), _alive)


def _stopped(store: Store, batch: ImportBatch, error: BaseException) -> None:
    """Mark a batch that an exception stopped, so that listings do not call it running.

    Its checkpoint stays, and the next import of the file resumes it. When the store itself
    is what failed, the mark is left out: the batch's process is gone by the next run, which
    resumes it just the same.
    """
    status = "interrupted" if isinstance(error, KeyboardInterrupt) else "failed"
    try:
        with store.begin() as conn:
            finish_batch(conn, batch, status)
    except SQLAlchemyError as exc:
        error.add_note(f"the batch could not be marked {status}: {exc}")


def import_file(
    store: Store, path: Path, plan: ImportPlan | None = None, label: str | None = None
) -> ImportSummary:
    """Import one file; resume its interrupted batch if there is one.

    Refuses (``ImportRunningError``) while another live process imports the same bytes. A
    batch that an exception stops is marked ``failed`` (``interrupted`` for Ctrl-C) with its
    checkpoint kept, and the next import resumes it.
    """
    plan = plan or ImportPlan()
    source = label or str(path)
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(_HEAD_BYTES)
    except OSError as exc:
        raise SourceUnreadableError(f"{source}: {exc.strerror or exc}") from exc
    if size == 0:
        raise SourceUnreadableError(f"{source}: the file is empty, nothing to import")
    importer_cls = _detect_file(path, head, plan, source)
    batch, resumed = _open_batch(store, source, importer_cls.name, fingerprint(path))
    batch.options = plan.options.as_record()
    if label is None:  # a file that can be read again (stdin's spool is deleted)
        batch.options["path"] = str(path.resolve())
    summary = ImportSummary(
        source=source,
        format=importer_cls.name,
        batch_id=batch.id,
        resumed_from=batch.checkpoint if resumed else 0,
    )
    for name in COUNTED:
        setattr(summary, name, batch.counts.get(name, 0))
    job = ParseJob(
        importer=importer_cls,
        options=plan.options,
        path=path,
        source=source,
        skip_through=batch.checkpoint,
        batch_units=plan.commit_every,
        batch_id=batch.id,
        dialect=store.engine.dialect.name,
    )
    try:
        with _fewer_collections():
            for prepared in prepared_batches(job, plan.parser_process):
                _flush(store, batch, prepared, summary)
                if plan.progress:
                    plan.progress(source, prepared.done, size)
    except BaseException as exc:
        _stopped(store, batch, exc)
        raise
    with store.begin() as conn:
        finish_batch(conn, batch)
    if plan.progress:
        plan.progress(source, size, size)
    return summary


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """Run the cyclic garbage collector less often while importing.

    Parsed JSON is millions of short-lived objects without cycles; at the default
    threshold the collector ran every 700 allocations and took a fifth of parsing time.
    Objects alive before the import (modules, the engine) are frozen out of its scans.
    """
    threshold = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


def _flush(store: Store, batch: ImportBatch, prepared: Prepared, summary: ImportSummary) -> None:
    """Write one batch through the intake seam and save its checkpoint, in one transaction.

    ``read`` counts the records a file is about (``IntakeResult.read``); ``added`` counts
    new messages, registry entries, and follower snapshots from files of snapshots alone
    (those riding along with posts or users are not records of their own).
    """
    with store.begin() as conn:
        done = write_units(conn, prepared, batch)
        summary.read += done.read
        summary.added += done.added + done.tracked_added
        summary.added += done.snapshots_added if prepared.standalone else 0
        summary.updated += done.updated
        summary.unchanged += done.unchanged
        summary.context_added += done.context_added
        summary.accounts_added += done.accounts_added
        summary.tracked_added += done.tracked_added
        summary.quarantined += done.quarantined
        batch.checkpoint = prepared.position
        batch.counts = {name: getattr(summary, name) for name in COUNTED}
        save_checkpoint(conn, batch)
