"""OCR benchmark: synthetic scans of TEST-split laws, read by vanban's OCR stage and by bare Tesseract.

    .venv/bin/python -m benchmarks.ocr [--per-condition 5] [--corpus ../shared/corpora/vlc-2022] [--quick]

Pages: for each damage condition (pipeline.synth.damage.CONDITIONS) ``--per-condition`` one-page
documents, rendered from TEST-split files of vlc-2022 (a file is TEST iff
int(sha1(name).hexdigest(), 16) % 10 == 0; the restoration stage trains on TRAIN and tunes on DEV).
Each page gets a fictional two-column header (every other page) and a signature block (stamp pages and
every other page) around a run of paragraphs from one law, trimmed to fit one A4 page. Pages are cached
as PNG + truth under ``benchmarks/.cache/ocr/`` and regenerated deterministically when missing.

Measured in one run: per condition CER / WER / reading-order-free CER (see benchmarks.common) of
(i) vanban's OCR stage (``pipeline.ocr.read_page`` on a PageContext that points at the PNG) and
(ii) bare ``tesseract IMG - -l vie``; (iii) text.final, the OCR text through the restoration stage as
``vanban process`` makes it (tone style normalised on both sides: hoà and hòa are one spelling); pages per second with 1 and 2 workers (a process pool for
vanban, one subprocess per page for bare Tesseract; OMP_THREAD_LIMIT=1 everywhere); CPU seconds per
page (children's user+sys, which is robust to other load on the machine); language models;
``char_choices`` on/off; and each preprocessing step on/off.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import resource
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from benchmarks.common import (
    REPO_ROOT,
    VLC_DEFAULT,
    cer,
    markdown_table,
    order_free_cer,
    run_header,
    wer,
    write_result,
)
from pipeline.config import limit_threads
from pipeline.corpus_split import split_of

CACHE = REPO_ROOT / "benchmarks" / ".cache" / "ocr"
CACHE_VERSION = "v2"
TARGETS = {"clean": 0.005, "mild": 0.01, "heavy": 0.05, "skew": 0.01, "rot90": 0.01, "rot180": 0.01,
           "lowres": 0.02, "stamp": 0.01}
BEST_DIR_DEFAULT = CACHE.parent / "tessdata-best"

# Fictional issuers, summaries and signers written for this benchmark (no real persons).
ISSUERS = [
    ("ỦY BAN NHÂN DÂN", "XÃ TÂN PHONG", "Tân Phong", "UBND"),
    ("ỦY BAN NHÂN DÂN", "PHƯỜNG AN KHÁNH", "An Khánh", "UBND"),
    ("UBND TỈNH QUẢNG TRỊ", "SỞ GIÁO DỤC VÀ ĐÀO TẠO", "Quảng Trị", "SGDĐT"),
    ("ỦY BAN NHÂN DÂN", "XÃ PHƯỚC HẬU", "Phước Hậu", "UBND"),
    ("UBND THÀNH PHỐ ĐÀ NẴNG", "SỞ XÂY DỰNG", "Đà Nẵng", "SXD"),
]
TYPES = [("THÔNG BÁO", "TB"), ("KẾ HOẠCH", "KH"), ("QUYẾT ĐỊNH", "QĐ"), ("BÁO CÁO", "BC")]
SUMMARIES = [
    "Về việc phổ biến, quán triệt các quy định của luật tới cán bộ, công chức",
    "Triển khai thi hành luật trên địa bàn năm 2025",
    "Về việc tổ chức tập huấn nghiệp vụ cho các cơ quan, đơn vị",
    "Kết quả rà soát văn bản quy phạm pháp luật 9 tháng đầu năm",
]
SIGNERS = [
    ("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "Trần Minh Khoa"),
    ("KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Lê Thị Hồng Nhung"),
    ("KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Phạm Quốc Bảo"),
    ("TL. CHỦ TỊCH", "CHÁNH VĂN PHÒNG", "Đỗ Thu Trang"),
]


@dataclass(frozen=True)
class BenchPage:
    key: str
    condition: str
    path: str
    truth: str
    dpi: int
    source: str


# -- building the page set -------------------------------------------------------------------------------
def test_files(corpus: Path) -> list[Path]:
    files = sorted(p for p in corpus.glob("*.txt") if split_of(p.name) == "test")
    if not files:
        raise SystemExit(f"no TEST-split files in {corpus}; pass --corpus")
    return files


def page_markup(body: list[str], rng: np.random.Generator, header: bool, signature: bool) -> str:
    """Wrap law paragraphs in an administrative frame: header, title and summary; signature block."""
    parts: list[str] = []
    if header:
        parent, issuer, place, code = ISSUERS[int(rng.integers(len(ISSUERS)))]
        kind, kind_code = TYPES[int(rng.integers(len(TYPES)))]
        number = int(rng.integers(3, 990))
        day, month = int(rng.integers(1, 29)), int(rng.integers(1, 13))
        parts += [
            f"{parent}\tCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            f"{issuer}\tĐộc lập - Tự do - Hạnh phúc",
            f"Số: {number}/{kind_code}-{code}\t{place}, ngày {day:02d} tháng {month} năm 2025",
            "",
            kind,
            SUMMARIES[int(rng.integers(len(SUMMARIES)))],
            "",
        ]
    parts += body
    if signature:
        prefix, title, name = SIGNERS[int(rng.integers(len(SIGNERS)))]
        parts += [
            "",
            f"Nơi nhận:\t{prefix}",
            f"- Như trên;\t{title}",
            "- Các phòng, ban chuyên môn;\t",
            "- Lưu: VT.\t",
            "\t",
            f"\t{name}",
        ]
    return "\n".join(parts)


def one_page_text(lines: list[str], rng: np.random.Generator, header: bool, signature: bool):
    """Take paragraphs from a random place in a law until the page is full (render, trim, repeat)."""
    from pipeline.synth import render_document_with_truth

    start = int(rng.integers(5, max(6, len(lines) - 40)))
    body: list[str] = []
    chars = 0
    for line in lines[start:]:
        if chars > 2600:
            break
        body.append(line)
        chars += len(line)
    frame_rng_state = rng.bit_generator.state
    while body:
        rng.bit_generator.state = frame_rng_state  # the same frame whatever the trimming
        markup = page_markup(body, rng, header, signature)
        pages = render_document_with_truth(markup)
        if len(pages) == 1:
            return pages[0]
        body.pop()
    raise RuntimeError("could not fit a page")


def build_pages(
    corpus: Path, per_condition: int, cache: Path = CACHE, conditions: Sequence[str] | None = None
) -> list[BenchPage]:
    """Render, damage and cache the page set; reuse cached pages (same inputs give the same pixels)."""

    from pipeline.synth.damage import CONDITIONS, apply_condition

    files = test_files(corpus)
    cache.mkdir(parents=True, exist_ok=True)
    pages: list[BenchPage] = []
    for ci, condition in enumerate(conditions or CONDITIONS):
        for j in range(per_condition):
            key = f"{CACHE_VERSION}-{condition}-{j}"
            png, meta = cache / f"{key}.png", cache / f"{key}.json"
            if png.exists() and meta.exists():
                info = json.loads(meta.read_text(encoding="utf-8"))
                pages.append(BenchPage(key, condition, str(png), info["truth"], info["dpi"], info["source"]))
                continue
            source = files[(ci * per_condition + j) % len(files)]
            seed = int(hashlib.sha1(key.encode()).hexdigest(), 16) % (2**32)
            rng = np.random.default_rng(seed)
            lines = [ln.strip() for ln in source.read_text(encoding="utf-8").splitlines() if ln.strip()]
            clean, truth = one_page_text(lines, rng, header=j % 2 == 0, signature=condition == "stamp" or j % 2 == 1)
            image, dpi = apply_condition(clean, condition, rng)
            # A phone photo declares 72 dpi (the camera default), never its real resolution.
            declared = 72 if condition.startswith("lowres") else dpi
            image.save(png, dpi=(declared, declared), compress_level=1)
            meta.write_text(json.dumps({"truth": truth, "dpi": dpi, "source": source.name}, ensure_ascii=False),
                            encoding="utf-8")
            pages.append(BenchPage(key, condition, str(png), truth, dpi, source.name))
            print(f"rendered {key} from {source.name}", file=sys.stderr)
    return pages


_LETTERS = re.compile(r"[^\W\d_]+")


# -- the readers -------------------------------------------------------------------------------------------
def _vanban_read(args: tuple[str, object]) -> str:
    return _vanban_read_words(args)[0]


def _vanban_read_words(args: tuple[str, object]) -> tuple[str, list[dict]]:
    """read_page on one image: its text and its words as restoration takes them."""
    from pipeline.document import restoration_words
    from pipeline.ocr import read_page
    from pipeline.record import PageContext

    path, options = args
    result = read_page(PageContext(path, "image", 1, 0, options))  # type: ignore[arg-type]
    if result.error:
        return f"<<error {result.error}>>", []
    return result.text, restoration_words([result], [0])


def restored_texts(reads: Sequence[tuple[str, list[dict]]]) -> list[str]:
    """text.final as `vanban process` makes it: each page's OCR text through the restoration stage."""
    from pipeline.restore import Restorer

    restorer = Restorer.load()
    return [restorer.restore(text, ocr_words=words).text for text, words in reads]


