"""Restoration stage (issue 3): every damage class, protection, round trip, CLI. Uses models/ as committed."""

from __future__ import annotations

import json

import pytest
from conftest import restored

from pipeline.cli import main as vanban
from pipeline.orthography import canonical, is_well_formed
from pipeline.restore import Restorer, RestoreResult, TokenChange
from pipeline.restore import cli as restore_cli
from pipeline.restore.legacy import from_mojibake
from pipeline.restore.noise import old_ocr_garble, strip_marks


# -- class 1: stripped text ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("damaged", "expected"),
    [
        ("cai cach hanh chinh nha nuoc", "cải cách hành chính nhà nước"),
        ("Uy ban nhan dan tinh Quang Ninh", "Ủy ban nhân dân tỉnh Quảng Ninh"),
        ("Cong hoa xa hoi chu nghia Viet Nam", "Cộng hòa xã hội chủ nghĩa Việt Nam"),
        ("Doc lap - Tu do - Hanh phuc", "Độc lập - Tự do - Hạnh phúc"),
        # real administrative text (issue 13): a dash between words joins like a comma, in training and
        # decoding (was "quản - huyện")
        ("Phong Lao dong - Thuong binh va Xa hoi quan - huyen", "Phòng Lao động - Thương binh và Xã hội quận - huyện"),
        ("Kho bac Nha nuoc quan - huyen", "Kho bạc Nhà nước quận - huyện"),
        # a sentence wrapped at the margin is one decoder segment (was "xã\nThủy Trịnh")
        ("nhap toan bo dien tich tu nhien va quy mo dan so cua xa\nThuy Trinh vao xa Thuy Hai",
         "nhập toàn bộ diện tích tự nhiên và quy mô dân số của xã\nThụy Trình vào xã Thụy Hải"),
        # code pieces whose Đ lost its stroke, learned from the corpora (train.stroked_codes)
        ("Thong tu lien tich so 47/2009/TTLT-BTC-BLDTBXH ngay 11", "Thông tư liên tịch số 47/2009/TTLT-BTC-BLĐTBXH ngày 11"),
        ("theo De an so 403/DA-CP ngay 09", "theo Đề án số 403/ĐA-CP ngày 09"),
        ("dai bieu DBQH tinh", "đại biểu ĐBQH tỉnh"),
        # two words run together, the second a name: split, each with its own case
        ("sap nhap xaCam Lap va phuongNinh Hiep", "sáp nhập xã Cam Lập và phường Ninh Hiệp"),
        ("Sáp nhập xãThạch Hà", "Sáp nhập xã Thạch Hà"),
    ],
)
def test_stripped(r: Restorer, damaged: str, expected: str) -> None:
    assert restored(r, damaged) == expected


# -- class 2: old-OCR garble -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("damaged", "expected"),
    [
        ("QuySt dinh s6 12/QĐ-UBND", "Quyết định số 12/QĐ-UBND"),
        ("thu t\\lC hanh chinh", "thủ tục hành chính"),
        ("K~t lu~n cua hoi nghi", "Kết luận của hội nghị"),
        ("V~ vi~c trien khai k~ hoach", "Về việc triển khai kế hoạch"),
        ("Ph6 Chu tich U'y ban", "Phó Chủ tịch Ủy ban"),
        ("c6 trach nhi~m thU'c hi~n", "có trách nhiệm thực hiện"),
        ("cac mon hQc trong hQc kY", "các môn học trong học kỳ"),
        ("TRU'ONG DAI HQC", "TRƯỜNG ĐẠI HỌC"),
        ("näm 2025", "năm 2025"),
        ("Kêt qua cüa Chu tich", "Kết quả của Chủ tịch"),
        ("Ha N9i, ngay 15 thang 6", "Hà Nội, ngày 15 tháng 6"),
        ("duQ'cmQt so", "được một số"),
        ("Ban hanh ngay 311712025", "Ban hành ngày 31/7/2025"),
        ("VBND tinh Quang Ninh", "UBND tỉnh Quảng Ninh"),
        # real garbled lines, with the sentence around them: "?" in place of ạ, "j" for ị
        ("các đơn vị d?t chi tieu đề ra", "các đơn vị đạt chỉ tiêu đề ra"),
        ("Căn cứ Nghj quyết số 12 của Hội đồng nhân dân", "Căn cứ Nghị quyết số 12 của Hội đồng nhân dân"),
    ],
)
def test_old_ocr_garble(r: Restorer, damaged: str, expected: str) -> None:
    assert restored(r, damaged) == expected


