"""The mbox and eml importers on a hand-made campaign mailbox and mail files."""

from __future__ import annotations

import io
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from hustings.ingest.base import ImportOptions, Parsed, Sample
from hustings.ingest.email import EmlImporter, MboxImporter, html_to_text
from hustings.ingest.runner import detect, import_paths
from hustings.model import Message, MessageKind, ReplyLink, Visibility
from hustings.store import Store
from hustings.store.schema import accounts, messages

DATA = Path(__file__).resolve().parent.parent / "data" / "email"
MBOX = DATA / "campaign.mbox"
EML = DATA / "eml"
NEWSLETTER = "nl-2025-09-01@okafor2025.example"
CITIZEN = "CAJt-7731@mail.example"
ANSWER = "reply-0002@okafor2025.example"
FOLLOW_UP = "CAJt-7790@mail.example"


def mbox_units() -> list[Parsed]:
    with MBOX.open("rb") as handle:
        return list(MboxImporter().parse(handle, MBOX.name))


def eml_units(name: str, options: ImportOptions | None = None) -> list[Parsed]:
    path = EML / name
    with path.open("rb") as handle:
        return list(EmlImporter(options).parse(handle, path.name))


def mails() -> dict[str, Message]:
    return {m.platform_id: m for u in mbox_units() for m in u.messages}


def line_of(prefix: bytes) -> int:
    return 1 + next(
        i for i, line in enumerate(MBOX.read_bytes().split(b"\n")) if line.startswith(prefix)
    )


def test_mbox_and_eml_are_detected() -> None:
    assert detect(Sample(name=MBOX.name, head=MBOX.read_bytes())) is MboxImporter
    for path in EML.iterdir():
        assert detect(Sample(name=path.name, head=path.read_bytes())) is EmlImporter


def test_mbox_yields_every_good_mail_as_a_direct_email() -> None:
    found = mails()
    assert len(found) == 5
    assert {m.kind for m in found.values()} == {MessageKind.EMAIL}
    assert {m.visibility for m in found.values()} == {Visibility.DIRECT}


def test_mail_without_date_is_quarantined_at_its_from_line() -> None:
    bad = [q for u in mbox_units() for q in u.quarantined]
    assert [(q.position, q.unit, q.reason) for q in bad] == [
        (line_of(b"From no-date@spam.example"), "line", "no Date header")
    ]


def test_positions_are_the_from_lines() -> None:
    positions = [u.position for u in mbox_units()]
    assert positions[:2] == [1, line_of(b"From jean.tremblay@")]


def test_body_line_starting_with_from_does_not_split_the_mail() -> None:
    assert "From the doorstep to council" in mails()[ANSWER].text


def test_newsletter_is_flagged_by_its_list_id() -> None:
    newsletter = mails()[NEWSLETTER]
    assert newsletter.client == "list:news.okafor2025.example"
    assert {m.client for m in mails().values()} == {"list:news.okafor2025.example", None}


def test_html_only_newsletter_is_read_as_text() -> None:
    text = mails()[NEWSLETTER].text
    assert "<p>" not in text and "color" not in text
    assert "route 12 bus being cut & rents going up" in text
    assert mails()[NEWSLETTER].urls == ("https://okafor2025.example/transit",)


def test_reply_links_parent_thread_root_and_recipient() -> None:
    answer = mails()[ANSWER]
    assert answer.reply_to_id == CITIZEN
    assert answer.reply_link is ReplyLink.MESSAGE
    assert answer.conversation_id == NEWSLETTER
    assert answer.reply_to_account_id == "jean.tremblay@mail.example"
    assert answer.subject == "Re: Week one: 1,200 doors knocked, and what you told us"


def test_sender_address_is_lowercased_and_display_name_kept() -> None:
    citizen = mails()[CITIZEN]
    assert (citizen.author_id, citizen.author_handle) == (
        "jean.tremblay@mail.example",
        "Jean Tremblay",
    )


def test_threads_have_one_root_per_conversation() -> None:
    roots = {m.conversation_id for m in mails().values()}
    assert roots == {NEWSLETTER, "20250903083000.renee@courriel.example", "5f1c.sam@example.org"}


