"""Run every listening measure over a corpus: camps first, then dialogue, then each day.

Classifiers are optional: incivility and stance come from ``hustings.nlp`` when it is
installed and has the model; otherwise those measures stay empty and the result says why in
``notes``. Nothing here crashes for want of a classifier.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from hustings.errors import HustingsError
from hustings.listen._corpus import Corpus, EdgeKind, IntArray
from hustings.listen._dialogue import (
    AccountStats,
    BoolArray,
    account_stats,
    dialogue_measures,
    opportunities,
)
from hustings.listen._network import (
    EdgeTable,
    aggregate_edges,
    camp_modularity,
    find_camps,
    random_walk_controversy,
    undirected,
)
from hustings.listen._verdict import Verdict, rank_questions, rank_undecided, verdict

__all__ = ["Camp", "ListenResult", "analyse"]

DAY = 86_400
Labeller = Callable[[list[str]], list[str]]
"""Texts in, one label per text out (a classifier's ``predict`` reduced to labels)."""


@dataclass(frozen=True, slots=True)
class Camp:
    """A camp as a person reads it: size, who is most reposted, which parties are inside."""

    number: int
    size: int
    top_accounts: tuple[str, ...]
    parties: tuple[tuple[str, int], ...]
    stance: str | None = None

    @property
    def label(self) -> str:
        party = f" ({self.parties[0][0]})" if self.parties else ""
        lead = ", ".join(f"@{a}" for a in self.top_accounts[:3])
        return f"camp {self.number + 1}{party}: {lead}"


@dataclass(slots=True)
class ListenResult:
    """What ``listen`` found: the measures, per day and per account, and what to answer."""

    query: str
    corpus: Corpus
    edges: EdgeTable
    camp: IntArray
    camps: list[Camp]
    measures: dict[str, float | None]
    daily: list[dict[str, object]]
    stats: AccountStats
    open_questions: IntArray
    """Open questions (message indices), ranked by reach and age (``QUESTION_ORDER``)."""
    undecided: IntArray
    """Undecided, unanswered accounts, ranked by reach (``UNDECIDED_ORDER``)."""
    notes: list[str] = field(default_factory=list)

    @property
    def verdict(self) -> Verdict:
        """The conversation in one line, by ``VERDICT_RULE``."""
        return verdict(self.measures)


def _load_labeller(task: str, target: str | None, notes: list[str]) -> Labeller | None:
    try:
        from hustings import nlp

        classifier = nlp.load(task)

        def label(texts: list[str]) -> list[str]:
            return [p.label for p in classifier.predict(texts, target=target)]

        label([])
        return label
    except (ImportError, OSError, HustingsError) as exc:
        notes.append(f"no {task} classifier, so its measures are empty: {exc}")
        return None


def _uncivil(corpus: Corpus, labeller: Labeller | None) -> BoolArray | None:
    """Per message: labelled uncivil. Only replies are classified (the measures need no more)."""
    if labeller is None:
        return None
    out = np.zeros(corpus.n_messages, dtype=bool)
    replies = np.unique(corpus.emsg[corpus.edges_of(EdgeKind.REPLY)])
    labels = labeller([corpus.texts[i] for i in replies])
    out[replies] = np.array([lab != "civil" for lab in labels], dtype=bool)
    return out


def _camps(corpus: Corpus, camp: IntArray, stance: Labeller | None) -> list[Camp]:
    reposted = np.bincount(
        corpus.dst[corpus.edges_of(EdgeKind.REPOST)], minlength=corpus.n_accounts
    )
    out = []
    for number in range(int(camp.max(initial=-1)) + 1):
        members = np.flatnonzero(camp == number)
        top = members[np.lexsort((members, -reposted[members]))][:5]
        parties = Counter(
            p for i in members.tolist() if (p := corpus.tracked.get(i, ("", None))[1])
        )
        view = None
        if stance is not None:
            said = np.flatnonzero(np.isin(corpus.author, members) & ~corpus.repost)
            labels = Counter(stance([corpus.texts[i] for i in said[:2000]]))
            view = labels.most_common(1)[0][0] if labels else None
        out.append(
            Camp(
                number,
                len(members),
                tuple(corpus.names[i] for i in top),
                tuple(parties.most_common()),
                view,
            )
        )
    return out


def _network_measures(
    corpus: Corpus, camp: IntArray, mask: BoolArray | None
) -> dict[str, float | None]:
    out: dict[str, float | None] = {}
    for kind in EdgeKind:
        keep = corpus.edges_of(kind) if mask is None else corpus.edges_of(kind) & mask
        out[f"{kind.label}_interactions"] = float(keep.sum())
    for kind in EdgeKind:
        graph = undirected(corpus, kind, mask)
        out[f"modularity_{kind.label}"] = camp_modularity(graph, camp)
        if kind is EdgeKind.REPOST:
            out["rwc"] = random_walk_controversy(graph, camp) if mask is None else None
    return out


def _day_rows(corpus: Corpus, camp: IntArray, uncivil: BoolArray | None) -> list[dict[str, object]]:
    if corpus.n_messages == 0:
        return []
    first = int(corpus.time.min()) // DAY * DAY
    rows: list[dict[str, object]] = []
    for start in range(first, int(corpus.time.max()) + 1, DAY):
        span = (start, start + DAY)
        mask = (corpus.etime >= span[0]) & (corpus.etime < span[1])
        said = (corpus.time >= span[0]) & (corpus.time < span[1])
        ends = np.unique(np.r_[corpus.src[mask], corpus.dst[mask], corpus.author[said]])
        row: dict[str, object] = {
            "day": str(np.datetime64(start, "s").astype("datetime64[D]")),
            "accounts": float(len(ends)),
            "camps": float(len(np.unique(camp[ends][camp[ends] >= 0]))),
        }
        row.update(_network_measures(corpus, camp, mask))
        row.update(dialogue_measures(corpus, camp, uncivil, mask))
        row.update(_account_counts(corpus, camp, uncivil, span))
        rows.append(row)
    return rows


def _account_counts(
    corpus: Corpus, camp: IntArray, uncivil: BoolArray | None, span: tuple[int, int] | None
) -> dict[str, float | None]:
    open_q, undecided = opportunities(corpus, camp, span)
    stats = account_stats(corpus, camp, uncivil) if span is None else None
    return {
        "shouting_accounts": (
            None if stats is None or stats.shouting is None else float(stats.shouting.sum())
        ),
        "bridge_accounts": None if stats is None else float((stats.bridge_partners > 0).sum()),
        "open_questions": float(len(open_q)),
        "unanswered_undecided": float(len(undecided)),
    }


def analyse(
    corpus: Corpus,
    query: str = "",
    *,
    classify: bool = True,
    stance_target: str | None = None,
    daily: bool = True,
    seed: int = 42,
) -> ListenResult:
    """Camps, modularity, RWC, dialogue measures and opportunities for ``corpus``.

    Shouting and bridges are whole-window measures (an answer may come days later), and so is
    RWC (one day's repost graph is too sparse for walks to reach the hubs), so their daily rows
    stay empty.
    """
    notes: list[str] = []
    incivility = _load_labeller("incivility", None, notes) if classify else None
    stance = _load_labeller("stance", stance_target, notes) if classify and stance_target else None
    uncivil = _uncivil(corpus, incivility)
    camp = find_camps(undirected(corpus, EdgeKind.REPOST), seed=seed)
    measures: dict[str, float | None] = {
        "accounts": float(corpus.n_accounts),
        "camps": float(camp.max(initial=-1) + 1),
    }
    measures.update(_network_measures(corpus, camp, None))
    measures.update(dialogue_measures(corpus, camp, uncivil))
    measures.update(_account_counts(corpus, camp, uncivil, None))
    open_q, undecided = opportunities(corpus, camp)
    return ListenResult(
        query=query,
        corpus=corpus,
        edges=aggregate_edges(corpus),
        camp=camp,
        camps=_camps(corpus, camp, stance),
        measures=measures,
        daily=_day_rows(corpus, camp, uncivil) if daily else [],
        stats=account_stats(corpus, camp, uncivil),
        open_questions=rank_questions(corpus, open_q),
        undecided=rank_undecided(corpus, undecided),
        notes=notes,
    )
