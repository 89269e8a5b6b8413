"""An X API v2 server on loopback that replays recorded responses, for the X connector.

The account is @BleacherReport (id 890891), and everything it reads is real recorded X
data from ``../shared/data/fixtures``:

* ``x-api-v2-twarc/withheld.jsonl`` (a v2 tweet lookup with every field and expansion,
  2021): its 11 posts that mention @BleacherReport are the mentions timeline, with the
  ``includes`` the real API sent beside them;
* ``x-api-v2-twarc/brexit.jsonl`` (recent search for ``#brexit``) is the hashtag search;
* ``x-api-tweepy/test_asyncclient_manage_and_lookup_direct_messages.json``: the DM events
  recorded by tweepy's tests. Those were requested without fields, so ``sender_id``,
  ``created_at`` and ``dm_conversation_id`` are added here as the API reference describes
  them (hand-written, and said so), and the conversation is moved to our account.

Pagination (``max_results``, ``pagination_token``/``next_token``, ``since_id``), rate-limit
headers (``x-rate-limit-*``), ``POST /2/tweets`` and DM sends are served as the API
reference describes. Faults are scripted per path, as in ``replay.py``.
"""

from __future__ import annotations

import copy
import json
import threading
import time
from collections import defaultdict, deque
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.connectors.replay import Fault, QuietServer, ReplayHandler

ME = "890891"
OTHER = "750362064426721281"
USAGE_CAPPED = json.dumps({  # X's words, as reported in xdevplatform/xdk#25 (2026-02-07)
    "account_id": "1", "product_name": "standard-basic", "title": "UsageCapExceeded",
    "period": "Monthly", "scope": "Product",
    "detail": "Usage cap exceeded: Monthly product cap",
    "type": "https://api.twitter.com/2/problems/usage-capped",
}).encode()


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


class X:
    """The server's state: our account, what it can read, what it sent."""

    def __init__(self, data: Path) -> None:
        self.data = data
        self.reset()

    def reset(self) -> None:
        twarc, tweepy = self.data / "x-api-v2-twarc", self.data / "x-api-tweepy"
        self.users: dict[str, dict[str, Any]] = {}
        self.tweets: dict[str, dict[str, Any]] = {}
        self.included: dict[str, dict[str, Any]] = {}
        universe: list[dict[str, Any]] = []
        for page in _lines(twarc / "withheld.jsonl") + _lines(twarc / "brexit.jsonl"):
            for user in page.get("includes", {}).get("users", []):
                self.users.setdefault(user["id"], user)
            for tweet in page.get("includes", {}).get("tweets", []):
                self.included.setdefault(tweet["id"], tweet)
        for page in _lines(twarc / "withheld.jsonl"):
            universe += page["data"]
        self.me = self.users[ME]
        self.mentions = sorted(
            (t for t in universe
             if any(m.get("username") == self.me["username"]
                    for m in t.get("entities", {}).get("mentions", []))),
            key=lambda t: int(t["id"]),
        )
        self.search = {"brexit": [
            t for t in _lines(twarc / "brexit.jsonl")[0]["data"]
            if not any(r["type"] == "retweeted" for r in t.get("referenced_tweets", []))
        ]}
        recorded = json.loads(
            (tweepy / "test_asyncclient_manage_and_lookup_direct_messages.json").read_text()
        )
        events = recorded[4]["response"]["body"]["data"]
        self.conversation = f"{OTHER}-{ME}"
        self.dm_events: list[dict[str, Any]] = []
        for n, event in enumerate(sorted(events, key=lambda e: int(e["id"]))):
            self.dm_events.append({**event, "sender_id": OTHER,
                                   "created_at": f"2022-10-28T02:0{n}:00.000Z",
                                   "dm_conversation_id": self.conversation})
        self.own: list[dict[str, Any]] = []
        self.tokens = {"good-token"}
        self.oauth1 = {("ck", "at")}
        self.faults: dict[str, deque[Fault]] = defaultdict(deque)
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self.lock = threading.Lock()
        self.next_id = 1_600_000_000_000_000_000

    def mention(self, text: str) -> dict[str, Any]:
        """A new mention of our account, shaped as the recorded ones."""
        tweet = copy.deepcopy(self.mentions[0])
        with self.lock:
            self.next_id += 1
            tweet["id"] = tweet["conversation_id"] = str(self.next_id)
        tweet.pop("referenced_tweets", None)
        tweet.pop("in_reply_to_user_id", None)
        tweet["text"] = f"@{self.me['username']} {text}"
        tweet["entities"] = {"mentions": [{"start": 0, "end": 15,
                                           "username": self.me["username"], "id": ME}]}
        self.mentions.append(tweet)
        return tweet

    def posts(self) -> int:
        return sum(1 for m, p, _ in self.requests if m == "POST" and p == "/2/tweets")


