"""Batch benchmark: throughput of the whole pipeline against bare Tesseract, memory, kill -9 resume, Dask.

    .venv/bin/python -m benchmarks.batch [--pages 200] [--corpus ../shared/corpora/vlc-2022]

Pages: the OCR benchmark's synthetic scans (``benchmarks.ocr.build_pages``: TEST-split vlc-2022 laws,
rendered and damaged by ``pipeline.synth``; cached under ``benchmarks/.cache/ocr/``), ``--pages``
spread evenly over the damage conditions, each page one PNG document.

Measured in one run, on the same pages:
* bare ``tesseract IMG - -l vie`` (one subprocess per page, OMP_THREAD_LIMIT=1) with 1 and 2 at a time;
* ``vanban process`` (the CLI, restoration and extraction included when their models load) with
  ``--workers 1`` and ``--workers 2``, each into a fresh folder; peak memory is the largest sum of RSS
  over the vanban process and all its descendants, sampled every 0.1 s with psutil; CPU seconds are
  those of the vanban process and all its descendants, exactly: this benchmark adopts orphaned
  descendants (PR_SET_CHILD_SUBREAPER) and reaps them, so their time lands in its RUSAGE_CHILDREN;
* kill -9 at three random moments (seeded) of a 2-worker batch, each followed by a rerun, then a run
  to completion: records lost (inputs without a line) and duplicated (extra lines) in documents.jsonl,
  and catalog rows not finished;
* the same batch on a Dask ``LocalCluster`` (2 worker processes, 1 thread each) via ``--dask``, with
  the count of records identical (timings aside) to the local pool's.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

from benchmarks.common import REPO_ROOT, VLC_DEFAULT, markdown_table, run_header, write_result
from benchmarks.ocr import build_pages, run_bare
from pipeline.record import without_timings

# Our own copy of the OCR benchmark's pages: its cache is rebuilt when its page set changes.
CACHE = REPO_ROOT / "benchmarks" / ".cache" / "batch"


class PeakMemory:
    """Samples a process tree in a thread: the largest summed RSS, and every pid seen in the tree."""

    def __init__(self, pid: int, interval: float = 0.1) -> None:
        self.pid = pid
        self.interval = interval
        self.peak = 0
        self.seen: set[int] = set()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            root = psutil.Process(self.pid)
        except psutil.NoSuchProcess:
            return
        while not self.stop.is_set():
            total = 0
            try:
                tree = [root, *root.children(recursive=True)]
            except psutil.NoSuchProcess:
                return
            for proc in tree:
                try:
                    total += proc.memory_info().rss
                    self.seen.add(proc.pid)
                except psutil.NoSuchProcess:
                    continue
            self.peak = max(self.peak, total)
            time.sleep(self.interval)

    def finish(self) -> float:
        """Peak MB."""
        self.stop.set()
        self.thread.join()
        return self.peak / 2**20


def become_subreaper() -> None:
    """Make this process adopt its orphaned descendants (Linux prctl PR_SET_CHILD_SUBREAPER).

    A batch's fork server, pool workers and Tesseract helpers outlive or are not waited for by the
    vanban process; adopted and reaped here, their CPU lands exactly once in RUSAGE_CHILDREN.
    """
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(36, 1, 0, 0, 0) != 0:  # 36 = PR_SET_CHILD_SUBREAPER
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER) failed")


def reap(pids: set[int], timeout: float = 60.0) -> None:
    """Wait for each of ``pids`` that became our child; the others were reaped by their own parent."""
    deadline = time.monotonic() + timeout
    pending = set(pids)
    while pending and time.monotonic() < deadline:
        for pid in list(pending):
            try:
                done, _ = os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:  # not (or not yet) ours: gone, or still under its parent
                if not psutil.pid_exists(pid):
                    pending.discard(pid)
                continue
            if done:
                pending.discard(pid)
        time.sleep(0.05)


def _children_cpu() -> float:
    usage = os.times()
    return usage.children_user + usage.children_system


def vanban_command(inputs: list[str], out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "pipeline.cli", "process", *inputs, "--out", str(out), "--quiet", *extra]


def run_vanban(
    inputs: list[str], out: Path, *extra: str, env: dict | None = None, cwd: Path | None = None
) -> tuple[float, float, int, float]:
    """Wall seconds, peak MB of the process tree, exit code and CPU seconds of one ``vanban process`` run
    (``env``, ``cwd``: to run another copy of vanban, or with another PATH)."""
    started, cpu0 = time.perf_counter(), _children_cpu()
    child = subprocess.Popen(
        vanban_command(inputs, out, *extra), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd=cwd
    )
    memory = PeakMemory(child.pid)
    _, err = child.communicate()
    wall = time.perf_counter() - started
    peak = memory.finish()
    reap(memory.seen - {child.pid})
    cpu = _children_cpu() - cpu0
    if child.returncode not in (0, 1):
        print(err.decode(errors="replace")[-2000:], file=sys.stderr)
    return wall, peak, child.returncode, cpu


def records(out: Path) -> list[dict]:
    path = out / "documents.jsonl"
    return (
        [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []
    )


def stage_seconds(rows: list[dict], wall: float) -> list[list[str]]:
    """Mean seconds per page of each stage (the record's ``timings``), and the rest of the wall time."""
    pages = sum(r["source"]["pages"] for r in rows) or 1
    totals: dict[str, float] = {}
    for record in rows:
        for stage, seconds in (record.get("timings") or {}).items():
            totals[stage] = totals.get(stage, 0.0) + seconds
    out = [[stage, f"{total / pages:.2f}", f"{total / wall:.0%}"] for stage, total in totals.items()]
    rest = wall - sum(totals.values())
    out.append(
        [
            "batch overhead (start-up, discovery, writing, waiting)",
            f"{rest / pages:.2f}",
            f"{rest / wall:.0%}",
        ]
    )
    return out


def line_count(out: Path) -> int:
    path = out / "documents.jsonl"
    return path.read_bytes().count(b"\n") if path.exists() else 0



def kill_and_resume(inputs: list[str], out: Path, expected_seconds: float, seed: int) -> dict:
    """Kill a 2-worker batch three times at random moments, rerun to completion, count the damage."""
    rng = random.Random(seed)
    kills = []
    for _ in range(3):
        delay = rng.uniform(0.1, 0.45) * expected_seconds
        child = subprocess.Popen(
            vanban_command(inputs, out, "--workers", "2"),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            child.wait(timeout=delay)
            kills.append((round(delay, 1), "finished first", line_count(out)))
        except subprocess.TimeoutExpired:
            child.kill()  # SIGKILL
            child.wait()
            # Leftover workers of the killed batch die with their parent's pipe; give them a moment.
            time.sleep(0.5)
            kills.append((round(delay, 1), "killed", line_count(out)))
    code = run_vanban(inputs, out, "--workers", "2")[2]
    final = records(out)
    shas = [r["source"]["sha256"] for r in final]
    names = {r["source"]["name"] for r in final}
    expected = {Path(p).stem for p in inputs}
    with sqlite3.connect(out / "catalog.sqlite") as db:
        unfinished = db.execute(
            "SELECT COUNT(*) FROM documents WHERE status NOT IN ('done', 'failed')"
        ).fetchone()[0]
    mismatched = sum(
        json.loads((out / f"{r['source']['name']}.json").read_text(encoding="utf-8")) != r for r in final
    )
    return {
        "kills": kills,
        "lost": len(expected - names),
        "duplicated": len(shas) - len(set(shas)),
        "unfinished": unfinished,
        "json_mismatch": mismatched,
        "exit": code,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="batch benchmark")
    parser.add_argument("--corpus", type=Path, default=VLC_DEFAULT)
    parser.add_argument(
        "--pages", type=int, default=200, help="pages in the batch (spread over the conditions)"
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", type=Path, default=None, help="keep the 2-worker output folder here")
    args = parser.parse_args(argv)
    become_subreaper()

    from pipeline.synth.damage import CONDITIONS

    per_condition = max(1, -(-args.pages // len(CONDITIONS)))
    pages = build_pages(args.corpus, per_condition, cache=CACHE)[: args.pages]
    inputs = [p.path for p in pages]
    command = (
        ".venv/bin/python -m benchmarks.batch"
        + " ".join(["", *(sys.argv[1:] if argv is None else argv)]).rstrip()
    )
    out_lines = [run_header("batch (whole pipeline vs bare Tesseract; resume after kill -9; Dask)", command)]

    load_before = os.getloadavg()
    work = Path(tempfile.mkdtemp(prefix="vanban-bench-batch-"))
    print(f"{len(inputs)} pages; working in {work}", file=sys.stderr)
    bare1 = run_bare(inputs, 1)
    print(f"bare 1: {bare1.wall:.1f} s", file=sys.stderr)
    bare2 = run_bare(inputs, 2)
    print(f"bare 2: {bare2.wall:.1f} s", file=sys.stderr)
    v1 = run_vanban(inputs, work / "w1", "--workers", "1")
    print(f"vanban 1: {v1[0]:.1f} s", file=sys.stderr)
    stage_rows = stage_seconds(records(work / "w1"), v1[0])
    v2_out = args.keep or work / "w2"
    v2 = run_vanban(inputs, v2_out, "--workers", "2")
    print(f"vanban 2: {v2[0]:.1f} s", file=sys.stderr)
    local = records(v2_out)
    errors = sorted({e["code"] + ": " + e["message"][:80] for r in local for e in r["errors"]})
    restored = sum("restore" in (r.get("timings") or {}) for r in local)

    crash = kill_and_resume(inputs, work / "killed", v2[0], args.seed)
    print(f"kill/resume: {crash}", file=sys.stderr)

    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        dk = run_vanban(inputs, work / "dask", "--dask", cluster.scheduler_address)
    print(f"dask: {dk[0]:.1f} s", file=sys.stderr)
    dask_records = records(work / "dask")

    def identical(reference: list[dict]) -> int:
        by_sha = {r["source"]["sha256"]: without_timings(r) for r in reference}
        return sum(by_sha.get(r["source"]["sha256"]) == without_timings(r) for r in dask_records)

    same_first, same_last = identical(local), identical(records(work / "killed"))

    n = len(inputs)
    load_after = os.getloadavg()

    def row(
        name: str, workers: int, wall: float, cpu: float | None, bare_wall: float, bare_cpu: float, peak: str
    ):
        return [
            name,
            workers,
            f"{wall:.1f}",
            f"{n / wall:.3f}",
            f"{bare_wall / wall:.2f}",
            "n/a" if cpu is None else f"{cpu / n:.2f}",
            "n/a" if cpu is None else f"{bare_cpu / cpu:.2f}",
            peak,
        ]

    rows = [
        row("bare tesseract", 1, bare1.wall, bare1.cpu, bare1.wall, bare1.cpu, ""),
        row("bare tesseract", 2, bare2.wall, bare2.cpu, bare2.wall, bare2.cpu, ""),
        row("vanban process", 1, v1[0], v1[3], bare1.wall, bare1.cpu, f"{v1[1]:.0f}"),
        row("vanban process", 2, v2[0], v2[3], bare2.wall, bare2.cpu, f"{v2[1]:.0f}"),
        row("vanban --dask (LocalCluster 2x1)", 2, dk[0], None, bare2.wall, bare2.cpu, f"{dk[1]:.0f}"),
    ]
    out_lines += [
        f"{n} one-page PNG documents from `benchmarks.ocr.build_pages` ({per_condition} per condition over "
        f"{', '.join(CONDITIONS)}; truncated to {n}). vanban: the `vanban process` CLI, fresh output folder per "
        f"run, restoration ran on {restored}/{len(local)} documents"
        + (f" (errors: {'; '.join(errors)})" if errors else "")
        + ". Peak memory: the process tree's "
        "summed RSS (the Dask row counts only the client process; the cluster's workers are outside it).",
        "",
        f"Machine load average (1/5/15 min) at the start: {' / '.join(f'{x:.1f}' for x in load_before)}; at the end: "
        f"{' / '.join(f'{x:.1f}' for x in load_after)} (other jobs shared the 2 cores, so absolute speeds are low "
        "and the ratios are the figures to read).",
        "",
        "## Throughput (same pages, same run)",
        "",
        markdown_table(
            [
                "reader",
                "workers",
                "wall s",
                "pages/s",
                "throughput vs bare (wall)",
                "CPU s/page",
                "throughput vs bare (CPU)",
                "peak MB",
            ],
            rows,
        ),
        "",
        f"Whole pipeline vs bare Tesseract, by wall time: {bare1.wall / v1[0]:.2f}x its throughput with 1 worker, "
        f"{bare2.wall / v2[0]:.2f}x with 2; by CPU seconds (all descendants, insensitive to other load): "
        f"{bare1.cpu / v1[3]:.2f}x and {bare2.cpu / v2[3]:.2f}x (target >= 0.85). 2 vs 1 workers: vanban "
        f"{v1[0] / v2[0]:.2f}x, bare {bare1.wall / bare2.wall:.2f}x. The Dask row has no CPU figure: its "
        "workers are not descendants of the benchmark.",
        "",
        "## Where the time goes (1-worker run, seconds per page from the records' timings)",
        "",
        markdown_table(["stage", "s/page", "share of wall"], stage_rows),
        "",
        "## kill -9 and resume (2 workers)",
        "",
        markdown_table(
            ["kill", "after s", "outcome", "jsonl lines at kill"],
            [[i + 1, k[0], k[1], k[2]] for i, k in enumerate(crash["kills"])],
        ),
        "",
        f"After the final run: {crash['lost']} lost, {crash['duplicated']} duplicated records (target 0 and 0); "
        f"{crash['unfinished']} catalog rows unfinished; {crash['json_mismatch']} `<name>.json` files differing "
        f"from their jsonl line; exit code {crash['exit']}.",
        "",
        "## Dask",
        "",
        f"`--dask` on a LocalCluster: {len(dask_records)} records; identical (timings aside) to the local pool's: "
        f"{same_last} against the kill/resume run (the local-pool run just before it), {same_first} against the "
        "first 2-worker run. A difference between the two local-pool runs themselves means the pipeline's code or "
        "models changed during the benchmark (other stages are developed in the same tree).",
    ]
    text = "\n".join(out_lines)
    print(text)
    print(f"wrote {write_result('batch', text)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
