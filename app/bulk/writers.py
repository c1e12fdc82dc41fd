"""Write the bulk dataset from its SQLite staging store: csv folder, xlsx, parquet folder or sqlite.

Tables: documents, summary, facts, checks, findings. Amounts stay exact where the format can:
csv holds the printed decimal strings, parquet decimal128 columns; sqlite and xlsx hold numbers
(REAL / Excel numbers). Every writer streams the staging rows in chunks and writes to a temporary
path first, so an interrupted write never leaves a half dataset where a whole one was.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from budgetqa.app.bulk.schema import DOCUMENT_COLUMNS, FACT_COLUMNS, SUMMARY_COLUMNS, quote_ident
from budgetqa.app.measures import FIGURES

FORMATS = ("csv", "xlsx", "parquet", "sqlite")
TABLES = ("documents", "summary", "facts", "checks", "findings")
CHUNK = 20_000
XLSX_MAX_ROWS = 1_048_575  # Excel's sheet limit, minus the header; longer tables continue on facts_2 …

_INT = {"year", "pages", "tables", "standard_tables", "facts", "table_index", "row_index", "page", "line", "seq"}
_FLOAT = {"seconds"}
_NUM = set(FIGURES) | {"value"}

# A reviewer's marks kept in the user's store: content hash → {finding id: (mark, note)} (the CLI
# passes the store's lookup in; bulk itself opens no store).
Marks = Callable[[str], dict[str, tuple[str, str | None]]]
MARK_COLUMNS = ("mark", "note")


def format_of(out: Path) -> str:
    """The format an output path asks for by its suffix (a path without one is a csv folder)."""
    suffix = out.suffix.lower().lstrip(".")
    return {"db": "sqlite", "sqlite3": "sqlite", "xls": "xlsx"}.get(suffix, suffix if suffix in FORMATS else "csv")


def kind_of(column: str) -> str:
    if column in _INT:
        return "int"
    if column in _FLOAT:
        return "float"
    if column in _NUM:
        return "num"
    return "text"


@dataclass
class TableData:
    """One output table: its columns and a way to stream its rows (values already typed)."""

    name: str
    columns: list[str]
    kinds: list[str]
    db: sqlite3.Connection
    json_columns: bool = False  # checks / findings: rows are JSON objects spread into columns
    marks: Marks | None = None  # findings: fills the mark and note columns, read when the rows are written

    def chunks(self) -> Iterator[list[tuple]]:
        if self.json_columns:
            yield from self._json_chunks()
            return
        cols = ", ".join(quote_ident(c) for c in self.columns)
        cur = self.db.execute(f"SELECT {cols} FROM {self.name} ORDER BY rowid")
        while rows := cur.fetchmany(CHUNK):
            yield [tuple(_typed(v, k) for v, k in zip(r, self.kinds)) for r in rows]

    def _json_chunks(self) -> Iterator[list[tuple]]:
        cur = self.db.execute(f"SELECT sha256, seq, data FROM {self.name} ORDER BY rowid")
        marked: dict[str, dict[str, tuple[str, str | None]]] = {}
        while rows := cur.fetchmany(CHUNK):
            out = []
            for sha, seq, data in rows:
                d = json.loads(data)
                if self.name == "findings":
                    if sha not in marked:
                        marked[sha] = (self.marks(sha) if self.marks and sha else None) or {}
                    d["mark"], d["note"] = marked[sha].get(d.get("id"), (None, None))
                out.append((sha, seq, *(_json_cell(d.get(c), k) for c, k in zip(self.columns[2:], self.kinds[2:]))))
            yield out


def _typed(value, kind: str):
    if value is None or value == "":
        return None
    if kind == "num":
        return Decimal(str(value))
    if kind == "int":
        return int(value)
    if kind == "float":
        return float(value)
    return value


def _json_cell(value, kind: str):
    if value is None:
        return None
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    if kind == "text":
        return str(value)
    if kind == "num":
        return Decimal(str(value))
    return value


_AMOUNT_KEY = re.compile(r"(value|difference|tolerance)$")


def _json_schema(db: sqlite3.Connection, table: str) -> tuple[list[str], list[str]]:
    """Columns of a JSON table: the union of keys in first-seen order, each typed bool/float/text."""
    keys: dict[str, set[str]] = {}
    for (data,) in db.execute(f"SELECT data FROM {table}"):
        for k, v in json.loads(data).items():
            if k in ("sha256", "seq"):
                continue
            t = "bool" if isinstance(v, bool) else "int" if isinstance(v, int) else "float" if isinstance(v, float) else "text"
            if _AMOUNT_KEY.search(k) and isinstance(v, str):
                t = "num"  # audit amounts arrive as exact decimal strings
            keys.setdefault(k, set())
            if v is not None:
                keys[k].add(t)
    if table == "findings":  # a reviewer's mark and note, empty where none is kept
        for k in MARK_COLUMNS:
            keys.setdefault(k, {"text"})
    names = list(keys)
    kinds = [next(iter(ts)) if len(ts) == 1 else "text" for ts in keys.values()]
    return ["sha256", "seq", *names], ["text", "int", *kinds]


def load_tables(db: sqlite3.Connection, marks: Marks | None = None) -> list[TableData]:
    tables = []
    for name, columns in (("documents", DOCUMENT_COLUMNS), ("summary", SUMMARY_COLUMNS), ("facts", FACT_COLUMNS)):
        tables.append(TableData(name, columns, [kind_of(c) for c in columns], db))
    for name in ("checks", "findings"):
        columns, kinds = _json_schema(db, name)
        tables.append(TableData(name, columns, kinds, db, json_columns=True, marks=marks if name == "findings" else None))
    return tables


def write_dataset(staging: Path, out: Path, fmt: str, marks: Marks | None = None) -> Path:
    """(Re)write the whole dataset at `out` from the staging store; returns `out`. `marks` gives the
    findings table each finding's review mark and note (read now, so a --resume shows today's marks)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
    db = sqlite3.connect(staging)
    try:
        tables = load_tables(db, marks)
        tmp = out.with_name(out.name + ".tmp")
        _remove(tmp)
        {"csv": _write_csv, "xlsx": _write_xlsx, "parquet": _write_parquet, "sqlite": _write_sqlite}[fmt](tables, tmp, db)
        _remove(out)
        tmp.rename(out)
    finally:
        db.close()
    return out


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()


