"""Reading one source: what it lists now, as entries; no store, no clock.

Every request goes through the connectors' HTTP seam (``hustings.connectors.http.Http``):
its retries, back-off and error tree. Redirects are followed here, by hand, so a feed that
moved permanently (301/308) is reported as moved (the source's address is updated and the
health listing says so) while a temporary one (302/307) is only followed.

- **feed**: RSS 0.9x/2.0 or Atom through ``feedparser``. Relative links are resolved
  against the feed's address; a date feedparser cannot read ("Monday, April 15, 2013 -
  2:23pm") is read by ``dateutil`` in the source's ``timezone``; no date at all is left
  missing (the item then counts from when it was first seen). With ``articles`` set, each
  new entry's page is fetched and its text extracted by ``trafilatura``.
- **listing**: an HTML page of links (a member's press page without a feed). The per-site
  rule is ``links`` (an XPath to the anchors, default every anchor) and ``match`` (a
  regular expression the link must match); each new link's page is fetched and its title,
  date and text extracted by ``trafilatura``.
- **email** and **account** read the workspace's mailbox (through the e-mail connector's
  own ``pull``) and stored messages: see ``hustings.policy._run``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from time import struct_time
from typing import Any
from urllib.parse import urljoin
from zoneinfo import ZoneInfo

import feedparser  # type: ignore[import-untyped]
import httpx
import lxml.html
import trafilatura
from dateutil import parser as dateparser

from hustings.connectors.http import Http, RetryPolicy
from hustings.errors import ConfigError, ConnectorError, PlatformResponseError
from hustings.ingest.email import html_to_text

__all__ = ["Entry", "Listing", "http_client", "page_state", "read_feed", "read_listing"]

_MAX_REDIRECTS = 5
_USER_AGENT = "Hustings policy watch (+https://github.com/hustings)"
_TZ_NAMES: dict[str, Any] = {"EST": -5 * 3600, "EDT": -4 * 3600, "CST": -6 * 3600,
                             "CDT": -5 * 3600, "MST": -7 * 3600, "MDT": -6 * 3600,
                             "PST": -8 * 3600, "PDT": -7 * 3600}


@dataclass(frozen=True, slots=True)
class Entry:
    """One announcement as a source lists it now. ``external_id`` is the source's own id
    for it (guid, link, Message-ID); ``archive`` the copy kept as evidence."""

    external_id: str
    title: str
    text: str
    url: str | None
    published_at: datetime | None
    author: str | None
    archive: str


@dataclass(slots=True)
class Listing:
    """What a fetch found: the entries, and a permanent move when there was one."""

    entries: list[Entry] = field(default_factory=list)
    moved_to: str | None = None
    errors: list[str] = field(default_factory=list)


def http_client(tries: int = 3, timeout: float = 20.0,
                sleep: Callable[[float], None] | None = None) -> Http:
    """An ``Http`` for public pages: no credentials, a short back-off."""
    policy = RetryPolicy(tries=tries, base=0.2, cap=5.0, timeout=timeout)
    if sleep is None:
        return Http("", lambda: {"User-Agent": _USER_AGENT}, policy, "web")
    return Http("", lambda: {"User-Agent": _USER_AGENT}, policy, "web", sleep=sleep)


def get(http: Http, url: str) -> tuple[httpx.Response, str | None]:
    """The final answer for ``url`` and, when a 301/308 came on the way, where it moved."""
    moved: str | None = None
    for _ in range(_MAX_REDIRECTS):
        response = http.request("GET", url)
        if response.status_code in (301, 302, 303, 307, 308) and "location" in response.headers:
            target = urljoin(url, response.headers["location"])
            if response.status_code in (301, 308) and moved in (None, url):
                moved = target
            url = target
            continue
        return response, moved
    raise PlatformResponseError(f"{url}: more than {_MAX_REDIRECTS} redirects")


def page_state(http: Http, url: str) -> int:
    """The HTTP status of a page now (after redirects): 404 and 410 mean it was removed."""
    response, _ = get(http, url)
    return response.status_code


def _ok(response: httpx.Response, url: str) -> bytes:
    if response.status_code >= 400:
        raise PlatformResponseError(f"{url} answered HTTP {response.status_code}")
    return response.content


def _zone(name: str) -> tzinfo:
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError):
        raise ConfigError(f"unknown time zone {name!r} (e.g. America/New_York)") from None


def read_date(raw: str | None, parsed: struct_time | None, zone: tzinfo) -> datetime | None:
    """A feed date: feedparser's reading when it had one (always UTC), else ``dateutil``'s
    of the raw text; a time without a zone is in the source's ``zone``."""
    if parsed is not None:
        return datetime(*parsed[:6], tzinfo=UTC)
    if not raw:
        return None
    cleaned = re.sub(r"\s+-\s+", " ", raw)
    try:
        when = dateparser.parse(cleaned, tzinfos=_TZ_NAMES, fuzzy=True)
    except (ValueError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=zone)
    moment: datetime = when.astimezone(UTC)
    return moment


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def article(http: Http, url: str) -> tuple[str | None, str, datetime | None, str] | None:
    """(title, text, date, html) of an article page by ``trafilatura``; None when the page
    cannot be had (the listing's own title then stands, with no text)."""
    try:
        response, _ = get(http, url)
    except ConnectorError:  # unreachable, refused, not a page: the listing's title stands
        return None
    if response.status_code >= 400:
        return None
    html = response.text
    text = trafilatura.extract(html, url=url, favor_precision=True) or ""
    meta = trafilatura.extract_metadata(html, default_url=url)
    title = meta.title if meta is not None and meta.title else None
    date = None
    if meta is not None and meta.date:
        try:
            date = datetime.fromisoformat(meta.date).replace(tzinfo=UTC)
        except ValueError:
            date = None
    return title, text, date, html


