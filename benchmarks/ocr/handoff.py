"""Experiment: how the page is handed to the tesseract program (PNG against BMP)."""

from __future__ import annotations

import time
from concurrent.futures import ProcessPoolExecutor

import numpy as np


def _handoff_probe(path: str) -> tuple[float, float]:
    """CPU ms to write the preprocessed page as pytesseract's default PNG vs as BMP."""
    import io

    from PIL import Image

    from pipeline.ingest.render import load_page_image
    from pipeline.ocr.preprocess import preprocess
    from pipeline.record import PageContext

    rgb, dpi = load_page_image(PageContext(path, "image", 1, 0))
    image = Image.fromarray(preprocess(rgb, dpi)[0])
    costs = []
    for fmt in ("PNG", "BMP"):
        started = time.process_time()
        image.save(io.BytesIO(), format=fmt)
        costs.append(1000 * (time.process_time() - started))
    return costs[0], costs[1]



def handoff_section(pages) -> list[str]:
    with ProcessPoolExecutor(max_workers=2) as pool:
        costs = list(pool.map(_handoff_probe, [p.path for p in pages]))
    png, bmp = float(np.mean([c[0] for c in costs])), float(np.mean([c[1] for c in costs]))
    return ["## Handing the page to the tesseract program (cli engine)", "",
            f"With the cli engine, pytesseract writes an array to a temporary PNG; vanban hands it a PIL image marked BMP "
            f"(`pipeline.ocr.engines.fast_input`). CPU to write one preprocessed page, mean of {len(pages)}: "
            f"PNG {png:.0f} ms, BMP {bmp:.0f} ms. Tesseract's text is identical for both.", ""]
