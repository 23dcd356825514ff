"""The command line: the same analysis as the dashboard, without a browser.

python -m analysis validate DATA_DIR [--json] [--force FORCE]
python -m analysis summary DATA_DIR [--json] [--force FORCE]
python -m analysis evaluate DATA_DIR [--json] [--force FORCE]
python -m analysis fetch DATA_DIR --force cumbria [--from YYYY-MM] [--to YYYY-MM] [--update] [--replace] [--archive F]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

import pandas as pd

from analysis.errors import FAULT_SENTENCE, DataProblem
from analysis.load.coverage import month_ranges
from analysis.load.dataset import Dataset, load_dataset
from analysis.load.force import add_force_argument, one_force
from analysis.measures.metrics import dataset_summary, hub_month_counts, monthly_patrol
from analysis.outputs.briefing.pack import add_briefing_arguments, briefing_command
from analysis.schema import CRIME_TYPES
from analysis.stats.evaluation.evaluate import evaluate
from analysis.stats.evaluation.results import InsufficientData
from analysis.stats.evaluation.words import plain_english
from analysis.store.boundaries import boundary_summaries
from analysis.store.ingest import ingest

__all__ = ["main", "summary_records", "validation_record"]


def validation_record(dataset: Dataset) -> dict:
    """The validation report as JSON-ready data (rejected rows included)."""
    files = []
    for report in dataset.reports:
        entry = report.to_dict()
        entry["rejected"] = [
            {"line": int(r.line), "text": r.text, "reasons": r.reasons.split("; ")}
            for r in report.rejected.itertuples(index=False)
        ]
        files.append(entry)
    return {
        "data_dir": str(dataset.folder),
        "generated": dataset.is_generated,
        "usable": dataset.usable,
        "coverage": dataset.coverage.summary_record(),
        "rows_read": sum(r.rows_read for r in dataset.reports),
        "rows_accepted": sum(r.rows_accepted for r in dataset.reports),
        "rows_rejected": sum(r.rows_rejected for r in dataset.reports),
        "files": files,
    }


def _number(value: float) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else round(float(value), 4)


def _count(value: float) -> int | None:
    """A count, or None (JSON null) where the stream was not supplied."""
    return None if pd.isna(value) else int(value)


def _not_supplied(dataset: Dataset, hub: str, month: pd.Period, streams: list[str]) -> str:
    force_gap = [s for s in streams if not dataset.coverage.supplied(s, None, [month]).iloc[0]]
    words = {"asb": "ASB", "crime": "crime"}
    if force_gap:
        return (
            f"{' and '.join(words[s] for s in force_gap)} not supplied for {month}: "
            "no file in the folder holds a record of it."
        )
    return (
        f"{' and '.join(words[s] for s in streams)} not supplied for {hub} in {month}: the force's files hold that "
        "month, but no record of this hub, which usually has several."
    )


def summary_records(dataset: Dataset) -> dict:
    """Per hub and month: ``asb``, ``crime``, counts by type, rates and patrol hours (null where not supplied)."""
    table = dataset_summary(dataset)
    rows = []
    for record in table.to_dict("records"):
        row = {
            "hub": record["hub"],
            "month": str(record["month"]),
            "asb": _count(record["asb"]),
            "crime": _count(record["crime"]),
            "by_crime_type": {t: _count(record[t]) for t in CRIME_TYPES},
        }
        if dataset.table("population.csv") is not None:
            row["population"] = _number(record["population"])
            row["asb_rate_per_1000"] = _number(record["asb_rate_per_1000"])
            row["crime_rate_per_1000"] = _number(record["crime_rate_per_1000"])
        if dataset.table("resourcing.csv") is not None:
            row["patrol_hours"] = _number(record["patrol_hours"])
            row["precept_patrol_hours"] = _number(record["precept_patrol_hours"])
        missing = [s for s in ("asb", "crime") if row[s] is None]
        if missing:
            row["not_supplied"] = missing
            row["why"] = _not_supplied(dataset, record["hub"], record["month"], missing)
        rows.append(row)
    months = dataset.months
    return {
        "data_dir": str(dataset.folder),
        "generated": dataset.is_generated,
        "first_month": str(months[0]) if len(months) else None,
        "last_month": str(months[-1]) if len(months) else None,
        "note": "asb counts anti-social behaviour incidents; crime counts every other police.uk crime type.",
        "coverage": dataset.coverage.summary_record(),
        "rows": rows,
    }


def _print_validation(record: dict) -> None:
    print(f"Data folder: {record['data_dir']}{' (generated sample)' if record['generated'] else ''}")
    print(
        f"Rows read {record['rows_read']:,} = accepted {record['rows_accepted']:,}"
        f" + rejected {record['rows_rejected']:,}"
    )
    gaps = record["coverage"]["months_not_supplied"]
    span = record["coverage"]
    if span["first_month"]:
        print(f"Months {span['first_month']} to {span['last_month']} ({span['months_in_span']} months).")
        print(f"  Crime not supplied: {_ranges(gaps['crime'])}. ASB not supplied: {_ranges(gaps['asb'])}.")
        for gap in record["coverage"]["hub_months_not_supplied"][:10]:
            print(f"  {gap['hub']}: {gap['stream']} not supplied in {gap['month']}")
    for entry in record["files"]:
        status = "UNUSABLE" if not entry["usable"] else "ok"
        print(
            f"  [{status}] {entry['file']}: read {entry['rows_read']:,}, accepted {entry['rows_accepted']:,},"
            f" rejected {entry['rows_rejected']:,}"
        )
        if entry["problem"]:
            print(f"      {entry['problem']}")
        for note in entry["notes"]:
            print(f"      note: {note}")
        for rejected in entry["rejected"][:5]:
            print(f"      line {rejected['line']}: {'; '.join(rejected['reasons'])}")
        if len(entry["rejected"]) > 5:
            print(f"      ... and {len(entry['rejected']) - 5} more rejected rows (use --json for all)")


def _ranges(months: list[str]) -> str:
    return month_ranges([pd.Period(m, "M") for m in months]) or "none"


def _print_summary(record: dict) -> None:
    print(f"Data folder: {record['data_dir']}{' (generated sample)' if record['generated'] else ''}")
    print(f"Months: {record['first_month']} to {record['last_month']}. {record['note']}")
    header = f"{'hub':<16}{'month':<9}{'asb':>7}{'crime':>7}{'asb/1000':>10}{'patrol h':>10}"  # n/s: not supplied
    print(header)
    for row in record["rows"]:
        rate = row.get("asb_rate_per_1000")
        hours = row.get("patrol_hours")
        asb, crime = ("n/s" if row[s] is None else row[s] for s in ("asb", "crime"))
        print(
            f"{row['hub']:<16}{row['month']:<9}{asb:>7}{crime:>7}"
            f"{'' if rate is None else f'{rate:.2f}':>10}{'' if hours is None else f'{hours:,.0f}':>10}"
        )
    gaps = record["coverage"]["months_not_supplied"]
    if gaps["asb"] or gaps["crime"]:
        print(f"n/s = not supplied. ASB not supplied: {_ranges(gaps['asb'])}.")
        print(f"Crime not supplied: {_ranges(gaps['crime'])}.")


def _validate(args: argparse.Namespace) -> int:
    dataset = one_force(load_dataset(args.data_dir), args.force)
    record = validation_record(dataset)
    print(json.dumps(record, indent=2)) if args.json else _print_validation(record)
    return 0 if record["usable"] else 1


def _summary(args: argparse.Namespace) -> int:
    dataset = one_force(load_dataset(args.data_dir), args.force)
    if dataset.records.empty:
        print(f"No usable incident records in {args.data_dir}: run 'python -m analysis validate' to see why.")
        return 1
    record = summary_records(dataset)
    print(json.dumps(record, indent=2)) if args.json else _print_summary(record)
    return 0


def run_evaluation(dataset: Dataset):
    """The evaluation of ASB against hub launch (and patrol hours where resourcing exists).

    Raises
    ------
    InsufficientData
        When the data cannot support an estimate (too few months, no launch dates).
    """
    counts = hub_month_counts(dataset)
    resourcing = dataset.table("resourcing.csv")
    patrol = monthly_patrol(resourcing)[["hub", "month", "patrol_hours"]] if resourcing is not None else None
    return evaluate(counts, dataset.hubs, patrol)


def _evaluate(args: argparse.Namespace) -> int:
    dataset = one_force(load_dataset(args.data_dir), args.force)
    if dataset.records.empty:
        print(f"No usable incident records in {args.data_dir}: run 'python -m analysis validate' to see why.")
        return 1
    try:
        evaluation = run_evaluation(dataset)
    except InsufficientData as e:
        if args.json:
            print(json.dumps({"data_dir": str(dataset.folder), "estimate": None, "reason": str(e)}, indent=2))
        else:
            print(str(e))
        return 1
    if args.json:
        record = evaluation.to_dict()
        record["data_dir"] = str(dataset.folder)
        record["generated"] = dataset.is_generated
        print(json.dumps(record, indent=2))
    else:
        if dataset.is_generated:
            print("Generated sample data, not real: the effect below was built into the sample.")
        for line in plain_english(evaluation).lines():
            print(line)
    return 0


def _ingest(args: argparse.Namespace) -> int:
    if not Path(args.data_dir).is_dir():
        raise DataProblem(f"The data folder {args.data_dir} does not exist.")
    record = ingest(args.data_dir).to_dict()
    boundary_summaries(args.data_dir, Path(record["store"]))  # so the app's first start reads them ready
    if args.json:
        print(json.dumps(record, indent=2))
        return 0
    print("\n".join(record["messages"] + [f"Store: {record['store']}"]))
    print(
        f"Files ingested {record['files_ingested']:,}, skipped as unchanged {record['files_unchanged']:,},"
        f" removed {record['files_removed']:,}; {record['rows']:,} records in the store"
        f" ({record['rows_read']:,} rows read now) in {record['seconds']:.2f} s."
    )
    return 0


def _fetch(args: argparse.Namespace) -> int:
    # Imported here: requests and tenacity are for this command only, not for the app that imports this module.
    from analysis.fetch.fetcher import fetch_command

    return fetch_command(args)


def _add_fetch_arguments(parser: argparse.ArgumentParser) -> None:
    from analysis.fetch.fetcher import add_fetch_arguments  # see _fetch

    add_fetch_arguments(parser)


COMMANDS: dict[str, tuple[Callable[[argparse.Namespace], int], str]] = {
    "validate": (_validate, "the validation report: exit 0 when every file is usable, 1 when one is not"),
    "summary": (_summary, "per hub and month: counts by crime type, ASB, rate per 1,000, patrol hours"),
    "evaluate": (
        _evaluate,
        "the estimated change in ASB linked to hub launch and deployment, with its 95%% interval and method",
    ),
    "ingest": (_ingest, "validate and place new or changed files once, into the Parquet store the app reads"),
    "briefing": (
        briefing_command,
        "the briefing pack: a PDF (title page, one page per chart, method page) and a PNG per chart",
    ),
    "fetch": (_fetch, "fetch a force's months from police.uk (API or --archive) into the data folder"),
}

#: Sub-commands whose arguments differ from the common ``--json``.
EXTRA_ARGUMENTS: dict[str, Callable[[argparse.ArgumentParser], None]] = {
    "briefing": add_briefing_arguments,
    "fetch": _add_fetch_arguments,
}


#: Sub-commands that can answer for one force of a folder of several (``--force``; briefing adds its own).
FORCE_COMMANDS = ("validate", "summary", "evaluate")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with one sub-command per entry of :data:`COMMANDS`."""
    parser = argparse.ArgumentParser(prog="python -m analysis", description="Local Focus analysis without a browser.")
    commands = parser.add_subparsers(dest="command", required=True)
    for name, (handler, help_text) in COMMANDS.items():
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.add_argument("data_dir", help="a data folder laid out as the data contract describes")
        if name in EXTRA_ARGUMENTS:
            EXTRA_ARGUMENTS[name](sub)
        else:
            sub.add_argument("--json", action="store_true", help="print JSON instead of text")
        if name in FORCE_COMMANDS:
            add_force_argument(sub)
        sub.set_defaults(handler=handler)
    return parser


