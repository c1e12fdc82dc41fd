"""Documents to and from plain JSON-able dicts (Decimals as strings, so no float ever creeps in)."""

from __future__ import annotations

from dataclasses import asdict, fields
from decimal import Decimal

from budgetqa.ingest.models import Document, Paragraph, Row, Table, TocEntry


def plain(obj):
    """JSON-able: Decimals as exact strings (never exponent notation), tuples as lists, the rest as is.

    The one converter for dataclass rows (documents here, the bulk rows of audit checks and findings).
    """
    if isinstance(obj, Decimal):
        return format(obj, "f")
    if isinstance(obj, dict):
        return {k: plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [plain(v) for v in obj]
    return obj


def document_to_dict(doc: Document) -> dict:
    return plain(asdict(doc))


_ROW_FIELDS = {f.name for f in fields(Row) if f.init}  # label and is_total are recomputed, not read


def _row(d: dict) -> Row:
    cells = {k: (Decimal(v) if v is not None else None) for k, v in d["cells"].items()}
    return Row(**{**{k: v for k, v in d.items() if k in _ROW_FIELDS}, "cells": cells})


def _table(d: dict) -> Table:
    return Table(**{**d, "rows": [_row(r) for r in d["rows"]]})


def document_from_dict(d: dict) -> Document:
    return Document(
        **{
            **d,
            "paragraphs": [Paragraph(**p) for p in d["paragraphs"]],
            "tables": [_table(t) for t in d["tables"]],
            "toc": [TocEntry(**e) for e in d.get("toc", [])],
        }
    )
