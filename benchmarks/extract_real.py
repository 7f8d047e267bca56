"""Extraction on real documents: the publisher's catalogue fields of real-admin, and the annotated real set.

    .venv/bin/python -m benchmarks.extract_real [--real-admin ../shared/corpora/real-admin] [--errors dev]
                                                [--annotations corpora/real]

(r1) Catalogue fields. 156 texts of ``real-admin/`` carry the record of the site that published them
     (``index.jsonl``: Số hiệu, Loại văn bản, Nơi ban hành, Người ký, Ngày ban hành). Each ``.txt`` goes
     through ``pipeline.extract.extract`` as typed text (what ``vanban process`` does with a .txt, minus
     restoration, which leaves well-formed Vietnamese alone). Accuracy per field, each part of
     ``split_of(path, "real-admin")`` apart (rules were tuned on train and dev only). Matching:
     - number/symbol: ``number_symbol`` equal to "Số hiệu" (NFC, spaces removed);
     - type: ``type`` equal to "Loại văn bản" lower-cased;
     - signer: ``signer.name`` equal to "Người ký" (NFC, tone style and spaces normalised);
     - date: ``date`` equal to "Ngày ban hành" (d/m/yyyy) as ISO;
     - issuer: the catalogue writes a short form. Both sides are compared case-folded with tone style
       normalised. The extracted issuer matches when equal; or equal once the locality of its parent
       body is added ("Sở Giáo dục và Đào tạo" under "UBND Thành phố Hồ Chí Minh" is the catalogue's
       "Sở Giáo dục và Đào tạo Thành phố Hồ Chí Minh"); or, when the catalogue names a province or
       city ("Tỉnh Bắc Ninh", "Thành phố Hà Nội"), when the issuer is its People's Committee or
       Council ("Ủy ban nhân dân tỉnh Bắc Ninh", "Hội đồng nhân dân thành phố Hà Nội"), the Chairman
       of its People's Committee, or a body whose parent is that People's Committee ("Trung tâm Phục
       vụ hành chính công" under "UBND thành phố Hà Nội": the catalogue files it under the city).
(r2) Annotated real documents (``corpora/real/admin/*.json``, written by hand; each names its text by
     ``path`` under ``../shared/corpora/``): F1 per group as ``benchmarks.extract`` counts it, dev and
     test apart.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.common import REPO_ROOT
from benchmarks.extract import GROUPS, Scores, compare, fmt, norm
from pipeline.corpus_split import split_of
from pipeline.extract import extract

# ``../shared`` next to the repository (CI), or two levels up for a git worktree under ``wt/``.
SHARED = next((p for p in (REPO_ROOT.parent / "shared", REPO_ROOT.parent.parent / "shared") if p.exists()),
              REPO_ROOT.parent / "shared")
REAL_ADMIN = SHARED / "corpora" / "real-admin"
CATALOGUE_FIELDS = ("number_symbol", "type", "issuer", "signer", "date")
TARGET_CATALOGUE = 0.98
_LOCALITY = re.compile(r"^(tỉnh|thành phố)\s+\S", re.IGNORECASE)
_LOCAL_BODIES = ("ủy ban nhân dân", "hội đồng nhân dân", "chủ tịch ủy ban nhân dân")
_PARENT_BODY = re.compile(r"^(?:ủy ban nhân dân|ubnd)\s+")


@dataclass
class Tally:
    """Right / total per field, and the misses for the error listing."""

    right: dict[str, int] = field(default_factory=dict)
    total: dict[str, int] = field(default_factory=dict)
    misses: list[str] = field(default_factory=list)

    def add(self, name: str, ok: bool, note: str) -> None:
        self.total[name] = self.total.get(name, 0) + 1
        self.right[name] = self.right.get(name, 0) + int(ok)
        if not ok:
            self.misses.append(note)

    def accuracy(self, name: str) -> float:
        return self.right.get(name, 0) / self.total[name] if self.total.get(name) else 0.0


def _folded(value: object) -> str:
    return str(norm(value) or "").casefold().replace("uỷ", "ủy")


def issuer_matches(catalogue: str, issuer: str | None, parent: str | None = None) -> bool:
    """The catalogue's short issuer against the extracted full name and parent body (rule in the module
    docstring)."""
    if not issuer:
        return False
    cat, got = _folded(catalogue), _folded(issuer)
    locality = _PARENT_BODY.sub("", _folded(parent)) if parent else ""
    if cat == got or (locality and cat == f"{got} {locality}"):
        return True
    if not _LOCALITY.match(cat):
        return False
    return any(got == f"{body} {cat}" for body in _LOCAL_BODIES) or (bool(parent) and locality == cat)


def iso_of_catalogue(value: str) -> str | None:
    m = re.fullmatch(r"\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*", value or "")
    return f"{int(m.group(3)):04d}-{int(m.group(2)):02d}-{int(m.group(1)):02d}" if m else None


def catalogue_checks(row: dict, doc: dict) -> dict[str, tuple[bool, object, object]]:
    """field -> (right?, catalogue value, extracted value) for one document."""
    signer = (doc.get("signer") or {}).get("name")
    numsym = (doc.get("number_symbol") or "").replace(" ", "")
    return {
        "number_symbol": (numsym == norm(row["Số hiệu"]).replace(" ", ""), row["Số hiệu"], doc.get("number_symbol")),
        "type": (doc.get("type") == row["Loại văn bản"].strip().lower(), row["Loại văn bản"], doc.get("type")),
        "issuer": (issuer_matches(row["Nơi ban hành"], doc.get("issuer"), doc.get("parent_issuer")),
                   row["Nơi ban hành"], doc.get("issuer")),
        "signer": (_folded(signer) == _folded(row["Người ký"]), row["Người ký"], signer),
        "date": (doc.get("date") == iso_of_catalogue(row["Ngày ban hành"]), row["Ngày ban hành"], doc.get("date")),
    }


def catalogue_rows(folder: Path) -> list[dict]:
    rows = [json.loads(line) for line in (folder / "index.jsonl").read_text(encoding="utf-8").splitlines() if line]
    return [r for r in rows if "Số hiệu" in r]


def score_catalogue(folder: Path, run: Callable[[str], dict] = extract) -> dict[str, Tally]:
    """Per part (train/dev/test) the tally of the five catalogue fields."""
    parts: dict[str, Tally] = {}
    for row in catalogue_rows(folder):
        text = (folder / row["path"]).read_text(encoding="utf-8")
        doc = run(text)["document"]
        tally = parts.setdefault(split_of(row["path"], "real-admin"), Tally())
        for name, (ok, want, got) in catalogue_checks(row, doc).items():
            tally.add(name, ok, f"{row['path']}: {name}: catalogue {want!r}, got {got!r}")
    return parts


def catalogue_table(parts: dict[str, Tally]) -> list[list[object]]:
    rows = []
    for part in ("train", "dev", "test"):
        t = parts.get(part)
        if t is None:
            continue
        n = max(t.total.values())
        cells = [f"{t.accuracy(f):.3f}" for f in CATALOGUE_FIELDS]
        met = "yes" if all(t.accuracy(f) >= TARGET_CATALOGUE for f in CATALOGUE_FIELDS) else "NO"
        rows.append([part, n, *cells, met])
    return rows


# -- (r2) annotated real documents ---------------------------------------------------------------------
def annotated_documents(folder: Path, shared: Path) -> list[tuple[str, str, str, dict]]:
    """(name, part, text, expected) of every annotation whose text is there."""
    docs = []
    for path in sorted(folder.glob("*.json")):
        ann = json.loads(path.read_text(encoding="utf-8"))
        source = shared / ann["path"]
        if not source.exists() or source.suffix != ".txt":
            continue
        part = ann.get("split") or split_of(ann["path"].split("real-admin/", 1)[-1], "real-admin")
        expected = ann["expected"]
        docs.append((path.stem, part, source.read_text(encoding="utf-8"), expected))
    return docs


def score_annotated(docs: list[tuple[str, str, str, dict]]) -> dict[str, Scores]:
    parts: dict[str, Scores] = {}
    for name, part, text, expected in docs:
        compare(_complete(expected), extract(text), parts.setdefault(part, Scores()), name)
    return parts


def _complete(expected: dict) -> dict:
    """An annotation with the lists it may leave out filled in empty."""
    return {"references": [], "dates": [], "tasks": [], **expected}


# -- (r3) the real scans ---------------------------------------------------------------------------------
def scan_records(annotations: Path, shared: Path, cache: Path) -> list[tuple[str, str, dict, dict]]:
    """(name, part, expected, record) of every annotated real scan; records from ``pipeline.process``,
    cached as JSON in ``cache`` (delete it to re-run OCR)."""
    from pipeline import process  # which limits Tesseract's and OpenCV's threads

    cache.mkdir(parents=True, exist_ok=True)
    out = []
    for path in sorted(annotations.glob("*.json")):
        ann = json.loads(path.read_text(encoding="utf-8"))
        source = shared / ann["path"]
        if not source.exists():
            continue
        cached = cache / f"{path.stem}.record.json"
        if not cached.exists():
            print(f"  (r3) OCR {source.name}", file=sys.stderr, flush=True)
            cached.write_text(json.dumps(process(str(source)), ensure_ascii=False), encoding="utf-8")
        record = json.loads(cached.read_text(encoding="utf-8"))
        out.append((path.stem, ann.get("split") or "dev", ann["expected"], record))
    return out


def score_scans(records: list[tuple[str, str, dict, dict]], rescore: bool = False) -> dict[str, Scores]:
    """Per part, the record's extraction against the annotation (``rescore``: extraction re-run on the
    cached ``text.final``, for iterating on rules without OCR)."""
    parts: dict[str, Scores] = {}
    for name, part, expected, record in records:
        if rescore:
            pred = extract((record.get("text") or {}).get("final") or "")
        else:
            pred = {k: record.get(k) for k in ("document", "references", "dates", "tasks")}
            if not isinstance(pred["document"], dict):
                pred = extract("")
        compare(_complete(expected), pred, parts.setdefault(part, Scores()), name)
    return parts


def group_table(parts: dict[str, Scores], label: str) -> list[list[object]]:
    rows = []
    for part in ("dev", "test"):
        s = parts.get(part)
        if s is None:
            continue
        for group, fields in GROUPS.items():
            c = s.group(fields)
            p, r, f = c.prf()
            rows.append([label, part, group, c.tp, c.fp, c.fn, fmt(p), fmt(r), fmt(f)])
    return rows


# -- (r5) real-admin texts rendered as scans with a two-column header ---------------------------------------
_ISSUER_WIDTH = 30  # characters per line of the left header column, as the decree's template sets it


_UNIT_HEADS = ("BỘ ", "CỤC ", "SỞ ", "ỦY BAN", "UỶ BAN", "UBND", "HỘI ĐỒNG", "VĂN PHÒNG", "TRUNG TÂM", "TỔNG CỤC",
               "THỦ TƯỚNG", "CHÍNH PHỦ", "TRƯỜNG ", "PHÒNG ")


def _issuer_units(lines: list[str]) -> list[str]:
    """The issuer and its parent body as printed on separate lines, from web-wrapped header lines."""
    units: list[str] = []
    for line in (ln.strip() for ln in lines):
        if not line:
            continue
        if units and not (line.startswith(_UNIT_HEADS) or line in ("CỤC", "BỘ", "SỞ")) or units and units[-1].endswith(
                ("ỦY", "UỶ", "HỘI", "VĂN", "THỦ", "TRUNG", "TỔNG")):
            units[-1] = f"{units[-1]} {line}"
        else:
            units.append(line)
    return units


def _wrap(text: str, width: int) -> list[str]:
    out, current = [], ""
    for word in text.split():
        if current and len(current) + 1 + len(word) > width:
            out.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    return out + [current] if current else out


def two_column_text(text: str, row: dict, body_lines: int = 30) -> str | None:
    """A real text laid out as printed: the issuer (its capital lines before the motto, re-wrapped to the
    column) and "Số: ..." on the left, the motto and "<place>, ngày ..." on the right (``LEFT<TAB>RIGHT``
    lines, as pipeline.synth renders), then the first ``body_lines`` lines of the body and the closing
    block from "Nơi nhận" to the signer. Number and date are the catalogue's, so the truth is exact."""
    lines = text.split("\n")
    motto = next((i for i, ln in enumerate(lines[:15]) if ln.strip().upper().startswith("CỘNG")), None)
    dated = next((i for i, ln in enumerate(lines[:25]) if re.search(r"năm\s+(?:19|20)\d\d\s*$", ln)), None)
    if motto is None or dated is None or dated < motto:
        return None
    # The place: before "ngày" on its line, with the line above when that one is the start of the name
    # ("Thành phố Hồ Chí" / "Minh, ngày ...").
    from pipeline.extract.lexicon import place_names

    at = next((k for k in range(dated, motto, -1) if "ngày" in lines[k]), dated)
    before = lines[at].split("ngày")[0]
    joined = f"{lines[at - 1].strip()} {before}".strip(" ,")
    end = at
    if re.sub(r"^(?:Thành phố|Tỉnh|TP\.)\s*", "", joined) in place_names():
        before, end = joined, at - 1
    place = re.match(r"\s*([^\d,;:]{2,40}?)\s*,?\s*$", before)
    if place is None:
        return None
    # A letter's "V/v ..." lines, between the number and the date, go under the number.
    about = [ln.strip() for ln in lines[motto + 1 : end] if ln.strip() and not ln.strip().startswith(("Số", "Độc lập"))
             and not ln.strip().isupper()]
    issuer = [line for unit in _issuer_units(lines[:motto]) for line in _wrap(unit, _ISSUER_WIDTH)]
    d, m, y = (int(x) for x in row["Ngày ban hành"].split("/"))
    left = [*issuer, f"Số: {row['Số hiệu']}", *[w for ln in about for w in _wrap(ln, _ISSUER_WIDTH + 6)]]
    right = ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
             f"{place.group(1).strip()}, ngày {d:02d} tháng {m} năm {y}"]
    header = [f"{a}\t{b}" for a, b in zip(left + [""] * (3 - len(left)), right + [""] * (len(left) - 3), strict=False)]
    body = [ln for ln in lines[dated + 1 :] if ln.strip()]
    # The signer's name ends the closing block (it may be wrapped, "Lê Tấn" / "Cận", and also be named
    # among the recipients): its last occurrence, over two joined lines, ending on line ``signer``.
    name = str(norm(" ".join(row["Người ký"].split())))
    signer = next((i for i in range(len(body) - 1, -1, -1)
                   if name in str(norm(" ".join(body[max(0, i - 1) : i + 1])))
                   and body[i].split()[-1:] == name.split()[-1:]), None)
    close = next((i for i in range(signer or 0, -1, -1) if body[i].strip().startswith("Nơi")), None)
    if close is None or signer is None:
        return None  # no closing block found: the signer would not be on the page
    tail = body[close : signer + 1]
    body_lines = min(body_lines, close)
    # The closing row side by side too: recipients left, the signature block right.
    sign = next((i for i, ln in enumerate(tail) if i and ln.strip().isupper() and not ln.lstrip().startswith(("-", "+"))),
                len(tail))
    recipients, signature = tail[:sign], tail[sign:]
    closing = [f"{a}\t{b}" for a, b in zip(recipients + [""] * (len(signature) - len(recipients)),
                                            signature + [""] * (len(recipients) - len(signature)), strict=True)]
    return "\n".join(header + [""] + body[:body_lines] + [""] + closing)


