"""Text-corpus tables rendered to ruled PDFs read back to the same figures as the text version.

The grids come from the text reader itself (its `build_tables` calls are recorded), are drawn by
`tests/render_pdf.py` with reportlab's STSong-Light CID font, and read with `ingest.pdf`. PDFs are
generated in a temp folder once per session.
"""

from __future__ import annotations

import functools
from pathlib import Path
from unittest import mock

import pdfplumber
import pytest

from budgetqa.ingest.models import Document, RawTable, Table
from budgetqa.ingest.pdf import parse_pdf
from budgetqa.ingest.tables import build_tables

text = pytest.importorskip("budgetqa.ingest.text")
from render_pdf import render  # noqa: E402  (tests/ is on sys.path under pytest's rootdir layout)

FIXTURES = Path(__file__).parent / "fixtures"
DOCS = ["yanbian-industry-2023-final.txt", "yanbian-govoffice-2023-budget.txt"]


@functools.cache
def read_text_with_grids(name: str) -> tuple[Document, list[RawTable]]:
    grids: list[RawTable] = []
    real = text.build_tables

    def record(raw, index, *args, **kwargs):
        grids.append(raw)
        return real(raw, index, *args, **kwargs)

    with mock.patch.object(text, "build_tables", record):
        doc = text.read_text(FIXTURES / name)
    return doc, grids


@pytest.fixture(scope="session")
def rendered(tmp_path_factory):
    """name → (text Document, its grids, PDF path, PDF Document, PDF grids); built lazily."""
    folder = tmp_path_factory.mktemp("rendered")
    cache: dict[tuple, tuple] = {}

    def get(name: str, **options):
        key = (name, tuple(sorted(options.items())))
        if key not in cache:
            doc, grids = read_text_with_grids(name)
            suffix = "-".join(f"{k}{v}" for k, v in sorted(options.items()))
            path = render(grids, folder / f"{Path(name).stem}{suffix}.pdf", **options)
            pdf_doc, pdf_grids = parse_pdf(path)
            cache[key] = (doc, grids, path, pdf_doc, pdf_grids)
        return cache[key]

    return get


def figures(table: Table) -> list[tuple]:
    """What must survive the round trip: each row's code, name and non-empty amounts."""
    return [
        (r.code, r.name.replace(" ", ""), {c: v for c, v in r.cells.items() if v is not None})
        for r in table.rows
    ]


def assert_same_tables(text_doc: Document, pdf_doc: Document) -> int:
    standard = [t for t in text_doc.tables if t.kind != "other"]
    from_pdf = [t for t in pdf_doc.tables if t.kind != "other"]
    assert [(t.kind, t.side, t.unit) for t in from_pdf] == [(t.kind, t.side, t.unit) for t in standard]
    for t, p in zip(standard, from_pdf):
        assert figures(p) == figures(t), t.title
    return len(standard)


@pytest.mark.parametrize("name", DOCS)
def test_rendered_pdf_reads_back_every_standard_table(rendered, name):
    text_doc, _, _, pdf_doc, _ = rendered(name)
    assert assert_same_tables(text_doc, pdf_doc) >= 15


def test_tables_broken_over_pages_join_and_drop_repeated_headers(rendered):
    text_doc, grids, _, pdf_doc, pdf_grids = rendered(DOCS[1], rows_per_page=6)
    assert assert_same_tables(text_doc, pdf_doc) >= 15
    longest = max(pdf_grids, key=lambda g: len(g.rows))
    assert len(set(longest.row_pages)) >= 3
    assert len(pdf_grids) == len([g for g in grids if g.rows])


def test_first_row_without_top_rule_is_recovered_from_text_layer(tmp_path):
    _, grids = read_text_with_grids(DOCS[1])
    long = [g for g in grids if len(g.rows) >= 12][:4]
    open_top = render(long, tmp_path / "open-top.pdf", rows_per_page=6, open_top=True)
    closed = render(long, tmp_path / "closed.pdf", rows_per_page=6)
    # The premise: on pages whose first row has no top rule, extract_tables loses that row.
    counts = []
    for path in (open_top, closed):
        with pdfplumber.open(path) as pdf:
            counts.append(sum(len(t) for p in pdf.pages for t in p.extract_tables()))
    assert counts[0] < counts[1]
    pdf_doc, _ = parse_pdf(open_top)
    expected = [t for i, g in enumerate(long) for t in build_tables(g, i, "预算")]
    assert [figures(t) for t in pdf_doc.tables] == [figures(t) for t in expected]


def test_unruled_table_is_read_by_columns_of_words(tmp_path):
    _, grids = read_text_with_grids(DOCS[1])
    spending = next(g for g in grids if g.title.startswith("支出总表"))
    pdf_doc, pdf_grids = parse_pdf(render([spending], tmp_path / "unruled.pdf", ruled=False))
    assert len(pdf_grids) == 1
    expected = build_tables(spending, 0, "预算")
    assert [t.kind for t in pdf_doc.tables] == ["支出预算表"]
    assert figures(pdf_doc.tables[0]) == figures(expected[0])
