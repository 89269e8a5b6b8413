"""One full-size demo campaign per session, written once and read by every format test."""

from __future__ import annotations

import csv
import json
import time
from typing import Any

import pytest

from hustings.demo import Campaign, DemoFiles, simulate, write_files
from tests.demo.now import NOW


@pytest.fixture(scope="session")
def timed_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Campaign, DemoFiles, float]:
    """Simulate and write at scale 1 once, timing both for the performance check."""
    started = time.perf_counter()
    campaign = simulate(seed=2019, scale=1.0, now=NOW)
    files = write_files(campaign, tmp_path_factory.mktemp("demo"))
    return campaign, files, time.perf_counter() - started


@pytest.fixture(scope="session")
def campaign(timed_run: tuple[Campaign, DemoFiles, float]) -> Campaign:
    return timed_run[0]


@pytest.fixture(scope="session")
def files(timed_run: tuple[Campaign, DemoFiles, float]) -> DemoFiles:
    return timed_run[1]


@pytest.fixture(scope="session")
def x_pages(files: DemoFiles) -> list[dict[str, Any]]:
    pages = []
    for path in files.x_files:
        with path.open(encoding="utf-8") as lines:
            pages.extend(json.loads(line) for line in lines)
    return pages


@pytest.fixture(scope="session")
def tweets(x_pages: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Every tweet in ``data``, by id."""
    return {t["id"]: t for page in x_pages for t in page["data"]}


@pytest.fixture(scope="session")
def statuses(files: DemoFiles) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for path in files.mastodon_files:
        found.extend(json.loads(path.read_text(encoding="utf-8")))
    return found


@pytest.fixture(scope="session")
def registry(files: DemoFiles) -> list[dict[str, str]]:
    with files.registry.open(encoding="utf-8", newline="") as rows:
        return list(csv.DictReader(rows))
