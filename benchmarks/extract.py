"""Extraction benchmark: precision, recall and F1 per field and per field group.

    .venv/bin/python -m benchmarks.extract [--scans] [--conditions clean,mild,heavy] [--scan-docs 12]
                                           [--corpus ../shared/corpora/vlc-2022]

Sets:
(a)  typed texts: the 41 documents of ``corpora/dev/`` (``NAME.txt``, two-column header lines written
     ``LEFT<TAB>RIGHT``) against their expected ``NAME.json``;
(a') the same texts in OCR reading order (each run of two-column lines becomes its left cells, then its
     right cells; what Tesseract returns for a two-column block), same truth;
(a'') 6 typed documents in ``corpora/dev/heldout/`` written after the rules were frozen (truth from a
     hand check of the frozen extractor's output, its errors corrected by hand in the JSON);
(b)  through scans (``--scans``): each document rendered by ``pipeline.synth.render_document``, damaged by
     ``pipeline.synth.damage.apply_condition`` under the OCR benchmark's conditions, saved as a multi-page
     TIFF and run through the whole pipeline (``pipeline.process``: OCR, restoration, extraction with the
     OCR layout); same truth;
(c)  the headers of the 208 laws of vlc-2022 (first 3,000 characters): number, place, date. Truth by an
     independent rule, not the extractor's code, over the first 8 lines: the number is the digits after the
     "Số:" / "Luật số:" / "LUẬT SỐ" that opens a line, when followed by "/" or "-" (a bare "Số:" line is
     joined with the next line);
     place and date from the first line "<place>, ngày <d> tháng <m> năm <y>" (any case; "ngày03" with the
     space lost counts too: the 2004 electricity law's header is printed so). Where the file
     name carries a number ("Luat-68-2020-QH14-...") it is compared with the rule's and disagreements are
     listed (one: the file name of the 2008 excise-tax law says 26, its header says 27/2008/QH12). The
     rule's output was checked by hand on 25 files (``--show-vlc 25``) and on every mismatch.

Matching (stated once, used everywhere). Values are compared after normalisation: NFC, whitespace collapsed,
tone marks in one style (hoà -> hòa, uỷ -> ủy, ...), trailing " .;," stripped; comparison is otherwise exact
(case-sensitive).
- A scalar field of the document (type, number, issuer, date, signer.name, ...): per document, a predicted
  non-null value equal to the true one is a TP; a predicted value that differs (or where the truth is null)
  is a FP; a true non-null value not predicted exactly is a FN (a wrong value counts as FP and FN).
- recipients: multiset of items per document; a predicted item is a TP if an equal true item is left.
- references: an item matches if number_symbol is equal (for laws cited by name: kind and about) AND date
  AND issuer are equal; per-field rows count (key, value) pairs of that field as multisets.
- dates: multiset of (ISO value, role) per document; the row "dates.value" ignores the role.
- tasks: a predicted task matches a true one (greedy, one to one, in text order) if the assignee is equal,
  the deadline is equal and the description similarity (rapidfuzz ``fuzz.ratio`` on normalised text) is at
  least 80; per-field rows: assignee, (assignee, deadline), (assignee, coordinating unit).
A group's P/R/F1 are micro-averaged over all its field rows (TP, FP, FN summed).
The dev documents were used while writing the rules: (a) measures fit, not generalisation; (b) and (c) are
closer to unseen conditions.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from rapidfuzz import fuzz

from benchmarks.common import REPO_ROOT, VLC_DEFAULT, markdown_table, publish, run_header
from pipeline.extract import extract
from pipeline.extract.textutil import ocr_reading_order

DEV = REPO_ROOT / "corpora" / "dev"
HEADER_FIELDS = ("type", "type_code", "number", "symbol", "number_symbol", "issuer", "parent_issuer", "place",
                 "date", "subject", "archive", "secrecy", "urgency")
SIGNER_FIELDS = ("authority", "position", "name")
GROUPS = {
    "document header": [*HEADER_FIELDS, "recipients", *(f"signer.{f}" for f in SIGNER_FIELDS)],
    "references": ["references.item", "references.number_symbol", "references.date", "references.issuer",
                   "references.about"],
    "dates": ["dates.value+role", "dates.value"],
    "tasks": ["tasks.item", "tasks.assignee", "tasks.deadline", "tasks.coordinating_units"],
}
TARGET_TYPED, TARGET_SCANS = 0.97, 0.93
_TONE = {"oà": "òa", "oá": "óa", "oả": "ỏa", "oã": "õa", "oạ": "ọa", "oè": "òe", "oé": "óe", "oẻ": "ỏe",
         "oẽ": "õe", "oẹ": "ọe", "uỳ": "ùy", "uý": "úy", "uỷ": "ủy", "uỹ": "ũy", "uỵ": "ụy"}
_TONE_RE = re.compile("(?:" + "|".join(_TONE) + r")(?!\w)", re.IGNORECASE)


def norm(value: object) -> object:
    """The comparison form of a value (strings only; other values as they are)."""
    if not isinstance(value, str):
        return value
    text = " ".join(unicodedata.normalize("NFC", value).split())
    text = _TONE_RE.sub(lambda m: _keep_case(m.group(0), _TONE[m.group(0).lower()]), text)
    return text.rstrip(" .;,")


def _keep_case(src: str, dst: str) -> str:
    return dst[0].upper() + dst[1:] if src[0].isupper() else dst


@dataclass
class Count:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, other: Count) -> None:
        self.tp, self.fp, self.fn = self.tp + other.tp, self.fp + other.fp, self.fn + other.fn

    def prf(self) -> tuple[float, float, float]:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return p, r, f


@dataclass
class Scores:
    fields: dict[str, Count] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def count(self, name: str) -> Count:
        return self.fields.setdefault(name, Count())

    def group(self, fields: list[str]) -> Count:
        total = Count()
        for name in fields:
            if name in self.fields:
                total.add(self.fields[name])
        return total


def _scalar(scores: Scores, name: str, truth: object, pred: object, doc: str) -> None:
    t, p = norm(truth), norm(pred)
    c = scores.count(name)
    if t is None and p is None:
        return
    if t is not None and p == t:
        c.tp += 1
        return
    if p is not None:
        c.fp += 1
    if t is not None:
        c.fn += 1
    scores.errors.append(f"{doc}: {name}: expected {truth!r}, got {pred!r}")


def _multiset(scores: Scores, name: str, truth: list, pred: list, doc: str) -> None:
    t, p = Counter(truth), Counter(pred)
    common = t & p
    c = scores.count(name)
    c.tp += sum(common.values())
    c.fp += sum((p - common).values())
    c.fn += sum((t - common).values())
    for item in (t - common).elements():
        scores.errors.append(f"{doc}: {name}: missed {item!r}")
    for item in (p - common).elements():
        scores.errors.append(f"{doc}: {name}: spurious {item!r}")


def _ref_key(r: dict) -> object:
    return norm(r["number_symbol"]) if r.get("number_symbol") else (norm(r["kind"]), norm(r.get("about")))


def compare(truth: dict, pred: dict, scores: Scores, doc: str) -> None:
    """Add one document's counts to ``scores`` (rules in the module docstring)."""
    td, pd = truth["document"], pred["document"]
    for name in HEADER_FIELDS:
        _scalar(scores, name, td.get(name), pd.get(name), doc)
    for name in SIGNER_FIELDS:
        _scalar(scores, f"signer.{name}", (td.get("signer") or {}).get(name), (pd.get("signer") or {}).get(name), doc)
    _multiset(scores, "recipients", [norm(x) for x in td.get("recipients", [])],
              [norm(x) for x in pd.get("recipients", [])], doc)

    def ref_items(refs: list[dict]) -> list:
        return [(_ref_key(r), norm(r.get("date")), norm(r.get("issuer"))) for r in refs]

    _multiset(scores, "references.item", ref_items(truth["references"]), ref_items(pred["references"]), doc)
    for f in ("number_symbol", "date", "issuer", "about"):
        _multiset(scores, f"references.{f}",
                  [(_ref_key(r), norm(r[f])) for r in truth["references"] if r.get(f) is not None],
                  [(_ref_key(r), norm(r[f])) for r in pred["references"] if r.get(f) is not None], doc)
    _multiset(scores, "dates.value+role", [(d["value"], d["role"]) for d in truth["dates"]],
              [(d["value"], d["role"]) for d in pred["dates"]], doc)
    _multiset(scores, "dates.value", [d["value"] for d in truth["dates"]], [d["value"] for d in pred["dates"]], doc)
    _tasks(scores, truth["tasks"], pred["tasks"], doc)


