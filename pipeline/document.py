"""One document as it goes through the stages, and the one place its JSON record is built.

A :class:`Document` starts from a :class:`~pipeline.record.DocumentSource` (ingest) and gains, stage
by stage (``pipeline.stages``): its page results (ocr), the joined texts (assemble), the restored
text and the map from offsets before restoration to after (restore), the extracted facts (extract)
and the quality verdicts (quality). :meth:`Document.to_record` turns it into the record of
``pipeline/schema/record.schema.json`` and checks it against that schema.
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from pipeline.errors import InputError, error_record
from pipeline.record import DocumentSource, PageContext, PageResult
from pipeline.schema import page_errors, record_errors

SCHEMA_VERSION = "1.0"
# Pages in every joined text are separated by a line holding a form feed.
PAGE_SEPARATOR = "\n\f\n"


def join_pages(texts: list[str]) -> tuple[str, list[int]]:
    """Join page texts with a form-feed line; return the text and each page's start offset."""
    starts, parts, offset = [], [], 0
    for i, text in enumerate(texts):
        if i:
            parts.append(PAGE_SEPARATOR)
            offset += len(PAGE_SEPARATOR)
        starts.append(offset)
        parts.append(text)
        offset += len(text)
    return "".join(parts), starts


def restoration_words(pages: list[PageResult], page_starts: list[int]) -> list[dict]:
    """The OCR words as the restorer takes them: offsets in the joined text (``join_pages``), Tesseract's
    confidence and per-character alternatives."""
    return [
        {"text": w.text, "start": start + w.start, "end": start + w.end, "confidence": w.confidence,
         "choices": w.choices}
        for page, start in zip(pages, page_starts, strict=True)
        for w in page.words()
    ]


class PageWords:
    """The OCR words of a document's pages for the restorer (`pipeline.restore.core.OcrWordSource`),
    made for the piece of the joined text being restored: a long document's words as objects, all at
    once, took hundreds of MB (about 1 kB a word with its per-character alternatives)."""

    def __init__(self, pages: list[PageResult], page_starts: list[int]) -> None:
        self._pages = pages
        self._starts = page_starts

    def words_in(self, start: int, end: int) -> list[Mapping]:
        """The words that start in [start, end) of the joined text, with offsets relative to ``start``."""
        first = max(0, bisect.bisect_right(self._starts, start) - 1)
        last = bisect.bisect_left(self._starts, end)
        pages, starts = self._pages[first:last], [s - start for s in self._starts[first:last]]
        return [w for w in restoration_words(pages, starts) if 0 <= w["start"] < end - start]


def has_words(pages: list[PageResult]) -> bool:
    """Whether any page has an OCR word (pages read from text or a layer have none)."""
    return any(line.words for page in pages for line in page.lines)


class OffsetMap:
    """Maps offsets in the text before restoration to offsets after it, from the list of changes."""

    def __init__(self, changes: list[dict]) -> None:
        self._starts: list[int] = []
        self._shift: list[int] = []
        shift = 0
        for change in sorted(changes, key=lambda c: c["start"]):
            shift += len(change["chosen"]) - (change["end"] - change["start"])
            self._starts.append(change["end"])
            self._shift.append(shift)

    def __call__(self, offset: int) -> int:
        i = bisect.bisect_right(self._starts, offset)
        return offset + (self._shift[i - 1] if i else 0)


class RecordSchemaError(Exception):
    """A record that breaks the schema: a defect of vanban itself, never of the input."""


@dataclass
class Restoration:
    """What restoration did: its changes (offsets in the text before it) and a legacy encoding it converted."""

    changes: list[dict] = field(default_factory=list)
    encoding: str | None = None


