"""A server's start to its first chart does only the Overview's work (issue 12: start to first chart).

The first run imports the Overview's measures and no other page's (ui/cache.py imports each
wrapper's measures when it first runs); the app's modules import with the collector paused and
are frozen at once, and the collector is running again after that run (ui/memory.py); a page run
under a server skips Streamlit's once-a-process REPL check (ui/common.py). Each runs in a fresh
interpreter, since imports and the collector's state belong to the process. No timing is asserted
here: bench/serve_bench.py measures them.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys

import pytest
import streamlit as st
import streamlit.delta_generator as delta_generator
import streamlit.env_util as env_util

from tests.conftest import ROOT, SAMPLE_DIR

#: What only another page needs: none of it may be imported by the Overview's first run.
OTHER_PAGES = (
    "analysis.measures.deployment",  # Deployment vs ASB
    "analysis.measures.maps",  # Hub map
    "analysis.measures.performance",  # Hub performance
    "analysis.measures.precept",  # Precept outcomes
    "analysis.measures.pledges",
    "analysis.stats.evaluation",
    "analysis.cli",
    "analysis.outputs.briefing",  # Briefing
    "analysis.measures.data",  # Data
    "analysis.load.upload",
)

_FIRST_RUN = """
import gc, json, os, sys
from streamlit.testing.v1 import AppTest

def imported(prefixes):
    return sorted(m for m in sys.modules if any(m == p or m.startswith(p + ".") for p in prefixes))

others = tuple(json.loads(sys.argv[2]))
at = AppTest.from_file(os.path.join(sys.argv[1], "dashboard.py"), default_timeout=120).run()
first = {
    "exception": [e.value for e in at.exception],
    "titles": [t.value for t in at.title],
    "others": imported(others),
    "overview": "analysis.measures.overview" in sys.modules,
    "collector_on": gc.isenabled(),
    "frozen": gc.get_freeze_count(),
}
at.switch_page("pages/performance.py").run()
later = {
    "exception": [e.value for e in at.exception],
    "titles": [t.value for t in at.title],
    "performance": imported(("analysis.measures.performance",)),
    "collector_on": gc.isenabled(),
}
print(json.dumps({"first": first, "later": later}))
"""


def test_the_first_run_imports_the_overview_alone_and_leaves_the_collector_on():
    env = {**os.environ, "LOCAL_FOCUS_DATA": str(SAMPLE_DIR), "PYTHONPATH": str(ROOT)}
    env.pop("LOCAL_FOCUS_MODE", None)
    done = subprocess.run(
        [sys.executable, "-c", _FIRST_RUN, str(ROOT), json.dumps(OTHER_PAGES)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    found = json.loads(done.stdout.strip().splitlines()[-1])
    first, later = found["first"], found["later"]
    assert first["exception"] == [] and first["titles"][:1] == ["Overview"]
    assert first["overview"]
    assert first["others"] == [], "the Overview's first run imported other pages' measures"
    assert first["collector_on"], "the collector stayed paused after the first run"
    assert first["frozen"] > 0, "nothing was frozen after the first run"
    # Another page's measures come in when that page runs.
    assert later["exception"] == [] and later["titles"][:1] == ["Hub performance"]
    assert "analysis.measures.performance.comparison" in later["performance"]
    assert later["collector_on"]


def test_dashboard_imports_the_app_inside_importing():
    """Every module dashboard.py imports besides Streamlit and ui.memory comes in with the collector paused."""
    tree = ast.parse((ROOT / "dashboard.py").read_text())
    paused = [n for n in tree.body if isinstance(n, ast.With) and ast.unparse(n.items[0].context_expr) == "importing()"]
    assert len(paused) == 1
    inside = {n.module for n in paused[0].body if isinstance(n, ast.ImportFrom)}
    assert {"ui.common", "ui.navigation"} <= inside
    outside = {a.name for n in tree.body if isinstance(n, ast.Import) for a in n.names}
    outside |= {n.module for n in tree.body if isinstance(n, ast.ImportFrom)}
    assert outside <= {"pathlib", "streamlit", "ui.memory"}, outside


_MEMORY = """
import gc, json, sys
sys.path.insert(0, sys.argv[1])
from ui import memory

found = {}
gc.enable()
with memory.importing():
    found["paused_inside"] = not gc.isenabled()
    made = [[] for _ in range(1000)]
found["on_after"] = gc.isenabled()
found["imports_frozen"] = gc.get_freeze_count() >= 1000
frozen = gc.get_freeze_count()
with memory.importing():  # the modules are imported by now: nothing paused, nothing frozen
    found["second_paused"] = not gc.isenabled()
found["second_froze"] = gc.get_freeze_count() != frozen
memory.thaw()  # no page has frozen a dataset yet: the start-up freeze holds
found["thaw_before_pages_kept"] = gc.get_freeze_count() == frozen
kept = [[] for _ in range(100)]  # what a page's first run made and keeps
memory.freeze_after_first_run("overview")
found["page_froze"] = gc.get_freeze_count() >= frozen + 100
again = gc.get_freeze_count()
leftover = [[] for _ in range(100)]
memory.freeze_after_first_run("overview")  # its second run: nothing more
found["second_page_run_froze"] = gc.get_freeze_count() != again
memory.thaw()  # a dataset was loaded after a page froze one: everything goes back to the collector
found["thawed"] = gc.get_freeze_count() == 0
print(json.dumps(found))
"""

_MEMORY_RAISES = """
import gc, json, sys
sys.path.insert(0, sys.argv[1])
from ui import memory

gc.disable()  # a process that runs with the collector off keeps it off
try:
    with memory.importing():
        raise ImportError("a module failed to import")
except ImportError:
    pass
print(json.dumps({"on": gc.isenabled(), "frozen": gc.get_freeze_count() > 0}))
"""


def _run(code: str) -> dict:
    done = subprocess.run([sys.executable, "-c", code, str(ROOT)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_imports_pause_the_collector_once_and_a_thaw_waits_for_a_page_freeze():
    assert _run(_MEMORY) == {
        "paused_inside": True,
        "on_after": True,
        "imports_frozen": True,
        "second_paused": False,
        "second_froze": False,
        "thaw_before_pages_kept": True,
        "page_froze": True,
        "second_page_run_froze": False,
        "thawed": True,
    }


def test_a_failed_import_still_freezes_and_puts_the_collector_back_as_it_was():
    assert _run(_MEMORY_RAISES) == {"on": False, "frozen": True}


@pytest.mark.parametrize("server", [True, False], ids=["under a server", "without a runtime"])
def test_a_server_run_skips_the_repl_check_and_only_then(monkeypatch, server):
    from ui.common import _server_run

    monkeypatch.setattr(delta_generator, "_use_warning_has_been_displayed", False)
    monkeypatch.setattr(st.runtime, "exists", lambda: server)
    _server_run()
    assert delta_generator._use_warning_has_been_displayed is server


def test_streamlit_still_checks_its_flag_before_the_repl_check(monkeypatch):
    """If a Streamlit upgrade drops the flag, the start pays inspect.stack() again: this fails first."""

    def is_repl() -> bool:
        raise AssertionError("the REPL check ran although the flag said it was done")

    monkeypatch.setattr(env_util, "is_repl", is_repl)
    monkeypatch.setattr(delta_generator, "_use_warning_has_been_displayed", True)
    delta_generator._maybe_print_use_warning()
    monkeypatch.setattr(delta_generator, "_use_warning_has_been_displayed", False)
    with pytest.raises(AssertionError, match="the REPL check ran"):
        delta_generator._maybe_print_use_warning()
