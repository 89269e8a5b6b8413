"""Policy watch: every party's announcements by policy topic, side by side (issue 21).

Sources (feeds, listing pages, newsletters, accounts' own posts) bring items; an item is
one announcement however many sources carried it, archived with a hash, its silent edits
and deletion kept as versions. Each item is coded with a CAP major topic
(``hustings.nlp.cap``); low-confidence ones wait for a person. The matrix shows each
party's attention share by topic and week, the first mover on each topic and the others'
lag; alerts mail and show what a workspace asked to hear about.
"""

from __future__ import annotations

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
