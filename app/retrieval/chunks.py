"""Cut a parsed Document into retrievable passages: prose by section, one per table row, one per table.

Row passages repeat the department, year, table title, unit and column headers, so that a row
found on its own (by BM25 or a reader) still says what its numbers are.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Literal

from budgetqa.ingest.models import Document, Paragraph, Row, Table

ChunkKind = Literal["prose", "row", "table_summary"]

EMPTY = "—"
SUMMARY_ROWS = 8  # top-level row names quoted in a table summary: enough to recognise the table

# A sentence ends after 。；！？ (or their ASCII forms) or at a line end; the mark stays with it.
_SENTENCE_END = re.compile(r"(?<=[。；！？;!?])|\n")
_QUOTES = re.compile(r"[“”\"'‘’]")


@dataclass
class Chunk:
    id: str
    doc_id: str
    kind: ChunkKind
    text: str
    page: int | None = None
    heading_path: list[str] = field(default_factory=list)
    table_index: int | None = None
    table_title: str | None = None
    row_index: int | None = None
    side: str | None = None
    row_name: str | None = None  # the row's subject name (行政运行), for the lexical dictionary

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> Chunk:
        return cls(**d)


def build_chunks(doc: Document, prose_chars: int = 300) -> list[Chunk]:
    """All passages of a document: prose sections, then per table a summary and its rows."""
    chunks = prose_chunks(doc, prose_chars)
    head = document_label(doc)
    for table in doc.tables:
        chunks.append(table_summary_chunk(doc.doc_id, head, table))
        chunks.extend(row_chunks(doc.doc_id, head, table))
    return chunks


def document_label(doc: Document) -> str:
    """`延边州工业和信息化局 2023 决算`: who, which year, which kind — the parts that are known."""
    return " ".join(str(p) for p in (doc.department, doc.year, doc.kind) if p)


# ---- prose -------------------------------------------------------------------------------


def split_sentences(text: str) -> list[str]:
    """Sentences (with their closing mark) and lines; blank pieces dropped."""
    return [s.strip() for s in _SENTENCE_END.split(text) if s and s.strip()]


def pack_sentences(sentences: list[str], limit: int) -> list[list[str]]:
    """Greedy grouping of whole sentences into pieces of at most `limit` characters.

    A sentence longer than `limit` becomes a piece of its own: cutting it would split a
    figure from what it measures.
    """
    groups: list[list[str]] = []
    size = 0
    for s in sentences:
        if groups and size + len(s) <= limit:
            groups[-1].append(s)
            size += len(s)
        else:
            groups.append([s])
            size = len(s)
    return groups


def _sections(paragraphs: list[Paragraph]) -> list[list[Paragraph]]:
    """Consecutive paragraphs under the same heading path."""
    sections: list[list[Paragraph]] = []
    for p in paragraphs:
        if sections and sections[-1][-1].heading_path == p.heading_path:
            sections[-1].append(p)
        else:
            sections.append([p])
    return sections


def prose_chunks(doc: Document, prose_chars: int = 300) -> list[Chunk]:
    """Prose by section, heading path prefixed, about `prose_chars` characters, cut between sentences."""
    chunks: list[Chunk] = []
    for section in _sections(doc.paragraphs):
        path = list(section[0].heading_path)
        prefix = " > ".join(path)
        # Track the page each sentence came from so every piece cites where it starts.
        sentences: list[tuple[str, int | None]] = [
            (s, p.page) for p in section for s in split_sentences(p.text)
        ]
        start = 0
        for group in pack_sentences([s for s, _ in sentences], prose_chars):
            page = sentences[start][1]
            start += len(group)
            piece = "".join(group)
            text = f"{prefix}\n{piece}" if prefix else piece
            chunks.append(
                Chunk(
                    id=f"{doc.doc_id}-prose-{len(chunks)}",
                    doc_id=doc.doc_id,
                    kind="prose",
                    text=text,
                    page=page,
                    heading_path=path,
                )
            )
    return chunks


# ---- tables ------------------------------------------------------------------------------


def format_amount(value: Decimal, unit: str | None) -> str:
    """`1,114.87万元`: thousands separators as printed, the table's own unit."""
    return f"{value:,}{unit or ''}"


def _table_id(doc_id: str, table: Table) -> str:
    side = {"收入": "i", "支出": "e"}.get(table.side or "", "")
    return f"{doc_id}-t{table.index}{side}"


