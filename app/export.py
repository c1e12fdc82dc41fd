"""Tables of a document as the `extract` JSON and as long-form CSV rows."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from budgetqa.ingest.models import Document


def _num(v: Decimal | None):
    if v is None:
        return None
    return int(v) if v == v.to_integral_value() and "." not in str(v) else float(v)


def document_json(doc: Document) -> dict:
    """The `budgetqa extract --format json` shape (two-sided tables: one entry per side)."""
    return {
        "doc": {
            "id": doc.doc_id,
            "file": doc.file,
            "department": doc.department,
            "year": doc.year,
            "kind": doc.kind,
            "scope": doc.scope,
        },
        "tables": [
            {
                "title": t.title,
                "number": t.number,
                "kind": t.kind,
                **({"kind_note": t.note} if t.note else {}),  # why a table is "other"
                "unit": t.unit,
                "pages": t.pages,
                "columns": t.columns,
                "rows": [
                    {"code": r.code, "name": r.name, "cells": {c: _num(v) for c, v in r.cells.items()},
                     **({"texts": r.texts} if r.texts else {}),
                     # each printed figure's place: [page, x0, top, x1, bottom] in PDF points
                     **({"bbox": {c: [r.page, *b] for c, b in r.boxes.items()}} if r.boxes else {}),
                     # read by OCR from an image: such a figure is never ✓ on its own
                     **({"ocr": True} if r.ocr else {})}
                    for r in t.rows
                ],
            }
            for t in doc.tables
        ],
    }


CSV_FIELDS = ["doc_id", "file", "table", "number", "kind", "unit", "page", "code", "name", "column", "value"]


def document_csv(doc: Document) -> str:
    """Long form: one line per non-empty numeric cell."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(CSV_FIELDS)
    for t in doc.tables:
        for r in t.rows:
            for c, v in r.cells.items():
                if v is None:
                    continue
                w.writerow([doc.doc_id, doc.file, t.title, t.number or "", t.kind, t.unit or "", r.page or "",
                            r.code or "", r.name, c, str(v)])
    return buf.getvalue()
