"""Leave one engine out (issue 13): `python -m benchmarks.restore_channel [--split test|dev]`.

For each OCR family (ocrad, gocr, Tesseract with Latin models, the real scanner layers) the channel is
learned from the TRAIN pairs of the other families only (pipeline.restore.pairs, plus the book's real
OCR) and the restorer, with the committed language model, repairs that family's reading of real-admin
TEST pages (DEV with --split dev, for tuning). The scanner family is the real garbled text layers of
../shared/corpora/real-scans/garbled-layers against the truth typed from their page images.

WER over whitespace tokens (tone placement normalised, case kept: "all tokens"), and over word tokens
only (letters, lowercased, punctuation dropped: what restoration can reach); CER over graphemes.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

from rapidfuzz.distance import Levenshtein

from benchmarks.common import REPO_ROOT, markdown_table, today, write_result
from benchmarks.restore_ocr import word_tokens
from pipeline.orthography import canonical
from pipeline.restore import Restorer
from pipeline.restore.channel import Channel, book_pairs, estimate, garbled_layer_pages
from pipeline.restore.pairs import DEFAULT_CACHE, ENGINE_FAMILY, load_pairs
from pipeline.review.metrics import char_errors

FAMILIES = ("ocrad", "gocr", "tesseract-latin", "scanner")
SHARED = REPO_ROOT.parent / "shared" / "corpora" / "real-scans"  # ../shared, as CI lays it out
TRUTH_DIR = REPO_ROOT / "corpora" / "real" / "garbled-layers"


def tokens(text: str) -> list[str]:
    return [canonical(w) for w in text.split()]


def bag_errors(hyp: list[str], ref: list[str]) -> int:
    """Order-free word errors: tokens of the longer side without a partner in the other (multisets).
    Engines' page segmentation reorders blocks; restoration neither causes nor repairs that."""
    common = sum((Counter(hyp) & Counter(ref)).values())
    return max(len(hyp), len(ref)) - common


class Score:
    """Summed edit distances over pages: all-token WER, word-token WER, CER; before and after."""

    def __init__(self) -> None:
        self.n = {"wer": 0, "wwer": 0, "bag": 0, "cer": 0}
        self.before = dict.fromkeys(self.n, 0)
        self.after = dict.fromkeys(self.n, 0)
        self.pages = 0

    def add(self, truth: str, ocr: str, restored: str) -> None:
        self.pages += 1
        for key, fn in (("wer", tokens), ("wwer", word_tokens)):
            ref = fn(truth)
            self.n[key] += len(ref)
            self.before[key] += Levenshtein.distance(fn(ocr), ref)
            self.after[key] += Levenshtein.distance(fn(restored), ref)
        ref = word_tokens(truth)
        self.n["bag"] += len(ref)
        self.before["bag"] += bag_errors(word_tokens(ocr), ref)
        self.after["bag"] += bag_errors(word_tokens(restored), ref)
        ce = char_errors(truth, ocr)
        self.n["cer"] += ce.length
        self.before["cer"] += ce.edits
        self.after["cer"] += char_errors(truth, restored).edits

    def rate(self, key: str, after: bool = True) -> float:
        return (self.after if after else self.before)[key] / max(1, self.n[key])


def restorer_with(channel: Channel, base: Restorer, lex: dict) -> Restorer:
    return Restorer(base.lm, lex, channel)


def run(split: str, cache: Path, shared: Path) -> tuple[list[list[object]], dict]:
    base = Restorer.load()
    lex = json.loads((REPO_ROOT / "models" / "lexicon.json").read_text(encoding="utf-8"))
    train = load_pairs(cache, "train")
    evals = load_pairs(cache, split)
    layers = garbled_layer_pages(shared / "garbled-layers", TRUTH_DIR)
    book = shared / "book-ocr-pairs"
    rows: list[list[object]] = []
    facts = {"train_pages": len({p for p, *_ in train}), "train_pairs": len(train),
             "eval_pages": len({p for p, *_ in evals}), "layer_pages": len(layers)}
    for family in FAMILIES:
        kept = [(t, o) for _, e, t, o in train if ENGINE_FAMILY[e] != family] + book_pairs(book)
        if family != "scanner":
            kept += [(t, o) for _, t, o in layers]
        r = restorer_with(Channel(estimate(kept)), base, lex)
        score, plain = Score(), Score()
        if family == "scanner":
            pages = [(truth, ocr) for _, truth, ocr in layers]
        else:
            pages = [(truth, ocr) for _, engine, truth, ocr in evals if ENGINE_FAMILY[engine] == family]
        t0 = time.process_time()
        for truth, ocr in pages:
            score.add(truth, ocr, r.restore(ocr).text)
        cpu = time.process_time() - t0
        for truth, ocr in pages:
            plain.add(truth, ocr, r.restore(ocr, adapt=False).text)
        rows.append([family, len(kept), score.pages,
                     f"{score.rate('wer'):.1%} (before {score.rate('wer', False):.1%})",
                     f"{score.rate('wwer'):.1%} (before {score.rate('wwer', False):.1%})",
                     f"{score.rate('bag'):.1%} (before {score.rate('bag', False):.1%})",
                     f"{plain.rate('bag'):.1%}",
                     f"{score.rate('cer'):.1%} (before {score.rate('cer', False):.1%})",
                     f"{score.n['wwer'] / max(cpu, 1e-9):,.0f}"])
    return rows, facts


HEADER = ["left-out family", "train page pairs used", "pages measured", "WER all tokens",
          "WER word tokens (lowercased)", "order-free WER, word tokens", "same, per-document adaptation off",
          "CER", "syllables/CPU-s (restore only)"]


def loeo_markdown(split: str, shared: Path, cache: Path = DEFAULT_CACHE) -> list[str]:
    """The leave-one-engine-out section, as Markdown lines (empty if no pairs were generated)."""
    if not (cache / "train").is_dir():
        return [f"(leave one engine out: no OCR pairs in {cache}; run `make models`)", ""]
    rows, facts = run(split, cache, shared)
    return [
        f"## Leave one engine out ({split} split)",
        "",
        f"Command: `.venv/bin/python -m benchmarks.restore_channel --split {split}`; date {today()}; "
        "machine: 2 cores shared with other jobs.",
        f"Channel training: {facts['train_pairs']} OCR readings of {facts['train_pages']} rendered TRAIN pages "
        f"(pipeline.restore.pairs), the book page and the typed real garbled layer pages (except for the "
        f"scanner row); measured on {facts['eval_pages']} rendered real-admin {split.upper()} pages, each read "
        f"by ocrad, gocr and one Tesseract Latin model (the legacy engine on every fourth), and on "
        f"{facts['layer_pages']} real garbled layer pages against their typed truth.",
        "",
        markdown_table(HEADER, rows),
        "",
    ]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.restore_channel", description=__doc__)
    ap.add_argument("--split", choices=("dev", "test"), default="test")
    ap.add_argument("--pairs", type=Path, default=DEFAULT_CACHE)
    ap.add_argument("--shared", type=Path, default=SHARED, help="the real-scans folder of ../shared/corpora")
    args = ap.parse_args(argv)
    text = "\n".join(loeo_markdown(args.split, args.shared, args.pairs))
    print(text)
    write_result(f"restore_channel_{args.split}", text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
