"""What every page does the same way.

Load the data (cached), draw the shared sidebar filters, show which data this is, and offer safe downloads.

Pages stay thin: read widgets, call :mod:`analysis`, render.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import streamlit as st
from streamlit.navigation.page import StreamlitPage

from analysis.errors import FAULT_SENTENCE, DataProblem
from analysis.load.coverage import month_ranges
from analysis.load.dataset import DATA_DIR_ENV, Dataset, default_data_dir
from analysis.outputs.export import to_safe_csv
from analysis.schema import ASB, CRIME_TYPES, UNASSIGNED
from ui import cache
from ui.access import gate, public_site
from ui.memory import freeze_after_first_run
from ui.navigation import entry_point_run, through_entry_point

__all__ = [
    "ALL_FORCES",
    "FORCE_KEY",
    "Filters",
    "apply_filters",
    "csv_download",
    "data_badge",
    "get_dataset",
    "missing_note",
    "page_header",
    "page_start",
    "PageStart",
    "run_page",
    "section",
    "sidebar_filters",
]

log = logging.getLogger("local_focus")

ATTRIBUTION = (
    "Contains public sector information licensed under the Open Government Licence v3.0. "
    "Contains OS data © Crown copyright and database right."
)


def data_folder() -> Path:
    """The folder in use: ``LOCAL_FOCUS_DATA`` or the bundled sample."""
    return default_data_dir()


def get_dataset() -> Dataset:
    """The loaded dataset for this session; stops the page with a plain message if it cannot load."""
    through_entry_point()
    access = gate()  # the site's mode; on an internal site, sign-in and role (stops the page otherwise)
    folder = data_folder()
    # The Data page may keep uploaded files for this session: a temporary folder linking the data
    # folder's files plus the uploads. Only that page sets or removes this key; a public site has none.
    override = st.session_state.get("data_dir_override") if access.sees_internal else None
    if override and Path(override).is_dir():
        folder = Path(override)
    try:
        dataset = cache.load(str(folder), access.public_site)
    except DataProblem as e:
        if access.public_site:  # never the server's folder path on a public site: it goes to the log
            log.error("The data could not be loaded: %s", e)
            st.error("The data could not be loaded. The details are in the server log for its administrator.")
            st.stop()
        st.error(f"The data could not be loaded. {e}")
        st.info(f"Set the environment variable {DATA_DIR_ENV} to a data folder and restart the dashboard.")
        st.stop()
    except OSError:
        log.exception("The data folder %s could not be read", folder)
        st.error("The data folder could not be read: check that it exists and that the server may read it.")
        st.stop()
    if len(dataset.forces) < 2:
        return dataset
    # A folder of several forces: the sidebar's force filter (on every page, kept across pages) cuts the data down
    # to one force, its hubs and its own coverage, before the page sees it, so every figure is that force's own.
    chosen = _force_filter(dataset)
    return cache.force_view(dataset, None if chosen == ALL_FORCES else chosen)


def _force_filter(dataset: Dataset) -> str:
    """The force filter of a folder of several forces, in the sidebar: the chosen force, or :data:`ALL_FORCES`."""
    names = dataset.force_names
    options = [ALL_FORCES, *names]
    # Kept across pages by hand: a widget's persisted value reaches a page only after its first run there,
    # too late for the data that page draws, so the last choice is kept apart and starts the widget.
    kept = st.session_state.get(_FORCE_KEPT, ALL_FORCES)
    _drop_if_invalid(FORCE_KEY, lambda v: v in options)
    with st.sidebar:
        chosen = st.selectbox(
            "Force",
            options,
            index=options.index(kept) if kept in options else 0,
            key=FORCE_KEY,
            format_func=lambda f: "All forces" if f == ALL_FORCES else names.get(f, f),
            help="This folder holds several forces' police.uk files: choose one to see its own hubs and figures.",
        )
    st.session_state[_FORCE_KEPT] = chosen
    return chosen


#: The force filter's widget key, and its value for every force.
FORCE_KEY = "f_force"
ALL_FORCES = ""
_FORCE_KEPT = "_f_force_kept"


@dataclass(frozen=True)
class Filters:
    """The sidebar's choices, shared by every page."""

    start: pd.Period
    end: pd.Period
    hubs: tuple[str, ...]
    crime_types: tuple[str, ...]
    #: Months of the period not supplied (for crime or ASB, force-wide or in a chosen hub).
    not_supplied: tuple[pd.Period, ...] = ()
    #: The force chosen in a folder of several forces (None: every force, or the folder holds one).
    force: str | None = None

    @property
    def months(self) -> pd.PeriodIndex:
        """Months in the chosen period."""
        return pd.period_range(self.start, self.end, freq="M")

    @property
    def period_label(self) -> str:
        """The period in words, e.g. 'Jan 2019 to Dec 2019 (12 months, 2 not supplied)'."""
        gaps = f", {len(self.not_supplied)} not supplied" if self.not_supplied else ""
        return f"{self.start.strftime('%b %Y')} to {self.end.strftime('%b %Y')} ({len(self.months)} months{gaps})"

    @property
    def gap_note(self) -> str:
        """One sentence on the months not supplied, or an empty string."""
        if not self.not_supplied:
            return ""
        return (
            f"{len(self.not_supplied)} of the {len(self.months)} months "
            f"{'was' if len(self.not_supplied) == 1 else 'were'} not supplied "
            f"({month_ranges(list(self.not_supplied))}): they are gaps, not zeros, and no total, rate or "
            "comparison counts them."
        )


