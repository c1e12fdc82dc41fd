"""The deterministic checker: a figure in an answer is verified only when traced to a cited cell.

Two steps, both pure. `extract_figures` finds the numbers of an answer that are figures (amounts,
percentages, counts), written in digits or in Chinese numerals (三辆, 百分之十, 一千一百万元, 1.2亿), and
skips the numbers that are not (years, dates, table numbers, subject codes, list markers, ordinals,
page and column numbers, words such as 统一 / 一般). `verify` compares each figure with the facts
the answer's claims cite, and with the recomputation of each claim's declared derivation, within
the rounding of the precision the figure is written with. A claim's own `value` is never trusted,
and a figure that cannot be read (三十多万元) is reported unverified, never passed. A cell read by
OCR is one reading of an image: it backs a figure only with a second source (`corroboration`).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import cn2an
from budgetqa.app.models import Citation, Claim, Figure, Status
from budgetqa.ingest.models import Fact
from budgetqa.ingest.units import MONEY_SCALE

PERCENT = "%"
POINTS = "百分点"  # a difference of two percentages
TIMES = "倍"  # a ratio
TENTHS = "成"  # 三成 = 30%: read as a percentage

# Longer units first; the look-aheads keep words such as 分别 / 人民 / 项目 / 期末 / 完成 out of units.
_UNIT = (
    r"亿元|万元|千元|元(?![旦化素])|个百分点|百分点|[%％]|\\%|人次|个|辆|人(?![民大])|分(?![钟别之配])|"
    r"次(?!性)|项(?!目)|家|户|名(?![称单])|台(?!湾)|套|件|笔|期(?![末初间])|篇|份|场|天|倍|批次|批|"
    r"条(?![件例])|平方米|公里|吨|成(?![本果员立为功绩效交熟长型品就分是不])"
)
# 1.2亿, 3千万, 2.5万人: a multiplier between the digits and the unit. The look-ahead leaves 亿元 /
# 万元 / 千元 to the unit (1.2亿元 stays 1.2 in 亿元); 3千万元 reads as 3 × 千 in 万元.
_MULT = r"(?:万亿|[十百千]?万|亿|千|百)(?!元)"
_MULTIPLIER = {"十": 10, "百": 100, "千": 1000, "万": 10**4, "亿": 10**8}
_NUMBER = re.compile(
    r"(?<![A-Za-z0-9._])(?<!\d,)"
    r"(?P<sign>[-+−－](?=\d))?"
    r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?![A-Za-z0-9])"
    r"(?P<mult>" + _MULT + r")?"
    # a unit may follow after blanks or one line break (PDF text breaks "1420.25\n万元")
    r"(?:[ \t\u3000]*\n?[ \t\u3000]*(?P<unit>" + _UNIT + r"))?"
)

# Chinese numerals. A run must start with a digit or 十 (千万 / 万一 / 亿万 are words), may hold the
# approximation marks 几 多 余 来 (then it cannot be read and is reported), and a 点 with decimals.
_CN_DIGITS = "零〇一二两三四五六七八九"
# 大写 numerals (壹仟贰佰万元) read as their everyday forms; the same length, so offsets stay valid
_CN_CAPITALS = str.maketrans("壹贰貳叁參肆伍陆陸柒捌玖拾佰仟萬億", "一二二三三四五六六七八九十百千万亿")
_CN_APPROX = "几多余来数"
_CN_RUN = (
    r"[零〇一二两三四五六七八九十几][零〇一二两三四五六七八九十百千万亿几多余来]*"
    r"(?:点[零〇一二三四五六七八九]+[万亿]*)?"
)
_CN_NUMBER = re.compile(
    # 第三 is an ordinal; 统一 唯一 同一 万一 之一 其一 逐一 单一 周一 初一 are words, not figures
    # (and a run never starts inside another: 第三十辆 is not 十辆)
    r"(?<![第统唯同万之其逐单划专周初零〇一二两三四五六七八九十百千])"
    r"(?:(?P<pct>百分之)(?P<pnum>\d+(?:\.\d+)?|百|" + _CN_RUN + r")"
    # 三分之一: a share, read as a percentage to the nearest whole per cent
    r"|(?P<den>[一二两三四五六七八九十百千万]+)分之(?P<numer>[一二两三四五六七八九十]+)"
    # 数十万 / 数百人: "several", unreadable; 人数十二名 is 人数 + 十二名
    r"|(?P<num>数[十百千万亿]+(?![零〇一二两三四五六七八九])|" + _CN_RUN + r"))"
    r"(?:[ \t\u3000]*(?P<unit>" + _UNIT + r"))?"
)
# 一个 / 一项 / 一批 are mostly the article "a", not the count one.
_ARTICLE_UNITS = {"个", "项", "批", "份"}
_FULLWIDTH = str.maketrans("０１２３４５６７８９．，－％", "0123456789.,-%")
_DATE = re.compile(r"\d{4}[-./]\d{1,2}[-./]\d{1,2}")
_CJK = re.compile(r"[\u4e00-\u9fff]")

# Words before a plain integer that make it a reference, not a figure (表3, 公开03表, 栏次 1).
_REF_BEFORE = re.compile(r"(?:表|公开|附表|附件|图|栏次|行次|编号|代码|编码|科目)[ \t\u3000]*$")
# Words right after a plain integer that make it a year, date, table, page or column number.
_REF_AFTER = re.compile(r"^[ \t\u3000]*(?:年|月|日|号|时|表|页|栏|季度)")
# "2023-2024年", "2022、2023年", "12月3-9日": a year or day whose 年/日 stands after the next one.
_RANGE_AFTER = re.compile(r"^[ \t\u3000]*(?:[-—–~～至到、和与及/][ \t\u3000]*\d{1,4}[ \t\u3000]*)+[年月日号]")
_ORDINAL_AFTER = re.compile(r"^(?:[、.．)）]|[ \t\u3000]*[、．])")
_OPEN = "（(〔[【"
_CLOSE = "）)〕]】"

# The sign is carried by a word before the figure (减少 23.51 for a derivation of −23.51), so only
# the magnitude is compared; 相差 has no direction at all.
_DOWN_WORDS = ("减少", "下降", "降低", "少", "减", "降", "节约", "节省", "下滑")
_EITHER_WORDS = ("相差", "差额", "差距", "差值")
_SIGN_WINDOW = 5


@dataclass(frozen=True)
class Mention:
    """A figure as written in the text: `value` carries the written sign, `decimals` the precision."""

    text: str
    value: Decimal
    unit: str | None
    start: int
    end: int
    decimals: int
    # "down" after 减少 / 下降 …, "either" after 相差 / 差额: the word carries the sign, so the
    # magnitude is compared (a growth after "down" must still be negative).
    direction: str | None = None
    # 1.2亿 / 两千万 with no unit: the value is the whole number (120000000), so it is compared with
    # a money fact in 元 and with any other fact as it stands.
    absolute: bool = False
    # why the number could not be read (三十多万元, 三四个); `value` is then 0 and never matches
    unreadable: str | None = None


@dataclass
class CheckResult:
    text: str
    mentions: list[Mention]
    figures: list[Figure]
    status: Status  # verified | partial | unverified; the caller decides not_found
    # per figure: |written − true| in the source's unit when verified (0 = exact), else None
    deviations: list[Decimal | None] = field(default_factory=list)

    @property
    def unverified(self) -> list[Figure]:
        return [f for f in self.figures if not f.verified]


# ---------------------------------------------------------------- extraction


def extract_figures(text: str) -> list[Mention]:
    """The figures of `text` in order: amounts, percentages, counts; not years, codes or references."""
    norm = text.translate(_FULLWIDTH)  # same length, so offsets stay valid for the original
    found = _chinese_figures(text, norm)
    taken = [(m.start, m.end) for m in found]
    dates = [m.span() for m in _DATE.finditer(norm)]
    for m in _NUMBER.finditer(norm):
        if any(a <= m.start() < b for a, b in dates + taken):
            continue  # a date, or the digits of 百分之10 already read with their 百分之
        unit = _norm_unit(m.group("unit"))
        if not _is_figure(norm, m, unit):
            continue
        raw = m.group("num")
        sign = -1 if m.group("sign") in ("-", "−", "－") else 1
        value = sign * Decimal(raw.replace(",", ""))
        decimals = len(raw.split(".")[1]) if "." in raw else 0
        mult = m.group("mult")
        if mult:  # 1.2亿 = 120000000 written to 0.1亿: the precision moves with the multiplier
            factor = _factor(mult)
            value *= factor
            decimals -= factor.adjusted()
            if decimals <= 0:
                value = value.quantize(Decimal(1))
        value, unit, decimals = _tenths(value, unit, decimals)
        end = m.end() if m.group("unit") else (m.end("mult") if mult else m.end("num"))
        found.append(_mention(text, m.start(), end, value, unit, decimals, absolute=bool(mult) and unit is None))
    found.sort(key=lambda x: x.start)
    # the sign word before a figure binds to that figure only, so directions are set in text order
    mentions: list[Mention] = []
    for m in found:
        mentions.append(_with_direction(m, _direction(norm, m.start, mentions)))
    return mentions


def _mention(text: str, start: int, end: int, value: Decimal, unit: str | None, decimals: int,
             absolute: bool = False, unreadable: str | None = None) -> Mention:
    return Mention(text=text[start:end], value=value, unit=unit, start=start, end=end, decimals=decimals,
                   absolute=absolute, unreadable=unreadable)


def _with_direction(m: Mention, direction: str | None) -> Mention:
    if direction is None:
        return m
    return Mention(m.text, m.value, m.unit, m.start, m.end, m.decimals, direction, m.absolute, m.unreadable)


def _factor(mult: str) -> Decimal:
    """千万 → 10⁷, 万亿 → 10¹²: the product of the multiplier characters."""
    f = Decimal(1)
    for ch in mult:
        f *= _MULTIPLIER[ch]
    return f


def _tenths(value: Decimal, unit: str | None, decimals: int) -> tuple[Decimal, str | None, int]:
    """三成 / 3成 → 30%, written to the nearest 10%."""
    if unit == TENTHS:
        return value * 10, PERCENT, decimals - 1
    return value, unit, decimals


def _chinese_figures(text: str, norm: str) -> list[Mention]:
    """Figures written in Chinese numerals; a run that is a figure but cannot be read is kept, flagged."""
    out = []
    for m in _CN_NUMBER.finditer(norm.translate(_CN_CAPITALS)):
        unit = _norm_unit(m.group("unit"))
        if m.group("den"):
            out.append(_fraction(text, m))
            continue
        if m.group("pct"):
            run, unit, end = m.group("pnum"), PERCENT, m.end("pnum")
        else:
            run = m.group("num")
            end = m.end() if m.group("unit") else m.end("num")
            if not _is_chinese_figure(norm, m, run, unit):
                continue
        read = read_chinese_number(run)
        if isinstance(read, str):
            out.append(_mention(text, m.start(), end, Decimal(0), unit, 0, unreadable=read))
            continue
        value, decimals = read
        value, unit, decimals = _tenths(value, unit, decimals)
        if decimals <= 0:  # 一点二亿 is 120000000, not 120000000.0
            value = value.quantize(Decimal(1))
        absolute = unit is None
        out.append(_mention(text, m.start(), end, value, unit, decimals, absolute=absolute))
    return out


def _fraction(text: str, m: re.Match) -> Mention:
    """三分之一 → 33.33%, precise to the whole per cent (a fraction is a rounded way of saying it)."""
    den, numer = read_chinese_number(m.group("den")), read_chinese_number(m.group("numer"))
    end = m.end("numer")
    if isinstance(den, str) or isinstance(numer, str) or den[0] == 0:
        why = den if isinstance(den, str) else numer if isinstance(numer, str) else "a zero denominator"
        return _mention(text, m.start(), end, Decimal(0), PERCENT, 0, unreadable=why)
    value = (numer[0] / den[0] * 100).quantize(Decimal("0.01"))
    return _mention(text, m.start(), end, value, PERCENT, 0)


def _is_chinese_figure(text: str, m: re.Match, run: str, unit: str | None) -> bool:
    """A Chinese numeral is a figure with a unit (三辆), or as a whole number (两千万, 三十五点五).

    A bare 三 / 十二 / 二〇二三 is a word, a year or a name part (三公经费, 十四五, 二〇二三年).
    """
    if not any(ch in _CN_DIGITS or ch in "十百千万亿" for ch in run):
        return False  # 几个, 多个: no numeral at all
    before = text[max(0, m.start() - 12) : m.start()]
    if _REF_BEFORE.search(before):  # 表三, 附件二
        return False
    after = text[m.end("num") : m.end("num") + 4]
    if unit is None:
        if "点" not in run and not run.rstrip(_CN_APPROX).endswith(("万", "亿")):
            return False
        return not (_ORDINAL_AFTER.match(after) or _REF_AFTER.match(after))
    if run == "一" and unit in _ARTICLE_UNITS:  # 一个重要举措, 一项工作: the article, not a count
        return False
    if run == "十" and unit == "分":  # 十分重要: "very", not ten points
        return False
    # （一期）, （二批）: a phase or batch named in brackets, part of a project's name
    return not (before[-1:] in _OPEN and text[m.end() : m.end() + 1] in tuple(_CLOSE))


def read_chinese_number(run: str) -> tuple[Decimal, int] | str:
    """(value, decimals) of a Chinese (or digits + 万/亿) numeral, or why it cannot be read.

    `decimals` is the written precision as for digits, negative above units: 一千一百万 is read to
    the 万 (−4), like 1100万; 一点二亿 to 0.1亿 (−7), like 1.2亿; 十二 to the unit (0).
    """
    if any(ch in run for ch in _CN_APPROX):
        return f"approximate ({''.join(ch for ch in run if ch in _CN_APPROX)})"
    if run == "百":  # 百分之百
        return Decimal(100), 0
    if re.fullmatch(r"\d+(?:\.\d+)?", run):
        return Decimal(run), len(run.split(".")[1]) if "." in run else 0
    mantissa, mult = run, ""
    if "点" in run:  # 一点二亿: cn2an reads no multiplier after the decimals
        tail = re.search(r"[万亿]+$", run)
        if tail:
            mantissa, mult = run[: tail.start()], tail.group()
    elif re.search(r"[万亿]$", run):
        mult = re.search(r"[万亿]+$", run).group()  # type: ignore[union-attr]
    plain = mantissa.replace("点", "")
    if len(plain) > 1 and all(ch in _CN_DIGITS for ch in plain) and "点" not in mantissa:
        return "a run of digits without 十/百/千 (a range such as 三四 or a code)"
    try:
        whole = cn2an.cn2an(mantissa, "normal")
    except (ValueError, KeyError) as exc:  # cn2an raises both on runs it cannot parse (十百, 点点)
        return f"not a number ({exc})"
    value = Decimal(str(whole))
    decimals = len(mantissa.split("点")[1]) if "点" in mantissa else 0
    if mult and "点" in mantissa:
        factor = _factor(mult)
        return value * factor, decimals - factor.adjusted()
    if mult:  # 一千一百万 = 1100 × 万: precise to the 万, as 1100万 is
        return value, -_factor(mult).adjusted()
    return value, decimals


def _norm_unit(unit: str | None) -> str | None:
    if unit is None:
        return None
    if unit in ("％", "\\%"):  # \% from LaTeX-flavoured conversions
        return PERCENT
    if unit == "个百分点":
        return POINTS
    return unit


def _is_figure(text: str, m: re.Match, unit: str | None) -> bool:
    """False for the numbers that are structure, not figures (see module docstring)."""
    raw = m.group("num")
    # a few characters either side decide; slicing the whole text would be quadratic
    before, after = text[max(0, m.start() - 12) : m.start()], text[m.end("num") : m.end("num") + 24]
    if before.rstrip(" \t\u3000").endswith("第"):  # 第3页, 第2个项目: an ordinal whatever follows
        return False
    plain = raw.isdigit() and not m.group("sign")
    if not plain:
        return True  # a decimal or 1,234 is never a year, code or reference
    if unit in MONEY_SCALE or unit == PERCENT:
        return True
    if m.group("mult"):  # 3千万, 2万人: a quantity, unless it names a table (表3万 does not occur)
        return not _REF_BEFORE.search(before)
    if _is_code(raw, after):  # 2150501 行政运行, 20101 人大事务 (人 is not a count there)
        return False
    if unit is not None:
        return not _REF_BEFORE.search(before)
    if _REF_BEFORE.search(before) or _REF_AFTER.match(after):
        return False
    if _RANGE_AFTER.match(after):
        return False
    if before[-1:] in _OPEN and after[:1] in _CLOSE:  # （2050699）, (1), 〔2023〕
        return False
    if _ORDINAL_AFTER.match(after):  # 1. 2、 3）
        return False
    next_char = after.lstrip(" \t\u3000")[:1]
    if len(raw) == 3 and _valid_class(raw) and _CJK.match(next_char):
        return False  # 215 资源勘探工业信息等支出
    if len(raw) == 4 and 1990 <= int(raw) <= 2100 and (_CJK.match(next_char) or next_char in "》〉"):
        return False  # 2023决算, 《中国制造 2025》: a year without its 年
    if len(raw) >= 4 and _CJK.match(after[:1]):
        return False  # 12345政务热线: digits glued to a name (no unit, no space) are part of the name
    return True


def _valid_class(code: str) -> bool:
    """A 类 code: function 201–234, income 101–110, economic 301–313 and 501–599."""
    n = int(code[:3])
    return 201 <= n <= 234 or 101 <= n <= 110 or 301 <= n <= 313 or 501 <= n <= 599


def _is_code(raw: str, after: str) -> bool:
    """A 5- or 7-digit subject code (类+款[+项], no 00 parts) followed by a name."""
    if len(raw) not in (5, 7) or not _valid_class(raw):
        return False
    if raw[3:5] == "00" or (len(raw) == 7 and raw[5:7] == "00"):
        return False
    return bool(_CJK.match(after.lstrip(" \t\u3000")))


def _direction(text: str, start: int, earlier: list[Mention]) -> str | None:
    # Look back a few characters, but not past the previous figure: in "减少 3.94 万元，增长 9%"
    # the 减少 belongs to 3.94 only.
    lo = max(start - _SIGN_WINDOW, earlier[-1].end if earlier else 0)
    window = text[lo:start]
    if any(w in window for w in _DOWN_WORDS):
        return "down"
    if any(w in window for w in _EITHER_WORDS):
        return "either"
    return None


# ---------------------------------------------------------------- verification


@dataclass(frozen=True)
class _Candidate:
    """A value the answer may state: a cited cell or a claim's recomputed derivation."""

    value: Decimal
    unit: str | None
    label: str  # cell(f1) / difference(f1, f2)
    fact: Fact  # the first fact: the figure's citation
    rests_on: tuple[Fact, ...] = ()  # every fact the value is computed from

    @property
    def is_cell(self) -> bool:
        return self.label.startswith("cell(")

    @property
    def signed(self) -> bool:
        return self.label.startswith(("difference(", "growth("))


