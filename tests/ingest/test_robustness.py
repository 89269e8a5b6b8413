"""No record stops an import (issue 16, items 10-14): each bad record is quarantined with
its file, place and a reason, the rest of the file is kept, and SQLite and PostgreSQL keep
and refuse exactly the same records."""

from __future__ import annotations

import time
from pathlib import Path

import orjson
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from hustings.cli.main import app
from hustings.ingest.runner import ImportPlan, import_file
from hustings.model import Quarantined
from hustings.store import Store
from hustings.store.batches import list_batches, list_quarantine
from hustings.store.schema import messages, tracked_accounts
from tests.xpages import page, tweet, write_pages


def _quarantine(store: Store) -> list[Quarantined]:
    with store.begin() as conn:
        return list_quarantine(conn)


def _ids(store: Store) -> set[str]:
    with store.begin() as conn:
        return set(conn.execute(select(messages.c.platform_id)).scalars())


def _hundred_with(tmp_path: Path, bad: bytes, at: int = 50) -> Path:
    """100 good one-tweet pages with ``bad`` as line ``at + 1``."""
    lines = [page([tweet(n)]) for n in range(100)]
    lines.insert(at, bad)
    path = tmp_path / "tweets.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


def _url(store: Store) -> str:
    return store.engine.url.render_as_string(hide_password=False)


# Item 10: a date no store can hold.


@pytest.mark.parametrize(
    "created_at", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-05:00", "1969-12-31T23:59:59Z"]
)
def test_a_date_out_of_range_is_quarantined_and_the_hundred_good_tweets_kept(
    any_store: Store, tmp_path: Path, created_at: str
) -> None:
    path = _hundred_with(tmp_path, page([{**tweet(500), "created_at": created_at}]))
    summary = import_file(any_store, path)
    (bad,) = _quarantine(any_store)
    assert (summary.added, summary.quarantined) == (100, 1)
    assert (bad.source, bad.position, bad.unit) == (str(path), 51, "line")
    assert created_at in bad.reason and "outside 1970-01-01 to 2099-12-31" in bad.reason
    with any_store.begin() as conn:
        assert [b.status for b in list_batches(conn)] == ["finished"]


def test_an_import_with_an_out_of_range_date_exits_3_and_reruns_cleanly(
    any_store: Store, tmp_path: Path
) -> None:
    year_one = page([{**tweet(500), "created_at": "0001-01-01T00:00:00+01:00"}])
    path = _hundred_with(tmp_path, year_one)
    runner = CliRunner()
    first = runner.invoke(app, ["--db", _url(any_store), "import", "--json", str(path)])
    again = runner.invoke(app, ["--db", _url(any_store), "import", "--json", str(path)])
    assert (first.exit_code, again.exit_code) == (3, 3), first.output
    assert orjson.loads(first.stdout)["added"] == 100
    assert orjson.loads(again.stdout)["added"] == 0
    assert len(_quarantine(any_store)) == 1


# Item 11: a mail nested to crash mail readers.


def _mail(n: int, body: str = "") -> str:
    return (
        f"From: Person {n} <p{n}@example.org>\nTo: office@north.example\nSubject: s{n}\n"
        f"Date: Mon, 01 Sep 2025 09:00:00 -0400\nMessage-ID: <m{n}@example.org>\n"
        + (body or f"\nbody {n}\n")
    )


def _nested_multipart(depth: int) -> str:
    opened = "".join(
        f'Content-Type: multipart/mixed; boundary="b{i}"\n\n--b{i}\n' for i in range(depth)
    )
    closed = "".join(f"\n--b{i}--\n" for i in reversed(range(depth)))
    return "MIME-Version: 1.0\n" + opened + "Content-Type: text/plain\n\nhello\n" + closed


def _nested_rfc822(depth: int) -> str:
    inner = "From: a@example.org\nDate: Mon, 01 Sep 2025 09:00:00 -0400\n"
    return "".join(f"Content-Type: message/rfc822\n\n{inner}" for _ in range(depth)) + "\nhi\n"


def _mbox(tmp_path: Path, mails: list[str]) -> Path:
    path = tmp_path / "inbox.mbox"
    envelope = "From sender@example.org Mon Sep  1 13:00:00 2025\n"
    path.write_text("".join(f"{envelope}{m}\n" for m in mails))
    return path


@pytest.mark.parametrize(
    ("nested", "reason"),
    [(_nested_multipart, "multipart MIME sections"), (_nested_rfc822, "nested too deeply")],
)
def test_a_mail_nested_five_thousand_levels_deep_is_quarantined_and_later_mail_kept(
    store: Store, tmp_path: Path, nested: object, reason: str
) -> None:
    deep = _mail(2, nested(5000))  # type: ignore[operator]
    path = _mbox(tmp_path, [_mail(1), deep, _mail(3), _mail(4)])
    started = time.perf_counter()
    summary = import_file(store, path)
    (bad,) = _quarantine(store)
    assert (summary.added, summary.quarantined) == (3, 1)
    assert _ids(store) == {"m1@example.org", "m3@example.org", "m4@example.org"}
    envelopes = [n for n, line in enumerate(path.read_text().split("\n"), 1)
                 if line.startswith("From sender@")]
    assert bad.position == envelopes[1] and reason in bad.reason
    assert time.perf_counter() - started < 30


