"""The OCR stage on pages made here: exact text, text-layer choice, and a crashing Tesseract."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytesseract
import pytest
from fault_engine import ScriptedEngine

from pipeline.config import PipelineConfig
from pipeline.ingest import open_document
from pipeline.ocr import read_page
from pipeline.ocr.discovery import available_languages, check_language
from pipeline.ocr.page import wants_char_choices
from pipeline.record import OcrOptions
from pipeline.stages import finish_document

LINES = ["Quyết định số 3665/QĐ-UBND ngày 09/9/2025", "của Ủy ban nhân dân thành phố Đà Nẵng"]


def test_clean_page_is_read_exactly_with_words_and_boxes(page_png: Path) -> None:
    (ctx,) = open_document(page_png).pages
    page = read_page(ctx)
    assert page.error is None
    assert page.origin == "ocr"
    assert [line.text for line in page.lines] == LINES
    words = page.words()
    assert words[0].text == "Quyết" and words[0].confidence > 80
    x0, y0, x1, y1 = words[0].bbox
    assert 100 <= x0 < x1 and y0 < y1
    assert page.text[words[3].start : words[3].end] == "3665/QĐ-UBND"
    assert page.dpi == 300 and page.ocr_confidence > 80
    assert page.preprocessing["read_at_dpi"] == 200 and page.model == "vie"
    # read shrunk to 200 dpi, the boxes are still the page's own pixels: as read at 300 dpi, to a pixel or two
    (unshrunk,) = open_document(page_png, OcrOptions(preprocess=False)).pages
    full = read_page(unshrunk).words()
    assert [w.text for w in full] == [w.text for w in words]
    assert all(abs(a - b) <= 2 for w, f in zip(words, full, strict=True) for a, b in zip(w.bbox, f.bbox, strict=True))


def _searchable_pdf(image: Path, out: Path, lang: str) -> Path:
    """A PDF with the page image and an invisible text layer, as archive scanners make them."""
    subprocess.run(
        ["tesseract", str(image), str(out.with_suffix("")), "-l", lang, "pdf"],
        check=True,
        capture_output=True,
        env={**os.environ, "OMP_THREAD_LIMIT": "1"},
    )
    return out


def test_good_text_layer_is_used_and_garbled_one_is_reocrd(page_png: Path, tmp_path: Path) -> None:
    good = _searchable_pdf(page_png, tmp_path / "good.pdf", "vie")
    (ctx,) = open_document(good).pages
    page = read_page(ctx)
    assert page.origin == "layer"
    assert page.layer_score >= 0.6
    assert "3665/QĐ-UBND" in page.text

    garbled = _searchable_pdf(page_png, tmp_path / "garbled.pdf", "eng")  # an OCR without Vietnamese
    (ctx,) = open_document(garbled).pages
    page = read_page(ctx)
    assert page.layer_score < 0.6
    assert page.origin == "ocr"
    assert [line.text for line in page.lines] == LINES
    assert page.layer_text and "Quyết" not in page.layer_text


def test_force_ocr_reads_the_image_even_with_a_good_layer(page_png: Path, tmp_path: Path) -> None:
    good = _searchable_pdf(page_png, tmp_path / "good.pdf", "vie")
    (ctx,) = open_document(good, OcrOptions(force_ocr=True)).pages
    page = read_page(ctx)
    assert page.origin == "ocr"
    assert page.layer_text is not None


def test_missing_language_is_an_actionable_error() -> None:
    available_languages.cache_clear()
    with pytest.raises(Exception) as info:
        check_language(OcrOptions(language="xyz"))
    assert "Tesseract language 'xyz' is not installed" in str(info.value)


@pytest.fixture
def crashing_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> OcrOptions:
    """A tesseract program that segfaults on its second page, like a real crash on a bad image."""
    real = pytesseract.pytesseract.tesseract_cmd
    counter = tmp_path / "calls"
    script = tmp_path / "tesseract"
    script.write_text(
        "#!/bin/bash\n"
        'case "$*" in *--version*|*--list-langs*) exec ' + real + ' "$@";; esac\n'
        f'n=$(( $(cat {counter} 2>/dev/null || echo 0) + 1 )); echo $n > {counter}\n'
        'if [ "$n" = 2 ]; then kill -SEGV $$; fi\n'
        "exec " + real + ' "$@"\n'
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setattr(pytesseract.pytesseract, "tesseract_cmd", str(script))
    return OcrOptions(engine="cli")


@pytest.fixture
def crashing_library() -> ScriptedEngine:
    """The library engine's helper process segfaults on its second page."""
    engine = ScriptedEngine("real", "crash")
    yield engine
    engine.close()


