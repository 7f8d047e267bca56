"""Real OCR damage at scale: (truth, OCR output) page pairs from engines that have no Vietnamese.

`python -m pipeline.restore.pairs --out benchmarks/.cache/restore_pairs [--train-pages N ...]`

Text of the TRAIN split of the laws and of ../shared/corpora/real-admin (and the DEV and TEST splits
of real-admin, for tuning and for the leave-one-engine-out benchmark) is rendered as A4 page images
(pipeline.synth: two fonts, clean/mild/heavy/phone-photo damage) and read back by OCR engines that
cannot read Vietnamese, so each makes its own real mistakes on the marks:
Debian's `ocrad` and `gocr`, Tesseract's LSTM with a Latin model (eng, fra, deu by turns) and, where
its model is present, Tesseract's legacy engine (`--oem 0`, French model of the npm package
@tesseract.js-data/fra, which `make models` fetches).

The pairs are corpus text: they are written to a git-ignored cache folder, never committed; only the
channel estimated from them (models/channel.json, pipeline.restore.channel) is.
Deterministic: the same corpora give the same pages, the same OCR output and the same channel.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from pipeline.corpus_split import split_of
from pipeline.orthography import nfc

REPO = Path(__file__).resolve().parents[2]
DEFAULT_CACHE = REPO / "benchmarks" / ".cache" / "restore_pairs"
LEGACY_TESSDATA = REPO / "benchmarks" / ".cache" / "tessdata_legacy"
FONTS = ("Liberation Serif", "FreeSerif")
CONDITIONS = ("clean", "mild", "heavy", "lowres")
PAGE_CHARS = 1600  # text per page: about two thirds of an A4 page at 14 pt, so one page per excerpt
OCR_TIMEOUT_S = 120

# engine -> family (the unit of leave-one-out); families: ocrad, gocr, tesseract-latin, scanner, book
ENGINE_FAMILY = {
    "ocrad": "ocrad",
    "gocr": "gocr",
    "tess-eng": "tesseract-latin",
    "tess-fra": "tesseract-latin",
    "tess-deu": "tesseract-latin",
    "tess-fra-legacy": "tesseract-latin",
    "scanner": "scanner",
    "book": "book",
}
TESS_LSTM = ("tess-eng", "tess-fra", "tess-deu")


@dataclass(frozen=True)
class PageSpec:
    """One page to render: where its text comes from and how it is drawn and damaged."""

    page_id: str
    split: str
    source: str
    text: str
    font: str
    condition: str


def _excerpt(lines: list[str], start: int) -> str:
    """Lines from `start` until about PAGE_CHARS characters (whitespace collapsed, empty lines dropped)."""
    out: list[str] = []
    size = 0
    for line in lines[start:]:
        line = " ".join(line.split())
        if not line:
            continue
        out.append(line)
        size += len(line)
        if size >= PAGE_CHARS:
            break
    return "\n".join(out)


def _admin_docs(root: Path, part: str) -> list[Path]:
    """Documents of a part by hash alone: a page keeps its id when its document is later found to be a
    copy of another (``load_pairs`` then leaves it out of evaluation)."""
    return sorted(
        p for p in root.rglob("*.txt") if split_of(str(p.relative_to(root)), "real-admin", families=False) == part
    )


def page_specs(legal: Path, admin: Path, counts: dict[str, int], seed: int = 13) -> list[PageSpec]:
    """Pages of each split: real-admin documents of that split (and laws for train), one excerpt each."""
    specs: list[PageSpec] = []
    for part in ("dev", "test", "train"):
        rng = random.Random(f"{seed}-{part}")  # one generator per split: more pages only append
        n = counts.get(part, 0)
        sources: list[tuple[str, Path]] = [(str(p.relative_to(admin)), p) for p in _admin_docs(admin, part)]
        if part == "train":
            laws = sorted(f for f in legal.glob("*.txt") if split_of(f.name, "legal") == "train")
            sources += [(f"vlc-2022/{f.name}", f) for f in laws]
        rng.shuffle(sources)
        taken = 0
        for name, path in sources:
            if taken >= n:
                break
            lines = nfc(path.read_text(encoding="utf-8", errors="replace")).splitlines()
            if sum(len(x) for x in lines) < PAGE_CHARS // 2:
                continue
            start = rng.randrange(max(1, len(lines) - 40)) if len(lines) > 60 else 0
            text = _excerpt(lines, start)
            specs.append(PageSpec(f"{part}{taken:03d}", part, name, text, FONTS[taken % len(FONTS)],
                                  CONDITIONS[(taken // len(FONTS)) % len(CONDITIONS)]))
            taken += 1
    return specs


def engines_for(spec: PageSpec) -> list[str]:
    """Engines that read a page: ocrad and gocr always, one Tesseract LSTM Latin model by turns,
    the legacy engine (~15 CPU-s a page alone) every fourth page."""
    index = int(spec.page_id[-3:])
    names = ["ocrad", "gocr", TESS_LSTM[index % len(TESS_LSTM)]]
    if index % 4 == 0 and (LEGACY_TESSDATA / "fra.traineddata").is_file():
        names.append("tess-fra-legacy")
    return names


def _run(cmd: list[str], encoding: str = "utf-8") -> str:
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    proc = subprocess.run(cmd, capture_output=True, timeout=OCR_TIMEOUT_S, env=env, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd[0]} failed ({proc.returncode}): {proc.stderr.decode(errors='replace')[:200]}")
    return proc.stdout.decode(encoding, errors="replace")


def read_with(engine: str, png: Path, pgm: Path) -> str:
    """The engine's plain text for one page image (NFC)."""
    if engine == "ocrad":
        text = _run(["ocrad", "--charset=iso-8859-15", str(pgm)], encoding="iso8859_15")
    elif engine == "gocr":
        text = _run(["gocr", "-i", str(pgm)])
    elif engine == "tess-fra-legacy":
        text = _run(["tesseract", str(png), "-", "--tessdata-dir", str(LEGACY_TESSDATA), "-l", "fra", "--oem", "0"])
    else:
        text = _run(["tesseract", str(png), "-", "-l", engine.split("-")[1]])
    return nfc(text)


