"""Write Mastodon messages as arrays of API ``Status`` entities, one file per campaign week.

The statuses are what ``GET /api/v1/timelines/...`` and ``/api/v1/statuses/:id`` return on
the fictional server ``social.northland.example``: HTML ``content`` with h-card mentions and
hashtag links, ``in_reply_to_id`` threads, ``visibility: direct`` for DMs (Mastodon has DMs
in the same entity, unlike X's search), reblogs wrapping the original status and 4.5-style
quotes. Accounts on other servers have ``acct`` ``user@host`` as they do when federated.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from pathlib import Path
from typing import Any

import orjson

from hustings.demo._ids import iso_millis, mastodon_account_id, mastodon_status_id
from hustings.demo._model import MASTODON_HOST, Campaign, DemoMessage, Kind, Platform

__all__ = ["write_mastodon"]

_TOKEN = re.compile(r"(https?://\S+)|(?<!\w)@(\w+)|(?<!\w)#(\w+)")
_MISSING = f"https://{MASTODON_HOST}/avatars/original/missing.png"


class _Statuses:
    def __init__(self, campaign: Campaign) -> None:
        self.campaign = campaign
        self.accounts = campaign.accounts
        self.by_handle = {a.handle: a for a in campaign.accounts}
        self.replies: Counter[int] = Counter()
        self.reblogs: Counter[int] = Counter()
        self.quotes: Counter[int] = Counter()
        self.posted: Counter[int] = Counter()
        for m in campaign.messages:
            if m.platform is not Platform.MASTODON:
                continue
            self.posted[m.author] += 1
            if m.parent is not None:
                self.replies[m.parent.seq] += 1
            if m.target is not None:
                counter = self.reblogs if m.kind is Kind.REPOST else self.quotes
                counter[m.target.seq] += 1
        self.cache: dict[int, dict[str, Any]] = {}

    def account(self, index: int) -> dict[str, Any]:
        cached = self.cache.get(index)
        if cached is not None:
            return cached
        a = self.accounts[index]
        local = a.mastodon_host == MASTODON_HOST
        series = self.campaign.followers.get((Platform.MASTODON, index))
        note = a.description if a.office is None else f"{a.office}. {a.description}"
        account = {
            "id": mastodon_account_id(a),
            "username": a.handle,
            "acct": a.handle if local else f"{a.handle}@{a.mastodon_host}",
            "display_name": a.name,
            "locked": False,
            "bot": False,
            "discoverable": True,
            "group": False,
            "created_at": iso_millis(a.created_at.replace(hour=0, minute=0, second=0)),
            "note": f"<p>{html.escape(note)}</p>",
            "url": f"https://{a.mastodon_host}/@{a.handle}",
            "uri": f"https://{a.mastodon_host}/users/{a.handle}",
            "avatar": _MISSING,
            "avatar_static": _MISSING,
            "header": _MISSING.replace("avatars", "headers"),
            "header_static": _MISSING.replace("avatars", "headers"),
            "followers_count": series[-1] if series else max(1, a.followers // 5),
            "following_count": 30 + (a.index * 7919) % 600,
            "statuses_count": (a.followers + a.index * 13) % 3000 + self.posted[index],
            "last_status_at": self.campaign.end.date().isoformat(),
            "emojis": [],
            "fields": [],
        }
        self.cache[index] = account
        return account

    def content(self, m: DemoMessage) -> tuple[str, list[dict[str, str]], list[dict[str, str]]]:
        """HTML content as Mastodon renders it, with the ``mentions`` and ``tags`` it holds."""
        mentions: list[dict[str, str]] = []
        tags: list[dict[str, str]] = []

        def link(match: re.Match[str]) -> str:
            url, handle, tag = match.groups()
            if url:
                return f'<a href="{url}" rel="nofollow noopener" target="_blank">{url}</a>'
            if tag:
                href = f"https://{MASTODON_HOST}/tags/{tag.lower()}"
                tags.append({"name": tag.lower(), "url": href})
                return f'<a href="{href}" class="mention hashtag" rel="tag">#<span>{tag}</span></a>'
            who = self.by_handle.get(handle)
            if who is None:
                return match.group(0)
            info = self.account(who.index)
            mentions.append(
                {"id": info["id"], "username": who.handle, "url": info["url"], "acct": info["acct"]}
            )
            return (
                f'<span class="h-card" translate="no"><a href="{info["url"]}" '
                f'class="u-url mention">@<span>{who.handle}</span></a></span>'
            )

        body = _TOKEN.sub(link, html.escape(m.text, quote=False))
        return f"<p>{body}</p>", mentions, tags

    def status(self, m: DemoMessage) -> dict[str, Any]:
        author = self.account(m.author)
        sid = mastodon_status_id(m.created_at, m.seq)
        host = self.accounts[m.author].mastodon_host
        content, mentions, tags = ("", [], []) if m.kind is Kind.REPOST else self.content(m)
        status: dict[str, Any] = {
            "id": sid,
            "created_at": iso_millis(m.created_at),
            "in_reply_to_id": None,
            "in_reply_to_account_id": None,
            "sensitive": False,
            "spoiler_text": "",
            "visibility": "direct" if m.kind is Kind.DM else "public",
            "language": "en",
            "uri": f"https://{host}/users/{author['username']}/statuses/{sid}",
            "url": f"{author['url']}/{sid}",
            "replies_count": self.replies[m.seq],
            "reblogs_count": self.reblogs[m.seq],
            "favourites_count": m.likes,
            "quotes_count": self.quotes[m.seq],
            "edited_at": None,
            "content": content,
            "reblog": None,
            "application": None,
            "account": author,
            "media_attachments": [],
            "mentions": mentions,
            "tags": tags,
            "emojis": [],
            "quote": None,
            "card": None,
            "poll": None,
        }
        if m.parent is not None:
            status["in_reply_to_id"] = mastodon_status_id(m.parent.created_at, m.parent.seq)
            status["in_reply_to_account_id"] = self.account(m.parent.author)["id"]
        if m.kind is Kind.REPOST and m.target is not None:
            status["reblog"] = self.status(m.target)
            status["uri"] += "/activity"
        elif m.kind is Kind.QUOTE and m.target is not None:
            quoted = self.status(m.target)
            inline = (
                f'<p class="quote-inline">RE: <a href="{quoted["url"]}">{quoted["url"]}</a></p>'
            )
            status["content"] = inline + content
            status["quote"] = {"state": "accepted", "quoted_status": quoted}
        return status


def write_mastodon(campaign: Campaign, folder: Path) -> tuple[list[Path], int]:
    """Write one JSON array per campaign week, newest first as timelines are paged."""
    folder.mkdir(parents=True, exist_ok=True)
    statuses = _Statuses(campaign)
    weeks: dict[int, list[DemoMessage]] = {}
    for m in campaign.messages:
        if m.platform is Platform.MASTODON:
            weeks.setdefault((m.created_at - campaign.start).days // 7, []).append(m)
    paths = []
    for week, messages in sorted(weeks.items()):
        path = folder / f"statuses-week-{week + 1}.json"
        array = [statuses.status(m) for m in sorted(messages, key=lambda m: -m.seq)]
        path.write_bytes(orjson.dumps(array))
        paths.append(path)
    return paths, sum(len(v) for v in weeks.values())
