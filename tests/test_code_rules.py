"""Rules the pages keep, checked on the source so they cannot drift."""

from __future__ import annotations

import ast
import re

import pytest

from tests.conftest import ROOT

PAGES = sorted((ROOT / "pages").glob("*.py"))
UI = sorted((ROOT / "ui").glob("*.py"))


#: The projector screen lays its chart out itself; it still gives alt text and a table_expander.
DIRECT_CHART_ALLOWED = {"briefing.py"}


@pytest.mark.parametrize("path", PAGES, ids=[p.name for p in PAGES])
def test_every_chart_has_a_summary_and_a_table_view(path):
    """Pages draw charts through ui.charts.chart_with_table (summary as alt text, caption, table view)."""
    source = path.read_text()
    direct = [
        n
        for n in ast.walk(ast.parse(source))
        if isinstance(n, ast.Call) and getattr(n.func, "attr", None) == "plotly_chart"
    ]
    if path.name not in DIRECT_CHART_ALLOWED:
        assert not direct, f"{path.name} draws a chart without its summary and table view"
    else:
        assert all(any(k.arg == "alt" for k in n.keywords) for n in direct)
        assert "table_expander(" in source


@pytest.mark.parametrize("path", PAGES + UI, ids=[p.name for p in PAGES + UI])
def test_no_data_goes_through_raw_html(path):
    """Raw HTML carries styling only: no unsafe_allow_html, and st.html only with constant style text."""
    source = path.read_text()
    assert "unsafe_allow_html" not in source
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "html":
            for argument in node.args:
                assert not isinstance(argument, ast.JoinedStr), f"{path.name}: st.html with an f-string"
                if isinstance(argument, ast.Constant):
                    assert re.fullmatch(r"\s*<style>.*</style>\s*", argument.value, re.S), path.name


def test_analysis_never_imports_streamlit():
    for path in sorted((ROOT / "analysis").glob("*.py")):
        tree = ast.parse(path.read_text())
        names = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
        names += [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
        assert not any(name.split(".")[0] == "streamlit" for name in names), path.name


def test_dashboard_is_config_and_navigation_only():
    tree = ast.parse((ROOT / "dashboard.py").read_text())
    calls = [n for n in tree.body if isinstance(n, ast.Expr) and not isinstance(n.value, ast.Constant)]
    assert [ast.unparse(c.value).split("(")[0] for c in calls] == ["st.set_page_config", "st.navigation"]