def tone_style_normalised(text: str) -> str:
    """Every word with its tone mark where the old style puts it (hoà and hòa are one spelling)."""
    from pipeline.restore.viet import canonical

    return _LETTERS.sub(lambda m: canonical(m.group()), text)


def _vanban_steps_read(args: tuple[str, object, frozenset[str]]) -> tuple[str, dict, float]:
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


def _bare_read(path: str, language: str = "vie", tessdata: str | None = None) -> str:
    command = ["tesseract", path, "-", "-l", language]
    if tessdata:
        command[2:2] = ["--tessdata-dir", tessdata]
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False, timeout=600)
    return done.stdout


def _own_cpu() -> float:
    """CPU seconds of this process, of its finished children (Tesseract runs of the cli engine) and of
    its library engine's helper process so far (as the helper reports it after each page)."""
    from pipeline.ocr.engines import helper_cpu_seconds

    me = resource.getrusage(resource.RUSAGE_SELF)
    return me.ru_utime + me.ru_stime + _children_cpu() + helper_cpu_seconds()


def _vanban_timed(args: tuple[str, object]) -> float:
    """CPU seconds one read_page costs inside a warm worker (imports and Tesseract checks already done)."""
    before = _own_cpu()
    _vanban_read(args)
    return _own_cpu() - before


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
        pool.submit(_vanban_timed, (pages[0].path, options)).result()  # warm-up: imports, Tesseract checks
        for r in range(rounds):
            for i, page in enumerate(pages if r % 2 == 0 else pages[::-1]):
                for reader in (("vanban", "bare") if (i + r) % 2 == 0 else ("bare", "vanban")):
                    if reader == "vanban":
                        spent = pool.submit(_vanban_timed, (page.path, options)).result()
                        ours[page.condition] += spent
                        ours["all"] += spent
                    else:
                        before = _children_cpu()
                        _bare_read(page.path)
                        spent = _children_cpu() - before
                        bare[page.condition] += spent
                        bare["all"] += spent
    counts = {c: rounds * sum(p.condition == c for p in pages) for c in ours}
    counts["all"] = rounds * len(pages)
    return {c: (ours[c] / counts[c], bare[c] / counts[c]) for c in ours}


