"""Fault benchmark: each fault of issue 11 and each injected exception, run as a user would meet it.

    .venv/bin/python -m benchmarks.faults [--only NAME ...]      (make bench-faults)

Every scenario is one ``vanban process`` run (the CLI in a child process, real worker pool) on a
fresh folder holding the faulty input next to two good documents (the dev sample notice as text, and a
two-line page image that is OCR'd). For each: what happened to the faulty document, how many inputs
have no record in documents.jsonl afterwards (lost), the exit code, wall seconds and the peak RSS of
the process tree (psutil, sampled every 0.05 s).

Injected exceptions (``inject``) are raised for the one document named ``hong`` at each place a
document passes through. For rendering, OCR and the stages, which run inside pool workers, the child
runs its tasks on a thread pool (the Executor interface the process pool and Dask share) so that the
patch reaches them; everything else is the production code. tests/test_faults.py uses the same
injector.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks.common import REPO_ROOT, markdown_table, run_header, write_result

BAD = "hong"  # the one document an injected fault hits
GOOD_NAMES = {"anh", "vb"}  # the two good documents of every scenario
SAMPLE = REPO_ROOT / "corpora" / "dev" / "04_tb_ket_luan_ubnd_tinh.txt"
FONT = "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf"
GOOD_LINES = ["Quyết định số 12/QĐ-UBND ngày 09/9/2025", "của Ủy ban nhân dân thành phố Đà Nẵng"]
BAD_LINES = ["Thông báo số 7/TB-UBND ngày 10/9/2025", "của Ủy ban nhân dân tỉnh Gia Lai"]
FILLER = (
    "Nguyên nhân chủ yếu là công tác bồi thường, giải phóng mặt bằng còn chậm, một số chủ đầu tư chưa "
    "quyết liệt trong việc triển khai."
)
CITATION = "Thực hiện Quyết định số 3665/QĐ-UBND ngày 09/9/2025 của Ủy ban nhân dân tỉnh."


# -- inputs -------------------------------------------------------------------------------------------------
def page_image(path: Path, lines: list[str]) -> Path:
    """A white 300-dpi page strip with the given lines, as the tests' fixtures make them."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(FONT, 44)
    image = Image.new("L", (1800, 160 + len(lines) * 79), 255)
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(lines):
        draw.text((120, 80 + i * 79), line, font=font, fill=0)
    image.save(path, dpi=(300, 300))
    return path


