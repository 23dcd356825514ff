"""Load: many people using the dashboard at once, each clicking through every page.

Holds 1, 10 and 20 concurrent sessions (by default for 30, 60 and 120 s), each opening the
app and then visiting the seven pages in turn with a seeded random think time between them
(2-6 s, ``--think``), changing the sidebar's Hubs filter once per round (on Hub performance,
by sending the multiselect's widget state back under the id the server drew it with). One
uncounted session first visits every page, so the shared caches are filled before any level
(``--no-warm-up`` to measure the cold start). Reports per level: page views (filter changes
included), errors, p50/p95 page time, the p50 of each page, the server's resident memory (RSS
of the server with its children: at the level's end and its peak, sampled every 0.5 s), the
memory added per session against the server's RSS just before the level, and the server's
CPU time per page view (steadier than page times on a shared machine).

    python -m bench.load_sessions                          # 1, 10, 20 sessions; 30, 60, 120 s
    python -m bench.load_sessions --levels 1 5 --seconds 20 20
    python -m bench.load_sessions --url http://127.0.0.1:8501   # a server already running
    python -m bench.load_sessions --driver browser             # Playwright contexts in chromium
    python -m bench.load_sessions --floor                      # then the same against bench/floor_app.py

Drivers:

* ``protocol`` (the default, :mod:`bench.protocol`): each session is a websocket to
  ``/_stcore/stream`` speaking Streamlit's own protobuf messages, as the browser does. A page
  time runs from sending the page's ``rerun_script`` until the server's ``script_finished``:
  it is the server's time under load, without the browser's drawing. An error is an
  exception element or the app's fault sentence in the page, a compile error, page not
  found, a dropped connection, or a page not finished within ``--timeout`` (60 s).
* ``browser``: Playwright contexts in Debian chromium, clicking the navigation; page time
  runs from the click until the page has finished running and is no longer stale. On a
  small machine 20 chromium contexts take most of the CPU from the server, so this measures
  the load generator as much as the server; use it for a few sessions.

Without ``--url`` the bench starts ``streamlit run dashboard.py`` itself on 127.0.0.1 on a free
port, on the bundled sample (``--data`` for another folder), with
``server.enableExpensiveMemoryStats`` so that ``/_stcore/metrics`` reports each cache's and the
sessions' state in bytes; the level's line then shows the sessions' own state (Streamlit's
measure of every ``st.session_state``) beside the RSS it added. With ``--url`` the server's
process is found by its listening port when it runs on this machine (else no RSS is shown).

Timings depend on the machine and on what else runs there (the report prints the load
average before each level): they belong here, not in tests.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import psutil

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("LOCAL_FOCUS_CHROMIUM") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
#: The navigation's titles, in the order a person might click them.
PAGES = ["Overview", "Hub map", "Deployment vs ASB", "Hub performance", "Precept outcomes", "Briefing", "Data"]
#: The page on which each round changes the sidebar's Hubs filter (and the filter's label).
FILTER_PAGE, FILTER_LABEL = "Hub performance", "Hubs"
IDLE = (
    "() => document.querySelector('[data-testid=\"stMainBlockContainer\"] h1')"
    " && !document.body.innerText.includes('Loading the data folder')"
    " && !(document.querySelector('[data-testid=\"stStatusWidget\"]')?.innerText || '').includes('Running')"
    " && !document.querySelector('[data-stale=\"true\"]')"
)


@dataclass
class Level:
    """What one level of concurrency measured."""

    sessions: int
    seconds: float
    load_before: str = ""
    times: list[float] = field(default_factory=list)
    by_page: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    filter_changes: int = 0
    bytes_received: int = 0
    rss_before_mb: float = 0.0
    #: The server's CPU time (user + system, with children) during the level, in seconds.
    cpu_seconds: float = 0.0
    rss_mb: float = 0.0
    peak_rss_mb: float = 0.0
    #: Streamlit's own measure of every session's st.session_state at the level's end (bytes), if known.
    session_state_bytes: float | None = None
    #: Set once the level's end is measured: sessions stay connected until then.
    measured: asyncio.Event = field(default_factory=asyncio.Event)

    def add(self, page: str, seconds: float) -> None:
        self.times.append(seconds)
        self.by_page.setdefault(page, []).append(seconds)

    def pages_line(self) -> str:
        """The median time of each page (and of the filter change), for finding the slow one."""
        return "    p50 by page: " + ", ".join(
            f"{page} {statistics.median(times):.2f} s" for page, times in sorted(self.by_page.items())
        )

    @property
    def per_session_mb(self) -> float:
        """RSS the level added, per session (against the RSS just before it)."""
        return (self.rss_mb - self.rss_before_mb) / self.sessions if self.rss_mb else 0.0

    def percentile(self, q: float) -> float:
        ordered = sorted(self.times)
        return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]

    def line(self) -> str:
        """One row of the report."""
        if self.times:
            timing = f"p50 {statistics.median(self.times):5.2f} s  p95 {self.percentile(0.95):5.2f} s"
        else:
            timing = "no page finished"
        memory = (
            f"RSS end {self.rss_mb:6.1f} MB peak {self.peak_rss_mb:6.1f} MB "
            f"(+{self.per_session_mb:5.2f} MB a session)"
            if self.rss_mb
            else "RSS not known"
        )
        state = (
            f"  session state {self.session_state_bytes / 1e3:7.1f} kB in all"
            if self.session_state_bytes is not None
            else ""
        )
        cpu = ""
        if self.times and self.cpu_seconds:
            cpu = f"  server CPU {self.cpu_seconds / len(self.times):.2f} s a view"
        return (
            f"{self.sessions:3d} sessions  {self.seconds:4.0f} s  {len(self.times):5d} page views "
            f"({self.filter_changes} filter changes)  {len(self.errors):3d} errors  {timing}  {memory}{state}{cpu}"
        )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(data: Path, port: int, script: Path = ROOT / "dashboard.py") -> subprocess.Popen:
    """``streamlit run`` ``script`` (the dashboard) on 127.0.0.1:``port``; waits until it is healthy."""
    env = {**os.environ, "LOCAL_FOCUS_DATA": str(data), "PYTHONPATH": str(ROOT)}
    env.pop("LOCAL_FOCUS_MODE", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port)]
        + ["--server.address", "127.0.0.1", "--server.headless", "true", "--server.fileWatcherType", "none"]
        + ["--server.enableExpensiveMemoryStats", "true"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return process
        except OSError:
            time.sleep(0.3)
    process.terminate()
    raise SystemExit("The server did not become healthy within 90 s.")


def server_process(url: str) -> psutil.Process | None:
    """The process listening on ``url``'s port on this machine, if it is here."""
    port = urlsplit(url).port or 80
    try:
        for conn in psutil.net_connections(kind="tcp"):
            if conn.status == psutil.CONN_LISTEN and conn.laddr.port == port and conn.pid:
                return psutil.Process(conn.pid)
    except psutil.Error:
        pass
    return None