def _children_cpu() -> float:
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
    cpu0, t0 = _children_cpu(), time.perf_counter()
    with ProcessPoolExecutor(max_workers=workers) as pool:
        texts = list(pool.map(func, items))
    return Run(texts, time.perf_counter() - t0, _children_cpu() - cpu0)


def run_bare(paths: Sequence[str], workers: int, language: str = "vie", tessdata: str | None = None) -> Run:
    """Bare Tesseract, one subprocess per page, ``workers`` at a time."""
    cpu0, t0 = _children_cpu(), time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        texts = list(pool.map(lambda p: _bare_read(p, language, tessdata), paths))
    return Run(texts, time.perf_counter() - t0, _children_cpu() - cpu0)


# -- scoring -----------------------------------------------------------------------------------------------
def scores(pages: Sequence[BenchPage], texts: Sequence[str]) -> dict[str, dict[str, float]]:
    """Mean CER / order-free CER / WER per condition and over all pages (page-weighted means)."""
    groups: dict[str, list[tuple[float, float, float]]] = defaultdict(list)
    for page, text in zip(pages, texts, strict=True):
        triple = (cer(page.truth, text), order_free_cer(page.truth, text), wer(page.truth, text))
        groups[page.condition].append(triple)
        groups["all"].append(triple)
    return {
        name: {k: float(np.mean([t[i] for t in rows])) for i, k in enumerate(("cer", "ofcer", "wer"))}
        for name, rows in groups.items()
    }


