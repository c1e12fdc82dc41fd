"""Pure layout steps for the PDF reader: words → lines, ruled cells → filled grids, title/unit lines.

Each step is a small function over plain data (word dicts, bboxes, cell strings), so it can be
tested without opening a PDF. `ingest/pdf.py` chains them per page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from budgetqa.ingest.numbers import clean_cell, try_amount
from budgetqa.ingest.units import UNIT_LINE

_CJK = "\u2e80-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef“”‘’"
_CJK_GAP = re.compile(rf"(?<=[{_CJK}]) +(?=[{_CJK}])")
_CJK_CHAR = re.compile(rf"[{_CJK}]")

UNIT_RE = UNIT_LINE  # the table's unit line (ingest/units.py)
# Printed table numbers, every template's form: 公开03表, 公开表3, 预算01表, 预算表3, 附表2, 表4-1, 表五,
# 表十一, and whole-government numbering such as 2.1 / 3.19 before the title.
_CN_DIGITS = "一二三四五六七八九十"
NUMBER_RE = re.compile(
    rf"^(公开\s*表?\s*\d+\s*表?|预算\s*\d+\s*表|预算表\s*\d+|附表\s*[\d{_CN_DIGITS}]+(?:-\d+)?"
    rf"|表\s*(?:\d+(?:-\d+)?|[{_CN_DIGITS}]+)|[1-9]\d?\.\d{{1,2}}(?=\s*20\d\d年|\s*[\u4e00-\u9fff]))\s*[：:、.．]?\s*"
)
SUBJECT_CODE = re.compile(r"^\d{3}(\d{2}){0,2}$")
PAGE_NUMBER = re.compile(r"^[-—\s]*(第\s*)?\d{1,3}(\s*页)?[-—\s]*$")
HEADING_RE = [
    re.compile(r"^第[一二三四五六七八九十]+部分"),
    re.compile(r"^[一二三四五六七八九十]+、"),
    re.compile(r"^[（(][一二三四五六七八九十]+[）)]"),
]
# Header lines around a table: whose table it is (部门：… / 部门（单位）：… / 单位名称：…) and its number.
_CONTEXT_LABEL = r"(编制部门|编制单位|单位名称|部门名称|部门（单位）名称|部门\(单位\)名称|部门（单位）|部门\(单位\)|部门|预算单位|填报单位)\s*[：:]"
_CONTEXT_RE = re.compile(rf"^{_CONTEXT_LABEL}")
_CONTEXT_ANYWHERE = re.compile(_CONTEXT_LABEL)


def squeeze_cjk(text: str) -> str:
    """Drop blanks between CJK characters: wide letter spacing and word splits leave them."""
    return _CJK_GAP.sub("", text)


def join_broken(parts: list[str]) -> str:
    """Join pieces of wrapped text: no blank where either side is CJK, one blank otherwise."""
    out = ""
    for part in (p.strip() for p in parts):
        if not part:
            continue
        if out and not (_CJK_CHAR.match(out[-1]) or _CJK_CHAR.match(part[0])):
            out += " "
        out += part
    return out


def norm_cell(text: str | None) -> str:
    """A cell as the table builder wants it: no wrap breaks, no CJK letter spacing."""
    if text is None:
        return ""
    return squeeze_cjk(join_broken(clean_cell(text).split("\n")))


@dataclass
class Line:
    """One printed line of a page: words sharing a vertical band, left to right."""

    words: list[dict]
    page: int
    top: float = 0.0
    bottom: float = 0.0
    x0: float = 0.0
    x1: float = 0.0
    text: str = ""
    used: bool = field(default=False, compare=False)  # taken by a table (title, unit, rows)

    def finish(self) -> "Line":
        self.words.sort(key=lambda w: w["x0"])
        self.top = min(w["top"] for w in self.words)
        self.bottom = max(w["bottom"] for w in self.words)
        self.x0 = min(w["x0"] for w in self.words)
        self.x1 = max(w["x1"] for w in self.words)
        # A wide gap (more than two character widths) separates fields, e.g. 编制部门：… 单位：元;
        # a narrow one is letter spacing or a word split, dropped between CJK characters.
        parts = [self.words[0]["text"]]
        for a, b in zip(self.words, self.words[1:]):
            wide = b["x0"] - a["x1"] > 2 * (b["bottom"] - b["top"])
            parts.append("\t" if wide else " ")
            parts.append(b["text"])
        self.text = squeeze_cjk("".join(parts)).replace("\t", " ").strip()
        return self


def words_to_lines(words: list[dict], page: int) -> list[Line]:
    """Group words into lines by vertical overlap, so raised quotes and superscript-like
    year digits (普陀 “三公” titles, "2024" set in another font) stay on their line."""
    lines: list[Line] = []
    for w in sorted(words, key=lambda w: (w["top"], w["x0"])):
        h = w["bottom"] - w["top"]
        best, best_overlap = None, 0.0
        for line in lines[-4:]:
            top = min(x["top"] for x in line.words)
            bottom = max(x["bottom"] for x in line.words)
            overlap = min(bottom, w["bottom"]) - max(top, w["top"])
            if overlap > 0.5 * min(h, bottom - top) and overlap > best_overlap:
                best, best_overlap = line, overlap
        if best is None:
            lines.append(Line([w], page))
        else:
            best.words.append(w)
    return sorted((ln.finish() for ln in lines), key=lambda ln: (ln.top, ln.x0))


_TITLE_END = re.compile(r"表\s*(?:[（(][^（()）]{0,20}[）)])?$")


def join_title_lines(lines: list[Line]) -> list[Line]:
    """A title wrapped over two printed lines becomes one line: 「公开09表：一般公共预算“三公”经费、会议费、
    培训费」 over 「支出预算表」, or 「…支出明细表（按支出功能分类科」 over 「目-不含上年结转）」. The first part
    is numbered or leaves a bracket open, and only the two together read as a whole title."""
    out: list[Line] = []
    for ln in lines:
        prev = out[-1] if out else None
        if prev is not None and _wraps_title(prev, ln):
            out[-1] = Line(prev.words + ln.words, ln.page).finish()
            out[-1].text = prev.text + ln.text  # the two halves meet without a blank
            continue
        out.append(ln)
    return out


def _wraps_title(first: Line, second: Line) -> bool:
    a, b = first.text.replace(" ", ""), second.text.replace(" ", "")
    height = max(first.bottom - first.top, second.bottom - second.top)
    if second.top - first.bottom > 0.8 * height or second.top < first.bottom - 1 or len(b) > 30:
        return False
    if _TITLE_END.search(a) or is_context_line(a) or is_context_line(b) or NUMBER_RE.match(b) or unit_of(a):
        return False
    open_bracket = a.count("（") + a.count("(") > a.count("）") + a.count(")")
    if not (open_bracket or NUMBER_RE.match(a)):
        return False
    return is_title_line(a + b) and not any(is_amount_cell(w["text"]) for w in second.words)


# ---------------------------------------------------------------- grids from ruled cells


def blank_merged(texts: list[list[str | None]]) -> list[list[str]]:
    """Cell strings as the text conversions print them: a merged cell's label once, '' elsewhere.

    pdfplumber gives `None` for positions covered by a merged cell; `ingest/tables.py` fills
    labels across sub-headers itself, and repeating them here would turn header rows such as
    合计 │ 合计 │ 因公出国（境）费 into look-alike total rows.
    """
    return [[norm_cell(c) for c in row] for row in texts]


def is_amount_cell(text: str) -> bool:
    return try_amount(text) is not None


def is_numbering_row(cells: list[str]) -> bool:
    """The columns' numbers under the header (1 │ 2 │ … │ 12; ** over the label columns): no data."""
    nums = [c for c in cells if c and not re.fullmatch(r"[*＊]+", c)]
    if len(nums) < 3 or not all(re.fullmatch(r"\d{1,2}", c) for c in nums):
        return False
    ints = [int(c) for c in nums]
    return ints == list(range(ints[0], ints[0] + len(ints))) and ints[0] <= 1


