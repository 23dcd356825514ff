"""Load: many people using the dashboard at once, each clicking through every page.

Starts ``streamlit run dashboard.py`` on 127.0.0.1 (the bundled sample unless
``--data`` says otherwise), then holds 1, 10 and 20 concurrent browser sessions
(Playwright contexts in Debian chromium), each clicking the navigation through every
page in turn, for a set time at each level. Reports per level: page views, errors
(an exception shown on a page, or a page that did not finish within 180 s),
p50/p95 page time (from the click until the page has finished running), and the
server's resident memory (RSS, with its child processes) at the end of the level.

    python -m bench.load_sessions                       # 1, 10, 20 sessions; 30 s, 60 s, 120 s
    python -m bench.load_sessions --levels 1 5 --seconds 20 20

Sessions start ``--ramp`` seconds apart, then all are held for the level's time. The
browsers run on the same machine as the server: on a small machine their rendering
(plotly, the map) takes most of the CPU, so page times there measure the load generator
as much as the server. Timings depend on the machine: they belong here, not in tests.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("LOCAL_FOCUS_CHROMIUM") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
#: The navigation's titles, in the order a person might click them.
PAGES = ["Overview", "Hub map", "Deployment vs ASB", "Hub performance", "Precept outcomes", "Briefing", "Data"]
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
    times: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    rss_mb: float = 0.0
    peak_rss_mb: float = 0.0

    def line(self) -> str:
        """One row of the report."""
        if self.times:
            ordered = sorted(self.times)
            p50 = statistics.median(ordered)
            p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
            timing = f"p50 {p50:5.2f} s  p95 {p95:5.2f} s"
        else:
            timing = "no page finished"
        return (
            f"{self.sessions:3d} sessions  {self.seconds:5.0f} s  {len(self.times):5d} page views  "
            f"{len(self.errors):3d} errors  {timing}  server RSS {self.rss_mb:7.1f} MB (peak {self.peak_rss_mb:7.1f})"
        )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(data: Path, port: int) -> subprocess.Popen:
    """``streamlit run dashboard.py`` on 127.0.0.1:``port``; waits until it is healthy."""
    env = {**os.environ, "LOCAL_FOCUS_DATA": str(data), "PYTHONPATH": str(ROOT)}
    env.pop("LOCAL_FOCUS_MODE", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "dashboard.py"), "--server.port", str(port)]
        + ["--server.address", "127.0.0.1", "--server.headless", "true", "--server.fileWatcherType", "none"],
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


def rss_mb(process: subprocess.Popen) -> float:
    """Resident memory of the server and its children, in MB."""
    try:
        parent = psutil.Process(process.pid)
        return sum(p.memory_info().rss for p in [parent, *parent.children(recursive=True)]) / 1e6
    except psutil.Error:
        return 0.0


async def _session(browser, url: str, until: float, level: Level, timeout_ms: int, offset: int, delay: float) -> None:
    await asyncio.sleep(delay)  # people arrive a moment apart, not all in the same instant
    context = await browser.new_context(viewport={"width": 1280, "height": 800})
    page = await context.new_page()
    try:
        started = time.perf_counter()
        await page.goto(url)
        await page.wait_for_function(IDLE, timeout=timeout_ms)
        level.times.append(time.perf_counter() - started)
        step = offset  # sessions start on different pages, as people would
        while time.monotonic() < until:
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
            level.times.append(time.perf_counter() - started)
            if await page.get_by_test_id("stException").count():
                level.errors.append(f"{title}: exception shown")
    finally:
        await context.close()


async def run_level(browser, url: str, server: subprocess.Popen, sessions: int, seconds: float, ramp: float) -> Level:
    """Start ``sessions`` sessions ``ramp`` seconds apart, hold them all for ``seconds``; sample the server's memory."""
    level = Level(sessions, seconds)
    until = time.monotonic() + ramp * sessions + seconds
    tasks = [
        asyncio.create_task(_session(browser, url, until, level, 180_000, offset, offset * ramp))
        for offset in range(sessions)
    ]
    while not all(t.done() for t in tasks):
        level.peak_rss_mb = max(level.peak_rss_mb, rss_mb(server))
        await asyncio.sleep(1)
    for task in tasks:
        if task.exception() is not None:
            level.errors.append(f"session: {type(task.exception()).__name__}")
    level.rss_mb = rss_mb(server)
    return level


async def main_async(args: argparse.Namespace) -> list[Level]:
    from playwright.async_api import async_playwright

    port = _free_port()
    server = start_server(Path(args.data), port)
    url = f"http://127.0.0.1:{port}/"
    levels = []
    try:
        print(f"server started: RSS {rss_mb(server):.1f} MB")
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            try:
                for sessions, seconds in zip(args.levels, args.seconds, strict=True):
                    level = await run_level(browser, url, server, sessions, seconds, args.ramp)
                    levels.append(level)
                    print(level.line(), flush=True)
                    for error in sorted(set(level.errors)):
                        print(f"    {level.errors.count(error)} x {error}")
            finally:
                await browser.close()
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:  # still busy with the last sessions: stop it outright
            server.kill()
            server.wait()
    return levels


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark and print one line per level."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(ROOT / "data" / "sample"), help="data folder (default: the sample)")
    parser.add_argument("--levels", type=int, nargs="+", default=[1, 10, 20], help="concurrent sessions per level")
    parser.add_argument("--seconds", type=float, nargs="+", default=[30, 60, 120], help="how long each level holds")
    parser.add_argument("--ramp", type=float, default=2.0, help="seconds between one session's start and the next")
    args = parser.parse_args(argv)
    if len(args.levels) != len(args.seconds):
        parser.error("give one --seconds value per level")
    asyncio.run(main_async(args))


if __name__ == "__main__":
    main()
