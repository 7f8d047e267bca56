"""`vanban extract [FILE|-]`: print the extraction of a (restored) text file as JSON."""

from __future__ import annotations

import argparse
import json
import sys
import unicodedata
from pathlib import Path

from pipeline.errors import EmptyInputError, InputError, UnsupportedFormatError, VanbanError


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register the ``extract`` subcommand on the main CLI."""
    p = subparsers.add_parser(
        "extract",
        help="extract number, dates, issuer, references and tasks from a text file as JSON",
        description="Read restored text (UTF-8; '-' or nothing for standard input) and print the "
        "extraction JSON (schema: pipeline/schema/extraction.schema.json).",
    )
    p.add_argument("file", nargs="?", default="-", help="text file, or - for standard input")
    p.add_argument("--compact", action="store_true", help="one-line JSON instead of indented")
    p.set_defaults(func=run)
    return p


def read_text(file: str) -> str:
    """The input as NFC text; a typed error for anything that is not non-empty UTF-8 text."""
    name = "<stdin>" if file == "-" else file
    try:
        data = sys.stdin.buffer.read() if file == "-" else Path(file).read_bytes()
    except FileNotFoundError:
        raise InputError(f"no such file: {file}") from None
    except IsADirectoryError:
        raise InputError(f"is a directory, not a text file: {file}") from None
    except OSError as exc:
        raise InputError(f"cannot read {file}: {exc.strerror}") from None
    if not data.strip():
        raise EmptyInputError("empty input: nothing to extract", path=name)
    if b"\x00" in data[:4096]:
        raise UnsupportedFormatError("binary file: extract reads UTF-8 text (run `vanban process` on scans)",
                                     path=name)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnsupportedFormatError(f"not UTF-8 text (byte {exc.start}): re-encode it as UTF-8", path=name) from None
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n"))


def run(args: argparse.Namespace) -> int:
    """Print the JSON; on bad input print one line to stderr and return the error's exit code."""
    from pipeline.extract import extract

    try:
        text = read_text(args.file)
    except VanbanError as exc:
        print(f"vanban extract: {exc}", file=sys.stderr)
        return int(exc.exit_code)
    result = extract(text)
    indent = None if getattr(args, "compact", False) else 2
    sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=indent) + "\n")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Stand-alone entry (``python -m pipeline.extract.cli``), same behaviour as ``vanban extract``."""
    parser = argparse.ArgumentParser(prog="vanban")
    sub = parser.add_subparsers(dest="command", required=True)
    add_parser(sub)
    args = parser.parse_args(["extract", *(sys.argv[1:] if argv is None else argv)])
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
