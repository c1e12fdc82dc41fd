"""The page view: for a ✓ figure of each corpus PDF, the rendered page with a box around the very
cell the figure was read from (the words inside the box are the figure); pages cached per document."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pdfplumber
import pytest

from budgetqa.app.ui.pageview import BOX_RGB, SCALE, SourceRef, boxed, page_png, source_lines
from budgetqa.app.ui.views import citation_ref, suggested_questions

FIXTURES = Path(__file__).parent / "fixtures"
PDFS = sorted((FIXTURES / "pdf").glob("*.pdf"))
ARTIFACTS = Path(__file__).parent.parent / "artifacts"


@pytest.fixture(scope="module")
def svc(tmp_path_factory):
    from budgetqa.app.service import Service
    from budgetqa.app.settings import get_settings

    service = Service(get_settings(tmp_path_factory.mktemp("pageview"), llm={"provider": "none"},
                                   embedding={"provider": "none"}), dense=False)
    yield service
    service.close()


def _words_in(pdf: Path, page: int, box) -> str:
    with pdfplumber.open(str(pdf)) as doc:
        return doc.pages[page - 1].within_bbox(box).extract_text().replace(" ", "").replace("\n", "")


@pytest.mark.parametrize("pdf", PDFS, ids=[p.stem for p in PDFS])
def test_a_verified_figure_of_each_corpus_pdf_is_boxed_on_its_cell(svc, pdf, tmp_path):
    result = svc.ingest_one(pdf, background_dense=False)
    assert result.ok, result.error
    doc = svc.store.document(result.doc_id)
    fig = next((f for q in suggested_questions(doc) for f in svc.ask(q, [result.doc_id]).figures
                if f.verified and f.source and f.source.bbox), None)
    assert fig is not None, f"{pdf.name}: no verified figure with a box among {suggested_questions(doc)}"
    ref = citation_ref(svc.store, fig.source)
    assert ref.doc_id == result.doc_id and ref.page == fig.source.page and len(ref.boxes) == 1
    # the words inside the box are the cited cell as printed (1,511.89 or 1511.89)
    printed = _words_in(pdf, ref.page, ref.boxes[0]).replace(",", "")
    cell = re.sub(r"[^\d.\-]", "", fig.source.text)  # the cited fact's value, its unit dropped
    assert Decimal(printed) == Decimal(cell), (pdf.name, printed, fig.source.text)
    png = page_png(pdf, ref.page, tmp_path / result.doc_id)
    image = boxed(png, ref.boxes)
    x0, top, x1, bottom = ref.boxes[0]
    # the outline runs just outside the cell: its left edge, at the cell's middle height, is the box colour
    assert image.getpixel((int(x0 * SCALE) - 2, int((top + bottom) / 2 * SCALE))) == BOX_RGB
    assert page_png(pdf, ref.page, tmp_path / result.doc_id) == png  # cached: rendered once
    ARTIFACTS.mkdir(exist_ok=True)  # for a person to look at: the box on the page, per corpus PDF
    image.save(ARTIFACTS / f"pageview-{pdf.stem}.png")


def test_a_link_reference_survives_its_round_trip_and_junk_is_refused():
    ref = SourceRef("d45e923176f9", 15, ((382.4, 254.4, 438.2, 271.65),), None, "1,511.89万元")
    assert SourceRef.from_key(ref.key()) == ref
    for junk in ("", "{", '{"page": 3}', '{"doc_id": "x", "boxes": [[1, 2]]}', "[]"):
        assert SourceRef.from_key(junk) is None


def test_text_lines_mark_the_figure_printed_with_separators():
    lines = source_lines(FIXTURES / "yanbian-industry-2023-final.txt", 190, "1184.83万元", around=1)
    assert [ln["n"] for ln in lines] == [189, 190, 191]
    hit = next(ln for ln in lines if ln["hit"])
    assert [t for t, marked in hit["parts"] if marked] == ["1,184.83"]


def test_two_documents_of_one_file_name_each_open_their_own_page(tmp_path):
    """Several documents answered at once: each figure's source link opens its own document, though
    both were uploaded under the same name (a name resolves to no single document)."""
    from budgetqa.app.service import Service
    from budgetqa.app.settings import get_settings
    from budgetqa.app.ui.upload import accept_upload
    from budgetqa.app.ui.views import source_links

    service = Service(get_settings(tmp_path, llm={"provider": "none"}, embedding={"provider": "none"}), dense=False)
    try:
        name = "2024年部门决算.pdf"
        ids = [accept_upload(service, FIXTURES / "pdf" / f, name).doc_id
               for f in ("putuo-finance-2024-final.pdf", "putuo-socialwork-2024-final.pdf")]
        assert service.store.resolve(name) is None
        answer = service.ask("本年支出合计是多少？", ids)
        by_doc = {f.source.doc_id: f for f in answer.figures if f.verified}
        assert {d: f.text for d, f in by_doc.items()} == {ids[0]: "2,940.05万元", ids[1]: "307.82万元"}
        for doc_id, fig in by_doc.items():
            ref = citation_ref(service.store, fig.source)
            assert (ref.doc_id, ref.page) == (doc_id, fig.source.page)
        assert {SourceRef.from_key(link["key"]).doc_id for link in source_links(answer, service.store)} == set(ids)
    finally:
        service.close()
