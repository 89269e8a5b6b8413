"""Write X messages as twarc2 writes full-archive search results: one raw API page a line.

Each campaign week is one ``twarc2 search --archive`` run, so each file holds pages newest
first, 100 tweets per page, with ``includes`` expanded the way the fields and expansions in
the recorded ``__twarc.url`` ask for: authors, mentioned and replied-to users, and every
referenced tweet. Links in text are t.co links with ``entities.urls`` expanding them, and a
retweet's text is the truncated ``RT @user: ...`` copy, as the v2 API returns them.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from hustings.demo._ids import iso_millis, token, x_status_id, x_user_id
from hustings.demo._model import Campaign, DemoAccount, DemoMessage, Kind, Platform, Role

__all__ = ["TWARC_VERSION", "write_x"]

TWARC_VERSION = "2.14.0"
_PAGE = 100
_EXPANSIONS = (
    "author_id,in_reply_to_user_id,referenced_tweets.id,referenced_tweets.id.author_id,"
    "entities.mentions.username"
)
_TWEET_FIELDS = (
    "author_id,conversation_id,created_at,entities,id,in_reply_to_user_id,lang,"
    "public_metrics,text,possibly_sensitive,referenced_tweets,reply_settings,source"
)
_USER_FIELDS = (
    "created_at,description,id,location,name,protected,public_metrics,url,username,verified"
)
_URL = re.compile(r"https?://\S+")
_MENTION = re.compile(r"(?<!\w)@(\w{1,15})")
_HASHTAG = re.compile(r"(?<!\w)#(\w+)")
_BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz"
_CLIENTS = ("Twitter for iPhone", "Twitter for Android", "Twitter Web App")


def _source(account: DemoAccount, flood: int) -> str:
    if account.index == flood:
        return "Hootsuite Inc."
    if account.role in (Role.PARTY, Role.STAFF, Role.MEDIA):
        return "TweetDeck Web App"
    return _CLIENTS[account.index % len(_CLIENTS)]


class _Tweets:
    """Builds tweet and user objects, caching users since each appears on many pages."""

    def __init__(self, campaign: Campaign, flood: int) -> None:
        self.campaign = campaign
        self.flood = flood
        self.accounts = campaign.accounts
        self.by_handle = {a.handle: a for a in campaign.accounts}
        self.replies: Counter[int] = Counter()
        self.reposts: Counter[int] = Counter()
        self.quotes: Counter[int] = Counter()
        self.tweeted: Counter[int] = Counter()
        for m in campaign.messages:
            if m.platform is not Platform.X:
                continue
            self.tweeted[m.author] += 1
            if m.parent is not None:
                self.replies[m.parent.seq] += 1
            if m.target is not None:
                counter = self.reposts if m.kind is Kind.REPOST else self.quotes
                counter[m.target.seq] += 1
        self.users: dict[int, dict[str, Any]] = {}

    def user(self, index: int) -> dict[str, Any]:
        cached = self.users.get(index)
        if cached is not None:
            return cached
        a = self.accounts[index]
        series = self.campaign.followers.get((Platform.X, index))
        followers = series[-1] if series else a.followers
        user = {
            "id": x_user_id(a),
            "username": a.handle,
            "name": a.name,
            "description": a.description if a.office is None else f"{a.office}. {a.description}",
            "created_at": iso_millis(a.created_at),
            "location": f"{a.riding}, Northland" if a.riding else "Northland",
            "protected": False,
            "verified": False,
            "url": "",
            "public_metrics": {
                "followers_count": followers,
                "following_count": 50 + (a.index * 7919) % 1500,
                "tweet_count": (a.followers * 3 + a.index * 37) % 40000 + self.tweeted[index],
                "listed_count": followers // 200,
            },
        }
        self.users[index] = user
        return user

    def text(self, m: DemoMessage) -> tuple[str, list[dict[str, Any]]]:
        """The displayed text with t.co links, and the ``entities.urls`` that expand them."""
        if m.kind is Kind.REPOST and m.target is not None:
            body, _ = self.text(m.target)
            text = f"RT @{self.accounts[m.target.author].handle}: {body}"
            if len(text) > 140:
                text = text[: text.rfind(" ", 0, 139)] + "…"
            return text, []
        expanded = list(_URL.findall(m.text))
        if m.kind is Kind.QUOTE and m.target is not None:
            quoted = self.accounts[m.target.author].handle
            expanded.append(f"https://twitter.com/{quoted}/status/{self.id(m.target)}")
        text = _URL.sub("", m.text).rstrip() if expanded else m.text
        urls = []
        for n, url in enumerate(expanded):
            short = f"https://t.co/{token(f'{m.seq}:{n}', 10)}"
            text = f"{text} {short}"
            urls.append({"url": short, "expanded_url": url, "display_url": url[8:][:26]})
        return text, urls

    @staticmethod
    def id(m: DemoMessage) -> str:
        return x_status_id(m.created_at, m.seq)

    def tweet(self, m: DemoMessage) -> dict[str, Any]:
        text, urls = self.text(m)
        entities: dict[str, Any] = {}
        for entity in urls:
            start = text.find(entity["url"])
            entities.setdefault("urls", []).append(
                {"start": start, "end": start + len(entity["url"]), **entity}
            )
        for match in _HASHTAG.finditer(text):
            entities.setdefault("hashtags", []).append(
                {"start": match.start(), "end": match.end(), "tag": match.group(1)}
            )
        for match in _MENTION.finditer(text):
            who = self.by_handle.get(match.group(1))
            if who is not None:
                entities.setdefault("mentions", []).append(
                    {
                        "start": match.start(),
                        "end": match.end(),
                        "username": who.handle,
                        "id": x_user_id(who),
                    }
                )
        tid = self.id(m)
        tweet: dict[str, Any] = {
            "id": tid,
            "edit_history_tweet_ids": [tid],
            "text": text,
            "author_id": x_user_id(self.accounts[m.author]),
            "created_at": iso_millis(m.created_at),
            "conversation_id": tid,
            "lang": "en",
            "source": _source(self.accounts[m.author], self.flood),
            "reply_settings": "everyone",
            "possibly_sensitive": False,
            "public_metrics": {
                "retweet_count": self.reposts[m.seq],
                "reply_count": self.replies[m.seq],
                "like_count": m.likes,
                "quote_count": self.quotes[m.seq],
            },
        }
        if entities:
            tweet["entities"] = entities
        if m.parent is not None:
            tweet["conversation_id"] = self.id(self._find_root(m))
            tweet["in_reply_to_user_id"] = x_user_id(self.accounts[m.parent.author])
            tweet["referenced_tweets"] = [{"type": "replied_to", "id": self.id(m.parent)}]
        elif m.target is not None:
            kind = "retweeted" if m.kind is Kind.REPOST else "quoted"
            tweet["referenced_tweets"] = [{"type": kind, "id": self.id(m.target)}]
            if m.kind is Kind.REPOST:
                tweet["public_metrics"]["retweet_count"] = self.reposts[m.target.seq]
        return tweet

    @staticmethod
    def _find_root(m: DemoMessage) -> DemoMessage:
        while m.parent is not None:
            m = m.parent
        return m

    def page(self, messages: Sequence[DemoMessage]) -> dict[str, Any]:
        data = [self.tweet(m) for m in messages]
        users: dict[str, dict[str, Any]] = {}
        referenced: dict[str, dict[str, Any]] = {}
        for m, tweet in zip(messages, data, strict=True):
            involved = [m.author, *(r.author for r in (m.parent, m.target) if r is not None)]
            for r in (m.parent, m.target):
                if r is not None and self.id(r) not in referenced:
                    referenced[self.id(r)] = self.tweet(r)
            for entity in tweet.get("entities", {}).get("mentions", []):
                involved.append(self.by_handle[entity["username"]].index)
            for index in involved:
                user = self.user(index)
                users.setdefault(user["id"], user)
        includes: dict[str, Any] = {"users": list(users.values())}
        if referenced:
            includes["tweets"] = list(referenced.values())
        meta = {"newest_id": data[0]["id"], "oldest_id": data[-1]["id"], "result_count": len(data)}
        return {"data": data, "includes": includes, "meta": meta}


def _pages(
    tweets: _Tweets, week: Iterable[DemoMessage], start: datetime, retrieved: datetime
) -> Iterable[dict[str, Any]]:
    newest_first = sorted(week, key=lambda m: m.seq, reverse=True)
    query = {
        "expansions": _EXPANSIONS,
        "tweet.fields": _TWEET_FIELDS,
        "user.fields": _USER_FIELDS,
        "query": "#northlandvotes OR #nlpoli OR #nlvotes2026 OR to:NorthlandCampaigns",
        "start_time": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "end_time": (start + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "max_results": str(_PAGE),
    }
    url = "https://api.twitter.com/2/tweets/search/all?" + urlencode(query)
    previous: str | None = None
    chunks = [newest_first[n : n + _PAGE] for n in range(0, len(newest_first), _PAGE)]
    for n, chunk in enumerate(chunks):
        page = tweets.page(chunk)
        if n + 1 < len(chunks):
            page["meta"]["next_token"] = token(f"{start}:{n}", 45, _BASE36)
        page_url = url if previous is None else f"{url}&next_token={previous}"
        previous = page["meta"].get("next_token")
        when = retrieved + timedelta(seconds=3 * n)
        page["__twarc"] = {
            "url": page_url,
            "version": TWARC_VERSION,
            "retrieved_at": when.isoformat(),
        }
        yield page


def write_x(campaign: Campaign, folder: Path, flood: int) -> tuple[list[Path], int]:
    """Write one JSON Lines file per campaign week; return the paths and the tweet count."""
    folder.mkdir(parents=True, exist_ok=True)
    tweets = _Tweets(campaign, flood)
    weeks: dict[int, list[DemoMessage]] = {}
    for m in campaign.messages:
        if m.platform is Platform.X:
            weeks.setdefault((m.created_at - campaign.start).days // 7, []).append(m)
    retrieved = campaign.end
    paths = []
    for week, messages in sorted(weeks.items()):
        path = folder / f"search-week-{week + 1}.jsonl"
        start = campaign.start + timedelta(days=7 * week)
        with path.open("w", encoding="utf-8") as out:
            when = retrieved - timedelta(seconds=len(weeks) - week)
            for page in _pages(tweets, messages, start, when):
                out.write(json.dumps(page) + "\n")
        paths.append(path)
    total = sum(len(v) for v in weeks.values())
    return paths, total
