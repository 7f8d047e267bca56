"""Regenerate ``corpora/samples/``: the bundled notice, rendered and damaged into an image-only PDF.

``python -m pipeline.synth.make_sample [--out DIR]`` writes ``thong-bao-ket-luan.pdf`` (pages as JPEG:
grey pages, the signed page in colour; no text layer) and ``thong-bao-ket-luan.truth.txt`` (the
ground truth, pages separated by form feeds). Deterministic: same text, same seed, same pixels.
"""

from __future__ import annotations

import argparse
import io
import time
from pathlib import Path

import numpy as np
from PIL import Image

from pipeline.config import REPO_ROOT
from pipeline.synth.damage import _as_float, _mild, _to_image, sign_and_seal
from pipeline.synth.render import render_document_with_truth

SAMPLES = REPO_ROOT / "corpora" / "samples"
NAME = "thong-bao-ket-luan"
SEED = 2025
SEAL_NAME = "ỦY BAN NHÂN DÂN PHƯỜNG HƯNG PHÚ"
JPEG_QUALITY = 60
SAMPLE_NOISE = (1.5, 2.5)
FIXED_DATE = time.gmtime(1763107200)  # 2025-11-14 08:00 UTC: a fixed date keeps the PDF byte-identical


def damaged_pages(text: str, seed: int = SEED) -> list[tuple[Image.Image, str]]:
    """Mild photocopy damage on every page; the page carrying the signature also gets seal and signature."""
    rng = np.random.default_rng(seed)
    out = []
    for clean, truth in render_document_with_truth(text):
        # Less sensor grain than the benchmark's "mild": grain is what makes JPEG pages large.
        page = _mild(_as_float(clean), rng, noise=SAMPLE_NOISE)
        box = clean.info.get("signature_box")
        image = _to_image(sign_and_seal(page, box, rng, SEAL_NAME) if box else page, 300)
        out.append((image, truth))
    return out


def write_pdf(pages: list[Image.Image], path: Path) -> None:
    """An image-only PDF: one JPEG per page at 300 dpi (Pillow embeds JPEG data as DCTDecode)."""
    buffer = io.BytesIO()
    first, *rest = pages
    first.save(
        buffer, "PDF", resolution=300.0, save_all=True, append_images=rest, quality=JPEG_QUALITY,
        title=NAME, creationDate=FIXED_DATE, modDate=FIXED_DATE,
    )
    tmp = path.with_suffix(".pdf.tmp")
    tmp.write_bytes(buffer.getvalue())
    tmp.replace(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=SAMPLES)
    args = parser.parse_args(argv)
    text = (SAMPLES / f"{NAME}.txt").read_text(encoding="utf-8")
    pages = damaged_pages(text)
    args.out.mkdir(parents=True, exist_ok=True)
    write_pdf([image for image, _ in pages], args.out / f"{NAME}.pdf")
    (args.out / f"{NAME}.truth.txt").write_text("\n\f\n".join(t for _, t in pages) + "\n", encoding="utf-8")
    size = (args.out / f"{NAME}.pdf").stat().st_size
    print(f"{args.out / f'{NAME}.pdf'}: {len(pages)} pages, {size / 1e6:.2f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
