"""The page's own words in each language it speaks (`BUDGETQA_LANGUAGE`): one table, read through `Words`.

Chinese is the page's language; English is a setting. Only the page's own strings live here (tabs,
buttons, labels, notices, errors, tooltips, captions). What the documents and the pipeline write
stays as written: an answer's sentence, its 理解为 line, an audit finding's message are Chinese at
source. The checker's and readers' reasons are English at source: Chinese translates them
(`app/zh.py`), English shows them as they are. Gradio's own strings follow `Words.gradio_locale`.
"""

from __future__ import annotations

import re
import string
from typing import Literal

from budgetqa.app import zh

Language = Literal["zh", "en"]
LANGUAGES: tuple[Language, ...] = ("zh", "en")

# Gradio's bundled translation chosen for each language (its frontend's locale codes).
GRADIO_LOCALES: dict[str, str] = {"zh": "zh-CN", "en": "en"}

MESSAGES: dict[str, dict[str, str]] = {
    "zh": {
        # the page's frame
        "title": "budgetqa · 部门预算决算问答",
        "header": "## budgetqa · 部门预算 / 决算问答\n每个数字都与原表核对：✓ 已核验，⚠ 未能核验。点 ↗ 看原页。",
        "tab.chat": "问答", "tab.docs": "文件库", "tab.tables": "表格", "tab.compare": "对比",
        "tab.audit": "一致性检查", "tab.settings": "设置",
        "label.documents": "文件", "label.conversation": "对话", "label.conversation_title": "对话名称",
        "label.suggestions": "建议问题（由所选文件的表格生成）", "label.chat": "对话",
        "label.upload": "上传 PDF / 文本文件（可多选，每份不超过 {mb} MB）", "label.library": "文库",
        "label.delete_doc": "删除文件", "label.table": "表格", "label.measure": "指标",
        "label.log_scale": "对数刻度（数额相差悬殊时）", "label.compare_table": "数据与来源",
        "hint.all_docs": "不选则在全部文件中查找",
        "placeholder.question": "例如：2023年“三公”经费决算数是多少？",
        "button.rename": "重命名", "button.new_conversation": "新对话", "button.delete_conversation": "删除对话",
        "button.ask": "提问", "button.delete": "删除", "button.csv": "下载 CSV", "button.xlsx": "下载 Excel",
        "button.doc_csv": "整份文件 CSV（长表）", "button.compare": "对比", "button.audit": "检查",
        "button.llm_test": "测试大模型连接",
        # notices and errors
        "notice.loading": "正在导入示例文件…（已就绪 {n} 份，可先提问）",
        "notice.count": "文库中共 {n} 份文件。",
        "notice.empty": "文库为空：请在「文件库」上传部门预算/决算 PDF 或文本。",
        "notice.dense": " 语义索引 {done}/{n} 份（表格问答不受影响）",
        "error.unknown_doc": "{ref}：文库中没有这个文件（id 或文件名）",
        "error.answer": "出错：{error}",
        "error.rename": "请先选择一个对话并填写新名称",
        "chat.checking": " …（核验中）",
        "conversation.new": "新对话",
        # uploads
        "upload.parsing": "正在解析 {name}", "upload.done": "完成",
        "upload.unnamed": "未命名文件",
        "upload.bad_type": "{name}：不支持的文件类型（{suffix}），请上传 PDF 或文本文件（.pdf/.txt/.md）",
        "upload.no_suffix": "无扩展名",
        "upload.too_big": "{name}：文件过大（{mb:.1f} MB，上限 {limit} MB）",
        "upload.empty": "{name}：文件为空",
        "upload.stored": "{name}：已在文库中",
        "upload.failed": "{name}：无法导入 — {reason}",
        "upload.same_as": "{name}：与文库中的 {other} 是同一份文件，未重复导入",
        "upload.added": "{name}：已导入，{n} 张表",
        "upload.already": "{name}：已在文库中，{n} 张表",
        "upload.limit": "文件超过上传上限 {mb} MB，未上传：{files}",
        "toast.error": "错误",
        "delete.choose": "请先选择要删除的文件。", "delete.done": "已删除 {file}",
        # the library
        "library.headers": "文件|部门|年度|类型|表格数|页数|状态|id",
        "library.ready": "可提问",
        # places in a document
        "where.page": "第{page}页", "where.line": "第{line}行", "where.from_line": "第{line}行起",
        "unit.none": "未注明", "unit.none_table": "单位未注明",
        # answers
        "status.not_found": "未找到：文件中没有能回答这个问题的数字",
        "status.all_verified": "全部数字已核验",
        "status.no_figures": "答案不含数字",
        "status.prose": "引自说明文字，未与表格核验",
        "status.some_unverified": "{bad} 个数字未能核验（共 {n} 个）",
        "figure.unverified": "未能核验",
        "answer.sources": "来源（{n}）",
        "answer.pages": "原页：",
        "answer.table_source": "✓ 原表：",
        "answer.docs_head": "文件|年度|数字",
        "answer.not_found": "未找到",
        "answer.compare_chart": "各文件对比",
        "excerpt.item": "项目", "excerpt.code": "编码",
        "excerpt.unit": "单位：{unit}",
        # the page view
        "pv.placeholder": "点答案中的 ↗ 在此查看原页，所引单元格会被框出。",
        "pv.no_original": "没有保存这份文件的原件，无法显示原页。",
        "pv.moved": "导入时的原件已不在 {path}（已移动或删除），无法显示原页；请把文件放回原处，或重新导入。",
        "pv.changed": "{path} 已被修改，与导入时的内容不同，无法显示原页；请重新导入这个文件。",
        "pv.no_page": "无法显示第{page}页。",
        "pv.boxed_cell": "已框出所引单元格", "pv.boxed_text": "已框出所引文字", "pv.not_located": "未能定位所引文字",
        "pv.no_location": "这条来源没有页码或行号。",
        "pv.text_caption": "（文本转换件，无页面；第 {first}–{last} 行）",
        # tables
        "table.meta": "**{title}**　类型：{kind}　单位：{unit}　页码：{pages}　{rows} 行 × {cols} 列",
        "table.open_page": "↗ 查看原页（第{page}页）", "table.open_text": "↗ 查看原文（第{line}行）",
        "table.rows": "{n}行", "table.number": "表{n}",
        # compare
        "ledger.budget": "预算", "ledger.final": "决算", "ledger.unknown": "未注明",
        "compare.label": "{year}年{ledger} {name}",
        "compare.missing": "表格和说明文字中都没有这一指标",
        "compare.prose_only": "⚠ 仅见于说明文字，未与表格核验：{where}",
        "compare.mixed": "⚠ 所选文件口径不同（{kinds}），对比时请留意。",
        "compare.kind": "{year}年{ledger}",
        "compare.kinds_sep": "、",
        "compare.columns": "文件|{measure}（万元）|来源|文件名",
        "compare.no_measure": "所选文件中没有这一指标。",
        "chart.heading": "{title}（{unit}）", "chart.heading_log": "{title}（{unit}，对数刻度）",
        "unit.wan": "万元",
        # audit
        "audit.choose": "请选择一份文件。",
        "audit.clean": "✓ 未发现前后不一致的数字。",
        "audit.clean_prefix": "✓ 未发现前后不一致的数字；",
        "audit.count": "{name} {n} 处", "sep": "，",
        "audit.sources": "来源：", "audit.source_sep": "；",
        "audit.rounding": "尾数误差 {n} 处（万元换算，属正常）",
        "audit.unknown_source": "（来源不明）",
        "severity.error": "不一致", "severity.warning": "提示", "severity.rounding": "尾数误差",
        "mark.已确认": "已确认", "mark.忽略": "忽略",
        "label.mark_note": "复核备注（可选，随下一次标记保存）",
        "audit.mark_confirm": "确认", "audit.mark_ignore": "忽略", "audit.mark_clear": "清除标记",
        "audit.marked": "复核：{mark}", "audit.marks_count": "已复核 {n} 处",
        "audit.mark_gone": "这条发现已不在本文件的检查结果中。",
        "audit.mark_bad": "复核标记只能是“已确认”或“忽略”。",
        # settings
        "settings.head": "| 项目 | 当前值 | 如何修改（环境变量，修改后重启 `budgetqa serve`） |",
        "settings.llm": "大模型", "settings.llm_none": "none（仅表格核验模式，不调用大模型）",
        "settings.llm_url": "大模型地址", "settings.llm_key": "大模型密钥",
        "settings.emb": "向量模型", "settings.emb_none": "none（仅关键词检索）",
        "settings.emb_url": "向量模型地址", "settings.emb_key": "向量模型密钥",
        "settings.key_set": "已设置（不显示）", "settings.key_unset": "未设置",
        "settings.home": "数据目录", "settings.home_how": "`BUDGETQA_HOME` 或 `budgetqa serve --home`",
        "settings.docs": "文件数", "settings.docs_how": "在「文件库」上传或删除",
        "settings.upload": "上传上限", "settings.strict": "严格模式", "settings.on": "开", "settings.off": "关",
        "settings.language": "界面语言", "settings.language_value": "中文",
        "llm.none": "未配置大模型（`BUDGETQA_LLM__PROVIDER=none`）：只用表格核验模式，无需连接。",
        "llm.failed": "✗ 无法连接 {where}（{model}）：{error}",
        "llm.ok": "✓ 已连接 {where}（{model}），{ms} 毫秒，回复：{reply}",
        "llm.prompt": "只回答“好”。",
    },
    "en": {
        "title": "budgetqa · department budgets and final accounts",
        "header": "## budgetqa · questions on department budgets and final accounts\nEvery figure is checked "
                  "against its table: ✓ verified, ⚠ not verified. Click ↗ to see the page.",
        "tab.chat": "Ask", "tab.docs": "Library", "tab.tables": "Tables", "tab.compare": "Compare",
        "tab.audit": "Consistency check", "tab.settings": "Settings",
        "label.documents": "Documents", "label.conversation": "Conversation",
        "label.conversation_title": "Conversation name",
        "label.suggestions": "Suggested questions (built from the chosen documents' tables)", "label.chat": "Conversation",
        "label.upload": "Upload PDF / text files (several at once, up to {mb} MB each)", "label.library": "Library",
        "label.delete_doc": "Delete a document", "label.table": "Table", "label.measure": "Measure",
        "label.log_scale": "Log scale (for very different amounts)", "label.compare_table": "Figures and sources",
        "hint.all_docs": "Leave empty to search every document",
        "placeholder.question": "e.g. 2023年“三公”经费决算数是多少？",
        "button.rename": "Rename", "button.new_conversation": "New conversation",
        "button.delete_conversation": "Delete conversation",
        "button.ask": "Ask", "button.delete": "Delete", "button.csv": "Download CSV", "button.xlsx": "Download Excel",
        "button.doc_csv": "Whole document CSV (long)", "button.compare": "Compare", "button.audit": "Check",
        "button.llm_test": "Test the LLM connection",
        "notice.loading": "Loading the sample documents… ({n} ready; you can ask already)",
        "notice.count": "Documents in the library: {n}.",
        "notice.empty": "The library is empty: upload a department budget or final-account PDF or text under “Library”.",
        "notice.dense": " Semantic index {done}/{n} documents (table answers are not affected)",
        "error.unknown_doc": "{ref}: no such document in the library (id or file name)",
        "error.answer": "Error: {error}",
        "error.rename": "Choose a conversation and type its new name first",
        "chat.checking": " … (checking)",
        "conversation.new": "New conversation",
        "upload.parsing": "Parsing {name}", "upload.done": "Done",
        "upload.unnamed": "unnamed file",
        "upload.bad_type": "{name}: unsupported file type ({suffix}); upload a PDF or a text file (.pdf/.txt/.md)",
        "upload.no_suffix": "no extension",
        "upload.too_big": "{name}: file too large ({mb:.1f} MB, limit {limit} MB)",
        "upload.empty": "{name}: the file is empty",
        "upload.stored": "{name}: already in the library",
        "upload.failed": "{name}: cannot be imported — {reason}",
        "upload.same_as": "{name}: the same file as {other} in the library, not imported again",
        "upload.added": "{name}: imported, {n} tables",
        "upload.already": "{name}: already in the library, {n} tables",
        "upload.limit": "File over the upload limit of {mb} MB, not uploaded: {files}",
        "toast.error": "Error",
        "delete.choose": "Choose a document to delete first.", "delete.done": "Deleted {file}",
        "library.headers": "File|Department|Year|Kind|Tables|Pages|Status|id",
        "library.ready": "ready",
        "where.page": "p. {page}", "where.line": "line {line}", "where.from_line": "from line {line}",
        "unit.none": "not stated", "unit.none_table": "unit not stated",
        "status.not_found": "Not found: the document has no figure that answers this question",
        "status.all_verified": "Every figure verified",
        "status.no_figures": "The answer has no figures",
        "status.prose": "Quoted from the text, not checked against a table",
        "status.some_unverified": "{bad} of {n} figures not verified",
        "figure.unverified": "not verified",
        "answer.sources": "Sources ({n})",
        "answer.pages": "Pages: ",
        "answer.table_source": "✓ table: ",
        "answer.docs_head": "Document|Year|Figures",
        "answer.not_found": "not found",
        "answer.compare_chart": "Documents compared",
        "excerpt.item": "Item", "excerpt.code": "Code",
        "excerpt.unit": "unit: {unit}",
        "pv.placeholder": "Click ↗ in an answer to see its page here, the cited cell boxed.",
        "pv.no_original": "The original of this document is not kept: its page cannot be shown.",
        "pv.moved": "The original is no longer at {path} (moved or deleted): its page cannot be shown; put the "
                    "file back or import it again.",
        "pv.changed": "{path} has changed since it was imported: its page cannot be shown; import the file again.",
        "pv.no_page": "Page {page} cannot be shown.",
        "pv.boxed_cell": "cited cell boxed", "pv.boxed_text": "cited text boxed", "pv.not_located": "cited text not located",
        "pv.no_location": "This source has no page or line number.",
        "pv.text_caption": " (text conversion, no pages; lines {first}–{last})",
        "table.meta": "**{title}**　kind: {kind}　unit: {unit}　pages: {pages}　{rows} rows × {cols} columns",
        "table.open_page": "↗ Open the page (p. {page})", "table.open_text": "↗ Open the text (line {line})",
        "table.rows": "{n} rows", "table.number": "table {n}",
        "ledger.budget": "budget", "ledger.final": "final accounts", "ledger.unknown": "not stated",
        "compare.label": "{year} {ledger} {name}",
        "compare.missing": "Neither the tables nor the text give this measure",
        "compare.prose_only": "⚠ Stated only in the text, not checked against a table: {where}",
        "compare.mixed": "⚠ The chosen documents differ in year or kind ({kinds}): compare with care.",
        "compare.kind": "{year} {ledger}",
        "compare.kinds_sep": ", ",
        "compare.columns": "Document|{measure} (万元, 10k yuan)|Source|File",
        "compare.no_measure": "None of the chosen documents gives this measure.",
        "chart.heading": "{title} ({unit})", "chart.heading_log": "{title} ({unit}, log scale)",
        "unit.wan": "万元 (10k yuan)",
        "audit.choose": "Choose a document.",
        "audit.clean": "✓ No inconsistent figures found.",
        "audit.clean_prefix": "✓ No inconsistent figures found; ",
        "audit.count": "{name}: {n}", "sep": ", ",
        "audit.sources": "Sources: ", "audit.source_sep": "; ",
        "audit.rounding": "Rounding differences: {n} (from conversion to 万元, normal)",
        "audit.unknown_source": "(source unknown)",
        "severity.error": "inconsistency", "severity.warning": "note", "severity.rounding": "rounding",
        "mark.已确认": "confirmed", "mark.忽略": "ignored",
        "label.mark_note": "Review note (optional, saved with the next mark)",
        "audit.mark_confirm": "Confirm", "audit.mark_ignore": "Ignore", "audit.mark_clear": "Clear mark",
        "audit.marked": "Review: {mark}", "audit.marks_count": "{n} reviewed",
        "audit.mark_gone": "This finding is no longer among the document's findings.",
        "audit.mark_bad": "A review mark is 已确认 (confirmed) or 忽略 (ignored).",
        "settings.head": "| Setting | Current value | How to change it (environment variable; restart `budgetqa serve`) |",
        "settings.llm": "LLM", "settings.llm_none": "none (grounded mode only, no LLM called)",
        "settings.llm_url": "LLM endpoint", "settings.llm_key": "LLM API key",
        "settings.emb": "Embedding model", "settings.emb_none": "none (keyword search only)",
        "settings.emb_url": "Embedding endpoint", "settings.emb_key": "Embedding API key",
        "settings.key_set": "set (not shown)", "settings.key_unset": "not set",
        "settings.home": "Data directory", "settings.home_how": "`BUDGETQA_HOME` or `budgetqa serve --home`",
        "settings.docs": "Documents", "settings.docs_how": "upload or delete under “Library”",
        "settings.upload": "Upload limit", "settings.strict": "Strict mode", "settings.on": "on", "settings.off": "off",
        "settings.language": "Page language", "settings.language_value": "English",
        "llm.none": "No LLM configured (`BUDGETQA_LLM__PROVIDER=none`): grounded mode only, nothing to connect to.",
        "llm.failed": "✗ Cannot connect to {where} ({model}): {error}",
        "llm.ok": "✓ Connected to {where} ({model}), {ms} ms, reply: {reply}",
        "llm.prompt": "Reply with the single word OK.",
    },
}