def is_data_row(row: list[str | None]) -> bool:
    """A row that carries figures or a subject code, not column labels."""
    cells = [norm_cell(c) for c in row]
    if any("栏次" in c for c in cells) or is_numbering_row(cells):
        return False
    first = next((c for c in cells if c), "")
    if SUBJECT_CODE.match(first):
        return True
    if first in ("合计", "总计") and row[0] is not None and all(c == "" for c in row[1:] if c is not None):
        return True  # an empty total row (本表无数据), not a label row
    return any(is_amount_cell(c) for c in cells[1:])


def count_header_rows(rows: list[list[str | None]]) -> int:
    for i, row in enumerate(rows):
        if is_data_row(row):
            return i
    return len(rows)


_LEVELS = ("类", "款", "项")


def split_level_row(rows: list[list[str]], boxes: list | None = None) -> list[list[str]]:
    """Split a row that starts with the 类/款/项 labels and also carries the 合计 figures.

    Some templates draw no rule between the last header row (类 款 项) and the 合计 row, so
    pdfplumber returns one row holding both; the labels go to a header row of their own.
    """
    for i, row in enumerate(rows):
        k = 0
        while k < len(row) and k < 3 and row[k] == _LEVELS[k]:
            k += 1
        if k >= 2 and any(is_amount_cell(c) for c in row[k:]):
            header = list(row[:k]) + [""] * (len(row) - k)
            data = [""] * k + list(row[k:])
            if boxes is not None:  # both halves sit in the one printed row
                boxes.insert(i, boxes[i])
            return rows[:i] + [header, data] + rows[i + 1:]
    return rows