def render_page(spec: PageSpec):
    """The damaged page image of a spec (first rendered page only) and its truth text."""
    import numpy as np

    from pipeline.synth import render_document_with_truth
    from pipeline.synth.damage import apply_condition

    image, truth = render_document_with_truth(spec.text, font=spec.font)[0]
    rng = np.random.default_rng(int(spec.page_id[-3:]) + 1000 * ("dev", "test", "train").index(spec.split))
    damaged, _ = apply_condition(image, spec.condition, rng)
    return damaged.convert("L"), truth


def generate(specs: list[PageSpec], out: Path, log=sys.stderr) -> int:
    """Render and read every spec's page with its engines; existing outputs are kept (resumable)."""
    made = 0
    for spec in specs:
        folder = out / spec.split
        folder.mkdir(parents=True, exist_ok=True)
        todo = [e for e in engines_for(spec) if not (folder / f"{spec.page_id}.{e}.txt").is_file()]
        if not todo and (folder / f"{spec.page_id}.truth.txt").is_file():
            continue
        image, truth = render_page(spec)
        with tempfile.TemporaryDirectory() as tmp:
            png, pgm = Path(tmp) / "page.png", Path(tmp) / "page.pgm"
            image.save(png, dpi=(300, 300))
            image.save(pgm)
            for engine in todo:
                try:
                    text = read_with(engine, png, pgm)
                except (RuntimeError, subprocess.TimeoutExpired) as exc:
                    print(f"{spec.page_id} {engine}: {exc}", file=log)
                    continue
                _write_atomic(folder / f"{spec.page_id}.{engine}.txt", text)
                made += 1
        _write_atomic(folder / f"{spec.page_id}.truth.txt", truth)
        meta = {"source": spec.source, "font": spec.font, "condition": spec.condition}
        _write_atomic(folder / f"{spec.page_id}.json", json.dumps(meta, ensure_ascii=False))
        print(f"{spec.page_id} {spec.source} {spec.condition} {spec.font}: {', '.join(todo)}", file=log, flush=True)
    return made


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_suffix(path.suffix + ".part")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def _excluded(spec_path: Path) -> bool:
    source = json.loads(spec_path.read_text(encoding="utf-8")).get("source", "") if spec_path.is_file() else ""
    return not source.startswith("vlc-2022/") and split_of(source, "real-admin") == "excluded"


def load_pairs(cache: Path, split: str) -> list[tuple[str, str, str, str]]:
    """(page id, engine, truth, OCR text) of every generated page of a split, sorted; a held-out page
    whose document is now ``excluded`` (a copy of a less held-out one, ``corpus_split``) is left out."""
    out = []
    folder = cache / split
    for truth_path in sorted(folder.glob("*.truth.txt")):
        pid = truth_path.name.split(".")[0]
        if split != "train" and _excluded(folder / f"{pid}.json"):
            continue
        truth = truth_path.read_text(encoding="utf-8")
        for ocr_path in sorted(folder.glob(f"{pid}.*.txt")):
            engine = ocr_path.name[len(pid) + 1 : -len(".txt")]
            if engine != "truth":
                out.append((pid, engine, truth, ocr_path.read_text(encoding="utf-8")))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m pipeline.restore.pairs", description=__doc__)
    ap.add_argument("--legal", type=Path, default=REPO.parent / "shared" / "corpora" / "vlc-2022")
    ap.add_argument("--admin", type=Path, default=REPO.parent / "shared" / "corpora" / "real-admin")
    ap.add_argument("--out", type=Path, default=DEFAULT_CACHE)
    ap.add_argument("--train-pages", type=int, default=52)
    ap.add_argument("--dev-pages", type=int, default=10)
    ap.add_argument("--test-pages", type=int, default=30)
    args = ap.parse_args(argv)
    missing = [p for p in ("ocrad", "gocr", "tesseract") if shutil.which(p) is None]
    if missing:
        print(f"error: OCR programs missing: {', '.join(missing)} (make models installs them)", file=sys.stderr)
        return 2
    specs = page_specs(args.legal, args.admin, {"train": args.train_pages, "dev": args.dev_pages,
                                                "test": args.test_pages})
    made = generate(specs, args.out)
    print(f"{len(specs)} pages, {made} new OCR outputs in {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
