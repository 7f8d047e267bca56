"""Extraction on the shapes real text takes: web-wrapped header cells, two columns merged by OCR, gaps in
numbers, blanks and handwriting, upper-case titles, signature blocks among seal junk and appendices.
The texts are written here, modelled on real documents (none is copied from the corpora)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from pipeline.extract import extract
from pipeline.record import Line, Word

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((ROOT / "pipeline" / "schema" / "extraction.schema.json").read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)

WRAPPED = """ỦY BAN NHÂN
DÂN
TỈNH HÒA AN
CỘNG HÒA XÃ
HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Số: 1234/QĐ-
UBND
Hòa An, ngày 20
tháng 11 năm 2025
QUYẾT
ĐỊNH
VỀ
VIỆC PHÊ DUYỆT KẾ HOẠCH SỬA CHỮA TRỤ SỞ LÀM VIỆC CỦA CÁC
CƠ QUAN TỈNH HÒA AN NĂM 2026
ỦY BAN NHÂN DÂN TỈNH HÒA AN
Căn cứ Luật Tổ chức chính quyền địa phương ngày 16/6/2025;
Xét đề nghị của Giám đốc Sở Xây dựng tỉnh Hòa An.
QUYẾT ĐỊNH:
Điều 1. Phê duyệt Kế hoạch sửa chữa trụ sở làm việc của các cơ quan tỉnh Hòa An năm 2026.
Điều 2. Sở Xây dựng có trách nhiệm chủ trì, phối hợp với Sở Tài chính tổ chức thực hiện.
Điều 3. Chánh Văn phòng UBND tỉnh, Giám đốc Sở Xây dựng căn cứ Quyết định thi hành./.
Nơi
nhận:
- Như Điều 3;
- Lưu: VT, KT.
TM. ỦY BAN NHÂN
DÂN
KT. CHỦ TỊCH
PHÓ CHỦ TỊCH
Đỗ
Minh Khang
PHỤ LỤC
DANH MỤC TRỤ SỞ
(Kèm theo Quyết định số 1234/QĐ-UBND)
1
Trụ sở Sở Nội Vụ
Xã Phú Lộc
"""


def test_wrapped_header_lines_are_joined() -> None:
    doc = extract(WRAPPED)["document"]
    assert doc["issuer"] == "Ủy ban nhân dân tỉnh Hòa An"
    assert doc["parent_issuer"] is None
    assert (doc["number"], doc["symbol"], doc["number_symbol"]) == ("1234", "QĐ-UBND", "1234/QĐ-UBND")
    assert (doc["place"], doc["date"]) == ("Hòa An", "2025-11-20")
    assert doc["type"] == "quyết định"
    # "VỀ VIỆC" dropped, the title goes on in lower case (corpora/real/CONVENTIONS.md, as corpora/dev 01)
    assert doc["subject"] == ("phê duyệt Kế hoạch sửa chữa trụ sở làm việc của các cơ quan tỉnh Hòa An năm 2026")
    assert doc["unknown"] == []


def test_signature_broken_over_lines_and_followed_by_an_appendix() -> None:
    doc = extract(WRAPPED)["document"]
    assert doc["signer"] == {"authority": "KT.", "authority_text": "TM. ỦY BAN NHÂN DÂN / KT. CHỦ TỊCH",
                             "position": "PHÓ CHỦ TỊCH", "name": "Đỗ Minh Khang"}
    assert doc["recipients"] == ["Như Điều 3"]
    assert doc["archive"] == "VT, KT"


def test_parent_body_and_issuer_each_on_two_lines() -> None:
    text = ("BỘ TÀI\nCHÍNH\nCỤC\nHẢI QUAN\nCỘNG HÒA\nXÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"
            "Số: 37001/TB-CHQ\nHà Nội,\nngày 21 tháng 11 năm 2025\nTHÔNG BÁO\nVỀ KẾT QUẢ\nXÁC ĐỊNH TRƯỚC MÃ SỐ\n"
            "CỤC TRƯỞNG CỤC HẢI QUAN\nCăn cứ Luật Hải quan ngày 23/6/2014;\n")
    doc = extract(text)["document"]
    assert (doc["issuer"], doc["parent_issuer"]) == ("Cục Hải quan", "Bộ Tài chính")
    assert doc["date"] == "2025-11-21"
    assert doc["subject"] == "Về kết quả xác định trước mã số"


def test_number_with_gaps_around_the_slash() -> None:
    for line, want in (("Số: 2827  /QĐ-BGDĐT", "2827/QĐ-BGDĐT"), ("Số:275 /QĐ-UBND", "275/QĐ-UBND"),
                       ("Số1024 /SGDĐT-VP", "1024/SGDĐT-VP")):
        doc = extract(f"BỘ GIÁO DỤC VÀ ĐÀO TẠO\n{line}\nHà Nội, ngày 03 tháng 5 năm 2019\nQUYẾT ĐỊNH\n"
                      "Về việc công nhận kết quả\nCăn cứ Luật Giáo dục;\n")["document"]
        assert doc["number_symbol"] == want, line


def test_two_columns_merged_into_one_line() -> None:
    text = ("SỞ GIÁO DỤC VÀ ĐÀO TẠO CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
            "Số: 315 /UBND-VP Hà Nội, ngày 03 tháng 5 năm 2019\n"
            "V/v tổ chức thi học sinh giỏi\nKính gửi: Các trường trung học phổ thông.\n")
    doc = extract(text)["document"]
    assert (doc["number"], doc["symbol"]) == ("315", "UBND-VP")
    assert (doc["place"], doc["date"]) == ("Hà Nội", "2019-05-03")
    assert doc["subject"] == "tổ chức thi học sinh giỏi"


def test_blank_number_keeps_the_symbol_and_says_why() -> None:
    text = "ỦY BAN NHÂN DÂN\nXÃ AN PHÚ\nSố: .../TB-UBND\nAn Phú, ngày 12 tháng 3 năm 2024\nTHÔNG BÁO\nVề lịch tiếp dân\n"
    result = extract(text)
    doc = result["document"]
    assert (doc["number"], doc["symbol"], doc["number_symbol"]) == (None, "TB-UBND", None)
    assert {"field": "number", "reason": "the number is left blank; the symbol was read"} in doc["unknown"]
    assert not list(VALIDATOR.iter_errors(result))


def test_handwritten_day_gives_month_and_year_and_says_so() -> None:
    text = "ỦY BAN NHÂN DÂN\nXÃ AN PHÚ\nSố: 45/TB-UBND\nAn Phú, ngày ô tháng 5 năm 2019\nTHÔNG BÁO\nVề lịch tiếp dân\n"
    result = extract(text)
    doc = result["document"]
    assert doc["date"] is None
    assert doc["place"] == "An Phú"
    assert {"field": "date", "reason": "the day is unreadable ('ô')", "partial": "2019-05"} in doc["unknown"]
    assert not list(VALIDATOR.iter_errors(result))


def test_missing_signer_is_said() -> None:
    doc = extract("ỦY BAN NHÂN DÂN\nXÃ AN PHÚ\nSố: 45/TB-UBND\nAn Phú, ngày 2 tháng 5 năm 2019\n"
                  "THÔNG BÁO\nVề lịch tiếp dân\nLịch tiếp dân tháng 5 như sau./.\n")["document"]
    assert {"field": "signer", "reason": "no signature block found"} in doc["unknown"]


def test_legal_normative_type_and_consolidated_text() -> None:
    tt = extract("BỘ TÀI CHÍNH\nSố: 110/2025/TT-BTC\nHà Nội, ngày 19 tháng 11 năm 2025\nTHÔNG TƯ\n"
                 "QUY ĐỊNH MỨC THU PHÍ\nCăn cứ Luật Phí và lệ phí;\n")["document"]
    assert (tt["type"], tt["type_code"], tt["symbol"]) == ("thông tư", "TT", "2025/TT-BTC")
    hn = extract("BỘ QUỐC PHÒNG\nSố: 92/VBHN-BQP\nHà Nội, ngày 24 tháng 11 năm 2025\nQUYẾT ĐỊNH\n"
                 "VỀ THỰC HIỆN CHẾ ĐỘ\nQuyết định số 142/2008/QĐ-TTg ngày 27/10/2008 được sửa đổi.\n")["document"]
    assert (hn["type"], hn["type_code"]) == ("văn bản hợp nhất", "VBHN")


def test_place_and_date_without_comma() -> None:
    doc = extract("CHÍNH PHỦ\nSố: 386/NQ-CP\nHà Nội ngày 01\ntháng12 năm 2025\nNGHỊ QUYẾT\n"
                  "VỀ VIỆC TIẾP THU Ý KIẾN\nCHÍNH PHỦ\nCăn cứ Luật Tổ chức Chính phủ;\n")["document"]
    assert (doc["place"], doc["date"], doc["issuer"]) == ("Hà Nội", "2025-12-01", "Chính phủ")
    assert doc["subject"] == "tiếp thu ý kiến"


TASKS = """ỦY BAN NHÂN DÂN
TỈNH HÒA AN
Số: 12/QĐ-UBND
Hòa An, ngày 2 tháng 11 năm 2025
QUYẾT ĐỊNH
Về việc giao nhiệm vụ cải cách hành chính
QUYẾT ĐỊNH:
Điều 1. Phê duyệt Kế hoạch cải cách hành chính năm 2026.
Điều 2. Sở Công Thương có trách nhiệm chủ trì, phối hợp với Sở Tài chính và UBND các xã, phường kiểm tra việc thực hiện, báo cáo trước ngày 15/12/2025.
Điều 3. Giao Sở Kế hoạch và Đầu tư tổng hợp kết quả thực hiện trong tháng 12/2025.
Yêu cầu các sở, ban, ngành rà soát thủ tục hành chính, hoàn thành trước 30/11.
UBND các xã, phường tổ chức thực hiện và báo cáo định kỳ hằng quý.
Giao Sở Nông nghiệp và Môi trường chủ trì, phối hợp với Ban Quản lý dự án đầu tư xây dựng tỉnh
\fhoàn thiện hồ sơ dự án trước ngày 20/12/2025./.
Nơi nhận:
- Như Điều 3;
- Lưu: VT.
CHỦ TỊCH
Nguyễn Văn An
"""


def test_tasks_in_real_phrasing() -> None:
    tasks = [(t["assignee"], t["coordinating_units"], t["deadline"], t["description"]) for t in extract(TASKS)["tasks"]]
    assert tasks == [
        ("Sở Công Thương", ["Sở Tài chính", "UBND các xã, phường"], "2025-12-15",
         "kiểm tra việc thực hiện, báo cáo trước ngày 15/12/2025"),
        ("Sở Kế hoạch và Đầu tư", [], "2025-12-31", "tổng hợp kết quả thực hiện trong tháng 12/2025"),
        ("các sở, ban, ngành", [], "2025-11-30", "rà soát thủ tục hành chính, hoàn thành trước 30/11"),
        ("UBND các xã, phường", [], None, "tổ chức thực hiện và báo cáo định kỳ hằng quý"),
        ("Sở Nông nghiệp và Môi trường", ["Ban Quản lý dự án đầu tư xây dựng tỉnh"], "2025-12-20",
         "hoàn thiện hồ sơ dự án trước ngày 20/12/2025"),
    ]


def test_task_kept_whole_across_a_page_break() -> None:
    last = extract(TASKS)["tasks"][-1]
    assert last["span"]["page"] == 1
    assert "\f" in TASKS[last["span"]["start"] : last["span"]["end"]]


def test_field_gaps_make_a_page_review_with_the_reason() -> None:
    from pipeline.quality.checks import with_field_gaps

    pages = [{"page": 1, "verdict": "ok", "reasons": [], "tokens": 120},
             {"page": 2, "verdict": "bad", "reasons": ["mean OCR confidence 40 below 55"], "tokens": 80}]
    document = {"unknown": [{"field": "date", "reason": "the day is unreadable ('ô')", "partial": "2019-05"},
                            {"field": "signer", "reason": "the signature block holds no readable name"}]}
    out = with_field_gaps(pages, document["unknown"])
    assert [p["verdict"] for p in out] == ["review", "bad"]
    assert out[0]["reasons"] == ["date of issue unknown: the day is unreadable ('ô')"]
    assert out[1]["reasons"][-1] == "signer's name unknown: the signature block holds no readable name"
    assert pages[0]["verdict"] == "ok"  # the input is left as it was


def _line(words: list[tuple[str, int]], y: int, paragraph: int) -> Line:
    """A line of words at the given x positions (each word 20 px per letter, 40 px tall)."""
    made = [Word(t, 95.0, (x, y, x + 20 * len(t), y + 40)) for t, x in words]
    return Line(" ".join(t for t, _ in words), (made[0].bbox[0], y, made[-1].bbox[2], y + 40), paragraph, 0,
                words=made)


def test_two_column_header_read_left_column_first() -> None:
    from pipeline.ocr.columns import reading_order
    from pipeline.ocr.page import layout_text

    width = 2400
    lines = [
        _line([("BỘ", 200), ("CÔNG", 270), ("THƯƠNG", 390), ("CỘNG", 1300), ("HÒA", 1420)], 100, 1),
        _line([("Số:", 250), ("315", 330), ("/UBND-VP", 420), ("Hà", 1350), ("Nội,", 1410), ("ngày", 1510)], 160, 1),
        _line([("Độc", 1380), ("lập", 1460)], 220, 1),
        _line([("THÔNG", 1000), ("BÁO", 1140)], 320, 2),
        _line([("Nội", 150), ("dung", 230), ("thông", 330), ("báo", 450), ("gồm", 540), ("các", 620),
               ("việc", 700), ("sau", 800), ("đây", 880), ("của", 960), ("nhà", 1040), ("trường", 1120),
               ("năm", 1260), ("học", 1340), ("mới", 1420), ("này", 1500)], 400, 3),
    ]
    text = layout_text(reading_order(lines, width))
    assert text == ("BỘ CÔNG THƯƠNG\nSố: 315 /UBND-VP\n\nCỘNG HÒA\nHà Nội, ngày\nĐộc lập\n\nTHÔNG BÁO\n\n"
                    "Nội dung thông báo gồm các việc sau đây của nhà trường năm học mới này")
    assert extract(text)["document"]["number_symbol"] == "315/UBND-VP"


def test_justified_body_line_is_not_cut() -> None:
    from pipeline.ocr.columns import reading_order

    spread = [("Căn", 100), ("cứ", 260), ("Luật", 420), ("Tổ", 600), ("chức", 760), ("chính", 960),
              ("quyền", 1160), ("địa", 1380), ("phương", 1540), ("năm", 1760), ("2025", 1920)]
    lines = [_line(spread, 100, 1), _line([("ngày", 100), ("16/6/2025;", 220)], 160, 1)]
    assert reading_order(lines, 2400) == lines


def test_web_table_flattened_into_single_lines() -> None:
    text = ("VĂN PHÒNG CHÍNH PHỦ\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM Độc lập - Tự do - Hạnh phúc\n"
            "Số: 8123/VPCP-KGVX V/v triển khai chế độ đối với người có công\n"
            "Hà Nội, ngày 21 tháng 10 năm 2013\n\nKính gửi:\n- Bộ Quốc phòng; - Bộ Tài chính\n\n"
            "Văn phòng Chính phủ đề nghị quý Bộ khẩn trương báo cáo./.\n"
            "Nơi nhận: - Như trên; - Thủ tướng Chính phủ; (để b/c) - Lưu: VT, KGVX (3).\n"
            "KT. BỘ TRƯỞNG, CHỦ NHIỆM PHÓ CHỦ NHIỆM Trần Văn Minh\n")
    doc = extract(text)["document"]
    assert (doc["number_symbol"], doc["type"], doc["type_code"]) == ("8123/VPCP-KGVX", "công văn", None)
    assert doc["subject"] == "triển khai chế độ đối với người có công"
    assert doc["recipients"] == ["Bộ Quốc phòng", "Bộ Tài chính", "Như trên", "Thủ tướng Chính phủ (để b/c)"]
    assert doc["archive"] == "VT, KGVX (3)"
    assert doc["signer"] == {"authority": "KT.", "authority_text": "KT. BỘ TRƯỞNG, CHỦ NHIỆM",
                             "position": "PHÓ CHỦ NHIỆM", "name": "Trần Văn Minh"}


def test_body_only_text_with_a_lower_case_title_line() -> None:
    doc = extract("Quyết định về việc ban hành quy chế quản lý nguồn vốn (oda) trên địa bàn tỉnh bình thuận \n"
                  "Ủy ban nhân dân tỉnh bình thuận \nCăn cứ Luật Tổ chức Hội đồng nhân dân ngày 26/11/2003;\n")["document"]
    assert (doc["type"], doc["issuer"]) == ("quyết định", "Ủy ban nhân dân tỉnh Bình Thuận")
    assert doc["subject"] == "ban hành quy chế quản lý nguồn vốn (ODA) trên địa bàn tỉnh Bình Thuận"


def test_citations_wrapped_lower_case_and_laws_by_name_with_number() -> None:
    text = ("Căn cứ Luật Tổ chức\nchính quyền địa phương số 72/2025/QH15;\nCăn cứ Thông\n"
            "tư số 38/2015/TT-BTC ngày 25/03/2015 của Bộ Tài chính;\n"
            "Ngày 19 tháng 9 năm 2013, Văn phòng Chính phủ có văn bản số 349/TB-VPCP thông báo ý kiến.\n"
            "Thực hiện Chỉ thị số 32-CT/TW ngày 20/3/2009 của Bộ Chính trị và Chỉ thị số 30/CT-TTg ngày 10/10/2008.\n")
    refs = [(r["kind"], r["number_symbol"], r["date"], r["issuer"]) for r in extract(text)["references"]]
    assert refs == [
        ("luật", "72/2025/QH15", None, None),
        ("thông tư", "38/2015/TT-BTC", "2015-03-25", "Bộ Tài chính"),
        ("văn bản", "349/TB-VPCP", "2013-09-19", "Văn phòng Chính phủ"),  # the sender and date written before it
        ("chỉ thị", "32-CT/TW", "2009-03-20", "Bộ Chính trị"),
        ("chỉ thị", "30/CT-TTg", "2008-10-10", None),
    ]


def test_web_wrapped_paragraphs_keep_their_tasks() -> None:
    body = ("Điều 2. Sở\nCông Thương có trách nhiệm chủ trì, phối hợp với các cơ quan liên quan thực hiện quản lý\n"
            "hoạt động hội chợ trên địa bàn tỉnh.\n"
            "1. Các đồng chí Giám đốc,\nThủ trưởng các cơ quan thuộc tỉnh theo chức năng, nhiệm vụ, thẩm quyền\n"
            "chỉ đạo thực hiện các nội dung sau:\n- Tập trung rà soát các thủ tục hành chính.\n")
    tasks = [(t["assignee"], t["description"]) for t in extract(TASKS.split("Điều 1.")[0] + body)["tasks"]]
    assert tasks == [
        ("Sở Công Thương", "thực hiện quản lý hoạt động hội chợ trên địa bàn tỉnh"),
        ("Các đồng chí Giám đốc, Thủ trưởng các cơ quan thuộc tỉnh",
         "theo chức năng, nhiệm vụ, thẩm quyền chỉ đạo thực hiện các nội dung sau"),
        ("Các đồng chí Giám đốc, Thủ trưởng các cơ quan thuộc tỉnh", "Tập trung rà soát các thủ tục hành chính"),
    ]


def test_place_in_issuer_corrected_from_the_gazetteer() -> None:
    doc = extract("ỦY BAN NHÂN DÂN\nTHÀNH PHỐ CÂN THƠ\nSố: 12/QĐ-UBND\nCần Thơ, ngày 2 tháng 11 năm 2025\n"
                  "QUYẾT ĐỊNH\nVề việc giao nhiệm vụ\n")["document"]
    assert doc["issuer"] == "Ủy ban nhân dân thành phố Cần Thơ"


def test_lone_line_with_a_wide_gap_is_not_a_column_block() -> None:
    from pipeline.ocr.columns import reading_order

    body = [("Căn", 100), ("cứ", 200), ("kết", 280), ("quả", 380), ("xét", 480), ("tốt", 580), ("nghiệp", 680),
            ("của", 860), ("sinh", 960), ("viên", 1080), ("các", 1200), ("khóa", 1300), ("học", 1440), ("cũ", 1540)]
    lines = [_line(body, 100, 1), _line([("Điều", 100), ("3.", 200), ("Chánh", 900), ("Văn", 1060), ("phòng", 1160)],
                                         160, 2), _line(body, 220, 2)]
    assert reading_order(lines, 2400) == lines


def test_office_code_opening_a_letters_symbol_is_not_a_type() -> None:
    def header(symbol: str, first_line: str = "Kính gửi: Các phòng thuộc Cục.") -> dict:
        return extract(f"BỘ TÀI CHÍNH\nCỤC THUẾ\nSố: {symbol}\nHà Nội, ngày 12 tháng 11 năm 2025\n"
                       f"{first_line}\nCục Thuế hướng dẫn thực hiện như sau.\n")["document"]

    letter = header("5253/CT-CS")  # Cục Thuế's policy office: a letter without a "V/v" line
    assert (letter["type"], letter["type_code"], letter["symbol"]) == ("công văn", None, "CT-CS")
    notice = header("412/TB-CT", "THÔNG BÁO\nVề lịch nộp tờ khai")  # type code, then the issuer's code
    assert (notice["type"], notice["type_code"]) == ("thông báo", "TB")
    directive = header("07/CT-CT", "CHỈ THỊ\nVề tăng cường quản lý thuế")  # a chỉ thị of Cục Thuế itself
    assert (directive["type"], directive["type_code"]) == ("chỉ thị", "CT")
    council = extract("HỘI ĐỒNG NHÂN DÂN\nTỈNH HÒA AN\nSố: 03/HĐ-HĐND\nHòa An, ngày 2 tháng 5 năm 2025\n"
                      "Bên A: Hội đồng nhân dân tỉnh Hòa An.\n")["document"]
    assert (council["type"], council["type_code"]) == ("hợp đồng", "HĐ")  # HĐ is not HĐND's initials


SCAN_HEAD = ("BỘ CÔNG THƯƠNG\nTRƯỜNG ĐẠI HỌC HÒA AN\nSố: 1520/TB-ĐHHA\nHà Nội, ngày 12 tháng 9 năm 2025\n"
             "THÔNG BÁO\nVề việc nộp hồ sơ học bổng\nNhà trường thông báo lịch nộp hồ sơ học bổng học kỳ I.\n")


def test_recipient_list_read_from_a_scan_with_lost_dashes_and_seal_ink() -> None:
    doc = extract(SCAN_HEAD + "Đề nghị các khoa thực hiện./.\nNơi nhận:\n- Các khoa quản lý SV, CVHT;\n"
                  "CBL các lớp, SV các khóa;\n~ Hiệu trưởng (để b/c);\n- Lưu VT, CTSV, Lý NTM(02). #\n"
                  "TL. HIỆU TRƯỞNG\nTRƯỜNG PHONG CTSV\n'\nN1 Hộ\nPhùng Thị Xuân Bình\n")["document"]
    assert doc["recipients"] == ["Các khoa quản lý SV, CVHT", "CBL các lớp, SV các khóa", "Hiệu trưởng (để b/c)"]
    assert doc["archive"] == "VT, CTSV, Lý NTM(02)"
    assert doc["signer"] == {"authority": "TL.", "authority_text": "TL. HIỆU TRƯỞNG", "position": "TRƯỞNG PHÒNG CTSV",
                             "name": "Phùng Thị Xuân Bình"}


def test_closing_block_without_its_heading_or_end_mark() -> None:
    # OCR lost "Nơi nhận:" and the first items; the dash list ending with "- Lưu:" is still the list.
    doc = extract(SCAN_HEAD + "ký tên vào sổ gốc cấp bằng.\nB20. VI\n\"=..\nTL. HIỆU TRƯỞNG .\n"
                  "KT. TRƯỞNG PHÒNG QL ĐÀO TẠO\n- Phòng KH-TC, CTSV (để thực hiện);\n"
                  "- Lưu: VT, QL Đào tạo, Lanttp (01).\nPHÓ TRƯỞNG PHÒNG\nVuơ~\nVũ Thị Thu Hà\n")["document"]
    assert (doc["recipients"], doc["archive"]) == (["Phòng KH-TC, CTSV (để thực hiện)"], "VT, QL Đào tạo, Lanttp (01)")
    assert (doc["signer"]["authority"], doc["signer"]["position"], doc["signer"]["name"]) == (
        "KT.", "PHÓ TRƯỞNG PHÒNG", "Vũ Thị Thu Hà")


def test_archive_closes_the_list_and_signature_ink_is_no_title() -> None:
    doc = extract(SCAN_HEAD + "Đề nghị các khoa thực hiện./.\nNơi nhận:\n- Các khoa quản lý SV;\n"
                  "- Lưu: VT, CTSV.\n\\ §u(50075 0L”\n-._ Đỉnh Văn Châu\n-HIỆU TRƯỞNG,\n")["document"]
    assert doc["recipients"] == ["Các khoa quản lý SV"]
    assert (doc["signer"]["position"], doc["signer"]["name"]) == ("HIỆU TRƯỞNG", "Đinh Văn Châu")
    junk = extract(SCAN_HEAD + "Đề nghị các khoa thực hiện./.\nNơi nhận:\n- Như trên;\n- Lưu: VT.\n"
                   "KT.BỘ TRƯỞNG\nTHÍ ”7£&UNG THƯỜNG TRỰC _ _\nhà\nTrần Văn Minh\n")["document"]
    assert (junk["signer"]["authority"], junk["signer"]["position"]) == ("KT.", None)
    ministry = extract(SCAN_HEAD + "Đề nghị các khoa thực hiện./.\nNơi nhận:\n- Như trên;\n"
                       "- Lưu: VT, VP (KSTTHC).\nKT. BỘ TRƯỞNG\n¡XỨ TRƯỞNG\nLê Văn Hòa\n")["document"]
    assert ministry["signer"]["position"] == "THỨ TRƯỞNG"


def test_title_case_after_a_dropped_ve_viec_and_in_body_only_texts() -> None:
    letter = extract("THỦ TƯỚNG CHÍNH PHỦ\nSố: 228/CĐ-TTg\nHà Nội, ngày 25 tháng 11 năm 2025\nCÔNG ĐIỆN\n"
                     "VỀ VIỆC GIẢI QUYẾT CHẾ ĐỘ BẢO HIỂM CHO NGƯỜI DÂN VÙNG LŨ\nTHỦ TƯỚNG CHÍNH PHỦ điện:\n")
    assert letter["document"]["subject"] == "giải quyết chế độ bảo hiểm cho người dân vùng lũ"
    about = extract("ỦY BAN NHÂN DÂN\nTHÀNH PHỐ HÒA AN\nSố: 25/QĐ-UBND\nHòa An, ngày 20 tháng 11 năm 2025\n"
                    "QUYẾT ĐỊNH\nVỀ VIỆC CÔNG BỐ THỦ TỤC CỦA SỞ TƯ PHÁP/UBND CẤP XÃ\nTheo đề nghị của Giám đốc Sở Tư pháp.\n")
    assert about["document"]["subject"] == "công bố thủ tục của Sở Tư pháp/UBND cấp xã"
    body_only = extract("Quyết định ban hành quy chế quản lý nguồn vốn (oda) của ubnd tỉnh bình thuận\n"
                        "Ủy ban nhân dân tỉnh bình thuận\nCăn cứ Luật Tổ chức chính quyền địa phương;\n")["document"]
    assert body_only["subject"] == "Ban hành quy chế quản lý nguồn vốn (ODA) của UBND tỉnh Bình Thuận"
    assert body_only["issuer"] == "Ủy ban nhân dân tỉnh Bình Thuận"


def test_parent_and_unit_on_one_line_and_a_wrapped_deputy_title() -> None:
    doc = extract("BỘ TÀI CHÍNH TỔNG CỤC THUẾ -------\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
                  "Số: 1414/TCT-CS V/v hỗ trợ cải thiện nhà ở.\nHà Nội, ngày 04 tháng 05 năm 2013\n"
                  "Kính gửi: Cục Thuế tỉnh Hòa An.\nTổng cục Thuế có ý kiến như sau./.\nNơi nhận:\n- Như trên;\n"
                  "- Lưu: VT, CS.\nKT. TỔNG CỤC\nTRƯỞNG\nPHÓ\nTRƯỞNG BAN\nĐào Thu Hà\n\nFILE ĐƯỢC ĐÍNH\nKÈM THEO VĂN BẢN\n")
    d = doc["document"]
    assert (d["issuer"], d["parent_issuer"]) == ("Tổng cục Thuế", "Bộ Tài chính")
    assert (d["signer"]["position"], d["signer"]["name"]) == ("PHÓ TRƯỞNG BAN", "Đào Thu Hà")


def test_scan_header_name_with_a_misread_mark_and_a_university() -> None:
    ministry = extract("BỘ GIÁO ĐỤC VÀ ĐÀO TẠO\nSố: 2827 /QĐ-BGDĐT\nHà Nội, ngày 14 tháng 10 năm 2025\nQUYẾT ĐỊNH\n"
                       "Về việc công bố thủ tục hành chính nội bộ\nBỘ TRƯỞNG BỘ GIÁO DỤC VÀ ĐÀO TẠO\n"
                       "Căn cứ Nghị định số 37/2025/NĐ-CP quy định chức năng của Bộ Giáo dục và Đào tạo;\n"
                       "QUYẾT ĐỊNH:\nĐiều 1. Công bố kèm theo Quyết định này./.\nNơi nhận:\n- Như Điều 1;\n"
                       "- Lưu: VI, VP (KSTTHC).\nKT. BỘ TRƯỞNG\nTHỨ TRƯỞNG\nLê Văn Hòa\n")["document"]
    assert ministry["issuer"] == "Bộ Giáo dục và Đào tạo"
    assert ministry["archive"] == "VT, VP (KSTTHC)"  # "VT", the office of records, read "VI"
    school = extract("BỘ CÔNG THƯƠNG\nTRƯỜNG ĐẠI HỌC ĐIỆN LỰC\nSố: 2116/TB-ĐHĐL\nHà Nội, ngày 29 tháng 8 năm 2025\n"
                     "THÔNG BÁO\nVề việc nộp hồ sơ miễn học phí\nNhà trường thông báo như sau.\n")["document"]
    assert (school["issuer"], school["parent_issuer"]) == ("Trường Đại học Điện lực", "Bộ Công Thương")


def test_recipients_wrapped_without_dash_with_sub_items_and_a_cut_inline_name() -> None:
    doc = extract("BỘ TÀI CHÍNH\nSố: 9120/BTC-KTTH\nV/v: động lực tăng trưởng\nHà Nội, ngày 17 tháng 11 năm 2025\n"
                  "Kính gửi: Bộ trưởng, Thủ trưởng các cơ quan ngang Bộ, cơ quan thuộc\nChính phủ\n"
                  "Xét báo cáo của Bộ Tài chính, Bộ đề nghị như sau./.\nNơi nhận:\n"
                  "Công ty TNHH Hòa An (Lô B3, Khu Công nghiệp Bá Thiện II, Xã Bình\nXuyên, Tỉnh Phú Thọ);\n"
                  "- Như Diễu 3;\n- VP UBND tỉnh:\n+ LĐVP, KGVX;\n+ Lưu: VT.\nKT. BỘ TRƯỞNG\nTHỨ TRƯỞNG\n"
                  "Trần Quốc Phương\n")["document"]
    assert doc["recipients"] == [
        "Bộ trưởng, Thủ trưởng các cơ quan ngang Bộ, cơ quan thuộc Chính phủ",
        "Công ty TNHH Hòa An (Lô B3, Khu Công nghiệp Bá Thiện II, Xã Bình Xuyên, Tỉnh Phú Thọ)",
        "Như Điều 3", "VP UBND tỉnh: LĐVP, KGVX"]
    assert doc["archive"] == "VT"


def test_rendered_two_column_page_name_split_place_cut_and_ink_in_the_issuer() -> None:
    text = ("ỦY BAN NHÂN DÂN TỈNH BẮC\nMnH\nSố: 471/QĐ-UBND\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
            "Bắc Ninh, ngày 28 tháng 11 năm 2025\nQUYẾT ĐỊNH\nVỀ VIỆC PHÊ DUYỆT DANH MỤC HỘI CHỢ\n"
            "ỦY BAN NHÂN DÂN TỈNH BẮC NINH\nCăn cứ Luật Tổ chức chính quyền địa phương;\nQUYẾT ĐỊNH:\n"
            "Điều 1. Phê duyệt danh mục hội chợ năm 2026./.\nNơi nhận:\n- Như Điều 1;\n"
            "- Cục KTVB và QLXL VPHC\tBộ Tư\npháp;\n- Lưu: VT.\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\nTrần\n\nChí Hùng\n")
    doc = extract(text)["document"]
    assert doc["issuer"] == "Ủy ban nhân dân tỉnh Bắc Ninh"  # "NINH" read as "MnH": the date line's place
    assert (doc["signer"]["position"], doc["signer"]["name"]) == ("PHÓ CHỦ TỊCH", "Trần Chí Hùng")
    city = extract("ỦY BAN NHÂN DÂN THÀNH PHỐ_\nCẦN THƠ\nSố: 2666/QĐ-UBND\nCần Thơ, ngày 26 tháng 11 năm 2025\n"
                   "QUYẾT ĐỊNH\nVề việc công bố danh mục thủ tục\nCăn cứ Luật Tổ chức chính quyền địa phương;\n")
    assert city["document"]["issuer"] == "Ủy ban nhân dân thành phố Cần Thơ"


def test_damaged_date_line_keeps_the_place_and_says_what_is_unreadable() -> None:
    for line, reason in (("Hà Nội, ngàu)9 thắng § năm 2025", "the day, month are unreadable ('u)9', '§')"),
                         ("Hà Nội, ngà¿2§tháng0„năm 2022", "the day, month are unreadable ('¿2§', '0„')")):
        doc = extract(f"BỘ CÔNG THƯƠNG\nTRƯỜNG ĐẠI HỌC HÒA AN\nSố: 5/TB-ĐHHA\n{line}\nTHÔNG BÁO\n"
                      "Về việc nộp hồ sơ\nNhà trường thông báo.\n")["document"]
        assert (doc["place"], doc["date"]) == ("Hà Nội", None), line
        assert {"field": "date", "reason": reason, "partial": line[-4:]} in doc["unknown"], line


def test_kinh_gui_wrapped_after_kinh_and_a_title_cased_by_the_words_after() -> None:
    doc = extract("BỘ TÀI CHÍNH\nCỤC HẢI QUAN\nSố: 38162/CHQ-GSQL\nV/v hướng dẫn thủ tục hải quan\n"
                  "Hà Nội, ngày 25\ntháng 11 năm 2025\n\nKính\ngửi: Công ty TNHH Hòa An.\n"
                  "(đ/c: KCN Đồng Văn, tỉnh Ninh Bình)\nTrả lời công văn của Công ty, Cục Hải quan có ý kiến như sau.\n")
    assert doc["document"]["recipients"] == ["Công ty TNHH Hòa An (đ/c: KCN Đồng Văn, tỉnh Ninh Bình)"]
    directive = extract("ỦY BAN NHÂN DÂN\nTỈNH HÒA AN\nSố: 12/CT-UBND\nHòa An, ngày 26 tháng 11 năm 2025\nCHỈ THỊ\n"
                        "VỀ VIỆC TĂNG CƯỜNG CẢI CÁCH THỦ TỤC HÀNH CHÍNH (THỰC HIỆN ĐIỂM B KHOẢN 2 ĐIỀU 29)\n"
                        "Thời gian qua, Thủ tướng Chính phủ và Thủ trưởng các sở đã chỉ đạo cải cách thủ tục hành "
                        "chính trên địa bàn tỉnh theo Điều 29 của Luật.\n")["document"]
    assert directive["subject"] == "tăng cường cải cách thủ tục hành chính (thực hiện điểm b khoản 2 Điều 29)"


def test_body_only_directive_takes_its_issuer_from_the_enacting_sentence() -> None:
    doc = extract("Chỉ thị về việc tăng cường phòng, chống tác hại thuốc lá.\n"
                  "Thực hiện Chỉ thị số 23/2009/CT-UBND của Uỷ ban nhân dân thành phố về phòng, chống tác hại "
                  "thuốc lá.\nUỷ ban nhân dân quận yêu cầu các phòng, ban thực hiện tốt các nội dung sau:\n")
    assert (doc["document"]["type"], doc["document"]["issuer"]) == ("chỉ thị", "Uỷ ban nhân dân quận")
    assert doc["document"]["subject"] == "tăng cường phòng, chống tác hại thuốc lá"
