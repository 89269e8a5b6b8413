"""Readers for the labelled sets the classifiers are trained and evaluated on.

The sets live outside the repository (``../shared/data``, or ``$HUSTINGS_SHARED_DATA``) and are
never copied into it; only the hand-written CSVs in ``hustings/nlp/data`` ship with the package.
Every reader returns parallel lists of texts and string labels, split as the set's publishers
split it.
"""

from __future__ import annotations

import csv
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from hustings.errors import NlpError

__all__ = [
    "STANCE_LABELS",
    "STANCE_TARGETS",
    "Labelled",
    "customer_care",
    "package_csv",
    "rumoureval",
    "semeval_sentiment",
    "shared_data_dir",
    "tweeteval",
]

STANCE_TARGETS: Final = ("abortion", "atheism", "climate", "feminist", "hillary")
STANCE_LABELS: Final = ("none", "against", "favor")
_PACKAGE_DATA: Final = Path(__file__).parent / "data"
_ESCAPE: Final = re.compile(r"\\u([0-9a-fA-F]{4})")
_HANDLE_OR_LINK: Final = re.compile(r"@\w+|https?://\S+")
_NOT_ALNUM: Final = re.compile(r"[\W_]+")
_RUMOUR_LABELS: Final = ("support", "query", "deny", "comment")


@dataclass(frozen=True)
class Labelled:
    texts: list[str]
    labels: list[str]

    def __add__(self, other: Labelled) -> Labelled:
        return Labelled(self.texts + other.texts, self.labels + other.labels)


def shared_data_dir(data_dir: Path | None = None) -> Path:
    """Where the shared sets are: the argument, ``$HUSTINGS_SHARED_DATA``, or ``../shared/data``."""
    if data_dir is not None:
        found = data_dir
    elif env := os.environ.get("HUSTINGS_SHARED_DATA"):
        found = Path(env)
    else:
        found = Path(__file__).resolve().parents[3].parent / "shared" / "data"
    if not found.is_dir():
        raise NlpError(f"shared data folder not found: {found} (set HUSTINGS_SHARED_DATA)")
    return found


def _lines(path: Path) -> list[str]:
    if not path.is_file():
        raise NlpError(f"missing data file: {path}")
    return path.read_text(encoding="utf-8").splitlines()


def tweeteval(root: Path, task: str, split: str) -> Labelled:
    """One TweetEval split, labels mapped to their names (``stance/hillary``, ``offensive``...)."""
    folder = root / "benchmarks" / "tweeteval" / task
    mapping_file = folder / "mapping.txt"
    if not mapping_file.is_file():
        mapping_file = folder.parent / "mapping.txt"
    names = dict(line.split("\t") for line in _lines(mapping_file) if line.strip())
    texts = _lines(folder / f"{split}_text.txt")
    labels = [names[v.strip()] for v in _lines(folder / f"{split}_labels.txt")]
    if len(texts) != len(labels):
        raise NlpError(f"{folder}: {len(texts)} texts but {len(labels)} labels in {split}")
    return Labelled(texts, labels)


def _overlap_key(text: str) -> str:
    return _NOT_ALNUM.sub("", _HANDLE_OR_LINK.sub("", text.lower()))


def semeval_sentiment(root: Path, exclude: set[str]) -> Labelled:
    """The SemEval 2013-2016 polarity pool, minus any text in ``exclude`` (a tuning split).

    TweetEval's copies lost handles, links and some punctuation, so texts are compared on their
    letters and digits only. The pool's files also escape some characters (``\\u002c``);
    those are decoded.
    """
    excluded = {_overlap_key(text) for text in exclude}
    texts: list[str] = []
    labels: list[str] = []
    folder = root / "benchmarks" / "semeval-sentiment-train"
    for path in sorted(folder.glob("twitter-*.txt")):
        for line in _lines(path):
            parts = line.split("\t")
            if len(parts) >= 3 and parts[1] in {"negative", "neutral", "positive"}:
                text = "\t".join(parts[2:])
                text = _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)
                if _overlap_key(text) not in excluded:
                    texts.append(text)
                    labels.append(parts[1])
    if not texts:
        raise NlpError(f"no SemEval sentiment files in {folder}")
    return Labelled(texts, labels)


def customer_care(root: Path, split: str) -> list[str]:
    """Customers' messages to brand support accounts; every thread got an answer."""
    path = root / "conversations" / "customer-care-threads" / f"{split}.json"
    if not path.is_file():
        raise NlpError(f"missing data file: {path}")
    threads = json.loads(path.read_text(encoding="utf-8"))
    return [
        turn["message"]
        for thread in threads
        for turn in thread["dialogContent"]
        if "agent" not in turn
    ]


def rumoureval(root: Path, split: str) -> Labelled:
    """Replies in rumour threads with their stance toward the source tweet (query, comment...).

    Source tweets, which are broadcasts, are labelled ``source``.
    """
    folder = root / "conversations" / "rumoureval-threads" / split
    posts = json.loads((folder / "posts.json").read_text(encoding="utf-8"))
    structures = json.loads((folder / "structures.json").read_text(encoding="utf-8"))
    sources = {source for tree in structures.values() for source in tree}
    ids = _lines(folder / "post_id.txt")
    codes = _lines(folder / "post_label.txt")
    texts: list[str] = []
    labels: list[str] = []
    for post_id, code in zip(ids, codes, strict=True):
        texts.append(posts[post_id.strip()]["text"])
        is_source = post_id.strip() in sources
        labels.append("source" if is_source else _RUMOUR_LABELS[int(code)])
    return Labelled(texts, labels)


def package_csv(name: str) -> list[dict[str, str]]:
    """Rows of a hand-written CSV shipped in ``hustings/nlp/data``."""
    with (_PACKAGE_DATA / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))