def _tasks(scores: Scores, truth: list[dict], pred: list[dict], doc: str) -> None:
    left = list(range(len(truth)))
    c = scores.count("tasks.item")
    for p in pred:
        hit = None
        for i in left:
            t = truth[i]
            if (norm(t["assignee"]) == norm(p["assignee"]) and t["deadline"] == p["deadline"]
                    and fuzz.ratio(norm(t["description"]), norm(p["description"])) >= 80):
                hit = i
                break
        if hit is None:
            c.fp += 1
            scores.errors.append(f"{doc}: tasks.item: spurious {p['assignee']!r} / {p['description'][:60]!r}")
        else:
            c.tp += 1
            left.remove(hit)
    c.fn += len(left)
    for i in left:
        scores.errors.append(f"{doc}: tasks.item: missed {truth[i]['assignee']!r} / {truth[i]['description'][:60]!r}")
    _multiset(scores, "tasks.assignee", [norm(t["assignee"]) for t in truth], [norm(t["assignee"]) for t in pred], doc)
    _multiset(scores, "tasks.deadline", [(norm(t["assignee"]), t["deadline"]) for t in truth],
              [(norm(t["assignee"]), t["deadline"]) for t in pred], doc)
    _multiset(scores, "tasks.coordinating_units",
              [(norm(t["assignee"]), norm(u)) for t in truth for u in t["coordinating_units"]],
              [(norm(t["assignee"]), norm(u)) for t in pred for u in t["coordinating_units"]], doc)


