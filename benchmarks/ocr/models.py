"""Experiment: Tesseract's language models, and per-character alternatives on and off."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from benchmarks.common import (
    markdown_table,
)
from benchmarks.ocr.accuracy import pct, scores
from benchmarks.ocr.pages import CACHE, conditions_of
from benchmarks.ocr.readers import run_pool, vanban_read


def script_model_dir() -> Path | None:
    """A tessdata folder where the script model answers to the name "vie".

    pytesseract lists only languages named ``[a-z_]+``, so vanban's language check cannot see
    ``Vietnamese`` / ``script/Vietnamese``; a link named vie.traineddata sidesteps that.
    """
    for root in (Path("/usr/share/tesseract-ocr/5/tessdata"), Path("/usr/share/tesseract-ocr/4.00/tessdata"),
                 Path("/usr/local/share/tessdata"), Path("/opt/homebrew/share/tessdata")):
        for candidate in (root / "script" / "Vietnamese.traineddata", root / "Vietnamese.traineddata"):
            if candidate.exists():
                folder = CACHE.parent / "tessdata-script"
                folder.mkdir(parents=True, exist_ok=True)
                link = folder / "vie.traineddata"
                if not link.exists():
                    link.symlink_to(candidate)
                return folder
    return None



def best_model_dir(folder: Path) -> Path | None:
    """The tessdata "best" (integer) vie model: from ``folder``, else fetched with ``npm pack``."""
    if (folder / "vie.traineddata").exists():
        return folder
    import gzip
    import tarfile
    import tempfile

    try:
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run(["npm", "pack", "@tesseract.js-data/vie"], cwd=tmp, check=True, capture_output=True,
                           timeout=300)
            (archive,) = Path(tmp).glob("*.tgz")
            with tarfile.open(archive) as tar:
                member = tar.extractfile("package/4.0.0_best_int/vie.traineddata.gz")
                data = gzip.decompress(member.read()) if member else b""
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "vie.traineddata").write_bytes(data)
        return folder
    except (OSError, subprocess.SubprocessError, KeyError, ValueError) as exc:
        print(f"tessdata best model unavailable ({exc}); skipped", file=sys.stderr)
        return None



def model_section(small, paths, best_dir: Path) -> list[str]:
    from pipeline.record import OcrOptions

    models = [("vie (Debian tesseract-ocr-vie; the default, which reads thin copies with script/Vietnamese)",
               OcrOptions(language="vie"))]
    script = script_model_dir()
    if script:
        models.append(("script/Vietnamese (Debian tesseract-ocr-script-viet)",
                       OcrOptions(language="vie", tessdata_dir=str(script))))
    best = best_model_dir(best_dir)
    if best:
        models.append(("vie tessdata best_int (npm @tesseract.js-data/vie)",
                       OcrOptions(language="vie", tessdata_dir=str(best))))
    rows = []
    conds = conditions_of(small)
    for name, options in models:
        run = run_pool(vanban_read, [(p, options) for p in paths], 2)
        s = scores(small, run.texts)
        rows.append([name, pct(s["all"]["cer"]), pct(s["all"]["ofcer"]), pct(s["all"]["wer"]),
                     *[pct(s[c]["cer"]) for c in conds], f"{run.cpu_per_page():.2f}"])
    header = ["model", "CER", "order-free CER", "WER", *[f"CER {c}" for c in conds], "CPU s/page"]
    return [f"## Language models (vanban stage, {len(small)} pages: the first of each condition)", "",
            markdown_table(header, rows), ""]



def choices_section(small, paths) -> list[str]:
    from pipeline.record import OcrOptions

    rows = []
    for flag in ("auto", "always", "never"):
        options = OcrOptions(char_choices=flag)
        run = run_pool(vanban_read, [(p, options) for p in paths], 1)
        s = scores(small, run.texts)
        rows.append([flag, pct(s["all"]["cer"]), f"{run.wall / len(paths):.2f}",
                     f"{run.cpu_per_page():.2f}"])
    return [f"## Per-character alternatives (`char_choices`, lstm_choice_mode=2), {len(small)} pages, 1 worker",
            "", markdown_table(["char_choices", "CER", "s/page", "CPU s/page"], rows), ""]
