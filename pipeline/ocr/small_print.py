"""Second reading of the lines Tesseract read poorly: small print and low-confidence lines.

On real letters the recipients list ("Nơi nhận", small italics at the lower left) and the signature block
are set smaller than the body; read with the page, their words come out garbled ("CVIT" for "CVHT",
"(đề be)" for "(để bc)"). Each such line is cut from the full-resolution page, enlarged and read alone as
one text line (``--psm 7``); the new reading replaces the old only where Tesseract's own confidence in it
is higher, never by any comparison with a truth.
"""

from __future__ import annotations

import statistics
from dataclasses import replace

import numpy as np

from pipeline.ocr.engines import OcrEngine
from pipeline.ocr.hocr import parse_hocr, weighted_confidence
from pipeline.ocr.preprocess import enlarge
from pipeline.record import Line, OcrOptions

# A line is small print under this share of the page's median line height, and read poorly under this
# mean confidence (both measured on the DEV real scans with truth, BENCHMARKS.md "Small print").
SMALL_LINE_RATIO = 0.85
LOW_CONFIDENCE = 70.0
# Lines are enlarged towards this height in pixels, by 2x at least and 3x at most.
TARGET_LINE_PX = 120
MIN_FACTOR, MAX_FACTOR = 2.0, 3.0
# Margins of the cut, in line heights: a third above and below; little at the sides, where a table's
# rules would be read as "|".
SIDE_MARGIN = 0.25
# A re-reading must beat the first by this many confidence points, and keep about as many characters
# (a reading that drops half the line is surer of less).
MIN_GAIN = 0.5
LENGTH_RANGE = (0.7, 1.4)
SINGLE_LINE_PSM = 7
MIN_LINE_CHARS = 5


def lines_to_reread(lines: list[Line]) -> list[int]:
    """Indexes of the lines worth a second reading: small against the page's median line (each line
    counted once per word, so that the body text sets it), or read with low confidence. Specks (lines
    lower than a fifth of the median) and lines under five characters (a chapter's "VI", which an
    all-capital line's low box makes look small) are left alone."""
    heights = [line.bbox[3] - line.bbox[1] for line in lines for _ in line.words if line.bbox[3] > line.bbox[1]]
    if not heights:
        return []
    median = statistics.median(heights)
    chosen = []
    for index, line in enumerate(lines):
        height = line.bbox[3] - line.bbox[1]
        if height < median / 5 or sum(len(word.text) for word in line.words) < MIN_LINE_CHARS:
            continue
        confidence = weighted_confidence(line.words) or 0.0
        if height < SMALL_LINE_RATIO * median or confidence < LOW_CONFIDENCE:
            chosen.append(index)
    return chosen


def line_image(image: np.ndarray, line: Line) -> tuple[np.ndarray, int, int, float]:
    """The line cut from the page with a margin, enlarged; with its origin on the page and the factor."""
    x0, y0, x1, y1 = line.bbox
    height = y1 - y0
    pad, side = max(4, height // 3), max(2, round(height * SIDE_MARGIN))
    left, top = max(0, x0 - side), max(0, y0 - pad)
    crop = image[top: min(image.shape[0], y1 + pad), left: min(image.shape[1], x1 + side)]
    factor = min(MAX_FACTOR, max(MIN_FACTOR, TARGET_LINE_PX / max(height, 1)))
    return enlarge(np.ascontiguousarray(crop), factor), left, top, factor


def reread_line(
    image: np.ndarray, line: Line, engine: OcrEngine, options: OcrOptions, char_choices: bool
) -> Line | None:
    """The line read again alone and enlarged, when Tesseract is surer of that reading; else None."""
    enlarged, left, top, factor = line_image(image, line)
    hocr = engine.hocr(enlarged, replace(options, psm=SINGLE_LINE_PSM), char_choices)
    words = [word for found in parse_hocr(hocr, scale=1.0 / factor) for word in found.words]
    before, after = weighted_confidence(line.words) or 0.0, weighted_confidence(words)
    old_length = sum(len(word.text) for word in line.words)
    new_length = sum(len(word.text) for word in words)
    if after is None or after < before + MIN_GAIN:
        return None
    if not LENGTH_RANGE[0] * old_length <= new_length <= LENGTH_RANGE[1] * old_length:
        return None
    for word in words:
        x0, y0, x1, y1 = word.bbox
        word.bbox = (x0 + left, y0 + top, x1 + left, y1 + top)
    return replace(line, text=" ".join(word.text for word in words), words=words)


def reread_small_print(
    image: np.ndarray, lines: list[Line], engine: OcrEngine, options: OcrOptions, char_choices: bool
) -> tuple[list[Line], int]:
    """The page's lines with its small-print and low-confidence lines re-read where that reads better;
    and how many were replaced."""
    out = list(lines)
    replaced = 0
    for index in lines_to_reread(lines):
        better = reread_line(image, lines[index], engine, options, char_choices)
        if better is not None:
            out[index] = better
            replaced += 1
    return out, replaced
