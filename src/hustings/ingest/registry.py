"""Import registries of tracked accounts: who is a party, a candidate, an official.

Two simple formats anyone can write, plus three real public registries:

``registry-csv`` / ``registry-yaml``
    Columns (or keys) ``platform, handle, role`` and optionally ``name, party, district,
    office, country, platform_id``. ``role`` is one of party, leader, candidate, official,
    staff, media. YAML is a list of such objects, or ``{registry: name, defaults: {...},
    accounts: [...]}`` where ``defaults`` fills keys an entry leaves out.
``registry-canada-mps``
    ``canadian_mp_twitterhandles.csv`` (44th Parliament): every row is a sitting MP, so role
    ``official``; party from ``political_affiliation``, district from ``constituency``. The
    file's em dashes lost their first two UTF-8 bytes (``?`` then byte 0x94, as in
    ``Berthier?\x94Maskinongé``); they are restored to the em dash riding names use.
``registry-uk-mps``
    ``uk_legislators.csv`` (2019 Parliament): role ``official``, party from ``party_member``
    (double-encoded accents repaired, footnote marks such as ``[k]`` dropped), district from
    ``constituency``; a numeric ``user_id`` also gives an account record.
``registry-us-congress``
    congresstweets' ``historical-users-filtered.json``: one entity (member, committee,
    caucus, party) per item, each with X accounts labelled ``office`` or ``campaign``,
    which becomes ``office``. Roles: party entities give ``party``; a member's campaign
    account ``candidate``, a member's office account ``official``; committees and caucuses
    ``official`` (institutional accounts). Party codes R/D/I/L are spelled out.

Rules shared by all: the platform of the real registries is ``x``; a row without a handle is
quarantined (nothing can be tracked without one); a handle already given to an earlier row of
the same file is quarantined with the name of the first holder, as the store keeps one entry
per handle. Registries carry no text or date columns, so message CSVs never match them.
"""

from __future__ import annotations

import re
from abc import abstractmethod
from collections.abc import Iterator, Mapping
from functools import partial
from pathlib import Path
from typing import Any, BinaryIO, ClassVar

import yaml

from hustings.hookspecs import hookimpl
from hustings.ingest.base import Importer, Parsed, Sample
from hustings.ingest.csv.rows import header_of, iter_records
from hustings.ingest.readers import (
    MAX_DOCUMENT_BYTES,
    RecordError,
    guard,
    iter_json_units,
    quarantined,
)
from hustings.ingest.safe_yaml import load_yaml
from hustings.model import Account, Quarantined, Role, TrackedAccount

__all__ = [
    "CanadaMpsImporter",
    "RegistryCsvImporter",
    "RegistryYamlImporter",
    "UkMpsImporter",
    "UsCongressImporter",
    "register_importers",
]

SIMPLE_COLUMNS = ("platform", "handle", "role", "name", "party", "district", "office", "country")
_OPTIONAL = (*SIMPLE_COLUMNS[3:], "platform_id")
_NO_HANDLE = frozenset({"", "none", "n/a", "-"})
_US_PARTIES = {"R": "Republican", "D": "Democratic", "I": "Independent", "L": "Libertarian"}


def _text(value: object) -> str | None:
    """A text column: numbers are read as text, lists and mappings refused."""
    if value is None:
        return None
    if isinstance(value, list | dict | set | tuple):
        raise RecordError(f"a text field holds a {type(value).__name__}, not text")
    text = str(value).strip()
    return text or None


def _handle(value: object, who: str) -> str:
    handle = (_text(value) or "").lstrip("@")
    if handle.lower() in _NO_HANDLE:
        raise RecordError(f"no handle for {who}")
    return handle


def _role(value: object) -> Role:
    try:
        return Role(str(value).strip().lower())
    except ValueError:
        roles = ", ".join(r.value for r in Role)
        raise RecordError(f"unknown role {value!r}; roles: {roles}") from None


def _account(entry: TrackedAccount) -> tuple[Account, ...]:
    """An account record only when the registry knows the platform's own id."""
    if entry.platform_id is None:
        return ()
    return (Account(platform=entry.platform, platform_id=entry.platform_id, handle=entry.handle),)


def unmangle(text: str) -> str:
    """Undo UTF-8 read as Windows-1252 (``Sinn FÃ©in`` → ``Sinn Féin``); other text unchanged."""
    if not re.search("[ÃÂâ]", text):
        return text
    raw = bytearray()
    for char in text:
        if ord(char) < 256:
            raw.append(ord(char))
        else:
            try:
                raw.extend(char.encode("cp1252"))
            except UnicodeEncodeError:
                return text
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return text


