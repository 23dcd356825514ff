"""Plotly figures: one style, one palette, shared by the pages and the briefing pack."""