def _drop_if_invalid(key: str, valid: Callable[[object], bool]) -> None:
    """Forget a kept filter value that no longer fits the data (e.g. another folder was loaded)."""
    if key in st.session_state and not valid(st.session_state[key]):
        del st.session_state[key]


def sidebar_filters(dataset: Dataset, *, crime_types: bool = True) -> Filters:
    """Draw the period, hub and crime-type filters; their values persist across pages.

    The widgets keep their values for the whole session (``persist_state="session"``),
    so a filter chosen on one page holds on every other page. An empty hub or
    crime-type choice means "all". In a folder of several forces :func:`get_dataset` has
    already drawn the force filter above these and cut ``dataset`` down to the chosen force,
    so the hub choices and the period are that force's.
    """
    months = [str(m) for m in dataset.months]
    hubs = dataset.hub_names
    if not months:
        st.sidebar.info("No months of incident data loaded.")
        return Filters(pd.Period("2000-01", "M"), pd.Period("2000-01", "M"), tuple(hubs), CRIME_TYPES)
    _drop_if_invalid("f_period", lambda v: isinstance(v, tuple | list) and len(v) == 2 and all(m in months for m in v))
    # A period left at the whole span follows the span when new months arrive (a save, a fetch, a hand edit).
    span = (months[0], months[-1])
    previous = st.session_state.get("_f_span")
    if previous and tuple(previous) != span and tuple(st.session_state.get("f_period", ())) == tuple(previous):
        del st.session_state["f_period"]
    st.session_state["_f_span"] = span
    _drop_if_invalid("f_hubs", lambda v: isinstance(v, list) and all(h in hubs for h in v))
    _drop_if_invalid("f_types", lambda v: isinstance(v, list) and all(t in CRIME_TYPES for t in v))
    with st.sidebar:
        st.markdown("**Filters** (kept across pages)")
        if len(months) > 1:
            start, end = st.select_slider(
                "Period",
                options=months,
                value=(months[0], months[-1]),
                key="f_period",
                persist_state="session",
                format_func=lambda m: pd.Period(m, "M").strftime("%b %Y"),
            )
        else:
            start = end = months[0]
        chosen_hubs = st.multiselect(
            "Hubs", hubs, default=[], key="f_hubs", persist_state="session", placeholder="All hubs"
        )
        chosen_types = (
            st.multiselect(
                "Crime types",
                list(CRIME_TYPES),
                default=[],
                key="f_types",
                persist_state="session",
                placeholder="All types",
            )
            if crime_types
            else []
        )
    start, end = pd.Period(start, "M"), pd.Period(end, "M")
    chosen = tuple(chosen_hubs) or tuple(hubs)
    gaps = tuple(dataset.coverage.missing_any(start, end, [h for h in chosen if h != UNASSIGNED]))
    if gaps:
        st.sidebar.caption(
            f":material/event_busy: {len(gaps)} of these {(end - start).n + 1} months not supplied: "
            f"{month_ranges(list(gaps))}."
        )
    return Filters(start, end, chosen, tuple(chosen_types) or tuple(CRIME_TYPES), gaps, dataset.force)


def apply_filters(incidents: pd.DataFrame, filters: Filters, *, crime_types: bool = True) -> pd.DataFrame:
    """The incidents inside the chosen period, hubs and (optionally) crime types."""
    keep = incidents["month"].between(filters.start, filters.end) & incidents["hub"].isin(filters.hubs)
    if crime_types:
        keep &= incidents["crime_type"].isin(filters.crime_types)
    return incidents.loc[keep]


def data_badge(dataset: Dataset) -> None:
    """Name the data source; mark generated data loudly."""
    last = dataset.months[-1].strftime("%B %Y") if len(dataset.months) else "no months"
    if dataset.is_generated:
        st.badge("Generated sample data — not real", icon=":material/science:", color="orange")
    else:
        st.badge("Real data: police.uk and ONS", icon=":material/verified:", color="blue")
    if public_site():  # a public site never names the server's folder
        st.caption(f"Data to {last}")
    else:
        st.caption(f"Data folder: {dataset.folder.name} · data to {last}")


