"""Quality signals and verdicts, the record's quality object against its schema, the terminal summary
and the HTML report."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from PIL import Image

import pipeline.quality as quality
from pipeline.config import PipelineConfig
from pipeline.quality.checks import Thresholds, verdict
from pipeline.record import DocumentSource, Line, PageContext, PageResult, Word
from pipeline.review.report import html_report, summary_text
from pipeline.stages import finish_document

SCHEMA = json.loads(
    (Path(quality.__file__).parent.parent / "schema" / "quality.schema.json").read_text("utf-8")
)


def quality_errors(value: dict) -> list[str]:
    schema = {**SCHEMA, "$ref": "#/$defs/document_quality"}
    return [e.message for e in Draft202012Validator(schema).iter_errors(value)]


class FakeRestorer:
    """Stands in for pipeline.restore.Restorer: a tiny syllable inventory and a fixed perplexity."""

    VALID = {"ủy", "ban", "nhân", "dân", "tỉnh", "thông", "báo", "họp", "lịch"}

    def is_valid_syllable(self, token: str) -> bool:
        return token.lower() in self.VALID

    def perplexity(self, text: str) -> float:
        return 10.0 + len(text.split())


def ocr_page(number: int, words: list[tuple[str, float]]) -> PageResult:
    line = Line(text=" ".join(w for w, _ in words), bbox=(0, 0, 100, 20), paragraph=0, block=0)
    offset = 0
    for text, conf in words:
        line.words.append(Word(text, conf, (0, 0, 10, 10), offset, offset + len(text)))
        offset += len(text) + 1
    line.start, line.end = 0, len(line.text)
    return PageResult(
        number=number,
        width=1000,
        height=1400,
        dpi=300,
        origin="ocr",
        text=line.text,
        lines=[line],
        ocr_confidence=sum(c for _, c in words) / len(words),
    )


def source_for(pages: list[PageResult], path: str = "/nowhere/doc.png") -> DocumentSource:
    ctxs = [PageContext(path, "image", p.number, p.number - 1) for p in pages]
    return DocumentSource(name="doc", path=path, kind="image", sha256="a" * 64, pages=ctxs)


def test_verdict_names_each_reason_and_takes_the_worst() -> None:
    limits = Thresholds()
    ok = {
        "tokens": 50,
        "confidence_mean": 93.0,
        "low_confidence_share": 0.02,
        "valid_after": 0.98,
        "changed_share": 0.01,
        "perplexity": 12.0,
    }
    assert verdict(ok, limits) == ("ok", [])
    review = {**ok, "confidence_mean": 70.0, "changed_share": 0.25}
    assert verdict(review, limits) == (
        "review",
        ["mean OCR confidence 70 below 75", "restoration changed 25% of tokens"],
    )
    bad = {**ok, "valid_after": 0.5, "perplexity": 5000.0}
    assert verdict(bad, limits) == (
        "bad",
        ["only 50% of tokens are Vietnamese syllables", "language-model perplexity 5000 above 100"],
    )
    assert verdict({"error": True}, limits) == ("bad", ["the page could not be read"])
    assert verdict({**ok, "tokens": 1}, limits) == ("review", ["the page holds almost no text"])
    layer = {
        **ok,
        "confidence_mean": None,
        "low_confidence_share": None,
        "origin": "layer",
        "layer_score": 0.7,
    }
    assert verdict(layer, limits) == ("review", ["PDF text layer score 0.70 below 0.80"])


def test_limits_chosen_on_dev_pages_flag_a_photo_and_pass_a_repaired_copy() -> None:
    """The limits of benchmarks/quality.py's DEV calibration: a word under 60 counts as low, 3% of them
    send a page to review (a phone photo at 3.8% CER had 3.4%); restoration repairing 11% of a heavy
    copy's tokens no longer does by itself (such copies read at 0.8-1.6% CER)."""
    from pipeline.quality.checks import confidence_signals

    limits = Thresholds()
    words = [55.0] * 4 + [95.0] * 96
    assert confidence_signals(words, limits.low_confidence) == (93.4, 0.04)
    assert confidence_signals(words, 50.0) == (93.4, 0.0)
    photo = {"tokens": 300, "confidence_mean": 93.4, "low_confidence_share": 0.04, "valid_after": 0.97,
             "changed_share": 0.046, "perplexity": 17.6}
    assert verdict(photo, limits) == ("review", ["4% of words have low OCR confidence"])
    copy = {"tokens": 300, "confidence_mean": 94.9, "low_confidence_share": 0.0, "valid_after": 0.98,
            "changed_share": 0.11, "perplexity": 19.2}
    assert verdict(copy, limits) == ("ok", [])
    assert verdict(copy, Thresholds(review_changed_share=0.05)) == ("review", ["restoration changed 11% of tokens"])


