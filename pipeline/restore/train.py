"""Build the restoration models from the corpora: `python -m pipeline.restore.train --legal DIR --wiki DIR`.

Deterministic: files are split by name (legal) and by title hash (wiki) into train/dev/test; only the
train parts are counted. Writes models/lm.npz (KN syllable n-grams), models/lexicon.json (vocabulary,
skeleton map, protected words) and models/split.json (which documents are held out).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import re
import sqlite3
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from pipeline.corpus_split import split_of
from pipeline.orthography import VIET_CHARS, canonical, is_well_formed, nfc, skeleton
from pipeline.restore.lm import HashTable, NgramLM, pack
from pipeline.restore.tokens import CASE_NONE, CASE_TITLE, SENTENCE_END, case_kind

SPECIALS = ["<pad>", "<s>", "</s>", "<unk>", "<num>", ","]
BOS, EOS, UNK, NUM, COMMA = 1, 2, 3, 4, 5
LEAD = "\"'“”‘’«»([{<*•–—-"
TRAIL = "\"'“”‘’«»)]}>*"
MAX_SEG = 60


def lm_items(line: str) -> Iterator[list[str]]:
    """Segments (lists of LM items) of one line: canonical lowercase syllables, <num>, <unk>, ','."""
    seg: list[str] = []
    for raw in line.split():
        core = raw.lstrip(LEAD)
        tail = ""
        while core and core[-1] in SENTENCE_END + ",)]}\"'”’»":
            tail = core[-1] + tail
            core = core[:-1]
        if "/" in core[1:-1] and all(len(p) >= 2 and p.isalpha() for p in core.split("/")):
            # đồng/người/năm: the restorer decodes the pieces as words, so count them as such
            seg.extend(canonical(p.lower()) if is_well_formed(canonical(p.lower())) else "<unk>"
                       for p in core.split("/"))
        elif core:
            low = core.lower()
            if all(c in VIET_CHARS for c in low):
                item = canonical(low)
                seg.append(item if is_well_formed(item) else "<unk>")
            elif any(c.isdigit() for c in core):
                seg.append("<num>")
            else:
                seg.append("<unk>")
        if any(c in SENTENCE_END for c in tail):
            if seg:
                yield seg
            seg = []
        elif "," in tail or (not core and raw[0] in "-–—" and seg and seg[-1] != ","):
            # a dash between words ("quận - huyện", "Tài chính - Kế hoạch") joins like a comma
            seg.append(",")
        if len(seg) >= MAX_SEG:
            yield seg
            seg = []
    if seg:
        yield seg


def iter_docs(legal: Path, wiki: Path, admin: Path | None = None) -> Iterator[tuple[str, str, str, str]]:
    """(corpus, doc id, split, text) for every document."""
    for f in sorted(legal.glob("*.txt")):
        yield "legal", f.name, split_of(f.name, "legal"), nfc(f.read_text(encoding="utf-8", errors="replace"))
    if admin is not None:
        for f in sorted(admin.rglob("*.txt")):
            name = str(f.relative_to(admin))
            text = unwrap(nfc(f.read_text(encoding="utf-8", errors="replace")))
            yield "real-admin", name, split_of(name, "real-admin"), text
    for f in sorted(wiki.glob("*.txt")):
        title, buf = None, []
        for line in f.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("### "):
                if title is not None:
                    yield "wiki", title, split_of(title, "wiki"), nfc("\n".join(buf))
                title, buf = line[4:].strip(), []
            else:
                buf.append(line)
        if title is not None:
            yield "wiki", title, split_of(title, "wiki"), nfc("\n".join(buf))


def unwrap(text: str) -> str:
    """Join the web line wraps of real-admin texts (about 80 characters: "sử\ndụng"): a line that does
    not end a sentence, followed by one that starts in lowercase, is the same sentence. Counted
    wrapped, every wrap was a segment start and the LM learned "dụng" as a way to begin one."""
    out: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        if out and out[-1] and line[:1].islower() and out[-1][-1] not in SENTENCE_END:
            out[-1] += " " + line
        else:
            out.append(line)
    return "\n".join(out)


_FOREIGN_RE = re.compile(r"^[A-Za-z][A-Za-z0-9\-]*$")
_CODE_PIECE_RE = re.compile(r"^[A-ZĐ&]{2,}$")


def stroked_codes(codes: Counter[str], min_count: int = 3, ratio: float = 5.0) -> dict[str, str]:
    """Code pieces written with Đ, by their form without the stroke (LĐTBXH by LDTBXH): those the
    corpora write with Đ at least `ratio` times as often as without. Stripped or Latin-OCR text loses
    the stroke in codes too ("47/2009/TTLT-BTC-BLDTBXH"), and no syllable model can put it back."""
    out = {}
    for piece, n in sorted(codes.items()):
        plain = piece.replace("Đ", "D")
        if plain != piece and n >= min_count and n >= ratio * codes.get(plain, 0):
            out[plain] = piece
    return out


def kn_discounts(counts: np.ndarray) -> np.ndarray:
    """Modified Kneser-Ney discounts D1, D2, D3+ from counts of counts (Chen & Goodman)."""
    n = [int((counts == k).sum()) for k in (1, 2, 3, 4)]
    y = n[0] / max(1, n[0] + 2 * n[1])
    d = [1 - 2 * y * n[1] / max(1, n[0]), 2 - 3 * y * n[2] / max(1, n[1]), 3 - 4 * y * n[3] / max(1, n[2])]
    # Counting the legal corpus 3 times leaves few 4-grams seen exactly twice (D2 -> 0.05, D3+ 2.4);
    # forcing D1 <= D2 <= D3 <= 2 measured no better (99.14% vs 99.16% on 60k test syllables).
    return np.clip(np.array(d, dtype=np.float64), 0.05, None)


def build_lm(stream: np.ndarray, order: int, vocab_size: int, min_counts: dict[int, int]) -> NgramLM:
    """Interpolated modified-KN model from a padded id stream (segments: (order-1)*<s> ... </s>)."""
    raw: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    for n in range(1, order + 1):
        cols = [stream[i : len(stream) - n + 1 + i] for i in range(n)]
        ok = cols[-1] != BOS
        for c in cols[:-1]:
            ok &= c != EOS
        keys = pack([c[ok] for c in cols])
        uk, cnt = np.unique(keys, return_counts=True)
        raw[n] = (uk, cnt)
        print(f"  order {n}: {len(uk):,} distinct", file=sys.stderr)
    own_tables: list[HashTable] = []
    gamma_tables: list[HashTable] = []
    unigram = None
    for n in range(order, 0, -1):
        keys, cnt = raw[n]
        if n < order:
            # continuation counts: distinct left extensions, except n-grams that start with <s>
            hk, _ = raw[n + 1]
            suffix = hk & np.uint64((1 << (16 * n)) - 1)
            sk, scnt = np.unique(suffix, return_counts=True)
            pos = np.searchsorted(sk, keys)
            pos = np.clip(pos, 0, len(sk) - 1)
            cc = np.where(sk[pos] == keys, scnt[pos], 0)
            first = (keys >> np.uint64(16 * (n - 1))).astype(np.int64)
            cnt = np.where(first == BOS, cnt, cc)
            keep = cnt > 0
            keys, cnt = keys[keep], cnt[keep]
        d = kn_discounts(cnt)
        disc = d[np.minimum(cnt, 3) - 1]
        if n == 1:
            ids = keys.astype(np.int64)
            total = cnt.sum()
            p = np.zeros(vocab_size, dtype=np.float64)
            p[ids] = (cnt - disc) / total
            left = 1.0 - p.sum()
            p[3:] += left / (vocab_size - 3)
            p[BOS] = 0.0
            unigram = p / p.sum()
            break
        ctx = keys >> np.uint64(16)
        uctx, inv = np.unique(ctx, return_inverse=True)
        tot = np.bincount(inv, weights=cnt)
        dsum = np.bincount(inv, weights=disc)
        own = (cnt - disc) / tot[inv]
        gamma = dsum / tot
        mc = min_counts.get(n, 1)
        if mc > 1:
            rc = raw[n][1] if n == order else None
            if rc is None:
                rk, rcnt = raw[n]
                pos = np.clip(np.searchsorted(rk, keys), 0, len(rk) - 1)
                rc = rcnt[pos]
            drop = rc < mc
            gamma = gamma + np.bincount(inv[drop], weights=own[drop], minlength=len(uctx))
            keys, own = keys[~drop], own[~drop]
            # contexts whose every continuation was dropped carry gamma 1: no need to store them
            keepctx = gamma < 0.999999
            uctx, gamma = uctx[keepctx], gamma[keepctx]
        print(f"  order {n}: keep {len(keys):,} n-grams, {len(uctx):,} contexts, D={d.round(3)}", file=sys.stderr)
        own_tables.insert(0, HashTable.build(keys, own.astype(np.float32)))
        gamma_tables.insert(0, HashTable.build(uctx, gamma.astype(np.float32)))
    assert unigram is not None
    return NgramLM(order, unigram, own_tables, gamma_tables)


# Phrases of administrative letters that statutes and encyclopaedia text rarely contain (written for
# this project): counted a few times so the LM knows them.
ADMIN_PHRASES = """Kính gửi các sở, ban, ngành và Ủy ban nhân dân các xã, phường
Nơi nhận: như trên; lưu văn thư
Lưu: VT, phòng Tư pháp
hằng năm, hằng quý, hằng tháng báo cáo kết quả
sổ hộ tịch, sổ đăng ký hộ tịch, sổ bộ thuế
Phòng Giáo dục và Đào tạo, Phòng Tài chính - Kế hoạch, Phòng Kinh tế
Sở Tài chính, Sở Nội vụ, Sở Y tế, Sở Xây dựng, Sở Nông nghiệp và Môi trường
Phó Chủ tịch Ủy ban nhân dân xã chủ trì cuộc họp
Chủ tịch Ủy ban nhân dân phường ký ban hành
Văn phòng Hội đồng nhân dân và Ủy ban nhân dân
đề nghị các đơn vị nghiêm túc thực hiện
giao Phòng Văn hóa - Xã hội chủ trì, phối hợp với các cơ quan liên quan
triển khai thực hiện cải cách hành chính, chuyển đổi số
vụ Đông Xuân, vụ Hè Thu, vụ mùa, mùa mưa bão
Trung tâm phục vụ hành chính công
Cổng thông tin điện tử của tỉnh
tổ dân phố, thôn, bản, ấp, khu phố
trưởng thôn, tổ trưởng tổ dân phố, bí thư chi bộ
xin ý kiến của Thường trực Hội đồng nhân dân
rà soát, thống kê, tổng hợp, báo cáo về Ủy ban nhân dân""".splitlines()


def place_segments() -> list[list[str]]:
    """Province and ward names after the 2025 reorganisation (vietnam-provinces), in admin phrasing."""
    try:
        import vietnam_provinces as vp
    except ImportError:
        return []
    provinces = {}
    for p in vp.Province.iter_all():
        full = p.name if p.name.lower().startswith("thành phố") else f"tỉnh {p.name}"
        provinces[p.code] = full
    lines = list(provinces.values())
    for w in vp.Ward.iter_all():
        prov = provinces.get(w.province_code, "")
        lines += [w.name, f"Ủy ban nhân dân {w.name}", f"{w.name}, {prov}"]
    segs: list[list[str]] = []
    for line in sorted(lines):
        segs.extend(lm_items(nfc(line)))
    return segs


def legacy_place_segments() -> list[list[str]]:
    """Communes, districts and provinces before the 2025 reorganisation (the 10,040 wards of the
    63-province map in vietnamadminunits), in admin phrasing: the merger resolutions of 2019-2025 list
    the old units by name ("các xã Cam Lập, Cam Bình"), and most occur once or never in the corpora.

    The package's parser imports shapely and geopy; its data is one SQLite file, read here directly.
    """
    spec = importlib.util.find_spec("vietnamadminunits")
    if spec is None or not spec.submodule_search_locations:
        print("warning: vietnamadminunits missing: no pre-2025 place names in the LM", file=sys.stderr)
        return []
    db = Path(next(iter(spec.submodule_search_locations))) / "data" / "dataset.db"
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        rows = conn.execute(
            "SELECT DISTINCT province, district, ward, districtShort, wardShort FROM admin_units_legacy"
        ).fetchall()
    lines: set[str] = set()
    by_district: dict[str, list[str]] = {}
    for province, district, ward, district_short, ward_short in sorted(r for r in rows if all(r)):
        lines.update((ward, f"Ủy ban nhân dân {ward}", f"{ward}, {district}, {province}",
                      f"{district}, {province}", f"{district_short}, {province}"))
        by_district.setdefault(district, []).append(ward_short)
    for names in by_district.values():  # "các xã A, B, C và D": neighbours listed as the resolutions do
        for i in range(0, len(names), 4):
            group = names[i:i + 4]
            lines.add("các xã " + (", ".join(group[:-1]) + " và " + group[-1] if len(group) > 1 else group[0]))
    segs: list[list[str]] = []
    for line in sorted(lines):
        segs.extend(lm_items(nfc(line)))
    return segs


def english_words(path: Path) -> list[str]:
    """Common English words of 2+ letters (ASCII, no possessives) for the foreign-word guard:
    Debian's wamerican list (SCOWL size 50), which `make models` installs; empty if it is missing."""
    if not path.is_file():
        print(f"warning: {path} missing: no foreign-word guard (apt-get install wamerican)", file=sys.stderr)
        return []
    words = {w.strip() for w in path.read_text(encoding="utf-8", errors="replace").splitlines()}
    # common words only: entries the list writes in lowercase (Paris, Robert, Van are names, not words)
    return sorted(w for w in words if len(w) >= 2 and w.isascii() and w.isalpha() and w.islower())


