"""Column mappings: a small YAML file that says which CSV column holds which message field.

A mapping names the platform, how to read times, and for each canonical field either a
column name or ``{column, key, split, literal, optional}``::

    name: getoldtweets3
    platform: x
    timezone: null            # zone for times written without one; null quarantines them
    timestamp_format: null    # strptime format; null reads ISO 8601, X v1.1 and epoch seconds
    missing: [""]             # cell values that mean "no value"
    columns:
      id: id
      author_handle: username
      text: text
      created_at: date
      to: to                  # the handle answered: an account-level reply
      mentions: {column: mentions, split: " "}
      author_id: {column: user, key: id, literal: true}

``split`` cuts a list cell on a separator; ``literal: true`` reads a Python or JSON literal
(pandas writes lists and objects that way) and ``key`` picks a field from each object.
Every mapped column is required in the header unless marked ``optional: true``; extra
columns are ignored. ``docs/csv-mapping.md`` prints every key from ``TOP_KEY_HELP``,
``COLUMN_KEY_HELP`` and ``FIELD_HELP``, so the keys are described here, in code, once.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from hustings.errors import ConfigError
from hustings.ingest.readers import RecordError
from hustings.ingest.safe_yaml import load_yaml

__all__ = [
    "COLUMN_KEY_HELP",
    "FIELDS",
    "FIELD_HELP",
    "LIST_FIELDS",
    "TOP_KEY_HELP",
    "Column",
    "Mapping",
    "load_mapping",
    "parse_mapping",
    "shipped_mappings",
]

FIELD_HELP: dict[str, str] = {
    "id": "The message's id on its platform (required). Ids written as floats are refused.",
    "author_id": "The author's account id; without it the author is keyed '@' + the "
    "lowercased handle and no account row is written.",
    "author_handle": "The author's handle, with or without '@' (this or author_id is required).",
    "text": "The message text (required); NUL characters are dropped.",
    "created_at": "When it was written (required): ISO 8601, X v1.1 style, epoch seconds, or "
    "the mapping's timestamp_format.",
    "to": "The handle the message answers: an account-level reply (no parent message).",
    "to_id": "The account id of the handle in 'to' (or of the replied-to author).",
    "reply_to_id": "The id of the message answered: a message-level reply.",
    "conversation_id": "The id of the conversation's first message, where the export has it.",
    "mentions": "Handles mentioned (a list field); without a column, read from the text.",
    "hashtags": "Hashtags (a list field); without a column, read from the text.",
    "urls": "Links (a list field); without a column, read from the text.",
    "language": "The language code the platform gave the message.",
}
"""Every canonical field a mapping may fill, with what it means: ``docs/csv-mapping.md``
prints this table."""

FIELDS = frozenset(FIELD_HELP)
LIST_FIELDS = frozenset({"mentions", "hashtags", "urls"})
_REQUIRED_FIELDS = ("id", "text", "created_at")

TOP_KEY_HELP: dict[str, str] = {
    "name": "The mapping's name, shown in errors and listings (default: the file's stem).",
    "title": "One line saying which export the mapping reads.",
    "platform": "The platform the messages belong to: x, mastodon, bluesky … (default: x).",
    "timezone": "The zone of times written without one (e.g. Europe/London); null "
    "quarantines such times unless --timezone is given.",
    "timestamp_format": "A strptime format for created_at (e.g. '%d/%m/%Y %H:%M'); null "
    "reads ISO 8601, X v1.1 style and epoch seconds.",
    "missing": "Cell values that mean 'no value' (default: [\"\"]).",
    "columns": "For each canonical field, the column that holds it: a column name, or an "
    "object with the column keys below (required).",
}
"""Every top-level key of a mapping file, with what it does."""

COLUMN_KEY_HELP: dict[str, str] = {
    "column": "The header name of the column (required in the object form).",
    "key": "Pick this key from an object cell (a dict, or a repr such as "
    "\"User(username='x', id=1)\"); with a list, from each item.",
    "split": "Cut a list cell on this separator (e.g. ' ' or ',').",
    "literal": "true: the cell is a Python or JSON literal, as pandas writes lists and dicts.",
    "optional": "true: a header without this column still fits the mapping; the field is "
    "then unmapped (list fields are read from the text).",
}
"""Every key of a column object, with what it does."""

_TOP_KEYS = frozenset(TOP_KEY_HELP)
_COLUMN_KEYS = frozenset(COLUMN_KEY_HELP)


@dataclass(frozen=True, slots=True)
class Column:
    """Where one canonical field comes from, and how to unpack the cell."""

    column: str
    key: str | None = None
    split: str | None = None
    literal: bool = False
    optional: bool = False


@dataclass(frozen=True, slots=True)
class Mapping:
    name: str
    platform: str
    columns: dict[str, Column]
    title: str = ""
    timezone: str | None = None
    timestamp_format: str | None = None
    missing: frozenset[str] = field(default_factory=lambda: frozenset({""}))

    @property
    def required(self) -> frozenset[str]:
        """The header names a file must have for this mapping to read it."""
        return frozenset(spec.column for spec in self.columns.values() if not spec.optional)

    @property
    def used(self) -> frozenset[str]:
        """Every header name the mapping reads, optional ones included."""
        return frozenset(spec.column for spec in self.columns.values())

    @property
    def needs(self) -> list[str]:
        """The required columns in the order the mapping lists them, each once."""
        return list(dict.fromkeys(s.column for s in self.columns.values() if not s.optional))

    def missing_from(self, header: Iterable[str]) -> list[str]:
        """The required columns ``header`` lacks, in the mapping's order."""
        names = set(header)
        return [column for column in self.needs if column not in names]

    def maps(self, row: dict[str, str], name: str) -> bool:
        """Whether field ``name`` has a column in this row (an optional one may be absent)."""
        spec = self.columns.get(name)
        return spec is not None and spec.column in row

    def cell(self, row: dict[str, str], name: str) -> str | None:
        """The raw cell behind field ``name`` with ``missing`` values as ``None``."""
        spec = self.columns.get(name)
        if spec is None or spec.column not in row:
            return None
        value = row[spec.column].strip()
        return None if value in self.missing else value

    def value(self, row: dict[str, str], name: str) -> str | None:
        """One text value, unpacked from an object cell when the mapping names a ``key``."""
        raw = self.cell(row, name)
        spec = self.columns.get(name)
        if raw is None or spec is None:
            return None
        if spec.key is None:
            return raw
        return _pick(_literal(raw) if spec.literal else raw, spec.key, raw)

    def values(self, row: dict[str, str], name: str) -> tuple[str, ...]:
        """A list field: split on the separator or read as a literal list, empties dropped."""
        raw = self.cell(row, name)
        spec = self.columns.get(name)
        if raw is None or spec is None:
            return ()
        if spec.literal:
            parsed = _literal(raw)
            items: list[Any] = list(parsed) if isinstance(parsed, list | tuple) else [parsed]
        else:
            items = list(raw.split(spec.split))
        picked = (_pick(item, spec.key, str(item)) if spec.key else item for item in items)
        return tuple(dict.fromkeys(str(v).strip() for v in picked if v is not None and str(v)))


