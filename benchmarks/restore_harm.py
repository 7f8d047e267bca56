"""Harm and repair by the restoration stage on Vietnamese OCR of scanned administrative letters.

`python -m benchmarks.restore_harm [--conditions clean,mild,heavy,lowres,stamp]`. Pages: the extraction
benchmark's synthetic scans of corpora/dev (benchmarks/.cache/extract/NAME.CONDITION.tif, made by
`make bench-extract`), read by the pipeline's OCR stage (confidences and per-character choices, as
`vanban process` passes them; cached in benchmarks/.cache/restore_harm/). For each condition: WER
before/after restoration against corpora/dev/NAME.txt, and the number of changed tokens that were
correct as read (harmful) or that now equal the truth (repaired). Writes benchmarks/results/restore_harm.md.
"""

from __future__ import annotations

import argparse
import bisect
import json
import re
import subprocess
import sys
from difflib import SequenceMatcher
from pathlib import Path

from rapidfuzz.distance import Levenshtein

from benchmarks.restore_data import REPO
from pipeline.restore import Restorer
from pipeline.restore.viet import canonical

SCANS = REPO / "benchmarks" / ".cache" / "extract"
CACHE = REPO / "benchmarks" / ".cache" / "restore_harm"
RESULT = REPO / "benchmarks" / "results" / "restore_harm.md"


def read_scan(path: Path) -> tuple[str, list[dict]]:
    """OCR text and words of all pages of one scan through the pipeline's OCR stage (cached as JSON)."""
    cached = CACHE / (path.stem + ".json")
    if cached.is_file():
        d = json.loads(cached.read_text(encoding="utf-8"))
        return d["text"], d["words"]
    from pipeline.document import join_pages, restoration_words
    from pipeline.ingest import open_document
    from pipeline.ocr.page import read_page
    from pipeline.record import OcrOptions

    # Every page of the document (the truth is the whole document), joined as text.final joins them.
    pages = [read_page(ctx) for ctx in open_document(str(path), OcrOptions(char_choices="always")).pages]
    text, starts = join_pages([page.text or "" for page in pages])
    words = restoration_words(pages, starts)
    CACHE.mkdir(parents=True, exist_ok=True)
    cached.write_text(json.dumps({"text": text, "words": words}, ensure_ascii=False), encoding="utf-8")
    return text, words


def tally(r: Restorer, text: str, words: list[dict], truth: str) -> tuple[int, int, int, int, int, list[str]]:
    """(errors before, after, reference tokens, harmful changes, repairs, harmful examples)."""
    ref = [canonical(w) for w in truth.split()]
    res = r.restore(text, ocr_words=words)
    spans = [(m.start(), m.end()) for m in re.finditer(r"\S+", text)]
    hyp = [canonical(text[s:e]) for s, e in spans]
    good: set[int] = set()
    target: dict[int, str] = {}
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, hyp, ref, autojunk=False).get_opcodes():
        if tag == "equal":
            good.update(range(i1, i2))
        elif tag == "replace" and i2 - i1 == j2 - j1:
            target.update({i1 + q: ref[j1 + q] for q in range(i2 - i1)})
    starts = [s for s, _ in spans]
    harm = fixed = 0
    examples = []
    for c in res.changes:
        k = bisect.bisect_right(starts, c.start) - 1
        s, e = spans[k]
        new = canonical(text[s:c.start] + c.chosen + text[c.end:e])
        if k in good:
            harm += 1
            examples.append(f"{text[s:e]} -> {new}")
        elif target.get(k) == new:
            fixed += 1
    before = Levenshtein.distance(hyp, ref)
    after = Levenshtein.distance([canonical(w) for w in res.text.split()], ref)
    return before, after, len(ref), harm, fixed, examples


# Measured with this script on the same scans with the restorer as committed before the OCR guards
# (commit ad24b26): the reference point of the table.
BEFORE_GUARDS = (
    "Before the OCR guards (restorer of commit ad24b26, same scans and counting): WER after clean 5.52%, mild "
    "5.82%, heavy 31.55%, lowres 8.29%, stamp 6.05%; harmful changes clean 15, mild 8, heavy 29, lowres 13, "
    "stamp 8; repairs clean 5, mild 12, heavy 137, lowres 52, stamp 10."
)


def harm_table(conditions: str = "clean,mild,heavy,lowres,stamp") -> list[str] | None:
    """Markdown lines of the table (None when the extraction scans are not there)."""
    r = Restorer.load()
    rows = []
    all_examples: list[str] = []
    for cond in conditions.split(","):
        tot = [0, 0, 0, 0, 0]
        pages = 0
        for scan in sorted(SCANS.glob(f"*.{cond}.tif")):
            truth = REPO / "corpora" / "dev" / (scan.name.split(".")[0] + ".txt")
            if not truth.is_file():
                continue
            text, words = read_scan(scan)
            *nums, ex = tally(r, text, words, truth.read_text(encoding="utf-8"))
            tot = [a + b for a, b in zip(tot, nums, strict=True)]
            all_examples += [f"{cond}: {x}" for x in ex]
            pages += 1
        if pages:
            b, a, n, h, f = tot
            rows.append((cond, pages, n, f"{b / n:.2%}", f"{a / n:.2%}", f"{(a - b) / max(1, b):+.1%}", h, f))
    if not rows:
        return None
    return [
        "| condition | pages | reference tokens | WER before | WER after | change | harmful changes | repairs |",
        "|---|---|---|---|---|---|---|---|",
        *(f"| {' | '.join(str(x) for x in row)} |" for row in rows),
        "",
        "Harmful change: a token that was correct as read and was changed. Repair: a wrong token that now "
        "equals the truth.",
        "",
        "Harmful changes left: " + ("; ".join(all_examples) if all_examples else "none"),
        "",
        BEFORE_GUARDS,
    ]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.restore_harm", description=__doc__)
    ap.add_argument("--conditions", default="clean,mild,heavy,lowres,stamp")
    args = ap.parse_args(argv)
    body = harm_table(args.conditions)
    if body is None:
        print(f"no scans in {SCANS}: run `make bench-extract` first", file=sys.stderr)
        return 1
    date = subprocess.run(["date", "-u", "+%F"], capture_output=True, text=True).stdout.strip()
    lines = [
        "# Restoration on Vietnamese OCR of scanned administrative letters: harm and repair",
        "",
        f"Command: `.venv/bin/python -m benchmarks.restore_harm`; machine: 2 cores; date: {date}. Scans: the "
        "extraction benchmark's synthetic pages of corpora/dev, read by the pipeline's OCR stage; WER over "
        "whitespace tokens (tone style normalised), against corpora/dev/NAME.txt.",
        "",
        *body,
    ]
    table = "\n".join(lines) + "\n"
    print(table)
    RESULT.write_text(table, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
