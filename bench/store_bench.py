"""The store, measured: ingest against pyarrow's raw parse, a national-scale first and monthly ingest,
peak memory of loading through the store, and DuckDB aggregation against the pandas path.

Folders are built outside the repository (``--work``, default a temporary folder) by
multiplying the real police.uk rows of ../shared/data/real (Crime IDs made unique, so none is
rejected as a repeat). Every figure is paired with a floor measured in the same run:

- ``ingest``: first ingest of a county-year folder (``--rows``, default 373,000 rows) against
  ``pyarrow.csv.read_csv`` of the same files, in the same process;
- ``load``: a fresh process loading that folder through the existing store, and one loading
  it in memory (peak RSS and seconds each);
- ``sql``: the records per hub, month and crime type, counted by DuckDB over the store (in the
  ``load`` process that read the store) and by pandas over the rows (in the one that loaded them);
- ``national``: ``--forces`` forces x 12 months (``--national-rows`` rows in all, default
  7 million), first ingest, then one more month for every force ingested incrementally,
  with DuckDB's monthly counts over the whole store.

    python -m bench.store_bench [--rows 373000] [--national-rows 7000000] [--skip-national]
    python -m bench.store_bench --only ingest --repeat 5   # ingest against the floor only, the median of 5 pairs
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from analysis.store.ingest import STORE_DIR_ENV, store_location

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT.parent / "shared" / "data" / "real"
GEOGRAPHY = ("hubs.csv", "population.csv", "areas.geojson", "lsoa.geojson")


def _real_months():
    import pyarrow.csv as pacsv

    read = pacsv.ConvertOptions(strings_can_be_null=False, column_types={"Crime ID": "string"})
    return [pacsv.read_csv(p, convert_options=read) for p in sorted((REAL / "incidents").rglob("*-street.csv"))]


def _month_table(base, copies: int, month: str, tag: str, force_name: str | None = None):
    """``copies`` copies of a real month's rows as ``month``, with Crime IDs made unique by ``tag``."""
    import pyarrow as pa
    import pyarrow.compute as pc

    parts = []
    for k in range(copies):
        ids = base["Crime ID"]
        unique = pc.if_else(pc.equal(ids, ""), ids, pc.binary_join_element_wise(ids, f"{tag}-{k}", "-"))
        table = base.set_column(base.schema.get_field_index("Crime ID"), "Crime ID", unique)
        table = table.set_column(table.schema.get_field_index("Month"), "Month", pa.array([month] * len(table)))
        if force_name:
            index = table.schema.get_field_index("Falls within")
            table = table.set_column(index, "Falls within", pa.array([force_name] * len(table)))
        parts.append(table)
    return pa.concat_tables(parts)


def build_county(out: Path, rows: int) -> int:
    """12 months of one force, about ``rows`` rows in all; returns the row count."""
    import pyarrow.csv as pacsv

    months = _real_months()
    for name in GEOGRAPHY:
        shutil.copy(REAL / name, out / name)
    per_month = max(1, round(rows / 12 / sum(t.num_rows for t in months) * len(months)))
    total = 0
    for i in range(12):
        month = f"2019-{i + 1:02d}"
        table = _month_table(months[i % len(months)], per_month, month, f"c{i}")
        folder = out / "incidents" / month
        folder.mkdir(parents=True, exist_ok=True)
        pacsv.write_csv(table, folder / f"{month}-cumbria-street.csv")
        total += table.num_rows
    return total


def write_national_month(out: Path, forces: int, copies: int, month: str, index: int) -> int:
    """One month for every force; returns the rows written."""
    import pyarrow.csv as pacsv

    months = _real_months()
    total = 0
    for f in range(forces):
        name = f"force-{f:02d}"
        table = _month_table(months[(index + f) % len(months)], copies, month, f"n{f}m{index}", f"Force {f:02d} Police")
        folder = out / "incidents" / month
        folder.mkdir(parents=True, exist_ok=True)
        pacsv.write_csv(table, folder / f"{month}-{name}-street.csv")
        total += table.num_rows
    return total


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _child(task: str, folder: str, store: str) -> None:
    """Run in a fresh process: print one JSON line."""
    from analysis.load.dataset import load_dataset

    result: dict = {}
    if task in ("load_store", "load_memory"):
        start = time.perf_counter()
        dataset = load_dataset(folder, store=task == "load_store")
        result["seconds"] = time.perf_counter() - start
        result["rows"] = dataset.records.total()  # counted, never read: the store's dataset holds no rows
        start = time.perf_counter()
        dataset.records.count(["hub", "month", "crime_type"])
        engine = "duckdb" if task == "load_store" else "pandas"
        result[f"{engine}_monthly_counts_seconds"] = time.perf_counter() - start
    elif task == "sql_only":
        from analysis.load.records import StoreRecords

        start = time.perf_counter()
        counts = StoreRecords(Path(store)).count(["hub", "month", "crime_type"])
        result["duckdb_monthly_counts_seconds"] = time.perf_counter() - start
        result["records_counted"] = int(counts["records"].sum())
    result["peak_rss_mb"] = _peak_mb()
    print(json.dumps(result))