def score_rendered(folder: Path, parts: tuple[str, ...], conditions: list[str], cache: Path,
                   rescore: bool = False) -> dict[str, Tally]:
    """Catalogue fields of the real-admin texts of ``parts``, rendered two-column, damaged under each
    condition and run through ``pipeline.process`` (records cached as JSON next to the TIFFs)."""
    import numpy as np

    from pipeline import process  # which limits Tesseract's and OpenCV's threads
    from pipeline.synth import render_document
    from pipeline.synth.damage import apply_condition

    cache.mkdir(parents=True, exist_ok=True)
    out: dict[str, Tally] = {}
    rows = [r for r in catalogue_rows(folder) if split_of(r["path"], "real-admin") in parts]
    for ci, condition in enumerate(conditions):
        for di, row in enumerate(rows):
            laid = two_column_text((folder / row["path"]).read_text(encoding="utf-8"), row)
            if laid is None:
                continue
            stem = cache / f"{Path(row['path']).stem}.{condition}"
            # with_suffix would drop ".<condition>" and let conditions overwrite each other's records
            cached, tif = Path(f"{stem}.json"), Path(f"{stem}.tif")
            if not cached.exists():
                rng = np.random.default_rng(1000 * ci + di)
                pages = [apply_condition(page, condition, rng) for page in render_document(laid, seed=di)]
                pages[0][0].save(tif, save_all=True, append_images=[p for p, _ in pages[1:]],
                                 dpi=(pages[0][1], pages[0][1]), compression="tiff_lzw")
                print(f"  (r5) {tif.name}", file=sys.stderr, flush=True)
                cached.write_text(json.dumps(process(str(tif)), ensure_ascii=False), encoding="utf-8")
                tif.unlink()
            record = json.loads(cached.read_text(encoding="utf-8"))
            doc = record.get("document") if isinstance(record.get("document"), dict) else extract("")["document"]
            if rescore:
                doc = extract((record.get("text") or {}).get("final") or "")["document"]
            tally = out.setdefault(f"{split_of(row['path'], 'real-admin')}, {condition}", Tally())
            for name, (ok, want, got) in catalogue_checks(row, doc).items():
                tally.add(name, ok, f"{row['path']}[{condition}]: {name}: catalogue {want!r}, got {got!r}")
    return out


