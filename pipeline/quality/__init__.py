"""Quality: per page and per document, how far the text can be trusted, and a verdict ok/review/bad.

``assess`` is the quality stage (``pipeline.stages``); it fills ``record["quality"]``
(shape: ``pipeline/schema/quality.schema.json#/$defs/document_quality``). It uses the restoration
stage's syllable inventory and language model when they load, and degrades to fewer signals (stated
in ``missing_signals``) when they do not, so a batch never stops over a missing model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pipeline.quality.checks import (
    DEFAULT_THRESHOLDS,
    Thresholds,
    changed_share,
    confidence_signals,
    phonotactic_valid,
    safe_perplexity,
    tokens,
    valid_share,
    verdict,
    weighted_mean,
    with_field_gaps,
    worst,
)

__all__ = ["assess", "PageEvidence", "page_signals", "Thresholds", "DEFAULT_THRESHOLDS", "load_language_tools"]

# Models that failed to load, with the reason (the restorer itself is cached by Restorer.load, once).
_TOOLS: dict[str | None, tuple[Any, str | None]] = {}


def load_language_tools(models_dir: str | None) -> tuple[Any, str | None]:
    """The restorer (syllable check, perplexity) or None with the reason why it cannot load."""
    if models_dir in _TOOLS:
        return _TOOLS[models_dir]
    try:
        from pipeline.restore import Restorer

        return Restorer.load(models_dir), None
    except Exception as error:  # noqa: BLE001 - any load failure means: fewer signals, not no verdict
        _TOOLS[models_dir] = (None, f"{type(error).__name__}: {error}".splitlines()[0][:200])
        return _TOOLS[models_dir]


def page_signals(
    *,
    before: str,
    after: str,
    confidences: list[float],
    changes: list[dict] | None,
    change_span: tuple[int, int],
    origin: str,
    layer_score: float | None,
    error: bool,
    restorer: Any = None,
    limits: Thresholds = DEFAULT_THRESHOLDS,
) -> dict:
    """All signals of one page and its verdict; pure apart from the restorer's own methods."""
    is_valid = restorer.is_valid_syllable if restorer is not None else phonotactic_valid
    words_before = [t for _, _, t in tokens(before)]
    words_after = [t for _, _, t in tokens(after)]
    mean, low = confidence_signals(confidences, limits.low_confidence)
    perplexity = None
    if restorer is not None and words_after:
        try:
            perplexity = safe_perplexity(restorer.perplexity(after))
        except Exception:  # noqa: BLE001 - a model hiccup loses one signal, not the page
            perplexity = None
    signals = {
        "origin": origin,
        "tokens": len(words_after),
        "words": len([c for c in confidences if c >= 0]),
        "confidence_mean": mean,
        "low_confidence_share": low,
        "valid_before": valid_share(words_before, is_valid),
        "valid_after": valid_share(words_after, is_valid),
        "changed_share": (
            None
            if changes is None
            else changed_share(changes, change_span[0], change_span[1], len(words_before))
        ),
        "perplexity": perplexity,
        "layer_score": layer_score,
        "error": error,
    }
    signals["verdict"], signals["reasons"] = verdict(signals, limits)
    return signals


@dataclass(frozen=True)
class PageEvidence:
    """What quality is told about one page; it derives nothing itself."""

    number: int
    before: str  # the page's text before restoration
    after: str  # the same page in the final text
    span: tuple[int, int]  # where ``before`` lies in the document text before restoration
    confidences: list[float]  # Tesseract's word confidences (OCR'd pages only)
    origin: str
    layer_score: float | None  # pages taken from the PDF's text layer only
    failed: bool  # the page has an error, or no text source at all


def assess(
    pages: list[PageEvidence],
    changes: list[dict] | None,
    models_dir: str | None,
    limits: Thresholds = DEFAULT_THRESHOLDS,
    unknown_fields: list[dict] | None = None,
) -> dict:
    """The ``quality`` object of a record. ``changes``: restoration's changes, None when it did not run;
    ``unknown_fields``: the header fields extraction had to leave unknown, and why (``document.unknown``)."""
    restorer, load_error = load_language_tools(models_dir)
    missing: list[str] = []
    if restorer is None:
        missing = ["perplexity", "syllable inventory (phonotactic rule used)"]
    results = []
    for page in pages:
        signals = page_signals(
            before=page.before,
            after=page.after,
            confidences=page.confidences,
            changes=changes,
            change_span=page.span,
            origin=page.origin,
            layer_score=page.layer_score,
            error=page.failed,
            restorer=restorer,
            limits=limits,
        )
        results.append({"page": page.number, **signals})
    return summarise(with_field_gaps(results, unknown_fields), missing=missing, load_error=load_error)


def summarise(pages: list[dict], *, missing: list[str], load_error: str | None) -> dict:
    """The document's verdict: its worst page's, with reasons that name the pages."""
    doc_verdict = worst([p["verdict"] for p in pages]) if pages else "bad"
    reasons = [
        f"page {p['page']}: {reason}" for p in pages for reason in p["reasons"] if p["verdict"] != "ok"
    ]
    if not pages:
        reasons = ["the document has no pages"]
    weights = [p["tokens"] for p in pages]

    def mean_of(key: str) -> float | None:
        return weighted_mean([(p[key], w) for p, w in zip(pages, weights, strict=True)])

    return {
        "verdict": doc_verdict,
        "reasons": reasons,
        "signals": {
            "tokens": sum(weights),
            "confidence_mean": mean_of("confidence_mean"),
            "low_confidence_share": mean_of("low_confidence_share"),
            "valid_before": mean_of("valid_before"),
            "valid_after": mean_of("valid_after"),
            "changed_share": mean_of("changed_share"),
            "perplexity": mean_of("perplexity"),
            "layer_score": mean_of("layer_score"),
        },
        "pages": pages,
        "counts": {v: sum(p["verdict"] == v for p in pages) for v in ("ok", "review", "bad")},
        "missing_signals": missing,
        "language_model_error": load_error,
    }
