"""Closed vocabularies of Nghị định 30/2020/NĐ-CP and of Vietnamese public bodies.

Kept as data, apart from the rules, so that a reviewer can check them against the decree.
"""

from __future__ import annotations

from functools import lru_cache

from unidecode import unidecode

from pipeline.orthography import nfc

# The 29 types of administrative documents (art. 7) and their codes (Phụ lục III); a công văn and a
# thư công have no code. Order matters only for display.
DOC_TYPES: dict[str, str | None] = {
    "nghị quyết": "NQ",
    "quyết định": "QĐ",
    "chỉ thị": "CT",
    "quy chế": "QC",
    "quy định": "QyĐ",
    "thông cáo": "TC",
    "thông báo": "TB",
    "hướng dẫn": "HD",
    "chương trình": "CTr",
    "kế hoạch": "KH",
    "phương án": "PA",
    "đề án": "ĐA",
    "dự án": "DA",
    "báo cáo": "BC",
    "biên bản": "BB",
    "tờ trình": "TTr",
    "hợp đồng": "HĐ",
    "công văn": None,
    "công điện": "CĐ",
    "bản ghi nhớ": "BGN",
    "bản thỏa thuận": "BTT",
    "giấy ủy quyền": "GUQ",
    "giấy mời": "GM",
    "giấy giới thiệu": "GGT",
    "giấy nghỉ phép": "GNP",
    "phiếu gửi": "PG",
    "phiếu chuyển": "PC",
    "phiếu báo": "PB",
    "thư công": None,
    # Legal normative documents and consolidated texts, which real archives hold next to the 29 (Luật Ban
    # hành văn bản quy phạm pháp luật; Pháp lệnh hợp nhất văn bản).
    "thông tư": "TT",
    "thông tư liên tịch": "TTLT",
    "nghị định": "NĐ",
    "văn bản hợp nhất": "VBHN",
}
CODE_TO_TYPE: dict[str, str] = {code: name for name, code in DOC_TYPES.items() if code}
# Codes that may open a symbol without being a document type (copies, legal normative forms).
EXTRA_CODES = {"SY", "TrS", "SL", "NQLT", "L", "PL", "LCT", "QH"}

# Kinds of cited documents, longest first so that "Thông tư liên tịch" wins over "Thông tư".
REFERENCE_KINDS = sorted(
    [
        "Hiến pháp", "Bộ luật", "Luật", "Pháp lệnh", "Nghị quyết liên tịch", "Nghị quyết", "Nghị định",
        "Thông tư liên tịch", "Thông tư", "Quyết định", "Chỉ thị", "Công văn", "Văn bản", "Kế hoạch",
        "Thông báo", "Hướng dẫn", "Báo cáo", "Tờ trình", "Công điện", "Quy chế", "Quy định",
        "Chương trình", "Đề án", "Phương án", "Giấy mời", "Biên bản", "Kết luận",
    ],
    key=len,
    reverse=True,
)

SECRECY = ["TUYỆT MẬT", "TỐI MẬT", "MẬT"]
URGENCY = ["THƯỢNG KHẨN", "HỎA TỐC", "HOẢ TỐC", "KHẨN"]
AUTHORITY_PREFIXES = ["TM.", "KT.", "Q.", "TL.", "TUQ."]
# Titles a signer holds (art. 8 of the decree's Phụ lục I and the usual heads of bodies and offices); a
# title on the signature may go on with its office ("TRƯỞNG PHÒNG CTSV", "THỨ TRƯỞNG THƯỜNG TRỰC").
SIGNER_TITLES = [
    f"{deputy}{title}"
    for title in (
        "BỘ TRƯỞNG", "THỨ TRƯỞNG", "CHỦ TỊCH", "GIÁM ĐỐC", "HIỆU TRƯỞNG", "TRƯỞNG PHÒNG", "CỤC TRƯỞNG",
        "VỤ TRƯỞNG", "CHÁNH VĂN PHÒNG", "THỦ TƯỚNG", "TỔNG CỤC TRƯỞNG", "TRƯỞNG BAN", "VIỆN TRƯỞNG",
        "CHÁNH ÁN", "BÍ THƯ", "CHỦ NHIỆM", "CHÁNH THANH TRA", "TRƯỞNG KHOA", "TỔNG GIÁM ĐỐC", "TRƯỞNG ĐOÀN",
        "CHI CỤC TRƯỞNG", "TRƯỞNG CÔNG AN", "VIỆN TRƯỞNG VIỆN KIỂM SÁT", "TRƯỞNG TRẠM", "ĐỘI TRƯỞNG",
        "TỔ TRƯỞNG", "ĐOÀN TRƯỞNG", "TRƯỞNG THÔN", "TRƯỞNG ẤP", "TRƯỞNG BẢN", "TRƯỞNG KHU PHỐ", "TRƯỞNG ĐÀI",
        "TRƯỞNG CHI NHÁNH", "KẾ TOÁN TRƯỞNG", "TỔNG BIÊN TẬP", "THƯ KÝ", "CHỦ TỌA", "GIÁM ĐỐC SỞ",
        "TRƯỞNG TIỂU BAN", "CHỦ NHIỆM ỦY BAN", "TƯ LỆNH", "CHÍNH ỦY", "CHỈ HUY TRƯỞNG", "TRƯỞNG KHO",
        "HIỆU PHÓ", "THỦ TRƯỞNG", "XÃ ĐỘI TRƯỞNG", "TRƯỞNG BAN CHỈ ĐẠO", "THẨM PHÁN", "KIỂM SÁT VIÊN",
        "ĐẠI TƯỚNG", "THƯỢNG TƯỚNG", "TRUNG TƯỚNG", "THIẾU TƯỚNG", "ĐẠI TÁ", "THƯỢNG TÁ", "TRUNG TÁ", "THIẾU TÁ",
    )
    for deputy in ("", "PHÓ ")
]