def verify(
    answer_text: str,
    claims: list[Claim],
    facts: Mapping[str, Fact],
    max_deviation: Decimal | None = None,
    scope: Collection[str] | None = None,
    witnesses: Iterable[Fact] | None = None,
) -> CheckResult:
    """Check every figure of `answer_text` against the facts the claims cite (and their derivations).

    A figure matches when it is the value rounded at the precision it is written with. A caller
    that must not show roundings coarser than the source (1184.8 for 1,184.83) passes
    `max_deviation`, the largest |written − true| allowed, in the source's unit (0.01 for 万元 cells).
    `scope` is the fact ids the answer may cite (the candidates a model was shown for this
    document); a claim citing any other id backs nothing, even when that id exists in the store.
    `witnesses` are the other facts of the cited documents: an OCR'd cell is verified only when
    they (or the cited facts) give it a second source, see `corroboration`.
    """
    mentions = extract_figures(answer_text)
    refused: list[str] = []
    if scope is not None:
        refused = list(dict.fromkeys(i for c in claims for i in c.fact_ids if i not in scope))
        claims = [c for c in claims if all(i in scope for i in c.fact_ids)]
        facts = {k: v for k, v in facts.items() if k in scope}
    candidates, missing = _candidates(claims, facts)
    cited = {fid for claim in claims for fid in claim.fact_ids}
    pool = list(facts.values()) + [w for w in (witnesses or ()) if w.fact_id not in facts]
    checked = [_check(m, candidates, missing, facts, cited, max_deviation, refused, pool) for m in mentions]
    figures = [f for f, _ in checked]
    return CheckResult(answer_text, mentions, figures, _status(figures), [d for _, d in checked])