class _Handler(ReplayHandler):
    state: X

    def _extra_headers(self) -> dict[str, str]:
        return {"x-rate-limit-limit": "450", "x-rate-limit-remaining": "449",
                "x-rate-limit-reset": str(int(time.time()) + 900)}

    def _authorised(self) -> bool:
        header = self.headers.get("Authorization", "")
        if header.startswith("Bearer ") and header[7:] in self.state.tokens:
            return True
        if header.startswith("OAuth ") and any(
            f'oauth_consumer_key="{ck}"' in header and f'oauth_token="{at}"' in header
            for ck, at in self.state.oauth1
        ):
            return True
        self._send(401, json.dumps({"title": "Unauthorized", "type": "about:blank",
                                    "status": 401, "detail": "Unauthorized"}).encode())
        return False

    def _handle(self, method: str) -> None:
        url = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        body = b""
        if method == "POST":
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        with self.state.lock:
            self.state.requests.append((method, url.path, query))
        if not self._authorised():
            return
        s = self.state
        if method == "POST":
            self._post(url.path, json.loads(body or b"{}"))
            return
        if self._fault(url.path):
            return
        if url.path == "/2/users/me":
            self._json({"data": s.me})
        elif url.path == f"/2/users/{ME}/mentions":
            self._page(query, s.mentions)
        elif url.path == f"/2/users/{ME}/tweets":
            own = s.own
            if "start_time" in query:
                own = [t for t in own if t["created_at"] >= query["start_time"]]
            self._page(query, own)
        elif url.path == "/2/tweets/search/recent":
            tag = query.get("query", "").split()[0].lstrip("#").lower()
            self._page(query, s.search.get(tag, []), token="next_token")
        elif url.path in ("/2/dm_events", f"/2/dm_conversations/{s.conversation}/dm_events"):
            self._page(query, s.dm_events, includes=False)
        else:
            self._send(404, json.dumps({"title": "Not Found Error", "type":
                                        "https://api.twitter.com/2/problems/resource-not-found",
                                        "detail": f"no route {url.path}"}).encode())

    def _page(self, query: dict[str, str], items: list[dict[str, Any]],
              token: str = "pagination_token", includes: bool = True) -> None:
        """Newest first, ``max_results`` a page, only what is above ``since_id``."""
        ordered = sorted(items, key=lambda t: int(t["id"]), reverse=True)
        if "since_id" in query:
            ordered = [t for t in ordered if int(t["id"]) > int(query["since_id"])]
        start = int(query.get(token, "0") or 0)
        size = int(query.get("max_results", 10))
        page = ordered[start:start + size]
        meta: dict[str, Any] = {"result_count": len(page)}
        if page:
            meta.update(newest_id=page[0]["id"], oldest_id=page[-1]["id"])
        if start + size < len(ordered):
            meta["next_token"] = str(start + size)
        out: dict[str, Any] = {"meta": meta}
        if page:
            out["data"] = page
        if includes and page:
            out["includes"] = self._includes(page)
        self._json(out)

    def _includes(self, page: list[dict[str, Any]]) -> dict[str, Any]:
        s = self.state
        users: dict[str, Any] = {}
        tweets: dict[str, Any] = {}
        for tweet in page:
            wanted = [tweet.get("author_id"), tweet.get("in_reply_to_user_id")]
            wanted += [m.get("id") for m in tweet.get("entities", {}).get("mentions", [])]
            for ref in tweet.get("referenced_tweets", []):
                found = s.included.get(ref["id"])
                if found is not None:
                    tweets[ref["id"]] = found
                    wanted.append(found.get("author_id"))
            for uid in wanted:
                if uid in s.users:
                    users[uid] = s.users[uid]
        out: dict[str, Any] = {"users": list(users.values())}
        if tweets:
            out["tweets"] = list(tweets.values())
        return out

    def _post(self, path: str, body: dict[str, Any]) -> None:
        s = self.state
        with s.lock:
            s.next_id += 1
            new_id = str(s.next_id)
        now = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())
        if path == "/2/tweets":
            parent = (body.get("reply") or {}).get("in_reply_to_tweet_id")
            tweet = {"id": new_id, "text": body.get("text", ""), "author_id": ME,
                     "created_at": now, "conversation_id": parent or new_id,
                     "edit_history_tweet_ids": [new_id]}
            if parent:
                tweet["referenced_tweets"] = [{"type": "replied_to", "id": parent}]
            s.own.append(tweet)
            if not self._fault(path):
                self._json({"data": {"id": new_id, "text": tweet["text"],
                                     "edit_history_tweet_ids": [new_id]}}, 201)
            return
        if path == f"/2/dm_conversations/{s.conversation}/messages":
            s.dm_events.append({"id": new_id, "event_type": "MessageCreate",
                                "text": body.get("text", ""), "sender_id": ME,
                                "created_at": now, "dm_conversation_id": s.conversation})
            if not self._fault(path):
                self._json({"data": {"dm_conversation_id": s.conversation,
                                     "dm_event_id": new_id}}, 201)
            return
        self._send(404, b'{"title":"Not Found Error"}')


class XServer:
    """The server on 127.0.0.1 in a thread, with its state."""

    def __init__(self, data: Path) -> None:
        self.state = X(data)
        handler = type("Handler", (_Handler,), {"state": self.state})
        self.httpd = QuietServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


__all__ = ["ME", "OTHER", "USAGE_CAPPED", "X", "XServer"]
