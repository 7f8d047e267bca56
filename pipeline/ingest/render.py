"""Turn a page pointer into pixels or text. Runs inside the worker, one page at a time,
so a 500-page PDF never sits in memory whole."""

from __future__ import annotations

import codecs
import subprocess
import sys
import tempfile
import threading
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
from pipeline.ingest.limits import MAX_PIXELS, check_image_size
from pipeline.orthography import nfc
from pipeline.record import PageContext

# Pillow's own bomb check, at the page limit (see pipeline.ingest.limits).
Image.MAX_IMAGE_PIXELS = MAX_PIXELS


def open_image(path: str) -> Image.Image:
    """Open an image with a bomb check that fails as a clean one-line error."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(path)
            width, height = image.size
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageTooLargeError(
            f"image too large to be a page scan (over {MAX_PIXELS // 1_000_000} megapixels)", path=path
        ) from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise CorruptFileError(f"cannot read the image ({exc})", path=path) from exc
    check_image_size(width, height, path)
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
            check_image_size(*image.size, ctx.path)  # a TIFF's later frame has its own size
        dpi = image_dpi(image)
        image.load()
    except (OSError, EOFError, ValueError) as exc:
        raise CorruptFileError(f"cannot decode the image ({exc})", path=ctx.path, page=ctx.number) from exc
    if image.mode in ("L", "1", "I;16", "I"):
        return np.asarray(image.convert("L")), dpi
    return np.asarray(image.convert("RGB")), dpi


def _render_pdf_page(ctx: PageContext) -> np.ndarray:
    """One PDF page as RGB pixels, read straight from pdftoppm's PPM output into the array.

    pdf2image's convert_from_path (used before) held the page four times over (the PPM bytes, Pillow's
    image, its RGB copy, the numpy copy): an A0 page at 300 dpi, 418 MB of pixels, took the worker to
    1.9 GB. Reading the stream into a preallocated array holds it once (measured in BENCHMARKS.md,
    "Faults"); pdftoppm's own bitmap lives in its process while it writes.
    """
    page = str(ctx.index_in_file + 1)
    command = ["pdftoppm", "-r", str(ctx.options.dpi), "-f", page, "-l", page, ctx.path]
    # stderr to a file, not a pipe: a broken PDF's thousands of warnings would fill a pipe nobody
    # reads while the pixels are being read, and both processes would wait for ever.
    with tempfile.TemporaryFile() as errors:
        try:
            proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors)
        except FileNotFoundError as exc:
            raise MissingDependencyError(
                "pdftoppm not found; install poppler-utils (apt install poppler-utils / brew install poppler)"
            ) from exc
        watchdog = threading.Timer(ctx.options.timeout_s, proc.kill)
        watchdog.start()
        try:
            pixels = _read_ppm(proc.stdout, ctx.path)
            proc.stdout.read()  # the rest (nothing for one page); lets pdftoppm exit
            proc.wait()
        finally:
            watchdog.cancel()
            if proc.poll() is None:  # an error left it writing: it is not needed any more
                proc.kill()
                proc.wait()
            proc.stdout.close()
        errors.seek(0)
        stderr = errors.read()[-2000:].decode("utf-8", "replace").strip()
    if proc.returncode != 0 or pixels is None:
        why = stderr.splitlines()[-1] if stderr else f"pdftoppm exit status {proc.returncode}"
        if proc.returncode == -9:
            why = f"rendering took over {ctx.options.timeout_s:g} s"
        raise CorruptFileError(f"cannot render the PDF page ({why})", path=ctx.path, page=ctx.number)
    return pixels


def _read_ppm(stream, path: str) -> np.ndarray | None:
    """A binary PPM (P6, 8 bits) from ``stream`` into a new (height, width, 3) array; None when the
    stream holds no whole image. The size is checked again before the array is allocated."""
    fields: list[bytes] = []
    while len(fields) < 4:
        line = stream.readline(64)
        if not line:
            return None
        fields += line.split(b"#", 1)[0].split()
    if fields[0] != b"P6" or fields[3] != b"255":
        return None
    width, height = int(fields[1]), int(fields[2])
    check_image_size(width, height, path)
    pixels = np.empty((height, width, 3), dtype=np.uint8)
    view = memoryview(pixels).cast("B")
    filled = 0
    while filled < len(view):
        count = stream.readinto(view[filled:])
        if not count:
            return None
        filled += count
    return pixels


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
