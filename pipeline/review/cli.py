"""``vanban quality OUT_DIR [--html FILE]`` and ``vanban eval --truth TRUTH_DIR OUT_DIR``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from pipeline.errors import ExitCode, InputError
from pipeline.ingest.render import read_text_file


def add_parser(subparsers) -> None:
    quality = subparsers.add_parser(
        "quality",
        help="summarise the quality verdicts of a batch; --html writes a report for reviewers",
        description="Counts per verdict (ok/review/bad) and the worst pages of a folder written by vanban process.",
    )
    quality.add_argument("out_dir", metavar="OUT_DIR")
    quality.add_argument("--html", metavar="FILE", default=None, help="write a self-contained HTML report")
    quality.add_argument("--worst", type=int, default=10, metavar="N", help="how many worst pages to list")
    quality.add_argument(
        "--no-thumbnails", action="store_true", help="leave page images out of the HTML report"
    )
    quality.set_defaults(func=run_quality)

    evaluate = subparsers.add_parser(
        "eval",
        help="CER/WER of a batch against ground-truth texts",
        description="Matches TRUTH_DIR/<name>.txt to OUT_DIR/<name>.json and reports CER (grapheme clusters, NFC), "
        "WER and a reading-order-free CER, per document and overall.",
    )
    evaluate.add_argument(
        "--truth", required=True, metavar="TRUTH_DIR", help="folder of <name>.txt ground truths"
    )
    evaluate.add_argument("out_dir", metavar="OUT_DIR")
    evaluate.add_argument("--json", action="store_true", help="print JSON instead of a table")
    evaluate.set_defaults(func=run_eval)


def load_records(out_dir: str) -> list[dict]:
    from pipeline.document import with_words
    from pipeline.review.export import read_records

    return [with_words(record, Path(out_dir)) for record in read_records(out_dir)]


def run_quality(args: argparse.Namespace) -> int:
    from pipeline.batch.output import write_text
    from pipeline.review.report import html_report, summary_text

    records = load_records(args.out_dir)
    print(summary_text(records, worst=args.worst))
    if args.html:
        text = html_report(
            records, title=f"vanban quality: {Path(args.out_dir).name}", thumbnails=not args.no_thumbnails
        )
        write_text(args.html, text, "the report")
        print(f"report: {args.html}", file=sys.stderr)
    return int(ExitCode.OK)


def evaluate(truth_dir: Path, out_dir: Path) -> dict:
    """Scores per document and overall (sums of edits over sums of lengths)."""
    from pipeline.review.metrics import score

    truths = sorted(truth_dir.glob("*.txt"))
    if not truths:
        raise InputError("no <name>.txt ground-truth files here", path=str(truth_dir))
    documents, missing, total = [], [], None
    for truth_path in truths:
        record_path = out_dir / f"{truth_path.stem}.json"
        if not record_path.is_file():
            missing.append(truth_path.stem)
            continue
        record = json.loads(record_path.read_text(encoding="utf-8"))
        truth = read_text_file(str(truth_path))
        scores = score(truth, record["text"]["final"])
        row = {"name": truth_path.stem, **scores.as_dict()}
        if record["text"].get("ocr"):
            row["cer_before_restoration"] = round(score(truth, record["text"]["ocr"]).cer.rate, 5)
        documents.append(row)
        total = scores if total is None else total + scores
    if total is None:
        raise InputError(
            f"no record in {out_dir} matches a truth file (expected <name>.json)", path=str(out_dir)
        )
    return {"documents": documents, "overall": total.as_dict(), "missing": missing}


def run_eval(args: argparse.Namespace) -> int:
    result = evaluate(Path(args.truth), Path(args.out_dir))
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=1))
        return int(ExitCode.OK)
    print(f"{'document':<40} {'chars':>7} {'CER':>8} {'WER':>8} {'order-free CER':>15}")
    for row in [*result["documents"], {"name": "overall", **result["overall"]}]:
        print(
            f"{row['name']:<40} {row['chars']:>7} {row['cer']:>8.2%} {row['wer']:>8.2%} {row['order_free_cer']:>15.2%}"
        )
    for name in result["missing"]:
        print(f"vanban: no record for {name}.txt", file=sys.stderr)
    return int(ExitCode.OK)
