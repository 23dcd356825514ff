"""Browser tests: a real Streamlit server on 127.0.0.1 and Debian chromium through Playwright.

The server fixture binds a free port, polls /_stcore/health, prints the server's output
when start-up fails, and always terminates in ``finally``.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REAL_DIR, ROOT, SAMPLE_DIR, need_shared

#: The Chromium Playwright drives: LOCAL_FOCUS_CHROMIUM (scripts/test.sh sets it), else Debian chromium.
CHROMIUM = os.environ.get("LOCAL_FOCUS_CHROMIUM") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test in this folder is a browser test."""
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


def _free_port() -> int:
    return _free_ports(1)[0]


def _free_ports(n: int) -> list[int]:
    """``n`` different free ports: each socket stays bound until all are chosen, so no two are the same."""
    sockets = [socket.socket() for _ in range(n)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


class StreamlitServer:
    """A running ``streamlit run dashboard.py``; ``url`` is its address."""

    def __init__(
        self, data_dir: Path, *, env: dict[str, str] | None = None, args: tuple[str, ...] = (), port: int | None = None
    ) -> None:
        self.port = port or _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "LOCAL_FOCUS_DATA": str(data_dir), "PYTHONPATH": str(ROOT), **(env or {})}
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                str(ROOT / "dashboard.py"),
                "--server.headless",
                "true",
                "--server.address",
                "127.0.0.1",
                "--server.port",
                str(self.port),
                "--browser.gatherUsageStats",
                "false",
                "--server.fileWatcherType",
                "none",
                *args,
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )

    def wait_healthy(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        self.stop()
        output = self.process.stdout.read() if self.process.stdout else ""
        pytest.fail(f"Streamlit did not become healthy on {self.url}. Its output:\n{output}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()


def _server(data_dir: Path, **options) -> Iterator[StreamlitServer]:
    server = StreamlitServer(data_dir, **options)
    try:
        server.wait_healthy()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def sample_server() -> Iterator[StreamlitServer]:
    """The dashboard on the bundled sample."""
    yield from _server(SAMPLE_DIR)


@pytest.fixture(scope="session")
def real_server() -> Iterator[StreamlitServer]:
    """The dashboard on ../shared/data/real (skipped where it does not exist)."""
    need_shared(REAL_DIR / "incidents")
    yield from _server(REAL_DIR)


@pytest.fixture(scope="session")
def browser():
    """Chromium driven by Playwright: Debian chromium, or the one LOCAL_FOCUS_CHROMIUM names (see scripts/test.sh)."""
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is missing ({CHROMIUM}): run the tests with bash scripts/test.sh, which installs it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(browser):
    """A fresh 1280x800 page; closed after the test."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        yield page
    finally:
        context.close()


def open_app(page, server: StreamlitServer, path: str = "") -> None:
    """Open a page of the app and wait until Streamlit has finished running it.

    Finished means: the page's title is drawn, the first data load is over, and the
    status widget no longer says the script is running.
    """
    page.goto(f"{server.url}/{path}")
    page.wait_for_selector('[data-testid="stApp"]')
    page.wait_for_selector('[data-testid="stMainBlockContainer"] h1', timeout=90_000)
    wait_until_idle(page)


def wait_until_idle(page) -> None:
    """Wait until no script run is in progress and no element is stale (a click now is not lost)."""
    page.wait_for_function(
        "() => !document.body.innerText.includes('Loading the data folder')"
        " && !(document.querySelector('[data-testid=\"stStatusWidget\"]')?.innerText || '').includes('Running')"
        " && !document.querySelector('[data-stale=\"true\"]')",
        timeout=90_000,
    )
