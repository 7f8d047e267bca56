"""Fault injection: an exception raised for ONE document of a batch, at each place a document passes
through (discovery, rendering, OCR, restore, extract, quality, the record writer, the catalog), costs
that document alone: it gets a schema-valid failed record naming the fault, the others are processed,
and the exit code is "some documents failed". Only a fault of vanban's own machinery (the output disk,
the catalog) stops the batch, with exit 6, and the rerun finishes it.

The injector is the fault benchmark's (benchmarks/faults.py). Page and finish tasks run on a thread
pool here (the Executor interface the process pool and Dask share) so that the injected fault reaches
the real task functions; the code inside them is the production code.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from benchmarks.faults import BAD, BAD_LINES, GOOD_LINES, inject, many_letters, page_image, thread_engine
from pipeline.batch import run_batch
from pipeline.config import PipelineConfig
from pipeline.errors import ExitCode, OutputError
from pipeline.schema import record_errors

CONFIG = PipelineConfig()  # restore and extract on: every stage runs


@pytest.fixture
def batch(tmp_path: Path, monkeypatch) -> Path:
    """Three documents: two page images (rendered, OCR'd) and a text file, one image being the bad one."""
    folder = tmp_path / "in"
    folder.mkdir()
    page_image(folder / "anh.png", GOOD_LINES)
    page_image(folder / f"{BAD}.png", BAD_LINES)
    (folder / "vb.txt").write_text(
        "ỦY BAN NHÂN DÂN\nTỈNH GIA LAI\nSố: 5/TB-UBND\nThông báo kết luận của Chủ tịch.\n", encoding="utf-8"
    )
    thread_engine(monkeypatch.setattr)
    return folder


EXPECTED = {
    # place: (code, stage) of the bad document's error
    "discovery": ("internal", "ingest"),
    "rendering": ("internal", "ocr"),
    "ocr": ("internal", "ocr"),
    "restore": ("internal", "restore"),
    "extract": ("internal", "extract"),
    "quality": ("internal", "quality"),
    "writer": ("internal", "output"),
    "catalog": ("internal", "output"),
}


@pytest.mark.parametrize("place", list(EXPECTED))
def test_a_fault_in_one_document_costs_that_document_alone(place: str, batch: Path, tmp_path: Path, monkeypatch):
    inject(place, monkeypatch.setattr)
    out = tmp_path / "out"
    summary = run_batch([batch], out, config=CONFIG, workers=1, progress=False)
    assert (summary.processed, summary.failed) == (2, 1)
    assert summary.exit_code == ExitCode.SOME_DOCUMENTS_FAILED
    records = {r["source"]["name"]: r for r in map(json.loads, (out / "documents.jsonl").read_text().splitlines())}
    assert sorted(records) == ["anh", BAD, "vb"]
    for name, record in records.items():
        assert record_errors(record) == [], name
        assert json.loads((out / f"{name}.json").read_text(encoding="utf-8")) == record
    assert records["anh"]["errors"] == [] and records["vb"]["errors"] == []
    assert "12/QĐ-UBND" in records["anh"]["text"]["final"]
    errors = records[BAD]["errors"]
    assert [(e["code"], e["stage"]) for e in errors] == [EXPECTED[place]]
    assert errors[0]["message"].endswith("InjectedFault: injected") or errors[0]["message"] == (
        "IntegrityError: injected"
    )
    with sqlite3.connect(out / "catalog.sqlite") as db:
        assert dict(db.execute("SELECT name, status FROM documents")) == {"anh": "done", "vb": "done", BAD: "failed"}


def test_disk_full_during_a_catalog_commit_is_exit_6_and_the_rerun_finishes(
    batch: Path, tmp_path: Path, monkeypatch
) -> None:
    out = tmp_path / "out"
    many_letters(batch)
    inject("disk-full", monkeypatch.setattr)
    with pytest.raises(OutputError) as info:
        run_batch([batch], out, config=CONFIG, workers=1, progress=False)
    assert info.value.exit_code == ExitCode.OUTPUT == 6
    assert str(info.value) == (
        f"{out / 'catalog.sqlite'}: the disk holding the batch catalog is full (database or disk is full); "
        "free some space and rerun the same command: the batch resumes where it stopped"
    )
    monkeypatch.undo()
    thread_engine(monkeypatch.setattr)
    summary = run_batch([batch], out, config=PipelineConfig(restore=False, extract=False), workers=1,
                        progress=False)
    assert (summary.processed, summary.failed) == (43, 0)
    assert len((out / "documents.jsonl").read_text().splitlines()) == 43


def test_cli_exit_code_for_a_full_disk_is_6_and_its_advice_keeps_the_catalog(
    tmp_path: Path, monkeypatch, capsys
) -> None:
    from pipeline.cli import main

    many_letters(tmp_path)
    inject("disk-full", monkeypatch.setattr)
    out = tmp_path / "out"
    code = main(["process", str(tmp_path), "--out", str(out), "--quiet", "--no-restore", "--no-extract"])
    assert code == 6
    assert capsys.readouterr().err.splitlines() == [
        f"vanban: error: {out / 'catalog.sqlite'}: the disk holding the batch catalog is full (database or "
        "disk is full); free some space and rerun the same command: the batch resumes where it stopped"
    ]


def test_an_input_name_at_the_filesystem_limit_still_gets_its_record(tmp_path: Path) -> None:
    """A Vietnamese file name near 255 bytes (3 bytes a letter in UTF-8) left no room for the record's
    temporary file name: the write failed and stopped the batch."""
    folder = tmp_path / "in"
    folder.mkdir()
    stem = "Thông báo kết luận về việc " + "ệ" * 70
    assert 240 <= len(stem.encode()) <= 250
    (folder / f"{stem}.txt").write_text("Công văn số 5/UBND-VP.\n", encoding="utf-8")
    (folder / "vb.txt").write_text("Công văn.\n", encoding="utf-8")
    out = tmp_path / "out"
    summary = run_batch([folder], out, config=PipelineConfig(restore=False, extract=False), workers=1,
                        progress=False)
    assert (summary.processed, summary.failed) == (2, 0)
    (name,) = [r["source"]["name"] for r in map(json.loads, (out / "documents.jsonl").read_text().splitlines())
               if r["source"]["name"] != "vb"]
    assert len(name.encode()) <= 150 and stem.startswith(name)
    assert json.loads((out / f"{name}.json").read_text(encoding="utf-8"))["text"]["final"] == "Công văn số 5/UBND-VP.\n"


def test_a_file_name_that_is_not_utf8_gets_its_record_and_the_batch_goes_on(tmp_path: Path) -> None:
    """A name in a legacy code page (an archive unzipped from Windows): one byte that is not UTF-8 made
    the catalog refuse the path (UnicodeEncodeError) and the whole batch stopped as an internal error."""
    import os

    folder = tmp_path / "in"
    folder.mkdir()
    with open(os.path.join(os.fsencode(folder), b"van-ban-\xe0.txt"), "wb") as handle:
        handle.write("Công văn số 5/UBND-VP.\n".encode())
    (folder / "vb.txt").write_text("Công văn.\n", encoding="utf-8")
    out = tmp_path / "out"
    summary = run_batch([folder], out, config=PipelineConfig(restore=False, extract=False), workers=1,
                        progress=False)
    assert (summary.processed, summary.failed) == (2, 0)
    records = {r["source"]["name"]: r for r in map(json.loads, (out / "documents.jsonl").read_text().splitlines())}
    assert sorted(records) == ["van-ban-\ufffd", "vb"]
    record = records["van-ban-\ufffd"]
    assert record_errors(record) == []
    assert record["source"]["path"] == str(folder / "van-ban-\ufffd.txt")
    assert record["text"]["final"] == "Công văn số 5/UBND-VP.\n"


def test_an_unreadable_file_with_a_name_that_is_not_utf8_keeps_its_own_error(tmp_path: Path) -> None:
    import os

    folder = tmp_path / "in"
    folder.mkdir()
    with open(os.path.join(os.fsencode(folder), b"anh-\xe0.png"), "wb") as handle:
        handle.write(b"\x89PNG\r\n\x1a\n" + b"\0" * 40)  # a PNG signature and nothing readable
    out = tmp_path / "out"
    summary = run_batch([folder], out, config=PipelineConfig(restore=False, extract=False), workers=1,
                        progress=False)
    assert summary.failed == 1
    (record,) = map(json.loads, (out / "documents.jsonl").read_text().splitlines())
    assert record_errors(record) == []
    (error,) = record["errors"]
    assert error["code"] == "corrupt-file"
    assert error["message"].startswith("cannot read the image (cannot identify image file ")
    assert record["source"]["path"] == str(folder / "anh-\ufffd.png")
