"""The one registry of metrics: each metric defines itself, and a name is taken only once.

A metric is a reduction over one of the audit's base tables (``own``, ``gaps``,
``inbound``, ``answers``, ``dialogues``, ``people``, ``days``, ``bursts``; see
:mod:`hustings.metrics._tables`). Because the expression is a reduction and not a finished
per-account table, the same metric groups by account, party, role, riding or week without
being written again: the scorecard simply groups the base table by other keys. Reports,
charts, ``--help`` and the docs print ``metric.definition``; nobody writes a definition
anywhere else.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any

import ibis.expr.types as ir

from hustings.errors import PluginError

__all__ = ["BASES", "Direction", "Metric", "all_metrics", "get_metric", "register_metric"]

BASES = ("own", "gaps", "inbound", "answers", "dialogues", "people", "days", "bursts")
"""Base tables a metric may reduce, in the order the scorecard computes them."""


class Direction(StrEnum):
    """Whether a larger value means more conversation (the scorecard colours by it)."""

    HIGHER = "higher is better"
    LOWER = "lower is better"
    NEUTRAL = "neither"


@dataclass(frozen=True, slots=True)
class Metric:
    """One engagement metric, its plain-language definition and the reduction that computes it.

    ``expr(t)`` receives the base table named by ``base`` (already restricted to one group) and
    returns a scalar reduction. ``empty`` is the value for a group with no rows in its base
    table: 0 for counts, ``None`` (missing, not zero) for rates that have no denominator.
    """

    name: str
    title: str
    definition: str
    unit: str
    window: str
    expr: Callable[[ir.Table], ir.Value]
    base: str = "own"
    direction: Direction = Direction.NEUTRAL
    family: str = "volume"
    parameters: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    empty: float | None = None

    def __post_init__(self) -> None:
        if self.base not in BASES:
            raise ValueError(f"metric {self.name!r}: unknown base table {self.base!r}")
        if not self.definition.strip():
            raise ValueError(f"metric {self.name!r} has no definition")


_REGISTRY: dict[str, Metric] = {}


def register_metric(metric: Metric) -> Metric:
    """Add ``metric``; a second metric with the same name is a plugin error, never a skip."""
    if metric.name in _REGISTRY:
        raise PluginError(f"a metric named {metric.name!r} is already registered")
    _REGISTRY[metric.name] = metric
    return metric


def all_metrics() -> Iterator[Metric]:
    """Every registered metric, built-ins first, in registration order."""
    from hustings.metrics import _defs  # noqa: F401  (registers the built-ins on import)

    yield from list(_REGISTRY.values())


def get_metric(name: str) -> Metric:
    for metric in all_metrics():
        if metric.name == name:
            return metric
    raise KeyError(name)
