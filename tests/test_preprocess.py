"""Preprocessing: each step does what it claims on pages with a known defect."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from pipeline.ocr.preprocess import (
    analyse,
    clean_heavy_copy,
    estimate_dpi,
    ink_mask,
    preprocess,
    remove_borders,
    remove_isolated_specks,
    skew_angle,
    stroke_width,
    suppress_colour_ink,
    threshold_for_width,
    upscale_factor,
)
from pipeline.synth import render_document
from pipeline.synth.damage import _rotate

BODY = "\n".join(
    [
        "THÔNG BÁO",
        "Kết luận của Chủ tịch Ủy ban nhân dân xã tại cuộc họp giao ban tháng 10 năm 2025",
        "",
        "Ngày 10/11/2025, Chủ tịch Ủy ban nhân dân xã chủ trì cuộc họp giao ban công tác tháng 10. "
        "Tham dự có các Phó Chủ tịch, lãnh đạo các phòng chuyên môn và Trưởng các thôn. " * 3,
        "Giao Phòng Văn hóa - Xã hội chủ trì, phối hợp với Trạm Y tế xã tổ chức chiến dịch vệ sinh môi "
        "trường, hoàn thành trước ngày 30/11/2025; báo cáo kết quả về Ủy ban nhân dân xã. " * 4,
        "Yêu cầu các thôn rà soát danh sách hộ nghèo, cập nhật dữ liệu dân cư đúng thời hạn. " * 5,
    ]
)
DPI = 150


@pytest.fixture(scope="module")
def page() -> np.ndarray:
    """A grey A4 page at 150 dpi (small enough for fast tests, large enough for real lines)."""
    return np.asarray(render_document(BODY, dpi=DPI)[0])


def levelling_angle(gray: np.ndarray) -> float:
    return skew_angle(ink_mask(gray, 1.0))


@pytest.mark.parametrize("degrees", [3.0, -4.5, 1.2])
def test_deskew_finds_the_angle_within_half_a_degree(page, degrees):
    skewed = _rotate(page.astype(np.float32), degrees).astype(np.uint8)
    # The correction is the opposite rotation.
    assert abs(levelling_angle(skewed) + degrees) <= 0.5


def test_deskewed_page_is_level_again(page):
    skewed = _rotate(page.astype(np.float32), 3.0).astype(np.uint8)
    out, dpi, record = preprocess(skewed, DPI, steps=frozenset({"deskew"}))
    assert dpi == DPI
    assert abs(record["deskew_degrees"] + 3.0) <= 0.5
    assert abs(levelling_angle(out)) <= 0.3


def test_level_page_is_left_alone(page):
    out, _, record = preprocess(page, DPI, steps=frozenset({"orientation", "deskew", "border"}))
    assert record == {}
    assert out is page or np.array_equal(out, page)


@pytest.mark.parametrize(
    ("turned", "expected"),
    [(1, 90), (3, 270), (2, 180)],  # np.rot90 counter-clockwise quarter turns -> clockwise fix
)
def test_rotated_page_comes_back_upright(page, turned, expected):
    rotated = np.ascontiguousarray(np.rot90(page, turned))
    turn, _ = analyse(ink_mask(rotated, 1.0))
    assert turn == expected
    out, _, record = preprocess(rotated, DPI, steps=frozenset({"orientation"}))
    assert record["rotated"] == expected
    assert np.array_equal(out, page)


def test_skewed_upright_page_is_not_taken_for_a_sideways_one(page):
    skewed = _rotate(page.astype(np.float32), -4.0).astype(np.uint8)
    turn, angle = analyse(ink_mask(skewed, 1.0))
    assert turn == 0
    assert abs(angle - 4.0) <= 0.5


def test_upscale_only_below_100_dpi_and_to_200_dpi():
    # Measured in the benchmark: 100-150 dpi photos read better, and faster, without enlargement.
    assert upscale_factor(120, 992) == 1.0
    assert upscale_factor(300, 2480) == 1.0
    assert upscale_factor(80, 662) == pytest.approx(2.5)
    assert upscale_factor(50, 413) == 3.0  # capped
    small = np.full((935, 661), 255, np.uint8)  # A4 at 80 dpi
    out, dpi, record = preprocess(small, 80, steps=frozenset({"upscale"}))
    assert record["upscale"] == 2.5
    assert dpi == 200
    assert out.shape == (2338, 1652)
    same, dpi_120, record_120 = preprocess(np.full((1403, 992), 255, np.uint8), 120, steps=frozenset({"upscale"}))
    assert "upscale" not in record_120 and dpi_120 == 120 and same.shape == (1403, 992)


def test_speckled_copy_is_despeckled_and_clean_page_is_not(page):
    rng = np.random.default_rng(0)
    speckled = page.copy()
    ys, xs = rng.integers(0, page.shape[0], 3000), rng.integers(0, page.shape[1], 3000)
    speckled[ys, xs] = 0  # isolated toner dots
    _, _, record = preprocess(np.kron(speckled, np.ones((2, 2), np.uint8)), 300, steps=frozenset({"despeckle"}))
    assert record["despeckle"] >= 80
    _, _, clean_record = preprocess(np.kron(page, np.ones((2, 2), np.uint8)), 300, steps=frozenset({"despeckle"}))
    assert "despeckle" not in clean_record


def test_camera_default_dpi_is_replaced_by_the_page_width():
    assert estimate_dpi(72, (1584, 1139)) == 138  # a phone photo of A4 declaring 72 dpi
    assert estimate_dpi(None, (3508, 2480)) == 300
    assert estimate_dpi(300, (1584, 1139)) == 300  # a real scanner setting is trusted


def test_red_seal_is_removed_and_black_text_under_it_kept():
    rgb = np.full((400, 400, 3), 245, np.uint8)
    cv2.rectangle(rgb, (50, 180), (350, 200), (20, 20, 20), -1)  # a black text line
    seal = np.zeros((400, 400), np.uint8)
    cv2.circle(seal, (200, 200), 120, 255, 14)
    cv2.circle(seal, (200, 200), 20, 255, -1)
    red = np.array([205, 35, 45], np.float32) / 255.0
    # Multiply blend, as ink stamped over a printed page.
    blended = (rgb.astype(np.float32) * np.where(seal[:, :, None] > 0, red, 1.0)).astype(np.uint8)
    assert ((blended[:, :, 0].astype(int) - blended[:, :, 1]) > 60).sum() > 5000
    gray, share = suppress_colour_ink(blended)
    assert share > 0.03
    text = np.zeros_like(seal, bool)
    text[180:201, 50:351] = True
    assert gray[(seal > 0) & ~text].min() >= 200  # every seal pixel off the text is paper again
    assert gray[190, 60] < 60 and gray[190, 200] < 60  # text, also where the seal crosses it
    assert gray[80, 200] > 200  # the ring above the text is gone


def test_preprocess_drops_colour_ink_only_on_colour_pages(page):
    grey_rgb = np.repeat(page[:, :, None], 3, axis=2)
    out, _, record = preprocess(grey_rgb, DPI, steps=frozenset({"stamp"}))
    assert "colour_ink_removed" not in record
    assert np.array_equal(out, page)


def test_dark_border_is_whitened_and_text_kept(page):
    bordered = page.copy()
    bordered[:, :40] = 30  # copier lid along the left edge
    bordered[:25, :] = 30
    out, record = remove_borders(bordered, ink_mask(bordered, 1.0), 1.0)
    assert record["regions"] >= 1
    assert out[:, :40].min() > 200 and out[:25].min() > 200
    assert np.array_equal(out[200:-200, 200:-200], page[200:-200, 200:-200])


def _line(words: list[tuple[str, int, int]], top: int, paragraph: int = 1):
    from pipeline.record import Line, Word

    items = [Word(text=t, confidence=90.0, bbox=(x0, top, x1, top + 40)) for t, x0, x1 in words]
    return Line(text=" ".join(t for t, _, _ in words), bbox=(items[0].bbox[0], top, items[-1].bbox[2], top + 40),
                paragraph=paragraph, block=0, words=items)


def test_two_column_rows_are_read_left_column_then_right_column():
    # (Lives here with the other page-geometry checks; the function is pipeline.ocr.columns.reading_order.)
    from pipeline.ocr.columns import reading_order

    lines = [
        _line([("ỦY", 300, 360), ("BAN", 370, 450), ("CỘNG", 1200, 1320), ("HÒA", 1330, 1420)], 100),
        _line([("XÃ", 320, 380), ("AN", 390, 450), ("Độc", 1210, 1290), ("lập", 1300, 1370)], 150),
        _line([("Số:", 330, 400), ("12/TB", 410, 520)], 200),
        _line([("THÔNG", 1000, 1150), ("BÁO", 1160, 1260)], 330, paragraph=2),
        _line([("Thân", 300, 400), ("bài", 410, 480), ("dài", 1200, 1260)], 400, paragraph=3),
    ]
    ordered = [line.text for line in reading_order(lines, 2400)]
    assert ordered == ["ỦY BAN", "XÃ AN", "Số: 12/TB", "CỘNG HÒA", "Độc lập", "THÔNG BÁO", "Thân bài dài"]


def test_block_to_the_left_is_read_before_the_block_tesseract_gave_first():
    from pipeline.ocr.columns import reading_order

    right = [_line([("CỘNG", 1200, 1320), ("HÒA", 1330, 1420)], 90), _line([("Độc", 1210, 1290)], 140)]
    left = [_line([("ỦY", 300, 360), ("BAN", 370, 450)], 100), _line([("Số:", 330, 400)], 150)]
    for line in left:
        line.block = 1
    body = _line([("Thân", 300, 400), ("bài", 410, 1400)], 300)
    body.block = 2
    assert [ln.text for ln in reading_order([*right, *left, body], 2400)] == ["ỦY BAN", "Số:", "CỘNG HÒA", "Độc", "Thân bài"]


def test_isolated_specks_go_and_marks_and_dashes_beside_text_stay():
    gray = np.full((200, 400), 235, np.uint8)
    gray[100:140, 100:106] = 20  # a letter's stem
    gray[90:94, 101:105] = 20  # its tone mark, 6 px above
    gray[118:123, 130:146] = 20  # a dash, 24 px from the stem
    gray[30:34, 300:304] = 20  # a toner speck, far from everything
    cleaned, removed = remove_isolated_specks(gray, max_area=300, gap=8, join=9)
    assert removed == 1
    assert cleaned[30:34, 300:304].min() >= 200
    assert cleaned[90:94, 101:105].max() == 20 and cleaned[118:123, 130:146].max() == 20
    assert np.array_equal(cleaned[100:140, 100:106], gray[100:140, 100:106])


def _bars(core: int, halo_tone: int) -> np.ndarray:
    """Vertical strokes: a black core ``core`` px wide with a 1 px grey fringe of ``halo_tone`` each side."""
    gray = np.full((200, 400), 255, np.uint8)
    for x in range(20, 380, 40):
        gray[20:180, x - 1 : x - 1 + core] = 40
        gray[20:180, x - 2] = gray[20:180, x - 1 + core] = halo_tone
    return gray


def test_threshold_for_width_picks_the_grey_level_that_gives_the_target_stroke():
    # Thresholds up to 100 keep the 3 px cores (measured 4 px); from 110 the fringe joins (measured 6 px).
    assert threshold_for_width(_bars(3, 100), 5.0) == 100
    # A fringe at 150 would be reached only above the 120 limit: no threshold.
    assert threshold_for_width(_bars(2, 150), 5.0) is None


def test_over_inked_copy_is_binarised_and_thin_copy_only_loses_specks():
    page = np.asarray(render_document(BODY, dpi=300)[0])
    fat = cv2.GaussianBlur(cv2.erode(page, np.ones((3, 3), np.uint8)), (0, 0), 1.0)
    thin = cv2.GaussianBlur(cv2.dilate(page, np.ones((2, 2), np.uint8)), (0, 0), 1.0)
    assert stroke_width(fat) > 6.5 and stroke_width(thin) < 4.5
    fat_out, fat_detail = clean_heavy_copy(fat)
    assert fat_detail["stroke_threshold"] <= 120
    assert set(np.unique(fat_out)) == {0, 255} and 4.0 < stroke_width(fat_out) < 6.0
    thin_out, thin_detail = clean_heavy_copy(thin)
    assert "stroke_threshold" not in thin_detail and thin_detail["specks_removed"] == 0
    assert len(np.unique(thin_out)) > 2  # still grey: thin glyphs are never binarised


def test_pages_finer_than_200_dpi_are_read_at_200_but_specked_copies_are_not() -> None:
    from pipeline.ocr.preprocess import READ_AT_DPI, for_reading

    page = np.full((3508, 2480), 255, np.uint8)
    shrunk, scale = for_reading(page, 300, {})
    assert READ_AT_DPI == 200
    assert shrunk.shape == (2339, 1653) and scale == pytest.approx(2 / 3)
    assert for_reading(page, 240, {})[1] == 1.0  # within 20% of 200 dpi: left alone
    assert for_reading(page, 300, {"despeckle": 120})[0] is page  # thin strokes would blur
    assert for_reading(page, 300, {}, steps=frozenset())[0] is page  # the ablation's "without"


def test_thin_copies_read_with_the_script_model_only_when_the_default_model_was_asked_for() -> None:
    from pipeline.ocr.page import reading_options
    from pipeline.record import OcrOptions

    thin, over_inked = {"despeckle": 300, "stroke_px": 4.5}, {"despeckle": 300, "stroke_px": 6.1}
    assert reading_options(OcrOptions(), thin).language == "Vietnamese"
    assert reading_options(OcrOptions(), over_inked).language == "vie"
    assert reading_options(OcrOptions(), {"despeckle": 133, "stroke_px": 5.48}).language == "vie"  # not measured there
    assert reading_options(OcrOptions(), {}).language == "vie"
    assert reading_options(OcrOptions(language="vie+eng"), thin).language == "vie+eng"
    assert reading_options(OcrOptions(tessdata_dir="/opt/best"), thin).language == "vie"
