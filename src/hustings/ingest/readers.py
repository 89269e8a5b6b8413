"""Shared reading helpers for importers: bounded lines, JSON units, times and entities.

Every helper turns a bad input into a ``Quarantined`` record with its place and a reason a
person can act on, instead of an exception that would stop the import.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any, BinaryIO, TypeVar

import orjson

from hustings.model import Quarantined

__all__ = [
    "MAX_DOCUMENT_BYTES",
    "MAX_LINE_BYTES",
    "RecordError",
    "extract_hashtags",
    "extract_mentions",
    "extract_urls",
    "guard",
    "iter_json_units",
    "iter_lines",
    "optional_count",
    "optional_text",
    "optional_time",
    "parse_time",
    "quarantined",
]

MAX_LINE_BYTES = 16 * 1024 * 1024
MAX_DOCUMENT_BYTES = 256 * 1024 * 1024
_EXCERPT = 200

T = TypeVar("T")


class RecordError(ValueError):
    """A record that is well-formed JSON (or CSV, or mail) but not a usable message."""


def quarantined(
    source: str, position: int, unit: str, reason: str, raw: bytes | str = b""
) -> Quarantined:
    text = raw if isinstance(raw, str) else raw[: _EXCERPT * 4].decode("utf-8", "replace")
    return Quarantined(
        source=source, position=position, unit=unit, reason=reason, excerpt=text[:_EXCERPT]
    )


def iter_lines(
    stream: BinaryIO, max_bytes: int = MAX_LINE_BYTES
) -> Iterator[tuple[int, bytes | None]]:
    """Yield ``(line number, bytes)``; ``None`` for a line longer than ``max_bytes``.

    A too-long line is skipped without holding it in memory, so one 50 MB line cannot take
    the import down with it.
    """
    number = 0
    while True:
        line = stream.readline(max_bytes + 1)
        if not line:
            return
        number += 1
        if len(line) > max_bytes and not line.endswith(b"\n"):
            while True:
                rest = stream.readline(1024 * 1024)
                if not rest or rest.endswith(b"\n"):
                    break
            yield number, None
        else:
            yield number, line


def _json_error(exc: orjson.JSONDecodeError, raw: bytes) -> str:
    if b"\x00" in raw[:4096]:
        return "binary data, not JSON"
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as bad:
        return f"invalid UTF-8 at byte {bad.start}"
    return f"invalid JSON: {exc}"


def iter_json_units(stream: BinaryIO, source: str) -> Iterator[tuple[int, str, Any]]:
    """Yield ``(position, unit, value)``, where value is parsed JSON or a ``Quarantined``.

    JSON Lines (one document per line, as twarc and Jetstream write) are read line by line.
    A file whose first line is not a document on its own is read as one JSON document (an
    API response saved with ``> file.json``); a top-level array yields one unit per item.
    """
    lines = iter_lines(stream)
    first = next(lines, None)
    if first is None:
        return
    raw = first[1]
    if raw is not None and raw.strip() and not _parses(raw):
        yield from _json_document(raw, stream, source)
        return
    for number, line in itertools.chain([first], lines):
        if line is None:
            reason = f"line longer than {MAX_LINE_BYTES} bytes"
            yield number, "line", quarantined(source, number, "line", reason)
        elif line.strip():
            try:
                yield number, "line", orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                reason = _json_error(exc, line)
                yield number, "line", quarantined(source, number, "line", reason, line)


def _parses(raw: bytes) -> bool:
    try:
        orjson.loads(raw)
    except orjson.JSONDecodeError:
        return False
    return True


def _json_document(first: bytes, stream: BinaryIO, source: str) -> Iterator[tuple[int, str, Any]]:
    body = first + stream.read(MAX_DOCUMENT_BYTES + 1 - len(first))
    if len(body) > MAX_DOCUMENT_BYTES:
        reason = f"JSON document larger than {MAX_DOCUMENT_BYTES} bytes"
        yield 1, "document", quarantined(source, 1, "document", reason, body)
        return
    try:
        value = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        yield 1, "document", quarantined(source, 1, "document", _json_error(exc, body), body)
        return
    if isinstance(value, list):
        for index, item in enumerate(value, start=1):
            yield index, "item", item
    else:
        yield 1, "document", value


def guard(
    source: str, position: int, unit: str, raw: Any, parse: Callable[[], T]
) -> T | Quarantined:
    """Run one record's parser; a missing field or a wrong type becomes a quarantine entry."""
    try:
        return parse()
    except RecordError as exc:
        reason = str(exc)
    except KeyError as exc:
        reason = f"missing field {exc.args[0]!r}"
    except (TypeError, AttributeError, ValueError) as exc:
        reason = f"wrong type or value: {exc}"
    excerpt = raw if isinstance(raw, (bytes, str)) else orjson.dumps(raw, default=str)
    return quarantined(source, position, unit, reason, excerpt)


_V1_FORMAT = "%a %b %d %H:%M:%S %z %Y"


def parse_time(value: Any, assume: str | None = None) -> datetime:
    """ISO 8601 (with ``Z``), X v1.1's ``Wed Oct 10 20:19:24 +0000 2018``, or epoch seconds.

    A time without a zone is refused unless ``assume`` names one (only ``UTC`` is accepted
    without tz data): guessing a zone would shift response times by hours.
    """
    if isinstance(value, bool) or value is None:
        raise RecordError(f"timestamp missing or not a time: {value!r}")
    if isinstance(value, int | float):
        try:
            return datetime.fromtimestamp(float(value), tz=UTC)
        except (OverflowError, OSError, ValueError):
            raise RecordError(f"epoch timestamp {value!r} is out of range") from None
    if not isinstance(value, str):
        raise RecordError(f"timestamp is not text: {value!r}")
    text = value.strip()
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        try:
            when = datetime.strptime(text, _V1_FORMAT)
        except ValueError:
            raise RecordError(f"unreadable timestamp {value!r}") from None
    if when.utcoffset() is None:
        if assume is None:
            raise RecordError(f"timestamp {value!r} has no time zone")
        when = when.replace(tzinfo=_zone(assume))
    return when.astimezone(UTC)


def _zone(name: str) -> Any:
    if name.upper() == "UTC":
        return UTC
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)


def optional_text(value: Any) -> str | None:
    """A text field an API may leave out or empty; anything but text counts as missing."""
    return value if isinstance(value, str) and value else None


def optional_count(value: Any) -> int | None:
    """A whole-number field such as a follower count; anything else counts as missing."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def optional_time(value: Any) -> datetime | None:
    """A time a record can do without (an account's join date): unreadable counts as missing."""
    try:
        return parse_time(value) if value is not None else None
    except RecordError:
        return None


_HASHTAG = re.compile(r"(?<![\w&])#(\w+)", re.UNICODE)
_MENTION = re.compile(r"(?<![\w@])@(\w{1,30}(?:@[\w.-]+\.\w+)?)", re.UNICODE)
_URL = re.compile(r"https?://[^\s<>\"']+")


def extract_hashtags(text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(tag for tag in _HASHTAG.findall(text) if not tag.isdigit()))


def extract_mentions(text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(_MENTION.findall(text)))


def extract_urls(text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(url.rstrip(".,;:!?)") for url in _URL.findall(text)))