_FRAGMENT = re.compile(r"[-\d,.]+")


def rejoin_split_numbers(texts: list[list[str | None]], boxes: list[list], words: list[dict]) -> None:
    """A number the ruling cut in two (267.8 │ 0 where the page prints one word 267.80) is one
    cell again, in the cell under the word's middle. In place, on the grid's texts and boxes."""
    by_text: dict[str, list[dict]] = {}
    for w in words:
        by_text.setdefault(w["text"], []).append(w)
    for row, row_boxes in zip(texts, boxes):
        cells = [(k, b) for k, b in enumerate(row_boxes) if b is not None and row[k]]
        for (k, a), (m, b) in zip(cells, cells[1:]):
            left, right = (row[k] or "").strip(), (row[m] or "").strip()
            joined = left + right
            if joined not in by_text or not (_FRAGMENT.fullmatch(left) and _FRAGMENT.fullmatch(right)):
                continue
            mid = (a[1] + a[3]) / 2
            word = next((w for w in by_text[joined] if w["top"] <= mid <= w["bottom"]
                         and w["x0"] < a[2] and w["x1"] > b[0]), None)
            if word is None or try_amount(joined) is None:
                continue
            keep, drop = (k, m) if (word["x0"] + word["x1"]) / 2 < a[2] else (m, k)
            row[keep], row[drop] = joined, ""
            row_boxes[keep] = union_box([a, b])


_FIGURE_CHAR = re.compile(r"[\d.,\-]")


def pull_overflow(rows: list[list[str]]) -> list[list[str]]:
    """Label text that runs past its cell into the figure's (Excel prints 「(3)对个人和家庭的补助」 over
    its neighbour: the figure cell reads 「助0.00」, or 「算0的.0项0目」 where the characters interleave)
    goes back to the label; the figure cell keeps its figure."""
    out = [list(r) for r in rows]
    for row in out:
        for k in range(1, len(row)):
            t = row[k]
            if not t or is_amount_cell(t) or not _CJK_CHAR.search(t):
                continue
            digits = "".join(ch for ch in t if _FIGURE_CHAR.match(ch))
            rest = "".join(ch for ch in t if not _FIGURE_CHAR.match(ch) and not ch.isspace())
            first_cjk = next(i for i, ch in enumerate(t) if _CJK_CHAR.match(ch))
            last_digit = max((i for i, ch in enumerate(t) if ch.isdigit()), default=-1)
            if "." not in digits or try_amount(digits) is None or first_cjk > last_digit:
                continue  # 736.81万元, =0.5万元: a unit after the figure is the figure's own
            left = next((j for j in range(k - 1, -1, -1) if row[j]), None)
            if left is None or not _CJK_CHAR.search(row[left]) or is_amount_cell(row[left]):
                continue
            row[left], row[k] = row[left] + rest, digits
    return out


