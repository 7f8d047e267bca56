"""Extraction: exact values on several document types, validation of dates and symbols, the schema, the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from pipeline.extract import extract
from pipeline.extract.patterns import expect_code, fix_symbol, split_numsym, valid_date
from pipeline.extract.textutil import ocr_reading_order

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT / "corpora" / "dev"
SCHEMA = json.loads((ROOT / "pipeline" / "schema" / "extraction.schema.json").read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


def dev(name: str) -> str:
    return (DEV / f"{name}.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def decision() -> dict:
    return extract(dev("01_qd_xa_tan_phong"))


def test_decision_header_values(decision: dict) -> None:
    doc = decision["document"]
    assert (doc["type"], doc["type_code"], doc["number"], doc["symbol"], doc["number_symbol"]) == (
        "quyết định", "QĐ", "214", "QĐ-UBND", "214/QĐ-UBND")
    assert doc["issuer"] == "Ủy ban nhân dân xã Tân Phong"
    assert doc["parent_issuer"] is None
    assert (doc["place"], doc["date"]) == ("Tân Phong", "2025-08-18")
    assert doc["subject"] == "thành lập Tổ công tác chuyển đổi số xã Tân Phong"
    assert doc["recipients"] == ["Như Điều 3", "UBND tỉnh Lâm Đồng (b/c)", "Thường trực Đảng ủy xã"]
    assert doc["archive"] == "VT, VHXH"
    assert doc["signer"] == {"authority": None, "authority_text": None, "position": "CHỦ TỊCH",
                             "name": "Nguyễn Hữu Phước"}


def test_spans_point_at_the_values(decision: dict) -> None:
    text = dev("01_qd_xa_tan_phong")
    ev = decision["document"]["evidence"]
    for name in ("number", "symbol", "number_symbol", "place", "archive"):
        span = ev[name]["span"]
        assert text[span["start"] : span["end"]] == decision["document"][name]
        assert span["page"] == 1
    assert text[ev["signer.name"]["span"]["start"] : ev["signer.name"]["span"]["end"]] == "Nguyễn Hữu Phước"
    assert 0 < ev["number"]["confidence"] <= 1


def test_decision_references_and_executing_article(decision: dict) -> None:
    refs = [(r["kind"], r["number_symbol"], r["date"], r["issuer"], r["about"]) for r in decision["references"]]
    assert refs == [
        ("luật", None, "2025-06-16", None, "Tổ chức chính quyền địa phương"),
        ("quyết định", "1262/QĐ-UBND", "2025-06-30", "Ủy ban nhân dân tỉnh Lâm Đồng",
         "ban hành Kế hoạch chuyển đổi số tỉnh Lâm Đồng giai đoạn 2025 - 2030"),
        ("kế hoạch", "58/KH-UBND", "2025-08-04", "Ủy ban nhân dân xã Tân Phong", "triển khai chuyển đổi số năm 2025"),
    ]
    last = decision["tasks"][-1]
    assert last["assignee"].startswith("Chánh Văn phòng HĐND và UBND xã, Trưởng phòng Văn hóa - Xã hội")
    assert last["description"] == "thi hành Quyết định này"
    assert last["deadline"] is None


def test_letter_with_parent_body_and_kinh_gui() -> None:
    r = extract(dev("02_cv_so_gddt_quang_tri"))
    doc = r["document"]
    assert (doc["type"], doc["type_code"], doc["number_symbol"]) == ("công văn", None, "2087/SGDĐT-GDTrH")
    assert (doc["issuer"], doc["parent_issuer"]) == ("Sở Giáo dục và Đào tạo", "UBND tỉnh Quảng Trị")
    assert doc["subject"] == "tăng cường công tác bảo đảm an toàn trường học năm học 2025 - 2026"
    assert doc["recipients"][:3] == [
        "Trưởng phòng Văn hóa - Xã hội các xã, phường",
        "Hiệu trưởng các trường trung học phổ thông",
        "Giám đốc Trung tâm Giáo dục nghề nghiệp - Giáo dục thường xuyên các khu vực",
    ]
    assert doc["signer"]["authority"] == "KT." and doc["signer"]["position"] == "PHÓ GIÁM ĐỐC"
    tasks = {(t["assignee"], t["deadline"]): t for t in r["tasks"]}
    main = tasks[("Phòng Giáo dục Trung học", "2025-10-15")]
    assert main["coordinating_units"] == ["Thanh tra Sở"]
    assert main["description"].startswith("kiểm tra việc thực hiện tại một số đơn vị")
    assert ("Các đơn vị", "2025-09-30") in tasks
    # The items under "đề nghị các đơn vị thực hiện một số nội dung sau:" belong to "các đơn vị".
    assert [t["assignee"] for t in r["tasks"][:3]] == ["các đơn vị"] * 3
    assert r["tasks"][1]["coordinating_units"] == ["Công an xã, phường"]


def test_invitation_meeting_time_and_deadline_with_time() -> None:
    r = extract(dev("03_gm_huyen_duc_pho"))
    dates = [(d["value"], d["time"], d["role"]) for d in r["dates"]]
    assert dates == [("2023-03-21", None, "issued"), ("2023-03-29", "14:00", "meeting"),
                     ("2023-03-27", "16:00", "deadline")]
    assert r["tasks"][0]["assignee"] == "Phòng Nông nghiệp và Phát triển nông thôn"
    assert r["tasks"][0]["deadline"] == "2023-03-27"
    assert r["document"]["signer"] == {"authority": "TL.", "authority_text": "TL. CHỦ TỊCH",
                                       "position": "CHÁNH VĂN PHÒNG", "name": "Huỳnh Tấn Lộc"}


def test_urgent_letter_and_bullets_under_a_unit_heading() -> None:
    r = extract(dev("12_cv_ubnd_huyen_khan"))
    assert r["document"]["urgency"] == "KHẨN"
    assert r["references"][0]["issuer"] == "Ban Chỉ huy Phòng, chống thiên tai và tìm kiếm cứu nạn tỉnh"
    assert [(t["assignee"], t["deadline"]) for t in r["tasks"][:3]] == [
        ("Chủ tịch Ủy ban nhân dân các xã, thị trấn", None),
        ("Chủ tịch Ủy ban nhân dân các xã, thị trấn", "2021-10-20"),
        ("Chủ tịch Ủy ban nhân dân các xã, thị trấn", None),
    ]
    coordinated = r["tasks"][3]
    assert coordinated["coordinating_units"] == ["Ban Chỉ huy Quân sự huyện", "Công an huyện"]
    assert coordinated["deadline"] is None  # "trước 8 giờ 00 hằng ngày" is no calendar date


def test_multi_page_plan_pages_from_form_feeds() -> None:
    r = extract(dev("05_kh_xa_binh_minh"))
    assert r["document"]["signer"]["name"] == "Trần Thị Kim Loan"
    assert r["document"]["evidence"]["signer.name"]["span"]["page"] == 2
    assert {t["span"]["page"] for t in r["tasks"]} == {2}
    assert r["tasks"][0]["deadline"] == "2025-10-25"


def test_ocr_reading_order_gives_the_same_facts() -> None:
    for name in ("01_qd_xa_tan_phong", "02_cv_so_gddt_quang_tri", "04_tb_ket_luan_ubnd_tinh", "08_bb_hop_thon"):
        a, b = extract(dev(name)), extract(ocr_reading_order(dev(name)))
        a["document"].pop("evidence"), b["document"].pop("evidence")
        assert a["document"] == b["document"], name
        assert [t["assignee"] for t in a["tasks"]] == [t["assignee"] for t in b["tasks"]]


def test_layout_gives_pages() -> None:
    text = dev("03_gm_huyen_duc_pho")
    cut = text.index("4. Tổ chức thực hiện")
    layout = [{"page": 1, "start": 0, "end": cut - 1, "bbox": [0, 0, 10, 10], "page_width": 2480,
               "page_height": 3508},
              {"page": 2, "start": cut, "end": len(text), "bbox": [0, 0, 10, 10], "page_width": 2480,
               "page_height": 3508}]
    r = extract(text, layout=layout)
    assert r["document"]["evidence"]["number"]["span"]["page"] == 1
    assert r["tasks"][0]["span"]["page"] == 2


def test_damaged_headings_are_still_found() -> None:
    text = ("UBND XA AN PHU\tCONG HOA XA HOI CHU NGHIA VIET NAM\n"
            "So: 07/TB-UBND\tAn Phú, ngày 02 tháng 3 năm 2025\n\nTHONG BAO\nLịch trực Tết\n\n"
            "Giao Văn phòng HĐND và UBND xã bố trí lịch trực, hoàn thành trước ngày 05/3/2025./.\n\n"
            "Noi nhan:\tCHỦ TỊCH\n- Các thôn;\t\n- Lưu: VT.\tLê Văn Tám\n")
    doc = extract(text)["document"]
    assert (doc["type"], doc["type_code"], doc["number"]) == ("thông báo", "TB", "07")
    assert doc["recipients"] == ["Các thôn"] and doc["archive"] == "VT"
    assert doc["signer"]["name"] == "Lê Văn Tám"


def test_impossible_dates_are_rejected() -> None:
    assert valid_date(2025, 2, 31) is None
    assert valid_date(2024, 2, 29) == "2024-02-29"
    assert valid_date(2025, 13, 1) is None
    text = ("UBND XÃ AN PHÚ\tCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
            "Số: 12/TB-UBND\tAn Phú, ngày 31 tháng 2 năm 2025\n\nTHÔNG BÁO\nLịch họp\n\n"
            "Giao Phòng Kinh tế báo cáo trước ngày 31/02/2025 và trước ngày 28/02/2025./.\n")
    r = extract(text)
    assert r["document"]["date"] is None
    assert [d["value"] for d in r["dates"]] == ["2025-02-28"]
    assert r["tasks"][0]["deadline"] == "2025-02-28"


def test_numbers_and_symbols_follow_the_decree() -> None:
    assert split_numsym("3665/QĐ-UBND") == ("3665", "QĐ-UBND")
    assert split_numsym("45/2019/QH14") == ("45", "2019/QH14")
    assert split_numsym("496-TB/TU") == ("496", "TB/TU")
    assert split_numsym("1906/SGDĐT-CTrTT") == ("1906", "SGDĐT-CTrTT")
    assert split_numsym("12/qđ-ubnd") == (None, None)
    doc = extract("SỞ Y TẾ\nSố: /QĐ-SYT\tHà Nội, ngày 05 tháng 5 năm 2025\nQUYẾT ĐỊNH\nVề việc thử\n")["document"]
    assert doc["number"] is None and doc["symbol"] == "QĐ-SYT"


def test_every_expected_json_and_every_output_validates() -> None:
    paths = sorted(DEV.glob("*.txt")) + sorted((DEV / "heldout").glob("*.txt"))
    assert len(paths) >= 46
    for path in paths:
        expected = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        errors = list(VALIDATOR.iter_errors(expected))
        assert not errors, f"{path.name}: {errors[0].message}"
        text = path.read_text(encoding="utf-8")
        for variant in (text, ocr_reading_order(text)):
            errors = list(VALIDATOR.iter_errors(extract(variant)))
            assert not errors, f"{path.name}: {errors[0].message}"


def test_schema_is_referable_by_defs() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["$id"] == "https://vanban.invalid/schema/extraction.schema.json"
    assert {"document", "reference", "date", "task", "extraction"} <= set(SCHEMA["$defs"])


def _cli(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipeline.cli", "extract", *args], input=stdin,
                          capture_output=True, cwd=ROOT, check=False)


def test_cli_prints_json_and_reports_bad_input(tmp_path: Path) -> None:
    ok = _cli("-", stdin=dev("03_gm_huyen_duc_pho").encode())
    assert ok.returncode == 0
    assert json.loads(ok.stdout)["document"]["number_symbol"] == "37/GM-UBND"
    missing = _cli(str(tmp_path / "nothing.txt"))
    assert missing.returncode == 3
    assert missing.stderr.decode() == f"vanban: error: no such file: {tmp_path / 'nothing.txt'}\n"
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\xff\xfe\xfa abc")  # a UTF-16 byte-order mark, then an odd number of bytes
    done = _cli(str(bad))
    assert done.returncode == 3
    assert done.stderr.decode() == (
        f"vanban: error: {bad}: starts with a UTF-16 byte-order mark but is not UTF-16 text (byte 6); "
        "re-save it as UTF-8\n"
    )
    (tmp_path / "empty.txt").write_text("  \n")
    empty = _cli(str(tmp_path / "empty.txt"))
    assert empty.returncode == 3
    assert empty.stderr.decode() == f"vanban: error: {tmp_path / 'empty.txt'}: empty input: there is no text to read\n"


def test_ocr_text_with_merged_columns_and_wrapped_lines() -> None:
    """What Tesseract returns for a rendered page: header columns merged on one line, paragraphs wrapped,
    blank lines between items, the signature column merged into the recipient lines."""
    text = (
        "UBND TỈNH QUẢNG TRỊ CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
        "SỞ GIÁO DỤC VÀ ĐÀO TẠO Độc lập - Tự do - Hạnh phúc\n"
        "Số: 2087/SGDĐT-GDTrH Quảng Trị, ngày 09 tháng 9 năm 2025\n"
        "V/v tăng cường công tác bảo đảm an\ntoàn trường học năm học 2025 - 2026\n\n"
        "Kính gửi:\n- Hiệu trưởng các trường trung học phổ thông;\n\n"
        "- Giám đốc Trung tâm Giáo dục nghề nghiệp - Giáo dục thường xuyên các khu\nvực.\n\n"
        "Giao Phòng Giáo dục Trung học chủ trì, phối hợp với Thanh tra Sở kiểm tra\n"
        "việc thực hiện tại một số đơn vị, tổng hợp kết quả báo cáo Giám đốc Sở trước ngày\n"
        "15/10/2025.\n\n"
        "Nơi nhận: KT. GIÁM ĐỐC\n- Như trên; PHÓ GIÁM ĐỐC\n- UBND tỉnh (b/c);\n\n"
        "- Lưu: VT, GDTrH. Võ Thị Thanh Hương\n"
    )
    r = extract(text)
    doc = r["document"]
    assert (doc["issuer"], doc["parent_issuer"]) == ("Sở Giáo dục và Đào tạo", "UBND tỉnh Quảng Trị")
    assert (doc["place"], doc["date"], doc["number_symbol"]) == ("Quảng Trị", "2025-09-09", "2087/SGDĐT-GDTrH")
    assert doc["subject"] == "tăng cường công tác bảo đảm an toàn trường học năm học 2025 - 2026"
    assert doc["recipients"] == [
        "Hiệu trưởng các trường trung học phổ thông",
        "Giám đốc Trung tâm Giáo dục nghề nghiệp - Giáo dục thường xuyên các khu vực",
        "Như trên", "UBND tỉnh (b/c)",
    ]
    assert doc["archive"] == "VT, GDTrH"
    assert doc["signer"] == {"authority": "KT.", "authority_text": "KT. GIÁM ĐỐC", "position": "PHÓ GIÁM ĐỐC",
                             "name": "Võ Thị Thanh Hương"}
    [task] = r["tasks"]
    assert (task["assignee"], task["coordinating_units"], task["deadline"]) == (
        "Phòng Giáo dục Trung học", ["Thanh tra Sở"], "2025-10-15")
    assert task["description"] == ("kiểm tra việc thực hiện tại một số đơn vị, tổng hợp kết quả báo cáo "
                                   "Giám đốc Sở trước ngày 15/10/2025")


def test_ocr_damage_in_symbols_is_repaired_only_where_the_decree_decides() -> None:
    assert fix_symbol("1668/NQ-UBTVQHI5") == "1668/NQ-UBTVQH15"
    assert expect_code("TIr-NV", "TTr") == "TTr-NV"  # cited as "Tờ trình số ...": the code must be TTr
    assert expect_code("QĐ-UBND", "TTr") == "QĐ-UBND"  # a known code is never rewritten
    assert expect_code("UBND-VX", None) == "UBND-VX"  # a công văn has no code to expect
    r = extract("Theo đề nghị của Trưởng phòng Nội vụ tại Tờ trình số 318/TIr-NV ngày 26/12/2022.\n")
    assert [(x["number_symbol"], x["date"]) for x in r["references"]] == [("318/TTr-NV", "2022-12-26")]
