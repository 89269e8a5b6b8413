"""What one input unit yields, gathered as it is read: shared by every X importer.

A unit (a twarc page, a flattened line, a v1.1 status, an archive item) can hold many
records. The collector keeps the rule in one place: a bad primary record is quarantined
at the unit's position, while a bad expansion (context message or expanded user) is left
out, because it only ever fills a gap that the primary record still names by id.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, BinaryIO, TypeVar

from hustings.ingest import base
from hustings.ingest.base import Parsed
from hustings.ingest.readers import RecordError, guard, iter_json_units
from hustings.ingest.x._fields import PLATFORM
from hustings.model import Account, FollowerSnapshot, Message, Quarantined, RawRef

__all__ = ["RECORD_ERRORS", "Collector", "Where", "parse_json_units", "reading"]

T = TypeVar("T")

RECORD_ERRORS = (
    RecordError,
    KeyError,
    TypeError,
    AttributeError,
    ValueError,
    OverflowError,
    RecursionError,
)
"""What ``guard`` turns into a quarantine reason; the same set is dropped for context."""


@dataclass(frozen=True, slots=True)
class Where:
    """The unit being read: its place for ``RawRef`` and when the API was asked."""

    source: str
    position: int
    unit: str
    retrieved_at: datetime | None = None
    assume: str | None = None

    def raw(self) -> RawRef:
        return RawRef(self.source, self.position, self.unit)


class Collector:
    def __init__(self, where: Where) -> None:
        self.where = where
        self.messages: list[Message] = []
        self.context: list[Message] = []
        self.accounts: dict[str, Account] = {}
        self.bad: list[Quarantined] = []
        self.skipped: Counter[str] = Counter()

    def guarded(self, raw: Any, parse: Callable[[], T]) -> T | None:
        """Run a primary record's parser; a failure is quarantined here and yields ``None``."""
        w = self.where
        result = guard(w.source, w.position, w.unit, raw, parse)
        if isinstance(result, Quarantined):
            self.bad.append(result)
            return None
        return result

    def message(self, raw: Any, parse: Callable[[], Message | None]) -> None:
        found = self.guarded(raw, parse)
        if found is not None:
            self.messages.append(found)

    def add_context(self, parse: Callable[[], Message]) -> None:
        try:
            self.context.append(parse())
        except RECORD_ERRORS:
            return

    def add_account(self, parse: Callable[[], Account]) -> None:
        """An expanded user; the first copy in a unit wins, a broken one is left out."""
        try:
            account = parse()
        except RECORD_ERRORS:
            return
        self.accounts.setdefault(account.platform_id, account)

    def parsed(self) -> Parsed:
        """The unit's records; follower snapshots only when the retrieval time is known."""
        taken = self.where.retrieved_at
        snaps: tuple[FollowerSnapshot, ...] = ()
        if taken is not None:
            snaps = tuple(
                FollowerSnapshot(PLATFORM, a.platform_id, taken, a.followers)
                for a in self.accounts.values()
                if a.followers is not None
            )
        return Parsed(
            position=self.where.position,
            messages=tuple(self.messages),
            context=tuple(self.context),
            accounts=tuple(self.accounts.values()),
            snapshots=snaps,
            quarantined=tuple(self.bad),
        )


def parse_json_units(
    stream: BinaryIO, source: str, parse_value: Callable[[Any, base.Where], Parsed]
) -> Iterator[Parsed]:
    """Each JSON unit of ``stream`` through the importer's ``parse_value``, so a file is read
    by the very code that reads a live response; unreadable units stay quarantined."""
    for position, unit, value in iter_json_units(stream, source):
        if isinstance(value, Quarantined):
            yield Parsed(position, quarantined=(value,))
        else:
            yield parse_value(value, base.Where(source, position, unit))


def reading(where: base.Where, assume: str | None) -> Where:
    """The X parsers' place of a unit, from the importer-neutral one and the options."""
    return Where(where.source, where.position, where.unit, assume=assume)
