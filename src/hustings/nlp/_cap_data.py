"""Readers for the CAP-coded sets the policy-topic model is trained and scored on.

Three English sets under ``policy-topics/`` in the shared data folder, each mapped to the
Comparative Agendas Project (CAP) major codes of ``cap.CAP_MAJORS`` (0 = no policy content):

- ``nyt``: New York Times front-page headlines 1996-2006, hand-coded; the time split (train
  1996-2004, test 2005-2006). The media-only codes of the NYT codebook are folded as that set's
  PROVENANCE.md says: 24 (state and local government administration) into 20 (government
  operations); 26, 27, 29, 30, 31 and 99 (weather, fires, sports, deaths, churches, other)
  into 0.
- ``sotu``: State of the Union quasi-sentences 1947-2016, hand-coded; split by whole speech
  (the set's own ``splits.csv``). Code 99 ("Other") is 0.
- ``tweets``: US state legislators' tweets of 2018, coded by the authors' CNN, so silver labels;
  their 22 topics are CAP majors renumbered (mapped back by name) plus gun control, which CAP
  codes under law and crime (subtopic 1209). Split by a hash of the tweet id (every fifth tweet
  is test), duplicates dropped. Their text is pre-cleaned (``__link__``, ``__num__``); those
  placeholders become what ``_features.normalize`` makes of a link and a number.

None of the text is copied into the repository: the sets are read at training and evaluation
time only.
"""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path
from typing import Final

from hustings.errors import NlpError
from hustings.nlp._data import Labelled

__all__ = ["CAP_SETS", "cap_set"]

CAP_SETS: Final = ("nyt", "sotu", "tweets")
_FOLDER: Final = "policy-topics"
_NYT_FOLD: Final = {24: 20, 26: 0, 27: 0, 29: 0, 30: 0, 31: 0, 99: 0}
_TWEET_TOPICS: Final = {
    "No policy issue": 0,
    "Economy": 1,
    "Civil Rights": 2,
    "Healthcare": 3,
    "Agriculture": 4,
    "Labor": 5,
    "Education": 6,
    "Environment": 7,
    "Energy": 8,
    "Immigration": 9,
    "Transportation": 10,
    "Law and Crime": 12,
    "Gun Control": 12,
    "Social Welfare": 13,
    "Housing": 14,
    "Domestic Commerce": 15,
    "Defense": 16,
    "Technology": 17,
    "Foreign Trade": 18,
    "Intl. Affairs": 19,
    "Gov. Operations": 20,
    "Public Lands": 21,
}
_TEST_SHARE: Final = 5


def _rows(path: Path, delimiter: str = ",") -> list[dict[str, str]]:
    if not path.is_file():
        raise NlpError(f"missing data file: {path}")
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=delimiter))


def _nyt(root: Path, split: str) -> Labelled:
    folder = root / _FOLDER / "nyt-frontpage-cap"
    sides = {row["id"]: row["split_time"] for row in _rows(folder / "splits.csv")}
    texts: list[str] = []
    labels: list[str] = []
    for row in _rows(folder / "valid_start.csv"):
        if sides.get(row["id"]) == split:
            code = int(row["majortopic"])
            texts.append(row["title"])
            labels.append(str(_NYT_FOLD.get(code, code)))
    return Labelled(texts, labels)


def _sotu(root: Path, split: str) -> Labelled:
    folder = root / _FOLDER / "us-sotu-cap"
    sides = {row["idx"]: row["split"] for row in _rows(folder / "splits.csv")}
    texts: list[str] = []
    labels: list[str] = []
    for row in _rows(folder / "df_cap_sotu_test.csv"):
        if sides.get(row["idx"]) == split:
            code = int(row["label_cap2"])
            texts.append(row["text_original"])
            labels.append(str(0 if code == 99 else code))
    return Labelled(texts, labels)


def _tweet_split(tweet_id: str) -> str:
    digest = int(hashlib.md5(tweet_id.encode("ascii")).hexdigest(), 16)
    return "test" if digest % _TEST_SHARE == 0 else "train"


def _tweets(root: Path, split: str) -> Labelled:
    path = root / _FOLDER / "us-state-legislator-tweets-cap" / "sample-10000-legtweets.csv"
    seen: set[str] = set()
    texts: list[str] = []
    labels: list[str] = []
    for row in _rows(path):
        tweet_id = row["tweet_id"]
        if tweet_id in seen or _tweet_split(tweet_id) != split:
            continue
        seen.add(tweet_id)
        topic = row["top_topic"]
        if topic not in _TWEET_TOPICS:
            raise NlpError(f"{path}: unknown topic {topic!r} for tweet {tweet_id}")
        text = row["clean_text_cnn"].replace("__link__", "url").replace("__num__", "0")
        texts.append(text)
        labels.append(str(_TWEET_TOPICS[topic]))
    return Labelled(texts, labels)


_READERS: Final = {"nyt": _nyt, "sotu": _sotu, "tweets": _tweets}


def cap_set(root: Path, name: str, split: str) -> Labelled:
    """One set's ``train`` or ``test`` split, labels as CAP major codes in strings ("3")."""
    if name not in _READERS:
        raise NlpError(f"unknown CAP set {name!r}: choose one of {', '.join(CAP_SETS)}")
    return _READERS[name](root, split)