def drop_empty_rows(rows: list[list[str | None]]) -> list[int]:
    """Indexes of rows with some text of their own (rows of only '' / None are rule slivers)."""
    return [i for i, row in enumerate(rows) if any(norm_cell(c) for c in row if c is not None)]


def align_columns(src_lefts: list[float], src_rights: list[float], dst_lefts: list[float],
                  dst_rights: list[float]) -> list[int]:
    """For each source column, the destination column it belongs to (by x overlap).

    A continuation page may draw fewer columns (a code spanning 类/款/项); a source column goes to
    the leftmost destination column it mostly covers, else to the one with the widest overlap.
    """
    mapping = []
    for sl, sr in zip(src_lefts, src_rights):
        best, best_ov = 0, -1.0
        chosen = None
        for j, (dl, dr) in enumerate(zip(dst_lefts, dst_rights)):
            ov = min(sr, dr) - max(sl, dl)
            if chosen is None and ov > 0.5 * min(sr - sl, dr - dl):
                chosen = j
            if ov > best_ov:
                best, best_ov = j, ov
        mapping.append(chosen if chosen is not None else best)
    return mapping


def remap_row(row: list[str], mapping: list[int], width: int) -> list[str]:
    out = [""] * width
    for text, j in zip(row, mapping):
        if text:
            out[j] = (out[j] + " " + text).strip() if out[j] else text
    return out


Box = tuple[float, float, float, float]  # x0, top, x1, bottom in PDF points


def _by_column(words: list[dict], col_lefts: list[float], col_rights: list[float],
               header: bool = False) -> list[list[dict]]:
    """A text line's words per column, by their centre x. A header word is a group label centred
    over the columns it heads (2023年债务限额 over A=B+C │ B │ C): it goes to the first column it
    covers a good part of, so the group fills right from there."""
    cols: list[list[dict]] = [[] for _ in col_lefts]
    for w in sorted(words, key=lambda w: w["x0"]):
        cx = (w["x0"] + w["x1"]) / 2
        j = next((i for i, (l, r) in enumerate(zip(col_lefts, col_rights)) if l <= cx < r), None)
        width = w["x1"] - w["x0"]
        if header and j is not None and width > 0:
            j = next((i for i, (l, r) in enumerate(zip(col_lefts, col_rights))
                      if min(r, w["x1"]) - max(l, w["x0"]) >= 0.3 * width), j)
        if j is None:
            j = min(range(len(col_lefts)), key=lambda i: min(abs(cx - col_lefts[i]), abs(cx - col_rights[i])))
        cols[j].append(w)
    return cols


def words_to_cells(words: list[dict], col_lefts: list[float], col_rights: list[float], header: bool = False) -> list[str]:
    """Place a text line's words into columns by their centre x (for rows the ruling missed)."""
    return [norm_cell(" ".join(w["text"] for w in c)) for c in _by_column(words, col_lefts, col_rights, header)]


def words_to_boxes(words: list[dict], col_lefts: list[float], col_rights: list[float],
                   header: bool = False) -> list[Box | None]:
    """The box each cell's words cover, column by column as `words_to_cells` places them."""
    return [union_box([(w["x0"], w["top"], w["x1"], w["bottom"]) for w in c])
            for c in _by_column(words, col_lefts, col_rights, header)]


