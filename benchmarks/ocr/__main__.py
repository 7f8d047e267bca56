"""OCR benchmark: synthetic scans of TEST-split laws, read by vanban's OCR stage and by bare Tesseract.

    .venv/bin/python -m benchmarks.ocr [--per-condition 5] [--corpus ../shared/corpora/vlc-2022] [--quick]

Pages: for each damage condition (pipeline.synth.damage.CONDITIONS) ``--per-condition`` one-page
documents, rendered from TEST-split files of vlc-2022 (``pipeline.corpus_split.split_of``, the split the
restoration models were trained with: they train on TRAIN and tune on DEV).
Each page gets a fictional two-column header (every other page) and a signature block (stamp pages and
every other page) around a run of paragraphs from one law, trimmed to fit one A4 page. Pages are cached
as PNG + truth under ``benchmarks/.cache/ocr/`` and regenerated deterministically when missing.

Measured in one run: per condition CER / WER / reading-order-free CER (see benchmarks.common) of
(i) vanban's OCR stage (``pipeline.ocr.read_page`` on a PageContext that points at the PNG) and
(ii) bare ``tesseract IMG - -l vie``; (iii) text.final, the OCR text through the restoration stage as
``vanban process`` makes it (tone style normalised on both sides: hoà and hòa are one spelling); pages per second with 1 and 2 workers (a process pool for
vanban, one subprocess per page for bare Tesseract; OMP_THREAD_LIMIT=1 everywhere); CPU seconds per
page (children's user+sys, which is robust to other load on the machine); language models;
``char_choices`` on/off; and each preprocessing step on/off.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from benchmarks.common import (
    VLC_DEFAULT,
    run_header,
    write_result,
)
from benchmarks.ocr.ablation import ablation_section
from benchmarks.ocr.accuracy import accuracy_section, dump_texts, speed_section
from benchmarks.ocr.handoff import handoff_section
from benchmarks.ocr.models import choices_section, model_section
from benchmarks.ocr.orientation import orientation_section
from benchmarks.ocr.pages import BEST_DIR_DEFAULT, CACHE, build_pages, subset
from benchmarks.ocr.readers import (
    interleaved_cpu,
    restored_texts,
    run_bare,
    run_pool,
    vanban_document,
    vanban_read,
    vanban_text,
)
from benchmarks.ocr.reading import reading_section
from benchmarks.ocr.upscale import upscale_section
from pipeline.config import limit_threads


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="OCR benchmark on synthetic scans")
    parser.add_argument("--corpus", type=Path, default=VLC_DEFAULT)
    parser.add_argument("--per-condition", type=int, default=5)
    parser.add_argument("--subset", type=int, default=2, help="pages per condition for model/option comparisons")
    parser.add_argument("--best-dir", type=Path, default=BEST_DIR_DEFAULT,
                        help="folder with the tessdata 'best' vie.traineddata (skipped when absent)")
    parser.add_argument("--quick", action="store_true", help="accuracy of vanban only, 2 workers")
    parser.add_argument("--only", default="", help="comma-separated sections: main,models,choices,ablation,orientation,handoff,reading,upscale")
    args = parser.parse_args(argv)
    limit_threads()  # before the pools fork: their workers inherit it

    from pipeline.record import OcrOptions

    pages = build_pages(args.corpus, args.per_condition)
    paths = [p.path for p in pages]
    defaults = OcrOptions()
    sections = set(filter(None, args.only.split(","))) or {"main", "models", "choices", "ablation",
                                                           "orientation", "handoff", "reading", "upscale"}
    command = ".venv/bin/python -m benchmarks.ocr" + ("" if argv is None else " " + " ".join(argv))
    out = [run_header("OCR (synthetic scans of TEST-split vlc-2022 laws)", command)]
    out.append(
        f"{len(pages)} pages ({args.per_condition} per condition), rendered from TEST-split files of vlc-2022 "
        "(pipeline.corpus_split.split_of, the restoration models' own split); Liberation Serif 14 pt, A4, 300 dpi before damage. "
        f"Tesseract language `{defaults.language}`, psm {defaults.psm}, OMP_THREAD_LIMIT=1. "
        "CER/WER: NFC, whitespace collapsed, grapheme clusters, rapidfuzz Levenshtein; means over pages. "
        "Order-free CER: the lower of the CER and a bag-of-words error (words present in both texts cost "
        "nothing; the words left on each side, in their own order, are compared by grapheme edit distance, "
        "divided by the truth length), so a correctly read line in another place costs nothing. "
        "Ground truth reads a two-column row as the left column's lines, then the right column's.\n"
    )

    if args.quick:
        run = run_pool(vanban_read, [(p, defaults) for p in paths], 2)
        table, _ = accuracy_section(pages, run.texts, run.texts)
        print(table)
        return 0

    if "main" in sections:
        load_before = os.getloadavg()[0]
        runs = {
            "vanban-1": run_pool(vanban_read, [(p, defaults) for p in paths], 1),
            "bare-1": run_bare(paths, 1),
            "vanban-2": run_pool(vanban_document, [(p, defaults) for p in paths], 2),
            "bare-2": run_bare(paths, 2),
        }
        documents = runs["vanban-2"].texts
        runs["vanban-2"].texts = [vanban_text(document) for document in documents]
        table, _ = accuracy_section(pages, runs["vanban-2"].texts, runs["bare-2"].texts, restored_texts(documents))
        out += ["## Accuracy per condition (vanban OCR stage vs bare `tesseract IMG - -l vie`)", "", table, ""]
        load_after = os.getloadavg()[0]
        interleaved = interleaved_cpu(pages, defaults)
        out += ["## Speed (same pages, same run)", "", speed_section(runs, interleaved), "",
                f"Load average of the machine (other jobs included) at start / end of these runs: "
                f"{load_before:.1f} / {load_after:.1f} on 2 cores. Wall-clock figures suffer from other jobs; "
                "CPU s/page (user+sys of all worker and Tesseract processes) does not.", ""]
        dump_texts(pages, runs["vanban-2"].texts, "vanban")
        dump_texts(pages, runs["bare-2"].texts, "bare")

    small = subset(pages, args.subset)
    small_items = [p.path for p in small]
    if "models" in sections:
        out += model_section(small, small_items, args.best_dir)
    if "choices" in sections:
        out += choices_section(small, small_items)
    if "ablation" in sections:
        out += ablation_section(pages)
    if "orientation" in sections:
        out += orientation_section(pages)
    if "handoff" in sections:
        out += handoff_section(small)
    if "reading" in sections:
        out += reading_section(pages)
    if "upscale" in sections:
        out += upscale_section(args.corpus)

    text = "\n".join(out)
    print(text)
    if args.only or args.per_condition != 5:
        # A partial run never overwrites the full results file.
        path = CACHE.parent / "ocr-partial.md"
        path.write_text(text + "\n", encoding="utf-8")
    else:
        path = write_result("ocr", text)
    print(f"wrote {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
