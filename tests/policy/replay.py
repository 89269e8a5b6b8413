"""A loopback web server replaying real press feeds and pages, and a month of real releases.

``/saved/<file>`` serves the saved feeds and listing pages of
``announcements/press-release-rss-feeds`` byte for byte (RSS 0.92 without dates, non-RFC
dates, relative links). ``/party/<D|R|I>.xml`` is an RSS 2.0 feed of the real releases of
``announcements/us-congress-press-releases`` published by the server's clock (``now``; the
newest ``window`` of them), each linking to ``/release/<n>``, an HTML page with its real text.
Faults are state: a path that breaks (HTTP 500), a feed that moved (301), a release edited
(new text) or deleted (404, and gone from the feed). Only this network edge is fake.
"""

from __future__ import annotations

import html
import json
import threading
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

PARTIES = {"D": "Democrat", "R": "Republican", "I": "Independent"}


@dataclass
class Release:
    n: int
    party: str
    member: str
    title: str
    text: str
    url: str
    published_at: datetime


def published(record: dict[str, Any]) -> datetime:
    """A release's time: its real date, at a time of day fixed by its URL (the set has
    dates only), between 13:00 and 23:00 UTC (a US office day)."""
    day = datetime.combine(datetime.fromisoformat(record["date"]).date(), time(13), UTC)
    return day + timedelta(minutes=zlib.crc32(record["url"].encode()) % 600)


def load_releases(path: Path) -> list[Release]:
    out = []
    for line in path.read_text().splitlines():
        record = json.loads(line)
        party = (record.get("member") or {}).get("party")
        if not record.get("date") or not record.get("text") or party not in PARTIES.values():
            continue
        out.append(Release(len(out), party, record["member"]["name"], " ".join(
            record["title"].split()), record["text"], record["url"], published(record)))
    out.sort(key=lambda r: (r.published_at, r.n))
    return out


@dataclass
class State:
    now: datetime = datetime(2000, 1, 1, tzinfo=UTC)
    window: int = 40
    broken: set[str] = field(default_factory=set)
    moved: dict[str, str] = field(default_factory=dict)
    edited: dict[int, str] = field(default_factory=dict)
    deleted: set[int] = field(default_factory=set)
    pages: dict[str, bytes] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)

    def reset(self) -> None:
        self.__init__()  # type: ignore[misc]


class PressServer:
    def __init__(self, saved: Path, releases: list[Release]) -> None:
        self.saved, self.releases, self.state = saved, releases, State()
        self.by_n = {r.n: r for r in releases}
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                try:
                    status, kind, body, headers = server.answer(self.path)
                    self.send_response(status)
                    self.send_header("Content-Type", kind)
                    self.send_header("Content-Length", str(len(body)))
                    for k, v in headers.items():
                        self.send_header(k, v)
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def text_of(self, release: Release) -> str:
        return self.state.edited.get(release.n, release.text)

    def answer(self, path: str) -> tuple[int, str, bytes, dict[str, str]]:
        state = self.state
        state.requests.append(path)
        if path in state.broken:
            return 500, "text/html", b"<h1>Internal Server Error</h1>", {}
        if path in state.moved:
            return 301, "text/html", b"", {"Location": state.moved[path]}
        if path in state.pages:
            return 200, "text/html; charset=utf-8", state.pages[path], {}
        if path.startswith("/saved/"):
            file = self.saved / path.removeprefix("/saved/").split("?")[0]
            if file.is_file():
                kind = "application/rss+xml" if file.suffix == ".xml" else "text/html"
                return 200, kind, file.read_bytes(), {}
        if path.startswith(("/party/", "/moved/party/")) and path.endswith(".xml"):
            code = path.rsplit("/", 1)[1].removesuffix(".xml")
            if code in PARTIES:
                return 200, "application/rss+xml", self.feed(PARTIES[code]), {}
        if path.startswith("/release/"):
            n = int(path.rsplit("/", 1)[1]) if path.rsplit("/", 1)[1].isdigit() else -1
            release = self.by_n.get(n)
            if release is not None and n not in state.deleted and release.published_at <= state.now:
                return 200, "text/html; charset=utf-8", self.page(release), {}
        return 404, "text/html", b"<h1>Not Found</h1>", {}

    def visible(self, party: str) -> list[Release]:
        shown = [r for r in self.releases if r.party == party and r.published_at <= self.state.now
                 and r.n not in self.state.deleted]
        return shown[-self.state.window:]

    def feed(self, party: str) -> bytes:
        items = "".join(
            f"<item><title>{html.escape(r.title)}</title>"
            f"<link>{self.url}/release/{r.n}</link><guid>{self.url}/release/{r.n}</guid>"
            f"<author>{html.escape(r.member)}</author>"
            f"<pubDate>{format_datetime(r.published_at)}</pubDate>"
            f"<description>{html.escape(self.text_of(r))}</description></item>"
            for r in reversed(self.visible(party)))
        return (f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
                f"<title>{party} press releases</title><link>{self.url}/</link>"
                f"{items}</channel></rss>").encode()

    def page(self, release: Release) -> bytes:
        paragraphs = "".join(f"<p>{html.escape(p)}</p>"
                             for p in self.text_of(release).split("\n") if p.strip())
        return (f"<!doctype html><html><head><title>{html.escape(release.title)}</title>"
                f'<meta property="article:published_time" '
                f'content="{release.published_at:%Y-%m-%d}"></head>'
                f"<body><nav><a href='/'>Home</a></nav><article><h1>"
                f"{html.escape(release.title)}</h1>{paragraphs}</article>"
                f"<footer>Press office</footer></body></html>").encode()
