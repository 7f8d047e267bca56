"""`vanban restore [FILE|-] [--json] [--tone-style old|new] [--models DIR]`."""

from __future__ import annotations

import argparse
import json
import sys

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
        choices=["old", "new"],
        default="old",
        help="tone-mark placement on output: old = hòa/thủy/hóa (default, as in legal texts), new = hoà/thuỷ/hoá",
    )
    p.add_argument("--models", default=None, help="folder with lm.npz and lexicon.json (default: <repo>/models)")
    p.set_defaults(func=run)
    return p


def run(args: argparse.Namespace) -> int:
    """Restore one text; returns the process exit code."""
    from pipeline.restore import Restorer

    text = read_text_input(args.file)
    restorer = Restorer.load(args.models)
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
