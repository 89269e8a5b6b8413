"""The CSV importer on hand-made exports: detection, account-level replies, bad rows."""

from __future__ import annotations

import contextlib
import csv
import io
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from hustings.errors import ConfigError, UnknownFormatError
from hustings.ingest.base import ImportOptions, Parsed, Sample
from hustings.ingest.csv import CsvImporter, best_mapping
from hustings.ingest.csv.mapping import load_mapping, shipped_mappings
from hustings.ingest.csv.rows import header_of
from hustings.ingest.runner import ImportPlan, detect, import_paths
from hustings.model import Message, MessageKind, ReplyLink
from hustings.store import Store
from hustings.store.schema import accounts, messages, quarantine

DATA = Path(__file__).resolve().parent.parent / "data" / "csv"
GOT3 = DATA / "getoldtweets3.csv"
GOT3_HEADER = GOT3.read_bytes().split(b"\n", 1)[0] + b"\n"


def parse(path: Path, options: ImportOptions | None = None) -> list[Parsed]:
    with path.open("rb") as handle:
        return list(CsvImporter(options).parse(handle, path.name))


def by_id(units: list[Parsed]) -> dict[str, Message]:
    return {m.platform_id: m for u in units for m in u.messages}


def test_getoldtweets3_file_with_extra_columns_is_detected_without_options() -> None:
    head = GOT3.read_bytes()
    assert detect(Sample(name=GOT3.name, head=head)) is CsvImporter
    mapping = best_mapping(header_of(head))
    assert mapping is not None and mapping.name == "getoldtweets3"


def test_short_export_is_detected_with_its_own_mapping() -> None:
    mapping = best_mapping(header_of((DATA / "short.csv").read_bytes()))
    assert mapping is not None and mapping.name == "short"


def test_shipped_mappings_cover_the_three_documented_exports() -> None:
    assert {m.name for m in shipped_mappings()} == {"getoldtweets3", "short", "snscrape"}


def test_to_column_gives_an_account_level_reply_and_no_parent() -> None:
    reply = next(m for u in parse(GOT3) for m in u.messages if m.author_handle == "maplevoter88")
    assert reply.kind is MessageKind.REPLY
    assert reply.reply_link is ReplyLink.ACCOUNT
    assert reply.reply_to_handle == "AndrewScheer"
    assert reply.reply_to_id is None
    assert reply.author_id == "1012345678901234567"


def test_row_without_to_is_a_post() -> None:
    post = by_id(parse(GOT3))["1179196102398681088"]
    assert post.kind is MessageKind.POST
    assert post.reply_link is None
    assert post.hashtags == ("cdnpoli", "elxn43")
    assert post.urls == ("https://conservative.ca/plan",)


def test_space_separated_mentions_lose_their_at_sign() -> None:
    nurse = by_id(parse(GOT3))["1179240000000000002"]
    assert nurse.mentions == ("JustinTrudeau", "theJagmeetSingh")


def test_bad_rows_are_quarantined_with_line_and_reason_and_the_rest_kept() -> None:
    units = parse(GOT3)
    bad = {q.position: q.reason for u in units for q in u.quarantined}
    lines = GOT3.read_bytes().split(b"\n")
    line_of = {
        key: 1 + next(i for i, ln in enumerate(lines) if ln.startswith(key))
        for key in (b"short_row", b"noid", b"baddate", b"latin1")
    }
    assert bad == {
        line_of[b"short_row"]: "expected 15 columns, found 5",
        line_of[b"noid"]: "missing id",
        line_of[b"baddate"]: "unreadable timestamp 'yesterday evening'",
        line_of[b"latin1"]: "invalid UTF-8",
    }
    assert len(by_id(units)) == 5


def test_multiline_text_keeps_the_row_starting_line() -> None:
    units = parse(GOT3)
    debate = next(u for u in units for m in u.messages if m.author_handle == "JustinTrudeau")
    assert debate.position == 4
    assert debate.messages[0].text == "Tonight we debate.\nTomorrow we vote early. #elxn43"
    after = next(u for u in units for m in u.messages if m.author_handle == "torontonurse")
    assert after.position == 6


def test_short_export_keys_authors_by_lowercased_handle() -> None:
    units = parse(DATA / "short.csv")
    authors = {m.platform_id: m.author_id for u in units for m in u.messages}
    assert authors["1588170000000000001"] == authors["1588500000000000002"] == "@onpolifan"
    assert all(not u.accounts for u in units)