def long_version(pages: int) -> str:
    """The dev sample notice with ``pages`` pages of findings (40 lines each) inserted before its tasks,
    and one citation at 90% of them: over 1M characters at 200 pages."""
    lines = SAMPLE.read_text(encoding="utf-8").split("\n")
    page = "\n".join([FILLER] * 40)
    body = [page] * pages
    body[pages * 9 // 10] = page + "\n" + CITATION
    return "\n".join(lines[:10]) + "\n" + "\n\f\n".join(body) + "\n" + "\n".join(lines[10:])


def searchable_pdf(image: Path, out: Path) -> Path:
    """A scan with Tesseract's invisible text layer, as archive scanners make them."""
    subprocess.run(
        ["tesseract", str(image), str(out.with_suffix("")), "-l", "vie", "pdf"],
        check=True,
        capture_output=True,
        env={**os.environ, "OMP_THREAD_LIMIT": "1"},
    )
    return out


def encrypted_pdf(source: Path, out: Path, algorithm: str, user_password: str = "") -> Path:
    from pypdf import PdfWriter

    writer = PdfWriter(clone_from=source)
    writer.encrypt(user_password=user_password, owner_password="chu-so-huu", algorithm=algorithm)
    writer.write(out)
    return out


def blank_pdf(path: Path, width_pt: float, height_pt: float, user_unit: float | None = None) -> Path:
    from pypdf import PdfWriter
    from pypdf.generic import FloatObject, NameObject

    writer = PdfWriter()
    page = writer.add_blank_page(width=width_pt, height=height_pt)
    if user_unit is not None:
        page[NameObject("/UserUnit")] = FloatObject(user_unit)
    writer.write(path)
    return path


# -- injected faults ----------------------------------------------------------------------------------------
class InjectedFault(RuntimeError):
    """The exception the fault injector raises; never raised by vanban itself."""


def is_bad(value) -> bool:
    """Whether a record, a text, a path or a page context belongs to the bad document."""
    if isinstance(value, dict):
        return value["source"]["name"] == BAD
    if isinstance(value, str):
        return "7/TB" in value or Path(value).stem == BAD
    return Path(getattr(value, "path", value)).stem == BAD


def _raise_for_bad(original: Callable, pick: Callable = lambda *a, **k: a[0]) -> Callable:
    def wrapped(*args, **kwargs):
        if is_bad(pick(*args, **kwargs)):
            raise InjectedFault("injected")
        return original(*args, **kwargs)

    return wrapped


def _once(original: Callable, when: Callable, error: Exception) -> Callable:
    """``original``, except that the first call for which ``when(*args)`` holds raises ``error``."""
    state: dict = {}

    def wrapped(*args, **kwargs):
        if not state and when(*args, **kwargs):
            state["hit"] = True
            raise error
        return original(*args, **kwargs)

    return wrapped


def _ocr_fault(original: Callable) -> Callable:
    """read_image that raises after Tesseract has read the bad page."""

    def read_image(*args, **kwargs):
        lines, model = original(*args, **kwargs)
        if any("7/TB" in line.text for line in lines):
            raise InjectedFault("injected")
        return lines, model

    return read_image


def inject(place: str, patch: Callable[[object, str, object], None]) -> None:
    """Make ``place`` raise for the bad document; ``patch`` is setattr or pytest's monkeypatch.setattr."""
    import pipeline.extract
    import pipeline.ingest.discover
    import pipeline.ocr.page
    import pipeline.quality
    from pipeline.batch import runner
    from pipeline.restore import Restorer

    if place == "discovery":
        patch(pipeline.ingest.discover, "open_document", _raise_for_bad(pipeline.ingest.discover.open_document))
    elif place == "rendering":
        patch(pipeline.ocr.page, "load_page_image", _raise_for_bad(pipeline.ocr.page.load_page_image))
    elif place == "ocr":
        patch(pipeline.ocr.page, "read_image", _ocr_fault(pipeline.ocr.page.read_image))
    elif place == "restore":
        patch(Restorer, "restore", _raise_for_bad(Restorer.restore, lambda self, text, **k: text))
    elif place == "extract":
        patch(pipeline.extract, "extract", _raise_for_bad(pipeline.extract.extract))
    elif place == "quality":
        # quality is told each page's text (PageEvidence.before): the bad document's names its number
        pick = lambda pages, *rest, **options: " ".join(page.before for page in pages)  # noqa: E731
        patch(pipeline.quality, "assess", _raise_for_bad(pipeline.quality.assess, pick))
    elif place == "writer":
        # The record's content is what the writer cannot take (as a lone surrogate would): its failed
        # record, other content, is written.
        def bad_files(path, files) -> bool:
            return is_bad(json.loads(files.line.read_text(encoding="utf-8")))

        patch(runner, "write_record", _once(runner.write_record, bad_files, InjectedFault("injected")))
    elif place == "catalog":
        when = lambda self, sha256, *rest, **options: self.get(sha256).name == BAD  # noqa: E731
        patch(runner.Catalog, "set_writing", _once(runner.Catalog.set_writing, when,
                                                   sqlite3.IntegrityError("injected")))
    elif place == "disk-full":
        patch(runner.Catalog, "__init__", _small_disk(runner.Catalog.__init__))
    else:
        raise ValueError(f"no such place: {place}")


def _small_disk(original_init: Callable) -> Callable:
    """A real SQLITE_FULL ("database or disk is full"): the catalog may not grow past its first pages."""

    def small_disk(self, path):
        original_init(self, path)
        pages = self.db.execute("PRAGMA page_count").fetchone()[0]
        self.db.execute(f"PRAGMA max_page_count = {pages}")

    return small_disk


WORKER_SIDE = {"rendering", "ocr", "restore", "extract", "quality"}


def thread_engine(patch: Callable) -> None:
    """Run page and finish tasks on one thread, so that patches of worker-side code apply."""
    from concurrent.futures import ThreadPoolExecutor

    from pipeline.batch import runner
    from pipeline.batch.engine import Engine

    def local_engine(workers):
        pool = ThreadPoolExecutor(max_workers=1)
        return Engine(pool, 1, pool.shutdown, "1 thread")

    patch(runner, "local_engine", local_engine)


class SilentReceiver:
    """A webhook receiver on 127.0.0.1 that accepts connections and never answers (a hung tracker);
    it stops by itself after ``life_s``."""

    def __init__(self, life_s: float = 600.0) -> None:
        self.connections = 0
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.1)
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}/hook"
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, args=(life_s,), daemon=True)
        self.thread.start()

    def _serve(self, life_s: float) -> None:
        held = []
        until = time.monotonic() + life_s
        while not self.stop.is_set() and time.monotonic() < until:
            try:
                conn, _ = self.listener.accept()
            except TimeoutError:
                continue
            self.connections += 1
            held.append(conn)  # read nothing, answer nothing
        for conn in held:
            conn.close()
        self.listener.close()

    def close(self) -> None:
        self.stop.set()
        self.thread.join(timeout=5)


