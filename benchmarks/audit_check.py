"""Check that the pandas baseline computes the same scorecard as the engine, metric by metric.

    python benchmarks/audit_check.py benchmarks/out/audit-1000000
    python benchmarks/audit.py --messages 1000000 --check      # the same, snapshot made if new

Runs ``run_audit`` on DuckDB and ``pandas_scorecard`` on one Parquet snapshot and prints, for
every metric, how many values agree (both missing, or equal to 1e-6 relative) out of how many,
over the accounts table and over every grouping; then the lists (waiting people, bursts,
response-time distribution, hourly counts). Exits 1 on any disagreement.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from audit_pandas import pandas_scorecard

from hustings.metrics import GROUPINGS, Scorecard, all_metrics, connect, read_snapshot, run_audit


def _agree(a: pd.Series, b: pd.Series) -> npt.NDArray[np.bool_]:
    """Both missing, or equal to 1e-6 relative (1e-9 absolute, for sums that should be 0)."""
    x = pd.to_numeric(a, errors="coerce").astype(float).to_numpy()
    y = pd.to_numeric(b, errors="coerce").astype(float).to_numpy()
    agree: npt.NDArray[np.bool_] = (np.isnan(x) & np.isnan(y)) | np.isclose(
        x, y, rtol=1e-6, atol=1e-9
    )
    return agree


def _columns() -> list[str]:
    return [m.name for m in all_metrics()] + ["dialogue_score"]


def compare_tables(
    engine: pd.DataFrame, pandas: pd.DataFrame, keys: list[str]
) -> dict[str, tuple[int, int]]:
    """Per metric: (values that agree, rows), rows matched on ``keys`` (a row on one side only
    counts as a disagreement on every metric)."""
    joined = engine.merge(pandas, on=keys, how="outer", suffixes=("_e", "_p"))
    out = {}
    for name in _columns():
        if f"{name}_e" not in joined.columns and f"{name}_p" not in joined.columns:
            continue
        missing = pd.Series(np.nan, index=joined.index)
        ok = _agree(joined.get(f"{name}_e", missing), joined.get(f"{name}_p", missing))
        out[name] = (int(ok.sum()), len(joined))
    return out


def compare(engine: Scorecard, pandas: Scorecard) -> dict[str, dict[str, tuple[int, int]]]:
    """Agreement per table ("accounts" and each grouping), then per metric."""
    tables = {"accounts": compare_tables(engine.accounts, pandas.accounts, ["akey"])}
    for name, frame in engine.groups.items():
        tables[name] = compare_tables(frame, pandas.groups[name], list(GROUPINGS[name]))
    return tables


def compare_lists(engine: Scorecard, pandas: Scorecard) -> dict[str, bool]:
    """Whether the lists beside the metrics hold the same rows."""

    def rows(frame: pd.DataFrame, columns: list[str]) -> list[tuple[object, ...]]:
        clean = frame[columns].astype(object).where(frame[columns].notna(), None)
        return sorted(map(tuple, clean.to_numpy().tolist()), key=repr)

    waiting_cols = ["platform_id", "person_id", "handle", "ikind", "text", "person_handle"]
    burst_cols = ["akey", "start", "end", "hours", "posts", "followers_before", "followers_after"]
    return {
        "waiting total": engine.waiting_total == pandas.waiting_total,
        "waiting list": rows(engine.waiting, waiting_cols) == rows(pandas.waiting, waiting_cols)
        or _same_waits(engine.waiting, pandas.waiting),
        "bursts": rows(engine.bursts, burst_cols) == rows(pandas.bursts, burst_cols),
        "response-time buckets": rows(engine.response_times, ["party", "bucket", "n"])
        == rows(pandas.response_times, ["party", "bucket", "n"]),
        "hourly counts": rows(
            engine.hourly.assign(n=engine.hourly["n"].astype(int)), ["akey", "hour", "n"]
        )
        == rows(pandas.hourly, ["akey", "hour", "n"]),
    }


def _same_waits(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    """Equal waits in the same order (ties at the cut-off may pick different messages)."""
    return len(a) == len(b) and bool(
        np.allclose(a["wait_hours"].to_numpy(float), b["wait_hours"].to_numpy(float))
    )


def report(tables: dict[str, dict[str, tuple[int, int]]], lists: dict[str, bool]) -> bool:
    """Print the agreement per metric; True when everything agrees."""
    names = list(tables)
    print(f"{'metric':<36}" + "".join(f"{n:>14}" for n in names))
    all_ok = True
    for metric in _columns():
        cells = []
        for name in names:
            if metric not in tables[name]:
                cells.append(f"{'-':>14}")
                continue
            ok, n = tables[name][metric]
            all_ok &= ok == n
            cells.append(f"{f'{ok}/{n}':>14}")
        print(f"{metric:<36}" + "".join(cells))
    for name, same in lists.items():
        all_ok &= same
        print(f"{name:<36}{'same' if same else 'DIFFERENT':>14}")
    return all_ok


def check(snapshot: Path) -> bool:
    """Score ``snapshot`` on DuckDB and in pandas, print the agreement; True if complete."""
    engine = run_audit(read_snapshot(connect("duckdb"), snapshot))
    pandas = pandas_scorecard(snapshot)
    return report(compare(engine, pandas), compare_lists(engine, pandas))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("snapshot", type=Path)
    sys.exit(0 if check(parser.parse_args().snapshot) else 1)


if __name__ == "__main__":
    main()
