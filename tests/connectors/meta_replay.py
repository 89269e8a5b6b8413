"""A loopback Graph API (Facebook Pages, Instagram) and Threads API replaying responses.

Facebook and Instagram answers are the recorded ones in
``../shared/data/fixtures/meta-graph-api`` (pyfacebook's test data: real answers from
Meta's own public Pages), served as recorded except where a test needs what no recording
holds, each said where it is done:

* paging: the recordings' cursors were replaced by the words ``before``/``after``; the
  server cuts its lists into pages of the asked ``limit`` with cursors of its own;
* the post the recorded comments answer (``19292868552_10158407654328553``) was not
  recorded: it is written by hand, dated before its first comment;
* the recorded Messenger messages were sent to another Page (MyLife): the replay addresses
  them to the replayed Page;
* the recorded Instagram comments belong to a media outside the recorded media list: the
  replay serves them (and the recorded replies) under the media with comments;
* error envelopes other than the recorded ``(#100)`` one (190, 4, 17, 32, 613) are the
  recorded envelope with the documented code and message in its place.

Threads has no recording anywhere public: ``ThreadsState`` is written by hand from the
official reference (developers.facebook.com/docs/threads: ``/me``, ``/me/threads``,
``/{id}/conversation``, ``/me/mentions``, ``/me/threads_publish``, ``/me/replies``; cursor
pages without ``next``).

Faults are scripted per path (reusing ``replay.Fault``); every request is logged.
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

PAGE = "19292868552"
POST = f"{PAGE}_10158407654328553"
IG = "17841406338772941"
IG_MEDIA = "17896622936197745"
THREADS_ME = "7391000000000001"


def _load(folder: Path, name: str) -> Any:
    return json.loads((folder / name).read_text(encoding="utf-8"))


def error_envelope(folder: Path, code: int, message: str) -> bytes:
    """The recorded Graph error envelope with a documented code and message."""
    envelope = copy.deepcopy(_load(folder, "error.json"))
    envelope["error"]["code"] = code
    envelope["error"]["message"] = message
    return json.dumps(envelope).encode()


def _stamp(offset: float = 0.0) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S+0000", time.gmtime(time.time() + offset))


class MetaState:
    """Everything the server holds, reset per test."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.reset()

    def reset(self) -> None:
        f = self.folder
        fb = "facebook/apidata"
        self.page = {"id": PAGE, "name": "Facebook for Developers",
                     "username": "FacebookforDevelopers"}
        self.feed: list[dict[str, Any]] = [
            *_load(f, f"{fb}/posts/feeds_default_fields_p1.json")["data"],
            *_load(f, f"{fb}/posts/feeds_default_fields_p2.json")["data"],
        ]
        self.feed.insert(0, {  # hand-written: the post the recorded comments answer
            "id": POST, "created_time": "2021-08-10T17:00:00+0000",
            "message": "Ask us anything about the new Page experience.",
            "permalink_url": f"https://www.facebook.com/{PAGE}/posts/10158407654328553/",
        })
        self.comments: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.comments[POST] = [
            *_load(f, f"{fb}/comments/comments_p1.json")["data"],
            *_load(f, f"{fb}/comments/comments_p2.json")["data"],
        ]
        conversation = _load(f, f"{fb}/conversations/cvs_info.json")
        messages = list(_load(f, f"{fb}/messages/messages_info.json").values())
        for m in messages:
            m["to"] = {"data": [{"id": PAGE, "name": self.page["name"]}]}
        conversation["messages"] = {"data": sorted(messages, key=lambda m: m["created_time"],
                                                   reverse=True)}
        conversation["updated_time"] = max(m["created_time"] for m in messages)
        self.conversations: list[dict[str, Any]] = [conversation]
        self.live_videos = [*_load(f, f"{fb}/live_videos/live_videos_p1.json")["data"],
                            *_load(f, f"{fb}/live_videos/live_videos_p2.json")["data"]]
        # No live video's comments were recorded: the recorded post comments stand in
        # (the comments edge and its objects are the same for a post and a video).
        self.live_video = str(self.live_videos[0]["id"])
        self.live_status = "LIVE"
        self.comments[self.live_video] = copy.deepcopy(self.comments[POST])
        ig = "instagram/apidata"
        user = _load(f, f"{ig}/users/user_fields.json")
        self.ig_user = {**user, "id": IG}  # the id the recorded media were read for
        self.media: list[dict[str, Any]] = [
            *_load(f, f"{ig}/users/medias_p1.json")["data"],
            *_load(f, f"{ig}/users/medias_p2.json")["data"],
        ]
        comments = [*_load(f, f"{ig}/medias/comments_p1.json")["data"],
                    *_load(f, f"{ig}/medias/comments_p2.json")["data"]]
        comments[0]["replies"] = _load(f, f"{ig}/comments/replies.json")
        self.ig_comments: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.ig_comments[IG_MEDIA] = comments
        self.mentioned_comment = _load(f, f"{ig}/users/mentioned_comment.json")
        self.tokens = {"page-token"}
        self.faults: dict[str, deque[Fault]] = defaultdict(deque)
        self.requests: list[tuple[str, str, dict[str, str], dict[str, str]]] = []
        self.sent: list[tuple[str, dict[str, Any]]] = []
        self.lock = threading.Lock()
        self.next_id = 10158500000000000
        self.threads = ThreadsState()

    def new_id(self) -> str:
        with self.lock:
            self.next_id += 1
            return str(self.next_id)

    def add_comment(self, text: str, author: tuple[str, str] = ("3141592653", "Jo Voter"),
                    parent: str | None = None) -> dict[str, Any]:
        """A new comment on the post (hand-written, in the shape of the recorded ones)."""
        local = self.new_id()
        link = f"https://www.facebook.com/{PAGE}/posts/10158407654328553/?comment_id="
        link += f"{parent.split('_')[-1]}&reply_comment_id={local}" if parent else local
        comment = {"id": f"10158407654328553_{local}", "message": text,
                   "created_time": _stamp(), "from": {"id": author[0], "name": author[1]},
                   "permalink_url": link, "comment_count": 0, "like_count": 0}
        if parent:
            comment["parent"] = {"id": parent}
        self.comments[POST].append(comment)
        return comment

    def posts_sent(self) -> int:
        return len(self.sent)


