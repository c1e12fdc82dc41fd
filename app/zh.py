"""Chinese for people: the checker's and readers' English messages, translated at the edge (the page
and the CLI's text output; JSON keeps the messages as the checker wrote them).

The checker and the readers write their reasons in English for the CLI, logs and tests; a reviewer
on the page reads Chinese. Each known message form has a pattern here; an unknown one is shown as it
is rather than guessed at. The English page (`BUDGETQA_LANGUAGE=en`, `app/messages.py`) shows them as
the checker wrote them. Gradio's own strings (upload box, errors of its widgets) come from its bundled
translation of the page's language (`app/ui/locale.py`).
"""

from __future__ import annotations

import re

_REASONS: list[tuple[re.Pattern, str]] = [(re.compile(p), r) for p, r in [
    (r"^the answer cites no fact$", "未引用任何表格单元格，无法与表格核验"),
    (r"^cites facts not shown for this document: (.+)$", r"引用了不属于本文件的单元格：\1"),
    (r"^cited facts not found: (.+)$", r"引用的单元格不存在：\1"),
    (r"^cannot read (.+?) as a number: (.+)$", r"无法把「\1」读成数字：\2"),
    (r"^cited fact has no unit: (.+)$", r"所引单元格没有单位：\1"),
    (r"^cited fact is in (\S+?): (.+)$", r"所引单元格的单位是\1：\2"),
    (r"^derivation (.+?)=(\S+) is not a decrease, answer says (.+) after a decrease word$",
     r"\1=\2 并非减少，而答案在“减少”之后写了 \3"),
    (r"^derivation (.+?)=(\S+), answer says (.+)$", r"计算 \1=\2，答案写的是 \3"),
    (r"^no cited % fact or share/growth/execution_rate derivation gives (.+)$", r"没有引用的百分数或占比/增长率/执行率计算得出 \1"),
    (r"^no cited fact is in a unit comparable with (\S+): cited units (.+)$", r"所引单元格的单位（\2）与 \1 不可比"),
    (r"^no cited fact equals (\S+); it equals uncited fact (\S+) \((.+)\)$", r"没有所引单元格等于 \1；它等于未引用的单元格 \2（\3）"),
    (r"^no cited fact equals (.+)$", r"没有所引单元格等于 \1"),
    (r"^(.+?) rounds (.+?)=(\S+) by (\S+), more than (\S+)$", r"\1 与 \2=\3 相差 \4，超过允许的 \5"),
    (r"^approximate \((.*)\)$", r"约数（\1）"),
    (r"^a run of digits without 十/百/千 \(a range such as 三四 or a code\)$", "一串数字（如“三四”或编码），不是金额"),
    (r"^not a number \((.+)\)$", r"不是数字（\1）"),
    (r"^a zero denominator$", "分母为 0"),
    (r"^strict: unverified figures withheld$", "严格模式：未核验的数字不显示"),
]]

_INGEST: list[tuple[re.Pattern, str]] = [(re.compile(p), r) for p, r in [
    (r"not a PDF \(no %PDF header\)", "不是 PDF 文件（文件头没有 %PDF）"),
    (r"give a PDF file or a text conversion", "请上传 PDF 或其文本转换件"),
    (r"empty file \(0 bytes\)", "文件为空（0 字节）"),
    (r"the file is empty", "文件为空"),
    (r"download the PDF again", "请重新下载该 PDF"),
    (r"check the conversion", "请检查转换结果"),
    (r"corrupt PDF page \((.+?)\)", r"PDF 页面已损坏（\1）"),
    (r"corrupt PDF \((\w+)\)", r"PDF 文件已损坏（\1）"),
    (r"encrypted PDF \(password required\)", "PDF 已加密（需要密码）"),
    (r"save an unprotected copy first", "请先另存一份未加密的副本"),
    (r"no budget tables found \(no ruled or aligned table with figures\)", "没有找到预算/决算表格（没有带数字的表格）"),
    (r"no budget or final-account table found", "没有找到预算或决算表格"),
    (r"is this a 部门预算/决算 disclosure\?", "这是部门预算/决算公开文件吗？"),
    (r"not a text file in UTF-8 or GBK", "不是 UTF-8 或 GBK 编码的文本文件"),
    (r"convert it to UTF-8 text or give the PDF", "请转换为 UTF-8 文本或上传 PDF"),
    (r"(\d+) pages, more than the limit of (\d+)", r"共 \1 页，超过 \2 页的上限"),
    (r"unsupported file type (\S+)", r"不支持的文件类型 \1"),
    (r"give a \.pdf, \.txt or \.md file", "请上传 .pdf、.txt 或 .md 文件"),
    (r"cannot read file: (.+)", r"无法读取文件：\1"),
    (r"check the path and permissions", "请检查路径和权限"),
]]

_LABELS = [("(unlabelled totals row)", "（未命名的合计行）")]


def reason(text: str | None) -> str | None:
    """A checker reason in Chinese (unknown forms unchanged)."""
    if not text:
        return text
    for pattern, repl in _REASONS:
        if pattern.match(text):
            return pattern.sub(repl, text)
    return text


def ingest_error(text: str) -> str:
    """A reader's failure message in Chinese, part by part (reason, then the hint in brackets)."""
    for pattern, repl in _INGEST:
        text = pattern.sub(repl, text)
    return text.replace(" (", "（").replace(")", "）") if re.search(r"[\u4e00-\u9fff]", text) else text


def label(text: str) -> str:
    """A source label with the measure reader's English placeholders (row, line, page) in Chinese."""
    for en, cn in _LABELS:
        text = text.replace(en, cn)
    text = re.sub(r"\bline (\d+)\b", r"第\1行", text)
    return re.sub(r"(?<![A-Za-z])p(\d+)\b", r"第\1页", text)
