"""Import e-mail: mbox archives and single ``.eml`` files, one message per mail.

Each mail becomes a direct ``email`` message keyed by its ``Message-ID``; ``In-Reply-To``
gives a message-level reply and the first ``References`` id the thread root, so mail
threads get depths like any other conversation. Decisions worth knowing:

- Every ``To`` and ``Cc`` address is a mention (lower-cased), whether or not the mail
  replies to anything: a constituent's first mail to a campaign address is addressed to it
  as surely as a reply is, and the inbox and the audit find what is addressed to a tracked
  account by its mentions. ``reply_to_account_id`` stays the first ``To`` of a reply only,
  so a campaign's own first mails (newsletters) are not counted as replies.

- A mail without a ``Message-ID`` is kept, under a stable id derived from a digest of its
  sender, recipients, date, subject and body (``<digest>@hustings.invalid``): a constituent
  whose mail client left the header out still deserves an answer, and a re-import of the
  same bytes yields the same id. Nothing can reply to it by id, which is also true upstream.
- A mail without a usable ``Date``, or with a date that has no zone (``-0000``), is
  quarantined unless ``assume_timezone`` is given: guessing would skew response times.
- Newsletters (``List-Id``, ``List-Unsubscribe`` or ``Precedence: bulk|list|junk``) are
  still messages; ``client`` is set to ``list:<list id>`` (``list:bulk`` when there is no
  ``List-Id``) so that they can be told apart from personal mail. Other mail has no client.
- The text is the ``text/plain`` part, else the HTML part reduced to text; charsets are
  decoded by name, falling back to UTF-8 and then Windows-1252, never raising.

An mbox is read message by message in constant memory: a message starts at a line
beginning ``From `` that opens the file or follows a blank line (mboxo and mboxrd; lines
quoted as ``>From `` are unquoted). Its position is the line number of that ``From `` line.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from datetime import datetime
from email import policy
from email.errors import MessageError
from email.headerregistry import Address
from email.message import EmailMessage
from email.message import Message as MimePart
from email.parser import BytesParser
from html.parser import HTMLParser
from typing import BinaryIO

from hustings.hookspecs import hookimpl
from hustings.ingest.base import Importer, Parsed, Sample, Where
from hustings.ingest.readers import (
    MAX_DOCUMENT_BYTES,
    RecordError,
    extract_urls,
    iter_lines,
    parse_time,
    quarantined,
)
from hustings.model import Account, Message, MessageKind, RawRef, ReplyLink, Visibility
from hustings.store.bounds import clean_text

__all__ = ["EmlImporter", "MboxImporter", "parse_mail", "register_importers"]

PLATFORM = "email"
MAX_MAIL_BYTES = 64 * 1024 * 1024
MAX_MULTIPART_SECTIONS = 100
_MULTIPART = re.compile(rb"(?im)^content-type:\s*multipart/")
_MSG_ID = re.compile(r"<([^<>\s]+)>")
_HEADER_LINE = re.compile(rb"^[!-9;-~]+:[ \t]")
_MBOX_QUOTED = re.compile(rb"^>+From ")
_BULK = frozenset({"bulk", "list", "junk"})
_BLOCK_TAGS = frozenset({"p", "br", "div", "li", "tr", "h1", "h2", "h3", "h4", "blockquote"})
# The stdlib parser raises these on malformed headers and bodies it cannot make sense of.
_MAIL_ERRORS = (MessageError, LookupError, IndexError, UnicodeError, ValueError, TypeError)
_PARSER = BytesParser(policy=policy.default)


class _TextOfHtml(HTMLParser):
    """The visible text of an HTML body: scripts and styles dropped, blocks on new lines."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._hidden += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    parser = _TextOfHtml()
    parser.feed(html)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    return "\n".join(line for line in lines if line)


def _clean(text: str) -> str:
    """Text safe to store: undecodable header bytes re-read as UTF-8 or Windows-1252, and
    NULs replaced by U+FFFD as the store replaces them (``hustings.store.bounds``)."""
    if re.search("[\udc80-\udcff]", text):
        raw = text.encode("utf-8", "surrogateescape")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("cp1252", "replace")
    return clean_text(text)


def _decode(payload: bytes, charset: str | None) -> str:
    if charset:
        try:
            return payload.decode(charset, "replace")
        except LookupError:
            pass
    try:
        return payload.decode("utf-8")
    except UnicodeDecodeError:
        return payload.decode("cp1252", "replace")


def _part_text(part: MimePart) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    return _decode(payload, part.get_content_charset())


def body_text(mail: EmailMessage) -> str:
    """The plain-text body, else the HTML body as text, else an empty string."""
    part = mail.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    text = _part_text(part)
    if part.get_content_subtype() == "html":
        text = html_to_text(text)
    return _clean(text).strip()


