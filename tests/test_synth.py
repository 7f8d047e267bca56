"""The renderer and the damage conditions that the OCR benchmark and the bundled sample are made with."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from pipeline.synth import render_document, render_document_with_truth
from pipeline.synth.damage import CONDITIONS, apply_condition

HEADER = (
    "ỦY BAN NHÂN DÂN\tCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
    "XÃ TÂN PHONG\tĐộc lập - Tự do - Hạnh phúc\n"
    "Số: 12/TB-UBND\tTân Phong, ngày 02 tháng 3 năm 2025\n"
    "\n"
    "THÔNG BÁO\n"
    "Về việc tổ chức ngày hội đọc sách\n"
)
SIGNED = HEADER + "Ủy ban nhân dân xã thông báo để các cơ quan biết, thực hiện./.\n\nNơi nhận:\tCHỦ TỊCH\n- Lưu: VT.\t\n\tLê Văn Tâm\n"


def ink_box(image: Image.Image, threshold: int = 128) -> tuple[int, int, int, int]:
    """Bounding box (x0, y0, x1, y1) of the dark pixels."""
    dark = np.asarray(image.convert("L")) < threshold
    ys, xs = np.nonzero(dark)
    return int(xs.min()), int(ys.min()), int(xs.max()), int(ys.max())


@pytest.fixture(scope="module")
def signed_page() -> Image.Image:
    (page,) = render_document(SIGNED)
    return page


def test_rendering_is_deterministic_a4_and_declares_its_dpi():
    first = render_document(HEADER, dpi=100)
    second = render_document(HEADER, dpi=100)
    assert len(first) == 1
    assert first[0].size == (827, 1169)  # A4 at 100 dpi
    assert first[0].info["dpi"] == (100, 100)
    assert first[0].tobytes() == second[0].tobytes()


def test_form_feed_forces_a_page_break_and_pages_two_on_carry_numbers():
    pages = render_document_with_truth("Trang một.\n\f\nTrang hai.", dpi=100)
    assert [truth for _, truth in pages] == ["Trang một.", "2\nTrang hai."]


def test_long_text_wraps_and_paginates_without_losing_words():
    words = [f"từ{i}" for i in range(900)]
    pages = render_document_with_truth(" ".join(words), dpi=100)
    assert len(pages) >= 2
    kept = [w for _, truth in pages for w in truth.split() if w.startswith("từ")]
    assert kept == words  # every word once, in order, page numbers aside


def test_two_column_truth_reads_left_column_then_right_column():
    (_, truth), = render_document_with_truth("A MỘT\tB MỘT\nA hai\tB hai\n\nThân bài.", dpi=100)
    assert truth.split("\n") == ["A MỘT", "A hai", "B MỘT", "B hai", "Thân bài."]


def test_two_column_cells_sit_in_the_left_40_and_right_60_percent():
    (left_only,) = render_document("TRÁI\t", dpi=100)
    (right_only,) = render_document("\tPHẢI", dpi=100)
    text_left, text_right = round(30 / 25.4 * 100), 827 - round(15 / 25.4 * 100)
    split = text_left + 0.4 * (text_right - text_left)
    lx0, _, lx1, _ = ink_box(left_only)
    rx0, _, rx1, _ = ink_box(right_only)
    assert lx1 < split < rx0
    assert abs((lx0 + lx1) / 2 - (text_left + split) / 2) < 3  # centred in its column
    assert abs((rx0 + rx1) / 2 - (split + text_right) / 2) < 3


def test_document_type_line_is_centred_and_bold():
    (title,) = render_document("THÔNG BÁO", dpi=100)
    (plain,) = render_document("Thông báo", dpi=100)
    x0, _, x1, _ = ink_box(title)
    text_left, text_right = round(30 / 25.4 * 100), 827 - round(15 / 25.4 * 100)
    assert abs((x0 + x1) / 2 - (text_left + text_right) / 2) < 3
    assert ink_box(plain)[0] > text_left  # a body paragraph starts at its first-line indent
    dark_title = (np.asarray(title) < 128).sum() / (x1 - x0)
    px0, _, px1, _ = ink_box(plain)
    dark_plain = (np.asarray(plain) < 128).sum() / (px1 - px0)
    assert dark_title > dark_plain * 1.2  # bold capitals carry more ink per unit of width


def test_signature_box_is_recorded_on_the_signed_page(signed_page):
    x0, y0, x1, y1 = signed_page.info["signature_box"]
    assert x0 > signed_page.width * 0.45  # right column
    assert y1 - y0 > 100  # title, the space for the signature, the name


@pytest.mark.parametrize("condition", ["mild", "heavy", "skew", "lowres", "stamp"])
def test_conditions_are_deterministic_per_seed(signed_page, condition):
    one, _ = apply_condition(signed_page, condition, np.random.default_rng(7))
    two, _ = apply_condition(signed_page, condition, np.random.default_rng(7))
    other, _ = apply_condition(signed_page, condition, np.random.default_rng(8))
    assert one.tobytes() == two.tobytes()
    assert one.tobytes() != other.tobytes()


def test_clean_is_untouched_and_rotations_turn_the_page(signed_page):
    clean, dpi = apply_condition(signed_page, "clean", np.random.default_rng(0))
    assert dpi == 300 and clean.tobytes() == signed_page.tobytes()
    turned, _ = apply_condition(signed_page, "rot90", np.random.default_rng(0))
    assert turned.size == (signed_page.height, signed_page.width)
    upside, _ = apply_condition(signed_page, "rot180", np.random.default_rng(0))
    assert upside.size == signed_page.size
    # The header is at the top of the clean page, so at the bottom of the upside-down one.
    assert ink_box(upside)[3] > signed_page.height - ink_box(signed_page)[1] - 10


def test_stamp_adds_red_and_blue_ink_only_near_the_signature(signed_page):
    stamped, dpi = apply_condition(signed_page, "stamp", np.random.default_rng(3))
    rgb = np.asarray(stamped).astype(int)
    red = (rgb[:, :, 0] - rgb[:, :, 1] > 60) & (rgb[:, :, 0] - rgb[:, :, 2] > 60)
    assert stamped.mode == "RGB" and dpi == 300
    assert red.sum() > 5000
    ys, xs = np.nonzero(red)
    x0, y0, x1, y1 = signed_page.info["signature_box"]
    assert x0 - 300 < np.median(xs) < x1 and y0 - 300 < np.median(ys) < y1 + 300


def test_lowres_is_a_100_to_150_dpi_colour_photo(signed_page):
    photo, dpi = apply_condition(signed_page, "lowres", np.random.default_rng(5))
    assert 100 <= dpi <= 150
    assert photo.mode == "RGB"
    assert abs(photo.width - signed_page.width * 1.06 * dpi / 300) < 3  # the page plus a strip of desk


def test_lowres70_is_a_photo_under_100_dpi(signed_page):
    photo, dpi = apply_condition(signed_page, "lowres70", np.random.default_rng(5))
    assert 65 <= dpi <= 90 and photo.mode == "RGB"
    assert abs(photo.width - signed_page.width * 1.06 * dpi / 300) < 3


def test_heavy_copy_has_dark_border_and_speckle(signed_page):
    copy, _ = apply_condition(signed_page, "heavy", np.random.default_rng(11))
    grey = np.asarray(copy)
    edges = [grey[:8].mean(), grey[-8:].mean(), grey[:, :8].mean(), grey[:, -8:].mean()]
    assert min(edges) < 90  # at least one black band
    margin = grey[400:900, 20:300] if min(edges[2:]) > 90 else grey[400:900, -300:-20]
    assert (margin < 100).sum() > 0  # toner specks in an empty margin


def test_skew_rotates_the_text_block(signed_page):
    skewed, _ = apply_condition(signed_page, "skew", np.random.default_rng(2))
    assert skewed.size == signed_page.size
    assert ink_box(skewed) != ink_box(signed_page)


def test_unknown_condition_is_refused(signed_page):
    with pytest.raises(ValueError, match="unknown condition 'blurry'"):
        apply_condition(signed_page, "blurry", np.random.default_rng(0))
    assert "stamp" in CONDITIONS and len(CONDITIONS) == 8


def test_bundled_sample_is_reproduced_byte_for_byte(tmp_path):
    from pipeline.synth import make_sample

    assert make_sample.main(["--out", str(tmp_path)]) == 0
    committed = make_sample.SAMPLES / f"{make_sample.NAME}.pdf"
    produced = tmp_path / f"{make_sample.NAME}.pdf"
    assert produced.read_bytes() == committed.read_bytes()
    assert produced.stat().st_size < 1_500_000
    truth = (tmp_path / f"{make_sample.NAME}.truth.txt").read_text(encoding="utf-8")
    assert truth.count("\f") == 1  # two pages
    flat = " ".join(truth.split())
    assert "Số: 125/TB-UBND" in flat and "hoàn thành trước ngày 30/11/2025" in flat