def page_header(title: str, dataset: Dataset, intro: str | None = None) -> None:
    """Title, data badge and one line saying what the page answers."""
    # Styling only (no data): less empty space above the title, so more fits a laptop or projector screen.
    st.html("<style>[data-testid='stMainBlockContainer']{padding-top:2.5rem}</style>")
    st.title(title)
    data_badge(dataset)
    if intro:
        st.markdown(intro)


NO_INCIDENTS = "No incident records are loaded. Open the Data page to see why and to add police.uk files."


@dataclass(frozen=True)
class PageStart:
    """What every page starts from: the data, and the sidebar's choices (None on a page without filters)."""

    dataset: Dataset
    filters: Filters | None

    @property
    def hubs(self) -> tuple[str, ...]:
        """The chosen hubs, without the records not placed in a hub."""
        return tuple(h for h in self.filters.hubs if h != UNASSIGNED) if self.filters else ()


def page_start(
    title: str,
    intro: str | None = None,
    *,
    filters: bool = True,
    crime_types: bool = True,
    need_incidents: bool = True,
    need_hubs: str | None = None,
) -> PageStart:
    """The one page preamble: title, data badge, intro, sidebar filters, and the stops for missing data.

    ``need_incidents`` stops the page with one sentence when no incident record is loaded;
    ``need_hubs`` is the sentence that stops it when no hub (other than Unassigned) is chosen.
    """
    dataset = get_dataset()
    page_header(title, dataset, intro)
    chosen = sidebar_filters(dataset, crime_types=crime_types) if filters else None
    if need_incidents and dataset.records.empty:
        st.warning(NO_INCIDENTS)
        st.stop()
    start = PageStart(dataset, chosen)
    if need_hubs and not start.hubs:
        st.info(need_hubs)
        st.stop()
    return start


def missing_note(dataset: Dataset, kind: str) -> bool:
    """Show what is missing and how to add it; True when ``kind`` is missing."""
    message = dataset.missing(kind)
    if message:
        st.info(message, icon=":material/info:")
        return True
    return False


def csv_download(frame: pd.DataFrame, label: str, file_name: str, key: str) -> None:
    """A download button for the data behind a chart, safe to open in a spreadsheet."""
    st.download_button(
        label,
        data=lambda: to_safe_csv(frame),
        file_name=file_name,
        mime="text/csv",
        key=key,
        on_click="ignore",
        icon=":material/download:",
    )


def asb_and_crime_note() -> str:
    """The sentence every ASB chart carries."""
    return f"{ASB} is counted apart from crime and never added into crime totals."


def attribution() -> None:
    """The OGL v3 attribution the data asks for."""
    st.caption(ATTRIBUTION)


def run_page(page: StreamlitPage) -> None:
    """Run the chosen page: a DataProblem shows its own sentence; any other exception is a fault.

    A fault says in a sentence that the page could not be drawn and that it is the tool's fault;
    the traceback goes to the server log, never to the screen. Streamlit's own stop and rerun
    signals are BaseExceptions and pass through.
    """
    _server_run()
    try:
        with entry_point_run():
            page.run()
    except DataProblem as e:
        st.warning(str(e), icon=":material/info:")
    except Exception:
        log.exception("The page %r failed", getattr(page, "title", page))
        st.error(f"This page could not be drawn. {FAULT_SENTENCE}", icon=":material/error:")
    else:
        # Streamlit collects garbage after every run; this keeps that cheap (see ui/memory.py).
        freeze_after_first_run(str(getattr(page, "url_path", page)))


def _server_run() -> None:
    """Under a Streamlit server, mark Streamlit's once-a-process "use streamlit run" check as done before it runs.

    At the first element drawn in a process, Streamlit checks whether it runs in a Python REPL, to
    warn that an app needs ``streamlit run``: ``inspect.stack()``, which reads the source of every
    frame and maps every imported module (well over 1,000 with pandas, pyarrow, DuckDB and plotly) to
    its file, about 0.2 s of CPU in the first run. A server's script thread is never a REPL, so the
    check could only ever answer no there; ``python dashboard.py`` (no runtime) still gets the warning.
    tests/test_start.py fails if Streamlit stops using the flag this sets.
    """
    if st.runtime.exists():
        import streamlit.delta_generator as delta_generator

        delta_generator._use_warning_has_been_displayed = True


@contextmanager
def section(what: str) -> Iterator[None]:
    """Guard one part of a page, so that the rest still shows when it fails.

    ``what`` names the part in the sentence shown ("the evaluation").
    """
    try:
        yield
    except DataProblem as e:
        st.warning(str(e), icon=":material/info:")
    except Exception:
        log.exception("%s failed", what)
        st.error(f"{what[:1].upper()}{what[1:]} could not be shown. {FAULT_SENTENCE}", icon=":material/error:")
