"""`vanban export tasks`: one row per task with its document's facts and its page, as CSV or JSONL."""

from __future__ import annotations

import argparse
import csv
import io
import json
from pathlib import Path

import pytest

from pipeline.batch import cli
from pipeline.errors import InputError
from pipeline.review.export import COLUMNS, all_rows, task_rows

TEXT = "Trang một.\n\f\nGiao Sở Tài chính chủ trì, hoàn thành trước ngày 30/6/2025."


def record() -> dict:
    start = TEXT.index("Giao")
    return {
        "source": {
            "path": "/luu_tru/qd_12.pdf",
            "name": "qd_12",
            "sha256": "b" * 64,
            "pages": 2,
            "kind": "pdf",
        },
        "pages": [
            {"number": 1, "text_start": 0, "text_end": 10},
            {"number": 2, "text_start": 13, "text_end": len(TEXT)},
        ],
        "text": {"final": TEXT},
        "document": {
            "number": "12",
            "symbol": "QĐ-UBND",
            "number_symbol": "12/QĐ-UBND",
            "date": "2025-05-02",
            "issuer": "Ủy ban nhân dân tỉnh Quảng Trị",
        },
        "tasks": [
            {
                "assignee": "Sở Tài chính",
                "coordinating_units": ["Sở Xây dựng", "Kho bạc Nhà nước"],
                "description": "chủ trì, hoàn thành",
                "deadline": "2025-06-30",
                "span": {"start": start, "end": len(TEXT), "page": None},
                "confidence": 0.9,
            },
            {
                "assignee": "Các xã",
                "coordinating_units": [],
                "description": "báo cáo",
                "deadline": None,
                "span": {"start": 0, "end": 5, "page": 1},
                "confidence": 0.5,
            },
        ],
    }


def test_task_rows_carry_document_facts_and_the_page() -> None:
    rows = list(task_rows(record()))
    assert rows[0] == {
        "assignee": "Sở Tài chính",
        "coordinating_units": "Sở Xây dựng; Kho bạc Nhà nước",
        "description": "chủ trì, hoàn thành",
        "deadline": "2025-06-30",
        "document_number_symbol": "12/QĐ-UBND",
        "document_number": "12",
        "document_symbol": "QĐ-UBND",
        "document_date": "2025-05-02",
        "issuer": "Ủy ban nhân dân tỉnh Quảng Trị",
        "source_file": "/luu_tru/qd_12.pdf",
        "page": "2",
    }
    assert (rows[1]["deadline"], rows[1]["page"]) == ("", "1")
    assert list(all_rows([{"source": {}, "tasks": []}])) == []


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_export_command_reads_documents_jsonl(tmp_path: Path, fmt: str) -> None:
    lines = [
        json.dumps(record(), ensure_ascii=False),
        json.dumps({**record(), "tasks": []}, ensure_ascii=False),
    ]
    (tmp_path / "documents.jsonl").write_text("\n".join(lines) + "\n" + '{"partial', encoding="utf-8")
    target = tmp_path / f"tasks.{fmt}"
    code = cli.run_export(
        argparse.Namespace(what="tasks", out_dir=str(tmp_path), format=fmt, output=str(target))
    )
    assert code == 0
    text = target.read_text(encoding="utf-8")
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(text)))
        assert list(rows[0]) == list(COLUMNS)
    else:
        rows = [json.loads(line) for line in text.splitlines()]
    assert [r["assignee"] for r in rows] == ["Sở Tài chính", "Các xã"]
    assert rows[0]["page"] == "2"


def test_export_of_a_folder_without_records_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no documents.jsonl here"):
        list(all_rows(cli_read(tmp_path)))


def cli_read(path: Path):
    from pipeline.review.export import read_records

    return read_records(path)