def pct(value: float) -> str:
    return f"{100 * value:.2f}%"


def conditions_of(pages: Sequence[BenchPage]) -> list[str]:
    seen: list[str] = []
    for page in pages:
        if page.condition not in seen:
            seen.append(page.condition)
    return seen


def subset(pages: Sequence[BenchPage], per_condition: int) -> list[BenchPage]:
    count: dict[str, int] = defaultdict(int)
    out = []
    for page in pages:
        if count[page.condition] < per_condition:
            out.append(page)
            count[page.condition] += 1
    return out


# -- the report --------------------------------------------------------------------------------------------
def accuracy_section(pages, vanban_texts, bare_texts, final_texts=None) -> tuple[str, dict]:
    ours, bare = scores(pages, vanban_texts), scores(pages, bare_texts)
    final = None
    if final_texts is not None:
        normalised = [replace(p, truth=tone_style_normalised(p.truth)) for p in pages]
        final = scores(normalised, [tone_style_normalised(t) for t in final_texts])
    rows = []
    for condition in [*conditions_of(pages), "all"]:
        target = TARGETS.get(condition)
        o, b = ours[condition], bare[condition]
        met = "" if target is None else ("yes" if o["cer"] <= target else "no")
        rows.append([
            condition, sum(p.condition == condition for p in pages) if condition != "all" else len(pages),
            pct(o["cer"]), pct(o["ofcer"]), pct(o["wer"]), pct(b["cer"]), pct(b["ofcer"]), pct(b["wer"]),
            pct(target) if target is not None else "", met,
            *([pct(final[condition]["cer"]), pct(final[condition]["wer"])] if final else []),
        ])
    header = ["condition", "pages", "vanban CER", "vanban order-free CER", "vanban WER", "bare CER",
              "bare order-free CER", "bare WER", "target CER", "met"]
    if final:
        header += ["vanban text.final CER (after restoration)", "text.final WER"]
    return markdown_table(header, rows), ours


