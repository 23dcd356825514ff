"""Keep Streamlit's garbage collection after every run cheap, whatever the number of sessions.

Streamlit runs a full collection (``gc.collect(2)``, the ``runner.postScriptGC`` option) after
every script run, in every session, holding the GIL. A full collection walks every object
the process tracks: the loaded dataset, its cached results, and every imported module (pandas,
plotly, geopandas, Streamlit: well over 100,000 objects). On the bench's 20 sessions that was
about a third of the server's CPU (py-spy, ``ScriptRunner._on_script_finished``).

So once a page has run for the first time in this process (its modules imported, plotly's
validators built, the dataset loaded), the survivors of a full collection are moved into the
permanent generation (``gc.freeze()``): later collections skip them and walk only what runs
create. Nothing is kept alive by this: an object whose last reference goes is still freed at
once; only a reference cycle among frozen objects would wait. A newly loaded dataset (another
folder or changed files) thaws everything (``gc.unfreeze()``), so a replaced dataset is
collected as before, and each page freezes again after its next run.
"""

from __future__ import annotations

import gc
import threading

__all__ = ["freeze_after_first_run", "thaw"]

_lock = threading.Lock()
_frozen: set[str] = set()


def freeze_after_first_run(page: str) -> None:
    """After ``page``'s first run since start or since the last :func:`thaw`: collect, then freeze the survivors."""
    with _lock:
        if page in _frozen:
            return
        _frozen.add(page)
        gc.collect()
        gc.freeze()


def thaw() -> None:
    """Return every frozen object to the collector (a dataset was loaded: the old one may go)."""
    with _lock:
        _frozen.clear()
        gc.unfreeze()
