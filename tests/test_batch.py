"""The batch runner: records for good and bad inputs, resume, --force, name collisions, and crash repair
at every step of the exactly-once commit (in process, by failing a step; and for real, with kill -9)."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from PIL import Image, ImageDraw, ImageFont

from pipeline.batch import run_batch
from pipeline.batch import runner as runner_module
from pipeline.batch.catalog import Entry
from pipeline.batch.output import digest, plan_reconcile
from pipeline.config import PipelineConfig
from pipeline.errors import ExitCode
from pipeline.schema import record_errors

FONT = "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf"
CONFIG = PipelineConfig(restore=False, extract=False)
REPO = Path(__file__).resolve().parent.parent


def png(path: Path, text: str) -> Path:
    font = ImageFont.truetype(FONT, 44)
    image = Image.new("L", (1100, 180), 255)
    ImageDraw.Draw(image).text((60, 60), text, font=font, fill=0)
    image.save(path, dpi=(300, 300))
    return path


def lines(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "documents.jsonl").read_text(encoding="utf-8").splitlines()]


def catalog_rows(out: Path) -> dict[str, str]:
    with sqlite3.connect(out / "catalog.sqlite") as db:
        return dict(db.execute("SELECT name, status FROM documents").fetchall())


def assert_exactly_once(out: Path, expected_names: set[str]) -> None:
    records = lines(out)
    names = [r["source"]["name"] for r in records]
    assert sorted(names) == sorted(expected_names)
    assert len({r["source"]["sha256"] for r in records}) == len(records)
    rows = catalog_rows(out)
    assert set(rows) == expected_names
    assert set(rows.values()) <= {"done", "failed"}
    for name in expected_names:
        on_disk = json.loads((out / f"{name}.json").read_text(encoding="utf-8"))
        assert on_disk == next(r for r in records if r["source"]["name"] == name)


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "thong_bao.txt").write_text("Ủy ban nhân dân tỉnh thông báo lịch họp.\n", encoding="utf-8")
    (folder / "cong_van.txt").write_text(
        "Sở Giáo dục và Đào tạo đề nghị các trường báo cáo.\n", encoding="utf-8"
    )
    (folder / "rong.txt").write_bytes(b"")
    (folder / "hong.pdf").write_bytes(b"%PDF-1.4\nthis is not a pdf body\n")
    png(folder / "trang.png", "Quyết định số 12/QĐ-UBND")
    return folder


def test_batch_records_good_and_bad_inputs_and_goes_on(inputs: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    summary = run_batch([inputs], out, config=CONFIG, workers=2, progress=False)
    assert (summary.processed, summary.failed, summary.skipped) == (3, 2, 0)
    assert summary.exit_code == ExitCode.SOME_DOCUMENTS_FAILED
    assert_exactly_once(out, {"thong_bao", "cong_van", "rong", "hong", "trang"})
    by_name = {r["source"]["name"]: r for r in lines(out)}
    assert [e["code"] for e in by_name["rong"]["errors"]] == ["empty-file"]
    assert [e["code"] for e in by_name["hong"]["errors"]] == ["corrupt-file"]
    assert by_name["rong"]["quality"]["verdict"] == "bad"
    assert {name: record_errors(r) for name, r in by_name.items()} == {name: [] for name in by_name}
    assert by_name["thong_bao"]["text"]["final"] == "Ủy ban nhân dân tỉnh thông báo lịch họp.\n"
    assert "Quyết định số 12" in by_name["trang"]["text"]["final"]
    assert by_name["trang"]["pages"][0]["origin"] == "ocr"
    assert catalog_rows(out) == {
        "thong_bao": "done",
        "cong_van": "done",
        "trang": "done",
        "rong": "failed",
        "hong": "failed",
    }


def test_rerun_skips_done_retries_failed_and_picks_up_new_files(inputs: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run_batch([inputs], out, config=CONFIG, workers=1, progress=False)
    (inputs / "rong.txt").write_text(
        "Văn bản đã được sửa.\n", encoding="utf-8"
    )  # fixed: new content, new key
    (inputs / "moi.txt").write_text("Kế hoạch mới của huyện.\n", encoding="utf-8")
    summary = run_batch([inputs], out, config=CONFIG, workers=1, progress=False)
    # trang, thong_bao, cong_van skipped; hong (still corrupt) retried and failing; rong and moi new.
    assert (summary.processed, summary.failed, summary.skipped) == (2, 1, 3)
    records = lines(out)
    assert len(records) == 7  # the old failed "rong" record stays: it belongs to the old content
    assert sum(r["source"]["name"] == "hong" for r in records) == 1
    with sqlite3.connect(out / "catalog.sqlite") as db:
        attempts = dict(db.execute("SELECT name, attempts FROM documents").fetchall())
    assert attempts["hong"] == 2 and attempts["thong_bao"] == 1


def test_force_redoes_everything_once(inputs: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run_batch([inputs], out, config=CONFIG, workers=1, progress=False)
    summary = run_batch([inputs], out, config=CONFIG, workers=1, progress=False, force=True)
    assert (summary.processed, summary.failed, summary.skipped) == (3, 2, 0)
    assert_exactly_once(out, {"thong_bao", "cong_van", "rong", "hong", "trang"})


def test_same_stem_in_two_folders_does_not_overwrite(tmp_path: Path) -> None:
    for sub, text in (("a", "Công văn thứ nhất."), ("b", "Công văn thứ hai.")):
        (tmp_path / sub).mkdir()
        (tmp_path / sub / "cv.txt").write_text(text, encoding="utf-8")
    (tmp_path / "b" / "ban_sao.txt").write_text(
        "Công văn thứ nhất.", encoding="utf-8"
    )  # same content as a/cv
    out = tmp_path / "out"
    summary = run_batch([tmp_path / "a", tmp_path / "b"], out, config=CONFIG, workers=1, progress=False)
    assert (summary.processed, summary.skipped) == (2, 1)
    records = {r["source"]["name"]: r for r in lines(out)}
    sha_b = next(r["source"]["sha256"] for r in records.values() if r["text"]["final"] == "Công văn thứ hai.")
    assert set(records) == {"cv", f"cv-{sha_b[:8]}"}
    assert records["cv"]["text"]["final"] == "Công văn thứ nhất."
    assert (
        json.loads((out / f"cv-{sha_b[:8]}.json").read_text(encoding="utf-8"))["text"]["final"]
        == "Công văn thứ hai."
    )


def _entry(sha: str, status: str, line: bytes | None) -> Entry:
    return Entry(sha, sha, sha, status, None, digest(line) if line else None, None)


def test_plan_reconcile_keeps_vouched_lines_once_promotes_and_resets() -> None:
    a, b, c, stale = b'{"a":1}', b'{"b":2}', b'{"c":3}', b'{"old":0}'
    entries = [
        _entry("A", "done", a),
        _entry("B", "writing", b),
        _entry("C", "failed", c),
        _entry("D", "done", b"{}"),
    ]
    plan = plan_reconcile([digest(x) for x in (a, stale, b, a, c)], True, entries)
    assert plan.keep == [True, False, True, False, True]
    assert plan.promote == ["B"]
    assert plan.reset == ["D"]
    assert (plan.dropped, plan.partial, plan.needs_rewrite) == (2, True, True)


class Crash(BaseException):
    """Stands for the process dying: not an Exception, so nothing in the runner catches it."""


@pytest.mark.parametrize("step", ["write_record", "append_line", "after_append", "set_finished"])
def test_crash_at_each_commit_step_then_rerun_is_exactly_once(step: str, tmp_path: Path, monkeypatch) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    names = {f"vb{i}" for i in range(4)}
    for i in range(4):
        (folder / f"vb{i}.txt").write_text(f"Văn bản số {i} của ủy ban.\n", encoding="utf-8")
    out = tmp_path / "out"
    calls = {"n": 0}

    def crash_on_third(original):
        def wrapped(*args, **kwargs):
            calls["n"] += 1
            if calls["n"] == 3 and step != "after_append":
                if step == "append_line":  # die half-way through the line
                    path, line_file = args
                    line = Path(line_file).read_bytes()
                    with open(path, "ab") as handle:
                        handle.write(line[: len(line) // 2])
                raise Crash
            result = original(*args, **kwargs)
            if calls["n"] == 3:
                raise Crash
            return result

        return wrapped

    target = {"write_record": "write_record", "append_line": "append_line", "after_append": "append_line"}
    if step == "set_finished":
        original = runner_module.Catalog.set_finished
        monkeypatch.setattr(runner_module.Catalog, "set_finished", crash_on_third(original))
    else:
        name = target[step]
        monkeypatch.setattr(runner_module, name, crash_on_third(getattr(runner_module, name)))
    with pytest.raises(Crash):
        run_batch([folder], out, config=CONFIG, workers=1, progress=False)
    monkeypatch.undo()
    summary = run_batch([folder], out, config=CONFIG, workers=1, progress=False)
    assert summary.failed == 0
    assert_exactly_once(out, names)
    assert summary.processed + summary.skipped == 4
    if step in ("after_append", "set_finished"):
        assert summary.processed == 1  # the crashed document's line was whole: promoted, not redone


_CHILD = """
import sys
from pipeline.batch.cli import add_parser
import argparse
parser = argparse.ArgumentParser(); add_parser(parser.add_subparsers())
args = parser.parse_args(sys.argv[1:])
sys.exit(args.func(args))
"""


def test_kill_9_mid_batch_then_rerun_is_exactly_once(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    names = set()
    for i in range(8):
        png(folder / f"anh{i}.png", f"Trang số {i} của công văn gửi các sở")
        names.add(f"anh{i}")
    for i in range(4):
        (folder / f"vb{i}.txt").write_text(f"Văn bản {i}.\n", encoding="utf-8")
        names.add(f"vb{i}")
    out = tmp_path / "out"
    command = [
        sys.executable,
        "-c",
        _CHILD,
        "process",
        str(folder),
        "--out",
        str(out),
        "--workers",
        "1",
        "--no-restore",
        "--no-extract",
        "--quiet",
    ]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    jsonl = out / "documents.jsonl"
    killed_at = []
    for kill_after in (2, 6):  # two kills at different points of the batch, each resumed by the next run
        child = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and child.poll() is None:
            if jsonl.exists() and jsonl.read_bytes().count(b"\n") >= kill_after:
                break
            time.sleep(0.005)
        assert child.poll() is None, "the batch finished before it could be killed"
        helpers = psutil.Process(child.pid).children(recursive=True)  # fork server, worker, Tesseract helper
        assert helpers
        child.send_signal(signal.SIGKILL)
        child.wait()
        killed_at.append(jsonl.read_bytes().count(b"\n"))
        _, alive = psutil.wait_procs(helpers, timeout=15)
        assert not alive, f"left running after the batch was killed: {[p.cmdline()[-1] for p in alive]}"
    assert killed_at[0] < len(names) and killed_at[1] < len(names)
    result = subprocess.run(command, env=env, capture_output=True, timeout=120)
    assert result.returncode == 0, result.stderr.decode()
    assert_exactly_once(out, names)
    rerun = subprocess.run(command, env=env, capture_output=True, timeout=120)
    assert rerun.returncode == 0
    assert_exactly_once(out, names)


def test_cli_process_prints_progress_lines_and_summary_and_exits_1_on_failure(
    inputs: Path, tmp_path: Path, capsys
) -> None:
    from pipeline.cli import main

    out = tmp_path / "out"
    code = main(["process", str(inputs), "--out", str(out), "--workers", "1", "--no-restore", "--no-extract"])
    err = capsys.readouterr().err.splitlines()
    assert code == ExitCode.SOME_DOCUMENTS_FAILED
    progress = [line for line in err if line.startswith("vanban: [")]
    assert len(progress) == 5
    assert progress[-1].startswith("vanban: [5/5 documents, 3/3 pages, ")
    assert "vanban: 3 processed, 0 skipped, 2 failed" in "\n".join(err)
    assert f"vanban: failed: {out / 'rong.json'}" in err
    assert main(["export", "tasks", str(out), "--format", "jsonl"]) == 0
    assert capsys.readouterr().out == ""  # extraction was off: no tasks


def test_empty_input_folder_is_a_clear_error_and_leaves_no_records(tmp_path: Path) -> None:
    from pipeline.errors import NoDocumentsError

    (tmp_path / "in").mkdir()
    with pytest.raises(NoDocumentsError, match="no documents found in the inputs"):
        run_batch([tmp_path / "in"], tmp_path / "out", config=CONFIG, workers=1, progress=False)
    assert catalog_rows(tmp_path / "out") == {}


def test_a_second_batch_on_the_same_folder_is_refused(tmp_path: Path) -> None:
    from pipeline.batch.runner import _lock
    from pipeline.errors import OutputError

    out = tmp_path / "out"
    out.mkdir()
    held = _lock(out)
    try:
        (tmp_path / "a.txt").write_text("Công văn.", encoding="utf-8")
        with pytest.raises(OutputError, match="another vanban batch is writing to"):
            run_batch([tmp_path / "a.txt"], out, config=CONFIG, workers=1, progress=False)
    finally:
        held.close()


def test_pages_are_streamed_through_a_bounded_window(tmp_path: Path, monkeypatch) -> None:
    """A 60-page TIFF never has more than two page tasks per worker in flight."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from pipeline.batch.engine import Engine
    from pipeline.record import PageResult

    frames = [Image.new("L", (40, 40), 255) for _ in range(60)]
    frames[0].save(tmp_path / "dai.tif", save_all=True, append_images=frames[1:])
    lock = threading.Lock()
    state = {"now": 0, "peak": 0}
    release = threading.Event()

    def slow_page(ctx):
        with lock:
            state["now"] += 1
            state["peak"] = max(state["peak"], state["now"])
        release.wait(0.01)
        with lock:
            state["now"] -= 1
        return PageResult(number=ctx.number, origin="text", text=f"Trang {ctx.number}.")

    submitted = {"pending": 0, "peak": 0}

    class Counting(ThreadPoolExecutor):
        def submit(self, fn, *args, **kwargs):
            future = super().submit(fn, *args, **kwargs)
            if fn is slow_page:
                with lock:
                    submitted["pending"] += 1
                    submitted["peak"] = max(submitted["peak"], submitted["pending"])

                def done(_):
                    with lock:
                        submitted["pending"] -= 1

                future.add_done_callback(done)
            return future

    pool = Counting(max_workers=2)
    monkeypatch.setattr(runner_module, "page_task", slow_page)
    monkeypatch.setattr(runner_module, "local_engine", lambda workers: Engine(pool, 2, pool.shutdown, "test"))
    summary = run_batch([tmp_path / "dai.tif"], tmp_path / "out", config=CONFIG, progress=False)
    assert (summary.processed, summary.pages) == (1, 60)
    assert submitted["peak"] == 4  # 2 slots x 2
    record = lines(tmp_path / "out")[0]
    assert [p["number"] for p in record["pages"]] == list(range(1, 61))
    assert record["text"]["final"].startswith("Trang 1.\n\f\nTrang 2.")


def test_without_timings_drops_only_the_wall_clock_fields() -> None:
    from pipeline.record import without_timings

    record = {"pages": [{"number": 1, "seconds": 2.4, "lines": []}], "timings": {"ocr": 2.4}, "errors": []}
    assert without_timings(record) == {"pages": [{"number": 1, "lines": []}], "errors": []}