# The common Vietnamese family names: the first word of a signer's name, which OCR may give a wrong tone
# ("Đỉnh Văn Châu" for Đinh).
SURNAMES = [
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô",
    "Dương", "Lý", "Đinh", "Đào", "Đoàn", "Trịnh", "Lương", "Lâm", "Mai", "Cao", "Chu", "Tô", "Hà", "Thái",
    "Kiều", "Quách", "Tạ", "Từ", "Triệu", "Lưu", "Vương", "Tăng", "Hứa", "Châu", "Trương", "Nghiêm",
]

# Lower-case verbs that start the task text after the unit in "Giao <unit> <verb> ...".
TASK_VERBS = sorted(
    [
        "chủ trì", "phối hợp", "rà soát", "tổ chức", "triển khai", "xây dựng", "tham mưu", "thực hiện",
        "kiểm tra", "hướng dẫn", "theo dõi", "tổng hợp", "báo cáo", "đôn đốc", "chuẩn bị", "lập",
        "hoàn thành", "hoàn thiện", "tuyên truyền", "đề xuất", "cập nhật", "bố trí", "thẩm định", "giải quyết",
        "xử lý", "phân bổ", "đảm bảo", "bảo đảm", "quản lý", "chỉ đạo", "vận động", "thống kê", "điều tra",
        "khảo sát", "chấn chỉnh", "ban hành", "trình", "cung cấp", "gửi", "nghiên cứu", "tiếp nhận",
        "phổ biến", "sửa chữa", "duy trì", "tăng cường", "khẩn trương", "thông báo", "phát động",
        "bàn giao", "niêm yết", "công khai", "tập huấn", "đẩy mạnh", "tiếp tục", "chịu trách nhiệm",
        "có trách nhiệm", "có nhiệm vụ", "tập trung", "dự thảo", "soạn thảo", "thành lập", "phân công",
        "cử", "huy động", "sắp xếp", "di dời", "thu hồi", "nộp", "thanh toán", "quyết toán",
        "chủ động", "nắm", "tham gia", "kiện toàn", "đăng ký", "lựa chọn", "giám sát", "ứng phó",
        "tổ chức thực hiện", "cài đặt", "số hóa", "thu thập", "tiến hành", "mua sắm",
        "phát hành", "làm", "nghiêm túc", "kịp thời", "quan tâm", "cho phép", "thường xuyên", "tích cực", "căn cứ", "hỗ trợ", "kiểm kê", "xác minh", "đánh giá", "sơ kết",
        "tổng kết", "phân loại", "lưu trữ", "chuyển", "trả lời", "bổ sung", "điều chỉnh", "hoàn tất",
        "kiểm soát", "vận hành", "thẩm tra", "phê duyệt", "xác định", "phát hiện", "ngăn chặn", "tuần tra",
        "tham dự", "chấp hành", "tiếp thu", "khắc phục", "nâng cao", "bồi dưỡng", "hoàn chỉnh", "thực thi",
        "ưu tiên", "sửa đổi", "đăng tải", "cấp phát", "phát huy", "rà soát lại", "đối chiếu", "cân đối",
        "công bố", "hạch toán", "sử dụng", "đẩy nhanh",
    ],
    key=len,
    reverse=True,
)


def fold(text: str) -> str:
    """Accent-free upper case, for fuzzy comparison of headings damaged by OCR or restoration."""
    return unidecode(nfc(text).replace("Đ", "D").replace("đ", "d")).upper()


@lru_cache(maxsize=1)
def place_names() -> frozenset[str]:
    """Names of provinces and communes after the 2025 reorganisation (vietnam-provinces), without prefix."""
    from vietnam_provinces import Province, Ward

    names: set[str] = set()
    prefixes = ("Thành phố ", "Tỉnh ", "Phường ", "Xã ", "Đặc khu ", "Thị trấn ")
    for item in list(Province.iter_all()) + list(Ward.iter_all()):
        name = nfc(item.name)
        for prefix in prefixes:
            if name.startswith(prefix):
                name = name[len(prefix) :]
                break
        names.add(name)
    # Provinces merged in 2025 still appear on older documents.
    names.update(
        nfc(n)
        for n in (
            "Quảng Nam", "Bình Định", "Phú Yên", "Ninh Thuận", "Bình Thuận", "Kon Tum", "Đắk Nông",
            "Bình Phước", "Bà Rịa - Vũng Tàu", "Bình Dương", "Long An", "Tiền Giang", "Bến Tre",
            "Trà Vinh", "Sóc Trăng", "Hậu Giang", "Bạc Liêu", "Kiên Giang", "Quảng Bình",
            "Thừa Thiên Huế", "Hà Nam", "Nam Định", "Thái Bình", "Hải Dương", "Vĩnh Phúc", "Bắc Giang",
            "Bắc Kạn", "Hà Giang", "Yên Bái", "Hòa Bình",
        )
    )
    return frozenset(names)