def _ids(value: object) -> list[str]:
    return _MSG_ID.findall(str(value)) if value is not None else []


def _addresses(mail: EmailMessage, *names: str) -> list[Address]:
    """The usable addresses of the headers ``names``, in order."""
    found = []
    for name in names:
        header = mail.get(name)
        for address in getattr(header, "addresses", ()) if header is not None else ():
            if address.addr_spec and "@" in address.addr_spec:
                found.append(address)
    return found


def _first_address(mail: EmailMessage, name: str) -> Address | None:
    return next(iter(_addresses(mail, name)), None)


def _list_client(mail: EmailMessage) -> str | None:
    list_ids = _ids(mail.get("List-Id"))
    if list_ids:
        return f"list:{list_ids[0]}"
    precedence = str(mail.get("Precedence") or "").strip().lower()
    if mail.get("List-Unsubscribe") is not None or precedence in _BULK:
        return "list:bulk"
    return None


def _check_sections(raw: bytes) -> None:
    """Refuse a mail of more multipart sections than any person sends, before parsing it.

    The stdlib parser takes time quadratic in the nesting of multipart sections and
    recurses once per level: 900 nested levels took 6 s, and 5,000 raised ``RecursionError``.
    """
    sections = len(_MULTIPART.findall(raw))
    if sections > MAX_MULTIPART_SECTIONS:
        raise RecordError(
            f"unreadable mail: {sections:,} multipart MIME sections, more than the "
            f"{MAX_MULTIPART_SECTIONS} any real mail has (parts nested to crash mail readers)"
        )


class _MailReader:
    """Turns the bytes of one mail into a ``Parsed`` unit; shared by mbox and eml."""

    def __init__(self, source: str, unit: str, assume_timezone: str | None) -> None:
        self.source = source
        self.unit = unit
        self.assume = assume_timezone

    def read(self, raw: bytes, position: int) -> Parsed:
        try:
            _check_sections(raw)
            mail = _PARSER.parsebytes(raw)
            assert isinstance(mail, EmailMessage)
            message = self._message(mail, raw, position)
        except RecordError as exc:
            reason = str(exc)
        except _MAIL_ERRORS as exc:
            reason = f"unreadable mail: {type(exc).__name__}: {exc}"
        except RecursionError:
            reason = "unreadable mail: MIME parts nested too deeply (parts inside parts)"
        else:
            account = Account(
                platform=PLATFORM,
                platform_id=message.author_id,
                handle=message.author_id,
                display_name=message.author_handle
                if message.author_handle != message.author_id
                else None,
            )
            return Parsed(position=position, messages=(message,), accounts=(account,))
        bad = quarantined(self.source, position, self.unit, reason, raw)
        return Parsed(position=position, quarantined=(bad,))

    def _time(self, mail: EmailMessage) -> datetime:
        header = mail.get("Date")
        when = getattr(header, "datetime", None) if header is not None else None
        if not isinstance(when, datetime):
            shown = _clean(str(header)) if header is not None else None
            raise RecordError("no Date header" if shown is None else f"unreadable Date {shown!r}")
        if when.utcoffset() is None and self.assume is None:
            raise RecordError(f"Date {_clean(str(header))!r} has no time zone")
        return parse_time(when.isoformat(), assume=self.assume)

    def _message(self, mail: EmailMessage, raw: bytes, position: int) -> Message:
        sender = _first_address(mail, "From")
        if sender is None:
            raise RecordError("no sender address in From")
        created = self._time(mail)
        text = body_text(mail)
        subject = _clean(str(mail.get("Subject") or "")).strip() or None
        own = _ids(mail.get("Message-ID"))
        message_id = own[0] if own else _derived_id(mail, text)
        parent = next(iter(_ids(mail.get("In-Reply-To"))), None)
        references = _ids(mail.get("References"))
        recipient = _first_address(mail, "To") if parent else None
        addressed = _addresses(mail, "To", "Cc")
        language = _clean(str(mail.get("Content-Language") or "")).strip()[:16] or None
        return Message(
            platform=PLATFORM,
            platform_id=_clean(message_id),
            author_id=_clean(sender.addr_spec).lower(),
            author_handle=_clean(sender.display_name or sender.addr_spec),
            created_at=created,
            text=text,
            kind=MessageKind.EMAIL,
            visibility=Visibility.DIRECT,
            reply_to_id=_clean(parent) if parent else None,
            reply_to_account_id=_clean(recipient.addr_spec).lower() if recipient else None,
            reply_to_handle=_clean(recipient.display_name or recipient.addr_spec)
            if recipient
            else None,
            reply_link=ReplyLink.MESSAGE if parent else None,
            conversation_id=_clean((references or [parent or message_id])[0]),
            mentions=tuple(dict.fromkeys(_clean(a.addr_spec).lower() for a in addressed)),
            urls=extract_urls(text),
            language=language,
            client=_list_client(mail),
            subject=subject,
            raw=RawRef(source=self.source, position=position, unit=self.unit),
        )


