"""The server, measured (issue 12 point 5): start to first chart, every filter change on every page, peak memory.

Every figure stands beside a floor measured in the same run: bench/floor_app.py (a bare
Streamlit app with the dashboard's seven page titles and one plotly chart each),
bench/floor_start_app.py (the same, after importing what the first chart cannot start without:
pandas and DuckDB) and bench/floor_imports_app.py (the same, after importing every library the
dashboard uses).
Each app is started the same way, ``streamlit run`` on 127.0.0.1 on a free port, and driven by
the websocket driver of :mod:`bench.protocol` (Streamlit's own protocol, no browser).

1. **Start to first chart**, ``--starts`` fresh starts of each app (median): wall time from
   starting the process to the first ``script_finished`` of a run that drew a chart (the
   Overview), and the server's work: its CPU time (``/proc/PID/stat`` utime + stime, children
   included) from start to then, and the wall and CPU time of that first script run alone.
   The dashboard reads the county folder (``--rows``, built by :func:`bench.store_bench.build_county`
   outside the repository) through its store (``LOCAL_FOCUS_STORE=on``); the store is made
   first by ``python -m analysis ingest``, timed apart.
2. **Every filter change on every page**: one session visits each page, then for every widget
   the page drew (found in the server's messages, named by its ``key=``), sends a changed value
   as the browser would (a widget in an ``st.fragment`` reruns its fragment), then the value back.
   Server seconds are the server's CPU time over the rerun (settled: counted until the process is
   idle again) and the wall time from sending the change to ``script_finished`` (on loopback).
   The floor is the bare app's "Hubs" change on each page. Buttons other than the briefing's
   Next and Previous are never pressed, nor the Data page's fetch and upload widgets.
3. **Peak memory**: the server's VmHWM (``/proc/PID/status``) after one session has visited
   every page (and again after all the filter changes), on the county folder and with
   ``--national`` on a national folder (``--national-rows`` rows across ``--forces`` forces, 12
   months, built by :func:`bench.store_bench.write_national_month`); beside the bare app's, the
   imports app's, and each library's import alone in a fresh interpreter.

    python -m bench.serve_bench                                # 373,000 rows, 5 starts
    python -m bench.serve_bench --starts 3 --national --json serve.json
    python -m bench.serve_bench --national --national-dir /work/tmp-national   # build once, reuse
    python -m bench.serve_bench --data data/sample --starts 1 --pages Overview --no-imports

Timings depend on the machine and what else runs there (the report prints the load average):
they belong here, never in tests.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path

from bench.load_sessions import _free_port

ROOT = Path(__file__).resolve().parent.parent
DASHBOARD = ROOT / "dashboard.py"
FLOOR = ROOT / "bench" / "floor_app.py"
FLOOR_START = ROOT / "bench" / "floor_start_app.py"
FLOOR_IMPORTS = ROOT / "bench" / "floor_imports_app.py"
#: The libraries whose import alone is measured (what bench/floor_imports_app.py imports).
LIBRARIES = ["streamlit", "pandas", "geopandas", "plotly.graph_objects", "duckdb", "scipy.special"]
#: Buttons that only move through the app; no other button is pressed (they save, fetch or upload).
SAFE_BUTTONS = {"briefing_next", "briefing_prev"}
#: Widgets never changed: the Data page's fetch (network) and upload (writes) panels.
UNSAFE_PREFIXES = ("fetch_", "upload_")
#: Targets from issue 12 point 5.
START_TARGET_S, RERUN_TARGET_S, MEMORY_TARGET_MIB = 0.5, 0.15, 300


# --------------------------------------------------------------------------- /proc


def parse_stat_cpu(stat: str, ticks_per_second: int) -> float:
    """CPU seconds in a ``/proc/PID/stat`` line: utime + stime + cutime + cstime.

    The command name (field 2) is in parentheses and may hold spaces, so fields are counted
    from its closing parenthesis: utime is field 14.

    >>> parse_stat_cpu("7 (a b) S 1 7 7 0 -1 0 0 0 0 0 150 50 3 2 20", 100)
    2.05
    """
    fields = stat[stat.rindex(")") + 2 :].split()
    utime, stime, cutime, cstime = (int(v) for v in fields[11:15])
    return (utime + stime + cutime + cstime) / ticks_per_second


def parse_status_kib(status: str, name: str) -> int:
    """A ``kB`` field of ``/proc/PID/status`` (e.g. ``VmHWM``), in KiB; raises KeyError when absent."""
    for line in status.splitlines():
        key, _, value = line.partition(":")
        if key == name:
            return int(value.split()[0])
    raise KeyError(f"{name} not in /proc status")


def _children(pid: int) -> list[int]:
    try:
        import psutil

        return [p.pid for p in psutil.Process(pid).children(recursive=True)]
    except Exception:  # psutil missing or the process gone: the server alone
        return []


def cpu_seconds(pid: int) -> float:
    """CPU time of ``pid`` (with its waited-for children) and of its live children, in seconds."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for p in [pid, *_children(pid)]:
        try:
            total += parse_stat_cpu(Path(f"/proc/{p}/stat").read_text(), ticks)
        except (OSError, ValueError):
            pass
    return total


