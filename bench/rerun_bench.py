"""Server time of a filter change on every page, on the bundled sample (AppTest, no browser).

Each page is opened once (warm caches), then the sidebar period is narrowed and the hubs
filter changed; the rerun time is the median of several such changes.

    python -m bench.rerun_bench [--repeats 5] [--data DIR]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "pages").rglob("*.py") if not p.name.startswith("_"))


def time_page(page: str, repeats: int) -> tuple[float, float]:
    """Return (first render seconds, median filter-change rerun seconds) for one page."""
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=300).run()
    start = time.perf_counter()
    at.switch_page(page).run()
    first = time.perf_counter() - start
    assert not at.exception, [e.value for e in at.exception]
    try:
        slider = at.sidebar.select_slider(key="f_period")
        hubs = at.sidebar.multiselect(key="f_hubs")
    except KeyError:
        return first, _next_screen_times(at, repeats)  # the briefing: its screen change is its filter
    options = list(slider.options)
    times = []
    for i in range(repeats):
        if options:
            slider.set_value((options[i + 1], options[-1 - i]))
        hubs.set_value([hubs.options[i % len(hubs.options)]] if i % 2 == 0 else [])
        start = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - start)
        assert not at.exception, [e.value for e in at.exception]
    return first, statistics.median(times)


def _next_screen_times(at: AppTest, repeats: int) -> float:
    """Median rerun time of the briefing's "Next" (the first click warms the cache); NaN on other pages."""
    try:
        at.button(key="briefing_next").click().run()
    except KeyError:
        return float("nan")
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        at.button(key="briefing_next").click().run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    """Print first-render and rerun times per page."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--data", type=Path, default=ROOT / "data" / "sample")
    args = parser.parse_args()
    os.environ["LOCAL_FOCUS_DATA"] = str(args.data.resolve())
    print(f"{'page':<28}{'first render s':>16}{'filter rerun s':>16}")
    for page in PAGES:
        first, rerun = time_page(page, args.repeats)
        flag = "  (no sidebar filters)" if rerun != rerun else ("" if rerun < 0.3 else "  <- over 0.3 s")
        print(f"{page:<28}{first:>16.3f}{rerun:>16.3f}{flag}")


if __name__ == "__main__":
    main()
