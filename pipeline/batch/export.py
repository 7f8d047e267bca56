"""Export the tasks of a batch's records as rows for an issue tracker or a spreadsheet.

Reads ``documents.jsonl`` (the stream of finished records) and yields one flat row per task. The
field names of the extraction schema are read with fallbacks, so a record from an older extraction
version still exports (missing values are empty, never an error).
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
    "description",
    "deadline",
    "document_number",
    "document_symbol",
    "document_date",
    "issuer",
    "source_file",
    "page",
)


def _text(value) -> str:
    """A scalar or a {value/text/iso/name: ...} object as one string."""
    if value is None:
        return ""
    if isinstance(value, dict):
        for key in ("iso", "value", "normalized", "name", "text", "raw"):
            if value.get(key) not in (None, ""):
                return _text(value[key])
        return ""
    if isinstance(value, list):
        return "; ".join(_text(v) for v in value if _text(v))
    return str(value)


def _first(mapping: dict, *keys: str):
    for key in keys:
        if mapping.get(key) not in (None, "", [], {}):
            return mapping[key]
    return None


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
    """One row per task of one record."""
    document = record.get("document") or {}
    source = record.get("source") or {}
    number = _first(document, "number", "so", "document_number")
    symbol = _first(document, "symbol", "number_symbol", "code")
    date = _first(document, "date", "issued", "issue_date", "signed")
    issuer = _first(document, "issuer", "authority", "agency", "organization")
    for task in record.get("tasks") or []:
        span = task.get("span") or []
        offset = span[0] if span else _first(task, "start", "offset")
        page = _first(task, "page") or page_of(offset, record.get("pages") or [])
        yield {
            "assignee": _text(_first(task, "assignee", "assignees", "unit", "owner")),
            "description": _text(_first(task, "description", "action", "text")),
            "deadline": _text(_first(task, "deadline", "due", "due_date")),
            "document_number": _text(number),
            "document_symbol": _text(symbol),
            "document_date": _text(date),
            "issuer": _text(issuer),
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


def to_csv(rows: Iterable[dict]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def to_jsonl(rows: Iterable[dict]) -> str:
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