def _status(figures: list[Figure]) -> Status:
    n = sum(f.verified for f in figures)
    if figures and n == len(figures):
        return "verified"
    return "partial" if n else "unverified"


def render_marks(result: CheckResult, ok: str = "✓", bad: str = "⚠") -> str:
    """The answer text with ✓ after each verified figure and ⚠ after each unverified one."""
    out, pos = [], 0
    for m, f in zip(result.mentions, result.figures, strict=True):
        out += [result.text[pos : m.end], ok if f.verified else bad]
        pos = m.end
    out.append(result.text[pos:])
    return "".join(out)


def _candidates(claims: Iterable[Claim], facts: Mapping[str, Fact]) -> tuple[list[_Candidate], list[str]]:
    cells: dict[str, _Candidate] = {}
    derived: list[_Candidate] = []
    missing: list[str] = []
    for claim in claims:
        found = [facts.get(i) for i in claim.fact_ids]
        missing += [i for i, f in zip(claim.fact_ids, found) if f is None and i not in missing]
        for fid, f in zip(claim.fact_ids, found):
            if f is not None and fid not in cells:
                cells[fid] = _Candidate(f.value, f.unit, f"cell({fid})", f, (f,))
        if claim.derivation != "cell" and found and all(f is not None for f in found):
            d = _derive(claim.derivation, found)  # type: ignore[arg-type]
            if d is not None:
                label = f"{claim.derivation}({', '.join(claim.fact_ids)})"
                derived.append(_Candidate(d[0], d[1], label, found[0], tuple(found)))  # type: ignore[arg-type]
    return list(cells.values()) + derived, missing


