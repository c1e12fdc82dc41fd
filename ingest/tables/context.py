"""What every table builder needs: the printed grid's provenance and the Table it becomes."""

from __future__ import annotations

from dataclasses import dataclass

from budgetqa.ingest.meta import header_department
from budgetqa.ingest.models import RawTable, Row, Table
from budgetqa.ingest.tables.cells import squeeze


@dataclass
class BuildContext:
    """One printed grid being rebuilt: its provenance per body row, and how it becomes a Table."""

    raw: RawTable
    index: int
    kind: str
    unit: str | None

    def provenance(self, i: int) -> tuple[int | None, str, int | None]:
        r = self.raw
        page = r.row_pages[i] if i < len(r.row_pages) else None
        raw = r.raw_lines[i] if i < len(r.raw_lines) else ""
        line = r.row_lines[i] if i < len(r.row_lines) else None
        return page, raw, line

    def boxes(self, i: int) -> list:
        """Row i's cell boxes on its page (x0, top, x1, bottom), [] when the reader has none."""
        boxes = self.raw.row_boxes
        return boxes[i] if i < len(boxes) else []

    def table(self, columns: list[str], rows: list[Row], side: str | None = None, title: str | None = None) -> Table:
        base = title or squeeze(self.raw.title)
        pages = sorted({p for p in self.raw.row_pages if p is not None})
        return Table(
            title=base + (f"/{side}" if side else ""),
            kind=self.kind,
            unit=self.unit,
            columns=columns,
            rows=rows,
            pages=pages,
            number=self.raw.number,
            side=side,  # type: ignore[arg-type]
            norm_title=self.kind if self.kind != "other" else squeeze(self.raw.title),
            index=self.index,
            department=header_department([*self.raw.context, self.raw.unit_line or ""]),
        )
