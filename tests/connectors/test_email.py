"""The e-mail connector against a real Dovecot (IMAP) and a real SMTP server on loopback."""

from __future__ import annotations

import csv
import logging
import os
import socket
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import orjson
import pytest
from sqlalchemy import inspect, select, text
from typer.testing import CliRunner

from hustings.cli.main import app
from hustings.connectors.connections import (
    connect,
    follow_connection,
    list_connections,
    sync_connection,
)
from hustings.connectors.email import EmailConnector
from hustings.connectors.outbound import deliver, deliver_due
from hustings.connectors.secrets import Secret
from hustings.inbox.replies import reply
from hustings.inbox.thread import item_detail
from hustings.ingest.base import Where
from hustings.ingest.email import parse_mail
from hustings.store import Store
from hustings.store.schema import inbox_items, messages
from hustings.workspace import Actor, create_workspace
from tests.servers.fixtures import MAIL, ImapServer, MailUser, SmtpServer

pytestmark = [pytest.mark.servers, MAIL]

EMLS = ("simple.eml", "forwarded_message.eml", "attachment_8bit.eml", "text_with_content_id.eml")


@pytest.fixture(autouse=True)
def _secret_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUSTINGS_SECRET_KEY", "test-app-secret-key")


def _settings(imap: ImapServer, smtp: SmtpServer, user: MailUser, **extra: Any) -> dict[str, Any]:
    return {"imap_host": imap.host, "imap_port": imap.port, "imap_tls": False,
            "smtp_host": smtp.host, "smtp_port": smtp.port, "smtp_starttls": False,
            "smtp_username": smtp.username, "address": user.name, "timeout": 5.0,
            "page_size": 2, "idle_seconds": 2.0, **extra}


def _office(imap: ImapServer, smtp: SmtpServer) -> MailUser:
    """The campaign's mailbox; its password is also the SMTP relay's, as one login would be."""
    return imap.add_user(password=smtp.password)


def _connected(store: Store, imap: ImapServer, smtp: SmtpServer, user: MailUser,
               name: str = "Riding 12", **extra: Any) -> tuple[Actor, int]:
    ws = create_workspace(store, f"{name} {uuid.uuid4().hex[:6]}")
    actor = Actor.system(ws.id)
    health = connect(store, actor, "email", _settings(imap, smtp, user, **extra),
                     Secret(user.password))
    return actor, health.id


def _campaign_emails(shared_data: Path, count: int) -> list[dict[str, str]]:
    path = shared_data / "announcements" / "campaign-emails-2020-princeton" / \
        "emails_with_metadata.csv"
    csv.field_size_limit(sys.maxsize)
    with path.open(newline="", encoding="utf-8") as f:
        return [row for _, row in zip(range(count), csv.DictReader(f), strict=False)]


def _as_eml(row: dict[str, str], to: str) -> bytes:
    message = EmailMessage()
    message["From"] = f'"{row["from_name"]}" <{row["from_address"]}>'
    message["To"] = to
    message["Subject"] = row["subject"]
    sent = datetime.fromisoformat(row["date"]).replace(hour=int(row["hour"] or 0), tzinfo=UTC)
    message["Date"] = format_datetime(sent)
    message["Message-ID"] = f"<{row['uid_email']}@campaign-emails-2020.invalid>"
    message.set_content(row["body_text"])
    return bytes(message)


def _mail(sender: str, to: str, subject: str, body: str, message_id: str | None = None,
          **headers: str) -> bytes:
    """A first-contact mail as a constituent's client writes it."""
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = to
    mail["Subject"] = subject
    mail["Date"] = format_datetime(datetime.now(UTC))
    if message_id:
        mail["Message-ID"] = f"<{message_id}>"
    for name, value in headers.items():
        mail[name.replace("_", "-")] = value
    mail.set_content(body)
    return bytes(mail)


def _ids_of(raws: list[bytes]) -> set[str]:
    """What the file importer makes of the same mails: the ids the inbox must hold."""
    units = [parse_mail(raw, Where("t", 1, "document")) for raw in raws]
    return {m.platform_id for u in units for m in u.messages}


def _items(store: Store, actor: Actor) -> list[tuple[str, str]]:
    with store.begin() as conn:
        rows = conn.execute(
            select(messages.c.platform_id, inbox_items.c.status)
            .join(messages, messages.c.id == inbox_items.c.message_id)
            .where(inbox_items.c.workspace_id == actor.workspace_id)
            .order_by(messages.c.platform_id)
        )
        return [(r.platform_id, r.status) for r in rows]