def _derive(kind: str, fs: list[Fact]) -> tuple[Decimal, str | None] | None:
    """Recompute a claim's derivation from its facts (order as documented on `Claim`)."""
    common = _common(fs)
    if common is None:
        return None  # mixed units (万元 with 人, or with an unknown unit): nothing to recompute
    vals, unit = common
    if kind == "sum":
        return sum(vals, Decimal(0)), unit
    if len(vals) != 2:
        return None
    a, b = vals
    if kind == "difference":
        return a - b, POINTS if unit == PERCENT else unit
    if b == 0:
        return None
    if kind == "ratio":
        return a / b, TIMES
    if kind in ("share", "execution_rate"):
        return a / b * 100, PERCENT
    if kind == "growth":
        return (a - b) / b * 100, PERCENT
    return None


def _common(fs: list[Fact]) -> tuple[list[Decimal], str | None] | None:
    """The facts' values in one unit: money converts to the first fact's unit, else units must agree."""
    units = {f.unit for f in fs}
    if units <= MONEY_SCALE.keys():
        to = fs[0].unit
        return [f.value * MONEY_SCALE[f.unit] / MONEY_SCALE[to] for f in fs], to  # type: ignore[index]
    if len(units) == 1:
        return [f.value for f in fs], fs[0].unit
    return None


