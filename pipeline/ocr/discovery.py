"""Finding Tesseract and its models: the installed version, the languages it can load, where they live."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from functools import lru_cache

import pytesseract

from pipeline.errors import MissingDependencyError
from pipeline.record import OcrOptions

_LISTED_DIR = re.compile(r'"(.+)"')


@lru_cache(maxsize=1)
def tesseract_version() -> str:
    """The installed version, or a one-line error saying how to install it."""
    if shutil.which(pytesseract.pytesseract.tesseract_cmd) is None:
        raise MissingDependencyError(
            "tesseract not found; install it (apt install tesseract-ocr tesseract-ocr-vie / brew install "
            "tesseract tesseract-lang)"
        )
    return str(pytesseract.get_tesseract_version())


@lru_cache(maxsize=8)
def _list_langs(tessdata_dir: str | None) -> tuple[str, ...]:
    tesseract_version()
    command = [pytesseract.pytesseract.tesseract_cmd, "--list-langs"]
    if tessdata_dir:
        command += ["--tessdata-dir", tessdata_dir]
    return tuple(subprocess.run(command, capture_output=True, text=True, timeout=60).stdout.splitlines())


@lru_cache(maxsize=8)
def available_languages(tessdata_dir: str | None = None) -> frozenset[str]:
    """Models Tesseract can load. Asked of ``tesseract --list-langs`` directly: pytesseract's own
    list drops names outside [a-z_], such as the script model ``Vietnamese`` and ``script/Vietnamese``."""
    listed = _list_langs(tessdata_dir)
    names = {line.strip() for line in listed[1:] if line.strip()}
    return frozenset(names | {f"script/{n}" for n in names if n[:1].isupper()})


def tessdata_folder(tessdata_dir: str | None) -> str:
    """The folder the models come from, as the tesseract program finds it (its first --list-langs line)."""
    if tessdata_dir:
        return os.path.join(os.path.abspath(tessdata_dir), "")
    listed = _list_langs(None)
    match = _LISTED_DIR.search(listed[0]) if listed else None
    if not match:
        raise MissingDependencyError("cannot tell where Tesseract's models are; pass --tessdata-dir")
    return os.path.join(match.group(1), "")


def check_language(options: OcrOptions) -> None:
    tesseract_version()
    missing = set(options.language.split("+")) - available_languages(options.tessdata_dir)
    if missing:
        raise MissingDependencyError(
            f"Tesseract language '{'+'.join(sorted(missing))}' is not installed; apt install tesseract-ocr-vie "
            "tesseract-ocr-script-viet (or pass --tessdata-dir)"
        )
