"""Each real server works the way the live-channel connectors will use it, from Python."""

from __future__ import annotations

import csv
import smtplib
import sys
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

import pytest

from tests.servers.fixtures import (
    BLUESKY,
    MAIL,
    BlueskyNetwork,
    ImapServer,
    SmtpServer,
    missing,
)

pytestmark = pytest.mark.servers


# --- Bluesky ---------------------------------------------------------------------------------


@BLUESKY
def test_a_mentioned_account_reads_the_mention_and_replies_in_thread(
    bluesky_network: BlueskyNetwork,
) -> None:
    from atproto import Client, models

    candidate = bluesky_network.create_account()
    citizen = bluesky_network.create_account()
    question = bluesky_network.mention(citizen, [candidate], f"@{candidate.handle} when will "
                                       "the bus lanes on Main Street open?")

    client = Client(base_url=f"{bluesky_network.pds_url}/xrpc")
    profile = client.login(candidate.handle, candidate.password)
    assert profile.did == candidate.did

    notifications = client.app.bsky.notification.list_notifications().notifications
    mentions = [n for n in notifications if n.reason == "mention"]
    assert [(n.uri, n.author.did) for n in mentions] == [(question.uri, citizen.did)]
    assert "bus lanes" in mentions[0].record.text

    root = models.create_strong_ref(models.ComAtprotoRepoStrongRef.Main(
        uri=question.uri, cid=question.cid))
    answer = client.send_post("In the spring; the contract is signed.",
                              reply_to=models.AppBskyFeedPost.ReplyRef(root=root, parent=root))
    bluesky_network.process_all()

    thread = client.get_post_thread(question.uri).thread
    assert thread.post.uri == question.uri
    replies = [(r.post.uri, r.post.author.did, r.post.record.reply.root.uri,
                r.post.record.reply.parent.uri) for r in thread.replies]
    assert replies == [(answer.uri, candidate.did, question.uri, question.uri)]


@BLUESKY
def test_a_reply_deeper_in_a_thread_keeps_its_root_and_parent(
    bluesky_network: BlueskyNetwork,
) -> None:
    from atproto import Client

    candidate = bluesky_network.create_account()
    citizen = bluesky_network.create_account()
    post = bluesky_network.post(candidate, "Town hall on housing tonight at 7.")
    first = bluesky_network.reply(citizen, post, post, "Will it be streamed?")
    second = bluesky_network.mention(citizen, [candidate], f"@{candidate.handle} and recorded?",
                                     root=post, parent=first)

    client = Client(base_url=f"{bluesky_network.pds_url}/xrpc")
    client.login(citizen.handle, citizen.password)
    thread = client.get_post_thread(second.uri).thread
    record = thread.post.record
    assert (record.reply.root.uri, record.reply.parent.uri) == (post.uri, first.uri)
    assert (thread.parent.post.uri, thread.parent.parent.post.uri) == (first.uri, post.uri)


# --- IMAP ------------------------------------------------------------------------------------


@MAIL
def test_a_delivered_real_eml_is_fetched_with_its_uid_and_uidvalidity(
    imap_server: ImapServer, shared_data: Path,
) -> None:
    from imap_tools import MailBoxUnencrypted

    emls = shared_data / "fixtures" / "imap-eml"
    user = imap_server.add_user()
    imap_server.deliver(user, emls / "forwarded_message.eml")
    imap_server.deliver(user, emls / "simple.eml")

    def fetch() -> tuple[int, list[tuple[str | None, str, str | None]]]:
        with MailBoxUnencrypted(imap_server.host, imap_server.port).login(
            user.name, user.password, initial_folder="INBOX"
        ) as box:
            validity = box.folder.status("INBOX")["UIDVALIDITY"]
            seen = [(m.uid, m.subject, m.obj["Message-ID"]) for m in box.fetch(mark_seen=False)]
        return validity, seen

    validity, first = fetch()
    imap_server.deliver(user, emls / "base.eml")
    again, second = fetch()

    expected = [_subject_and_id(emls / name)
                for name in ("forwarded_message.eml", "simple.eml", "base.eml")]
    assert first == [("1", *expected[0]), ("2", *expected[1])]
    assert second == [*first, ("3", *expected[2])]
    assert validity == again > 0


def _subject_and_id(eml: Path) -> tuple[str, str | None]:
    parsed = message_from_bytes(eml.read_bytes(), policy=policy.default)
    return " ".join(str(parsed["Subject"]).split()), parsed["Message-ID"]


