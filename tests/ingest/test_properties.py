"""Property: whatever extreme values a file holds, an import finishes with exit 0 or 3,
keeps every good record, and SQLite and PostgreSQL end up with the same rows and the same
quarantine (issue 16).

Each example is a JSON Lines file of X API v2 pages: good tweets interleaved with records
whose dates, ids, lengths, nesting, numbers and control characters are out of range or
extreme. One SQLite and one PostgreSQL store serve every example, emptied in between.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import orjson
import pytest
import typer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select

from hustings.cli.imports_cmd import report_imports
from hustings.ingest.runner import import_paths
from hustings.store import Store
from hustings.store.schema import (
    accounts,
    follower_snapshots,
    import_batches,
    messages,
    quarantine,
)
from tests.xpages import tweet

_DEEP = "__deep__"
_COUNT = "__count__"  # orjson writes no integer beyond 64 bits: spliced in as text
_ZONES = [UTC, timezone(timedelta(hours=14)), timezone(timedelta(hours=-12))]

dates = st.one_of(
    st.sampled_from(
        [
            "0001-01-01T00:00:00+01:00",
            "9999-12-31T23:59:59-05:00",
            "1969-12-31T23:59:59Z",
            "1970-01-01T00:00:00Z",
            "2099-12-31T23:59:59Z",
            "2100-01-01T00:00:00Z",
            "2026-10-01T10:00:00",
            "not a date",
            "",
        ]
    ),
    st.datetimes(
        min_value=datetime(1, 1, 2),
        max_value=datetime(9999, 12, 30),
        timezones=st.sampled_from(_ZONES),
    ).map(datetime.isoformat),
    st.integers(min_value=-(2**62), max_value=2**62),
)
controls = st.text(st.characters(max_codepoint=0x20) | st.sampled_from("a\u2028\ufeff\U0001f600"))
texts = st.one_of(
    controls.map(lambda t: t[:200]),
    st.sampled_from(["", "x" * 10_001, "y" * 1_000_001]),
)
ids = st.one_of(
    st.sampled_from(["", "b" * 511, "b" * 513, "b\x00d", "b\u2028", 12345, None]),
    st.text(min_size=1, max_size=20).map(lambda t: "b" + t),
)
nesting = st.integers(min_value=1, max_value=3000)
counts = st.integers(min_value=-(2**70), max_value=2**70)


@st.composite
def bad_records(draw: st.DrawFn, n: int) -> bytes:
    """One page whose one tweet (and its author) carries extreme values."""
    data: dict[str, Any] = {
        "id": draw(ids),
        "author_id": draw(st.one_of(ids, st.just("1"))),
        "created_at": draw(dates),
        "text": draw(texts),
        "lang": draw(st.one_of(st.none(), controls.map(lambda t: t[:40]))),
        "conversation_id": draw(st.one_of(st.none(), ids)),
        "entities": _DEEP if draw(st.booleans()) else {"hashtags": [{"tag": draw(texts)}]},
    }
    user = {
        "id": "1",
        "username": draw(st.one_of(st.just("user1"), texts)),
        "name": draw(texts),
        "public_metrics": {"followers_count": _COUNT},
        "created_at": draw(dates),
    }
    line = orjson.dumps(
        {"data": [data], "includes": {"users": [user]}, "__twarc": {"retrieved_at": draw(dates)}}
    )
    depth = draw(nesting)
    line = line.replace(orjson.dumps(_COUNT), str(draw(counts)).encode())
    return line.replace(orjson.dumps(_DEEP), b"[" * depth + b"]" * depth)


@st.composite
def files(draw: st.DrawFn) -> tuple[bytes, set[str]]:
    """Good pages (ids 1000 to 1099) with bad ones and broken lines between them."""
    lines: list[bytes] = []
    good: set[str] = set()
    for n in range(draw(st.integers(min_value=1, max_value=8))):
        good.add(str(1000 + n))
        lines.append(orjson.dumps({"data": [tweet(n)], "includes": {"users": []}}))
        kind = draw(st.sampled_from(["record", "record", "truncated", "nan", "none"]))
        if kind == "record":
            lines.append(draw(bad_records(n)))
        elif kind == "truncated":
            lines.append(orjson.dumps({"data": [tweet(n + 50)]})[:30])
        elif kind == "nan":
            lines.append(b'{"data": [{"id": "b1", "text": "x", "n": NaN}]}')
    if draw(st.booleans()):
        lines.insert(0, draw(st.sampled_from([b"{", b'{"data": [', b"[" * 2000])))
    return b"\n".join(lines) + b"\n", good


_TABLES = (quarantine, import_batches, messages, follower_snapshots, accounts)


def _reset(store: Store) -> None:
    with store.begin() as conn:
        for table in _TABLES:
            conn.execute(delete(table))


def _outcome(store: Store, path: Path) -> tuple[int, set[tuple[Any, ...]], set[tuple[Any, ...]]]:
    """The exit code ``hustings import`` gives, the messages stored, the quarantine kept."""
    summaries = import_paths(store, [str(path)])
    try:
        report_imports(summaries, as_json=True)
        code = 0
    except typer.Exit as exc:
        code = exc.exit_code
    with store.begin() as conn:
        stored = {
            (r.platform_id, r.author_id, r.text, r.created_at.isoformat(), r.language)
            for r in conn.execute(select(messages))
        }
        bad = {(r.position, r.unit, r.reason) for r in conn.execute(select(quarantine))}
    return code, stored, bad


@pytest.fixture
def both_stores(tmp_path: Path, postgres_url: str) -> Iterator[tuple[Store, Store]]:
    lite = Store.open(f"sqlite:///{tmp_path / 'property.db'}")
    pg = Store.open(postgres_url)
    yield lite, pg
    lite.close()
    pg.close()


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(file=files())
def test_extreme_records_never_stop_an_import_and_both_stores_agree(
    both_stores: tuple[Store, Store], tmp_path: Path, file: tuple[bytes, set[str]]
) -> None:
    content, good = file
    path = tmp_path / "extreme.jsonl"
    path.write_bytes(content)
    outcomes = []
    for store in both_stores:
        _reset(store)
        outcomes.append(_outcome(store, path))
    (lite_code, lite_rows, lite_bad), (pg_code, pg_rows, pg_bad) = outcomes
    assert lite_code in (0, 3)
    assert good <= {row[0] for row in lite_rows}
    assert (lite_code, lite_rows, lite_bad) == (pg_code, pg_rows, pg_bad)
