"""Where needs-a-reply learns from: many sources, each kept apart so one can be held out.

A model tuned and tested on rows of the same sets learns their quirks (customer-care threads
are all questions to brands; our hand-written rows share one writer's phrasing). To know how
it does on messages nobody trained it on, it is scored on a whole *source* it never saw
(``held_out``), not on held-back rows of sources it did. Each source says what "needs a
reply" means for it:

- ``customer-care``: customers' messages to brand support accounts (every one was answered);
- ``rumoureval``: replies in rumour threads; queries need an answer, comments, support and the
  news posts themselves do not;
- ``political`` and ``replies``: our hand-written messages to candidates and offices (the
  second, written later, adds replies to campaign e-mails and more hard negatives);
- ``nps-chat``: chat-room posts tagged by hand; wh- and yes/no questions need a reply;
- ``youtube-chat``: our hand-checked lines of real political live chat (question or not).

Broadcasts were tried as hard negatives and left out: subject lines of 2020 campaign e-mails
(``announcements/campaign-emails-2020-princeton``, many of them questions: "Will you chip
in?") and two politicians' tweets (``timelines/obama-trump-timelines-538``). On the held-out
check (political / replies / live chat) they cost 83.3 / 76.3 / 77.0 -> 75.9 / 77.4 / 67.7
at full weight and 76.4 / 77.4 / 72.8 at 0.3: a question that reads like a broadcast is
usually a real question in an inbox. The princeton corpus holds no replies to the e-mails, so
the replies to campaign e-mails here are the hand-written ``replies`` set.

Quote-tweets of someone else's question ("RT @user: Why ...?") are made from the training
sources' own questions and need no reply: the question was asked of someone else.

The sets stay in ``../shared/data`` (see each ``PROVENANCE.md``); they are read at training
time and never copied. A missing set raises ``NlpError`` naming the file.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Final

from hustings.errors import NlpError
from hustings.nlp import _data
from hustings.nlp._data import Labelled

__all__ = [
    "HELD_OUT_SOURCES",
    "NEEDS",
    "NO",
    "SOURCES",
    "quote_tweets",
    "read_source",
    "row_held_out",
    "strip_leading_handles",
]

NEEDS: Final = "needs_reply"
NO: Final = "no_reply"
_HELD_OUT_PERCENT: Final = 30
_LEADING_HANDLES: Final = re.compile(r"^(?:\s*\.?@\w+[:,]?)+\s*")
_RUMOUR_TO_REPLY: Final = {"query": NEEDS, "comment": NO, "support": NO, "source": NO}
_QUOTE_TEMPLATES: Final = (
    "RT @user: {q}",
    "RT @user {q}",
    'Good question from @user 👇 "{q}" url',
    '"{q}" asked @user today. url',
)


def row_held_out(text: str) -> bool:
    """A stable 30% of a hand-written file's rows, kept for testing whatever the file's order."""
    return zlib.crc32(text.encode("utf-8")) % 100 < _HELD_OUT_PERCENT


def _split_rows(texts: list[str], labels: list[str], split: str) -> Labelled:
    """``split`` of a source without a published split: ``all``, ``train`` or ``test``."""
    if split == "all":
        return Labelled(texts, labels)
    keep = [row_held_out(t) == (split == "test") for t in texts]
    return Labelled(
        [t for t, k in zip(texts, keep, strict=True) if k],
        [label for label, k in zip(labels, keep, strict=True) if k],
    )


def _customer_care(root: Path, split: str) -> Labelled:
    parts = {"train": ("dev",), "test": ("test",), "all": ("dev", "test")}[split]
    texts = [t for part in parts for t in _data.customer_care(root, part)]
    return Labelled(texts, [NEEDS] * len(texts))


def _rumoureval(root: Path, split: str) -> Labelled:
    parts = {"train": ("traindev",), "test": ("test",), "all": ("traindev", "test")}[split]
    texts: list[str] = []
    labels: list[str] = []
    for part in parts:
        posts = root / "conversations" / "rumoureval-threads" / part / "posts.json"
        if not posts.is_file():
            raise NlpError(f"missing data file: {posts}")
        rumour = _data.rumoureval(root, part)
        for text, stance in zip(rumour.texts, rumour.labels, strict=True):
            if stance in _RUMOUR_TO_REPLY:  # denials are left out as ambiguous
                texts.append(text)
                labels.append(_RUMOUR_TO_REPLY[stance])
    return Labelled(texts, labels)


def _hand_written(name: str) -> Callable[[Path, str], Labelled]:
    def read(root: Path, split: str) -> Labelled:
        del root  # shipped with the package
        rows = _data.package_csv(name)
        return _split_rows([r["text"] for r in rows], [r["label"] for r in rows], split)

    return read


def _nps_chat(root: Path, split: str) -> Labelled:
    from hustings.qa._data import nps_chat

    parts = ("train", "test") if split == "all" else (split,)
    out = Labelled([], [])
    for part in parts:
        chat = nps_chat(root, part)
        out = out + Labelled(chat.texts, [NEEDS if q == "question" else NO for q in chat.labels])
    return out


def _youtube_chat(root: Path, split: str) -> Labelled:
    from hustings.qa._data import chat_questions

    sample = chat_questions(root).data
    labels = [NEEDS if q == "question" else NO for q in sample.labels]
    return _split_rows(sample.texts, labels, split)


SOURCES: Final[dict[str, Callable[[Path, str], Labelled]]] = {
    "customer-care": _customer_care,
    "rumoureval": _rumoureval,
    "political": _hand_written("needs_reply.csv"),
    "replies": _hand_written("needs_reply_replies.csv"),
    "nps-chat": _nps_chat,
    "youtube-chat": _youtube_chat,
}
"""Every source, by name; each reader takes the data folder and ``train``, ``test`` or ``all``."""

HELD_OUT_SOURCES: Final = (
    "political",
    "replies",
    "youtube-chat",
    "nps-chat",
    "rumoureval",
    "customer-care",
)
"""The sources the source-held-out check scores: every source."""


def read_source(root: Path, name: str, split: str) -> Labelled:
    """One source's ``train``, ``test`` or ``all`` rows."""
    if name not in SOURCES:
        raise NlpError(f"unknown needs-reply source {name!r}: one of {', '.join(SOURCES)}")
    return SOURCES[name](root, split)


def strip_leading_handles(texts: list[str]) -> list[str]:
    """The messages without the handles they open with ("@a @b: why?" -> "why?")."""
    return [_LEADING_HANDLES.sub("", t) for t in texts]


def quote_tweets(data: Labelled) -> Labelled:
    """Each question that needs a reply, quoted or reposted by someone else: needs none.

    One template per question, chosen by a hash of its text, so every run makes the same rows.
    """
    texts: list[str] = []
    for text, label in zip(data.texts, data.labels, strict=True):
        if label == NEEDS and "?" in text and not text.startswith("RT "):
            q = text.strip().replace('"', "'")
            template = _QUOTE_TEMPLATES[zlib.crc32(q.encode("utf-8")) % len(_QUOTE_TEMPLATES)]
            texts.append(template.format(q=q))
    return Labelled(texts, [NO] * len(texts))
