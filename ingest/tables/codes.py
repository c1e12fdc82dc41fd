"""Subject codes in every printed form, normalised to the full code with its level.

Function subjects are 3 / 5 / 7 digits (类 / 款 / 项), economic subjects 3 / 5 (301 / 30101).
Templates print them joined to the name (`[2120106]工程建设管理`, `2010801-行政运行`,
`30101 基本工资`), spread over 类 / 款 / 项 columns (`201 │ 08 │ 04`), as one spaced cell
(`205 03 99`), or short under their parent (`08` under 201, `04` under 20108).
"""

from __future__ import annotations

import re

# A code joined to its name: brackets, or a dash / dot / blank between, or the name straight after.
_JOINED = re.compile(
    r"^[\[［【(（]?(?P<code>\d{3}(?:\d{2}){0,2})[\]］】)）]?\s*[-－—.．、:：]?\s*(?P<name>[\u4e00-\u9fff（(“\"].*)$"
)
# A name that merely starts with digits: 300万元以上, 2024年…, 100%: not a code.
_NOT_A_CODE_AFTER = re.compile(r"^[万千亿元年月日人个次项%％]")
_SPACED = re.compile(r"^\d{2,3}(?:\s+\d{2}){1,2}$")


def split_joined(text: str) -> tuple[str | None, str]:
    """(code, name) of a name cell that carries its code; (None, text) otherwise."""
    m = _JOINED.match(text.strip())
    if not m or _NOT_A_CODE_AFTER.match(m.group("name")):
        return None, text
    return m.group("code"), m.group("name").strip()


def code_digits(text: str) -> str | None:
    """The digits of a code cell: `2010801`, `08`, `205 03 99` → `2050399`; None for other text."""
    t = text.strip()
    if re.fullmatch(r"\d+", t):
        return t
    if _SPACED.match(t):
        return re.sub(r"\s+", "", t)
    return None


def level_of(code: str | None) -> str | None:
    return {3: "类", 5: "款", 7: "项"}.get(len(code)) if code else None


class CodeCompleter:
    """Full codes for short parts printed under their parent, row by row down a table.

    `complete(parts)` takes one row's code parts as (level, digits), level 0/1/2 for a 类 / 款 / 项
    column or None for a single code column, and returns the full code.
    """

    def __init__(self) -> None:
        self.lei: str | None = None
        self.kuan: str | None = None

    def complete(self, parts: list[tuple[int | None, str]]) -> str | None:
        if not parts:
            return None
        if len(parts) > 1:  # 201 │ 08 │ 04 on one row: joined in column order
            code = "".join(d for _, d in parts)
        else:
            level, code = parts[0]
            if len(code) == 2:
                code = self._short(level, code)
        self._remember(code)
        return code

    def _short(self, level: int | None, digits: str) -> str:
        # A two-digit part is a 款 under the last 类 (in the 款 column, or right after a 类 row),
        # else a 项 under the last 款.
        if level == 1 or (level is None and self.kuan is None):
            return (self.lei or "") + digits
        return (self.kuan or self.lei or "") + digits

    def _remember(self, code: str) -> None:
        if len(code) == 3:
            self.lei, self.kuan = code, None
        elif len(code) == 5:
            self.lei, self.kuan = code[:3], code
        elif len(code) == 7:
            self.lei, self.kuan = code[:3], code[:5]