def test_assess_with_language_model_fills_every_signal(monkeypatch) -> None:
    monkeypatch.setitem(quality._TOOLS, None, (FakeRestorer(), None))
    good = ocr_page(
        1, [("Ủy", 96), ("ban", 95), ("nhân", 97), ("dân", 94), ("tỉnh", 92), ("thông", 96), ("báo", 93)]
    )
    poor = ocr_page(2, [("Iịch", 40), ("hop", 55), ("dân", 90), ("xqz", 20)])
    record = finish_document(
        source_for([good, poor]), [good, poor], PipelineConfig(restore=False, extract=False)
    )
    q = record["quality"]
    assert quality_errors(q) == []
    page1, page2 = q["pages"]
    assert (page1["verdict"], page1["reasons"]) == ("ok", [])
    assert page1["valid_before"] == page1["valid_after"] == 1.0
    assert page1["perplexity"] == 17.0
    assert page1["low_confidence_share"] == 0.0
    assert page1["changed_share"] is None  # restoration did not run: unknown, not zero
    assert page2["confidence_mean"] == 51.25
    assert page2["low_confidence_share"] == 0.75  # 40, 55 and 20 are below 60
    assert page2["valid_after"] == 0.25
    assert page2["verdict"] == "bad"
    assert page2["reasons"][:2] == ["mean OCR confidence 51 below 55", "75% of words have low OCR confidence"]
    assert q["verdict"] == "bad"
    assert q["reasons"][0] == "page 2: mean OCR confidence 51 below 55"
    assert q["counts"] == {"ok": 1, "review": 0, "bad": 1}
    assert q["signals"]["tokens"] == 11
    assert q["missing_signals"] == [] and q["language_model_error"] is None


def test_assess_without_language_model_says_what_is_missing(monkeypatch) -> None:
    monkeypatch.setitem(quality._TOOLS, None, (None, "ModelError: models/lm.npz is missing"))
    page = ocr_page(1, [("Ủy", 96), ("ban", 95), ("nhân", 97), ("dân", 94), ("UBND", 91)])
    record = finish_document(source_for([page]), [page], PipelineConfig(restore=False, extract=False))
    q = record["quality"]
    assert quality_errors(q) == []
    assert q["language_model_error"] == "ModelError: models/lm.npz is missing"
    assert q["missing_signals"] == ["perplexity", "syllable inventory (phonotactic rule used)"]
    assert q["pages"][0]["perplexity"] is None
    assert q["pages"][0]["valid_after"] == 0.8  # UBND is no syllable by the phonotactic rule
    assert q["verdict"] == "review"


def test_changed_share_counts_restoration_changes_on_the_page() -> None:
    signals = quality.page_signals(
        before="thong bao lich hop",
        after="thông báo lịch họp",
        confidences=[],
        origin="text",
        changes=[{"start": 0, "end": 4}, {"start": 5, "end": 8}, {"start": 30, "end": 33}],
        change_span=(0, 18),
        layer_score=None,
        error=False,
    )
    assert signals["changed_share"] == 0.5
    assert signals["valid_before"] == 1.0  # toneless syllables are still well-formed


