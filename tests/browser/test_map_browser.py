"""The Hub map in a browser with no internet: the boundaries draw, nothing is fetched from outside, a click filters.

Proof that the map draws offline, in three parts:

1. every request the page makes is recorded, and any that would leave 127.0.0.1 is
   aborted (so the test means "offline" even on a machine that has internet);
2. MapLibre's own renderer reports the filled polygons it drew (``queryRenderedFeatures``):
   one per mapped area;
3. the screenshot of the chart holds, for each area, pixels of that area's fill colour:
   the polygons are on screen, not just in memory.
"""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from analysis.load.dataset import load_dataset
from tests.browser.conftest import open_app
from tests.conftest import REAL_DIR, SAMPLE_DIR

#: Every request the page makes must stay on 127.0.0.1 (the favicon is a local file too).
LOCAL = re.compile(r"^(https?://127\.0\.0\.1[:/]|blob:http://127\.0\.0\.1[:/]|data:)")
OUTSIDE = re.compile(r"^(?!https?://127\.0\.0\.1[:/])(https?|wss?)://")

#: The MapLibre map behind the first chart on the page (plotly keeps it on the subplot).
MAP = """() => {
  const gd = document.querySelector('[data-testid="stPlotlyChart"] .js-plotly-plot');
  const subplot = gd && gd._fullLayout && gd._fullLayout.map && gd._fullLayout.map._subplot;
  return subplot && subplot.map;
}"""
#: What the renderer drew: the distinct filled areas (by centre) with their fill colours, per layer.
DRAWN = f"""() => {{
  const map = ({MAP})();
  if (!map || !map.loaded()) return null;
  const fills = {{}};
  for (const f of map.queryRenderedFeatures()) {{
    if (f.layer.type !== 'fill') continue;
    (fills[f.layer.id] = fills[f.layer.id] || {{}})[JSON.stringify(f.properties.ct)] = f.properties.fc;
  }}
  return Object.values(fills).map(layer => Object.values(layer));
}}"""


def go_offline(page) -> list[str]:
    """Record every request and abort those that would leave this machine."""
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.route(OUTSIDE, lambda route: route.abort())
    return requests


def drawn_layers(page, areas: int, layers: int = 1) -> list[list[str]]:
    """Wait until MapLibre has drawn ``areas`` filled areas in the first layer (and ``layers`` layers)."""
    found = page.wait_for_function(
        f"() => {{ const d = ({DRAWN})(); return d && d.length >= {layers} && d[0].length >= {areas} && d; }}",
        timeout=60_000,
    )
    return found.json_value()


def chart_colours(page) -> list[tuple[int, tuple[int, int, int]]]:
    """(pixel count, colour) of the map's drawing area as it is on screen (the colour bar is outside it)."""
    canvas = page.get_by_test_id("stPlotlyChart").first.locator("canvas.maplibregl-canvas")
    shot = Image.open(io.BytesIO(canvas.screenshot())).convert("RGB")
    return shot.getcolors(maxcolors=1 << 20)


def pixels_of(page, colour: str, opacity: float = 0.9) -> int:
    """Pixels of the chart showing ``colour`` ("rgb(r, g, b)") drawn at ``opacity`` over white."""
    r, g, b = (int(v) for v in re.findall(r"\d+", colour)[:3])
    want = [round(opacity * c + (1 - opacity) * 255) for c in (r, g, b)]
    return sum(
        count for count, pixel in chart_colours(page) if all(abs(p - w) <= 4 for p, w in zip(pixel, want, strict=True))
    )


def hotspot_pixels(page) -> int:
    """Orange-to-red pixels: the hotspot scale (the areas beneath are grey, the outlines dark)."""
    return sum(count for count, (r, g, b) in chart_colours(page) if r > 180 and r - b > 90)


def click_area(page, longitude: float, latitude: float) -> None:
    """Hover, then click, the map at a place (as a person does: plotly selects what is hovered)."""
    x, y = page.evaluate(
        f"""([lon, lat]) => {{
            const map = ({MAP})();
            const p = map.project([lon, lat]);
            const box = map.getCanvas().getBoundingClientRect();
            return [box.left + p.x, box.top + p.y];
        }}""",
        [longitude, latitude],
    )
    page.mouse.move(x, y)  # one move: a hover from an earlier position could still be pending when clicking
    expect(page.locator('[data-testid="stPlotlyChart"] .hoverlayer .hovertext').first).to_be_visible()
    page.mouse.click(x, y)


def inside(folder, area_code: str) -> tuple[float, float]:
    """A point inside an area's polygon."""
    areas = load_dataset(folder).areas
    point = areas.loc[areas["area_code"] == area_code].geometry.iloc[0].representative_point()
    return point.x, point.y


def assert_stayed_local(requests: list[str]) -> None:
    outside = [url for url in requests if not LOCAL.match(url)]
    assert outside == [], f"the page asked the internet for {outside}"
    assert any("127.0.0.1" in url for url in requests)


@pytest.fixture(params=["sample_server", "real_server"])
def served(request):
    """A running dashboard and the folder it serves."""
    return request.getfixturevalue(request.param), SAMPLE_DIR if request.param == "sample_server" else REAL_DIR


def test_hub_areas_draw_offline_and_a_click_filters_the_charts(page, served):
    server, folder = served
    requests = go_offline(page)
    open_app(page, server, "hub_map")
    (areas,) = drawn_layers(page, areas=6)
    assert len(areas) == 6  # one filled polygon per hub area
    for colour in set(areas):
        assert pixels_of(page, colour) > 200, f"no pixels of {colour} on screen"
    expect(page.get_by_text("Showing: every mapped hub")).to_be_visible()

    click_area(page, *inside(folder, "E07000028"))  # Carlisle
    expect(page.get_by_text("Showing: Carlisle")).to_be_visible()
    expect(page.get_by_text("ASB incidents by month: Carlisle")).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)
    assert_stayed_local(requests)


def test_lsoa_drill_down_and_hotspots_draw_offline(page, served):
    server, _ = served
    requests = go_offline(page)
    open_app(page, server, "hub_map")
    drawn_layers(page, areas=6)
    page.get_by_test_id("stMain").get_by_test_id("stSelectbox").first.click()
    page.get_by_role("option", name="Carlisle", exact=True).click()
    (lsoas,) = drawn_layers(page, areas=68)  # Carlisle's 68 real LSOAs (the sample ships them simplified)
    assert len(lsoas) == 68

    page.get_by_text("Hotspots", exact=True).click()
    expect(page.get_by_text("snapped to anonymous map points", exact=False).first).to_be_visible()
    quiet, hexagons = drawn_layers(page, areas=68, layers=2)
    assert len(hexagons) > 20  # hexagons of counts; no point is ever drawn
    assert hotspot_pixels(page) > 200
    expect(page.get_by_test_id("stException")).to_have_count(0)
    assert_stayed_local(requests)
