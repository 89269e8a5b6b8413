"""The x-archive importer on a hand-written tweets.js with its account.js."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

from hustings.ingest.base import ImportOptions, Parsed, Sample
from hustings.ingest.x import XArchiveImporter, XV1Importer, XV2Importer
from hustings.ingest.x._archive import iter_archive_items
from hustings.model import MessageKind

ARCHIVE = Path(__file__).resolve().parent.parent / "data" / "x" / "archive"


def parse(path: Path, options: ImportOptions | None = None) -> list[Parsed]:
    with path.open("rb") as handle:
        return list(XArchiveImporter(options).parse(handle, str(path)))


def test_tweets_are_the_account_js_owners() -> None:
    messages = [m for u in parse(ARCHIVE / "tweets.js") for m in u.messages]
    assert {(m.author_id, m.author_handle) for m in messages} == {
        ("1500000000000000001", "CllrJaneDoe")
    }
    assert [m.kind for m in messages] == [MessageKind.POST, MessageKind.REPLY, MessageKind.REPOST]


def test_reply_keeps_parent_and_line() -> None:
    units = parse(ARCHIVE / "tweets.js")
    reply = units[1].messages[0]
    assert (units[1].position, reply.reply_to_id, reply.reply_to_handle) == (
        32,
        "1600000000000000010",
        "ResidentSam",
    )
    assert reply.text.endswith('"when exactly" {and post here}.')


def test_archive_retweet_has_no_invented_original() -> None:
    repost = parse(ARCHIVE / "tweets.js")[2].messages[0]
    assert repost.repost_of_id is None
    assert repost.mentions == ("TownLibrary",)


def test_missing_account_js_quarantines_each_tweet(tmp_path: Path) -> None:
    shutil.copy(ARCHIVE / "tweets.js", tmp_path / "tweets.js")
    units = parse(tmp_path / "tweets.js")
    bad = [q for u in units for q in u.quarantined]
    assert not [m for u in units for m in u.messages]
    assert [q.position for q in bad] == [2, 32, 59]
    assert bad[0].reason.startswith("archive owner unknown: no account.js")


def test_mapping_option_names_account_js(tmp_path: Path) -> None:
    shutil.copy(ARCHIVE / "tweets.js", tmp_path / "tweets.js")
    units = parse(tmp_path / "tweets.js", ImportOptions(mapping=ARCHIVE / "account.js"))
    assert len([m for u in units for m in u.messages]) == 3


def test_truncated_archive_keeps_complete_items() -> None:
    body = (ARCHIVE / "tweets.js").read_bytes()
    cut = body[: body.index(b'"id_str" : "1600000000000000031"')]
    items = list(iter_archive_items(io.BytesIO(cut), "tweets.js"))
    assert [line for line, _ in items] == [2, 32, 59]
    assert getattr(items[-1][1], "reason", "").startswith("file ends inside an item")


def test_sniffs_archive_only_for_tweet_files() -> None:
    tweets = Sample("tweets.js", (ARCHIVE / "tweets.js").read_bytes())
    account = Sample("account.js", (ARCHIVE / "account.js").read_bytes())
    assert XArchiveImporter().sniff(tweets) == 100
    assert XArchiveImporter().sniff(account) == 0
    assert XV1Importer().sniff(tweets) == XV2Importer().sniff(tweets) == 0


def test_plugin_registers_the_three_x_importers() -> None:
    import hustings.ingest.x as package
    from hustings.plugins import importers

    found = importers()
    for cls in package.register_importers():
        assert found[cls.name] is cls
        assert cls.platform == "x" and cls.title and cls.description[0].isupper()
    assert sorted(package.__all__) == sorted(
        [c.__name__ for c in package.register_importers()] + ["register_importers"]
    )
