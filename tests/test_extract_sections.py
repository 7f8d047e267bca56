"""Tasks and citations in the shapes real documents give them: numbered sections whose items carry no unit,
headings "Trách nhiệm của ...", "<unit>:" and "Giao <unit>:", circumstances before the unit, second
sentences of an item, web-wrapped unit names; issuers with sessions, dashes and brackets, laws cited by
name. The texts are written here in the phrasing of real documents (none is copied from the corpora)."""

from __future__ import annotations

from pipeline.extract import extract

HEAD = """ỦY BAN NHÂN DÂN
TỈNH HÒA AN
Số: 21/QĐ-UBND
Hòa An, ngày 2 tháng 11 năm 2025
QUYẾT ĐỊNH
Về việc hỗ trợ nhà ở cho hộ nghèo
QUYẾT ĐỊNH:
"""
FOOT = """Nơi nhận:
- Như Điều 5;
- Lưu: VT.
CHỦ TỊCH
Nguyễn Văn An
"""


def _tasks(body: str) -> list[tuple]:
    return [(t["assignee"], t["coordinating_units"], t["deadline"], t["description"])
            for t in extract(HEAD + body + FOOT)["tasks"]]


def test_duty_heading_items_an_aside_between_them_and_the_next_article() -> None:
    body = """Điều 4. Tổ chức thực hiện
1. Trách nhiệm của Ủy ban nhân dân các huyện
a) Lập danh sách hộ được hỗ trợ trên địa bàn;
b) Bố trí vốn đối ứng cho các xã;
Ngoài số vốn nêu trên, tùy điều kiện thực tế, các xã vận động thêm nguồn lực.
c) Báo cáo kết quả thực hiện trước ngày 15/12/2025.
Điều 5. Quyết định này có hiệu lực từ ngày ký.
"""
    assert _tasks(body) == [
        ("Ủy ban nhân dân các huyện", [], None, "Lập danh sách hộ được hỗ trợ trên địa bàn"),
        ("Ủy ban nhân dân các huyện", [], None, "Bố trí vốn đối ứng cho các xã"),
        ("Ủy ban nhân dân các huyện", [], "2025-12-15", "Báo cáo kết quả thực hiện trước ngày 15/12/2025"),
    ]


def test_unit_headings_with_plain_paragraphs_and_coordinating_units() -> None:
    body = """Điều 3. Trách nhiệm của các sở
a) Sở Tài chính:
Phối hợp với Sở Xây dựng bố trí vốn cho các huyện.
b) Sở Nội vụ chủ trì, phối hợp với các sở, địa phương liên quan:
- Hướng dẫn xác nhận đối tượng được hỗ trợ;
- Kiểm tra việc thực hiện chính sách.
2. Sở Y tế
Căn cứ chức năng, nhiệm vụ, phối hợp với các cơ quan liên quan triển khai thực hiện Kế hoạch.
"""
    assert _tasks(body) == [
        ("Sở Tài chính", ["Sở Xây dựng"], None, "bố trí vốn cho các huyện"),
        ("Sở Nội vụ", ["các sở, địa phương liên quan"], None, "Hướng dẫn xác nhận đối tượng được hỗ trợ"),
        ("Sở Nội vụ", ["các sở, địa phương liên quan"], None, "Kiểm tra việc thực hiện chính sách"),
        ("Sở Y tế", ["các cơ quan liên quan"], None, "triển khai thực hiện Kế hoạch"),
    ]


def test_request_heading_wrapped_inside_the_unit_name_and_a_closing_cu_the() -> None:
    body = """4. Đề nghị Ủy ban Mặt trận
Tổ quốc Việt Nam tỉnh và các đoàn thể
- Tuyên truyền, vận động Nhân dân tham gia thực hiện chính sách.
Sở Giáo dục và Đào tạo đề nghị các trường học thực hiện nghiêm túc văn bản này. Cụ thể:
- Theo dõi chất lượng không khí hằng ngày.
"""
    assert _tasks(body) == [
        ("Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh và các đoàn thể", [], None,
         "Tuyên truyền, vận động Nhân dân tham gia thực hiện chính sách"),
        ("các trường học", [], None, "thực hiện nghiêm túc văn bản này"),
        ("các trường học", [], None, "Theo dõi chất lượng không khí hằng ngày"),
    ]