def memory_mib(pid: int) -> dict[str, float]:
    """The server's peak (VmHWM) and current (VmRSS) resident memory, in MiB."""
    status = Path(f"/proc/{pid}/status").read_text()
    return {name: parse_status_kib(status, name) / 1024 for name in ("VmHWM", "VmRSS")}


async def settled_cpu(pid: int, poll: float = 0.02, quiet_polls: int = 3, limit: float = 2.0) -> float:
    """The server's CPU time once it is idle again (unchanged over ``quiet_polls`` polls), in seconds."""
    last, quiet, deadline = cpu_seconds(pid), 0, time.monotonic() + limit
    while quiet < quiet_polls and time.monotonic() < deadline:
        await asyncio.sleep(poll)
        now = cpu_seconds(pid)
        quiet = quiet + 1 if now == last else 0
        last = now
    return last


# --------------------------------------------------------------------------- the server


@dataclass
class Server:
    """A ``streamlit run`` started by the bench."""

    process: subprocess.Popen
    url: str
    started: float  # perf_counter just before the process was started
    healthy_seconds: float
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def server_env(data: Path, store_dir: Path) -> dict[str, str]:
    """The environment of the dashboard's server: the folder, read through its store, kept outside the repo."""
    env = {**os.environ, "LOCAL_FOCUS_DATA": str(data), "LOCAL_FOCUS_STORE": "on"}
    env["LOCAL_FOCUS_STORE_DIR"] = str(store_dir)
    env["PYTHONPATH"] = str(ROOT)
    env.pop("LOCAL_FOCUS_MODE", None)
    return env


def start_server(script: Path, env: dict[str, str], log: Path, wait: float = 120) -> Server:
    """``streamlit run script`` on 127.0.0.1 on a free port; returns once ``/_stcore/health`` answers."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port)]
    command += ["--server.address", "127.0.0.1", "--server.headless", "true", "--server.fileWatcherType", "none"]
    command += ["--browser.gatherUsageStats", "false"]
    with open(log, "wb") as out:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return Server(process, url, started, time.perf_counter() - started, log)
        except OSError:
            time.sleep(0.05)
    process.kill()
    process.wait()
    raise RuntimeError(f"{script.name} did not become healthy within {wait:.0f} s:\n{log.read_text()[-3000:]}")


# --------------------------------------------------------------------------- what a change is


def change_for(widget) -> object | None:
    """A value a person might change ``widget`` to, different from its value as drawn; None to leave it.

    A multiselect goes from all (empty) to its first option, or back to empty; a range
    select_slider narrows to its last six options (or widens again); a radio, selectbox or
    segmented control takes the first other option; a checkbox or toggle flips; a numeric
    slider moves one step; a button is pressed only when it is in :data:`SAFE_BUTTONS`.
    """
    if widget.disabled or widget.key.startswith(UNSAFE_PREFIXES):
        return None
    kind, options, value = widget.kind, widget.options, widget.value
    if kind == "button":
        return True if widget.key in SAFE_BUTTONS else None
    if kind == "checkbox":
        return not value
    if kind == "multiselect":
        return [] if value else (options[:1] or None)
    if kind == "slider" and options:
        if len(options) < 2:
            return None
        if isinstance(value, list) and len(value) == 2:
            whole = [options[0], options[-1]]
            return [options[max(1, len(options) - 6)], options[-1]] if value == whole else whole
        return [next(o for o in options if [o] != value)]
    if kind == "slider":
        low, high, step = widget.bounds or (0.0, 0.0, 0.0)
        current = value[0] if value else low
        return [current + step if current + step <= high else current - step] if step else None
    if kind in {"radio", "selectbox", "button_group"}:
        current = value[0] if kind == "button_group" and value else value
        others = [o for o in options if o != current]
        if not others:
            return None
        return [others[0]] if kind == "button_group" else others[0]
    return None


# --------------------------------------------------------------------------- figures


@dataclass
class Start:
    """One fresh start of an app, up to its first chart."""

    healthy_seconds: float
    first_chart_seconds: float  # process start to the first script_finished of a run with a chart
    cpu_to_first_chart: float  # the server's CPU seconds from its start to then
    first_run_seconds: float  # the first script run alone: rerun sent to script_finished
    first_run_cpu: float
    charts: int
    errors: list[str] = field(default_factory=list)


@dataclass
class Rerun:
    """One rerun: a page visit or a widget change, and what the server spent on it."""

    page: str
    what: str  # "visit", or the widget's key
    kind: str = ""
    step: str = ""  # "changed" or "back"
    value: str = ""
    fragment: bool = False
    wall_seconds: float = 0.0
    cpu_seconds: float = 0.0
    bytes: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass
class Session:
    """One session through every page (and every filter change) on a started server."""

    app: str
    visits: list[Rerun] = field(default_factory=list)
    changes: list[Rerun] = field(default_factory=list)
    memory_after_visits: dict[str, float] = field(default_factory=dict)
    memory_after_changes: dict[str, float] = field(default_factory=dict)
    missing_pages: list[str] = field(default_factory=list)


async def _timed(session, pid: int, run) -> tuple[object, float, float]:
    """Run one rerun coroutine; return its view, wall seconds and the server's settled CPU seconds."""
    before = cpu_seconds(pid)
    view = await run
    return view, view.seconds, await settled_cpu(pid) - before


