"""Fault injection: an exception raised for ONE document of a batch, at each place a document passes
through (discovery, rendering, OCR, restore, extract, quality, the record writer, the catalog), costs
that document alone: it gets a schema-valid failed record naming the fault, the others are processed,
and the exit code is "some documents failed". Only a fault of vanban's own machinery (the output disk,
the catalog) stops the batch, with exit 6, and the rerun finishes it.

Page and finish tasks run on a thread pool here (the Executor interface the process pool and Dask share)
so that the injected fault reaches the real task functions; the code inside them is the production code.
"""

from __future__ import annotations

import json
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import render_lines

from pipeline.batch import run_batch
from pipeline.batch import runner as runner_module
from pipeline.batch.engine import Engine
from pipeline.config import PipelineConfig
from pipeline.errors import ExitCode, OutputError
from pipeline.schema import record_errors

CONFIG = PipelineConfig()  # restore and extract on: every stage runs
BAD = "hong"  # the one document the fault hits


class InjectedFault(RuntimeError):
    """The exception the tests raise; never raised by vanban itself."""


@pytest.fixture
def batch(tmp_path: Path, monkeypatch) -> Path:
    """Three documents: two page images (rendered, OCR'd) and a text file, one image being the bad one."""
    folder = tmp_path / "in"
    folder.mkdir()
    render_lines(["Quyết định số 12/QĐ-UBND ngày 09/9/2025", "của Ủy ban nhân dân thành phố Đà Nẵng"]).save(
        folder / "anh.png", dpi=(300, 300)
    )
    render_lines(["Thông báo số 7/TB-UBND ngày 10/9/2025", "của Ủy ban nhân dân tỉnh Gia Lai"]).save(
        folder / f"{BAD}.png", dpi=(300, 300)
    )
    (folder / "vb.txt").write_text(
        "ỦY BAN NHÂN DÂN\nTỈNH GIA LAI\nSố: 5/TB-UBND\nThông báo kết luận của Chủ tịch.\n", encoding="utf-8"
    )
    pool = ThreadPoolExecutor(max_workers=1)
    monkeypatch.setattr(runner_module, "local_engine", lambda workers: Engine(pool, 1, pool.shutdown, "threads"))
    return folder


def _is_bad(value) -> bool:
    """Whether a record, a text, a path or a page context belongs to the bad document."""
    if isinstance(value, dict):
        return value["source"]["name"] == BAD
    if isinstance(value, str):
        return "7/TB" in value or Path(value).stem == BAD
    return Path(getattr(value, "path", value)).stem == BAD


def _raise_for_bad(original, pick=lambda *a, **k: a[0]):
    def wrapped(*args, **kwargs):
        if _is_bad(pick(*args, **kwargs)):
            raise InjectedFault("injected")
        return original(*args, **kwargs)

    return wrapped


def _inject(place: str, monkeypatch) -> None:
    import pipeline.extract
    import pipeline.ingest.discover
    import pipeline.ocr.page
    import pipeline.quality
    from pipeline.restore import Restorer

    if place == "discovery":
        target = pipeline.ingest.discover
        monkeypatch.setattr(target, "open_document", _raise_for_bad(target.open_document))
    elif place == "rendering":
        monkeypatch.setattr(pipeline.ocr.page, "load_page_image", _raise_for_bad(pipeline.ocr.page.load_page_image))
    elif place == "ocr":
        original = pipeline.ocr.page.read_image
        state: dict = {}

        def read_image(image, dpi, steps, options, reading_steps=None):
            lines, model = original(image, dpi, steps, options, reading_steps)
            if any("7/TB" in line.text for line in lines) and not state:
                state["hit"] = True
                raise InjectedFault("injected")
            return lines, model

        monkeypatch.setattr(pipeline.ocr.page, "read_image", read_image)
    elif place == "restore":
        monkeypatch.setattr(Restorer, "restore", _raise_for_bad(Restorer.restore, lambda self, text, **k: text))
    elif place == "extract":
        monkeypatch.setattr(pipeline.extract, "extract", _raise_for_bad(pipeline.extract.extract))
    elif place == "quality":
        monkeypatch.setattr(pipeline.quality, "assess", _raise_for_bad(pipeline.quality.assess))
    elif place == "writer":
        # The record's content is what the writer cannot take (as a lone surrogate would): its failed
        # record, other content, is written.
        original = runner_module.write_record
        monkeypatch.setattr(
            runner_module,
            "write_record",
            lambda path, record: (_ for _ in ()).throw(InjectedFault("injected"))
            if _is_bad(record) and not record["errors"]
            else original(path, record),
        )
    elif place == "catalog":
        original = runner_module.Catalog.set_writing
        names: dict = {}

        def set_writing(self, sha256, final_status, line_digest, error, webhook):
            if self.get(sha256).name == BAD and not names:
                names["hit"] = True
                raise sqlite3.IntegrityError("injected")
            return original(self, sha256, final_status, line_digest, error, webhook)

        monkeypatch.setattr(runner_module.Catalog, "set_writing", set_writing)


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
    _inject(place, monkeypatch)
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


def _small_disk(monkeypatch) -> None:
    """A real SQLITE_FULL ("database or disk is full"): the catalog may not grow past its first pages."""
    original_init = runner_module.Catalog.__init__

    def small_disk(self, path):
        original_init(self, path)
        pages = self.db.execute("PRAGMA page_count").fetchone()[0]
        self.db.execute(f"PRAGMA max_page_count = {pages}")

    monkeypatch.setattr(runner_module.Catalog, "__init__", small_disk)


def _many_letters(folder: Path) -> None:
    for i in range(40):  # enough rows to need a new page of the catalog
        (folder / f"thu-{i:02d}-{'x' * 80}.txt").write_text(f"Thư số {i}.\n", encoding="utf-8")


def test_disk_full_during_a_catalog_commit_is_exit_6_and_the_rerun_finishes(
    batch: Path, tmp_path: Path, monkeypatch
) -> None:
    out = tmp_path / "out"
    _many_letters(batch)
    _small_disk(monkeypatch)
    with pytest.raises(OutputError) as info:
        run_batch([batch], out, config=CONFIG, workers=1, progress=False)
    assert info.value.exit_code == ExitCode.OUTPUT == 6
    assert str(info.value) == (
        f"{out / 'catalog.sqlite'}: the disk holding the batch catalog is full (database or disk is full); "
        "free some space and rerun the same command: the batch resumes where it stopped"
    )
    monkeypatch.undo()
    pool = ThreadPoolExecutor(max_workers=1)
    monkeypatch.setattr(runner_module, "local_engine", lambda workers: Engine(pool, 1, pool.shutdown, "threads"))
    summary = run_batch([batch], out, config=PipelineConfig(restore=False, extract=False), workers=1,
                        progress=False)
    assert (summary.processed, summary.failed) == (43, 0)
    assert len((out / "documents.jsonl").read_text().splitlines()) == 43


def test_cli_exit_code_for_a_full_disk_is_6_and_its_advice_keeps_the_catalog(
    tmp_path: Path, monkeypatch, capsys
) -> None:
    from pipeline.cli import main

    _many_letters(tmp_path)
    _small_disk(monkeypatch)
    out = tmp_path / "out"
    code = main(["process", str(tmp_path), "--out", str(out), "--quiet", "--no-restore", "--no-extract"])
    assert code == 6
    assert capsys.readouterr().err.splitlines() == [
        f"vanban: error: {out / 'catalog.sqlite'}: the disk holding the batch catalog is full (database or "
        "disk is full); free some space and rerun the same command: the batch resumes where it stopped"
    ]