def test_clauses_of_two_units_circumstances_and_second_sentences() -> None:
    body = """Điều 2. Phương thức thực hiện
1. Ủy ban nhân dân xã (sau đây gọi là cấp xã) lập danh sách hộ được hỗ trợ; Ủy ban nhân dân huyện phê duyệt danh sách.
2. Trong năm 2026, các địa phương tiếp tục thực hiện hỗ trợ.
a) Căn cứ số vốn được giao, Ủy ban nhân dân huyện phân bổ vốn cho cấp xã;
3. Các Bộ gửi báo cáo về Bộ Tư pháp. Trên cơ sở đó, Bộ Tư pháp tổng hợp, báo cáo Thủ tướng Chính phủ.
4. Bộ Tư pháp có trách nhiệm kiểm tra việc thực hiện; chủ trì, phối hợp với Văn phòng Chính phủ nghiên cứu tiêu chí đánh giá.
"""
    assert _tasks(body) == [
        ("Ủy ban nhân dân xã", [], None, "lập danh sách hộ được hỗ trợ"),
        ("Ủy ban nhân dân huyện", [], None, "phê duyệt danh sách"),
        ("các địa phương", [], None, "tiếp tục thực hiện hỗ trợ"),
        ("Ủy ban nhân dân huyện", [], None, "phân bổ vốn cho cấp xã"),
        ("Các Bộ", [], None, "gửi báo cáo về Bộ Tư pháp"),
        ("Bộ Tư pháp", [], None, "tổng hợp, báo cáo Thủ tướng Chính phủ"),
        ("Bộ Tư pháp", [], None, "kiểm tra việc thực hiện"),
        ("Bộ Tư pháp", ["Văn phòng Chính phủ"], None, "nghiên cứu tiêu chí đánh giá"),
    ]


def test_giao_forms_duty_colon_and_item_sentences_kept_together() -> None:
    body = """1. Hội đồng nhân dân tỉnh thống nhất giao Ủy ban nhân dân tỉnh bố trí nguồn vốn thực hiện.
2. Quỹ Đầu tư phát triển tỉnh có trách nhiệm:
Hạch toán riêng nguồn vốn ủy thác. Định kỳ (trước ngày 30 tháng 10 hằng năm), Quỹ Đầu tư phát triển tỉnh có trách nhiệm báo cáo Ủy ban nhân dân tỉnh.
Điều 3. Tổ chức thực hiện
1. Giao Ủy ban nhân dân tỉnh:
a) Hằng năm, tổ chức đánh giá kết quả thực hiện. Nếu có vướng mắc, kịp thời báo cáo Hội đồng nhân dân tỉnh.
2. Giao Thường trực Hội đồng nhân dân tỉnh trong phạm vi, nhiệm vụ, quyền hạn giám sát việc thực hiện.
"""
    assert _tasks(body) == [
        ("Ủy ban nhân dân tỉnh", [], None, "bố trí nguồn vốn thực hiện"),
        ("Quỹ Đầu tư phát triển tỉnh", [], None, "Hạch toán riêng nguồn vốn ủy thác"),
        ("Quỹ Đầu tư phát triển tỉnh", [], None, "báo cáo Ủy ban nhân dân tỉnh"),
        ("Ủy ban nhân dân tỉnh", [], None,
         "Hằng năm, tổ chức đánh giá kết quả thực hiện. Nếu có vướng mắc, kịp thời báo cáo Hội đồng nhân dân tỉnh"),
        ("Thường trực Hội đồng nhân dân tỉnh", [], None, "giám sát việc thực hiện"),
    ]


def test_lone_bullets_topics_quy_bo_and_words_that_only_look_like_giao() -> None:
    body = """Ủy ban nhân dân tỉnh yêu cầu các sở, ban, ngành thực hiện các nội dung sau:
I.
Nội dung trọng tâm
1.
Tăng cường tuyên truyền về chính sách nhà ở.
Văn phòng Ủy ban nhân dân tỉnh đề nghị quý Bộ khẩn trương có ý kiến về dự thảo.
Giao tiếp trường gần: cho phép người dùng chạm thiết bị.
"""
    assert _tasks(body) == [
        ("các sở, ban, ngành", [], None, "Tăng cường tuyên truyền về chính sách nhà ở"),
        ("quý Bộ", [], None, "khẩn trương có ý kiến về dự thảo"),
    ]


def test_executing_article_with_a_long_wrapped_list_of_units() -> None:
    body = """Điều 2. Quyết định này có hiệu lực thi hành từ ngày ký.
Điều 3. Thủ trưởng các cơ quan, đơn vị thuộc
UBND tỉnh; Ủy ban nhân dân các xã, phường; các cơ quan, tổ chức, cá nhân có
liên quan căn cứ Quyết định thi hành./.
"""
    assert _tasks(body) == [
        ("Thủ trưởng các cơ quan, đơn vị thuộc UBND tỉnh; Ủy ban nhân dân các xã, phường; các cơ quan, tổ chức, "
         "cá nhân có liên quan", [], None, "căn cứ Quyết định thi hành"),
    ]


