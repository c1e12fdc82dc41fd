"""Passages cut from a Document: row passages that carry their context, prose cut between sentences."""

from __future__ import annotations

import re

from functools import cache
from pathlib import Path

from index_docs import yanbian_industry

from budgetqa.app.retrieval.chunks import build_chunks, pack_sentences, split_sentences
from budgetqa.ingest.text import read_text

FIXTURES = Path(__file__).parent / "fixtures"


@cache
def real_chunks(name: str):
    doc = read_text(FIXTURES / name)
    return doc, build_chunks(doc)


def _by_id(chunks):
    return {c.id: c for c in chunks}


def test_row_passage_repeats_department_year_table_unit_and_columns():
    chunks = _by_id(build_chunks(yanbian_industry()))
    row = chunks["a1a1a1a1a1a1-t2-r7"]  # 支出决算表 2150501 行政运行
    assert row.text == (
        "延边州工业和信息化局 2023 决算 | 支出决算表 | 2150501 行政运行 | "
        "本年支出合计 1,114.87万元 | 基本支出 1,114.87万元 | 项目支出 — | 上级科目 21505 工业和信息产业监管"
    )
    assert (row.kind, row.page, row.table_index, row.row_index, row.table_title) == ("row", 9, 2, 7, "支出决算表")


def test_a_row_without_a_printed_parent_has_no_parent_part():
    chunks = _by_id(build_chunks(yanbian_industry()))
    assert chunks["a1a1a1a1a1a1-t2-r5"].text.endswith("| 项目支出 802.51万元")  # 215: a 类, the top
    assert chunks["a1a1a1a1a1a1-t4-r2"].text.endswith("| 上级科目 215 资源勘探工业信息等支出")  # 21505 not printed


def test_columns_empty_throughout_the_table_are_left_out_of_row_passages():
    chunks = build_chunks(yanbian_industry())
    rows = [c for c in chunks if c.kind == "row" and c.table_index == 2]
    assert not any("经营支出" in c.text or "上缴上级支出" in c.text for c in rows)


def test_every_row_and_table_gets_a_passage_with_stable_ids():
    doc = yanbian_industry()
    chunks = build_chunks(doc)
    kinds = [c.kind for c in chunks]
    assert kinds.count("row") == sum(len(t.rows) for t in doc.tables) == 14
    assert kinds.count("table_summary") == 2
    assert [c.id for c in chunks] == [c.id for c in build_chunks(yanbian_industry())]
    assert len({c.id for c in chunks}) == len(chunks)


def test_table_summary_names_title_number_unit_columns_and_top_level_rows():
    summary = _by_id(build_chunks(yanbian_industry()))["a1a1a1a1a1a1-t4-summary"]
    assert summary.text == (
        "延边州工业和信息化局 2023 决算 | 一般公共预算财政拨款支出决算表（公开05表） | "
        "表类 一般公共预算财政拨款支出决算表 | 单位 万元 | "
        "栏目 本年支出/合计、本年支出/基本支出、本年支出/项目支出 | "
        "行 合计、215 资源勘探工业信息等支出 等4行"
    )


def test_prose_chunks_carry_their_heading_path_and_page():
    prose = [c for c in build_chunks(yanbian_industry()) if c.kind == "prose"]
    assert prose[1].heading_path[-1] == "（三）一般公共预算财政拨款支出决算具体情况"
    assert prose[1].text.startswith(
        "第三部分 2023 年度部门决算情况说明 > 五、一般公共预算财政拨款支出决算情况说明 > （三）一般公共预算财政拨款支出决算具体情况\n6. 资源勘探"
    )
    assert prose[1].page == 47


def test_prose_is_never_cut_inside_a_sentence():
    doc = yanbian_industry()
    prose = [c for c in build_chunks(doc, prose_chars=100) if c.kind == "prose"]
    # 三、支出决算情况说明 is ~280 characters of ；-separated clauses: it must split, at clause ends.
    section = [c for c in prose if c.heading_path[-1] == "三、支出决算情况说明"]
    assert len(section) > 1
    for c in section:
        body = c.text.split("\n", 1)[1]
        assert body[-1] in "。；", body
        assert len(body) <= 100 or len(split_sentences(body)) == 1
    original = re.sub(r"\s", "", doc.paragraphs[0].text)
    assert "".join(re.sub(r"\s", "", c.text.split("\n", 1)[1]) for c in section) == original


def test_a_sentence_longer_than_the_limit_stays_whole():
    assert pack_sentences(["短句。", "这是一个很长很长的句子，超过了限制。", "尾。"], 8) == [
        ["短句。"],
        ["这是一个很长很长的句子，超过了限制。"],
        ["尾。"],
    ]


def test_sentences_end_at_chinese_stops_and_line_ends():
    assert split_sentences("收入增加；支出减少。原因？\n第二行") == ["收入增加；", "支出减少。", "原因？", "第二行"]


# ---- over a real text conversion -----------------------------------------------------------


def test_real_row_passage_from_the_text_reader():
    doc, chunks = real_chunks("yanbian-industry-2023-final.txt")
    rows = [c for c in chunks if c.kind == "row" and c.table_title == "支出决算表" and "2150501 行政运行" in c.text]
    assert [c.text for c in rows] == [
        "延边朝鲜族自治州工业和信息化局（汇总） 2023 决算 | 支出决算表 | 2150501 行政运行 | "
        "本年支出合计 1,114.87万元 | 基本支出 1,114.87万元 | 项目支出 — | 上级科目 21505 工业和信息产业监管"
    ]


def test_misprinted_title_is_followed_by_the_standard_table_name():
    _, chunks = real_chunks("yanbian-industry-2023-final.txt")
    # 公开05表 is printed as 一般公共预算财政拨款收入支出决算表; questions call it 支出决算表.
    row = next(c for c in chunks if c.kind == "row" and "2150508 无线电及信息通信监管" in c.text and "公共预算" in c.text)
    assert row.text.split(" | ")[1] == "一般公共预算财政拨款收入支出决算表（一般公共预算财政拨款支出决算表）"
    assert "本年支出/基本支出 69.97万元" in row.text


def test_real_prose_chunks_end_only_where_sentences_end():
    doc, chunks = real_chunks("xiangyuan-industry-2023-final.txt")
    sentences = [s for p in doc.paragraphs for s in split_sentences(p.text)]
    sentence_ends, offset = set(), 0
    for s in sentences:
        offset += len(s)
        sentence_ends.add(offset)
    bodies = [c.text.split("\n", 1)[1] if c.heading_path else c.text for c in chunks if c.kind == "prose"]
    assert "".join(bodies) == "".join(sentences)  # nothing lost, nothing repeated
    offset = 0
    for body in bodies:
        offset += len(body)
        assert offset in sentence_ends, body[-30:]