def spread_header_labels(rows: list[list[str]], boxes: list[list[Box | None]], col_lefts: list[float],
                         col_rights: list[float]) -> list[list[str]]:
    """An unruled header's labels over every column they head. A label is centred over its group
    (2023年债务限额 over A=B+C │ B │ C; 一般公共预算支出 over 小计 │ 其中：基本支出 │ 项目支出), so it spans
    the run of columns, between its row's other labels, whose middle is nearest its own; a run wider
    than its own column needs a label below in each of its columns (the group's sub-headers), and of
    runs centred alike the widest wins."""
    out = [list(r) for r in rows]
    for i, (row, row_boxes) in enumerate(zip(out, boxes)):
        labels = [c for c, t in enumerate(row) if t]
        below = [any(r[j] for r in rows[i + 1:]) for j in range(len(row))]
        for n, c in enumerate(labels):
            box = row_boxes[c] if c < len(row_boxes) else None
            if box is None:
                continue
            centre = (box[0] + box[2]) / 2
            lo = labels[n - 1] + 1 if n else 0
            hi = labels[n + 1] if n + 1 < len(labels) else len(row)
            runs = [(a, k) for a in range(lo, c + 1) for k in range(c, hi)
                    if a == k == c or all(below[j] for j in range(a, k + 1))]

            def off(run: tuple[int, int]) -> float:
                return abs(centre - (col_lefts[run[0]] + col_rights[run[1]]) / 2)

            best = min(off(r) for r in runs)
            a, k = max((r for r in runs if off(r) <= best + max(6.0, 0.08 * (col_rights[r[1]] - col_lefts[r[0]]))),
                       key=lambda r: (r[1] - r[0], -off(r)))
            for j in range(a, k + 1):
                row[j] = row[c]
    return out


def union_box(boxes: list[Box | None]) -> Box | None:
    boxes = [b for b in boxes if b is not None]
    if not boxes:
        return None
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def remap_boxes(boxes: list[Box | None], mapping: list[int], width: int) -> list[Box | None]:
    """`remap_row` for a row's cell boxes: boxes landing in one column are joined."""
    out: list[list[Box | None]] = [[] for _ in range(width)]
    for box, j in zip(boxes, mapping):
        out[j].append(box)
    return [union_box(b) for b in out]


def _merge_spans(spans: list[list[float]]) -> list[list[float]]:
    merged: list[list[float]] = []
    for s in sorted(spans):
        if merged and s[0] <= merged[-1][1] + 2:
            merged[-1][1] = max(merged[-1][1], s[1])
        else:
            merged.append(list(s))
    return merged


def text_columns(data: list[Line], header: list[Line] = ()) -> tuple[list[float], list[float]]:
    """Column spans for an unruled table: the x intervals its data words cover, plus header words
    standing over no data at all (a column that is empty in every row)."""
    spans = _merge_spans([[w["x0"], w["x1"]] for ln in data for w in ln.words])
    extra = [[w["x0"], w["x1"]] for ln in header for w in ln.words
             if not any(w["x0"] < s[1] and w["x1"] > s[0] for s in spans)]
    merged = _merge_spans(spans + extra)
    # Columns meet half-way between the printed spans, so header words land in the nearest one.
    rights = [(merged[i][1] + merged[i + 1][0]) / 2 for i in range(len(merged) - 1)] + [merged[-1][1] + 50]
    lefts = [merged[0][0] - 50] + rights[:-1]
    return lefts, rights


# ---------------------------------------------------------------- lines around a table


def is_data_line(line: Line) -> bool:
    """A printed line that reads as a table row: a subject code or a figure after a label."""
    texts = [w["text"] for w in line.words]
    if len(texts) < 2 or is_title_line(title_part(line.text)) or is_context_line(line.text):
        return False  # 公开 04 表：… has a number in it, and is the next table's title
    if SUBJECT_CODE.match(texts[0]):
        return True
    if is_running_heading(line):
        return False
    return any(is_amount_cell(t) for t in texts[1:]) and not PAGE_NUMBER.match(line.text)


def is_running_heading(line: Line) -> bool:
    """A page heading such as 「上海市普陀区财政局 2024 年度部门决算」: its only figure is a year
    (a number followed by 年), so it is no table row, whatever columns its words fall into."""
    texts = [w["text"] for w in line.words]
    figures = [i for i, t in enumerate(texts) if is_amount_cell(t)]
    return bool(figures) and all(
        re.fullmatch(r"(19|20)\d\d", texts[i]) and i + 1 < len(texts) and texts[i + 1].startswith("年")
        for i in figures
    )


def unit_of(text: str) -> str | None:
    m = UNIT_RE.search(text.replace(" ", ""))
    return m.group(0) if m else None