@dataclass
class Document:
    source: dict  # the record's "source": path, sha256, pages, kind, name
    contexts: list[PageContext] = field(default_factory=list)  # the pages to read
    pages: list[PageResult] = field(default_factory=list)  # read pages, in page order once assembled
    errors: list[dict] = field(default_factory=list)
    keep_words: bool = True
    # assemble
    text: str = ""  # the chosen page texts joined (PAGE_SEPARATOR): what restoration reads
    page_starts: list[int] = field(default_factory=list)
    ocr_text: str | None = None
    layer_text: str | None = None
    # restore: None when restoration was off or failed (then "changed" is unknown, not zero)
    restoration: Restoration | None = None
    final: str = ""
    to_final: OffsetMap = field(default_factory=lambda: OffsetMap([]))
    # extract, quality
    extraction: dict = field(default_factory=dict)
    quality: dict = field(default_factory=dict)
    timings: dict[str, float] | None = None
    # a lean record: the file beside it that holds the pages' OCR words (``words_file_name``)
    words_file: str | None = None

    @classmethod
    def of(cls, source: DocumentSource, pages: list[PageResult] | None = None, keep_words: bool = True) -> Document:
        """A document found by ingest, with the pages already read elsewhere (the batch's workers), if any."""
        return cls(source.source_dict(), list(source.pages), list(pages or []), keep_words=keep_words)

    @classmethod
    def failed(cls, path: str, error: BaseException, *, sha256: str | None = None, kind: str | None = None) -> Document:
        """A document that could not even be opened: its source, its error, a bad verdict."""
        source = {"path": path, "sha256": sha256, "pages": 0, "kind": kind, "name": Path(path).stem}
        document = cls(source, errors=[error_record(error, stage="ingest")])
        document.quality = {"verdict": "bad", "reasons": ["the document could not be read"]}
        return document

    def page_spans(self) -> list[tuple[int, int]]:
        """Each page's (start, end) in the text before restoration."""
        return [(start, start + len(p.text)) for p, start in zip(self.pages, self.page_starts, strict=True)]

    def line_layout(self) -> list[dict]:
        """Each OCR line's place in the final text and on its page (extraction reads headers by position)."""
        return [
            {
                "page": p.number,
                "start": self.to_final(start + line.start),
                "end": self.to_final(start + line.end),
                "bbox": list(line.bbox),
                "page_width": p.width,
                "page_height": p.height,
            }
            for p, start in zip(self.pages, self.page_starts, strict=True)
            for line in p.lines
        ]

    def to_record(self) -> dict:
        """The JSON record (every key present, so consumers never test for absence), checked against the
        schema; raises RecordSchemaError when vanban built a record the schema refuses."""
        record = self._record_head()
        record["pages"] = [self._checked_page(page) for page in self._page_dicts()]
        return record

    def write_record(self, pretty: BinaryIO, line: BinaryIO, words: BinaryIO | None = None) -> None:
        """The record of ``to_record``, written page by page without building it whole (a 1,000-page
        record is hundreds of MB as Python objects): to ``pretty`` as the indented ``<name>.json`` and to
        ``line`` as one compact ``documents.jsonl`` line without its newline. ``words``: a lean record
        (``words_file`` set): the pages' OCR words go there, one line per page (`words_line`)."""
        if (words is None) != (self.words_file is None):
            raise ValueError("a lean record is written with its words file, and only a lean record")
        head = self._record_head()
        before, after = _split_at_pages(head, indent=1), _split_at_pages(head, indent=None)
        pretty.write(before[0])
        line.write(after[0])
        for i, page in enumerate(self._page_dicts()):
            self._checked_page(page)
            if words is not None:
                words.write(words_line(page))
            pretty.write((",\n  " if i else "\n  ").encode())
            pretty.write(json.dumps(page, ensure_ascii=False, indent=1).replace("\n", "\n  ").encode("utf-8"))
            line.write(b"," if i else b"")
            line.write(json.dumps(page, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
        pretty.write(("\n " if self.pages else "") .encode() + before[1] + b"\n")
        line.write(after[1])

    def _record_head(self) -> dict:
        """The record with an empty ``pages`` list, checked against the schema."""
        restoration = self.restoration or Restoration()
        record = {
            "schema_version": SCHEMA_VERSION,
            "source": self.source,
            "pages": [],
            "text": {"ocr": self.ocr_text, "layer": self.layer_text, "final": self.final},
            "restoration": {
                "changed": len(restoration.changes),
                "encoding": restoration.encoding,
                "changes": restoration.changes,
            },
            "document": self.extraction.get("document", {}),
            "references": self.extraction.get("references", []),
            "dates": self.extraction.get("dates", []),
            "tasks": self.extraction.get("tasks", []),
            "quality": self.quality,
            "errors": self.errors,
            "words_file": self.words_file,
        }
        if self.timings is not None:
            record["timings"] = self.timings
        self._check(record_errors(record))
        return record

    def _page_dicts(self) -> Iterator[dict]:
        for page, span in zip(self.pages, self.page_spans(), strict=True):
            yield self._page_dict(page, span)

    def _checked_page(self, page: dict) -> dict:
        self._check([f"pages/{page['number']}/{problem}" for problem in page_errors(page)])
        return page

    def _check(self, problems: list[str]) -> None:
        if problems:
            raise RecordSchemaError(f"the record of {self.source['path']} breaks the schema: {problems[0]}")

    def _page_dict(self, page: PageResult, span: tuple[int, int]) -> dict:
        out = {
            "number": page.number,
            "width": page.width or None,
            "height": page.height or None,
            "dpi": page.dpi,
            "origin": page.origin,
            "ocr_confidence": page.ocr_confidence,
            "model": page.model,
            "layer_score": page.layer_score,
            "preprocessing": page.preprocessing,
            "seconds": page.seconds,
            "lines": [],
        }
        for line in page.lines:
            entry = {"text": line.text, "bbox": list(line.bbox), "start": line.start, "end": line.end}
            if self.keep_words:
                entry["words"] = [
                    {"text": w.text, "confidence": w.confidence, "bbox": list(w.bbox), "start": w.start, "end": w.end}
                    for w in line.words
                ]
            out["lines"].append(entry)
        out["text_start"] = self.to_final(span[0])
        out["text_end"] = self.to_final(span[1])
        return out


WORDS_SUFFIX = ".words.jsonl"


def words_file_name(name: str) -> str:
    """The file of a lean record's words, beside ``<name>.json``."""
    return f"{name}{WORDS_SUFFIX}"


def words_line(page: dict) -> bytes:
    """Take the OCR words out of a page of a record: the words file's line for that page,
    ``{"page": N, "lines": [[word, ...] per line]}`` (newline included)."""
    lines = [line.pop("words", []) for line in page["lines"]]
    return json.dumps({"page": page["number"], "lines": lines}, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"


def with_words(record: dict, folder: Path) -> dict:
    """The record with its words in its pages' lines, read back from its words file in ``folder`` when
    it is a lean one (``words_file``); other records as they are. The record itself is not changed."""
    name = record.get("words_file")
    if not name:
        return record
    path = folder / name
    try:
        with path.open(encoding="utf-8") as handle:
            entries = [json.loads(text) for text in handle]
    except (OSError, ValueError) as error:
        raise InputError(f"cannot read the words of {record['source'].get('name')} ({error})", path=str(path)) from error
    by_page = {entry["page"]: entry["lines"] for entry in entries}
    pages = []
    for page in record["pages"]:
        words = by_page.get(page["number"]) or [[] for _ in page["lines"]]
        if len(words) != len(page["lines"]):
            raise InputError(f"{name} does not match the record: page {page['number']} has other lines", path=str(path))
        pages.append({**page, "lines": [{**line, "words": w} for line, w in zip(page["lines"], words, strict=True)]})
    return {**record, "pages": pages}


_PAGES_MARK = "\u0000pages\u0000"


def _split_at_pages(head: dict, indent: int | None) -> tuple[bytes, bytes]:
    """The JSON of ``head`` cut where its page list goes: the bytes before the first page, and from the
    closing bracket of the list on."""
    separators = (",", ":") if indent is None else None
    text = json.dumps({**head, "pages": _PAGES_MARK}, ensure_ascii=False, indent=indent, separators=separators)
    before, after = text.split(json.dumps(_PAGES_MARK), 1)
    return (before + "[").encode("utf-8"), ("]" + after).encode("utf-8")


def failed_record(path: str, error: BaseException, *, sha256: str | None = None, kind: str | None = None) -> dict:
    """The record of a document that could not even be opened: source, errors, nothing else."""
    return Document.failed(path, error, sha256=sha256, kind=kind).to_record()