def dev_documents(folder: Path = DEV) -> list[tuple[str, str, dict]]:
    """(name, text, expected) of every development document (or of the held-out ones)."""
    docs = []
    for path in sorted(folder.glob("*.txt")):
        expected = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        docs.append((path.stem, path.read_text(encoding="utf-8"), expected))
    return docs


def score_typed(docs: list[tuple[str, str, dict]], transform=None) -> tuple[Scores, float]:
    scores = Scores()
    start = time.perf_counter()
    for name, text, expected in docs:
        compare(expected, extract(transform(text) if transform else text), scores, name)
    return scores, (time.perf_counter() - start) / max(1, len(docs))


# -- (c) the laws' headers -------------------------------------------------------------------------------
_FILE_NUMBER = re.compile(r"-(\d{1,3})-(\d{4})-(QH\d{1,2})-")
_TEXT_NUMBER = re.compile(r"^(?:(?:bộ\s+)?luật\s+|pháp\s+lệnh\s+)?số\s*:?\s*(\d{1,4})[-/]", re.IGNORECASE)
_DATE_LINE = re.compile(r"^\s*([^,\d]+?)\s*,\s*ngày\s*(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})", re.IGNORECASE)


def vlc_truth(path: Path, head: str) -> dict:
    """The independent rule of the module docstring."""
    lines = [line.strip() for line in head.split("\n")[:8]]
    number = None
    for i, line in enumerate(lines):
        joined = line + (" " + lines[i + 1] if re.fullmatch(r"(?i)số\s*:?", line) and i + 1 < len(lines) else "")
        m = _TEXT_NUMBER.search(joined)
        if m:
            number = m.group(1)
            break
    place = date = None
    for line in lines:
        m3 = _DATE_LINE.match(line)
        if m3:
            place = m3.group(1).strip()
            date = f"{int(m3.group(4)):04d}-{int(m3.group(3)):02d}-{int(m3.group(2)):02d}"
            break
    return {"number": number, "place": place, "date": date}


