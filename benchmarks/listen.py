"""Listening at scale: a 1,000,000-interaction synthetic hashtag with planted camps.

Plants two camps (and a fringe of accounts in neither) in a synthetic hashtag conversation:
600,000 reposts (95% inside the reposter's camp, towards popular accounts), 200,000 replies
(40% across camps), 150,000 mentions and 50,000 quotes over 30 days. Then, each in a fresh
child process so that wall time and peak memory are that step's alone:

- Hustings: build the corpus, run every listening measure (Leiden camps, modularity of the
  four graphs, RWC, dialogue measures, opportunities, and all of it again per day);
- NetworkX's Louvain on the same weighted repost graph, for comparison.

Both are scored by the adjusted Rand index of found against planted camps over the accounts
in the repost graph (fringe accounts planted as one group each). Classifiers are off: this
measures the network work. Run: ``.venv/bin/python benchmarks/listen.py``.
"""

# ruff: noqa: E501  (the BENCHMARKS.md table rows are long by nature)
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from _common import interleaved, peak_mib, run_measured, seconds, write_section

SCALE = float(os.environ.get("HUSTINGS_BENCH_SCALE", "1"))
"""``--quick`` sets it (children inherit it) to build a hundredth of the hashtag."""
EDGES = {
    name: int(count * SCALE)
    for name, count in {
        "repost": 600_000,
        "reply": 200_000,
        "mention": 150_000,
        "quote": 50_000,
    }.items()
}
ACCOUNTS = int(200_000 * SCALE)


def _accounts() -> int:
    """The accounts the children build (the scale may be set after this module loaded)."""
    return int(200_000 * float(os.environ.get("HUSTINGS_BENCH_SCALE", "1")))


FRINGE = 0.1
DAYS = 30
T0 = 1_700_000_000


def planted(seed: int = 1) -> tuple[object, np.ndarray]:
    """The synthetic corpus and each account's planted camp (0, 1; -1 fringe)."""
    from hustings.listen import Corpus, EdgeKind

    rng = np.random.default_rng(seed)
    camp = rng.choice([0, 1, -1], size=ACCOUNTS, p=[(1 - FRINGE) / 2, (1 - FRINGE) / 2, FRINGE])
    popularity = rng.pareto(1.2, ACCOUNTS) + 1
    members = [np.flatnonzero(camp == c) for c in (0, 1)]
    weights = [popularity[m] / popularity[m].sum() for m in members]
    srcs, dsts, kinds = [], [], []
    for name, count in EDGES.items():
        inside = {"repost": 0.95, "reply": 0.6, "mention": 0.7, "quote": 0.5}[name]
        src = rng.integers(0, ACCOUNTS, count)
        home = np.where(camp[src] >= 0, camp[src], rng.integers(0, 2, count))
        side = np.where(rng.random(count) < inside, home, 1 - home)
        dst = np.empty(count, dtype=np.int64)
        for c in (0, 1):
            pick = side == c
            dst[pick] = rng.choice(members[c], size=int(pick.sum()), p=weights[c])
        keep = src != dst
        srcs.append(src[keep])
        dsts.append(dst[keep])
        kinds.append(np.full(int(keep.sum()), int(EdgeKind[name.upper()])))
    src, dst, kind = np.concatenate(srcs), np.concatenate(dsts), np.concatenate(kinds)
    n = len(src)
    when = T0 + rng.integers(0, DAYS * 86_400, n)
    pool = [
        "RT great point",
        "Why would anyone vote for this?",
        "Totally agree",
        "That is simply not true",
        "What about the NHS?",
        "Read this thread",
    ]
    text_of = rng.integers(0, len(pool), n)
    corpus = Corpus(
        names=[f"u{i}" for i in range(ACCOUNTS)],
        author=src,
        time=when,
        parent=np.full(n, -1),
        depth=np.where(kind == int(EdgeKind.REPLY), rng.integers(1, 5, n), -1),
        ids=[str(i) for i in range(n)],
        texts=[pool[i] for i in text_of.tolist()],
        src=src,
        dst=dst,
        kind=kind,
        etime=when,
        emsg=np.arange(n),
        repost=kind == int(EdgeKind.REPOST),
    )
    return corpus, camp


def _ari(found: np.ndarray, truth: np.ndarray, active: np.ndarray) -> float:
    from sklearn.metrics import adjusted_rand_score

    truth = np.where(truth >= 0, truth, 2 + np.arange(len(truth)))
    return float(adjusted_rand_score(truth[active], found[active]))


