"""Typed field access for X JSON, shared by the v2, v1.1 and archive readers.

X payloads are loosely typed JSON. Every accessor here either returns the declared type or
raises ``RecordError`` with the field's name, so ``guard`` turns a bad field into a readable
quarantine reason instead of a ``TypeError`` deep inside a parser. Ids must be strings: a
snowflake written as a JSON number has often already lost precision in a JavaScript tool
(the US Congress fixture has ``"id": 874729112040079400`` beside
``"id_str": "874729112040079360"``), so accepting numbers would store wrong ids silently.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import orjson

from hustings.ingest.base import Sample
from hustings.ingest.readers import RecordError, parse_time

__all__ = [
    "PLATFORM",
    "as_obj",
    "entity_values",
    "head_document",
    "opt_bool",
    "opt_id",
    "opt_int",
    "opt_list",
    "opt_obj",
    "opt_text",
    "profile_url",
    "recorded_body",
    "req_id",
    "req_time",
    "strip_html",
    "uniq",
]

PLATFORM = "x"


def _kind(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def as_obj(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise RecordError(f"expected a JSON object, found {_kind(value)}")
    return value


def opt_obj(parent: dict[str, Any], key: str) -> dict[str, Any]:
    """The object at ``key``; an absent or null field reads as an empty object."""
    value = parent.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise RecordError(f"field {key!r} should be an object, not {_kind(value)}")
    return value


def opt_list(parent: dict[str, Any], key: str) -> list[Any]:
    value = parent.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise RecordError(f"field {key!r} should be a list, not {_kind(value)}")
    return value


def opt_text(parent: dict[str, Any], key: str) -> str | None:
    value = parent.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise RecordError(f"field {key!r} should be text, not {_kind(value)}")
    return value


def opt_int(parent: dict[str, Any], key: str) -> int | None:
    value = parent.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise RecordError(f"field {key!r} should be a whole number, not {_kind(value)}")
    return value


def opt_bool(parent: dict[str, Any], key: str) -> bool | None:
    value = parent.get(key)
    if value is None or isinstance(value, bool):
        return value
    raise RecordError(f"field {key!r} should be true or false, not {_kind(value)}")


def opt_id(parent: dict[str, Any], key: str) -> str | None:
    value = parent.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise RecordError(
            f"field {key!r} should be a string id, not {_kind(value)} "
            "(numeric snowflakes lose precision)"
        )
    return value


def req_id(parent: dict[str, Any], key: str, what: str) -> str:
    found = opt_id(parent, key)
    if found is None:
        raise RecordError(f"{what} has no {key!r}")
    return found


def req_time(parent: dict[str, Any], key: str, what: str, assume: str | None) -> datetime:
    """A required timestamp written as text; epoch numbers are not an X format."""
    value = parent.get(key)
    if value is None:
        raise RecordError(f"{what} has no {key!r}")
    if not isinstance(value, str):
        raise RecordError(f"field {key!r} should be a timestamp text, not {_kind(value)}")
    return parse_time(value, assume)


def entity_values(entities: dict[str, Any], key: str, *fields: str) -> tuple[str, ...]:
    """The first present ``fields`` of each ``entities[key]`` item (``expanded_url``, ``url``).

    Written out rather than built from ``opt_text``: it runs three times per tweet.
    """
    items = opt_list(entities, key)
    if not items:
        return ()
    values: list[str] = []
    for item in items:
        if not isinstance(item, dict):
            raise RecordError(f"an entities.{key} entry is not an object")
        for name in fields:
            value = item.get(name)
            if value is not None and value != "":
                if not isinstance(value, str):
                    raise RecordError(f"field {name!r} should be text, not {_kind(value)}")
                values.append(value)
                break
    return tuple(dict.fromkeys(values))


def profile_url(user: dict[str, Any]) -> str | None:
    """A profile's link, preferring the expanded URL over the ``t.co`` one (v1.1 and v2)."""
    links = opt_list(opt_obj(opt_obj(user, "entities"), "url"), "urls")
    expanded = opt_text(links[0], "expanded_url") if links and isinstance(links[0], dict) else None
    return expanded or opt_text(user, "url")


def uniq(values: Iterable[str | None]) -> tuple[str, ...]:
    """Keep first occurrences in order: entity lists repeat a tag typed twice."""
    return tuple(dict.fromkeys(v for v in values if v))


_TAG = re.compile(r"<[^>]*>")


def strip_html(value: str | None) -> str | None:
    """v1.1 ``source`` is an HTML link; the client is its text (``Twitter for iPhone``)."""
    if value is None:
        return None
    return _TAG.sub("", value).strip() or None


def recorded_body(value: dict[str, Any], api: str) -> tuple[bool, Any]:
    """Unwrap a recorded HTTP exchange (``{"request": {...}, "response": {"body": ...}}``).

    The tweepy cassettes in the shared data are stored this way. Returns ``(True, body)``
    for a recording of an ``api`` call (``"/2/"`` or ``"/1.1/"``), ``(False, None)`` for
    anything else, so real payloads are never mistaken for recordings.
    """
    request, response = value.get("request"), value.get("response")
    if not isinstance(request, dict) or not isinstance(response, dict):
        return False, None
    uri = request.get("uri")
    if not isinstance(uri, str) or api not in uri:
        return False, None
    return True, response.get("body")


def head_document(sample: Sample) -> Any:
    """The first JSON value of a sample when it parses on its own, else ``None``.

    Tries the first non-blank line (JSON Lines), then the whole head (a small pretty-printed
    document), then each later complete line that is an object or array on its own, so a
    broken first line does not hide a file of good lines. A first line longer than the head
    yields ``None`` and the caller falls back to textual clues.
    """
    lines = [line for line in sample.head.split(b"\n")[:-1] if line.strip()]
    for chunk in (lines[0] if lines else sample.head, sample.head):
        try:
            return orjson.loads(chunk)
        except orjson.JSONDecodeError:
            continue
    for line in lines[1:]:
        try:
            value = orjson.loads(line)
        except orjson.JSONDecodeError:
            continue
        if isinstance(value, dict | list):
            return value
    return None
