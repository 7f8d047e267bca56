"""Webhook delivery: a receiver that fails makes the batch record the failures in the catalog and exit
non-zero; the next run re-sends exactly the undelivered records once the receiver is back."""

from __future__ import annotations

import json
import sqlite3
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from benchmarks.faults import SilentReceiver
from pipeline.batch import run_batch
from pipeline.config import PipelineConfig
from pipeline.errors import ExitCode

CONFIG = PipelineConfig(restore=False, extract=False)
FAST = {"retries": 1, "backoff": 0.0, "timeout": 5.0}


class Receiver:
    """A local tracker: answers ``status`` and keeps what it was sent."""

    def __init__(self) -> None:
        self.status = 503
        self.retry_after: str | None = None
        self.received: list[tuple[str, dict]] = []
        self.attempts = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.attempts += 1
                if receiver.status == 200:
                    receiver.received.append((self.headers["Idempotency-Key"], json.loads(body)))
                self.send_response(receiver.status)
                if receiver.retry_after:
                    self.send_header("Retry-After", receiver.retry_after)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.close()


def webhook_rows(out: Path) -> dict[str, tuple[str, str | None]]:
    with sqlite3.connect(out / "catalog.sqlite") as db:
        return {
            n: (s, e) for n, s, e in db.execute("SELECT name, webhook_status, webhook_error FROM documents")
        }