def run_hustings(report: Path) -> None:
    from hustings.listen import EdgeKind, analyse, write_outputs

    start = time.perf_counter()
    corpus, truth = planted()
    built = time.perf_counter()
    result = analyse(corpus, "#synthetic", classify=False)
    analysed = time.perf_counter()
    with tempfile.TemporaryDirectory() as out:
        write_outputs(result, Path(out))
    written = time.perf_counter()
    repost = corpus.edges_of(EdgeKind.REPOST)  # type: ignore[attr-defined]
    active = np.unique(np.r_[corpus.src[repost], corpus.dst[repost]])  # type: ignore[attr-defined]
    found = np.where(result.camp >= 0, result.camp, 10 + np.arange(len(result.camp)))
    report.write_text(
        json.dumps(
            {
                "interactions": len(corpus.src),  # type: ignore[attr-defined]
                "build_s": built - start,
                "analyse_s": analysed - built,
                "outputs_s": written - analysed,
                "ari": _ari(found, truth, active),
                "camps": result.measures["camps"],
                "modularity_repost": result.measures["modularity_repost"],
                "modularity_reply": result.measures["modularity_reply"],
                "rwc": result.measures["rwc"],
                "days": len(result.daily),
            }
        )
    )


def run_networkx(report: Path) -> None:
    import networkx as nx

    from hustings.listen import EdgeKind

    corpus, truth = planted()
    start = time.perf_counter()
    repost = corpus.edges_of(EdgeKind.REPOST)  # type: ignore[attr-defined]
    graph = nx.Graph()
    for s, d in zip(corpus.src[repost].tolist(), corpus.dst[repost].tolist(), strict=True):  # type: ignore[attr-defined]
        w = graph.get_edge_data(s, d, {"weight": 0})["weight"]
        graph.add_edge(s, d, weight=w + 1)
    communities = nx.community.louvain_communities(graph, weight="weight", seed=42)
    modularity = nx.community.modularity(graph, communities, weight="weight")
    elapsed = time.perf_counter() - start
    found = np.full(len(truth), -1)
    for number, members in enumerate(communities):
        found[list(members)] = number
    active = np.array(sorted(graph.nodes))
    report.write_text(
        json.dumps(
            {
                "seconds": elapsed,
                "ari": _ari(found, truth, active),
                "communities": len(communities),
                "modularity": modularity,
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--part", choices=["hustings", "networkx"])
    parser.add_argument("--report", type=Path)
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--repeats", type=int, default=3, help="interleaved runs per part")
    parser.add_argument("--quick", action="store_true", help="a smoke run at 1% scale")
    args = parser.parse_args()
    if args.part:
        (run_hustings if args.part == "hustings" else run_networkx)(args.report)
        return
    if args.quick:
        os.environ["HUSTINGS_BENCH_SCALE"] = "0.01"
        args.repeats = 1
    with tempfile.TemporaryDirectory() as tmp:
        reports = {part: Path(tmp) / f"{part}.json" for part in ("hustings", "networkx")}
        runs = interleaved(
            {
                part: lambda part=part: run_measured(
                    [sys.executable, __file__, "--part", part, "--report", str(reports[part])]
                )
                for part in reports
            },
            args.repeats,
        )
        # Quality figures (ARI, modularity) do not vary between runs of the same seed:
        # the last run's report stands for all of them.
        results = {part: (runs[part], json.loads(reports[part].read_text())) for part in runs}
    (h_run, h), (n_run, n) = results["hustings"], results["networkx"]
    body = f"""## Listen: camps in a {h["interactions"]:,}-interaction hashtag

`benchmarks/listen.py`: {h["interactions"]:,} synthetic interactions ({_accounts():,} accounts,
two planted camps plus a {FRINGE:.0%} fringe, {DAYS} days). Hustings builds the corpus and runs
every listening measure (Leiden camps, modularity of four graphs, RWC, dialogue, opportunities,
and each of them per day); NetworkX runs Louvain on the same weighted repost graph.

| | Hustings (igraph Leiden) | NetworkX Louvain |
|---|---|---|
| wall time, whole child process | {seconds(h_run).show("{:.1f}", " s")} (last run: build {h["build_s"]:.1f} s, analyse {h["analyse_s"]:.1f} s; outputs after that {h["outputs_s"]:.1f} s) \
| {seconds(n_run).show("{:.1f}", " s")} (last run: graph + Louvain {n["seconds"]:.1f} s) |
| peak memory (RSS) | {peak_mib(h_run):,.0f} MiB | {peak_mib(n_run):,.0f} MiB |
| adjusted Rand index vs planted camps | {h["ari"]:.4f} | {n["ari"]:.4f} |
| communities | {h["camps"]:.0f} camps | {n["communities"]:,} communities |
| repost-graph modularity | {h["modularity_repost"]:.4f} (camps) | {n["modularity"]:.4f} |

Reply-graph modularity of the camps {h["modularity_reply"]:.4f}; RWC {h["rwc"]:.4f};
{h["days"]} daily rows. Classifiers off (this measures the network work). Wall times are
the median of interleaved runs (hustings, networkx, hustings, ...) with min and max beside it.
"""
    print(body)
    if not args.no_write:
        write_section("listen", body)


if __name__ == "__main__":
    main()
