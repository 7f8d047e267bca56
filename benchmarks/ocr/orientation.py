"""Experiment: vanban's ink-geometry orientation check against Tesseract's OSD."""

from __future__ import annotations

import time
from concurrent.futures import ProcessPoolExecutor

import numpy as np

from benchmarks.common import (
    markdown_table,
)
from benchmarks.ocr.pages import conditions_of
from benchmarks.ocr.readers import children_cpu


def _orientation_probe(path: str) -> tuple[int, float, int, float]:
    """(turn by vanban's ink-geometry check, its CPU ms, turn by Tesseract OSD, OSD CPU ms); both on
    the grey page after border removal, as in ``preprocess``."""
    from pipeline.ingest.render import load_page_image
    from pipeline.ocr.engines import detect_orientation
    from pipeline.ocr.preprocess import analyse, estimate_dpi, ink_mask, remove_borders, to_gray
    from pipeline.record import OcrOptions, PageContext

    rgb, dpi = load_page_image(PageContext(path, "image", 1, 0))
    gray = to_gray(rgb)
    started = time.process_time()
    real = estimate_dpi(dpi, gray.shape)
    scale = min(1.0, 100 / real)
    gray, _ = remove_borders(gray, ink_mask(gray, scale), scale)  # as in preprocess: borders first
    turn, _ = analyse(ink_mask(gray, scale))
    ours = 1000 * (time.process_time() - started)
    cpu0 = children_cpu()
    osd_turn, _ = detect_orientation(gray, OcrOptions())
    return turn, ours, osd_turn % 360, 1000 * (children_cpu() - cpu0)



def orientation_section(pages) -> list[str]:
    """vanban's cheap orientation check against Tesseract's OSD (a second Tesseract run per page)."""
    with ProcessPoolExecutor(max_workers=2) as pool:
        probes = list(pool.map(_orientation_probe, [p.path for p in pages]))
    rows = []
    for condition in conditions_of(pages):
        got = [pr for p, pr in zip(pages, probes, strict=True) if p.condition == condition]
        rotated = condition in ("rot90", "rot180")

        def right(turn: int, rotated: bool = rotated, condition: str = condition) -> bool:
            if not rotated:
                return turn == 0
            return turn in ((90, 270) if condition == "rot90" else (180,))

        rows.append([condition, len(got), f"{sum(right(g[0]) for g in got)}/{len(got)}",
                     f"{sum(right(g[2]) for g in got)}/{len(got)}", f"{sum(g[0] == g[2] for g in got)}/{len(got)}"])
    ours_ms = float(np.mean([p[1] for p in probes]))
    osd_ms = float(np.mean([p[3] for p in probes]))
    table = markdown_table(["condition", "pages", "vanban check right", "Tesseract OSD right", "agree"], rows)
    return ["## Orientation: ink-geometry check vs Tesseract OSD (`--psm 0`)", "", table, "",
            f"CPU per page: vanban check {ours_ms:.0f} ms, Tesseract OSD {osd_ms:.0f} ms. "
            "For rot90 pages the direction (90 or 270) is judged right by the OCR result: see the accuracy "
            "table, where rotated pages read like upright ones.", ""]