def file_number(path: Path) -> str | None:
    """The number the file name carries ("Luat-68-2020-QH14-..."), used only as a cross-check."""
    m = _FILE_NUMBER.search(path.name)
    return m.group(1) if m else None


def score_vlc(corpus: Path, show: int = 0) -> tuple[Scores, int]:
    scores = Scores()
    files = sorted(corpus.glob("*.txt"))
    for i, path in enumerate(files):
        head = path.read_text(encoding="utf-8")[:3000]
        truth = vlc_truth(path, head)
        doc = extract(head)["document"]
        if i < show:
            print(path.name, truth, {k: doc[k] for k in truth}, file=sys.stderr)
        for name in ("number", "place", "date"):
            _scalar(scores, name, truth[name], doc[name], path.name)
        from_name = file_number(path)
        if from_name and truth["number"] and from_name.lstrip("0") != truth["number"].lstrip("0"):
            scores.errors.append(f"(file name says {from_name}, header says {truth['number']}: {path.name})")
    return scores, len(files)


# -- (b) through scans -----------------------------------------------------------------------------------
def _scan_docs(docs: list, ci: int, per_condition: int) -> list:
    """The documents of condition number ci: all, or ``per_condition`` of them, rotating over the set so
    that every document is used under some condition."""
    if not per_condition or per_condition >= len(docs):
        return docs
    return [docs[(ci * per_condition + j) % len(docs)] for j in range(per_condition)]


def score_scans(docs, conditions: list[str], per_condition: int, cache: Path, rescore: bool,
                workers: int) -> tuple[dict[str, Scores], dict]:
    """Render, damage, save as TIFF, run ``pipeline.process``; compare its record to the truth.

    Records are cached as JSON next to the TIFFs; ``rescore`` re-runs only the extractor on the cached
    ``text.final`` (with a layout rebuilt from the cached page lines), for fast iteration."""
    import numpy as np

    from pipeline.synth import render_document
    from pipeline.synth.damage import apply_condition

    cache.mkdir(parents=True, exist_ok=True)
    jobs = []
    for ci, condition in enumerate(conditions):
        for di, (name, text, _) in enumerate(_scan_docs(docs, ci, per_condition)):
            tif = cache / f"{name}.{condition}.tif"
            if not tif.exists():
                rng = np.random.default_rng(1000 * ci + di)
                pages = [apply_condition(page, condition, rng) for page in render_document(text, seed=di)]
                images = [img for img, _ in pages]
                images[0].save(tif, save_all=True, append_images=images[1:], dpi=(pages[0][1], pages[0][1]),
                               compression="tiff_lzw")
            jobs.append((condition, name, tif))
    todo = [str(tif) for _, _, tif in jobs if rescore is False or not tif.with_suffix(".json").exists()]
    start = time.perf_counter()
    # One document at a time in this process: pipeline.process parallelises its own pages where it can
    # (a process pool around it deadlocked here).
    del workers
    for k, path in enumerate(todo, 1):
        record = _process_one(path)
        Path(path).with_suffix(".json").write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
        print(f"  (b) {k}/{len(todo)} {Path(path).name}", file=sys.stderr, flush=True)
    info = {"pages": 0, "seconds": time.perf_counter() - start, "documents": len(jobs), "processed": len(todo)}
    from pipeline.schema import record_errors

    truth = {name: expected for name, _, expected in docs}
    results: dict[str, Scores] = {}
    info["invalid"] = 0
    for condition, name, tif in jobs:
        record = json.loads(tif.with_suffix(".json").read_text(encoding="utf-8"))
        info["pages"] += len(record.get("pages") or [])
        if record_errors(record):
            info["invalid"] += 1
        if rescore:
            final = (record.get("text") or {}).get("final") or ""
            pred = extract(final, layout=_layout_of(record) or None)
        else:
            pred = {k: record.get(k) for k in ("document", "references", "dates", "tasks")}
            if not isinstance(pred["document"], dict) or "number" not in pred["document"]:
                pred = extract("")  # the stage failed: everything counts as missed
        compare(truth[name], pred, results.setdefault(condition, Scores()), f"{name}[{condition}]")
    return results, info


