"""The parse-value contract (issue 17, part 1): an importer with ``parse_value`` reads each
of its recorded fixtures value by value (one decoded API object, stream event or row, as a
live connector hands it over) to exactly the units ``parse`` makes of the whole file. So
what the tests prove on recordings is what runs on live responses."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from hustings.errors import UnknownFormatError
from hustings.ingest.base import Importer, ImportOptions, Parsed, Sample, Where
from hustings.ingest.csv.rows import Row, iter_rows
from hustings.ingest.readers import iter_json_units
from hustings.ingest.runner import detect
from hustings.model import Quarantined
from hustings.plugins import importers

DATA = Path(__file__).resolve().parents[1] / "data"

Values = Iterator[tuple[Where, Any]]


def _json_values(path: Path) -> Values:
    with path.open("rb") as stream:
        for position, unit, value in iter_json_units(stream, str(path)):
            if not isinstance(value, Quarantined):
                yield Where(str(path), position, unit), value


def _csv_values(path: Path) -> Values:
    with path.open("rb") as stream:
        rows = iter_rows(stream, str(path))
        first = next(rows)
        assert isinstance(first, Row)
        header = [name.strip() for name in first.fields]
        for row in rows:
            if isinstance(row, Row) and len(row.fields) == len(header):
                record = dict(zip(header, row.fields, strict=True))
                yield Where(str(path), row.line, "line"), record


def _eml_values(path: Path) -> Values:
    """A saved mail is one value: its raw bytes, as IMAP hands them over."""
    yield Where(str(path), 1, "document"), path.read_bytes()


_OPTIONS = {"scheduler-export.csv": ImportOptions(mapping=DATA / "csv" / "scheduler-mapping.yaml")}
"""Fixtures recorded to be read with options, as their tests read them."""

_DECODERS: dict[str, Callable[[Path], Values]] = {
    ".json": _json_values,
    ".jsonl": _json_values,
    ".csv": _csv_values,
    ".eml": _eml_values,
}


def _live(cls: type[Importer]) -> bool:
    """Whether the importer reads single values (overrides ``Importer.parse_value``)."""
    return cls.parse_value is not Importer.parse_value


def _fixtures() -> list[tuple[str, Path]]:
    """Each recorded fixture with the importer that claims it, for importers with
    ``parse_value``."""
    found = []
    for path in sorted(p for p in DATA.rglob("*") if p.is_file()):
        sample = Sample(name=path.name, head=path.read_bytes()[: 64 * 1024])
        try:
            cls = detect(sample)
        except UnknownFormatError:
            continue  # a mapping or a part of an archive, not a file of its own
        if _live(cls):
            found.append((cls.name, path))
    return found


# Files read only as whole streams (an mbox's mails, a server-sent event stream's frames):
# no decoder splits them into the values a live connector would hand over, so the contract
# below does not apply; the set is pinned so that a new format cannot slip past it.
WHOLE_STREAMS = {".mbox", ".sse"}

_FOUND = _fixtures()
FIXTURES = [
    (n, p)
    for n, p in _FOUND
    if p.suffix in _DECODERS and any(True for _ in _DECODERS[p.suffix](p))
]


def test_only_whole_streams_lack_a_value_decoder() -> None:
    left = {p.suffix for n, p in _FOUND if (n, p) not in FIXTURES}
    assert left == WHOLE_STREAMS, "add a decoder to _DECODERS for the new kind of fixture"


def test_the_live_importers_have_recorded_fixtures() -> None:
    """The X API, Mastodon and CSV readers at least are held to the contract."""
    assert {"x-v1", "x-v2", "mastodon", "csv"} <= {name for name, _ in FIXTURES}


@pytest.mark.parametrize(
    ("name", "path"), FIXTURES, ids=[f"{n}:{p.relative_to(DATA)}" for n, p in FIXTURES]
)
def test_parse_value_reads_a_fixture_as_parse_does(name: str, path: Path) -> None:
    decode = _DECODERS[path.suffix]
    options = _OPTIONS.get(path.name)
    importer = importers()[name](options)
    with path.open("rb") as stream:
        whole = list(importer.parse(stream, str(path)))
    values = dict((where.position, (where, value)) for where, value in decode(path))
    one_by_one: dict[int, Parsed] = {
        position: importers()[name](options).parse_value(value, where)
        for position, (where, value) in values.items()
    }
    for unit in whole:
        if unit.position in one_by_one:
            assert one_by_one.pop(unit.position) == unit, f"{path.name}:{unit.position}"
        else:  # the file's reader refused the unit before there was a value to read
            assert unit.quarantined and not unit.messages, f"{path.name}:{unit.position}"
    assert not one_by_one, f"values parse never yielded: {sorted(one_by_one)}"