def test_snscrape_in_reply_to_tweet_id_is_a_message_level_reply() -> None:
    found = by_id(parse(DATA / "snscrape.csv"))
    answer = found["1500000000000000003"]
    assert answer.reply_link is ReplyLink.MESSAGE
    assert answer.reply_to_id == "1500000000000000002"
    assert answer.reply_to_account_id == "881122334455"
    assert answer.reply_to_handle == "resident613"
    assert answer.author_id == "20398823"
    assert answer.mentions == ("resident613",)
    assert found["1500000000000000001"].urls == ("https://ottawa.ca/snow",)


def test_snscrape_float_id_is_quarantined_not_linked() -> None:
    bad = [q for u in parse(DATA / "snscrape.csv") for q in u.quarantined]
    assert [(q.position, q.reason) for q in bad] == [
        (5, "reply_to_id '1.5e+18' was written as a float and has lost digits")
    ]


def test_user_mapping_reads_local_times_and_message_replies() -> None:
    options = ImportOptions(mapping=DATA / "scheduler-mapping.yaml")
    units = parse(DATA / "scheduler-export.csv", options)
    found = by_id(units)
    first = found["110000000000000001"]
    assert first.platform == "mastodon"
    assert first.created_at.isoformat() == "2025-09-05T22:00:00+00:00"
    assert first.hashtags == ("townhall", "ward4")
    assert found["110000000000000003"].reply_to_id == "110000000000000002"
    assert [(q.position, q.reason) for u in units for q in u.quarantined] == [
        (5, "unreadable timestamp '31/09/2025 19:10' (expected %d/%m/%Y %H:%M)")
    ]


def test_naive_times_are_quarantined_unless_a_zone_is_assumed(tmp_path: Path) -> None:
    path = tmp_path / "naive.csv"
    path.write_text("username,to,text,date,id,mentions,hashtags\na,,hi,2022-01-01 10:00,1,,\n")
    assert [q.reason for u in parse(path) for q in u.quarantined] == [
        "timestamp '2022-01-01 10:00' has no time zone"
    ]
    assumed = parse(path, ImportOptions(assume_timezone="UTC"))
    assert assumed[0].messages[0].created_at.isoformat() == "2022-01-01T10:00:00+00:00"


def test_header_matching_no_mapping_asks_for_one(tmp_path: Path) -> None:
    path = tmp_path / "other.csv"
    path.write_text("a,b\n1,2\n")
    with pytest.raises(UnknownFormatError, match="--mapping"):
        parse(path)


def test_user_mapping_missing_columns_names_them() -> None:
    options = ImportOptions(mapping=DATA / "scheduler-mapping.yaml")
    with pytest.raises(UnknownFormatError, match="Post ID"):
        parse(GOT3, options)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("columns: [a]", "'columns' object"),
        ("columns: {id: a, text: b, created_at: c, author_id: d, colour: e}", "unknown fields"),
        ("columns: {id: a, text: b}", "map at least"),
        (
            "timezone: Mars/Olympus\ncolumns: {id: a, text: b, created_at: c, author_id: d}",
            "time zone",
        ),
        ("columns: {id: a, text: b, created_at: c, author_id: {key: x}}", "column name"),
        ("columns: [unclosed", "not valid YAML"),
    ],
)
def test_bad_mapping_is_a_config_error(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message):
        load_mapping(path)


def test_registry_csv_is_not_read_as_messages() -> None:
    path = DATA.parent / "registry" / "campaign.csv"
    assert detect(Sample(name=path.name, head=path.read_bytes())).name == "registry-csv"


def test_import_stores_account_reply_with_unknown_depth(store: Store) -> None:
    [summary] = import_paths(store, [str(GOT3)])
    assert (summary.format, summary.added, summary.quarantined) == ("csv", 5, 4)
    with store.begin() as conn:
        row = conn.execute(
            select(messages.c.reply_link, messages.c.depth, messages.c.reply_to_id).where(
                messages.c.platform_id == "1179201133781962752"
            )
        ).one()
        post = conn.execute(
            select(messages.c.depth).where(messages.c.platform_id == "1179196102398681088")
        ).scalar_one()
        authors = conn.execute(select(accounts.c.platform_id)).scalars().all()
    assert tuple(row) == ("account", None, None)
    assert post == 0
    assert len(authors) == 5


def test_second_import_adds_nothing(store: Store) -> None:
    import_paths(store, [str(GOT3)])
    [again] = import_paths(store, [str(GOT3)])
    assert again.added == 0


