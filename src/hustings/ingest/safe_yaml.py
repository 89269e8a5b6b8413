"""YAML read safely: ``yaml.safe_load`` with alias expansion bounded and deep nesting refused.

Every YAML file Hustings reads from a user (account registries, CSV mappings) goes through
``load_yaml``: a 400-byte document of nested aliases once ran 103 s to a ``MemoryError``.
"""

from __future__ import annotations

from typing import Any

import yaml

from hustings.ingest.readers import RecordError

__all__ = ["MAX_ALIAS_GROWTH", "MAX_ALIAS_NODES", "load_yaml"]

MAX_ALIAS_GROWTH = 10
MAX_ALIAS_NODES = 10_000


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _check_aliases(root: yaml.Node) -> None:
    """Refuse a document whose aliases expand it far beyond what it spells out.

    An alias is the node it names, shared, so the composed tree stays as small as the text;
    but every reader of the result (a merge key, ``str`` of a value) walks it expanded. A
    400-byte registry of nested aliases expanded to billions of nodes: 103 s to a
    ``MemoryError``, or a 312 MB name. Counted on the composed nodes, in one pass over the
    distinct ones; an alias to its own ancestor is refused too.
    """
    sizes: dict[int, int] = {}
    path: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            path.discard(key)
            sizes[key] = 1 + sum(sizes[id(child)] for child in _children(node))
            continue
        if key in sizes:
            continue
        if key in path:
            raise RecordError("invalid YAML: an alias refers to a value that contains it")
        path.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node) if id(child) not in sizes)
    written, expanded = len(sizes), sizes[id(root)]
    if expanded > MAX_ALIAS_GROWTH * written + MAX_ALIAS_NODES:
        raise RecordError(
            f"invalid YAML: aliases expand {written:,} values to {expanded:,}; at most "
            f"{MAX_ALIAS_GROWTH} times as many as written (plus {MAX_ALIAS_NODES:,}) are read"
        )


def load_yaml(body: bytes) -> Any:
    """``yaml.safe_load`` with alias expansion bounded (see ``_check_aliases``) and nesting
    too deep for the parser refused as ``RecordError``."""
    loader = yaml.SafeLoader(body)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_aliases(node)
        return loader.construct_document(node)
    except RecursionError:
        raise RecordError("invalid YAML: nested too deeply to read") from None
    finally:
        loader.dispose()
