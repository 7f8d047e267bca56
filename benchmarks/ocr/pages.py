"""The benchmark's pages: synthetic one-page scans of TEST-split laws (DEV-split for calibration), with
their truth (cached)."""

from __future__ import annotations

import hashlib
import json
import re
import sys
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from benchmarks.common import (
    REPO_ROOT,
)
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
def split_files(corpus: Path, part: str = "test") -> list[Path]:
    files = sorted(p for p in corpus.glob("*.txt") if split_of(p.name) == part)
    if not files:
        raise SystemExit(f"no {part.upper()}-split files in {corpus}; pass --corpus")
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
    corpus: Path,
    per_condition: int,
    cache: Path = CACHE,
    conditions: Sequence[str] | None = None,
    part: str = "test",
) -> list[BenchPage]:
    """Render, damage and cache the page set; reuse cached pages (same inputs give the same pixels).
    ``part``: the split whose laws fill the pages; TEST for every measurement, DEV for calibrating
    thresholds (``benchmarks.quality``), whose pages get keys of their own."""

    from pipeline.synth.damage import CONDITIONS, apply_condition

    files = split_files(corpus, part)
    cache.mkdir(parents=True, exist_ok=True)
    pages: list[BenchPage] = []
    for ci, condition in enumerate(conditions or CONDITIONS):
        for j in range(per_condition):
            key = f"{CACHE_VERSION}-{condition}-{j}" if part == "test" else f"{CACHE_VERSION}-{part}-{condition}-{j}"
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



LETTERS = re.compile(r"[^\W\d_]+")



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
