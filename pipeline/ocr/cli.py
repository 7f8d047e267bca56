"""`vanban ocr FILE`: print the page text of one document, or with --json its pages, lines and words."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict

from pipeline.config import PipelineConfig
from pipeline.document import Document
from pipeline.errors import usage_errors
from pipeline.ingest import open_document
from pipeline.ocr.discovery import check_language
from pipeline.record import CHAR_CHOICES, ENGINES, OcrOptions
from pipeline.stages import run_stages


def add_ocr_options(parser: argparse.ArgumentParser) -> None:
    """Options shared by every command that runs OCR."""
    group = parser.add_argument_group("OCR")
    group.add_argument(
        "--lang", default=OcrOptions.language, help="Tesseract language model (default: vie; also Vietnamese)"
    )
    group.add_argument("--psm", type=int, default=OcrOptions.psm, help="Tesseract page segmentation mode (default: 3)")
    group.add_argument("--tessdata-dir", default=None, help="folder of .traineddata files (e.g. tessdata best)")
    group.add_argument("--force-ocr", action="store_true", help="OCR every page even when a PDF has a good text layer")
    group.add_argument("--no-preprocess", action="store_true", help="give Tesseract the page as it is")
    group.add_argument(
        "--char-choices",
        choices=CHAR_CHOICES,
        default=OcrOptions.char_choices,
        help="Tesseract's per-character alternatives, which restoration uses to repair marks: auto (default) "
        "asks for them on damaged pages only (toner specks, under 200 dpi); they cost ~15%% of Tesseract's time",
    )
    group.add_argument(
        "--dpi", type=int, default=OcrOptions.dpi, help="resolution PDF pages are rendered at (default: 300)"
    )
    group.add_argument(
        "--engine",
        choices=ENGINES,
        default=OcrOptions.engine,
        help="library (default): Tesseract's library, loaded once per worker; cli: the tesseract program, "
        "started for every page (slower by the model load; used anyway when tesserocr is missing)",
    )


def ocr_options(args: argparse.Namespace) -> OcrOptions:
    with usage_errors():
        return OcrOptions(
            language=args.lang,
            psm=args.psm,
            tessdata_dir=args.tessdata_dir,
            preprocess=not args.no_preprocess,
            force_ocr=args.force_ocr,
            char_choices=args.char_choices,
            dpi=args.dpi,
            engine=args.engine,
        )


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("ocr", help="read one scan or PDF and print its text")
    parser.add_argument("file", help="PDF, PNG, JPEG, TIFF or .txt")
    parser.add_argument("--json", action="store_true", help="print pages, lines and words with boxes and confidences")
    add_ocr_options(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    options = ocr_options(args)
    source = open_document(args.file, options)
    if source.kind != "text":
        check_language(options)
    document = run_stages(Document.of(source), PipelineConfig(ocr=options), only=("ocr", "assemble"))
    if args.json:
        out = {"source": document.source, "pages": [_page_json(p) for p in document.pages]}
        json.dump(out, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(document.text + "\n")
    failed = [e for e in document.errors if e.get("page") is not None]
    for error in failed:
        print(f"vanban: error: {args.file} page {error['page']}: {error['message']}", file=sys.stderr)
    return 1 if failed else 0


def _page_json(page) -> dict:
    data = asdict(page)
    for line in data["lines"]:
        for word in line["words"]:
            if word["choices"] is None:
                del word["choices"]
    return data
