"""A YouTube Data API v3 server on loopback that replays recorded responses.

The channel is "ikaros data" (``UCa-vrCLQHviTOVnEKDOdetQ``), whose comment threads were
recorded by python-youtube's tests (``../shared/data/fixtures/youtube-data-api``):
``comment_threads/comment_threads_all_to_me.json`` is what ``commentThreads.list`` with
``allThreadsRelatedToChannelId`` answers, and ``comments/comments_by_parent_paged_{1,2}``
the replies of thread ``Ugw5zYU6n9pmIgAZWvN4AaABAg``, two real pages joined by their real
``nextPageToken``. Hand-written, following the API reference and the recorded shapes: the
``channels.list?mine=true`` answer (the recorded ``channels/info.json`` with this channel's
id and name), the thread listing's own paging, the quota (every call costs its units;
past the day's, a 403 ``quotaExceeded`` envelope), ``comments.insert`` (shaped as the
recorded ``comments/insert_response.json``) and Google's OAuth token endpoint.
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

CHANNEL = "UCa-vrCLQHviTOVnEKDOdetQ"
PAGED = "Ugw5zYU6n9pmIgAZWvN4AaABAg"
QUOTA_EXCEEDED = json.dumps({"error": {
    "code": 403,
    "message": "The request cannot be completed because you have exceeded your quota.",
    "errors": [{"message": "The request cannot be completed because you have exceeded "
                "your quota.", "domain": "youtube.quota", "reason": "quotaExceeded"}],
}}).encode()
COSTS = {("GET", "/youtube/v3/channels"): 1, ("GET", "/youtube/v3/commentThreads"): 1,
         ("GET", "/youtube/v3/comments"): 1, ("POST", "/youtube/v3/comments"): 50}


def _load(folder: Path, name: str) -> dict[str, Any]:
    value: dict[str, Any] = json.loads((folder / name).read_text())
    return value


class YouTube:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.reset()

    def reset(self) -> None:
        f = self.folder
        self.threads: list[dict[str, Any]] = list(
            _load(f, "comment_threads/comment_threads_all_to_me.json")["items"])
        first = _load(f, "comments/comments_by_parent_paged_1.json")
        second = _load(f, "comments/comments_by_parent_paged_2.json")
        self.reply_pages = {None: first, first["nextPageToken"]: second}
        for thread in self.threads:  # the recorded replies exist: the thread says so
            if thread["id"] == PAGED:
                thread["snippet"]["totalReplyCount"] = len(first["items"]) + len(
                    second["items"])
        self.channel = _load(f, "channels/info.json")
        item = self.channel["items"][0]
        item["id"] = CHANNEL
        item["snippet"].update(title="ikaros data", customUrl="@ikarosdata")
        self.insert = _load(f, "comments/insert_response.json")
        self.posted: list[dict[str, Any]] = []
        self.tokens = {"good-token"}
        self.refresh = {"rt-good": "good-token"}
        self.quota = 10_000
        self.spent = 0
        self.faults: dict[str, deque[Fault]] = defaultdict(deque)
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self.lock = threading.Lock()
        self.serial = 0

    def comment(self, text: str, minutes_ago: float = 0.0) -> dict[str, Any]:
        """A new top-level comment on the channel's video, shaped as the recorded ones."""
        thread = copy.deepcopy(self.threads[0])
        with self.lock:
            self.serial += 1
            cid = f"UgzNew{self.serial:05d}AaABAg"
        when = time.strftime("%Y-%m-%dT%H:%M:%S.000Z",
                             time.gmtime(time.time() - minutes_ago * 60))
        thread["id"] = thread["snippet"]["topLevelComment"]["id"] = cid
        top = thread["snippet"]["topLevelComment"]["snippet"]
        top.update(textOriginal=text, textDisplay=text, publishedAt=when, updatedAt=when)
        self.threads.append(thread)
        return thread

    def inserts(self) -> int:
        return sum(1 for m, p, _ in self.requests if (m, p) == ("POST", "/youtube/v3/comments"))