# The compare tab's measures are the standard figures' Chinese names (they are what the tables
# print); English adds a gloss.
MEASURE_GLOSSES: dict[str, str] = {
    "三公经费": "three public expenses", "本年支出合计": "total spending", "基本支出": "basic spending",
    "项目支出": "project spending", "人员经费": "personnel", "公用经费": "running costs",
    "财政拨款收入": "fiscal appropriations", "年末结转和结余": "year-end carry-over",
    "机关运行经费": "office running costs",
}


# Places the audit and the measure reader write in Chinese (第21页, 第190行): in English on the English page.
_EN_PLACES = [(re.compile(r"第(\d+)页"), r"p. \1"), (re.compile(r"第(\d+)行"), r"line \1")]


def placeholders(text: str) -> set[str]:
    """The {names} a message is formatted with (both languages of a key must take the same ones)."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


class Words:
    """The page's strings in one language: `words("tab.chat")`, `words("notice.count", n=3)`."""

    def __init__(self, language: Language = "zh"):
        if language not in MESSAGES:
            raise ValueError(f"language must be one of {', '.join(LANGUAGES)}, not {language!r}")
        self.language = language
        self._table = MESSAGES[language]

    def __call__(self, key: str, **values) -> str:
        text = self._table[key]
        return text.format(**values) if values else text

    def split(self, key: str, **values) -> list[str]:
        """A message holding a list (column headers), its parts joined by |."""
        return self(key, **values).split("|")

    @property
    def chinese(self) -> bool:
        return self.language == "zh"

    @property
    def gradio_locale(self) -> str:
        return GRADIO_LOCALES[self.language]

    def reason(self, text: str | None) -> str | None:
        """A checker reason as the page shows it: in Chinese on the Chinese page, as written otherwise."""
        return zh.reason(text) if self.chinese else text

    def label(self, text: str) -> str:
        """A source label: the measure reader's English placeholders in Chinese on the Chinese page,
        the pages and lines the audit writes in Chinese in English on the English page."""
        if self.chinese:
            return zh.label(text)
        for pattern, repl in _EN_PLACES:
            text = pattern.sub(repl, text)
        return text

    def ingest_error(self, text: str) -> str:
        return zh.ingest_error(text) if self.chinese else text

    def measure(self, name: str) -> str:
        """A standard measure's name as a picker shows it."""
        gloss = MEASURE_GLOSSES.get(name)
        return name if self.chinese or not gloss else f"{name} ({gloss})"

    def where(self, page: int | None = None, line: int | None = None) -> str:
        return self("where.page", page=page) if page else (self("where.line", line=line) if line else "")


ZH = Words("zh")
