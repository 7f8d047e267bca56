"""The pipeline as a short sequence of named stages.

    ingest  -> DocumentSource with page pointers          (pipeline.ingest)
    ocr     -> PageResult per page, in parallel           (pipeline.ocr.read_page)
    assemble-> document text from the chosen page texts  (here)
    restore -> text.final, with every change recorded     (pipeline.restore)
    extract -> document, references, dates, tasks         (pipeline.extract)
    quality -> verdict and reasons per page and document  (pipeline.quality)

``read_page`` is the per-page unit of parallel work; ``finish_document`` runs the document-level
stages once its pages are read. A stage that fails records an error and the next stage still runs
on what there is.
"""

from __future__ import annotations

import bisect
import time
from collections.abc import Callable
from pathlib import Path

from pipeline.config import PipelineConfig
from pipeline.errors import error_record
from pipeline.record import DocumentSource, PageResult, empty_record, nfc

PAGE_SEPARATOR = "\n\f\n"
STAGE_NAMES = ("ingest", "ocr", "restore", "extract", "quality")


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
        {
            "text": w.text,
            "start": start + w.start,
            "end": start + w.end,
            "confidence": w.confidence,
            "choices": w.choices,
        }
        for page, start in zip(pages, page_starts, strict=True)
        for w in page.words()
    ]


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


def _page_dict(page: PageResult, keep_words: bool) -> dict:
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
        if keep_words:
            entry["words"] = [
                {"text": w.text, "confidence": w.confidence, "bbox": list(w.bbox), "start": w.start, "end": w.end}
                for w in line.words
            ]
        out["lines"].append(entry)
    return out


def _timed(timings: dict, name: str, errors: list, fn: Callable[[], None]) -> None:
    started = time.perf_counter()
    try:
        fn()
    except Exception as error:  # noqa: BLE001 - a failing stage is recorded, the document goes on
        errors.append(error_record(error, stage=name))
    timings[name] = round(time.perf_counter() - started, 4)


def finish_document(source: DocumentSource, pages: list[PageResult], config: PipelineConfig) -> dict:
    """Assemble a record from a document's page results and run restore, extract and quality on it."""
    record = empty_record(source.source_dict())
    pages = sorted(pages, key=lambda p: p.number)
    record["errors"].extend(p.error for p in pages if p.error)
    chosen, page_starts = join_pages([p.text for p in pages])
    ocr_pages = [p.text if p.origin in ("ocr", "text") else "" for p in pages]
    record["text"]["ocr"] = join_pages(ocr_pages)[0] if any(ocr_pages) else None
    layers = [p.layer_text or "" for p in pages]
    record["text"]["layer"] = join_pages(layers)[0] if any(layers) else None
    record["text"]["final"] = chosen
    timings: dict[str, float] = {"ocr": round(sum(p.seconds for p in pages), 3)}

    ocr_words = restoration_words(pages, page_starts)
    offset_map = OffsetMap([])

    def restore() -> None:
        nonlocal offset_map
        from pipeline.restore import Restorer

        restorer = Restorer.load(config.models_dir)
        result = restorer.restore(chosen, ocr_words=ocr_words or None, tone_style=config.tone_style)
        changes = [c.to_dict() for c in result.changes]
        record["text"]["final"] = nfc(result.text)
        record["restoration"] = {"changed": len(changes), "encoding": result.encoding, "changes": changes}
        if result.encoding is None:
            offset_map = OffsetMap(changes)

    if config.restore and chosen.strip():
        _timed(timings, "restore", record["errors"], restore)

    final = record["text"]["final"]
    layout = [
        {
            "page": p.number,
            "start": offset_map(start + line.start),
            "end": offset_map(start + line.end),
            "bbox": list(line.bbox),
            "page_width": p.width,
            "page_height": p.height,
        }
        for p, start in zip(pages, page_starts, strict=True)
        for line in p.lines
    ]
    page_dicts = [_page_dict(p, config.keep_words) for p in pages]
    for page_dict, start, page in zip(page_dicts, page_starts, pages, strict=True):
        page_dict["text_start"] = offset_map(start)
        page_dict["text_end"] = offset_map(start + len(page.text))
    record["pages"] = page_dicts

    def extract() -> None:
        from pipeline.extract import extract as run_extract

        found = run_extract(final, layout=layout or None)
        for key in ("document", "references", "dates", "tasks"):
            record[key] = found.get(key, record[key])

    if config.extract and final.strip():
        _timed(timings, "extract", record["errors"], extract)

    def quality() -> None:
        from pipeline.quality import assess

        record["quality"] = assess(record, pages, config)

    _timed(timings, "quality", record["errors"], quality)
    record["timings"] = timings
    return record


def failed_record(path: str, error: BaseException, *, sha256: str | None = None, kind: str | None = None) -> dict:
    """The record of a document that could not even be opened: source, errors, nothing else."""
    record = empty_record(
        {"path": path, "sha256": sha256, "pages": 0, "kind": kind, "name": Path(path).stem}
    )
    record["errors"].append(error_record(error, stage="ingest"))
    record["quality"] = {"verdict": "bad", "reasons": ["the document could not be read"]}
    return record


def process_document(source: DocumentSource, config: PipelineConfig | None = None) -> dict:
    """All stages for one document, pages one after another (the batch runner parallelises pages)."""
    from pipeline.ocr import read_page

    config = config or PipelineConfig()
    pages = [read_page(ctx) for ctx in source.pages]
    return finish_document(source, pages, config)