@MAIL
def test_each_test_user_has_its_own_inbox(imap_server: ImapServer, shared_data: Path) -> None:
    from imap_tools import MailBoxUnencrypted

    rows = _campaign_emails(shared_data, 3)
    alice, bob = imap_server.add_user(), imap_server.add_user()
    for row in rows:
        imap_server.deliver(alice, _as_eml(row, to=alice.name))

    with MailBoxUnencrypted(imap_server.host, imap_server.port).login(
        alice.name, alice.password
    ) as box:
        subjects = [m.subject for m in box.fetch(mark_seen=False)]
    with MailBoxUnencrypted(imap_server.host, imap_server.port).login(
        bob.name, bob.password
    ) as box:
        assert list(box.fetch()) == []
    assert subjects == [row["subject"] for row in rows]


# --- SMTP ------------------------------------------------------------------------------------


@MAIL
def test_a_reply_sent_with_smtplib_arrives(smtp_server: SmtpServer) -> None:
    already = len(smtp_server.received)
    message = EmailMessage()
    message["From"] = "office@candidate.example"
    message["To"] = "voter@hustings.test"
    message["Subject"] = "Re: bus lanes"
    message["Message-ID"] = make_msgid()
    message.set_content("In the spring; the contract is signed.")

    with smtplib.SMTP(smtp_server.host, smtp_server.port, timeout=10) as smtp:
        smtp.login(smtp_server.username, smtp_server.password)
        smtp.send_message(message)

    arrived = smtp_server.wait_for(already + 1)[-1]
    assert arrived["Message-ID"] == message["Message-ID"]
    assert str(arrived.get_payload()).strip() == "In the spring; the contract is signed."
    assert smtp_server.envelopes[-1] == ("office@candidate.example", ["voter@hustings.test"])


@MAIL
def test_a_message_sent_over_smtp_to_a_mailbox_user_is_read_over_imap(
    smtp_server: SmtpServer, imap_server: ImapServer,
) -> None:
    from imap_tools import MailBoxUnencrypted

    smtp_server.deliver_into(imap_server)
    voter, stranger = imap_server.add_user(), "nobody@elsewhere.example"
    message = EmailMessage()
    message["From"] = "office@candidate.example"
    message["To"] = f"{voter.name}, {stranger}"
    message["Subject"] = "Re: polling station hours"
    message.set_content("Polls open at 7 and close at 8.")

    with smtplib.SMTP(smtp_server.host, smtp_server.port, timeout=10) as smtp:
        smtp.send_message(message)

    with MailBoxUnencrypted(imap_server.host, imap_server.port).login(
        voter.name, voter.password
    ) as box:
        inbox = [(m.from_, m.subject, m.text.strip()) for m in box.fetch()]
    assert inbox == [("office@candidate.example", "Re: polling station hours",
                      "Polls open at 7 and close at 8.")]


@MAIL
def test_smtp_refuses_a_wrong_password(smtp_server: SmtpServer) -> None:
    with smtplib.SMTP(smtp_server.host, smtp_server.port, timeout=10) as smtp, \
            pytest.raises(smtplib.SMTPAuthenticationError):
        smtp.login(smtp_server.username, "not-the-password")


def _campaign_emails(shared_data: Path, count: int) -> list[dict[str, str]]:
    path = shared_data / "announcements" / "campaign-emails-2020-princeton" / \
        "emails_with_metadata.csv"
    csv.field_size_limit(sys.maxsize)
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        return [row for _, row in zip(range(count), reader, strict=False)]


def _as_eml(row: dict[str, str], to: str) -> bytes:
    """A corpus row (sender, subject, date, hour, body) as the message its sender mailed."""
    message = EmailMessage()
    message["From"] = f'"{row["from_name"]}" <{row["from_address"]}>'
    message["To"] = to
    message["Subject"] = row["subject"]
    sent = datetime.fromisoformat(row["date"]).replace(hour=int(row["hour"] or 0),
                                                       tzinfo=UTC)
    message["Date"] = format_datetime(sent)
    message["Message-ID"] = f"<{row['uid_email']}@campaign-emails-2020.invalid>"
    message.set_content(row["body_text"])
    return bytes(message)


# --- A missing server ------------------------------------------------------------------------


def test_a_missing_server_skips_outside_ci_and_fails_in_ci(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="Dovecot IMAP is not installed: install it"):
        missing("Dovecot IMAP", "install it")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI must test against Dovecot IMAP"):
        missing("Dovecot IMAP", "install it")