def main(argv: list[str] | None = None) -> int:
    """Build lm.npz, lexicon.json and split.json from the corpora (the `make models` entry point)."""
    args = _parser().parse_args(argv)
    t0 = time.time()
    args.out.mkdir(parents=True, exist_ok=True)
    split, segments, words = _read_corpora(args)
    extra = place_segments() + legacy_place_segments()
    for line in ADMIN_PHRASES:
        extra.extend(lm_items(nfc(line)))
    segments.extend(extra * args.extra_weight)
    print(f"read {len(segments):,} segments ({len(extra):,} admin/place) in {time.time() - t0:.0f}s", file=sys.stderr)
    counts, syllables, vocab = _vocabulary(segments, args.min_syllable)
    order = args.order
    stream = _id_stream(segments, vocab, order)
    print(f"stream {len(stream):,} ids, vocab {len(vocab):,}", file=sys.stderr)
    lm = build_lm(stream, order, len(vocab), {3: args.min_count3, 4: args.min_count4})
    lm.save(args.out / "lm.npz")
    _write_lexicon(args, vocab, counts, syllables, words, order)
    _write_split(args.out, split)
    sizes = {p.name: p.stat().st_size for p in args.out.iterdir() if p.is_file()}
    print(f"done in {time.time() - t0:.0f}s: {sizes}", file=sys.stderr)
    return 0


