"""`vanban restore [FILE|-] [--json] [--tone-style old|new] [--models-dir DIR]`."""

from __future__ import annotations

import argparse
import json
import sys

from pipeline.config import TONE_STYLES, PipelineConfig
from pipeline.ingest.render import read_text_input


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "restore",
        help="restore Vietnamese marks and repair OCR damage in a text file",
        description="Restore Vietnamese diacritics, repair old-OCR garble and legacy encodings "
        "(TCVN3, VNI, VIQR, cp1252 mojibake). Writes the restored text to stdout.",
    )
    p.add_argument("file", nargs="?", default="-", help="text file (UTF-8, UTF-16 or 8-bit TCVN3/VNI), or - for stdin (default)")
    p.add_argument("--json", action="store_true", help="print JSON with the text and every changed token")
    p.add_argument(
        "--tone-style",
        choices=TONE_STYLES,
        default=PipelineConfig.tone_style,
        help="tone-mark placement on output: old = hòa/thủy/hóa (default, as in legal texts), new = hoà/thuỷ/hoá",
    )
    p.add_argument(
        "--models-dir", default=None, metavar="DIR", help="folder with lm.npz and lexicon.json (default: models/)"
    )
    # vanban 0.1 called it --models here (and --models-dir in `vanban process`); scripts may still use it.
    p.add_argument("--models", dest="old_models_dir", default=None, help=argparse.SUPPRESS)
    p.set_defaults(func=run)
    return p


def run(args: argparse.Namespace) -> int:
    """Restore one text; returns the process exit code."""
    from pipeline.restore import Restorer

    if args.old_models_dir:
        print("vanban: note: --models is now --models-dir; --models will be removed", file=sys.stderr)
    text = read_text_input(args.file)
    restorer = Restorer.load(args.models_dir or args.old_models_dir)
    res = restorer.restore(text, tone_style=args.tone_style, details=args.json)
    out = sys.stdout
    if args.json:
        payload = {
            "text": res.text,
            "encoding": res.encoding,
            "tone_style": args.tone_style,
            "changes": [c.to_dict() for c in res.changes],
        }
        out.write(json.dumps(payload, ensure_ascii=False, indent=1) + "\n")
    else:
        out.write(res.text)
        if res.text and not res.text.endswith("\n"):
            out.write("\n")
    return 0
