"""The plugin hooks. Built-in importers register through these same hooks as third parties.

A plugin is a module (or an object) with functions marked ``@hookimpl``, listed under the
``hustings`` entry-point group in its ``pyproject.toml``::

    [project.entry-points.hustings]
    myformat = "my_package.hustings_plugin"
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from hustings.connectors.base import Connector
    from hustings.ingest.base import Importer

__all__ = ["hookimpl", "hookspec"]

hookspec = pluggy.HookspecMarker("hustings")
hookimpl = pluggy.HookimplMarker("hustings")


@hookspec
def register_importers() -> list[type[Importer]]:  # type: ignore[empty-body]
    """Return importer classes (subclasses of ``hustings.ingest.base.Importer``)."""


@hookspec
def register_connectors() -> list[type[Connector]]:  # type: ignore[empty-body]
    """Return connector classes (subclasses of ``hustings.connectors.base.Connector``)."""