def rss_mb(process: psutil.Process | None) -> float:
    """Resident memory of the server and its children, in MB (0 when not known)."""
    if process is None:
        return 0.0
    try:
        return sum(p.memory_info().rss for p in [process, *process.children(recursive=True)]) / 1e6
    except psutil.Error:
        return 0.0


def cpu_seconds(process: psutil.Process | None) -> float:
    """CPU time (user + system) of the server and its children so far, in seconds."""
    if process is None:
        return 0.0
    try:
        return sum(sum(p.cpu_times()[:2]) for p in [process, *process.children(recursive=True)])
    except psutil.Error:
        return 0.0


def session_state_bytes(url: str) -> float | None:
    """Every session's st.session_state, in bytes, from the server's ``/_stcore/metrics``."""
    try:
        with urllib.request.urlopen(f"{url.rstrip('/')}/_stcore/metrics", timeout=30) as response:
            text = response.read().decode()
    except OSError:
        return None
    found = re.findall(r'cache_memory_bytes\{cache_type="st_session_state"[^}]*\} (\S+)', text)
    return sum(float(v) for v in found) if found else None


def load_average() -> str:
    """``uptime``'s load average, for the report."""
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


# --------------------------------------------------------------------------- protocol driver


async def _protocol_session(url: str, until: float, level: Level, args: argparse.Namespace, number: int) -> None:
    from bench.protocol import ProtocolSession

    rng = random.Random(args.seed * 1000 + number)
    await asyncio.sleep(number * args.ramp)  # people arrive a moment apart, not all in the same instant
    session = ProtocolSession(url, timeout=args.timeout)

    def record(view) -> None:
        level.bytes_received += view.bytes
        if view.errors:
            level.errors.extend(view.errors)
        else:
            level.add(view.page, view.seconds)

    try:
        view = await session.open()
        record(view)
        if view.errors:
            return
        missing = [t for t in PAGES if t not in session.pages]
        if missing:
            level.errors.append(f"navigation lacks {missing}")
            return
        step = number  # sessions start on different pages, as people would
        while time.monotonic() < until:
            await asyncio.sleep(rng.uniform(*args.think))
            if time.monotonic() >= until:
                break
            title = PAGES[step % len(PAGES)]
            step += 1
            view = await session.visit(title)
            record(view)
            if title == FILTER_PAGE and not view.errors and FILTER_LABEL in view.widgets:
                await asyncio.sleep(rng.uniform(*args.think))
                options = view.widgets[FILTER_LABEL].options
                choice = sorted(rng.sample(options, rng.randint(0, min(2, len(options)))))  # none = all hubs
                view = await session.set_widget(FILTER_LABEL, view, choice)
                record(view)
                level.filter_changes += 1
            if any("Closed" in e or "Connection" in e for e in view.errors):
                return  # the connection is gone: a person would reload; this one stops
        await level.measured.wait()  # stay connected until the level's end is measured
    except Exception as e:  # connecting failed: a measured error
        level.errors.append(f"session: {type(e).__name__}: {e}"[:120])
    finally:
        await session.close()


