"""The `vanban` command: one subcommand per job, each registered by its stage's own cli module."""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from pipeline import __version__
from pipeline.config import limit_threads
from pipeline.errors import ExitCode, VanbanError

# Each module has add_parser(subparsers); the order is the order of --help.
COMMAND_MODULES = (
    "pipeline.batch.cli",
    "pipeline.ocr.cli",
    "pipeline.restore.cli",
    "pipeline.extract.cli",
    "pipeline.review.cli",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vanban",
        description="Scanned Vietnamese administrative documents to restored text and structured JSON.",
    )
    parser.add_argument("--version", action="version", version=f"vanban {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).add_parser(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    limit_threads()
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return ExitCode.BAD_ARGUMENTS
    try:
        return int(args.func(args))
    except VanbanError as error:
        print(f"vanban: error: {error}", file=sys.stderr)
        return int(error.exit_code)
    except KeyboardInterrupt:
        print("vanban: interrupted; rerun the same command to resume", file=sys.stderr)
        return int(ExitCode.INTERRUPTED)
    except BrokenPipeError:
        return int(ExitCode.OK)
    except Exception as error:  # noqa: BLE001 - one line for users; the traceback on request
        if os.environ.get("VANBAN_DEBUG"):
            raise
        print(
            f"vanban: internal error: {type(error).__name__}: {error} (set VANBAN_DEBUG=1 for the traceback)",
            file=sys.stderr,
        )
        return int(ExitCode.INTERNAL_ERROR)


if __name__ == "__main__":
    sys.exit(main())
