"""Import tweet exports in CSV through a column mapping, one message per row.

A file whose header has every column of a shipped mapping (``hustings/ingest/mappings``) is
recognised without options; ``ImportOptions.mapping`` forces a user's mapping. Rules that
keep the canonical records honest:

- A ``to`` column names only the account answered: the message is a reply with
  ``reply_link = account`` and no parent id. Hustings never invents message-level links.
- A ``reply_to_id`` column gives ``reply_link = message``.
- Without an ``author_id`` column the author is keyed ``"@" + lowercased handle``, so a handle
  can never be mistaken for a numeric id.
- List fields without a column (mentions, hashtags, urls) are read from the text.
- Ids written as floats (``1.2e+18``, ``123.0``: pandas does this to a column with blanks)
  have lost digits; such rows are quarantined rather than linked to the wrong tweet.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import datetime
from functools import partial
from typing import BinaryIO

from hustings.errors import UnknownFormatError
from hustings.hookspecs import hookimpl
from hustings.ingest.base import Importer, ImportOptions, Parsed, Sample, Where
from hustings.ingest.csv.mapping import Mapping, load_mapping, shipped_mappings
from hustings.ingest.csv.rows import Row, header_of, iter_rows
from hustings.ingest.readers import (
    RecordError,
    extract_hashtags,
    extract_mentions,
    extract_urls,
    guard,
    parse_time,
    quarantined,
)
from hustings.model import Account, Message, MessageKind, Quarantined, RawRef, ReplyLink

__all__ = ["CsvImporter", "best_mapping", "no_mapping_fits", "register_importers"]

_FLOAT_ID = re.compile(r"^\d+(\.\d+)?[eE][+-]?\d+$|^\d+\.0+$")
_EPOCH = re.compile(r"^\d{9,11}(\.\d+)?$")


def best_mapping(header: list[str]) -> Mapping | None:
    """The shipped mapping that fits ``header`` (all its required columns there) and reads
    the most of its columns; the most specific one on a tie."""
    names = set(header)
    fitting = [m for m in shipped_mappings() if m.required <= names]
    return max(fitting, key=lambda m: len(m.used & names), default=None)


def no_mapping_fits(header: list[str], source: str) -> str:
    """Why no shipped mapping reads ``header``: what each needs and which columns it lacks."""
    needs = "; ".join(
        f"{m.name} needs {', '.join(m.needs)} "
        f"(missing: {', '.join(m.missing_from(header))})"
        for m in shipped_mappings()
    )
    return (
        f"{source}: no shipped CSV mapping fits the header ({', '.join(header)}): {needs}. "
        "Rename the columns, or write a mapping file and pass it with --mapping "
        "(docs/csv-mapping.md)"
    )


class CsvImporter(Importer):
    name = "csv"
    title = "CSV export with a column mapping"
    description = (
        "Reads CSV tweet exports (GetOldTweets3, snscrape via pandas, the short "
        "username,to,text,date,id form, or any CSV with a YAML column mapping) into one "
        "message per row; a 'to' column gives account-level replies."
    )
    platform = "x"

    def sniff(self, sample: Sample) -> int:
        header = header_of(sample.head)
        if len(header) < 2:
            return 0
        if best_mapping(header) is not None:
            return 85
        return 10 if sample.suffix == ".csv" else 0

    def __init__(self, options: ImportOptions | None = None) -> None:
        super().__init__(options)
        self._mappings: dict[tuple[str, ...], Mapping] = {}

    def parse(self, stream: BinaryIO, source: str) -> Iterator[Parsed]:
        rows = iter_rows(stream, source)
        first = next(rows, None)
        if not isinstance(first, Row):
            raise UnknownFormatError(f"{source}: no readable CSV header on line 1")
        header = [name.strip() for name in first.fields]
        self._mapped(tuple(header), source)  # a header no mapping fits stops the import here
        width = len(header)
        for row in rows:
            if isinstance(row, Quarantined):
                yield Parsed(position=row.position, quarantined=(row,))
                continue
            if len(row.fields) != width:
                reason = f"expected {width} columns, found {len(row.fields)}"
                yield _bad(source, row, reason)
                continue
            record = dict(zip(header, row.fields, strict=True))
            yield self.parse_value(record, Where(source, row.line, "line"))

    def parse_value(self, value: object, where: Where) -> Parsed:
        """One row, decoded as column name to cell (as ``csv.DictReader`` or a spreadsheet
        API gives it), read through the mapping that fits its columns.

        A row that is not such an object, or whose columns no mapping fits, is quarantined.
        """
        def bad(reason: str) -> Parsed:
            shown = repr(value)[:200]
            found = quarantined(where.source, where.position, where.unit, reason, shown)
            return Parsed(position=where.position, quarantined=(found,), unit=where.unit)

        if not isinstance(value, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in value.items()
        ):
            return bad("a CSV row is an object of column names to text")
        try:
            mapping = self._mapped(tuple(value), where.source)
        except UnknownFormatError as exc:
            return bad(str(exc))
        raw = RawRef(source=where.source, position=where.position, unit=where.unit)
        build = partial(self._message, mapping, value, raw)
        excerpt = ",".join(value.values())
        result = guard(where.source, where.position, where.unit, excerpt, build)
        if isinstance(result, Quarantined):
            return Parsed(position=where.position, quarantined=(result,), unit=where.unit)
        return Parsed(
            position=where.position,
            messages=(result,),
            accounts=_accounts(mapping, value, result),
            unit=where.unit,
        )

    def _mapped(self, header: tuple[str, ...], source: str) -> Mapping:
        """The mapping for ``header``, found once per header."""
        found = self._mappings.get(header)
        if found is None:
            found = self._mappings[header] = self._mapping(list(header), source)
        return found

    def _mapping(self, header: list[str], source: str) -> Mapping:
        if self.options.mapping is not None:
            mapping = load_mapping(self.options.mapping)
        else:
            found = best_mapping(header)
            if found is None:
                raise UnknownFormatError(no_mapping_fits(header, source))
            mapping = found
        absent = mapping.missing_from(header)
        if absent:
            raise UnknownFormatError(
                f"{source}: mapping {mapping.name!r} needs columns missing from the header: "
                f"{', '.join(absent)}"
            )
        return mapping

    def _message(self, mapping: Mapping, row: dict[str, str], raw: RawRef) -> Message:
        message_id = _id(mapping.value(row, "id"), "id")
        if message_id is None:
            raise RecordError("missing id")
        handle = mapping.value(row, "author_handle")
        author_id = _id(mapping.value(row, "author_id"), "author_id")
        if author_id is None:
            if handle is None:
                raise RecordError("missing author")
            author_id = "@" + handle.lstrip("@").lower()
        text = (mapping.cell(row, "text") or "").replace("\x00", "")
        reply_to_id = _id(mapping.value(row, "reply_to_id"), "reply_to_id")
        to = mapping.value(row, "to")
        link = ReplyLink.MESSAGE if reply_to_id else ReplyLink.ACCOUNT if to else None
        return Message(
            platform=mapping.platform,
            platform_id=message_id,
            author_id=author_id,
            author_handle=handle.lstrip("@") if handle else None,
            created_at=self._time(mapping, mapping.cell(row, "created_at")),
            text=text,
            kind=MessageKind.REPLY if link else MessageKind.POST,
            reply_to_id=reply_to_id,
            reply_to_account_id=_id(mapping.value(row, "to_id"), "to_id") if link else None,
            reply_to_handle=to.lstrip("@") if to else None,
            reply_link=link,
            conversation_id=_id(mapping.value(row, "conversation_id"), "conversation_id"),
            mentions=_entities(mapping, row, "mentions", "@", extract_mentions, text),
            hashtags=_entities(mapping, row, "hashtags", "#", extract_hashtags, text),
            urls=_entities(mapping, row, "urls", "", extract_urls, text),
            language=mapping.value(row, "language"),
            raw=raw,
        )

    def _time(self, mapping: Mapping, value: str | None) -> datetime:
        zone = mapping.timezone or self.options.assume_timezone
        if value is None:
            raise RecordError("missing date")
        if mapping.timestamp_format is None:
            return parse_time(float(value) if _EPOCH.match(value) else value, assume=zone)
        try:
            when = datetime.strptime(value, mapping.timestamp_format)
        except ValueError:
            raise RecordError(
                f"unreadable timestamp {value!r} (expected {mapping.timestamp_format})"
            ) from None
        return parse_time(when.isoformat(), assume=zone)


def _id(value: str | None, name: str) -> str | None:
    if value is not None and _FLOAT_ID.match(value):
        raise RecordError(f"{name} {value!r} was written as a float and has lost digits")
    return value


def _entities(
    mapping: Mapping,
    row: dict[str, str],
    name: str,
    prefix: str,
    extract: Callable[[str], tuple[str, ...]],
    text: str,
) -> tuple[str, ...]:
    """A list field from its column (prefix dropped), or from the text when unmapped."""
    if not mapping.maps(row, name):
        return extract(text)
    values = mapping.values(row, name)
    return tuple(v[len(prefix) :] if prefix and v.startswith(prefix) else v for v in values)


def _accounts(mapping: Mapping, row: dict[str, str], message: Message) -> tuple[Account, ...]:
    """An account only when the file gives a real author id, never for a handle stand-in."""
    if not mapping.maps(row, "author_id") or message.author_id.startswith("@"):
        return ()
    return (
        Account(
            platform=message.platform,
            platform_id=message.author_id,
            handle=message.author_handle,
        ),
    )


def _bad(source: str, row: Row, reason: str) -> Parsed:
    return Parsed(
        position=row.line,
        quarantined=(quarantined(source, row.line, "line", reason, row.excerpt()),),
    )


@hookimpl
def register_importers() -> list[type[Importer]]:
    return [CsvImporter]
