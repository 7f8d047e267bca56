"""The second reading of small print (pipeline.ocr.small_print) on a page rendered here."""

from __future__ import annotations

import numpy as np
from conftest import FONT
from PIL import Image, ImageDraw, ImageFont

from pipeline.ocr.page import read_image
from pipeline.ocr.small_print import lines_to_reread
from pipeline.record import Line, OcrOptions, Word

ITALIC = FONT.replace("Regular", "Italic")
BODY = [
    "Căn cứ Kế hoạch số 2079/KH-ĐHĐL ngày 26/8/2025",
    "Nhà trường thông báo chương trình Lễ kỷ niệm",
    "Nhận được thông báo này yêu cầu các đơn vị",
    "nghiêm túc thực hiện các nội dung trên./.",
]
RECIPIENTS = ["Nơi nhận:", "- Các khoa quản lý SV, CVHT;", "- CVHT, Cán bộ lớp (để t/h);",
              "- Hiệu trưởng (để bc);", "- Lưu: VT, CTSV."]


def _line(top: int, height: int, confidence: float, words: int = 4) -> Line:
    found = [Word(f"chữ{i}", confidence, (100 + 120 * i, top, 200 + 120 * i, top + height)) for i in range(words)]
    return Line(" ".join(w.text for w in found), (100, top, 100 + 120 * words, top + height), 1, 0, words=found)


def test_small_and_poorly_read_lines_are_chosen_and_specks_are_not() -> None:
    lines = [_line(100 * i, 60, 95.0, words=8) for i in range(5)]  # the body sets the median: 60 px
    lines += [
        _line(600, 50, 95.0),  # 0.83 of the median: small print
        _line(700, 52, 95.0),  # 0.87: body size
        _line(800, 60, 65.0),  # body size, read with low confidence
        _line(900, 11, 20.0, words=1),  # a speck
    ]
    assert lines_to_reread(lines) == [5, 7]
    assert lines_to_reread([]) == []


def _recipients_page() -> np.ndarray:
    """A 300-dpi page: four body lines at 44 px and the recipients list in 24 px italics below them."""
    image = Image.new("L", (1800, 1000), 255)
    draw = ImageDraw.Draw(image)
    body, small = ImageFont.truetype(FONT, 44), ImageFont.truetype(ITALIC, 24)
    top = 80
    for text in BODY:
        draw.text((120, top), text, font=body, fill=0)
        top += 80
    for text in RECIPIENTS:
        draw.text((120, top), text, font=small, fill=0)
        top += 36
    return np.asarray(image)


def test_recipients_list_in_small_italics_is_read_again_enlarged() -> None:
    page = _recipients_page()
    once: dict = {}
    first, _ = read_image(page, 300, once, OcrOptions(), small_print=False)
    steps: dict = {}
    lines, _ = read_image(page, 300, steps, OcrOptions())
    # read with the page, the small italics lose a mark ("quán") and their dashes ("~")
    assert [line.text for line in first][4:7] == ["Nơi nhận:", "~ Các khoa quán lý SV, CVHT;",
                                                  "~ CVHT, Cán bộ lớp (để th);"]
    assert [line.text for line in lines] == BODY + [
        "Nơi nhận:", "- Các khoa quản lý SV; CVHIT;", "- CVHT, Cán bộ lớp (để th);", "- Hiệu trưởng (để bc);",
        "~ Lưu: VT, CTSV:",
    ]  # better, not perfect: "SV;" and "CVHIT" are the second reading's own errors
    assert steps["small_print_reread"] == 3 and "small_print_reread" not in once
    # the re-read words' boxes are the page's own pixels, as the first reading's
    assert (first[5].words[3].text, lines[5].words[3].text) == ("quán", "quản")
    for before, after in zip(first[5].words[1:3], lines[5].words[1:3], strict=True):  # "Các khoa"
        assert before.text == after.text
        assert all(abs(a - b) <= 2 for a, b in zip(before.bbox, after.bbox, strict=True))