def test_latin1_body_and_encoded_headers_are_decoded() -> None:
    renee = mails()["20250903083000.renee@courriel.example"]
    assert renee.author_handle == "Renée Bélanger"
    assert renee.subject == "Sécurité près de l'école"
    assert "Je m'inquiète de la sécurité des élèves près de l'école Sainte-Thérèse" in renee.text


def test_multipart_alternative_prefers_plain_text() -> None:
    sam = mails()["5f1c.sam@example.org"]
    assert "English if that helps \u2014 many seniors" in sam.text
    assert "<b>" not in sam.text
    assert "\nFrom my phone" in sam.text  # the mboxrd quote ">From" is undone


def test_one_account_per_sender() -> None:
    found = [a for u in mbox_units() for a in u.accounts]
    assert len(found) == 5
    assert {a.platform for a in found} == {"email"}
    news = next(a for a in found if a.platform_id == "news@okafor2025.example")
    assert news.display_name == "Maria Okafor for Council"


def test_missing_message_id_gets_a_stable_derived_id() -> None:
    first = eml_units("02-no-message-id.eml")[0].messages[0]
    again = eml_units("02-no-message-id.eml")[0].messages[0]
    assert first.platform_id == again.platform_id
    assert first.platform_id.endswith("@hustings.invalid")
    assert first.conversation_id == first.platform_id


def test_date_without_zone_is_quarantined_unless_assumed() -> None:
    [unit] = eml_units("03-naive-date.eml")
    assert [(q.position, q.unit) for q in unit.quarantined] == [(1, "document")]
    assert "has no time zone" in unit.quarantined[0].reason
    [assumed] = eml_units("03-naive-date.eml", ImportOptions(assume_timezone="UTC"))
    assert assumed.messages[0].created_at.isoformat() == "2025-09-06T10:00:00+00:00"


def test_html_to_text_drops_scripts_and_unescapes() -> None:
    assert html_to_text("<p>a &amp; b</p><script>x()</script><p>c</p>") == "a & b\nc"


def test_import_threads_mail_across_mbox_and_eml_files(store: Store) -> None:
    summaries = import_paths(store, [str(MBOX), str(EML)])
    assert [s.added for s in summaries] == [5, 1, 1, 0]
    assert [s.quarantined for s in summaries] == [1, 0, 0, 1]
    with store.begin() as conn:
        rows = conn.execute(
            select(messages.c.platform_id, messages.c.root_id, messages.c.depth).where(
                messages.c.conversation_id == NEWSLETTER
            )
        ).all()
        senders = conn.execute(select(accounts.c.platform_id)).scalars().all()
    assert {r.platform_id: (r.root_id, r.depth) for r in rows} == {
        NEWSLETTER: (NEWSLETTER, 0),
        CITIZEN: (NEWSLETTER, 1),
        ANSWER: (NEWSLETTER, 2),
        FOLLOW_UP: (NEWSLETTER, 3),
    }
    assert len(senders) == 6


def test_second_import_adds_nothing(store: Store) -> None:
    import_paths(store, [str(MBOX), str(EML)])
    again = import_paths(store, [str(MBOX), str(EML)])
    assert sum(s.added for s in again) == 0
    assert sum(s.updated for s in again) == 0


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=3000))
def test_mbox_parser_never_raises(data: bytes) -> None:
    units = list(
        MboxImporter().parse(io.BytesIO(b"From x@y Mon Sep  1 00:00:00 2025\n" + data), "f")
    )
    assert all(len(u.messages) + len(u.quarantined) == 1 for u in units)


@settings(max_examples=200, deadline=None)
@given(
    headers=st.lists(
        st.tuples(
            st.sampled_from(
                [
                    "From",
                    "To",
                    "Date",
                    "Message-ID",
                    "In-Reply-To",
                    "References",
                    "Subject",
                    "Content-Type",
                    "List-Id",
                    "Content-Transfer-Encoding",
                ]
            ),
            st.text(max_size=60),
        ),
        max_size=10,
    ),
    body=st.binary(max_size=500),
)
def test_eml_parser_never_raises(headers: list[tuple[str, str]], body: bytes) -> None:
    head = "".join(f"{name}: {value}\n" for name, value in headers)
    raw = head.encode("utf-8", "surrogateescape") + b"\n" + body
    [unit] = EmlImporter().parse(io.BytesIO(raw), "f.eml")
    assert len(unit.messages) + len(unit.quarantined) == 1
