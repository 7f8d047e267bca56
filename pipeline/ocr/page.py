"""The per-page step: a pure function from a PageContext to a PageResult.

It never raises: whatever goes wrong on one page is recorded in ``PageResult.error`` so the rest of
the document and the batch go on (as in OCRmyPDF).
"""

from __future__ import annotations

import time

from pipeline.errors import error_record
from pipeline.ingest.render import load_page_image, read_text_file
from pipeline.ingest.text_layer import LAYER_THRESHOLD, layer_score
from pipeline.ocr.preprocess import preprocess
from pipeline.ocr.tesseract import parse_hocr, run_hocr
from pipeline.record import CharChoices, Line, PageContext, PageResult


def layout_text(lines: list[Line]) -> str:
    """Join lines into page text, a blank line between paragraphs; fill in each line's and word's offsets."""
    parts: list[str] = []
    offset = 0
    previous_paragraph = None
    for line in lines:
        if previous_paragraph is not None:
            sep = "\n\n" if line.paragraph != previous_paragraph else "\n"
            parts.append(sep)
            offset += len(sep)
        previous_paragraph = line.paragraph
        line.start = offset
        for i, word in enumerate(line.words):
            if i:
                parts.append(" ")
                offset += 1
            word.start = offset
            parts.append(word.text)
            offset += len(word.text)
            word.end = offset
        line.end = offset
    return "".join(parts)


def mean_confidence(lines: list[Line]) -> float | None:
    """Character-weighted mean word confidence (0-100): long words weigh more than stray marks."""
    total = weight = 0.0
    for line in lines:
        for word in line.words:
            total += word.confidence * len(word.text)
            weight += len(word.text)
    return round(total / weight, 2) if weight else None


# Pages under this resolution are phone photos or poor scans: Tesseract misreads marks on them.
CHOICES_BELOW_DPI = 200


def wants_char_choices(mode: CharChoices, steps: dict, dpi: int) -> bool:
    """Whether to ask Tesseract for per-character alternatives on this page (``dpi``: after preprocessing).

    They cost 10-15% of Tesseract's CPU. Measured on the scans of corpora/dev (restoration of OCR output,
    benchmarks/restore_harm.py), they raise repairs by a quarter to a third on toner-specked copies and
    low-resolution photos, but by 2-3 words in ~3,500 on clean, mild and stamped pages; so "auto" asks
    for them only on the former.
    """
    if mode == "auto":
        return "despeckle" in steps or "upscale" in steps or dpi < CHOICES_BELOW_DPI
    return mode == "always"


def read_page(ctx: PageContext) -> PageResult:
    """Read one page: its text file, its PDF text layer when good enough, or OCR of its image."""
    started = time.perf_counter()
    result = PageResult(number=ctx.number)
    try:
        if ctx.kind == "text":
            result.text = read_text_file(ctx.path)
            result.origin = "text"
            return result
        if ctx.text_layer:
            result.layer_text = ctx.text_layer
            result.layer_score = layer_score(ctx.text_layer)
            if not ctx.options.force_ocr and result.layer_score >= LAYER_THRESHOLD:
                result.text = ctx.text_layer.strip()
                result.origin = "layer"
                return result
        rgb, dpi = load_page_image(ctx)
        image, effective_dpi, steps = (
            preprocess(rgb, dpi) if ctx.options.preprocess else (rgb, dpi or ctx.options.dpi, {})
        )
        result.height, result.width = image.shape[:2]
        result.dpi = effective_dpi
        result.preprocessing = steps
        choices = wants_char_choices(ctx.options.char_choices, steps, effective_dpi)
        result.lines = parse_hocr(run_hocr(image, ctx.options, choices))
        result.text = layout_text(result.lines)
        result.ocr_confidence = mean_confidence(result.lines)
        result.origin = "ocr"
    except Exception as error:  # noqa: BLE001 - a page degrades to a recorded error, by design
        result.error = error_record(error, stage="ocr", page=ctx.number)
    finally:
        result.seconds = round(time.perf_counter() - started, 3)
    return result
