"""Export the tasks of a batch's records as rows for an issue tracker or a spreadsheet.

Reads ``documents.jsonl`` (the stream of finished records) and yields one flat row per task. Missing
values are empty cells, never an error.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from pathlib import Path

from pipeline.errors import InputError

COLUMNS = (
    "assignee",
    "coordinating_units",
    "description",
    "deadline",
    "document_number_symbol",
    "document_number",
    "document_symbol",
    "document_date",
    "issuer",
    "source_file",
    "page",
)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(str(v) for v in value if v)
    return str(value)


def page_of(offset: int | None, pages: list[dict]) -> int | None:
    """The page holding a character offset of text.final."""
    if offset is None:
        return None
    for page in pages:
        start, end = page.get("text_start"), page.get("text_end")
        if start is not None and end is not None and start <= offset <= end:
            return page.get("number")
    return None


def task_rows(record: dict) -> Iterator[dict]:
    """One row per task of one record (fields of extraction.schema.json)."""
    document = record.get("document") or {}
    source = record.get("source") or {}
    for task in record.get("tasks") or []:
        span = task.get("span") or {}
        page = span.get("page") or page_of(span.get("start"), record.get("pages") or [])
        yield {
            "assignee": _text(task.get("assignee")),
            "coordinating_units": _text(task.get("coordinating_units")),
            "description": _text(task.get("description")),
            "deadline": _text(task.get("deadline")),
            "document_number_symbol": _text(document.get("number_symbol")),
            "document_number": _text(document.get("number")),
            "document_symbol": _text(document.get("symbol")),
            "document_date": _text(document.get("date")),
            "issuer": _text(document.get("issuer")),
            "source_file": _text(source.get("path")),
            "page": "" if page is None else str(page),
        }


def read_records(out_dir: str | Path) -> Iterator[dict]:
    """The records of a batch folder, from its documents.jsonl (a partial last line is ignored)."""
    path = Path(out_dir) / "documents.jsonl"
    if not path.is_file():
        raise InputError("no documents.jsonl here; run vanban process --out DIR first", path=str(out_dir))
    with path.open("rb") as handle:
        for raw in handle:
            if not raw.endswith(b"\n"):
                break  # a batch is appending right now, or crashed mid-line
            try:
                yield json.loads(raw)
            except ValueError:
                continue


def all_rows(records: Iterable[dict]) -> Iterator[dict]:
    for record in records:
        yield from task_rows(record)


# A spreadsheet runs a cell starting with one of these as a formula (CSV injection); OWASP's rule is
# to make it text with a leading apostrophe. Task text and file names are the documents' own.
FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(cell: str) -> str:
    return "'" + cell if cell.startswith(FORMULA_LEADS) else cell


def to_csv(rows: Iterable[dict]) -> str:
    """CSV for a spreadsheet or tracker import, formula-leading cells escaped (JSONL keeps raw values)."""
    buffer = io.StringIO()
    # CRLF rows (RFC 4180): the writer then quotes a cell holding a lone CR, which "\n" rows left bare.
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows({key: spreadsheet_safe(value) for key, value in row.items()} for row in rows)
    return buffer.getvalue()


def to_jsonl(rows: Iterable[dict]) -> str:
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
