"""绩效 forms (项目支出绩效自评表 / 绩效目标表 / 部门整体绩效自评表) rebuilt row by row.

These forms are printed with merged and shifted cells, so columns are matched by meaning, not
position: 资金 rows map their numbers onto the 年初预算数 / 全年预算数 / … header in order, indicator
rows drop their category cells (产出指标 / 数量指标 …) and hand the rest to the labels after
三级指标, numbers only to numeric labels (权重, 分值, 得分), and 总分 rows keep their score.
"""

from __future__ import annotations

import re
from budgetqa.ingest.models import Row, Table
from budgetqa.ingest.tables.cells import is_amount_cell, parse_cell
from budgetqa.ingest.tables.context import BuildContext

_PROJECT = re.compile(r"^(项目名称|部门（单位）名称|部门\(单位\)名称|单位名称)$")
_FUND_HEADER_WORDS = ("预算数", "执行数", "执行率", "得分", "分值", "结(转)余", "结（转）余", "下达金额", "执行金额")
_FUND_LABEL = re.compile(r"^(项目资金|资金情况|年度主要任务)")
_FUND_ROW = re.compile(r"资金|财政拨款|对应项目|经费")
_SUMMARY = re.compile(r"^(汇总得分|总分|总评价得分|总得分|综合得分|自评总分)[：:]?\s*([\d.]+)?$")
_GOAL = re.compile(r"^(年度总体目标|年度目标|年度绩效目标|项目年度绩效目标|总体目标)")
_SKIP = re.compile(r"^(偏差率|复核档次|实施单位|主管部门|项目级次|备注|项目绩效分析|-{3,})")
_NUMERIC_LABEL = re.compile(r"权重|分值|得分|完成程度")
_TEXT_LABEL = re.compile(r"偏差|原因|佐证|改进|措施")
_FILE = re.compile(r"\.(pdf|png|jpe?g|docx?|xlsx?)\b", re.I)
_CATEGORY_EXTRA = {"服务对象满意度", "绩效指标"}


def _nonempty(cells: list[str]) -> list[tuple[int, str]]:
    return [(c, t) for c, t in enumerate(cells) if t]


def _is_category(text: str) -> bool:
    t = text.replace(" ", "")
    if t in _CATEGORY_EXTRA:
        return True
    return t.endswith("指标") and len(t) <= 12 and not re.match(r"^指标\d", t)


def project_name(grid: list[list[str]]) -> str | None:
    for cells in grid:
        ne = _nonempty(cells)
        if len(ne) >= 2 and _PROJECT.match(ne[0][1]):
            name = ne[1][1]
            if ne[0][1] != "项目名称":  # 703001朝阳市工业和信息化局-211300000: drop the unit codes
                name = re.sub(r"^\d{4,}|-\d{4,}$", "", name).strip() or name
            return name
    return None


_UNIT_LABEL = re.compile(r"^(预算单位|实施单位|项目单位)[:：]?$")


def implementing_unit(grid: list[list[str]]) -> str | None:
    """The 预算单位 / 实施单位 printed on the form (431002-襄垣县中小企业服务中心 → 襄垣县中小企业服务中心).

    Departments print one form per project and unit; two units' projects may share a name.
    """
    for cells in grid[:6]:
        ne = _nonempty(cells)
        for k, (_, t) in enumerate(ne[:-1]):
            if _UNIT_LABEL.match(t.strip()):
                unit = re.sub(r"^\d{3,}\s*[-－—]?\s*", "", ne[k + 1][1]).strip()
                return unit or None
    return None


def _fund_labels(header: list[str], sub: list[str] | None) -> tuple[list[tuple[int, str]], list[str]]:
    """(position, label) of the 资金 header, and the labels in order with sub-labels expanded."""
    positioned = [(c, t) for c, t in _nonempty(header) if any(w in t for w in _FUND_HEADER_WORDS)]
    ordered: list[str] = []
    subs = [t for _, t in _nonempty(sub)] if sub else []
    for _, t in positioned:
        if subs and "年初预算" in t:
            ordered.extend(f"{t}/{s}" for s in subs)
        else:
            ordered.append(t)
    return positioned, ordered


def _fund_row(cells: list[str], positioned, ordered, page, raw, line) -> Row | None:
    ne = [(c, t) for c, t in _nonempty(cells) if not _FUND_LABEL.match(t)]
    if not ne or is_amount_cell(ne[0][1]):
        return None
    name_col, name = ne[0]
    name = name.rstrip("：:")
    values = [(c, t) for c, t in ne[1:]]
    row = Row(name=name, cells={}, page=page, raw=raw, line=line)
    if not ordered:
        pairs = [("金额", t) for _, t in values[:1]]
    elif len(values) == len(ordered):
        pairs = list(zip(ordered, (t for _, t in values)))
    else:
        by_pos = dict(positioned)
        pairs = [(by_pos[c], t) for c, t in values if c in by_pos]
        if len(pairs) < len(values):
            pairs = list(zip(ordered, (t for _, t in values)))
    for label, text in pairs:
        number, kept = parse_cell(text)
        row.cells[label] = number
        if kept is not None:
            row.texts[label] = kept
    return row if row.cells else None


