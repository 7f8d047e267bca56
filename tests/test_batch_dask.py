"""The Dask path: the same batch on a LocalCluster gives the same records as the local process pool."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from pipeline.batch import run_batch
from pipeline.config import PipelineConfig
from pipeline.record import without_timings

distributed = pytest.importorskip("distributed")

FONT = "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf"
CONFIG = PipelineConfig(restore=False, extract=False)


def records(out: Path) -> dict[str, dict]:
    rows = [json.loads(line) for line in (out / "documents.jsonl").read_text(encoding="utf-8").splitlines()]
    return {r["source"]["sha256"]: without_timings(r) for r in rows}


def test_dask_local_cluster_gives_the_same_records_as_the_local_pool(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    font = ImageFont.truetype(FONT, 44)
    for i in range(2):
        image = Image.new("L", (1100, 180), 255)
        ImageDraw.Draw(image).text((60, 60), f"Kế hoạch số {i + 5}/KH-UBND", font=font, fill=0)
        image.save(folder / f"trang{i}.png", dpi=(300, 300))
    (folder / "vb.txt").write_text("Ủy ban nhân dân huyện báo cáo.", encoding="utf-8")
    (folder / "hong.png").write_bytes(b"\x89PNG\r\n\x1a\nbroken")

    local = run_batch([folder], tmp_path / "local", config=CONFIG, workers=1, progress=False)
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        remote = run_batch(
            [folder], tmp_path / "dask", config=CONFIG, dask_address=cluster.scheduler_address, progress=False
        )
    assert (remote.processed, remote.failed) == (local.processed, local.failed) == (3, 1)
    expected, got = records(tmp_path / "local"), records(tmp_path / "dask")
    assert len(got) == 4
    assert got == expected
    ocr_text = next(r for r in got.values() if r["source"]["name"] == "trang1")["text"]["final"]
    assert "Kế hoạch số 6/KH-UBND" in ocr_text
