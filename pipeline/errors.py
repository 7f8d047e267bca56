"""The catalogue of vanban's errors.

Every failure a user can meet is one of these classes: a one-line, actionable message and an exit
code, in the spirit of OCRmyPDF's ExitCode. The CLI prints ``str(error)`` and exits with
``error.exit_code``; a batch records ``error.to_dict()`` in the document's ``errors`` and goes on.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from enum import IntEnum


class ExitCode(IntEnum):
    """Process exit codes; stable, so scripts can branch on them."""

    OK = 0
    SOME_DOCUMENTS_FAILED = 1
    BAD_ARGUMENTS = 2
    INPUT_FILE = 3
    MISSING_DEPENDENCY = 4
    OCR_FAILED = 5
    OUTPUT = 6
    MODEL = 7
    INTERNAL_ERROR = 9  # a defect of vanban itself (set VANBAN_DEBUG=1 for the traceback)
    INTERRUPTED = 130


class VanbanError(Exception):
    """Base of every error vanban raises on purpose."""

    code = "error"
    exit_code = ExitCode.SOME_DOCUMENTS_FAILED

    def __init__(self, message: str, *, path: str | None = None, page: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.page = page

    def __str__(self) -> str:
        where = ""
        if self.path:
            where = f"{self.path}: "
            if self.page is not None:
                where = f"{self.path} page {self.page}: "
        elif self.page is not None:
            where = f"page {self.page}: "
        return f"{where}{self.message}"

    def to_dict(self) -> dict:
        """The form recorded in a record's ``errors`` list."""
        return {"code": self.code, "message": self.message, "page": self.page, "stage": self.stage}

    stage = "pipeline"


class UsageError(VanbanError):
    """A command-line option that cannot work, refused before any document is read."""

    code = "bad-arguments"
    exit_code = ExitCode.BAD_ARGUMENTS


@contextlib.contextmanager
def usage_errors() -> Iterator[None]:
    """Options are checked where they are defined (``ValueError``); on the command line that is a usage error."""
    try:
        yield
    except ValueError as error:
        raise UsageError(str(error)) from error


class InputError(VanbanError):
    """An input file that cannot be read as a document."""

    code = "input"
    exit_code = ExitCode.INPUT_FILE
    stage = "ingest"


class EmptyInputError(InputError):
    code = "empty-file"


class UnsupportedFormatError(InputError):
    code = "unsupported-format"


class CorruptFileError(InputError):
    code = "corrupt-file"


class PasswordProtectedError(InputError):
    """A PDF that needs a user password to open (owner-only encryption opens without one)."""

    code = "password-protected"


class PageTooLargeError(InputError):
    """A page whose declared size would render to more pixels than a page scan can have."""

    code = "page-too-large"


class NotAPdfError(UnsupportedFormatError):
    """A file named .pdf holding something else (an HTML error page saved by a browser, a ZIP)."""

    code = "not-a-pdf"


class ImageTooLargeError(InputError):
    code = "image-too-large"


class NoDocumentsError(InputError):
    code = "no-documents"


class MissingDependencyError(VanbanError):
    """An external program (tesseract, pdftoppm) or language model is not installed."""

    code = "missing-dependency"
    exit_code = ExitCode.MISSING_DEPENDENCY


class OcrError(VanbanError):
    """Tesseract failed on a page (crash, timeout, unreadable output)."""

    code = "ocr-failed"
    exit_code = ExitCode.OCR_FAILED
    stage = "ocr"


class ModelError(VanbanError):
    """A model file under models/ is missing or damaged."""

    code = "model"
    exit_code = ExitCode.MODEL
    stage = "restore"


class OutputError(VanbanError):
    """The output folder cannot be written."""

    code = "output"
    exit_code = ExitCode.OUTPUT
    stage = "output"


def printable(text: str) -> str:
    """Text as records and the catalog store it: bytes of a file name that are not UTF-8 (a legacy code
    page; Python holds them as lone surrogates, which SQLite and JSON refuse) become U+FFFD. The file
    is still opened by its own name."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def error_record(error: BaseException, *, stage: str, page: int | None = None) -> dict:
    """Turn any exception into the record form, so one bad page never kills a document."""
    if isinstance(error, VanbanError):
        out = error.to_dict()
        out["message"] = printable(out["message"])
        out["stage"] = stage or out["stage"]
        if page is not None:
            out["page"] = page
        return out
    return {
        "code": "internal",
        "message": printable(f"{type(error).__name__}: {error}"),
        "page": page,
        "stage": stage,
    }
