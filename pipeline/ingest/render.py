"""Turn a page pointer into pixels or text. Runs inside the worker, one page at a time,
so a 500-page PDF never sits in memory whole."""

from __future__ import annotations

import codecs
import sys
import warnings
from pathlib import Path

import numpy as np
from PIL import Image

from pipeline.errors import (
    CorruptFileError,
    EmptyInputError,
    ImageTooLargeError,
    InputError,
    MissingDependencyError,
    UnsupportedFormatError,
)
from pipeline.orthography import nfc
from pipeline.record import PageContext

# 300 dpi A0 is ~140 Mpx; anything beyond this is a decompression bomb, not a scan.
MAX_PIXELS = 180_000_000
Image.MAX_IMAGE_PIXELS = MAX_PIXELS


def open_image(path: str) -> Image.Image:
    """Open an image with a bomb check that fails as a clean one-line error."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(path)
            image.size  # noqa: B018 - forces the header parse
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageTooLargeError(
            f"image too large to be a page scan (over {MAX_PIXELS // 1_000_000} megapixels)", path=path
        ) from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise CorruptFileError(f"cannot read the image ({exc})", path=path) from exc
    return image


def image_dpi(image: Image.Image) -> int | None:
    """The resolution the file declares, when it is plausible."""
    dpi = image.info.get("dpi")
    if dpi and dpi[0] and 50 <= float(dpi[0]) <= 2400:
        return int(round(float(dpi[0])))
    return None


def load_page_image(ctx: PageContext) -> tuple[np.ndarray, int | None]:
    """Pixels of one page with the dpi they were made at (None when unknown).

    Grey and bilevel scans stay 2-D grey (no colour to find a seal in, and converting them to RGB and
    back cost ~0.1 s a page); colour scans come as RGB so preprocessing can lift red seals off.
    """
    if ctx.kind == "pdf":
        return _render_pdf_page(ctx), ctx.options.dpi
    image = open_image(ctx.path)
    try:
        if ctx.index_in_file:
            image.seek(ctx.index_in_file)
        dpi = image_dpi(image)
        image.load()
    except (OSError, EOFError, ValueError) as exc:
        raise CorruptFileError(f"cannot decode the image ({exc})", path=ctx.path, page=ctx.number) from exc
    if image.mode in ("L", "1", "I;16", "I"):
        return np.asarray(image.convert("L")), dpi
    return np.asarray(image.convert("RGB")), dpi


def _render_pdf_page(ctx: PageContext) -> np.ndarray:
    from pdf2image import convert_from_path
    from pdf2image.exceptions import PDFInfoNotInstalledError, PDFPageCountError, PDFSyntaxError

    page = ctx.index_in_file + 1
    try:
        images = convert_from_path(ctx.path, dpi=ctx.options.dpi, first_page=page, last_page=page)
    except PDFInfoNotInstalledError as exc:
        raise MissingDependencyError(
            "pdftoppm not found; install poppler-utils (apt install poppler-utils / brew install poppler)"
        ) from exc
    except (PDFPageCountError, PDFSyntaxError) as exc:
        raise CorruptFileError(f"cannot render the PDF page ({exc})", path=ctx.path, page=ctx.number) from exc
    if not images:
        raise CorruptFileError("the PDF page rendered to nothing", path=ctx.path, page=ctx.number)
    return np.asarray(images[0].convert("RGB"))


def decode_text(raw: bytes, label: str) -> str:
    """Decode the bytes of a text file: UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252.

    Legacy Vietnamese encodings (TCVN3, VNI) are 8-bit; decoding them as cp1252 keeps every byte
    as one character, which the restoration stage recognises and converts. Every command that reads
    text (process, restore, extract) decodes through here, so they accept the same files.
    """
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = raw.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise UnsupportedFormatError(
                f"starts with a UTF-16 byte-order mark but is not UTF-16 text (byte {exc.start}); re-save it as UTF-8",
                path=label,
            ) from None
    else:
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("cp1252", errors="replace")
            if "\ufffd" in text:
                text = raw.decode("latin-1")
    if "\x00" in text:
        raise UnsupportedFormatError("a binary file, not text (it holds NUL bytes); give a .txt file", path=label)
    return nfc(text.replace("\r\n", "\n").replace("\r", "\n"))


def read_text_file(path: str) -> str:
    """The text of a .txt document (see ``decode_text``)."""
    return decode_text(Path(path).read_bytes(), path)


def read_text_input(name: str) -> str:
    """The text of a file, or of stdin for ``-``: the input of ``vanban restore`` and ``vanban extract``."""
    if name == "-":
        raw, label = sys.stdin.buffer.read(), "stdin"
    else:
        label = name
        try:
            raw = Path(name).read_bytes()
        except FileNotFoundError:
            raise InputError(f"no such file: {name}") from None
        except IsADirectoryError:
            raise InputError(f"is a directory, not a text file: {name}") from None
        except OSError as exc:
            raise InputError(f"cannot read {name}: {exc.strerror}") from None
    if not raw.strip():
        raise EmptyInputError("empty input: there is no text to read", path=label)
    return decode_text(raw, label)
