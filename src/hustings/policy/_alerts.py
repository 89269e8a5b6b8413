"""Alerts: rules a workspace sets, matched against each item as it is coded; shown in the
app and mailed at once or in a daily digest.

Kinds (``ALERT_KINDS``): ``any_party`` (any party on one of the rule's topics), ``owned``
(the rule's party on a topic the workspace owns, the rule's ``topics``), ``first`` (a
party's first item on a topic it had never spoken on; the rule's ``party`` narrows it).
One rule raises one alert per item, ever (a unique key), so a re-fetch or an edit never
alerts twice.

Mail leaves through the ``outbound`` table with the connectors' exactly-once bookkeeping:
the row (its idempotency key naming the rule and the alerts, or the rule and the day for a
digest) is committed ``queued``, set ``sending`` before the SMTP hand-over and ``sent``
after; a row found ``sending`` is looked for in the mailbox first (the Message-ID is
derived from the key), and sent only if it is not there.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, func, or_, select, update

from hustings.connectors.base import OutgoingReply
from hustings.connectors.connections import open_connector
from hustings.connectors.email import EmailConnector
from hustings.errors import (
    ConnectorError,
    InvalidInputError,
    NotFoundError,
    PlatformUnavailableError,
    SendOutcomeUnknownError,
)
from hustings.policy._coding import topic_label, topics
from hustings.store import Store
from hustings.store.schema import (
    connections,
    outbound,
    policy_alert_rules,
    policy_alerts,
    policy_items,
)
from hustings.workspace import Actor, Role, audit

__all__ = [
    "ALERT_KINDS",
    "DIGEST_HOUR",
    "KIND",
    "add_rule",
    "deliver_alerts",
    "list_alerts",
    "list_rules",
    "match_alerts",
]

ALERT_KINDS = {
    "any_party": "any party on topic T",
    "owned": "party X on a topic we own",
    "first": "a party's first item on a new topic",
}
KIND = "policy_alert"
"""The ``outbound.kind`` of an alert mail (``connectors.outbound.OWN_DELIVERY``)."""
DIGEST_HOUR = 7
"""The daily digest leaves at the first delivery run after 07:00 UTC, with every alert of
its rule raised before then and not yet mailed."""
_RETRY = timedelta(minutes=1)


def _digest_moment(now: datetime) -> datetime:
    """The last digest time at or before ``now``."""
    today = now.astimezone(UTC).replace(hour=DIGEST_HOUR, minute=0, second=0, microsecond=0)
    return today if today <= now else today - timedelta(days=1)


def add_rule(conn: Connection, actor: Actor, kind: str, *, topics_: list[int] | None = None,
             party: str | None = None, delivery: str = "now", email: str | None = None,
             connection_id: int | None = None) -> int:
    actor.require(Role.MANAGER)
    if kind not in ALERT_KINDS:
        raise InvalidInputError(f"kind must be one of {', '.join(ALERT_KINDS)}, not {kind!r}")
    chosen = sorted(set(topics_ or []))
    unknown = [t for t in chosen if t not in topics()]
    if unknown:
        raise InvalidInputError(f"not CAP major topics: {', '.join(map(str, unknown))}")
    if kind in ("any_party", "owned") and not chosen:
        raise InvalidInputError(f"a {kind} rule needs at least one topic")
    if kind == "owned" and not party:
        raise InvalidInputError("an owned rule needs the party to watch")
    if delivery not in ("now", "digest"):
        raise InvalidInputError("delivery must be now or digest")
    if email is not None:
        if "@" not in email or connection_id is None:
            raise InvalidInputError("mail needs an address and the workspace's e-mail "
                                    "connection that sends it")
        found = conn.execute(select(connections.c.platform).where(
            connections.c.id == connection_id,
            connections.c.workspace_id == actor.workspace_id)).scalar()
        if found != "email":
            raise NotFoundError(f"no e-mail connection {connection_id}")
    rule_id = int(conn.execute(policy_alert_rules.insert().returning(policy_alert_rules.c.id), {
        "workspace_id": actor.workspace_id, "kind": kind, "party": party, "topics": chosen,
        "delivery": delivery, "email": email, "connection_id": connection_id,
        "created_at": datetime.now(UTC)}).scalar_one())
    audit(conn, actor, "policy.alert_rule.add", "policy_alert_rule", rule_id)
    return rule_id


def list_rules(conn: Connection, actor: Actor) -> list[dict[str, Any]]:
    rows = conn.execute(select(policy_alert_rules).where(
        policy_alert_rules.c.workspace_id == actor.workspace_id)
        .order_by(policy_alert_rules.c.id)).all()
    return [{"id": r.id, "kind": r.kind, "party": r.party, "topics": r.topics,
             "delivery": r.delivery, "email": r.email} for r in rows]


def _first_on_topic(conn: Connection, item: Any) -> bool:
    """No item of the party on this topic came before this one (by published time, else
    first-seen; ties, as in one fetch, by arrival order)."""
    when = func.coalesce(policy_items.c.published_at, policy_items.c.first_seen_at)
    at = item.published_at or item.first_seen_at
    earlier = conn.execute(select(policy_items.c.id).where(
        policy_items.c.workspace_id == item.workspace_id, policy_items.c.party == item.party,
        policy_items.c.topic_code == item.topic_code, policy_items.c.id != item.id,
        or_(when < at, and_(when == at, policy_items.c.id < item.id))).limit(1)).first()
    return earlier is None


def match_alerts(conn: Connection, workspace_id: int, item_ids: list[int],
                 now: datetime) -> list[int]:
    """Raise the alerts the newly coded ``item_ids`` match; return the new alerts' ids."""
    rules = conn.execute(select(policy_alert_rules).where(
        policy_alert_rules.c.workspace_id == workspace_id)).all()
    if not rules or not item_ids:
        return []
    items = conn.execute(select(policy_items).where(
        policy_items.c.workspace_id == workspace_id, policy_items.c.id.in_(item_ids),
        policy_items.c.topic_code.is_not(None))).all()
    raised = []
    for item in items:
        label = topic_label(item.topic_code)
        for rule in rules:
            reason = None
            if rule.kind == "any_party" and item.topic_code in rule.topics:
                reason = f"{item.party} on {label}"
            elif (rule.kind == "owned" and item.party == rule.party
                  and item.topic_code in rule.topics):
                reason = f"{item.party} on {label}, a topic we own"
            elif (rule.kind == "first" and item.topic_code != 0
                  and rule.party in (None, item.party) and _first_on_topic(conn, item)):
                reason = f"{item.party}'s first item on {label}"
            if reason is None:
                continue
            exists = conn.execute(select(policy_alerts.c.id).where(
                policy_alerts.c.rule_id == rule.id, policy_alerts.c.item_id == item.id)).first()
            if exists is None:
                raised.append(int(conn.execute(
                    policy_alerts.insert().returning(policy_alerts.c.id), {
                        "workspace_id": workspace_id, "rule_id": rule.id, "item_id": item.id,
                        "reason": reason, "created_at": now}).scalar_one()))
    return raised


