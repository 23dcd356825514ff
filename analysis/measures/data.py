"""What the Data page shows of the loaded folder: its files, rejected rows, coverage by month and file, placement.

No streamlit here.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from analysis.figures.shared import coverage_strip
from analysis.load.coverage import coverage_table, month_ranges
from analysis.load.dataset import Dataset
from analysis.load.hubs import ASSIGNED_BY
from analysis.load.records import Records
from analysis.load.report import rejected_rows, reports_frame
from analysis.text.a11y import table_view


@dataclass(frozen=True)
class LoadedFiles:
    """Every file read: one row each, the totals (rows read = accepted + rejected), problems and rejected rows."""

    files: pd.DataFrame
    rows_read: int
    rows_accepted: int
    rows_rejected: int
    files_unusable: int
    problems: tuple[str, ...]
    rejected: pd.DataFrame


def loaded_files(dataset: Dataset) -> LoadedFiles:
    """The files of ``dataset`` as the Data page lists them."""
    files = reports_frame(dataset.reports)
    return LoadedFiles(
        files=files.assign(problem=files["problem"].fillna("")),  # a usable file has no problem: blank, not "None"
        rows_read=int(files["rows_read"].sum()),
        rows_accepted=int(files["rows_accepted"].sum()),
        rows_rejected=int(files["rows_rejected"].sum()),
        files_unusable=int((~files["usable"]).sum()),
        problems=tuple(r.problem for r in dataset.reports if r.problem),
        rejected=rejected_rows(dataset.reports),
    )


@dataclass(frozen=True)
class CoverageView:
    """Which months each stream and file supplies, what is missing, and how records were placed in hubs."""

    months: pd.DataFrame
    months_table: pd.DataFrame
    strip: go.Figure
    strip_table: pd.DataFrame
    strip_summary: str
    not_supplied: str | None
    hub_gaps: str | None
    resupplied: str | None
    by_file: pd.DataFrame
    placed: pd.DataFrame


def _placed(records: Records) -> pd.DataFrame:
    """Records per way of placing them in a hub, most first (every way listed, zeros included)."""
    counted = records.count(["assigned_by"]).set_index("assigned_by")["records"]
    placed = counted.reindex(list(ASSIGNED_BY), fill_value=0).sort_values(ascending=False, kind="stable")
    return placed.rename_axis("placed by").reset_index()


def coverage_view(dataset: Dataset) -> CoverageView:
    """Coverage by month and by file, and how records were placed (needs incident records)."""
    records, coverage = dataset.records, dataset.coverage
    strip, strip_table, strip_summary = coverage_strip(coverage, dataset.months[0], dataset.months[-1])
    gaps = coverage.summary_record()["months_not_supplied"]
    not_supplied = None
    if gaps["crime"] or gaps["asb"]:
        not_supplied = (
            f"Not supplied: crime {month_ranges([pd.Period(m, 'M') for m in gaps['crime']]) or 'none'}; "
            f"ASB {month_ranges([pd.Period(m, 'M') for m in gaps['asb']]) or 'none'}. "
            "Every page shows these months as gaps, never as zeros; rates, comparisons and estimates leave them out."
        )
    hub_gaps = len(coverage.hub_gaps())
    resupplied = [note for r in dataset.reports for note in r.notes if note.startswith("skipped ")]
    by_file = records.count(["source_file", "month"]).assign(month=lambda d: d["month"].astype("str"))
    months = coverage_table(records.count(["month", "is_asb"]), coverage)
    return CoverageView(
        months=months,
        months_table=table_view(
            months, {"month": "Month", "crime": "Crimes", "asb": "ASB", "hubs_not_supplied": "Hubs not supplied"}
        ),
        strip=strip,
        strip_table=table_view(strip_table, {"month": "Month", "Crime": "Crime", "ASB": "ASB"}),
        strip_summary=strip_summary,
        not_supplied=not_supplied,
        hub_gaps=(
            f"{hub_gaps} hub-month(s) not supplied although the force's files hold the month "
            "(no record of a hub that usually has several): see the last column below."
            if hub_gaps
            else None
        ),
        resupplied=(
            "The same month in two files is loaded once (the newer download wins: police.uk re-supplies months "
            "with later outcomes); the other file's rows are in the rejected rows with the reason. "
            + "; ".join(resupplied[:5])
            if resupplied
            else None
        ),
        by_file=by_file,
        placed=_placed(records),
    )
