"""Grids as Word and Excel exports draw them, mended into the printed table before it is rebuilt.

Their ruling splits one printed cell into several grid cells: a label wrapped over grid rows, a
label one grid column off its figures, figures one grid row off their names, or a printed column's
totals and items in two grid columns. Pure steps over cell strings, used by `general.py`.
"""

from __future__ import annotations

import re

from budgetqa.ingest.tables.cells import CJK

_CJK_RE = re.compile(rf"[{CJK}]")
# A label that stands on its own under a group: never the tail of a wrapped one.
_WHOLE_LABEL = re.compile(
    r"^(合计|小计|总计|金额|数额|.{0,2}数|预算|决算|收入|支出|备注|其他|单位|年度|计划|执行|结转|结余|调整|增减|变动|比例"
    r"|本年.*|上年.*|其中.*|[一二三四五六七八九十]+、.*|\d+)$"
)


def join_wrapped_labels(rows: list[list[str]], width: int, whole: re.Pattern | None = None) -> list[list[str]]:
    """A label wrapped inside one header cell that the ruling split over two rows (单位预留机动经 │ 费,
    公务接 │ 待费) is one label again. The upper part heads no columns to its right (it is no group),
    and the lower part is a short tail, not a label of its own (a tail of one or two characters,
    费 / 待费, is never a sub-label, whatever stands beside it)."""
    rows = [list(r) for r in rows]
    for c in range(width):
        i = 0
        while i < len(rows) - 1:
            a = rows[i][c]
            j = next((k for k in range(i + 1, len(rows)) if rows[k][c]), None)
            b = rows[j][c] if j is not None else ""
            # a tail that opens with a bracket (因公出国 │ （境）费) is never a sub-label of its own
            bracketed = b.startswith(("（", "("))
            if not a or not _is_tail(b, whole) or len(b) > 2 and not bracketed and _spans_right(rows, i, c, width):
                i += 1
                continue
            rows[i][c], rows[j][c] = a + b, ""  # and the joined label may wrap on: 公务用车 │ 运行维护 │ 费
    return rows


def _is_tail(text: str, whole: re.Pattern | None) -> bool:
    """Up to four characters, CJK among them, and no label of its own (合计, 预算, 项目 …)."""
    return (0 < len(text) <= 4 and bool(_CJK_RE.search(text)) and not _WHOLE_LABEL.match(text)
            and not (whole is not None and whole.match(text)))


def _spans_right(rows: list[list[str]], i: int, c: int, width: int) -> bool:
    """Row i's label at column c is a group: printed again beside it (spread by the reader), or the
    blank cells right of it head labels below."""
    if any(0 <= j < width and rows[i][j] == rows[i][c] for j in (c - 1, c + 1)):
        return True
    k = c + 1
    while k < width and not rows[i][k]:
        if any(r[k] for r in rows[:i]):
            break  # a column whose label starts higher up is another stack (公务用车 │ 运行维护 │ 费), not ours
        if any(r[k] for r in rows[i + 1:]):
            return True
        k += 1
    return False


def shift_orphan_labels(header: list[list[str]], body: list[list[str]], values: list[int]) -> list[list[str]]:
    """Labels drawn one or two grid columns off their figures go onto them.

    Word tables split a printed column into several grid columns: the label lands in one (金额 over
    an empty column) and the figures in its neighbour (whose own cell in that header row is blank).
    A value column without a single figure hands its labels to the nearest figure column within
    two that has no label in those rows (and is no column of its own where k is under a group).
    """
    width = len(header[0]) if header else 0
    filled = {c for c in range(width) if any(c < len(r) and r[c] for r in body)}
    out = [list(r) for r in header]
    for k in values:
        if k in filled:
            continue
        mine = [i for i, r in enumerate(out) if r[k] and not re.fullmatch(r"\d{1,2}", r[k])]
        if not mine:
            continue
        targets = [m for d in (1, 2) for m in (k + 1, k - 1) if 0 <= m < width and m in values and m in filled
                   and abs(m - k) == d and all(not out[i][m] for i in mine)
                   and not any(out[r][m] and _covered_from_left(out[r], k) for r in range(len(out)))]
        if targets:
            m = targets[0]
            for i in mine:
                out[i][m], out[i][k] = out[i][k], ""
    return out


def _covered_from_left(row: list[str], k: int) -> bool:
    """Column k sits under a group label printed to its left in this header row (blanks between):
    its labels belong to that group, not to the neighbour's own column."""
    j = k
    while j > 0 and not row[j]:
        j -= 1
    return j < k and bool(row[j])