def list_alerts(conn: Connection, actor: Actor, limit: int = 200) -> list[dict[str, Any]]:
    """The workspace's alerts, newest first, with the item and whether a mail carried it."""
    rows = conn.execute(
        select(policy_alerts, policy_alert_rules.c.kind, policy_items.c.title,
               policy_items.c.party, policy_items.c.url, outbound.c.state.label("mail"))
        .join(policy_alert_rules, policy_alert_rules.c.id == policy_alerts.c.rule_id)
        .join(policy_items, policy_items.c.id == policy_alerts.c.item_id)
        .outerjoin(outbound, outbound.c.id == policy_alerts.c.outbound_id)
        .where(policy_alerts.c.workspace_id == actor.workspace_id)
        .order_by(policy_alerts.c.created_at.desc(), policy_alerts.c.id.desc())
        .limit(limit)).all()
    return [{"id": r.id, "rule_id": r.rule_id, "kind": r.kind, "reason": r.reason,
             "item_id": r.item_id, "party": r.party, "title": r.title, "url": r.url,
             "created_at": r.created_at, "mail": r.mail} for r in rows]


def _body(rows: Sequence[Any]) -> str:
    lines = []
    for r in rows:
        lines += [f"- {r.reason}: {r.title}", f"  {r.url or '(no address)'}",
                  f"  item {r.item_id}, alerted {r.created_at:%Y-%m-%d %H:%M} UTC", ""]
    return "\n".join(lines) + "\nSent by Hustings policy watch.\n"


