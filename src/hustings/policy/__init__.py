"""Policy watch: every party's announcements by policy topic, side by side (issue 21).

Sources (feeds, listing pages, newsletters, accounts' own posts) bring items; an item is
one announcement however many sources carried it, archived with a hash, its silent edits
and deletion kept as versions. Each item is coded with a CAP major topic
(``hustings.nlp.cap``); low-confidence ones wait for a person. The matrix shows each
party's attention share by topic and week, the first mover on each topic and the others'
lag; alerts mail and show what a workspace asked to hear about.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hustings._lazy import lazy_getattr

if TYPE_CHECKING:
    from hustings.policy._alerts import (
        ALERT_KINDS,
        DIGEST_HOUR,
        add_rule,
        deliver_alerts,
        list_alerts,
        list_rules,
        match_alerts,
    )
    from hustings.policy._coding import (
        code_pending,
        correct,
        export_corrections,
        topic_label,
        topics,
    )
    from hustings.policy._defs import DEFINITIONS, SOURCE_KINDS, Definition
    from hustings.policy._fetch import Entry, http_client
    from hustings.policy._items import get_item, list_items
    from hustings.policy._matrix import Cell, Matrix, Mover, build_matrix
    from hustings.policy._report import write_policy_report
    from hustings.policy._run import RECHECK, WATCH, FetchReport, fetch_all, fetch_source
    from hustings.policy._sources import SourceHealth, add_source, get_source, list_sources

# Loaded on first use: every command imports this package through the CLI, and the
# fetchers, the report and the topic model cost each of them about 0.4 s at start-up.
_HOMES = {
    "ALERT_KINDS": "_alerts",
    "DIGEST_HOUR": "_alerts",
    "add_rule": "_alerts",
    "deliver_alerts": "_alerts",
    "list_alerts": "_alerts",
    "list_rules": "_alerts",
    "match_alerts": "_alerts",
    "code_pending": "_coding",
    "correct": "_coding",
    "export_corrections": "_coding",
    "topic_label": "_coding",
    "topics": "_coding",
    "DEFINITIONS": "_defs",
    "SOURCE_KINDS": "_defs",
    "Definition": "_defs",
    "Entry": "_fetch",
    "http_client": "_fetch",
    "get_item": "_items",
    "list_items": "_items",
    "Cell": "_matrix",
    "Matrix": "_matrix",
    "Mover": "_matrix",
    "build_matrix": "_matrix",
    "write_policy_report": "_report",
    "RECHECK": "_run",
    "WATCH": "_run",
    "FetchReport": "_run",
    "fetch_all": "_run",
    "fetch_source": "_run",
    "SourceHealth": "_sources",
    "add_source": "_sources",
    "get_source": "_sources",
    "list_sources": "_sources",
}

__all__ = [
    "ALERT_KINDS",
    "DEFINITIONS",
    "DIGEST_HOUR",
    "RECHECK",
    "SOURCE_KINDS",
    "WATCH",
    "Cell",
    "Definition",
    "Entry",
    "FetchReport",
    "Matrix",
    "Mover",
    "SourceHealth",
    "add_rule",
    "add_source",
    "build_matrix",
    "code_pending",
    "correct",
    "deliver_alerts",
    "export_corrections",
    "fetch_all",
    "fetch_source",
    "get_item",
    "get_source",
    "http_client",
    "list_alerts",
    "list_items",
    "list_rules",
    "list_sources",
    "match_alerts",
    "topic_label",
    "topics",
    "write_policy_report",
]

__getattr__ = lazy_getattr(__name__, _HOMES, globals())