def fault_log() -> Path:
    """Where faults of the tool are logged: ``LOCAL_FOCUS_LOG``, else ``~/.cache/local-focus/faults.log``."""
    configured = os.environ.get("LOCAL_FOCUS_LOG", "").strip()
    if configured:
        return Path(configured).expanduser()
    cache = Path(os.environ.get("XDG_CACHE_HOME", "").strip() or Path.home() / ".cache")
    return cache / "local-focus" / "faults.log"


def _log_fault(command: str) -> Path | None:
    """Write the current exception's traceback to the fault log; return the log's path (None if unwritable)."""
    path = fault_log()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as log:
            log.write(f"--- {datetime.now().isoformat(timespec='seconds')} python -m analysis {command}\n")
            log.write(traceback.format_exc())
    except OSError:
        return None
    return path


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code.

    A :class:`~analysis.errors.DataProblem` (something the user can fix) prints its sentence and
    exits 1; any other exception is a fault of the tool: one sentence, the details in the fault
    log, exit 2. Never a traceback on the screen.
    """
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except DataProblem as e:
        print(str(e), file=sys.stderr)
        return 1
    except Exception:
        where = _log_fault(args.command)
        print(
            f"'{args.command}' stopped: {FAULT_SENTENCE.replace('the server log', str(where or 'the log'))}",
            file=sys.stderr,
        )
        return 2