def _queue(conn: Connection, now: datetime, workspace_id: int) -> list[int]:
    """Queue the mails that are due: one per alert of an at-once rule, one per day per
    digest rule; return the outbound ids."""
    pending = conn.execute(
        select(policy_alerts.c.id, policy_alerts.c.rule_id, policy_alert_rules.c.delivery,
               policy_alert_rules.c.connection_id, policy_alerts.c.created_at)
        .join(policy_alert_rules, policy_alert_rules.c.id == policy_alerts.c.rule_id)
        .where(policy_alerts.c.workspace_id == workspace_id,
               policy_alerts.c.outbound_id.is_(None), policy_alert_rules.c.email.is_not(None),
               policy_alert_rules.c.connection_id.is_not(None))
        .order_by(policy_alerts.c.id)).all()
    groups: dict[str, tuple[int | None, list[int]]] = {}
    for row in pending:
        if row.delivery == "now":
            groups[f"policy-alert:{row.rule_id}:{row.id}"] = (row.connection_id, [row.id])
        elif row.created_at < _digest_moment(now):
            key = f"policy-digest:{row.rule_id}:{_digest_moment(now):%Y-%m-%d}"
            groups.setdefault(key, (row.connection_id, []))[1].append(row.id)
    queued = []
    for name, (connection_id, alert_ids) in groups.items():
        key = hashlib.sha256(name.encode()).hexdigest()[:32]
        if conn.execute(select(outbound.c.id).where(outbound.c.idempotency_key == key)).first():
            continue  # today's digest already left: the rest wait for tomorrow's
        outbound_id = int(conn.execute(outbound.insert().returning(outbound.c.id), {
            "workspace_id": workspace_id, "connection_id": connection_id, "kind": KIND,
            "idempotency_key": key, "state": "queued", "attempts": 0, "created_at": now,
            "updated_at": now}).scalar_one())
        conn.execute(update(policy_alerts).where(policy_alerts.c.id.in_(alert_ids))
                     .values(outbound_id=outbound_id))
        queued.append(outbound_id)
    return queued


def _send_one(store: Store, outbound_id: int, now: datetime) -> str:
    with store.begin() as conn:
        row = conn.execute(select(outbound).where(outbound.c.id == outbound_id)).first()
        if row is None or row.state == "sent":
            return "sent"
        alerts = conn.execute(
            select(policy_alerts.c.item_id, policy_alerts.c.reason, policy_alerts.c.created_at,
                   policy_items.c.title, policy_items.c.url, policy_alert_rules.c.email,
                   policy_alert_rules.c.delivery)
            .join(policy_items, policy_items.c.id == policy_alerts.c.item_id)
            .join(policy_alert_rules, policy_alert_rules.c.id == policy_alerts.c.rule_id)
            .where(policy_alerts.c.outbound_id == outbound_id)
            .order_by(policy_alerts.c.id)).all()
        if not alerts or row.connection_id is None:
            conn.execute(update(outbound).where(outbound.c.id == outbound_id).values(
                state="failed", error="nothing to send, or the connection was removed",
                updated_at=now))
            return "failed"
        connector, _ = open_connector(conn, row.connection_id)
        was_sending = row.state == "sending"
        conn.execute(update(outbound).where(outbound.c.id == outbound_id).values(
            state="sending", attempts=row.attempts + 1, updated_at=now))
    if not isinstance(connector, EmailConnector):
        raise InvalidInputError("alerts are mailed through an e-mail connection")
    digest = alerts[0].delivery == "digest"
    subject = (f"Policy watch digest: {len(alerts)} alert(s)" if digest
               else f"Policy watch: {alerts[0].reason}")
    try:
        found = connector.find_sent(OutgoingReply("", None, row.idempotency_key, row.created_at)
                                    ) if was_sending else None
        platform_id = (found.platform_id if found is not None else
                       connector.send_notice(alerts[0].email, subject, _body(alerts),
                                             row.idempotency_key))
    except SendOutcomeUnknownError as exc:
        with store.begin() as conn:
            conn.execute(update(outbound).where(outbound.c.id == outbound_id).values(
                error=str(exc), retry_at=now + _RETRY, updated_at=now))
        return "sending"
    except ConnectorError as exc:
        retry = isinstance(exc, PlatformUnavailableError)
        with store.begin() as conn:
            conn.execute(update(outbound).where(outbound.c.id == outbound_id).values(
                state="failed", error=str(exc), retry_at=now + _RETRY if retry else None,
                updated_at=now))
        return "failed"
    finally:
        connector.close()
    with store.begin() as conn:
        conn.execute(update(outbound).where(outbound.c.id == outbound_id).values(
            state="sent", platform_id=platform_id, sent_at=now, error=None, retry_at=None,
            updated_at=now))
    return "sent"


def deliver_alerts(store: Store, workspace_id: int, now: datetime | None = None
                   ) -> dict[int, str]:
    """Queue the alert mails that are due and send them (and retry those whose time has
    come), exactly once; return each outbound id's new state."""
    now = now or datetime.now(UTC)
    with store.begin() as conn:
        _queue(conn, now, workspace_id)
        due = list(conn.execute(select(outbound.c.id).where(
            outbound.c.workspace_id == workspace_id, outbound.c.kind == KIND,
            (outbound.c.state == "queued")
            | (outbound.c.state.in_(("sending", "failed")) & outbound.c.retry_at.is_not(None)
               & (outbound.c.retry_at <= now))).order_by(outbound.c.id)).scalars())
    return {i: _send_one(store, i, now) for i in due}