@pytest.mark.parametrize("engine", ["crashing_cli", "crashing_library"])
def test_a_crashing_page_is_recorded_and_the_document_goes_on(
    engine: str, page_png: Path, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    from PIL import Image

    if engine == "crashing_cli":
        options, ocr_engine = request.getfixturevalue(engine), None
    else:
        options, ocr_engine = OcrOptions(), request.getfixturevalue(engine)
    page = Image.open(page_png)
    tiff = tmp_path / "ba-trang.tif"
    page.save(tiff, save_all=True, append_images=[page, page])
    source = open_document(tiff, options)
    pages = [read_page(ctx, ocr_engine) for ctx in source.pages]
    assert [p.error is None for p in pages] == [True, False, True]
    assert pages[1].error["code"] == "ocr-failed"
    assert pages[1].error["page"] == 2
    assert pages[1].error["message"].startswith("Tesseract failed: killed by signal 11")
    record = finish_document(source, pages, replace(PipelineConfig(), restore=False, extract=False))
    assert [e["code"] for e in record["errors"]] == ["ocr-failed"], record["errors"]
    assert record["text"]["final"].count("3665/QĐ-UBND") == 2


def test_a_hung_library_page_times_out_and_the_next_page_is_read(page_png: Path) -> None:
    engine = ScriptedEngine("real", "hang")
    try:
        (ctx,) = open_document(page_png, OcrOptions(timeout_s=3)).pages
        pages = [read_page(ctx, engine) for _ in range(3)]
    finally:
        engine.close()
    assert [p.error["message"] if p.error else None for p in pages] == [
        None,
        "Tesseract took longer than 3 s; the page was skipped",
        None,
    ]
    assert [line.text for line in pages[2].lines] == LINES


def test_an_engine_error_is_the_page_error_and_given_text_is_laid_out(page_png: Path) -> None:
    engine = ScriptedEngine("raise", "text:Số 12/TB-UBND ngày 3/4/2025")
    try:
        (ctx,) = open_document(page_png).pages
        failed, given = read_page(ctx, engine), read_page(ctx, engine)
    finally:
        engine.close()
    assert failed.error["code"] == "ocr-failed"
    assert failed.error["message"] == "Tesseract failed: RuntimeError: scripted failure"
    assert given.error is None and given.text == "Số 12/TB-UBND ngày 3/4/2025"
    # read shrunk from 300 to 200 dpi: the helper's boxes come back in the page's own pixels (x1.5)
    assert [w.bbox for w in given.words()][:2] == [(150, 150, 270, 210), (300, 150, 420, 210)]


def test_library_and_program_engines_read_a_page_identically(page_png: Path) -> None:
    """Same libtesseract, same model, same image and resolution: the same words, boxes and confidences."""
    (library,) = open_document(page_png, OcrOptions(engine="library", char_choices="always")).pages
    (program,) = open_document(page_png, OcrOptions(engine="cli", char_choices="always")).pages
    by_library, by_program = read_page(library), read_page(program)
    assert by_library.lines == by_program.lines
    assert by_library.words()[0].choices == by_program.words()[0].choices


def test_engine_option_refuses_unknown_engines() -> None:
    with pytest.raises(ValueError, match="engine must be library or cli, not 'gpu'"):
        OcrOptions(engine="gpu")


def _vanban(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pipeline.cli", *args], capture_output=True, text=True, timeout=120
    )


def test_cli_ocr_prints_text_and_one_line_errors(page_png: Path, tmp_path: Path) -> None:
    done = _vanban("ocr", str(page_png))
    assert done.returncode == 0
    assert done.stdout.splitlines() == LINES
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    done = _vanban("ocr", str(empty))
    assert done.returncode == 3
    assert done.stderr == f"vanban: error: {empty}: the file is empty (0 bytes)\n"


def test_cli_ocr_json_has_words_with_confidences(page_png: Path) -> None:
    import json

    done = _vanban("ocr", "--json", str(page_png))
    data = json.loads(done.stdout)
    (page,) = data["pages"]
    assert page["lines"][1]["text"] == LINES[1]
    assert {"text", "confidence", "bbox", "start", "end"} <= set(page["lines"][0]["words"][0])


@pytest.mark.parametrize(
    ("mode", "steps", "dpi", "expected"),
    [
        ("auto", {}, 300, False),  # a clean 300 dpi scan: alternatives would cost ~15% for 2-3 repairs
        ("auto", {"despeckle": 240}, 300, True),  # toner specks: a damaged copy
        ("auto", {}, 150, True),  # a phone photo
        ("auto", {"upscale": 2.5}, 200, True),  # an 80 dpi photo, enlarged
        ("always", {}, 300, True),
        ("never", {"despeckle": 240}, 120, False),
    ],
)
def test_char_choices_are_asked_for_on_damaged_pages_only(mode: str, steps: dict, dpi: int, expected: bool) -> None:
    assert wants_char_choices(mode, steps, dpi) is expected


def test_char_choices_always_gives_per_character_alternatives(page_png: Path) -> None:
    (ctx,) = open_document(page_png).pages
    auto = read_page(ctx)
    always = read_page(replace(ctx, options=OcrOptions(char_choices="always")))
    assert all(w.choices is None for w in auto.words())
    first = always.words()[0]
    assert first.text == "Quyết" and len(first.choices) == len("Quyết")
    assert first.choices[1][0][0] == "u" and 0.5 < first.choices[1][0][1] <= 1.0
    assert always.text == auto.text


def test_char_choices_option_takes_the_old_bool_and_refuses_other_values() -> None:
    assert OcrOptions(char_choices=True).char_choices == "always"  # type: ignore[arg-type]
    assert OcrOptions(char_choices=False).char_choices == "never"  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="char_choices must be auto, always or never, not 'sometimes'"):
        OcrOptions(char_choices="sometimes")  # type: ignore[arg-type]


