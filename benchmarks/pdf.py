"""Searchable-PDF benchmark: ``vanban process --pdf`` against ``ocrmypdf -l vie --output-type pdfa`` (as it is,
with ``--rotate-pages --deskew``, and with vanban as its OCR engine through ``pipeline.output.ocrmypdf_plugin``).

    .venv/bin/python -m benchmarks.pdf [--per-condition 4] [--corpus ../shared/corpora/vlc-2022]

Pages: ``--per-condition`` synthetic scans per damage condition (``benchmarks.ocr.build_pages``: TEST-split
laws, cached) and the three real scans with typed truth in ../shared/corpora/real-scans/scans-with-truth/.
Each page is first wrapped as an image PDF by img2pdf (PNG and JPEG data passed through, at the page's
real resolution): the input both tools get, and the size the outputs are compared with.

Per condition, in one run on the same machine:
- search recall with marks: the share of the truth's words (NFC, casefolded, counted with multiplicity)
  found among the words of ``pdftotext`` of the output; tone placement normalised on both sides (hoà and
  hòa are one spelling, as in the OCR benchmark);
- the same with every mark stripped (đ -> d), as a search that ignores marks;
- CER and order-free CER of ``pdftotext`` against the truth (benchmarks.common);
- CPU seconds per page (children's user+sys: each tool runs as a child process, one page at a time);
- output size / input size; validity: ``qpdf --check`` and pikepdf's PDF/A-2b validator
  (``pikepdf.pdfa.validate_written``; veraPDF does not install from Debian or PyPI here).
vanban runs twice per condition on one output folder: first without --pdf, then with it (the second run
only writes the PDFs from the saved records); their ratio is the CPU --pdf adds, startup included.
``benchmarks.pdf_misses`` then lists the words each tool missed and where vanban lost them.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmarks.batch import PeakMemory, _children_cpu, become_subreaper, reap, vanban_command
from benchmarks.common import (
    REPO_ROOT,
    VLC_DEFAULT,
    cer,
    markdown_table,
    order_free_cer,
    run_header,
    write_result,
)
from benchmarks.ocr.pages import build_pages, subset
from benchmarks.ocr.readers import tone_style_normalised
from pipeline.restore.noise import strip_marks

os.environ["OMP_THREAD_LIMIT"] = "1"
CACHE = REPO_ROOT / "benchmarks" / ".cache" / "pdf"
REAL_DIR = REPO_ROOT.parent / "shared" / "corpora" / "real-scans" / "scans-with-truth"
# OCRmyPDF as the issue names it, and with its own page rotation and deskew (which re-encodes the image).
# Last, OCRmyPDF with vanban as its OCR engine (pipeline.output.ocrmypdf_plugin: restoration page by page).
OCRMYPDF = {
    "ocrmypdf": {},
    "ocrmypdf --rotate-pages --deskew": {"rotate_pages": True, "deskew": True},
    "ocrmypdf --plugin (vanban engine)": {"plugins": ["pipeline.output.ocrmypdf_plugin"]},
}
TOOLS = ("vanban", *OCRMYPDF)
WORD = re.compile(r"\w+")


@dataclass
class Item:
    key: str
    condition: str
    image: str
    truth: str
    dpi: int


# -- inputs --------------------------------------------------------------------------------------------
def real_items(folder: Path) -> list[Item]:
    from PIL import Image

    from pipeline.ocr.preprocess import estimate_dpi

    items = []
    for image in sorted(folder.glob("*.jpg")):
        with Image.open(image) as pil:
            dpi = estimate_dpi(int(pil.info.get("dpi", (0, 0))[0] or 0) or None, pil.size[::-1])
        truth = image.with_suffix(".truth.txt").read_text(encoding="utf-8")
        items.append(Item(image.stem, "real", str(image), truth, dpi))
    return items


def input_pdf(item: Item, folder: Path) -> Path:
    """The page as an image PDF (img2pdf: image data passed through) at its real resolution."""
    import img2pdf

    path = folder / f"{item.key}.pdf"
    if not path.exists():
        layout = img2pdf.get_fixed_dpi_layout_fun((item.dpi, item.dpi))
        path.write_bytes(img2pdf.convert(item.image, layout_fun=layout))
    return path


# -- the two tools -------------------------------------------------------------------------------------
def timed(command: list[str]) -> float:
    """CPU seconds of a child process and all its descendants (adopted and reaped: see benchmarks.batch)."""
    before = _children_cpu()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    memory = PeakMemory(child.pid)
    _, err = child.communicate()
    memory.finish()
    reap(memory.seen - {child.pid})
    if child.returncode not in (0, 1):
        raise RuntimeError(f"{command[:3]} failed: {err.decode(errors='replace')[-1000:]}")
    return _children_cpu() - before


def run_vanban(inputs: Sequence[Path], out: Path) -> tuple[float, float, float]:
    """CPU of ``vanban process`` without --pdf, of the rerun that adds the PDFs, and of a third run that
    finds nothing to do (the start-up both reruns pay)."""
    base = vanban_command([str(p) for p in inputs], out, "--workers", "1")
    return timed(base), timed([*base, "--pdf"]), timed([*base, "--pdf"])


def run_ocrmypdf(inputs: Sequence[Path], out: Path, extra: dict) -> float:
    """CPU of OCRmyPDF on the pages, one process for all (its Python API, as `ocrmypdf -l vie
    --output-type pdfa` with one job), so its start-up is paid once as vanban's is."""
    out.mkdir(parents=True, exist_ok=True)
    job = {"pairs": [(str(p), str(out / p.name)) for p in inputs], "extra": extra}
    return timed([sys.executable, "-m", "benchmarks.pdf", "--ocrmypdf-worker", json.dumps(job)])