def _indicator_row(cells: list[str], labels: list[str], page, raw, line) -> Row | None:
    ne = [t for _, t in _nonempty(cells)]
    categories = []
    while ne and _is_category(ne[0]):
        categories.append(ne.pop(0))
    if not ne:
        return None
    name = re.sub(r"^指标\d+[：:]", "", ne[0]).strip()
    if not name or is_amount_cell(name):
        return None
    row = Row(name=name, cells={}, page=page, raw=raw, line=line)
    if categories:
        row.texts["指标类别"] = "/".join(c.replace(" ", "") for c in categories)
    p = 0
    for text in ne[1:]:
        numeric = is_amount_cell(text)
        is_file = bool(_FILE.search(text)) and any("佐证" in lab for lab in labels[p:])
        while p < len(labels) and not (_fits(labels[p], text, numeric) and (not is_file or "佐证" in labels[p])):
            p += 1
        if p >= len(labels):
            break
        number, _ = parse_cell(text)
        if number is not None:
            row.cells[labels[p]] = number
        row.texts[labels[p]] = text
        p += 1
    return row


def _fits(label: str, text: str, numeric: bool) -> bool:
    if _NUMERIC_LABEL.search(label):
        return numeric
    if _TEXT_LABEL.search(label):
        return not numeric
    return True


def _summary_row(cells: list[str], labels: list[str], page, raw, line) -> Row:
    ne = [t for _, t in _nonempty(cells)]
    m = _SUMMARY.match(ne[0])
    name = m.group(1) if m else ne[0]
    numbers = ([m.group(2)] if m and m.group(2) else []) + [t for t in ne[1:] if is_amount_cell(t)]
    grades = [t for t in ne[1:] if not is_amount_cell(t)]
    numeric_labels = [lab for lab in labels if _NUMERIC_LABEL.search(lab) and "完成程度" not in lab]
    score = next((lab for lab in numeric_labels if "得分" in lab), "得分")
    row = Row(name=name, cells={}, page=page, raw=raw, line=line)
    if len(numbers) >= 2 and len(numeric_labels) >= 2:
        pairs = list(zip(numeric_labels, numbers))
    else:
        pairs = [(score, t) for t in numbers[:1]]
    for label, text in pairs:
        row.cells[label] = parse_cell(text)[0]
    if grades:
        row.texts["等级"] = grades[0]
    return row


def build_performance(ctx: BuildContext, grid: list[list[str]]) -> Table:
    """One 绩效 form → one Table titled with its project: 项目支出绩效自评表（延吉纺织厂护厂经费）."""
    project = project_name(grid)
    unit = implementing_unit(grid)
    title = ctx.kind + (f"（{project}）" if project else "")
    rows: list[Row] = []
    columns: list[str] = []
    positioned: list = []
    ordered: list[str] = []
    labels: list[str] = []
    goal_labels: list[str] = []
    zone = "fund"
    i = 0
    while i < len(grid):
        cells = grid[i]
        page, raw, line = ctx.provenance(i)
        ne = _nonempty(cells)
        i += 1
        if not ne:
            continue
        first = ne[0][1]
        words = [t for _, t in ne]
        if _PROJECT.match(first) or _SKIP.match(first):
            continue
        if any("三级指标" in t for t in words) or ("指标值" in " ".join(words) and "一级指标" in " ".join(words)):
            at = next((k for k, t in enumerate(words) if "三级指标" in t), None)
            if at is None:
                at = next(k for k, t in enumerate(words) if "一级指标" in t)
            labels = [t for t in words[at + 1 :] if not _is_category(t)]
            zone = "indicators"
            continue
        if _SUMMARY.match(first):
            rows.append(_summary_row(cells, labels, page, raw, line))
            continue
        if _GOAL.match(first):
            rest = [t for t in words[1:]]
            if rest and all(len(t) <= 8 for t in rest):
                goal_labels = rest
                zone = "goal"
            elif rest:
                rows.append(Row(name=first, cells={}, texts={first: " ".join(rest)}, page=page, raw=raw, line=line))
            continue
        if zone == "goal":
            texts = dict(zip(goal_labels, words)) if goal_labels else {"目标": " ".join(words)}
            rows.append(Row(name="年度总体目标", cells={}, texts=texts, page=page, raw=raw, line=line))
            zone = "fund"
            continue
        if zone == "fund" and sum(any(w in t for w in _FUND_HEADER_WORDS) for t in words) >= 2:
            sub = None
            if i < len(grid) and any(re.search(r"目标申报数|预算编制数", t) for t in grid[i]):
                sub = grid[i]
                i += 1
            positioned, ordered = _fund_labels(cells, sub)
            continue
        if zone == "fund" and any(is_amount_cell(t) for t in words[1:]) and _FUND_ROW.search(
            next((t for t in words if not _FUND_LABEL.match(t)), "")
        ):
            row = _fund_row(cells, positioned, ordered, page, raw, line)
            if row is not None:
                rows.append(row)
            continue
        if zone == "indicators":
            row = _indicator_row(cells, labels, page, raw, line)
            if row is not None:
                rows.append(row)
    for row in rows:
        for col in list(row.cells) + list(row.texts):
            if col not in columns and col not in ("指标类别", "等级"):
                columns.append(col)
    if ctx.unit is None:
        # 绩效 forms print their unit in the 资金 label: 资金情况 (万元), 项目资金（万元）.
        m = re.search(r"[(（](万元|元)[)）]", " ".join(c for r in grid for c in r if c))
        ctx.unit = m.group(1) if m else None
    table = ctx.table(columns, rows, title=title)
    table.qualifier = unit
    return table

