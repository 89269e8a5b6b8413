"""The one registry of the plan guard's rules: each rule defines itself, and a name is taken
only once.

A rule looks at one draft in its context (the account's published and queued posts, the
campaign's other accounts, the platform) and returns a :class:`Finding`: a verdict and the
reason in plain words, or nothing when it has nothing to say. The CLI, the web composer and
``docs/plan.md`` print ``rule.definition``; nobody writes a rule's definition anywhere else
(the same pattern as :mod:`hustings.metrics._registry`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from hustings.errors import PluginError

if TYPE_CHECKING:
    from hustings.plan._guard import Context

__all__ = ["Finding", "Rule", "Verdict", "all_rules", "get_rule", "register_rule"]


class Verdict(StrEnum):
    """What the guard says about a draft: send it, think twice, or not without a manager."""

    OK = "ok"
    WARN = "warn"
    HOLD = "hold"

    @property
    def rank(self) -> int:
        return list(Verdict).index(self)


@dataclass(frozen=True, slots=True)
class Finding:
    """One rule's verdict on one draft, with the reason a person reads."""

    rule: str
    verdict: Verdict
    reason: str

    def as_dict(self) -> dict[str, str]:
        return {"rule": self.rule, "verdict": self.verdict.value, "reason": self.reason}


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule of the guard, its plain-language definition and the check that applies it.

    ``parameters`` names the settings the check reads (``GuardParams`` or ``AuditParams``
    fields), so the docs can print them beside the definition.
    """

    name: str
    title: str
    definition: str
    check: Callable[[Context], Finding | None]
    parameters: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self) -> None:
        if not self.definition.strip():
            raise ValueError(f"rule {self.name!r} has no definition")


_REGISTRY: dict[str, Rule] = {}


def register_rule(rule: Rule) -> Rule:
    """Add ``rule``; a second rule with the same name is a plugin error, never a skip."""
    if rule.name in _REGISTRY:
        raise PluginError(f"a plan rule named {rule.name!r} is already registered")
    _REGISTRY[rule.name] = rule
    return rule


def all_rules() -> Iterator[Rule]:
    """Every registered rule, built-ins first, in registration order."""
    from hustings.plan import _defs, _user_rules  # noqa: F401  (register the built-ins)

    yield from list(_REGISTRY.values())


def get_rule(name: str) -> Rule:
    for rule in all_rules():
        if rule.name == name:
            return rule
    raise KeyError(name)
