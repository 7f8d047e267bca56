"""The pieces of the restoration model: hash tables, KN model on a toy corpus, training segmentation."""

from __future__ import annotations

import importlib.util
from collections import Counter

import numpy as np
import pytest

from pipeline.restore.core import case_log_likelihoods
from pipeline.restore.lm import HashTable, dequantize, pack, quantize
from pipeline.restore.tokens import CASE_LOWER, CASE_NONE, CASE_TITLE, case_kind
from pipeline.restore.train import (
    BOS,
    EOS,
    WordCounts,
    build_lm,
    legacy_place_segments,
    lm_items,
    stroked_codes,
)


def test_hash_table_finds_every_key_and_nothing_else() -> None:
    rng = np.random.default_rng(0)
    keys = np.unique(rng.integers(1, 2**60, 50_000, dtype=np.uint64))
    vals = rng.random(len(keys)).astype(np.float32) * 0.9 + 0.05
    table = HashTable.build(keys, vals)
    got = table.get(keys, -1.0)
    assert np.array_equal(got, dequantize(quantize(vals)))
    assert np.all(np.abs(np.log(got) - np.log(vals)) < 0.04)  # 8-bit log quantiser: < 4% relative error
    absent = rng.integers(2**60, 2**62, 20_000, dtype=np.uint64)
    assert np.all(table.get(absent, -1.0) == -1.0)


def test_kneser_ney_model_is_normalised_and_prefers_seen_continuations() -> None:
    # toy corpus over ids 6..9, order 3
    segs = [[6, 7, 8], [6, 7, 9], [6, 7, 8], [7, 8, 9], [9, 6, 7]] * 5
    stream = []
    for s in segs:
        stream += [BOS, BOS, *s, EOS]
    lm = build_lm(np.array(stream, dtype=np.int64), 3, 10, {3: 1})
    words = np.arange(2, 10)  # every id that can follow (</s> and the words)
    ctx = np.tile(np.array([[6, 7]]), (len(words), 1))
    p = lm.prob(ctx, words)
    assert abs(float(p.sum()) - 1.0) < 0.05  # quantised tables: close to 1
    assert p[words.tolist().index(8)] > p[words.tolist().index(9)] > p[words.tolist().index(6)]


def test_pack_is_positional() -> None:
    a, b = np.array([1, 2]), np.array([2, 1])
    k = pack([a, b])
    assert k[0] != k[1] and int(k[0]) == (1 << 16) | 2


def test_training_segments_and_split() -> None:
    segs = list(lm_items("Điều 5. Người lao động, người sử dụng lao động có quyền: đồng/năm (UBND)"))
    assert segs == [
        ["điều", "<num>"],
        ["người", "lao", "động", ",", "người", "sử", "dụng", "lao", "động", "có", "quyền"],
        ["đồng", "năm", "<unk>"],
    ]


def test_dash_between_words_counts_as_a_comma() -> None:
    # "quận - huyện": one segment with a comma; a leading dash (a list item) adds nothing
    assert list(lm_items("Kho bạc Nhà nước quận - huyện")) == [["kho", "bạc", "nhà", "nước", "quận", ",", "huyện"]]
    assert list(lm_items("- Định suất nuôi")) == [["định", "suất", "nuôi"]]


def test_case_kind_and_in_sentence_case_counts() -> None:
    assert [case_kind(w) for w in ("Đồng", "đồng", "ĐỒNG", "x", "Ca1")] == [CASE_TITLE, CASE_LOWER, CASE_NONE,
                                                                          CASE_NONE, CASE_NONE]
    words = WordCounts()
    # sentence starts and words after "(" say nothing; "Đông" inside the sentence is a name
    words.add_line("Đồng ý thành lập xã Đông Hòa. Đồng (VND) là đơn vị tiền.")
    assert words.title == Counter({"đông": 1, "hòa": 1})
    assert words.lower["đồng"] == 0 and words.lower["là"] == 1 and words.lower["xã"] == 1


def test_case_log_likelihoods_favour_the_written_case() -> None:
    # vocabulary: 6 specials, then "đồng" (mostly lowercase) and "đông" (mostly a name)
    table = case_log_likelihoods([0] * 6 + [5, 90], [0] * 6 + [95, 10], 8)
    assert table[CASE_TITLE, 7] > table[CASE_TITLE, 6] and table[CASE_LOWER, 6] > table[CASE_LOWER, 7]
    assert not table[:, :6].any() and not table[CASE_NONE].any()
    assert not case_log_likelihoods(None, None, 8).any()  # an older lexicon: no case evidence


def test_stroked_codes_need_the_stroke_to_dominate() -> None:
    codes = Counter({"LĐTBXH": 10, "LDTBXH": 1, "ĐO": 17, "DO": 34, "QĐ": 2, "UBND": 50})
    # ĐO is a word more often written DO; QĐ is seen too rarely here; UBND has no Đ
    assert stroked_codes(codes) == {"LDTBXH": "LĐTBXH"}


def test_legacy_place_names_in_admin_phrasing() -> None:
    if importlib.util.find_spec("vietnamadminunits") is None:  # its data only: the package imports shapely
        pytest.skip("vietnamadminunits is not installed")
    segs = legacy_place_segments()
    assert ["ủy", "ban", "nhân", "dân", "xã", "cam", "lập"] in segs
    assert ["xã", "thụy", "trình", ",", "huyện", "thái", "thụy", ",", "tỉnh", "thái", "bình"] in segs
    assert any(s[:2] == ["các", "xã"] and "và" in s for s in segs)