class ThreadsState:
    """Hand-written Threads data, following the official API reference."""

    def __init__(self) -> None:
        self.me = {"id": THREADS_ME, "username": "riding12", "name": "Riding 12 Campaign"}
        self.own: list[dict[str, Any]] = [
            {"id": "18050000000000001", "text": "Town hall on Thursday: ask us anything.",
             "timestamp": "2026-12-01T18:00:00+0000", "media_type": "TEXT_POST",
             "username": "riding12", "is_reply": False,
             "permalink": "https://www.threads.net/@riding12/post/DA1"},
        ]
        self.conversation: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.conversation["18050000000000001"] = [
            {"id": "18050000000000101", "text": "Will you talk about the bus route?",
             "timestamp": "2026-12-01T18:05:00+0000", "media_type": "TEXT_POST",
             "username": "jo.voter", "is_reply": True,
             "replied_to": {"id": "18050000000000001"},
             "root_post": {"id": "18050000000000001"}},
        ]
        self.mentions: list[dict[str, Any]] = [
            {"id": "18050000000000201", "text": "@riding12 when is the next debate?",
             "timestamp": "2026-12-02T09:00:00+0000", "media_type": "TEXT_POST",
             "username": "sam.reader", "is_reply": False},
        ]
        self.containers: dict[str, dict[str, Any]] = {}
        self.published: list[dict[str, Any]] = []