def _in_unit(m: Mention, c: _Candidate) -> Decimal | None:
    """The candidate expressed in the mention's unit, or None when they cannot be compared."""
    if m.unreadable:
        return None
    if m.unit is None:
        if m.absolute and c.unit in MONEY_SCALE:  # 1.2亿 against a 万元 cell: both in 元
            return c.value * MONEY_SCALE[c.unit]
        return c.value  # a bare number is read in the candidate's own unit
    if m.unit in MONEY_SCALE:
        if c.unit not in MONEY_SCALE:
            return None  # unit-less or non-money facts never back an amount
        return c.value * MONEY_SCALE[c.unit] / MONEY_SCALE[m.unit]
    if m.unit == PERCENT:
        return c.value if c.unit == PERCENT else None
    # counts, scores, 倍, 百分点: the same unit or a unit-less fact
    return c.value if c.unit in (m.unit, None) else None


def _tolerance(m: Mention) -> Decimal:
    """Half a unit of the last written digit: 18.8 stands for anything in [18.75, 18.85]."""
    return Decimal(5).scaleb(-(m.decimals + 1))


def _deviation(m: Mention, target: Decimal, signed: bool = False) -> Decimal | None:
    """|written − target| when `m` is `target` rounded at its written precision, else None.

    `signed`: the target is a difference or growth, whose sign the words must agree with.
    """
    if m.direction == "down" and signed:  # "A 比 B 下降 3.5%" is growth(A, B) = −3.5%, never +3.5%
        d = abs(abs(m.value) + target)
    else:
        d = abs(m.value - target)
        if m.direction is not None:
            d = min(d, abs(abs(m.value) - abs(target)))
    return d if d <= _tolerance(m) else None


