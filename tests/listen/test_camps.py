"""Camps, modularity and RWC on hand-made networks, checked against independent computations."""

from __future__ import annotations

import random
from collections import defaultdict

import networkx as nx
import numpy as np
import pytest

from hustings.listen import EdgeKind, analyse, camp_modularity, random_walk_controversy
from hustings.listen._network import undirected
from tests.listen.networks import CAMP_A, CAMP_B, two_camps


def _nx_graph(corpus, kind):  # type: ignore[no-untyped-def]
    graph = nx.Graph()
    graph.add_nodes_from(range(corpus.n_accounts))
    for s, d, k in zip(corpus.src, corpus.dst, corpus.kind, strict=True):
        if k == kind:
            w = graph.get_edge_data(s, d, {"weight": 0})["weight"]
            graph.add_edge(int(s), int(d), weight=w + 1)
    return graph


def test_leiden_recovers_the_two_planted_camps() -> None:
    corpus = two_camps()
    result = analyse(corpus, classify=False)
    index = {n: i for i, n in enumerate(corpus.names)}
    camps_a = {int(result.camp[index[n]]) for n in CAMP_A}
    camps_b = {int(result.camp[index[n]]) for n in CAMP_B}
    assert len(camps_a) == 1 and len(camps_b) == 1 and camps_a != camps_b
    assert result.camp[index["undecided1"]] == -1
    assert [c.parties for c in result.camps] in (
        [(("Party A", 1),), (("Party B", 1),)],
        [(("Party B", 1),), (("Party A", 1),)],
    )


@pytest.mark.parametrize("kind", list(EdgeKind))
def test_camp_modularity_matches_networkx(kind: EdgeKind) -> None:
    corpus = two_camps()
    camp = analyse(corpus, classify=False, daily=False).camp
    ours = camp_modularity(undirected(corpus, kind), camp)
    graph = _nx_graph(corpus, kind)
    if graph.number_of_edges() == 0:
        assert ours is None
        return
    groups: dict[int, set[int]] = defaultdict(set)
    for node in range(corpus.n_accounts):
        groups[int(camp[node]) if camp[node] >= 0 else 1000 + node].add(node)
    expected = nx.community.modularity(graph, list(groups.values()), weight="weight")
    assert ours == pytest.approx(expected, abs=1e-9)


def _plain_rwc(graph: nx.Graph, side_x: set[int], side_y: set[int], k: int) -> float:
    """RWC by absorbing-walk value iteration in plain Python, straight from the definition."""
    strength = {v: sum(d["weight"] for _, _, d in graph.edges(v, data=True)) for v in graph}

    def hubs(side: set[int]) -> set[int]:
        return set(
            sorted((v for v in side if strength[v] > 0), key=lambda v: (-strength[v], v))[:k]
        )

    hx, hy = hubs(side_x), hubs(side_y)

    def absorb(target: set[int]) -> dict[int, float]:
        h = {v: 1.0 if v in target else 0.0 for v in graph}
        for _ in range(100_000):
            new = {
                v: h[v]
                if v in hx | hy or strength[v] == 0
                else sum(d["weight"] * h[u] for _, u, d in graph.edges(v, data=True)) / strength[v]
                for v in graph
            }
            if max(abs(new[v] - h[v]) for v in graph) < 1e-13:
                return new
            h = new
        return h

    to_x, to_y = absorb(hx), absorb(hy)
    starts_x = [v for v in side_x if v not in hx | hy and strength[v] > 0]
    starts_y = [v for v in side_y if v not in hx | hy and strength[v] > 0]
    a_xx = sum(to_x[v] for v in starts_x) / len(starts_x)
    a_xy = sum(to_y[v] for v in starts_x) / len(starts_x)
    a_yx = sum(to_x[v] for v in starts_y) / len(starts_y)
    a_yy = sum(to_y[v] for v in starts_y) / len(starts_y)
    p_xx, p_yx = a_xx / (a_xx + a_yx), a_yx / (a_xx + a_yx)
    p_xy, p_yy = a_xy / (a_xy + a_yy), a_yy / (a_xy + a_yy)
    return p_xx * p_yy - p_yx * p_xy


@pytest.mark.parametrize(("bridges", "k"), [(1, 2), (6, 2), (12, 1), (3, 3)])
def test_rwc_matches_a_plain_python_random_walk(bridges: int, k: int) -> None:
    corpus = two_camps(bridge_reposts=bridges)
    camp = analyse(corpus, classify=False, daily=False).camp
    graph = _nx_graph(corpus, EdgeKind.REPOST)
    x = {v for v in graph if camp[v] == 0}
    y = {v for v in graph if camp[v] == 1}
    ours = random_walk_controversy(undirected(corpus, EdgeKind.REPOST), camp, k=k)
    assert ours == pytest.approx(_plain_rwc(graph, x, y, k), abs=1e-8)


def test_rwc_is_one_when_camps_never_meet_and_drops_as_they_mix() -> None:
    apart = two_camps(bridge_reposts=0)
    camp = analyse(apart, classify=False, daily=False).camp
    assert random_walk_controversy(undirected(apart, EdgeKind.REPOST), camp, k=2) == pytest.approx(
        1
    )
    mixed = two_camps(bridge_reposts=6)
    camp = analyse(mixed, classify=False, daily=False).camp
    assert random_walk_controversy(undirected(mixed, EdgeKind.REPOST), camp, k=2) < 0.9


def test_rwc_agrees_with_simulated_walks() -> None:
    corpus = two_camps(bridge_reposts=6)
    camp = analyse(corpus, classify=False, daily=False).camp
    graph = _nx_graph(corpus, EdgeKind.REPOST)
    x = [v for v in graph if camp[v] == 0]
    y = [v for v in graph if camp[v] == 1]
    ours = random_walk_controversy(undirected(corpus, EdgeKind.REPOST), camp, k=2)
    strength = dict(graph.degree(weight="weight"))
    hub = {
        v: side
        for side, members in (("x", x), ("y", y))
        for v in sorted(members, key=lambda v: (-strength[v], v))[:2]
    }
    rng = random.Random(7)
    ends = {("x", "x"): 0, ("x", "y"): 0, ("y", "x"): 0, ("y", "y"): 0}
    for side, members in (("x", x), ("y", y)):
        starts = [v for v in members if v not in hub]
        for _ in range(20_000):
            v = rng.choice(starts)
            while v not in hub:
                nbrs = list(graph[v])
                v = rng.choices(nbrs, weights=[graph[v][u]["weight"] for u in nbrs])[0]
            ends[(side, hub[v])] += 1
    p = {(a, b): ends[(a, b)] / (ends[("x", b)] + ends[("y", b)]) for a, b in ends}
    simulated = p[("x", "x")] * p[("y", "y")] - p[("y", "x")] * p[("x", "y")]
    assert ours == pytest.approx(simulated, abs=0.03)
    assert np.isfinite(ours)