async def first_chart(server: Server, timeout: float) -> tuple[Start, object]:
    """Open the app on a fresh server and time it to the first chart; returns the start and the session."""
    from bench.protocol import ProtocolSession

    ready_cpu = cpu_seconds(server.pid)
    session = ProtocolSession(server.url, timeout=timeout)
    view = await session.open()
    at_chart = time.perf_counter() - server.started
    settled = await settled_cpu(server.pid)
    errors = list(view.errors) + ([] if view.charts else ["the first run drew no chart"])
    start = Start(server.healthy_seconds, at_chart, settled, view.seconds, settled - ready_cpu, view.charts, errors)
    return start, session


async def walk(server: Server, session, app: str, pages: list[str], filters: bool) -> Session:
    """Visit every page, note the memory, then change every widget on every page and change it back."""
    result = Session(app, missing_pages=[p for p in pages if p not in session.pages])
    pages = [p for p in pages if p in session.pages]
    for title in pages:
        view, wall, cpu = await _timed(session, server.pid, session.visit(title))
        result.visits.append(
            Rerun(title, "visit", wall_seconds=wall, cpu_seconds=cpu, bytes=view.bytes, errors=view.errors)
        )
    result.memory_after_visits = memory_mib(server.pid)
    if filters:
        for title in pages:
            result.changes += await _page_changes(server, session, title)
        result.memory_after_changes = memory_mib(server.pid)
    return result


async def _page_changes(server: Server, session, title: str) -> list[Rerun]:
    view = await session.visit(title)  # warm: the page as a person sees it before changing anything
    widgets = dict(view.widgets)
    changes = []
    for label in list(widgets):
        widget = widgets.get(label)
        if widget is None:
            continue
        new = change_for(widget)
        if new is None:
            continue
        steps = [("changed", new)] if widget.kind == "button" else [("changed", new), ("back", widget.value)]
        for step, value in steps:
            current = widgets.get(label, widget)
            changed, wall, cpu = await _timed(session, server.pid, session.change(title, current, value))
            changes.append(
                Rerun(
                    title,
                    current.key,
                    current.kind,
                    step,
                    json.dumps(value),
                    bool(current.fragment_id),
                    wall,
                    cpu,
                    changed.bytes,
                    changed.errors,
                )
            )
            widgets.update(changed.widgets)
    return changes


# --------------------------------------------------------------------------- runs


@dataclass
class AppRun:
    """Everything measured for one app on one folder."""

    app: str
    folder: str
    rows: int | None
    starts: list[Start] = field(default_factory=list)
    session: Session | None = None

    def median(self, name: str) -> float:
        return statistics.median(getattr(s, name) for s in self.starts)