def _refs(body: str) -> list[tuple]:
    return [(r["kind"], r["number_symbol"], r["date"], r["issuer"], r["about"])
            for r in extract(HEAD + body + FOOT)["references"]]


def test_issuers_with_sessions_dashes_brackets_and_a_fuller_later_form() -> None:
    body = """Căn cứ Nghị quyết số 42/2024/NQ-HĐND ngày 05/10/2024 của Hội đồng nhân dân tỉnh khóa XVI, kỳ họp thứ 8 về chính sách hỗ trợ nhà ở;
Căn cứ Thông tư liên tịch số 08/2023/TTLT-BYT-BNV ngày 05 tháng 6 năm 2023 của liên Bộ Y tế và Bộ Nội vụ hướng dẫn định mức biên chế;
Căn cứ Quyết định số 650/QĐ-LĐTBXH ngày 21/7/2022 của Bộ trưởng Bộ Lao động - Thương binh và Xã hội phê duyệt Kế hoạch truyền thông;
Căn cứ Quyết định số 445/2013/QĐ-UBND ngày 03/9/2013 của UBND tỉnh Hòa An (cũ) ban hành Quy định quản lý;
Căn cứ Nghị định số 78/2025/NĐ-CP ngày 01/4/2025 của Chính phủ Quy định chi tiết một số điều của Luật Ban hành văn bản quy phạm pháp luật;
Thực hiện Kế hoạch số 12/KH-UBND ngày 17/9/2025 của UBND tỉnh về giảm nghèo bền vững (Văn bản đính kèm) và Kế hoạch số 12/KH-UBND của UBND tỉnh Hòa An;
"""
    assert _refs(body) == [
        ("nghị quyết", "42/2024/NQ-HĐND", "2024-10-05", "Hội đồng nhân dân tỉnh khóa XVI, kỳ họp thứ 8",
         "chính sách hỗ trợ nhà ở"),
        ("thông tư liên tịch", "08/2023/TTLT-BYT-BNV", "2023-06-05", "liên Bộ Y tế và Bộ Nội vụ",
         "hướng dẫn định mức biên chế"),
        ("quyết định", "650/QĐ-LĐTBXH", "2022-07-21", "Bộ trưởng Bộ Lao động - Thương binh và Xã hội",
         "phê duyệt Kế hoạch truyền thông"),
        ("quyết định", "445/2013/QĐ-UBND", "2013-09-03", "UBND tỉnh Hòa An (cũ)", "ban hành Quy định quản lý"),
        ("nghị định", "78/2025/NĐ-CP", "2025-04-01", "Chính phủ",
         "Quy định chi tiết một số điều của Luật Ban hành văn bản quy phạm pháp luật"),
        ("kế hoạch", "12/KH-UBND", "2025-09-17", "UBND tỉnh Hòa An", "giảm nghèo bền vững"),
    ]


def test_laws_cited_by_name_alone_or_by_a_lower_case_name() -> None:
    body = """Căn cứ Luật tổ chức Chính phủ ngày 25 tháng 12 năm 2001;
Căn cứ Luật Ngân sách Nhà nước ban hành năm 2002;
Căn cứ Luật sửa đổi, bổ sung một số điều của Luật Tổ chức Chính phủ và Luật Tổ chức chính quyền địa phương ngày 22/11/2019;
Căn cứ Pháp lệnh sửa đổi, bổ sung Pháp lệnh ưu đãi người có công với cách mạng của Ủy ban thường vụ Quốc hội;
Điều 1. Ngày nghỉ lễ thực hiện theo quy định của Bộ Luật Lao động và các văn bản hướng dẫn.
"""
    assert _refs(body) == [
        ("luật", None, "2001-12-25", None, "tổ chức Chính phủ"),
        ("luật", None, None, None, "Ngân sách Nhà nước"),
        ("luật", None, "2019-11-22", None,
         "sửa đổi, bổ sung một số điều của Luật Tổ chức Chính phủ và Luật Tổ chức chính quyền địa phương"),
        ("pháp lệnh", None, None, "Ủy ban thường vụ Quốc hội",
         "sửa đổi, bổ sung Pháp lệnh ưu đãi người có công với cách mạng"),
        ("bộ luật", None, None, None, "Lao động"),
    ]


