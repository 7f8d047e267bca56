"""`vanban restore [FILE|-] [--json] [--tone-style old|new] [--models DIR]`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from pipeline.errors import InputError, VanbanError


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "restore",
        help="restore Vietnamese marks and repair OCR damage in a text file",
        description="Restore Vietnamese diacritics, repair old-OCR garble and legacy encodings "
        "(TCVN3, VNI, VIQR, cp1252 mojibake). Writes the restored text to stdout.",
    )
    p.add_argument("file", nargs="?", default="-", help="UTF-8 text file, or - for stdin (default)")
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


def read_text(name: str) -> str:
    """Read UTF-8 text from a file or stdin; binary or undecodable input is an InputError."""
    if name == "-":
        data = sys.stdin.buffer.read()
        label = "stdin"
    else:
        path = Path(name)
        if not path.is_file():
            raise InputError(f"no such file: {name}", path=None)
        data = path.read_bytes()
        label = name
    if b"\x00" in data[:8192]:
        raise InputError(f"{label} is a binary file, not text: give a UTF-8 .txt file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{label} is not valid UTF-8 (byte {exc.start}): convert it to UTF-8 first (legacy TCVN3/VNI text "
            "must be read as latin-1 and saved as UTF-8)"
        ) from exc
    return text.replace("\r\n", "\n")


def run(args: argparse.Namespace) -> int:
    """Restore one text; returns the process exit code."""
    from pipeline.restore import Restorer

    text = read_text(args.file)
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


def main(argv: list[str] | None = None) -> int:
    """Standalone entry (`python -m pipeline.restore.cli`), same behaviour as `vanban restore`."""
    parser = argparse.ArgumentParser(prog="vanban")
    sub = parser.add_subparsers(dest="command")
    add_parser(sub)
    args = parser.parse_args(["restore", *(sys.argv[1:] if argv is None else argv)])
    try:
        return run(args)
    except VanbanError as error:
        print(f"vanban: error: {error}", file=sys.stderr)
        return int(error.exit_code)
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