# --------------------------------------------------------------------------- browser driver


async def _browser_session(browser, url: str, until: float, level: Level, args: argparse.Namespace, offset: int):
    timeout_ms = int(args.timeout * 1000)
    rng = random.Random(args.seed * 1000 + offset)
    await asyncio.sleep(offset * args.ramp)
    context = await browser.new_context(viewport={"width": 1280, "height": 800})
    page = await context.new_page()
    try:
        started = time.perf_counter()
        await page.goto(url)
        await page.wait_for_function(IDLE, timeout=timeout_ms)
        level.add("(open)", time.perf_counter() - started)
        step = offset
        while time.monotonic() < until:
            await asyncio.sleep(rng.uniform(*args.think))
            title = PAGES[step % len(PAGES)]
            step += 1
            started = time.perf_counter()
            try:
                await (
                    page.get_by_test_id("stSidebarNav")
                    .get_by_role("link", name=title, exact=True)
                    .click(timeout=timeout_ms)
                )
                await page.wait_for_function(IDLE, timeout=timeout_ms)
                await page.wait_for_timeout(100)
                await page.wait_for_function(IDLE, timeout=timeout_ms)
            except Exception as e:  # a timeout is a measured error here, not a crash of the benchmark
                level.errors.append(f"{title}: {type(e).__name__}")
                continue
            level.add(title, time.perf_counter() - started)
            if await page.get_by_test_id("stException").count():
                level.errors.append(f"{title}: exception shown")
        await level.measured.wait()
    finally:
        await context.close()


# --------------------------------------------------------------------------- levels


async def warm_up(url: str) -> list[str]:
    """One session through every page, uncounted: the shared caches fill once, before any level."""
    from bench.protocol import ProtocolSession

    session = ProtocolSession(url, timeout=300)
    try:
        errors = (await session.open()).errors
        for title in PAGES:
            if title in session.pages:
                errors += (await session.visit(title)).errors
        return errors
    finally:
        await session.close()


async def run_level(url: str, server: psutil.Process | None, sessions: int, seconds: float, args, browser=None):
    """Start ``sessions`` sessions ``ramp`` seconds apart, hold them all for ``seconds``; sample the server's memory."""
    level = Level(sessions, seconds, load_before=load_average(), rss_before_mb=rss_mb(server))
    cpu_before = cpu_seconds(server)
    until = time.monotonic() + args.ramp * sessions + seconds
    if browser is None:
        tasks = [asyncio.create_task(_protocol_session(url, until, level, args, n)) for n in range(sessions)]
    else:
        tasks = [asyncio.create_task(_browser_session(browser, url, until, level, args, n)) for n in range(sessions)]
    while not all(t.done() for t in tasks):
        level.rss_mb = rss_mb(server)
        level.peak_rss_mb = max(level.peak_rss_mb, level.rss_mb)
        if time.monotonic() >= until and not level.measured.is_set():
            # At the level's end, with every session still connected: their state as Streamlit measures it.
            level.session_state_bytes = await asyncio.to_thread(session_state_bytes, url)
            level.measured.set()
        await asyncio.sleep(0.5)
    level.cpu_seconds = cpu_seconds(server) - cpu_before
    for task in tasks:
        if task.exception() is not None:
            level.errors.append(f"session: {type(task.exception()).__name__}")
    return level


