"""Names joined for a sentence. No streamlit here."""

from __future__ import annotations

__all__ = ["join_names"]


def join_names(items: list[str]) -> str:
    """Names joined for a sentence: "A", "A and B", "A, B and C"."""
    items = [str(i) for i in items]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1] if items else ""
