"""Peak memory of `vanban process` on one long document: 30, 300 and 1,000 pages, 1 and 2 workers.

    .venv/bin/python -m benchmarks.batch_memory [--pages 30,300,1000] [--lean] [--compare-with DIR]

A long document is made cheaply, so that OCR does not take hours yet every page carries what a read
page carries: a multi-page TIFF of one blank A4 frame at 100 dpi, read with ``--engine cli
--no-preprocess``, with the ``tesseract`` found first on PATH replaced by a script that answers every
page with the hOCR Tesseract gave for a real page (page 2 of the bundled sample, read at 300 dpi with
per-character alternatives: 374 words, all with alternatives, the heaviest kind of page). Every page
therefore goes through render, the program engine, hOCR parsing, the page result, restoration,
extraction and quality, and yields a full record with word boxes; only Tesseract's own work is skipped
(``--version`` and ``--list-langs`` go to the real program).

Peak memory is the largest summed RSS of the vanban process and all its descendants, sampled every
0.1 s (``benchmarks.batch.PeakMemory``). ``--compare-with DIR`` runs the same inputs with the vanban
of another source tree too (for example ``git archive <commit>`` unpacked in DIR), in the same run.
``--lean`` adds a run with ``--lean-records`` (the words in ``<name>.words.jsonl``) for each size.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image

from benchmarks.batch import become_subreaper, run_vanban
from benchmarks.common import REPO_ROOT, markdown_table, run_header, write_result

SAMPLE = REPO_ROOT / "corpora" / "samples" / "thong-bao-ket-luan.pdf"
CACHE = REPO_ROOT / "benchmarks" / ".cache" / "batch_memory"


def real_hocr(work: Path) -> Path:
    """Tesseract's hOCR of the sample's second page (300 dpi, per-character alternatives), made once."""
    target = CACHE / "page.hocr"
    if not target.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run(["pdftoppm", "-r", "300", "-f", "2", "-l", "2", "-gray", "-png", str(SAMPLE), str(work / "p")],
                       check=True)
        (page,) = work.glob("p*.png")
        subprocess.run(["tesseract", str(page), str(CACHE / "page"), "-l", "vie", "-c", "lstm_choice_mode=2", "hocr"],
                       check=True, capture_output=True, env={**os.environ, "OMP_THREAD_LIMIT": "1"})
    return target


def fake_tesseract(folder: Path, hocr: Path) -> Path:
    """A ``tesseract`` that answers every page with ``hocr`` (pytesseract calls IN OUTBASE ... hocr)."""
    real = shutil.which("tesseract")
    script = folder / "tesseract"
    script.write_text(
        "#!/bin/sh\n"
        f'case "$*" in *--version*|*--list-langs*) exec {real} "$@";; esac\n'
        f'cp {hocr} "$2.hocr"\n'
    )
    script.chmod(0o755)
    return folder


def long_tiff(path: Path, pages: int) -> Path:
    frame = Image.new("L", (827, 1169), 255)  # A4 at 100 dpi
    frame.save(path, save_all=True, append_images=[frame] * (pages - 1), dpi=(100, 100), compression="tiff_lzw")
    return path


def first_error(record: Path) -> str:
    """The record's first error as "stage: message" (streamed: a 1,000-page record is 80 MB)."""
    if not record.exists():
        return "no record"
    with record.open(encoding="utf-8") as handle:
        for line in handle:  # the record is indented: each error's fields are on lines of their own
            if line.startswith('   "message": '):
                return json.loads(line.split(":", 1)[1].rstrip().rstrip(","))[:120]
    return ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", default="30,300,1000")
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--compare-with", type=Path, default=None, help="another vanban source tree to run too")
    parser.add_argument("--compare-up-to", type=int, default=300, help="run the other tree up to this many pages")
    parser.add_argument("--lean", action="store_true", help="also run each size with --lean-records")
    args = parser.parse_args(argv)
    become_subreaper()
    work = Path(tempfile.mkdtemp(prefix="vanban-bench-memory-"))
    env = {**os.environ, "PATH": f"{fake_tesseract(work, real_hocr(work))}:{os.environ['PATH']}"}
    trees = {"this tree": REPO_ROOT} | ({f"{args.compare_with}": args.compare_with} if args.compare_with else {})
    variants = [("", ())] + ([(" --lean-records", ("--lean-records",))] if args.lean else [])
    rows = []
    for pages in [int(n) for n in args.pages.split(",")]:
        tiff = long_tiff(work / f"volume-{pages}.tif", pages)
        for workers in args.workers.split(","):
            for (name, tree), (label, extra) in itertools.product(trees.items(), variants):
                if tree != REPO_ROOT and (pages > args.compare_up_to or extra):
                    continue
                out = work / f"out-{pages}-{workers}-{len(rows)}"
                wall, peak, code, cpu = run_vanban(
                    [str(tiff)], out, "--workers", workers, "--engine", "cli", "--no-preprocess", *extra,
                    env={**env, "PYTHONPATH": str(tree)}, cwd=tree,
                )
                record, words = out / f"volume-{pages}.json", out / f"volume-{pages}.words.jsonl"
                size, words_size = (p.stat().st_size / 2**20 if p.exists() else 0.0 for p in (record, words))
                rows.append([name + label, pages, workers, f"{peak:.0f}", f"{size:.1f}", f"{words_size:.1f}",
                             f"{cpu:.0f}", f"{wall:.0f}", code, first_error(record)])
                print(rows[-1], file=sys.stderr)
                shutil.rmtree(out, ignore_errors=True)
    shutil.rmtree(work, ignore_errors=True)
    command = ".venv/bin/python -m benchmarks.batch_memory" + " ".join(["", *(sys.argv[1:] if argv is None else argv)]).rstrip()
    text = "\n".join([
        run_header("batch memory on one long document", command),
        __doc__.split("\n\n", 2)[2].strip(),
        "",
        markdown_table(["vanban", "pages", "workers", "peak RSS of the process tree, MB", "record .json, MB",
                        "words file, MB", "CPU s", "wall s", "exit", "first error of the record"], rows),
    ])  # fmt: skip
    print(text)
    print(f"wrote {write_result('batch_memory', text)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
