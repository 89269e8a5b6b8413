"""Load the built-in and installed plugins, and answer what they registered."""

from __future__ import annotations

import importlib
from functools import cache
from typing import TYPE_CHECKING

import pluggy

from hustings import hookspecs
from hustings.errors import PluginError
from hustings.ingest.base import Importer

if TYPE_CHECKING:
    from hustings.connectors.base import Connector

__all__ = ["DEFAULT_PLUGINS", "connectors", "importers", "plugin_manager"]

_IMPORTER_PLUGINS = (
    "hustings.ingest.x",
    "hustings.ingest.mastodon",
    "hustings.ingest.bluesky",
    "hustings.ingest.email",
    "hustings.ingest.csv",
    "hustings.ingest.registry",
    "hustings.ingest.followers",
    "hustings.ingest.youtube",
    "hustings.ingest.meta",
)
_CONNECTOR_PLUGINS = (
    "hustings.connectors.mastodon",
    "hustings.connectors.email",
    "hustings.connectors.bluesky",
    "hustings.connectors.x",
    "hustings.connectors.youtube",
    "hustings.connectors.meta",
    "hustings.connectors.threads",
)
DEFAULT_PLUGINS = _IMPORTER_PLUGINS + _CONNECTOR_PLUGINS
"""The built-in plugins. Connectors are registered on first use of :func:`connectors`:
their modules import the platforms' clients (atproto alone takes 0.8 s), which an import
of a file, or any command that never talks to a platform, should not wait for."""


@cache
def plugin_manager() -> pluggy.PluginManager:
    manager = pluggy.PluginManager("hustings")
    manager.add_hookspecs(hookspecs)
    for name in _IMPORTER_PLUGINS:
        manager.register(importlib.import_module(name), name)
    manager.load_setuptools_entrypoints("hustings")
    return manager


@cache
def _with_connectors() -> pluggy.PluginManager:
    """The plugin manager with the built-in connectors registered too."""
    manager = plugin_manager()
    for name in _CONNECTOR_PLUGINS:
        if manager.get_plugin(name) is None:
            manager.register(importlib.import_module(name), name)
    return manager


def importers() -> dict[str, type[Importer]]:
    """Every importer by name; two plugins claiming one name is an error, not a silent skip."""
    found: dict[str, type[Importer]] = {}
    for group in plugin_manager().hook.register_importers():
        for cls in group:
            if cls.name in found and found[cls.name] is not cls:
                raise PluginError(
                    f"two importers are named {cls.name!r}: "
                    f"{found[cls.name].__module__} and {cls.__module__}"
                )
            found[cls.name] = cls
    return found


def connectors() -> dict[str, type[Connector]]:
    """Every connector by name; two plugins claiming one name is an error, not a silent skip."""
    found: dict[str, type[Connector]] = {}
    for group in _with_connectors().hook.register_connectors():
        for cls in group:
            if cls.name in found and found[cls.name] is not cls:
                raise PluginError(
                    f"two connectors are named {cls.name!r}: "
                    f"{found[cls.name].__module__} and {cls.__module__}"
                )
            found[cls.name] = cls
    return found
