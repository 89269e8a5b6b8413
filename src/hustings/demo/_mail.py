"""Write the campaign's email as one standard mbox, built with the stdlib ``email`` package.

The mailbox is what a monitoring inbox subscribed to every party list, plus the parties'
spokesperson inboxes, would hold: newsletters with ``List-Id`` and ``List-Unsubscribe``,
citizens writing to ``spokesperson@`` (some replying to a newsletter), and staff answers,
all threaded with ``Message-ID``, ``In-Reply-To`` and ``References``. ``mailbox.mbox``
writes the ``From `` separator lines we give it and escapes body lines that start with
``From``; handing it bytes avoids its deep copy of every message.
"""

from __future__ import annotations

import hashlib
import mailbox
import time
from datetime import timedelta, timezone
from email.charset import QP, Charset
from email.message import Message
from email.policy import compat32
from email.utils import format_datetime, formataddr
from pathlib import Path

from hustings.demo._cast import PARTIES, RIDINGS
from hustings.demo._model import Campaign, DemoAccount, DemoMessage, Kind, Platform, Role

__all__ = ["write_mbox"]

_WEST = frozenset(RIDINGS[::2])
_EAST_ZONE = timezone(timedelta(hours=-4))
_WEST_ZONE = timezone(timedelta(hours=-5))
_DOMAINS = {p.code: p.domain for p in PARTIES}
# The compat32 ``Message`` is several times faster than ``EmailMessage`` at building
# headers, and a demo run writes thousands of messages.
_POLICY = compat32.clone(linesep="\n")
_UTF8 = Charset("utf-8")
_UTF8.body_encoding = QP


def _plain(account: DemoAccount) -> str:
    return account.name.removesuffix(" (synthetic)")


def _address(account: DemoAccount, *, list_sender: bool = False) -> tuple[str, str]:
    """``(display name, address)``; a party writes as its list or as its spokesperson."""
    domain = _DOMAINS.get(account.party or "", "mail.example")
    if account.role is Role.PARTY:
        if list_sender:
            return account.name, f"news@{domain}"
        return f"Campaign spokesperson, {account.name}", f"spokesperson@{domain}"
    return account.name, account.email or f"{account.handle.lower()}@mail.example"


def _message_id(m: DemoMessage, sender: str, seed: int) -> str:
    digest = hashlib.blake2b(f"{seed}:{m.seq}".encode(), digest_size=6).hexdigest()
    return f"<{m.seq}.{digest}@{sender.partition('@')[2]}>"


def _build(campaign: Campaign, m: DemoMessage, ids: dict[int, str]) -> bytes:
    """The message as bytes that start with its ``From `` line, which ``mbox.add`` keeps."""
    accounts = campaign.accounts
    author = accounts[m.author]
    name, sender = _address(author, list_sender=m.kind is Kind.NEWSLETTER)
    msg = Message()
    zone = _WEST_ZONE if author.riding in _WEST else _EAST_ZONE
    msg["Date"] = format_datetime(m.created_at.astimezone(zone))
    msg["From"] = formataddr((name, sender))
    if m.kind is Kind.NEWSLETTER:
        domain = sender.partition("@")[2]
        msg["To"] = formataddr((f"{author.name} supporters", f"supporters@lists.{domain}"))
        msg["Reply-To"] = formataddr(_address(author))
        msg["List-Id"] = f"{_plain(author)} supporters <supporters.lists.{domain}>"
        msg["List-Unsubscribe"] = (
            f"<mailto:leave-supporters@lists.{domain}>, <https://{domain}/unsubscribe>"
        )
        msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        msg["Precedence"] = "bulk"
    elif m.recipient is not None:
        msg["To"] = formataddr(_address(accounts[m.recipient]))
    msg["Subject"] = m.subject or "(no subject)"
    msg["Message-ID"] = _message_id(m, sender, campaign.seed)
    ids[m.seq] = msg["Message-ID"]
    if m.parent is not None:
        chain = []
        node: DemoMessage | None = m.parent
        while node is not None:
            chain.append(ids[node.seq])
            node = node.parent
        msg["In-Reply-To"] = chain[0]
        msg["References"] = " ".join(reversed(chain))
    msg["X-Synthetic"] = "Hustings demo data, Northland general election 2026 (fictional)"
    msg["MIME-Version"] = "1.0"
    msg.set_payload(m.text, charset=_UTF8)
    stamp = time.asctime(time.gmtime(m.created_at.timestamp()))
    return f"From {sender} {stamp}\n".encode() + msg.as_bytes(policy=_POLICY)


def write_mbox(campaign: Campaign, path: Path) -> int:
    """Write every email message in time order; return how many were written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    box = mailbox.mbox(path, create=True)
    ids: dict[int, str] = {}
    count = 0
    try:
        box.lock()
        for m in campaign.messages:
            if m.platform is Platform.EMAIL:
                box.add(_build(campaign, m, ids))
                count += 1
        box.flush()
    finally:
        box.unlock()
        box.close()
    return count