def test_about_ends_where_the_citing_text_goes_on() -> None:
    body = """Căn cứ Thông tư số 38/2015/TT-BTC ngày 25/03/2015 quy định về thủ tục hải quan, được sửa đổi, bổ sung tại Thông tư số 39/2018/TT-BTC ngày 20/4/2018 của Bộ Tài chính;
Căn cứ Thông tư số 108/2007/TT-BTC ngày 07/9/2007 của Bộ Tài chính hướng dẫn quản lý các chương trình hỗ trợ phát triển chính thức (ODA);
Căn cứ Chỉ thị số 39-CT/TW ngày 21/5/2004 của Bộ Chính trị về "tiếp tục đổi mới phong trào thi đua yêu nước";
Căn cứ Quyết định số 42/2004/QĐ-UBND ngày 26/5/2004 của UBND tỉnh về việc ban hành Quy định phụ cấp đến ngày 31/12/2007.
"""
    assert _refs(body) == [
        ("thông tư", "38/2015/TT-BTC", "2015-03-25", "Bộ Tài chính", "quy định về thủ tục hải quan"),
        ("thông tư", "39/2018/TT-BTC", "2018-04-20", "Bộ Tài chính", None),
        ("thông tư", "108/2007/TT-BTC", "2007-09-07", "Bộ Tài chính",
         "hướng dẫn quản lý các chương trình hỗ trợ phát triển chính thức (ODA)"),
        ("chỉ thị", "39-CT/TW", "2004-05-21", "Bộ Chính trị", "tiếp tục đổi mới phong trào thi đua yêu nước"),
        ("quyết định", "42/2004/QĐ-UBND", "2004-05-26", "UBND tỉnh", "ban hành Quy định phụ cấp"),
    ]


def test_giao_inside_a_units_section_and_a_procedural_conditional() -> None:
    body = """Điều 4. Tổ chức thực hiện
2. Trách nhiệm của Ủy ban nhân dân các huyện
a) Công bố công khai danh sách hộ được hỗ trợ;
b) Giao phòng Lao động - Thương binh và Xã hội rà soát đối tượng được hỗ trợ;
Trong quá trình thực hiện, nếu có khó khăn, vướng mắc, đề nghị các đơn vị kịp thời phản ánh về Sở Xây dựng.
"""
    assert _tasks(body) == [
        ("Ủy ban nhân dân các huyện", [], None, "Công bố công khai danh sách hộ được hỗ trợ"),
        ("Ủy ban nhân dân các huyện", [], None,
         "Giao phòng Lao động - Thương binh và Xã hội rà soát đối tượng được hỗ trợ"),
    ]


def test_date_roles_after_a_citation_number_and_long_before_the_document() -> None:
    body = """Điều 1. Hỗ trợ người hoạt động cách mạng trước ngày 01 tháng 01 năm 1945.
Điều 2. Thực hiện theo Nghị quyết số 66-NQ/TW ngày 30/4/2025 của Bộ Chính trị về đổi mới công tác xây dựng pháp luật; các Bộ tiếp tục thực hiện Nghị quyết số 66-NQ/TW ngày 30/4/2025.
"""
    dates = [(d["value"], d["role"]) for d in extract(HEAD + body + FOOT)["dates"]]
    assert dates == [("2025-11-02", "issued"), ("1945-01-01", "event"), ("2025-04-30", "reference"),
                     ("2025-04-30", "reference")]


def test_definitions_powers_and_permissions_are_no_assignments() -> None:
    body = """Điều 1. Vị trí và chức năng
1. Sở Tư pháp là cơ quan chuyên môn thuộc Ủy ban nhân dân tỉnh, tham mưu về công tác tư pháp.
2. Ủy ban nhân dân tỉnh quyết định việc thu hồi giấy tờ cấp trái quy định.
3. Trường Cao đẳng nghề được phép tuyển sinh theo quy định.
4. Các tổ chức kinh tế tập thể phát huy nội lực.
5. Ủy ban nhân dân cấp xã trong thời gian 15 ngày kể từ ngày nhận đơn có trách nhiệm xác minh hồ sơ.
"""
    assert _tasks(body) == [
        ("Các tổ chức kinh tế tập thể", [], None, "phát huy nội lực"),
        ("Ủy ban nhân dân cấp xã", [], None,
         "trong thời gian 15 ngày kể từ ngày nhận đơn xác minh hồ sơ"),
    ]


