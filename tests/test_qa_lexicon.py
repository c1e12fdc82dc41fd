"""The parser's lexicon: it loads, every word means one thing, and every concept's words parse to it."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from budgetqa.app.measures import RULES
from budgetqa.app.qa.lexicon import COLUMN_ROLES, LEXICON_PATH, Lexicon, concepts, load_lexicon, normalize
from budgetqa.app.qa.parse import parse

LEX = load_lexicon()


def test_lexicon_loads_and_indexes_every_word():
    index = LEX.index()
    assert len(index) > 1000
    assert index[normalize("三公")].value.id == "三公经费"


def test_no_word_has_two_meanings():
    seen: dict[str, str] = {}
    for surface, entry in LEX.entries():
        meaning = f"{entry.category}:{entry.value!r}"
        assert seen.setdefault(surface, meaning) == meaning, surface


def test_a_synonym_listed_under_two_concepts_is_refused(tmp_path: Path):
    text = LEXICON_PATH.read_text(encoding="utf-8").replace(
        'zh = ["公务接待费", "公务接待", "接待费",', 'zh = ["公务接待费", "公务接待", "接待费", "出国费",', 1)
    bad = tmp_path / "lexicon.toml"
    bad.write_text(text, encoding="utf-8")
    load_lexicon.cache_clear()
    try:
        with pytest.raises(ValidationError, match="出国费"):
            load_lexicon(bad)
    finally:
        load_lexicon.cache_clear()


def test_an_unknown_column_role_is_refused(tmp_path: Path):
    text = LEXICON_PATH.read_text(encoding="utf-8").replace('role = "得分"', 'role = "分数栏"', 1)
    bad = tmp_path / "lexicon.toml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(ValidationError):
        Lexicon.model_validate(__import__("tomllib").loads(text))


def test_every_column_role_is_a_column_role_of_the_schema():
    assert {c.role for c in LEX.column} <= COLUMN_ROLES
    assert {c.column for c in LEX.concept if c.column} <= COLUMN_ROLES
    assert {r for cue in LEX.cue for r in cue.columns} <= COLUMN_ROLES


def test_every_table_kind_is_a_standard_kind():
    from budgetqa.ingest.classify import STANDARD_KINDS

    kinds = {k for ks in STANDARD_KINDS.values() for k in ks}
    for table in LEX.table:
        assert table.final in kinds and table.budget in kinds


def test_measures_named_by_concepts_exist():
    names = {name.rsplit("_", 1)[0] for name in RULES}
    for concept in LEX.concept:
        if concept.measure:
            assert concept.measure in names, concept.id


def test_patterns_compile_and_read_numbers():
    (query,) = parse("2023年预算05表前三的科目").queries
    assert query.year == 2023 and query.k == 3
    assert query.operands[0].table_number == "预算05表"


# One test per concept entry: each of its words, alone in a question, parses to it.
@pytest.mark.parametrize("concept", LEX.concept, ids=lambda c: c.id)
def test_every_synonym_of_a_concept_parses_to_it(concept):
    for word in concept.zh:
        (query,) = parse(f"{word}是多少？").queries
        found = [r.concept for r in query.operands] + ([query.scope.concept] if query.scope else [])
        assert concept.id in found, (word, query)
        assert query.leftover == [], (word, query.leftover)
    for word in concept.en:
        (query,) = parse(f"How much is the {word}?").queries
        assert concept.id in [r.concept for r in query.operands], (word, query)
        assert query.leftover == [], (word, query.leftover)


@pytest.mark.parametrize("column", LEX.column, ids=lambda c: c.role)
def test_every_column_word_names_its_role(column):
    for word in column.zh:
        (query,) = parse(f"住房公积金的{word}是多少？").queries
        assert column.role in query.operands[0].columns, (word, query)


@pytest.mark.parametrize("table", LEX.table, ids=lambda t: t.final)
def test_every_table_word_names_its_kind(table):
    for word in table.zh:
        (query,) = parse(f"{word}里的住房公积金是多少").queries
        assert query.operands[0].table_kind in (table.final, table.budget), (word, query)


@pytest.mark.parametrize("level", LEX.level, ids=lambda lv: lv.level)
def test_every_level_word_sets_the_ranking_level(level):
    for word in level.zh:
        (query,) = parse(f"{word}中支出最多的是哪个").queries
        assert query.op == "max", (word, query)
        assert query.operands[0].level == level.level, (word, query)


def test_every_part_a_concept_names_is_a_concept_of_its_own():
    known = concepts()
    parts = {p for c in known.values() for p in c.parts}
    assert parts and parts <= set(known)