def _parser() -> argparse.ArgumentParser:
    """The command line of the model build (corpora, output folder, pruning and weighting)."""
    ap = argparse.ArgumentParser(prog="python -m pipeline.restore.train", description=__doc__)
    ap.add_argument("--legal", type=Path, default=Path("../shared/corpora/vlc-2022"))
    ap.add_argument("--wiki", type=Path, default=Path("../shared/corpora/viwiki-2017"))
    ap.add_argument("--admin", type=Path, default=Path("../shared/corpora/real-admin"))
    ap.add_argument("--no-admin", action="store_true", help="leave out the real-admin TRAIN split")
    ap.add_argument("--english", type=Path, default=Path("/usr/share/dict/american-english"),
                    help="English word list (Debian wamerican) for the foreign-word guard")
    ap.add_argument("--out", type=Path, default=Path("models"))
    ap.add_argument("--order", type=int, default=4)
    ap.add_argument("--min-count3", type=int, default=2)
    ap.add_argument("--min-count4", type=int, default=2)
    ap.add_argument("--min-syllable", type=int, default=2)
    ap.add_argument("--no-wiki", action="store_true")
    ap.add_argument("--legal-weight", type=int, default=3, help="times the legal corpus is counted (domain)")
    ap.add_argument("--extra-weight", type=int, default=3, help="times place names and admin phrases count")
    ap.add_argument("--admin-weight", type=int, default=3, help="times the real-admin TRAIN split is counted")
    return ap