def summary_id(chunk: Chunk) -> str | None:
    """Id of the summary passage of the table a row (or summary) chunk belongs to."""
    if chunk.table_index is None:
        return None
    side = {"收入": "i", "支出": "e"}.get(chunk.side or "", "")
    return f"{chunk.doc_id}-t{chunk.table_index}{side}-summary"


def row_label(row: Row) -> str:
    return f"{row.code} {row.name}" if row.code else row.name


def shown_columns(table: Table) -> list[str]:
    """Columns with a value in at least one row; columns empty throughout the table say nothing."""
    return [
        c
        for c in table.columns
        if any(r.cells.get(c) is not None or r.texts.get(c) for r in table.rows)
    ]


def table_label(table: Table) -> str:
    """The printed title, plus the standard kind when the title does not say it.

    Documents misprint titles (公开05表 titled 一般公共预算财政拨款收入支出决算表); a question names
    the standard table, so the passage must carry that name too.
    """
    plain = _QUOTES.sub("", table.title)
    if not table.kind or table.kind == "other" or _QUOTES.sub("", table.kind) in plain:
        return table.title
    return f"{table.title}（{table.kind}）"


def parent_labels(table: Table) -> dict[str, str]:
    """code → `<code> <name>` of its parent row in the same table (2150801 → 21508 支持中小企业发展和管理支出).

    The same 项 name (行政运行) sits under many 款; the parent says which one a row is.
    """
    by_code = {r.code: row_label(r) for r in table.rows if r.code}
    parents: dict[str, str] = {}
    for code in by_code:
        for cut in range(len(code) - 1, 2, -1):  # longest printed prefix: 7 → 5 → 3 digits
            if code[:cut] in by_code:
                parents[code] = by_code[code[:cut]]
                break
    return parents


def row_text(head: str, table: Table, row: Row, columns: list[str], parent: str | None = None) -> str:
    """`<document> | <table title> | <code name> | <column> <value><unit> | … | 上级科目 <code name>`.

    Empty cells as —; the parent part only for coded rows whose parent the table prints.
    """
    parts = [p for p in (head, table_label(table), row_label(row)) if p]  # 三公 rows may have no name
    for c in columns:
        value = row.cells.get(c)
        if value is not None:
            parts.append(f"{c} {format_amount(value, table.unit)}")
        elif row.texts.get(c):
            parts.append(f"{c} {row.texts[c]}")
        else:
            parts.append(f"{c} {EMPTY}")
    if parent:
        parts.append(f"上级科目 {parent}")
    return " | ".join(parts)


def row_chunks(doc_id: str, head: str, table: Table) -> list[Chunk]:
    columns = shown_columns(table)
    parents = parent_labels(table)
    base = _table_id(doc_id, table)
    return [
        Chunk(
            id=f"{base}-r{i}",
            doc_id=doc_id,
            kind="row",
            text=row_text(head, table, row, columns, parents.get(row.code or "")),
            page=row.page if row.page is not None else (table.pages[0] if table.pages else None),
            table_index=table.index,
            table_title=table.title,
            row_index=i,
            side=table.side,
            row_name=row.name or None,
        )
        for i, row in enumerate(table.rows)
    ]


def table_summary_text(head: str, table: Table) -> str:
    parts = [head] if head else []
    parts.append(f"{table.title}（{table.number}）" if table.number else table.title)
    if table.kind and table.kind != "other":
        parts.append(f"表类 {table.kind}")
    if table.unit:
        parts.append(f"单位 {table.unit}")
    if table.columns:
        parts.append("栏目 " + "、".join(table.columns))
    # Top-level rows (类, totals) describe the table; deep rows would compete with their own passages.
    parents = parent_labels(table)
    top = [r for r in table.rows if not (r.code and r.code in parents)]
    names = [row_label(r) for r in top[:SUMMARY_ROWS]]
    if names:
        more = f" 等{len(table.rows)}行" if len(table.rows) > len(names) else ""
        parts.append("行 " + "、".join(names) + more)
    if not table.rows:
        parts.append("本表无数据")
    return " | ".join(parts)


def table_summary_chunk(doc_id: str, head: str, table: Table) -> Chunk:
    return Chunk(
        id=f"{_table_id(doc_id, table)}-summary",
        doc_id=doc_id,
        kind="table_summary",
        text=table_summary_text(head, table),
        page=table.pages[0] if table.pages else None,
        table_index=table.index,
        table_title=table.title,
        side=table.side,
    )
