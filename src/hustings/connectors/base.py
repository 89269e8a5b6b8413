"""What a connector is: one self-describing class per platform, pure of the store.

A connector talks to one account on one platform with the credentials it is given. It
reads (``authenticate``, ``pull`` from a cursor, ``stream`` where the platform streams)
and writes (``send``, and ``find_sent`` to learn whether a send whose outcome is unknown
did leave). It turns every platform object into canonical units with its importer's
``parse_value``, so live responses and recorded files go through the same parser. It never
touches the store: ``hustings.connectors.connections`` owns cursors, health and intake, and
``hustings.connectors.outbound`` owns the exactly-once bookkeeping of sends.
"""

from __future__ import annotations

import dataclasses
import types
from abc import ABC, abstractmethod
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, Self, Union, get_args, get_origin, get_type_hints

from hustings.connectors.secrets import Secret
from hustings.errors import ConfigError
from hustings.ingest.base import Parsed

__all__ = [
    "CHECK_TIMEOUT",
    "Connector",
    "ConnectorOptions",
    "Cursor",
    "Event",
    "Identity",
    "OutgoingReply",
    "Page",
    "Sent",
]

CHECK_TIMEOUT = 5.0
"""Seconds a connect-time check waits for the platform (``ConnectorOptions.for_check``)."""

Cursor = dict[str, str]
"""Where each of a connector's feeds stopped: feed name to the platform's last id."""


@dataclass(frozen=True, slots=True)
class ConnectorOptions:
    """A connector's settings (nothing secret: those go in the ``Secret``), typed.

    Subclasses are frozen dataclasses; ``from_mapping`` checks names and types, so a
    stored or typed setting that is wrong fails with the setting's name, not deep inside.
    """

    @classmethod
    def from_mapping(cls, raw: Mapping[str, Any]) -> Self:
        hints = get_type_hints(cls)
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(raw) - names)
        if unknown:
            raise ConfigError(f"unknown setting(s): {', '.join(unknown)}")
        values: dict[str, Any] = {}
        for name, value in raw.items():
            values[name] = _coerce(name, value, hints[name])
        try:
            return cls(**values)
        except TypeError as exc:
            missing = sorted(
                f.name
                for f in dataclasses.fields(cls)
                if f.name not in raw
                and f.default is dataclasses.MISSING
                and f.default_factory is dataclasses.MISSING
            )
            raise ConfigError(f"missing setting(s): {', '.join(missing) or exc}") from None

    def for_check(self) -> Self:
        """These settings for a check a person waits on (connecting from the CLI or the
        Settings page): one attempt and a short timeout, so a wrong address or a server
        that is down fails in seconds; background syncs keep their retries and back-off."""
        names = {f.name for f in dataclasses.fields(self)}
        changes: dict[str, Any] = {}
        if "tries" in names:
            changes["tries"] = 1
        if "timeout" in names:
            changes["timeout"] = min(getattr(self, "timeout"), CHECK_TIMEOUT)  # noqa: B009
        return dataclasses.replace(self, **changes)

    def as_mapping(self) -> dict[str, Any]:
        """JSON-ready settings, as stored in ``connections.settings``."""
        return {
            k: list(v) if isinstance(v, tuple) else v for k, v in dataclasses.asdict(self).items()
        }


def _coerce(name: str, value: Any, hint: Any) -> Any:
    origin = get_origin(hint)
    if origin in (Union, types.UnionType):
        options = [a for a in get_args(hint) if a is not type(None)]
        return None if value is None else _coerce(name, value, options[0])
    if origin is tuple:
        if isinstance(value, str):
            value = [v for v in value.split(",") if v.strip()]
        if not isinstance(value, list | tuple):
            raise ConfigError(f"setting {name} must be a list, not {value!r}")
        return tuple(str(v).strip() for v in value)
    if hint is bool:
        if isinstance(value, bool):
            return value
        raise ConfigError(f"setting {name} must be true or false, not {value!r}")
    if hint in (int, float):
        try:
            return hint(value)
        except (TypeError, ValueError):
            raise ConfigError(f"setting {name} must be a number, not {value!r}") from None
    if hint is str:
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(f"setting {name} must be some text, not {value!r}")
        return value.strip()
    return value