def test_user_mapping_import_threads_replies(store: Store) -> None:
    options = ImportOptions(mapping=DATA / "scheduler-mapping.yaml")
    plan = ImportPlan(fmt="csv", options=options)
    import_paths(store, [str(DATA / "scheduler-export.csv")], plan)
    with store.begin() as conn:
        rows = conn.execute(select(messages.c.platform_id, messages.c.depth)).all()
    assert dict(rows) == {
        "110000000000000001": 0,
        "110000000000000002": 1,
        "110000000000000003": 2,
    }


@settings(max_examples=150, deadline=None)
@given(body=st.binary(max_size=2000))
def test_parser_never_raises_on_arbitrary_rows(body: bytes) -> None:
    units = list(CsvImporter().parse(io.BytesIO(GOT3_HEADER + body), "fuzz.csv"))
    assert [u.position for u in units] == sorted(u.position for u in units)


@settings(max_examples=150, deadline=None)
@given(rows=st.lists(st.lists(st.text(max_size=30), min_size=15, max_size=15), max_size=8))
def test_parser_never_raises_on_arbitrary_cells(rows: list[list[str]]) -> None:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    data = GOT3_HEADER + out.getvalue().encode("utf-8", "surrogatepass")
    for unit in CsvImporter().parse(io.BytesIO(data), "fuzz.csv"):
        assert len(unit.messages) + len(unit.quarantined) == 1


@settings(max_examples=150, deadline=None)
@given(data=st.binary(max_size=1000))
def test_parser_raises_only_unknown_format_on_arbitrary_bytes(data: bytes) -> None:
    with contextlib.suppress(UnknownFormatError):
        list(CsvImporter().parse(io.BytesIO(data), "fuzz.csv"))


# --- The documented short form, and errors that say which columns are missing ---------


def test_documented_short_form_without_mentions_or_hashtags_imports(tmp_path: Path) -> None:
    path = tmp_path / "short.csv"
    path.write_text(
        "username,to,text,date,id\n"
        "onpolifan,fordnation,@fordnation when is the #Greenbelt report out?,"
        "2022-11-03 14:00:00+00:00,1588170000000000001\n"
    )
    [unit] = parse(path)
    [reply] = unit.messages
    assert (reply.author_id, reply.reply_to_handle) == ("@onpolifan", "fordnation")
    assert reply.mentions == ("fordnation",) and reply.hashtags == ("Greenbelt",)


def test_importer_description_names_forms_that_import(tmp_path: Path) -> None:
    """Every header the importer's description promises is one a shipped mapping reads."""
    promised = re.findall(r"the short ([\w,]+) form", CsvImporter.description)
    assert promised == ["username,to,text,date,id"]
    assert best_mapping(promised[0].split(",")) is not None


def test_no_mapping_error_names_what_each_mapping_needs_and_misses(tmp_path: Path) -> None:
    path = tmp_path / "cut.csv"
    path.write_text("username,text,date,id\nonpolifan,hi,2022-11-03 14:00:00+00:00,1\n")
    with pytest.raises(UnknownFormatError) as caught:
        parse(path)
    message = str(caught.value)
    assert "short needs id, username, text, date, to (missing: to)" in message
    for mapping in shipped_mappings():
        assert f"{mapping.name} needs {', '.join(mapping.needs)}" in message
    assert "--mapping" in message and "docs/csv-mapping.md" in message


def test_optional_column_in_a_user_mapping_may_be_absent(tmp_path: Path) -> None:
    mapping = tmp_path / "m.yaml"
    mapping.write_text(
        "columns:\n  id: ID\n  author_handle: Who\n  text: Body\n  created_at: When\n"
        "  language: {column: Lang, optional: true}\n"
    )
    path = tmp_path / "export.csv"
    path.write_text("ID,Who,Body,When\n7,ana,hello #ward4,2025-09-05T22:00:00Z\n")
    [unit] = parse(path, ImportOptions(mapping=mapping))
    assert unit.messages[0].language is None and unit.messages[0].hashtags == ("ward4",)


# --- An unclosed quote is quarantined at its line; the rows after it still import ------

