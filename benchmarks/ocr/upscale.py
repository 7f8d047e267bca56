"""Experiment: upscaling phone photos under 100 dpi."""

from __future__ import annotations

from pathlib import Path

from benchmarks.common import (
    markdown_table,
)
from benchmarks.ocr.accuracy import pct, scores
from benchmarks.ocr.pages import build_pages
from benchmarks.ocr.readers import run_bare, run_pool, vanban_steps_read


def upscale_section(corpus: Path, per_condition: int = 4) -> list[str]:
    """The upscaling rule on phone photos under 100 dpi (the main set's photos are 100-150 dpi)."""
    from pipeline.ocr.preprocess import DEFAULT_STEPS
    from pipeline.record import OcrOptions

    pages = build_pages(corpus, per_condition, conditions=("lowres70",))
    options = OcrOptions()
    rows = []
    for name, steps in (("default (upscale below 100 dpi)", DEFAULT_STEPS),
                        ("without upscale", DEFAULT_STEPS - {"upscale"})):
        run = run_pool(vanban_steps_read, [(p.path, options, steps) for p in pages], 2)
        texts = [text for text, _, _ in run.texts]
        s = scores(pages, texts)["all"]
        rows.append([name, pct(s["cer"]), pct(s["ofcer"]), pct(s["wer"]), f"{run.cpu_per_page():.2f}"])
    bare = run_bare([p.path for p in pages], 2)
    s = scores(pages, bare.texts)["all"]
    rows.append(["bare `tesseract -l vie`", pct(s["cer"]), pct(s["ofcer"]), pct(s["wer"]),
                 f"{bare.cpu_per_page():.2f}"])
    dpis = ", ".join(str(p.dpi) for p in pages)
    return [f"## Upscaling on phone photos under 100 dpi ({len(pages)} pages at {dpis} dpi, declared 72)", "",
            markdown_table(["reader", "CER", "order-free CER", "WER", "CPU s/page"], rows), ""]