# -- scenarios ---------------------------------------------------------------------------------------------
def run_child(args: list[str], place: str | None = None) -> tuple[int, float, float, str]:
    """Exit code, wall s, peak MB of the tree and stderr of ``vanban ARGS`` (with an injected fault)."""
    from benchmarks.batch import PeakMemory, reap

    command = [sys.executable, "-m", "benchmarks.faults", "--child", place or "none", "--", *args]
    started = time.perf_counter()
    child = subprocess.Popen(command, cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    memory = PeakMemory(child.pid, interval=0.05)
    out, err = child.communicate()
    wall = time.perf_counter() - started
    peak = memory.finish()
    reap(memory.seen - {child.pid})
    return child.returncode, wall, peak, err.decode("utf-8", "replace") + out.decode("utf-8", "replace")


def child_main(place: str, argv: list[str]) -> int:
    from pipeline.cli import main

    if place in WORKER_SIDE:
        thread_engine(setattr)
    if place != "none":
        inject(place, setattr)
    return main(argv)


def batch_folder(root: Path) -> Path:
    folder = root / "in"
    folder.mkdir()
    page_image(folder / "anh.png", GOOD_LINES)
    (folder / "vb.txt").write_text(SAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    return folder


def outcome(out: Path, folder: Path) -> tuple[str, int]:
    """What happened to the bad document, and how many inputs have no record."""
    jsonl = out / "documents.jsonl"
    records = [json.loads(line) for line in jsonl.read_text(encoding="utf-8").splitlines()] if jsonl.exists() else []
    lost = len(list(folder.iterdir())) - len({r["source"]["sha256"] for r in records})
    bad = next((r for r in records if r["source"]["name"] not in GOOD_NAMES), None)
    if bad is None:
        return "no record", lost
    others = sum(1 for r in records if r["source"]["name"] in GOOD_NAMES and not r["errors"])
    if bad["errors"]:
        error = bad["errors"][0]
        return f"failed record `{error['code']}` ({error['stage']}): {error['message'][:110]}; {others} others done", lost
    origins = "/".join(sorted({p["origin"] for p in bad["pages"]}))
    first = bad["text"]["final"].strip().split("\n")[0][:45]
    facts = f"number {bad['document'].get('number_symbol')}, {len(bad['tasks'])} tasks, " if bad["tasks"] else ""
    return (f"done, text from {origins} (\"{first}\"), {facts}{len(bad['references'])} references; "
            f"{others} others done"), lost


def scenario(name: str, make: Callable[[Path], list[str]], place: str | None = None) -> dict:
    """Run one fault: ``make(folder)`` adds the faulty input and returns extra CLI options."""
    with tempfile.TemporaryDirectory(prefix="vanban-fault-") as tmp:
        folder = batch_folder(Path(tmp))
        extra = make(folder)
        out = Path(tmp) / "out"
        code, wall, peak, err = run_child(["process", str(folder), "--out", str(out), *extra], place)
        what, lost = outcome(out, folder)
        if code not in (0, 1):
            what = err.strip().splitlines()[-1] if err.strip() else f"exit {code}"
        row = {"fault": name, "what": what, "lost": lost, "exit": code, "wall": wall, "peak": peak, "err": err}
        if place == "disk-full":
            code2, _, _, _ = run_child(["process", str(folder), "--out", str(out), "--quiet"])
            _, lost2 = outcome(out, folder)
            inputs = len(list(folder.iterdir()))
            row.update(what=f"{what}; rerun: exit {code2}, {inputs - lost2} records for {inputs} inputs", lost=lost2)
        return row


def _layer_pdf(folder: Path) -> Path:
    return searchable_pdf(page_image(folder.parent / "scan.png", BAD_LINES), folder.parent / "plain.pdf")


def _encrypted(algorithm: str, user_password: str = "") -> Callable[[Path], list[str]]:
    def make(folder: Path) -> list[str]:
        encrypted_pdf(_layer_pdf(folder), folder / f"{BAD}.pdf", algorithm, user_password)
        return []

    return make


def _file(name: str, write: Callable[[Path], object]) -> Callable[[Path], list[str]]:
    def make(folder: Path) -> list[str]:
        write(folder / name)
        return []

    return make


def many_letters(folder: Path) -> list[str]:
    for i in range(40):  # enough rows to need a new page of the catalog
        (folder / f"thu-{i:02d}-{'x' * 80}.txt").write_text(f"Thư số {i}.\n", encoding="utf-8")
    return []


FILE_FAULTS: list[tuple[str, Callable[[Path], list[str]], str | None]] = [
    ("owner-only PDF, RC4-128, with a text layer", _encrypted("RC4-128"), None),
    ("owner-only PDF, AES-128, with a text layer (issue: layer silently lost)", _encrypted("AES-128"), None),
    ("owner-only PDF, AES-256 (issue: whole batch stopped, internal error)", _encrypted("AES-256"), None),
    ("user password, AES-256 (issue: whole batch stopped)", _encrypted("AES-256", "mat-khau"), None),
    ("user password, RC4-128", _encrypted("RC4-128", "mat-khau"), None),
    ("1.05M-character document (issue: E088, no extraction)",
     _file(f"{BAD}.txt", lambda p: p.write_text(long_version(200), encoding="utf-8")), None),
    ("1 kB PDF, one 5000 x 5000 pt page (issue: 3.07 GB, internal)",
     _file(f"{BAD}.pdf", lambda p: blank_pdf(p, 5000, 5000)), None),
    ("PDF, one 14400 x 14400 pt page (issue: OpenCV assertion, internal)",
     _file(f"{BAD}.pdf", lambda p: blank_pdf(p, 14400, 14400)), None),
    ("blank A0 page, 2384 x 3370 pt (admitted: the per-worker rendering bound)",
     _file(f"{BAD}.pdf", lambda p: blank_pdf(p, 2384, 3370)), None),
    ("file name of 246 UTF-8 bytes, near the 255-byte limit (found here: stopped the batch)",
     _file("Thông báo kết luận về việc " + "ệ" * 70 + ".txt", lambda p: p.write_text("Công văn số 5/UBND-VP.\n")),
     None),
    ("file name that is not UTF-8, b'van-ban-\\xe0.txt' (found here: stopped the batch, internal)",
     _file("", lambda p: Path(os.fsdecode(os.path.join(os.fsencode(p), b"van-ban-\xe0.txt"))).write_text(
         "Công văn số 5/UBND-VP.\n", encoding="utf-8")), None),
    ("HTML saved as .pdf (issue: 'unsupported format .pdf')",
     _file(f"{BAD}.pdf", lambda p: p.write_text("<!DOCTYPE html><html><body>Phiên hết hạn</body></html>")), None),
    ("disk full during a catalog commit (real SQLITE_FULL via max_page_count; issue: exit 1, internal)",
     many_letters, "disk-full"),
]
PLACES = ["discovery", "rendering", "ocr", "restore", "extract", "quality", "writer", "catalog"]


def _injected(place: str) -> tuple[str, Callable[[Path], list[str]], str]:
    def make(folder: Path) -> list[str]:
        page_image(folder / f"{BAD}.png", BAD_LINES)
        return []

    return f"exception injected in {place}, one document of three", make, place


def webhook_dead() -> dict:
    """A receiver that accepts and never answers, with the default retries and timeouts."""
    receiver = SilentReceiver()

    def make(folder: Path) -> list[str]:
        page_image(folder / f"{BAD}.png", BAD_LINES)
        return ["--webhook", receiver.url]

    try:
        row = scenario("webhook receiver accepts and never answers (issue: 84 s per document, in sequence)", make)
    finally:
        receiver.close()
    bound = next((line for line in row["err"].splitlines() if "costs this run at most" in line), "no bound printed")
    summary = row["err"].strip().splitlines()[-1]
    lost_s = summary[summary.find("webhook:"):] if "webhook:" in summary else summary
    row["what"] = (f"{receiver.connections} connections to the receiver; printed at the start: \"{bound[8:]}\"; "
                   f"summary: \"{lost_s}\"; " + row["what"])
    return row


def webhook_scheme() -> dict:
    with tempfile.TemporaryDirectory(prefix="vanban-fault-") as tmp:
        folder = batch_folder(Path(tmp))
        out = Path(tmp) / "out"
        code, wall, peak, err = run_child(["process", str(folder), "--out", str(out), "--webhook", "ftp://tracker/hook"])
        made = "output folder created" if out.exists() else "nothing started, no output folder"
        return {"fault": "webhook URL ftp://tracker/hook (issue: whole batch ran, every delivery failed)",
                "what": f"{err.strip().splitlines()[-1]}; {made}", "lost": "-", "exit": code, "wall": wall, "peak": peak}


def csv_injection() -> dict:
    """A task 'Giao =SUM(1+1) chủ trì ...' from a file named =x.txt, exported as CSV."""
    import csv
    import io

    with tempfile.TemporaryDirectory(prefix="vanban-fault-") as tmp:
        text = SAMPLE.read_text(encoding="utf-8").replace("Giao Sở Tài chính", "Giao =SUM(1+1)")
        (Path(tmp) / "=x.txt").write_text(text, encoding="utf-8")
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "pipeline.cli", "process", "=x.txt", "--out", "out", "--quiet"],
                       cwd=tmp, check=True, capture_output=True)
        done = subprocess.run([sys.executable, "-m", "pipeline.cli", "export", "tasks", "out"], cwd=tmp,
                              capture_output=True, text=True)
        row = next(csv.DictReader(io.StringIO(done.stdout, newline="")))
        return {"fault": "CSV export of a task 'Giao =SUM(1+1) chủ trì ...' from a file named =x.txt",
                "what": f"cells written: assignee `{row['assignee']}`, source_file `{row['source_file']}`",
                "lost": 0, "exit": done.returncode, "wall": time.perf_counter() - started, "peak": float("nan")}