UNCLOSED = "unclosed quote: a quoted field opens on this line and never closes"
GOT3_UNCLOSED = (
    "username,to,text,retweets,favorites,replies,id,permalink,author_id,date,"
    "formatted_date,mentions,hashtags,geo,urls\n"
    'AndrewScheer,,"Our plan: more money in your pocket. #cdnpoli",312,1204,480,'
    "1179196102398681088,https://twitter.com/AndrewScheer/status/1179196102398681088,"
    "292019136,2019-10-02 00:34:11+00:00,Wed Oct 02 00:34:11 +0000 2019,,#cdnpoli,,\n"
    'maplevoter88,AndrewScheer,"@AndrewScheer What is your plan for childcare, exactly?,0,3,1,'
    "1179201133781962752,https://twitter.com/maplevoter88/status/1179201133781962752,"
    "1012345678901234567,2019-10-02 00:54:10+00:00,Wed Oct 02 00:54:10 +0000 2019,"
    "@AndrewScheer,,,\n"
) + "".join(
    f'voter{n},AndrewScheer,"@AndrewScheer question {n}, please",0,0,0,117920113378196276{n},'
    f"https://twitter.com/voter{n}/status/117920113378196276{n},10123456789012345{n:02},"
    f"2019-10-02 01:0{n}:00+00:00,Wed Oct 02 01:0{n}:00 +0000 2019,@AndrewScheer,,,\n"
    for n in range(1, 5)
)


@pytest.mark.parametrize(
    ("body", "bad_line", "kept"),
    [
        pytest.param(GOT3_UNCLOSED, 3, 5, id="getoldtweets3-quoted-rows-after"),
        pytest.param(
            "username,to,text,date,id\n"
            'onpolifan,fordnation,"@fordnation when,2022-11-03 14:00:00+00:00,1588170000000000001\n'
            "fordnation,,Getting it done,2022-11-03 13:00:00+00:00,1588160000000000000\n"
            "onpolifan,fordnation,@fordnation still?,2022-11-04 09:00:00+00:00,1588500000000000\n"
            "ana,fordnation,@fordnation transit,2022-11-04 10:00:00+00:00,1588500000000000003\n",
            2,
            3,
            id="short-unquoted-rows-to-the-end",
        ),
    ],
)
def test_unclosed_quote_is_quarantined_at_its_line_and_later_rows_import(
    tmp_path: Path, body: str, bad_line: int, kept: int
) -> None:
    path = tmp_path / "export.csv"
    path.write_text(body)
    units = parse(path)
    assert [(q.source, q.position, q.reason) for u in units for q in u.quarantined] == [
        ("export.csv", bad_line, UNCLOSED)
    ]
    assert len(by_id(units)) == kept
    assert all("\n" not in m.text for m in by_id(units).values())


def test_quoted_text_over_several_lines_is_still_one_row() -> None:
    found = by_id(parse(GOT3))
    debate = found["1179230000000000001"]
    assert debate.text == "Tonight we debate.\nTomorrow we vote early. #elxn43"


def test_unclosed_quote_is_refused_alike_on_both_stores(any_store: Store, tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text(GOT3_UNCLOSED)
    [summary] = import_paths(any_store, [str(path)])
    assert (summary.read, summary.added, summary.quarantined) == (6, 5, 1)
    with any_store.begin() as conn:
        stored = set(conn.execute(select(messages.c.platform_id)).scalars())
        bad = conn.execute(select(quarantine.c.position, quarantine.c.reason)).all()
    assert "1179201133781962752" not in stored and len(stored) == 5
    assert [tuple(b) for b in bad] == [(3, UNCLOSED)]


def test_custom_mapping_example_in_the_docs_imports(tmp_path: Path) -> None:
    """docs/csv-mapping.md's example mapping reads its example export as the page says."""
    page = (Path(__file__).resolve().parents[2] / "docs" / "csv-mapping.md").read_text()
    own = page.split("## Your own mapping", 1)[1]
    export = re.search(r"```csv\n(.*?)```", own, re.S)
    mapping = re.search(r"```yaml\n(.*?)```", own, re.S)
    assert export is not None and mapping is not None
    (tmp_path / "export.csv").write_text(export.group(1))
    (tmp_path / "scheduler.yaml").write_text(mapping.group(1))
    units = parse(tmp_path / "export.csv", ImportOptions(mapping=tmp_path / "scheduler.yaml"))
    found = by_id(units)
    assert found["110000000000000001"].created_at.isoformat() == "2025-09-05T22:00:00+00:00"
    assert found["110000000000000001"].hashtags == ("townhall", "ward4")
    assert found["110000000000000002"].reply_to_id == "110000000000000001"
    assert {m.platform for m in found.values()} == {"mastodon"}
