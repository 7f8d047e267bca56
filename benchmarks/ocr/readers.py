"""The readers compared: vanban (through run_stages), bare Tesseract, and the pools that time them."""

from __future__ import annotations

import os
import resource
import subprocess
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, replace

from benchmarks.ocr.pages import LETTERS, BenchPage


# -- the readers -------------------------------------------------------------------------------------------
def vanban_document(args: tuple[str, object]):
    """One image through vanban's ocr and assemble stages (``run_stages``), with OcrOptions ``args[1]``."""
    from pipeline.config import PipelineConfig
    from pipeline.document import Document
    from pipeline.ingest import open_document
    from pipeline.stages import run_stages

    path, options = args
    return run_stages(Document.of(open_document(path, options)), PipelineConfig(ocr=options), only=("ocr", "assemble"))


def vanban_read(args: tuple[str, object]) -> str:
    """The text vanban's OCR stage reads on one image."""
    return vanban_text(vanban_document(args))


def vanban_text(document) -> str:
    return f"<<error {document.errors[0]}>>" if document.errors else document.text


def restored_texts(documents: Sequence) -> list[str]:
    """text.final as `vanban process` makes it: each document read by ``vanban_document`` through the
    restore stage."""
    from pipeline.config import PipelineConfig
    from pipeline.stages import run_stages

    return [run_stages(document, PipelineConfig(), only=("restore",)).final for document in documents]



def tone_style_normalised(text: str) -> str:
    """Every word with its tone mark where the old style puts it (hoà and hòa are one spelling)."""
    from pipeline.restore.viet import canonical

    return LETTERS.sub(lambda m: canonical(m.group()), text)



def vanban_steps_read(args: tuple[str, object, frozenset[str]]) -> tuple[str, dict, float]:
    """read_page's OCR path with a chosen set of preprocessing steps (ablation)."""
    from pipeline.ingest.render import load_page_image
    from pipeline.ocr.page import layout_text, read_image
    from pipeline.ocr.preprocess import preprocess
    from pipeline.record import PageContext

    path, options, steps = args
    ctx = PageContext(path, "image", 1, 0, options)  # type: ignore[arg-type]
    rgb, dpi = load_page_image(ctx)
    started = time.perf_counter()
    image, effective_dpi, record = preprocess(rgb, dpi, steps=steps)
    spent = time.perf_counter() - started
    # Without character alternatives, as these tables have always been read (they never change the text).
    lines, _ = read_image(image, effective_dpi, record, replace(options, char_choices="never"), reading_steps=steps)
    return layout_text(lines), record, spent



def bare_read(path: str, language: str = "vie", tessdata: str | None = None) -> str:
    command = ["tesseract", path, "-", "-l", language]
    if tessdata:
        command[2:2] = ["--tessdata-dir", tessdata]
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False, timeout=600)
    return done.stdout



def own_cpu() -> float:
    """CPU seconds of this process, of its finished children (Tesseract runs of the cli engine) and of
    its library engine's helper process so far (as the helper reports it after each page)."""
    from pipeline.ocr.engines import helper_cpu_seconds

    me = resource.getrusage(resource.RUSAGE_SELF)
    return me.ru_utime + me.ru_stime + children_cpu() + helper_cpu_seconds()



def vanban_timed(args: tuple[str, object]) -> float:
    """CPU seconds one read_page costs inside a warm worker (imports and Tesseract checks already done)."""
    before = own_cpu()
    vanban_read(args)
    return own_cpu() - before



def interleaved_cpu(pages: Sequence[BenchPage], options: object, rounds: int = 2) -> dict[str, tuple[float, float]]:
    """{condition or "all": (vanban CPU s/page, bare CPU s/page)}, page by page in alternating order.

    Each page is read by vanban and by bare Tesseract back to back, the next page in the other order,
    and the whole set ``rounds`` times (the second round in reverse): the speed of this shared virtual
    machine drifts by up to 25% within seconds (the same page, read four times, took 2.3-3.4 CPU s), and
    alternating puts the drift on both readers alike.
    """
    ours: dict[str, float] = defaultdict(float)
    bare: dict[str, float] = defaultdict(float)
    with ProcessPoolExecutor(max_workers=1) as pool:
        pool.submit(vanban_timed, (pages[0].path, options)).result()  # warm-up: imports, Tesseract checks
        for r in range(rounds):
            for i, page in enumerate(pages if r % 2 == 0 else pages[::-1]):
                for reader in (("vanban", "bare") if (i + r) % 2 == 0 else ("bare", "vanban")):
                    if reader == "vanban":
                        spent = pool.submit(vanban_timed, (page.path, options)).result()
                        ours[page.condition] += spent
                        ours["all"] += spent
                    else:
                        before = children_cpu()
                        bare_read(page.path)
                        spent = children_cpu() - before
                        bare[page.condition] += spent
                        bare["all"] += spent
    counts = {c: rounds * sum(p.condition == c for p in pages) for c in ours}
    counts["all"] = rounds * len(pages)
    return {c: (ours[c] / counts[c], bare[c] / counts[c]) for c in ours}



def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime



@dataclass
class Run:
    texts: list
    wall: float
    cpu: float

    def pages_per_s(self) -> float:
        return len(self.texts) / self.wall if self.wall else 0.0

    def cpu_per_page(self) -> float:
        return self.cpu / len(self.texts) if self.texts else 0.0



def run_pool(func: Callable, items: Sequence, workers: int) -> Run:
    """Map ``func`` over items in a fresh process pool; wall time and the CPU of every descendant."""
    cpu0, t0 = children_cpu(), time.perf_counter()
    with ProcessPoolExecutor(max_workers=workers) as pool:
        texts = list(pool.map(func, items))
    return Run(texts, time.perf_counter() - t0, children_cpu() - cpu0)



def run_bare(paths: Sequence[str], workers: int, language: str = "vie", tessdata: str | None = None) -> Run:
    """Bare Tesseract, one subprocess per page, ``workers`` at a time."""
    cpu0, t0 = children_cpu(), time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        texts = list(pool.map(lambda p: bare_read(p, language, tessdata), paths))
    return Run(texts, time.perf_counter() - t0, children_cpu() - cpu0)
