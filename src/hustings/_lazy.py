"""Package attributes loaded on first use, so that importing a package stays cheap.

``hustings`` re-exports the store and the importers, and ``hustings.metrics`` the engines:
importing them eagerly cost every command (and every audit) half a second to a second and
a half before it did anything, whether it used them or not.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, MutableMapping
from typing import Any

__all__ = ["lazy_getattr"]


def lazy_getattr(
    package: str, homes: Mapping[str, str], namespace: MutableMapping[str, Any]
) -> Callable[[str], Any]:
    """A module ``__getattr__`` that imports ``package.homes[name]`` (``homes`` names modules
    relative to the package, such as ``"store"``) when ``name`` is first read.

    The value is then kept in the package's ``namespace``, so each name loads once.
    """

    def __getattr__(name: str) -> Any:
        home = homes.get(name)
        if home is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{home}"), name)
        namespace[name] = value
        return value

    return __getattr__
