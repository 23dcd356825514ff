"""Figures held by choice (ui/cache.py) are drawn again as they were made: shared read-only, never changed.

Every page keeps the figures of a choice in ``st.cache_resource``, so a repeated choice draws the very
same objects (nothing is rebuilt) and every session making that choice draws them too. A page that
changed such a figure after it was cached (``update_layout``, ``add_trace``) would change it for every
session, perhaps while another draws it: each figure's JSON must be the same at every draw and after.
A session on other data never draws another folder's figures.
"""

from __future__ import annotations

import ast
import shutil

import pytest
import streamlit as st

from tests.apptest import open_page, rerun
from tests.conftest import ROOT, SAMPLE_DIR

#: Pages with sidebar filters (the hubs filter is changed and changed back) and the briefing (its period).
PAGES = ["pages/overview.py", "pages/hub_map.py", "pages/deployment.py", "pages/performance.py", "pages/precept.py"]


class Drawn:
    """Every figure given to ``st.plotly_chart``, with its JSON at each draw."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.draws: list[tuple[object, str]] = []
        original = st.plotly_chart

        def plotly_chart(figure_or_data, *args, **kwargs):
            self.draws.append((figure_or_data, figure_or_data.to_json()))
            return original(figure_or_data, *args, **kwargs)

        monkeypatch.setattr(st, "plotly_chart", plotly_chart)

    def mark(self) -> int:
        return len(self.draws)

    def objects(self, since: int = 0, until: int | None = None) -> list[int]:
        return [id(f) for f, _ in self.draws[since:until]]

    def unchanged(self) -> list[str]:
        """Figures whose JSON differs from a draw of theirs (empty when none was changed)."""
        return [json[:80] for figure, json in self.draws if figure.to_json() != json]


def _hubs(at):
    return at.multiselect(key="f_hubs")


@pytest.mark.parametrize("page", PAGES)
def test_a_repeated_choice_draws_the_same_unchanged_figures(page, monkeypatch):
    drawn = Drawn(monkeypatch)
    at = open_page(SAMPLE_DIR, monkeypatch)
    start = drawn.mark()
    at = rerun(at.switch_page(page))
    first = drawn.mark()
    assert first > start, f"{page} drew no chart"
    at = rerun(_hubs(at).set_value([_hubs(at).options[0]]))
    changed = drawn.mark()
    at = rerun(_hubs(at).set_value([]))
    back = drawn.mark()
    at.run()
    # The choice made again draws figures made before (a widget keeping its own value, the Precept page's hub,
    # may pick one made for the other choice), and a plain rerun draws the very same ones again.
    assert set(drawn.objects(changed, back)) <= set(drawn.objects(start, changed)), page
    assert drawn.objects(back) == drawn.objects(changed, back), page
    assert not drawn.unchanged(), f"{page} changed a shared figure after it was cached"


def test_the_briefing_periods_draw_their_own_figures_unchanged(monkeypatch):
    drawn = Drawn(monkeypatch)
    at = open_page(SAMPLE_DIR, monkeypatch)
    start = drawn.mark()
    at = rerun(at.switch_page("pages/briefing.py"))
    first = drawn.mark()
    at = rerun(at.button_group(key="briefing_months").set_value(3))
    changed = drawn.mark()
    rerun(at.button_group(key="briefing_months").set_value(12))
    assert drawn.objects(changed) == drawn.objects(start, first)
    assert not set(drawn.objects(first, changed)) & set(drawn.objects(start, first))
    assert not drawn.unchanged()


def test_other_data_never_draws_these_figures(monkeypatch, tmp_path):
    drawn = Drawn(monkeypatch)
    open_page(SAMPLE_DIR, monkeypatch, "pages/overview.py")
    ours = set(drawn.objects())
    other = tmp_path / "other"
    shutil.copytree(SAMPLE_DIR, other, ignore=shutil.ignore_patterns(".store*", ".local_focus*"))
    first = drawn.mark()
    open_page(other, monkeypatch, "pages/overview.py")
    assert drawn.mark() > first
    assert not set(drawn.objects(first)) & ours, "another folder's session drew this folder's figures"


def test_every_cache_of_shared_objects_keeps_at_most_figure_entries():
    """Each shared cache (``st.cache_resource``, ``shared_by_choice``) is bounded, none above FIGURE_ENTRIES."""
    from ui.cache import FIGURE_ENTRIES

    def bound(value: ast.expr) -> int:
        return FIGURE_ENTRIES if ast.unparse(value) == "FIGURE_ENTRIES" else ast.literal_eval(value)

    bounds = {}
    for node in ast.parse((ROOT / "ui" / "cache.py").read_text()).body:
        for decorator in node.decorator_list if isinstance(node, ast.FunctionDef) else []:
            name = ast.unparse(decorator.func) if isinstance(decorator, ast.Call) else ""
            if name == "shared_by_choice":
                bounds[node.name] = bound(decorator.args[0]) if decorator.args else FIGURE_ENTRIES
            elif name == "st.cache_resource":
                given = {k.arg: k.value for k in decorator.keywords}
                assert "max_entries" in given, f"{node.name} is a shared cache without a bound"
                bounds[node.name] = bound(given["max_entries"])
    assert {"overview_charts", "hub_map", "comparison_charts", "outcome_charts", "case_charts"} <= set(bounds)
    assert all(0 < n <= FIGURE_ENTRIES for n in bounds.values()), bounds