# Item 12: values PostgreSQL used to refuse mid-import.


def test_a_nul_in_a_text_is_replaced_and_the_message_kept(any_store: Store, tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    path.write_bytes(page([tweet(1, text="before\u0000after"), tweet(2)]) + b"\n")
    summary = import_file(any_store, path)
    with any_store.begin() as conn:
        text = conn.execute(select(messages.c.text).where(messages.c.platform_id == "1001"))
        assert text.scalar_one() == "before\N{REPLACEMENT CHARACTER}after"
    assert (summary.added, summary.quarantined) == (2, 0)


def test_a_message_id_over_512_characters_is_quarantined_and_its_chunk_kept(
    any_store: Store, tmp_path: Path
) -> None:
    long_id = "9" * 513
    path = tmp_path / "x.jsonl"
    path.write_bytes(
        page([tweet(1), {**tweet(2), "id": long_id}, tweet(3)]) + b"\n" + page([tweet(4)]) + b"\n"
    )
    summary = import_file(any_store, path)
    (bad,) = _quarantine(any_store)
    assert _ids(any_store) == {"1001", "1003", "1004"}
    assert (summary.added, summary.quarantined) == (3, 1)
    assert (bad.position, bad.reason) == (1, "id is 513 characters long; at most 512 are kept")


def _registry(tmp_path: Path, rows: list[str]) -> Path:
    path = tmp_path / "registry.csv"
    path.write_text("platform,handle,role,name,country\n" + "\n".join(rows) + "\n")
    return path


def test_a_registry_country_like_northland_is_kept_and_one_over_64_quarantined(
    any_store: Store, tmp_path: Path
) -> None:
    path = _registry(
        tmp_path,
        [
            "x,northcand,candidate,North Candidate,Northland",
            f"x,farcand,candidate,Far Candidate,{'C' * 65}",
            "x,southcand,candidate,South Candidate,Southland",
        ],
    )
    summary = import_file(any_store, path)
    (bad,) = _quarantine(any_store)
    with any_store.begin() as conn:
        query = select(tracked_accounts.c.handle, tracked_accounts.c.country)
        kept = {row.handle: row.country for row in conn.execute(query)}
    assert kept == {"northcand": "Northland", "southcand": "Southland"}
    assert (summary.added, summary.quarantined) == (2, 1)
    assert (bad.position, bad.unit) == (3, "line")
    assert bad.reason == "country is 65 characters long; at most 64 are kept"


def test_a_follower_count_beyond_64_bits_is_quarantined(any_store: Store, tmp_path: Path) -> None:
    """Both databases refused it differently (SQLite ``OverflowError``, PostgreSQL
    ``NumericValueOutOfRange``), stopping the import; now both quarantine the line."""
    import_file(any_store, _registry(tmp_path, ["x,northcand,candidate,North,Northland"]))
    posts = tmp_path / "x.jsonl"
    user = {"id": "1", "username": "northcand", "name": "North"}
    posts.write_bytes(orjson.dumps({"data": [tweet(7)], "includes": {"users": [user]}}) + b"\n")
    import_file(any_store, posts)
    counts = tmp_path / "followers.csv"
    counts.write_text(
        f"platform,handle,taken_at,followers\nx,northcand,2026-10-01T00:00:00Z,{2**70}\n"
        "x,northcand,2026-10-02T00:00:00Z,120\n"
    )
    summary = import_file(any_store, counts)
    bad = [q for q in _quarantine(any_store) if q.source == str(counts)]
    assert (summary.added, summary.quarantined) == (1, 1)
    assert [(q.position, q.reason) for q in bad] == [
        (2, f"followers {2**70} is beyond a 64-bit whole number")
    ]


# Item 13: registries built to exhaust memory.


def test_a_yaml_alias_bomb_is_refused_in_a_moment(store: Store, tmp_path: Path) -> None:
    levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for n in range(1, 9):
        previous, name = chr(ord("a") + n - 1), chr(ord("a") + n)
        levels.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
    bomb = "\n".join(levels) + "\naccounts:\n  - {platform: x, handle: h, role: party, name: *i}\n"
    path = tmp_path / "registry.yaml"
    path.write_text(bomb)
    assert len(bomb) < 500
    started = time.perf_counter()
    summary = import_file(store, path)
    (bad,) = _quarantine(store)
    assert time.perf_counter() - started < 5
    assert (summary.added, summary.quarantined) == (0, 1)
    assert bad.unit == "document" and "aliases expand" in bad.reason


def test_a_registry_using_merge_keys_for_its_defaults_still_imports(
    store: Store, tmp_path: Path
) -> None:
    entries = "".join(
        f"  - {{<<: *common, handle: cand{n}, name: Candidate {n}}}\n" for n in range(200)
    )
    path = tmp_path / "registry.yaml"
    path.write_text(
        "common: &common {platform: x, role: candidate, party: Green, country: CA}\n"
        "accounts:\n" + entries
    )
    summary = import_file(store, path)
    assert (summary.added, summary.quarantined) == (200, 0)


def test_a_registry_name_over_the_text_cap_is_quarantined(any_store: Store, tmp_path: Path) -> None:
    path = _registry(
        tmp_path, [f"x,longname,candidate,{'N' * 10_001},CA", "x,shortname,candidate,Short,CA"]
    )
    summary = import_file(any_store, path)
    (bad,) = _quarantine(any_store)
    assert (summary.added, summary.quarantined) == (1, 1)
    assert bad.reason == "name is 10,001 characters long; at most 10,000 are kept"


# Item 14: a bad or long first line of JSON Lines.


@pytest.mark.parametrize(
    "first",
    [
        page([tweet(999)])[:60],  # cut off mid-record
        b'{"data": [{"id": "5", "author_id": "1", "text": "x", "retweets": NaN}]}',
        b"[" * 5000 + b"]" * 5000,  # deeper than any JSON parser reads
        b'{"data": [{"id": "5", "text": "' + b"x" * 200_000,  # longer than the sniffed head
    ],
    ids=["truncated", "nan", "too-deep", "long-and-truncated"],
)
def test_a_broken_first_line_costs_that_line_only(
    store: Store, tmp_path: Path, first: bytes
) -> None:
    path = _hundred_with(tmp_path, first, at=0)
    summary = import_file(store, path)
    (bad,) = _quarantine(store)
    assert (summary.format, summary.added, summary.quarantined) == ("x-v2", 100, 1)
    assert (bad.position, bad.unit) == (1, "line")
    assert bad.reason.startswith("invalid JSON")


def test_a_first_line_longer_than_the_sniffed_head_is_read(store: Store, tmp_path: Path) -> None:
    big = page([tweet(n, text=f"{n} " + "long words " * 2000) for n in range(100, 110)])
    assert len(big) > 64 * 1024
    path = tmp_path / "x.jsonl"
    path.write_bytes(big + b"\n" + page([tweet(1)]) + b"\n")
    summary = import_file(store, path)
    assert (summary.format, summary.added, summary.quarantined) == ("x-v2", 11, 0)


def test_a_broken_pretty_printed_document_is_still_one_quarantined_unit(
    store: Store, tmp_path: Path
) -> None:
    pretty = orjson.dumps({"data": [tweet(n) for n in range(20)]}, option=orjson.OPT_INDENT_2)
    path = tmp_path / "saved.json"
    path.write_bytes(pretty[:-40])  # cut off before its end
    summary = import_file(store, path, ImportPlan(fmt="x-v2"))
    (bad,) = _quarantine(store)
    assert (summary.added, summary.quarantined) == (0, 1)
    assert (bad.position, bad.unit) == (1, "document")


def test_a_pretty_printed_document_is_still_read_whole(store: Store, tmp_path: Path) -> None:
    pretty = orjson.dumps({"data": [tweet(n) for n in range(20)]}, option=orjson.OPT_INDENT_2)
    path = tmp_path / "saved.json"
    path.write_bytes(pretty)
    summary = import_file(store, path)
    assert (summary.format, summary.added, summary.quarantined) == ("x-v2", 20, 0)


# A batch an error stopped is not left "running".


def test_an_import_stopped_by_an_error_is_marked_failed_and_the_next_run_resumes_it(
    store: Store, tmp_path: Path
) -> None:
    path = write_pages(tmp_path / "x.jsonl", 50)

    def disk_full(source: str, done: int, total: int) -> None:
        raise OSError("No space left on device")

    with pytest.raises(OSError, match="No space left"):
        import_file(store, path, ImportPlan(commit_every=1, progress=disk_full))
    with store.begin() as conn:
        assert [(b.status, b.checkpoint) for b in list_batches(conn)] == [("failed", 1)]
    summary = import_file(store, path)
    with store.begin() as conn:
        assert [b.status for b in list_batches(conn)] == ["finished"]
    assert (summary.resumed_from, summary.added) == (1, 50)


def test_a_csv_mapping_with_an_alias_bomb_is_a_clear_error(tmp_path: Path) -> None:
    from hustings.errors import ConfigError
    from hustings.ingest.csv.mapping import load_mapping

    levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for n in range(1, 9):
        previous, name = chr(ord("a") + n - 1), chr(ord("a") + n)
        levels.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
    path = tmp_path / "mapping.yaml"
    path.write_text("\n".join(levels) + "\nname: *i\n")
    started = time.perf_counter()
    with pytest.raises(ConfigError, match="aliases expand"):
        load_mapping(path)
    assert time.perf_counter() - started < 5