def _process_one(path: str) -> dict:
    from pipeline import process  # which limits Tesseract's and OpenCV's threads

    return process(path)


def _layout_of(record: dict) -> list[dict]:
    """The OCR line layout of a cached record (offsets shifted by each page's start in text.final)."""
    out = []
    for page in record.get("pages") or []:
        base = page.get("text_start") or 0
        for line in page.get("lines") or []:
            out.append({"page": page["number"], "start": base + line["start"], "end": base + line["end"],
                        "bbox": line["bbox"], "page_width": page.get("width") or 0,
                        "page_height": page.get("height") or 0})
    return out


# -- report ----------------------------------------------------------------------------------------------
def fmt(x: float) -> str:
    return f"{x:.3f}"


def group_rows(label: str, scores: Scores, target: float | None) -> list[list[object]]:
    rows = []
    for group, fields in GROUPS.items():
        c = scores.group(fields)
        if c.tp + c.fp + c.fn == 0:
            continue
        p, r, f = c.prf()
        ok = "" if target is None else ("yes" if f >= target else "NO")
        rows.append([label, group, c.tp, c.fp, c.fn, fmt(p), fmt(r), fmt(f), ok])
    return rows


def field_rows(scores: Scores) -> list[list[object]]:
    rows = []
    for group, fields in GROUPS.items():
        for name in fields:
            if name not in scores.fields:
                continue
            c = scores.fields[name]
            p, r, f = c.prf()
            rows.append([group, name, c.tp, c.fp, c.fn, fmt(p), fmt(r), fmt(f)])
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", type=Path, default=VLC_DEFAULT)
    ap.add_argument("--scans", action="store_true", help="also run (b): render, damage, full pipeline")
    ap.add_argument("--conditions", default="clean,mild,heavy,skew,rot90,rot180,lowres,stamp")
    ap.add_argument("--scan-docs", type=int, default=10, help="documents per condition, rotating (0: all)")
    ap.add_argument("--rescore", action="store_true",
                    help="(b) from cached records: re-run only the extractor on their text.final")
    ap.add_argument("--workers", type=int, default=1, help="unused (documents run one at a time)")
    ap.add_argument("--show-vlc", type=int, default=0, help="print truth and prediction of the first N laws")
    ap.add_argument("--errors", action="store_true", help="print every mismatch of (a) to stderr")
    args = ap.parse_args(argv)

    docs = dev_documents()
    typed, per_doc = score_typed(docs)
    ocr_order, _ = score_typed(docs, ocr_reading_order)
    heldout_docs = dev_documents(DEV / "heldout")
    heldout, _ = score_typed(heldout_docs)
    if args.errors:
        for line in typed.errors + ["-- OCR reading order --"] + ocr_order.errors + ["-- held-out --"] + heldout.errors:
            print(line, file=sys.stderr)
    summary = group_rows("(a) typed", typed, TARGET_TYPED) + group_rows("(a') typed, OCR order", ocr_order,
                                                                         TARGET_TYPED)
    summary += group_rows("(a'') typed, held-out", heldout, TARGET_TYPED)
    sections = []
    scan_info = None
    if args.scans:
        conditions = [c for c in args.conditions.split(",") if c]
        cache = REPO_ROOT / "benchmarks" / ".cache" / "extract"
        scans, scan_info = score_scans(docs, conditions, args.scan_docs, cache, args.rescore, args.workers)
        total, but_heavy = Scores(), Scores()
        for condition, s in scans.items():
            summary += group_rows(f"(b) scans, {condition}", s, TARGET_SCANS)
            for name, c in s.fields.items():
                total.count(name).add(c)
                if condition != "heavy":
                    but_heavy.count(name).add(c)
            if args.errors:
                for line in s.errors:
                    if "got None" not in line or "expected None" not in line:
                        print(line, file=sys.stderr)
        summary += group_rows("(b) scans, all", total, TARGET_SCANS)
        if "heavy" in scans and len(scans) > 1:
            summary += group_rows("(b) scans, all but heavy", but_heavy, TARGET_SCANS)
        sections.append(("(b) through scans, all conditions: per field", total))
    vlc, n_laws = score_vlc(args.corpus, args.show_vlc) if args.corpus.exists() else (None, 0)

    command = "make bench-extract  (.venv/bin/python -m benchmarks.extract" + \
        (f" --scans --conditions {args.conditions} --scan-docs {args.scan_docs}" + (" --rescore" if args.rescore
                                                                                    else "")
         if args.scans else "") + ")"
    out = [run_header("extract", command)]
    out.append(f"Documents: {len(docs)} typed development documents (corpora/dev), "
               f"{sum(len(d[2]['tasks']) for d in docs)} true tasks, "
               f"{sum(len(d[2]['references']) for d in docs)} references, "
               f"{sum(len(d[2]['dates']) for d in docs)} dates. Extraction time: {per_doc * 1000:.1f} ms per "
               f"typed document (one process, after the first call).")
    out.append("Targets: F1 >= 0.97 per group on typed text, >= 0.93 through scans. Matching rules: see "
               "the docstring of benchmarks/extract.py (exact after NFC, whitespace and tone-style "
               "normalisation; tasks by assignee + deadline + description similarity >= 80).\n")
    out.append("## Per field group\n")
    out.append(markdown_table(["set", "group", "TP", "FP", "FN", "P", "R", "F1", "target met"], summary))
    if not args.scans:
        out.append("\n(b) through scans: not run in this invocation (add `--scans`).")
    elif scan_info:
        out.append(f"\n(b): {scan_info['documents']} documents ({scan_info['pages']} pages) under "
                   f"{len(scans)} conditions, {args.scan_docs or 'all'} documents per condition (rotating over the "
                   f"set); {scan_info['processed']} run through `pipeline.process` in this invocation "
                   f"({scan_info['seconds']:.0f} s, one document at a time)"
                   + ("; extraction re-run on cached records (--rescore)." if args.rescore else ".")
                   + f" Records that fail pipeline/schema/record.schema.json: {scan_info['invalid']}.")
    out.append(f"\n(a'') held-out: {len(heldout_docs)} documents, "
               f"{sum(len(d[2]['tasks']) for d in heldout_docs)} true tasks.")
    out.append("\n## (a) typed: per field\n")
    out.append(markdown_table(["group", "field", "TP", "FP", "FN", "P", "R", "F1"], field_rows(typed)))
    out.append("\n## (a') typed, OCR reading order: per field\n")
    out.append(markdown_table(["group", "field", "TP", "FP", "FN", "P", "R", "F1"], field_rows(ocr_order)))
    for title, s in sections:
        out.append(f"\n## {title}\n")
        out.append(markdown_table(["group", "field", "TP", "FP", "FN", "P", "R", "F1"], field_rows(s)))
    if vlc is not None:
        out.append(f"\n## (c) headers of the {n_laws} laws of vlc-2022\n")
        rows = []
        for name in ("number", "place", "date"):
            c = vlc.fields[name]
            p, r, f = c.prf()
            rows.append([name, c.tp, c.fp, c.fn, fmt(p), fmt(r), fmt(f)])
        total = vlc.group(["number", "place", "date"])
        p, r, f = total.prf()
        rows.append(["all three", total.tp, total.fp, total.fn, fmt(p), fmt(r), fmt(f)])
        out.append(markdown_table(["field", "TP", "FP", "FN", "P", "R", "F1"], rows))
        if vlc.errors:
            out.append("\nMismatches and cross-checks: " + "; ".join(vlc.errors[:10]) + (" ..." if len(vlc.errors) > 10 else ""))
    publish("extract", out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
