"""The canonical message shape of the JSON API, generated from ``hustings.model.Message``.

A push (``POST /api/messages``) sends messages in Hustings' canonical shape. Writing that
shape out by hand again would make a fourth copy of the message that drifts from the
model (the old ``InboundBody`` had lost quotes, reposts, hashtags, links, subjects and
languages). So the request model is built from the dataclass's own fields, with the
bounds the store keeps (``hustings.web.deps``: text lengths, no NUL) on each: a field added
to ``Message`` is accepted by the API and described in its OpenAPI at once.

Left out are what the seam sets, never the pusher: ``raw`` (the push's own raw-record
reference) and ``partial`` (a push is a full record).
"""

from __future__ import annotations

import dataclasses
import types
import typing
from datetime import datetime
from typing import Annotated, Any, Union

from pydantic import BaseModel, Field, create_model, field_validator

from hustings.model import Message, require_utc
from hustings.store.bounds import check_time
from hustings.web.deps import ShortText, Text

__all__ = ["CanonicalMessage", "to_message"]

_SET_BY_THE_SEAM = frozenset({"raw", "partial"})
_LONG = frozenset({"text", "subject"})
_NON_EMPTY = frozenset({"platform_id", "author_id"})
_MAX_LIST = 50


def _bounded(name: str, hint: Any) -> Any:
    """The pydantic type of one ``Message`` field, with the store's bounds on strings."""
    origin = typing.get_origin(hint)
    if origin in (Union, types.UnionType):
        (inner,) = [a for a in typing.get_args(hint) if a is not type(None)]
        return _bounded(name, inner) | None
    if origin is tuple:
        return Annotated[list[ShortText], Field(max_length=_MAX_LIST)]
    if hint is str:
        if name == "platform":
            return Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[a-z0-9_-]+$")]
        if name in _NON_EMPTY:
            return Annotated[ShortText, Field(min_length=1)]
        return Text if name in _LONG else ShortText
    return hint


def _fields() -> dict[str, Any]:
    hints = typing.get_type_hints(Message)
    fields: dict[str, Any] = {}
    for spec in dataclasses.fields(Message):
        if spec.name in _SET_BY_THE_SEAM:
            continue
        kind = _bounded(spec.name, hints[spec.name])
        if spec.default is not dataclasses.MISSING:
            default = list(spec.default) if isinstance(spec.default, tuple) else spec.default
            fields[spec.name] = (kind, default)
        else:
            fields[spec.name] = (kind, ...)
    return fields


class _Base(BaseModel):
    @field_validator("created_at", check_fields=False)
    @classmethod
    def _storable_time(cls, value: datetime) -> datetime:
        """A time with its zone, that the store keeps (1970 to 2099), not a 500."""
        if value.utcoffset() is None:
            raise ValueError("created_at needs a time zone")
        return check_time(require_utc(value))


if typing.TYPE_CHECKING:

    class CanonicalMessage(_Base):
        """To type checkers: a model; its fields are ``Message``'s, made below."""

else:
    CanonicalMessage = create_model(
        "CanonicalMessage",
        __base__=_Base,
        __doc__="A message in Hustings' canonical shape: the fields of hustings.model.Message.",
        **_fields(),
    )


def to_message(body: BaseModel) -> Message:
    """The ``Message`` a validated ``CanonicalMessage`` stands for."""
    values: dict[str, Any] = {
        name: tuple(value) if isinstance(value, list) else value
        for name, value in body.model_dump().items()
    }
    return Message(**values)