def speed_section(runs: dict[str, Run], interleaved: dict[str, tuple[float, float]]) -> str:
    rows = []
    for name in ("vanban", "bare"):
        one, two = runs[f"{name}-1"], runs[f"{name}-2"]
        rows.append([
            name, f"{one.pages_per_s():.3f}", f"{two.pages_per_s():.3f}",
            f"{two.pages_per_s() / one.pages_per_s():.2f}x", f"{one.wall / len(one.texts):.2f}",
            f"{one.cpu_per_page():.2f}",
        ])
    ratio_wall = (runs["vanban-1"].wall / runs["bare-1"].wall)
    ratio_cpu = (runs["vanban-1"].cpu / runs["bare-1"].cpu)
    table = markdown_table(
        ["reader", "pages/s, 1 worker", "pages/s, 2 workers", "2 vs 1 workers", "s/page (1 worker)",
         "CPU s/page"],
        rows,
    )
    per_condition = markdown_table(
        ["pages", "vanban CPU s/page", "bare CPU s/page", "vanban / bare"],
        [[c, f"{o:.3f}", f"{b:.3f}", f"{o / b:.3f}"] for c, (o, b) in interleaved.items()],
    )
    ours, bare = interleaved["all"]
    return (
        table
        + f"\n\nThese back-to-back runs (all pages by one reader, then all by the other): vanban / bare Tesseract "
        f"time per page with 1 worker, wall {ratio_wall:.3f}, CPU {ratio_cpu:.3f}.\n\n"
        "Interleaved (each page read by both readers in turn, alternating which goes first, two rounds; one "
        f"warm worker): **vanban / bare = {ours / bare:.3f}** by CPU over all pages (target <= 1.10).\n\n"
        + per_condition
        + "\n\nA worker's start-up (imports, Tesseract checks) is left out: it is paid once per worker, not per "
        "page. Bare Tesseract is cheap on skewed pages because it reads little of them (CER 41%)."
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="OCR benchmark on synthetic scans")
    parser.add_argument("--corpus", type=Path, default=VLC_DEFAULT)
    parser.add_argument("--per-condition", type=int, default=5)
    parser.add_argument("--subset", type=int, default=2, help="pages per condition for model/option comparisons")
    parser.add_argument("--best-dir", type=Path, default=BEST_DIR_DEFAULT,
                        help="folder with the tessdata 'best' vie.traineddata (skipped when absent)")
    parser.add_argument("--quick", action="store_true", help="accuracy of vanban only, 2 workers")
    parser.add_argument("--only", default="", help="comma-separated sections: main,models,choices,ablation,orientation,handoff,reading,upscale")
    args = parser.parse_args(argv)
    limit_threads()  # before the pools fork: their workers inherit it

    from pipeline.record import OcrOptions

    pages = build_pages(args.corpus, args.per_condition)
    paths = [p.path for p in pages]
    defaults = OcrOptions()
    sections = set(filter(None, args.only.split(","))) or {"main", "models", "choices", "ablation",
                                                           "orientation", "handoff", "reading", "upscale"}
    command = ".venv/bin/python -m benchmarks.ocr" + ("" if argv is None else " " + " ".join(argv))
    out = [run_header("OCR (synthetic scans of TEST-split vlc-2022 laws)", command)]
    out.append(
        f"{len(pages)} pages ({args.per_condition} per condition), rendered from TEST-split files of vlc-2022 "
        "(int(sha1(file name), 16) % 10 == 0); Liberation Serif 14 pt, A4, 300 dpi before damage. "
        f"Tesseract language `{defaults.language}`, psm {defaults.psm}, OMP_THREAD_LIMIT=1. "
        "CER/WER: NFC, whitespace collapsed, grapheme clusters, rapidfuzz Levenshtein; means over pages. "
        "Order-free CER: the lower of the CER and a bag-of-words error (words present in both texts cost "
        "nothing; the words left on each side, in their own order, are compared by grapheme edit distance, "
        "divided by the truth length), so a correctly read line in another place costs nothing. "
        "Ground truth reads a two-column row as the left column's lines, then the right column's.\n"
    )

    if args.quick:
        run = run_pool(_vanban_read, [(p, defaults) for p in paths], 2)
        table, _ = accuracy_section(pages, run.texts, run.texts)
        print(table)
        return 0

    if "main" in sections:
        load_before = os.getloadavg()[0]
        runs = {
            "vanban-1": run_pool(_vanban_read, [(p, defaults) for p in paths], 1),
            "bare-1": run_bare(paths, 1),
            "vanban-2": run_pool(_vanban_read_words, [(p, defaults) for p in paths], 2),
            "bare-2": run_bare(paths, 2),
        }
        reads = runs["vanban-2"].texts
        runs["vanban-2"].texts = [text for text, _ in reads]
        table, _ = accuracy_section(pages, runs["vanban-2"].texts, runs["bare-2"].texts, restored_texts(reads))
        out += ["## Accuracy per condition (vanban OCR stage vs bare `tesseract IMG - -l vie`)", "", table, ""]
        load_after = os.getloadavg()[0]
        interleaved = interleaved_cpu(pages, defaults)
        out += ["## Speed (same pages, same run)", "", speed_section(runs, interleaved), "",
                f"Load average of the machine (other jobs included) at start / end of these runs: "
                f"{load_before:.1f} / {load_after:.1f} on 2 cores. Wall-clock figures suffer from other jobs; "
                "CPU s/page (user+sys of all worker and Tesseract processes) does not.", ""]
        _dump_texts(pages, runs["vanban-2"].texts, "vanban")
        _dump_texts(pages, runs["bare-2"].texts, "bare")

    small = subset(pages, args.subset)
    small_items = [p.path for p in small]
    if "models" in sections:
        out += model_section(small, small_items, args.best_dir)
    if "choices" in sections:
        out += choices_section(small, small_items)
    if "ablation" in sections:
        out += ablation_section(pages)
    if "orientation" in sections:
        out += orientation_section(pages)
    if "handoff" in sections:
        out += handoff_section(small)
    if "reading" in sections:
        out += reading_section(pages)
    if "upscale" in sections:
        out += upscale_section(args.corpus)

    text = "\n".join(out)
    print(text)
    if args.only or args.per_condition != 5:
        # A partial run never overwrites the full results file.
        path = CACHE.parent / "ocr-partial.md"
        path.write_text(text + "\n", encoding="utf-8")
    else:
        path = write_result("ocr", text)
    print(f"wrote {path}", file=sys.stderr)
    return 0


