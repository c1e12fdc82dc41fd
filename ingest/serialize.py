"""Documents to and from plain JSON-able dicts (Decimals as strings, so no float ever creeps in)."""

from __future__ import annotations

from dataclasses import asdict
from decimal import Decimal

from budgetqa.ingest.models import Document, Paragraph, Row, Table


def _plain(obj):
    if isinstance(obj, Decimal):
        return str(obj)
    if isinstance(obj, dict):
        return {k: _plain(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_plain(v) for v in obj]
    return obj


def document_to_dict(doc: Document) -> dict:
    return _plain(asdict(doc))


def _row(d: dict) -> Row:
    cells = {k: (Decimal(v) if v is not None else None) for k, v in d["cells"].items()}
    return Row(**{**d, "cells": cells})


def _table(d: dict) -> Table:
    return Table(**{**d, "rows": [_row(r) for r in d["rows"]]})


def document_from_dict(d: dict) -> Document:
    return Document(
        **{
            **d,
            "paragraphs": [Paragraph(**p) for p in d["paragraphs"]],
            "tables": [_table(t) for t in d["tables"]],
        }
    )
