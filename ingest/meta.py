"""Document metadata (department, year, 决算/预算, 部门/单位) from the cover and table headers."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

_DEPT_LINE = re.compile(
    r"^\s*(?:部门|预算单位|预算主管部门|部门名称|单位名称|编制部门|编制单位|部门（单位）名称|部门\(单位\)名称)\s*[：:]\s*([^\t│|]+)"
)
# A table's header line naming its department: the cover's labels and 部门（单位）：X (烟台).
_HEADER_DEPT = re.compile(
    r"^\s*(?:部门|预算单位|预算主管部门|部门名称|单位名称|编制部门|编制单位|部门[（(]单位[)）](?:名称)?)\s*[：:]\s*([^\t│|]*)"
)
_YEAR_KIND = re.compile(r"(20\d\d)\s*年度?\s*(?:[^\s，。]{0,20}?)(部门|单位)\s*(决算|预算)")
_ORG_END = re.compile(r"(局|办公室|委员会|中心|政府|大学|学院|部|厅|委|办|处|站|所)(（汇总）|\(汇总\))?$")


@dataclass
class DocMeta:
    department: str | None
    year: int | None
    kind: str | None  # 决算 / 预算
    scope: str | None  # 部门 / 单位


_COVER = [
    # 中共上海市普陀区委社会工作部 2024 年度部门决算 / 上海市普陀区财政局 年度部门决算 2024
    # 湖州市退役军人事务局 2026 年 / 部门预算 (no 度)
    re.compile(r"^(?P<d>[^0-9：:，。]{3,40}?)(?:20\d\d年度?|年度)(?:部门|单位)(?:决算|预算)"),
    # 2023 年度 延边朝鲜族自治州工业和信息化局（汇总） 部门决算
    re.compile(r"20\d\d年度?(?P<d>[^0-9：:，。]{3,40}?)(?:部门|单位)(?:决算|预算)"),
]


def _cover_department(lines: list[str]) -> str | None:
    """The department as the cover prints it, its lines joined (titles wrap over two or three lines)."""
    cover = []
    for line in lines[:12]:
        t = re.sub(r"[#*\s]|</?b>", "", line)
        if not t:
            continue
        if "目录" in t or len(t) > 60:
            break
        cover.append(t)
    text = "".join(cover)
    for rx in _COVER:
        m = rx.search(text)
        if m:
            # the cover's (汇总) is the headers' （汇总）: one name, written the way the headers write it
            d = re.sub(r"^附件\d*[:：]?", "", m.group("d")).strip().replace("(", "（").replace(")", "）")
            if len(d) >= 3 and not d.startswith(("年", "度")) and not re.match(r"第.{1,3}部分", d):
                return d
    return None


def _department(lines: list[str]) -> str | None:
    """The cover's department; else the most frequent 部门：… value in table headers; else an
    organisation-looking cover line."""
    cover = _cover_department(lines)
    if cover:
        return cover
    found: Counter[str] = Counter()
    for line in lines:
        m = _DEPT_LINE.match(line)
        if m:
            value = re.sub(r"\s+", "", m.group(1)).strip("：:")
            value = re.split(r"单位[：:]|金额单位", value)[0]
            if len(value) >= 3:
                found[value] += 1
    if found:
        return found.most_common(1)[0][0]
    for line in lines[:40]:
        t = re.sub(r"[#*\s]", "", line)
        # not a part heading (第三部分) nor a list of units (局本级预算、局属…)
        if 3 < len(t) <= 40 and _ORG_END.search(t) and not re.search(r"[：、]|^第.{1,3}部分|预算|决算", t):
            return t
    return None


def header_department(lines: list[str]) -> str | None:
    """The department a table's header line names (部门：X / 单位名称：X  单位：万元 / 编制部门：X);
    None when the line is blank after its label (「部门：」, 「单位名称： 单位：万元」)."""
    for line in lines:
        m = _HEADER_DEPT.match(line)
        if m:
            value = re.split(r"单位[：:]|金额单位|计量单位", re.sub(r"\s+", "", m.group(1)))[0].strip("：:")
            value = re.sub(r"公开\d+表$", "", value)
            if len(value) >= 2:
                return value
    return None


def _year_kind_scope(lines: list[str], filename: str) -> tuple[int | None, str | None, str | None]:
    head = "\n".join(lines[:60])
    squeezed = re.sub(r"[ \t\u3000]", "", head)
    m = _YEAR_KIND.search(squeezed)
    year = int(m.group(1)) if m else None
    kind = m.group(3) if m else None
    scope = m.group(2) if m else None
    if kind is None:
        n_final, n_budget = squeezed.count("决算"), squeezed.count("预算表") + squeezed.count("部门预算")
        if n_final or n_budget:
            kind = "决算" if n_final >= n_budget else "预算"
        elif re.search(r"final|juesuan", filename, re.I):
            kind = "决算"
        elif re.search(r"budget|yusuan", filename, re.I):
            kind = "预算"
    if year is None:
        fm = re.search(r"(20\d\d)", filename)
        ym = re.search(r"(20\d\d)\s*年", squeezed)
        year = int(fm.group(1)) if fm else (int(ym.group(1)) if ym else None)
    if scope is None:
        scope = "单位" if re.search(r"单位(决算|预算)", squeezed) and "部门" not in squeezed else "部门"
    return year, kind, scope


def detect_meta(lines: list[str], filename: str) -> DocMeta:
    """Department, year, kind (决算/预算) and scope (部门/单位) of a document."""
    year, kind, scope = _year_kind_scope(lines, filename)
    return DocMeta(department=_department(lines), year=year, kind=kind, scope=scope)
