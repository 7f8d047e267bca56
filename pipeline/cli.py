"""The `vanban` command: one subcommand per job, each registered by its stage's own cli module."""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from pipeline import __version__
from pipeline.config import limit_threads
from pipeline.errors import ExitCode, VanbanError

# Each module has add_parser(subparsers); the order is the order of --help. The command names are listed
# here too so that a command imports only its own module: importing all of them (cv2, requests, spaCy's
# helpers) was 64% of a short `vanban restore` run (about 0.5 CPU-s). test_cli checks the names against what
# the modules register.
COMMANDS = {
    "process": "pipeline.batch.cli",
    "export": "pipeline.batch.cli",
    "ocr": "pipeline.ocr.cli",
    "restore": "pipeline.restore.cli",
    "extract": "pipeline.extract.cli",
    "quality": "pipeline.review.cli",
    "eval": "pipeline.review.cli",
}


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The parser; given the arguments, only the module of the command they name (all without one)."""
    parser = argparse.ArgumentParser(
        prog="vanban",
        description="Scanned Vietnamese administrative documents to restored text and structured JSON.",
    )
    parser.add_argument("--version", action="version", version=f"vanban {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    # the only options before a command are -h and --version, which want every command listed
    named = argv[0] if argv else None
    modules = [COMMANDS[named]] if named in COMMANDS else list(dict.fromkeys(COMMANDS.values()))
    for name in modules:
        importlib.import_module(name).add_parser(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    limit_threads()
    parser = build_parser(sys.argv[1:] if argv is None else argv)
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
