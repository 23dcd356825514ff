"""The Hub map's payload and speed: JSON bytes per view, build time, and the server time of a filter change.

Part 1 (no Streamlit): for the hub view, the hub view with hotspots and every hub's LSOA
drill-down, build the figure the page builds (:func:`analysis.measures.maps.hub_map.hub_map`)
and measure the JSON ``st.plotly_chart`` would send (``plotly.io.to_json``), against the
raw GeoJSON of the same areas.

Part 2 (AppTest, no browser): open the Hub map on the sample, then time reruns after a
crime-type change (a cache miss each time), the rate/count toggle, the hotspot layer and
the LSOA drill-down. The budget is 0.3 s of server time.

    python -m bench.map_payload [--sample DIR] [--real DIR] [--repeats 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402

from analysis.load.dataset import Dataset, load_dataset  # noqa: E402
from analysis.measures.maps.figures import figure_bytes  # noqa: E402
from analysis.measures.maps.hub_map import ALL_HUBS, MapRequest, hub_map, map_boundaries  # noqa: E402
from analysis.schema import ASB, CRIME_TYPES  # noqa: E402

BUDGET_S = 0.3


def build_view(dataset: Dataset, hub: str | None, hotspots: bool) -> tuple[int, int, float]:
    """(figure JSON bytes, raw GeoJSON bytes of the same areas, build seconds) for one view of ASB rates."""
    start = time.perf_counter()
    level = ALL_HUBS if hub is None else hub
    request = MapRequest(
        dataset.months[0], dataset.months[-1], tuple(dataset.hubs["hub"]), (ASB,), level, hotspots=hotspots
    )
    mapped = hub_map(dataset, request)
    payload = figure_bytes(mapped.figure)
    seconds = time.perf_counter() - start
    boundaries, key = map_boundaries(dataset, level, mapped.table["code"])
    raw = len(boundaries[[key, "geometry"]].to_json().encode())
    return payload, raw, seconds


def payload_report(folder: Path, label: str) -> None:
    """Print payload and build time per view of one data folder."""
    dataset = load_dataset(folder)
    print(f"\n{label}: {folder}")
    print(f"{'view':<34}{'figure KB':>10}{'raw GeoJSON KB':>16}{'build ms':>10}")
    views = [("hub areas", None, False), ("hub areas + hotspots", None, True)]
    views += [(f"LSOAs of {hub}", hub, False) for hub in dataset.hubs["hub"]] if dataset.lsoa is not None else []
    if dataset.lsoa is not None:
        views.append((f"LSOAs of {dataset.hubs['hub'].iloc[0]} + hotspots", dataset.hubs["hub"].iloc[0], True))
    for name, hub, hotspots in views:
        build_view(dataset, hub, hotspots)  # warm imports and pyproj
        payload, raw, seconds = build_view(dataset, hub, hotspots)
        print(f"{name:<34}{payload / 1000:>10.1f}{raw / 1000:>16.1f}{seconds * 1000:>10.0f}")


def timed(at, widget) -> float:
    """Seconds for the rerun a widget change causes."""
    start = time.perf_counter()
    widget.run()
    seconds = time.perf_counter() - start
    assert not at.exception, [e.value for e in at.exception]
    return seconds


def rerun_report(folder: Path, repeats: int) -> None:
    """Print the server time of filter changes on the Hub map (AppTest)."""
    from streamlit.testing.v1 import AppTest

    os.environ["LOCAL_FOCUS_DATA"] = str(folder.resolve())
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=300).run()
    start = time.perf_counter()
    at.switch_page("pages/hub_map.py").run()
    first = time.perf_counter() - start
    types = [t for t in CRIME_TYPES if t != ASB]
    results: dict[str, list[float]] = {}

    def record(name: str, seconds: float) -> None:
        results.setdefault(name, []).append(seconds)

    at.radio(key="map_family").set_value("Crime").run()  # the crime types chosen shape the map
    for i in range(repeats):
        chosen = [ASB, types[i % len(types)], types[(i + 3) % len(types)]]  # new each time: no cache hit
        record("crime types (uncached)", timed(at, at.multiselect(key="f_types").set_value(chosen)))
        record("rate <-> count toggle", timed(at, at.radio(key="map_measure").set_value("Count")))
        record("rate <-> count toggle", timed(at, at.radio(key="map_measure").set_value("Rate per 1,000 residents")))
    record("hotspots on (first: projects points)", timed(at, at.toggle(key="map_hotspots").set_value(True)))
    for i in range(repeats):
        chosen = [ASB, types[(i + 5) % len(types)]]
        record("crime types, hotspots on (uncached)", timed(at, at.multiselect(key="f_types").set_value(chosen)))
    at.toggle(key="map_hotspots").set_value(False).run()
    for hub in list(at.selectbox(key="map_level").options)[1:]:
        record("LSOA drill-down (uncached)", timed(at, at.selectbox(key="map_level").set_value(hub)))
    print(f"\nServer time on {folder} (first render of the page {first:.3f} s):")
    print(f"{'change':<40}{'median s':>10}{'max s':>10}")
    for name, seconds in results.items():
        flag = "" if statistics.median(seconds) < BUDGET_S else f"  <- over {BUDGET_S} s"
        print(f"{name:<40}{statistics.median(seconds):>10.3f}{max(seconds):>10.3f}{flag}")


def main() -> None:
    """Print the payload table for each folder, then the rerun timings on the sample."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=Path, default=ROOT / "data" / "sample")
    parser.add_argument("--real", type=Path, default=ROOT.parent / "shared" / "data" / "real")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    pd.set_option("display.width", 120)
    payload_report(args.sample, "Sample")
    if (args.real / "incidents").is_dir():
        payload_report(args.real, "Real")
    rerun_report(args.sample, args.repeats)


if __name__ == "__main__":
    main()