async def _measure(script: Path, env: dict, log: Path, starts: int, pages: list[str], filters: bool, timeout: float):
    run = AppRun(script.name, env["LOCAL_FOCUS_DATA"], None)
    for number in range(starts):
        server = start_server(script, env, log)
        try:
            start, session = await first_chart(server, timeout)
            run.starts.append(start)
            try:
                if number == starts - 1:  # the last start's session goes on through every page
                    run.session = await walk(server, session, script.name, pages, filters)
            finally:
                await session.close()
        finally:
            server.stop()
    return run


def measure(script: Path, env: dict, log: Path, starts: int, pages: list[str], filters: bool, timeout: float) -> AppRun:
    """``starts`` fresh starts of ``script``; the last one's session visits ``pages`` (and changes their widgets)."""
    return asyncio.run(_measure(script, env, log, starts, pages, filters, timeout))


def ingest(folder: Path, store_dir: Path) -> dict:
    """``python -m analysis ingest folder`` into ``store_dir``, timed (the store the server reads)."""
    env = {**os.environ, "LOCAL_FOCUS_STORE_DIR": str(store_dir), "PYTHONPATH": str(ROOT)}
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "analysis", "ingest", "--json", str(folder)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    seconds = time.perf_counter() - started
    report = json.loads(done.stdout)
    return {
        "seconds": seconds,
        "ingest_seconds": report["seconds"],
        "rows": report["rows"],
        "files": report["files_ingested"],
    }


def import_memory() -> dict[str, dict[str, float]]:
    """What importing each library costs, in a fresh interpreter each: VmHWM in MiB.

    ``alone``: that library alone (its own dependencies included, so pandas counts in several);
    ``added``: what it adds when imported after the libraries above it in :data:`LIBRARIES`.
    "python" is a bare interpreter.
    """
    code = (
        "import importlib, sys; [importlib.import_module(m) for m in sys.argv[1:]]; "
        "print(open('/proc/self/status').read())"
    )

    def peak(modules: list[str]) -> float:
        done = subprocess.run([sys.executable, "-c", code, *modules], capture_output=True, text=True, check=True)
        return parse_status_kib(done.stdout, "VmHWM") / 1024

    bare = peak([])
    found = {"python": {"alone": bare, "added": bare}}
    previous = bare
    for i, name in enumerate(LIBRARIES):
        together = peak(LIBRARIES[: i + 1])
        found[name] = {"alone": peak([name]), "added": together - previous}
        previous = together
    found["all of them"] = {"alone": previous, "added": previous - bare}
    return found


def build_national(folder: Path, rows: int, forces: int) -> dict:
    """A national folder (``forces`` forces x 12 months, about ``rows`` rows), unless ``folder`` holds one already."""
    from bench.store_bench import GEOGRAPHY, REAL, _real_months, write_national_month

    if (folder / "incidents").is_dir():
        return {"rows": None, "build_seconds": None, "reused": True}
    folder.mkdir(parents=True, exist_ok=True)
    for name in GEOGRAPHY:
        shutil.copy(REAL / name, folder / name)
    months = _real_months()
    copies = max(1, round(rows / (12 * forces * (sum(t.num_rows for t in months) / len(months)))))
    started = time.perf_counter()
    written = sum(write_national_month(folder, forces, copies, f"2019-{i + 1:02d}", i) for i in range(12))
    return {"rows": written, "build_seconds": time.perf_counter() - started, "reused": False}


# --------------------------------------------------------------------------- the report


def markdown_table(headers: list[str], rows: list[list[object]]) -> str:
    """A markdown table; floats to two decimals (three under 0.1), None as a dash.

    >>> print(markdown_table(["a", "b"], [["x", 0.25], ["y", None]]))
    | a | b |
    | --- | --- |
    | x | 0.25 |
    | y | — |
    """

    def cell(value: object) -> str:
        if value is None:
            return "—"
        if isinstance(value, float):
            return f"{value:.3f}" if abs(value) < 0.1 else f"{value:.2f}"
        return str(value).replace("|", "\\|")

    lines = ["| " + " | ".join(headers) + " |", "| " + " | ".join("---" for _ in headers) + " |"]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def ratio(ours: float, floor: float) -> str:
    """``ours`` over ``floor`` as 'N.N x', or a dash when the floor is zero."""
    return f"{ours / floor:.1f} x" if floor else "—"