def is_title_line(text: str) -> bool:
    t = text.replace(" ", "")
    if not t or len(t) > 60 or unit_of(t) or _CONTEXT_RE.match(t) or t.startswith(("注", "说明")):
        return False
    if NUMBER_RE.match(t):
        return len(NUMBER_RE.sub("", t)) >= 4  # 表 1：…总表 is a title; a bare 公开04表 is not
    # …表, …表（续）, and a qualifier after it: …情况表（按功能分类科目）, …预算表（一般公共预算）.
    return bool(re.search(r"表\s*(?:[（(][^（()）]{0,20}[）)])?$", t)) and "。" not in t


def is_context_line(text: str) -> bool:
    t = text.replace(" ", "")
    return bool(_CONTEXT_RE.search(t)) or bool(unit_of(t)) or is_bare_number(t)


def is_bare_number(text: str) -> bool:
    """A table number printed on a line of its own (公开02表, 表一, 预算01表)."""
    number, rest = split_number(text.replace(" ", ""))
    return number is not None and not rest and not re.fullmatch(r"\d+\.\d+", number)


def title_part(text: str) -> str:
    """The printed title of a line that may run on into its header fields: 「收支预算总表部门：中共江苏省委
    办公厅单位：万元」 → 「收支预算总表」 (the fields are the table's metadata, never its title)."""
    # A bare page or sheet number printed on the title's line (「43 湖南省2023年…情况表」) is not
    # part of the title; a year (「2023 年…」) is.
    text = re.sub(r"^\s*\d{1,3}\s+(?=[^\d\s年月])", "", text)
    compact = text.replace(" ", "")
    cuts = [m.start() for rx in (UNIT_RE, _CONTEXT_ANYWHERE) for m in [rx.search(compact)] if m]
    return compact[: min(cuts)].strip() if cuts else text


def _is_caption_row(row: list[str]) -> bool:
    cells = [c for c in row if c]
    if not cells or len(cells) > 4:
        return False
    parts = [p for c in cells for p in c.split("\n") if p.strip()]
    joined = "".join(parts).replace(" ", "")
    if any(is_amount_cell(p) for p in parts):
        return False
    # Each line a caption line, or the row read as one line: 部门： │ 江苏省人民检察院 │ 单位：万元,
    # 公开02 │ 表：收入预算总表.
    return all(is_title_line(title_part(p)) or is_context_line(p) for p in parts) or bool(
        _CONTEXT_RE.match(joined) or (len(cells) > 1 and is_title_line(title_part(joined)))
    )


def caption_rows(rows: list[list[str]]) -> int:
    """Leading rows of a ruled grid that are its caption, drawn inside the frame: the title, the
    number, 部门：… and 单位：… (Beijing, Jiangsu). They belong above the table, not in its header."""
    n = 0
    while n < len(rows) and _is_caption_row(rows[n]):
        n += 1
    return n


def trailing_caption_rows(rows: list[list[str]]) -> int:
    """Rows at the foot of a grid that caption the next table (Word frames that run on: the
    next table's 「公开02表：收入预算总表」 and 部门 line drawn inside this one's frame)."""
    n = 0
    while n < len(rows) - 1 and _is_caption_row(rows[len(rows) - 1 - n]):
        n += 1
    if n and not any(is_title_line(title_part("".join(c for c in r if c))) or is_bare_number("".join(c for c in r if c))
                     for r in rows[len(rows) - n:]):
        return 0  # a 部门 / 单位 line alone at the foot is a footnote-like line, not a caption
    return n


def split_number(title: str) -> tuple[str | None, str]:
    """`表 1：高等学校收支决算总表` → ("表1", "高等学校收支决算总表")."""
    t = title.strip()
    m = NUMBER_RE.match(t.replace(" ", ""))
    if not m:
        return None, t
    return m.group(1).replace(" ", ""), t.replace(" ", "")[m.end():]


def heading_level(text: str) -> int | None:
    t = text.strip()
    if len(t) > 40 or t.endswith(("。", "；", "，")):
        return None
    for level, rx in enumerate(HEADING_RE):
        if rx.match(t):
            return level
    return None
