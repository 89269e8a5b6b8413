"""Who is audited, who answers for whom, and what each reply target is.

These are small tables (one row per account in the registry), so they are resolved in
Python from a few narrow queries and handed back to the engine as memtables. Resolving them
eagerly keeps the large expressions simple equi-joins, which both engines plan well.

* **Audited accounts**: the tracked-account registry when one is loaded (staff accounts are
  folded into the account they work for), else every account with at least ``min_posts``
  own public messages in the period.
* **Responders**: each audited account answers for itself, and a ``staff`` account whose
  ``office`` names an audited account's handle answers for that account too.
* **Targets**: every tracked account, keyed both by its platform id and by ``@handle``, so a
  reply that names only a handle (CSV exports) still finds its target.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa
from ibis.backends import BaseBackend

from hustings.metrics._engine import AuditInput, upload

__all__ = [
    "ACCOUNT_ATTRS",
    "AUDITED_SCHEMA",
    "PRIVATE_KINDS",
    "PUBLIC_KINDS",
    "RESPONDER_SCHEMA",
    "TARGET_SCHEMA",
    "Directory",
    "own_output",
    "resolve_directory",
]

PUBLIC_KINDS = ("post", "reply", "quote", "repost", "comment")
PRIVATE_KINDS = ("dm", "email", "chat")
ACCOUNT_ATTRS = ("akey", "platform", "account_id", "handle", "name", "party", "role", "district")

AUDITED_SCHEMA = pa.schema([(name, pa.string()) for name in ACCOUNT_ATTRS] + [("aid", pa.int64())])
RESPONDER_SCHEMA = pa.schema(
    [("platform", pa.string()), ("responder_id", pa.string()), ("aid", pa.int64())]
)
TARGET_SCHEMA = pa.schema(
    [
        ("platform", pa.string()),
        ("target_key", pa.string()),
        ("target_role", pa.string()),
        ("target_party", pa.string()),
        ("target_principal", pa.int64()),
    ]
)


def own_output(m: ir.Table) -> ir.BooleanValue:
    """Whether a message counts as its author's own public output.

    Context records (``partial``: a tweet seen only because another one refers to it, such
    as the parents in a twarc page's ``includes``) do not: counting them gave 164 "own"
    messages for a page of 100 tweets.
    """
    partial: ir.BooleanValue = ibis.coalesce(m.partial, False)
    return m.kind.isin(PUBLIC_KINDS) & ~partial


@dataclass(frozen=True)
class Directory:
    audited: pa.Table
    responders: pa.Table
    targets: pa.Table
    from_registry: bool

    def tables(self, con: BaseBackend | None) -> tuple[ir.Table, ir.Table, ir.Table]:
        return (
            upload(con, self.audited, "audited"),
            upload(con, self.responders, "responders"),
            upload(con, self.targets, "targets"),
        )


def _bare_handle(handle: Any) -> str | None:
    """A registry handle as the platforms print it: no ``@``, no stray spaces, case kept.

    Registries write ``@alice``, ``alice`` and `` Alice``; messages name ``alice``. Every
    join and every self-reply test compares ``@`` + the lower-cased bare handle.
    """
    if not handle:
        return None
    return str(handle).strip().lstrip("@") or None


def _clean_handle(handle: Any) -> str | None:
    bare = _bare_handle(handle)
    return bare.lower() if bare else None


def _handles(
    inp: AuditInput, platform_handles: list[tuple[str, str]]
) -> dict[tuple[str, str], str]:
    """Map ``(platform, handle_lower)`` to a platform id, from accounts then message authors.

    The handles are joined as a table: an ``IN`` list of a registry's thousands of handles
    is tested row by row, and took seconds over a large store.
    """
    found: dict[tuple[str, str], str] = {}
    wanted = sorted(set(platform_handles))
    if not wanted:
        return found

    def table(keys: list[tuple[str, str]]) -> ir.Table:
        platforms, handles = zip(*keys, strict=True)
        columns = {"platform": list(platforms), "handle_lower": list(handles)}
        return upload(inp.con, pa.table(columns), "handles")

    acc = inp.accounts.select("platform", "platform_id", "handle_lower")
    rows = acc.join(table(wanted), ["platform", "handle_lower"])
    for r in rows.to_pyarrow().to_pylist():
        found.setdefault((r["platform"], r["handle_lower"]), r["platform_id"])
    missing = [key for key in wanted if key not in found]
    if missing:
        m = inp.messages
        m = m.select("platform", platform_id=m.author_id, handle_lower=m.author_handle.lower())
        authors = m.join(table(missing), ["platform", "handle_lower"]).distinct()
        for r in authors.to_pyarrow().to_pylist():
            found.setdefault((r["platform"], r["handle_lower"]), r["platform_id"])
    return found


def _from_registry(inp: AuditInput, tracked: list[dict[str, Any]]) -> Directory:
    keyed = [(str(t["platform"]), _clean_handle(t["handle"]) or "") for t in tracked]
    unknown = [k for t, k in zip(tracked, keyed, strict=True) if k[1] and not t.get("platform_id")]
    ids = _handles(inp, unknown)
    resolved = []
    for t, key in zip(tracked, keyed, strict=True):
        account_id = t.get("platform_id") or ids.get(key)
        resolved.append({**t, "handle_lower": key[1], "account_id": account_id})
    principals = {
        (t["platform"], t["handle_lower"]): t
        for t in resolved
        if t["account_id"] and t["role"] != "staff"
    }
    audited, responders, targets = [], [], []
    for t in resolved:
        boss = principals.get((t["platform"], _clean_handle(t.get("office")) or ""))
        is_staff = t["role"] == "staff" and boss is not None
        if t["account_id"] and not is_staff:
            akey = f"{t['platform']}:{t['account_id']}"
            audited.append(
                {
                    "akey": akey,
                    "platform": t["platform"],
                    "account_id": t["account_id"],
                    "handle": _bare_handle(t["handle"]),
                    "name": t.get("name"),
                    "party": t.get("party"),
                    "role": t["role"],
                    "district": t.get("district"),
                }
            )
            responders.append(
                {"platform": t["platform"], "responder_id": t["account_id"], "akey": akey}
            )
        if is_staff and t["account_id"] and boss is not None:
            responders.append(
                {
                    "platform": t["platform"],
                    "responder_id": t["account_id"],
                    "akey": f"{boss['platform']}:{boss['account_id']}",
                }
            )
        principal = f"{boss['platform']}:{boss['account_id']}" if boss else None
        party = t.get("party") or (boss.get("party") if boss else None)
        for target_key in (t["account_id"], f"@{t['handle_lower']}"):
            if target_key and target_key != "@":
                targets.append(
                    {
                        "platform": t["platform"],
                        "target_key": target_key,
                        "target_role": t["role"],
                        "target_party": party,
                        "target_principal": principal,
                    }
                )
    return _numbered(audited, responders, _unique(targets), from_registry=True)


def _unique(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: dict[tuple[str, str], dict[str, Any]] = {}
    for row in rows:
        seen.setdefault((row["platform"], row["target_key"]), row)
    return list(seen.values())


def _numbered(
    audited: list[dict[str, Any]],
    responders: list[dict[str, Any]],
    targets: list[dict[str, Any]],
    from_registry: bool,
) -> Directory:
    """The directory, with each audited account numbered (``aid``) for the engine.

    ``akey`` (``platform:account_id``) names an account in every output; the engine joins and
    groups millions of rows by the number instead, which hashes and compares faster than
    the text (a tenth of a 10-million-message audit).
    """
    aid = {a["akey"]: n for n, a in enumerate(audited)}
    return Directory(
        audited=pa.Table.from_pylist(
            [{**a, "aid": aid[a["akey"]]} for a in audited], schema=AUDITED_SCHEMA
        ),
        responders=pa.Table.from_pylist(
            # the schema keeps the number and drops the ``akey`` it was found by
            [{**r, "aid": aid[r["akey"]]} for r in responders],
            schema=RESPONDER_SCHEMA,
        ),
        targets=pa.Table.from_pylist(
            [{**t, "target_principal": aid.get(t["target_principal"])} for t in targets],
            schema=TARGET_SCHEMA,
        ),
        from_registry=from_registry,
    )


def _busiest(inp: AuditInput, lo: int, hi: int, min_posts: int) -> Directory:
    m = inp.messages
    own = m.filter(own_output(m), m.ts >= lo, m.ts <= hi)
    counts = (
        own.group_by(["platform", "author_id"])
        .aggregate(n=own.count(), handle=own.author_handle.max())
        .filter(lambda t: t.n >= min_posts)
    )
    audited = [
        {
            "akey": f"{r['platform']}:{r['author_id']}",
            "platform": r["platform"],
            "account_id": r["author_id"],
            "handle": r["handle"] or r["author_id"],
            "name": None,
            "party": None,
            "role": None,
            "district": None,
        }
        for r in counts.to_pyarrow().to_pylist()
    ]
    responders = [
        {"platform": a["platform"], "responder_id": a["account_id"], "akey": a["akey"]}
        for a in audited
    ]
    return _numbered(audited, responders, [], from_registry=False)


def resolve_directory(inp: AuditInput, lo: int, hi: int, min_posts: int) -> Directory:
    """The registry's accounts when a registry is loaded, else the busiest authors."""
    tracked = inp.tracked.to_pyarrow().to_pylist()
    if tracked:
        return _from_registry(inp, tracked)
    return _busiest(inp, lo, hi, min_posts)