def _write_csv(tables: list[TableData], out: Path, db) -> None:
    out.mkdir(parents=True)
    for t in tables:
        with open(out / f"{t.name}.csv", "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(t.columns)
            for rows in t.chunks():
                w.writerows([_csv(v) for v in r] for r in rows)


def _csv(value):
    if isinstance(value, Decimal):
        return format(value, "f")
    return "" if value is None else value


def _write_xlsx(tables: list[TableData], out: Path, db) -> None:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    for t in tables:
        part, n, ws = 1, 0, None
        for rows in t.chunks() if t.columns else []:
            for r in rows:
                if ws is None or n >= XLSX_MAX_ROWS:
                    ws = wb.create_sheet(t.name if part == 1 else f"{t.name}_{part}")
                    ws.append(t.columns)
                    part, n = part + 1, 0
                ws.append(list(r))
                n += 1
        if ws is None:  # an empty table still gets its sheet and header
            wb.create_sheet(t.name).append(t.columns)
    wb.save(out)


def _decimal_scale(db: sqlite3.Connection, t: TableData, column: str) -> int:
    """Digits after the point the column needs (so decimal128 holds every value exactly)."""
    q = quote_ident(column)
    (scale,) = db.execute(
        f"SELECT max(length({q}) - instr({q}, '.')) FROM {t.name} WHERE instr({q}, '.') > 0"
    ).fetchone()
    return max(2, min(int(scale or 0), 18))


def _arrow_schema(t: TableData, db):
    import pyarrow as pa

    fields = []
    for c, k in zip(t.columns, t.kinds):
        typ = {"int": pa.int64(), "float": pa.float64(), "bool": pa.bool_(), "text": pa.string()}.get(k)
        if k == "num":
            typ = pa.decimal128(38, _decimal_scale(db, t, c))
        fields.append(pa.field(c, typ))
    return pa.schema(fields)


def _write_parquet(tables: list[TableData], out: Path, db) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    out.mkdir(parents=True)
    for t in tables:
        schema = _arrow_schema(t, db)
        scales = {c: schema.field(c).type.scale for c, k in zip(t.columns, t.kinds) if k == "num"}
        with pq.ParquetWriter(out / f"{t.name}.parquet", schema) as writer:
            wrote = False
            for rows in t.chunks():
                cols = list(zip(*rows))
                arrays = []
                for i, c in enumerate(t.columns):
                    values = list(cols[i])
                    if c in scales:  # exact rescale: only appends zeros, never rounds
                        values = [None if v is None else v.quantize(Decimal(1).scaleb(-scales[c])) for v in values]
                    arrays.append(pa.array(values, type=schema.field(c).type))
                writer.write_table(pa.Table.from_arrays(arrays, schema=schema))
                wrote = True
            if not wrote:
                writer.write_table(schema.empty_table())


def _write_sqlite(tables: list[TableData], out: Path, db) -> None:
    dest = sqlite3.connect(out)
    try:
        for t in tables:
            decl = {"int": "INTEGER", "float": "REAL", "num": "REAL", "bool": "INTEGER", "text": "TEXT"}
            cols = ", ".join(f"{quote_ident(c)} {decl[k]}" for c, k in zip(t.columns, t.kinds))
            dest.execute(f"CREATE TABLE {t.name} ({cols})")
            marks = ", ".join("?" * len(t.columns))
            for rows in t.chunks():
                dest.executemany(f"INSERT INTO {t.name} VALUES ({marks})",
                                 [tuple(float(v) if isinstance(v, Decimal) else v for v in r) for r in rows])
        dest.execute("CREATE INDEX facts_sha ON facts (sha256)")
        dest.commit()
    finally:
        dest.close()
