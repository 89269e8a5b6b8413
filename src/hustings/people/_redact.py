"""Taking an erased person out of text that others wrote: pure functions, no I/O.

Erasure keeps third parties' messages to the person (a candidate's answer is the
candidate's record, a neighbour's reply is the neighbour's), but not the person in them:
their ``@handle`` mentions, their e-mail address, the handle and account id the message
replies to, their entry in ``mentions`` and their account id in a DM's conversation id all
become one fixed marker, :data:`ERASED` (``@[erased]`` where a mention was). A
:class:`Redactor` holds what identifies the person and applies those rules; the store code
in ``hustings.people.erasure`` decides which rows it is applied to.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

__all__ = ["ERASED", "ERASED_MENTION", "Redactor"]

ERASED = "[erased]"
"""What replaces an erased person's handle, address or account id wherever it is kept."""
ERASED_MENTION = f"@{ERASED}"
"""What replaces an ``@handle`` mention of an erased person in a message's text."""

_SHORT_ID = 4
"""Account ids shorter than this (test fixtures, early accounts) are only recognised in
free text when quoted (``"42"``, as JSON writes ids): as bare words they match dates,
line numbers and counts."""


def _alternatives(values: Iterable[str]) -> str:
    return "|".join(re.escape(v) for v in sorted(set(values), key=lambda v: (-len(v), v)))


@dataclass(frozen=True, slots=True)
class Redactor:
    """Everything that names one erased person: their handles (lower case, without ``@``),
    e-mail addresses (lower case) and platform account ids (as stored)."""

    handles: frozenset[str]
    addresses: frozenset[str]
    account_ids: frozenset[str]
    _mention: re.Pattern[str] | None = field(init=False, repr=False, compare=False)
    _address: re.Pattern[str] | None = field(init=False, repr=False, compare=False)
    _anywhere: re.Pattern[str] | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        mention = (
            re.compile(rf"(?<![\w@])@(?:{_alternatives(self.handles)})(?![\w@])", re.I)
            if self.handles
            else None
        )
        address = (
            re.compile(rf"(?<![\w.+-])(?:{_alternatives(self.addresses)})(?![\w-]|\.\w)", re.I)
            if self.addresses
            else None
        )
        words = [
            *self.handles,
            *self.addresses,
            *(i for i in self.account_ids if len(i) >= _SHORT_ID),
        ]
        quoted = [f'"{i}"' for i in self.account_ids if len(i) < _SHORT_ID]
        parts = [rf"(?<![\w@.+-])(?:{_alternatives(words)})(?![\w-]|\.\w)"] if words else []
        if quoted:
            parts.append(f"(?:{_alternatives(quoted)})")
        anywhere = re.compile("|".join(parts), re.I) if parts else None
        object.__setattr__(self, "_mention", mention)
        object.__setattr__(self, "_address", address)
        object.__setattr__(self, "_anywhere", anywhere)

    @classmethod
    def of(cls, identities: Iterable[tuple[str, str, str | None]]) -> Redactor:
        """From ``(platform, account id, handle)`` triples; an e-mail identity's account id
        is its address, and any handle with an ``@`` inside is treated as an address too."""
        handles: set[str] = set()
        addresses: set[str] = set()
        ids: set[str] = set()
        for platform, account_id, handle in identities:
            if platform == "email":
                addresses.add(account_id.lower())
            else:
                ids.add(account_id)
            name = (handle or "").strip().lstrip("@").lower()
            if name and " " not in name:
                (addresses if "@" in name and "." in name.split("@")[-1] else handles).add(name)
        return cls(frozenset(handles), frozenset(addresses), frozenset(ids))

    def is_them(self, value: str | None) -> bool:
        """Whether ``value`` is one of their handles (with or without ``@``), addresses or
        account ids."""
        if not value:
            return False
        bare = value.strip().lstrip("@")
        return bare in self.account_ids or bare.lower() in self.handles | self.addresses

    def text(self, value: str | None) -> str | None:
        """``value`` with their ``@handle`` mentions and e-mail addresses replaced."""
        if not value:
            return value
        if self._mention is not None:
            value = self._mention.sub(ERASED_MENTION, value)
        if self._address is not None:
            value = self._address.sub(ERASED, value)
        return value

    def mentions(self, values: Iterable[str]) -> list[str]:
        """A ``mentions`` list with their entries replaced (in place, so counts stay true)."""
        return [ERASED if self.is_them(v) else v for v in values]

    def conversation(self, value: str | None) -> str | None:
        """A DM conversation id (``<account id>-<account id>``) without their account id."""
        if not value:
            return value
        return "-".join(ERASED if part in self.account_ids else part for part in value.split("-"))

    def found_in(self, value: str | None) -> bool:
        """Whether free text (a quarantined excerpt) names them in any way at all."""
        if not value or self._anywhere is None:
            return False
        return self._anywhere.search(value) is not None

    def scrub(self, value: str) -> str:
        """Free text with every handle, address and account id of theirs replaced."""
        return value if self._anywhere is None else self._anywhere.sub(ERASED, value)

    def needles(self) -> list[str]:
        """Lower-case substrings a database can search for before :meth:`found_in` decides."""
        ids = {i.lower() if len(i) >= _SHORT_ID else f'"{i}"' for i in self.account_ids}
        return sorted(self.handles | self.addresses | ids)

    def mention_needles(self) -> list[str]:
        """Lower-case substrings to search for before :meth:`text` redacts: ``@handle``s and
        addresses."""
        return sorted({f"@{h}" for h in self.handles} | self.addresses)
