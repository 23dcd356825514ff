"""The public briefing: one idea per screen, the same screens on the page and in the PDF pack.

How it fits together, in the order the data flows:

- :mod:`.model`: what a briefing is: :class:`~.model.Screen` (one chart or table, one plain
  sentence computed from the data, a summary in words, a table view, notes) and
  :class:`~.model.Briefing` (the screens plus what the title and method pages say).
- :mod:`.period`: the period (the latest months whose ASB was supplied), the same months a
  year before, ASB per hub and month, and the counts as the briefing may publish them.
- :mod:`.screens`: one builder per screen (trend, change by hub, rates, neighbourhoods,
  patrols, partnership cases, how to report); :mod:`.charts` draws their figures.
- :mod:`.make`: :func:`~.make.make_briefing` turns a :class:`~analysis.load.dataset.Dataset`
  into a :class:`~.model.Briefing` (the Briefing page shows it one screen at a time).
- :mod:`.images` (a PNG of each chart, by kaleido with Debian chromium, and their ZIP),
  :mod:`.pdf` (the pack by fpdf2: title page, one page per screen, method page) and
  :mod:`.pack` (both in memory for the page, or written to disk by
  ``python -m analysis briefing DATA_DIR --out FILE.pdf [--public]``).

Public mode (``public=True``) never reads case texts, applies the disclosure rules of
:mod:`analysis.outputs.disclosure` to every count (counts below 10 at hub and LSOA level shown
as "fewer than 10", secondary suppression, LSOA counts rounded to 5) and goes no finer
than an LSOA. Comparisons with a year before carry a 95% interval, never a bare
percent change. No streamlit here.
"""