def test_merged_token_is_split(r: Restorer) -> None:
    res = r.restore("duQ'cmQt so")
    assert res.changes[0].original == "duQ'cmQt"
    assert res.changes[0].chosen == "được một"
    assert (res.changes[0].start, res.changes[0].end) == (0, 8)


# -- class 3: Vietnamese OCR with a wrong mark -----------------------------------------------------
def test_wrong_mark_low_confidence_is_fixed(r: Restorer) -> None:
    text = "công tác phòng, chẳng dịch bệnh"
    words = [{"text": "chẳng", "start": 16, "end": 21, "confidence": 41.0}]
    assert restored(r, text, ocr_words=words) == "công tác phòng, chống dịch bệnh"


def test_wrong_mark_confident_word_left_alone(r: Restorer) -> None:
    text = "công tác phòng, chẳng dịch bệnh"
    words = [{"text": "chẳng", "start": 16, "end": 21, "confidence": 98.0}]
    assert restored(r, text, ocr_words=words) == text
    assert restored(r, text) == text  # without OCR evidence a valid marked word is trusted


def test_wrong_mark_tone_lost_by_vietnamese_ocr(r: Restorer) -> None:
    text = "cơ quan tiên hành tô tụng có thâm quyên"
    words = [
        {"text": w, "start": text.index(w), "end": text.index(w) + len(w), "confidence": c}
        for w, c in (("tiên", 91.0), ("tô", 93.0), ("thâm", 92.0), ("quyên", 96.0))
    ]
    assert restored(r, text, ocr_words=words) == "cơ quan tiến hành tố tụng có thẩm quyền"


def test_wrong_mark_char_choices(r: Restorer) -> None:
    text = "kế hoạch đảo tạo cán bộ"
    choices = [[["đ", 0.9]], [["ả", 0.55], ["à", 0.4]], [["o", 0.99]]]
    words = [{"text": "đảo", "start": 9, "end": 12, "confidence": 70.0, "choices": choices}]
    res = r.restore(text, ocr_words=words)
    assert res.text == "kế hoạch đào tạo cán bộ"
    ch = res.changes[0]
    assert (ch.start, ch.end, ch.original, ch.chosen) == (9, 12, "đảo", "đào")
    assert 0.0 < ch.confidence <= 1.0


# -- class 4: legacy encodings ---------------------------------------------------------------------
TRUTH = "Cộng hòa xã hội chủ nghĩa Việt Nam"


def _mojibake(text: str) -> str:
    out = []
    for b in text.encode("utf-8"):
        try:
            out.append(bytes([b]).decode("cp1252"))
        except UnicodeDecodeError:
            out.append(chr(b))
    return "".join(out)


@pytest.mark.parametrize(
    ("damaged", "encoding"),
    [
        ("Céng hoµ x· héi chñ nghÜa ViÖt Nam", "tcvn3"),
        ("Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam", "vni"),
        ("Co^.ng hoa` xa~ ho^.i chu? nghi~a Vie^.t Nam", "viqr"),
        (_mojibake(TRUTH), "cp1252-mojibake"),
    ],
)
def test_legacy_encodings(r: Restorer, damaged: str, encoding: str) -> None:
    res = r.restore(damaged)
    assert res.text == TRUTH
    assert res.encoding == encoding


def test_legacy_change_offsets_point_into_input(r: Restorer) -> None:
    damaged = "Coäng hoøa xaõ hoäi"
    res = r.restore(damaged)
    assert [(c.start, c.end, c.original, c.chosen) for c in res.changes][:2] == [
        (0, 5, "Coäng", "Cộng"),
        (6, 10, "hoøa", "hòa"),
    ]


