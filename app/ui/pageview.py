"""The page view: the original PDF page a figure was read from, with its cell or sentence boxed.

Pages are rendered once with pypdfium2 and cached as PNG per (document, page); the box is drawn on
a copy for each view. Boxes are PDF points from the top-left (x0, top, x1, bottom), as pdfplumber
gives them and the store keeps them. A text conversion has no pages: its view is the source lines
around the cited line, the figure marked.
"""

from __future__ import annotations

import json
import os
import re
import threading
from dataclasses import asdict, dataclass
from pathlib import Path

SCALE = 2.0  # pixels per PDF point: small print (8 pt table figures) stays readable
BOX_RGB = (220, 20, 60)
BOX_WIDTH = 4
_render_lock = threading.Lock()  # pdfium is not thread-safe


@dataclass(frozen=True)
class SourceRef:
    """What a source link opens: a document, and a page with boxes, or a line with the figure's text."""

    doc_id: str
    page: int | None = None
    boxes: tuple[tuple[float, float, float, float], ...] = ()
    line: int | None = None
    text: str = ""  # the figure or sentence to mark (and to search for on the page when no box is known)

    def key(self) -> str:
        """A compact string for the page's links (JSON: nothing in it needs escaping rules of our own)."""
        d = {k: v for k, v in asdict(self).items() if v not in (None, (), "")}
        return json.dumps(d, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_key(cls, key: str) -> SourceRef | None:
        """The reference a link carried, or None for anything malformed (links come from browsers)."""
        try:
            d = json.loads(key)
            boxes = tuple(tuple(float(v) for v in b) for b in d.get("boxes", ()))
            if any(len(b) != 4 for b in boxes):
                return None
            page, line = d.get("page"), d.get("line")
            return cls(str(d["doc_id"]), int(page) if page is not None else None, boxes,
                       int(line) if line is not None else None, str(d.get("text", ""))[:500])
        except (ValueError, KeyError, TypeError, AttributeError):
            return None


def page_png(pdf: Path, page: int, cache: Path, scale: float = SCALE) -> Path:
    """The PNG of a 1-based page, rendered on first use and kept under `cache`."""
    out = cache / f"p{page:04d}.png"
    if out.exists():
        return out
    import pypdfium2 as pdfium

    cache.mkdir(parents=True, exist_ok=True)
    with _render_lock:
        doc = pdfium.PdfDocument(str(pdf))
        try:
            if not 1 <= page <= len(doc):
                raise IndexError(f"{pdf.name}: no page {page} (the file has {len(doc)})")
            image = doc[page - 1].render(scale=scale).to_pil()
        finally:
            doc.close()
    tmp = out.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
    image.save(tmp, format="PNG")
    tmp.replace(out)  # a reader never sees half a file
    return out


def boxed(png: Path, boxes, scale: float = SCALE):
    """The page image with each box (PDF points) outlined; a PIL image."""
    from PIL import Image, ImageDraw

    image = Image.open(png).convert("RGB")
    draw = ImageDraw.Draw(image)
    pad = 2
    for x0, top, x1, bottom in boxes:
        draw.rectangle([x0 * scale - pad, top * scale - pad, x1 * scale + pad, bottom * scale + pad],
                       outline=BOX_RGB, width=BOX_WIDTH)
    return image


def find_text(pdf: Path, page: int, text: str) -> list[tuple[float, float, float, float]]:
    """Boxes of `text` on a page (a prose sentence without a stored box): the whole of it, else its start."""
    import pdfplumber

    needle = re.sub(r"\s+", "", text)
    if not needle:
        return []
    with pdfplumber.open(str(pdf)) as doc:
        if not 1 <= page <= len(doc.pages):
            return []
        p = doc.pages[page - 1]
        for probe in (needle, needle[:16], needle[:8]):
            # the text layer breaks lines where the page does: search ignoring whitespace between characters
            pattern = r"\s*".join(map(re.escape, probe))
            hits = p.search(pattern, regex=True, return_chars=False)
            if hits:
                return [(h["x0"], h["top"], h["x1"], h["bottom"]) for h in hits[:3]]
    return []


def source_lines(path: Path, line: int, mark: str, around: int = 4) -> list[dict]:
    """The lines around a 1-based source line of a text conversion; `mark` is highlighted on the cited line."""
    from budgetqa.ingest.text import decode

    text = decode(path.read_bytes(), path.name)
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")  # as the reader numbers them
    lo, hi = max(1, line - around), min(len(lines), line + around)
    out = []
    for n in range(lo, hi + 1):
        text = lines[n - 1].replace("\t", "   ")
        cut = _find_figure(text, mark) if n == line else None
        parts = [(text, False)] if cut is None else [(text[:cut[0]], False), (text[cut[0]:cut[1]], True),
                                                     (text[cut[1]:], False)]
        out.append({"n": n, "hit": n == line, "parts": parts})
    return out


def _find_figure(text: str, mark: str) -> tuple[int, int] | None:
    """Where a figure (1,184.83 / 1184.83万元 / a sentence) sits in a line, printed with or without separators."""
    mark = mark.strip()
    if not mark:
        return None
    i = text.find(mark)
    if i >= 0:
        return i, i + len(mark)
    digits = re.sub(r"[^\d.]", "", re.sub(r"(万?元|%)$", "", mark))
    if not digits:
        return None
    for m in re.finditer(r"-?[\d,]+(?:\.\d+)?", text):
        if m.group().replace(",", "").lstrip("-") == digits.lstrip("-"):
            return m.start(), m.end()
    return None