async def main_async(args: argparse.Namespace, script: Path = ROOT / "dashboard.py") -> list[Level]:
    started = None
    if args.url and script == ROOT / "dashboard.py":
        url = args.url.rstrip("/")
        server = server_process(url)
    else:
        port = _free_port()
        started = start_server(Path(args.data), port, script)
        url = f"http://127.0.0.1:{port}"
        server = psutil.Process(started.pid)
    levels = []
    try:
        print(f"server {url}: RSS {rss_mb(server):.1f} MB; driver {args.driver}", flush=True)
        if args.warm_up:
            started_warm = time.perf_counter()
            errors = await warm_up(url)
            print(
                f"warm-up (one session, every page, not counted): {time.perf_counter() - started_warm:.1f} s, "
                f"RSS {rss_mb(server):.1f} MB{', errors: ' + '; '.join(errors) if errors else ''}",
                flush=True,
            )
        browser = playwright = None
        if args.driver == "browser":
            from playwright.async_api import async_playwright

            playwright = await async_playwright().start()
            browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            for sessions, seconds in zip(args.levels, args.seconds, strict=True):
                level = await run_level(url, server, sessions, seconds, args, browser)
                levels.append(level)
                print(f"load average before: {level.load_before}", flush=True)
                print(level.line(), flush=True)
                print(level.pages_line(), flush=True)
                for error in sorted(set(level.errors)):
                    print(f"    {level.errors.count(error)} x {error}")
        finally:
            if browser is not None:
                await browser.close()
                await playwright.stop()
    finally:
        if started is not None:
            started.terminate()
            try:
                started.wait(timeout=20)
            except subprocess.TimeoutExpired:  # still busy with the last sessions: stop it outright
                started.kill()
                started.wait()
    return levels


def main(argv: list[str] | None = None) -> list[Level]:
    """Run the benchmark and print one line per level."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--driver", choices=["protocol", "browser"], default="protocol", help="how sessions are made")
    parser.add_argument("--url", help="a server already running (default: start one on 127.0.0.1 on the sample)")
    parser.add_argument("--data", default=str(ROOT / "data" / "sample"), help="data folder (default: the sample)")
    parser.add_argument("--levels", type=int, nargs="+", default=[1, 10, 20], help="concurrent sessions per level")
    parser.add_argument("--seconds", type=float, nargs="+", default=[30, 60, 120], help="how long each level holds")
    parser.add_argument("--ramp", type=float, default=1.0, help="seconds between one session's start and the next")
    parser.add_argument("--think", type=float, nargs=2, default=[2.0, 6.0], metavar=("MIN", "MAX"))
    parser.add_argument("--seed", type=int, default=1, help="seed of the think times and filter choices")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds a page may take before it is an error")
    parser.add_argument(
        "--no-warm-up", dest="warm_up", action="store_false", help="measure the cold start in the first level too"
    )
    parser.add_argument(
        "--floor", action="store_true", help="then the same levels against a bare Streamlit app (bench/floor_app.py)"
    )
    args = parser.parse_args(argv)
    if len(args.levels) != len(args.seconds):
        parser.error("give one --seconds value per level")
    if args.think[0] < 0 or args.think[1] < args.think[0]:
        parser.error("--think MIN MAX with 0 <= MIN <= MAX")
    levels = asyncio.run(main_async(args))
    if args.floor:
        print("floor: a bare Streamlit app (bench/floor_app.py), same driver, levels and seed", flush=True)
        levels += asyncio.run(main_async(args, ROOT / "bench" / "floor_app.py"))
    return levels


if __name__ == "__main__":
    main()