def test_mojibake_helper_round_trip() -> None:
    assert from_mojibake(_mojibake("Độc lập")) == "Độc lập"


def test_unicode_text_is_not_taken_for_legacy(r: Restorer) -> None:
    assert r.restore(TRUTH).encoding is None


# -- class 5: case ---------------------------------------------------------------------------------
def test_all_caps_heading(r: Restorer) -> None:
    assert restored(r, "QUYET DINH") == "QUYẾT ĐỊNH"
    assert restored(r, "CONG HOA XA HOI CHU NGHIA VIET NAM") == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"


# -- class 6: tone style ---------------------------------------------------------------------------
def test_tone_style_both_ways(r: Restorer) -> None:
    assert restored(r, "hoa binh va thuy loi") == "hòa bình và thủy lợi"
    assert restored(r, "hoa binh va thuy loi", tone_style="new") == "hoà bình và thuỷ lợi"
    assert restored(r, "hoà bình và thuỷ lợi", tone_style="old") == "hòa bình và thủy lợi"
    assert restored(r, "hòa bình và thủy lợi", tone_style="new") == "hoà bình và thuỷ lợi"


def test_bad_tone_style(r: Restorer) -> None:
    with pytest.raises(ValueError, match="tone_style must be one of"):
        r.restore("hoa", tone_style="modernist")


# -- protection and no harm ------------------------------------------------------------------------
PROTECTED = (
    "Căn cứ Quyết định số 3665/QĐ-UBND ngày 31/7/2025 và Nghị quyết số 29-NQ/TW; V/v triển khai CCHC, "
    "TTATGT của UBND, HĐND. TM. UBND KT. CHỦ TỊCH. Liên hệ vanthu@quangninh.gov.vn, "
    "https://dichvucong.gov.vn, nhóm Zalo, trang Facebook; phòng chống COVID-19."
)


def test_protected_tokens_unchanged(r: Restorer) -> None:
    res = r.restore(PROTECTED)
    assert res.text == PROTECTED
    assert res.changes == []


def test_protected_tokens_survive_in_stripped_text(r: Restorer) -> None:
    out = restored(r, "Can cu Quyet dinh so 3665/QĐ-UBND ngay 31/7/2025 cua UBND tinh, lien he vanthu@qn.gov.vn")
    assert out == "Căn cứ Quyết định số 3665/QĐ-UBND ngày 31/7/2025 của UBND tỉnh, liên hệ vanthu@qn.gov.vn"


def test_roman_numerals_list_markers_and_dotted_abbreviations(r: Restorer) -> None:
    text = "Chuong IV. QUY DINH CHUNG\nc) thu tuc\nd) ho so\nd) le phi\nTM. UBND\nKT. CHU TICH"
    assert restored(r, text) == "Chương IV. QUY ĐỊNH CHUNG\nc) thủ tục\nd) hồ sơ\nđ) lệ phí\nTM. UBND\nKT. CHỦ TỊCH"


def test_admin_vocabulary_and_abbreviation_context(r: Restorer) -> None:
    text = "Kinh gui: UBND xa Tan Phong, UBND phuong Hoan Kiem"
    assert restored(r, text) == "Kính gửi: UBND xã Tân Phong, UBND phường Hoàn Kiếm"


def test_slash_words_and_closing_mark(r: Restorer) -> None:
    text = "Thu nhap binh quan dat 58 trieu dong/nguoi/nam.\n- Nhu tren (b/c);\nto chuc thuc hien./."
    assert restored(r, text) == (
        "Thu nhập bình quân đạt 58 triệu đồng/người/năm.\n- Như trên (b/c);\ntổ chức thực hiện./."
    )


