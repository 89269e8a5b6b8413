"""The package exports exactly its curated public names, and each one exists."""

from __future__ import annotations

import hustings


def test_every_name_in_all_exists() -> None:
    for name in hustings.__all__:
        assert hasattr(hustings, name), name


def test_no_public_module_attribute_escapes_all() -> None:
    public = {n for n in vars(hustings) if not n.startswith("_") and n[0].isupper()}
    assert public <= set(hustings.__all__)
