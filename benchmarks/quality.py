"""Calibrate the quality verdict on synthetic scans: does ``review``+``bad`` catch pages with CER > 2%?

    .venv/bin/python -m benchmarks.quality [--per-condition 10] [--records DIR]

Pages: the OCR benchmark's synthetic scans (``benchmarks.ocr.build_pages``), one page per document,
run through the whole pipeline (``pipeline.batch.run_batch``, restoration and extraction on when their
models load) unless ``--records`` points at a folder already written for the same pages (for example
``benchmarks.batch --keep DIR``). A page is *bad in truth* when its CER (text.final vs the truth, NFC,
grapheme clusters) is above 2%.

Calibration: the pages are split by index (even -> calibration, odd -> held out). A small grid over
the thresholds that matter most (low-confidence word level; review limits of mean confidence, low-confidence
share, valid-syllable share, changed share and perplexity) is scored on the calibration half by F1 of "flagged"
(review or bad) against "CER > 2%"; the best setting is reported with its precision and recall on the
held-out half, next to the current defaults (``pipeline.quality.checks.Thresholds``).
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import tempfile
from dataclasses import asdict, replace
from pathlib import Path

from benchmarks.common import (
    REPO_ROOT,
    VLC_DEFAULT,
    cer,
    markdown_table,
    order_free_cer,
    run_header,
    write_result,
)
from benchmarks.ocr import BenchPage, build_pages
from pipeline.quality.checks import DEFAULT_THRESHOLDS, Thresholds, confidence_signals, verdict

CER_LIMIT = 0.02
# The batch benchmark's copy of the OCR benchmark's pages (same generator, its own cache).
CACHE = REPO_ROOT / "benchmarks" / ".cache" / "batch"
GRID = {
    "low_confidence": [50.0, 60.0, 70.0, 80.0],
    "review_confidence_mean": [75.0, 80.0, 85.0, 88.0, 90.0, 92.0],
    "review_low_share": [0.05, 0.08, 0.12, 0.2],
    "review_valid_after": [0.85, 0.9, 0.93, 0.95],
    "review_changed_share": [0.05, 0.1, 0.2],
    "review_perplexity": [20.0, 30.0, 45.0, 100.0, 1e9],
}


def page_case(page: BenchPage, record: dict) -> dict:
    """What calibration needs of one page: its signals, its word confidences and its true CER."""
    signals = dict(record["quality"]["pages"][0]) if record["quality"].get("pages") else {"error": True}
    words = [w["confidence"] for p in record["pages"] for line in p["lines"] for w in line.get("words", [])]
    return {
        "key": page.key,
        "condition": page.condition,
        "plain_cer": cer(page.truth, record["text"]["final"]),
        "order_free_cer": order_free_cer(page.truth, record["text"]["final"]),
        "signals": signals,
        "confidences": words,
        "verdict": record["quality"].get("verdict", "bad"),
    }


def judge(case: dict, limits: Thresholds) -> str:
    """The verdict the page would get under ``limits`` (confidence shares recomputed from its words)."""
    signals = dict(case["signals"])
    if case["confidences"]:
        signals["confidence_mean"], signals["low_confidence_share"] = confidence_signals(
            case["confidences"], limits.low_confidence
        )
    return verdict(signals, limits)[0]


def precision_recall(
    cases: list[dict], limits: Thresholds, metric: str = "order_free_cer"
) -> tuple[float, float, float, int, int]:
    flagged = [judge(c, limits) != "ok" for c in cases]
    truly = [c[metric] > CER_LIMIT for c in cases]
    tp = sum(f and t for f, t in zip(flagged, truly, strict=True))
    precision = tp / sum(flagged) if any(flagged) else 1.0
    recall = tp / sum(truly) if any(truly) else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1, sum(flagged), sum(truly)


def calibrate(cases: list[dict]) -> Thresholds:
    best, best_key = DEFAULT_THRESHOLDS, (-1.0, -1.0)
    for values in itertools.product(*GRID.values()):
        limits = replace(DEFAULT_THRESHOLDS, **dict(zip(GRID, values, strict=True)))
        p, r, f1, _, _ = precision_recall(cases, limits)
        if (f1, p) > best_key:
            best, best_key = limits, (f1, p)
    return best


def load_cases(pages: list[BenchPage], records_dir: Path) -> list[dict]:
    by_name = {}
    for line in (records_dir / "documents.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        by_name[Path(record["source"]["path"]).stem] = record
    return [page_case(p, by_name[p.key]) for p in pages if p.key in by_name]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="calibrate quality verdicts on synthetic scans")
    parser.add_argument("--corpus", type=Path, default=VLC_DEFAULT)
    parser.add_argument("--per-condition", type=int, default=10)
    parser.add_argument(
        "--records", type=Path, default=None, help="a batch folder already holding these pages"
    )
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)

    pages = build_pages(args.corpus, args.per_condition, cache=CACHE)
    records_dir = args.records
    if records_dir is None:
        from pipeline.batch import run_batch
        from pipeline.config import PipelineConfig

        records_dir = Path(tempfile.mkdtemp(prefix="vanban-bench-quality-"))
        run_batch(
            [p.path for p in pages], records_dir, config=PipelineConfig(), workers=args.workers, progress=True
        )
    cases = load_cases(pages, records_dir)
    calibration = [c for i, c in enumerate(cases) if i % 2 == 0]
    held_out = [c for i, c in enumerate(cases) if i % 2 == 1]
    chosen = calibrate(calibration)

    rows = []
    for metric in ("order_free_cer", "plain_cer"):
        for name, limits in (("shipped defaults", DEFAULT_THRESHOLDS), ("calibrated on even pages", chosen)):
            for part, subset in (("calibration", calibration), ("held out", held_out), ("all", cases)):
                p, r, f1, flagged, truly = precision_recall(subset, limits, metric)
                rows.append(
                    [
                        metric.replace("_", " "),
                        name,
                        part,
                        len(subset),
                        truly,
                        flagged,
                        f"{p:.2f}",
                        f"{r:.2f}",
                        f"{f1:.2f}",
                    ]
                )
    per_condition = []
    for condition in dict.fromkeys(c["condition"] for c in cases):
        group = [c for c in cases if c["condition"] == condition]
        counts = {v: sum(judge(c, DEFAULT_THRESHOLDS) == v for c in group) for v in ("ok", "review", "bad")}
        per_condition.append(
            [
                condition,
                len(group),
                f"{100 * sum(c['order_free_cer'] for c in group) / len(group):.2f}%",
                sum(c["order_free_cer"] > CER_LIMIT for c in group),
                f"{100 * sum(c['plain_cer'] for c in group) / len(group):.2f}%",
                counts["ok"],
                counts["review"],
                counts["bad"],
            ]
        )
    with_lm = all(c["signals"].get("perplexity") is not None for c in cases if not c["signals"].get("error"))
    grid_keys = {k: v for k, v in asdict(chosen).items() if k in GRID}
    shipped = {k: v for k, v in asdict(DEFAULT_THRESHOLDS).items() if k in GRID}
    command = ".venv/bin/python -m benchmarks.quality" + " ".join(["", *(sys.argv[1:] if argv is None else argv)]).rstrip()
    text = "\n".join(
        [
            run_header("quality verdicts vs true CER (synthetic scans)", command),
            f"{len(cases)} one-page documents ({args.per_condition} per damage condition) through the whole pipeline "
            f"(restoration and extraction on). A page is bad in truth when the CER of its final text is above "
            f"{CER_LIMIT:.0%}: the reading-order-free CER (benchmarks.common.order_free_cer) is the primary measure, "
            "because plain CER on these pages is dominated by the order in which the two-column header is read, "
            "which no quality signal is meant to see; plain CER is shown too. Flagged = verdict review or bad. "
            f"Language-model signals present: {'yes' if with_lm else 'no'}. Even pages calibrate, odd pages are held out."
        + (
            " Records were read from the folder of an earlier run of this script on the same pages (`--records`)."
            if args.records
            else ""
        ),
            "",
            "## Precision and recall of review+bad for pages with CER > 2%",
            "",
            markdown_table(
                ["true CER", "thresholds", "pages", "n", "CER > 2%", "flagged", "precision", "recall", "F1"],
                rows,
            ),
            "",
            f"Calibrated (grid, F1 on even pages, order-free CER): `{json.dumps(grid_keys)}`; "
            f"shipped defaults: `{json.dumps(shipped)}`.",
            "",
            "## Verdicts per condition (shipped defaults)",
            "",
            markdown_table(
                [
                    "condition",
                    "pages",
                    "mean order-free CER",
                    "order-free CER > 2%",
                    "mean plain CER",
                    "ok",
                    "review",
                    "bad",
                ],
                per_condition,
            ),
        ]
    )
    print(text)
    print(f"wrote {write_result('quality', text)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
