"""Which standard table a grid is: by its title and header words, never by its printed number.

Numbering differs between regions (公开05表 is not always the same table), so the title decides;
the header settles misprinted titles (yanbian prints 一般公共预算财政拨款**收入**支出决算表 over a
spending-only 公开05表) and titleless 绩效 forms.
"""

from __future__ import annotations

import re

# Kinds grouped by role, each as (决算 kind, 预算 kind): the audit and the headline figures use them.
OVERVIEW = ("收入支出决算总表", "收支预算总表")
FISCAL_OVERVIEW = ("财政拨款收入支出决算总表", "财政拨款收支预算总表")
INCOME = ("收入决算表", "收入预算表")
SPENDING = ("支出决算表", "支出预算表")
GENERAL_SPENDING = ("一般公共预算财政拨款支出决算表", "一般公共预算支出预算表")
BASIC_DETAIL = ("一般公共预算财政拨款基本支出决算明细表", "一般公共预算基本支出预算表")
SANGONG = ("三公经费支出决算表", "三公经费支出预算表")
STATS = ("相关信息统计表",)

STANDARD_KINDS: dict[str, list[str]] = {
    "决算": [
        "收入支出决算总表",
        "收入决算表",
        "支出决算表",
        "财政拨款收入支出决算总表",
        "一般公共预算财政拨款支出决算表",
        "一般公共预算财政拨款基本支出决算明细表",
        "政府性基金预算财政拨款收入支出决算表",
        "国有资本经营预算财政拨款支出决算表",
        "三公经费支出决算表",
        "相关信息统计表",
        "项目支出绩效自评表",
        "部门整体绩效自评表",
    ],
    "预算": [
        "收支预算总表",
        "收入预算表",
        "支出预算表",
        "财政拨款收支预算总表",
        "一般公共预算支出预算表",
        "一般公共预算基本支出预算表",
        "三公经费支出预算表",
        "政府性基金预算支出预算表",
        "国有资本经营预算支出预算表",
        "项目支出预算表",
        "项目支出绩效目标表",
    ],
}

PERFORMANCE_KINDS = {"项目支出绩效自评表", "部门整体绩效自评表", "项目支出绩效目标表"}

# (决算 kind, 预算 kind) per rule; the first rule whose test matches wins.
_FUND_NAMES = re.compile(r"一般公共预算|政府性基金预算|国有资本经营预算")


def normalize_title(title: str) -> str:
    """Drop spaces, quotes, markup, numbering (公开05表, 预算表3, 表1, 一、) from a title."""
    t = re.sub(r"<[^>]+>|[#*\s\u3000“”\"'‘’「」]", "", title or "")
    t = re.sub(r"[（(]?(公开|预算)?表?\d+表?[)）]?$", "", t)
    t = re.sub(r"[（(]?(公开\d+表|预算表\d+|表\d+)[)）]?", "", t)
    t = re.sub(r"^[一二三四五六七八九十]+、|^\d+[.、]", "", t)
    return t


def _ledger(t: str, doc_kind: str | None) -> str:
    """决算 or 预算: the title's own word beats the document's kind."""
    if "决算" in t:
        return "决算"
    if "预算" in _FUND_NAMES.sub("", t):
        return "预算"
    return doc_kind if doc_kind in ("决算", "预算") else "决算"


def _performance(t: str, header: str, doc_kind: str | None) -> str | None:
    if "绩效" in t or "项目支出绩" in t or ("项目名称" in header and "绩效指标" in header):
        if "整体" in t or "部门（单位）名称" in header or "部门(单位)名称" in header:
            return "部门整体绩效自评表"
        if "目标表" in t:
            return "项目支出绩效目标表"
        if "自评" in t or "实际完成" in header or "得分" in header:
            return "项目支出绩效自评表"
        # A cut title (…项目支出绩) with no telling header: 决算 publish 自评, 预算 publish 目标.
        return "项目支出绩效目标表" if doc_kind == "预算" else "项目支出绩效自评表"
    return None


def classify(title: str, header_text: str = "", doc_kind: str | None = None) -> str:
    """Return the standard kind of a table (see STANDARD_KINDS), or "other"."""
    t = normalize_title(title)
    header = re.sub(r"\s", "", header_text or "")
    perf = _performance(t, header, doc_kind)
    if perf:
        return perf
    final = _ledger(t, doc_kind) == "决算"
    if "三公" in t:
        return "三公经费支出决算表" if final else "三公经费支出预算表"
    if "相关信息统计" in t:
        return "相关信息统计表"
    if "政府性基金" in t:
        return "政府性基金预算财政拨款收入支出决算表" if final else "政府性基金预算支出预算表"
    if "国有资本经营" in t:
        return "国有资本经营预算财政拨款支出决算表" if final else "国有资本经营预算支出预算表"
    if "基本支出" in t and ("一般公共预算" in t or "财政拨款" in t):
        return "一般公共预算财政拨款基本支出决算明细表" if final else "一般公共预算基本支出预算表"
    if "一般公共预算" in t and "支出" in t:
        # A "收入支出" title over a header with no income side (no 行次, no 收入 column) is a
        # misprinted spending table (yanbian-industry 公开05表).
        if "收入" not in t or ("行次" not in header and "收入" not in header):
            return "一般公共预算财政拨款支出决算表" if final else "一般公共预算支出预算表"
    if "财政拨款" in t and ("收入支出" in t or "收支" in t):
        return "财政拨款收入支出决算总表" if final else "财政拨款收支预算总表"
    if "收入支出" in t or "收支" in t:
        if "总表" in t or "决算表" in t or "预算表" in t:
            return "收入支出决算总表" if final else "收支预算总表"
    if "收入" in t and "支出" not in t and ("表" in t):
        return "收入决算表" if final else "收入预算表"
    if "项目支出" in t and not final:
        return "项目支出预算表"
    if final and "财政拨款支出" in t:
        # 高等学校财政拨款支出决算表 (university format): all appropriations by function subject
        return "财政拨款支出决算表"
    if "支出" in t and "表" in t and "项目支出" not in t:
        return "支出决算表" if final else "支出预算表"
    return "other"
