"""The matrix as an offline HTML file: the same macro the web page renders, through the one
Jinja environment with the one stylesheet inlined, each cell linking to its items listed
below it (the file needs no server)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select

from hustings.policy._coding import topic_label
from hustings.policy._defs import DEFINITIONS
from hustings.policy._items import list_items
from hustings.policy._matrix import build_matrix
from hustings.render import environment
from hustings.store import Store
from hustings.store.schema import policy_sources
from hustings.workspace import Actor

__all__ = ["write_policy_report"]


def _anchor(ids: Iterable[int]) -> str:
    return f"#item-{min(ids)}"


def write_policy_report(store: Store, actor: Actor, out: Path, weeks: int = 4,
                        title: str = "Policy watch") -> Path:
    """Write ``out`` (an .html file) and return it."""
    with store.begin() as conn:
        m = build_matrix(conn, actor, weeks=weeks)
        ids = [i for c in m.cells.values() for i in c.item_ids]
        items = list_items(conn, actor, ids=ids, limit=max(len(ids), 1))
        sources = conn.execute(select(func.count()).select_from(policy_sources).where(
            policy_sources.c.workspace_id == actor.workspace_id)).scalar_one()
    for item in items:
        item["topic"] = topic_label(item["topic_code"])
    items.sort(key=lambda i: (i["published_at"] or i["first_seen_at"], i["id"]))
    html = environment().get_template("report/policy.html").render(
        title=title, m=m, items=items, link=_anchor, definitions=DEFINITIONS,
        sources=sources, generated=datetime.now(UTC),
        contents=[("matrix", "Matrix"), ("items", "Items")])
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(html)
    return out
