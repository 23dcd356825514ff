"""The Briefing on a projector: every screen fits 1024x768 and 1920x1080, large type, AAA contrast, no case text.

The canary server runs a copy of the sample whose case texts hold a canary string; a person
walks every public screen, opens the table views and downloads the files: the canary is nowhere.
"""

from __future__ import annotations

import io
import re
import subprocess
import zipfile

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import _server, open_app, wait_until_idle
from tests.browser.test_axe import run_axe, settle
from tests.test_briefing import CANARY, make_canary_folder

SIZES = {"1024x768": (1024, 768), "1920x1080": (1920, 1080)}

#: The projector theme's promise: no visible text under 22 px (material icons aside).
SMALL_TEXT = """() => {
  const small = [];
  const walker = document.createTreeWalker(document.querySelector('[data-testid="stMain"]'), NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const el = walker.currentNode.parentElement;
    if (!walker.currentNode.textContent.trim() || !el) continue;
    const box = el.getBoundingClientRect(), style = getComputedStyle(el);
    if (!box.width || !box.height || style.visibility === 'hidden' || style.fontFamily.includes('Material')) continue;
    if (parseFloat(style.fontSize) < 22) small.push(style.fontSize + ' ' + walker.currentNode.textContent.trim());
  }
  return small;
}"""
#: Every box that could scroll: the document and Streamlit's own scrolling containers.
OVERFLOW = """() => [document.scrollingElement, document.querySelector('[data-testid="stMain"]'),
  document.querySelector('[data-testid="stAppViewContainer"]')].filter(Boolean)
  .map(e => [e.scrollHeight, e.clientHeight, e.scrollWidth, e.clientWidth])"""


def projector(browser, server, size: tuple[int, int]):
    context = browser.new_context(viewport={"width": size[0], "height": size[1]})
    page = context.new_page()
    page.set_default_timeout(30_000)
    open_app(page, server, "briefing")
    page.get_by_text("Projector mode", exact=True).click()
    expect(page.get_by_test_id("stSidebar")).to_be_hidden()
    return context, page


def screen_count(page) -> int:
    counter = page.locator(".st-key-briefing_nav").get_by_text(" of ")
    expect(counter).to_have_text(re.compile(r"^\d+ of \d+$"))
    return int(counter.inner_text().split(" of ")[1])


def go_to(page, number: int, total: int) -> None:
    if number > 1:
        page.locator(".st-key-briefing_next button").click()
    expect(page.locator(".st-key-briefing_nav").get_by_text(f"{number} of {total}", exact=True)).to_be_visible()
    settle(page)


def check_fits(page, label: str) -> None:
    for scroll_height, client_height, scroll_width, client_width in page.evaluate(OVERFLOW):
        assert scroll_height <= client_height + 1, f"{label}: scrolls vertically ({scroll_height} > {client_height})"
        assert scroll_width <= client_width + 1, f"{label}: scrolls sideways ({scroll_width} > {client_width})"
    bottom = page.locator(".st-key-briefing_next").bounding_box()
    assert bottom["y"] + bottom["height"] <= page.viewport_size["height"], f"{label}: Next is off screen"


@pytest.mark.parametrize("size", SIZES.values(), ids=list(SIZES))
def test_every_screen_fits_with_large_type_and_aaa_contrast(browser, sample_server, size):
    context, page = projector(browser, sample_server, size)
    try:
        root = page.evaluate("() => parseFloat(getComputedStyle(document.documentElement).fontSize)")
        assert root >= 22
        total = screen_count(page)
        assert total == 7
        for number in range(1, total + 1):
            go_to(page, number, total)
            label = f"screen {number} at {size[0]}x{size[1]}"
            check_fits(page, label)
            assert not page.evaluate(SMALL_TEXT), f"{label}: text under 22 px"
            chart = page.locator(".st-key-briefing_chart_box [data-testid='stPlotlyChart']")
            if chart.count():
                assert chart.bounding_box()["height"] >= 200, f"{label}: the chart is squeezed"
            enhanced = run_axe(page, {"runOnly": ["color-contrast-enhanced"]})
            assert not enhanced, f"{label}: contrast under 7:1: {[n['html'] for v in enhanced for n in v['nodes']]}"
    finally:
        context.close()


def test_real_data_fits_at_1024x768(browser, real_server):
    context, page = projector(browser, real_server, SIZES["1024x768"])
    try:
        total = screen_count(page)
        assert total == 5
        for number in range(1, total + 1):
            go_to(page, number, total)
            check_fits(page, f"real screen {number}")
            if number == 2:
                expect(page.get_by_text("Not enough history yet", exact=False)).to_be_visible()
    finally:
        context.close()


@pytest.fixture(scope="module")
def canary_server(tmp_path_factory):
    yield from _server(make_canary_folder(tmp_path_factory.mktemp("browser-canary")))


def test_canary_never_reaches_public_screens_or_downloads(browser, canary_server, tmp_path):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        open_app(page, canary_server, "briefing")
        expect(page.get_by_test_id("stCheckbox").filter(has_text="Public mode").locator("input")).to_be_checked()
        total = screen_count(page)
        texts = []
        for number in range(1, total + 1):
            go_to(page, number, total)
            table_view = page.get_by_test_id("stExpander").filter(has_text="Table view").locator("details")
            if table_view.count():
                if table_view.get_attribute("open") is None:
                    table_view.locator("summary").click()
                expect(table_view.get_by_test_id("stDataFrame")).to_be_visible()
            texts.append(page.get_by_test_id("stMain").inner_text())
            if page.locator(".st-key-briefing_cases_csv").count():
                wait_until_idle(page)
                with page.expect_download() as csv:
                    page.locator(".st-key-briefing_cases_csv button").click()
                cases_csv = csv.value.path().read_text()
        assert "Partnership cases opened" in cases_csv
        assert not [t for t in texts if CANARY in t]
        assert CANARY not in cases_csv
        wait_until_idle(page)
        with page.expect_download(timeout=120_000) as pdf:
            page.locator(".st-key-briefing_pdf button").click()
        pdf_text = subprocess.run(
            ["pdftotext", str(pdf.value.path()), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert "Local Focus: public briefing" in pdf_text
        assert CANARY not in pdf_text
        wait_until_idle(page)
        with page.expect_download() as png:
            page.locator(".st-key-briefing_png button").click()
        with zipfile.ZipFile(io.BytesIO(png.value.path().read_bytes())) as archive:
            assert "README.txt" in archive.namelist()
            assert all(CANARY.encode() not in archive.read(name) for name in archive.namelist())
    finally:
        context.close()