def read_feed(http: Http, url: str, settings: dict[str, Any],
              known: Collection[str] = ()) -> Listing:
    """The feed's entries now; pages of entries not in ``known`` fetched when ``articles``."""
    response, moved = get(http, url)
    body = _ok(response, url)
    base = moved or url
    parsed = feedparser.parse(body, response_headers={"content-location": base})
    if parsed.bozo and not parsed.entries:
        raise PlatformResponseError(f"{url} is not a feed: {parsed.bozo_exception}")
    zone = _zone(str(settings.get("timezone", "UTC")))
    found = Listing(moved_to=moved)
    for raw in parsed.entries:
        link = urljoin(base, raw.get("link", "")) if raw.get("link") else None
        ident = str(raw.get("id") or link or raw.get("title") or "")
        if not ident:
            continue
        html = ""
        if raw.get("content"):
            html = " ".join(str(c.get("value", "")) for c in raw["content"])
        html = html or str(raw.get("summary", "") or raw.get("description", "") or "")
        date_raw = raw.get("published") or raw.get("pubdate")
        when = read_date(date_raw, raw.get("published_parsed"), zone)
        title = _clean(html_to_text(str(raw.get("title", "")))) or "(untitled)"
        text = _clean(html_to_text(html)) if html else ""
        archive = json.dumps({"title": raw.get("title"), "link": raw.get("link"),
                              "date": date_raw, "summary": html}, ensure_ascii=False)
        if settings.get("articles") and link and ident not in known:
            page = article(http, link)
            if page is not None:
                text, archive = page[1] or text, page[3]
                when = when or page[2]
        elif settings.get("articles"):
            text = ""  # the page is not fetched again: nothing to compare with the stored one
        found.entries.append(Entry(ident, title, text, link, when,
                                   raw.get("author") or None, archive))
    return found


def read_listing(http: Http, url: str, settings: dict[str, Any],
                 known: Collection[str] = ()) -> Listing:
    """The links the per-site rule picks on a listing page; each new one's article read."""
    response, moved = get(http, url)
    base = moved or url
    try:
        page = lxml.html.fromstring(_ok(response, url), base_url=base)
    except (ValueError, lxml.etree.ParserError) as exc:
        raise PlatformResponseError(f"{url} is not an HTML page: {exc}") from None
    page.make_links_absolute(base)
    try:
        anchors = page.xpath(str(settings.get("links", "//a[@href]")))
    except lxml.etree.XPathError as exc:
        raise ConfigError(f"the listing rule's links XPath is wrong: {exc}") from None
    pattern = re.compile(str(settings.get("match", "")))
    limit = int(settings.get("limit", 30))
    found = Listing(moved_to=moved)
    seen: set[str] = set()
    for anchor in anchors:
        href = anchor.get("href") if hasattr(anchor, "get") else None
        title = _clean(anchor.text_content()) if hasattr(anchor, "text_content") else ""
        if not href or not title or href in seen or not pattern.search(href):
            continue
        seen.add(href)
        when, text, archive = None, "", lxml.html.tostring(anchor, encoding="unicode")
        if href not in known:
            got = article(http, href)
            if got is not None:
                text, when, archive = got[1], got[2], got[3]
        found.entries.append(Entry(href, title, text, href, when, None, archive))
        if len(found.entries) >= limit:
            break
    return found
