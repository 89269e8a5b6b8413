"""The ``youtube-data`` importer on recorded Data API v3 responses (shared fixtures)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from hustings.ingest.base import Sample
from hustings.ingest.youtube import YouTubeImporter
from hustings.model import MessageKind
from tests.conftest import shared_data_dir


@pytest.fixture(scope="module")
def folder() -> Path:
    found = shared_data_dir() / "fixtures" / "youtube-data-api"
    if not found.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"the recorded YouTube responses are missing: {found}")
        pytest.skip(f"recorded YouTube responses absent: {found} (see its PROVENANCE.md)")
    return found


def _read(path: Path) -> list:  # type: ignore[type-arg]
    with path.open("rb") as stream:
        return list(YouTubeImporter().parse(stream, str(path)))


def test_comment_threads_become_comments_to_the_channel(folder: Path) -> None:
    (unit,) = _read(folder / "comment_threads" / "comment_threads_all_to_me.json")
    assert [m.kind for m in unit.messages] == [MessageKind.COMMENT] * 4
    assert {m.reply_to_account_id for m in unit.messages} == {"UCa-vrCLQHviTOVnEKDOdetQ"}
    assert unit.messages[0].text == "Hope to go next time. yah!"
    assert not unit.quarantined


def test_replies_answer_their_thread(folder: Path) -> None:
    (unit,) = _read(folder / "comments" / "comments_by_parent_paged_1.json")
    assert unit.messages and all(m.kind == MessageKind.REPLY for m in unit.messages)
    assert {m.reply_to_id for m in unit.messages} == {"Ugw5zYU6n9pmIgAZWvN4AaABAg"}


def test_an_error_envelope_is_quarantined_in_the_apis_words(folder: Path) -> None:
    (unit,) = _read(folder / "error_permission_resp.json")
    (bad,) = unit.quarantined
    assert "The caller does not have permission" in bad.reason


def test_it_claims_data_api_responses(folder: Path) -> None:
    path = folder / "comment_threads" / "comment_threads_by_video_paged_1.json"
    assert YouTubeImporter().sniff(Sample(path.name, path.read_bytes()[:4096])) >= 90
