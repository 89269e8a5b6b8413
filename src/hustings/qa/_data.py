"""Readers for the live-chat sets the question detector and the duplicate model learn from.

The sets stay in ``../shared/data/live-qa`` (never copied into the repository, see each
``PROVENANCE.md``); what ships with the package are our hand-checked labels of real political
chat, naming each line by file and row only, because that chat is academic, non-commercial
data. Every reader raises ``NlpError`` with the missing path when a set is absent.
"""

from __future__ import annotations

import csv
import functools
import re
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

from hustings.errors import NlpError
from hustings.nlp._data import Labelled

__all__ = [
    "CHAT_FILES",
    "ChatSample",
    "Pair",
    "chat_lines",
    "chat_pairs",
    "chat_questions",
    "chat_timed",
    "nps_chat",
    "quora_pairs",
]

CHAT_FILES: Final = (
    "white_house_press_briefing_2025-03-17.csv",
    "livenow_fox_update_2025-03-19.csv",
)
QUESTION: Final = "question"
OTHER: Final = "other"
_PACKAGE_DATA: Final = Path(__file__).parent / "data"
# NPS masks each chatter as "<date>-<room>User<n>"; the test sessions are from another date,
# so the mask's characters would be noise a model could learn: they become "@user", which is
# how ``nlp._features.normalize`` writes every handle.
_NPS_USER: Final = re.compile(r"\b\d+-\d+-\w+?User\d+\b")


def _require(path: Path) -> Path:
    if not path.is_file():
        raise NlpError(f"missing data file: {path}")
    return path


def nps_chat(root: Path, split: str) -> Labelled:
    """NPS chat posts of ``split`` (train / test, by session date) as question or other.

    ``System`` posts (joins and parts) are dropped, as the set's provenance advises; a post is
    a question when tagged ``whQuestion`` or ``ynQuestion``.
    """
    path = _require(root / "live-qa" / "nps-chat-dialogue-acts" / "posts.csv")
    texts: list[str] = []
    labels: list[str] = []
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["dialogue_act"] == "System" or row["split"] != split:
                continue
            texts.append(_NPS_USER.sub("@user", row["text"]))
            labels.append(QUESTION if row["is_question"] == "1" else OTHER)
    return Labelled(texts, labels)


@functools.cache
def chat_lines(root: Path, name: str) -> tuple[str, ...]:
    """Every message of one recorded political stream, in file order (row 0 first)."""
    path = _require(root / "live-qa" / "youtube-live-chat-political" / name)
    with path.open(encoding="utf-8", newline="") as handle:
        return tuple(row["message"] for row in csv.DictReader(handle))


@dataclass(frozen=True)
class ChatSample:
    """Our labelled political chat lines: texts, labels, and per line its draw (``uniform``
    for the 500 drawn at random, ``suspect`` for the 200 drawn among lines a rule flags) and
    a fold number 0-4, fixed by the line's id so every run splits alike."""

    data: Labelled
    parts: list[str]
    folds: list[int]


def chat_timed(root: Path, name: str) -> list[tuple[datetime, str, str]]:
    """One stream's messages as (time in UTC, author, text), in file order."""
    path = _require(root / "live-qa" / "youtube-live-chat-political" / name)
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            (
                datetime.fromisoformat(row["published_at"]).astimezone(UTC),
                row["author"],
                row["message"],
            )
            for row in csv.DictReader(handle)
        ]


def chat_questions(root: Path) -> ChatSample:
    """The 700 hand-checked chat lines of ``data/chat_questions.csv``, with their text."""
    texts, labels, parts, folds = [], [], [], []
    with (_PACKAGE_DATA / "chat_questions.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            texts.append(chat_lines(root, row["file"])[int(row["row"])])
            labels.append(row["label"])
            parts.append(row["part"])
            folds.append(zlib.crc32(f"{row['file']}:{row['row']}".encode()) % 5)
    return ChatSample(Labelled(texts, labels), parts, folds)


@dataclass(frozen=True)
class Pair:
    first: str
    second: str
    duplicate: bool
    key: int


def chat_pairs(root: Path) -> list[Pair]:
    """The 172 hand-labelled pairs of political chat questions (``data/chat_pairs.csv``)."""
    pairs = []
    with (_PACKAGE_DATA / "chat_pairs.csv").open(encoding="utf-8", newline="") as handle:
        for i, row in enumerate(csv.DictReader(handle)):
            lines = chat_lines(root, row["file"])
            pairs.append(
                Pair(
                    lines[int(row["row_a"])],
                    lines[int(row["row_b"])],
                    row["label"] == "duplicate",
                    i,
                )
            )
    return pairs


def quora_pairs(root: Path) -> list[Pair]:
    """The 10,000 balanced Quora pairs of the BiMPM dev split (tokenised: " ?" is undone)."""
    path = _require(root / "live-qa" / "quora-question-pairs-bimpm" / "dev.tsv")
    pairs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        label, first, second, key = line.split("\t")
        pairs.append(Pair(_detok(first), _detok(second), label == "1", int(key)))
    return pairs


_SPACED: Final = re.compile(r" ([?.,!;:'](?:s\b)?)|(\S) (n't)\b")


def _detok(text: str) -> str:
    """CoreNLP's "How do I ... ?" and "do n't" back to how people type them."""
    return _SPACED.sub(lambda m: m.group(1) or f"{m.group(2)}{m.group(3)}", text)