def mend_split_grid(body: list[list[str]], boxes: list[list], values: list[int], labels: list[int],
                    paths: list[str]) -> tuple[list[list[str]], list[list], list[int]]:
    """Undo two splits of Word grids, where one printed cell became two grid cells.

    - Figures of one printed column in two grid columns (totals in one, items in the next): an
      unlabelled value column whose figures never share a row with its labelled neighbour's joins it.
    - A row's figures one grid row below its code and name (301 工资福利支出 │ then │ 10,204.52): a
      row of figures alone, under (else over) a named row without any, is that row.
    """
    body = [list(r) for r in body]
    boxes = [list(b) + [None] * (len(r) - len(b)) for r, b in zip(body, boxes)] + [[None] * len(r) for r in body[len(boxes):]]
    values = list(values)
    for c in list(values):
        for m in (c - 1, c + 1):
            if paths[c] or m not in values or not paths[m]:
                continue
            if any(r[c] and r[m] for r in body) or not any(r[c] for r in body):
                continue
            for r, b in zip(body, boxes):
                if r[c]:
                    r[m], r[c], b[m], b[c] = r[c], "", b[c], None
            values.remove(c)
            break
    for i in range(1, len(body)):
        row, above = body[i], body[i - 1]
        if any(row[c] for c in labels) or not any(row[c] for c in values):
            continue
        if not any(above[c] for c in labels) or any(above[c] for c in values):
            continue
        for c in values:
            above[c], row[c], boxes[i - 1][c], boxes[i][c] = row[c], "", boxes[i][c], None
    for i in range(len(body) - 1):  # the figures printed one grid row above their label instead
        row, below = body[i], body[i + 1]
        if any(row[c] for c in labels) or not any(row[c] for c in values):
            continue
        if not any(below[c] for c in labels) or any(below[c] for c in values):
            continue
        for c in values:
            below[c], row[c], boxes[i + 1][c], boxes[i][c] = row[c], "", boxes[i][c], None
    return body, boxes, values


# How a wrapped row label ends once whole: the tail completes one of these (一般公共预 │ 算,
# 九、医疗卫生与计划生育 │ 支出, 三、单位预留机动 │ 经费); a head that already ends so is whole.
_LABEL_ENDS = ("支出", "收入", "预算", "资金", "经费", "拨款", "结余", "结转", "补助", "费")
_BODY_TAIL = re.compile(rf"^[{CJK}]{{1,4}}$")
_NOT_TAIL = re.compile(r"^(合计|小计|总计|其中.*|[一二三四五六七八九十]+、.*)$")


def join_wrapped_rows(body: list[list[str]], boxes: list[list], labels: list[int], values: list[int]) -> None:
    """A row label that Word wrapped over grid rows (「1.一般公共预」, its figure a grid row lower,
    then 「算」) is one row again: the tail goes onto the head's label, the figures onto its row.

    Only over the given label and figure columns (one side, one column group of a 收入|支出 table,
    whose rows interleave with the other's), and only when the joined label ends as a row label
    does (…支出, …预算, …资金, …经费) and the head alone does not. In place.
    """
    def label(i: int) -> str:
        return "".join(body[i][c] for c in labels if body[i][c])

    def has_figures(i: int) -> bool:
        return any(body[i][c] for c in values)

    for i in range(len(body)):
        head = label(i)
        if not head or head.endswith(_LABEL_ENDS):
            continue
        k = i + 1
        while k < len(body) and k - i <= 2 and not label(k):
            k += 1  # the grid rows the wrapped cell spans, its figure perhaps on one of them
        between = list(range(i + 1, k))
        if k >= len(body) or k - i > 2:
            continue
        tail = label(k)
        if not _BODY_TAIL.match(tail) or _NOT_TAIL.match(tail) or not (head + tail).endswith(_LABEL_ENDS):
            continue
        sources = [r for r in [*between, k] if has_figures(r)]
        if len(sources) > 1 or (sources and has_figures(i)):
            continue  # figures on two of the rows: two printed rows, not one wrapped
        at = max(c for c in labels if body[i][c])
        body[i][at] += tail
        for c in labels:
            body[k][c] = ""
        for r in sources:
            for c in values:
                body[i][c], body[r][c] = body[r][c], ""
                if c < len(boxes[i]) and c < len(boxes[r]):
                    boxes[i][c], boxes[r][c] = boxes[r][c], None