def start_table(ours: AppRun, floors: list[AppRun]) -> str:
    """Start to first chart: medians of each app, and ours against the bare floor."""
    names = ["healthy_seconds", "first_chart_seconds", "cpu_to_first_chart", "first_run_seconds", "first_run_cpu"]
    headers = ["app", "starts", "healthy s", "start→first chart s", "server CPU to first chart s"]
    headers += ["first run wall s", "first run CPU s"]
    rows = [[r.app, len(r.starts), *(r.median(n) for n in names)] for r in [ours, *floors]]
    bare = floors[0]
    rows.append(["ours − bare floor", "", *(ours.median(n) - bare.median(n) for n in names)])
    rows.append(["ours / bare floor", "", *(ratio(ours.median(n), bare.median(n)) for n in names)])
    start = next((f for f in floors if f.app == FLOOR_START.name), None)
    if start is not None:  # what is left once the libraries the first chart needs are imported: our own work
        rows.append(["ours − start-imports floor", "", *(ours.median(n) - start.median(n) for n in names)])
    return markdown_table(headers, rows)


def visits_table(ours: Session, floor: Session | None) -> str:
    """Each page's first visit (cold caches), ours beside the floor's."""
    floor_by = {v.page: v for v in floor.visits} if floor else {}
    rows = []
    for v in ours.visits:
        f = floor_by.get(v.page)
        rows.append(
            [
                v.page,
                v.cpu_seconds,
                v.wall_seconds,
                v.bytes // 1024,
                f and f.cpu_seconds,
                f and f.wall_seconds,
                "; ".join(v.errors) or "",
            ]
        )
    return markdown_table(["page", "CPU s", "wall s", "kB sent", "floor CPU s", "floor wall s", "errors"], rows)


def changes_table(ours: Session, floor: Session | None) -> str:
    """Page × widget: the server's seconds for the change and for the change back, beside the floor's Hubs change."""
    floor_cpu = {}
    if floor:
        for c in floor.changes:
            floor_cpu.setdefault(c.page, []).append(c.cpu_seconds)
    pairs: dict[tuple[str, str], dict[str, Rerun]] = {}
    for c in ours.changes:
        pairs.setdefault((c.page, c.what), {})[c.step] = c
    rows = []
    for (page, what), steps in pairs.items():
        changed, back = steps.get("changed"), steps.get("back")
        worst = max(s.cpu_seconds for s in steps.values())
        errors = "; ".join(e for s in steps.values() for e in s.errors)
        floor_median = statistics.median(floor_cpu[page]) if floor_cpu.get(page) else None
        rows.append(
            [
                page,
                what,
                changed.kind + (" (fragment)" if changed.fragment else ""),
                changed.value[:28],
                changed.cpu_seconds,
                changed.wall_seconds,
                back and back.cpu_seconds,
                back and back.wall_seconds,
                floor_median,
                "over" if worst > RERUN_TARGET_S else "ok",
                errors,
            ]
        )
    headers = ["page", "widget", "kind", "changed to", "CPU s", "wall s", "back: CPU s", "back: wall s"]
    headers += ["floor CPU s", f"≤ {RERUN_TARGET_S} s", "errors"]
    return markdown_table(headers, rows)


def memory_table(runs: list[tuple[str, AppRun]], imports: dict[str, float] | None) -> str:
    """VmHWM after one session through every page (and after every change), per app and folder."""
    rows = []
    for label, run in runs:
        s = run.session
        if s is None:
            continue
        after = s.memory_after_changes.get("VmHWM") if s.memory_after_changes else None
        rows.append([label, run.rows, s.memory_after_visits["VmHWM"], s.memory_after_visits["VmRSS"], after])
    table = markdown_table(
        ["app on folder", "rows", "VmHWM after visits MiB", "VmRSS MiB", "VmHWM after changes MiB"], rows
    )
    if imports:
        base = imports["python"]["alone"]
        table += "\n\n" + markdown_table(
            ["import (fresh interpreter)", "VmHWM alone MiB", "alone above bare python MiB", "added after those above"],
            [[name, mib["alone"], mib["alone"] - base, mib["added"]] for name, mib in imports.items()],
        )
    return table


# --------------------------------------------------------------------------- main


def _pages(argument: list[str] | None) -> list[str]:
    from bench.floor_app import TITLES

    return argument or list(TITLES)


