"""The PDF pack, drawn with fpdf2 on landscape A4: title page, one page per screen, method page."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pandas as pd

from analysis.outputs.briefing.images import CHART_HEIGHT, CHART_WIDTH
from analysis.outputs.briefing.model import Briefing, Screen
from analysis.outputs.briefing.words import month_words

__all__ = ["briefing_pdf"]

_FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")


class _Document:
    """The PDF pack drawn with fpdf2 on landscape A4."""

    def __init__(self, briefing: Briefing) -> None:
        from fpdf import FPDF

        self.briefing = briefing
        self.pdf = FPDF(orientation="L", unit="mm", format="A4")
        self.pdf.set_auto_page_break(auto=True, margin=16)
        self.pdf.set_margins(15, 12, 15)
        self.pdf.set_title(f"Local Focus briefing: {briefing.area}")
        self.pdf.set_author("Local Focus")
        self.pdf.set_lang("en-GB")
        regular, bold = _FONT_DIR / "DejaVuSans.ttf", _FONT_DIR / "DejaVuSans-Bold.ttf"
        if regular.exists() and bold.exists():
            self.pdf.add_font("Body", "", str(regular))
            self.pdf.add_font("Body", "B", str(bold))
            self.font = "Body"
        else:
            self.font = "helvetica"
        self.pdf.footer = self._footer  # type: ignore[method-assign]

    def text(self, value: str) -> str:
        if self.font == "Body":
            return value
        return value.replace("—", "-").replace("–", "-").encode("latin-1", "replace").decode("latin-1")

    def _footer(self) -> None:
        pdf, b = self.pdf, self.briefing
        pdf.set_y(-12)
        pdf.set_font(self.font, "", 9)
        pdf.set_text_color(17, 17, 17)
        marks = [f"Local Focus briefing · {b.area} · {b.period_label}"]
        if b.generated:
            marks.append("GENERATED SAMPLE DATA: NOT REAL")
        if not b.public:
            marks.append("INTERNAL: NOT FOR PUBLIC DISPLAY")
        pdf.cell(0, 5, self.text(" · ".join(marks)), align="L")
        pdf.set_x(-40)
        pdf.cell(25, 5, f"Page {pdf.page_no()} of {{nb}}", align="R")

    def heading(self, value: str, size: int = 26) -> None:
        self.pdf.set_font(self.font, "B", size)
        self.pdf.multi_cell(0, size * 0.5, self.text(value), new_x="LMARGIN", new_y="NEXT")
        self.pdf.ln(2)

    def paragraph(self, value: str, size: int = 13, bold: bool = False) -> None:
        self.pdf.set_font(self.font, "B" if bold else "", size)
        self.pdf.multi_cell(0, size * 0.48, self.text(value), new_x="LMARGIN", new_y="NEXT", align="L")
        self.pdf.ln(1.5)

    def paragraph_height(self, value: str, size: int) -> float:
        """The height :meth:`paragraph` will take, measured without drawing."""
        self.pdf.set_font(self.font, "", size)
        lines = self.pdf.multi_cell(0, size * 0.48, self.text(value), dry_run=True, output="LINES")
        return len(lines) * size * 0.48 + 1.5

    def title_page(self) -> None:
        b, pdf = self.briefing, self.pdf
        pdf.add_page()
        pdf.set_text_color(17, 17, 17)
        pdf.ln(14)
        self.heading("Local Focus: public briefing" if b.public else "Local Focus: briefing (internal)", 32)
        self.paragraph(f"Area: {b.area}, Local Focus hub areas", 18)
        self.paragraph(f"Period: {b.period_label}", 18)
        self.paragraph(f"Last month of data: {month_words(b.last_month)}", 18)
        if b.generated:
            self.paragraph("Generated sample data: not real. For demonstration only.", 18, bold=True)
        self.paragraph(b.mode_label, 14, bold=not b.public)
        pdf.ln(4)
        self.paragraph("Data sources", 16, bold=True)
        for source in b.sources:
            self.paragraph(f"• {source}", 12)
        self.paragraph(f"Produced {date.today():%d %B %Y}.", 11)

    def screen_page(self, index: int, screen: Screen, image: bytes | None) -> None:
        pdf = self.pdf
        pdf.add_page()
        pdf.set_text_color(17, 17, 17)
        self.heading(f"{index}. {screen.title}", 22)
        self.paragraph(screen.sentence, 15, bold=True)
        if image is not None:
            below = [f"Chart in words: {screen.summary}", *screen.notes]
            room = pdf.h - pdf.b_margin - pdf.get_y() - 3 - sum(self.paragraph_height(t, 10) for t in below)
            width = min(pdf.w - pdf.l_margin - pdf.r_margin, room * CHART_WIDTH / CHART_HEIGHT)
            height = width * CHART_HEIGHT / CHART_WIDTH
            pdf.image(io.BytesIO(image), x=(pdf.w - width) / 2, w=width, h=height, alt_text=screen.summary)
            pdf.ln(2)
        else:
            self._table(screen.table)
        self.paragraph(f"Chart in words: {screen.summary}", 10)
        for note in screen.notes:
            self.paragraph(note, 10)

    def _table(self, table: pd.DataFrame) -> None:
        pdf = self.pdf
        pdf.set_font(self.font, "", 14)
        with pdf.table(text_align="LEFT", line_height=8, first_row_as_headings=True) as grid:
            grid.row([self.text(str(c)) for c in table.columns])
            for values in table.astype("str").itertuples(index=False):
                grid.row([self.text(v) for v in values])
        pdf.ln(3)

    def method_page(self) -> None:
        self.pdf.add_page()
        self.pdf.set_text_color(17, 17, 17)
        self.heading("How these figures were made", 22)
        for paragraph in self.briefing.method:
            self.paragraph(paragraph, 12)

    def output(self) -> bytes:
        return bytes(self.pdf.output())


def briefing_pdf(briefing: Briefing, images: dict[str, bytes]) -> bytes:
    """The PDF pack: title page, one page per screen (its sentence, chart and notes), method page.

    Parameters
    ----------
    briefing : Briefing
        From :func:`make_briefing`.
    images : dict
        PNG bytes per screen key, from :func:`chart_images`.
    """
    pack = _Document(briefing)
    pack.title_page()
    for i, screen in enumerate(briefing.screens, start=1):
        pack.screen_page(i, screen, images.get(screen.key) if screen.figure is not None else None)
    pack.method_page()
    return pack.output()
