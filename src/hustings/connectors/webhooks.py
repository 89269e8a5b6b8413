"""Meta webhooks: a connection's Facebook Page or Instagram account pushes what happens.

Where the user exposes the server, Meta delivers changes to
``/webhooks/meta/{connection id}`` instead of waiting for the next poll. Two requests:

* the subscription check (``GET``, ``hub.mode=subscribe``): answered with ``hub.challenge``
  only when ``hub.verify_token`` is the connection's verify token;
* a delivery (``POST``): processed only when ``X-Hub-Signature-256`` is the HMAC-SHA256 of
  the exact body under the connection's app secret, compared in constant time. A delivery
  that is not signed, or signed with another secret, is refused (403) and nothing of it is
  read: anyone can send a POST, only Meta holds the secret.

A verified delivery goes through the importer's ``parse_value`` and ``write_units`` like a
polled page, into the connection's workspace. Changes that carry only ids (an Instagram
mention) are queued on the connection's cursor (``mentions_pending``) for the next pull to
fetch. The route answers 200 quickly; Meta retries a delivery that fails.
"""

from __future__ import annotations

import hmac
from typing import Any

import orjson
from sqlalchemy import select, update

from hustings.connectors.graph import MetaCredentials, position_of, signature_ok
from hustings.connectors.secrets import decrypt
from hustings.errors import ConnectorError, InvalidInputError, NotFoundError, PermissionDeniedError
from hustings.ingest.base import Where
from hustings.ingest.intake import IntakeResult, connector_source, write_units
from hustings.ingest.meta import FacebookImporter, InstagramImporter
from hustings.store import Store
from hustings.store.schema import connections, tracked_accounts

__all__ = ["PLATFORMS", "receive", "verify_subscription"]

PLATFORMS = {"facebook": FacebookImporter, "instagram": InstagramImporter}
_OBJECTS = {"page": "facebook", "instagram": "instagram"}


def _credentials(store: Store, connection_id: int) -> tuple[Any, MetaCredentials]:
    with store.begin() as conn:
        row = conn.execute(
            select(connections, tracked_accounts.c.platform_id.label("account_id"))
            .join(tracked_accounts, tracked_accounts.c.id == connections.c.tracked_account_id)
            .where(connections.c.id == connection_id)
        ).first()
    if row is None or row.platform not in PLATFORMS or row.secret is None:
        raise NotFoundError("no Facebook or Instagram connection takes webhooks here")
    try:
        return row, MetaCredentials.of(decrypt(row.secret))
    except ConnectorError:
        raise PermissionDeniedError(
            "this connection's credentials cannot be read: connect it again"
        ) from None


def verify_subscription(store: Store, connection_id: int, mode: str | None,
                        token: str | None, challenge: str | None) -> str:
    """The challenge to echo when Meta's subscription check names our verify token."""
    _row, creds = _credentials(store, connection_id)
    if creds.verify_token is None:
        raise PermissionDeniedError(
            "this connection has no webhook verify token: connect it with one first"
        )
    if mode != "subscribe" or not token or not hmac.compare_digest(
        token.encode(), creds.verify_token.reveal().encode()
    ):
        raise PermissionDeniedError("the verify token does not match this connection's")
    if not challenge:
        raise InvalidInputError("hub.challenge is missing")
    return challenge


def receive(store: Store, connection_id: int, body: bytes,
            signature: str | None) -> IntakeResult:
    """Check the signature of one delivery, then write what it carries."""
    row, creds = _credentials(store, connection_id)
    if creds.app_secret is None:
        raise PermissionDeniedError(
            "this connection has no app secret, so its webhooks cannot be verified: "
            "connect it with the app secret, or rely on polling"
        )
    if not signature_ok(creds.app_secret, body, signature):
        raise PermissionDeniedError(
            "the X-Hub-Signature-256 signature does not match the body under this "
            "connection's app secret: the delivery was not processed"
        )
    try:
        payload = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise InvalidInputError("the delivery is not JSON") from None
    if not isinstance(payload, dict) or _OBJECTS.get(str(payload.get("object"))) != row.platform:
        raise InvalidInputError(f"a {row.platform} connection takes "
                                f"{'page' if row.platform == 'facebook' else 'instagram'} "
                                "deliveries only")
    source = connector_source(row.platform, row.id)
    parser = PLATFORMS[row.platform]()
    unit = parser.parse_value(payload, Where(source, position_of(payload), "webhook",
                                             row.account_id))
    with store.begin() as conn:
        if row.platform == "instagram":
            _queue_mentions(conn, row.id, payload)
        return write_units(conn, [unit], source, row.workspace_id)


def _queue_mentions(conn: Any, connection_id: int, payload: dict[str, Any]) -> None:
    """Instagram mention deliveries name a comment or media id: fetched by the next pull."""
    found = []
    for entry in payload.get("entry") or ():
        for change in (entry.get("changes") or ()) if isinstance(entry, dict) else ():
            value = change.get("value") if isinstance(change, dict) else None
            if not isinstance(value, dict) or change.get("field") != "mentions":
                continue
            if value.get("comment_id"):
                found.append(f"comment:{value['comment_id']}")
            elif value.get("media_id"):
                found.append(f"media:{value['media_id']}")
    if not found:
        return
    cursor = dict(conn.execute(select(connections.c.cursor)
                               .where(connections.c.id == connection_id)).scalar() or {})
    pending = [p for p in str(cursor.get("mentions_pending", "")).split(",") if p]
    cursor["mentions_pending"] = ",".join(dict.fromkeys([*pending, *found]))
    conn.execute(update(connections).where(connections.c.id == connection_id)
                 .values(cursor=cursor))