# -- (r4) verdicts on real pages with truth ----------------------------------------------------------------
CER_LIMIT = 0.02
_DOTS = re.compile(r"[.…·_]{3,}")
_SCAN_SUFFIXES = (".pdf", ".jpg", ".png", ".tif")


@dataclass
class TruthPage:
    name: str  # "<stem>.p<N>"
    part: str
    source: Path
    page: int
    truth: str


def truth_pages(shared: Path, scans_annotations: Path) -> list[TruthPage]:
    """Every real page with a hand-typed truth: the three scans-with-truth, and the page transcriptions
    the annotators committed next to the scans' annotations (``<stem>.p<N>.truth.txt``) and for the
    garbled-layer PDFs (``../garbled-layers/``)."""
    out = []
    for path in sorted((shared / "real-scans" / "scans-with-truth").glob("*.truth.txt")):
        stem = path.name.split(".")[0]
        out.append(TruthPage(f"{stem}.p1", _scan_part(scans_annotations, stem), path.with_name(f"{stem}.jpg"), 1,
                             path.read_text(encoding="utf-8")))
    for folder, sub in ((scans_annotations, "scans"), (scans_annotations.parent / "garbled-layers", "garbled-layers")):
        for path in sorted(folder.glob("*.p*.truth.txt")) if folder.exists() else []:
            stem, page = path.name.split(".")[0], int(path.name.split(".")[1][1:])
            # the scan is a PDF or an image (dhdl_0002.jpg)
            found = (shared / "real-scans" / sub / f"{stem}{suffix}" for suffix in _SCAN_SUFFIXES)
            source = next((candidate for candidate in found if candidate.exists()), None)
            if source is not None:
                out.append(TruthPage(f"{stem}.p{page}", _scan_part(scans_annotations, stem), source, page,
                                     path.read_text(encoding="utf-8")))
    return out