def test_places_after_a_colon_a_standing_role_and_a_member_list() -> None:
    body = """Điều 1. Cử các cán bộ tham gia Ban Chỉ đạo:
1. Vụ trưởng Vụ Đào tạo, bồi dưỡng cán bộ, công chức - Uỷ viên;
Giao Vụ Tổ chức cán bộ là đơn vị thường trực của Ban Chỉ đạo.
Điều 2. Giao cho Chủ tịch Uỷ ban nhân dân các huyện: Giang Thành, Tân Hiệp; Chủ tịch Uỷ ban nhân dân các xã mới thành lập chịu trách nhiệm tổ chức thực hiện Quyết định này.
"""
    assert _tasks(body) == [
        ("Vụ Tổ chức cán bộ", [], None, "là đơn vị thường trực của Ban Chỉ đạo"),
        ("Chủ tịch Uỷ ban nhân dân các huyện: Giang Thành, Tân Hiệp; Chủ tịch Uỷ ban nhân dân các xã mới thành lập",
         [], None, "tổ chức thực hiện Quyết định này"),
    ]


def test_issuers_with_a_district_number_and_a_session_in_words() -> None:
    body = """Căn cứ Quyết định số 43/2006/QĐ-UBND ngày 26 tháng 12 năm 2006 của Uỷ ban nhân dân quận 3 về ban hành Quy chế tổ chức;
Căn cứ Nghị quyết số 85/2009/NQ-HĐND ngày 02 tháng 12 năm 2009 của Hội đồng nhân dân tỉnh khoá VII, tại kỳ họp thứ hai mươi lăm về việc quy định tỷ lệ phân chia các khoản thu đối với các huyện: Tân Hiệp, Giồng Riềng;
"""
    assert _refs(body) == [
        ("quyết định", "43/2006/QĐ-UBND", "2006-12-26", "Uỷ ban nhân dân quận 3", "ban hành Quy chế tổ chức"),
        ("nghị quyết", "85/2009/NQ-HĐND", "2009-12-02", "Hội đồng nhân dân tỉnh khoá VII, tại kỳ họp thứ hai mươi lăm",
         "quy định tỷ lệ phân chia các khoản thu đối với các huyện: Tân Hiệp, Giồng Riềng"),
    ]


def test_dash_after_an_article_number_and_bodies_named_with_a_verb() -> None:
    body = """Điều 2. - Các cơ quan quản lý phải kiểm tra, đôn đốc các cơ sở sản xuất thực hiện đúng tiêu chuẩn.
Điều 3. Giao Hội đồng phối hợp phổ biến, giáo dục pháp luật tỉnh, Sở Tư pháp tổ chức triển khai Kế hoạch.
"""
    assert _tasks(body) == [
        ("Các cơ quan quản lý", [], None, "kiểm tra, đôn đốc các cơ sở sản xuất thực hiện đúng tiêu chuẩn"),
        ("Hội đồng phối hợp phổ biến, giáo dục pháp luật tỉnh, Sở Tư pháp", [], None, "tổ chức triển khai Kế hoạch"),
    ]


def test_coordination_without_voi_and_a_duty_with_a_colon() -> None:
    body = """Điều 2. Tổ chức thực hiện
1. Giao Sở Tài chính chủ trì, phối hợp các sở, ban ngành tỉnh; Ủy ban nhân dân các xã, phường và các đơn vị có liên quan, có trách nhiệm: theo dõi, hướng dẫn việc thanh toán kinh phí.
"""
    assert _tasks(body) == [
        ("Sở Tài chính", ["các sở, ban ngành tỉnh", "Ủy ban nhân dân các xã, phường", "các đơn vị có liên quan"], None,
         "theo dõi, hướng dẫn việc thanh toán kinh phí"),
    ]


def test_a_rule_for_any_body_doing_a_duty_is_no_task() -> None:
    body = """Điều 3. Lập dự toán
Đơn vị, tổ chức thực hiện nhiệm vụ giải phóng mặt bằng có trách nhiệm lập dự toán chi phí của từng dự án.
Điều 4. Sở Tài chính có trách nhiệm hướng dẫn việc lập dự toán.
"""
    assert _tasks(body) == [("Sở Tài chính", [], None, "hướng dẫn việc lập dự toán")]