def _hocr_line(*words: str) -> bytes:
    """A one-line hOCR page as Tesseract writes it, with per-character choices for each word."""
    spans = []
    for i, word in enumerate(words):
        steps = "".join(
            f'<span class="ocrx_cinfo" id="lstm_choices_1_{i}_{j}">'
            f'<span class="ocrx_cinfo" title="x_confs 90">{ch}</span>'
            + ('<span class="ocrx_cinfo" title="x_confs 30">\u00d0</span>' if ch == "Đ" else "")
            + "</span>"
            for j, ch in enumerate(word)
        )
        spans.append(f'<span class="ocrx_word" title="bbox {i * 100} 0 {i * 100 + 90} 40; x_wconf 91">'
                     f"{word}{steps}</span>")
    return (
        '<html xmlns="http://www.w3.org/1999/xhtml"><body><div class="ocr_page">'
        '<div class="ocr_carea"><p class="ocr_par"><span class="ocr_line" title="bbox 0 0 900 40">'
        + "".join(spans) + "</span></p></div></div></body></html>"
    ).encode()


def test_eth_read_for_d_with_stroke_is_repaired_once_where_words_are_read() -> None:
    from pipeline.ocr.hocr import parse_hocr

    (line,) = parse_hocr(_hocr_line("Ð\u1ec1", "HÐND", "76/QĐÐ-UBND", "Ðörður"))
    assert line.text == "Đề HĐND 76/QĐ-UBND Ðörður"
    de, council, symbol, foreign = line.words
    assert council.choices == [[("H", 0.9)], [("Đ", 0.9)], [("N", 0.9)], [("D", 0.9)]]
    # the doubled letter's second reading is dropped, so each choice still stands for one character
    assert len(symbol.choices) == len(symbol.text) and symbol.choices[4] == [("Đ", 0.9)]
    assert symbol.choices[3] == [("Q", 0.9)] and symbol.choices[5] == [("-", 0.9)]
    assert de.text == "Đề" and foreign.choices[0] == [("Ð", 0.9)]


class _HocrEngine:
    """Answers one fixed hOCR page: what Tesseract wrote for a header whose two columns it joined."""

    def __init__(self, hocr: bytes) -> None:
        self.page = hocr

    def hocr(self, image, options, char_choices) -> bytes:
        return self.page


def _hocr_line_at(words: list[tuple[str, int]], top: int) -> str:
    spans = "".join(f"<span class='ocrx_word' title='bbox {x} {top} {x + 25 * len(t)} {top + 40}; x_wconf 95'>{t}"
                    "</span> " for t, x in words)
    return f"<span class='ocr_line' title='bbox {words[0][1]} {top} 2300 {top + 40}'>{spans}</span>"


def test_reading_order_is_applied_once_where_the_page_is_read() -> None:
    """parse_hocr keeps Tesseract's order; read_image (the path of read_page and of the OCR benchmark)
    reads the joined header row left column first."""
    import numpy as np

    from pipeline.ocr.hocr import parse_hocr
    from pipeline.ocr.page import layout_text, read_image

    body_text = "Căn cứ Luật Giáo dục ngày 14 tháng 6 năm 2019 của Quốc hội"
    body = [(w, 150 + 110 * i) for i, w in enumerate(body_text.split(" "))]
    hocr = ("<html xmlns='http://www.w3.org/1999/xhtml'><body><div class='ocr_page'>"
            "<div class='ocr_carea'><p class='ocr_par'>"
            + _hocr_line_at([("BỘ", 200), ("CÔNG", 270), ("THƯƠNG", 400), ("CỘNG", 1300), ("HÒA", 1430)], 100)
            + _hocr_line_at([("Số:", 250), ("315", 340), ("/UBND-VP", 430), ("Hà", 1350), ("Nội,", 1430),
                          ("ngày", 1560), ("03", 1680)], 160)
            + "</p></div><div class='ocr_carea'><p class='ocr_par'>" + _hocr_line_at(body, 400)
            + "</p></div></div></body></html>").encode()
    assert [line.text for line in parse_hocr(hocr)][:2] == ["BỘ CÔNG THƯƠNG CỘNG HÒA",
                                                           "Số: 315 /UBND-VP Hà Nội, ngày 03"]
    image = np.full((3300, 2400), 255, np.uint8)
    lines, model = read_image(image, 200, {}, OcrOptions(preprocess=False), engine=_HocrEngine(hocr))
    assert (model, layout_text(lines)) == (
        "vie",
        "BỘ CÔNG THƯƠNG\nSố: 315 /UBND-VP\n\nCỘNG HÒA\nHà Nội, ngày 03\n\n" + body_text,
    )
