"""Listen: a hashtag's, keywords' or accounts' conversation as a network.

Builds reply, mention, quote and repost graphs (weighted and timed), finds camps with Leiden on
the repost graph, and measures whether the camps talk to each other or shout past each other:
cross-camp replies, two-way exchanges, incivility, bridges, and the questions nobody answered.

    >>> from hustings.listen import ListenQuery, listen  # doctest: +SKIP
    >>> result = listen(store, ListenQuery.parse("#brexit"))  # doctest: +SKIP
    >>> result.measures["cross_camp_reply_share"]  # doctest: +SKIP
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path

from hustings.listen._analyse import Camp, ListenResult, analyse
from hustings.listen._corpus import Corpus, CorpusBuilder, EdgeKind
from hustings.listen._export import write_tables
from hustings.listen._measures import MEASURES, Measure, definition_rows
from hustings.listen._network import camp_modularity, random_walk_controversy
from hustings.listen._report import write_report
from hustings.listen._source import ListenQuery, load_corpus
from hustings.listen._verdict import QUESTION_ORDER, VERDICT_RULE, Verdict, verdict
from hustings.store import Store

__all__ = [
    "MEASURES",
    "QUESTION_ORDER",
    "VERDICT_RULE",
    "Camp",
    "Corpus",
    "CorpusBuilder",
    "EdgeKind",
    "ListenQuery",
    "ListenResult",
    "Measure",
    "Verdict",
    "analyse",
    "camp_modularity",
    "definition_rows",
    "listen",
    "listen_files",
    "load_corpus",
    "random_walk_controversy",
    "verdict",
    "write_outputs",
]


def listen(
    store: Store,
    query: ListenQuery,
    *,
    classify: bool = True,
    stance_target: str | None = None,
    workspace: str | None = None,
) -> ListenResult:
    """Select ``query``'s conversation from ``store`` and run every listening measure.

    ``workspace`` (a name) merges the accounts its people hold into one node per person.
    """
    workspace_id = None
    if workspace is not None:
        from hustings.workspace import find_workspace

        with store.begin() as conn:
            workspace_id = find_workspace(conn, workspace).id
    return analyse(
        load_corpus(store, query, workspace_id),
        query.describe(),
        classify=classify,
        stance_target=stance_target,
    )


def listen_files(
    paths: Sequence[str],
    query: ListenQuery,
    *,
    classify: bool = True,
    stance_target: str | None = None,
) -> ListenResult:
    """Import ``paths`` into a temporary store, then ``listen`` to it; the store is deleted."""
    from hustings.ingest.runner import import_paths

    with tempfile.TemporaryDirectory(prefix="hustings-listen-") as folder:
        store = Store.open(f"sqlite:///{Path(folder) / 'listen.db'}")
        try:
            import_paths(store, paths)
            return listen(store, query, classify=classify, stance_target=stance_target)
        finally:
            store.close()


def write_outputs(result: ListenResult, out: Path) -> list[Path]:
    """report.html, PNGs, graph.gexf, graph.graphml, nodes.csv, edges.csv, measures.csv."""
    return write_report(result, out) + write_tables(result, out)
