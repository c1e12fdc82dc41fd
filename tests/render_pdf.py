"""Render table grids (RawTable) to ruled PDFs with reportlab's built-in CID font, for reader tests.

Each table starts a page with its title and unit line; a table too long for one page continues on
the next pages without a title, its header rows repeated. `open_top` starts continuation pages
without the header and leaves out the first row's top rule — the layout in which pdfplumber drops
that row.
"""

from __future__ import annotations

import re
from pathlib import Path

from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from budgetqa.ingest.models import RawTable
from budgetqa.ingest.pdf_layout import count_header_rows

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))

SIZE = 6.5  # cell font size
PAD = 2.0
MAX_COL = 150.0


def _width(text: str, size: float = SIZE) -> float:
    return pdfmetrics.stringWidth(text, FONT, size)


def _wrap(text: str, width: float, size: float = SIZE) -> list[str]:
    """Break at CJK characters or blanks, never inside a Latin word or number (as Excel does)."""
    lines, cur = [], ""
    for tok in re.findall(r"[A-Za-z0-9.,%:/()\-]+|\s+|.", text):
        if cur.strip() and _width(cur + tok, size) > width - 2 * PAD:
            lines.append(cur.strip())
            cur = "" if tok.isspace() else tok
            continue
        cur += tok
    return lines + [cur.strip()] if cur.strip() or not lines else lines


def _columns(rows: list[list[str]], page_width: float) -> tuple[list[float], float]:
    """Column widths and a font size: a table wider than the page is drawn smaller, not clipped."""
    n = max(len(r) for r in rows)
    widths = [20.0] * n
    for r in rows:
        for c, text in enumerate(r):
            widths[c] = max(widths[c], min(MAX_COL, _width(text) + 2 * PAD + 1))
    scale = min(1.0, page_width / sum(widths))
    return [w * scale for w in widths], SIZE * scale


def render(raws: list[RawTable], path: Path, rows_per_page: int | None = None, open_top: bool = False,
           ruled: bool = True) -> Path:
    """Write `raws` to `path`, one table per page run; `rows_per_page` forces page breaks;
    `ruled=False` prints the cells without any rules (the reader's text fallback)."""
    page_w, page_h = landscape(A4)
    margin = 40.0
    c = canvas.Canvas(str(path), pagesize=(page_w, page_h))
    for raw in raws:
        rows = [list(r) for r in raw.rows]
        n = max(len(r) for r in rows)
        rows = [r + [""] * (n - len(r)) for r in rows]
        n_head = count_header_rows(rows)
        widths, size = _columns(rows, page_w - 2 * margin)
        y = page_h - margin
        c.setFont(FONT, 12)
        title = f"{raw.number}：{raw.title}" if raw.number else raw.title
        c.drawCentredString(page_w / 2, y - 12, title)
        y -= 26
        if raw.unit_line:
            c.setFont(FONT, 8)
            c.drawRightString(page_w - margin, y - 8, raw.unit_line)
            y -= 14
        body_on_page = 0
        first_on_page = False
        for i, row in enumerate(rows):
            cells = [_wrap(t, w, size) for t, w in zip(row, widths)]
            h = max(len(x) for x in cells) * (size + 1.5) + 2 * PAD
            page_full = rows_per_page is not None and i >= n_head and body_on_page >= rows_per_page
            if y - h < margin or page_full:
                c.showPage()
                y = page_h - margin
                body_on_page = 0
                # With open_top the continuation page starts straight with a body row whose top
                # rule is missing (no repeated header to close it from above).
                for head in [] if open_top else rows[:n_head]:
                    y = _row(c, [_wrap(t, w, size) for t, w in zip(head, widths)], widths, margin, y, True, size, ruled=ruled)
                first_on_page = open_top or n_head == 0
            draw_top = not (open_top and first_on_page)
            y = _row(c, cells, widths, margin, y, draw_top, size, ruled=ruled)
            first_on_page = False
            if i >= n_head:
                body_on_page += 1
        c.showPage()
    c.save()
    return path


def _row(c, cells, widths, x0, y, draw_top: bool, size: float, ruled: bool = True) -> float:
    h = max(len(x) for x in cells) * (size + 1.5) + 2 * PAD
    x = x0
    c.setLineWidth(0.5)
    c.setFont(FONT, size)
    for lines, w in zip(cells, widths):
        if ruled:
            if draw_top:
                c.line(x, y, x + w, y)
            c.line(x, y - h, x + w, y - h)
            c.line(x, y, x, y - h)
            c.line(x + w, y, x + w, y - h)
        for k, text in enumerate(lines):
            c.drawString(x + PAD, y - PAD - size - k * (size + 1.5), text)
        x += w
    return y - h
