"""Reduce each base table once per account, and every coarser grouping from those cells.

A metric is a reduction over a base table, and nearly all of them are built from sums,
counts, means, maxima and the number of accounts. Those compose: a party's sum is the sum of
its accounts' sums, its maximum the maximum of their maxima, its mean the sum of their sums
over the sum of their counts, its accounts the accounts among its cells. So the scorecard
reduces a base table once into per-account *cells* holding every such part (and once into
per-account-and-week cells for the week groupings), and the party, role, district and whole
scope reduce a few thousand cells instead of millions of rows: re-reading the base tables
for every grouping was a third of a 10-million-message audit.

No metric is written twice: :func:`plan_rollup` takes the metric's own expression and swaps
each of its reductions for the matching reduction over the cells. A metric holding any other
reduction (a quantile, a distinct count of something other than accounts) is *direct*: it
is computed from the base table for every grouping, as before.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field

import ibis.expr.operations as ops
import ibis.expr.types as ir

from hustings.metrics._registry import Metric

__all__ = ["Rollup", "plan_rollup"]

Swap = Callable[[ir.Table], ops.Value]
"""A reduction over the cells (of the table given) standing in for one over the base table."""


@dataclass
class Rollup:
    """What to keep per cell, and how each rollable metric is computed from cells.

    ``parts`` are reductions over the base table, named; reducing the base table by the cell
    keys with them gives the cells. ``rolled[name](cells)`` is metric ``name`` over a table of
    cells (grouped as the caller likes). ``direct`` are the metrics that do not roll up.
    """

    parts: dict[str, ir.Value] = field(default_factory=dict)
    rolled: dict[str, Callable[[ir.Table], ir.Value]] = field(default_factory=dict)
    direct: list[Metric] = field(default_factory=list)
    _names: dict[ops.Node, str] = field(default_factory=dict)

    def part(self, node: ops.Value) -> str:
        """The cell column holding ``node`` (a reduction over the base table), added once."""
        if node not in self._names:
            self._names[node] = f"part_{len(self._names)}"
            self.parts[self._names[node]] = node.to_expr()
        return self._names[node]

    def reads(self, columns: Collection[str]) -> bool:
        """Whether any part reads one of ``columns`` of the base table."""
        return any(
            field.name in columns
            for part in self.parts.values()
            for field in part.op().find(ops.Field, filter=ops.Value)
        )

    def regroup(self, cells: ir.Table, keys: Sequence[str]) -> ir.Table:
        """Coarser cells, by ``keys``, from finer ones: sums and counts add up, maxima
        take the maximum."""
        return cells.group_by(list(keys)).aggregate(
            **{
                name: cells[name].max() if isinstance(part.op(), ops.Max) else cells[name].sum()
                for name, part in self.parts.items()
            }
        )


def _is_accounts(node: ops.Reduction) -> bool:
    """``aid.nunique()``: the cells are keyed by account, so it counts cells' accounts."""
    return (
        isinstance(node, ops.CountDistinct)
        and node.where is None
        and isinstance(node.arg, ops.Field)
        and node.arg.name == "aid"
    )


def _rollable(node: ops.Reduction) -> bool:
    return isinstance(node, ops.Sum | ops.CountStar | ops.Max | ops.Mean) or _is_accounts(node)


def _swap(node: ops.Reduction, rollup: Rollup) -> Swap:
    """The reduction over cells equal to ``node`` over the rows behind them."""
    if isinstance(node, ops.Mean):  # a mean rolls up as its sum and its count
        total = rollup.part(ops.Sum(node.arg, node.where))
        count = rollup.part(ops.Count(node.arg, node.where))
        return lambda c: (c[total].sum() / c[count].sum().nullif(0)).op()
    if isinstance(node, ops.Max):
        column = rollup.part(node)
        return lambda c: c[column].max().op()
    if _is_accounts(node):
        return lambda c: c.aid.nunique().op()
    column = rollup.part(node)  # a sum or a count: the sum of the cells' sums
    return lambda c: c[column].sum().op()


def _rolled(expr: ir.Value, swaps: dict[ops.Reduction, Swap]) -> Callable[[ir.Table], ir.Value]:
    def over(cells: ir.Table) -> ir.Value:
        node = expr.op().replace({red: swap(cells) for red, swap in swaps.items()})
        value: ir.Value = node.to_expr()
        return value

    return over


def plan_rollup(t: ir.Table, metrics: Sequence[Metric]) -> Rollup:
    """Split ``metrics`` (all over base table ``t``) into cell parts and direct metrics."""
    rollup = Rollup()
    for metric in metrics:
        expr = metric.expr(t)
        reductions = list(expr.op().find(ops.Reduction))
        if not reductions or not all(_rollable(r) for r in reductions):
            rollup.direct.append(metric)
            continue
        rollup.rolled[metric.name] = _rolled(expr, {r: _swap(r, rollup) for r in reductions})
    return rollup