def _scan_part(scans_annotations: Path, stem: str) -> str:
    ann = scans_annotations / f"{stem}.json"
    return json.loads(ann.read_text(encoding="utf-8")).get("split", "dev") if ann.exists() else "dev"


def _record_of(source: Path, cache: Path) -> dict:
    from pipeline import process  # which limits Tesseract's and OpenCV's threads

    cached = cache / f"{source.stem}.record.json"
    if not cached.exists():
        print(f"  (r4) OCR {source.name}", file=sys.stderr, flush=True)
        cache.mkdir(parents=True, exist_ok=True)
        cached.write_text(json.dumps(process(str(source)), ensure_ascii=False), encoding="utf-8")
    return json.loads(cached.read_text(encoding="utf-8"))


def page_cases(pages: list[TruthPage], cache: Path) -> list[dict]:
    """Per page: order-free and plain CER of text.final against the truth (runs of dot leaders removed
    on both sides), the record's verdict and the verdict from the page signals alone."""
    from benchmarks.common import cer, order_free_cer
    from pipeline.quality.checks import verdict

    cases = []
    for tp in pages:
        record = _record_of(tp.source, cache)
        page = next((p for p in record.get("pages") or [] if p["number"] == tp.page), None)
        qpage = next((q for q in (record.get("quality") or {}).get("pages") or [] if q["page"] == tp.page), None)
        if page is None or qpage is None:
            continue
        final = record["text"]["final"][page["text_start"] : page["text_end"]]
        truth, hyp = _DOTS.sub(" ", tp.truth), _DOTS.sub(" ", final)
        cases.append({"name": tp.name, "part": tp.part, "cer_free": order_free_cer(truth, hyp),
                      "cer": cer(truth, hyp), "verdict": qpage["verdict"], "signals_only": verdict(qpage)[0],
                      "reasons": qpage["reasons"], "origin": qpage.get("origin")})
    return cases