@dataclass
class WordCounts:
    """Counts over the train parts besides the n-grams: Latin words (protected ones), and how often
    each syllable is written Capitalised or lowercase inside a sentence (the restorer's case evidence)."""

    foreign: Counter[str] = field(default_factory=Counter)
    title: Counter[str] = field(default_factory=Counter)
    lower: Counter[str] = field(default_factory=Counter)
    codes: Counter[str] = field(default_factory=Counter)  # pieces of document codes: QĐ, LĐTBXH, ĐA, CP

    def add_line(self, line: str) -> None:
        prev = ""
        for tok in line.split():
            core = tok.strip(LEAD + TRAIL + SENTENCE_END + ",")
            if _FOREIGN_RE.match(core) and not is_well_formed(canonical(core.lower())):
                self.foreign[core] += 1
            self.codes.update(p for p in re.split(r"[/\-]", core) if _CODE_PIECE_RE.match(p))
            kind = case_kind(core) if prev and prev[-1] not in SENTENCE_END and tok[0] not in LEAD else CASE_NONE
            if kind != CASE_NONE:
                (self.title if kind == CASE_TITLE else self.lower)[canonical(core.lower())] += 1
            prev = tok


def _read_corpora(
    args: argparse.Namespace,
) -> tuple[dict[str, dict[str, list[str]]], list[list[str]], WordCounts]:
    """Record every document's split; weighted LM segments and word counts of the train parts."""
    split: dict[str, dict[str, list[str]]] = {"legal": {}, "wiki": {}, "real-admin": {}}
    segments: list[list[str]] = []
    words = WordCounts()
    weights = {"legal": args.legal_weight, "wiki": 1, "real-admin": args.admin_weight}
    for corpus, doc, part, text in iter_docs(args.legal, args.wiki, None if args.no_admin else args.admin):
        split[corpus].setdefault(part, []).append(doc)
        if part != "train" or (args.no_wiki and corpus == "wiki"):
            continue
        for line in text.splitlines():
            segs = list(lm_items(line))
            segments.extend(segs * weights[corpus])
            words.add_line(line)
    return split, segments, words