def _derived_id(mail: EmailMessage, text: str) -> str:
    """A stable stand-in for a missing Message-ID: same mail bytes, same id."""
    digest = hashlib.blake2b(digest_size=16)
    for name in ("From", "To", "Date", "Subject"):
        digest.update(_clean(str(mail.get(name) or "")).encode() + b"\x00")
    digest.update(text.encode())
    return f"{digest.hexdigest()}@hustings.invalid"


def _looks_like_headers(head: bytes) -> bool:
    lines = head.replace(b"\r\n", b"\n").split(b"\n\n", 1)[0].split(b"\n")
    names = {line.split(b":", 1)[0].strip().lower() for line in lines if _HEADER_LINE.match(line)}
    return b"from" in names and bool(names & {b"date", b"message-id", b"received", b"subject"})


class MboxImporter(Importer):
    name = "mbox"
    title = "Mailbox (mbox)"
    description = (
        "Reads an mbox mail archive message by message into direct e-mail messages with "
        "reply and thread links from In-Reply-To and References, and one account per sender."
    )
    platform = PLATFORM

    def sniff(self, sample: Sample) -> int:
        if not sample.head.startswith(b"From "):
            return 0
        body = sample.head.split(b"\n", 1)[1] if b"\n" in sample.head else b""
        if _looks_like_headers(body):
            return 95
        return 40 if sample.suffix == ".mbox" else 0

    def parse(self, stream: BinaryIO, source: str) -> Iterator[Parsed]:
        reader = _MailReader(source, "line", self.options.assume_timezone)
        start = 0
        chunks: list[bytes] = []
        size = 0
        previous_blank = True
        for number, line in iter_lines(stream):
            if line is not None and line.startswith(b"From ") and previous_blank:
                if start:
                    yield self._finish(reader, chunks, size, start)
                start, chunks, size = number, [], 0
            elif start:
                if line is None or size > MAX_MAIL_BYTES:
                    size = MAX_MAIL_BYTES + 1
                else:
                    chunks.append(line[1:] if _MBOX_QUOTED.match(line) else line)
                    size += len(line)
            previous_blank = line is not None and not line.strip()
        if start:
            yield self._finish(reader, chunks, size, start)

    @staticmethod
    def _finish(reader: _MailReader, chunks: list[bytes], size: int, start: int) -> Parsed:
        if size > MAX_MAIL_BYTES:
            reason = f"mail larger than {MAX_MAIL_BYTES} bytes"
            return Parsed(
                position=start, quarantined=(quarantined(reader.source, start, "line", reason),)
            )
        return reader.read(b"".join(chunks), start)

    def parse_value(self, value: object, where: Where) -> Parsed:
        """One raw RFC 822 mail (bytes), as read from an mbox or fetched over IMAP."""
        return parse_mail(value, where, self.options.assume_timezone)


class EmlImporter(Importer):
    name = "eml"
    title = "E-mail file (.eml)"
    description = (
        "Reads one e-mail file (RFC 5322, as saved by mail clients) into a direct e-mail "
        "message with its reply and thread links, and an account for the sender."
    )
    platform = PLATFORM

    def sniff(self, sample: Sample) -> int:
        if sample.head.startswith(b"From ") or not _looks_like_headers(sample.head):
            return 0
        return 95 if sample.suffix == ".eml" else 70

    def parse(self, stream: BinaryIO, source: str) -> Iterator[Parsed]:
        raw = stream.read(MAX_DOCUMENT_BYTES + 1)
        if len(raw) > MAX_DOCUMENT_BYTES:
            reason = f"mail larger than {MAX_DOCUMENT_BYTES} bytes"
            yield Parsed(position=1, quarantined=(quarantined(source, 1, "document", reason),))
            return
        yield self.parse_value(raw, Where(source, 1, "document"))

    def parse_value(self, value: object, where: Where) -> Parsed:
        """One raw RFC 822 mail (bytes): a saved ``.eml`` file or a mail fetched over IMAP
        (the e-mail connector), so files and the live mailbox share this parser."""
        return parse_mail(value, where, self.options.assume_timezone)


def parse_mail(value: object, where: Where, assume_timezone: str | None = None) -> Parsed:
    """The units of one raw mail; anything but bytes is quarantined, not raised."""
    if not isinstance(value, bytes | bytearray):
        reason = f"a mail must be raw bytes, not {type(value).__name__}"
        bad = quarantined(where.source, where.position, where.unit, reason, str(value)[:200])
        return Parsed(position=where.position, quarantined=(bad,))
    return _MailReader(where.source, where.unit, assume_timezone).read(bytes(value),
                                                                       where.position)


@hookimpl
def register_importers() -> list[type[Importer]]:
    return [MboxImporter, EmlImporter]