def run(args: argparse.Namespace) -> dict:
    """Every measurement; returns the figures (the JSON) and prints the markdown report."""
    work = Path(tempfile.mkdtemp(prefix="serve-bench-", dir=args.work))
    figures: dict = {"load_average_before": os.getloadavg(), "starts": args.starts}
    pages = _pages(args.pages)
    try:
        if args.data:
            folder, rows = Path(args.data).resolve(), None
        else:
            from bench.store_bench import build_county

            folder = work / "county"
            folder.mkdir()
            rows = build_county(folder, args.rows)
        stores = work / "stores"
        figures["ingest"] = ingest(folder, stores)
        rows = rows or figures["ingest"]["rows"]
        env = server_env(folder, stores)
        log = work / "server.log"
        ours = measure(DASHBOARD, env, log, args.starts, pages, not args.no_filters, args.timeout)
        ours.rows = rows
        floor_scripts = [FLOOR, FLOOR_START, FLOOR_IMPORTS] if args.imports else [FLOOR]
        floors = [measure(f, env, log, args.starts, pages, not args.no_filters, args.timeout) for f in floor_scripts]
        memory_runs = [(f"dashboard, {folder.name}", ours), *[(r.app, r) for r in floors]]
        figures["county"] = {"ours": asdict(ours), "floors": [asdict(f) for f in floors]}
        imports = import_memory() if args.imports else None
        figures["import_memory_mib"] = imports
        if args.national:
            national = Path(args.national_dir) if args.national_dir else work / "national"
            figures["national_build"] = build_national(national, args.national_rows, args.forces)
            figures["national_ingest"] = ingest(national, stores)
            env_national = server_env(national, stores)
            big = measure(DASHBOARD, env_national, log, 1, pages, args.national_filters, args.timeout)
            big.rows = figures["national_ingest"]["rows"]
            memory_runs.insert(1, (f"dashboard, {national.name}", big))
            figures["national"] = asdict(big)
        report = [
            f"# Server bench ({folder.name}, {rows:,} rows; load average before {figures['load_average_before']})",
            f"Ingest (not in the start's time): {figures['ingest']['seconds']:.2f} s for the command, "
            f"{figures['ingest']['ingest_seconds']:.2f} s as the ingest reports it",
            "## Start to first chart (median of the starts)",
            start_table(ours, floors),
            *[
                f"{r.app} start {i + 1}: {'; '.join(s.errors)}"
                for r in (ours, *floors)
                for i, s in enumerate(r.starts)
                if s.errors
            ],
            "## First visit of each page (one session, after the first chart)",
            visits_table(ours.session, floors[0].session),
        ]
        if not args.no_filters:
            report += [
                "## Every filter change on every page (server CPU and wall seconds)",
                changes_table(ours.session, floors[0].session),
            ]
        if args.national:
            report += [
                f"National build {figures['national_build']}, ingest {figures['national_ingest']['seconds']:.1f} s",
                "## National: start to first chart (one start)",
                start_table(big, floors),
                "## National: first visit of each page",
                visits_table(big.session, None),
            ]
        report += ["## Peak server memory", memory_table(memory_runs, imports)]
        print("\n\n".join(report), flush=True)
        figures["markdown"] = "\n\n".join(report)
        return figures
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main(argv: list[str] | None = None) -> dict:
    """Parse the arguments, run the bench, write the JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=373_000, help="rows of the county folder built for the run")
    parser.add_argument("--data", help="an existing folder instead of building one (its store is made in a temp dir)")
    parser.add_argument("--starts", type=int, default=5, help="fresh starts of each app (median reported)")
    parser.add_argument("--pages", nargs="+", help="page titles to walk (default: all seven)")
    parser.add_argument("--no-filters", action="store_true", help="visit the pages but change no widget")
    parser.add_argument(
        "--no-imports",
        dest="imports",
        action="store_false",
        help="skip the start-imports and imports floor apps and the per-library import memory",
    )
    parser.add_argument("--national", action="store_true", help="also the national folder's memory (one start)")
    parser.add_argument("--national-rows", type=int, default=7_000_000)
    parser.add_argument("--forces", type=int, default=43)
    parser.add_argument("--national-dir", help="build the national folder here once and reuse it (outside the repo)")
    parser.add_argument(
        "--national-filters", action="store_true", help="change every widget on the national folder too"
    )
    parser.add_argument("--work", help="where temporary folders go (default: the system's temp dir)")
    parser.add_argument("--timeout", type=float, default=600, help="seconds a page may take")
    parser.add_argument("--json", type=Path, help="write the figures here as JSON")
    args = parser.parse_args(argv)
    if args.starts < 1:
        parser.error("--starts must be at least 1")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so the servers it started are stopped too
    figures = run(args)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, default=str))
    return figures


if __name__ == "__main__":
    main()