class _Handler(ReplayHandler):
    state: MetaState

    def _handle(self, method: str) -> None:
        url = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        body: dict[str, Any] = {}
        if method == "POST":
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            body = json.loads(raw or b"{}")
        with self.state.lock:
            self.state.requests.append((method, url.path, dict(self.headers), query))
        token = self.headers.get("Authorization", "").removeprefix("Bearer ")
        if token not in self.state.tokens:
            self._send(400, error_envelope(
                self.state.folder, 190,
                "Error validating access token: Session has expired on Monday, "
                "07-Dec-26 10:00:00 PST."))
            return
        version, _, path = url.path.lstrip("/").partition("/")
        path = "/" + path
        if method == "POST":
            self._post(version, path, body)
            return
        if self._fault(path):
            return
        if version == "v1.0":
            self._threads(path, query)
        else:
            self._graph(path, query)

    def _page(self, items: list[Any], query: dict[str, str], with_next: bool = True) -> None:
        limit = int(query.get("limit", 25))
        start = int(query.get("after", "c0")[1:] or 0)
        chunk = items[start:start + limit]
        end = start + len(chunk)
        paging: dict[str, Any] = {"cursors": {"before": f"c{start}", "after": f"c{end}"}}
        if with_next and end < len(items):
            paging["next"] = f"http://graph.invalid{self.path}&after=c{end}"
        self._json({"data": chunk, "paging": paging} if chunk else {"data": []})

    def _graph(self, path: str, query: dict[str, str]) -> None:
        s = self.state
        fields = query.get("fields", "")
        if path == "/me":
            self._json(s.page)
        elif path == f"/{PAGE}/feed":
            self._page(s.feed, query)
        elif path.endswith("/comments") and path[1:-9] in s.comments:
            items = s.comments[path[1:-9]]
            if query.get("order") == "reverse_chronological":
                items = list(reversed(items))
            self._page(items, query)
        elif path.endswith("/comments") and path[1:-9] in s.ig_comments:
            self._page(s.ig_comments[path[1:-9]], query)
        elif path.endswith("/comments"):  # a comment's own comments: its replies
            replies = [c for cs in s.comments.values() for c in cs
                       if (c.get("parent") or {}).get("id") == path[1:-9]]
            if query.get("order") == "reverse_chronological":
                replies.reverse()
            self._page(replies, query)
        elif path == f"/{PAGE}/conversations":
            self._page(s.conversations, query)
        elif path == f"/{PAGE}/live_videos":
            self._page(s.live_videos, query)
        elif path == f"/{s.live_video}":
            self._json({"id": s.live_video, "status": s.live_status})
        elif path.startswith("/m_"):
            found = [m for c in s.conversations for m in c["messages"]["data"]
                     if m["id"] == path[1:]]
            self._json(found[0]) if found else self._send(404, error_envelope(
                s.folder, 100, "(#100) Object does not exist"))
        elif path == f"/{IG}" and "mentioned_comment" in fields:
            self._json(s.mentioned_comment)
        elif path == f"/{IG}":
            self._json(s.ig_user)
        elif path == f"/{IG}/media":
            self._page(s.media, query)
        elif path.endswith("/replies"):
            parent = path[1:-8]
            found = [r for cs in s.ig_comments.values() for c in cs
                     if c["id"] == parent for r in (c.get("replies") or {}).get("data", [])]
            self._json({"data": found})
        else:
            self._send(400, (s.folder / "base" / "error_data.json").read_bytes())

    def _post(self, version: str, path: str, body: dict[str, Any]) -> None:
        s = self.state
        with s.lock:
            s.sent.append((path, body))
        if version == "v1.0":
            self._threads_post(path, body)
            return
        if path.endswith("/comments"):
            parent = path[1:-9]
            made = s.add_comment(str(body.get("message")), (PAGE, s.page["name"]), parent)
            answer: dict[str, Any] = {"id": made["id"]}
        elif path == f"/{PAGE}/messages":
            mid = f"m_{s.new_id()}"
            recipient = body.get("recipient") or {}
            psid = recipient.get("id") or "2711636948859886"
            s.conversations[0]["messages"]["data"].insert(0, {
                "id": mid, "message": (body.get("message") or {}).get("text"),
                "created_time": _stamp(), "from": {"id": PAGE, "name": s.page["name"]},
                "to": {"data": [{"id": psid}]}})
            answer = {"recipient_id": psid, "message_id": mid}
        elif path.endswith("/replies"):
            parent = path[1:-8]
            reply = {"id": s.new_id(), "text": body.get("message"), "timestamp": _stamp(),
                     "username": s.ig_user["username"]}
            for c in s.ig_comments[IG_MEDIA]:
                if c["id"] == parent:
                    c.setdefault("replies", {"data": []})["data"].append(reply)
            answer = {"id": reply["id"]}
        else:
            self._send(400, (s.folder / "base" / "error_data.json").read_bytes())
            return
        if not self._fault(path):
            self._json(answer)

    def _threads(self, path: str, query: dict[str, str]) -> None:
        t = self.state.threads
        since = int(query["since"]) if "since" in query else None

        def newer(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
            from datetime import datetime

            def unix(i: dict[str, Any]) -> int:
                return int(datetime.strptime(i["timestamp"], "%Y-%m-%dT%H:%M:%S%z").timestamp())

            ordered = sorted(items, key=unix, reverse=True)
            return [i for i in ordered if since is None or unix(i) >= since]

        if path == "/me":
            self._json(t.me)
        elif path == "/me/threads":
            self._page(newer(t.own), query, with_next=False)
        elif path == "/me/mentions":
            self._page(newer(t.mentions), query, with_next=False)
        elif path == "/me/replies":
            self._page(newer([p for p in t.published if p.get("replied_to")]), query,
                       with_next=False)
        elif path.endswith("/conversation"):
            self._page(newer(t.conversation[path[1:-13]]), query, with_next=False)
        else:
            self._send(400, error_envelope(self.state.folder, 100, "Unsupported get request"))

    def _threads_post(self, path: str, body: dict[str, Any]) -> None:
        t = self.state.threads
        if path == "/me/threads":
            cid = self.state.new_id()
            t.containers[cid] = body
            answer = {"id": cid}
        elif path == "/me/threads_publish":
            container = t.containers.pop(str(body.get("creation_id")), None)
            if container is None:
                self._send(400, error_envelope(self.state.folder, 24,
                                               "The requested resource does not exist"))
                return
            post = {"id": self.state.new_id(), "text": container.get("text"),
                    "timestamp": _stamp(), "username": t.me["username"],
                    "media_type": "TEXT_POST"}
            if container.get("reply_to_id"):
                post["replied_to"] = {"id": container["reply_to_id"]}
                post["is_reply"] = True
                t.conversation[str(container["reply_to_id"])].append(post)
            t.published.append(post)
            answer = {"id": post["id"]}
        else:
            self._send(400, error_envelope(self.state.folder, 100, "Unsupported post"))
            return
        if not self._fault(path):
            self._json(answer)


class MetaServer:
    """The server on 127.0.0.1 in a thread, with its state."""

    def __init__(self, folder: Path) -> None:
        self.state = MetaState(folder)
        handler = type("Handler", (_Handler,), {"state": self.state})
        self.httpd = QuietServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


__all__ = ["IG", "IG_MEDIA", "PAGE", "POST", "THREADS_ME", "MetaServer", "MetaState",
           "error_envelope"]
