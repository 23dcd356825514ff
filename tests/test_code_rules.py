"""Rules the pages keep, checked on the source so they cannot drift."""

from __future__ import annotations

import ast
import re

import pytest

from tests.conftest import ROOT

PAGES = sorted((ROOT / "pages").rglob("*.py"))
UI = sorted((ROOT / "ui").rglob("*.py"))


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
    for path in sorted((ROOT / "analysis").rglob("*.py")):
        tree = ast.parse(path.read_text())
        names = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
        names += [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
        assert not any(name.split(".")[0] == "streamlit" for name in names), path.name


def test_dashboard_is_config_and_navigation_only():
    tree = ast.parse((ROOT / "dashboard.py").read_text())
    calls = [n for n in tree.body if isinstance(n, ast.Expr) and not isinstance(n.value, ast.Constant)]
    assert [ast.unparse(c.value).split("(")[0] for c in calls] == ["st.set_page_config", "run_page"]


@pytest.mark.parametrize("path", PAGES, ids=[p.name for p in PAGES])
def test_pages_hold_no_cache_of_their_own(path):
    """Every cache lives in ui/cache.py, keyed on the dataset's fingerprint (a page cannot key it wrongly)."""
    source = path.read_text()
    assert "cache_data" not in source and "cache_resource" not in source, path.name


def test_every_cache_is_keyed_on_the_data():
    """A cached function either hashes its Dataset by fingerprint or takes the fingerprint as a hashed argument."""
    tree = ast.parse((ROOT / "ui" / "cache.py").read_text())
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef):
            continue
        decorators = [ast.unparse(d) for d in node.decorator_list]
        if not any("cache_data" in d or "cache_resource" in d or d.startswith("cached") for d in decorators):
            continue
        names = [a.arg for a in node.args.args]
        dataset_args = [a for a in node.args.args if a.annotation and ast.unparse(a.annotation) == "Dataset"]
        keyed = any(n in {"key", "fp", "digest"} for n in names) or any(not a.arg.startswith("_") for a in dataset_args)
        keyed |= any(d.startswith("cached") for d in decorators)
        assert keyed, f"{node.name} is cached without a hashed key for its data"
        assert not any(n.startswith("_") and n.endswith("key") for n in names), f"{node.name}: an unhashed key"


#: What a page may not do itself: pandas work belongs in analysis/ (pages read widgets, call, render).
PANDAS_IN_PAGES = {"groupby", "merge", "melt", "pivot", "pivot_table", "agg", "aggregate", "loc", "iloc", "apply"}
PAGE_LINES = 150
MODULE_LINES = 600


@pytest.mark.parametrize("path", PAGES, ids=[p.name for p in PAGES])
def test_pages_hold_no_pandas_work(path):
    tree = ast.parse(path.read_text())
    imported = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    imported += [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    assert not [m for m in imported if m.split(".")[0] == "pandas"], f"{path.name} imports pandas"
    used = sorted({n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)} & PANDAS_IN_PAGES)
    assert not used, f"{path.name} does pandas work itself ({', '.join(used)}): move it to analysis/"


@pytest.mark.parametrize("path", PAGES, ids=[p.name for p in PAGES])
def test_pages_are_thin(path):
    lines = len(path.read_text().splitlines())
    assert lines <= PAGE_LINES, f"{path.name} has {lines} lines (at most {PAGE_LINES}): move logic to analysis/"


ALL_MODULES = sorted((ROOT / "analysis").rglob("*.py"))


@pytest.mark.parametrize("path", ALL_MODULES, ids=[p.relative_to(ROOT).as_posix() for p in ALL_MODULES])
def test_modules_hold_one_idea(path):
    lines = len(path.read_text().splitlines())
    assert lines <= MODULE_LINES, f"{path.relative_to(ROOT)} has {lines} lines (at most {MODULE_LINES}): split it"


def test_the_code_rules_see_every_file():
    """The rules walk sub-packages too: a rule over analysis/*.py alone would pass silently on them."""
    nested = [p for p in ALL_MODULES if p.parent != ROOT / "analysis"]
    assert len(nested) >= 20 and any(p.parent.name == "load" for p in nested)
