"""E-mail: a workspace's address read over IMAP, answered over SMTP in the person's thread.

Reading. One folder (``INBOX`` by default) is read by UID, oldest first, a page of UIDs at a
time; the cursor is the folder's ``UIDVALIDITY`` and the last UID stored, so a sync killed
mid-way restarts after the last committed page. UIDs mean something only under one
``UIDVALIDITY``: when the server changes it (a rebuilt or restored mailbox), the folder is
read again from the start and the intake's idempotency on ``Message-ID`` keeps every mail
once; the cursor then carries a ``notice`` that the health page and ``hustings
connections`` show. Mails are fetched with ``BODY.PEEK[]``, so reading never marks them seen
for the people who also use the mailbox.

Every mail in the folder was delivered to the workspace's address (To, Cc, Bcc or a list),
so each one is inbound, first contact included: the address is added to the mail's mentions,
which is how the inbox knows a message is addressed to a tracked account. A mail without a
``Message-ID`` gets the importer's stable synthetic id (a digest of its headers and body,
``<digest>@hustings.invalid``).

Streaming. Where the server has ``IDLE`` (Dovecot does), ``stream`` waits in IDLE and
fetches what arrived; elsewhere it polls. It reports ``open`` first, after which the runner
pulls from the stored cursor, so nothing is missed between two connections.

Sending. An answer goes to the person's ``Reply-To`` (else ``From``) with ``In-Reply-To``
set to the mail answered and ``References`` its references plus it, so it lands in the
person's own thread. Its ``Message-ID`` is derived from the outbound row's idempotency key,
which is committed before the send: that id is known before the mail leaves. The envelope
also carries the workspace's own address, so an accepted mail comes back into its mailbox,
and the sent copy is appended to the Sent folder. ``find_sent`` looks for that Message-ID in
both: a send whose SMTP connection dropped after DATA (the server may have accepted it) is
found there and not sent again. Should it be retried anyway (the server had not accepted
it), the same Message-ID goes out, which mail clients treat as one mail.

The password arrives as a ``Secret``: it is revealed only to the IMAP ``LOGIN`` and SMTP
``AUTH`` calls, and no error message here carries it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import imaplib
import re
import smtplib
import time
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import format_datetime, getaddresses
from typing import Any, ClassVar

from imap_tools import BaseMailBox, MailBox, MailBoxUnencrypted
from imap_tools.errors import ImapToolsError, MailboxLoginError

from hustings.connectors.base import (
    Connector,
    ConnectorOptions,
    Cursor,
    Event,
    Identity,
    OutgoingReply,
    Page,
    Sent,
)
from hustings.errors import (
    ConfigError,
    CredentialsError,
    PlatformResponseError,
    PlatformUnavailableError,
    SendOutcomeUnknownError,
)
from hustings.hookspecs import hookimpl
from hustings.ingest.base import Parsed, Where
from hustings.ingest.email import PLATFORM, parse_mail

__all__ = ["EmailConnector", "EmailOptions", "register_connectors"]

_HEADERS = BytesParser(policy=policy.default)
_FETCHED_UID = re.compile(rb"UID (\d+)")
_SYNTHETIC = "@hustings.invalid"
_MAX_REFERENCES = 20
_NETWORK = (OSError, imaplib.IMAP4.error, imaplib.IMAP4.abort, ImapToolsError)


@dataclass(frozen=True, slots=True)
class EmailOptions(ConnectorOptions):
    """Where the mailbox is and how to reach it; the password is the secret.

    ``username`` logs in to IMAP (the address when unset), ``smtp_username`` to SMTP (the IMAP
    login when unset); ``smtp_login`` false sends without AUTH (a relay that trusts the
    network). ``sent_folder`` receives a copy of each answer (created when missing).
    ``idle`` false polls every ``poll_seconds`` even where the server has IDLE (a proxy
    that cuts idle connections)."""

    imap_host: str
    smtp_host: str
    address: str
    imap_port: int = 993
    imap_tls: bool = True
    smtp_port: int = 587
    smtp_starttls: bool = True
    smtp_login: bool = True
    folder: str = "INBOX"
    sent_folder: str = "Sent"
    username: str | None = None
    smtp_username: str | None = None
    page_size: int = 50
    timeout: float = 30.0
    idle: bool = True
    idle_seconds: float = 300.0
    poll_seconds: float = 60.0

    def __post_init__(self) -> None:
        if "@" not in self.address or any(c.isspace() for c in self.address):
            raise ConfigError(f"address must be an e-mail address: {self.address!r}")
        for name in ("imap_port", "smtp_port"):
            if not 0 < getattr(self, name) < 65536:
                raise ConfigError(f"{name} must be a port number (1-65535)")
        if self.page_size < 1:
            raise ConfigError("page_size must be at least 1")


def _mail_id(value: Any) -> str | None:
    found = re.findall(r"<([^<>\s]+)>", str(value)) if value is not None else []
    return found[0] if found else None


def _uids_of(data: list[Any]) -> list[tuple[int, bytes]]:
    """(UID, raw mail) pairs out of an imaplib ``UID FETCH (UID BODY.PEEK[])`` answer."""
    found = []
    for item in data:
        if isinstance(item, tuple) and len(item) == 2:
            uid = _FETCHED_UID.search(item[0])
            if uid is not None:
                found.append((int(uid.group(1)), bytes(item[1])))
    return sorted(found)


class EmailConnector(Connector):
    name: ClassVar[str] = "email"
    title: ClassVar[str] = "E-mail (IMAP and SMTP)"
    description: ClassVar[str] = (
        "Reads every mail delivered to a campaign address over IMAP (live with IDLE where the "
        "server has it) and sends answers over SMTP into the writer's own thread, with "
        "In-Reply-To and References, never twice."
    )
    platform: ClassVar[str] = PLATFORM
    server_setting: ClassVar[str] = "imap_host"
    Options: ClassVar[type[ConnectorOptions]] = EmailOptions
    requires: ClassVar[tuple[str, ...]] = (
        "IMAP and SMTP servers", "the address", "its password (or an app password)",
    )
    streams: ClassVar[bool] = True

    def __init__(self, options: ConnectorOptions, secret: Any, source: str) -> None:
        super().__init__(options, secret, source)
        assert isinstance(options, EmailOptions)
        self.opts = options
        self.address = options.address.strip().lower()

    # --- IMAP ---------------------------------------------------------------------------

    def _login(self) -> BaseMailBox:
        """A logged-in mailbox with the folder selected; errors in the connector tree."""
        opts = self.opts
        user = opts.username or opts.address
        try:
            box: BaseMailBox = (
                MailBox(opts.imap_host, opts.imap_port, timeout=opts.timeout)
                if opts.imap_tls
                else MailBoxUnencrypted(opts.imap_host, opts.imap_port, timeout=opts.timeout)
            )
        except _NETWORK as exc:
            raise PlatformUnavailableError(
                f"cannot reach the IMAP server {opts.imap_host}:{opts.imap_port}: "
                f"{type(exc).__name__}"
            ) from None
        try:
            box.login(user, self.secret.reveal(), initial_folder=None)
        except MailboxLoginError as exc:
            box.client.shutdown()
            reason = b" ".join(d for d in exc.command_result[1] if isinstance(d, bytes))
            raise CredentialsError(
                f"the IMAP server {opts.imap_host} refused the password for {user}: "
                f"{reason.decode(errors='replace') or 'login failed'}"
            ) from None
        except _NETWORK as exc:
            raise PlatformUnavailableError(
                f"the IMAP server {opts.imap_host} dropped the login: {type(exc).__name__}"
            ) from None
        try:
            box.folder.set(opts.folder)
        except _NETWORK:
            box.logout()
            raise ConfigError(f"the mailbox has no folder {opts.folder!r}") from None
        return box

    def authenticate(self) -> Identity:
        box = self._login()
        box.logout()
        return Identity(self.address, self.address, None)

    def _status(self, box: BaseMailBox) -> tuple[str, int]:
        status = box.folder.status(self.opts.folder, ["UIDVALIDITY", "UIDNEXT"])
        return str(status["UIDVALIDITY"]), int(status["UIDNEXT"])

    def _new_uids(self, box: BaseMailBox, after: int) -> list[int]:
        # "N:*" names the last mail even when its UID is below N: filter.
        return sorted(u for u in map(int, box.uids(f"UID {after + 1}:*")) if u > after)

    def _fetch(self, box: BaseMailBox, uids: list[int]) -> list[tuple[int, bytes]]:
        typ, data = box.client.uid("FETCH", ",".join(map(str, uids)), "(UID BODY.PEEK[])")
        if typ != "OK":
            raise PlatformResponseError(f"the IMAP server refused to fetch mails: {typ}")
        return _uids_of(data)

    def _parse(self, uid: int, raw: bytes, validity: str) -> Parsed:
        """One fetched mail, addressed to the workspace (its address among the mentions)."""
        unit = parse_mail(raw, Where(self.source, uid, "mail", f"{self.opts.folder}:{validity}"))
        messages = tuple(
            m if self.address in m.mentions or m.author_id == self.address
            else dataclasses.replace(m, mentions=(*m.mentions, self.address))
            for m in unit.messages
        )
        return dataclasses.replace(unit, messages=messages)

    def pull(self, cursor: Cursor) -> Iterator[Page]:
        cursor = dict(cursor)
        box = self._login()
        try:
            validity, _ = self._status(box)
            if cursor.get("uidvalidity") not in (None, validity):
                cursor["notice"] = (
                    f"UIDVALIDITY of {self.opts.folder} changed from {cursor['uidvalidity']} "
                    f"to {validity} on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC: the folder was "
                    "read again; mails already stored were kept once (by Message-ID)"
                )
                cursor["uid"] = "0"
            cursor["uidvalidity"] = validity
            uids = self._new_uids(box, int(cursor.get("uid", "0")))
            for start in range(0, len(uids), self.opts.page_size):
                chunk = uids[start : start + self.opts.page_size]
                units = tuple(self._parse(uid, raw, validity)
                              for uid, raw in self._fetch(box, chunk))
                cursor["uid"] = str(chunk[-1])
                yield Page(self.opts.folder, units, dict(cursor))
            if not uids:
                yield Page(self.opts.folder, (), dict(cursor))
        except _NETWORK as exc:
            raise PlatformUnavailableError(
                f"the IMAP server {self.opts.imap_host} dropped the connection: "
                f"{type(exc).__name__}"
            ) from None
        finally:
            _quietly_logout(box)

    def stream(self, cursor: Cursor, watch: Collection[str] = ()) -> Iterator[Event]:
        box = self._login()
        try:
            validity, uidnext = self._status(box)
            seen = uidnext - 1
            idle = self.opts.idle and b"IDLE" in b" ".join(
                c.encode() if isinstance(c, str) else c for c in box.client.capabilities
            )
            yield Event("open")
            while True:
                if idle:
                    box.idle.wait(timeout=self.opts.idle_seconds)
                else:
                    time.sleep(self.opts.poll_seconds)
                    box.client.noop()
                uids = self._new_uids(box, seen)
                if uids:
                    units = tuple(self._parse(uid, raw, validity)
                                  for uid, raw in self._fetch(box, uids))
                    seen = uids[-1]
                    yield Event("mail", units)
        except _NETWORK as exc:
            raise PlatformUnavailableError(
                f"the IMAP connection dropped ({type(exc).__name__}); reconnecting from the "
                "cursor"
            ) from None
        finally:
            _quietly_logout(box)

    # --- SMTP ---------------------------------------------------------------------------

    def _message_id(self, reply: OutgoingReply) -> str:
        return f"{reply.idempotency_key}@{self.address.rsplit('@', 1)[1]}"

    def _parent(self, box: BaseMailBox, key: str) -> EmailMessage:
        """The mail answered, read back from the folder (the connector holds no store)."""
        if not key.endswith(_SYNTHETIC):
            uids = [int(u) for u in box.uids(f'HEADER Message-ID "<{key}>"')]
            found = self._fetch(box, uids[-1:]) if uids else []
        else:  # no Message-ID upstream: find it by the same digest the importer made
            all_uids = [int(u) for u in box.uids("ALL")]
            found = []
            for start in range(0, len(all_uids), self.opts.page_size):
                batch = self._fetch(box, all_uids[start : start + self.opts.page_size])
                found += [(u, r) for u, r in batch
                          if any(m.platform_id == key for m in self._parse(u, r, "").messages)]
        if not found:
            raise PlatformResponseError(
                f"the mail answered ({key}) is no longer in {self.opts.folder}: answer it "
                "from a mail client"
            )
        mail = _HEADERS.parsebytes(found[-1][1], headersonly=True)
        assert isinstance(mail, EmailMessage)
        return mail

    def _compose(self, reply: OutgoingReply, parent: EmailMessage) -> EmailMessage:
        to = getaddresses([str(parent.get("Reply-To") or parent.get("From") or "")])
        to = [(n, a) for n, a in to if "@" in a and a.lower() != self.address]
        if not to:
            raise PlatformResponseError("the mail answered has no sender address to answer")
        mail = EmailMessage()
        mail["From"] = self.opts.address
        mail["To"] = ", ".join(f"{n} <{a}>" if n else a for n, a in to)
        subject = " ".join(str(parent.get("Subject") or "").split())
        mail["Subject"] = subject if subject.lower().startswith("re:") else f"Re: {subject}"
        mail["Date"] = format_datetime(datetime.now(UTC))
        mail["Message-ID"] = f"<{self._message_id(reply)}>"
        if reply.in_reply_to_id and not reply.in_reply_to_id.endswith(_SYNTHETIC):
            parent_id = f"<{reply.in_reply_to_id}>"
            refs = re.findall(r"<[^<>\s]+>", str(parent.get("References") or ""))
            if not refs and _mail_id(parent.get("In-Reply-To")):
                refs = [f"<{_mail_id(parent.get('In-Reply-To'))}>"]
            chain = [r for r in refs if r != parent_id] + [parent_id]
            mail["In-Reply-To"] = parent_id
            mail["References"] = " ".join(chain[:1] + chain[1:][-(_MAX_REFERENCES - 1):])
        mail.set_content(reply.text)
        return mail

    def _smtp(self) -> smtplib.SMTP:
        opts = self.opts
        try:
            smtp = smtplib.SMTP(opts.smtp_host, opts.smtp_port, timeout=opts.timeout)
            if opts.smtp_starttls:
                smtp.starttls()
            if opts.smtp_login:
                user = opts.smtp_username or opts.username or opts.address
                smtp.login(user, self.secret.reveal())
        except smtplib.SMTPAuthenticationError as exc:
            raise CredentialsError(
                f"the SMTP server {opts.smtp_host} refused the password: {exc.smtp_code}"
            ) from None
        except (smtplib.SMTPException, OSError) as exc:
            raise PlatformUnavailableError(
                f"cannot send through the SMTP server {opts.smtp_host}:{opts.smtp_port}: "
                f"{type(exc).__name__}"
            ) from None
        return smtp

    def send(self, reply: OutgoingReply) -> Sent:
        if reply.in_reply_to_id is None:  # e-mail answers; it does not broadcast
            raise PlatformResponseError("e-mail sends replies only, not new posts")
        box = self._login()
        try:
            mail = self._compose(reply, self._parent(box, reply.in_reply_to_id))
        except _NETWORK as exc:
            raise PlatformUnavailableError(
                f"the IMAP server dropped the connection: {type(exc).__name__}"
            ) from None
        finally:
            _quietly_logout(box)
        raw = bytes(mail)
        recipients = [a for _, a in getaddresses([str(mail["To"])])] + [self.address]
        self._transmit(raw, recipients)
        self._keep_copy(raw)
        return self._sent(raw)

    def _transmit(self, raw: bytes, recipients: list[str]) -> None:
        """Hand one mail to the SMTP server; an unknown outcome says so."""
        smtp = self._smtp()
        try:
            _check(smtp.mail(self.opts.address), "MAIL FROM")
            for rcpt in recipients:
                _check(smtp.rcpt(rcpt), f"RCPT TO {rcpt}")
            try:
                _check(smtp.data(raw), "DATA")
            except (smtplib.SMTPServerDisconnected, OSError) as exc:
                raise SendOutcomeUnknownError(
                    f"the SMTP connection dropped after the mail was handed over "
                    f"({type(exc).__name__}): it may have left; checked before any retry"
                ) from None
        except SendOutcomeUnknownError:
            raise  # a TimeoutError, hence an OSError: not "before it was handed over"
        except smtplib.SMTPResponseException as exc:
            _check((exc.smtp_code, exc.smtp_error), "the mail")
            raise
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            raise PlatformUnavailableError(
                f"the SMTP server {self.opts.smtp_host} dropped the connection before the "
                f"mail was handed over: {type(exc).__name__}"
            ) from None
        finally:
            _quietly_quit(smtp)

    def send_notice(self, to: str, subject: str, body: str, key: str) -> str:
        """Send a new mail (an alert, a digest) from the workspace's address to ``to``; its
        Message-ID comes from ``key`` (the outbound row's idempotency key), so
        ``find_sent`` finds it after a send whose outcome is unknown. Returns that id."""
        mail = EmailMessage()
        mail["From"] = self.opts.address
        mail["To"] = to
        mail["Subject"] = " ".join(subject.split())
        mail["Date"] = format_datetime(datetime.now(UTC))
        message_id = f"{key}@{self.address.rsplit('@', 1)[1]}"
        mail["Message-ID"] = f"<{message_id}>"
        mail.set_content(body)
        raw = bytes(mail)
        self._transmit(raw, [a for _, a in getaddresses([to]) if "@" in a])
        self._keep_copy(raw)
        return message_id

    def _keep_copy(self, raw: bytes) -> None:
        """The sent copy in the Sent folder; a failure here does not unsend the mail."""
        try:
            box = self._login()
        except (CredentialsError, PlatformUnavailableError, ConfigError):
            return
        try:
            if not box.folder.exists(self.opts.sent_folder):
                box.folder.create(self.opts.sent_folder)
            box.append(raw, self.opts.sent_folder, flag_set=["\\Seen"])
        except _NETWORK:
            pass
        finally:
            _quietly_logout(box)

    def _sent(self, raw: bytes) -> Sent:
        unit = parse_mail(raw, Where(self.source, 0, "mail", self.opts.sent_folder))
        if not unit.messages:
            reason = unit.quarantined[0].reason if unit.quarantined else "nothing"
            raise PlatformResponseError(f"the answer could not be read back: {reason}")
        return Sent(unit.messages[0].platform_id, (unit,))

    def find_sent(self, reply: OutgoingReply) -> Sent | None:
        wanted = self._message_id(reply)
        box = self._login()
        try:
            folders = [self.opts.sent_folder, self.opts.folder]
            for folder in folders:
                if not box.folder.exists(folder):
                    continue
                box.folder.set(folder)
                uids = [int(u) for u in box.uids(f'HEADER Message-ID "<{wanted}>"')]
                for _, raw in self._fetch(box, uids[:1]) if uids else []:
                    return self._sent(raw)
            return None
        except _NETWORK as exc:
            raise PlatformUnavailableError(
                f"cannot look for the sent answer over IMAP: {type(exc).__name__}"
            ) from None
        finally:
            _quietly_logout(box)


def _check(answer: tuple[int, bytes | str], step: str) -> None:
    code, text = answer
    if 200 <= code < 400:
        return
    shown = text.decode(errors="replace") if isinstance(text, bytes) else text
    reason = f"the SMTP server refused {step}: {code} {shown}"
    if code >= 500:
        raise PlatformResponseError(reason)
    raise PlatformUnavailableError(reason)


def _quietly_logout(box: BaseMailBox) -> None:
    with contextlib.suppress(*_NETWORK):
        box.logout()


def _quietly_quit(smtp: smtplib.SMTP) -> None:
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()


@hookimpl
def register_connectors() -> list[type[Connector]]:
    return [EmailConnector]