def test_failed_deliveries_are_recorded_and_resent_by_the_next_run(
    tmp_path: Path, receiver: Receiver
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(3):
        (folder / f"vb{i}.txt").write_text(f"Thông báo số {i} của ủy ban.", encoding="utf-8")
    out = tmp_path / "out"

    first = run_batch(
        [folder], out, config=CONFIG, workers=1, progress=False, webhook=receiver.url, webhook_options=FAST
    )
    assert (first.processed, first.deliveries_sent, first.deliveries_failed) == (3, 0, 3)
    assert first.exit_code == ExitCode.SOME_DOCUMENTS_FAILED
    assert receiver.attempts == 6  # each record tried twice (one retry) against the 503
    assert webhook_rows(out) == {f"vb{i}": ("failed", "HTTP 503") for i in range(3)}

    receiver.status = 200
    (folder / "vb3.txt").write_text("Thông báo mới.", encoding="utf-8")
    second = run_batch(
        [folder], out, config=CONFIG, workers=1, progress=False, webhook=receiver.url, webhook_options=FAST
    )
    assert (second.processed, second.skipped, second.deliveries_sent, second.deliveries_failed) == (
        1,
        3,
        4,
        0,
    )
    assert second.exit_code == ExitCode.OK
    by_key = {key: record for key, record in receiver.received}
    assert len(receiver.received) == 4 and len(by_key) == 4
    assert {r["source"]["name"] for r in by_key.values()} == {"vb0", "vb1", "vb2", "vb3"}
    assert all(key == record["source"]["sha256"] for key, record in by_key.items())
    assert (
        by_key[next(k for k, r in by_key.items() if r["source"]["name"] == "vb3")]["text"]["final"]
        == "Thông báo mới."
    )
    assert set(webhook_rows(out).values()) == {("sent", None)}

    third = run_batch(
        [folder], out, config=CONFIG, workers=1, progress=False, webhook=receiver.url, webhook_options=FAST
    )
    assert third.deliveries_sent == 0 and len(receiver.received) == 4  # nothing sent twice


def test_unreachable_webhook_does_not_stop_the_batch(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "vb.txt").write_text("Công văn.", encoding="utf-8")
    out = tmp_path / "out"
    summary = run_batch(
        [folder],
        out,
        config=CONFIG,
        workers=1,
        progress=False,
        webhook="http://127.0.0.1:9/none",
        webhook_options=FAST,
    )
    assert (summary.processed, summary.deliveries_failed) == (1, 1)
    status, error = webhook_rows(out)["vb"]
    assert status == "failed" and error.startswith("ConnectionError")
    # Without --webhook the due delivery is kept, and the summary says so.
    later = run_batch([folder], out, config=CONFIG, workers=1, progress=False)
    assert later.deliveries_waiting == 1
    assert webhook_rows(out)["vb"][0] == "failed"


def test_a_receiver_that_never_answers_costs_a_bounded_time(tmp_path: Path, capsys) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(6):
        (folder / f"vb{i}.txt").write_text(f"Thông báo số {i}.", encoding="utf-8")
    silent = SilentReceiver(life_s=60.0)
    options = {"retries": 1, "backoff": 0.0, "timeout": 0.5, "connect_timeout": 0.5, "give_up_after_s": 1.5}
    try:
        summary = run_batch([folder], tmp_path / "out", config=CONFIG, workers=1, progress=True,
                            webhook=silent.url, webhook_options=options)
    finally:
        silent.close()
    assert (summary.processed, summary.deliveries_sent, summary.deliveries_failed) == (6, 0, 6)
    assert summary.exit_code == ExitCode.SOME_DOCUMENTS_FAILED
    rows = webhook_rows(tmp_path / "out")
    tried = [name for name, (_, error) in rows.items() if error.startswith("ReadTimeout") or "Read timed out" in error]
    skipped = [name for name, (_, error) in rows.items() if error.startswith("not sent: the receiver failed for")]
    # Each tried delivery costs 2 attempts of 0.5 s; once 1.5 s are lost the rest wait for the next run.
    assert 1 <= len(tried) <= 2 and len(tried) + len(skipped) == 6
    assert silent.connections == 2 * len(tried)
    assert {status for status, _ in rows.values()} == {"failed"}
    err = capsys.readouterr().err
    assert "vanban: webhook: a receiver that fails costs this run at most 4 s; what it misses is re-sent next run" in err
    assert "no more deliveries this run, they are re-sent next run" in err
    assert "(re-sent next run; " in summary.line()


@pytest.mark.parametrize("url", ["ftp://tracker.example/hook", "file:///tmp/hook", "tracker.example/hook", "http://"])
def test_a_webhook_url_that_is_not_http_is_refused_before_the_batch(tmp_path: Path, url: str, capsys) -> None:
    from pipeline.cli import main

    (tmp_path / "vb.txt").write_text("Công văn.", encoding="utf-8")
    out = tmp_path / "out"
    code = main(["process", str(tmp_path / "vb.txt"), "--out", str(out), "--webhook", url, "--quiet"])
    assert code == ExitCode.BAD_ARGUMENTS == 2
    assert capsys.readouterr().err.splitlines() == [
        f"vanban: error: --webhook takes an http:// or https:// URL, not {url!r}"
    ]
    assert not out.exists()


def test_summary_says_re_sent_next_run_only_when_a_delivery_failed(tmp_path: Path, receiver: Receiver) -> None:
    receiver.status = 200
    (tmp_path / "vb.txt").write_text("Công văn.", encoding="utf-8")
    summary = run_batch([tmp_path / "vb.txt"], tmp_path / "out", config=CONFIG, workers=1, progress=False,
                        webhook=receiver.url, webhook_options=FAST)
    assert summary.line().endswith("; webhook: 1 sent, 0 failed")


def test_a_retry_after_header_does_not_stretch_a_delivery_past_its_bound(tmp_path: Path, receiver: Receiver) -> None:
    """urllib3 honours Retry-After by default: a 429 asking for 30 s would have slept 30 s per retry."""
    receiver.status, receiver.retry_after = 429, "30"
    (tmp_path / "vb.txt").write_text("Công văn.", encoding="utf-8")
    summary = run_batch([tmp_path / "vb.txt"], tmp_path / "out", config=CONFIG, workers=1, progress=False,
                        webhook=receiver.url, webhook_options=FAST)
    assert (summary.deliveries_sent, summary.deliveries_failed, receiver.attempts) == (0, 1, 2)
    assert summary.delivery_seconds_lost < 5  # no backoff asked (FAST): nothing near Retry-After's 30 s
    assert webhook_rows(tmp_path / "out")["vb"] == ("failed", "HTTP 429")
