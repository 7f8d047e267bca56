"""Extraction of a document of any length: a 430-page PDF (1.05M characters) lost all its extraction to
spaCy's E088 ("Text of length ... exceeds maximum of 1000000"). The spaCy pass now runs chunk by chunk,
cut at page or paragraph breaks, with offsets into the whole text."""

from __future__ import annotations

from benchmarks.faults import SAMPLE, long_version
from pipeline.extract import extract
from pipeline.extract.nlp import CHUNK_CHARS, chunk_bounds

PAGE_BREAK = "\n\f\n"


def without_spans(value):
    if isinstance(value, dict):
        return {k: without_spans(v) for k, v in value.items() if k not in ("span", "evidence")}
    if isinstance(value, list):
        return [without_spans(v) for v in value]
    return value


def test_a_text_over_a_million_characters_has_the_header_and_tasks_of_the_short_one() -> None:
    short = extract(SAMPLE.read_text(encoding="utf-8"))
    text = long_version(200)
    assert len(text) > 1_000_000
    found = extract(text)
    assert without_spans(found["document"]) == without_spans(short["document"])
    assert found["document"]["number_symbol"] == "486/TB-UBND"
    assert found["document"]["signer"]["name"] == "Ksor Nhã Uyên"
    assert without_spans(found["tasks"]) == without_spans(short["tasks"])
    assert [t["assignee"] for t in found["tasks"]] == [
        "Sở Tài chính", "Sở Nông nghiệp và Môi trường", "các chủ đầu tư", "Ủy ban nhân dân các xã, phường"
    ]
    shift = len(text) - len(SAMPLE.read_text(encoding="utf-8"))
    for long_task, short_task in zip(found["tasks"], short["tasks"], strict=True):  # offsets into the whole text
        assert long_task["span"]["start"] == short_task["span"]["start"] + shift
        assert long_task["span"]["end"] == short_task["span"]["end"] + shift
    (reference,) = found["references"]
    assert reference["number_symbol"] == "3665/QĐ-UBND" and reference["date"] == "2025-09-09"
    start, end = reference["span"]["start"], reference["span"]["end"]
    assert start > 900_000
    assert text[start:end].startswith("Quyết định số 3665/QĐ-UBND ngày 09/9/2025")


def test_chunks_cover_the_text_and_end_at_page_or_paragraph_breaks() -> None:
    text = long_version(60)
    bounds = chunk_bounds(text)
    assert len(bounds) > 2
    assert bounds[0][0] == 0 and bounds[-1][1] == len(text)
    assert all(a_end == b_start for (_, a_end), (b_start, _) in zip(bounds, bounds[1:], strict=False))
    assert all(end - start <= CHUNK_CHARS for start, end in bounds)
    assert all(text[:end].endswith(PAGE_BREAK) for _, end in bounds[:-1])
    assert chunk_bounds("Một câu ngắn.") == [(0, 13)]
    assert chunk_bounds("") == []
