"""Hostile and misnamed inputs found by the reliability probe (issue 11): each is one clear per-document
error decided from the file's declarations, before anything is rendered."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image

from benchmarks.faults import blank_pdf
from pipeline.batch import run_batch
from pipeline.config import PipelineConfig
from pipeline.errors import ExitCode, InputError
from pipeline.ingest import open_document
from pipeline.schema import record_errors

CONFIG = PipelineConfig(restore=False, extract=False)


def test_html_saved_as_pdf_says_it_is_html(tmp_path: Path) -> None:
    path = tmp_path / "quyet-dinh.pdf"
    path.write_text("\n<!DOCTYPE html>\n<html><head><title>Phiên đăng nhập hết hạn</title></head></html>\n")
    with pytest.raises(InputError) as info:
        open_document(path)
    assert info.value.code == "not-a-pdf"
    assert str(info.value) == f"{path}: not a PDF: looks like HTML; fetch the document again"


@pytest.mark.parametrize(
    ("size", "user_unit", "message"),
    [
        (
            (5000, 5000),
            None,
            "page 1 is 5000 x 5000 pt, 20833 x 20833 px = 434 Mpx, over 180 Mpx at 300 dpi; "
            "vanban reads pages up to A0",
        ),
        (
            (14400, 200),
            None,
            "page 1 is 14400 x 200 pt, 60000 x 833 px, a side over 32767 px at 300 dpi; "
            "vanban reads pages up to A0",
        ),
        (
            (595, 842),
            20.0,
            "page 1 is 11900 x 16840 pt, 49583 x 70167 px, a side over 32767 px at 300 dpi; "
            "vanban reads pages up to A0",
        ),
    ],
)
def test_huge_pdf_page_is_refused_before_rendering(tmp_path: Path, size, user_unit, message) -> None:
    path = blank_pdf(tmp_path / "poster.pdf", *size, user_unit=user_unit)
    assert path.stat().st_size < 2000  # a bomb: a few hundred bytes that would render to gigabytes
    with pytest.raises(InputError) as info:
        open_document(path)
    assert info.value.code == "page-too-large"
    assert str(info.value) == f"{path}: {message}"


def test_a0_page_is_admitted(tmp_path: Path) -> None:
    path = blank_pdf(tmp_path / "a0.pdf", 2384, 3370)
    assert len(open_document(path).pages) == 1


def test_image_with_a_side_past_opencv_limit_is_refused_from_its_header(tmp_path: Path) -> None:
    path = tmp_path / "bang-dai.png"
    Image.new("1", (40000, 50), 1).save(path)  # 2 Mpx, but wider than OpenCV can warp
    with pytest.raises(InputError) as info:
        open_document(path)
    assert info.value.code == "image-too-large"
    assert str(info.value) == f"{path}: image too large to be a page scan (40000 x 50 px, a side over 32767 px)"


def test_huge_page_fails_alone_and_the_batch_goes_on(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    blank_pdf(folder / "poster.pdf", 5000, 5000)
    (folder / "trang.pdf").write_text("<html><body>404</body></html>")
    (folder / "vb.txt").write_text("Công văn của Sở Nội vụ.\n", encoding="utf-8")
    out = tmp_path / "out"
    summary = run_batch([folder], out, config=CONFIG, workers=1, progress=False)
    assert (summary.processed, summary.failed) == (1, 2)
    assert summary.exit_code == ExitCode.SOME_DOCUMENTS_FAILED
    for name, code in (("poster", "page-too-large"), ("trang", "not-a-pdf")):
        record = json.loads((out / f"{name}.json").read_text(encoding="utf-8"))
        assert record_errors(record) == []
        assert [(e["code"], e["stage"]) for e in record["errors"]] == [(code, "ingest")]


def test_a_pdf_page_renders_to_pdftoppms_own_pixels(tmp_path: Path, page_png: Path) -> None:
    """The page is read from pdftoppm's PPM stream into one array (not four copies): same pixels."""
    import subprocess

    import numpy as np

    from pipeline.ingest import load_page_image

    pdf = tmp_path / "scan.pdf"
    Image.open(page_png).convert("RGB").save(pdf, resolution=300)
    (ctx,) = open_document(pdf).pages
    pixels, dpi = load_page_image(ctx)
    subprocess.run(["pdftoppm", "-r", "300", str(pdf), str(tmp_path / "ref")], check=True)
    reference = np.asarray(Image.open(tmp_path / "ref-1.ppm"))
    assert dpi == 300 and pixels.shape == reference.shape == (Image.open(page_png).height, 1800, 3)
    assert np.array_equal(pixels, reference)


def test_a_page_that_renders_too_long_is_stopped_with_a_one_line_error(tmp_path: Path) -> None:
    from pipeline.errors import CorruptFileError
    from pipeline.ingest import load_page_image
    from pipeline.record import OcrOptions

    path = blank_pdf(tmp_path / "a0.pdf", 2384, 3370)  # A0: about a second of pdftoppm
    (ctx,) = open_document(path, OcrOptions(timeout_s=0.05)).pages
    with pytest.raises(CorruptFileError) as info:
        load_page_image(ctx)
    assert str(info.value) == f"{path} page 1: cannot render the PDF page (rendering took over 0.05 s)"


def test_a_tiff_frame_past_the_limits_fails_its_page_before_decoding(tmp_path: Path) -> None:
    from pipeline.ocr import read_page

    path = tmp_path / "tap.tif"
    first = Image.new("1", (200, 100), 1)
    first.save(path, save_all=True, append_images=[Image.new("1", (40000, 20), 1)], compression="group4")
    pages = open_document(path).pages
    assert len(pages) == 2
    page = read_page(pages[1])
    assert page.error == {
        "code": "image-too-large",
        "message": "image too large to be a page scan (40000 x 20 px, a side over 32767 px)",
        "page": 2,
        "stage": "ocr",
    }


def test_a_small_crop_box_does_not_hide_a_huge_page(tmp_path: Path) -> None:
    """pdftoppm renders the media box: a 100 pt crop box on a 5000 pt page is still a 5000 pt render."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import RectangleObject

    writer = PdfWriter(clone_from=PdfReader(blank_pdf(tmp_path / "big.pdf", 5000, 5000)))
    writer.pages[0].cropbox = RectangleObject([0, 0, 100, 100])
    path = tmp_path / "cropped.pdf"
    writer.write(path)
    with pytest.raises(InputError) as info:
        open_document(path)
    assert info.value.code == "page-too-large"
    assert str(info.value).startswith(f"{path}: page 1 is 5000 x 5000 pt, ")