def _dump_texts(pages: Sequence[BenchPage], texts: Sequence[str], name: str) -> None:
    """Keep the OCR output next to the cached pages, for looking at errors by eye."""
    for page, text in zip(pages, texts, strict=True):
        Path(page.path).with_suffix(f".{name}.txt").write_text(text, encoding="utf-8")


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
        run = run_pool(_vanban_read, [(p, options) for p in paths], 2)
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
        run = run_pool(_vanban_read, [(p, options) for p in paths], 1)
        s = scores(small, run.texts)
        rows.append([flag, pct(s["all"]["cer"]), f"{run.wall / len(paths):.2f}",
                     f"{run.cpu_per_page():.2f}"])
    return [f"## Per-character alternatives (`char_choices`, lstm_choice_mode=2), {len(small)} pages, 1 worker",
            "", markdown_table(["char_choices", "CER", "s/page", "CPU s/page"], rows), ""]


def _orientation_probe(path: str) -> tuple[int, float, int, float]:
    """(turn by vanban's ink-geometry check, its CPU ms, turn by Tesseract OSD, OSD CPU ms); both on
    the grey page after border removal, as in ``preprocess``."""
    from pipeline.ingest.render import load_page_image
    from pipeline.ocr.engines import detect_orientation
    from pipeline.ocr.preprocess import analyse, estimate_dpi, ink_mask, remove_borders, to_gray
    from pipeline.record import OcrOptions, PageContext

    rgb, dpi = load_page_image(PageContext(path, "image", 1, 0))
    gray = to_gray(rgb)
    started = time.process_time()
    real = estimate_dpi(dpi, gray.shape)
    scale = min(1.0, 100 / real)
    gray, _ = remove_borders(gray, ink_mask(gray, scale), scale)  # as in preprocess: borders first
    turn, _ = analyse(ink_mask(gray, scale))
    ours = 1000 * (time.process_time() - started)
    cpu0 = _children_cpu()
    osd_turn, _ = detect_orientation(gray, OcrOptions())
    return turn, ours, osd_turn % 360, 1000 * (_children_cpu() - cpu0)


def orientation_section(pages) -> list[str]:
    """vanban's cheap orientation check against Tesseract's OSD (a second Tesseract run per page)."""
    with ProcessPoolExecutor(max_workers=2) as pool:
        probes = list(pool.map(_orientation_probe, [p.path for p in pages]))
    rows = []
    for condition in conditions_of(pages):
        got = [pr for p, pr in zip(pages, probes, strict=True) if p.condition == condition]
        rotated = condition in ("rot90", "rot180")

        def right(turn: int, rotated: bool = rotated, condition: str = condition) -> bool:
            if not rotated:
                return turn == 0
            return turn in ((90, 270) if condition == "rot90" else (180,))

        rows.append([condition, len(got), f"{sum(right(g[0]) for g in got)}/{len(got)}",
                     f"{sum(right(g[2]) for g in got)}/{len(got)}", f"{sum(g[0] == g[2] for g in got)}/{len(got)}"])
    ours_ms = float(np.mean([p[1] for p in probes]))
    osd_ms = float(np.mean([p[3] for p in probes]))
    table = markdown_table(["condition", "pages", "vanban check right", "Tesseract OSD right", "agree"], rows)
    return ["## Orientation: ink-geometry check vs Tesseract OSD (`--psm 0`)", "", table, "",
            f"CPU per page: vanban check {ours_ms:.0f} ms, Tesseract OSD {osd_ms:.0f} ms. "
            "For rot90 pages the direction (90 or 270) is judged right by the OCR result: see the accuracy "
            "table, where rotated pages read like upright ones.", ""]


READING_VARIANTS = {
    "library engine, read at 200 dpi (default)": ("library", True),
    "cli engine (tesseract program per page), read at 200 dpi": ("cli", True),
    "library engine, read at the page's resolution": ("library", False),
    "cli engine, page's resolution": ("cli", False),
}


def _reading_probe(args: tuple[str, int]) -> dict[str, tuple[str, float]]:
    """One page, preprocessed once, then handed to Tesseract in each READING_VARIANTS way (the order
    rotated by ``shift``): {variant: (text, CPU s of this process, its children and its helper)}."""
    from pipeline.ingest.render import load_page_image
    from pipeline.ocr.page import layout_text, read_image
    from pipeline.ocr.preprocess import DEFAULT_STEPS, preprocess
    from pipeline.record import OcrOptions, PageContext

    path, shift = args
    rgb, dpi = load_page_image(PageContext(path, "image", 1, 0))
    image, effective_dpi, record = preprocess(rgb, dpi)
    names = list(READING_VARIANTS)
    out = {}
    for name in names[shift % len(names) :] + names[: shift % len(names)]:
        engine, shrink_it = READING_VARIANTS[name]
        steps = DEFAULT_STEPS if shrink_it else DEFAULT_STEPS - {"downscale"}
        before = _own_cpu()
        lines, _ = read_image(image, effective_dpi, dict(record), OcrOptions(engine=engine), reading_steps=steps)
        out[name] = (layout_text(lines), _own_cpu() - before)
    return out


