"""What an importer is: a named, self-describing parser from bytes to canonical records.

Importers are pure: they read a binary stream and yield ``Parsed`` units, each with a
monotonically increasing ``position`` (a line number, an item index) that the runner uses
as a resume checkpoint. They never touch the store, so the same parser serves a file
import, stdin, and a live connector: ``parse_value`` reads one decoded API object (a
status, a notification, a stream event) and ``parse`` is built on it, so what the tests
prove on recorded files is what runs on live responses.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, ClassVar

from hustings.model import Account, FollowerSnapshot, Message, Quarantined, TrackedAccount

__all__ = ["ImportOptions", "Importer", "Parsed", "Sample", "Where"]


@dataclass(frozen=True, slots=True)
class ImportOptions:
    """Options a user may pass to any importer; an importer uses those it understands."""

    mapping: Path | None = None
    assume_timezone: str | None = None

    def as_record(self) -> dict[str, str]:
        """The options as a batch keeps them, so that ``quarantine retry`` reads the same way
        (the mapping by its absolute path: a retry may run from another folder)."""
        record = {}
        if self.mapping is not None:
            record["mapping"] = str(self.mapping.resolve())
        if self.assume_timezone is not None:
            record["timezone"] = self.assume_timezone
        return record

    @classmethod
    def from_record(cls, record: dict[str, str]) -> ImportOptions:
        mapping = record.get("mapping")
        return cls(mapping=Path(mapping) if mapping else None,
                   assume_timezone=record.get("timezone"))


@dataclass(frozen=True, slots=True)
class Parsed:
    """Everything one input unit yielded.

    ``messages`` are the records the file is about; ``context`` are messages seen only as
    context (expansions, parents in a thread view) which fill gaps but never overwrite.
    ``unit`` says what ``position`` counts (``line``, ``item``, ``document``), for the
    quarantine row of a registry entry or snapshot the store refuses.
    """

    position: int
    messages: tuple[Message, ...] = ()
    context: tuple[Message, ...] = ()
    accounts: tuple[Account, ...] = ()
    snapshots: tuple[FollowerSnapshot, ...] = ()
    tracked: tuple[TrackedAccount, ...] = ()
    quarantined: tuple[Quarantined, ...] = ()
    unit: str = "line"


@dataclass(frozen=True, slots=True)
class Where:
    """Where one decoded value came from: its source, its place in it, and (for platforms
    whose ids are local to a server, such as Mastodon) the server that answered."""

    source: str
    position: int
    unit: str = "item"
    origin: str | None = None


@dataclass(frozen=True, slots=True)
class Sample:
    """The start of an input, for format detection without reading it all."""

    name: str
    head: bytes

    @property
    def suffix(self) -> str:
        return Path(self.name).suffix.lower()

    @property
    def first_line(self) -> bytes:
        return self.head.split(b"\n", 1)[0].strip()

    def text(self) -> str:
        return self.head.decode("utf-8", errors="replace")


class Importer(ABC):
    """One input format. Subclasses set the class attributes and implement two methods."""

    name: ClassVar[str]
    title: ClassVar[str]
    description: ClassVar[str]
    platform: ClassVar[str]

    def __init__(self, options: ImportOptions | None = None) -> None:
        self.options = options or ImportOptions()

    @abstractmethod
    def sniff(self, sample: Sample) -> int:
        """How sure this importer is that it reads ``sample``: 0 (not mine) to 100."""

    @abstractmethod
    def parse(self, stream: BinaryIO, source: str) -> Iterator[Parsed]:
        """Yield one ``Parsed`` per input unit, in increasing ``position``."""

    def parse_value(self, value: object, where: Where) -> Parsed:
        """Canonical units of one decoded API object; a bad one is quarantined, not raised.

        Importers of live platforms override this; file-only formats (CSV, registries) have
        no single API object to read.
        """
        raise NotImplementedError(f"the {self.name} importer reads whole files only")
