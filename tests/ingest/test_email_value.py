"""One raw mail parses the same from a file and from a live mailbox (``parse_value``)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from hustings.ingest.base import Where
from hustings.ingest.email import EmlImporter, MboxImporter

MAIL = (
    b"From: Vera Voter <vera@voter.example>\r\nTo: office@campaign.example\r\n"
    b"Subject: Bus lanes\r\nDate: Mon, 07 Dec 2026 10:00:00 +0000\r\n"
    b"Message-ID: <q1@voter.example>\r\n\r\nWhen will they open?\r\n"
)


@pytest.mark.parametrize("importer", [EmlImporter(), MboxImporter()], ids=["eml", "mbox"])
def test_a_raw_mail_reads_as_its_eml_file_does(importer: EmlImporter | MboxImporter) -> None:
    (from_file,) = EmlImporter().parse(io.BytesIO(MAIL), "a.eml")
    live = importer.parse_value(MAIL, Where("a.eml", 1, "document"))
    assert live == from_file
    (message,) = live.messages
    assert (message.platform_id, message.author_id) == ("q1@voter.example", "vera@voter.example")


def test_a_value_that_is_not_a_mail_is_quarantined_not_raised() -> None:
    unit = EmlImporter().parse_value({"not": "a mail"}, Where("imap", 7, "mail"))
    assert unit.messages == ()
    (bad,) = unit.quarantined
    assert (bad.position, bad.reason) == (7, "a mail must be raw bytes, not dict")


def test_real_eml_files_read_the_same_through_parse_value(shared_data: Path) -> None:
    for path in sorted((shared_data / "fixtures" / "imap-eml").glob("*.eml")):
        raw = path.read_bytes()
        (from_file,) = EmlImporter().parse(io.BytesIO(raw), str(path))
        assert EmlImporter().parse_value(raw, Where(str(path), 1, "document")) == from_file