def _matches(m: Mention, target: Decimal, signed: bool = False) -> bool:
    return _deviation(m, target, signed) is not None


def _in_source_unit(d: Decimal, m: Mention, c: _Candidate) -> Decimal:
    if m.unit in MONEY_SCALE and c.unit in MONEY_SCALE:
        return d * MONEY_SCALE[m.unit] / MONEY_SCALE[c.unit]
    if m.absolute and m.unit is None and c.unit in MONEY_SCALE:
        return d / MONEY_SCALE[c.unit]
    return d


def _check(
    m: Mention,
    cands: list[_Candidate],
    missing: list[str],
    facts: Mapping[str, Fact],
    cited: set[str],
    max_deviation: Decimal | None,
    refused: list[str] | None = None,
    pool: list[Fact] | None = None,
) -> tuple[Figure, Decimal | None]:
    coarse: str | None = None
    ocr_only: str | None = None
    for c in cands:
        target = _in_unit(m, c)
        d = None if target is None else _deviation(m, target, c.signed)
        if d is None:
            continue
        d = _in_source_unit(d, m, c)
        if max_deviation is not None and d > max_deviation:
            shown = _fmt(c.value if c.is_cell else _round(c.value, 4))
            by = _fmt(_round(d, 6).normalize())
            coarse = coarse or f"{m.text} rounds {c.label}={shown} by {by}, more than {max_deviation}"
            continue
        seconds = [corroboration(x, pool if pool is not None else list(facts.values())) for x in c.rests_on if x.ocr]
        if any(s is None for s in seconds):
            ocr_only = ocr_only or (f"{m.text} 仅出自 OCR 识别的图片页（第{c.fact.page}页），没有第二来源印证"
                                    "（无闭合的合计，文字层也未印同一数字），请对照原件核实")
            continue
        f = c.fact
        note = f"（OCR 识别，{'；'.join(dict.fromkeys(s for s in seconds if s))}）" if seconds else ""
        source = Citation(**f.citation(), doc_id=f.doc_id, text=f"{_fmt(f.value)}{f.unit or ''}{note}")
        figure = Figure(
            text=m.text, value=m.value, unit=m.unit, verified=True, source=source, derivation=c.label
        )
        return figure, d
    reason = ocr_only or coarse or _reason(m, cands, missing, facts, cited, refused or [])
    return Figure(text=m.text, value=m.value, unit=m.unit, verified=False, reason=reason), None


