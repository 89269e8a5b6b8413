"""Run the demo end to end: simulate, write real files, import them through the importers.

The demo goes through exactly the path a user's own exports take (detection, parsing,
quarantine, idempotent upserts), so what it shows is what Hustings does with real data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from hustings.demo._files import DemoFiles, registry_handle, tracked_handles, write_files
from hustings.demo._model import Campaign
from hustings.demo._simulate import simulate
from hustings.ingest.runner import ImportPlan, ImportSummary, Progress, import_paths
from hustings.store import Store

__all__ = ["DemoRun", "run_demo"]


@dataclass(frozen=True, slots=True)
class DemoRun:
    campaign: Campaign
    files: DemoFiles
    imports: tuple[ImportSummary, ...]

    def accounts(self) -> list[tuple[str, str]]:
        """The campaign's tracked accounts as (platform, handle): what its workspace owns."""
        return [(p.value, registry_handle(a, p)) for a, p in tracked_handles(self.campaign)]


def run_demo(
    store: Store,
    out_dir: Path,
    seed: int = 2019,
    scale: float = 1.0,
    progress: Progress | None = None,
    now: datetime | None = None,
) -> DemoRun:
    """Simulate the campaign, write it under ``out_dir`` and import it into ``store``.

    Messages go first so that the registry and the follower snapshots (known by handle)
    find their accounts. The campaign ends at ``now`` (default: ``$HUSTINGS_DEMO_NOW``, else
    the clock), so its inbox has items due soon as well as items long past due.
    """
    campaign = simulate(seed=seed, scale=scale, now=now)
    files = write_files(campaign, out_dir)
    messages = [str(p) for p in (*files.x_files, *files.mastodon_files, files.mbox)]
    summaries = [
        *import_paths(store, messages, ImportPlan(progress=progress)),
        *import_paths(store, [str(files.registry)], ImportPlan(fmt="registry-csv")),
        *import_paths(store, [str(files.followers)], ImportPlan(fmt="followers-csv")),
    ]
    return DemoRun(campaign=campaign, files=files, imports=tuple(summaries))