class _Seen:
    """Handles already admitted from this file, to quarantine a second claim on one."""

    def __init__(self, source: str, unit: str) -> None:
        self.source = source
        self.unit = unit
        self._first: dict[tuple[str, str], tuple[str, int]] = {}

    def admit(
        self, entries: list[TrackedAccount], position: int, raw: Any
    ) -> tuple[tuple[TrackedAccount, ...], tuple[Quarantined, ...]]:
        kept: list[TrackedAccount] = []
        bad: list[Quarantined] = []
        for entry in entries:
            key = (entry.platform, entry.handle.lower())
            holder = self._first.get(key)
            if holder is None:
                self._first[key] = (entry.name or entry.handle, position)
                kept.append(entry)
                continue
            reason = (
                f"handle @{entry.handle} already given to {holder[0]} ({self.unit} {holder[1]})"
            )
            bad.append(quarantined(self.source, position, self.unit, reason, str(raw)))
        return tuple(kept), tuple(bad)


def _unit(position: int, entries: list[TrackedAccount], seen: _Seen, raw: Any) -> Parsed:
    kept, bad = seen.admit(entries, position, raw)
    accounts = tuple(a for entry in kept for a in _account(entry))
    return Parsed(
        position=position, tracked=kept, accounts=accounts, quarantined=bad, unit=seen.unit
    )


def simple_entry(record: Mapping[str, Any], registry: str | None) -> TrackedAccount:
    """One entry of the simple schema, from a CSV row or a YAML object."""
    platform = _text(record.get("platform"))
    if platform is None:
        raise RecordError("missing platform")
    values = {name: _text(record.get(name)) for name in _OPTIONAL}
    return TrackedAccount(
        platform=platform.lower(),
        handle=_handle(record.get("handle"), values["name"] or "this entry"),
        role=_role(record.get("role")),
        registry=registry,
        **values,
    )


class _CsvRegistry(Importer):
    """A registry in CSV: one entry per row, detected by its header."""

    required: ClassVar[frozenset[str]]
    platform = "x"

    def sniff(self, sample: Sample) -> int:
        return 95 if self.required <= set(header_of(sample.head)) else 0

    @staticmethod
    def repair(value: str) -> str:
        """Mend a known byte-level defect of this registry's file; none by default."""
        return value

    @abstractmethod
    def entry(self, record: dict[str, str], source: str) -> TrackedAccount:
        """The tracked account of one row; raises ``RecordError`` for an unusable row."""

    def parse(self, stream: BinaryIO, source: str) -> Iterator[Parsed]:
        seen = _Seen(source, "line")
        for record in iter_records(stream, source, self.repair):
            if isinstance(record, Quarantined):
                yield Parsed(position=record.position, quarantined=(record,))
                continue
            line, values = record
            excerpt = ",".join(values.values())
            result = guard(source, line, "line", excerpt, partial(self.entry, values, source))
            if isinstance(result, Quarantined):
                yield Parsed(position=line, quarantined=(result,))
            else:
                yield _unit(line, [result], seen, excerpt)


class RegistryCsvImporter(_CsvRegistry):
    name = "registry-csv"
    title = "Tracked accounts (CSV)"
    description = (
        "Reads a CSV of tracked accounts (platform, handle, role, name, party, district, "
        "office, country) into registry entries, and accounts where platform_id is given."
    )
    required = frozenset({"platform", "handle", "role"})

    def entry(self, record: dict[str, str], source: str) -> TrackedAccount:
        return simple_entry(record, Path(source).name)


class CanadaMpsImporter(_CsvRegistry):
    name = "registry-canada-mps"
    title = "Canadian MPs' X handles (44th Parliament)"
    description = (
        "Reads the Canadian MP handle list (canadian_mp_twitterhandles.csv) into tracked "
        "officials with party and riding."
    )
    required = frozenset(
        {"house", "constituency", "prov_territory", "political_affiliation", "screen_name"}
    )

    @staticmethod
    def repair(value: str) -> str:
        return value.replace("?\udc94", "\u2014")

    def entry(self, record: dict[str, str], source: str) -> TrackedAccount:
        name = _text(record.get("name"))
        riding = _text(record["constituency"])
        return TrackedAccount(
            platform="x",
            handle=_handle(record["screen_name"], name or "this MP"),
            role=Role.OFFICIAL,
            name=name,
            party=_text(record["political_affiliation"]),
            district=riding,
            country="CA",
            registry="canada-mps-44",
        )


class UkMpsImporter(_CsvRegistry):
    name = "registry-uk-mps"
    title = "UK MPs' X handles (2019 Parliament)"
    description = (
        "Reads the UK MP list (uk_legislators.csv) into tracked officials with party and "
        "constituency, and accounts for MPs whose numeric X id is known."
    )
    required = frozenset({"constituency", "party_member", "screen_name", "user_id"})

    def entry(self, record: dict[str, str], source: str) -> TrackedAccount:
        name = _text(unmangle(record.get("name", "")))
        party = _text(re.sub(r"\[\w+\]$", "", unmangle(record["party_member"])))
        user_id = _text(record["user_id"])
        return TrackedAccount(
            platform="x",
            handle=_handle(record["screen_name"], name or "this MP"),
            role=Role.OFFICIAL,
            name=name,
            party=party,
            district=_text(unmangle(record["constituency"])),
            country="GB",
            platform_id=user_id if user_id and user_id.isdigit() else None,
            registry="uk-mps-2019",
        )


