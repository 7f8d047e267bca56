"""`vanban extract [FILE|-]`: print the extraction of a (restored) text file as JSON."""

from __future__ import annotations

import argparse
import json
import sys

from pipeline.ingest.render import read_text_input


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


def run(args: argparse.Namespace) -> int:
    """Print the JSON. Bad input raises a typed error: the main CLI prints it as one line."""
    from pipeline.extract import extract

    text = read_text_input(args.file)
    result = extract(text)
    indent = None if getattr(args, "compact", False) else 2
    sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=indent) + "\n")
    return 0