def ocrmypdf_worker(job: dict) -> None:
    import ocrmypdf

    for source, target in job["pairs"]:
        ocrmypdf.ocr(source, target, language="vie", output_type="pdfa", jobs=1, progress_bar=False, **job["extra"])


# -- scoring -------------------------------------------------------------------------------------------
def words(text: str) -> list[str]:
    return WORD.findall(tone_style_normalised(unicodedata.normalize("NFC", text)).casefold())


def recall(truth: list[str], found: list[str]) -> float:
    """Share of the truth's words (with multiplicity) present among the found words."""
    have = Counter(found)
    hits = sum(min(n, have[w]) for w, n in Counter(truth).items())
    return hits / len(truth) if truth else 1.0


def pdftotext(path: Path) -> str:
    done = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=False)
    return done.stdout.decode("utf-8", errors="replace") if done.returncode == 0 else ""


def validity(path: Path) -> tuple[bool, bool]:
    """(qpdf --check finds no error, pikepdf approves it as PDF/A-2b)."""
    from pikepdf import pdfa

    if not path.exists():
        return False, False
    qpdf = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, check=False).returncode in (0, 3)
    return qpdf, pdfa.validate_written(path, "2b").passed


def score(item: Item, output: Path) -> dict[str, float]:
    text = pdftotext(output)
    truth_words, found = words(item.truth), words(text)
    qpdf_ok, pdfa_ok = validity(output)
    return {
        "recall": recall(truth_words, found),
        "recall_plain": recall([strip_marks(w) for w in truth_words], [strip_marks(w) for w in found]),
        "cer": cer(item.truth, text),
        "of_cer": order_free_cer(item.truth, text),
        "qpdf": float(qpdf_ok),
        "pdfa": float(pdfa_ok),
        "size": output.stat().st_size if output.exists() else 0,
    }


# -- the run -------------------------------------------------------------------------------------------
def run_condition(condition: str, items: list[Item], work: Path) -> dict:
    """Both tools on one condition's pages; per tool the page means, CPU and sizes."""
    inputs = [input_pdf(item, CACHE / "inputs") for item in items]
    folders = {tool: work / str(i) / condition for i, tool in enumerate(TOOLS)}
    folders["vanban"] = work / "vanban"  # one batch folder for all conditions (see whole_batch_overhead)
    json_cpu, pdf_cpu, startup = run_vanban(inputs, folders["vanban"])
    cpu = {"vanban": json_cpu + pdf_cpu - startup}
    cpu.update({tool: run_ocrmypdf(inputs, folders[tool], extra) for tool, extra in OCRMYPDF.items()})
    row: dict = {"condition": condition, "pages": len(items), "json_cpu": json_cpu, "pdf_cpu": pdf_cpu,
                 "startup": startup}
    input_size = sum(p.stat().st_size for p in inputs)
    for tool, folder in folders.items():
        scored = [score(item, folder / f"{item.key}.pdf") for item in items]
        row[tool] = {key: sum(s[key] for s in scored) / len(scored) for key in scored[0] if key != "size"}
        row[tool]["size_ratio"] = sum(s["size"] for s in scored) / input_size
        row[tool]["cpu_per_page"] = cpu[tool] / len(items)
        print(f"{condition} {tool}: {row[tool]}", file=sys.stderr)
    return row