@dataclass(frozen=True, slots=True)
class Identity:
    """The account the credentials belong to, in the store's keys."""

    platform_id: str
    handle: str
    display_name: str | None
    units: tuple[Parsed, ...] = ()


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a pull: its units, and the cursor to store with them (same transaction)."""

    feed: str
    units: tuple[Parsed, ...]
    cursor: Cursor


@dataclass(frozen=True, slots=True)
class Event:
    """One event of a live stream. ``kind="open"`` is sent once the stream is connected,
    before any event: the moment to pull what arrived while it was not (no gap)."""

    kind: str
    units: tuple[Parsed, ...] = ()
    cursor: Cursor | None = None
    """Where the stream stands after this event, for a stream that resumes from a cursor
    (Jetstream's ``time_us``): stored with the event's units in one transaction."""


@dataclass(frozen=True, slots=True)
class OutgoingReply:
    """A reply to send. ``in_reply_to_id`` is the stored key of the message answered, or
    None for a new post (a planned post; only connectors whose ``posts`` is true take one);
    ``idempotency_key`` is unique per outward act and sent where the platform takes one."""

    text: str
    in_reply_to_id: str | None
    idempotency_key: str
    queued_at: datetime
    direct: bool = False
    """The message answered is a direct message: the answer goes back privately."""
    thread: str | None = None
    """The stored conversation id of the message answered (X's DM conversation, YouTube's
    comment thread), for platforms that address an answer to the conversation."""


@dataclass(frozen=True, slots=True)
class Sent:
    """What the platform published: its stored key, and its units to write."""

    platform_id: str
    units: tuple[Parsed, ...] = ()


class Connector(ABC):
    """One platform. Subclasses set the class attributes and implement the methods.

    ``requires`` names what a user must supply to connect (shown by ``hustings connect``).
    ``server_setting`` names the setting that says which server the connection talks to
    (shown in ``hustings connections``); ``stream_setting`` the setting that, when set,
    makes ``hustings serve`` follow the connection live instead of polling it.
    """

    name: ClassVar[str]
    title: ClassVar[str]
    description: ClassVar[str]
    platform: ClassVar[str]
    Options: ClassVar[type[ConnectorOptions]]
    requires: ClassVar[tuple[str, ...]] = ()
    streams: ClassVar[bool] = False
    server_setting: ClassVar[str]
    stream_setting: ClassVar[str | None] = None
    posts: ClassVar[bool] = False
    """Whether ``send`` also publishes new posts (``in_reply_to_id`` None), not only replies."""

    def __init__(self, options: ConnectorOptions, secret: Secret, source: str) -> None:
        self.options = options
        self.secret = secret
        self.source = source

    @abstractmethod
    def authenticate(self) -> Identity:
        """Who the credentials are; ``CredentialsError`` when the platform refuses them."""

    @abstractmethod
    def pull(self, cursor: Cursor) -> Iterator[Page]:
        """Everything newer than ``cursor``, oldest first, one page at a time."""

    def live(self) -> bool:
        """Whether this connection streams (``stream``) rather than being polled: a class
        that streams may need a setting to (Bluesky's Jetstream URL)."""
        return self.streams

    def stream(self, cursor: Cursor, watch: Collection[str] = ()) -> Iterator[Event]:
        """Live events until the stream ends (raising ``PlatformUnavailableError`` when it
        drops); only where ``live()`` is true. ``cursor`` is the connection's stored cursor
        (a stream that resumes from one starts there); ``watch`` the platform ids of the
        accounts the workspace tracks, for a stream that carries more than the account's
        own events and must be filtered."""
        raise NotImplementedError(f"{self.name} does not stream")

    @abstractmethod
    def send(self, reply: OutgoingReply) -> Sent:
        """Publish ``reply``; ``SendOutcomeUnknownError`` when it may or may not have left."""

    @abstractmethod
    def find_sent(self, reply: OutgoingReply) -> Sent | None:
        """The published copy of ``reply``, if the platform has one: asked before any retry."""

    def close(self) -> None:  # noqa: B027 - most connectors hold nothing to release
        """Release network resources."""
