"""The `vanban` command's contract with scripts: exit codes and one-line errors for bad options."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.errors import ExitCode
from pipeline.review import cli as review_cli


def test_an_unexpected_error_has_its_own_exit_code(monkeypatch, capsys, tmp_path: Path) -> None:
    def broken(args):
        raise KeyError("pages")

    monkeypatch.setattr(review_cli, "run_quality", broken)
    assert main(["quality", str(tmp_path)]) == ExitCode.INTERNAL_ERROR == 9
    assert capsys.readouterr().err == (
        "vanban: internal error: KeyError: 'pages' (set VANBAN_DEBUG=1 for the traceback)\n"
    )


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (["--psm", "14"], "psm must be a Tesseract page segmentation mode, 0 to 13, not 14"),
        (["--dpi", "0"], "dpi must be between 1 and 1200, not 0"),
    ],
)
def test_a_bad_option_value_is_a_usage_error(option: list[str], message: str, capsys, tmp_path: Path) -> None:
    assert main(["process", str(tmp_path), "--out", str(tmp_path / "out"), *option]) == ExitCode.BAD_ARGUMENTS
    assert capsys.readouterr().err == f"vanban: error: {message}\n"


def test_restore_takes_models_dir_and_still_the_old_models_flag(capsys, tmp_path: Path) -> None:
    text = tmp_path / "in.txt"
    text.write_text("thu tuc hanh chinh\n", encoding="utf-8")
    assert main(["restore", str(text), "--models-dir", "models"]) == 0
    assert capsys.readouterr() == ("thủ tục hành chính\n", "")
    assert main(["restore", str(text), "--models", "models"]) == 0
    out, err = capsys.readouterr()
    assert out == "thủ tục hành chính\n"
    assert err == "vanban: note: --models is now --models-dir; --models will be removed\n"


def test_the_command_table_names_what_the_modules_register() -> None:
    from pipeline.cli import COMMANDS, build_parser

    subparsers = next(a for a in build_parser()._actions if a.dest == "command")
    assert list(subparsers.choices) == list(COMMANDS)


def test_a_command_imports_only_its_own_module() -> None:
    """A short `vanban restore` spent most of its time importing the batch, OCR and review commands."""
    import subprocess
    import sys

    probe = ("import sys; from pipeline.cli import build_parser; build_parser(['restore', '-']); "
             "print(sorted(m for m in sys.modules if m.endswith('.cli') and m.startswith('pipeline.')))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "['pipeline.cli', 'pipeline.restore.cli']"
