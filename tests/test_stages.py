"""The stage table: order, a failing stage recorded and the rest run, `only=`, and the schema check."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.config import PipelineConfig
from pipeline.document import Document, RecordSchemaError, with_words
from pipeline.errors import InputError
from pipeline.ingest import open_document
from pipeline.schema import record_errors
from pipeline.stages import STAGES, run_stages

TEXT = "Số: 12/TB-UBND\n\nK~t lu~n cu~c h~p"


@pytest.fixture
def text_document(tmp_path: Path) -> Document:
    path = tmp_path / "thong-bao.txt"
    path.write_text(TEXT, encoding="utf-8")
    return Document.of(open_document(path))


def test_stages_run_in_the_order_a_reader_follows() -> None:
    assert [stage.name for stage in STAGES] == ["ocr", "assemble", "restore", "extract", "quality"]


def test_a_failing_stage_is_recorded_and_the_next_stages_still_run(text_document: Document, tmp_path: Path) -> None:
    config = PipelineConfig(models_dir=str(tmp_path / "no-models"))
    record = run_stages(text_document, config).to_record()
    (error,) = record["errors"]
    assert (error["stage"], error["code"]) == ("restore", "model")
    assert record["text"]["final"] == TEXT  # restoration failed: the text is left as read
    assert record["document"]["number_symbol"] == "12/TB-UBND"  # extraction ran all the same
    # restoration did not run: quality does not claim "nothing changed"
    assert record["quality"]["pages"][0]["changed_share"] is None
    assert list(record["timings"]) == ["ocr", "assemble", "restore", "extract", "quality"]


def test_only_runs_the_named_stages(text_document: Document) -> None:
    document = run_stages(text_document, PipelineConfig(), only=("ocr", "assemble"))
    assert document.text == TEXT and document.restoration is None and document.quality == {}
    assert list(document.timings) == ["ocr", "assemble"]
    with pytest.raises(ValueError, match="no such stage: restoer"):
        run_stages(text_document, PipelineConfig(), only=("restoer",))


def test_a_record_that_breaks_the_schema_is_refused(text_document: Document) -> None:
    run_stages(text_document, PipelineConfig(restore=False, extract=False))
    text_document.quality = {"verdict": "fine"}
    with pytest.raises(RecordSchemaError, match=r"the record of .*thong-bao.txt breaks the schema: quality"):
        text_document.to_record()


def test_a_record_written_page_by_page_is_the_record(tmp_path: Path) -> None:
    import io
    import json

    from pipeline.record import DocumentSource, Line, PageResult, Word

    pages = [
        PageResult(number=n, origin="ocr", text=f"Trang {n}", width=100, height=50, lines=[
            Line(text=f"Trang {n}", bbox=(1, 2, 90, 20), paragraph=1, block=0, start=0, end=7,
                 words=[Word("Trang", 91.5, (1, 2, 40, 20), 0, 5), Word(str(n), 88.0, (50, 2, 60, 20), 6, 7)])])
        for n in (2, 1, 3)
    ]  # fmt: skip
    source = DocumentSource("ba-trang", str(tmp_path / "ba-trang.tif"), "tiff", "0" * 64, [])
    document = run_stages(Document.of(source, pages), PipelineConfig(restore=False, extract=False))
    pretty, line = io.BytesIO(), io.BytesIO()
    document.write_record(pretty, line)
    record = document.to_record()
    assert [p["number"] for p in record["pages"]] == [1, 2, 3]
    assert pretty.getvalue().decode() == json.dumps(record, ensure_ascii=False, indent=1) + "\n"
    assert line.getvalue().decode() == json.dumps(record, ensure_ascii=False, separators=(",", ":"))
    assert record["words_file"] is None

    # a lean record: the same record without the words, which go to its words file, one line a page
    document.words_file = "ba-trang.words.jsonl"
    pretty, line, words = io.BytesIO(), io.BytesIO(), io.BytesIO()
    document.write_record(pretty, line, words)
    lean = json.loads(line.getvalue())
    assert json.loads(pretty.getvalue()) == lean and lean["words_file"] == "ba-trang.words.jsonl"
    assert lean == {**record, "words_file": "ba-trang.words.jsonl", "pages": [
        {**p, "lines": [{k: v for k, v in ln.items() if k != "words"} for ln in p["lines"]]} for p in record["pages"]]}
    assert words.getvalue().decode().splitlines() == [
        f'{{"page":{n},"lines":[[{{"text":"Trang","confidence":91.5,"bbox":[1,2,40,20],"start":0,"end":5}},'
        f'{{"text":"{n}","confidence":88.0,"bbox":[50,2,60,20],"start":6,"end":7}}]]}}' for n in (1, 2, 3)]
    assert record_errors(lean) == []
    (tmp_path / "ba-trang.words.jsonl").write_bytes(words.getvalue())
    assert with_words(lean, tmp_path) == {**record, "words_file": "ba-trang.words.jsonl"}
    with pytest.raises(ValueError, match="a lean record is written with its words file"):
        document.write_record(io.BytesIO(), io.BytesIO())
    (tmp_path / "ba-trang.words.jsonl").unlink()
    with pytest.raises(InputError, match=r"cannot read the words of ba-trang \(\[Errno 2\] No such file"):
        with_words(lean, tmp_path)


def test_packed_pages_and_page_words_read_as_the_originals() -> None:
    from pipeline.document import PageWords, join_pages, restoration_words
    from pipeline.record import Line, PageResult, Word

    words = [Word("Quyết", 93.0, (1, 2, 40, 20), 0, 5, [[("Q", 0.99)], [("u", 0.9), ("ư", 0.1)]]),
             Word("định", 97.0, (50, 2, 90, 20), 6, 10, None)]  # fmt: skip
    page = PageResult(number=1, origin="ocr", text="Quyết định", lines=[Line("Quyết định", (1, 2, 90, 20), 1, 0, 0, 10, words)])
    packed = page.packed()
    assert len(packed.lines) == 1 and list(packed.lines) == page.lines and packed.words() == page.words()
    plain = restoration_words([page], [100])
    assert plain[0] == {"text": "Quyết", "start": 100, "end": 105, "confidence": 93.0,
                        "choices": [[("Q", 0.99)], [("u", 0.9), ("ư", 0.1)]]}  # fmt: skip
    second = PageResult(number=2, origin="ocr", text="Quyết định", lines=packed.lines)
    text, starts = join_pages([page.text, second.text])  # the second page starts at 13
    source = PageWords([packed, second], starts)
    assert source.words_in(0, len(text)) == restoration_words([page, second], starts)
    # a piece from the middle of page 1 into page 2: the words that start in it, offsets from its start
    assert [(w["text"], w["start"], w["end"]) for w in source.words_in(3, 19)] == [("định", 3, 7), ("Quyết", 10, 15)]


def test_facts_that_break_the_schema_cost_the_extract_stage_not_the_record(
    text_document: Document, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Fault injection: an extractor that returns a symbol with a word glued to it (as "QĐ-TTgcủa" once did)."""
    import pipeline.extract

    def glued_symbol(text: str, layout=None) -> dict:
        return {"document": {}, "references": [{"symbol": "QĐ-TTgcủa"}], "dates": [], "tasks": []}

    monkeypatch.setattr(pipeline.extract, "extract", glued_symbol)
    record = run_stages(text_document, PipelineConfig(restore=False)).to_record()
    (error,) = record["errors"]
    assert (error["stage"], error["code"]) == ("extract", "internal")
    assert error["message"].startswith("ValueError: the extracted facts break the schema (")
    assert record["references"] == [] and record["text"]["final"] == TEXT


def test_a_word_glued_to_a_cited_symbol_is_not_part_of_it() -> None:
    from pipeline.extract.patterns import NUMSYM_RE, valid_symbol

    assert NUMSYM_RE.search("theo Quyết định số 35/2025/QĐ-TTgcủa Thủ tướng").group(0) == "35/2025/QĐ-TTg"
    assert NUMSYM_RE.search("Công văn 12/UBND-VPngày 3/5").group(0) == "12/UBND-VP"
    assert not valid_symbol("QĐ-TTgcủa")