def test_a_list_of_enclosures_ends_the_request_and_holds_no_task() -> None:
    body = """Để triển khai Sổ tay, Sở Nội vụ đề nghị Ủy ban nhân dân các xã, phường quan tâm chỉ đạo:
1. Phổ biến nội dung Sổ tay đến công chức cấp xã và các thôn, tổ dân phố trên địa bàn.
2. Lồng ghép nội dung Sổ tay vào các lớp bồi dưỡng nghiệp vụ cho công chức cấp xã.
Sở Nội vụ gửi kèm bộ tài liệu gồm:
- Sổ tay nghiệp vụ;
- Tài liệu tập huấn.
Sở Nội vụ trân trọng đề nghị Ủy ban nhân dân các xã, phường quan tâm, chỉ đạo thực hiện./.
"""
    assert _tasks(body) == [
        ("Ủy ban nhân dân các xã, phường", [], None,
         "Phổ biến nội dung Sổ tay đến công chức cấp xã và các thôn, tổ dân phố trên địa bàn"),
        ("Ủy ban nhân dân các xã, phường", [], None,
         "Lồng ghép nội dung Sổ tay vào các lớp bồi dưỡng nghiệp vụ cho công chức cấp xã"),
        ("Ủy ban nhân dân các xã, phường", [], None, "quan tâm, chỉ đạo thực hiện"),
    ]


def test_web_wrapped_giao_a_named_unit_and_a_verb_after_a_list_of_units() -> None:
    body = """Điều 2. Tổ chức thực hiện
1. Giao Sở Xây dựng
Theo dõi, đôn đốc Ủy ban nhân dân các xã cập nhật dữ liệu số nhà.
2. Giao Ban
Chỉ đạo giảm nghèo tỉnh tổng hợp kết quả hỗ trợ nhà ở.
3. Giao trách nhiệm cho Giám đốc Sở Tài chính phối hợp với Kho bạc Nhà nước tỉnh, Ủy ban nhân dân các huyện, thị xã, tổ chức triển khai việc cấp kinh phí.
4. Các cơ quan, đơn vị có văn bản báo cáo gửi Sở Xây dựng trước ngày 15/12/2025.
"""
    assert _tasks(body) == [
        ("Sở Xây dựng", [], None, "Theo dõi, đôn đốc Ủy ban nhân dân các xã cập nhật dữ liệu số nhà"),
        ("Ban Chỉ đạo giảm nghèo tỉnh", [], None, "tổng hợp kết quả hỗ trợ nhà ở"),
        ("Giám đốc Sở Tài chính", ["Kho bạc Nhà nước tỉnh", "Ủy ban nhân dân các huyện, thị xã"], None,
         "tổ chức triển khai việc cấp kinh phí"),
        ("Các cơ quan, đơn vị", [], "2025-12-15", "có văn bản báo cáo gửi Sở Xây dựng trước ngày 15/12/2025"),
    ]


def test_permissions_make_up_and_another_units_power_are_no_tasks() -> None:
    body = """Điều 3. Trách nhiệm của Sở Tài chính, Ủy ban nhân dân các huyện
1. Giám đốc Sở Tài chính chủ trì, phối hợp với các ngành liên quan xác định đơn giá thuê đất.
2. Chủ tịch Ủy ban nhân dân các huyện quyết định đơn giá thuê đất cho từng dự án.
Điều 4. Các đơn vị có nhu cầu nổ mìn nhưng không tự thực hiện công việc nổ mìn, nếu đủ điều kiện thì được quyền ký kết hợp đồng thuê.
Điều 5. Tổ chức bộ máy
1. Vụ Kế hoạch và Tài chính có Vụ trưởng, một số Phó Vụ trưởng và các công chức thực thi nhiệm vụ.
2. Vụ trưởng Vụ Kế hoạch và Tài chính có trách nhiệm xây dựng Quy chế làm việc của Vụ.
"""
    assert _tasks(body) == [
        ("Giám đốc Sở Tài chính", ["các ngành liên quan"], None, "xác định đơn giá thuê đất"),
        ("Vụ trưởng Vụ Kế hoạch và Tài chính", [], None, "xây dựng Quy chế làm việc của Vụ"),
    ]


def test_web_wrapped_lead_without_colon_and_role_labels_of_a_plan() -> None:
    body = """Điều 2. Giao các cơ quan, đơn vị:
1. Sở
Tài chính chủ trì, phối hợp với Văn phòng UBND tỉnh (Trung tâm Phục vụ hành
chính công tỉnh)
Rà
soát, xây dựng quy trình nội bộ giải quyết thủ tục hành chính.
2. Văn phòng UBND tỉnh theo dõi việc thực hiện trước ngày 15/12/2025.
Điều 3. Nhiệm vụ
1. Hỗ trợ vay vốn giải quyết việc làm.
- Cơ quan chủ trì: Sở Nội vụ, Sở Tài chính.
- Cơ quan phối hợp: Bảo hiểm xã hội tỉnh, Trung tâm Dịch vụ việc làm tỉnh, Ủy ban nhân dân các xã.
"""
    assert _tasks(body) == [
        ("Sở Tài chính", ["Văn phòng UBND tỉnh (Trung tâm Phục vụ hành chính công tỉnh)"], None,
         "Rà soát, xây dựng quy trình nội bộ giải quyết thủ tục hành chính"),
        ("Văn phòng UBND tỉnh", [], "2025-12-15", "theo dõi việc thực hiện trước ngày 15/12/2025"),
    ]


