"""Reading order: how much does putting an OCR'd page's lines in the order a person reads them gain?

    .venv/bin/python -m benchmarks.reading_order [--per-condition 5] [--corpus DIR]

Each page is preprocessed and read by Tesseract once, as ``pipeline.ocr.page.read_page`` does; its lines
in Tesseract's own order are then kept, or put in order by the pipeline (``_variants``), and joined as
the OCR stage joins them (``layout_text``). (At commit 6293414 this script also compared the second
mechanism the pipeline had then, ``pipeline/ocr/layout.py``; see BENCHMARKS.md.) Plain CER against the truth (reading order counts) and order-free CER
(``benchmarks.common``), per page set:

- the real pages with a hand-typed truth (``benchmarks.extract_real.truth_pages``: scans-with-truth,
  the annotators' page transcriptions), dev and test apart, runs of dot leaders removed on both sides
  as (r4) does;
- synthetic pages (``benchmarks.ocr.build_pages``, TEST-split laws, the quality benchmark's copy),
  per damage condition (``--per-condition 0``: the real pages only).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from benchmarks.common import VLC_DEFAULT, cer, markdown_table, order_free_cer, run_header
from pipeline.record import Line

Order = Callable[[list[Line], int], list[Line]]


def _variants() -> dict[str, Order]:
    from pipeline.ocr.columns import reading_order

    return {"Tesseract's order": _as_read, "pipeline (pipeline.ocr.columns)": reading_order}


def _as_read(lines: list[Line], width: int) -> list[Line]:
    return lines


def raw_lines(path: str, page: int) -> tuple[list[Line], int]:
    """The page's lines in Tesseract's order, read as read_page reads it, and the page's width."""
    from pipeline.ingest.discover import open_document
    from pipeline.ingest.render import load_page_image
    from pipeline.ocr.page import read_image
    from pipeline.ocr.preprocess import preprocess

    ctx = open_document(path).pages[page - 1]
    rgb, dpi = load_page_image(ctx)
    image, effective_dpi, steps = preprocess(rgb, dpi)
    lines, _ = read_image(image, effective_dpi, steps, ctx.options, order=_as_read)
    return lines, image.shape[1]


def _texts(job: tuple[str, int]) -> dict[str, str]:
    """The page's text under each variant (one Tesseract read)."""
    from pipeline.ocr.page import layout_text

    lines, width = raw_lines(*job)
    return {name: layout_text(order(list(lines), width)) for name, order in _variants().items()}


def page_sets(corpus: Path, per_condition: int) -> list[tuple[str, str, int, str]]:
    """(set, path, page number, truth) of the real pages with truth and the synthetic TEST pages."""
    from benchmarks.common import REPO_ROOT
    from benchmarks.extract_real import SHARED, truth_pages
    from benchmarks.ocr import build_pages
    from benchmarks.quality import CACHE

    real = truth_pages(SHARED / "corpora", REPO_ROOT / "corpora" / "real" / "scans")
    out = [(f"real {tp.part}", str(tp.source), tp.page, tp.truth) for tp in real]
    out += [(f"synthetic {p.condition}", p.path, 1, p.truth) for p in build_pages(corpus, per_condition, cache=CACHE)]
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=VLC_DEFAULT)
    parser.add_argument("--per-condition", type=int, default=5)
    args = parser.parse_args(argv)
    from benchmarks.extract_real import _DOTS
    from pipeline.config import limit_threads

    limit_threads()
    pages = page_sets(args.corpus, args.per_condition)
    names = list(_variants())
    scores: dict[str, dict[str, list[tuple[float, float]]]] = {}
    per_page: list[list[str]] = []
    for number, (group, path, page, truth) in enumerate(pages, 1):
        print(f"[{number}/{len(pages)}] {group}: {Path(path).name} p{page}", file=sys.stderr, flush=True)
        texts = _texts((path, page))
        clean_truth = _DOTS.sub(" ", truth)
        row = [f"{Path(path).stem} p{page}", group.split()[-1]]
        for name in names:
            hyp = _DOTS.sub(" ", texts[name])
            scores.setdefault(group, {}).setdefault(name, []).append((cer(clean_truth, hyp), order_free_cer(clean_truth, hyp)))
            row.append(f"{100 * scores[group][name][-1][0]:.2f}%")
        if group.startswith("real"):
            per_page.append(row)
    rows = []
    for group, by_name in scores.items():
        for name in names:
            pairs = by_name[name]
            rows.append([group, len(pairs), name, f"{100 * sum(c for c, _ in pairs) / len(pairs):.2f}%",
                         f"{100 * sum(f for _, f in pairs) / len(pairs):.2f}%"])
    command = ".venv/bin/python -m benchmarks.reading_order" + " ".join(["", *(sys.argv[1:] if argv is None else argv)])
    print(run_header("reading order of OCR'd lines", command.rstrip()))
    print(markdown_table(["pages", "n", "reading order", "mean CER", "mean order-free CER"], rows))
    print("\nPlain CER per real page:\n")
    print(markdown_table(["page", "part", *names], per_page))
    return 0


if __name__ == "__main__":
    sys.exit(main())