def reading_section(pages: Sequence[BenchPage]) -> list[str]:
    """How the preprocessed page reaches Tesseract: engine and reading resolution, measured page by page
    in one warm worker, the three ways in rotating order."""
    with ProcessPoolExecutor(max_workers=1) as pool:
        pool.submit(_reading_probe, (pages[0].path, 0)).result()  # warm-up: imports, helper start
        probes = list(pool.map(_reading_probe, [(p.path, i) for i, p in enumerate(pages)]))
        again = list(pool.map(_reading_probe, [(p.path, i + 2) for i, p in enumerate(pages)]))  # other order
    conds = conditions_of(pages)
    rows = []
    for name in READING_VARIANTS:
        texts = [probe[name][0] for probe in probes]
        s = scores(pages, texts)
        both = [(pr[name][1] + ag[name][1]) / 2 for pr, ag in zip(probes, again, strict=True)]
        cpu = {c: float(np.mean([t for t, pg in zip(both, pages, strict=True) if pg.condition == c])) for c in conds}
        mean_cpu = float(np.mean(both))
        rows.append([name, pct(s["all"]["cer"]), *[pct(s[c]["cer"]) for c in conds], f"{mean_cpu:.2f}",
                     *[f"{cpu[c]:.2f}" for c in conds]])
    names = list(READING_VARIANTS)
    same = sum(pr[names[2]][0] == pr[names[3]][0] and pr[names[0]][0] == pr[names[1]][0] for pr in probes)
    header = ["reading", "CER all", *[f"CER {c}" for c in conds], "CPU s/page all", *[f"CPU {c}" for c in conds]]
    return [f"## Handing the page to Tesseract: engine and reading resolution ({len(pages)} pages)", "",
            markdown_table(header, rows), "",
            f"Pages whose text is identical between the library and cli engines at both resolutions: {same} of "
            f"{len(pages)}. CPU: mean of two rounds (each page read the four ways in rotating order); this "
            "worker's, its Tesseract children's (cli) and its library helper's. "
            "Toner-specked copies are never shrunk, so their rows differ only by engine.", ""]


def _handoff_probe(path: str) -> tuple[float, float]:
    """CPU ms to write the preprocessed page as pytesseract's default PNG vs as BMP."""
    import io

    from PIL import Image

    from pipeline.ingest.render import load_page_image
    from pipeline.ocr.preprocess import preprocess
    from pipeline.record import PageContext

    rgb, dpi = load_page_image(PageContext(path, "image", 1, 0))
    image = Image.fromarray(preprocess(rgb, dpi)[0])
    costs = []
    for fmt in ("PNG", "BMP"):
        started = time.process_time()
        image.save(io.BytesIO(), format=fmt)
        costs.append(1000 * (time.process_time() - started))
    return costs[0], costs[1]


def handoff_section(pages) -> list[str]:
    with ProcessPoolExecutor(max_workers=2) as pool:
        costs = list(pool.map(_handoff_probe, [p.path for p in pages]))
    png, bmp = float(np.mean([c[0] for c in costs])), float(np.mean([c[1] for c in costs]))
    return ["## Handing the page to the tesseract program (cli engine)", "",
            f"With the cli engine, pytesseract writes an array to a temporary PNG; vanban hands it a PIL image marked BMP "
            f"(`pipeline.ocr.engines.fast_input`). CPU to write one preprocessed page, mean of {len(pages)}: "
            f"PNG {png:.0f} ms, BMP {bmp:.0f} ms. Tesseract's text is identical for both.", ""]