_RENDER_PROBE = """
import resource, sys, time
from pipeline.ingest import load_page_image, open_document
(ctx,) = open_document(sys.argv[1]).pages
cpu = time.process_time()
pixels, _ = load_page_image(ctx)
cpu = time.process_time() - cpu
mb = lambda who: resource.getrusage(who).ru_maxrss / 1024
print(pixels.nbytes / 2**20, mb(resource.RUSAGE_SELF), mb(resource.RUSAGE_CHILDREN), cpu)
"""


def render_memory() -> list[list[str]]:
    """Peak RSS of a process rendering one A0 page at 300 dpi (the worker's share), and of pdftoppm."""
    with tempfile.TemporaryDirectory(prefix="vanban-a0-") as tmp:
        path = blank_pdf(Path(tmp) / "a0.pdf", 2384, 3370)
        done = subprocess.run([sys.executable, "-c", _RENDER_PROBE, str(path)], cwd=REPO_ROOT, check=True,
                              capture_output=True, text=True)
    pixels, worker, pdftoppm, cpu = (float(x) for x in done.stdout.split())
    return [["A0, 2384 x 3370 pt, 300 dpi", f"{pixels:.0f}", f"{worker:.0f}", f"{pdftoppm:.0f}", f"{cpu:.2f}"]]