def _record_with_marks(tmp_path: Path) -> dict:
    image_path = tmp_path / "scan.png"
    Image.new("RGB", (400, 560), "white").save(image_path)
    page = ocr_page(1, [("thong", 95), ("bao", 30), ("hop", 90)])
    record = finish_document(
        source_for([page], str(image_path)), [page], PipelineConfig(restore=False, extract=False)
    )
    # What restoration would have written: "thong" -> "thông".
    record["text"]["final"] = "thông bao hop"
    record["restoration"] = {
        "changed": 1,
        "encoding": None,
        "changes": [
            {
                "start": 0,
                "end": 5,
                "original": "thong",
                "chosen": "thông",
                "alternatives": [],
                "confidence": 0.9,
            }
        ],
    }
    record["pages"][0]["text_end"] = len("thông bao hop")
    return record


def test_html_report_marks_low_confidence_and_changed_words_beside_a_thumbnail(tmp_path: Path) -> None:
    report = html_report([_record_with_marks(tmp_path)], title="t")
    assert '<mark class="changed" title="was: thong">thông</mark>' in report
    assert '<mark class="lowconf" title="confidence 30">bao</mark>' in report
    thumbs = re.findall(r"src='data:image/png;base64,([A-Za-z0-9+/=]+)'", report)
    assert len(thumbs) == 1
    assert "http" not in report.replace("http-equiv", "")  # self-contained


def test_summary_counts_verdicts_and_lists_worst_pages(tmp_path: Path) -> None:
    good = {
        "source": {"name": "a"},
        "quality": {
            "verdict": "ok",
            "reasons": [],
            "pages": [{"page": 1, "verdict": "ok", "reasons": [], "confidence_mean": 95.0}],
        },
    }
    poor = {
        "source": {"name": "b"},
        "quality": {
            "verdict": "bad",
            "reasons": ["x"],
            "pages": [
                {
                    "page": 1,
                    "verdict": "review",
                    "reasons": ["mean OCR confidence 80 below 85"],
                    "confidence_mean": 80.0,
                },
                {
                    "page": 2,
                    "verdict": "bad",
                    "reasons": ["mean OCR confidence 40 below 60"],
                    "confidence_mean": 40.0,
                },
            ],
        },
    }
    text = summary_text([good, poor])
    assert text.splitlines()[:2] == [
        "documents: 2  ok: 1  review: 0  bad: 1",
        "pages:     3  ok: 1  review: 1  bad: 1",
    ]
    worst = text.splitlines()[4:]
    assert worst[0].split()[:3] == ["bad", "b", "p.2"]
    assert worst[1].split()[:3] == ["review", "b", "p.1"]


@pytest.mark.parametrize("verdict_name", ["ok", "review", "bad"])
def test_failed_record_quality_is_schema_valid(verdict_name: str) -> None:
    assert quality_errors({"verdict": verdict_name, "reasons": []}) == []
    assert quality_errors({"verdict": "fine", "reasons": []}) != []


def test_quality_command_prints_summary_and_writes_the_report(tmp_path: Path, capsys) -> None:
    import argparse

    from pipeline.review.cli import run_quality

    record = _record_with_marks(tmp_path)
    record["source"]["name"] = "cong_van_7"
    (tmp_path / "documents.jsonl").write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    report = tmp_path / "report.html"
    args = argparse.Namespace(out_dir=str(tmp_path), html=str(report), worst=5, no_thumbnails=False)
    assert run_quality(args) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "documents: 1  ok: 0  review: 1  bad: 0"
    text = report.read_text(encoding="utf-8")
    assert "<h2>cong_van_7 <span class='verdict review'>review</span></h2>" in text
    assert text.count("data:image/png;base64,") == 1
