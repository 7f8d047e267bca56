"""The pipeline, top to bottom: one document through an ordered table of named stages.

    `vanban process FILE`  (pipeline.batch.cli -> pipeline.batch.runner)
      ingest    open_document: a DocumentSource with a pointer to each page     (pipeline.ingest)
      ocr       read_page per page, in parallel in the batch's workers           (pipeline.ocr)
      --- then, per document, ``run_stages`` below ---
      assemble  page order, page errors, the joined texts                        (pipeline.document)
      restore   text.final, every change recorded, offsets mapped               (pipeline.restore)
      extract   document facts, references, dates, tasks                        (pipeline.extract)
      quality   verdict and reasons per page and document                       (pipeline.quality)
      Document.to_record(): the JSON record, checked against the schema          (pipeline.document)
    the batch's worker writes it page by page (Document.write_record), and the main process publishes
    it as OUT/<name>.json and a line of OUT/documents.jsonl          (pipeline.batch.engine, .runner)

``run_stages`` runs the stages in table order. It times each and turns a stage's exception into an
error in the record: the next stage still runs on what there is, so a document always gets a record.
Benchmarks, the CLIs and the API call it (``only=`` runs some of the stages).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from pipeline.config import PipelineConfig
from pipeline.document import Document, OffsetMap, PageWords, Restoration, has_words, join_pages
from pipeline.errors import error_record
from pipeline.orthography import nfc
from pipeline.record import DocumentSource, PageResult


def read_pages(document: Document, config: PipelineConfig) -> float:
    """OCR every page not read yet (the batch reads them in its workers beforehand). Its time is the
    pages' own, wherever they were read."""
    from pipeline.ocr import read_page

    done = {p.number for p in document.pages}
    document.pages += [read_page(ctx) for ctx in document.contexts if ctx.number not in done]
    return round(sum(p.seconds for p in document.pages), 3)


def assemble(document: Document, config: PipelineConfig) -> None:
    """Pages in order, their errors first in the record, and the texts joined: the chosen text of each page
    (what restoration reads), the OCR'd texts and the PDF's own layer."""
    document.pages.sort(key=lambda p: p.number)
    document.errors[:0] = [p.error for p in document.pages if p.error]
    document.text, document.page_starts = join_pages([p.text for p in document.pages])
    ocr_pages = [p.text if p.origin in ("ocr", "text") else "" for p in document.pages]
    document.ocr_text = join_pages(ocr_pages)[0] if any(ocr_pages) else None
    layers = [p.layer_text or "" for p in document.pages]
    document.layer_text = join_pages(layers)[0] if any(layers) else None
    document.final = document.text


def restore(document: Document, config: PipelineConfig) -> None:
    """Repair the marks OCR damaged (or convert a legacy encoding); offsets into the text before are mapped
    to the text after, unless the whole text was re-encoded."""
    from pipeline.restore import Restorer

    if not document.text.strip():
        document.restoration = Restoration()  # it ran, on nothing: zero changes, not unknown
        return
    words = PageWords(document.pages, document.page_starts) if has_words(document.pages) else None
    restorer = Restorer.load(config.models_dir)
    result = restorer.restore(document.text, ocr_words=words, tone_style=config.tone_style)
    changes = [c.to_dict() for c in result.changes]
    document.final = nfc(result.text)
    document.restoration = Restoration(changes, result.encoding)
    if result.encoding is None:
        document.to_final = OffsetMap(changes)


def extract(document: Document, config: PipelineConfig) -> None:
    """Read the document's facts from its final text, with the lines' positions on the page.

    The facts are checked against their schema here: a value the rules got wrong (a symbol with a word
    glued to it) costs this stage's facts, recorded as its error, not the whole document's record."""
    from pipeline.extract import extract as extract_facts
    from pipeline.schema import extraction_errors

    facts = extract_facts(document.final, layout=document.line_layout() or None)
    broken = extraction_errors(facts)
    if broken:
        raise ValueError(f"the extracted facts break the schema ({len(broken)} places; first: {broken[0]})")
    document.extraction = facts


def assess_quality(document: Document, config: PipelineConfig) -> None:
    """Verdicts per page from what OCR, restoration and the page texts say."""
    from pipeline.quality import PageEvidence, assess

    evidence = [
        PageEvidence(
            number=page.number,
            before=page.text,
            after=document.final[document.to_final(start) : document.to_final(end)],
            span=(start, end),
            confidences=[w.confidence for w in page.words()] if page.origin == "ocr" else [],
            origin=page.origin,
            layer_score=page.layer_score if page.origin == "layer" else None,
            failed=page.error is not None or page.origin == "none",
        )
        for page, (start, end) in zip(document.pages, document.page_spans(), strict=True)
    ]
    changes = document.restoration.changes if document.restoration is not None else None
    unknown = (document.extraction.get("document") or {}).get("unknown")
    document.quality = assess(evidence, changes, config.models_dir, unknown_fields=unknown)


@dataclass(frozen=True)
class Stage:
    name: str
    # Returns None, or the seconds the stage's work took elsewhere (OCR in the batch's workers).
    run: Callable[[Document, PipelineConfig], float | None]
    wanted: Callable[[Document, PipelineConfig], bool] = lambda document, config: True


STAGES: tuple[Stage, ...] = (
    Stage("ocr", read_pages),
    Stage("assemble", assemble),
    Stage("restore", restore, lambda document, config: config.restore),
    Stage("extract", extract, lambda document, config: config.extract and bool(document.final.strip())),
    Stage("quality", assess_quality),
)


def run_stages(document: Document, config: PipelineConfig, only: Iterable[str] | None = None) -> Document:
    """Run the stages of the table in order (those named in ``only``, if given), timing each and recording
    a stage's exception as an error of the document."""
    chosen = {stage.name for stage in STAGES} if only is None else set(only)
    unknown = chosen - {stage.name for stage in STAGES}
    if unknown:
        raise ValueError(f"no such stage: {', '.join(sorted(unknown))}")
    document.timings = document.timings or {}
    for stage in STAGES:
        if stage.name not in chosen or not stage.wanted(document, config):
            continue
        started = time.perf_counter()
        try:
            elsewhere = stage.run(document, config)
        except Exception as error:  # noqa: BLE001 - a failing stage is recorded, the document goes on
            document.errors.append(error_record(error, stage=stage.name))
            elsewhere = None
        took = round(time.perf_counter() - started, 4)
        document.timings[stage.name] = took if elsewhere is None else elsewhere
    return document


def finish_document(source: DocumentSource, pages: list[PageResult], config: PipelineConfig) -> dict:
    """The record of a document whose pages were read elsewhere (tests inject pages this way)."""
    return run_stages(Document.of(source, pages, keep_words=config.keep_words), config).to_record()


def process_document(source: DocumentSource, config: PipelineConfig | None = None) -> dict:
    """All stages for one document, pages one after another (the batch runner parallelises pages)."""
    return finish_document(source, [], config or PipelineConfig())
