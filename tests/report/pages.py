"""Reading a written report as a person sees it: its visible text and its charts' specs."""

from __future__ import annotations

import html
import json
import re
from typing import Any

SNAKE = re.compile(r"\b[a-z][a-z0-9]*_[a-z0-9_]+\b")
"""A raw field name (``part_replies_to_others``): what a reader must never meet."""


def visible_text(page: str) -> str:
    """The page's text without scripts, styles and tags (what a reader can see)."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def chart_specs(page: str) -> dict[str, dict[str, Any]]:
    """Each chart's Vega-Lite spec by section id, as the page embeds it."""
    found = re.findall(r'renderChart\("chart-([\w-]+)", (\{.*?\})\);</script>', page, flags=re.S)
    return {name: json.loads(spec) for name, spec in found}


def walk(node: Any) -> Any:
    """Every dict inside a spec."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value)


def section(page: str, anchor: str) -> str:
    """The HTML of ``<section id=anchor>``."""
    match = re.search(rf'<section id="{anchor}"[^>]*>(.*?)</section>', page, flags=re.S)
    assert match, f"no section {anchor}"
    return match.group(1)


def rows(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """Every data row a spec carries (Altair keeps them in ``datasets``)."""
    found = [r for table in spec.get("datasets", {}).values() for r in table]
    found += [
        r for node in walk(spec) if isinstance(node.get("values"), list) for r in node["values"]
    ]
    return [r for r in found if isinstance(r, dict)]