def _literal(raw: str) -> Any:
    """A pandas cell holding a Python literal; unreadable text is kept as text."""
    try:
        return ast.literal_eval(raw)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return raw


def _pick(value: Any, key: str, raw: str) -> str | None:
    """``key`` from a dict, or from a dataclass repr such as ``User(username='x', id=1)``."""
    if isinstance(value, dict):
        found = value.get(key)
        return None if found is None else str(found)
    match = re.search(rf"[{{,(\s]'?{re.escape(key)}'?\s*[:=]\s*'?([^',)}}\s]+)", str(value))
    if match is None:
        raise RecordError(f"no {key!r} in {raw[:80]!r}")
    return match.group(1)


def _column(name: str, spec: Any, where: str) -> Column:
    if isinstance(spec, str):
        return Column(column=spec)
    if not isinstance(spec, dict) or not isinstance(spec.get("column"), str):
        raise ConfigError(f"{where}: field {name!r} needs a column name")
    unknown = set(spec) - _COLUMN_KEYS
    if unknown:
        raise ConfigError(f"{where}: field {name!r} has unknown keys {sorted(unknown)}")
    split = spec.get("split")
    key = spec.get("key")
    if (split is not None and not isinstance(split, str)) or (
        key is not None and not isinstance(key, str)
    ):
        raise ConfigError(f"{where}: field {name!r}: split and key must be text")
    return Column(
        column=spec["column"],
        key=key,
        split=split,
        literal=bool(spec.get("literal")),
        optional=bool(spec.get("optional")),
    )


