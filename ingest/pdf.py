"""Read a budget PDF into a Document: prose by heading, tables as RawTable grids, then rebuilt.

One pass per page over pdfplumber's objects: `extract_words` (text lines, titles, unit lines,
rows the ruling missed) and one `find_tables` (ruled grids). Tables continued on the next page
are joined to their start; the steps themselves live in `ingest/pdf_layout.py`.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from budgetqa.ingest.errors import CorruptFile, EmptyFile, EncryptedFile, NotABudgetDocument, ScannedPDF
from budgetqa.ingest.meta import detect_meta
from budgetqa.ingest.models import Document, Paragraph, RawTable
from budgetqa.ingest.ocr import OCRUnavailable, ocr_page, unreadable
from budgetqa.ingest.tables import build_tables
from budgetqa.ingest.pdf_layout import (
    PAGE_NUMBER,
    Box,
    Line,
    align_columns,
    count_header_rows,
    drop_empty_rows,
    blank_merged,
    caption_rows,
    trailing_caption_rows,
    heading_level,
    is_bare_number,
    is_running_heading,
    is_amount_cell,
    is_context_line,
    is_data_line,
    is_title_line,
    join_broken,
    join_title_lines,
    norm_cell,
    remap_boxes,
    pull_overflow,
    rejoin_split_numbers,
    remap_row,
    split_level_row,
    split_number,
    spread_header_labels,
    text_columns,
    title_part,
    unit_of,
    words_to_boxes,
    words_to_cells,
    words_to_lines,
)

# A line of a sentence (its punctuation, a unit in the text) is no row of a table continued onto its page
_PROSE_LINE = re.compile(r"万元|。|[\u4e00-\u9fff]，|，[\u4e00-\u9fff]")

# A cover page has a handful of characters (department, year); it feeds metadata, not prose.
_COVER_CHARS = 80


@dataclass
class PageTable:
    """One table region on one page, as a filled grid with its geometry."""

    page: int
    bbox: tuple[float, float, float, float]
    rows: list[list[str]]
    header_rows: int
    col_lefts: list[float]
    col_rights: list[float]
    ruled: bool = True
    boxes: list[list[Box | None]] = field(default_factory=list)  # per row, per cell
    spans_known: bool = False  # header labels spread over their columns by position (unruled)


@dataclass
class _Open:
    """The table being assembled (it may continue on the next pages)."""

    raw: RawTable
    header_rows: int
    col_lefts: list[float]
    col_rights: list[float]
    last_page: int
    header_cells: set[str] = field(default_factory=set)


def read_pdf(path: Path) -> Document:
    """Parse a budget / final-account PDF. Raises an IngestError subclass naming the file."""
    return parse_pdf(path)[0]


def parse_pdf(path: Path) -> tuple[Document, list[RawTable]]:
    """The Document and the table grids it was rebuilt from (one pass over the PDF)."""
    path = Path(path)
    data = _read_bytes(path)
    raws, paragraphs, meta_lines, n_pages, stats = _open_pages(path)
    if stats.text_chars == 0:
        raise _unreadable_error(path.name, stats)
    if not any(_has_figures(r) for r in raws):
        raise NotABudgetDocument(path.name, "no budget tables found (no ruled or aligned table with figures)",
                                 "give a 部门预算/部门决算 disclosure PDF")
    doc = Document(
        file=path.name,
        sha256=hashlib.sha256(data).hexdigest(),
        department=None, year=None, kind=None, scope=None,
        pages=n_pages,
        paragraphs=paragraphs,
        tables=[],
        source_format="pdf",
        ocr_pages=stats.ocr_pages,
    )
    _rebuild(doc, raws, meta_lines)
    return doc, raws


def _read_bytes(path: Path) -> bytes:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CorruptFile(path.name, f"cannot read file: {exc.strerror or exc}", "check the path and permissions") from exc
    if not data:
        raise EmptyFile(path.name, "empty file (0 bytes)", "download the PDF again")
    if not data.lstrip()[:5].startswith(b"%PDF"):
        raise CorruptFile(path.name, "not a PDF (no %PDF header)", "give a PDF file or a text conversion")
    return data


def _open_pages(path: Path):
    import pdfplumber
    from pdfplumber.utils.exceptions import PdfminerException

    try:
        pdf = pdfplumber.open(path)
    except PdfminerException as exc:
        inner = exc.args[0] if exc.args else exc
        if "Password" in type(inner).__name__ or "Encrypt" in type(inner).__name__:
            raise EncryptedFile(path.name, "encrypted PDF (password required)", "save an unprotected copy first") from exc
        raise CorruptFile(path.name, f"corrupt PDF ({type(inner).__name__})", "download the PDF again") from exc
    except Exception as exc:  # pdfminer raises many kinds on broken files
        raise CorruptFile(path.name, f"corrupt PDF ({type(exc).__name__})", "download the PDF again") from exc
    try:
        with pdf:
            return _read_pages(pdf)
    except PdfminerException as exc:
        raise CorruptFile(path.name, f"corrupt PDF page ({exc})", "download the PDF again") from exc


@dataclass
class _Reading:
    """What the pages gave: characters read (text layer or OCR), and which pages needed OCR."""

    text_chars: int = 0
    image_pages: int = 0  # pages with no readable text layer but an image on them
    ocr_pages: list[int] = field(default_factory=list)
    ocr_error: str | None = None


def _page_words(page, number: int, reading: _Reading) -> tuple[list[dict], list | None]:
    """The page's words from its text layer; from OCR when it has none it can read (image-only
    pages, (cid:…) codes). Returns (words, the image's vertical rules when read by OCR, else None)."""
    words = page.extract_words()
    if words and not unreadable(words):
        return words, None
    if not words and not page.images:
        return [], None  # blank page (putuo-finance p14): nothing to read, a table may go on after it
    reading.image_pages += 1
    try:
        words, rules = ocr_page(page)
    except OCRUnavailable as exc:
        reading.ocr_error = str(exc)
        return [], None
    if words:
        reading.ocr_pages.append(number)
    return words, rules


def _unreadable_error(name: str, reading: _Reading) -> ScannedPDF:
    """The true reason a PDF gave no text: no OCR to read its images, or nothing legible on them."""
    if reading.ocr_error:
        return ScannedPDF(name, f"scanned PDF without a readable text layer, and OCR is unavailable ({reading.ocr_error})",
                          "pip install rapidocr-onnxruntime, then ingest it again")
    if reading.image_pages:
        return ScannedPDF(name, f"image-only PDF: OCR found no legible text on its {reading.image_pages} page(s)",
                          "give a sharper scan (at least 150 dpi) or the original PDF")
    return ScannedPDF(name, "PDF without any text or images (blank pages)", "give the disclosure PDF itself")


def _read_pages(pdf) -> tuple[list[RawTable], list[Paragraph], list[str], int, _Reading]:
    builder = _Assembler()
    reading = _Reading()
    for number, page in enumerate(pdf.pages, 1):
        words, rules = _page_words(page, number, reading)
        if not words:
            page.close()  # pdfplumber caches each page's objects until closed: 1.6 MB a page otherwise
            continue
        reading.text_chars += sum(len(w["text"]) for w in words)
        lines = join_title_lines(words_to_lines(words, number))
        # An OCR'd page has no ruling to trust (the text layer, if any, is unreadable): its table
        # structure comes from the OCR boxes.
        tables = (None if rules is not None else _ruled_tables(page, number, lines)) or _text_tables(
            lines, number, rules if rules is not None else _vector_rules(page))
        cover = number == 1 and not tables and sum(len(ln.text) for ln in lines) < _COVER_CHARS
        builder.add_page(number, lines, tables, cover)
        page.close()
    return builder.raws, builder.paragraphs, builder.meta_lines, len(pdf.pages), reading


# ---------------------------------------------------------------- tables on one page


def _ruled_tables(page, number: int, lines: list[Line]) -> list[PageTable]:
    out = []
    for t in page.find_tables():
        texts = t.extract()
        boxes = [list(r.cells) for r in t.rows]
        rejoin_split_numbers(texts, boxes, [w for ln in lines for w in ln.words])
        keep = drop_empty_rows(texts)
        texts = [texts[i] for i in keep]
        boxes = [boxes[i] for i in keep]
        row_tops = [t.rows[i].bbox[1] for i in keep]
        # A caption drawn inside the frame stays out of the grid: its lines are read as the lines
        # above the table (title, number, 部门：…, 单位：…).
        normed = [[norm_cell(c) if c else "" for c in r] for r in texts]
        skip = caption_rows(normed) if texts else 0
        if skip >= len(texts):
            skip = 0
        tail = trailing_caption_rows(normed[skip:]) if texts else 0
        bbox = t.bbox
        if tail:  # the next table's caption: left as lines below this grid, read as the next title
            bbox = (bbox[0], bbox[1], bbox[2], row_tops[len(texts) - tail])
            texts, boxes = texts[:len(texts) - tail], boxes[:len(boxes) - tail]
        if skip:
            bbox = (bbox[0], row_tops[skip], bbox[2], bbox[3])
            texts, boxes = texts[skip:], boxes[skip:]
        if len(texts) < 2 or max(len(r) for r in texts) < 2:
            # a framed paragraph, a table of contents, or one prose line whose words are boxed
            # (iText sets each run of text on a filled rectangle): not a grid
            continue
        if count_header_rows(texts) == len(texts) and _figures_below(lines, bbox) or _stacked_figures(texts):
            # Only the header is ruled (the body has vertical rules alone, Hunan debt tables): the
            # grid misses the figures' rows, so the page is read as an unruled table instead.
            continue
        boxes = [[tuple(b) if b is not None else None for b in r] for r in boxes]
        rows = split_level_row(pull_overflow(blank_merged(texts)), boxes)
        lefts = sorted({round(b[0], 2) for r in boxes for b in r if b is not None})
        rights = lefts[1:] + [bbox[2]]
        if len(lefts) != len(rows[0]):  # geometry we cannot trust: spread evenly
            step = (bbox[2] - bbox[0]) / len(rows[0])
            lefts = [bbox[0] + i * step for i in range(len(rows[0]))]
            rights = lefts[1:] + [bbox[2]]
        pt = PageTable(number, bbox, rows, count_header_rows(rows), lefts, rights, boxes=boxes)
        for ln in lines:
            mid = (ln.top + ln.bottom) / 2
            if bbox[1] <= mid <= bbox[3] and ln.x1 > bbox[0] and ln.x0 < bbox[2]:
                ln.used = True
        out.append(pt)
    return out


def _stacked_figures(texts: list[list[str | None]]) -> bool:
    """A grid cell holding a column of figures, one per printed line: the rows were never ruled."""
    return any(sum(1 for part in (c or "").split("\n") if is_amount_cell(part.strip())) >= 3 for r in texts for c in r)


def _figures_below(lines: list[Line], bbox) -> bool:
    below = [ln for ln in lines if ln.top >= bbox[3] - 1]
    return len(below) >= 2 and all(is_data_line(ln) for ln in below[:2])


def _vector_rules(page) -> list[tuple[float, float, float]]:
    """Vertical rules drawn on a text page (thin tall rectangles and lines) as (x, top, bottom)."""
    out = []
    for r in list(page.rects) + list(page.lines):
        if r["x1"] - r["x0"] <= 3 and r["bottom"] - r["top"] >= 15:
            out.append(((r["x0"] + r["x1"]) / 2, r["top"], r["bottom"]))
    return out


def _text_tables(lines: list[Line], number: int, rules: list | None = None) -> list[PageTable]:
    """Fallback for unruled tables: a title line, then lines of figures clustered into columns
    (or split at the vertical rules drawn in a scanned page's image)."""
    out = []
    i = 0
    while i < len(lines):
        if not is_title_line(lines[i].text):
            i += 1
            continue
        j = i + 1
        while j < len(lines) and not is_data_line(lines[j]) and not is_title_line(lines[j].text) and j - i < 8:
            j += 1
        start = j
        while j < len(lines) and is_data_line(lines[j]):
            j += 1
        data = lines[start:j]
        if len(data) < 2:
            i += 1
            continue
        header = [ln for ln in lines[i + 1:start] if not is_context_line(ln.text)]
        lefts, rights = ruled_columns(rules, data) or text_columns(data, header)
        if len(lefts) < 2:
            i = j
            continue
        head_boxes = [words_to_boxes(ln.words, lefts, rights, header=True) for ln in header]
        rows = spread_header_labels([words_to_cells(ln.words, lefts, rights, header=True) for ln in header],
                                    head_boxes, lefts, rights)
        rows += [words_to_cells(ln.words, lefts, rights) for ln in data]
        boxes = head_boxes + [words_to_boxes(ln.words, lefts, rights) for ln in data]
        for ln in header + data:
            ln.used = True
        top = (header or data)[0].top - 0.5
        bbox = (min(ln.x0 for ln in data), top, max(ln.x1 for ln in data), data[-1].bottom)
        out.append(PageTable(number, bbox, rows, len(header), lefts, rights, ruled=False, boxes=boxes,
                             spans_known=bool(header)))
        i = j
    return out


# ---------------------------------------------------------------- assembling the document


class _Assembler:
    """Walks pages in order: joins continued tables, finds titles and units, collects prose."""

    def __init__(self) -> None:
        self.raws: list[RawTable] = []
        self.paragraphs: list[Paragraph] = []
        self.meta_lines: list[str] = []
        self.heading_path: list[str] = []
        self.open: _Open | None = None
        self._para: list[str] = []
        self._para_page: int | None = None
        self._right = 0.0

    def add_page(self, number: int, lines: list[Line], tables: list[PageTable], cover: bool) -> None:
        self.meta_lines.extend(ln.text for ln in lines[:12] if not ln.used)
        tables = sorted(tables, key=lambda t: t.bbox[1])
        events: list[tuple[float, int, object]] = []
        boundary = 0.0
        for k, pt in enumerate(tables):
            region = [ln for ln in lines if not ln.used and ln.bottom <= pt.bbox[1] + 1 and ln.top >= boundary - 1]
            nxt = tables[k + 1].bbox[1] if k + 1 < len(tables) else float("inf")
            below = [ln for ln in lines if not ln.used and ln.top >= pt.bbox[3] - 1 and ln.bottom <= nxt + 1]
            raw = self._place(pt, region, below, first_on_page=(k == 0))
            if raw is not None:
                events.append((pt.bbox[1], 1, raw))
            boundary = pt.bbox[3]
        if not tables and self.open is not None:
            self._continue_unruled(self.open, lines, number)
        if not tables and any(not ln.used and not PAGE_NUMBER.match(ln.text) for ln in lines):
            self.open = None  # prose between: a title-less table on a later page starts afresh
        if cover:
            return
        self._right = max((ln.x1 for ln in lines), default=0.0)
        for ln in lines:
            if not ln.used:
                events.append((ln.top, 0, ln))
        for _, kind, item in sorted(events, key=lambda e: (e[0], e[1])):
            if kind == 1:
                self._flush()
                item.heading = self.heading_path[-1] if self.heading_path else None
            else:
                self._prose(item, number)
        self._flush()  # paragraphs end at the page: a citation names one page

    # -- tables

    def _place(self, pt: PageTable, region: list[Line], below: list[Line], first_on_page: bool) -> RawTable | None:
        title_at = max((i for i, ln in enumerate(region) if is_title_line(title_part(ln.text))), default=None)
        prev = self.open
        if prev is not None and first_on_page and pt.page > prev.last_page:
            if title_at is None:
                self._continue(prev, pt, region, below)
                return None
            if _continues(title_part(region[title_at].text), prev.raw.title) or _repeats(pt, region[title_at], prev):
                # The title printed again over the next page's part (…情况表（续）): one table.
                rest = region[title_at + 1:]
                for ln in region[title_at:]:
                    ln.used = ln.used or ln is region[title_at] or is_context_line(ln.text)
                self._continue(prev, pt, [ln for ln in rest if not ln.used], below)
                return None
        return self._start(pt, region, below, title_at)

    def _start(self, pt: PageTable, region: list[Line], below: list[Line], title_at: int | None) -> RawTable:
        title_lines: list[Line] = []
        if title_at is not None:
            title_lines = [region[title_at]]
            above = region[title_at - 1] if title_at else None
            if above is not None and _continues_title(above, region[title_at]):
                title_lines.insert(0, above)
        context = region[title_at + 1:] if title_at is not None else [ln for ln in region if is_context_line(ln.text)]
        # A number on its own line right above the title (公开02表 / 收入总表) is the table's number.
        number_lines = [ln for ln in region[max(0, title_at - 2):title_at] if is_bare_number(ln.text)] if title_at else []
        for ln in title_lines + context + number_lines:
            ln.used = True
        title = title_part("".join(ln.text for ln in title_lines))
        number, title = split_number(title)
        ctx_text = [ln.text for ln in context]
        unit = next((u for u in map(unit_of, ctx_text + [ln.text for ln in title_lines]) if u), None)
        number = number or next((split_number(t.replace(" ", ""))[0] for t in [ln.text for ln in number_lines] + ctx_text
                                 if is_bare_number(t)), None)
        rows = list(pt.rows)
        pages = [pt.page] * len(rows)
        boxes = list(pt.boxes)
        rows, pages, boxes = self._recover_below(pt, below, rows, pages, boxes)
        raw = RawTable(title=title, rows=rows, row_pages=pages, raw_lines=["\t".join(r) for r in rows],
                       number=number, unit_line=unit, context=ctx_text, header_rows=pt.header_rows,
                       row_boxes=boxes, header_spans_known=pt.spans_known)
        self.raws.append(raw)
        header_cells = {c for r in rows[:pt.header_rows] for c in r if c}
        self.open = _Open(raw, pt.header_rows, pt.col_lefts, pt.col_rights, pt.page, header_cells)
        return raw

    def _continue(self, prev: _Open, pt: PageTable, region: list[Line], below: list[Line]) -> None:
        mapping = align_columns(pt.col_lefts, pt.col_rights, prev.col_lefts, prev.col_rights)
        width = len(prev.col_lefts)
        rows: list[list[str]] = []
        pages: list[int] = []
        boxes: list[list[Box | None]] = []
        # Rows above the ruled grid: extract_tables drops a continuation page's first row when its
        # top rule is missing; the text layer still has it.
        above, above_boxes = [], []
        for ln in region:
            cells = _row_cells(ln, pt.col_lefts, pt.col_rights)
            if cells is not None:
                above.append(cells)
                above_boxes.append(words_to_boxes(ln.words, pt.col_lefts, pt.col_rights))
                ln.used = True
        dropping = True
        for r, b in zip(above + pt.rows, above_boxes + pt.boxes):
            # A repeated header: every label already in the first page's header rows.
            if dropping and not any(r) or dropping and all(c in prev.header_cells for c in r if c):
                continue
            dropping = False
            rows.append(r)
            pages.append(pt.page)
            boxes.append(b)
        rows, pages, boxes = self._recover_below(pt, below, rows, pages, boxes)
        if any(len(r) != width for r in rows) or mapping != list(range(width)):
            rows = [remap_row(r, mapping, width) for r in rows]
            boxes = [remap_boxes(b, mapping, width) for b in boxes]
        prev.raw.rows.extend(rows)
        prev.raw.row_pages.extend(pages)
        prev.raw.row_boxes.extend(boxes)
        prev.raw.raw_lines.extend("\t".join(r) for r in rows)
        prev.last_page = pt.page

    @staticmethod
    def _continue_unruled(prev: _Open, lines: list[Line], number: int) -> None:
        """A page holding only a table's last row(s), too few for a ruled grid: read its leading
        data lines with the open table's columns."""
        rows = []
        furniture = []
        for k, ln in enumerate(lines):
            if PAGE_NUMBER.match(ln.text):
                continue
            # a sentence is no table row (「省检察院 2018 年财政拨款预算支出 21,940.96 万元，」 atop a 说明 page)
            prose = bool(_PROSE_LINE.search(ln.text))
            cells = None if is_title_line(ln.text) or prose else _row_cells(ln, prev.col_lefts, prev.col_rights)
            if cells is None and not rows and k < 2 and _is_page_furniture(ln):
                furniture.append(ln)  # the running header (无锡市信访局2025年度部门预算公开), a header word
                continue
            if cells is None:
                break
            if not all(c in prev.header_cells for c in cells if c):  # a repeated header is no row
                rows.append(cells)
                prev.raw.row_boxes.append(words_to_boxes(ln.words, prev.col_lefts, prev.col_rights))
            ln.used = True
        if rows:
            for ln in furniture:  # part of the page's table, not prose: the table goes on
                ln.used = True
            prev.raw.rows.extend(rows)
            prev.raw.row_pages.extend([number] * len(rows))
            prev.raw.raw_lines.extend("\t".join(r) for r in rows)
            prev.last_page = number

    @staticmethod
    def _recover_below(pt: PageTable, below: list[Line], rows, pages, boxes):
        """Data lines right under the grid (its bottom rule missing) are rows too."""
        for ln in below:
            if not is_data_line(ln) or len(ln.words) < 2:
                break
            rows = rows + [words_to_cells(ln.words, pt.col_lefts, pt.col_rights)]
            pages = pages + [pt.page]
            boxes = boxes + [words_to_boxes(ln.words, pt.col_lefts, pt.col_rights)]
            ln.used = True
        return rows, pages, boxes

    # -- prose

    def _prose(self, line: Line, page: int) -> None:
        text = line.text
        if PAGE_NUMBER.match(text) or "……" in text or "…………" in text or "...." in text:
            return
        # A line running to the right margin is body text that happens to start with （一）.
        full_width = line.x1 >= self._right - 2 * (line.bottom - line.top)
        level = heading_level(text)
        if level and full_width:
            level = None
        if level is not None:
            self._flush()
            self.heading_path = self.heading_path[:level] + [""] * (level - len(self.heading_path)) + [text]
            self.heading_path = [h for h in self.heading_path if h]
            return
        if not self._para:
            self._para_page = page
        self._para.append(text)
        if text.endswith(("。", "！", "？")):
            self._flush()

    def _flush(self) -> None:
        if self._para:
            self.paragraphs.append(Paragraph(text=join_broken(self._para), page=self._para_page,
                                             heading_path=list(self.heading_path)))
        self._para = []


def ruled_columns(rules: list | None, data: list[Line]) -> tuple[list[float], list[float]] | None:
    """Column spans between the vertical rules that run down the whole of a table's data lines."""
    if not rules or not data:
        return None
    top, bottom = data[0].top, data[-1].bottom
    xs = sorted(x for x, r_top, r_bottom in rules if r_top <= top + 2 and r_bottom >= bottom - 2)
    xs = [x for k, x in enumerate(xs) if k == 0 or x - xs[k - 1] > 3]  # a rule drawn twice
    if len(xs) < 2:
        return None
    # Rules only between the columns (no frame): the words outside the outer rules are columns too.
    x0, x1 = min(ln.x0 for ln in data), max(ln.x1 for ln in data)
    if x0 < xs[0] - 2:
        xs = [x0 - 1] + xs
    if x1 > xs[-1] + 2:
        xs = xs + [x1 + 1]
    if len(xs) < 3:
        return None
    return xs[:-1], xs[1:]


def _is_page_furniture(line: Line) -> bool:
    """A short line of one field at a page's top that is neither row, title nor heading."""
    t = line.text.replace(" ", "")
    return (len(t) <= 40 and len(line.words) <= 2 and not is_data_line(line) and not is_title_line(t)
            and heading_level(t) is None and not any(p in t for p in "。，；："))


def _row_cells(line: Line, lefts: list[float], rights: list[float]) -> list[str] | None:
    """A text line as a table row, when its words sit inside the table and in two columns or more
    (a page number or a running header sits in one)."""
    if PAGE_NUMBER.match(line.text) or line.x0 < lefts[0] - 5 or line.x1 > rights[-1] + 5:
        return None
    if is_running_heading(line) or is_title_line(title_part(line.text)) or is_context_line(line.text):
        return None
    cells = words_to_cells(line.words, lefts, rights)
    return cells if sum(1 for c in cells if c) >= 2 else None


_CONTINUED = re.compile(r"[（(]续[）)]$|续表$|^续表")


def _continues(title: str, open_title: str) -> bool:
    """A title that says the open table goes on: （续）, 续表. The same title alone does not: 绩效
    forms print one per project under one title."""
    return bool(open_title) and bool(_CONTINUED.search(split_number(title)[1].replace(" ", "")))


def _repeats(pt: PageTable, title: Line, prev: _Open) -> bool:
    """The same title over the same header on the next page (Hunan prints no （续）): one table.
    绩效 forms are excluded: they print one form per project under one title."""
    t = split_number(title_part(title.text))[1].replace(" ", "")
    if not t or t != prev.raw.title.replace(" ", "") or "绩效" in t or not pt.header_rows:
        return False
    return all(c in prev.header_cells for r in pt.rows[:pt.header_rows] for c in r if c)


def _continues_title(above: Line, title: Line) -> bool:
    """A title broken over two lines: a short line right above, itself neither title nor label."""
    t = above.text
    gap = title.top - above.bottom
    return (
        gap < 0.8 * (title.bottom - title.top)
        and len(t) <= 30
        and not is_title_line(t)
        and not is_context_line(t)
        and heading_level(t) is None
        and not any(p in t for p in "。：:，；")
    )


def _has_figures(raw: RawTable) -> bool:
    return sum(1 for r in raw.rows for c in r[1:] if is_amount_cell(c)) >= 2


def _rebuild(doc: Document, raws: list[RawTable], meta_lines: list[str]) -> None:
    """Hand the grids to the table builder and the metadata detector."""
    meta = detect_meta(meta_lines, doc.file)
    doc.department, doc.year, doc.kind, doc.scope = meta.department, meta.year, meta.kind, meta.scope
    for index, raw in enumerate(raws):
        doc.tables.extend(build_tables(raw, index, doc.kind))
    ocr = set(doc.ocr_pages)
    for row in (r for t in doc.tables for r in t.rows if r.page in ocr):
        row.ocr = True
