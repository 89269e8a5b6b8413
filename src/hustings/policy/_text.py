"""Keys and digests that say when two announcements are one, and diffs that show an edit.

The same release arrives by feed (a URL, the page's text), by e-mail (no URL or a tracking
one, the same text) and from a listing page: ``url_key`` matches the first and last,
``text_key`` (title and opening words, normalised) the first and second. ``content_hash``
covers title and whole text, so any silent edit changes it.
"""

from __future__ import annotations

import difflib
import hashlib
import re
import unicodedata
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

__all__ = ["OPENING_CHARS", "content_hash", "diff_lines", "normalise", "text_key", "url_key"]

OPENING_CHARS = 400
"""How much of the text (normalised) joins the title in ``text_key``: enough to tell two
"Weekly update" newsletters apart, short enough that a feed's excerpt and the full text
of the same release still agree."""

_TRACKING = re.compile(r"^(utm_|mc_|fbclid$|gclid$)")
_WORD = re.compile(r"[^\w]+")


def normalise(text: str) -> str:
    """Lower case, accents folded, punctuation and runs of space made one space."""
    folded = unicodedata.normalize("NFKD", text)
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    return _WORD.sub(" ", folded.lower()).strip()


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def text_key(title: str, text: str) -> str:
    return _digest(normalise(title) + "\n" + normalise(text)[:OPENING_CHARS])


def url_key(url: str | None) -> str | None:
    """The URL without scheme, ``www.``, fragment, trailing slash or tracking parameters."""
    if not url:
        return None
    parts = urlsplit(url.strip())
    host = parts.netloc.lower().removeprefix("www.")
    query = urlencode(sorted((k, v) for k, v in parse_qsl(parts.query)
                             if not _TRACKING.match(k.lower())))
    return _digest(urlunsplit(("", host, parts.path.rstrip("/"), query, "")))


def content_hash(title: str, text: str) -> str:
    return _digest(title.strip() + "\n" + text.strip())


def diff_lines(old: str, new: str, old_label: str, new_label: str) -> list[str]:
    """A unified diff, sentence by sentence (press releases are long paragraphs)."""
    def split(text: str) -> list[str]:
        return [s for s in re.split(r"(?<=[.!?])\s+|\n+", text) if s.strip()]
    return list(difflib.unified_diff(split(old), split(new), old_label, new_label, lineterm="",
                                     n=1))
