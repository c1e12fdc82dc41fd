"""Typed models that cross module seams: raw grids from readers, rebuilt tables, documents, facts.

Readers (`ingest/text.py`, `ingest/pdf.py`) produce `RawTable` grids plus prose `Paragraph`s;
`ingest/tables.py` turns each grid into one `Table` (or two, for two-sided 收入|支出 tables);
`ingest/facts.py` flattens tables into `Fact`s, the unit of verification.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from budgetqa.ingest.labels import clean_label, is_total_label

DocKind = Literal["决算", "预算"]
DocScope = Literal["部门", "单位"]


@dataclass
class RawTable:
    """A table region as a reader found it: cell strings, header rows included.

    `rows[i]` is one printed row; `''` is an empty cell. `row_pages[i]` and `raw_lines[i]`
    carry provenance. `title` is the printed title (possibly several lines joined); `context`
    holds the lines between the title and the grid (部门：…, 单位：万元, 公开03表).
    """

    title: str
    rows: list[list[str]]
    row_pages: list[int]
    raw_lines: list[str]
    number: str | None = None
    unit_line: str | None = None
    context: list[str] = field(default_factory=list)
    heading: str | None = None  # the document heading the table sits under (e.g. 三、支出决算表)
    header_rows: int | None = None  # leading header rows, when the reader knows them (PDF geometry)
    row_lines: list[int] = field(default_factory=list)  # 1-based source line per row (text readers)
    # per row, per cell: (x0, top, x1, bottom) in PDF points on the row's page (PDF readers)
    row_boxes: list[list[tuple[float, float, float, float] | None]] = field(default_factory=list)
    # the header rows already carry each label over every column it spans (an unruled table's
    # labels placed by position): no merged cells left to fill
    header_spans_known: bool = False


@dataclass
class Row:
    """One data row of a rebuilt table. `cells` maps column path → value (None = empty)."""

    name: str
    cells: dict[str, Decimal | None]
    code: str | None = None
    level: Literal["类", "款", "项", None] = None
    page: int | None = None
    raw: str = ""
    texts: dict[str, str] = field(default_factory=dict)  # non-numeric cells (绩效指标值 etc.)
    units: dict[str, str] = field(default_factory=dict)  # a cell's own unit when it printed one (103人, 280期)
    line: int | None = None  # 1-based source line (text conversions have no pages)
    # a value cell's box on the page: column path → [x0, top, x1, bottom] in PDF points (PDFs only)
    boxes: dict[str, list[float]] = field(default_factory=dict)
    ocr: bool = False  # read by OCR from an image: a figure needs a second source before it is ✓
    # Computed once from name and code when the row is built (ingest/labels.py); never passed in.
    label: str = field(init=False, default="")  # the name without numbering, markup, blanks, level marks
    is_total: bool = field(init=False, default=False)  # the row totals its table (合计 / 总计 / 资金总额 …)

    def __post_init__(self) -> None:
        self._relabel()

    def __setattr__(self, key: str, value) -> None:
        object.__setattr__(self, key, value)
        # a builder that renames a row after building it (an unnamed total named 合计) relabels it
        if key in ("name", "code") and "is_total" in self.__dict__:
            self._relabel()

    def _relabel(self) -> None:
        object.__setattr__(self, "label", clean_label(self.name))
        object.__setattr__(self, "is_total", is_total_label(self.label, self.code))


@dataclass
class Table:
    """A rebuilt table (or one side of a two-sided table)."""

    title: str  # printed title; for a side of a two-sided table suffixed with /收入 or /支出
    kind: str  # standard kind from ingest/classify.py, else "other"
    unit: str | None  # 万元 / 元 read from the table's own unit line
    columns: list[str]  # flattened header paths: "本年支出/基本支出/人员经费"
    rows: list[Row]
    pages: list[int]
    number: str | None = None  # printed number: 公开03表, 预算表3, 表3
    side: Literal["收入", "支出", None] = None
    norm_title: str = ""
    index: int = 0  # position in the document (sides share their table's index)
    qualifier: str | None = None  # e.g. a 绩效 form's 预算单位: added to the title when titles collide
    department: str | None = None  # the department its header line names (部门：X / 单位名称：X), as printed
    note: str | None = None  # why the table has no standard kind (kind "other"), for the reader of extract / tables

    @property
    def ref(self) -> str:
        return f"{self.index}" + (f"/{self.side}" if self.side else "")


@dataclass
class Paragraph:
    text: str
    page: int | None
    heading_path: list[str] = field(default_factory=list)


@dataclass
class TocEntry:
    """One line of the document's 目录 as printed (numbering and dot leaders dropped)."""

    title: str
    printed_page: int | None = None  # the page number the 目录 gives
    page: int | None = None  # where the 目录 line sits (PDF page)
    line: int | None = None  # where the 目录 line sits (1-based line of a text conversion)


@dataclass
class Document:
    file: str
    sha256: str
    department: str | None
    year: int | None
    kind: DocKind | None
    scope: DocScope | None
    pages: int | None
    paragraphs: list[Paragraph]
    tables: list[Table]
    source_format: Literal["pdf", "text"] = "text"
    warnings: list[str] = field(default_factory=list)
    ocr_pages: list[int] = field(default_factory=list)  # pages read by OCR (no readable text layer)
    toc: list[TocEntry] = field(default_factory=list)  # the 目录's lines, when the document prints one

    @property
    def doc_id(self) -> str:
        return self.sha256[:12]


@dataclass(frozen=True)
class Fact:
    """One numeric cell with its provenance: what the checker traces figures to."""

    doc_id: str
    table_index: int
    table_kind: str
    table_title: str
    side: str | None
    row_index: int
    row_code: str | None
    row_name: str
    column: str
    value: Decimal
    unit: str | None
    page: int | None
    fact_id: str = ""
    line: int | None = None  # source line, for text conversions (they have no pages)
    bbox: tuple[float, float, float, float] | None = None  # x0, top, x1, bottom in PDF points on `page`
    ocr: bool = False  # read by OCR: never verified by itself

    def citation(self) -> dict:
        return {
            "doc": self.doc_id,
            "page": self.page,
            "line": self.line,
            "table": self.table_title,
            "row": f"{self.row_code} {self.row_name}".strip() if self.row_code else self.row_name,
            "column": self.column,
            "bbox": list(self.bbox) if self.bbox else None,
        }
