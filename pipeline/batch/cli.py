"""``vanban process`` (a batch) and ``vanban export`` (tasks for trackers)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pipeline.config import TONE_STYLES, PipelineConfig
from pipeline.errors import ExitCode, usage_errors
from pipeline.ocr.cli import add_ocr_options, ocr_options


def add_parser(subparsers) -> None:
    process = subparsers.add_parser(
        "process",
        help="process documents into DIR/<name>.json and DIR/documents.jsonl (resumable)",
        description="Process scans, PDFs and .txt files in parallel. Rerunning skips finished documents, "
        "retries failed ones and picks up new files; the catalog is DIR/catalog.sqlite.",
    )
    process.add_argument("inputs", nargs="+", metavar="INPUT", help="files or folders (walked recursively)")
    process.add_argument("--out", required=True, metavar="DIR", help="output folder")
    process.add_argument(
        "--document-per-folder", action="store_true", help="each folder of page images is one document"
    )
    process.add_argument(
        "--workers",
        type=int,
        default=None,
        metavar="N",
        help="local worker processes (default: one per core)",
    )
    process.add_argument("--force", action="store_true", help="redo documents already finished")
    process.add_argument(
        "--dask", metavar="ADDRESS", default=None, help="run pages on a Dask scheduler (tcp://host:8786)"
    )
    process.add_argument(
        "--webhook", metavar="URL", default=None, help="POST each finished record as JSON to URL"
    )
    process.add_argument("--no-restore", action="store_true", help="skip diacritic restoration")
    process.add_argument(
        "--no-extract", action="store_true", help="skip extraction of document facts and tasks"
    )
    process.add_argument(
        "--models-dir", default=None, metavar="DIR", help="restoration models (default: models/)"
    )
    process.add_argument(
        "--tone-style",
        choices=TONE_STYLES,
        default=PipelineConfig.tone_style,
        help="tone-mark placement written by restoration: old = hòa, ủy (default); new = hoà, uỷ",
    )
    process.add_argument(
        "--lean-records",
        action="store_true",
        help="write the OCR words (boxes, confidences) to DIR/<name>.words.jsonl instead of the record",
    )
    process.add_argument("--quiet", action="store_true", help="no progress output")
    add_archive_options(process)
    add_ocr_options(process)
    process.set_defaults(func=run_process)

    export = subparsers.add_parser(
        "export",
        help="export tasks of a batch for an issue tracker",
        description="One row per task: assignee, description, deadline, document number/symbol, date, "
        "issuer, source file and page.",
    )
    export.add_argument("what", choices=["tasks"], help="what to export")
    export.add_argument("out_dir", metavar="OUT_DIR", help="a folder written by vanban process")
    export.add_argument("--format", choices=["csv", "jsonl"], default="csv")
    export.add_argument(
        "--output", metavar="FILE", default=None, help="write here instead of standard output"
    )
    export.set_defaults(func=run_export)


def add_archive_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("archive files")
    group.add_argument(
        "--pdf", action="store_true", help="write DIR/<name>.pdf: the scan with the restored text as a searchable layer"
    )
    group.add_argument(
        "--pdf-type",
        choices=["pdfa", "pdf"],
        default="pdfa",
        help="pdfa: PDF/A-2b, validated (default); pdf: a plain PDF, no conversion",
    )
    group.add_argument("--alto", action="store_true", help="write DIR/<name>.alto.xml (ALTO v4)")
    group.add_argument("--hocr", action="store_true", help="write DIR/<name>.hocr")


def archive_from_args(args: argparse.Namespace):
    from pipeline.batch.archive import ArchiveOptions

    return ArchiveOptions(pdf=args.pdf, pdf_type=args.pdf_type, alto=args.alto, hocr=args.hocr)


def config_from_args(args: argparse.Namespace) -> PipelineConfig:
    with usage_errors():
        return PipelineConfig(
            ocr=ocr_options(args),
            tone_style=args.tone_style,
            restore=not args.no_restore,
            extract=not args.no_extract,
            models_dir=args.models_dir,
            lean_records=args.lean_records,
        )


def run_process(args: argparse.Namespace) -> int:
    from pipeline.batch import run_batch

    if args.workers is not None and args.workers < 1:
        print("vanban: error: --workers must be at least 1", file=sys.stderr)
        return int(ExitCode.BAD_ARGUMENTS)
    try:
        summary = run_batch(
            args.inputs,
            args.out,
            config=config_from_args(args),
            workers=args.workers,
            document_per_folder=args.document_per_folder,
            force=args.force,
            dask_address=args.dask,
            webhook=args.webhook,
            progress=not args.quiet,
            archive=archive_from_args(args),
        )
    except KeyboardInterrupt:
        print("vanban: interrupted; rerun the same command to resume", file=sys.stderr)
        return int(ExitCode.INTERRUPTED)
    print(f"vanban: {summary.line()}", file=sys.stderr)
    for name in summary.failed_names[:20]:
        print(f"vanban: failed: {Path(args.out) / (name + '.json')}", file=sys.stderr)
    return summary.exit_code


def run_export(args: argparse.Namespace) -> int:
    from pipeline.batch.output import write_text
    from pipeline.review.export import all_rows, read_records, to_csv, to_jsonl

    rows = all_rows(read_records(args.out_dir))
    text = to_csv(rows) if args.format == "csv" else to_jsonl(rows)
    if args.output:
        write_text(args.output, text, "the export")
    else:
        sys.stdout.write(text)
    return int(ExitCode.OK)
