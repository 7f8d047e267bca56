"""`vanban process --lean-records`: the OCR words go to <name>.words.jsonl beside the record; the record
stays valid, and the PDF, ALTO and the review read the words from there, also on resume."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import render_lines

from pipeline.cli import main as vanban
from pipeline.document import with_words
from pipeline.record import without_timings
from pipeline.review.cli import load_records
from pipeline.schema import record_errors


def process(inputs: Path, out: Path, *extra: str) -> int:
    return vanban(["process", str(inputs), "--out", str(out), "--workers", "1", "--quiet", "--no-extract", *extra])


def test_lean_records_keep_the_words_beside_the_record_and_every_output_reads_them(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    render_lines(["Ve viec cai cach hanh chinh", "nha nuoc nam 2025"]).save(inputs / "trang.png", dpi=(300, 300))
    (inputs / "ghi_chu.txt").write_text("Ghi chú của văn phòng.\n", encoding="utf-8")
    full, lean = tmp_path / "full", tmp_path / "lean"
    assert process(inputs, full, "--alto") == 0
    assert process(inputs, lean, "--alto", "--lean-records") == 0

    record = json.loads((full / "trang.json").read_text(encoding="utf-8"))
    lean_record = json.loads((lean / "trang.json").read_text(encoding="utf-8"))
    assert record["words_file"] is None and lean_record["words_file"] == "trang.words.jsonl"
    assert record_errors(lean_record) == []
    assert all("words" not in line for page in lean_record["pages"] for line in page["lines"])
    assert any(line["words"] for page in record["pages"] for line in page["lines"])
    sidecar = [json.loads(line) for line in (lean / "trang.words.jsonl").read_text(encoding="utf-8").splitlines()]
    assert sidecar == [{"page": p["number"], "lines": [line["words"] for line in p["lines"]]} for p in record["pages"]]
    assert without_timings(with_words(lean_record, lean)) == without_timings({**record, "words_file": "trang.words.jsonl"})
    # a text document has no words: no words file, its record as without the option
    assert json.loads((lean / "ghi_chu.json").read_text(encoding="utf-8"))["words_file"] is None
    assert not (lean / "ghi_chu.words.jsonl").exists()
    # the ALTO file is made from the words file, and the review reads it too
    assert (lean / "trang.alto.xml").read_bytes() == (full / "trang.alto.xml").read_bytes()
    by_name = {r["source"]["name"]: without_timings(r) for r in load_records(str(lean))}
    assert by_name["trang"] == without_timings({**record, "words_file": "trang.words.jsonl"})

    # resume: finished documents are skipped and keep their words; a backfilled PDF reads them
    written = (lean / "trang.words.jsonl").read_bytes()
    assert process(inputs, lean, "--lean-records", "--pdf", "--pdf-type", "pdf") == 0
    assert process(inputs, full, "--pdf", "--pdf-type", "pdf") == 0
    assert (lean / "trang.words.jsonl").read_bytes() == written
    assert (lean / "trang.pdf").exists() and (full / "trang.pdf").exists()
    assert _layer_words(lean / "trang.pdf") == _layer_words(full / "trang.pdf")
    # --force redoes the document: the same words, one record, nothing left over
    assert process(inputs, lean, "--lean-records", "--force") == 0
    assert (lean / "trang.words.jsonl").read_bytes() == written
    assert len((lean / "documents.jsonl").read_text(encoding="utf-8").splitlines()) == 2
    assert sorted(p.name for p in lean.iterdir() if p.name.startswith(".")) == [".vanban.lock"]


def _layer_words(pdf: Path) -> list[str]:
    import subprocess

    return subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True, text=True).stdout.split()


def test_a_lean_record_whose_archive_file_fails_keeps_its_words_file(tmp_path: Path, monkeypatch) -> None:
    from pipeline.batch import archive, run_batch
    from pipeline.batch.archive import ArchiveOptions
    from pipeline.config import PipelineConfig

    inputs = tmp_path / "in"
    inputs.mkdir()
    render_lines(["Ve viec cai cach hanh chinh"]).save(inputs / "trang.png", dpi=(300, 300))

    def refuse(path, record, pages) -> None:
        raise RuntimeError("ALTO writer broke")

    monkeypatch.setattr(archive, "_write_words", refuse)
    out = tmp_path / "out"
    config = PipelineConfig(extract=False, lean_records=True)
    summary = run_batch([inputs], out, config=config, workers=1, progress=False, archive=ArchiveOptions(alto=True))
    assert (summary.processed, summary.failed) == (0, 1)
    record = json.loads((out / "trang.json").read_text(encoding="utf-8"))
    assert [(e["stage"], e["message"]) for e in record["errors"]] == [("output", "RuntimeError: ALTO writer broke")]
    assert record["words_file"] == "trang.words.jsonl" and record_errors(record) == []
    assert all("words" not in line for page in record["pages"] for line in page["lines"])
    assert any(line["words"] for page in with_words(record, out)["pages"] for line in page["lines"])
    assert json.loads((out / "documents.jsonl").read_text(encoding="utf-8")) == record