def _preprocess_digest(args: tuple[str, frozenset[str]]) -> tuple[str, float, dict]:
    """Hash of the preprocessed page (so identical images are read once) and the preprocessing time."""
    from pipeline.ingest.render import load_page_image
    from pipeline.ocr.preprocess import for_reading, preprocess
    from pipeline.record import PageContext

    path, steps = args
    rgb, dpi = load_page_image(PageContext(path, "image", 1, 0))
    started = time.process_time()
    image, effective_dpi, record = preprocess(rgb, dpi, steps=steps)
    image, _ = for_reading(image, effective_dpi, record, steps)
    spent = time.process_time() - started
    return hashlib.sha1(image.tobytes() + str(image.shape).encode()).hexdigest(), spent, record


def ablation_section(pages) -> list[str]:
    """Each step on/off against the default. Pages whose preprocessed image is byte-identical to one
    already read reuse its text (the OCR of identical pixels is identical), so only affected pages cost."""
    from pipeline.ocr.preprocess import ALL_STEPS, DEFAULT_STEPS
    from pipeline.record import OcrOptions

    options = OcrOptions()
    variants: list[tuple[str, frozenset[str]]] = [("default: " + ", ".join(sorted(DEFAULT_STEPS)), DEFAULT_STEPS)]
    for step in sorted(ALL_STEPS):
        if step in DEFAULT_STEPS:
            variants.append((f"without {step}", DEFAULT_STEPS - {step}))
        else:
            variants.append((f"with {step}", DEFAULT_STEPS | {step}))
    variants.append(("none (grayscale only)", frozenset()))
    jobs = [(p.path, steps) for _, steps in variants for p in pages]
    with ProcessPoolExecutor(max_workers=2) as pool:
        digests = list(pool.map(_preprocess_digest, jobs))
    unique: dict[str, tuple[str, frozenset[str]]] = {}
    for (path, steps), (digest, _, _) in zip(jobs, digests, strict=True):
        unique.setdefault(digest, (path, steps))
    keys = list(unique)
    run = run_pool(_vanban_steps_read, [(path, options, steps) for path, steps in unique.values()], 2)
    text_of = {key: text for key, (text, _, _) in zip(keys, run.texts, strict=True)}
    conds = conditions_of(pages)
    rows = []
    for v, (name, _) in enumerate(variants):
        chunk = digests[v * len(pages) : (v + 1) * len(pages)]
        texts = [text_of[d] for d, _, _ in chunk]
        pre_ms = 1000 * float(np.mean([t for _, t, _ in chunk]))
        s = scores(pages, texts)
        rows.append([name, pct(s["all"]["cer"]), *[pct(s[c]["cer"]) for c in conds], f"{pre_ms:.0f}"])
    header = ["preprocessing", "CER all", *[f"CER {c}" for c in conds], "preprocess CPU ms/page"]
    return [f"## Preprocessing steps (each on/off against the default; all {len(pages)} pages; "
            f"{len(unique)} distinct preprocessed images read)", "", markdown_table(header, rows), ""]


def upscale_section(corpus: Path, per_condition: int = 4) -> list[str]:
    """The upscaling rule on phone photos under 100 dpi (the main set's photos are 100-150 dpi)."""
    from pipeline.ocr.preprocess import DEFAULT_STEPS
    from pipeline.record import OcrOptions

    pages = build_pages(corpus, per_condition, conditions=("lowres70",))
    options = OcrOptions()
    rows = []
    for name, steps in (("default (upscale below 100 dpi)", DEFAULT_STEPS),
                        ("without upscale", DEFAULT_STEPS - {"upscale"})):
        run = run_pool(_vanban_steps_read, [(p.path, options, steps) for p in pages], 2)
        texts = [text for text, _, _ in run.texts]
        s = scores(pages, texts)["all"]
        rows.append([name, pct(s["cer"]), pct(s["ofcer"]), pct(s["wer"]), f"{run.cpu_per_page():.2f}"])
    bare = run_bare([p.path for p in pages], 2)
    s = scores(pages, bare.texts)["all"]
    rows.append(["bare `tesseract -l vie`", pct(s["cer"]), pct(s["ofcer"]), pct(s["wer"]),
                 f"{bare.cpu_per_page():.2f}"])
    dpis = ", ".join(str(p.dpi) for p in pages)
    return [f"## Upscaling on phone photos under 100 dpi ({len(pages)} pages at {dpis} dpi, declared 72)", "",
            markdown_table(["reader", "CER", "order-free CER", "WER", "CPU s/page"], rows), ""]


if __name__ == "__main__":
    raise SystemExit(main())

