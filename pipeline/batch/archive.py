"""Archive files of a batch next to each record: ``<name>.pdf`` (searchable, PDF/A-2b by default),
``<name>.alto.xml`` and ``<name>.hocr``.

Each file is written whole or not at all (``replacing``: temporary file, fsync, rename), before the
record that vouches for the document, so a crash leaves either no file or a complete one, and a
document finished with its files is never redone. A finished document whose files are missing (a
batch first run without ``--pdf``) gets them from its saved record, without being read again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from pipeline.batch.output import replacing
from pipeline.document import with_words
from pipeline.errors import error_record
from pipeline.record import DocumentSource


@dataclass(frozen=True)
class ArchiveOptions:
    """Which archive files ``vanban process`` writes."""

    pdf: bool = False
    pdf_type: str = "pdfa"  # "pdfa" (PDF/A-2b) or "pdf"
    alto: bool = False
    hocr: bool = False

    @property
    def wanted(self) -> bool:
        return self.pdf or self.alto or self.hocr

    def paths(self, out: Path, name: str) -> list[Path]:
        """The files a document should have, in the order they are written."""
        chosen = [(self.pdf, ".pdf"), (self.alto, ".alto.xml"), (self.hocr, ".hocr")]
        return [out / f"{name}{suffix}" for flag, suffix in chosen if flag]

    def missing(self, out: Path, name: str) -> bool:
        return any(not path.exists() for path in self.paths(out, name))


TEXT_ONLY_NOTE = "no PDF, ALTO or hOCR for text files (.txt): they have no page images or word boxes"


def write_archive(out: Path, name: str, record: dict, source: DocumentSource, options: ArchiveOptions) -> list[str]:
    """Write the wanted archive files of one document; return the messages for the user.

    A text-only document gets none (the caller says so once per batch). A file that cannot be made
    adds an error to the record (stage ``output``), so the document is retried on the next run.
    """
    if source.kind == "text":
        return []
    notes: list[str] = []
    framed: list | None = None  # the words in the original frame, made once for ALTO and hOCR
    for path in options.paths(out, name):
        try:
            if path.suffix == ".pdf":
                notes += _write_pdf(path, record, source, options)
                continue
            if framed is None:
                framed = _framed_pages(record, source)
            _write_words(path, record, framed)
        except Exception as error:  # noqa: BLE001 - one bad output costs this document, not the batch
            record["errors"].append(error_record(error, stage="output"))
            notes.append(f"{path.name}: {error}")
    return notes


def _write_pdf(path: Path, record: dict, source: DocumentSource, options: ArchiveOptions) -> list[str]:
    from pipeline.output.pdf import write_pdf

    with replacing(path, "write") as handle:
        result = write_pdf(record, source.pages, handle, options.pdf_type)
    return result.notes


def _framed_pages(record: dict, source: DocumentSource) -> list:
    """Each page's words in the frame of the page as read (ALTO's and hOCR's boxes)."""
    from pipeline.output.pdf import original_sizes
    from pipeline.output.words import in_original_frame, page_words

    return [in_original_frame(p, s) for p, s in zip(page_words(record), original_sizes(source.pages), strict=True)]


def _write_words(path: Path, record: dict, pages: list) -> None:
    if path.name.endswith(".alto.xml"):
        from pipeline.output.alto import alto_xml

        data = alto_xml(record, pages)
    else:
        from pipeline.output.hocr import record_hocr

        data = record_hocr(record, pages)
    with replacing(path, "write") as handle:
        handle.write(data)


def backfill(out: Path, name: str, source: DocumentSource, options: ArchiveOptions) -> list[str]:
    """Archive files for a document finished earlier without them, from its saved record."""
    record = with_words(json.loads((out / f"{name}.json").read_text(encoding="utf-8")), out)
    wanted = ArchiveOptions(
        pdf=options.pdf and not (out / f"{name}.pdf").exists(),
        pdf_type=options.pdf_type,
        alto=options.alto and not (out / f"{name}.alto.xml").exists(),
        hocr=options.hocr and not (out / f"{name}.hocr").exists(),
    )
    return write_archive(out, name, record, source, wanted)
