"""Time load + validate + hub assignment + summary at 1x, 10x and 100x a county-year.

A county-year is built by multiplying the real police.uk rows in ../shared/data/real:
12 monthly files, each holding ``scale`` copies of a real month's rows (Crime IDs made
unique so that none is rejected as a repeat). In the same run, the same CSVs are read
with pyarrow alone, for the ratio. Each scale runs in its own process so peak memory
(max RSS) belongs to that scale alone.

    python -m bench.load_bench [--scales 1 10 100]
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT.parent / "shared" / "data" / "real"


def build_folder(scale: int, out: Path) -> int:
    """Write a data folder with 12 months x ``scale`` copies of real rows; return the row count."""
    import pandas as pd

    months = sorted((REAL / "incidents").rglob("*-street.csv"))
    frames = [pd.read_csv(p, dtype="str", keep_default_na=False) for p in months]
    for name in ("hubs.csv", "population.csv", "areas.geojson", "lsoa.geojson"):
        shutil.copy(REAL / name, out / name)
    rows = 0
    for i in range(12):
        base = frames[i % len(frames)]
        month = f"2019-{i + 1:02d}"
        copies = []
        for k in range(scale):
            ids = base["Crime ID"].where(base["Crime ID"] == "", base["Crime ID"] + f"-{i}-{k}")
            copies.append(base.assign(**{"Crime ID": ids, "Month": month}))
        frame = pd.concat(copies, ignore_index=True)
        folder = out / "incidents" / month
        folder.mkdir(parents=True, exist_ok=True)
        frame.to_csv(folder / f"{month}-cumbria-street.csv", index=False)
        rows += len(frame)
    return rows


def measure(folder: Path) -> dict:
    """Run in a fresh process: time our pipeline and pyarrow alone; report peak RSS."""
    import pyarrow.csv as pacsv

    from analysis.load.dataset import load_dataset
    from analysis.measures.metrics import dataset_summary

    files = sorted((folder / "incidents").rglob("*.csv"))
    start = time.perf_counter()
    arrow_rows = sum(pacsv.read_csv(p).num_rows for p in files)
    arrow_seconds = time.perf_counter() - start

    start = time.perf_counter()
    dataset = load_dataset(folder)
    loaded = time.perf_counter()
    table = dataset_summary(dataset)
    done = time.perf_counter()
    assert dataset.records.total() == arrow_rows, "rows lost"
    return {
        "rows": arrow_rows,
        "pyarrow_seconds": arrow_seconds,
        "load_validate_assign_seconds": loaded - start,
        "summary_seconds": done - loaded,
        "total_seconds": done - start,
        "summary_rows": len(table),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> None:
    """Build each scale, measure it in a subprocess, print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 10, 100])
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure)))
        return
    if not (REAL / "incidents").is_dir():
        sys.exit("../shared/data/real is needed for this benchmark")
    print(
        f"{'scale':>6} {'rows':>10} {'ours s':>8} {'rows/s':>10} {'pyarrow s':>10} {'rows/s':>11} {'ratio':>6} "
        f"{'summary s':>10} {'peak MB':>8}"
    )
    for scale in args.scales:
        with tempfile.TemporaryDirectory() as tmp:
            build_folder(scale, Path(tmp))
            out = subprocess.run(
                [sys.executable, "-m", "bench.load_bench", "--measure", tmp],
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=True,
            )
            r = json.loads(out.stdout.strip().splitlines()[-1])
        ours = r["total_seconds"]
        print(
            f"{scale:>5}x {r['rows']:>10,} {ours:>8.2f} {r['rows'] / ours:>10,.0f} {r['pyarrow_seconds']:>10.2f} "
            f"{r['rows'] / r['pyarrow_seconds']:>11,.0f} {ours / r['pyarrow_seconds']:>6.1f} "
            f"{r['summary_seconds']:>10.2f} {r['peak_rss_mb']:>8,.0f}"
        )


if __name__ == "__main__":
    main()
