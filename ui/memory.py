"""Keep Python's garbage collection cheap: while the app imports, and after every run, whatever the number of sessions.

Streamlit runs a full collection (``gc.collect(2)``, the ``runner.postScriptGC`` option) after
every script run, in every session, holding the GIL. A full collection walks every object
the process tracks: the loaded dataset, its cached results, and every imported module (pandas,
plotly, geopandas, Streamlit: well over 100,000 objects). On the bench's 20 sessions that was
about a third of the server's CPU (py-spy, ``ScriptRunner._on_script_finished``).

Two freezes (``gc.freeze()``: the objects tracked so far move into the permanent generation,
which later collections skip):

1. **Start-up** (:func:`importing`, around dashboard.py's imports in the process's first run): the
   app's modules import with the automatic collector paused, then what they made is frozen at once,
   uncollected. The collector would otherwise walk the growing heap again and again while pandas,
   pyarrow, DuckDB and our modules import (about half a second of full collections before the
   first chart on the county folder); what an import leaves as cyclic garbage is a few hundred
   small objects (compiled code's leftovers), kept until the next :func:`thaw`.
2. **After each page's first run** (:func:`freeze_after_first_run`, since start or the last
   :func:`thaw`): one full collection, then the survivors (the dataset, the page's modules and
   cached results) are frozen. After the start-up freeze that collection walks only what the run
   made, not the modules.

Nothing is kept alive by either: an object whose last reference goes is still freed at once; only
a reference cycle among frozen objects would wait. A newly loaded dataset (another folder or
changed files) thaws everything (``gc.unfreeze()``) once a page has frozen a dataset, so a
replaced dataset is collected as before, and each page freezes again after its next run.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["freeze_after_first_run", "importing", "thaw"]

_lock = threading.Lock()
_frozen: set[str] = set()
_imported = False


@contextmanager
def importing() -> Iterator[None]:
    """The process's first entry: the automatic collector paused inside, then what was made frozen, uncollected.

    Any later entry (the modules are imported by then) does nothing. The collector's own state
    (enabled or not) is put back on the way out, whatever happened inside.
    """
    global _imported
    with _lock:
        first, _imported = not _imported, True
    if not first:
        yield
        return
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def freeze_after_first_run(page: str) -> None:
    """After ``page``'s first run since start or since the last :func:`thaw`: collect, then freeze the survivors."""
    with _lock:
        if page in _frozen:
            return
        _frozen.add(page)
        gc.collect()
        gc.freeze()


def thaw() -> None:
    """Return every frozen object to the collector once a page has frozen a dataset (one is loaded: the old may go).

    Before any page's freeze (the first load since start, or since the last thaw) nothing frozen can
    hold a dataset, so the modules frozen at start-up stay frozen.
    """
    with _lock:
        if not _frozen:
            return
        _frozen.clear()
        gc.unfreeze()