def parse_mapping(data: Any, where: str) -> Mapping:
    """Validate a loaded YAML document; every mistake names the file and the field."""
    if not isinstance(data, dict) or not isinstance(data.get("columns"), dict):
        raise ConfigError(f"{where}: a mapping is a YAML object with a 'columns' object")
    unknown = set(data) - _TOP_KEYS
    if unknown:
        raise ConfigError(f"{where}: unknown keys {sorted(unknown)}")
    bad = set(data["columns"]) - FIELDS
    if bad:
        raise ConfigError(f"{where}: unknown fields {sorted(bad)}; fields: {sorted(FIELDS)}")
    absent = [name for name in _REQUIRED_FIELDS if name not in data["columns"]]
    if absent or not ({"author_id", "author_handle"} & set(data["columns"])):
        raise ConfigError(
            f"{where}: map at least id, text, created_at and author_id or author_handle"
        )
    zone = data.get("timezone")
    if zone is not None:
        _check_zone(str(zone), where)
    missing = data.get("missing", [""])
    if not isinstance(missing, list):
        raise ConfigError(f"{where}: 'missing' is a list of cell values")
    return Mapping(
        name=str(data.get("name") or Path(where).stem),
        title=str(data.get("title") or ""),
        platform=str(data.get("platform") or "x"),
        columns={name: _column(name, spec, where) for name, spec in data["columns"].items()},
        timezone=None if zone is None else str(zone),
        timestamp_format=_optional_text(data.get("timestamp_format"), "timestamp_format", where),
        missing=frozenset(str(value) for value in missing),
    )


def _optional_text(value: Any, name: str, where: str) -> str | None:
    if value is not None and not isinstance(value, str):
        raise ConfigError(f"{where}: {name!r} must be text")
    return value


def _check_zone(zone: str, where: str) -> None:
    if zone.upper() == "UTC":
        return
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"{where}: unknown time zone {zone!r}") from exc


def load_mapping(path: Path) -> Mapping:
    """Read a user's mapping file; a missing file or bad YAML is a ``ConfigError``."""
    try:
        data = load_yaml(path.read_bytes())
    except RecordError as exc:
        raise ConfigError(f"{path}: the mapping cannot be read: {exc}") from exc
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the mapping: {exc.strerror or exc}") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: the mapping is not valid YAML: {exc}") from exc
    return parse_mapping(data, str(path))


@cache
def shipped_mappings() -> tuple[Mapping, ...]:
    """The mappings in ``hustings/ingest/mappings``, most specific (most columns) first."""
    folder = resources.files("hustings.ingest") / "mappings"
    found = []
    for entry in folder.iterdir():
        if entry.name.endswith((".yaml", ".yml")):
            found.append(parse_mapping(yaml.safe_load(entry.read_text("utf-8")), entry.name))
    return tuple(sorted(found, key=lambda m: (-len(m.used), -len(m.required), m.name)))