def test_foreign_names_kept_and_garbled_capitals_fixed(r: Restorer) -> None:
    text = "Ong Robert Smith den Paris va London; dung Zalo, Google, Viettel."
    assert restored(r, text) == "Ông Robert Smith đến Paris và London; dùng Zalo, Google, Viettel."
    assert restored(r, "Ph6ng Cong tac sinh vi~n") == "Phòng Công tác sinh viên"
    assert restored(r, "Noi nhan: Liiu: VT") == "Nơi nhận: Lưu: VT"


CLEAN = """ỦY BAN NHÂN DÂN TỈNH QUẢNG NINH
Thực hiện kế hoạch cải cách hành chính năm nay, các sở, ban, ngành và Ủy ban nhân dân các huyện
phải rà soát thủ tục hành chính, công khai kết quả giải quyết hồ sơ trên cổng dịch vụ công và
báo cáo Chủ tịch trước ngày 15 tháng 12. Người đứng đầu cơ quan chịu trách nhiệm nếu để chậm trễ.
Việc tiếp nhận ý kiến của người dân được thực hiện qua đường dây nóng và hộp thư điện tử."""


def test_clean_paragraph_round_trips(r: Restorer) -> None:
    res = r.restore(CLEAN)
    assert res.text == CLEAN
    assert res.changes == []


def test_line_breaks_and_spacing_kept(r: Restorer) -> None:
    text = "cai cach\n\n  hanh chinh  \nnha nuoc\n"
    assert restored(r, text) == "cải cách\n\n  hành chính  \nnhà nước\n"


# -- result structure ------------------------------------------------------------------------------
def test_changes_have_offsets_alternatives_confidence(r: Restorer) -> None:
    text = "thu tuc hanh chinh"
    res = r.restore(text)
    assert isinstance(res, RestoreResult)
    assert [(c.start, c.end, c.original, c.chosen) for c in res.changes] == [
        (0, 3, "thu", "thủ"),
        (4, 7, "tuc", "tục"),
        (8, 12, "hanh", "hành"),
        (13, 18, "chinh", "chính"),
    ]
    for c in res.changes:
        assert isinstance(c, TokenChange)
        assert text[c.start:c.end] == c.original
        assert 0.0 <= c.confidence <= 1.0
        assert all(alt != c.chosen and 0.0 < p < 1.0 for alt, p in c.alternatives)


def test_is_valid_syllable_and_perplexity(r: Restorer) -> None:
    assert r.is_valid_syllable("Nghĩa")
    assert r.is_valid_syllable("hoà") and r.is_valid_syllable("hòa")
    assert not r.is_valid_syllable("quyf3t")
    assert not r.is_valid_syllable("Facebook")
    good = r.perplexity("Ủy ban nhân dân tỉnh ban hành quyết định về cải cách hành chính.")
    bad = r.perplexity("định ban cải tỉnh nhân hành quyết Ủy về chính dân hành cách.")
    assert good < bad / 5


def test_load_is_cached(r: Restorer) -> None:
    assert Restorer.load() is r


def test_viet_helpers() -> None:
    assert canonical("hoà") == "hòa" and canonical("hòa", "new") == "hoà"
    assert canonical("thuỷ") == "thủy" and canonical("hoàn", "new") == "hoàn"
    assert is_well_formed("nghiêng") and not is_well_formed("ket") and not is_well_formed("quyf")


def test_noise_model_is_deterministic_and_damages() -> None:
    text = "Quyết định số 12/QĐ-UBND ngày 31/7/2025 của Ủy ban nhân dân tỉnh về cải cách hành chính"
    a, b = old_ocr_garble(text, seed=3), old_ocr_garble(text, seed=3)
    assert a == b and a != text
    assert strip_marks(text) == "Quyet dinh so 12/QD-UBND ngay 31/7/2025 cua Uy ban nhan dan tinh ve cai cach hanh chinh"


