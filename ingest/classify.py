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

# Tables beside the standard set that many templates print (Jiangsu, Beijing, Xi'an, Shandong …).
EXTRA_KINDS = {
    "决算": ["机关运行经费决算表", "政府采购决算表", "政府购买服务决算表"],
    "预算": ["机关运行经费预算表", "政府采购预算表", "政府购买服务预算表"],
}

# Whole-government 总预算 / 总决算 tables (a province's or city's budget, not a department's):
# kinds of their own, so a department question never lands on a region's figures.
GOVERNMENT_KINDS = {
    ledger: [f"{base}{ledger}表" for base in (
        "财政收支", "一般公共预算收入", "一般公共预算支出", "一般公共预算收支", "政府性基金收支",
        "国有资本经营收支", "社会保险基金收支", "转移支付", "政府债务", "政府财政",
    )]
    for ledger in ("决算", "预算")
}
# The government kinds no department prints (一般公共预算支出预算表 is a department's kind too).
GOVERNMENT_ONLY = frozenset(k for ks in GOVERNMENT_KINDS.values() for k in ks
                            if k not in {d for ds in STANDARD_KINDS.values() for d in ds})
# A region's name straight before a fund (黑龙江省一般公共预算…, 某市政府性基金…) or a word only
# government-wide tables use; a department's titles name the department or none.
_GOV_TITLE = re.compile(
    r"全省|全市|全县|全区|[省市县区]本级|地方政府|转移支付|税收返还|债务|债券|财政收支|财政决算|财政预算"
    r"|功能分类决算|功能分类预算|社会保险基金|(省|市|县|区|自治州|自治区|盟|旗)(一般公共预算|政府性基金|国有资本经营)"
)
_GOV_HEADER = re.compile(r"调整预算数.*(决算数|执行数)|完成调整预算|为调整预算|决算数为")

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


def _ledger(t: str, doc_kind: str | None, header: str = "") -> str:
    """决算 or 预算: the title's own word beats the document's kind, which beats the header's
    columns (预算数 alone: a budget; 决算数: final accounts)."""
    if "决算" in t:
        return "决算"
    if "预算" in _FUND_NAMES.sub("", t):
        return "预算"
    if doc_kind in ("决算", "预算"):
        return doc_kind
    return "预算" if "预算" in _FUND_NAMES.sub("", header) and "决算" not in header else "决算"


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


def _government(t: str, header: str, final: bool) -> str | None:
    """The kind of a whole-government table, or None for a department's."""
    if not (_GOV_TITLE.search(t) or _GOV_HEADER.search(header)) or "部门" in t:
        return None
    ledger = "决算" if final else "预算"
    for words, base in (
        (("债务", "债券", "限额"), "政府债务"),
        (("转移支付", "税收返还"), "转移支付"),
        (("社会保险基金",), "社会保险基金收支"),
        (("国有资本经营",), "国有资本经营收支"),
        (("政府性基金",), "政府性基金收支"),
    ):
        if any(w in t for w in words):
            return f"{base}{ledger}表"
    if "一般公共预算" in t or "功能分类" in t:
        both = "收支" in t  # 一般公共预算收支总表: both sides
        income, spending = "收入" in t or both, "支出" in t or "功能分类" in t or both
        base = "一般公共预算收支" if income and spending else "一般公共预算收入" if income else "一般公共预算支出"
        return f"{base}{ledger}表"
    if "收支" in t or ("收入" in t and "支出" in t):
        return f"财政收支{ledger}表"
    return f"政府财政{ledger}表"


def classify(title: str, header_text: str = "", doc_kind: str | None = None) -> str:
    """Return the standard kind of a table (see STANDARD_KINDS), or "other"."""
    t = normalize_title(title)
    header = re.sub(r"\s", "", header_text or "")
    perf = _performance(t, header, doc_kind)
    if perf:
        return perf
    final = _ledger(t, doc_kind, header) == "决算"
    if "三公" in t:
        return "三公经费支出决算表" if final else "三公经费支出预算表"
    government = _government(t, header, final)
    if government:
        return government
    if "机关运行经费" in t:
        return "机关运行经费决算表" if final else "机关运行经费预算表"
    if "政府采购" in t:
        return "政府采购决算表" if final else "政府采购预算表"
    if "政府购买服务" in t:
        return "政府购买服务决算表" if final else "政府购买服务预算表"
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
        # …收支总表, 部门收支总体情况表 (Hunan, Chongqing, Shandong), 部门综合预算收支总表 (Xi'an)
        if "总表" in t or "决算表" in t or "预算表" in t or "总体情况表" in t:
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
