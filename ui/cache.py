"""Every Streamlit cache of the app, in one place, keyed on the data it was computed from.

A :class:`~analysis.load.dataset.Dataset` is hashed by its ``fingerprint`` (the folder and every
file's path, size and modification time), never by its frames: two sessions looking at the
same folder share results; a session that keeps uploads for itself reads another folder (a
private overlay), so another fingerprint, and never sees or disturbs the others' results; a file
changed by hand changes the fingerprint, so every new or reloaded session computes afresh.

Pages call these wrappers and hold no cache of their own (a code-rule test checks that).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
import streamlit as st

from analysis.load.dataset import Dataset, fingerprint, load_dataset
from ui.memory import thaw

if TYPE_CHECKING:  # each wrapper imports what it calls when it first runs: a page imports only its own measures
    from analysis.figures.chart import Chart
    from analysis.load.upload.check import UploadCheck
    from analysis.measures import precept
    from analysis.measures.data import CoverageView, LoadedFiles
    from analysis.measures.deployment.dose import PatrolEstimate
    from analysis.measures.deployment.lag import Lags
    from analysis.measures.deployment.operations import OperationView
    from analysis.measures.deployment.timeline import AreaView
    from analysis.measures.maps.hub_map import HubMap, MapRequest, MapSide
    from analysis.measures.overview import Overview, TrendChart
    from analysis.measures.performance.cases import CaseReport
    from analysis.measures.performance.comparison import ComparisonView, HubComparison
    from analysis.measures.performance.outcomes import Outcomes
    from analysis.measures.precept import EvaluationView
    from analysis.outputs.briefing.model import Briefing
    from analysis.outputs.briefing.pack import BriefingPack
    from analysis.stats.evaluation.results import Evaluation
    from ui.common import Filters

__all__ = [
    "DATASET_HASH",
    "FIGURE_ENTRIES",
    "asb_by_hub_month",
    "briefing",
    "briefing_pack",
    "cached",
    "case_charts",
    "deployment_area",
    "deployment_lags",
    "deployment_operation",
    "deployment_timeline",
    "hub_map_side",
    "overview_charts",
    "pledges",
    "precept_hub_chart",
    "precept_patrol",
    "recorded_asb",
    "shared_by_choice",
    "checked_upload",
    "comparison_charts",
    "data_coverage",
    "data_files",
    "counts_by_hub_month",
    "dose_response_for",
    "evaluation",
    "precept_evaluation",
    "force_view",
    "hub_map",
    "load",
    "measures_by_hub_month",
    "outcome_charts",
    "overview",
    "patrol_by_hub_week",
    "residents_by_hub_month",
]

#: How a cache hashes a Dataset argument: by what identifies its content.
DATASET_HASH = {Dataset: lambda dataset: dataset.fingerprint}


#: Entries each cache of figures keeps (the least recently used goes first). An entry is 0.02 to
#: 0.25 MiB on the county folder and on the sample (pympler's asizeof, the dataset it refers to left
#: out), so all the figure caches full hold about 30 MiB (about 90 MiB at the 32 to 64 entries they
#: had); 16 choices per figure is more than one hub team's sessions keep going back to.
FIGURE_ENTRIES = 16


def load(folder: str, public: bool = False) -> Dataset:
    """The folder's dataset, loaded once per content (a changed file changes the key).

    A public site only ever holds the public view: case texts and rejected rows' text never load into it.
    """
    return _load_keyed(folder, fingerprint(folder), public)


@st.cache_resource(show_spinner="Loading the data folder…", max_entries=4)
def _load_keyed(folder: str, key: tuple, public: bool) -> Dataset:
    # cache_resource: one shared, read-only object per folder content, never a copy per session.
    thaw()  # a dataset this replaces may be collected (ui/memory.py)
    dataset = load_dataset(folder)
    if not public:
        return dataset
    from analysis.access import public_view

    return public_view(dataset)


def force_view(dataset: Dataset, force: str | None) -> Dataset:
    """One force of the dataset (:meth:`~analysis.load.dataset.Dataset.for_force`), once per content and force."""
    if force is None or force not in dataset.force_names:
        return dataset
    return _force_view(dataset.fingerprint, dataset, force)


@st.cache_resource(show_spinner=False, max_entries=8)
def _force_view(key: tuple, _dataset: Dataset, force: str) -> Dataset:
    # cache_resource: the force's rows are cut once and shared, read-only, like the whole folder's.
    return _dataset.for_force(force)


def cached(max_entries: int = 32, show_spinner: bool | str = False):
    """``st.cache_data`` that hashes a Dataset argument by its fingerprint.

    Use it around a measure from :mod:`analysis` that takes the dataset and plain arguments
    (periods, hub tuples, strings); its result is pickled, so each caller gets its own copy
    of a small, aggregated result.
    """
    return st.cache_data(max_entries=max_entries, show_spinner=show_spinner, hash_funcs=DATASET_HASH)


def shared_by_choice(max_entries: int = FIGURE_ENTRIES):
    """``st.cache_resource`` that hashes a Dataset by its fingerprint (and the sidebar's Filters by their repr).

    Use it around what a page draws for one data and choice: figures and the frames behind them,
    made once and shared, read-only, by every session that makes the same choice (a repeated choice
    costs nothing; unpickling a plotly figure each rerun would cost more than drawing it). What it
    returns must never be changed after it is made: no ``update_layout`` on a figure from it
    (tests/test_shared_figures.py checks every page).
    """
    return st.cache_resource(max_entries=max_entries, show_spinner=False, hash_funcs=_SHARED_HASH)


#: Dataset by fingerprint; Filters (a frozen dataclass of plain values) by its repr.
_SHARED_HASH = {**DATASET_HASH, "ui.common.Filters": repr}


def _month(text: str) -> pd.Period:
    return pd.Period(text, freq="M")


# --------------------------------------------------------------------------- Overview


@cached()
def overview(dataset: Dataset, hubs: tuple[str, ...], start: str, end: str) -> Overview:
    """:func:`analysis.measures.overview.overview`, per dataset, hubs and period."""
    from analysis.measures.overview import overview as measure_overview

    return measure_overview(dataset, hubs, _month(start), _month(end))


@shared_by_choice()
def overview_charts(dataset: Dataset, filters: Filters, view: str) -> tuple[Overview, TrendChart, tuple | None]:
    """The Overview's figures, its trend chart for ``view`` and the months-supplied strip (None for one month)."""
    from analysis.measures.overview import overview_trend

    figures = overview(dataset, filters.hubs, str(filters.start), str(filters.end))
    trend = overview_trend(figures, view, filters.period_label)
    strip = coverage_strip(dataset, str(filters.start), str(filters.end)) if len(dataset.months) > 1 else None
    return figures, trend, strip


@shared_by_choice()
def coverage_strip(dataset: Dataset, start: str, end: str) -> tuple:
    """The months-supplied strip for a period: its figure, table view and summary (the same for any hubs)."""
    from analysis.figures.shared import coverage_strip as strip
    from analysis.text.a11y import table_view

    figure, table, summary = strip(dataset.coverage, _month(start), _month(end))
    return figure, table_view(table, {"month": "Month", "Crime": "Crime", "ASB": "ASB"}), summary


# --------------------------------------------------------------------------- pages/deployment.py


@shared_by_choice()
def deployment_area(dataset: Dataset, hubs: tuple[str, ...], area: str, start: str, end: str) -> AreaView:
    """:func:`~analysis.measures.deployment.timeline.area_view` for the chosen hubs, area and months."""
    from analysis.measures.deployment.timeline import area_view

    key = dataset.fingerprint
    asb, weekly = asb_by_hub_month(key, dataset), patrol_by_hub_week(key, dataset)
    return area_view(dataset, asb, weekly, list(hubs), area, _month(start), _month(end))


@shared_by_choice()
def deployment_timeline(
    dataset: Dataset, hubs: tuple[str, ...], area: str, start: str, end: str, weekly: bool
) -> Chart:
    """The area's timeline of patrol hours and ASB, weekly or monthly."""
    return deployment_area(dataset, hubs, area, start, end).timeline(weekly=weekly)


@shared_by_choice()
def deployment_lags(dataset: Dataset, hubs: tuple[str, ...], area: str, start: str, end: str, both_ways: bool) -> Lags:
    """:func:`~analysis.measures.deployment.lag.patrol_asb_lags` of the area's months (it needs patrol hours)."""
    from analysis.measures.deployment.lag import patrol_asb_lags

    view = deployment_area(dataset, hubs, area, start, end)
    return patrol_asb_lags(view.by_month, view.name, both_ways=both_ways)


@shared_by_choice()
def deployment_operation(
    dataset: Dataset, hubs: tuple[str, ...], area: str, start: str, end: str, label: str, n_weeks: int
) -> OperationView:
    """:func:`~analysis.measures.deployment.operations.operation_view` of one operation in the area's view."""
    from analysis.measures.deployment.operations import operation_view

    key, view = dataset.fingerprint, deployment_area(dataset, hubs, area, start, end)
    asb, weekly = asb_by_hub_month(key, dataset), patrol_by_hub_week(key, dataset)
    return operation_view(view.operations, label, weekly, asb, view.hubs, view.name, n_weeks)


@st.cache_data(show_spinner=False, max_entries=4)
def asb_by_hub_month(key: tuple, _dataset: Dataset) -> pd.DataFrame:
    """:func:`analysis.measures.deployment.series.hub_month_asb`; cached on the folder's fingerprint."""
    from analysis.measures.deployment.series import hub_month_asb

    return hub_month_asb(_dataset)


@st.cache_data(show_spinner=False, max_entries=4)
def patrol_by_hub_week(key: tuple, _dataset: Dataset) -> pd.DataFrame | None:
    """Weekly patrol hours per hub (None without resourcing.csv); cached on the folder's fingerprint."""
    from analysis.measures.deployment.series import weekly_patrol

    resourcing = _dataset.table("resourcing.csv")
    return None if resourcing is None else weekly_patrol(resourcing)


@st.cache_data(show_spinner=False, max_entries=32)
def dose_response_for(key: tuple, _dataset: Dataset, hubs: tuple[str, ...], start: str, end: str) -> PatrolEstimate:
    """:func:`analysis.measures.deployment.dose.patrol_estimate` for the chosen hubs and months."""
    from analysis.measures.deployment.dose import patrol_estimate

    asb, weekly = asb_by_hub_month(key, _dataset), patrol_by_hub_week(key, _dataset)
    return patrol_estimate(asb, weekly, _dataset.hubs, hubs, _month(start), _month(end))


# --------------------------------------------------------------------------- pages/performance.py


@st.cache_data(show_spinner=False, max_entries=4)
def counts_by_hub_month(key: tuple, _dataset: Dataset) -> pd.DataFrame:
    """Records per hub, month and crime type over the whole data; cached on the folder's fingerprint."""
    from analysis.measures.metrics import hub_month_counts

    return hub_month_counts(_dataset)


@st.cache_data(show_spinner=False, max_entries=4)
def residents_by_hub_month(key: tuple, _dataset: Dataset) -> pd.DataFrame:
    """Residents per hub and month from population.csv (empty without it); cached on the folder's fingerprint."""
    from analysis.measures.metrics import hub_population

    return hub_population(_dataset.hubs, _dataset.table("population.csv"), _dataset.months)


@st.cache_data(show_spinner=False, max_entries=16)
def measures_by_hub_month(key: tuple, _dataset: Dataset, crime_types: tuple[str, ...]) -> pd.DataFrame:
    """:func:`analysis.measures.performance.rates.hub_months` over the whole data, per chosen crime types."""
    from analysis.measures.performance.rates import hub_months

    return hub_months(counts_by_hub_month(key, _dataset), residents_by_hub_month(key, _dataset), crime_types)


@shared_by_choice()
def comparison_charts(
    dataset: Dataset,
    crime_types: tuple[str, ...],
    hubs: tuple[str, ...],
    start: str,
    end: str,
    column: str,
    name: str,
    period: str,
) -> tuple[HubComparison, ComparisonView]:
    """The hub comparison and :func:`~analysis.measures.performance.comparison.comparison_view` of it.

    Shared read-only: the view's three figures are drawn once per data, choice and period (plotly's
    layout checks cost more than a filter change may take, on every rerun).
    """
    from analysis.measures.performance.comparison import comparison_view
    from analysis.measures.performance.comparison import hub_comparison as compare_hubs

    monthly = measures_by_hub_month(dataset.fingerprint, dataset, crime_types)
    result = compare_hubs(monthly, hubs, _month(start), _month(end), dataset.months[0], column)
    return result, comparison_view(result, name, period, _month(end))


@shared_by_choice()
def outcome_charts(
    dataset: Dataset,
    crime_types: tuple[str, ...],
    hubs: tuple[str, ...],
    start: str,
    end: str,
    period: str,
) -> tuple[Outcomes, tuple]:
    """:func:`~analysis.measures.performance.outcomes.crime_outcomes` and its two charts (ASB has no outcome).

    Drawn once per data, choice and period and shared read-only, as :func:`comparison_charts`.
    """
    from analysis.measures.performance.outcomes import crime_outcomes

    result = crime_outcomes(dataset.records, crime_types, hubs, _month(start), _month(end), dataset.months[-1])
    return result, (result.charts(period) if not result.distribution.empty else ())


@shared_by_choice()
def case_charts(dataset: Dataset, hubs: tuple[str, ...], start: str, end: str) -> tuple[CaseReport | None, tuple]:
    """:func:`~analysis.measures.performance.cases.case_report` and its four charts (None: no case in the period)."""
    from analysis.measures.performance.cases import case_report

    report = case_report(dataset.table("cases.csv"), hubs, _month(start), _month(end))
    return report, (() if report is None else tuple(report.charts()))


# --------------------------------------------------------------------------- pages/precept.py


@shared_by_choice(8)
def pledges(dataset: Dataset) -> precept.PledgeView:
    """:func:`~analysis.measures.precept.pledge_view` of the folder's pledges and workforce (no filter applies)."""
    from analysis.measures import precept

    launch = precept.first_launch(dataset.hubs)
    return precept.pledge_view(dataset.table("pledges.csv"), dataset.table("workforce.csv"), launch)


@shared_by_choice()
def precept_patrol(dataset: Dataset, filters: Filters) -> precept.PatrolView:
    """:func:`~analysis.measures.precept.patrol_view` for the chosen hubs and months."""
    from analysis.measures import precept

    return precept.patrol_view(dataset.table("resourcing.csv"), filters, precept.first_launch(dataset.hubs))


@shared_by_choice()
def recorded_asb(dataset: Dataset, filters: Filters) -> precept.Chart:
    """:func:`~analysis.measures.precept.recorded_asb_chart` for the chosen hubs and months."""
    from analysis.measures import precept

    return precept.recorded_asb_chart(dataset, filters, precept.first_launch(dataset.hubs))


@st.cache_resource(show_spinner=False, max_entries=FIGURE_ENTRIES)
def precept_hub_chart(key: tuple, _evaluation: Evaluation, hub: str) -> precept.Chart:
    """:func:`~analysis.measures.precept.hub_chart` of :func:`evaluation`'s result for one hub."""
    from analysis.measures import precept

    return precept.hub_chart(_evaluation, hub)


@st.cache_data(show_spinner="Estimating the change in ASB…", max_entries=8)
def evaluation(key: tuple, _dataset: Dataset) -> tuple[Evaluation | None, str | None]:
    """The evaluation of the whole dataset, or why it cannot be made (cached on the folder's fingerprint)."""
    from analysis.cli import run_evaluation
    from analysis.stats.evaluation.results import InsufficientData

    try:
        return run_evaluation(_dataset), None
    except InsufficientData as e:
        return None, str(e)


@st.cache_resource(show_spinner=False, max_entries=FIGURE_ENTRIES)
def precept_evaluation(key: tuple, _evaluation: Evaluation, hubs: tuple[str, ...]) -> EvaluationView:
    """:func:`analysis.measures.precept.evaluation_view` of :func:`evaluation`'s result, per folder and hubs."""
    from analysis.measures.precept import evaluation_view

    return evaluation_view(_evaluation, hubs)


# --------------------------------------------------------------------------- pages/hub_map.py

#: A map request (a frozen dataclass of plain values) by its repr, named so that the maps need not import to hash it.
_MAP_HASH = {**DATASET_HASH, "analysis.measures.maps.hub_map.MapRequest": repr}


@st.cache_resource(max_entries=FIGURE_ENTRIES, show_spinner=False, hash_funcs=_MAP_HASH)
def hub_map(dataset: Dataset, request: MapRequest) -> HubMap:
    """:func:`analysis.measures.maps.hub_map.hub_map`, per dataset and request.

    cache_resource: one shared, read-only map per request (unpickling a plotly figure on every rerun
    would cost more than the 0.3 s a filter change may take).
    """
    from analysis.measures.maps.hub_map import hub_map as assemble_hub_map

    return assemble_hub_map(dataset, request)


@st.cache_resource(max_entries=FIGURE_ENTRIES, show_spinner=False, hash_funcs=_MAP_HASH)
def hub_map_side(dataset: Dataset, request: MapRequest, areas: tuple[str, ...], cells: tuple[str, ...]) -> MapSide:
    """:func:`analysis.measures.maps.hub_map.map_side` of :func:`hub_map`'s map, per request and areas clicked."""
    from analysis.measures.maps.hub_map import map_side

    return map_side(dataset, hub_map(dataset, request), list(areas), list(cells))


# --------------------------------------------------------------------------- pages/briefing.py


@st.cache_resource(max_entries=8, show_spinner=False)
def briefing(folder: str, key: tuple, public: bool, months: int, _dataset: Dataset) -> Briefing:
    """The briefing model for one data, mode and period (shared read-only: its figures are not unpickled each rerun)."""
    from analysis.outputs.briefing.make import make_briefing

    return make_briefing(_dataset, public=public, months=months)


@st.cache_data(max_entries=4, show_spinner=False)
def briefing_pack(folder: str, key: tuple, public: bool, months: int, _dataset: Dataset) -> BriefingPack:
    """The PDF pack and the ZIP of chart PNGs (drawn once per data, mode and period)."""
    from analysis.outputs.briefing.pack import make_pack

    return make_pack(briefing(folder, key, public, months, _dataset))


# --------------------------------------------------------------------------- pages/data.py


@st.cache_data(show_spinner=False, max_entries=4)
def data_files(key: tuple, _dataset: Dataset) -> LoadedFiles:
    """The Data page's files, rows and rejected rows, once per folder content (not per visit)."""
    from analysis.measures.data import loaded_files

    return loaded_files(_dataset)


@st.cache_data(show_spinner=False, max_entries=4)
def data_coverage(key: tuple, _dataset: Dataset) -> CoverageView:
    """The Data page's coverage by month and by file, once per folder content: it reads every record."""
    from analysis.measures.data import coverage_view

    return coverage_view(_dataset)


@st.cache_data(max_entries=64, show_spinner="Checking the uploaded file…")
def checked_upload(name: str, digest: str, _content: bytes) -> UploadCheck:
    """The loaders' report on one upload, cached on its name and the hash of its bytes."""
    from analysis.load.upload.check import check_upload

    return check_upload(name, _content)