# -- CLI -------------------------------------------------------------------------------------------
def _run_cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = vanban(["restore", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_text_and_json(tmp_path, capsys) -> None:
    src = tmp_path / "in.txt"
    src.write_text("QUYET DINH\nthu tuc hanh chinh\n", encoding="utf-8")
    code, out, _ = _run_cli([str(src)], capsys)
    assert code == 0 and out == "QUYẾT ĐỊNH\nthủ tục hành chính\n"
    code, out, _ = _run_cli([str(src), "--json", "--tone-style", "new"], capsys)
    data = json.loads(out)
    assert code == 0
    assert set(data) == {"text", "encoding", "tone_style", "changes"}
    assert data["text"] == "QUYẾT ĐỊNH\nthủ tục hành chính\n" and data["tone_style"] == "new"
    first = data["changes"][0]
    assert set(first) == {"start", "end", "original", "chosen", "alternatives", "confidence"}
    assert (first["start"], first["end"], first["original"], first["chosen"]) == (0, 5, "QUYET", "QUYẾT")


def test_cli_missing_file(tmp_path, capsys) -> None:
    code, out, err = _run_cli([str(tmp_path / "nope.txt")], capsys)
    assert code == 3 and out == ""
    assert err.strip() == f"vanban: error: no such file: {tmp_path / 'nope.txt'}"


def test_cli_binary_and_legacy_files(tmp_path, capsys) -> None:
    binf = tmp_path / "x.bin"
    binf.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    code, _, err = _run_cli([str(binf)], capsys)
    assert code == 3
    assert err == f"vanban: error: {binf}: a binary file, not text (it holds NUL bytes); give a .txt file\n"
    # An 8-bit TCVN3 file is read as `vanban process` reads it (cp1252) and converted, not refused.
    legacy = tmp_path / "tcvn3.txt"
    legacy.write_bytes(b"C\xe9ng ho\xb5 x\xb8")
    code, out, err = _run_cli([str(legacy)], capsys)
    assert (code, out, err) == (0, "Cộng hòa xá\n", "")


def test_cli_registers_subcommand() -> None:
    import argparse

    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers()
    restore_cli.add_parser(sub)
    args = parser.parse_args(["restore", "-", "--json", "--models-dir", "models"])
    assert args.func is restore_cli.run and args.file == "-" and args.json and args.models_dir == "models"


def test_details_off_gives_same_text_and_offsets(r: Restorer) -> None:
    text = "QuySt dinh s6 cua Uy ban nhan dan tinh"
    full, lean = r.restore(text), r.restore(text, details=False)
    assert lean.text == full.text == "Quyết định số của Ủy ban nhân dân tỉnh"
    assert [(c.start, c.end, c.chosen) for c in lean.changes] == [(c.start, c.end, c.chosen) for c in full.changes]
    assert all(c.confidence == 1.0 and c.alternatives == [] for c in lean.changes)


# -- long documents: decoded in pieces, the result of the whole ------------------------------------
def _piece_sizes(monkeypatch) -> list[int]:
    """Record the number of LM positions of every beam search the restorer runs."""
    from pipeline.restore import core

    sizes: list[int] = []
    search = core.beam_decode

    def counted(lm, seg_len, *args, **kwargs):
        sizes.append(int(seg_len.sum()))
        return search(lm, seg_len, *args, **kwargs)

    monkeypatch.setattr(core, "beam_decode", counted)
    return sizes


def assert_same_changes(result: RestoreResult, expected: RestoreResult) -> None:
    """The same text and changes; confidences and runners-up up to float32 rounding (the decoder's
    posteriors are sums over rows padded to the most candidates of the positions decoded together)."""
    assert result.text == expected.text
    assert [(c.start, c.end, c.original, c.chosen) for c in result.changes] == [
        (c.start, c.end, c.original, c.chosen) for c in expected.changes]
    for got, want in zip(result.changes, expected.changes, strict=True):
        assert got.confidence == pytest.approx(want.confidence, rel=1e-5)
        assert [a for a, _ in got.alternatives] == [a for a, _ in want.alternatives]
        assert [p for _, p in got.alternatives] == pytest.approx([p for _, p in want.alternatives], rel=1e-4)


def test_long_document_is_decoded_in_bounded_pieces_with_the_whole_result(r: Restorer, monkeypatch) -> None:
    import copy
    from pathlib import Path

    from pipeline.restore import core

    dev = sorted((Path(__file__).parents[1] / "corpora" / "dev").glob("*.txt"))[:3]
    clean = "\n".join(p.read_text(encoding="utf-8") for p in dev)
    # a list run across the first cut (after 304 characters): "d)" after "c)" is a letter d, not đ
    text = "\n".join(["c) Kiem tra cong tac van thu luu tru tai cac xa"] * 6) + "\nc) Lap ke hoach\nd) Bao cao\n"
    text += clean + "\n" + strip_marks(clean)  # the document's mark-loss rate comes from both halves
    whole = r.restore(text)
    in_pieces = copy.copy(r)
    in_pieces.piece_chars = 300
    sizes = _piece_sizes(monkeypatch)
    pieces = in_pieces.restore(text)
    assert len(sizes) > 20 and max(sizes) < 200  # whole: one search over every position of the document
    assert_same_changes(pieces, whole)
    assert pieces.text.startswith("c) Kiểm tra công tác văn thư lưu trữ tại các xã\n")
    assert "\nc) Lập kế hoạch\nd) Báo cáo\n" in pieces.text
    # a text too long to keep the first pass's tokens is tokenised again, piece by piece: the same
    monkeypatch.setattr(core, "TOKENS_KEPT_CHARS", 0)
    again = in_pieces.restore(text)
    assert_same_changes(again, whole)


def test_ocr_words_are_found_in_every_piece(r: Restorer) -> None:
    import copy

    line = "công tác phòng, chẳng dịch bệnh"
    text = "\n".join([line] * 20)
    starts = [i * (len(line) + 1) for i in range(20)]
    low = [{"text": "chẳng", "start": s + 16, "end": s + 21, "confidence": 41.0} for s in starts[::2]]
    sure = [{"text": "chẳng", "start": s + 16, "end": s + 21, "confidence": 98.0} for s in starts[1::2]]
    in_pieces = copy.copy(r)
    in_pieces.piece_chars = 100
    res = in_pieces.restore(text, ocr_words=sure + low)
    assert res.text.split("\n") == ["công tác phòng, chống dịch bệnh", line] * 10
    assert res.text == r.restore(text, ocr_words=low + sure).text


def test_class_codes_with_two_digits_are_kept(r: Restorer) -> None:
    """A university notice's "khóa D16" (a real scan) was restored as "khóa Đó"; one digit is still OCR damage."""
    assert r.restore("Sinh vien khoa D16 dot 3 va K65").text == "Sinh viên khóa D16 đợt 3 và K65"
    assert r.restore("D6 la").text == "Đó là"


def test_a_list_that_opens_with_d_keeps_it(r: Restorer) -> None:
    """Only a second "d)" in a row lost its stroke (a) b) c) d) đ)); a list's first marker "d)" is a d."""
    assert r.restore("d) Tổ chức thực hiện kế hoạch\nd) Báo cáo kết quả").text == (
        "d) Tổ chức thực hiện kế hoạch\nđ) Báo cáo kết quả")
    assert r.restore("c) Tổ chức thực hiện\nd) Báo cáo kết quả\nd) Kiểm tra").text == (
        "c) Tổ chức thực hiện\nd) Báo cáo kết quả\nđ) Kiểm tra")


def test_pieces_are_cut_only_where_no_wrapped_sentence_goes_on(r: Restorer) -> None:
    """A line opening with a quote goes on with the sentence above (its word's core does), so no piece is cut
    before it; a cut after a sentence's end decodes as the whole text does."""
    import copy

    from pipeline.restore.core import text_pieces

    text = "Uy ban nhan dan tinh giao cac so\n\"to chuc thuc hien ke hoach\nKet thuc.\nHet han"
    assert [text[a:b] for a, b in text_pieces(text, 5)] == [
        "Uy ban nhan dan tinh giao cac so\n\"to chuc thuc hien ke hoach\nKet thuc.\n", "Het han"]
    in_pieces = copy.copy(r)
    in_pieces.piece_chars = 5
    assert_same_changes(in_pieces.restore(text), r.restore(text))
