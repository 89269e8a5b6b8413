"""The package exports exactly its curated public names, and each one exists."""

from __future__ import annotations

import hustings


def test_every_name_in_all_exists() -> None:
    for name in hustings.__all__:
        assert hasattr(hustings, name), name


def test_no_public_module_attribute_escapes_all() -> None:
    public = {n for n in vars(hustings) if not n.startswith("_") and n[0].isupper()}
    assert public <= set(hustings.__all__)


def test_every_subpackage_exports_only_names_it_has() -> None:
    """Each package's ``__all__`` names things it really exports (the workspace layer's
    names, the inbox's and people's): a rename cannot leave a stale public name behind."""
    import importlib

    for name in ("workspace", "inbox", "people", "connectors", "store", "qa"):
        package = importlib.import_module(f"hustings.{name}")
        missing = [n for n in getattr(package, "__all__", ()) if not hasattr(package, n)]
        assert not missing, f"hustings.{name}.__all__ names what it lacks: {missing}"
