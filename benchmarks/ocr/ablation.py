"""Experiment: each preprocessing step on and off."""

from __future__ import annotations

import hashlib
import time
from concurrent.futures import ProcessPoolExecutor

import numpy as np

from benchmarks.common import (
    markdown_table,
)
from benchmarks.ocr.accuracy import pct, scores
from benchmarks.ocr.pages import conditions_of
from benchmarks.ocr.readers import run_pool, vanban_steps_read


def _preprocess_digest(args: tuple[str, frozenset[str]]) -> tuple[str, float, dict]:
    """Hash of the preprocessed page (so identical images are read once) and the preprocessing time."""
    from pipeline.ingest.render import load_page_image
    from pipeline.ocr.preprocess import for_reading, preprocess
    from pipeline.record import PageContext

    path, steps = args
    rgb, dpi = load_page_image(PageContext(path, "image", 1, 0))
    started = time.process_time()
    image, effective_dpi, record = preprocess(rgb, dpi, steps=steps)
    image, _ = for_reading(image, effective_dpi, record, steps)
    spent = time.process_time() - started
    return hashlib.sha1(image.tobytes() + str(image.shape).encode()).hexdigest(), spent, record



def ablation_section(pages) -> list[str]:
    """Each step on/off against the default. Pages whose preprocessed image is byte-identical to one
    already read reuse its text (the OCR of identical pixels is identical), so only affected pages cost."""
    from pipeline.ocr.preprocess import ALL_STEPS, DEFAULT_STEPS
    from pipeline.record import OcrOptions

    options = OcrOptions()
    variants: list[tuple[str, frozenset[str]]] = [("default: " + ", ".join(sorted(DEFAULT_STEPS)), DEFAULT_STEPS)]
    for step in sorted(ALL_STEPS):
        if step in DEFAULT_STEPS:
            variants.append((f"without {step}", DEFAULT_STEPS - {step}))
        else:
            variants.append((f"with {step}", DEFAULT_STEPS | {step}))
    variants.append(("none (grayscale only)", frozenset()))
    jobs = [(p.path, steps) for _, steps in variants for p in pages]
    with ProcessPoolExecutor(max_workers=2) as pool:
        digests = list(pool.map(_preprocess_digest, jobs))
    unique: dict[str, tuple[str, frozenset[str]]] = {}
    for (path, steps), (digest, _, _) in zip(jobs, digests, strict=True):
        unique.setdefault(digest, (path, steps))
    keys = list(unique)
    run = run_pool(vanban_steps_read, [(path, options, steps) for path, steps in unique.values()], 2)
    text_of = {key: text for key, (text, _, _) in zip(keys, run.texts, strict=True)}
    conds = conditions_of(pages)
    rows = []
    for v, (name, _) in enumerate(variants):
        chunk = digests[v * len(pages) : (v + 1) * len(pages)]
        texts = [text_of[d] for d, _, _ in chunk]
        pre_ms = 1000 * float(np.mean([t for _, t, _ in chunk]))
        s = scores(pages, texts)
        rows.append([name, pct(s["all"]["cer"]), *[pct(s[c]["cer"]) for c in conds], f"{pre_ms:.0f}"])
    header = ["preprocessing", "CER all", *[f"CER {c}" for c in conds], "preprocess CPU ms/page"]
    return [f"## Preprocessing steps (each on/off against the default; all {len(pages)} pages; "
            f"{len(unique)} distinct preprocessed images read)", "", markdown_table(header, rows), ""]