# ---------------------------------------------------------------- a second source for OCR'd cells

_TOTAL_NAME = re.compile(r"^(合计|总计|小计|本年收入合计|本年支出合计|收入总计|支出总计)$")
_TOTAL_COLUMN = re.compile(r"(^|/)(合计|小计|总计)$")
_PER_PART = Decimal("0.01")  # 尾数误差: ±0.01 per part of a sum


def corroboration(fact: Fact, pool: Iterable[Fact]) -> str | None:
    """Why an OCR'd cell can be trusted, or None: the same figure printed in the document's text
    layer, or a printed total it takes part in that adds up (code parent = Σ children, 合计 row =
    Σ rows, 合计 column = Σ columns). A misread digit breaks the sum, so a sum that holds is a
    second reading of the image."""
    same_doc = [g for g in pool if g.doc_id == fact.doc_id and g is not fact and not (g.fact_id and g.fact_id == fact.fact_id)]
    for g in same_doc:
        if not g.ocr and g.unit == fact.unit and g.value == fact.value:
            return f"文字层第{g.page}页印有同一数字" if g.page else "文字层印有同一数字"
    table = [g for g in same_doc if (g.table_index, g.side) == (fact.table_index, fact.side)]
    column = [g for g in table if g.column == fact.column]
    if _code_sum_holds(fact, column) or _total_row_holds(fact, column):
        return "合计与各项之和相符"
    row = [g for g in table if g.row_index == fact.row_index]
    if _total_column_holds(fact, row):
        return "合计与各栏之和相符"
    return None


def _adds_up(total: Decimal, parts: list[Decimal]) -> bool:
    return len(parts) >= 1 and abs(total - sum(parts, Decimal(0))) <= _PER_PART * max(1, len(parts))


def _kids(code: str, facts: list[Fact]) -> list[Fact]:
    return [g for g in facts if g.row_code and len(g.row_code) == len(code) + 2 and g.row_code.startswith(code)]