def _item_id(store: Store, actor: Actor, platform_id: str) -> int:
    with store.begin() as conn:
        return int(conn.execute(
            select(inbox_items.c.id)
            .join(messages, messages.c.id == inbox_items.c.message_id)
            .where(inbox_items.c.workspace_id == actor.workspace_id,
                   messages.c.platform_id == platform_id)
        ).scalar_one())


def _fetch_all(imap: ImapServer, user: MailUser, folder: str = "INBOX") -> list[Any]:
    from imap_tools import MailBoxUnencrypted

    with MailBoxUnencrypted(imap.host, imap.port).login(user.name, user.password,
                                                        initial_folder=folder) as box:
        return [message_from_bytes(m.obj.as_bytes(), policy=policy.default)
                for m in box.fetch(mark_seen=False)]


def test_real_and_campaign_mails_become_inbox_items_first_contact_included(
    any_store: Store, imap_server: ImapServer, smtp_server: SmtpServer, shared_data: Path,
) -> None:
    office = _office(imap_server, smtp_server)
    emls = shared_data / "fixtures" / "imap-eml"
    raws = [(emls / name).read_bytes() for name in EMLS]
    raws += [_as_eml(row, office.name) for row in _campaign_emails(shared_data, 3)]
    for raw in raws:
        imap_server.deliver(office, raw)
    actor, connection = _connected(any_store, imap_server, smtp_server, office)

    imap_server.deliver(office, emls / "base.eml")  # no Date: quarantined, nothing else lost
    report = sync_connection(any_store, connection)

    assert report.error is None and report.quarantined == 1
    expected = _ids_of(raws)
    assert len(expected) == len(raws)  # every other real mail is readable
    # None of these replies to anything: every one is a first contact, and is in the inbox.
    assert _items(any_store, actor) == [(i, "new") for i in sorted(expected)]
    # Reading did not mark them read for the people who share the mailbox.
    from imap_tools import MailBoxUnencrypted

    with MailBoxUnencrypted(imap_server.host, imap_server.port).login(
        office.name, office.password
    ) as box:
        assert all("\\Seen" not in m.flags for m in box.fetch(mark_seen=False))


def test_an_answer_leaves_over_smtp_into_the_persons_own_thread(
    store: Store, imap_server: ImapServer, smtp_server: SmtpServer,
) -> None:
    smtp_server.deliver_into(imap_server)
    office, voter = _office(imap_server, smtp_server), imap_server.add_user()
    imap_server.deliver(office, _mail(
        f"Vera Voter <{voter.name}>", office.name, "Re: Bus lanes on Main Street",
        "And when will they open?", "q2@voter.example",
        In_Reply_To="<q1@voter.example>", References="<root@voter.example> <q1@voter.example>",
    ))
    actor, connection = _connected(store, imap_server, smtp_server, office)
    sync_connection(store, connection)
    item = _item_id(store, actor, "q2@voter.example")
    before = len(smtp_server.received)

    with store.begin() as conn:
        reply(conn, actor, item, "In the spring: the contract is signed.")
    assert list(deliver_due(store, actor.workspace_id).values()) == ["sent"]

    (answer,) = smtp_server.wait_for(before + 1)[before:]
    assert answer["In-Reply-To"] == "<q2@voter.example>"
    assert answer["References"].split() == [
        "<root@voter.example>", "<q1@voter.example>", "<q2@voter.example>"]
    assert answer["Subject"] == "Re: Bus lanes on Main Street"
    assert smtp_server.envelopes[-1] == (office.name, [voter.name, office.name])
    # The person reads it in their own mailbox, in their thread.
    (received,) = _fetch_all(imap_server, voter)
    assert received["In-Reply-To"] == "<q2@voter.example>"
    assert "contract is signed" in received.get_content()
    # The sent copy is in Sent; the item is answered only now, with our Message-ID stored.
    (copy,) = _fetch_all(imap_server, office, "Sent")
    assert copy["Message-ID"] == answer["Message-ID"]
    with store.begin() as conn:
        status = conn.execute(select(inbox_items.c.status).where(inbox_items.c.id == item))
        assert status.scalar_one() == "answered"
        own = conn.execute(select(messages.c.platform_id).where(
            messages.c.reply_to_id == "q2@voter.example")).scalars().all()
    assert own == [answer["Message-ID"].strip("<>")]
    # The person answers our answer; the sync reads it, and our own copy (sent to the
    # office too), without doubling anything; the thread holds the whole exchange.
    imap_server.deliver(office, _mail(
        f"Vera Voter <{voter.name}>", office.name, "Re: Bus lanes on Main Street",
        "Thanks! Which month?", "q3@voter.example", In_Reply_To=answer["Message-ID"],
        References=f"{answer['References']} {answer['Message-ID']}",
    ))
    sync_connection(store, connection)
    assert [i for i, _ in _items(store, actor)] == ["q2@voter.example", "q3@voter.example"]
    with store.begin() as conn:
        thread = item_detail(conn, actor, _item_id(store, actor, "q3@voter.example"))["thread"]
    assert [m["text"] for m in thread] == [
        "And when will they open?", "In the spring: the contract is signed.",
        "Thanks! Which month?"]


