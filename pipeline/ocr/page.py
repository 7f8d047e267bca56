"""The per-page step: a pure function from a PageContext to a PageResult.

It never raises: whatever goes wrong on one page is recorded in ``PageResult.error`` so the rest of
the document and the batch go on (as in OCRmyPDF).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace

import numpy as np

from pipeline.errors import error_record
from pipeline.ingest.render import load_page_image, read_text_file
from pipeline.ingest.text_layer import LAYER_THRESHOLD, layer_score
from pipeline.ocr.columns import reading_order
from pipeline.ocr.discovery import available_languages
from pipeline.ocr.engines import OcrEngine, engine_for
from pipeline.ocr.hocr import parse_hocr, weighted_confidence
from pipeline.ocr.preprocess import READ_AT_DPI, for_reading, preprocess
from pipeline.ocr.small_print import SINGLE_LINE_PSM, reread_small_print
from pipeline.record import CharChoices, Line, OcrOptions, PageContext, PageResult


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
    """Character-weighted mean word confidence (0-100) of the page."""
    return weighted_confidence([word for line in lines for word in line.words])


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


# Copies whose glyphs the copier thinned and broke (clean_heavy_copy measures their strokes) lose tone
# marks the fast `vie` model then misreads; Tesseract's script model `Vietnamese` (bigger, slower, in the
# tesseract-ocr-script-viet package vanban already requires) reads more of them. Measured on 12 such
# pages rendered from DEV-split laws (strokes 4.2-4.8 px): CER 6.90% with vie, 5.74% with Vietnamese,
# 5.68% with tessdata best (not installed by any package); +0.6-0.9 CPU s per such page. Only below
# 5 px, where it was measured: on the bundled sample's specked page (5.48 px) the two models make
# different errors, three each.
THIN_COPY_MODEL = "Vietnamese"
THIN_COPY_BELOW_PX = 5.0


def reading_options(options: OcrOptions, steps: dict) -> OcrOptions:
    """The options a page is read with: the script model on thin copies when the default model was asked
    for (``vie``, no --tessdata-dir); otherwise the caller's own."""
    thin = steps.get("stroke_px", THIN_COPY_BELOW_PX) < THIN_COPY_BELOW_PX
    if (
        thin
        and options.language == "vie"
        and not options.tessdata_dir
        and THIN_COPY_MODEL in available_languages(None)
    ):
        return replace(options, language=THIN_COPY_MODEL)
    return options


def read_image(
    image: np.ndarray,
    dpi: int,
    steps: dict,
    options: OcrOptions,
    reading_steps: frozenset[str] | None = None,
    engine: OcrEngine | None = None,
    order: Callable[[list[Line], int], list[Line]] = reading_order,
    small_print: bool = True,
) -> tuple[list[Line], str]:
    """Tesseract's lines for a preprocessed page, in reading order (``steps``: its preprocessing record,
    which gains ``read_at_dpi`` when the page is read shrunk) and the model that read it.

    The one place that chooses alternatives, model, reading resolution and reading order, so that the
    pipeline and the OCR benchmark read a page alike; ``reading_steps`` lets the benchmark's ablation turn
    the shrinking off, ``order`` lets benchmarks.reading_order compare orders; ``engine`` defaults to the
    one ``options.engine`` names. ``small_print`` re-reads small and poorly read lines enlarged
    (``pipeline.ocr.small_print``; ``steps`` gains ``small_print_reread``, the count replaced).
    """
    choices = wants_char_choices(options.char_choices, steps, dpi)
    options = reading_options(options, steps)
    reading, shrink = for_reading(image, dpi, steps, reading_steps) if options.preprocess else (image, 1.0)
    if shrink != 1.0:
        steps["read_at_dpi"] = READ_AT_DPI  # boxes are still given in the page's own pixels
    engine = engine or engine_for(options)
    lines = order(parse_hocr(engine.hocr(reading, options, choices), scale=1.0 / shrink), image.shape[1])
    # After the order, which cuts Tesseract's lines that run across two columns. Not on toner-specked
    # copies: enlarged, their thin strokes lose marks Tesseract is then surer of ("Trần" -> "Tran").
    if small_print and options.psm != SINGLE_LINE_PSM and "despeckle" not in steps:
        lines, replaced = reread_small_print(image, lines, engine, options, choices)
        if replaced:
            steps["small_print_reread"] = replaced
    return lines, options.language  # boxes are in ``image``'s pixels


def read_page(ctx: PageContext, engine: OcrEngine | None = None) -> PageResult:
    """Read one page: its text file, its PDF text layer when good enough, or OCR of its image (with
    ``engine``, by default the one ``ctx.options.engine`` names)."""
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
        result.lines, result.model = read_image(image, effective_dpi, steps, ctx.options, engine=engine)
        result.text = layout_text(result.lines)
        result.ocr_confidence = mean_confidence(result.lines)
        result.origin = "ocr"
    except Exception as error:  # noqa: BLE001 - a page degrades to a recorded error, by design
        result.error = error_record(error, stage="ocr", page=ctx.number)
    finally:
        result.seconds = round(time.perf_counter() - started, 3)
    return result
