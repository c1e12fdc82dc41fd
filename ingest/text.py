"""Read the text conversions: tab-separated grids between prose, markdown headings, <b> markup.

A table is a run of tab lines; blank lines inside it are page breaks (the table goes on), a prose
line (注：…, the next title) ends it, and a title printed as a tab line (项目支出绩效自评表│││) starts
a new one. The title, number, unit and 部门 lines just above a grid (or peeled off its top rows)
become the RawTable's title / number / unit_line / context.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from budgetqa.ingest.classify import STANDARD_KINDS
from budgetqa.ingest.errors import CorruptFile, EmptyFile, NotABudgetDocument
from budgetqa.ingest.meta import detect_meta
from budgetqa.ingest.models import Document, Paragraph, RawTable, Table
from budgetqa.ingest.numbers import clean_cell
from budgetqa.ingest.tables import CJK as _CJK, build_tables, squeeze

_NUMBER = re.compile(r"(公开\s*\d+\s*表|预算表\s*\d+|^表\s*\d+)")
_CONTEXT = re.compile(
    r"^(部门|预算单位|部门名称|单位名称|编制部门|编制单位|部门（单位）名称|金额单位|单位)\s*[：:]|^公开\s*\d+\s*表|^预算表\s*\d+$|^[(（]?\s*20\d\d\s*年度?\s*[)）]?$"
)
_TOC = re.compile(r"\.{4,}|…{2,}")
_HEADING_LEVELS = [
    (re.compile(r"^第[一二三四五六七八九十]+部分"), 1),
    (re.compile(r"^[一二三四五六七八九十]+、"), 2),
    (re.compile(r"^[（(][一二三四五六七八九十]+[)）]"), 3),
]
_CJK_GAP = re.compile(rf"(?<=[{_CJK}])[ \u3000]+(?=[{_CJK}])")
_SENTENCE_END = re.compile(r"[。；;！？!?：:）)]$")


def decode(data: bytes, file: str) -> str:
    """UTF-8, else GB18030 (GBK conversions); anything else is a corrupt file."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    for enc in ("utf-8", "gb18030"):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if text.count("\x00") > len(text) // 100 + 1:
            break
        return text
    raise CorruptFile(file, "not a text file in UTF-8 or GBK", "convert it to UTF-8 text or give the PDF")


def read_text(path: Path) -> Document:
    """Parse one text conversion into a Document."""
    path = Path(path)
    data = path.read_bytes()
    if not data.strip():
        raise EmptyFile(path.name, "the file is empty", "check the conversion")
    doc = parse_text(decode(data, path.name), path.name)
    doc.sha256 = hashlib.sha256(data).hexdigest()
    return doc


def _cells(line: str) -> list[str]:
    return line.split("\t")


def _is_tab_line(line: str) -> bool:
    return "\t" in line and any(c.strip() for c in _cells(line)) and not _TOC.search(line)


def _heading_level(line: str) -> tuple[int, str] | None:
    text = squeeze(re.sub(r"^#+\s*", "", line))
    for pattern, level in _HEADING_LEVELS:
        if pattern.match(text) and len(text) <= 45 and "。" not in text:
            return level, text
    if line.lstrip().startswith("#") and text:
        return 4, text
    return None


def _title_tab_line(cells: list[str]) -> bool:
    """A tab line that is only a title (and maybe 公开01表 / 单位): 项目支出绩效自评表│││."""
    ne = [squeeze(c) for c in cells if c.strip()]
    if not ne or not re.search(r"表|绩效", ne[0]) or len(ne[0]) > 45 or _CONTEXT.match(ne[0]):
        return False
    return all(_NUMBER.search(c) or _CONTEXT.match(c) or "单位" in c for c in ne[1:])


def _context_tab_line(cells: list[str]) -> bool:
    ne = [squeeze(c) for c in cells if c.strip()]
    return bool(ne) and all(_CONTEXT.match(c) or _NUMBER.search(c) for c in ne)