def _code_sum_holds(fact: Fact, column: list[Fact]) -> bool:
    """The fact is a parent code whose children add up to it, or a child in such a sum."""
    code = fact.row_code
    if not code or not code.isdigit():
        return False
    if len(code) in (3, 5) and _adds_up(fact.value, [g.value for g in _kids(code, column)]):
        return True
    parent = next((g for g in column if len(code) in (5, 7) and g.row_code == code[:-2]), None)
    return parent is not None and _adds_up(parent.value, [g.value for g in _kids(parent.row_code, column + [fact])])


def _total_row_holds(fact: Fact, column: list[Fact]) -> bool:
    """A 合计 row equal to the rows of the top level below it (with the fact as total or part)."""
    everything = column + [fact]
    totals = [g for g in everything if not g.row_code and _TOTAL_NAME.match(g.row_name.replace(" ", ""))]
    coded = [g for g in everything if g.row_code and g.row_code.isdigit()]
    if len(totals) != 1 or not coded:
        return False
    top = min(len(g.row_code) for g in coded)  # type: ignore[arg-type]
    parts = [g for g in coded if len(g.row_code) == top]  # type: ignore[arg-type]
    if fact is not totals[0] and fact not in parts:
        return False
    return _adds_up(totals[0].value, [g.value for g in parts])


def _total_column_holds(fact: Fact, row: list[Fact]) -> bool:
    """A 合计 / 小计 column equal to the row's other columns (the fact as total or part)."""
    cells = row + [fact]
    totals = [g for g in cells if _TOTAL_COLUMN.search(g.column)]
    if len(totals) != 1:
        return False
    parts = [g.value for g in cells if g is not totals[0]]
    return len(parts) >= 2 and _adds_up(totals[0].value, parts)


def _reason(
    m: Mention, cands: list[_Candidate], missing: list[str], facts: Mapping[str, Fact], cited: set[str],
    refused: list[str],
) -> str:
    """The most telling explanation of why `m` could not be traced."""
    number = _fmt(m.value)
    if m.unreadable:
        return f"cannot read {m.text} as a number: {m.unreadable}"
    if refused:  # another document's cell, or an id never shown: the claim backs nothing
        return f"cites facts not shown for this document: {', '.join(refused)}"
    if not cands:
        if missing:
            return f"cited facts not found: {', '.join(missing)}"
        return "the answer cites no fact"
    for c in cands:  # the same digits in another unit: the classic 元/万元 slip
        if c.unit != m.unit and m.unit is not None and _matches(m, c.value):
            if c.unit is None:
                return f"cited fact has no unit: {_fmt(c.value)} ≠ {number}{m.unit}"
            return f"cited fact is in {c.unit}: {_fmt(c.value)}{c.unit} ≠ {number}{m.unit}"
    derived = [(c, t) for c in cands if not c.is_cell and (t := _in_unit(m, c)) is not None]
    if derived:
        c, t = min(derived, key=lambda ct: abs(abs(ct[1]) - abs(m.value)))
        shown = _fmt(_round(t, max(m.decimals, 2)))
        if m.direction == "down" and c.signed and _matches(m, abs(t)):
            return (
                f"derivation {c.label}={shown} is not a decrease, "
                f"answer says {m.text} after a decrease word"
            )
        return f"derivation {c.label}={shown}, answer says {number}"
    if m.unit == PERCENT:
        return f"no cited % fact or share/growth/execution_rate derivation gives {number}%"
    if not any(_in_unit(m, c) is not None for c in cands):
        units = sorted({c.unit or "no unit" for c in cands})
        return f"no cited fact is in a unit comparable with {m.unit}: cited units {', '.join(units)}"
    for fid, f in facts.items():  # name the uncited cell it equals: the answer must cite it
        if fid not in cited:
            t = _in_unit(m, _Candidate(f.value, f.unit, "", f))
            if t is not None and _matches(m, t):
                row = f"{f.row_code} {f.row_name}".strip() if f.row_code else f.row_name
                where = f"{f.table_title} / {row} / {f.column}"
                return f"no cited fact equals {number}; it equals uncited fact {fid} ({where})"
    return f"no cited fact equals {number}"


def _round(v: Decimal, places: int) -> Decimal:
    try:
        return v.quantize(Decimal(1).scaleb(-places))
    except InvalidOperation:  # more digits than the context holds: show it unrounded
        return v


def _fmt(v: Decimal) -> str:
    return f"{v:,}"
