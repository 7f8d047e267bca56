"""Experiment: engine and reading resolution."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor

import numpy as np

from benchmarks.common import markdown_table
from benchmarks.ocr.accuracy import pct, scores
from benchmarks.ocr.pages import BenchPage, conditions_of
from benchmarks.ocr.readers import own_cpu

READING_VARIANTS = {
    "library engine, read at 200 dpi (default)": ("library", True),
    "cli engine (tesseract program per page), read at 200 dpi": ("cli", True),
    "library engine, read at the page's resolution": ("library", False),
    "cli engine, page's resolution": ("cli", False),
}


def _reading_probe(args: tuple[str, int]) -> dict[str, tuple[str, float]]:
    """One page, preprocessed once, then handed to Tesseract in each READING_VARIANTS way (the order
    rotated by ``shift``): {variant: (text, CPU s of this process, its children and its helper)}."""
    from pipeline.ingest.render import load_page_image
    from pipeline.ocr.page import layout_text, read_image
    from pipeline.ocr.preprocess import DEFAULT_STEPS, preprocess
    from pipeline.record import OcrOptions, PageContext

    path, shift = args
    rgb, dpi = load_page_image(PageContext(path, "image", 1, 0))
    image, effective_dpi, record = preprocess(rgb, dpi)
    names = list(READING_VARIANTS)
    out = {}
    for name in names[shift % len(names) :] + names[: shift % len(names)]:
        engine, shrink_it = READING_VARIANTS[name]
        steps = DEFAULT_STEPS if shrink_it else DEFAULT_STEPS - {"downscale"}
        before = own_cpu()
        lines, _ = read_image(image, effective_dpi, dict(record), OcrOptions(engine=engine), reading_steps=steps)
        out[name] = (layout_text(lines), own_cpu() - before)
    return out



def reading_section(pages: Sequence[BenchPage]) -> list[str]:
    """How the preprocessed page reaches Tesseract: engine and reading resolution, measured page by page
    in one warm worker, the three ways in rotating order."""
    with ProcessPoolExecutor(max_workers=1) as pool:
        pool.submit(_reading_probe, (pages[0].path, 0)).result()  # warm-up: imports, helper start
        probes = list(pool.map(_reading_probe, [(p.path, i) for i, p in enumerate(pages)]))
        again = list(pool.map(_reading_probe, [(p.path, i + 2) for i, p in enumerate(pages)]))  # other order
    conds = conditions_of(pages)
    rows = []
    for name in READING_VARIANTS:
        texts = [probe[name][0] for probe in probes]
        s = scores(pages, texts)
        both = [(pr[name][1] + ag[name][1]) / 2 for pr, ag in zip(probes, again, strict=True)]
        cpu = {c: float(np.mean([t for t, pg in zip(both, pages, strict=True) if pg.condition == c])) for c in conds}
        mean_cpu = float(np.mean(both))
        rows.append([name, pct(s["all"]["cer"]), *[pct(s[c]["cer"]) for c in conds], f"{mean_cpu:.2f}",
                     *[f"{cpu[c]:.2f}" for c in conds]])
    names = list(READING_VARIANTS)
    same = sum(pr[names[2]][0] == pr[names[3]][0] and pr[names[0]][0] == pr[names[1]][0] for pr in probes)
    header = ["reading", "CER all", *[f"CER {c}" for c in conds], "CPU s/page all", *[f"CPU {c}" for c in conds]]
    return [f"## Handing the page to Tesseract: engine and reading resolution ({len(pages)} pages)", "",
            markdown_table(header, rows), "",
            f"Pages whose text is identical between the library and cli engines at both resolutions: {same} of "
            f"{len(pages)}. CPU: mean of two rounds (each page read the four ways in rotating order); this "
            "worker's, its Tesseract children's (cli) and its library helper's. "
            "Toner-specked copies are never shrunk, so their rows differ only by engine.", ""]