class RegistryYamlImporter(Importer):
    name = "registry-yaml"
    title = "Tracked accounts (YAML)"
    description = (
        "Reads a YAML list of tracked accounts (the registry-csv fields, with optional "
        "defaults) into registry entries, and accounts where platform_id is given."
    )
    platform = "x"

    def sniff(self, sample: Sample) -> int:
        if sample.suffix not in (".yaml", ".yml"):
            return 0
        text = sample.text()
        entries = re.search(r"\bhandle\s*:", text) and re.search(r"\brole\s*:", text)
        return 90 if entries else 0

    def parse(self, stream: BinaryIO, source: str) -> Iterator[Parsed]:
        body = stream.read(MAX_DOCUMENT_BYTES + 1)
        try:
            document = load_yaml(body) if len(body) <= MAX_DOCUMENT_BYTES else None
        except yaml.YAMLError as exc:
            yield _whole(source, f"invalid YAML: {exc}", body)
            return
        except RecordError as exc:
            yield _whole(source, str(exc), body)
            return
        registry = Path(source).name
        defaults: dict[str, Any] = {}
        entries = document
        if isinstance(document, dict):
            registry = str(document.get("registry") or registry)
            defaults = document.get("defaults") or {}
            entries = document.get("accounts")
        if not isinstance(entries, list) or not isinstance(defaults, dict):
            yield _whole(source, "expected a list of accounts, or an 'accounts' list", body)
            return
        seen = _Seen(source, "item")
        for index, item in enumerate(entries, start=1):
            if not isinstance(item, dict):
                bad = quarantined(source, index, "item", "an entry is an object", str(item))
                yield Parsed(position=index, quarantined=(bad,))
                continue
            record = {**defaults, **item}
            result = guard(
                source, index, "item", str(item), partial(simple_entry, record, registry)
            )
            if isinstance(result, Quarantined):
                yield Parsed(position=index, quarantined=(result,))
            else:
                yield _unit(index, [result], seen, item)


def _whole(source: str, reason: str, body: bytes) -> Parsed:
    return Parsed(position=1, quarantined=(quarantined(source, 1, "document", reason, body),))


class UsCongressImporter(Importer):
    name = "registry-us-congress"
    title = "US Congress accounts (congresstweets)"
    description = (
        "Reads congresstweets' historical-users JSON into tracked accounts for members, "
        "committees, caucuses and parties, labelled office or campaign, with their X ids."
    )
    platform = "x"

    def sniff(self, sample: Sample) -> int:
        text = sample.text().lstrip()
        shaped = text.startswith("[") and '"accounts"' in text and '"account_type"' in text
        return 95 if shaped else 0

    def parse(self, stream: BinaryIO, source: str) -> Iterator[Parsed]:
        seen = _Seen(source, "item")
        for position, unit, value in iter_json_units(stream, source):
            if isinstance(value, Quarantined):
                yield Parsed(position=position, quarantined=(value,))
            elif isinstance(value, list):
                # A one-line JSON array arrives as one line: number its entities instead.
                for index, item in enumerate(value, start=1):
                    yield self._entity(index, "item", item, source, seen)
            else:
                yield self._entity(position, unit, value, source, seen)

    @staticmethod
    def _entity(position: int, unit: str, value: Any, source: str, seen: _Seen) -> Parsed:
        result = guard(source, position, unit, value, partial(_congress, value))
        if isinstance(result, Quarantined):
            return Parsed(position=position, quarantined=(result,))
        return _unit(position, result, seen, value.get("name"))


def _congress(entity: dict[str, Any]) -> list[TrackedAccount]:
    kind = entity["type"]
    if kind not in ("member", "committee", "caucus", "party"):
        raise RecordError(f"unknown entity type {kind!r}")
    entries = []
    for account in entity["accounts"]:
        label = account["account_type"]
        if kind == "party":
            role = Role.PARTY
        elif kind == "member" and label == "campaign":
            role = Role.CANDIDATE
        else:
            role = Role.OFFICIAL
        code = _text(account.get("party") or entity.get("party"))
        entries.append(
            TrackedAccount(
                platform="x",
                handle=_handle(account.get("screen_name"), entity["name"]),
                role=role,
                name=_text(account.get("name")) or _text(entity["name"]),
                party=None if code in (None, "N/A") else _US_PARTIES.get(code or "", code),
                district=_text(entity.get("state")),
                office=_text(label),
                country="US",
                platform_id=_text(account.get("id")),
                registry="us-congress",
            )
        )
    return entries


@hookimpl
def register_importers() -> list[type[Importer]]:
    return [
        RegistryCsvImporter,
        RegistryYamlImporter,
        CanadaMpsImporter,
        UkMpsImporter,
        UsCongressImporter,
    ]
