"""Files that cannot be ingested fail with a domain error naming the file and saying what to do."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from budgetqa.ingest.errors import CorruptFile, EmptyFile, EncryptedFile, IngestError, NotABudgetDocument, ScannedPDF
from budgetqa.ingest.pdf import read_pdf

FIXTURES = Path(__file__).parent / "fixtures"
FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def _pdf(path: Path, draw, **kwargs) -> Path:
    c = canvas.Canvas(str(path), **kwargs)
    draw(c)
    c.save()
    return path


def _prose(c: canvas.Canvas) -> None:
    c.setFont(FONT, 12)
    for i, line in enumerate(["一、部门主要职能", "负责本区财政收支管理工作。", "二、机构设置", "本部门设办公室等内设机构。"]):
        c.drawString(72, 760 - 20 * i, line)


def _assert_names_file(err: IngestError, path: Path) -> None:
    message = str(err)
    assert path.name in message
    assert "\n" not in message


def test_zero_byte_pdf_is_an_empty_file(tmp_path):
    path = tmp_path / "空文件.pdf"
    path.write_bytes(b"")
    with pytest.raises(EmptyFile) as err:
        read_pdf(path)
    _assert_names_file(err.value, path)


def test_garbage_with_pdf_suffix_is_corrupt(tmp_path):
    path = tmp_path / "garbage.pdf"
    path.write_bytes(b"<html>not a pdf</html>")
    with pytest.raises(CorruptFile) as err:
        read_pdf(path)
    _assert_names_file(err.value, path)
    assert "not a PDF" in str(err.value)


def test_truncated_pdf_is_corrupt(tmp_path):
    path = tmp_path / "truncated.pdf"
    path.write_bytes((FIXTURES / "pdf" / "putuo-wanli-2025-budget.pdf").read_bytes()[:5000])
    with pytest.raises(CorruptFile) as err:
        read_pdf(path)
    _assert_names_file(err.value, path)


def test_password_protected_pdf_is_encrypted(tmp_path):
    path = _pdf(tmp_path / "locked.pdf", _prose, encrypt="secret")
    with pytest.raises(EncryptedFile) as err:
        read_pdf(path)
    _assert_names_file(err.value, path)
    assert "password" in str(err.value)


def test_image_only_pdf_is_a_scan(tmp_path):
    from PIL import Image

    buf = io.BytesIO()
    Image.new("L", (200, 100), color=128).save(buf, format="PNG")
    buf.seek(0)

    def draw(c):
        from reportlab.lib.utils import ImageReader

        c.drawImage(ImageReader(buf), 72, 500, width=400, height=200)

    path = _pdf(tmp_path / "scan.pdf", draw)
    with pytest.raises(ScannedPDF) as err:
        read_pdf(path)
    _assert_names_file(err.value, path)
    assert "OCR" in str(err.value)


def test_prose_without_tables_is_not_a_budget_document(tmp_path):
    path = _pdf(tmp_path / "prose.pdf", _prose)
    with pytest.raises(NotABudgetDocument) as err:
        read_pdf(path)
    _assert_names_file(err.value, path)


def test_gbk_text_conversion_reads_like_utf8(tmp_path):
    text_mod = pytest.importorskip("budgetqa.ingest.text")
    source = FIXTURES / "xiangyuan-industry-2023-final.txt"
    path = tmp_path / "xiangyuan-gbk.txt"
    path.write_bytes(source.read_text(encoding="utf-8").encode("gbk", errors="replace"))
    utf8 = text_mod.read_text(source)
    gbk = text_mod.read_text(path)
    assert [t.kind for t in gbk.tables] == [t.kind for t in utf8.tables]


def test_binary_text_file_is_corrupt(tmp_path):
    text_mod = pytest.importorskip("budgetqa.ingest.text")
    path = tmp_path / "binary.txt"
    path.write_bytes(bytes(range(128, 256)) * 4)
    with pytest.raises(CorruptFile) as err:
        text_mod.read_text(path)
    _assert_names_file(err.value, path)
