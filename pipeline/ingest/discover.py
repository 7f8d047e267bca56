"""Find the documents among the inputs: a file is a document (a PDF or multi-page TIFF whole), or with
``document_per_folder`` a folder of page images is one document, its pages in natural order."""

from __future__ import annotations

import hashlib
import logging
import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from pipeline.errors import (
    CorruptFileError,
    InputError,
    MissingDependencyError,
    NoDocumentsError,
    PasswordProtectedError,
    VanbanError,
)
from pipeline.ingest.formats import DOCUMENT_SUFFIXES, IMAGE_SUFFIXES, sniff_kind
from pipeline.ingest.limits import check_pdf_page_sizes
from pipeline.ingest.render import open_image
from pipeline.orthography import nfc, repair_eth_text
from pipeline.record import DocumentSource, OcrOptions, PageContext

# pypdf logs its own warnings ("EOF marker not found") on damaged files; vanban reports those files
# itself in one line, so the library's extra lines are silenced.
logging.getLogger("pypdf").setLevel(logging.ERROR)


def natural_key(name: str) -> list:
    """page_2 before page_10."""
    return [int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", name)]


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def open_document(path: str | Path, options: OcrOptions | None = None) -> DocumentSource:
    """One file as a document; raises an InputError subclass with a one-line message when unreadable."""
    options = options or OcrOptions()
    path = Path(path)
    if not path.exists():
        raise InputError("no such file", path=str(path))
    if path.is_dir():
        raise InputError("is a folder; pass --document-per-folder to read a folder of pages", path=str(path))
    kind = sniff_kind(path)
    if kind == "pdf":
        pages = _pdf_pages(path, options)
    elif kind == "text":
        pages = [PageContext(str(path), "text", 1, 0, options)]
    else:
        frames = _frame_count(path)
        pages = [PageContext(str(path), kind, i + 1, i, options) for i in range(frames)]
    return DocumentSource(
        name=path.stem,
        path=str(path),
        kind=kind,
        sha256=sha256_file(path),
        pages=pages,
        size_bytes=path.stat().st_size,
    )


def open_folder_document(folder: Path, options: OcrOptions | None = None) -> DocumentSource:
    """A folder of page images (scanner output) as one document."""
    options = options or OcrOptions()
    files = sorted(
        (p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES),
        key=lambda p: natural_key(p.name),
    )
    if not files:
        raise NoDocumentsError("the folder holds no page images", path=str(folder))
    pages: list[PageContext] = []
    digest = hashlib.sha256()
    for file in files:
        kind = sniff_kind(file)
        if kind not in ("image", "tiff"):
            raise InputError(f"{file.name} is not an image; a page folder holds only images", path=str(folder))
        for frame in range(_frame_count(file)):
            pages.append(PageContext(str(file), kind, len(pages) + 1, frame, options))
        digest.update(file.name.encode() + b"\0" + sha256_file(file).encode())
    return DocumentSource(
        name=folder.name,
        path=str(folder),
        kind="folder",
        sha256=digest.hexdigest(),
        pages=pages,
        size_bytes=sum(f.stat().st_size for f in files),
    )


def discover_documents(
    inputs: Iterable[str | Path],
    *,
    document_per_folder: bool = False,
    options: OcrOptions | None = None,
) -> Iterator[DocumentSource | tuple[str, Exception]]:
    """Yield each document, or ``(path, error)`` for an input that cannot be opened (any exception
    opening it), so a batch goes on.

    Raises NoDocumentsError only when the inputs hold nothing at all to read.
    """
    found = 0
    for raw in inputs:
        root = Path(raw)
        if not root.exists():
            found += 1
            yield str(root), InputError("no such file or folder", path=str(root))
            continue
        for candidate in _candidates(root, document_per_folder):
            found += 1
            try:
                if candidate.is_dir():
                    yield open_folder_document(candidate, options)
                else:
                    yield open_document(candidate, options)
            except Exception as error:  # noqa: BLE001
                # Whatever a library raises on one hostile file is that file's failed record (code
                # "internal" when it is none of vanban's own errors), never the end of the batch.
                yield str(candidate), error
    if not found:
        raise NoDocumentsError("no documents found in the inputs (PDF, images, TIFF or .txt)")


def _candidates(root: Path, document_per_folder: bool) -> Iterator[Path]:
    if root.is_file():
        yield root
        return
    if document_per_folder:
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames.sort(key=natural_key)
            folder = Path(dirpath)
            if any(Path(f).suffix.lower() in IMAGE_SUFFIXES for f in filenames):
                yield folder
            for name in sorted(filenames, key=natural_key):
                if Path(name).suffix.lower() in {".pdf", ".txt"}:
                    yield folder / name
        return
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort(key=natural_key)
        for name in sorted(filenames, key=natural_key):
            if Path(name).suffix.lower() in DOCUMENT_SUFFIXES:
                yield Path(dirpath) / name


def _frame_count(path: Path) -> int:
    image = open_image(str(path))
    return max(1, int(getattr(image, "n_frames", 1)))


PASSWORD_MESSAGE = (
    "the PDF needs a password to open; decrypt it (qpdf --decrypt --password=PASSWORD in.pdf out.pdf) and retry"
)


def _open_pdf(path: Path):
    """A PdfReader, decrypted when the encryption is owner-only (an empty user password: anyone may open
    the file, printing or copying is restricted), as most "protected" government PDFs are."""
    from pypdf import PdfReader

    reader = PdfReader(str(path))  # tries the empty user password itself
    if reader.is_encrypted and not reader.decrypt(""):
        raise PasswordProtectedError(PASSWORD_MESSAGE, path=str(path))
    return reader


def _page_layer(page) -> str:
    """A page's text layer, with Đ where the layer's OCR wrote Ð; a damaged content stream loses its
    layer, not the page.

    A missing AES provider is not damage: it used to end here as an empty layer, so AES-128 owner-only
    PDFs (whose password check needs only MD5 and RC4) were OCR'd as if they had no layer.
    """
    from pypdf.errors import DependencyError, FileNotDecryptedError

    try:
        return repair_eth_text(nfc(page.extract_text() or ""))
    except (DependencyError, FileNotDecryptedError):
        raise
    except Exception:  # noqa: BLE001 - pypdf raises many types on broken content streams
        return ""


def _pdf_pages(path: Path, options: OcrOptions) -> list[PageContext]:
    """Page pointers of a PDF, each with its text layer (possibly empty) extracted up front."""
    from pypdf.errors import DependencyError, FileNotDecryptedError, PyPdfError

    try:
        reader = _open_pdf(path)
        count = len(reader.pages)
        check_pdf_page_sizes(reader, options.dpi, str(path))
        layers = [_page_layer(page) for page in reader.pages]
    except VanbanError:
        raise
    except DependencyError as exc:
        raise MissingDependencyError(
            f"reading this encrypted PDF needs the cryptography package ({exc}); pip install 'pypdf[crypto]'",
            path=str(path),
        ) from exc
    except FileNotDecryptedError as exc:
        raise PasswordProtectedError(PASSWORD_MESSAGE, path=str(path)) from exc
    except (PyPdfError, ValueError, KeyError, TypeError, OSError, RecursionError) as exc:
        raise CorruptFileError(f"corrupt PDF ({exc})", path=str(path)) from exc
    if count == 0:
        raise CorruptFileError("the PDF has no pages", path=str(path))
    return [
        PageContext(str(path), "pdf", i + 1, i, options, text_layer=layers[i] or None) for i in range(count)
    ]
