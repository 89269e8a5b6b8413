"""A small Mastodon 4.x server on loopback that replays recorded API responses.

It serves the responses recorded in ``../shared/data/fixtures/mastodon`` (Mastodon.py's
cassettes, Mastodon 4.6.4) plus hand-written ones that follow the API reference: paginated
``min_id`` feeds with ``Link`` headers, ``X-RateLimit-*`` headers, ``Idempotency-Key`` on
``POST /api/v1/statuses``, the user stream as Server-Sent Events. Faults are scripted per
path (a 429, a 5xx, malformed JSON, an HTML page, a slow answer, a blocked request), and
every request is logged so tests can count what reached the platform.

Only this network edge is fake: Hustings runs unchanged against it over real HTTP.
"""

from __future__ import annotations

import copy
import json
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

HOST = "localhost:3000"  # the recorded server: its accounts' URLs name it


@dataclass
class Fault:
    """What to answer instead of the real response, once."""

    status: int = 200
    body: bytes = b""
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    block: threading.Event | None = None
    reached: threading.Event | None = None


def _load(folder: Path, name: str) -> list[dict[str, Any]]:
    return json.loads((folder / name).read_text())


class Mastodon:
    """The server's state: one account (``mastodonpy_test``) and what others sent it."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.reset()

    def reset(self) -> None:
        conv = _load(self.folder, "conversations_direct.json")
        notes = _load(self.folder, "notifications_mention.json")
        typed = _load(self.folder, "notifications_types_mention.json")
        tags = _load(self.folder, "timeline_hashtag.json")
        self.me = next(
            a for c in conv[2]["response"]["body"] for a in [c["last_status"]["account"],
                                                             *c["accounts"]]
            if a["acct"] == "mastodonpy_test"
        )
        self.other = notes[1]["response"]["body"][0]["account"]  # admin
        self.notifications: list[dict[str, Any]] = [
            *notes[1]["response"]["body"],
            *typed[1]["response"]["body"],
        ]
        self.conversations: list[dict[str, Any]] = list(conv[2]["response"]["body"])
        self.tag: list[dict[str, Any]] = list(tags[2]["response"]["body"])
        self.statuses: dict[str, dict[str, Any]] = {}
        for n in self.notifications:
            self.statuses[n["status"]["id"]] = n["status"]
        for c in self.conversations:
            self.statuses[c["last_status"]["id"]] = c["last_status"]
        self.own: list[dict[str, Any]] = []
        self.tokens = {"good-token"}
        self.faults: dict[str, deque[Fault]] = defaultdict(deque)
        self.streams: deque[list[bytes | None]] = deque()
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self.queries: list[tuple[str, str, dict[str, str]]] = []
        self.idempotency: dict[str, dict[str, Any]] = {}
        self.lock = threading.Lock()
        self.next_id = 117030000000000000

    # --- hand-written data following the API reference -------------------------------

    def mention(self, number: int, text: str) -> dict[str, Any]:
        """A new mention of our account by ``admin``: a status and its notification."""
        template = copy.deepcopy(self.notifications[0])
        status = template["status"]
        status["id"] = str(117020600000000000 + number)
        status["uri"] = f"http://{HOST}/ap/users/{self.other['id']}/statuses/{status['id']}"
        status["url"] = f"http://{HOST}/@admin/{status['id']}"
        status["content"] = (
            '<p><span class="h-card"><a href="http://localhost:3000/@mastodonpy_test" '
            f'class="u-url mention">@<span>mastodonpy_test</span></a></span> {text}</p>'
        )
        template["id"] = str(100 + number)
        template["group_key"] = f"ungrouped-{template['id']}"
        self.statuses[status["id"]] = status
        return template

    def add_mentions(self, count: int, start: int = 1) -> list[dict[str, Any]]:
        made = [self.mention(n, f"question number {n}?") for n in range(start, start + count)]
        self.notifications.extend(made)
        return made

    def post_count(self) -> int:
        return sum(1 for m, p, _ in self.requests if m == "POST" and p == "/api/v1/statuses")


def sse(event: str, value: Any) -> bytes:
    return f"event: {event}\ndata: {json.dumps(value)}\n\n".encode()


class ReplayHandler(BaseHTTPRequestHandler):
    """What every loopback platform server shares: quiet logs, JSON answers with the
    platform's usual headers (:meth:`_extra_headers`), injected faults, and one
    ``_handle(method)`` per server for its routes."""

    protocol_version = "HTTP/1.1"
    state: Any

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def _extra_headers(self) -> dict[str, str]:
        """Headers the platform puts on every answer (rate-limit counters)."""
        return {}

    def _send(self, status: int, body: bytes, content_type: str = "application/json",
              headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in {**self._extra_headers(), **(headers or {})}.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _json(self, value: Any, status: int = 200,
              headers: dict[str, str] | None = None) -> None:
        self._send(status, json.dumps(value).encode(), headers=headers)

    def _fault(self, path: str) -> bool:
        """Play the next fault queued for ``path``; True when it answered in its place."""
        with self.state.lock:
            queue = self.state.faults.get(path)
            fault = queue.popleft() if queue else None
        if fault is None:
            return False
        if fault.reached is not None:
            fault.reached.set()
        if fault.block is not None:
            fault.block.wait(30)
        if fault.delay:
            time.sleep(fault.delay)
        if fault.status == 0:
            return False  # only a delay or a block: then answer normally
        self._send(fault.status, fault.body, fault.content_type, fault.headers)
        return True

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def _handle(self, method: str) -> None:
        raise NotImplementedError


class _Handler(ReplayHandler):
    state: Mastodon

    def _extra_headers(self) -> dict[str, str]:
        return {"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "299"}

    def _authorised(self) -> bool:
        token = self.headers.get("Authorization", "").removeprefix("Bearer ")
        if token in self.state.tokens:
            return True
        self._send(401, b'{"error":"The access token is invalid"}')
        return False

    def _handle(self, method: str) -> None:
        url = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        body = b""
        if method == "POST":
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        with self.state.lock:
            self.state.requests.append((method, url.path, dict(self.headers)))
            self.state.queries.append((method, url.path, query))
        if not self._authorised():
            return
        if url.path == "/api/v1/streaming/user":
            self._stream()
            return
        if method == "POST" and url.path == "/api/v1/statuses":
            self._post(json.loads(body or b"{}"))
            return
        if self._fault(url.path):
            return
        s = self.state
        if url.path == "/api/v1/accounts/verify_credentials":
            self._json(s.me)
        elif url.path == "/api/v1/notifications":
            self._page(url.path, query, s.notifications, lambda n: n["id"])
        elif url.path == "/api/v1/conversations":
            self._page(url.path, query, s.conversations, lambda c: c["last_status"]["id"])
        elif url.path == "/api/v1/timelines/tag/hoot":
            self._page(url.path, query, s.tag, lambda t: t["id"])
        elif url.path.startswith("/api/v1/statuses/"):
            found = s.statuses.get(url.path.rsplit("/", 1)[-1])
            if found is None:
                self._send(404, b'{"error":"Record not found"}')
            else:
                self._json(found)
        elif url.path == f"/api/v1/accounts/{s.me['id']}/statuses":
            self._json(list(reversed(s.own))[: int(query.get("limit", 20))])
        else:
            self._send(404, b'{"error":"Record not found"}')

    def _page(self, path: str, query: dict[str, str], items: list[Any], key: Any) -> None:
        """``min_id`` paging as Mastodon does it: the page just above ``min_id``, newest
        first, with ``Link`` headers to the next older and newer pages."""
        limit = int(query.get("limit", 20))
        ordered = sorted(items, key=lambda i: int(key(i)))
        if "min_id" in query:
            page = [i for i in ordered if int(key(i)) > int(query["min_id"])][:limit]
        else:
            page = ordered[-limit:]
        page.reverse()
        headers = {}
        if page:
            base = f"http://{self.headers.get('Host')}{path}"
            headers["Link"] = (
                f'<{base}?max_id={key(page[-1])}&limit={limit}>; rel="next", '
                f'<{base}?min_id={key(page[0])}&limit={limit}>; rel="prev"'
            )
        self._json(page, headers=headers)

    def _post(self, params: dict[str, Any]) -> None:
        s = self.state
        key = self.headers.get("Idempotency-Key")
        with s.lock:
            if key and key in s.idempotency:
                status = s.idempotency[key]
            else:
                s.next_id += 1
                parent = s.statuses.get(str(params.get("in_reply_to_id")))
                status = copy.deepcopy(parent) if parent else {}
                status.update(
                    id=str(s.next_id),
                    created_at=time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime()),
                    in_reply_to_id=params.get("in_reply_to_id"),
                    in_reply_to_account_id=parent["account"]["id"] if parent else None,
                    visibility=params.get("visibility", "public"),
                    content=f"<p>{params.get('status', '')}</p>",
                    account=s.me,
                    uri=f"http://{HOST}/ap/users/{s.me['id']}/statuses/{s.next_id}",
                    url=f"http://{HOST}/@mastodonpy_test/{s.next_id}",
                    mentions=[],
                    tags=[],
                    reblog=None,
                    quote=None,
                )
                s.own.append(status)
                s.statuses[status["id"]] = status
                if key:
                    s.idempotency[key] = status
        if not self._fault("/api/v1/statuses"):
            self._json(status)

    def _stream(self) -> None:
        """One scripted stream: chunks, then ``None`` to cut the connection mid-stream."""
        with self.state.lock:
            script = self.state.streams.popleft() if self.state.streams else [None]
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for chunk in script:
            if chunk is None:
                self.wfile.flush()
                self.close_connection = True
                return  # dropped: no terminating chunk
            if isinstance(chunk, float):
                time.sleep(chunk)
                continue
            self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
            self.wfile.flush()
        self.wfile.write(b"0\r\n\r\n")
        self.close_connection = True


class QuietServer(ThreadingHTTPServer):
    """A threading server that does not print a traceback when a client hangs up.

    Connectors close a stream or a connect check early on purpose; the standard
    server would print the resulting BrokenPipeError to stderr, which a CLI test
    captures beside the command's own output.
    """

    def handle_error(self, request: Any, client_address: Any) -> None:
        import sys

        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class ReplayServer:
    """The server running on 127.0.0.1 in a thread, with its state."""

    def __init__(self, folder: Path) -> None:
        self.state = Mastodon(folder)
        handler = type("Handler", (_Handler,), {"state": self.state})
        self.httpd = QuietServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


__all__ = ["HOST", "Fault", "Mastodon", "QuietServer", "ReplayHandler", "ReplayServer", "sse"]
