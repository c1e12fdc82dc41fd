"""A table's header line against the cover: the department 「部门：X」 names (Table.department).

A header naming another department is a table copied from another disclosure (or the wrong unit's
table printed). Names are compared normalised — blanks, （汇总）/（本级）, 中共 and brackets dropped —
and one name containing the other agrees (延边州工业和信息化局 ⊂ 延边朝鲜族自治州工业和信息化局, a
header cut at 信息化 as well). A shortened region (延边州 for 延边朝鲜族自治州) agrees when the
organisation after the region is the same and the short name's characters appear in order in the long.
A document whose headers name two or more other departments lists its units' tables: no finding.

The unit: a table's unit line (单位：万元) against the unit a column header prints (项目下达金额（元）).
Both are the table's own header, so two different amount units there contradict each other. Cells
are not judged against the unit line (a 万元 table of round figures looks like 元): no sound rule.
"""

from __future__ import annotations

import re

from budgetqa.app.audit.model import AuditResult, Finding, Location, cell_location
from budgetqa.ingest.models import Document, Table

_NOISE = re.compile(r"[\s\u3000“”\"'‘’·]|[（(](?:汇总|本级|部门|单位|合并)[)）]|^中共|^中国共产党")
_COLUMN_UNIT = re.compile(r"[（(](万元|亿元|元)[)）]")
_REGION = re.compile(r"^.*?(?:自治区|自治州|自治县|省|市|州|盟|县|区|旗)")


def normalize_department(name: str) -> str:
    s = _NOISE.sub("", name)
    return re.sub(r"[（()）]", "", s)


def _in_order(short: str, long: str) -> bool:
    it = iter(long)
    return all(c in it for c in short)


def same_department(a: str, b: str) -> bool:
    """The two names can be one department (containment, or a shortened region before the same body)."""
    x, y = normalize_department(a), normalize_department(b)
    if not x or not y:
        return True
    if x in y or y in x:
        return True
    short, long = sorted((x, y), key=len)
    body = _REGION.sub("", short, count=1)
    return len(body) >= 2 and body in long and _in_order(short, long)


def check_header_departments(doc: Document, result: AuditResult) -> None:
    """Tables whose header line names a department other than the document's (its cover)."""
    if not doc.department:
        return
    named = [t for t in doc.tables if t.department and t.side != "支出"]
    other = [t for t in named if not same_department(t.department or "", doc.department)]
    if not other:
        return
    if len({normalize_department(t.department or "") for t in other}) > 1:
        return  # the headers name several departments: the document prints its units' tables
    cover = Location(document=doc.file, page=1 if doc.source_format == "pdf" else None, table="封面",
                     row=doc.department)
    if len(other) == len(named) > 1:  # every header names it: one finding for the document, not one per table
        result.findings.append(_finding(doc, other[0], cover, f"（全部 {len(named)} 张表的表头均如此）"))
        return
    for t in other:
        result.findings.append(_finding(doc, t, cover))


def _finding(doc: Document, t: Table, cover: Location, note: str = "") -> Finding:
    loc = cell_location(doc, t, None, "表头部门")
    loc.row = t.department
    return Finding(
        "warning", "document.header_department", loc, cover, None, None, None, None,
        f"{loc.label()}：表头写明部门「{t.department}」，与封面的「{doc.department}」不一致{note}，"
        "请核对是否误用了其他部门（单位）的表格，或封面名称是否有误。")


def check_header_units(doc: Document, result: AuditResult) -> None:
    """A column header printing an amount unit other than the table's unit line."""
    for t in doc.tables:
        if t.unit is None or t.side == "支出":
            continue
        for col in t.columns:
            m = _COLUMN_UNIT.search(re.sub(r"\s", "", col))
            if m and m.group(1) != t.unit:
                loc = cell_location(doc, t, None, col)
                unit = Location(document=doc.file, page=loc.page, table=loc.table, table_ref=t.ref, row="单位行",
                                column=t.unit)
                result.findings.append(Finding(
                    "warning", "document.header_unit", loc, unit, None, None, None, None,
                    f"{loc.label()}：列名标明（{m.group(1)}），而表头单位为「{t.unit}」，请核对金额单位。"))
                break  # one finding per table
