"""Shared reading helpers for importers: bounded lines, JSON units, times and entities.

Every helper turns a bad input into a ``Quarantined`` record with its place and a reason a
person can act on, instead of an exception that would stop the import.
"""

from __future__ import annotations

import io
import itertools
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from typing import Any, BinaryIO, TypeVar

import orjson

from hustings.errors import RecordRefusedError
from hustings.model import Quarantined
from hustings.store.bounds import EARLIEST, LATEST, check_time, out_of_range

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
    stream: BinaryIO, max_bytes: int = MAX_LINE_BYTES, start: int = 1
) -> Iterator[tuple[int, bytes | None]]:
    """Yield ``(line number, bytes)``; ``None`` for a line longer than ``max_bytes``.

    A too-long line is skipped without holding it in memory, so one 50 MB line cannot take
    the import down with it. Lines are numbered from ``start``.
    """
    number = start - 1
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

    JSON Lines (one document per line, as twarc and Jetstream write) are read line by line,
    each bad line quarantined on its own. A file whose first line is not a document on its
    own may be one JSON document over many lines (an API response saved with ``> file.json``,
    pretty-printed): it is read as one when the whole file parses as one, and a top-level
    array yields one unit per item. Otherwise it is still JSON Lines with a broken first
    line (cut off, ``NaN``, nested too deep) unless no other line is a document either:
    one bad line must not cost the hundred good ones after it (see ``_lines_after_all``).
    """
    lines = iter_lines(stream)
    first = next(lines, None)
    if first is None:
        return
    raw = first[1]
    failure = _failure(raw) if raw is not None and raw.strip() else None
    if raw is not None and failure is not None:
        yield from _not_json_lines(raw, failure, stream, source)
        return
    yield from _json_lines(itertools.chain([first], lines), source)


def _json_lines(
    lines: Iterable[tuple[int, bytes | None]], source: str
) -> Iterator[tuple[int, str, Any]]:
    for number, line in lines:
        if line is None:
            reason = f"line longer than {MAX_LINE_BYTES} bytes"
            yield number, "line", quarantined(source, number, "line", reason)
        elif line.strip():
            try:
                yield number, "line", orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                reason = _json_error(exc, line)
                yield number, "line", quarantined(source, number, "line", reason, line)


def _failure(raw: bytes) -> orjson.JSONDecodeError | None:
    """Why ``raw`` is not JSON, or ``None`` when it is."""
    try:
        orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        return exc
    return None


def _lines_after_all(body: bytes) -> bool:
    """Whether a file that is not one JSON document is JSON Lines after all: at least two of
    its later lines, or at least half of them, are objects or arrays on their own. A
    pretty-printed document has almost none (an inline object ends an array now and then)."""
    documents = others = 0
    lines = io.BytesIO(body)
    lines.readline()
    for line in lines:
        if not line.strip():
            continue
        try:
            value = orjson.loads(line)
        except orjson.JSONDecodeError:
            others += 1
            continue
        if isinstance(value, dict | list) and value:
            documents += 1
            if documents >= 2:
                return True
        else:
            others += 1
    return documents > 0 and documents >= others


def _not_json_lines(
    first: bytes, failure: orjson.JSONDecodeError, stream: BinaryIO, source: str
) -> Iterator[tuple[int, str, Any]]:
    """A file whose first line does not parse: one document, or JSON Lines after all."""
    if not stream.seekable():
        spool = tempfile.SpooledTemporaryFile(max_size=MAX_LINE_BYTES)  # noqa: SIM115
        shutil.copyfileobj(stream, spool, 1024 * 1024)
        spool.seek(0)
        stream = spool  # type: ignore[assignment]
    after_first = stream.tell()
    body = first + stream.read(MAX_DOCUMENT_BYTES + 1 - len(first))
    whole = len(body) <= MAX_DOCUMENT_BYTES
    error: orjson.JSONDecodeError | None = None
    if whole:
        try:
            value = orjson.loads(body)
        except orjson.JSONDecodeError as exc:
            error = exc
        else:
            if isinstance(value, list):
                for index, item in enumerate(value, start=1):
                    yield index, "item", item
            else:
                yield 1, "document", value
            return
    if not _lines_after_all(body):
        reason = (
            _json_error(error, body)
            if error is not None
            else f"JSON document larger than {MAX_DOCUMENT_BYTES} bytes"
        )
        yield 1, "document", quarantined(source, 1, "document", reason, body)
        return
    del body
    stream.seek(after_first)
    yield 1, "line", quarantined(source, 1, "line", _json_error(failure, first), first)
    yield from _json_lines(iter_lines(stream, start=2), source)


def guard(
    source: str, position: int, unit: str, raw: Any, parse: Callable[[], T]
) -> T | Quarantined:
    """Run one record's parser; a missing field or a wrong type becomes a quarantine entry."""
    try:
        return parse()
    except (RecordError, RecordRefusedError) as exc:
        reason = str(exc)
    except KeyError as exc:
        reason = f"missing field {exc.args[0]!r}"
    except (TypeError, AttributeError, ValueError, OverflowError) as exc:
        reason = f"wrong type or value: {exc}"
    except RecursionError:
        reason = "nested too deeply to read"
    return quarantined(source, position, unit, reason, _excerpt(raw))


def _excerpt(raw: Any) -> bytes | str:
    """``raw`` as text for a quarantine row; JSON nested deeper than orjson writes (255
    levels, where it reads 1024) is shown by its start, never raised on."""
    if isinstance(raw, bytes | str):
        return raw
    try:
        return orjson.dumps(raw, default=str)
    except TypeError:
        return f"(a {type(raw).__name__} nested too deeply to show)"


_V1_FORMAT = "%a %b %d %H:%M:%S %z %Y"


def parse_time(value: Any, assume: str | None = None) -> datetime:
    """ISO 8601 (with ``Z``), X v1.1's ``Wed Oct 10 20:19:24 +0000 2018``, or epoch seconds.

    A time without a zone is refused unless ``assume`` names one (only ``UTC`` is accepted
    without tz data): guessing a zone would shift response times by hours. A time outside
    the range the store keeps (``hustings.store.bounds``: 1970 to 2099) is refused here,
    quoting the file's own text, rather than when the record is written.
    """
    if isinstance(value, bool) or value is None:
        raise RecordError(f"timestamp missing or not a time: {value!r}")
    if isinstance(value, int | float):
        try:
            when = datetime.fromtimestamp(float(value), tz=UTC)
        except (OverflowError, OSError, ValueError):
            raise RecordError(str(out_of_range(f"{value!r} (epoch seconds)"))) from None
        return _in_range(when, value)
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
    if when.tzinfo is UTC:  # "...Z" or "+00:00": the usual case, nothing to convert
        return _in_range(when, value)
    if when.utcoffset() is None:
        if assume is None:
            raise RecordError(f"timestamp {value!r} has no time zone")
        when = when.replace(tzinfo=_zone(assume))
    try:
        when = when.astimezone(UTC)
    except OverflowError:  # year 1 east of UTC or year 9999 west of it
        raise RecordError(str(out_of_range(repr(value)))) from None
    return _in_range(when, value)


def _in_range(when: datetime, value: Any) -> datetime:
    if EARLIEST <= when < LATEST:  # the usual case, without quoting the value
        return when
    try:
        return check_time(when, repr(value))
    except RecordRefusedError as exc:
        raise RecordError(str(exc)) from None


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
