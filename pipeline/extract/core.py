"""extract(): restored text (and optionally the OCR layout) to the document's facts as JSON-ready dicts."""

from __future__ import annotations

import re
import unicodedata

from .dates import find_dates
from .header import (
    Field,
    Header,
    apply_type_code,
    footer_start,
    note_unknown,
    parse_footer,
    parse_header,
    parse_kinh_gui,
)
from .nlp import reference_spans
from .references import find_references
from .reflow import join_noi_nhan, reflow_footer, reflow_header
from .tasks import find_tasks, sentences
from .textutil import Pages, line_cells, split_lines, split_merged

DOCUMENT_FIELDS = (
    "type", "type_code", "number", "symbol", "number_symbol", "issuer", "parent_issuer", "place", "date",
    "subject", "recipients", "archive", "signer", "secrecy", "urgency",
)
# Preamble lines hold no assignment, unless one ends by introducing a list ("Căn cứ ..., Sở Y tế đề nghị
# Giám đốc các đơn vị:").
# "Căn cứ chức năng, nhiệm vụ, phối hợp với ..." under a unit's heading is its task, not a preamble line.
_BODY_SKIP = re.compile(
    r"^\s*(?:(?:Căn cứ(?!\s+chức\s+năng)|Theo đề nghị|Xét đề nghị)(?![^\n]*:\s*$)|QUYẾT ĐỊNH\s*:|CHỈ THỊ\s*:|Nơi nhận)"
)


def extract(text: str, *, layout: list[dict] | None = None) -> dict:
    """The facts of one document.

    ``document`` holds plain values (``result["document"]["number"]``) and, under ``evidence``, the span
    (character offsets into ``text``, 1-based page) and confidence of each; references, dates and tasks
    carry their own ``span`` and ``confidence``. A value that cannot be read is None, never guessed.
    """
    if unicodedata.normalize("NFC", text) != text:
        text = unicodedata.normalize("NFC", text)  # spans then refer to the NFC form, as the record stores
    pages = Pages(text, layout)
    lines = split_lines(text)
    # Columns come from the text (tabs, or the marks only the right column carries): measured on the
    # rendered scans, the OCR line boxes misled more than they helped (centred one-column headers, skewed
    # and rotated pages), so the layout serves the page numbers only.
    cells = [line_cells(text, ln, i) for i, ln in enumerate(lines)]
    # OCR may read a two-column header or signature row as one line: split it where the right column starts.
    for i in range(min(len(cells), 15)):
        if len(cells[i]) == 1 and "\t" not in lines[i].text:
            cells[i] = split_merged(text, cells[i][0], "header")

    cells = reflow_header(text, cells)
    h = parse_header(text, cells)
    kg_end = parse_kinh_gui(cells, max(0, h.end_line - 12), h.end_line + 12, h)
    cells = join_noi_nhan(text, cells)
    foot = footer_start(cells, max(h.end_line, (kg_end or 0)))
    if foot is not None:
        cells = reflow_footer(text, cells, foot)
        for i in range(foot, len(cells)):
            if len(cells[i]) == 1 and "\t" not in lines[i].text and cells[i][0].col is None:
                cells[i] = split_merged(text, cells[i][0], "footer")
    recipients_from_kinh_gui = list(h.recipients)
    h.recipients = []
    if foot is not None:
        parse_footer(cells, foot, h)
    h.recipients = recipients_from_kinh_gui + h.recipients
    apply_type_code(h)
    note_unknown(h, foot)

    body_start_line = max(h.end_line, kg_end or 0)
    body_start = lines[body_start_line].start if body_start_line < len(lines) else len(text)
    body_end = lines[foot].start if foot is not None and foot < len(lines) else len(text)
    footer_zone = (body_end, len(text))

    own = h.fields.get("number_symbol")
    refs = find_references(text, reference_spans(text), own.value if own else None, [footer_zone])
    ref_dates = [tuple(r["date_span"]) for r in refs if r.get("date_span")]
    dates = find_dates(text, h.date_span, ref_dates)
    sents = sentences(text, body_start, body_end, _BODY_SKIP)
    tasks = find_tasks(text, sents, dates)

    return {
        "document": _document(h, pages),
        "references": [_reference(r, pages) for r in refs],
        "dates": [
            {"value": d["value"], "time": d["time"], "text": d["text"], "role": d["role"],
             "span": pages.span(d["start"], d["end"]), "confidence": d["confidence"]}
            for d in dates
        ],
        "tasks": [
            {k: v for k, v in t.items() if k != "span"} | {"span": pages.span(*t["span"])} for t in tasks
        ],
    }


def _evidence(f: Field, pages: Pages) -> dict:
    return {"span": pages.span(f.start, f.end), "confidence": round(float(f.confidence), 3)}


def _document(h: Header, pages: Pages) -> dict:
    doc: dict = {}
    evidence: dict = {}
    for name in DOCUMENT_FIELDS:
        if name in ("recipients", "signer"):
            continue
        f = h.fields.get(name)
        doc[name] = f.value if f else None
        if f is not None and f.value is not None:
            evidence[name] = _evidence(f, pages)
    doc["recipients"] = [r.value for r in h.recipients]
    evidence["recipients"] = [_evidence(r, pages) for r in h.recipients]
    signer = {}
    for key in ("authority", "authority_text", "position", "name"):
        f = h.signer.get(key)
        signer[key] = f.value if f else None
        if f is not None:
            evidence[f"signer.{key}"] = _evidence(f, pages)
    doc["signer"] = signer
    doc["unknown"] = h.unknown
    doc["evidence"] = evidence
    return {k: doc[k] for k in (*DOCUMENT_FIELDS, "unknown", "evidence")}


def _reference(r: dict, pages: Pages) -> dict:
    return {
        "kind": r["kind"], "number_symbol": r["number_symbol"], "number": r["number"], "symbol": r["symbol"],
        "date": r["date"], "issuer": r["issuer"], "about": r["about"],
        "span": pages.span(*r["span"]), "confidence": r["confidence"],
    }