def whole_batch_overhead(inputs: Sequence[Path], out: Path) -> list[float]:
    """The PDFs of every page written again by one run (as in a real batch, start-up and imports paid
    once): CPU of the JSON runs is the sum per condition, of this run and of a run with nothing to do."""
    for pdf in out.glob("*.pdf"):
        pdf.unlink()
    base = vanban_command([str(p) for p in inputs], out, "--workers", "1", "--pdf")
    return [timed(base), timed(base)]


def pct(value: float) -> str:
    return f"{100 * value:.1f}%"


def report(rows: list[dict], command: str, per_condition: int, whole: list[float]) -> str:
    header = ["condition", "pages", "tool", "recall (marks)", "recall (no marks)", "CER", "order-free CER",
              "CPU s/page", "size / input", "qpdf --check ok", "PDF/A-2b (pikepdf) ok"]
    table = []
    for row in rows:
        for tool in TOOLS:
            r = row[tool]
            table.append([row["condition"], row["pages"], tool, pct(r["recall"]), pct(r["recall_plain"]), pct(r["cer"]),
                          pct(r["of_cer"]), f"{r['cpu_per_page']:.2f}", f"{r['size_ratio']:.2f}x",
                          pct(r["qpdf"]), pct(r["pdfa"])])
    def line(name: str, json_cpu: float, pdf_cpu: float, startup: float) -> list[str]:
        return [name, f"{json_cpu:.1f}", f"{pdf_cpu:.1f}", f"{startup:.1f}", pct(pdf_cpu / json_cpu),
                pct((pdf_cpu - startup) / json_cpu)]

    overhead = [line(r["condition"], r["json_cpu"], r["pdf_cpu"], r["startup"]) for r in rows]
    json_total = sum(r["json_cpu"] for r in rows)
    overhead.append(line("all (sum of the above)", json_total, *(sum(r[k] for r in rows) for k in ("pdf_cpu", "startup"))))
    overhead.append(line("all, PDFs rewritten by one run", json_total, *whole))
    return "\n".join([
        run_header("searchable PDF (vanban process --pdf vs ocrmypdf -l vie --output-type pdfa)", command),
        f"{per_condition} synthetic pages per condition (benchmarks.ocr page set, TEST-split laws) and the 3 real "
        "scans with typed truth; each page wrapped by img2pdf as the input PDF of both tools. One worker, "
        "OMP_THREAD_LIMIT=1; the machine is shared with other jobs, so CPU (children's user+sys) is the measure.\n",
        markdown_table(header, table),
        "",
        "CPU that --pdf adds: a second run on the same folder writes only the PDFs (from the saved records); a "
        "third finds nothing to do and measures the start-up the second one paid. vanban's CPU s/page above "
        "is the first run plus the PDF writing (second minus third).",
        "",
        markdown_table(["condition", "vanban process CPU s", "+ --pdf rerun CPU s", "of which start-up",
                        "added", "added without start-up"], overhead),
    ])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="searchable PDF benchmark")
    parser.add_argument("--corpus", type=Path, default=VLC_DEFAULT)
    parser.add_argument("--real", type=Path, default=REAL_DIR, help="folder of real scans (*.jpg) with *.truth.txt")
    parser.add_argument("--per-condition", type=int, default=4)
    parser.add_argument("--conditions", default="", help="comma-separated subset of conditions (and 'real')")
    parser.add_argument("--ocrmypdf-worker", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.ocrmypdf_worker:
        ocrmypdf_worker(json.loads(args.ocrmypdf_worker))
        return 0
    become_subreaper()
    pages = subset(build_pages(args.corpus, args.per_condition), args.per_condition)
    items = [Item(p.key, p.condition, p.path, p.truth, p.dpi) for p in pages] + real_items(args.real)
    wanted = set(filter(None, args.conditions.split(",")))
    (CACHE / "inputs").mkdir(parents=True, exist_ok=True)
    work = CACHE / "runs"
    subprocess.run(["rm", "-rf", str(work)], check=True)
    rows = []
    for condition in dict.fromkeys(item.condition for item in items):
        if not wanted or condition in wanted:
            rows.append(run_condition(condition, [i for i in items if i.condition == condition], work))
    chosen = [i for i in items if not wanted or i.condition in wanted]
    whole = whole_batch_overhead([input_pdf(i, CACHE / "inputs") for i in chosen], work / "vanban")
    command = ".venv/bin/python -m benchmarks.pdf " + " ".join(sys.argv[1:] if argv is None else argv)
    text = report(rows, command, args.per_condition, whole)
    print(text)
    write_result("pdf", text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
