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


def test_csv_cells_that_a_spreadsheet_would_run_as_formulas_are_escaped(tmp_path: Path, monkeypatch) -> None:
    """OWASP's rule for CSV injection: a cell starting with = + - @ tab or CR gets a leading apostrophe.
    The task and the file name come from a real batch: extraction reads "=SUM(1+1)" as the assignee."""
    from pipeline.batch import run_batch
    from pipeline.config import PipelineConfig

    sample = Path(__file__).resolve().parent.parent / "corpora/dev/04_tb_ket_luan_ubnd_tinh.txt"
    text = sample.read_text(encoding="utf-8").replace("Giao Sở Tài chính", "Giao =SUM(1+1)")
    (tmp_path / "=x.txt").write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    run_batch(["=x.txt"], "out", config=PipelineConfig(restore=False), workers=1, progress=False)
    rows = list(csv.DictReader(io.StringIO(cli_output(["export", "tasks", "out", "--format", "csv"]))))
    assert [(r["assignee"], r["source_file"]) for r in rows][0] == ("'=SUM(1+1)", "'=x.txt")
    assert rows[0]["description"].startswith("rà soát, tham mưu điều chuyển vốn")
    assert all(r["source_file"] == "'=x.txt" for r in rows)
    jsonl = [json.loads(line) for line in cli_output(["export", "tasks", "out", "--format", "jsonl"]).splitlines()]
    assert (jsonl[0]["assignee"], jsonl[0]["source_file"]) == ("=SUM(1+1)", "=x.txt")  # data, not a sheet


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+84 912", "'+84 912"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("Sở Y tế", "Sở Y tế"),
        ("2025-06-30", "2025-06-30"),
        ("", ""),
    ],
)
def test_formula_escape_rule(cell: str, written: str) -> None:
    from pipeline.review.export import to_csv

    row = dict.fromkeys(COLUMNS, "") | {"assignee": cell}
    assert list(csv.DictReader(io.StringIO(to_csv([row]), newline="")))[0]["assignee"] == written


def cli_output(argv: list[str]) -> str:
    import contextlib

    from pipeline.cli import main

    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        assert main(argv) == 0
    return buffer.getvalue()