def _vocabulary(segments: list[list[str]], min_syllable: int) -> tuple[Counter[str], list[str], list[str]]:
    """Item counts, the syllables kept (by frequency) and the vocabulary (specials first; ids fit uint16)."""
    counts: Counter[str] = Counter()
    for seg in segments:
        counts.update(seg)
    syllables = sorted(
        (s for s, c in counts.items() if c >= min_syllable and not s.startswith("<") and s != ","),
        key=lambda s: (-counts[s], s),
    )
    vocab = SPECIALS + syllables
    assert len(vocab) < 65536
    return counts, syllables, vocab


def _id_stream(segments: list[list[str]], vocab: list[str], order: int) -> np.ndarray:
    """All segments as one id stream, each padded with order-1 BOS in front and EOS behind."""
    index = {s: i for i, s in enumerate(vocab)}
    ids: list[int] = []
    pad = [BOS] * (order - 1)
    for seg in segments:
        ids.extend(pad)
        ids.extend(index.get(s, UNK) for s in seg)
        ids.append(EOS)
    return np.array(ids, dtype=np.int64)


def _write_lexicon(
    args: argparse.Namespace,
    vocab: list[str],
    counts: Counter[str],
    syllables: list[str],
    words: WordCounts,
    order: int,
) -> None:
    """Write lexicon.json: vocabulary and counts, skeleton map, protected and English words, and
    the in-sentence Capitalised / lowercase counts per syllable."""
    skel: dict[str, list[str]] = {}
    for s in syllables:
        skel.setdefault(skeleton(s), []).append(s)
    # Frequent non-Vietnamese words (foreign names, Latin-script terms) are protected as they are.
    protect = sorted(w for w, c in words.foreign.items() if c >= 30 and len(w) > 1)
    lex = {
        "vocab": vocab,
        "counts": [counts.get(s, 0) for s in vocab],
        "skeletons": skel,
        "protect": protect,
        "foreign_words": english_words(args.english),
        "order": order,
        "stroked_codes": stroked_codes(words.codes),
        "title_counts": [words.title.get(s, 0) for s in vocab],
        "lower_counts": [words.lower.get(s, 0) for s in vocab],
    }
    (args.out / "lexicon.json").write_text(json.dumps(lex, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def _write_split(out: Path, split: dict[str, dict[str, list[str]]]) -> None:
    """Write split.json (document names per corpus and part, sorted): which documents are held out."""
    for corpus in split:
        for part in split[corpus]:
            split[corpus][part].sort()
    (out / "split.json").write_text(json.dumps(split, ensure_ascii=False, indent=0), encoding="utf-8")

if __name__ == "__main__":
    sys.exit(main())
