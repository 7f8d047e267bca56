"""Calibrate the quality verdict on DEV pages: does ``review``+``bad`` catch pages with CER > 2%?

    .venv/bin/python -m benchmarks.quality [--per-condition 10] [--corpus DIR] [--workers 1]

Pages, each with its truth, through the whole pipeline (restoration and extraction on):

- synthetic: the OCR benchmark's generator (``benchmarks.ocr.build_pages``), one page per document,
  ``--per-condition`` pages per damage condition from DEV-split laws (calibration) and as many from
  TEST-split laws (held out); records kept in ``benchmarks/.cache/quality/synthetic`` (the batch resumes);
- real: every real page with a hand-typed truth (``benchmarks.extract_real.truth_pages``), dev and test
  by ``corpus_split`` (corpus ``real-scans``: the frozen test scans are never tuned on); records kept in
  ``benchmarks/.cache/quality/real``.

A page is bad in truth when the order-free CER of its final text is above 2% (runs of dot leaders
removed on both sides, as the extraction benchmark's (r4)); plain CER, where reading order counts, is
shown too. Flagged = verdict review or bad, under the verdict rule of the pipeline: the page's signals
(``pipeline.quality.checks.verdict``), then the unknown-field rule (``with_field_gaps``: a page whose
number, date or signer was left unknown is at least review).

Measured: how well each signal alone separates the pages above 2% from the others on DEV (ROC AUC);
a grid over the review limits, chosen on DEV pages only (synthetic and real pooled) as the highest
precision whose recall is at least ``RECALL_TARGET`` on each DEV set; then precision and recall of the
shipped and the chosen limits per set and part.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from collections.abc import Callable
from dataclasses import asdict, replace
from pathlib import Path

from benchmarks.common import (
    REPO_ROOT,
    VLC_DEFAULT,
    cer,
    markdown_table,
    order_free_cer,
    run_header,
    write_result,
)
from benchmarks.extract_real import _DOTS, REAL_ADMIN, SHARED, _record_of, truth_pages
from pipeline.corpus_split import split_of
from pipeline.document import RecordSchemaError
from pipeline.quality.checks import (
    DEFAULT_THRESHOLDS,
    Thresholds,
    confidence_signals,
    verdict,
    with_field_gaps,
)

CER_LIMIT = 0.02
RECALL_TARGET = 0.9
UNBUILT: list[str] = []  # typed texts whose record the pipeline could not build (see typed_cases)
TYPED_MAX_CHARS = 60_000  # a typed text longer than this (some 20 pages) is read as one page: not page-like
# The synthetic pages (same generator as the OCR benchmark, a cache of its own).
CACHE = REPO_ROOT / "benchmarks" / ".cache" / "batch"
RECORDS = REPO_ROOT / "benchmarks" / ".cache" / "quality"
# The limits shipped before they were chosen on DEV pages (calibrated on TEST-split synthetic pages).
BEFORE = replace(DEFAULT_THRESHOLDS, low_confidence=50.0, review_low_share=0.05, review_changed_share=0.05)
GRID = {
    "low_confidence": [50.0, 60.0, 70.0],
    "review_confidence_mean": [75.0, 80.0, 85.0, 88.0],
    "review_low_share": [0.03, 0.05, 0.08, 0.12],
    "review_valid_after": [0.85, 0.9, 0.92, 0.94],
    "review_changed_share": [0.05, 0.1, 0.2],
    "review_perplexity": [45.0, 60.0, 80.0, 100.0, 130.0, 200.0],
}


def case_of(record: dict, page_number: int, truth: str, **about: str) -> dict | None:
    """What calibration needs of one page of a record: its signals, its word confidences, whether the
    unknown-field rule sends it to review, and its true CER. None when the page has no quality entry."""
    qpages = (record.get("quality") or {}).get("pages") or []
    page = next((p for p in record.get("pages") or [] if p["number"] == page_number), None)
    index = next((i for i, q in enumerate(qpages) if q["page"] == page_number), None)
    if page is None or index is None:
        return None
    final = record["text"]["final"][page["text_start"] : page["text_end"]]
    truth, hyp = _DOTS.sub(" ", truth), _DOTS.sub(" ", final)
    return {
        **about,
        "page": page_number,
        "plain_cer": cer(truth, hyp),
        "order_free_cer": order_free_cer(truth, hyp),
        "signals": dict(qpages[index]),
        "confidences": [w["confidence"] for line in page["lines"] for w in line.get("words", [])],
        "field_gap": field_gap(record, index),
    }


def field_gap(record: dict, index: int) -> list[str]:
    """The reasons the unknown-field rule gives the record's ``index``-th page (empty: none)."""
    qpages = record["quality"]["pages"]
    neutral = [{"verdict": "ok", "reasons": [], "tokens": q.get("tokens", 0)} for q in qpages]
    return with_field_gaps(neutral, (record.get("document") or {}).get("unknown"))[index]["reasons"]