def verdict_scores(cases: list[dict], key: str) -> tuple[int, int, int, float, float]:
    """(pages above the limit, flagged, flagged and above, recall, precision) of review+bad."""
    above = [c for c in cases if c["cer_free"] > CER_LIMIT]
    flagged = [c for c in cases if c[key] != "ok"]
    hit = [c for c in flagged if c["cer_free"] > CER_LIMIT]
    recall = len(hit) / len(above) if above else 1.0
    precision = len(hit) / len(flagged) if flagged else 1.0
    return len(above), len(flagged), len(hit), recall, precision


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--real-admin", type=Path, default=REAL_ADMIN)
    ap.add_argument("--annotations", type=Path, nargs="+",
                    default=[REPO_ROOT / "corpora" / "real" / "admin"], help="folders of real-admin annotations")
    ap.add_argument("--scan-annotations", type=Path, default=REPO_ROOT / "corpora" / "real" / "scans")
    ap.add_argument("--scans", action="store_true", help="also run the real scans through pipeline.process")
    ap.add_argument("--cache", type=Path, default=REPO_ROOT / "benchmarks" / ".cache" / "extract_real")
    ap.add_argument("--errors", default="", help="print the misses of these parts (e.g. train,dev) to stderr")
    ap.add_argument("--rescore", action="store_true",
                    help="(r3, r5) re-run extraction on the cached records' text.final (rules changed, OCR did not)")
    ap.add_argument("--rendered", default="", help="(r5) conditions to render the dev and test texts under "
                    "(e.g. clean,mild; empty: skip)")
    args = ap.parse_args(argv)
    from benchmarks.common import markdown_table, publish, run_header

    out = [run_header("extract_real", "make bench-extract  (.venv/bin/python -m benchmarks.extract_real"
                      + (" --scans" if args.scans else "") + (" --rescore" if args.rescore else "")
                      + (f" --rendered {args.rendered}" if args.rendered else "") + ")")]
    parts = score_catalogue(args.real_admin)
    for part in [p for p in args.errors.split(",") if p]:
        for line in parts.get(part, Tally()).misses:
            print(f"[{part}] {line}", file=sys.stderr)
    out.append("## (r1) Catalogue fields of the 156 real-admin texts (accuracy)\n")
    out.append(markdown_table(["part", "documents", *CATALOGUE_FIELDS, "all >= 0.98"], catalogue_table(parts)))
    out.append("\nMisses, dev and test: " + ("; ".join(m.split(": ", 1)[1] for p in ("dev", "test")
                                                     for m in parts.get(p, Tally()).misses) or "none"))
    docs = [d for folder in args.annotations if folder.exists()
            for d in annotated_documents(folder, args.real_admin.parent)]
    if docs:
        out.append(f"\n## (r2) Annotated real-admin texts, typed ({sum(d[1] == 'dev' for d in docs)} dev, "
                   f"{sum(d[1] == 'test' for d in docs)} test documents)\n")
        out.append(markdown_table(["set", "part", "group", "TP", "FP", "FN", "P", "R", "F1"],
                                  group_table(score_annotated(docs), "typed")))
    if args.scans and args.scan_annotations.exists():
        records = scan_records(args.scan_annotations, args.real_admin.parent, args.cache)
        out.append(f"\n## (r3) The real scans through pipeline.process ({sum(r[1] == 'dev' for r in records)} dev, "
                   f"{sum(r[1] == 'test' for r in records)} test documents)\n")
        out.append(markdown_table(["set", "part", "group", "TP", "FP", "FN", "P", "R", "F1"],
                                  group_table(score_scans(records, args.rescore), "scans")))
        cases = page_cases(truth_pages(args.real_admin.parent, args.scan_annotations), args.cache)
        out.append(f"\n## (r4) Verdicts on the {len(cases)} real pages with a typed truth\n")
        rows = [[c["name"], c["part"], c["origin"], f"{100 * c['cer_free']:.1f}%", f"{100 * c['cer']:.1f}%",
                 c["signals_only"], c["verdict"], "; ".join(c["reasons"])[:160]] for c in cases]
        out.append(markdown_table(["page", "part", "origin", "CER (order-free)", "CER", "verdict from signals",
                                   "verdict", "reasons"], rows))
        summary = []
        for key, label in (("signals_only", "signals only (before)"), ("verdict", "signals + unknown fields")):
            n_above, n_flag, n_hit, rec, prec = verdict_scores(cases, key)
            summary.append([label, len(cases), n_above, n_flag, n_hit, f"{rec:.2f}", f"{prec:.2f}"])
        out.append("\n" + markdown_table(["verdict", "pages", f"CER > {CER_LIMIT:.0%}", "review+bad",
                                           "review+bad and above", "recall", "precision"], summary))
    conditions = [c for c in args.rendered.split(",") if c]
    if conditions:
        rendered = score_rendered(args.real_admin, ("dev", "test"), conditions, args.cache / "rendered", args.rescore)
        out.append("\n## (r5) Catalogue fields through rendered scans (two-column header, pipeline.process)\n")
        rows = [[key, max(t.total.values()), *[f"{t.accuracy(f):.3f}" for f in CATALOGUE_FIELDS]]
                for key, t in sorted(rendered.items())]
        out.append(markdown_table(["part, condition", "documents", *CATALOGUE_FIELDS], rows))
        for line in [m for key, t in sorted(rendered.items()) if key.startswith("dev") for m in t.misses]:
            print(f"[r5] {line}", file=sys.stderr)
    publish("extract_real", out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