def _blocks(lines: list[str]) -> list[tuple[int, int]]:
    """(start, end) line ranges of tab-line runs; blank lines inside a run are page breaks."""
    blocks, i, n = [], 0, len(lines)
    while i < n:
        if not _is_tab_line(lines[i]):
            i += 1
            continue
        start = end = i
        j = i + 1
        while j < n:
            if _is_tab_line(lines[j]):
                end = j
            elif lines[j].strip():
                break
            j += 1
        blocks.append((start, end + 1))
        i = end + 1
    return blocks


def _is_toc(block: list[str]) -> bool:
    """A table of contents (一、收入支出决算总表.....│5): entries and page numbers only."""
    rows = [[c.strip() for c in line.split("\t") if c.strip()] for line in block if line.strip()]
    entries = [r for r in rows if len(r) == 2 and re.fullmatch(r"\d{1,3}", r[1])]
    return bool(rows) and len(entries) >= 0.6 * len(rows)


def _segments(lines: list[str], start: int, end: int) -> list[list[int]]:
    """Split a block at title tab lines and at a second 项目名称 row (a new 绩效 form)."""
    segs: list[list[int]] = []
    cur: list[int] = []
    seen_project = False
    for k in range(start, end):
        if not _is_tab_line(lines[k]):
            continue
        cells = _cells(lines[k])
        first = next((squeeze(c) for c in cells if c.strip()), "")
        is_title = _title_tab_line(cells)
        new_project = first == "项目名称" and seen_project
        if cur and (is_title and any(not _title_tab_line(_cells(lines[x])) and not _context_tab_line(_cells(lines[x])) for x in cur) or new_project):
            segs.append(cur)
            cur, seen_project = [], False
        if first == "项目名称":
            seen_project = True
        cur.append(k)
    if cur:
        segs.append(cur)
    return segs


def _look_back(lines: list[str], start: int, stop: int) -> tuple[str | None, list[str]]:
    """Title and context lines just above a grid (back to the previous table or note)."""
    context: list[str] = []
    title = None
    fallback = None
    k = start - 1
    while k >= stop and k >= start - 14:
        text = squeeze(re.sub(r"^#+\s*", "", lines[k]))
        k -= 1
        if not text:
            continue
        if text.startswith(("注", "说明", "备注")) or _TOC.search(text):
            break
        if _CONTEXT.match(text) or _NUMBER.fullmatch(text.replace(" ", "")):
            context.insert(0, text)
            continue
        if re.search(r"表|绩效", text) and len(text) <= 45:
            title = re.sub(r"^[一二三四五六七八九十]+、", "", text)
            break
        if fallback is None and len(text) <= 45 and "。" not in text:
            fallback = text
        if len(text) > 45:
            break
    return title or fallback, context


def _raw_table(lines: list[str], seg: list[int], prev_end: int, heading: str | None, inherited: str | None) -> RawTable:
    rows_idx = list(seg)
    title, context = _look_back(lines, seg[0], prev_end)
    if inherited and (title is None or seg[0] <= prev_end):
        title = inherited
    # Peel title / context tab lines off the top of the grid.
    while rows_idx:
        cells = _cells(lines[rows_idx[0]])
        if _title_tab_line(cells):
            ne = [squeeze(c) for c in cells if c.strip()]
            title = re.sub(r"^[一二三四五六七八九十]+、", "", ne[0])
            context.extend(ne[1:])
        elif _context_tab_line(cells):
            context.extend(squeeze(c) for c in cells if c.strip())
        else:
            break
        rows_idx.pop(0)
    number = None
    for text in [title or "", *context]:
        m = _NUMBER.search(text.replace(" ", ""))
        if m:
            number = m.group(1)
            break
    unit_line = next((c for c in context if re.search(r"单位\s*[：:]\s*(万元|元|亿元)", c)), None)
    return RawTable(
        title=title or heading or "",
        rows=[_cells(lines[k]) for k in rows_idx if not re.fullmatch(r"[-\s\t|│]+", lines[k])],
        row_pages=[None for k in rows_idx if not re.fullmatch(r"[-\s\t|│]+", lines[k])],  # type: ignore[misc]
        raw_lines=[lines[k] for k in rows_idx if not re.fullmatch(r"[-\s\t|│]+", lines[k])],
        row_lines=[k + 1 for k in rows_idx if not re.fullmatch(r"[-\s\t|│]+", lines[k])],
        number=number,
        unit_line=unit_line,
        context=context,
        heading=heading,
    )