def test_a_sync_killed_midway_ends_with_the_messages_of_an_uninterrupted_one(
    store: Store, imap_server: ImapServer, smtp_server: SmtpServer, shared_data: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rows = _campaign_emails(shared_data, 7)
    calm, killed = _office(imap_server, smtp_server), _office(imap_server, smtp_server)
    for user in (calm, killed):
        for row in rows:
            imap_server.deliver(user, _as_eml(row, user.name))
    calm_actor, calm_conn = _connected(store, imap_server, smtp_server, calm)
    actor, connection = _connected(store, imap_server, smtp_server, killed)
    sync_connection(store, calm_conn)

    fetch = EmailConnector._fetch
    calls = {"n": 0}

    def dying(self: EmailConnector, box: Any, uids: list[int]) -> Any:
        calls["n"] += 1
        if calls["n"] == 3:  # two pages of two committed, killed fetching the third
            raise KeyboardInterrupt
        return fetch(self, box, uids)

    monkeypatch.setattr(EmailConnector, "_fetch", dying)
    with pytest.raises(KeyboardInterrupt):
        sync_connection(store, connection)
    assert len(_items(store, actor)) == 4
    monkeypatch.setattr(EmailConnector, "_fetch", fetch)
    assert sync_connection(store, connection).error is None

    assert _items(store, actor) == _items(store, calm_actor)
    assert len(_items(store, actor)) == len(rows)


def test_a_uidvalidity_change_rereads_the_folder_without_duplicates_and_says_so(
    any_store: Store, imap_server: ImapServer, smtp_server: SmtpServer, shared_data: Path,
) -> None:
    from imap_tools import MailBoxUnencrypted

    office = _office(imap_server, smtp_server)
    rows = _campaign_emails(shared_data, 4)
    with MailBoxUnencrypted(imap_server.host, imap_server.port).login(
        office.name, office.password
    ) as box:
        box.folder.create("Campaign")
        for row in rows[:3]:
            box.append(_as_eml(row, office.name), "Campaign")
    actor, connection = _connected(any_store, imap_server, smtp_server, office,
                                   folder="Campaign")
    sync_connection(any_store, connection)
    assert len(_items(any_store, actor)) == 3
    # The mailbox is rebuilt (as a restore from backup does): same mails, new UIDVALIDITY.
    with MailBoxUnencrypted(imap_server.host, imap_server.port).login(
        office.name, office.password
    ) as box:
        old = box.folder.status("Campaign")["UIDVALIDITY"]
        box.folder.rename("Campaign", "Campaign-old")
        box.folder.create("Campaign")
        box.folder.set("Campaign-old")
        box.copy(box.uids(), "Campaign")
        box.append(_as_eml(rows[3], office.name), "Campaign")
        new = box.folder.status("Campaign")["UIDVALIDITY"]
    assert new != old

    report = sync_connection(any_store, connection)

    assert report.error is None and report.added == 1
    assert len(_items(any_store, actor)) == 4
    with any_store.begin() as conn:
        (health,) = list_connections(conn, actor)
    assert health.status == "ok"
    assert health.notice is not None
    assert f"UIDVALIDITY of Campaign changed from {old} to {new}" in health.notice


def test_a_send_whose_connection_drops_after_data_is_not_sent_twice(
    store: Store, imap_server: ImapServer, smtp_server: SmtpServer,
) -> None:
    smtp_server.deliver_into(imap_server)
    office, voter = _office(imap_server, smtp_server), imap_server.add_user()
    imap_server.deliver(office, _mail(voter.name, office.name, "Polling station?",
                                      "Where do I vote?", "where@voter.example"))
    proxy = _DropAfterData(smtp_server.host, smtp_server.port)
    actor, connection = _connected(store, imap_server, smtp_server, office,
                                   smtp_port=proxy.port)
    sync_connection(store, connection)
    with store.begin() as conn:
        reply(conn, actor, _item_id(store, actor, "where@voter.example"), "At the library.")
    before = len(smtp_server.received)

    ((outbound_id, state),) = deliver_due(store).items()
    assert state == "sending"
    smtp_server.wait_for(before + 1)  # the server did take it, though we never heard so
    assert deliver(store, outbound_id) == "sent"  # found in the mailbox, not sent again

    time.sleep(0.5)
    assert len(smtp_server.received) == before + 1
    assert len(_fetch_all(imap_server, voter)) == 1
    assert _items(store, actor) == [("where@voter.example", "answered")]
    proxy.close()


def test_a_send_cut_off_before_the_mail_was_handed_over_is_sent_once_on_retry(
    store: Store, imap_server: ImapServer, smtp_server: SmtpServer,
) -> None:
    smtp_server.deliver_into(imap_server)
    office, voter = _office(imap_server, smtp_server), imap_server.add_user()
    imap_server.deliver(office, _mail(voter.name, office.name, "Ballots", "Mail-in?",
                                      "ballot@voter.example"))
    proxy = _DropAfterData(smtp_server.host, smtp_server.port, marker=b"DATA\r\n")
    actor, connection = _connected(store, imap_server, smtp_server, office,
                                   smtp_port=proxy.port)
    sync_connection(store, connection)
    with store.begin() as conn:
        reply(conn, actor, _item_id(store, actor, "ballot@voter.example"), "Yes, by the 3rd.")

    ((outbound_id, state),) = deliver_due(store).items()
    assert state == "sending"  # cut off: unknown, so it is looked for before a retry
    assert deliver(store, outbound_id) == "sent"  # not found anywhere: sent, once

    (answer,) = _fetch_all(imap_server, voter)
    assert answer["In-Reply-To"] == "<ballot@voter.example>"
    assert _items(store, actor) == [("ballot@voter.example", "answered")]
    proxy.close()


def test_a_mail_without_message_id_gets_a_stable_id_and_an_answer(
    store: Store, imap_server: ImapServer, smtp_server: SmtpServer,
) -> None:
    smtp_server.deliver_into(imap_server)
    office, voter = _office(imap_server, smtp_server), imap_server.add_user()
    raw = _mail(voter.name, office.name, "No id here", "My client forgot the Message-ID.")
    imap_server.deliver(office, raw)
    actor, connection = _connected(store, imap_server, smtp_server, office)
    sync_connection(store, connection)
    ((key, status),) = _items(store, actor)
    assert key.endswith("@hustings.invalid") and status == "new"
    # Dovecot may add headers on delivery; the id stays the importer's for the same mail.
    assert key == next(iter(_ids_of([raw])))

    with store.begin() as conn:
        reply(conn, actor, _item_id(store, actor, key), "We got it, thank you.")
    assert list(deliver_due(store).values()) == ["sent"]
    (answer,) = _fetch_all(imap_server, voter)
    assert answer["Subject"] == "Re: No id here"
    assert answer["In-Reply-To"] is None  # nothing upstream to point at


@pytest.mark.parametrize("live", [{"idle_seconds": 60.0}, {"idle": False, "poll_seconds": 0.3}],
                         ids=["idle", "polling"])
def test_live_mail_arrives_while_following(
    store: Store, imap_server: ImapServer, smtp_server: SmtpServer, live: dict[str, Any],
) -> None:
    office = _office(imap_server, smtp_server)
    # With IDLE the wait is a minute long: the mail can only show sooner if IDLE woke it.
    actor, connection = _connected(store, imap_server, smtp_server, office, **live)
    stop = threading.Event()
    thread = threading.Thread(target=follow_connection, args=(store, connection, stop),
                              kwargs={"max_connects": 1}, daemon=True)
    thread.start()
    time.sleep(1.0)  # the stream is open, idling
    imap_server.deliver(office, _mail("a@voter.example", office.name, "Live", "Hello",
                                      "live@voter.example"))
    deadline = time.monotonic() + 15
    while not _items(store, actor) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _items(store, actor) == [("live@voter.example", "new")]
    stop.set()
    imap_server.deliver(office, _mail("a@voter.example", office.name, "Wake", "up",
                                      "wake@voter.example"))
    thread.join(15)
    assert not thread.is_alive()


def test_cli_connects_reports_a_wrong_password_and_never_shows_it(
    tmp_path: Path, imap_server: ImapServer, smtp_server: SmtpServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    office = _office(imap_server, smtp_server)
    imap_server.deliver(office, _mail("b@voter.example", office.name, "Hi", "Hello there",
                                      "cli@voter.example"))
    url = f"sqlite:///{tmp_path / 'h.db'}"
    store = Store.open(url)
    create_workspace(store, "Riding 12")
    store.close()
    secret = tmp_path / "password"
    secret.write_text(office.password + "\n")
    runner = CliRunner()
    base = ["--db", url]
    outputs = []
    done = runner.invoke(app, [*base, "connect", "email", "-w", "Riding 12",
                               "--imap-host", imap_server.host, "--imap-port",
                               str(imap_server.port), "--imap-plain", "--smtp-host",
                               smtp_server.host, "--smtp-port", str(smtp_server.port),
                               "--smtp-plain", "--set", f"smtp_username={smtp_server.username}",
                               "--address", office.name, "--password-file", str(secret)])
    outputs.append(done.output)
    assert done.exit_code == 0, done.output
    done = runner.invoke(app, [*base, "sync", "-w", "Riding 12", "--once", "--json"])
    outputs.append(done.output)
    assert orjson.loads(done.stdout)["filed"] == 1
    # An answer leaves with the next sync, logging in to SMTP with the same password.
    store = Store.open(url)
    with store.begin() as conn:
        ws = conn.execute(select(inbox_items.c.workspace_id)).scalar_one()
    actor = Actor.system(ws)
    with store.begin() as conn:
        reply(conn, actor, _item_id(store, actor, "cli@voter.example"), "Hello to you.")
    store.close()
    before = len(smtp_server.received)
    done = runner.invoke(app, [*base, "sync", "-w", "Riding 12", "--once"])
    outputs.append(done.output)
    assert smtp_server.wait_for(before + 1)[-1]["In-Reply-To"] == "<cli@voter.example>"
    # The password is changed on the server: the connection says so, clearly.
    imap_server.add_user(office.name, "changed-" + uuid.uuid4().hex)
    # Dovecot re-reads a passwd-file whose mtime moved, checking at most once a second.
    entry = imap_server.users_dir / office.name
    os.utime(entry, (time.time() + 5, time.time() + 5))
    time.sleep(1.1)
    done = runner.invoke(app, [*base, "sync", "-w", "Riding 12", "--once"])
    outputs.append(done.output)
    assert done.exit_code == 1, done.output
    done = runner.invoke(app, [*base, "connections", "-w", "Riding 12", "--json"])
    outputs.append(done.output)
    health = orjson.loads(done.stdout)
    assert health["status"] == "error"
    assert health["last_error"].startswith(
        f"the IMAP server {imap_server.host} refused the password for {office.name}")

    store = Store.open(url)
    with store.begin() as conn:
        for table in inspect(conn).get_table_names():
            for row in conn.execute(text(f'SELECT * FROM "{table}"')):
                assert office.password not in repr(tuple(row)), table
    store.close()
    for shown in [*outputs, caplog.text]:
        assert office.password not in shown


class _DropAfterData:
    """A TCP proxy to the SMTP server that forwards the client's bytes up to ``marker`` (by
    default the end of the mail), then cuts the client off before the server's answer
    reaches it: a send whose outcome the sender cannot know. Only the first ``times``
    connections are cut."""

    def __init__(self, host: str, port: int, marker: bytes = b"\r\n.\r\n",
                 times: int = 1) -> None:
        self.target = (host, port)
        self.marker = marker
        self.times = times
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self.listener.getsockname()[1])
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._pipe, args=(client,), daemon=True).start()

    def _pipe(self, client: socket.socket) -> None:
        server = socket.create_connection(self.target)
        cutting = self.times > 0
        self.times -= 1
        cut = threading.Event()

        def down() -> None:  # server to client, until the mail is handed over
            for chunk in _chunks(server):
                if cut.is_set():
                    break
                client.sendall(chunk)
            client.close()

        threading.Thread(target=down, daemon=True).start()
        seen = b""
        for chunk in _chunks(client):
            server.sendall(chunk)
            seen = (seen + chunk)[-8:]
            if cutting and seen.lower().endswith(self.marker.lower()):
                cut.set()
                client.shutdown(socket.SHUT_RDWR)
                break
        time.sleep(2)
        server.close()

    def close(self) -> None:
        self.listener.close()


def _chunks(sock: socket.socket) -> Iterator[bytes]:
    while True:
        try:
            chunk = sock.recv(65536)
        except OSError:
            return
        if not chunk:
            return
        yield chunk
