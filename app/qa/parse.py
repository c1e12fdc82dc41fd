"""Question → `Plan`: what is asked, of which figures, in which unit — read once, from lexicon data.

The parse is a chain of small pure steps over one part of the question at a time:
`_read_part` claims lexicon words, numbers and document names (longest first, `_select`) and
reads what is left with jieba (`_residue_atoms`: departments, one-character cues, row names);
`_objects` merges the pieces into operands (a code with its row, a gloss with its name);
`_decide` picks the op from the cues present; `_lay_out` places the operands for that op
(minuend / subtrahend, part / whole, actual / budget); `_inherit` fills a later part or a
follow-up from the query before. Every character of the part ends up consumed or in `leftover`,
so the fit check downstream can refuse what was not understood.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import cn2an
import jieba
from rapidfuzz import fuzz
from rapidfuzz.distance import LCSseq

from budgetqa.app.qa.lexicon import Concept, Cue, Entry, Lexicon, TableWords, load_lexicon, normalize
from budgetqa.app.qa.query import Plan, Query, Ref
from budgetqa.ingest.classify import PERFORMANCE_KINDS
from budgetqa.ingest.models import Document

# ------------------------------------------------------------------------------------------------
# The document's own names


@dataclass(frozen=True)
class VocabName:
    """One name a document prints: a row (with its subject codes and level) or a 绩效 project."""

    name: str
    codes: tuple[str, ...] = ()
    level: str | None = None
    project: bool = False


@dataclass
class Vocabulary:
    """A document's names, by normalized form: what jieba keeps whole and rapidfuzz matches to."""

    names: dict[str, VocabName] = field(default_factory=dict)
    tables: list[tuple[str, str, str | None]] = field(default_factory=list)  # (title, kind, number)
    department: str | None = None
    doc_kind: str | None = None
    year: int | None = None
    _by_first: dict[str, list[str]] | None = field(default=None, repr=False, compare=False)

    def by_first(self) -> dict[str, list[str]]:
        """First character → names starting with it, longest first (built once, for span search)."""
        if self._by_first is None:
            index: dict[str, list[str]] = {}
            for key in sorted(self.names, key=len, reverse=True):
                index.setdefault(key[0], []).append(key)
            self._by_first = index
        return self._by_first

    @classmethod
    def from_names(cls, rows=(), projects=(), department=None, doc_kind=None, year=None, tables=()) -> Vocabulary:
        """Build from plain names: `rows` as names or (name, code, level) tuples."""
        vocab = cls(tables=list(tables), department=department, doc_kind=doc_kind, year=year)
        for row in rows:
            name, code, level = (row, None, None) if isinstance(row, str) else (tuple(row) + (None, None))[:3]
            vocab._add(name, code, level, project=False)
        for name in projects:
            vocab._add(name, None, None, project=True)
        return vocab

    @classmethod
    def from_document(cls, doc: Document) -> Vocabulary:
        """Row names and codes of every table, 绩效 project names, table titles, the department."""
        vocab = cls(department=doc.department, doc_kind=doc.kind, year=doc.year)
        for table in doc.tables:
            vocab.tables.append((table.title, table.kind, table.number))
            for row in table.rows:
                vocab._add(row.name, row.code, row.level, project=False)
            if table.kind in PERFORMANCE_KINDS:
                for name in _project_names(table):
                    vocab._add(name, None, None, project=True)
        return vocab

    def _add(self, name: str, code: str | None, level: str | None, project: bool) -> None:
        key = _name_key(name)
        if len(key) < 2 or key.isdigit():
            return
        old = self.names.get(key)
        codes = tuple(sorted(set((old.codes if old else ()) + ((code,) if code else ()))))
        self._by_first = None
        shown = _NUMBERING.sub("", re.sub(r"<[^>]+>|\s", "", name))  # 十、节能环保支出 → 节能环保支出
        self.names[key] = VocabName(old.name if old else shown, codes, level or (old.level if old else None),
                                    project or bool(old and old.project))


# 项目支出绩效自评表（12345政务热线搬迁、办公区域调整项目（一期）经费）: the whole bracketed tail
_PROJECT_IN_TITLE = re.compile(r"表\s*[(（](.{2,})[)）]\s*$")
_NUMBERING = re.compile(r"^(其中[:：]?|[一二三四五六七八九十]+[、.]|\d+[.、]|[(（][一二三四五六七八九十\d]+[)）])")


def _project_names(table) -> list[str]:
    names = []
    m = _PROJECT_IN_TITLE.search(table.title or "")
    if m:
        names.append(m.group(1))
    for row in table.rows:
        for key, text in row.texts.items():
            if "项目名称" in key and text:
                names.append(text)
    return names


def _name_key(name: str) -> str:
    return _NUMBERING.sub("", normalize(re.sub(r"<[^>]+>", "", name or "")))


# ------------------------------------------------------------------------------------------------
# Compiled lexicon


@dataclass
class _Compiled:
    lex: Lexicon
    index: dict[str, Entry]
    by_first: dict[str, list[str]]  # first character → surfaces starting with it, longest first
    patterns: dict[str, list[re.Pattern]]
    askers: tuple[str, ...]
    unit_askers: tuple[str, ...]
    suffixes: tuple[str, ...]
    suffixes_en: tuple[str, ...]
    count_rows: frozenset[str]
    tails: frozenset[str]
    concepts: dict[str, Concept]


@lru_cache(maxsize=1)
def _compiled() -> _Compiled:
    lex = load_lexicon()
    index = lex.index()
    by_first: dict[str, list[str]] = {}
    for surface in index:
        by_first.setdefault(surface[0], []).append(surface)
    for surfaces in by_first.values():
        surfaces.sort(key=len, reverse=True)
    pats = {name: [re.compile(p) for p in getattr(lex.patterns, name)] for name in type(lex.patterns).model_fields}
    return _Compiled(
        lex, index, by_first, pats,
        askers=tuple(normalize(a) for a in lex.questions.askers),
        unit_askers=tuple(normalize(a) for a in lex.units.askers),
        suffixes=tuple(sorted(lex.department.suffixes, key=len, reverse=True)),
        suffixes_en=tuple(lex.department.suffixes_en),
        count_rows=frozenset(lex.count_rows.zh + lex.count_rows.en),
        tails=frozenset(lex.names.tails),
        concepts={c.id: c for c in lex.concept},
    )


@lru_cache(maxsize=1)
def _tokenizer() -> jieba.Tokenizer:
    """A private jieba tokenizer (other modules' user words stay theirs) that knows the lexicon."""
    tok = jieba.Tokenizer()
    tok.initialize()
    for surface, entry in _compiled().index.items():
        if not entry.english and len(surface) > 1:
            tok.add_word(surface, freq=200000)
    for suffix in _compiled().lex.department.not_department:
        tok.add_word(suffix, freq=200000)
    return tok


_known_vocab: set[str] = set()


def _teach(vocab: Vocabulary | None) -> None:
    """Give jieba the document's names once, so a residue keeps them whole."""
    if vocab is None:
        return
    tok = _tokenizer()
    for key in vocab.names:
        if key not in _known_vocab:
            tok.add_word(key, freq=100000)
            _known_vocab.add(key)


# ------------------------------------------------------------------------------------------------
# Spans


@dataclass
class _Span:
    start: int
    end: int
    kind: str  # a lexicon category, or year / code / table_number / top_k / amount / items / vocab / quote / dept
    value: object = None
    rank: int = 50

    @property
    def length(self) -> int:
        return self.end - self.start


# Equal-length ties: the more specific reading wins.
_RANK = {"year": 0, "code": 0, "table_number": 0, "amount": 0, "top_k": 0, "items": 0, "dept": 0, "level_mark": 0,
         "table": 1, "rel": 1, "concept": 2, "column": 3, "unit": 4, "level": 5, "cue": 6, "ledger": 7,
         "vocab": 9, "quote": 10, "out_of_scope": 11, "ignorable": 12}