def synthetic_cases(corpus: Path, dev_per_condition: int, test_per_condition: int, workers: int) -> list[dict]:
    """DEV and TEST synthetic pages through ``run_batch`` (resumed from the kept records)."""
    from benchmarks.ocr import build_pages
    from pipeline.batch import run_batch
    from pipeline.config import PipelineConfig

    pages = {part: build_pages(corpus, count, cache=CACHE, part=part)
             for part, count in (("dev", dev_per_condition), ("test", test_per_condition))}
    folder = RECORDS / "synthetic"
    everything = [p.path for part_pages in pages.values() for p in part_pages]
    run_batch(everything, folder, config=PipelineConfig(), workers=workers, progress=True)
    records = {}
    for line in (folder / "documents.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        records[Path(record["source"]["path"]).stem] = record
    cases = []
    for part, part_pages in pages.items():
        for page in part_pages:
            case = case_of(records[page.key], 1, page.truth, key=page.key, set="synthetic", part=part,
                           condition=page.condition) if page.key in records else None
            if case:
                # The generator cuts pages out of laws: half carry no header, half no signature block, so
                # the unknown-field rule would send every page to review for a field it never had.
                case["field_gap"] = []
            cases.append(case or {"key": page.key, "set": "synthetic", "part": part, "failed": True})
    return cases


def real_cases() -> list[dict]:
    """Every real page with a typed truth, read afresh by this pipeline (records kept)."""
    cases = []
    for tp in truth_pages(SHARED / "corpora", REPO_ROOT / "corpora" / "real" / "scans"):
        record = _record_of(tp.source, RECORDS / "real")
        part = split_of(tp.name.split(".")[0], "real-scans")
        case = case_of(record, tp.page, tp.truth, key=tp.name, set="real", part=part, condition=tp.source.suffix)
        cases.append(case or {"key": tp.name, "set": "real", "part": part, "failed": True})
    return cases


def typed_cases(real_admin: Path, limit: int) -> list[dict]:
    """Real administrative texts as published (dev and test parts of real-admin, at most ``limit`` each,
    up to TYPED_MAX_CHARS each): typed, so good in truth (CER 0: the text is its own truth), and any
    review is a false alarm. They hold the language-model and syllable signals to real administrative
    wording, which the synthetic law pages do not have."""
    names = sorted(p.relative_to(real_admin).as_posix() for p in real_admin.rglob("*.txt"))
    cases = []
    for part in ("dev", "test"):
        chosen = [n for n in names if split_of(n, "real-admin") == part
                  and (real_admin / n).stat().st_size <= 3 * TYPED_MAX_CHARS][:limit]
        for name in chosen:
            try:
                record = _record_of(real_admin / name, RECORDS / "typed" / Path(name).parent)
            except RecordSchemaError as error:  # an extraction defect, not a page to judge: counted apart
                print(f"typed text left out: {error}", file=sys.stderr)
                UNBUILT.append(name)
                continue
            qpages = (record.get("quality") or {}).get("pages") or []
            if len(record["text"]["final"]) > TYPED_MAX_CHARS:
                continue
            if not qpages:
                cases.append({"key": name, "set": "typed", "part": part, "failed": True})
                continue
            cases.append({"key": name, "set": "typed", "part": part, "condition": "text", "page": 1,
                          "plain_cer": 0.0, "order_free_cer": 0.0, "signals": dict(qpages[0]), "confidences": [],
                          "field_gap": field_gap(record, 0)})
    return cases


# -- verdicts under given limits ---------------------------------------------------------------------------
def judge(case: dict, limits: Thresholds, fields: bool = True) -> str:
    """The verdict the page would get under ``limits`` (confidence shares recomputed from its words, then
    the unknown-field rule unless ``fields`` is False)."""
    if case.get("failed"):
        return "bad"
    signals = dict(case["signals"])
    if case["confidences"]:
        signals["confidence_mean"], signals["low_confidence_share"] = confidence_signals(
            case["confidences"], limits.low_confidence
        )
    page_verdict = verdict(signals, limits)[0]
    return "review" if page_verdict == "ok" and fields and case["field_gap"] else page_verdict


def truly_bad(case: dict, metric: str = "order_free_cer") -> bool:
    return bool(case.get("failed")) or case[metric] > CER_LIMIT


def scores(cases: list[dict], limits: Thresholds, metric: str = "order_free_cer") -> dict:
    """Flagged (review+bad) against truly bad: counts, precision, recall."""
    flagged = [judge(c, limits) != "ok" for c in cases]
    truly = [truly_bad(c, metric) for c in cases]
    hit = sum(f and t for f, t in zip(flagged, truly, strict=True))
    return {
        "pages": len(cases),
        "bad": sum(truly),
        "flagged": sum(flagged),
        "by_signals": sum(judge(c, limits, fields=False) != "ok" for c in cases),
        "hit": hit,
        "precision": hit / sum(flagged) if any(flagged) else 1.0,
        "recall": hit / sum(truly) if any(truly) else 1.0,
    }


def calibrate(dev: list[dict]) -> tuple[Thresholds, int]:
    """The review limits with the highest precision on all DEV pages whose recall reaches RECALL_TARGET
    on the real DEV pages and on all DEV pages with a truth; ties go to fewer flagged pages, then to the
    setting that changes fewest shipped limits. Returns the limits and how many grid points met the
    recall target."""
    real = [c for c in dev if c["set"] == "real"]
    with_truth = [c for c in dev if c["set"] != "typed"]
    best, best_key, eligible = DEFAULT_THRESHOLDS, None, 0
    for values in itertools.product(*GRID.values()):
        limits = replace(DEFAULT_THRESHOLDS, **dict(zip(GRID, values, strict=True)))
        if any(scores(group, limits)["recall"] < RECALL_TARGET for group in (real, with_truth)):
            continue
        eligible += 1
        total = scores(dev, limits)
        unchanged = sum(getattr(limits, k) == getattr(DEFAULT_THRESHOLDS, k) for k in GRID)
        key = (total["precision"], -total["flagged"], unchanged)
        if best_key is None or key > best_key:
            best, best_key = limits, key
    return best, eligible


# -- which signals separate --------------------------------------------------------------------------------
def _share_below(level: float) -> Callable[[dict], float | None]:
    return lambda case: confidence_signals(case["confidences"], level)[1] if case["confidences"] else None


def _tenth_percentile(case: dict) -> float | None:
    known = sorted(c for c in case["confidences"] if c >= 0)
    return known[len(known) // 10] if known else None


# name -> (value of a case, True when a higher value means a worse page)
SIGNALS: dict[str, tuple[Callable[[dict], float | None], bool]] = {
    "mean word confidence": (lambda c: c["signals"].get("confidence_mean"), False),
    "10th percentile of word confidence": (_tenth_percentile, False),
    "share of words below confidence 50": (_share_below(50.0), True),
    "share of words below confidence 70": (_share_below(70.0), True),
    "share of Vietnamese syllables before restoration": (lambda c: c["signals"].get("valid_before"), False),
    "share of Vietnamese syllables after restoration (unknown tokens)": (
        lambda c: c["signals"].get("valid_after"), False),
    "restoration change rate": (lambda c: c["signals"].get("changed_share"), True),
    "language-model perplexity": (lambda c: c["signals"].get("perplexity"), True),
    "number, date or signer left unknown": (lambda c: float(bool(c["field_gap"])), True),
}


def auc(cases: list[dict], value: Callable[[dict], float | None], higher_is_worse: bool) -> tuple[float, int] | None:
    """ROC AUC of one signal for "CER > 2%" (0.5: no separation, 1.0: every bad page ranks worse than
    every good one), over the pages where the signal is known; ties count half."""
    known = [(v if higher_is_worse else -v, truly_bad(c)) for c in cases if not c.get("failed")
             for v in [value(c)] if v is not None]
    bad = [v for v, t in known if t]
    good = [v for v, t in known if not t]
    if not bad or not good:
        return None
    wins = sum(1.0 if b > g else 0.5 if b == g else 0.0 for b in bad for g in good)
    return wins / (len(bad) * len(good)), len(known)


# -- tables ------------------------------------------------------------------------------------------------
def _groups(cases: list[dict]) -> dict[tuple[str, str], list[dict]]:
    out: dict[tuple[str, str], list[dict]] = {}
    for case in cases:
        out.setdefault((case["set"], case["part"]), []).append(case)
    return dict(sorted(out.items(), key=lambda item: (item[0][0], item[0][1] != "dev")))


def separation_table(cases: list[dict]) -> str:
    dev = [c for c in cases if c["part"] == "dev"]
    columns = {"DEV synthetic": [c for c in dev if c["set"] == "synthetic"],
               "DEV real": [c for c in dev if c["set"] == "real"],
               "DEV real and typed": [c for c in dev if c["set"] != "synthetic"], "DEV all": dev}
    rows = []
    for name, (value, worse_up) in SIGNALS.items():
        cells = []
        for group in columns.values():
            result = auc(group, value, worse_up)
            cells.append("n/a" if result is None else f"{result[0]:.2f} ({result[1]})")
        rows.append([name, *cells])
    return markdown_table(["signal", *[f"AUC {k} (pages)" for k in columns]], rows)


def score_table(cases: list[dict], named_limits: dict[str, Thresholds]) -> str:
    rows = []
    for metric in ("order_free_cer", "plain_cer"):
        for name, limits in named_limits.items():
            for (kind, part), group in _groups(cases).items():
                s = scores(group, limits, metric)
                rows.append([metric.replace("_", " "), name, kind, part, s["pages"], s["bad"], s["flagged"],
                             s["by_signals"], s["hit"], f"{s['precision']:.2f}", f"{s['recall']:.2f}"])
    return markdown_table(["true CER", "limits", "pages", "part", "n", "CER > 2%", "review+bad",
                           "of which by signals alone", "review+bad and > 2%", "precision", "recall"], rows)


def real_page_table(cases: list[dict], limits: Thresholds) -> str:
    rows = []
    for c in cases:
        if c["set"] != "real" or c.get("failed"):
            continue
        signals = c["signals"]
        rows.append([c["key"], c["part"], f"{100 * c['order_free_cer']:.1f}%", f"{100 * c['plain_cer']:.1f}%",
                     signals.get("confidence_mean"), signals.get("low_confidence_share"), signals.get("valid_after"),
                     signals.get("changed_share"), signals.get("perplexity"), judge(c, BEFORE),
                     judge(c, limits), "yes" if c["field_gap"] else ""])
    return markdown_table(["page", "part", "CER (order-free)", "CER", "mean conf.", "low-conf. share",
                           "syllables", "changed", "perplexity", "verdict (before)", "verdict (chosen)",
                           "field unknown"], rows)


def condition_table(cases: list[dict], limits: Thresholds) -> str:
    rows = []
    for (kind, part), group in _groups(cases).items():
        if kind != "synthetic":
            continue
        for condition in dict.fromkeys(c.get("condition") for c in group):
            pages = [c for c in group if c.get("condition") == condition and not c.get("failed")]
            verdicts = [judge(c, limits) for c in pages]
            rows.append([part, condition, len(pages),
                         f"{100 * sum(c['order_free_cer'] for c in pages) / max(1, len(pages)):.2f}%",
                         sum(truly_bad(c) for c in pages), *[verdicts.count(v) for v in ("ok", "review", "bad")]])
    return markdown_table(["part", "condition", "pages", "mean order-free CER", "CER > 2%", "ok", "review", "bad"],
                          rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="calibrate quality verdicts on DEV pages")
    parser.add_argument("--corpus", type=Path, default=VLC_DEFAULT)
    parser.add_argument("--per-condition", type=int, default=10, help="DEV synthetic pages per condition")
    parser.add_argument("--held-out-per-condition", type=int, default=5, help="TEST synthetic pages per condition")
    parser.add_argument("--typed-per-part", type=int, default=1000, help="real-admin texts per part (dev, test)")
    parser.add_argument("--real-admin", type=Path, default=REAL_ADMIN)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args(argv)
    from pipeline.config import limit_threads

    limit_threads()
    cases = synthetic_cases(args.corpus, args.per_condition, args.held_out_per_condition, args.workers)
    cases += real_cases() + typed_cases(args.real_admin, args.typed_per_part)
    chosen, eligible = calibrate([c for c in cases if c["part"] == "dev"])
    named = {"before the DEV calibration": BEFORE, "shipped": DEFAULT_THRESHOLDS, "chosen on DEV": chosen}
    changed = {k: (getattr(BEFORE, k), v) for k, v in asdict(chosen).items() if getattr(BEFORE, k) != v}
    command = "make bench-quality  (.venv/bin/python -m benchmarks.quality" + "".join(
        f" {a}" for a in (sys.argv[1:] if argv is None else argv)) + ")"
    text = "\n".join([
        run_header("quality verdicts vs true CER (DEV calibration; synthetic and real pages)", command),
        f"Synthetic: {args.per_condition} DEV and {args.held_out_per_condition} TEST one-page documents per damage "
        "condition; real: every page with a typed truth; typed: the real-admin texts of the dev and test parts, "
        f"as published (good in truth; {len(UNBUILT)} left out because the pipeline could not build their "
        f"record: {', '.join(UNBUILT) or 'none'}). Bad in truth: order-free CER of text.final above "
        f"{CER_LIMIT:.0%}. Flagged: review or bad (page signals, then the unknown-field rule, which synthetic pages "
        "are spared: they are cut out of laws, half without a header, half without a signature).",
        "", "## Which signals separate pages above 2% CER (DEV only)", "", separation_table(cases), "",
        f"## Precision and recall of review+bad (limits chosen on DEV: {eligible} grid points reach recall "
        f">= {RECALL_TARGET} on the real DEV pages and on all DEV pages with a truth)", "",
        score_table(cases, named), "",
        f"Chosen against the limits before the DEV calibration (before -> chosen): `{json.dumps(changed)}`"
        f"; the shipped limits {'are' if chosen == DEFAULT_THRESHOLDS else 'are NOT'} the chosen ones.", "",
        "## Real pages with a typed truth", "", real_page_table(cases, chosen), "",
        "## Synthetic pages per condition (chosen limits)", "", condition_table(cases, chosen),
    ])
    print(text)
    print(f"wrote {write_result('quality', text)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