class _Handler(ReplayHandler):
    state: YouTube

    def _handle(self, method: str) -> None:
        url = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        s = self.state
        with s.lock:
            s.requests.append((method, url.path, query))
        if url.path == "/token":
            self._token(parse_qs(body.decode()))
            return
        token = self.headers.get("Authorization", "").removeprefix("Bearer ")
        if token not in s.tokens:
            self._send(401, json.dumps({"error": {
                "code": 401, "status": "UNAUTHENTICATED",
                "message": "Request had invalid authentication credentials.",
                "errors": [{"reason": "authError", "domain": "global",
                            "message": "Invalid Credentials"}]}}).encode())
            return
        with s.lock:
            cost = COSTS.get((method, url.path), 1)
            over = s.spent + cost > s.quota
            s.spent += cost
        if over:
            self._send(403, QUOTA_EXCEEDED)
            return
        if method == "POST":
            self._post(json.loads(body or b"{}"))
            return
        if self._fault(url.path):
            return
        if url.path == "/youtube/v3/channels" and query.get("mine") == "true":
            self._json(s.channel)
        elif url.path == "/youtube/v3/commentThreads":
            self._threads(query)
        elif url.path == "/youtube/v3/comments":
            self._replies(query)
        else:
            self._send(404, b'{"error":{"code":404,"message":"Not Found","errors":[]}}')

    def _threads(self, query: dict[str, str]) -> None:
        s = self.state
        if query.get("allThreadsRelatedToChannelId") != CHANNEL:
            self._json({"kind": "youtube#commentThreadListResponse", "items": []})
            return
        ordered = sorted(s.threads, reverse=True, key=lambda t: t["snippet"][
            "topLevelComment"]["snippet"]["publishedAt"])
        start = int(query.get("pageToken", "0") or 0)
        size = int(query.get("maxResults", 20))
        page: dict[str, Any] = {
            "kind": "youtube#commentThreadListResponse",
            "pageInfo": {"totalResults": len(ordered), "resultsPerPage": size},
            "items": ordered[start:start + size],
        }
        if start + size < len(ordered):
            page["nextPageToken"] = str(start + size)
        self._json(page)

    def _replies(self, query: dict[str, str]) -> None:
        s = self.state
        parent = query.get("parentId")
        mine = [c for c in s.posted if c["snippet"]["parentId"] == parent]
        if parent == PAGED:
            page = copy.deepcopy(s.reply_pages.get(query.get("pageToken")) or {"items": []})
            if "nextPageToken" not in page:
                page["items"] += mine
            self._json(page)
        else:
            self._json({"kind": "youtube#commentListResponse", "items": mine})

    def _post(self, body: dict[str, Any]) -> None:
        s = self.state
        snippet = body.get("snippet") or {}
        comment = copy.deepcopy(s.insert)
        with s.lock:
            s.serial += 1
            comment["id"] = f"{snippet.get('parentId')}.9reply{s.serial:04d}"
        when = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        comment["snippet"].update(parentId=snippet.get("parentId"),
                                  textOriginal=snippet.get("textOriginal"),
                                  textDisplay=snippet.get("textOriginal"),
                                  publishedAt=when, updatedAt=when)
        s.posted.append(comment)
        if not self._fault("/youtube/v3/comments#insert"):
            self._json(comment)

    def _token(self, form: dict[str, list[str]]) -> None:
        refresh = (form.get("refresh_token") or [""])[0]
        access = self.state.refresh.get(refresh)
        if access is None or (form.get("grant_type") or [""])[0] != "refresh_token":
            self._send(400, json.dumps({"error": "invalid_grant",
                                        "error_description": "Token has been expired or "
                                        "revoked."}).encode())
            return
        self._json({"access_token": access, "expires_in": 3599, "token_type": "Bearer",
                    "scope": "https://www.googleapis.com/auth/youtube.force-ssl"})


class YouTubeServer:
    def __init__(self, folder: Path) -> None:
        self.state = YouTube(folder)
        handler = type("Handler", (_Handler,), {"state": self.state})
        self.httpd = QuietServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


__all__ = ["CHANNEL", "PAGED", "QUOTA_EXCEEDED", "YouTube", "YouTubeServer"]