_KIND = {"year": "rel"}  # the lexicon's relative year words (上年, 今年); "year" is a number read
_CJK = re.compile(r"[\u4e00-\u9fff]")
_PUNCT = set(",.!?;:()[]{}<>/\\|~`@#$^*_=+…—-·")
_CN_DIGITS = str.maketrans("〇零○一二三四五六七八九", "00012345678 9".replace(" ", ""))


def _cn_int(text: str) -> int | None:
    text = text.strip()
    if text.isdigit():
        return int(text)
    words = {"two": 2, "three": 3, "four": 4, "five": 5, "ten": 10}
    if text in words:
        return words[text]
    try:
        return int(cn2an.cn2an(text.replace("两", "二"), "smart"))
    except (ValueError, KeyError, TypeError):
        return None


def _cn_year(text: str) -> int | None:
    digits = text.translate(_CN_DIGITS)
    return int(digits) if digits.isdigit() else None


def _lexicon_spans(text: str, c: _Compiled) -> list[_Span]:
    spans = []
    for i, ch in enumerate(text):
        for surface in c.by_first.get(ch, ()):
            if not text.startswith(surface, i):
                continue
            entry = c.index[surface]
            # One-character Chinese words (中, 比, 多) and filler words (单位, 科目) are read from jieba
            # tokens, never inside words (行政单位医疗 is one row)
            if (len(surface) == 1 and _CJK.match(surface)) or (entry.category == "ignorable" and not entry.english):
                continue
            if entry.english and not _word_bounded(text, i, i + len(surface)):
                continue
            if entry.category == "unit" and not entry.english and not _unit_context(text, i, surface, c):
                continue
            kind = _KIND.get(entry.category, entry.category)
            spans.append(_Span(i, i + len(surface), kind, entry.value, _RANK[kind]))
    return spans


