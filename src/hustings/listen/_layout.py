"""Which accounts the network view draws, and where: a precomputed igraph layout.

A browser cannot lay out a million edges, and nobody can read them: the view keeps the most
active accounts (by interactions of every kind) and the edges among them, and igraph's
Fruchterman–Reingold layout places them once, in Python, with a fixed seed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import igraph as ig
import numpy as np

from hustings.listen._analyse import ListenResult
from hustings.listen._corpus import EdgeKind

__all__ = ["KIND_COLOURS", "PALETTE", "Drawing", "layout"]

VIEW_ACCOUNTS = 300
PALETTE = (
    "#1f77b4",
    "#d62728",
    "#2ca02c",
    "#9467bd",
    "#ff7f0e",
    "#17becf",
    "#8c564b",
    "#e377c2",
    "#bcbd22",
    "#7f7f7f",
)
KIND_COLOURS = {"reply": "#e4572e", "mention": "#76b041", "quote": "#a06cd5", "repost": "#4a90d9"}


@dataclass(frozen=True, slots=True)
class Drawing:
    """Nodes with coordinates in [0, 1] and the edges among them, ready to draw."""

    nodes: list[dict[str, object]]
    edges: list[dict[str, object]]


def layout(result: ListenResult, size: int = VIEW_ACCOUNTS, seed: int = 42) -> Drawing:
    e, corpus = result.edges, result.corpus
    n = corpus.n_accounts
    degree = np.bincount(e.src, weights=e.count, minlength=n) + np.bincount(
        e.dst, weights=e.count, minlength=n
    )
    order = np.lexsort((np.arange(n), -degree))
    keep = order[degree[order] > 0][:size]
    position = np.full(n, -1, dtype=np.int64)
    position[keep] = np.arange(len(keep))
    inside = (position[e.src] >= 0) & (position[e.dst] >= 0)
    src, dst = position[e.src[inside]], position[e.dst[inside]]
    graph = ig.Graph(n=len(keep), edges=np.column_stack((src, dst)).tolist())
    random.seed(seed)
    coords = np.asarray(
        graph.layout_fruchterman_reingold(
            weights=np.log1p(e.count[inside]).tolist() or None, niter=500
        ).coords,
        dtype=np.float64,
    ).reshape(-1, 2)
    if len(coords):
        span = np.ptp(coords, axis=0)
        coords = (coords - coords.min(axis=0)) / np.where(span > 0, span, 1.0)
    nodes: list[dict[str, object]] = []
    for j, i in enumerate(keep.tolist()):
        camp = int(result.camp[i])
        role, party = corpus.tracked.get(i, (None, None))
        nodes.append(
            {
                "name": corpus.names[i],
                "x": round(float(coords[j, 0]), 4),
                "y": round(float(coords[j, 1]), 4),
                "d": int(degree[i]),
                "camp": camp if camp >= 0 else None,
                "tracked": role is not None,
                "party": party,
            }
        )
    edges = [
        {"s": s, "t": t, "k": EdgeKind(k).label, "c": c}
        for s, t, k, c in zip(
            src.tolist(),
            dst.tolist(),
            e.kind[inside].tolist(),
            e.count[inside].tolist(),
            strict=True,
        )
    ]
    return Drawing(nodes, edges)
