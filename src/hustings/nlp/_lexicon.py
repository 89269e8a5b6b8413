"""A word list of profanity, insults and slurs, read through the usual disguises.

Most offensive tweets in OLID (TweetEval's offensive set) swear or insult. A linear model over
hashed n-grams learns the frequent such words, but an insult it saw twice gets little weight;
a shared feature per kind ("this message insults") lets every listed word share the evidence
of all the others. Writers also mask the words ("f*ck", "sh!t", "a$$hole"), which tokenising
would split into harmless pieces, so masked or leet-spelt words that fit a listed word are
read as that word first.

The list (``data/incivility_lexicon.csv``, ``word,kind``) was written for Hustings from common
English usage, so it carries the project's own licence; ``kind`` is ``profanity``, ``insult``
or ``slur``. It is read only by models trained with it (header flag ``lexicon``).
"""

from __future__ import annotations

import csv
import functools
import re
from pathlib import Path
from typing import Final

__all__ = ["KINDS", "deobfuscate", "lexicon_hits"]

KINDS: Final = ("profanity", "insult", "slur")
_FILE: Final = Path(__file__).parent / "data" / "incivility_lexicon.csv"
# A word with a masking or leet character after its first letter; never a handle or hashtag.
_DISGUISED: Final = re.compile(
    r"(?<![\w@#*$!])[a-z][a-z0-9*#@$!%.]*[0-9*#@$!%][a-z0-9*#@$!%]*", re.IGNORECASE
)
_LEET: Final = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "$": "s", "@": "a"})
_MASKS: Final = frozenset("*#%.!")


@functools.cache
def _lexicon() -> dict[str, str]:
    with _FILE.open(encoding="utf-8", newline="") as handle:
        return {row["word"]: row["kind"] for row in csv.DictReader(handle)}


@functools.cache
def _by_shape() -> dict[tuple[str, int], tuple[str, ...]]:
    """Listed words by first letter and length: the candidates a masked word could hide."""
    shapes: dict[tuple[str, int], list[str]] = {}
    for word in _lexicon():
        shapes.setdefault((word[0], len(word)), []).append(word)
    return {shape: tuple(words) for shape, words in shapes.items()}


def _reveal(disguised: str) -> str | None:
    """The listed word ``disguised`` spells, if any: "sh1t" -> "shit", "f**k" -> "fuck"."""
    lowered = disguised.lower().rstrip("!.")
    plain = lowered.translate(_LEET)
    if plain in _lexicon():
        return plain
    for word in _by_shape().get((plain[0], len(plain)), ()):
        if all(c == w or c in _MASKS for c, w in zip(plain, word, strict=True)):
            return word
    return None


def deobfuscate(text: str) -> str:
    """``text`` with each disguised listed word spelt out: "you f*cking idi0t" -> "you fucking
    idiot". Anything else, including the punctuation after a word, is left as it was."""

    def spell(match: re.Match[str]) -> str:
        found = match.group()
        word = _reveal(found)
        if word is None:
            return found
        tail = found.lower().translate(_LEET)[len(word) :]
        return word + tail if tail.strip("!.") == "" else found

    return _DISGUISED.sub(spell, text)


def lexicon_hits(tokens: list[str]) -> list[tuple[int, str]]:
    """``(position, kind)`` of every listed word among a message's normalised ``tokens``."""
    lexicon = _lexicon()
    return [(i, lexicon[token]) for i, token in enumerate(tokens) if token in lexicon]