def test_about_as_the_cited_documents_own_verb_and_where_it_stops() -> None:
    body = """Căn cứ Nghị định số 45/2021/NĐ-CP ngày 12/5/2021 của Chính phủ sửa đổi, bổ sung một số điều của Nghị định số 12/2019/NĐ-CP;
Căn cứ Chỉ thị số 08/2022/CT-TTg ngày 03/3/2022 của Thủ tướng Chính phủ tăng cường kỷ luật trong quản lý đất đai;
Căn cứ Quyết định số 17/2020/QĐ-UBND ngày 09 tháng 4 năm 2020 của UBND tỉnh Hòa An Về việc ban hành Quy chế phối hợp;
Ngày 19/9/2022, Văn phòng Chính phủ có Thông báo số 210/TB-VPCP thông báo ý kiến chỉ đạo của Phó Thủ tướng yêu cầu quý Bộ báo cáo.
"""
    assert _refs(body) == [
        ("nghị định", "45/2021/NĐ-CP", "2021-05-12", "Chính phủ", "sửa đổi, bổ sung một số điều của Nghị định số 12/2019/NĐ-CP"),
        ("nghị định", "12/2019/NĐ-CP", None, None, None),
        ("chỉ thị", "08/2022/CT-TTg", "2022-03-03", "Thủ tướng Chính phủ", "tăng cường kỷ luật trong quản lý đất đai"),
        ("quyết định", "17/2020/QĐ-UBND", "2020-04-09", "UBND tỉnh Hòa An", "ban hành Quy chế phối hợp"),
        ("thông báo", "210/TB-VPCP", "2022-09-19", "Văn phòng Chính phủ", "thông báo ý kiến chỉ đạo của Phó Thủ tướng"),
    ]


def test_kinds_in_lower_case_and_symbols_with_a_second_slash() -> None:
    body = """- Căn cứ nghị quyết số 141/HĐBT ngày 24-8-1982 của Hội đồng Bộ trưởng ban hành Điều lệ về công tác Tiêu chuẩn hoá;
- Căn cứ Thông tư liên tịch số 117/2007/TTLT/BTC-BLĐTBXH ngày 01/10/2007 của Bộ Tài chính hướng dẫn về trợ cấp;
- Xét đề nghị tại văn bản số 12/UBND-VP ngày 2/3/2020 của Ủy ban nhân dân huyện;
"""
    assert _refs(body) == [
        ("nghị quyết", "141/HĐBT", "1982-08-24", "Hội đồng Bộ trưởng", "ban hành Điều lệ về công tác Tiêu chuẩn hoá"),
        ("thông tư liên tịch", "117/2007/TTLT/BTC-BLĐTBXH", "2007-10-01", "Bộ Tài chính", "hướng dẫn về trợ cấp"),
        ("văn bản", "12/UBND-VP", "2020-03-02", "Ủy ban nhân dân huyện", None),
    ]


def test_a_session_after_the_councils_term_and_a_code_typed_apart() -> None:
    body = """Căn cứ Thông tư 45/2006/TT - BTC ngày 25/5/2006 của Bộ Tài chính hướng dẫn về phí;
Căn cứ Nghị quyết số 125/2009/NQ-HĐND ngày 10 tháng 12 năm 2009 của Hội đồng nhân dân tỉnh Hòa An khoá XV, kỳ họp thứ 17 về việc bãi bỏ khoản thu;
"""
    assert _refs(body) == [
        ("thông tư", "45/2006/TT-BTC", "2006-05-25", "Bộ Tài chính", "hướng dẫn về phí"),
        ("nghị quyết", "125/2009/NQ-HĐND", "2009-12-10", "Hội đồng nhân dân tỉnh Hòa An khoá XV, kỳ họp thứ 17",
         "bãi bỏ khoản thu"),
    ]


