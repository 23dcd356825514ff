"""The Briefing page's glue without a running page: table cells and notes as Streamlit will render them."""

from __future__ import annotations

import pandas as pd

from analysis.outputs.briefing.model import GENERATED_NOTE, LOCATION_NOTE, Screen
from ui.briefing import GENERATED_BADGE, notes_caption, table_cells


def _screen(*notes: str) -> Screen:
    return Screen("k", "T", "S.", "Summary.", None, pd.DataFrame({"Hub": ["Eden"]}), notes)


def test_table_cells_escape_markdown_and_index_the_first_column():
    table = pd.DataFrame({"Hub [x]": ["Eden [north]", "Carlisle"], "Based at": ["*Penrith*", "$5 station"]})
    cells = table_cells(table)
    assert cells.index.name == "Hub \\[x\\]"
    assert cells.index.tolist() == ["Eden \\[north\\]", "Carlisle"]
    assert cells.columns.tolist() == ["Based at"]
    assert cells["Based at"].tolist() == ["\\*Penrith\\*", "\\$5 station"]


def test_notes_caption_one_line_on_the_projector_with_a_badge():
    screen = _screen(GENERATED_NOTE, "Rates (per 1,000).")
    assert notes_caption(screen, projector=True, generated=True) == f"{GENERATED_BADGE} Rates \\(per 1,000\\)\\."
    assert notes_caption(screen, projector=True, generated=False) == "Rates \\(per 1,000\\)\\."


def test_notes_caption_a_line_each_on_the_page():
    screen = _screen(GENERATED_NOTE, LOCATION_NOTE)
    first, second = notes_caption(screen, projector=False, generated=True).split("  \n")
    assert first == "Generated sample data\\: not real\\."
    assert second.startswith("police\\.uk locations are approximate \\(moved to a nearby")
