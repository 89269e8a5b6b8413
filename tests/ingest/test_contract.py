"""Every registered importer describes itself and keeps out of other formats' way."""

from __future__ import annotations

import pytest

from hustings.ingest.base import Importer, Sample
from hustings.plugins import importers

ALL = sorted(importers().items())


def test_the_built_in_formats_are_all_registered() -> None:
    names = set(importers())
    assert {"x-v2", "x-v1", "x-archive", "mastodon", "bluesky", "mbox", "eml", "csv"} <= names
    assert any(name.startswith("registry") for name in names)


@pytest.mark.parametrize(("name", "cls"), ALL, ids=[n for n, _ in ALL])
def test_importer_describes_itself(name: str, cls: type[Importer]) -> None:
    assert cls.name == name
    assert cls.title and cls.platform
    first_word = cls.description.split()[0]
    assert first_word[0].isupper() and first_word.endswith("s"), cls.description


@pytest.mark.parametrize(("name", "cls"), ALL, ids=[n for n, _ in ALL])
def test_importer_does_not_claim_binary_data(name: str, cls: type[Importer]) -> None:
    sample = Sample(name="blob.bin", head=b"\x00\x01\x02PK\x03\x04" * 200)
    assert cls().sniff(sample) == 0


def test_readme_documents_every_format() -> None:
    from tests.conftest import REPO

    readme = (REPO / "README.md").read_text()
    for name in importers():
        documented = f"`{name}`" in readme or (name.startswith("registry") and
                                               "`registry-*`" in readme)
        assert documented, f"format {name} is missing from README's format table"