def _word_bounded(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start else " "
    after = text[end] if end < len(text) else " "
    return not (before.isascii() and before.isalnum()) and not (after.isascii() and after.isalnum())


def _unit_context(text: str, i: int, surface: str, c: _Compiled) -> bool:
    """A unit word counts after an asker (多少万) or a number, or when it starts with one (几个亿)."""
    head = text[:i]
    return (surface.startswith(c.unit_askers) or head.endswith(c.unit_askers)
            or bool(re.search(r"[\d一二两三四五六七八九十百千]$", head)))


def _pattern_spans(text: str, c: _Compiled, english: bool) -> list[_Span]:
    spans = []
    for m in (m for p in c.patterns["year_en" if english else "year"] for m in p.finditer(text)):
        year = int(m.group("y")) if m.groupdict().get("y") else _cn_year(m.group("zy"))
        if year is not None and year < 100:
            year += 2000
        if year and 1990 <= year <= 2099:
            spans.append(_Span(m.start(), m.end(), "year", year, 0))
    for m in (m for p in c.patterns["code"] for m in p.finditer(text)):
        spans.append(_Span(m.start(), m.end(), "code", m.group("code"), 0))
    for m in (m for p in c.patterns["table_number"] for m in p.finditer(text)):
        label = re.sub(r"[一二三四五六七八九十]+", lambda n: str(_cn_int(n.group()) or n.group()), m.group("n"))
        spans.append(_Span(m.start("n"), m.end("n"), "table_number", label.replace(" ", ""), 0))
    for m in (m for p in c.patterns["top_k"] for m in p.finditer(text)):
        k = _cn_int(m.group("k"))
        if k:
            spans.append(_Span(m.start(), m.end(), "top_k", k, 0))
    for m in (m for p in c.patterns["amount"] for m in p.finditer(text)):
        num = m.group("num").replace(",", "")
        value = float(num) if re.fullmatch(r"[\d.]+", num) else _cn_float(num)
        if value is not None:
            spans.append(_Span(m.start(), m.end(), "amount", (value, _unit_name(m.group("unit"))), 0))
    for m in (m for p in c.patterns["items"] for m in p.finditer(text)):
        spans.append(_Span(m.start(), m.end("n") + 1, "items", _cn_int(m.group("n")), 0))
    for m in (m for p in c.patterns["level_mark"] for m in p.finditer(text)):
        spans.append(_Span(m.start(), m.end(), "level_mark", m.group("lv"), 0))
    return spans


def _cn_float(text: str) -> float | None:
    try:
        return float(cn2an.cn2an(text.replace("两", "二"), "smart"))
    except (ValueError, KeyError, TypeError):
        return None


def _unit_name(word: str) -> str:
    return {"万": "万元", "亿": "亿元"}.get(word, word)


_TITLE_LEAD = re.compile(r"^(?:[\d.]+|表[一二三四五六七八九十\d]+|(?:公开|预算|决算)?\d+表)?\s*(?:20\d\d年度?)?")


_NUMBER_BEFORE = re.compile(r"(?:^|(?<=[\s，,。：:]))(?:\d+(?:\.\d+)+|表[一二三四五六七八九十\d]+)\s*$")


def _title_spans(text: str, vocab: Vocabulary | None) -> list[_Span]:
    """A document's own table title copied into the question (「2024年黑龙江省一般公共预算收入决算表中…」)
    names that table whole: its words are not operands (一般公共预算, 收入) of their own."""
    if vocab is None:
        return []
    spans = []
    for title, kind, _number in vocab.tables:
        if not title or kind == "other":
            continue
        full = normalize(title.split("/")[0])
        bare = _TITLE_LEAD.sub("", full)
        for key in dict.fromkeys((full, bare)):
            if len(key) >= 6 and (at := text.find(key)) >= 0:
                lead = _NUMBER_BEFORE.search(text[:at])  # 「2.3 2024年…收入决算表」: its printed number too
                start = lead.start() if lead else at
                words = TableWords.model_construct(final=kind, budget=kind, zh=[key], en=[])
                spans.append(_Span(start, at + len(key), "table", words, 8))
                break
    return spans


def _vocab_spans(text: str, vocab: Vocabulary | None, c: _Compiled) -> list[_Span]:
    if vocab is None:
        return []
    spans = []
    index = vocab.by_first()
    for i, ch in enumerate(text):
        for key in index.get(ch, ()):
            # a printed name that is a filler word of the lexicon (全省, 单位) stays filler
            if text.startswith(key, i) and not (key in c.index and c.index[key].category == "ignorable"):
                spans.append(_Span(i, i + len(key), "vocab", vocab.names[key], 9))
    return spans


# an ASCII ' is an English apostrophe far more often than a quote, so it quotes nothing
_QUOTED = re.compile(r"[“\"「『‘](.{2,40}?)[”\"」』’]")


def _quote_spans(text: str, quoted: list[str]) -> list[_Span]:
    spans = []
    for q in quoted:
        for m in re.finditer(re.escape(q), text):
            spans.append(_Span(m.start(), m.end(), "quote", q, 10))
    return spans


def _select(spans: list[_Span], length: int) -> list[_Span]:
    """Longest first, then the more specific kind; no two spans overlap."""
    taken = [False] * length
    chosen = []
    for s in sorted(spans, key=lambda s: (-s.length, s.rank, s.start)):
        if any(taken[s.start:s.end]):
            continue
        # a lexicon word must not cut a document name or a quoted name in two (those are longer anyway)
        for i in range(s.start, s.end):
            taken[i] = True
        chosen.append(s)
    return sorted(chosen, key=lambda s: s.start)


# ------------------------------------------------------------------------------------------------
# Atoms: the pieces of a part in order, after the residue is read


@dataclass
class _Atom:
    kind: str  # obj / column / cue / table / table_number / level / year / rel / ledger / unit / amount / top_k / items / dept / punct
    start: int
    end: int
    text: str
    value: object = None


@dataclass
class _Obj:
    """An operand being built: a concept, a row name or a code, with its own qualifiers."""

    text: str
    start: int
    end: int
    concept: Concept | None = None
    row: str | None = None
    code: str | None = None
    project: str | None = None
    level: str | None = None
    scope: bool = False
    scope_columns: list[str] = field(default_factory=list)  # 三公预算里: the frame's own columns

    @property
    def dual(self) -> str | None:
        return self.concept.column if self.concept is not None else None


def _residue_atoms(text: str, start: int, end: int, c: _Compiled, vocab: Vocabulary | None, english: bool,
                   at_clause_start: bool, before_year: bool, leftover: list[str], alone: bool) -> list[_Atom]:
    """Read an unclaimed stretch: a department, one-character cues, row names or leftover words."""
    chunk = text[start:end]
    atoms: list[_Atom] = []
    if not chunk.strip():
        return atoms
    tokens = _tokens(chunk, english)
    pos = start
    while tokens and (tokens[0].strip() in c.index or not tokens[0].strip()):
        # 截至 / 年底 / 占 before a department: read them first, the department may follow
        word = tokens.pop(0)
        entry = c.index.get(word.strip())
        if entry is not None:
            kind = _KIND.get(entry.category, entry.category)
            atoms.append(_Atom(kind, pos, pos + len(word), word.strip(), entry.value))
            if kind == "cue" and entry.value.signal in ("share", "comparator", "prior") or word.strip() in ",、":
                at_clause_start = True
        pos += len(word)
        chunk = chunk[len(word):]
        start = pos
    dept = _department(chunk, tokens, c, at_clause_start, before_year, english)
    if dept and alone and _names_a_row(dept, vocab):  # see _department_spans
        dept = None
    if dept:
        atoms.append(_Atom("dept", start, start + len(dept), dept.strip()))
        rest = chunk[len(dept):]
        pos = start + len(dept)
        tokens = _tokens(rest, english) if rest.strip() else []
    group: list[tuple[int, str]] = []

    def flush() -> None:
        if not group:
            return
        s, e = group[0][0], group[-1][0] + len(group[-1][1])
        words = text[s:e].strip()
        if len(words) == 1 and _CJK.match(words):  # one character names no row: 元 / 合 left alone
            leftover.append(words)
            atoms.append(_Atom("left", s, e, words))
        elif _has_content(words):
            atoms.append(_Atom("content", s, e, words))
        group.clear()

    for n, tok in enumerate(tokens):
        t0 = pos
        pos += len(tok)
        word = tok.strip()
        if not word:
            continue
        entry = c.index.get(word)
        following = tokens[n + 1].strip() if n + 1 < len(tokens) else ""
        if (group and entry is not None and entry.category == "ignorable" and len(word) > 1
                and following and following not in c.index and following not in _PUNCT):
            group.append((t0, tok))  # 行政 + 单位 + 医疗: a filler word inside a name is part of it
            continue
        if word in c.tails and group:
            group.append((t0, tok))
            continue
        if entry is None and word in c.tails:
            flush()
            atoms.append(_Atom("ignorable", t0, pos, word))
            continue
        if word in _PUNCT or word in "、，。？！；：":
            flush()
            atoms.append(_Atom("punct", t0, pos, word))
            continue
        if entry is None and word in c.unit_askers:  # 合 / 换算成 before a unit: the unit says it
            flush()
            atoms.append(_Atom("ignorable", t0, pos, word))
            continue
        if entry is None:
            group.append((t0, tok))
            continue
        flush()
        if entry.category == "out_of_scope":
            leftover.append(word)
            atoms.append(_Atom("blocked", t0, pos, word))
        elif entry.category == "unit" and not _unit_context(text, t0, word, c):
            group.append((t0, tok))
        else:
            atoms.append(_Atom(_KIND.get(entry.category, entry.category), t0, pos, word, entry.value))
    flush()
    return atoms


def _tokens(chunk: str, english: bool) -> list[str]:
    if english or not _CJK.search(chunk):
        return [t for t in re.split(r"(\s+|[(),.?!;:'\"])", chunk) if t]
    return list(_tokenizer().cut(chunk, HMM=False))


def _has_content(words: str) -> bool:
    return bool(re.search(r"[\u4e00-\u9fffa-z0-9]", words))


_NAME_JOINERS = ("和", "与", "及")


def _department(chunk: str, tokens: list[str], c: _Compiled, at_clause_start: bool, before_year: bool,
                english: bool) -> str | None:
    """The department a stretch opens with: a span ending in 局/办/中心 …, a region, or words before a year."""
    if not at_clause_start:
        return None
    if english:  # English departments are read as spans (_english_department)
        return None
    best = None
    pos = 0
    for tok in tokens:
        if tok.strip() in c.index and tok.strip() not in _NAME_JOINERS:
            break  # a department's name holds no lexicon word (长沙市 | 的债务余额…) but 和 / 与 (工业和信息化局)
        pos += len(tok)
        prefix = chunk[:pos]
        if tok in c.lex.department.not_department or (
                prefix in c.index and c.index[prefix].category == "ignorable"):
            continue  # 该局 / 本单位 point at the document's department; they name none
        if len(prefix) >= 2 and prefix.endswith(c.suffixes):
            best = prefix
    if best:
        return best
    for region in c.lex.department.regions:
        if chunk.startswith(region):
            return region
    if before_year and 2 <= len(chunk) <= 12 and not all(t in c.index for t in tokens):
        return chunk  # 西大2023年 / 江苏政协2017年: the words before the year (截至2023年 names nothing)
    return None


# ------------------------------------------------------------------------------------------------
# One part of a question


@dataclass
class _Part:
    text: str
    atoms: list[_Atom]
    objs: list[_Obj]
    leftover: list[str]
    english: bool


def _split_parts(question: str, c: _Compiled) -> list[str]:
    """Split at ？；。 always, and at a comma when the clauses on both sides each ask something."""
    pieces = [p for p in re.split(r"(?<=[?？;；。!！])|(?<=\n)", question) if p.strip()]
    parts: list[str] = []
    for piece in pieces:
        clauses = re.split(r"(?<=[,，])(?:\s*and\s+)?", piece)
        current = ""
        for clause in clauses:
            if current and _asks(current, c) and _asks(clause, c):
                parts.append(current)
                current = clause
            else:
                current += clause
        if current.strip():
            parts.append(current)
    return parts


def _asks(clause: str, c: _Compiled) -> bool:
    t = normalize(clause)
    if re.search(r"[a-z]", t):
        return any(re.search(rf"\b{re.escape(a)}\b", t) for a in c.askers if a.isascii())
    return any(a in t for a in c.askers if not a.isascii())


def _read_part(raw: str, c: _Compiled, vocab: Vocabulary | None) -> _Part:
    quoted = [normalize(q) for q in _QUOTED.findall(raw)]
    text = normalize(raw)
    english = len(re.findall(r"[a-z]", text)) > len(_CJK.findall(text))
    spans = _lexicon_spans(text, c) + _pattern_spans(text, c, english) + _quote_spans(text, quoted)
    if english:
        spans += _english_department(text, c)
    else:
        # the department first: a document name inside it (检察 in 江苏省检察院) must not cut it
        spans += _department_spans(text, _select(spans, len(text)), c, vocab)
    chosen = _select(spans + _vocab_spans(text, vocab, c) + _title_spans(text, vocab), len(text))
    alone = not any(s.kind in ("concept", "quote", "code", "vocab") for s in chosen)
    leftover: list[str] = []
    atoms: list[_Atom] = []
    pos = 0
    prev_kind = None
    for s in chosen + [_Span(len(text), len(text), "end")]:
        if s.start > pos:
            before_year = s.kind == "year" or (s.kind == "ignorable" and _next_is_year(chosen, s))
            clause_start = prev_kind in (None, "punct") or _opens_clause(atoms)
            atoms += _residue_atoms(text, pos, s.start, c, vocab, english, clause_start,
                                    before_year and not _has_objects(atoms), leftover, alone)
        if s.kind == "out_of_scope":  # 网站 / 领导: nothing a table holds; the fit check must refuse
            leftover.append(text[s.start:s.end])
            atoms.append(_Atom("blocked", s.start, s.end, text[s.start:s.end]))
        elif s.kind != "end":
            atoms.append(_Atom(s.kind, s.start, s.end, text[s.start:s.end], s.value))
            prev_kind = s.kind
        pos = max(pos, s.end)
    part = _Part(raw.strip(), atoms, [], leftover, english)
    _objects(part, vocab)
    return part


def _department_spans(text: str, chosen: list[_Span], c: _Compiled, vocab: Vocabulary | None) -> list[_Span]:
    """A department opening the part or a clause (after punctuation, 占, 比, or a leading year).

    When nothing else in the part names a figure (延边州发展研究中心当年预算是多少), a name that is one of
    the document's unit rows is that row, not the department."""
    found: list[tuple[int, str]] = []
    content: list[tuple[int, int]] = []  # residue words no lexicon entry reads: row names, probably
    pos = 0
    prev: _Span | None = None
    for s in chosen + [_Span(len(text), len(text), "end")]:
        if s.start > pos:
            opens = prev is None or prev.kind == "year" and not found or (
                prev.kind == "cue" and (prev.value.signal in ("share", "comparator", "prior") or text[prev.start] in ",、"))
            chunk = text[pos:s.start]
            tokens = _tokens(chunk, False)
            dept = None
            if opens and not re.match(r"[\W\d]", chunk):
                dept = _department(chunk, tokens, c, True, s.kind == "year" and prev is None, False)
                if dept:
                    found.append((pos, dept))
            at = pos
            for tok in tokens:
                if at >= pos + len(dept or "") and len(tok.strip()) > 1 and tok.strip() not in c.index:
                    content.append((at, at + len(tok)))
                at += len(tok)
        if s.kind != "end" and s.kind != "ignorable":
            prev = s
        pos = max(pos, s.end)
    named = any(s.kind in ("concept", "quote", "code") for s in chosen) or bool(content)
    return [_Span(p, p + len(d), "dept", d, 0) for p, d in found if named or not _names_a_row(d, vocab)]


def _has_objects(atoms: list[_Atom]) -> bool:
    return any(a.kind in ("concept", "vocab", "quote", "content", "code", "column", "table") for a in atoms)


def _opens_clause(atoms: list[_Atom]) -> bool:
    """A department may open the part, a clause, or follow a year, 占/比 or the ignorable words before it."""
    for a in reversed(atoms):
        if a.kind in ("ignorable", "year", "rel"):
            continue
        if a.kind == "punct" or (a.kind == "cue" and a.text in ",、"):
            return True
        return a.kind == "cue" and isinstance(a.value, Cue) and a.value.signal in ("share", "comparator", "prior")
    return True


def _next_is_year(chosen: list[_Span], s: _Span) -> bool:
    later = [x for x in chosen if x.start >= s.end]
    return bool(later) and later[0].kind == "year"


def _english_department(text: str, c: _Compiled) -> list[_Span]:
    # apostrophes are dropped by normalize: "bureau's" reads "bureaus"
    suffixes = "|".join(c.suffixes_en)
    pat = re.compile(rf"\bthe\s+((?:[a-z][\w-]*\s+){{0,4}}(?:{suffixes}))s?\b")  # greedy: government office
    spans = [_Span(m.start(), m.end(), "dept", m.group(1), 0) for m in pat.finditer(text)]
    for region in c.lex.department.regions_en:
        for m in re.finditer(rf"\b{re.escape(region)}\b", text):
            spans.append(_Span(m.start(), m.end(), "dept", region, 0))
    return spans


# ------------------------------------------------------------------------------------------------
# Objects: concepts, rows and codes merged into operands


def _objects(part: _Part, vocab: Vocabulary | None) -> None:
    objs: list[_Obj] = []
    atoms = part.atoms
    for i, a in enumerate(atoms):
        obj = None
        if a.kind == "concept":
            obj = _Obj(a.text, a.start, a.end, concept=a.value)
        elif a.kind == "vocab":
            obj = _Obj(a.text, a.start, a.end, row=a.value.name, code=_one(a.value.codes))
            if a.value.project:
                obj.project, obj.row = a.value.name, None
        elif a.kind == "quote":
            obj = _Obj(a.text, a.start, a.end, row=a.value)
        elif a.kind == "content":
            obj = _content_obj(a, vocab, part)
            if obj is None:
                a.kind = "left"
                continue
        elif a.kind == "level_mark" and objs and _adjacent(atoms, objs[-1].end, a.start):
            objs[-1].level, objs[-1].end = a.value, a.end
            continue
        elif a.kind == "code":
            prev = objs[-1] if objs else None
            if prev and _adjacent(atoms, prev.end, a.start):  # 中小企业发展专项（2150805）: the code said wins
                prev.code, prev.end, prev.text = a.value, a.end, prev.text + a.text
                continue
            obj = _Obj(a.text, a.start, a.end, code=a.value)
            named = _left_before(atoms, i)
            if named is not None:  # 局本级（703001）: words the document lacks, named by the code beside them
                obj.text, obj.start = named.text + a.text, named.start
                named.kind = "named_by_code"
                part.leftover.remove(named.text)
        elif (a.kind == "level" and a.value.level == "项目" and objs and (objs[-1].row or objs[-1].project)
              and _adjacent(atoms, objs[-1].end, a.start)):
            objs[-1].project, objs[-1].row = objs[-1].project or objs[-1].row, None  # XX项目: a 绩效 project
            a.kind = "consumed"
            continue
        if obj is None:
            continue
        prev = objs[-1] if objs else None
        if prev is not None and _adjacent(atoms, prev.end, obj.start) and _same_thing(
                prev, obj, _glossed(atoms, prev.end, obj.start)):
            _merge(prev, obj)
            continue
        if (prev is not None and prev.project and not prev.row and obj.row and obj.project is None
                and _adjacent(atoms, prev.end, obj.start, also=("table",))):
            # XX项目的“满意度”指标: the project frames the indicator row
            obj.project, obj.start, obj.text = prev.project, prev.start, prev.text + obj.text
            objs[-1] = obj
            continue
        objs.append(obj)
    for n, a in enumerate(atoms):  # farmland occupation tax (耕地占用税): the gloss names what matched nothing
        if a.kind == "left" and n + 2 < len(atoms) and atoms[n + 1].text == "(" and any(
                o.start == atoms[n + 2].start for o in objs):
            a.kind = "glossed"
            part.leftover.remove(a.text)
    part.objs = objs


def _left_before(atoms: list[_Atom], i: int) -> _Atom | None:
    for a in reversed(atoms[:i]):
        if a.kind == "left":
            return a
        if a.kind not in ("ignorable",) and a.text not in "()（）":
            return None
    return None


def _one(codes: tuple[str, ...]) -> str | None:
    return codes[0] if len(codes) == 1 else None


def _adjacent(atoms: list[_Atom], end: int, start: int, also: tuple[str, ...] = ()) -> bool:
    """Nothing but ignorable words, 的 or brackets (or the `also` kinds) between two positions."""
    for a in atoms:
        if (a.start >= end and a.end <= start and a.kind not in ("ignorable", "consumed") + also
                and a.text not in "()（）的"):
            return False
    return True


def _same_thing(a: _Obj, b: _Obj, glossed: bool) -> bool:
    """保运转的基本支出 (one concept twice), or a name followed by its gloss in brackets: 人头费（人员经费）."""
    if a.concept is not None and b.concept is not None:
        return a.concept.id == b.concept.id
    return glossed and b.code is None


def _merge(a: _Obj, b: _Obj) -> None:
    """The gloss is the more standard name: a concept over row words, Chinese row words over English."""
    a.end, a.text = b.end, a.text + b.text
    if b.concept is not None:
        a.concept, a.row, a.project = b.concept, None, None
    elif a.concept is None and (b.row or b.project) and _CJK.search(b.text):
        a.row, a.project = b.row, b.project


def _glossed(atoms: list[_Atom], end: int, start: int) -> bool:
    between = "".join(a.text for a in atoms if a.start >= end and a.end <= start)
    return "(" in between

def _content_obj(a: _Atom, vocab: Vocabulary | None, part: _Part) -> _Obj | None:
    """A stretch no lexicon word claimed: a document name (exact or close), else raw row words."""
    words = a.text
    if vocab is None:
        return _Obj(words, a.start, a.end, row=words)
    match = _closest(words, vocab)
    if match is None:
        part.leftover.append(words)
        return None
    if match.project:
        return _Obj(words, a.start, a.end, project=match.name)
    return _Obj(words, a.start, a.end, row=match.name, code=_one(match.codes))


FUZZY_MIN = 80  # abbreviations and cut names score 80+; unrelated names of shared words score lower


def _closest(words: str, vocab: Vocabulary) -> VocabName | None:
    best, score = _best_name(words, vocab)
    return best if score >= FUZZY_MIN else None


def _similarity(key: str, name_key: str) -> float:
    """0–100: the question's words in order inside the name (无线电监管经费 → 无线电及信息通信监管经费)."""
    if len(key) >= 4 and key in name_key:
        return 90.0  # the end or the middle of a long printed name (驻北京联络处)
    if len(key) <= 2:
        return fuzz.ratio(key, name_key)  # two characters (基本的) abbreviate too many names: exact only
    common = LCSseq.similarity(key, name_key)
    inside = common / len(key) * 100
    return max(fuzz.ratio(key, name_key), inside if common / len(name_key) >= 0.4 else 0.0)


def _best_name(words: str, vocab: Vocabulary) -> tuple[VocabName | None, float]:
    key = _name_key(words)
    if len(key) < 2:
        return None, 0.0
    best, best_score = None, 0.0
    chars = set(key)
    for name_key, entry in vocab.names.items():
        if len(chars.intersection(name_key)) * 100 < FUZZY_MIN * len(chars) * 0.5:
            continue  # shares too few characters to score FUZZY_MIN on either measure
        score = _similarity(key, name_key)
        if score > best_score or (score == best_score and best and len(name_key) < len(_name_key(best.name))):
            best, best_score = entry, score
    return best, best_score


def _names_a_row(dept: str, vocab: Vocabulary | None) -> bool:
    """The words lie, in order, inside a printed row name at least as long, and fit it better than the
    document's own department (朝阳工信局 is the 朝阳市工业和信息化局 the document is about)."""
    if vocab is None:
        return False
    key = _name_key(dept)

    def inside(name: str) -> float:
        return LCSseq.similarity(key, name) / len(key) * 100 if key else 0.0

    rows = [n for n in vocab.names if len(n) >= len(key) and inside(n) >= 90]
    if not rows:
        return False
    own = inside(_name_key(re.sub(r"[(（]汇总[)）]", "", vocab.department or "")))
    return max(inside(n) for n in rows) > own


# ------------------------------------------------------------------------------------------------
# The op


def _cues(part: _Part) -> list[tuple[_Atom, Cue]]:
    return [(a, a.value) for a in part.atoms if a.kind == "cue" and isinstance(a.value, Cue)]


def _decide(part: _Part) -> tuple[str, dict]:
    """The op of a part from the cues present, most telling first; plus its qualifiers."""
    cues = _cues(part)
    plain = {cue.op for _, cue in cues if cue.signal is None}
    signals = {cue.signal for _, cue in cues if cue.signal}
    extra: dict = {}
    directions = [cue.direction for _, cue in cues if cue.direction]
    if directions:
        extra["direction"] = directions[-1]
    yes_no = "yes_no" in signals and (not part.english or _english_yes_no(part))
    if any(a.kind == "level" and a.text.startswith(("几", "多少")) for a in part.atoms):
        signals.add("how_many")  # 几类 / 多少个项目
    ranked = _ranking(part, plain, signals)
    if "audit" in plain:
        return "audit", extra
    if "why" in plain:
        return "why", extra
    if ranked:
        return ranked, extra
    if "rate" in plain:
        return "rate", extra
    if "share" in signals or ("percent" in signals and not ({"change", "prior"} & signals)):
        return "share", extra
    if {"change", "prior"} & signals or (
            "comparator" in signals and _right_side_is_prior(part)):
        if yes_no:
            return "compare", extra
        if "comparator" in signals and not _right_side_is_prior(part) and "prior" not in signals:
            return "difference", extra
        percent = "percent" in signals or any(cue.growth_as == "percent" for _, cue in cues)
        extra["growth_as"] = "percent" if percent else "amount"
        return "growth", extra
    if "how_many" in signals and not yes_no:
        return ("count" if _counts_rows(part) else "value"), extra
    if yes_no or ("exceed" in signals and not plain & {"difference"}):
        return "compare", extra
    if "difference" in plain or "comparator" in signals:
        return "difference", extra
    if "each" in plain:
        return "each", extra
    if "sum" in plain:
        return "sum", extra
    if "prose" in plain:
        return "prose", extra
    return "value", extra


def _ranking(part: _Part, plain: set, signals: set) -> str | None:
    if any(a.kind == "top_k" for a in part.atoms) or "rank" in signals:
        return "top"
    if "max" in plain:
        return "max"
    if "min" in plain:
        return "min"
    return None


def _english_yes_no(part: _Part) -> bool:
    """English yes-no only when the part opens with did / is there (By how much did … is not)."""
    first = next((a for a in part.atoms if a.kind != "punct"), None)
    return first is not None and first.kind == "cue" and first.value.signal == "yes_no"


def _counts_rows(part: _Part) -> bool:
    c = _compiled()
    return any(a.kind == "level" for a in part.atoms) or any(
        o.row in c.count_rows for o in part.objs if o.row) or any(
        a.text in c.count_rows for a in part.atoms if a.kind in ("ignorable", "content"))


def _split_index(part: _Part) -> int | None:
    """Where a comparison splits its sides: at 比/较, or at 与/和 before a closing 相比."""
    atoms = part.atoms
    for signal in ("comparator", "exceed"):
        for i, a in enumerate(atoms):
            if a.kind == "cue" and a.value.signal == signal:
                closing = a.text in ("相比", "相较", "对比", "与之相比", "compared with", "compared to")
                if (closing or not any(x.kind in _NAMING for x in atoms[i + 1:])) and i:
                    for j in range(i - 1, -1, -1):
                        if atoms[j].kind == "cue" and atoms[j].value.signal == "separator" and atoms[j].text not in ",":
                            return j
                return i
    return None


_NAMING = ("concept", "vocab", "quote", "content", "code", "column")


def _right_side_is_prior(part: _Part) -> bool:
    """比上年 / 比2022年: the other side is only a year before, no figure of its own."""
    i = _split_index(part)
    if i is None:
        return False
    right = part.atoms[i + 1:]
    has_year = any(a.kind == "year" or (a.kind == "rel" and a.value == "prior")
                   or (a.kind == "column" and a.value.role == "上年") for a in right)
    has_other = any(o.start >= part.atoms[i].end for o in part.objs) or any(
        a.kind == "column" and a.value.role not in _left_columns(part, i) | {"上年"} for a in right)
    return has_year and not has_other


def _left_columns(part: _Part, i: int) -> set[str]:
    return {a.value.role for a in part.atoms[:i] if a.kind == "column"}


# ------------------------------------------------------------------------------------------------
# Operands


def _ref(obj: _Obj, columns: list[str], tables: dict, prior: bool = False, year: int | None = None) -> Ref:
    return Ref(text=obj.text, concept=obj.concept.id if obj.concept else None, row=obj.row, code=obj.code,
               project=obj.project, level=obj.level, columns=_uniq(columns), prior_year=prior, year=year, **tables)


def _uniq(items):
    out = []
    for x in items:
        if x not in out:
            out.append(x)
    return out


def _scopes(part: _Part) -> None:
    """An object followed by 中/里/下面 and more objects is the frame the others sit under."""
    atoms = part.atoms
    for obj in part.objs:
        before = [a for a in atoms if a.end <= obj.start and a.kind not in ("ignorable",)]
        if before and before[-1].kind == "cue" and before[-1].value.signal == "separator":
            continue  # 办公费、印刷费、邮电费中: the 中 frames the whole list, which is the candidates
        after = [a for a in atoms if a.start >= obj.end and a.kind not in ("ignorable", "consumed")]
        own = []
        while after and after[0].kind == "column":
            own.append(after.pop(0).value.role)
        if after and after[0].kind == "cue" and after[0].value.signal == "scope":
            later = [o for o in part.objs if o.start > obj.end]
            if later or any(a.kind in ("level", "top_k") or (a.kind == "cue" and a.value.op in ("max", "min"))
                            for a in atoms if a.start > obj.end):
                obj.scope, obj.scope_columns = True, own
                # 一般公共预算财政拨款基本支出中: the fund words before the frame are part of it
                n = part.objs.index(obj)
                while n > 0 and part.objs[n - 1].dual and _beside(atoms, part.objs[n - 1], part.objs[n]):
                    part.objs[n - 1].scope = True
                    obj.scope_columns.append(part.objs[n - 1].dual)
                    n -= 1


def _column_groups(atoms: list[_Atom]) -> list[list[str]]:
    """Column words in runs: 财政拨款预算 is one group; 预算数和决算数 two."""
    groups: list[list[str]] = [[]]
    for a in atoms:
        if a.kind == "column":
            groups[-1].append(a.value.role)
        elif a.kind == "dual":
            groups[-1].append(a.value)
        elif a.kind == "cue" and a.value.signal == "separator" and groups[-1]:
            groups.append([])
    return [g for g in groups if g]


def _region(part: _Part, lo: int, hi: int) -> tuple[list[_Obj], list[_Atom]]:
    objs = [o for o in part.objs if lo <= o.start < hi]
    atoms = [a for a in part.atoms if lo <= a.start < hi]
    return objs, atoms


def _resolve_duals(objs: list[_Obj], atoms: list[_Atom]) -> list[_Obj]:
    """基本支出 / 财政拨款 … qualify a row named right beside them: 住房公积金的基本支出, 财拨本年收入."""
    keep = []
    for n, o in enumerate(objs):
        neighbours = [x for x in (objs[n - 1] if n else None, objs[n + 1] if n + 1 < len(objs) else None)
                      if x is not None and x.dual is None and not x.scope and _beside(atoms, x, o)]
        if o.dual and not o.scope and neighbours:
            atoms.append(_Atom("dual", o.start, o.end, o.text, o.dual))
        else:
            keep.append(o)
    atoms.sort(key=lambda a: a.start)
    return keep


def _beside(atoms: list[_Atom], a: _Obj, b: _Obj) -> bool:
    lo, hi = (a.end, b.start) if a.end <= b.start else (b.end, a.start)
    between = [x for x in atoms if x.start >= lo and x.end <= hi]
    # 离退休人员安置，财政拨款安排了多少: a clause that names only a fund qualifies the row before it
    comma_ok = b.start > a.start and b.dual is not None
    return all(x.kind == "ignorable" and x.text in ("的", "之", "of") or x.kind == "column"
               or (comma_ok and x.kind == "cue" and x.text == ",") for x in between)


def _side(part: _Part, lo: int, hi: int) -> tuple[list[_Obj], list[list[str]], bool, int | None]:
    objs, atoms = _region(part, lo, hi)
    # 预算8.5万: a column with the amount the question states is given, not asked
    atoms = [a for n, a in enumerate(atoms)
             if not (a.kind == "column" and n + 1 < len(atoms) and atoms[n + 1].kind == "amount")]
    objs = _resolve_duals(objs, atoms)
    groups = _column_groups(atoms)
    prior = any(a.kind == "rel" and a.value == "prior" for a in atoms)
    years = [a.value for a in atoms if a.kind == "year"]
    return [o for o in objs if not o.scope], groups, prior, (years[0] if years else None)


def _refs_for(objs: list[_Obj], groups: list[list[str]], extra_cols: list[str], tables: dict, prior: bool,
              year: int | None, split_columns: bool) -> list[Ref]:
    """Objects × column groups: one object with 预算数和决算数 gives two refs; else columns are shared."""
    if split_columns and len(objs) <= 1 and len(groups) > 1:
        base = objs[0] if objs else None
        return [_ref(base, g + extra_cols, tables, prior, year) if base else
                Ref(text="", columns=_uniq(g + extra_cols), prior_year=prior, year=year, **tables) for g in groups]
    cols = [r for g in groups for r in g]
    # a frame's column (财拨支出里的基本建设资金) qualifies a row; a concept carries its own
    return [_ref(o, cols + (extra_cols if o.concept is None else []), tables, prior, year) for o in objs]


# ------------------------------------------------------------------------------------------------
# The plan


def parse(question: str, vocab: Vocabulary | None = None, previous: Query | None = None) -> Plan:
    """Read a question into a Plan: one Query per part, later parts and follow-ups inheriting slots.

    `vocab` is the document's names (None: row words are kept as said); `previous` is the last query
    of the previous turn — a question that names no figure of its own (那比上年呢？) fills from it."""
    c = _compiled()
    _teach(vocab)
    plan = Plan(question=question)
    for raw in _split_parts(question, c):
        part = _read_part(raw, c, vocab)
        query = _query(part, vocab)
        inherit_from = plan.queries[-1] if plan.queries else previous
        if inherit_from is not None:
            follow = _inherit(query, part, inherit_from, is_follow_up=not plan.queries)
            if follow and not plan.queries:
                plan.follow_up = True
        if not _understood(query) and not query.leftover:
            query.leftover = [normalize(raw)]  # 你好 / 多少？: no figure is named, so none may be shown
        plan.queries.append(query)
    return plan


def _query(part: _Part, vocab: Vocabulary | None) -> Query:
    op, extra = _decide(part)
    tables = _tables(part, vocab)
    q = Query(question=part.text, op=op, language="en" if part.english else "zh", **extra)
    _slots(q, part)
    _scopes(part)
    frames = [o for o in part.objs if o.scope]
    scope = frames[-1] if frames else None  # the nearest frame: 一般公共预算财政拨款基本支出中 → 基本支出
    scope_cols = _uniq([o.dual for o in frames if o.dual] + (scope.scope_columns if scope else []))
    if scope is not None:
        q.scope = _ref(scope, scope.scope_columns, tables)
        if scope.project:  # XX项目中，“用餐人员”指标: the indicator rows of that project
            for o in part.objs:
                if not o.scope and o.row and o.project is None:
                    o.project = scope.project
    _lay_out(q, part, tables, scope_cols)
    # an operand's own year only when it differs from the question's (比2022年)
    q.operands = [r.model_copy(update={"year": None}) if r.year == q.year else r for r in q.operands]
    _units(q, part)
    _ranking_direction(q, part.text)
    q.consumed, q.leftover = _accounting(part)
    return q


_FEWEST = re.compile(r"最少|最低|最小|倒数|末位")
_WHICH_N = re.compile(r"哪(?P<k>[两三四五六七八九十]|\d{1,2})(?:个|项|类|款|名|位)")


def _ranking_direction(q: Query, text: str) -> None:
    """前两个…最少 / 最少的两个 rank from the bottom; 哪两个…最少 asks for the bottom two, not one."""
    m = _WHICH_N.search(text)
    if q.op in ("max", "min") and m:
        k = _cn_int(m.group("k")) if not m.group("k").isdigit() else int(m.group("k"))
        if k and k > 1:
            q.op, q.k = "top", k
            if _FEWEST.search(text):
                q.direction = "less"
    elif q.op == "top" and _FEWEST.search(text):
        q.direction = "less"


def _understood(q: Query) -> bool:
    """A figure op needs something to be a figure of; prose needs nothing but its cue."""
    if q.op in ("prose", "why", "audit", "max", "min", "top", "count") or q.scope is not None:
        return True  # a ranking names its rows by level or frame, or ranks the table the document has
    return any(r.concept or r.row or r.code or r.project or r.columns or r.level or r.table_kind
               or r.table_number or r.prior_year for r in q.operands)


def _tables(part: _Part, vocab: Vocabulary | None) -> dict:
    out: dict = {}
    ledger = next((a.value for a in part.atoms if a.kind == "ledger"), None) or (vocab.doc_kind if vocab else None)
    for a in part.atoms:
        if a.kind == "table":
            words = a.text
            if "决算" in words:
                out["table_kind"] = a.value.final
            elif "预算" in words.replace("一般公共预算", "").replace("政府性基金预算", "").replace("国有资本经营预算", ""):
                out["table_kind"] = a.value.budget
            else:
                out["table_kind"] = a.value.budget if ledger == "预算" else a.value.final
        elif a.kind == "table_number":
            out["table_number"] = a.value
    return out


def _slots(q: Query, part: _Part) -> None:
    """Department, year, ledger, k, threshold and stated amounts."""
    for a in part.atoms:
        if a.kind == "dept" and q.department is None:
            q.department = a.value if isinstance(a.value, str) else a.text
        elif a.kind == "year" and q.year is None and not _after_comparator(part, a):
            q.year = a.value
        elif a.kind == "ledger" and q.ledger is None:
            q.ledger = a.value
        elif a.kind == "top_k":
            q.k = a.value
        elif a.kind == "amount":
            value, unit = a.value
            if _follows_exceed(part, a):
                q.threshold, q.threshold_unit = value, unit
            else:
                q.given.append(a.text)


def _after_comparator(part: _Part, atom: _Atom) -> bool:
    """比2022年: a year after the comparator is the other side's, when the near side has its own year."""
    i = _split_index(part)
    if i is None or atom.start < part.atoms[i].start:
        return False
    return any(a.kind == "year" for a in part.atoms[:i]) or _right_side_is_prior(part)


def _follows_exceed(part: _Part, atom: _Atom) -> bool:
    before = [a for a in part.atoms if a.end <= atom.start and a.kind != "ignorable"]
    return bool(before) and before[-1].kind == "cue" and before[-1].value.signal == "exceed"


def _lay_out(q: Query, part: _Part, tables: dict, scope_cols: list[str]) -> None:
    end = len(normalize(part.text)) + 1
    cue_cols = [r for _, cue in _cues(part) for r in cue.columns]
    if q.op in ("difference", "compare", "growth") and _split_index(part) is not None:
        i = _split_index(part)
        split = part.atoms[i]
        sep_first = split.kind == "cue" and split.value.signal == "separator" and not _region(part, 0, split.start)[0] \
            and not _column_groups(_region(part, 0, split.start)[1])
        if sep_first:  # 与预算相比，决算少了多少: the side after 相比 is the minuend
            closing = next(a for a in part.atoms if a.start > split.start and a.kind == "cue"
                           and a.value.signal == "comparator")
            right = _side(part, split.end, closing.start)
            left = _side(part, closing.end, end)
        else:
            left = _side(part, 0, split.start)
            right = _side(part, split.end, end)
        lobjs, lgroups, lprior, lyear = left
        robjs, rgroups, rprior, ryear = right
        if q.op == "growth":
            objs = lobjs or robjs
            q.operands = _refs_for(objs, lgroups, scope_cols, tables, False, None, split_columns=False)
            return
        if q.threshold is not None and not robjs and not rgroups:  # 超过十万元了吗: against a stated figure
            q.operands = _refs_for(lobjs or robjs, lgroups, scope_cols, tables, lprior, lyear, False)
            return
        lcols = [r for g in lgroups for r in g]
        rcols = [r for g in rgroups for r in g]
        if not lobjs and not lcols and robjs:  # 离限额还差多少: the near side is the figure before
            q.operands = [Ref(prior_year=lprior, **tables)] + _refs_for(robjs[:1], [rcols] if rcols else [],
                                                                      scope_cols, tables, rprior, ryear, False)
            return
        lobjs, robjs = lobjs or robjs, robjs or lobjs
        q.operands = (_refs_for(lobjs[:1], [lcols] if lcols else [], scope_cols, tables, lprior, lyear, False)
                      + _refs_for(robjs[:1], [rcols] if rcols else [], scope_cols, tables, rprior or
                                  (ryear is not None and lyear is None and not rcols), ryear, False))
        if not q.operands and not lobjs and (lcols or rcols):
            q.operands = [Ref(columns=lcols, **tables), Ref(columns=rcols, **tables)]
        return
    if q.op == "share":
        _lay_out_share(q, part, tables, scope_cols, end)
        return
    objs, groups, prior, year = _side(part, 0, end)
    if q.op == "rate":
        q.operands = _rate_refs(objs, groups, scope_cols, tables, prior, year)
        return
    if q.op in ("max", "min", "top", "count"):
        if len(objs) >= 2:
            q.operands = _refs_for(objs, groups, scope_cols, tables, prior, year, False)
        else:
            level = next((a.value.level for a in part.atoms if a.kind == "level"), None)
            # the frame the rows sit under (…下面哪一项最多, 公用经费里…前三项) is the operand's own item:
            # its children are what is ranked
            frame = _ref(objs[0], [], tables) if objs else q.scope
            q.scope = q.scope or frame
            item = {k: getattr(frame, k) for k in ("concept", "row", "code", "project")} if frame else {}
            q.operands = [Ref(text=frame.text if frame else "", level=level, prior_year=prior, year=year,
                              columns=_uniq([r for g in groups for r in g]
                                            + (["执行率"] if _names_rate(part) else [])), **item, **tables)]
        return
    if cue_cols and len(objs) <= 1 and q.op in ("difference", "compare"):
        q.operands = [_ref(objs[0], [col] + [r for g in groups for r in g], tables, prior, year) if objs else
                      Ref(columns=[col], **tables) for col in cue_cols]
        return
    refs = _refs_for(objs, groups, scope_cols, tables, prior, year, split_columns=True)
    if not refs and (groups or prior or tables):
        refs = [Ref(text="", columns=_uniq([r for g in groups for r in g]), prior_year=prior, year=year, **tables)]
    q.operands = refs
    if q.op == "value" and len(refs) >= 2:
        q.op = "each"
    items = next((a.value for a in part.atoms if a.kind == "items"), None)
    if q.op == "sum" and len(refs) < 2 and not (items and items > 1):  # 两个“行政运行”加起来: same name, two rows
        q.op, q.total = "value", True
    if q.op == "each" and len(refs) < 2 and not refs:
        q.op = "value"


def _names_rate(part: _Part) -> bool:
    return any(a.kind == "cue" and a.value.op == "rate" for a in part.atoms)


_ACTUAL = ("决算", "执行数", "实际完成值")
_BUDGET = ("预算", "年初预算", "调整预算", "全年预算")


def _rate_refs(objs, groups, scope_cols, tables, prior, year) -> list[Ref]:
    """执行率: operands [actual, budget] of the same item; a named budget column (调整预算) is the base."""
    cols = [r for g in groups for r in g]
    budget = [r for r in cols if r in _BUDGET] or ["预算"]
    # 绩效 forms set 全年执行数 against 全年预算数; the other tables 决算 against 预算
    actual = [r for r in cols if r in _ACTUAL] or (["执行数"] if budget[0] == "全年预算" else ["决算"])
    other = [r for r in cols if r not in _ACTUAL and r not in _BUDGET] + scope_cols
    obj = objs[0] if objs else None
    if obj is None:
        return [Ref(columns=actual[:1] + other, prior_year=prior, year=year, **tables),
                Ref(columns=budget[:1] + other, prior_year=prior, year=year, **tables)]
    return [_ref(obj, actual[:1] + other, tables, prior, year), _ref(obj, budget[:1] + other, tables, prior, year)]


def _lay_out_share(q: Query, part: _Part, tables: dict, scope_cols: list[str], end: int) -> None:
    """占: the part before, the whole after; else the frame (X中) is the whole, or it is implied."""
    marker = next((a for a in part.atoms if a.kind == "cue" and a.value.signal == "share"), None)
    if marker is not None:
        pobjs, pgroups, pprior, pyear = _side(part, 0, marker.start)
        wobjs, wgroups, wprior, wyear = _side(part, marker.end, end)
        if part.english and wobjs and pobjs:  # 'X comes from Y': Y is the part
            pobjs, wobjs, pgroups, wgroups = wobjs, pobjs, wgroups, pgroups
    else:
        objs, groups, pprior, pyear = _side(part, 0, end)
        wprior, wyear = pprior, pyear
        pgroups = wgroups = groups
        if part.english and len(objs) >= 2:
            wobjs, pobjs = objs[:1], objs[1:2]
        else:
            pobjs, wobjs = objs[:1], objs[1:2]
    pcols = [r for g in pgroups for r in g]
    wcols = [r for g in wgroups for r in g]
    frames = [o for o in part.objs if o.scope]
    if not wobjs and frames:  # 本年支出合计中项目支出占几成: the frame is the whole
        wobjs = frames[-1:]
        wcols = _uniq(wcols + frames[-1].scope_columns)
        q.scope = None
    if not wobjs and wcols and not pobjs:
        pass
    if not wobjs and wcols and set(wcols) & set(_BUDGET):  # 完成调整预算的百分之几: a rate in all but name
        q.op = "rate"
        q.operands = _rate_refs(pobjs, [pcols + wcols], scope_cols, tables, pprior, pyear)
        return
    pcols, wcols = pcols or wcols, wcols or pcols
    # 占总支出几成 after 基本支出多少: the part is the figure before (an empty ref the plan fills)
    refs = [_ref(o, pcols + (scope_cols if o.concept is None else []), tables, pprior, pyear)
            for o in pobjs[:1]] or (
        [Ref(columns=_uniq(pcols), prior_year=pprior, **tables)] if wobjs else [])
    refs += [_ref(o, wcols, tables, wprior, wyear) for o in wobjs[:1]]
    q.operands = refs


def _units(q: Query, part: _Part) -> None:
    """The unit kind the op gives, a count or score the words ask for, and a unit said outright."""
    units = [a.value for a in part.atoms if a.kind == "unit"]
    amount_units = [a.value[1] for a in part.atoms if a.kind == "amount"]
    if q.op in ("prose", "why", "audit"):
        q.unit_kind = "text"
    elif any(u.kind == "score" for u in units) or any("得分" in r.columns for r in q.operands):
        # 多少分: the 得分 column of whatever is named
        q.operands = [r.model_copy(update={"columns": _uniq(r.columns + ["得分"])}) for r in q.operands]
    elif q.op in ("share", "rate") or (q.op == "growth" and q.growth_as == "percent"):
        q.unit_kind, q.unit = "percent", "%"
        return
    elif q.op == "count":
        q.unit_kind, q.unit = "count", "个"
        return
    concepts = [o.concept for o in part.objs if o.concept is not None]
    if q.op not in ("prose", "why", "audit"):
        if any(r.columns and "得分" in r.columns for r in q.operands) or any(
                u.kind == "score" for u in units):
            q.unit_kind, q.unit = "score", "分"
            return
        counted = [cc for cc in concepts if cc.unit_kind == "count"]
        if counted:
            q.unit_kind, q.unit = "count", counted[0].unit
        if any(a.kind == "cue" and a.value.signal == "how_many" for a in part.atoms) and q.unit_kind != "count":
            q.unit_kind, q.unit = "count", "个"
    for u in units:
        if u.kind == q.unit_kind or (q.unit_kind == "money" and u.kind == "count"):
            q.unit_kind, q.unit = u.kind, u.unit
        elif u.kind == "money" and q.unit_kind == "money":
            q.unit = u.unit
    if q.unit is None and q.unit_kind == "money" and amount_units and q.threshold is None and not q.given:
        q.unit = amount_units[-1]


def _accounting(part: _Part) -> tuple[list[str], list[str]]:
    consumed = [a.text for a in part.atoms if a.kind not in ("left", "blocked", "punct") and a.text.strip()]
    return consumed, list(part.leftover)


def _inherit(q: Query, part: _Part, prev: Query, is_follow_up: bool) -> bool:
    """A part that names no figure leans on the one before: its operands, columns, op as fits."""
    q.department = q.department or prev.department
    q.year = q.year or prev.year
    q.ledger = q.ledger or prev.ledger
    named = [r for r in q.operands if _names(r)]
    empty = [r for r in q.operands if not _names(r) and r.level is None]
    cues = _cues(part)
    own_op = any(cue.signal in (None, "share", "percent", "change", "prior", "rank", "how_many", "yes_no", "exceed")
                 and cue.op != "value" for _, cue in cues) or any(a.kind == "top_k" for a in part.atoms)
    if named and _starts_with(part, "其中") and prev.operands:
        funds = [c.column for r in named if r.concept and (c := _compiled().concepts[r.concept]).column]
        if len(funds) == len(named) and len(q.operands) == len(named):  # 其中财拨多少: a column of the figure before
            q.operands = [b.model_copy(update={"columns": _uniq(b.columns + funds)}) for b in prev.operands]
            return False
        q.scope = q.scope or prev.operands[0]
        return False
    if named and empty and prev.operands:  # 占总支出几成: the missing part is the figure before
        q.operands = [r if _names(r) else _fill(r, prev.operands[0]) for r in q.operands]
        return False
    if named and not (is_follow_up and not own_op and _elliptic(part)):
        return False
    if prev.op in ("prose", "why", "audit") and not named and not prev.operands:
        return False
    if is_follow_up and not own_op and prev.op not in ("prose", "why", "audit"):
        q.op = prev.op
        q.growth_as = q.growth_as or prev.growth_as
        q.k = q.k or prev.k
        if not (q.unit or q.unit_kind != "money"):
            q.unit_kind, q.unit = prev.unit_kind, prev.unit
    said = q.operands[0] if q.operands else Ref()
    base_refs = prev.operands or [Ref()]
    if q.op == "growth" and prev.op != "growth":
        base_refs = base_refs[:1] if prev.op not in ("each", "sum") else base_refs
    if named:  # 公用经费呢: the new item in the previous layout (one item over its columns: each column again)
        one_item = len({(b.concept, b.row, b.code, b.project) for b in base_refs}) == 1
        if len(named) == 1 and one_item:
            item = named[0]
            q.operands = [b.model_copy(update={k: getattr(item, k) for k in ("text", "concept", "row", "code", "project")}
                                       | {"columns": item.columns or b.columns}) for b in base_refs]
        else:
            q.operands = [r.model_copy(update={"columns": r.columns or base_refs[0].columns}) for r in q.operands]
        return True
    if q.op in ("difference", "compare") and q.operands and len(q.operands) == 2:
        q.operands = [_fill(o, base_refs[0]) for o in q.operands]
    elif q.op == "rate":
        q.operands = [_fill(o, base_refs[0], keep_columns=True) for o in (q.operands or [Ref(), Ref()])]
    elif q.op == "share":
        whole = q.operands[1:] if len(q.operands) > 1 else []
        q.operands = [_fill(Ref(), base_refs[0])] + whole
    else:
        new_cols = said.columns
        q.operands = [b.model_copy(update={
            "columns": _replace_columns(b.columns, new_cols),
            # the header word the previous turn said for its measure (决算数) goes with that measure
            "column_words": [w for w in b.column_words if not (new_cols and _LEDGER_WORD.search(w))],
            "prior_year": said.prior_year or (b.prior_year and not new_cols),
            "table_kind": said.table_kind or b.table_kind, "table_number": said.table_number or b.table_number,
            "text": b.text}) for b in base_refs]
    return True


def _names(ref: Ref) -> bool:
    return bool(ref.concept or ref.row or ref.code or ref.project)


def _fill(ref: Ref, base: Ref, keep_columns: bool = False) -> Ref:
    if ref.concept or ref.row or ref.code or ref.project:
        return ref
    cols = ref.columns if (ref.columns or keep_columns) else base.columns
    extra = [c for c in base.columns if c not in _ACTUAL + _BUDGET and c not in cols]
    return base.model_copy(update={"columns": _uniq(cols + extra) if ref.columns else cols,
                                   "prior_year": ref.prior_year or base.prior_year,
                                   "table_kind": ref.table_kind or base.table_kind})


_LEDGER_ROLES = set(_ACTUAL + _BUDGET + ("上年", "本年"))
_LEDGER_WORD = re.compile(r"预算|决算|执行|上年|本年|当年|年初|调整|全年")


def _replace_columns(old: list[str], new: list[str]) -> list[str]:
    """预算呢 after 决算数: the ledger column is replaced, a fund or 基本/项目 column kept."""
    if not new:
        return list(old)
    kinds_new = {r in _LEDGER_ROLES for r in new}
    kept = [r for r in old if (r in _LEDGER_ROLES) not in kinds_new]
    return _uniq(kept + list(new))


def _elliptic(part: _Part) -> bool:
    t = normalize(part.text)
    return t.endswith(("呢", "呢?", "呢?", "what about", "how about")) or t.startswith(("那", "那么", "and ", "what about"))


def _starts_with(part: _Part, word: str) -> bool:
    return normalize(part.text).startswith(word)
