"""Whose audit it is: the accounts a report's headline speaks for.

An audit compares every account in the registry (the league table, the per-party charts),
but a campaign reads it for its own accounts: pooled over every party, the headline said
nothing about anyone. A :class:`Scope` names one or more parties, accounts, or the accounts
a workspace holds; the scorecard then computes every metric for those accounts as one group
(the ``focus`` grouping) and the report leads with it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from hustings.errors import ConfigError

__all__ = ["FOCUS", "Scope"]

FOCUS = "focus"
"""The grouping (and the account column) that marks the accounts in scope."""


def _bare(handle: str) -> str:
    return handle.strip().lstrip("@").lower()


@dataclass(frozen=True, slots=True)
class Scope:
    """Accounts in scope: any of ``parties``, ``handles`` or ``accounts`` selects one.

    ``handles`` are ``handle`` or ``platform:handle`` (an ``@`` is dropped, case ignored);
    ``accounts`` are exact ``(platform, handle)`` pairs, as a workspace holds them;
    ``label`` names the scope in the report ("Harbour Party", "workspace North").
    """

    label: str
    parties: frozenset[str] = field(default_factory=frozenset)
    handles: frozenset[str] = field(default_factory=frozenset)
    accounts: frozenset[tuple[str, str]] = field(default_factory=frozenset)

    @classmethod
    def of(
        cls,
        parties: Iterable[str] = (),
        handles: Iterable[str] = (),
        accounts: Iterable[tuple[str, str]] = (),
        workspace: str | None = None,
    ) -> Scope | None:
        """The scope the options name, labelled from them; ``None`` when they name nothing."""
        party_list = [p.strip() for p in parties if p.strip()]
        handle_list = [h.strip() for h in handles if _bare(h)]
        pairs = frozenset((p.lower(), _bare(h)) for p, h in accounts)
        if not (party_list or handle_list or workspace):
            return None
        words = [*party_list, *(f"@{h.lstrip('@')}" for h in handle_list)]
        if workspace:
            words.append(f"workspace {workspace}")
        return cls(
            label=", ".join(words),
            parties=frozenset(p.lower() for p in party_list),
            handles=frozenset(_bare(h) for h in handle_list),
            accounts=pairs,
        )

    def matches(self, account: Mapping[str, Any]) -> bool:
        """Whether an audited account (``platform``, ``handle``, ``party``) is in scope."""
        platform = str(account.get("platform") or "").lower()
        handle = _bare(str(account.get("handle") or ""))
        party = str(account.get("party") or "").strip().lower()
        return (
            (bool(party) and party in self.parties)
            or handle in self.handles
            or f"{platform}:{handle}" in self.handles
            or (platform, handle) in self.accounts
        )

    def select(self, audited: list[dict[str, Any]]) -> set[str]:
        """The ``akey`` of every audited account in scope; a scope that selects nothing is a
        mistake the user must see, so it raises, naming what could have been chosen."""
        chosen = {str(a["akey"]) for a in audited if self.matches(a)}
        if chosen:
            return chosen
        parties = sorted({str(a["party"]) for a in audited if a.get("party")})
        known = f"parties: {', '.join(parties)}" if parties else "no account has a party"
        raise ConfigError(
            f"{self.label} matches none of the {len(audited)} audited accounts ({known}; "
            "an account is named by its handle or platform:handle)"
        )
