"""General tables rebuilt from printed grids: header paths, column roles, sides, column groups, rows.

A chain of small pure steps behind `build_general`:
split_header → column_roles → realign_header → shift_orphan_labels → flatten_header →
mend_split_grid → (two-sided split | column groups | plain) → rows. The grid repairs live in
`mend.py`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from decimal import Decimal

from budgetqa.ingest.models import Row, Table
from budgetqa.ingest.numbers import is_blank
from budgetqa.ingest.tables.cells import CJK, is_amount_cell, parse_cell
from budgetqa.ingest.tables.codes import CodeCompleter, code_digits, level_of, split_joined
from budgetqa.ingest.tables.context import BuildContext
from budgetqa.ingest.tables.mend import join_wrapped_labels, join_wrapped_rows, mend_split_grid, shift_orphan_labels

_TOTAL = re.compile(r"^(合计|总计|小计|本年收入合计|本年支出合计|收入总计|支出总计|.{0,6}经费合计)$")
_LABEL_HEADER = re.compile(
    r"^(项目|项目名称|科目名称|.*科目名称|.*编码|.*代码|类|款|项|行次|栏次|序号|.*名称|类型\d*|项目单位|一级项目|二级项目)$"
)
_CODE_HEADER = re.compile(r"(编码|代码)$|^(类|款|项)$")
# Group labels over the two sides of a 收入|支出 table (收入 / 本年收入 / 财政拨款收入 …).
_SIDE_IN = re.compile(r"^(本年|财政拨款)?收入(合计)?$")
_SIDE_OUT = re.compile(r"^(本年|财政拨款)?支出(合计)?$")
_TOTAL_IN = re.compile(r"^收入(总计|合计)$")
_TOTAL_OUT = re.compile(r"^支出(总计|合计)$")
_ROWNO_HEADER = re.compile(r"^(行次|行|行号|序号)$")


# ---------------------------------------------------------------- header rows


def _is_rowno_row(row: list[str]) -> bool:
    """A 栏次 row (栏次 │ 1 │ 2 …) or a bare column-numbering row (1 │ 2 │ … │ 12, with ** over the
    label columns in Zhejiang)."""
    cells = [c for c in row if c and not re.fullmatch(r"[*＊]+", c)]
    if any(c.replace(" ", "") == "栏次" for c in cells):
        return True
    nums = [c for c in cells if re.fullmatch(r"\d{1,2}", c)]
    if len(cells) >= 3 and len(nums) == len(cells):
        ints = [int(c) for c in nums]
        return ints == list(range(ints[0], ints[0] + len(ints)))
    return False


def _is_data_row(row: list[str]) -> bool:
    if _is_rowno_row(row):
        return False
    cells = [c for c in row if c]
    if not cells:
        return False
    if any(is_amount_cell(c) and not re.fullmatch(r"\d{1,2}", c) for c in cells):
        return True
    if any(len(code_digits(c) or "") in (3, 5, 7) for c in cells):
        return True
    # A total row (合计 │││) has no other words; a header row may print 本年收入合计 among labels.
    return bool(_TOTAL.match(cells[0])) and all(is_amount_cell(c) or is_blank(c) for c in cells[1:])


def split_header(grid: list[list[str]]) -> int:
    """Number of header rows: everything above the first data row."""
    for i, row in enumerate(grid):
        if _is_data_row(row):
            return i
    return len(grid)


def header_text(grid: list[list[str]], n_head: int | None = None) -> str:
    n = split_header(grid) if n_head is None else n_head
    return " ".join(c for row in grid[: max(n, 1) + 2] for c in row if c)


# ---------------------------------------------------------------- column roles


@dataclass
class Roles:
    code: list[int]
    rowno: list[int]
    name: list[int]
    value: list[int]


def _header_words(header: list[list[str]], c: int) -> list[str]:
    return [r[c] for r in header if c < len(r) and r[c] and r[c] != "栏次"]


def column_roles(header: list[list[str]], body: list[list[str]]) -> Roles:
    """Decide per column: code (科目编码/类款项), row number (行次/序号), name, or value."""
    width = len(body[0]) if body else (len(header[0]) if header else 0)
    roles = Roles([], [], [], [])
    for c in range(width):
        words = _header_words([r for r in header if not _is_rowno_row(r)] + [_labels_only(r) for r in header if _is_rowno_row(r)], c)
        last = words[-1] if words else ""
        cells = [r[c] for r in body if r[c]]
        n_amount = sum(1 for x in cells if is_amount_cell(x))
        n_code = sum(1 for x in cells if len(code_digits(x) or "") in (3, 5, 7))
        n_text = sum(1 for x in cells if re.search(rf"[{CJK}]", x) and not is_amount_cell(x))
        # whole-yuan figures (12240) look like codes: by its cells alone, only a column without a
        # figure's label (合计, 2021年) is a code column
        unlabelled = not last or bool(_LABEL_HEADER.match(last))
        if any(_ROWNO_HEADER.match(w) for w in words) or _counts_rows(cells, first=c == 0):
            roles.rowno.append(c)
        elif any(_CODE_HEADER.search(w) for w in words) and n_text <= max(1, len(cells) // 4) or (
            n_code >= 2 and n_code + 2 >= len(cells) and not any("." in x for x in cells) and unlabelled
        ):
            roles.code.append(c)
        elif n_text and last and _LABEL_HEADER.match(last):
            roles.name.append(c)  # 类型1 │ 311 / 311-专项业务支出: a label column despite its numbers
        elif n_amount and n_text <= n_amount:
            roles.value.append(c)  # a few text cells (≥500人次, 100%) in a number column
        elif n_text:
            roles.name.append(c)
        elif last and _LABEL_HEADER.match(last):
            roles.name.append(c)
        elif words:
            roles.value.append(c)
    return roles


def _counts_rows(cells: list[str], first: bool = False) -> bool:
    """1, 2, 3 … down a column: a row-number column even when its header is cut or missing (the
    first column may count from 1 over as few as three rows)."""
    if len(cells) < (3 if first else 5) or not all(re.fullmatch(r"\d{1,3}", x) for x in cells):
        return False
    ints = [int(x) for x in cells]
    if len(cells) < 5 and ints[0] != 1:
        return False
    return all(b == a + 1 for a, b in zip(ints, ints[1:]))


def _labels_only(row: list[str]) -> list[str]:
    """A 栏次 row keeps its words (类 款 项) but loses the numbering."""
    return ["" if (c == "栏次" or re.fullmatch(r"\d{1,2}", c)) else c for c in row]


def realign_header(header: list[list[str]], roles: Roles) -> list[list[str]]:
    """Move value labels printed one column off (over the name column) onto the value columns.

    yanbian-industry's 收入决算表 prints 本年收入合计 … 其他收入 one cell left of their numbers.
    """
    out = []
    for row in header:
        row = list(row)
        labels = [(c, t) for c, t in enumerate(row) if t and not _LABEL_HEADER.match(t) and not re.fullmatch(r"\d{1,2}", t)]
        off = [c for c, _ in labels if c in roles.name or c in roles.code]
        if off and len(labels) == len(roles.value) and len(labels) > 1:
            for c, _ in labels:
                row[c] = ""
            for c, (_, t) in zip(roles.value, labels):
                row[c] = t
        out.append(row)
    return out


def flatten_header(header: list[list[str]], width: int, values: list[int] | None = None,
                   fill: bool = True) -> list[str]:
    """Column paths from stacked header rows; merged cells filled right where sub-headers exist.

    `values`: the figure columns. A label over the name columns (地区, 项目) is never filled onto them.
    `fill=False`: the reader already spread each label over its columns (unruled tables).
    """
    rows = [_labels_only(r) if _is_rowno_row(r) else list(r) for r in header]
    rows = [(r + [""] * width)[:width] for r in rows if any(r)]
    rows = join_wrapped_labels(rows, width, _LABEL_HEADER)
    figure = set(values) if values is not None else set(range(width))
    for i, row in enumerate(rows[:-1] if fill else []):
        below = rows[i + 1 :]
        current, start, names = "", -1, False
        for c in range(width):
            if row[c]:
                current, start, names = row[c], c, False
            elif current and any(b[c] for b in below) and (start in figure or c not in figure):
                row[c] = current
                names = names or c not in figure
            elif (names and values is not None and c not in figure and not any(b[c] for b in rows)
                  and not any(b[start] for b in below)):
                # a group of names and figures (功能分类: 功能科目名称 │ 金额) labelled in a grid column
                # of its own runs on over the empty grid columns Word draws between them
                continue
            else:
                current = ""
    paths = []
    for c in range(width):
        segs: list[str] = []
        for r in rows:
            if r[c] and r[c] not in segs:
                segs.append(r[c])
        paths.append("/".join(segs))
    return paths


# ---------------------------------------------------------------- rows


_LEVEL_WORDS = {"类": 0, "款": 1, "项": 2}


def _second_classification(cells: list[str], roles_code: list[int], roles_name: list[int],
                           paths: list[str]) -> tuple[list[int], list[int], dict[str, str]]:
    """Two classifications side by side (部门经济分类 类│款│名称 beside 政府经济分类 类│款│名称, Yantai):
    the row is coded by the first; the second's code and name are kept as the row's text."""
    runs: list[list[int]] = []
    for c in roles_code:
        if runs and c == runs[-1][-1] + 1:
            runs[-1].append(c)
        else:
            runs.append([c])
    if len(runs) < 2 or not any(runs[0][-1] < n < runs[1][0] for n in roles_name):
        return roles_code, roles_name, {}
    first_code = runs[0]
    first_names = [n for n in roles_name if n < runs[1][0]]
    rest_names = [n for n in roles_name if n > runs[1][0]]
    second = " ".join(cells[c] for c in [c for run in runs[1:] for c in run] + rest_names if cells[c])
    key = paths[rest_names[0]] if rest_names and paths[rest_names[0]] else "第二分类"
    return first_code, first_names, ({key: second} if second else {})


def _code_and_name(cells: list[str], roles_code: list[int], roles_name: list[int], paths: list[str],
                   completer: CodeCompleter | None = None) -> tuple[str | None, str, dict[str, str]]:
    roles_code, roles_name, second = _second_classification(cells, roles_code, roles_name, paths)
    code_parts: list[tuple[int | None, str]] = []
    extra_name = []
    for c in roles_code:
        t = cells[c]
        if not t:
            continue
        digits = code_digits(t)
        if digits is not None:
            code_parts.append((_LEVEL_WORDS.get((paths[c] or "").split("/")[-1]), digits))
        else:
            joined, rest = split_joined(t)
            if joined:
                code_parts.append((None, joined))
            extra_name.append(rest if joined else t)
    names = [(c, cells[c]) for c in roles_name if cells[c]]
    preferred = [(c, t) for c, t in names if re.search(r"名称|项目$", paths[c] or "") and "单位" not in (paths[c] or "")]
    texts: dict[str, str] = dict(second)
    if preferred:
        name = preferred[-1][1]
        chosen = preferred[-1][0]
    elif names:
        chosen, name = names[0]
    else:
        chosen, name = -1, ""
    for c, t in names:
        if c != chosen:
            texts[paths[c] or f"列{c + 1}"] = t
    if not name and extra_name:
        name = extra_name[0]
    if not code_parts and name:
        joined, rest = split_joined(name)  # [2120106]工程建设管理, 2010801-行政运行, 30101 基本工资
        if joined:
            code_parts, name = [(None, joined)], rest
    if completer is None:
        return "".join(d for _, d in code_parts) or None, name, texts
    return completer.complete(code_parts), name, texts


def make_row(cells: list[str], code_cols: list[int], name_cols: list[int], value_cols: list[int],
             paths: list[str], page: int | None, raw: str, line: int | None,
             completer: CodeCompleter | None = None, boxes: list | None = None) -> Row | None:
    code, name, texts = _code_and_name(cells, code_cols, name_cols, paths, completer)
    values: dict[str, Decimal | None] = {}
    cell_boxes: dict[str, list[float]] = {}
    for c in value_cols:
        number, text = parse_cell(cells[c])
        values[paths[c]] = number
        if text is not None:
            texts[paths[c]] = text
        if number is not None and boxes and c < len(boxes) and boxes[c] is not None:
            cell_boxes[paths[c]] = [round(float(x), 2) for x in boxes[c]]
    if not name and code is None and all(v is None for v in values.values()) and not texts:
        return None
    return Row(name=name, cells=values, code=code, level=level_of(code), page=page, raw=raw, texts=texts, line=line,
               boxes=cell_boxes)


def _value_paths(paths: list[str], value_cols: list[int], strip_side: bool = False) -> list[str]:
    out = list(paths)
    for c in value_cols:
        p = out[c]
        if strip_side:
            p = re.sub(r"^(本年|财政拨款)?(收入|支出)(合计)?(/|$)", "", p)
        out[c] = p or f"列{c + 1}"
    seen: dict[str, int] = {}
    for c in value_cols:
        seen[out[c]] = seen.get(out[c], 0) + 1
        if seen[out[c]] > 1:
            out[c] = f"{out[c]}#{seen[out[c]]}"
    return out


def _is_two_sided(header: list[list[str]], roles: Roles, body: list[list[str]]) -> int | None:
    """Column where the 支出 side starts, when 收入 and 支出 stand side by side: the header says so, or
    (a region's 收支总表 heads both sides 「预算科目 │ 决算数」) the first names close on 收入总计 and the
    second on 支出总计."""
    if len(roles.name) < 2:
        return None
    first = roles.name[0]
    second = next((c for c in roles.name[1:] if any(first < v < c for v in roles.value)), None)
    if second is None:
        return None
    words = {re.sub(r"\s", "", c) for row in header for c in row}
    if any(_SIDE_IN.match(w) for w in words) and any(_SIDE_OUT.match(w) for w in words):
        return second

    def closes(col: int, pattern: re.Pattern) -> bool:
        return any(col < len(r) and pattern.match(re.sub(r"\s", "", r[col])) for r in body)

    return second if closes(first, _TOTAL_IN) and closes(second, _TOTAL_OUT) else None


def _name_groups(cols: list[int], roles: Roles) -> list[list[int]]:
    """One side of a 收入|支出 table printed as several name │ figure groups side by side (支出功能分类 │
    部门经济分类 │ 政府经济分类, Xi'an): each group its own rows, else the side as one group."""
    names = [c for c in cols if c in roles.name]
    starts = [c for k, c in enumerate(names) if k == 0 or any(names[k - 1] < v < c for v in roles.value)]
    if len(starts) < 2:
        return [cols]
    bounds = starts + [cols[-1] + 1]
    head = [c for c in cols if c < starts[0]]
    return [head + [c for c in cols if a <= c < b] for a, b in zip(bounds, bounds[1:])]


def _figures_across_groups(body: list[list[str]], parts: list[list[int]], roles: Roles) -> dict[int, tuple[int, int]]:
    """Rows of a side's totals printed across its column groups (当年支出小计 under 功能分类's names,
    its figure under 支出用途's 金额): row → (the group that names it, the group holding its figures),
    when exactly one group names the row without a figure and exactly one has figures and no name."""
    if len(parts) < 2:
        return {}
    out: dict[int, tuple[int, int]] = {}
    for i, cells in enumerate(body):
        named = [g for g, part in enumerate(parts) if any(cells[c] for c in part if c in roles.code + roles.name)]
        figured = [g for g, part in enumerate(parts) if any(cells[c] for c in part if c in roles.value)]
        if len(named) == 1 and len(figured) == 1 and named != figured:
            out[i] = (named[0], figured[0])
    return out


def _groups(header: list[list[str]], roles: Roles) -> list[list[int]] | None:
    """Side-by-side column groups (科目编码│科目名称│决算数 repeated) → column lists per group."""
    starts = [c for c in roles.code if c - 1 not in roles.code]
    if len(starts) < 2 or not any(s > min(roles.value, default=10**6) for s in starts):
        return None
    width = len(header[0]) if header else 0
    bounds = starts + [width]
    return [list(range(a, b)) for a, b in zip(bounds, bounds[1:])]


def _group_rows(ctx: BuildContext, body: list[list[str]], n_head: int, groups: list[list[int]], roles: Roles, paths: list[str]) -> tuple[list[str], list[Row]]:
    value_label = ""
    for g in groups:
        for c in g:
            if c in roles.value and paths[c]:
                value_label = paths[c].split("/")[-1]
                break
        if value_label:
            break
    value_label = value_label or "金额"
    per_group: list[list[Row]] = [[] for _ in groups]
    completers = [CodeCompleter() for _ in groups]
    footers: list[Row] = []
    for i, cells in enumerate(body):
        page, raw, line = ctx.provenance(n_head + i)
        if any(_TOTAL.match(c) or c.endswith("合计") for c in cells if c and not is_amount_cell(c)):
            footers.extend(_footer_rows(cells, value_label, page, raw, line, ctx.boxes(n_head + i)))
            continue
        for rows, g, completer in zip(per_group, groups, completers):
            g_code = [c for c in g if c in roles.code]
            g_name = [c for c in g if c in roles.name]
            g_value = [c for c in g if c in roles.value]
            local_paths = {c: value_label for c in g_value}
            p = [local_paths.get(c, paths[c]) for c in range(len(paths))]
            row = make_row(cells, g_code, g_name, g_value[:1], p, page, raw, line, completer, ctx.boxes(n_head + i))
            if row is not None and (row.name or row.code):
                rows.append(row)
    return [value_label], [r for rows in per_group for r in rows] + footers


def _footer_rows(cells: list[str], label: str, page, raw, line, boxes: list) -> list[Row]:
    """人员经费合计 ││ 1,313.37 │ 公用经费合计 │…│ 103.28: each total takes the next amount."""
    out: list[Row] = []
    current: Row | None = None
    for k, c in enumerate(cells):
        if not c:
            continue
        if is_amount_cell(c) and current is not None and current.cells.get(label) is None:
            current.cells[label] = parse_cell(c)[0]
            if k < len(boxes) and boxes[k] is not None:
                current.boxes[label] = [round(float(x), 2) for x in boxes[k]]
        elif not is_amount_cell(c):
            current = Row(name=c, cells={label: None}, page=page, raw=raw, line=line)
            out.append(current)
    return out


# a name too long for its column runs its last characters into the figure's cell: 「…转移支付收 │ 入 302788」
_OVERFLOW = re.compile(r"^([\u4e00-\u9fff）)]{1,3})\s*(-?[\d,]+(?:\.\d+)?)$")


def _name_overflow(cells: list[str], roles: Roles) -> list[str]:
    """The characters a name ran into the next cell, given back to the name to its left."""
    out = list(cells)
    for c in roles.value:
        m = _OVERFLOW.match(out[c].strip()) if c < len(out) else None
        name = max((n for n in roles.name if n < c), default=None)
        if m and name is not None and out[name] and not any(out[k].strip() for k in range(name + 1, c)):
            out[name] += m.group(1)
            out[c] = m.group(2)
    return out


def build_general(ctx: BuildContext, grid: list[list[str]], n_head: int) -> list[Table]:
    """One general table, or two for a 收入|支出 two-sided table."""
    if not grid:
        return [ctx.table([], [])]
    header, body = grid[:n_head], grid[n_head:]
    # A section caption above the header (一、政府采购情况 ││) is not part of any column's path.
    header = [r for r in header if not (len(header) > 1 and _is_section_caption(r))]
    width = len(grid[0])
    roles = column_roles(header, body)
    body = [_name_overflow(cells, roles) for cells in body]
    header = realign_header(header, roles)
    header = shift_orphan_labels(header, body, roles.value)
    paths = flatten_header(header, width, roles.value, fill=not ctx.raw.header_spans_known)
    # a grid column left with neither label nor figure (its label moved onto its figures) is no column
    roles.value = [c for c in roles.value if paths[c] or any(r[c] for r in body)]
    # nor is a group's label in a grid column of its own, left of the columns it heads (功能分类 │
    # 功能科目名称 │ 金额): it has no figure, and its path begins theirs
    roles.value = [c for c in roles.value if any(r[c] for r in body)
                   or not any(q.startswith(paths[c] + "/") for k, q in enumerate(paths) if k != c)]
    body, boxes, roles.value = mend_split_grid(body, [ctx.boxes(n_head + i) for i in range(len(body))], roles.value,
                                               roles.code + roles.name, paths)
    ctx = replace(ctx, raw=replace(ctx.raw, row_boxes=[[]] * n_head + boxes))

    groups = _groups(header, roles)
    if groups:
        columns, rows = _group_rows(ctx, body, n_head, groups, roles, paths)
        return [ctx.table(columns, rows)]

    split = _is_two_sided(header, roles, body)
    sides = [(None, list(range(width)))]
    if split is not None:
        shared = [c for c in roles.rowno if c < min(roles.name)]
        sides = [("收入", [c for c in range(split) if c not in shared]), ("支出", list(range(split, width)))]
    tables = []
    for side, cols in sides:
        value_cols = [c for c in cols if c in roles.value]
        p = _value_paths(paths, value_cols, strip_side=side is not None)
        rows = []
        parts = _name_groups(cols, roles) if side is not None else [cols]
        for part in parts:
            join_wrapped_rows(body, boxes, [c for c in part if c in roles.code + roles.name],
                              [c for c in part if c in roles.value])
        borrowed = _figures_across_groups(body, parts, roles)
        for g, part in enumerate(parts):
            completer = CodeCompleter()
            part_values = [c for c in part if c in roles.value]
            for i, cells in enumerate(body):
                if i in borrowed and borrowed[i][1] == g:
                    continue  # its figures are the row of the group that names it
                row_values = [c for c in parts[borrowed[i][1]] if c in roles.value] if borrowed.get(i, (None,))[0] == g else part_values
                page, raw_line, line = ctx.provenance(n_head + i)
                row = make_row(
                    cells, [c for c in part if c in roles.code], [c for c in part if c in roles.name],
                    row_values, p, page, raw_line, line, completer, ctx.boxes(n_head + i),
                )
                if row is not None and _is_repeated_header(row):
                    continue
                if row is not None and (part is cols or row.name or row.code):
                    rows.append(row)
        columns = [p[c] for c in value_cols]
        if side is None:
            columns, rows = name_single_row(columns, rows)
        tables.append(ctx.table(columns, rows, side=side))
    return tables


# Column groups that are periods (2025年预算数 │ 2026年预算数, 上年 │ 本年 │ 增减): a row dimension
# when the table prints a single row under them.
_PERIOD = re.compile(r"^(20\d\d年.*|上年.*|本年.*|增减.*|比上年.*)$")


def name_single_row(columns: list[str], rows: list[Row]) -> tuple[list[str], list[Row]]:
    """A table whose only data row has no name of its own (三公 tables, 支出总表 of one line).

    Under period groups (2025年预算数/… │ 2026年预算数/…) the one printed row is one row per period,
    each named by it; otherwise it is the table's total and is named 合计.
    """
    data = [r for r in rows if any(v is not None for v in r.cells.values())]
    if len(data) != 1 or data[0].name or data[0].code or len(rows) != 1:
        return columns, rows
    row = data[0]
    tops = [c.split("/")[0] for c in columns]
    periods = list(dict.fromkeys(tops))
    if len(periods) < 2 or not all("/" in c and _PERIOD.match(t) for t, c in zip(tops, columns)):
        row.name = "合计"
        return columns, rows
    out = []
    for period in periods:
        mine = [c for c in columns if c.split("/")[0] == period]
        out.append(Row(name=period, cells={c.split("/", 1)[1]: row.cells.get(c) for c in mine},
                       page=row.page, raw=row.raw, line=row.line,
                       boxes={c.split("/", 1)[1]: row.boxes[c] for c in mine if c in row.boxes}))
    return list(dict.fromkeys(c.split("/", 1)[1] for c in columns)), out


def _is_section_caption(row: list[str]) -> bool:
    cells = [c for c in row if c]
    return len(cells) == 1 and bool(row[0]) and bool(re.match(r"^[一二三四五六七八九十]+、", row[0]))


def _is_repeated_header(row: Row) -> bool:
    """A header printed again after a page break (项目 │ 行次 │ 金额) carries no data."""
    return (
        row.code is None
        and all(v is None for v in row.cells.values())
        and bool(_LABEL_HEADER.match(row.name))
        and all(_LABEL_HEADER.match(t) or t in row.cells for t in row.texts.values())
    )
