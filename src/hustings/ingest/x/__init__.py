"""X (Twitter) importers: API v2 as twarc2 writes it, API v1.1 statuses, the account archive.

Each importer registers through the same ``register_importers`` hook a third-party plugin
uses, so the built-ins have no private path into the runner.
"""

from __future__ import annotations

from hustings.hookspecs import hookimpl
from hustings.ingest.base import Importer
from hustings.ingest.x._archive import XArchiveImporter
from hustings.ingest.x._v1 import XV1Importer
from hustings.ingest.x._v2 import XV2Importer

__all__ = ["XArchiveImporter", "XV1Importer", "XV2Importer", "register_importers"]


@hookimpl
def register_importers() -> list[type[Importer]]:
    return [XArchiveImporter, XV1Importer, XV2Importer]