def test_scope_articles_preambles_what_a_body_may_do_and_a_wrapped_year() -> None:
    body = """Xét Tờ trình số 12/TTr-UBND ngày 1/11/2025 của Ủy ban nhân dân tỉnh đề nghị Hội đồng nhân dân tỉnh ban hành Nghị quyết bãi bỏ Nghị quyết số 3/2013/NQ-HĐND;
Điều 1. Đối tượng áp dụng
1. Cán bộ, công chức, viên chức làm việc trong các cơ quan Đảng, Nhà nước.
Điều 2. Tổ chức thực hiện
1. Ủy ban nhân dân tỉnh:
a) Căn cứ kết quả thực hiện Nghị quyết trong năm
2026, Ủy ban nhân dân tỉnh đánh giá tác động và xây dựng nghị quyết chi thu nhập tăng thêm.
2. Đơn vị cung cấp dịch vụ đăng kiểm được thu các chi phí lưu trú, di chuyển.
3. Sở Tài chính có trách nhiệm hướng dẫn việc lập dự toán.
"""
    assert _tasks(body) == [
        ("Ủy ban nhân dân tỉnh", [], None, "đánh giá tác động và xây dựng nghị quyết chi thu nhập tăng thêm"),
        ("Sở Tài chính", [], None, "hướng dẫn việc lập dự toán"),
    ]


def test_the_government_as_a_unit_under_a_request_and_a_named_agency_in_an_item() -> None:
    body = """Điều 2. Ủy ban nhân dân tỉnh yêu cầu Chính phủ, Thủ tướng Chính phủ quan tâm một số nội dung sau đây:
1. Bố trí vốn hỗ trợ nhà ở cho người có công với cách mạng.
2. Cơ quan y tế kiểm tra hồ sơ bệnh án, biên bản giám định.
"""
    assert _tasks(body) == [
        ("Chính phủ, Thủ tướng Chính phủ", [], None, "Bố trí vốn hỗ trợ nhà ở cho người có công với cách mạng"),
        ("Cơ quan y tế", [], None, "kiểm tra hồ sơ bệnh án, biên bản giám định"),
    ]


def test_lists_of_posts_and_rates_and_a_councils_approval_are_no_tasks() -> None:
    body = """Điều 1. Hội đồng nhân dân tỉnh tán thành Tờ trình số 105/TTr-UBND ngày 24/11/2025 của Ủy ban nhân dân tỉnh và quyết định mức phụ cấp như sau:
1. Cán bộ không chuyên trách ở xã, phường:
a) Cán bộ Tuyên giáo.
b) Phó Chủ tịch Hội Nông dân.
2. Ban bảo vệ dân phố:
a) Tổ phó Tổ bảo vệ dân phố: 88.000 đồng/tháng (bằng 70% mức phụ cấp của Tổ trưởng).
Điều 2. Ủy ban nhân dân tỉnh có trách nhiệm tổ chức thực hiện Nghị quyết này.
"""
    assert _tasks(body) == [("Ủy ban nhân dân tỉnh", [], None, "tổ chức thực hiện Nghị quyết này")]


def test_a_request_to_ministries_and_sectors_named_without_cac() -> None:
    body = """Để việc đề xuất biên chế được triển khai thống nhất, đề nghị bộ, ngành, địa phương khẩn trương tổng hợp đề xuất biên chế, gửi về Bộ Nội vụ trước ngày 26/11/2025.
"""
    assert _tasks(body) == [
        ("bộ, ngành, địa phương", [], "2025-11-26",
         "khẩn trương tổng hợp đề xuất biên chế, gửi về Bộ Nội vụ trước ngày 26/11/2025"),
    ]


def test_a_unit_cut_after_van_phong_and_a_purpose_after_the_coordinating_units() -> None:
    body = """Điều 2. Tổ chức thực hiện
1. Sở Tài chính:
a) Chủ trì, phối hợp với Văn phòng
UBND tỉnh và các cơ quan liên quan xây dựng quy trình nội bộ giải quyết thủ tục hành chính.
b) Tham mưu Ủy ban nhân dân
tỉnh đánh giá trách nhiệm người đứng đầu các cơ quan chưa cập nhật dữ liệu.
2. Ủy ban Kinh tế của Quốc hội chủ trì, phối hợp với các cơ quan Chính phủ để thẩm tra hồ sơ Chương trình.
"""
    assert _tasks(body) == [
        ("Sở Tài chính", ["Văn phòng UBND tỉnh", "các cơ quan liên quan"], None,
         "xây dựng quy trình nội bộ giải quyết thủ tục hành chính"),
        ("Sở Tài chính", [], None,
         "Tham mưu Ủy ban nhân dân tỉnh đánh giá trách nhiệm người đứng đầu các cơ quan chưa cập nhật dữ liệu"),
        ("Ủy ban Kinh tế của Quốc hội", ["các cơ quan Chính phủ"], None, "thẩm tra hồ sơ Chương trình"),
    ]
