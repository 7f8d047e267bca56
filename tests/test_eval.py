"""CER/WER against ground truth: NFC, grapheme clusters, the reading-order-free CER, and `vanban eval`."""

from __future__ import annotations

import argparse
import json
import unicodedata
from pathlib import Path

import pytest

from pipeline.errors import InputError
from pipeline.review import cli
from pipeline.review.metrics import char_errors, graphemes, order_free_char_errors, score, word_errors


def test_decomposed_letters_count_as_one_grapheme_and_compare_equal_to_nfc() -> None:
    decomposed = unicodedata.normalize("NFD", "Quyết định")
    assert graphemes(decomposed) == ["Q", "u", "y", "e\u0302\u0301", "t", " ", "đ", "i\u0323", "n", "h"]
    assert char_errors("Quyết định", decomposed).edits == 0
    assert char_errors("Quyết định", "Quyet định").edits == 1  # one letter wrong, not two code points


def test_cer_and_wer_exact_values() -> None:
    cer = char_errors("ủy ban nhân dân", "uy ban  nhan dân\n")
    assert (cer.edits, cer.length) == (2, 15)
    wer = word_errors("ủy ban nhân dân", "uy ban nhan dân")
    assert (wer.edits, wer.length, wer.rate) == (2, 4, 0.5)


def test_order_free_cer_forgives_column_order_only() -> None:
    truth = "Cột trái dòng một\nCột phải dòng một\nCột trái dòng hai"
    swapped = "Cột phải dòng một\nCột trái dòng một\nCột trái dòng hai"
    assert char_errors(truth, swapped).edits > 0
    assert order_free_char_errors(truth, swapped).edits == 0
    damaged = "Cột phải dòng một\nCột trai dòng một"  # "trái" misread, the third line lost
    errors = order_free_char_errors(truth, damaged)
    # Left over, in order: truth "trái Cột trái dòng hai" (22 graphemes) vs output "trai": 18 deletions
    # (t, r from the first word, a, i from "hai"); the plain CER, charged for the line order, needs 22.
    assert char_errors(truth, damaged).edits == 22
    assert (errors.edits, errors.length) == (18, 53)


def test_eval_matches_truth_files_to_records_and_sums_overall(tmp_path: Path, capsys) -> None:
    truth, out = tmp_path / "truth", tmp_path / "out"
    truth.mkdir()
    out.mkdir()
    (truth / "a.txt").write_text("một hai ba bốn", encoding="utf-8")
    (truth / "b.txt").write_text("năm sáu", encoding="utf-8")
    (truth / "c.txt").write_text("không có bản ghi", encoding="utf-8")
    for name, final in (("a", "một hai ba bốn"), ("b", "nam sáu")):
        record = {"text": {"final": final, "ocr": None, "layer": None}}
        (out / f"{name}.json").write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    result = cli.evaluate(truth, out)
    assert [d["name"] for d in result["documents"]] == ["a", "b"]
    assert result["documents"][1]["cer"] == round(1 / 7, 5)
    assert result["documents"][1]["wer"] == 0.5
    assert result["overall"]["cer"] == round(1 / 21, 5)
    assert result["overall"]["wer"] == round(1 / 6, 5)
    assert result["missing"] == ["c"]
    code = cli.run_eval(argparse.Namespace(truth=str(truth), out_dir=str(out), json=False))
    printed = capsys.readouterr()
    assert code == 0
    assert printed.out.splitlines()[-1].split() == ["overall", "21", "4.76%", "16.67%", "4.76%"]
    assert "no record for c.txt" in printed.err


def test_eval_without_truth_files_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no <name>.txt ground-truth files here"):
        cli.evaluate(tmp_path, tmp_path)
    assert score("", "").cer.rate == 0.0


def test_eval_reads_truth_files_as_every_command_reads_text(tmp_path: Path) -> None:
    """A ground truth saved as UTF-16 (Windows Notepad's "Unicode") scores like the same text in UTF-8."""
    truth, out = tmp_path / "truth", tmp_path / "out"
    truth.mkdir()
    out.mkdir()
    (truth / "a.txt").write_text("năm sáu", encoding="utf-16")
    record = {"text": {"final": "nam sáu", "ocr": None, "layer": None}}
    (out / "a.json").write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    (document,) = cli.evaluate(truth, out)["documents"]
    assert (document["cer"], document["wer"]) == (round(1 / 7, 5), 0.5)