def all_scenarios() -> list[tuple[str, Callable[[], dict]]]:
    named = [(name, lambda n=name, m=make, p=place: scenario(n, m, p)) for name, make, place in FILE_FAULTS]
    named += [(_injected(p)[0], lambda p=p: scenario(*_injected(p))) for p in PLACES]
    named += [("webhook dead", webhook_dead), ("webhook scheme", webhook_scheme), ("csv", csv_injection)]
    return named


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        return child_main(argv[1], argv[3:])
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="*", default=None, help="run the scenarios whose name holds one of these")
    args = parser.parse_args(argv)
    rows = []
    for name, run in all_scenarios():
        if args.only and not any(word in name for word in args.only):
            continue
        row = run()
        rows.append(row)
        print(f"{row['fault']}: exit {row['exit']}, lost {row['lost']}, {row['wall']:.1f} s, "
              f"{row['peak']:.0f} MB: {row['what']}", file=sys.stderr)
    table = markdown_table(
        ["fault", "what happened", "records lost", "exit", "wall s", "peak MB (tree)"],
        [[r["fault"], r["what"].replace("|", "\\|"), r["lost"], r["exit"], f"{r['wall']:.1f}",
          "" if r["peak"] != r["peak"] else f"{r['peak']:.0f}"] for r in rows],
    )
    render = markdown_table(
        ["page", "pixels MB", "worker peak RSS MB", "pdftoppm peak RSS MB", "worker CPU s"], render_memory()
    )
    text = (run_header("faults", "make bench-faults  (.venv/bin/python -m benchmarks.faults)") + "\n" + table
            + "\n\nRendering one page (pipeline.ingest.load_page_image in a fresh process):\n\n" + render + "\n")
    print(f"wrote {write_result('faults', text)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