def _in_child(task: str, folder: Path, store: Path) -> dict:
    env_code = f"from bench.store_bench import _child; _child({task!r}, {str(folder)!r}, {str(store)!r})"
    done = subprocess.run(
        [sys.executable, "-c", env_code], cwd=ROOT, capture_output=True, text=True, check=True, env=_env(store)
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def _env(store: Path) -> dict:
    return {**os.environ, STORE_DIR_ENV: str(store.parent)}


def _parse_floor(folder: Path) -> tuple[int, float]:
    import pyarrow.csv as pacsv

    files = sorted((folder / "incidents").rglob("*.csv"))
    start = time.perf_counter()
    rows = sum(pacsv.read_csv(p).num_rows for p in files)
    return rows, time.perf_counter() - start


def _ingest(folder: Path, store: Path) -> dict:
    from analysis.store.ingest import ingest

    report = ingest(folder, store=store)
    return {"seconds": report.seconds, "files": len(report.ingested), "rows": report.rows_read}


def county(work: Path, rows: int, repeat: int = 1, only_ingest: bool = False) -> dict:
    """First ingest of a county-year folder against pyarrow's parse, ``repeat`` times (each a fresh store)."""
    folder = work / "county"
    folder.mkdir()
    written = build_county(folder, rows)
    os.environ[STORE_DIR_ENV] = str(work / "stores")
    store = store_location(folder)
    runs = []
    for _ in range(repeat):
        shutil.rmtree(store, ignore_errors=True)
        parse_rows, parse_seconds = _parse_floor(folder)
        ingested = _ingest(folder, store)
        assert ingested["rows"] == parse_rows == written, "rows lost"
        runs.append((parse_seconds / ingested["seconds"], parse_seconds, ingested["seconds"]))
    ratio, parse_seconds, ingest_seconds = sorted(runs)[len(runs) // 2]  # the median pair, measured together
    result = {
        "rows": written,
        "pyarrow_parse_seconds": parse_seconds,
        "ingest_seconds": ingest_seconds,
        "pyarrow_rows_per_second": written / parse_seconds,
        "ingest_rows_per_second": written / ingest_seconds,
        "ingest_over_parse_rate": ratio,
    }
    if repeat > 1:
        result["runs"] = [{"ratio": r, "pyarrow_parse_seconds": p, "ingest_seconds": i} for r, p, i in runs]
    if only_ingest:
        return result
    result["load_via_store"] = _in_child("load_store", folder, store)
    result["load_in_memory"] = _in_child("load_memory", folder, store)
    return result


def national(work: Path, rows: int, forces: int) -> dict:
    folder = work / "national"
    folder.mkdir()
    for name in GEOGRAPHY:
        shutil.copy(REAL / name, folder / name)
    month_rows = sum(t.num_rows for t in _real_months()) / len(_real_months())
    copies = max(1, round(rows / (12 * forces * month_rows)))
    start = time.perf_counter()
    written = sum(write_national_month(folder, forces, copies, f"2019-{i + 1:02d}", i) for i in range(12))
    build_seconds = time.perf_counter() - start
    store = work / "stores" / "national"
    parse_rows, parse_seconds = _parse_floor(folder)
    first = _ingest(folder, store)
    added = write_national_month(folder, forces, copies, "2020-01", 12)
    again = _ingest(folder, store)
    sql = _in_child("sql_only", folder, store)
    return {
        "forces": forces,
        "rows": written,
        "build_seconds": build_seconds,
        "pyarrow_parse_seconds": parse_seconds,
        "first_ingest_seconds": first["seconds"],
        "first_ingest_rows_per_second": written / first["seconds"],
        "ingest_over_parse_rate": parse_seconds / first["seconds"],
        "incremental_month_rows": added,
        "incremental_month_files": again["files"],
        "incremental_ingest_seconds": again["seconds"],
        "duckdb_monthly_counts_all_rows": sql,
        "store_mb": sum(p.stat().st_size for p in store.rglob("*") if p.is_file()) / 2**20,
        "parse_rows_checked": parse_rows == written,
    }


def main() -> None:
    """Build the folders, run every measurement and print the figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=373_000)
    parser.add_argument("--national-rows", type=int, default=7_000_000)
    parser.add_argument("--forces", type=int, default=43)
    parser.add_argument("--skip-national", action="store_true")
    parser.add_argument("--only", choices=["ingest"], help="only the county ingest against pyarrow's parse")
    parser.add_argument("--repeat", type=int, default=1, help="county ingest and floor pairs; the median is shown")
    parser.add_argument("--work", type=Path, default=None, help="where to build the folders (outside the repo)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="store-bench-", dir=args.work))
    try:
        figures = {"county": county(work, args.rows, args.repeat, only_ingest=args.only == "ingest")}
        print(json.dumps(figures, indent=2), flush=True)
        if not args.skip_national and args.only is None:
            figures["national"] = national(work, args.national_rows, args.forces)
            print(json.dumps(figures["national"], indent=2), flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