def _paragraphs(lines: list[str], table_lines: set[int]) -> tuple[list[Paragraph], dict[int, str | None]]:
    """Prose with heading paths; also the heading in force at every line (for table headings)."""
    path: dict[int, str] = {}
    paragraphs: list[Paragraph] = []
    heading_at: dict[int, str | None] = {}
    buf: list[str] = []

    def flush():
        if buf:
            text = buf[0]
            for part in buf[1:]:  # a line broken mid-sentence: no space between CJK, else one
                joined = re.match(rf"[{_CJK}]", text[-1:]) and re.match(rf"[{_CJK}]", part[:1])
                text += ("" if joined else " ") + part
            paragraphs.append(Paragraph(text=text, page=None, heading_path=[path[k] for k in sorted(path)]))
            buf.clear()

    for k, line in enumerate(lines):
        heading_at[k] = path[max(path)] if path else None
        if k in table_lines or not line.strip():
            if k in table_lines:
                flush()
            continue
        h = _heading_level(line)
        if h:
            flush()
            level, text = h
            for lv in [lv for lv in path if lv >= level]:
                del path[lv]
            path[level] = text
            continue
        # Prose keeps its spacing around numbers (quotes are matched as printed); only words
        # broken inside (收 入) are joined.
        text = _CJK_GAP.sub("", clean_cell(line.replace("\t", " "))).strip()
        text = re.sub(r"^[-*]\s+", "", text)
        if not text:
            continue
        if buf and _SENTENCE_END.search(buf[-1]):
            flush()
        buf.append(text)
    flush()
    return paragraphs, heading_at


def _is_continuation(title: str) -> bool:
    """预算表10续一 / 续表: the rest of the previous table after a page break."""
    t = re.sub(r"\s", "", title or "")
    return "续" in t and len(t) <= 12


def _append(target: RawTable, more: RawTable) -> None:
    target.rows.extend(more.rows)
    target.row_pages.extend(more.row_pages)
    target.raw_lines.extend(more.raw_lines)
    target.row_lines.extend(more.row_lines)


def parse_text(text: str, file: str) -> Document:
    """Parse the text of one conversion; raises NotABudgetDocument when it holds no budget table."""
    if not text.strip():
        raise EmptyFile(file, "the file is empty", "check the conversion")
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    meta = detect_meta(lines, file)
    blocks = _blocks(lines)
    table_lines = {k for s, e in blocks for k in range(s, e)}
    paragraphs, heading_at = _paragraphs(lines, table_lines)
    raws: list[RawTable] = []
    prev_end = 0
    for start, end in blocks:
        if _is_toc(lines[start:end]):
            continue
        inherited = None
        for seg in _segments(lines, start, end):
            raw = _raw_table(lines, seg, prev_end if seg[0] == start else seg[0], heading_at.get(seg[0]), inherited)
            inherited = raw.title
            if not raw.rows:
                continue
            if raws and _is_continuation(raw.title):
                _append(raws[-1], raw)
            else:
                raws.append(raw)
        prev_end = end
    tables: list[Table] = []
    for index, raw in enumerate(raws):
        tables.extend(build_tables(raw, index, meta.kind))
    standard = {k for ks in STANDARD_KINDS.values() for k in ks}
    if not any(t.kind in standard for t in tables):
        raise NotABudgetDocument(file, "no budget or final-account table found", "is this a 部门预算/决算 disclosure?")
    return Document(
        file=file,
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        department=meta.department,
        year=meta.year,
        kind=meta.kind,  # type: ignore[arg-type]
        scope=meta.scope,  # type: ignore[arg-type]
        pages=None,
        paragraphs=paragraphs,
        tables=tables,
        source_format="text",
    )
