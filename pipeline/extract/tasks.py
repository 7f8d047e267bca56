"""Assignments: who must do what, with whom, by when.

Forms (Nghị định 30 practice): "Giao <unit> [chủ trì, phối hợp với <units>] <task>", "Yêu cầu/Đề nghị
<unit> <task>", "<unit> chủ trì/có trách nhiệm/chịu trách nhiệm/có nhiệm vụ <task>", "<unit>: <task>",
a unit heading ("a) Phòng Kinh tế:", "* Các cơ quan, đơn vị ...:", "2. Trách nhiệm của <unit>", "Giao
<unit>:", "<unit> có trách nhiệm:", "<unit> chủ trì, phối hợp với <units>:") or a request heading ("đề
nghị các đơn vị thực hiện các nội dung sau:") followed by its items (bulleted, or plain paragraphs that
open with a verb), and the executing article of a decision. Real documents' sections are read as a
heading stack of one level (``_TaskReader.close_heading``). A task's deadline is the first deadline-role
date inside it."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field

from .lexicon import TASK_VERBS
from .patterns import valid_date

_VERBS = "|".join(re.escape(v).replace(r"\ ", r"\s+") for v in TASK_VERBS)  # OCR may wrap inside a verb
# A verb right after " - " belongs to a compound name ("công chức địa chính - xây dựng").
_VERB_RE = re.compile(rf"(?<![\w/])(?<!- )(?:{_VERBS})(?!\w)")
# Bullets; "1," is how OCR often reads "1." (but "2023, gửi ..." on a wrapped line is no bullet).
_BULLET = re.compile(
    r"^(?P<b>[-+•*–]|[a-zđ]\)|\d{1,2}(?:\.\d+)+(?=\s)|\d{1,2}(?:\.\d+)*[.)]|\d{1,2},(?=\s*[A-ZĐÀ-Ỹ])|[IVX]+\.|Điều\s+\d+[a-z]?\.)\s*[.,]?\s*"
)
_MULTI_HEADS = (
    "Văn phòng", "Ủy ban", "Uỷ ban", "Trung tâm", "Công an", "Thanh tra", "Kho bạc", "Chi cục", "Tổng cục",
    "Bệnh viện", "Hội đồng", "Tổ công tác", "Tổ dân phố", "Tổ giúp việc", "Đoàn kiểm tra", "Đoàn công tác",
    "Thủ trưởng", "Chủ tịch", "Phó Chủ tịch", "Giám đốc", "Phó Giám đốc", "Hiệu trưởng", "Trưởng phòng",
    "Trưởng ban", "Trưởng thôn", "Trưởng các", "Chánh Văn phòng", "Chánh Thanh tra", "Người đứng đầu",
    "Đảng ủy", "Đảng uỷ", "Mặt trận", "Bảo hiểm xã hội", "Công ty", "Hợp tác xã", "Chi nhánh", "Ngân hàng",
    "Tòa án", "Viện kiểm sát", "Cán bộ", "Công chức", "Thường trực", "Lãnh đạo", "Ban Chỉ huy", "Bộ Chỉ huy",
    "Ban Quản lý", "Đài Truyền thanh", "Đoàn Thanh niên", "Hội Liên hiệp", "Hội Nông dân", "Hội Cựu chiến binh",
    "Ban Chỉ đạo", "Tổ trưởng", "Kế toán", "Văn thư", "Ban Tổ chức", "Ban Tuyên giáo", "Thành viên",
    "Giáo viên", "Nhân viên", "Chuyên viên", "Đơn vị", "Chủ đầu tư", "Nhà thầu", "Doanh nghiệp",
    "Bộ trưởng", "Cục trưởng", "Vụ trưởng", "Viện trưởng", "Tổng Giám đốc", "Chánh văn phòng", "Quỹ",
    "Lực lượng", "Chính phủ", "Thủ tướng", "Cơ quan",
)
_SINGLE_HEADS = ("Phòng", "Sở", "Bộ", "Ban", "Cục", "Vụ", "Viện", "Trường", "Đài", "Đoàn", "Hội", "Tổ", "Trạm",
                 "Đội", "Hạt", "Đồn", "Báo", "Ông", "Bà", "Trưởng", "Chánh")
_ABBR_HEADS = ("UBND", "HĐND", "MTTQ", "UBMTTQ", "BCH", "BCĐ", "KBNN", "BHXH")
_UNIT_NOUNS = ("đồng chí", "cơ quan", "đơn vị", "sở", "ngành", "phòng", "ban", "xã", "phường", "địa phương", "trường",
               "chủ đầu tư", "tổ chức", "thành viên", "hội", "đoàn thể", "huyện", "tỉnh", "cấp", "doanh nghiệp",
               "ông", "bà", "cá nhân", "thôn", "tổ", "cơ sở", "bộ", "Sở", "Phòng", "trung tâm", "hợp tác xã", "Bộ")
_TRIGGER_AFTER_UNIT = re.compile(
    r"\s+(?P<t>chủ\s+trì|có\s+trách\s+nhiệm|chịu\s+trách\s+nhiệm|có\s+nhiệm\s+vụ|"
    r"(?:chủ\s+động\s+)?phối\s+hợp\s+(?:chặt\s+chẽ\s+)?(?:với|cùng))\b"
)
_NOT_HEADING = re.compile(r"(?:mời|gồm|như sau|sau đây|thành phần|điện)\s*$")
_DEADLINE_WORDS = re.compile(r"(?:trước|chậm nhất|hoàn thành|hạn|không quá|muộn nhất)", re.IGNORECASE)


@dataclass
class Sentence:
    text: str
    start: int
    bullet: str | None  # kind of bullet: "-", "a)", "1.", "Điều", or None
    continued: bool = False  # a later sentence of the same paragraph (it keeps the paragraph's heading)
    item: bool = False  # the paragraph opens with a bullet


# "đề nghị bộ, ngành, địa phương khẩn trương ...": a list of kinds of unit without "các".
_UNIT_NOUN_LIST = re.compile(r"(?:bộ|sở),\s*ngành\b")


def head_length(s: str) -> int:
    """Length of the multi-word head that opens s ("Đoàn kiểm tra"), so verbs inside it are skipped."""
    s = s.lstrip()
    for head in _MULTI_HEADS:
        if s.startswith(head):
            return len(head)
    return 0


def is_unit_start(s: str) -> bool:
    """Does s open the name of a unit, an office or a holder of one?"""
    s = s.lstrip()
    if s.startswith(_MULTI_HEADS) or s.startswith(_ABBR_HEADS) or _UNIT_NOUN_LIST.match(s):
        return True
    m = re.match(r"(\S+)\s+(\S+)", s)
    if not m:
        return False
    first, second = m.group(1), m.group(2)
    if first in _SINGLE_HEADS:
        return second[:1].isupper() or second in _ABBR_HEADS
    if first in ("quý", "Quý"):  # "đề nghị quý Bộ khẩn trương ...", "quý cơ quan"
        return second in _SINGLE_HEADS or second in ("cơ", "đơn", "Ủy", "Uỷ", "Công", "Ông", "Bà")
    if first in ("Các", "các", "Mỗi", "Từng"):
        rest = s[len(first) :].lstrip()
        return rest.startswith(_UNIT_NOUNS)
    return False


def _bullet_kind(b: str | None) -> str | None:
    if b is None:
        return None
    if b in "-+•*–":
        return "-"
    if b.startswith("Điều"):
        return "Điều"
    if b[0].isdigit():
        return f"{b.count('.')}."
    if b[0] in "IVX":
        return "I."
    return "a)"


_TITLE_ENDS = (" Giám đốc", " Thủ trưởng", " Chủ tịch", " Trưởng ban", " Chánh Văn phòng", " Cục trưởng",
               " Văn phòng", " Ủy ban", " Uỷ ban", " Trung tâm", " nhân dân")  # "với Văn phòng" / "UBND tỉnh ..."
# A request cut before the unit it names ("Chủ tịch UBND tỉnh yêu cầu" / "Thủ trưởng các sở ...").
_REQUEST_END = re.compile(r"(?:yêu cầu|đề nghị|giao|giao cho)$", re.IGNORECASE)
_REQUEST_START = re.compile(r"(?:Đề nghị|Yêu cầu|Giao)\s")  # "1. Đề nghị Ủy ban Mặt trận" / "Tổ quốc ..."
# Words no line ends a paragraph with ("- Định hướng, chỉ đạo Báo và" / "Phát thanh, Truyền hình ...").
_CONTINUING = {"và", "của", "với", "các", "cho", "tại", "về", "theo", "trong", "để", "là", "được", "những", "từ",
               "đến", "hoặc", "đối", "bằng", "nhằm", "thuộc"}


def logical_lines(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Paragraph spans: a line that OCR wrapped (the previous line is long and unfinished, this one is no
    bullet or heading) continues the previous one; typed text has one paragraph per line already."""
    out: list[list[int]] = []
    pos = start
    prev_open = False
    for line in text[start:end].split("\n"):
        ls, le = pos, pos + len(line)
        pos = le + 1
        stripped = line.strip()
        if not stripped:
            prev_open = False
            continue
        # A line that starts in lower case continues the paragraph even after ";" (OCR wrapped it there).
        # Web pages wrap a paragraph's first line early ("a) Thực hiện nghiêm việc cải" / "cách TTHC, ..."):
        # a line in lower case right after an unfinished one continues it, however short that one is.
        prev = text[out[-1][0] : out[-1][1]].rstrip() if out else ""  # the paragraph so far
        adjacent = bool(out) and ls - out[-1][1] == 1
        unfinished = bool(out) and not prev.endswith((".", ";", ":", "!", "?"))
        lower_start = stripped[:1].islower() and adjacent and (out[-1][1] - out[-1][0] >= 50 or unfinished)
        # A line broken after a comma ("1. Các đồng chí Bộ trưởng," / "Thủ trưởng cơ quan ngang Bộ, ...").
        lower_start = lower_start or (adjacent and prev.endswith(","))
        # Web pages cut a paragraph's first line short, inside a unit's name ("Điều 2. Sở" / "Công Thương có
        # trách nhiệm ..."); a short heading ("3. Thời hạn báo cáo") stays apart.
        last_word = prev.rsplit(None, 1)[-1] if prev else ""
        lower_start = lower_start or bool(unfinished and adjacent and out[-1][1] - out[-1][0] < 40 and last_word
                                          and (is_unit_start(last_word + " " + stripped) or _REQUEST_END.search(prev)
                                               or _REQUEST_START.match(_BULLET.sub("", prev, count=1))))
        lower_start = lower_start or bool(unfinished and adjacent and last_word in _CONTINUING)
        # A year or number wrapped from its word ("c) Căn cứ kết quả ... trong năm" / "2026, Ủy ban nhân dân ...").
        lower_start = lower_start or bool(unfinished and adjacent and last_word in ("năm", "tháng", "ngày", "số")
                                          and stripped[:1].isdigit())
        # A holder's title cut from its body ("2. Chánh Văn phòng UBND tỉnh; Giám đốc" / "Công an tỉnh; ...").
        lower_start = lower_start or bool(unfinished and adjacent and prev.endswith(_TITLE_ENDS))
        # An acronym wrapped after an unfinished word ("... hồ sơ của" / "TTHC.") is no heading.
        caps_heading = _is_caps(stripped) and not (adjacent and last_word in _CONTINUING)
        if (prev_open or lower_start) and not _BULLET.match(stripped) and not caps_heading:
            out[-1][1] = le
        else:
            out.append([ls, le])
        prev_open = len(stripped) >= 50 and not stripped.endswith((".", ";", ":", "!", "?")) \
            and "\t" not in line and not _is_caps(stripped)
    return [(a, b) for a, b in out]


def _is_caps(s: str) -> bool:
    letters = [c for c in s if c.isalpha()]
    return len(letters) >= 2 and sum(c.isupper() for c in letters) / len(letters) >= 0.8


def sentences(text: str, start: int, end: int, skip_re: re.Pattern) -> list[Sentence]:
    """Body paragraphs split at sentence ends, bullets noted and stripped."""
    out: list[Sentence] = []
    lone_bullet = None  # "1." printed on a line of its own numbers the paragraph below
    for ls, le in logical_lines(text, start, end):
        line = text[ls:le]
        if skip_re.match(line):
            continue
        # OCR specks before the bullet ("_ 1, .", "~- ") are dropped.
        stripped = re.sub(r"^[\s_.,:;'\"`~|«»]+(?=[-+•*\w])", "", line).strip()
        if not stripped or "\t" in line and len(stripped) < 60:
            continue
        off = ls + line.index(stripped)
        m = _BULLET.match(stripped)
        bullet, lone_bullet = lone_bullet, None
        if m and not stripped[m.end() :].strip():
            lone_bullet = _bullet_kind(m.group("b"))
            continue
        if m:
            bullet = _bullet_kind(m.group("b"))
            # Older decisions print a dash after the article's number ("Điều 3. - Các cơ quan ...").
            dash = re.match(r"[-–]\s+", stripped[m.end() :]) if bullet == "Điều" else None
            cut = m.end() + (dash.end() if dash else 0)
            off += cut
            stripped = stripped[cut:]
        # Sentences: ". " before a capital, or "; " before a new assignment.
        parts = re.split(r"(?<=[.;])\s+(?=(?:Giao|giao|Yêu cầu|yêu cầu|Đề nghị)\s)|(?<=[a-zà-ỹđ\d)]\.)\s+(?=[A-ZĐ])", stripped)
        parts = [clause for part in parts for clause in _unit_clauses(part)]
        p_off = off
        for k, part in enumerate(parts):
            idx = text.index(part, p_off) if part else p_off
            out.append(Sentence(part, idx, bullet if k == 0 else None, continued=k > 0, item=bullet is not None))
            p_off = idx + len(part)
    return out


def _unit_clauses(sentence: str) -> list[str]:
    """A sentence cut where "; " opens another unit's clause ("UBND cấp xã đối chiếu ...; UBND cấp huyện
    tổng hợp ..."); a list of units alone ("Thủ trưởng các sở; Chủ tịch UBND các xã") stays whole."""
    out: list[str] = []
    start = 0
    for m in re.finditer(r";\s+", sentence):
        # "...; chủ trì, phối hợp với Y nghiên cứu ...": a second assignment of the same unit.
        again = re.match(r"chủ\s+trì\s*,\s*phối\s+hợp", sentence[m.end() :])
        if (again or _unit_clause(sentence[m.end() :])) and _unit_clause(sentence[start : m.start()]):
            out.append(sentence[start : m.start() + 1])
            start = m.end()
    return [*out, sentence[start:]]


def _rank(bullet: str | None) -> int:
    """Level of a bullet kind, outermost first: "Điều"/"I.", "1.", "1.1.", ..., "a)", "-"; no bullet is
    outside them all (an unbulleted heading is closed only by a plain paragraph)."""
    if bullet is None:
        return -1
    if bullet in ("Điều", "I."):
        return 0
    if bullet[0].isdigit():
        return 1 + int(bullet[:-1])
    return 10 if bullet == "a)" else 11


def _unit_clause(t: str) -> bool:
    """Does t open with a unit followed soon by what it must do ("Lực lượng Cảnh sát kinh tế tăng cường ...",
    also after a circumstance: "Trường hợp ..., các đơn vị, trường học chủ động tạm dừng ...")?"""
    t = _after_circumstance(t)
    verb = _first_verb(t, head_length(t)) if is_unit_start(t) else None
    return verb is not None and verb.start() < 120


def _split_units(s: str) -> list[str]:
    """Coordinating units, one per name: split at commas and "và" between names, or only at ";" when the
    list uses it ("Chủ tịch UBND huyện, thành phố; thủ trưởng các ngành có liên quan")."""
    if ";" in s:  # "...; Ủy ban nhân dân các xã, phường và các đơn vị có liên quan": "và" before a unit too
        parts = (q for p in s.split(";") for q in re.split(r"\s+và\s+(?=(?:các|những)\s+(?:cơ quan|đơn vị|tổ chức)\b)", p))
        return [u for u in (_clean(p) for p in parts) if u]
    protected = re.sub(r"\s+", " ", s).replace("HĐND và UBND", "HĐND\u0001UBND").replace(
        "Hội đồng nhân dân và Ủy ban nhân dân", "Hội đồng nhân dân\u0001Ủy ban nhân dân")
    pieces = re.split(r"(,\s*|\s+và\s+)", protected)
    units: list[str] = []
    for i in range(0, len(pieces), 2):
        piece = pieces[i].strip()
        if not piece:
            continue
        if units and not (is_unit_start(piece) or piece.startswith(("UBND", "HĐND"))):
            units[-1] += pieces[i - 1] + piece
        else:
            units.append(piece)
    # "... với các cơ quan Chính phủ để thẩm tra ...": the purpose's "để" is no part of the last unit.
    units = [re.sub(r"\s+(?:để|nhằm)$", "", u.replace("\u0001", " và ").strip(" ,.;")) for u in units]
    return [u for u in units if u]


def _clean(s: str) -> str:
    return re.sub(r"\s+", " ", s).strip().rstrip(" .;,:/").rstrip(".").strip()


# Lower-case stretches of unit names that read like verbs ("Cục Nhà giáo và Cán bộ quản lý giáo dục").
_NAME_VERBS = re.compile(
    r"Cán bộ quản lý giáo dục|cán bộ quản lý|Quản lý thị trường|[Dd]ự án đầu tư xây dựng|[Đđ]oàn kiểm tra"
    r"|(?:[Cc]ơ quan|[Cc]ục|Ban) quản lý"  # "các cơ quan quản lý phải ...", "Cục quản lý chất lượng ..."
    r"|Hội đồng phối hợp(?: công tác)? phổ biến,? giáo dục pháp luật"  # a council's name, not "phối hợp"
)


_NOUN_COMPOUNDS = {"chương trình", "tờ trình", "đăng ký", "quản lý", "xử lý", "công trình", "công lập", "mới thành lập",
                   "việc làm", "quá trình"}


def _first_verb(rest: str, start: int = 0) -> re.Match | None:
    """The first task verb, skipping verbs inside names ("Chương trình", "cán bộ quản lý giáo dục")."""
    skip = [m.span() for m in _NAME_VERBS.finditer(rest)]
    for v in _VERB_RE.finditer(rest, start):
        if any(a <= v.start() < b for a, b in skip):
            continue
        before = rest[: v.start()].split()
        if before and f"{before[-1].lower()} {v.group(0)}" in _NOUN_COMPOUNDS:
            continue
        if before and before[-1] == "về":  # "Trung tâm ... Đào tạo về sử dụng năng lượng ...": a topic, not a verb
            continue
        # "Các tổ chức kinh tế ...", "các cơ quan, tổ chức, cá nhân": "tổ chức" after a plural or in a list of
        # units is the noun; after a comma and before another verb ("UBND các huyện, tổ chức triển khai ...")
        # it is the task's verb.
        if v.group(0) == "tổ chức" and before and (before[-1].lower() in ("các", "những", "mỗi", "từng") or (
                before[-1].endswith(",") and not _VERB_RE.match(rest, v.end() + 1))):
            continue
        return v
    return None


def _parse_rest(rest: str) -> tuple[str | None, list[str], str, int] | None:
    """Split "<unit> [chủ trì, phối hợp với <units>] <task>" into its parts; offset of the task text."""
    colon = rest.find(":")
    verb = _first_verb(rest)
    # "Chủ tịch UBND các huyện: Giang Thành, Tân Hiệp; ... chịu trách nhiệm ...": the places after the colon
    # are part of the unit.
    if colon != -1 and verb and _PLACES_AFTER_COLON.match(rest, colon):
        colon = -1
    if colon != -1 and (verb is None or colon < verb.start()) and colon < 160:
        assignee, desc_off = rest[:colon], colon + 1
    elif verb:
        assignee, desc_off = rest[: verb.start()], verb.start()
    else:
        return None
    # "Giao Công an huyện là cơ quan thường trực, theo dõi ...": the unit ends before "là".
    assignee = assignee.split(" là ")[0].strip(" ,")
    if not assignee or len(assignee) > 250:
        return None
    desc = rest[desc_off:]
    lead = len(desc) - len(desc.lstrip())
    desc_off += lead
    desc = desc.lstrip()
    coordinating: list[str] = []
    # "phối hợp với Y", "phối hợp Y" (a unit right after), "cùng với Y"
    m = re.match(r"(?:chủ\s+trì\s*,?\s*(?:và\s+)?|chủ\s+động\s+)?"
                 r"(?:phối\s+hợp\s+(?:chặt\s+chẽ\s+)?(?:(?:với|cùng)\s+|(?=[A-ZĐÀ-Ỹ]|(?:các|những)\s))|cùng\s+với\s+)", desc)
    # The units end at the first verb that is no part of a name ("Ban Quản lý dự án đầu tư xây dựng tỉnh"),
    # or at a time that opens the task ("phối hợp với phòng Y tế hàng năm tổ chức ...").
    verb_after = _first_verb(desc, m.end()) if m else None
    when = _WHEN.search(desc, m.end(), verb_after.start()) if m and verb_after else None
    verb_after = when or verb_after
    if m and verb_after and desc[m.end() : verb_after.start()].strip(" ,"):
        coordinating = _split_units(desc[m.end() : verb_after.start()].rstrip(" ,"))
        desc_off += verb_after.start()
        desc = desc[verb_after.start() :]
    else:
        m2 = re.match(r"chủ\s+trì\s*,?\s*", desc)
        if m2 and _VERB_RE.match(desc[m2.end() :]):
            desc_off += m2.end()
            desc = desc[m2.end() :]
    return assignee, coordinating, desc, desc_off


_PLACES_AFTER_COLON = re.compile(r":\s*[A-ZĐÀ-Ỹ][\w]*(?:\s+[A-ZĐÀ-Ỹ][\w]*)*\s*[,;]")
# A list of members ("Vụ trưởng Vụ Pháp chế - Uỷ viên;") names posts, not tasks.
_MEMBER_ITEM = re.compile(r"\s[-–]\s*(?:Phó\s+)?(?:Trưởng\s+ban|Uỷ\s+viên|Ủy\s+viên|Thành\s+viên|Tổ\s+trưởng|Thư\s+ký)\b")
_WHEN = re.compile(r"\s(?:hằng|hàng)\s+(?:năm|quý|tháng|tuần)\b|\sđịnh\s+kỳ\b")
_CIRCUMSTANCE = re.compile(r"(?:Căn cứ|Trên cơ sở|Trong|Hằng|Hàng|Định kỳ|Sau khi|Trước|Đến|Từ|Để|Trường hợp|Khi)\s")
_CLOSING = re.compile(r"(?<=\s)căn\s+cứ\s+(?:Quyết\s+định|Chỉ\s+thị|Nghị\s+quyết)(?:\s+này)?\s+(?:thi\s+hành|thực\s+hiện)")
_PROCEDURAL = re.compile(r"\bnếu\b[^.;]*(?:vướng\s+mắc|khó\s+khăn)")
_REMIT_LEAD = re.compile(r"^(?:Căn cứ|Theo)\s+chức\s+năng,\s*nhiệm\s+vụ(?:,\s*quyền\s+hạn)?(?:\s+được\s+giao)?\s*,\s*")
_DUTY_LEAD = re.compile(r"^(?:(?:có|chịu)\s+trách\s+nhiệm|có\s+nhiệm\s+vụ)(?:\s*:\s*|\s+)(?=\S)")
_LABEL_ITEM = re.compile(
    r"(?:Dự\s+án|Tiểu\s+dự\s+án|Quy\s+chuẩn|Tiêu\s+chuẩn|Thông\s+tin|Kết\s+quả|Nội\s+dung|Mục\s+tiêu|Phạm\s+vi"
    r"|Đối\s+tượng|Thời\s+gian|Kinh\s+phí|Nguồn\s+vốn|Danh\s+mục|Hồ\s+sơ|Mẫu|Phụ\s+lục|Thành\s+phần)\b"
)
_WITHIN = re.compile(r"\s+trong\s+(?:thời\s+(?:gian|hạn)|vòng)\s.*$")
_NOT_ASSIGNEE = re.compile(
    r"\s(?:là|được(?!\s+giao)|quyết\s+định|gồm|chịu\s+sự|đã|có\s+thể|có\s+thẩm\s+quyền|có\s+tư\s+cách)(?:\s|:|$)|:\s*là\s"
    # "Các đơn vị có nhu cầu nổ mìn ...": a condition, not a named unit; "Vụ X có Vụ trưởng, ...": its make-up
    r"|\s(?:tán\s+thành|nhất\s+trí|thông\s+qua)\s|\scó\s+nhu\s+cầu\b|\scó\s+(?:Vụ|Cục|Viện)\s+trưởng\b|\scó\s+(?:Giám\s+đốc|Chánh|Trưởng|Phó)\s"
)
# "..., nếu thoả mãn các điều kiện ... thì được quyền ký kết ...": a permission under conditions (CONVENTIONS).
_PERMISSION = re.compile(r"\bthì\s+được(?:\s+(?:quyền|phép))?\s")
# "Đơn vị, tổ chức thực hiện nhiệm vụ bồi thường ... có trách nhiệm ...": any body doing that work, a rule of a
# normative text (CONVENTIONS: not a task), not a named unit.
_NORM_SUBJECT = re.compile(r"^(?:Đơn vị|Tổ chức|Cơ quan)(?:,\s*(?:đơn vị|tổ chức|cơ quan|cá nhân))*\s+(?:thực hiện|làm)\s+nhiệm\s+vụ\b")
# "Bộ Tài chính gửi kèm bộ Cẩm nang gồm:": a list of enclosures follows, not tasks.
_LIST_LEAD = re.compile(r"\sgồm\s*:?\s*$")
_SCOPE_ARTICLE = re.compile(r"(?:Phạm\s+vi\s+điều\s+chỉnh|Đối\s+tượng\s+áp\s+dụng|Giải\s+thích\s+từ\s+ngữ)"
                            r"(?:\s+và\s+(?:đối\s+tượng\s+áp\s+dụng|phạm\s+vi\s+điều\s+chỉnh))?\s*$", re.IGNORECASE)
# "Đơn vị cung cấp dịch vụ đăng kiểm được thu các chi phí ...": what a body may do, not a task.
_MAY = re.compile(r"^[^,;.]{0,80}?\sđược\s+(?:thu|phép|quyền|hưởng|miễn|giảm)\b")
_RATE_ITEM = re.compile(r":\s*[\d.,]+\s*(?:đồng|triệu|%)")
_LETTER_CLAUSE = re.compile(r"\s+có\s+(?:văn\s+bản|ý\s+kiến)\b")
_ROLE_LABEL = re.compile(r"(?:Cơ\s+quan|Đơn\s+vị)\s+(?:chủ\s+trì|phối\s+hợp|thực\s+hiện)(?:\s+thực\s+hiện)?\s*:")
_MODAL_END = re.compile(r"\s+(?:phải|cần|cần phải|sẽ)$")


def _after_circumstance(t: str) -> str:
    """The clause after a leading circumstance ("Trong năm 2014, các địa phương tiếp tục ...", "Căn cứ số vốn
    được phân bổ, Ủy ban nhân dân cấp tỉnh phân bổ ..."): it starts at the comma that opens a unit."""
    if is_unit_start(t) or not _CIRCUMSTANCE.match(t):
        return t
    for m in re.finditer(r",\s+", t[:300]):
        if is_unit_start(t[m.end() :]):
            # "nếu có vướng mắc, các đơn vị liên hệ ...": a procedural conditional is no task (corpora/dev 02).
            return t if _PROCEDURAL.search(t[: m.start()]) else t[m.end() :]
    return t


_REMIT = re.compile(r"(?<=\s)theo\s+(?:chức\s+năng|thẩm\s+quyền|nhiệm\s+vụ\s+được\s+giao)")
_SCOPE = re.compile(r"\s+trong\s+phạm\s+vi(?:\s*,\s*|\s+)(?:chức\s+năng,\s*)?nhiệm\s+vụ,\s*quyền\s+hạn(?:\s+được\s+giao)?\s*$")
_RECURRING = re.compile(r"\bđịnh\s+kỳ\b|\bhằng\s+(?:quý|tháng|năm|tuần)\b|\bhàng\s+(?:quý|tháng|năm|tuần)\b")
_MONTH_DEADLINE = re.compile(r"\b(?:trong|hết|cuối|trước\s+hết)\s+tháng\s+(?P<m>\d{1,2})\s*(?:/|năm)\s*(?P<y>(?:19|20)\d\d)\b")
_DAY_MONTH_DEADLINE = re.compile(
    r"\b(?:trước|chậm\s+nhất(?:\s+là)?|hạn\s+chót|không\s+quá)\s+(?:ngày\s+)?(?P<d>\d{1,2})/(?P<m>\d{1,2})(?![/\d])(?!\s+(?:hằng|hàng)\s+năm)"
)


def short_deadline(sentence: str, issued: str | None) -> str | None:
    """A deadline written without a full date: "trong tháng 12/2025" (the month's last day), "hoàn thành
    trước 30/11" (the year of issue, or the next one when that day has already passed at issue); "trước
    15/12 hằng năm" recurs and names no one date."""
    m = _MONTH_DEADLINE.search(sentence)
    if m and 1 <= int(m.group("m")) <= 12:
        year, month = int(m.group("y")), int(m.group("m"))
        return valid_date(year, month, calendar.monthrange(year, month)[1])
    m = _DAY_MONTH_DEADLINE.search(sentence)
    if m and issued:
        year = int(issued[:4])
        found = valid_date(year, int(m.group("m")), int(m.group("d")))
        if found and found < issued:
            found = valid_date(year + 1, int(m.group("m")), int(m.group("d")))
        return found
    return None


_LINE_VERB = re.compile(rf"(?P<prev>\S+)(?P<gap>[ \t]*\n\s*)(?P<v>(?:{_VERBS}))(?!\w)", re.IGNORECASE)


def _line_verbs_lowered(text: str) -> str:
    """``text`` with a capitalised task verb that opens a line written lower case, same length: web pages
    wrap "Giao Sở Xây dựng" / "Theo dõi, đôn đốc ..." so that the task's verb reads like part of a name. A
    word that names a unit by itself before the break ("Ban" / "Chỉ đạo ...") keeps the capital."""
    def lower(m: re.Match) -> str:
        v = m.group("v")
        if not v[:1].isupper() or m.group("prev").capitalize() in _SINGLE_HEADS:
            return m.group(0)
        return m.group("prev") + m.group("gap") + v[:1].lower() + v[1:]
    return _LINE_VERB.sub(lower, text)


def find_tasks(text: str, sents: list[Sentence], deadlines: list[dict]) -> list[dict]:
    """Assignments, in text order."""
    issued = next((d["value"] for d in deadlines if d["role"] == "issued"), None)
    reader = _TaskReader(text, deadlines, issued)
    for s in sents:
        t = " ".join(s.text.split())  # web and OCR line breaks inside a sentence are spaces here
        if not t:
            continue
        reader.verbs_cased = " ".join(_line_verbs_lowered(s.text).split())
        reader.close_heading(s, t)
        reader.read(s, t)
    return reader.tasks


@dataclass
class _TaskReader:
    """What find_tasks carries from one sentence to the next: the tasks so far and the open unit heading."""

    text: str
    deadlines: list[dict]
    issued: str | None
    tasks: list[dict] = field(default_factory=list)
    verbs_cased: str = ""
    in_scope: bool = False  # inside an article that says whom or what the text covers  # the sentence with verbs that open a line lower-cased (_line_verbs_lowered)
    # (assignee, bullet kind of its heading, coordinating units the heading names for all its items)
    pending: tuple[str, str | None, list[str]] | None = None
    open_item: int | None = None  # the task of a heading's item whose paragraph may go on
    item_kind: str | None = None  # bullet kind of the items read under the open heading so far
    suspended: tuple[tuple[str, str | None, list[str]], str | None] | None = None  # heading paused by an aside

    def close_heading(self, s: Sentence, t: str) -> None:
        """End the open heading where its items end: at the next heading of its level, or at a plain
        paragraph that neither opens with a verb ("b) Bộ Tài chính:" / "Phối hợp với ...", the heading's
        task) nor with a unit and its verb (a task of its own inside the section). An aside between
        lettered items ("Ngoài nguồn vốn ..., tùy điều kiện ...") only pauses the heading."""
        if s.continued:
            return
        if self.pending is None:
            if self.suspended and s.bullet is not None and s.bullet == self.suspended[1]:
                self.pending, self.item_kind = self.suspended
            self.suspended = None
            return
        if s.bullet is None and (_VERB_RE.match(t[:1].lower() + t[1:]) or _unit_clause(t)):
            return
        if s.bullet is None:
            self.suspended = (self.pending, self.item_kind)
        if s.bullet is None or _rank(s.bullet) <= _rank(self.pending[1]):
            self.pending, self.item_kind = None, None

    def read(self, s: Sentence, t: str) -> None:
        """Try the sentence forms in order of how sure they are; the first that reads it wins."""
        open_item = self.open_item if s.continued else None
        self.open_item = None
        # "Điều 2. Đối tượng áp dụng" / "1. Cán bộ, công chức ... làm việc trong ...": whom a rule covers, not
        # tasks, up to the next article.
        if s.bullet == "Điều" and not s.continued:
            self.in_scope = bool(_SCOPE_ARTICLE.match(t))
        if self.in_scope:
            return
        # "2. Trách nhiệm của UBND các tỉnh" / "d) Giao Sở Xây dựng ...": assigning is the heading unit's duty.
        if self.pending and self.pending[1] and s.bullet and not s.continued and re.match(r"Giao\s", t) \
                and _rank(s.bullet) > _rank(self.pending[1]) and self._heading_item(s, t):
            return
        if _ROLE_LABEL.match(t):  # "- Cơ quan chủ trì: Sở Nội vụ" in a plan's table of tasks: a label
            return
        for rule in (self._giao, self._request, self._unit_trigger, self._closing):
            if rule(s, t):
                return
        if s.continued and self.tasks and re.match(r"chủ\s+trì\s*,\s*phối\s+hợp", t):
            parsed = _parse_rest("X " + t)
            if parsed:
                self.add(self.tasks[-1]["assignee"], parsed[1], parsed[2], s, 0.8)
                return
        # "... đề nghị X thực hiện nghiêm túc ... . Cụ thể:": the bullets below are X's too.
        if s.continued and self.tasks and re.fullmatch(r"Cụ thể(?: như sau)?\s*:", t):
            self.pending, self.item_kind = (self.tasks[-1]["assignee"], None, []), None
            return
        # A later sentence of a heading's item ("... hiện hành. Song song đó, tăng cường ...") is the same task.
        if open_item is not None and not _unit_clause(t):
            self._extend(open_item, s, t)
            return
        for rule in (self._unit_colon, self._units_heading, self._heading_item):
            if rule(s, t):
                return
        self._unit_verb(s, t)

    def _deadline_in(self, start: int, end: int) -> str | None:
        """The first deadline-role date in text[start:end], or a deadline written without a full date."""
        found = next((d for d in self.deadlines if start <= d["start"] < end and d["role"] == "deadline"), None)
        return found["value"] if found else short_deadline(self.text[start:end], self.issued)

    def _extend(self, index: int, s: Sentence, t: str) -> None:
        """Append a further sentence of the same paragraph to task ``index``."""
        task = self.tasks[index]
        task["description"] = _clean(task["description"] + ". " + t)
        task["span"][1] = s.start + len(s.text.rstrip())
        task["deadline"] = task["deadline"] or self._deadline_in(s.start, task["span"][1])
        self.open_item = index

    def add(self, assignee: str, coordinating: list[str], desc: str, s: Sentence, conf: float) -> bool:
        """Record one task, its unit cleaned and its deadline the first one inside the sentence; False when
        nothing is left of the unit or the task once cleaned."""
        # "Ủy ban nhân dân phường, xã (sau đây gọi là Ủy ban nhân dân cấp xã)": the name, not its short form.
        assignee = re.sub(r"\s*\((?:sau đây )?gọi (?:tắt )?là[^)]*\)", "", assignee)
        remit = _REMIT.search(assignee)  # "Bộ Y tế theo chức năng, nhiệm vụ được giao": the unit is "Bộ Y tế"
        if remit:
            assignee, desc = assignee[: remit.start()], assignee[remit.start() :] + " " + desc
        # "... đại biểu Hội đồng nhân dân thành phố trong phạm vi, nhiệm vụ, quyền hạn giám sát ...": the
        # scope of a body's powers is neither the body nor the task.
        assignee = _SCOPE.sub("", assignee)
        assignee = _MODAL_END.sub("", assignee.rstrip())  # "Ủy ban nhân dân các tỉnh phải thực hiện ..."
        letter = _LETTER_CLAUSE.search(assignee)  # "các cơ quan, đơn vị có văn bản báo cáo ...": the letter is the task's
        if letter:
            assignee, desc = assignee[: letter.start()], assignee[letter.start() :].strip() + " " + desc
        # "Ủy ban nhân dân cấp xã trong thời gian 15 ngày kể từ ngày nhận đơn có trách nhiệm ...": the time
        # belongs to the task.
        within = _WITHIN.search(assignee)
        desc = _DUTY_LEAD.sub("", desc.lstrip())  # "có trách nhiệm" is no part of the task (CONVENTIONS)
        if within:
            assignee, desc = assignee[: within.start()], assignee[within.start() :].strip() + " " + desc
        desc_c = _clean(desc)
        # "Sở Tư pháp là cơ quan chuyên môn ...", "Ủy ban nhân dân tỉnh quyết định việc ...", "Trường ... được phép
        # tuyển sinh": a definition, a power or a permission, not an assignment.
        if not desc_c or not assignee or _NOT_ASSIGNEE.search(assignee) or _NORM_SUBJECT.match(assignee.lstrip()) \
                or _PERMISSION.search(desc_c) or _MAY.match(desc_c) or assignee.startswith("Đơn vị tính"):
            return False
        end = s.start + len(s.text.rstrip())
        self.tasks.append({
            "assignee": _clean(assignee),
            "coordinating_units": coordinating,
            "description": desc_c,
            "deadline": self._deadline_in(s.start, end),
            "span": [s.start, end],
            "confidence": conf,
        })
        return True

    def _giao(self, s: Sentence, t: str) -> bool:
        """1. "Giao <unit> ...": a task, or a heading when it ends in a colon; True if the form matched."""
        # not "Giao tiếp"; "Giao trách nhiệm cho Giám đốc Sở ..." names the unit after "cho"
        m = re.match(r"^(?:Giao|giao)\s+(?!tiếp|thông|dịch|nhận|lưu|ban\b)(?:(?:trách\s+nhiệm|nhiệm\s+vụ)\s+)?(?:cho\s+)?", t)
        if m and s.bullet is not None and is_unit_start(t[m.end() :]) and len(t) < 160 \
                and _first_verb(t[m.end() :], head_length(t[m.end() :])) is None and ":" not in t:
            t += ":"  # "Điều 2. Giao Giám đốc Sở Giáo dục và Đào tạo" over its numbered items
        # "Hội đồng nhân dân Thành phố thống nhất giao Ủy ban nhân dân Thành phố bố trí ...": the unit given
        # the work is the one after "giao".
        by_unit = None if m or not is_unit_start(t) else re.search(r"\s(?:thống nhất\s+)?giao\s+(?:cho\s+)?", t[:160])
        if by_unit and is_unit_start(t[by_unit.end() :]) and _first_verb(t[: by_unit.start()], head_length(t)) is None:
            m = by_unit
        parsed = self._parse_cased(t, m.end()) if m else None
        role = re.match(r"(?P<u>.{3,160}?)\s+(?P<d>là\s.+)$", t[m.end() :]) if m and not parsed else None
        if role and is_unit_start(role.group("u")):  # "Giao Vụ Tổ chức cán bộ là đơn vị thường trực của ..."
            self.add(role.group("u"), [], role.group("d"), s, 0.85)
            return True
        if not parsed:
            return False
        a, co, d, _ = parsed
        if t.endswith(":") and len(d) < 120 or not d:  # "Giao Ủy ban nhân dân Thành phố:" and its items
            self.pending = (_clean(a), s.bullet, co)
        else:
            self.add(a, co, d, s, 0.9)
        return True

    def _parse_cased(self, t: str, start: int) -> tuple[str | None, list[str], str, int] | None:
        """_parse_rest of t[start:], read on the copy whose line-opening verbs are lower case, the task's
        text taken from t as printed."""
        cased = self.verbs_cased if len(self.verbs_cased) == len(t) else t
        parsed = _parse_rest(cased[start:])
        if not parsed:
            return None
        a, co, _, off = parsed
        return a, co, t[start + off :], off

    def _request(self, s: Sentence, t: str) -> bool:
        """2. "Yêu cầu/Đề nghị <unit> ..." (not "Theo đề nghị của ..."); True if the form matched."""
        m = re.search(r"(?:^|[\s,])(?:Yêu cầu|yêu cầu|Đề nghị|đề nghị)\s+(?!của\b)", t)
        if not m or re.search(r"[Tt]heo\s+$", t[: m.start() + 1]) or (
            t.startswith(("Căn cứ", "Theo", "Xét")) and not t.rstrip().endswith(":")
        ):
            return False
        if _PROCEDURAL.search(t[: m.start()]):  # "nếu có vướng mắc, đề nghị ... phản ánh về ..." (corpora/dev 02)
            return True
        rest2 = t[m.end() :]
        g = re.search(r"\s(?:giao|giao cho)\s+(?=\S)", rest2)
        if g and is_unit_start(rest2[g.end() :]) and not _VERB_RE.search(rest2[: g.start()]):
            rest2 = rest2[g.end() :]
        parsed = _parse_rest(rest2) if is_unit_start(rest2) else None
        if not parsed and s.bullet is not None and is_unit_start(rest2) and len(rest2) < 160:
            # "4. Đề nghị Ủy ban Mặt trận Tổ quốc Việt Nam thành phố và các Đoàn thể" over its bullets
            self.pending, self.item_kind = (_clean(rest2), s.bullet, []), None
            return True
        if not parsed:
            return False
        a, co, d, _ = parsed
        if t.rstrip().endswith(":"):
            self.pending = (_clean(a), s.bullet, co)
        else:
            self.add(a, co, d, s, 0.85)
        return True

    def _unit_trigger(self, s: Sentence, t: str) -> bool:
        """3. "<unit> chủ trì / có trách nhiệm / chịu trách nhiệm / có nhiệm vụ ..."; True if it matched."""
        t = _after_circumstance(t)  # "Định kỳ (trước ngày 30 tháng 6 hằng năm), Ủy ban nhân dân cấp xã có ..."
        m = _TRIGGER_AFTER_UNIT.search(t)
        if not m:
            return False
        trig = " ".join(m.group("t").split())
        if not (is_unit_start(t) and (
            m.start() < 450 if trig == "chịu trách nhiệm" else m.start() < 160 and not re.search(r"\d", t[: m.start()])
        )):
            return False
        a = t[: m.start()]
        rest = t[m.start() :].lstrip()
        after = rest[len(m.group("t")) :]
        if trig in ("có trách nhiệm", "có nhiệm vụ") and re.match(r"\s*(?:chủ\s+trì|phối\s+hợp)", after):
            rest = after.lstrip()
        # "1. Bộ Tài chính chủ trì, phối hợp với các bộ, địa phương liên quan:": a heading; its items are
        # the unit's tasks with those coordinating units.
        # Web pages also drop the colon ("1. Sở Tài chính chủ trì, phối hợp với Văn phòng UBND tỉnh" / "Rà soát ...").
        units = re.fullmatch(r"(?:chủ\s+trì\s*,?\s*)?phối\s+hợp\s+(?:với|cùng)\s+(?P<u>[^:]+?)(?::|(?<![.;]))", rest)
        if units and _first_verb(units.group("u")) is None:
            self.pending, self.item_kind = (_clean(a), s.bullet, _split_units(units.group("u"))), None
            return True
        if after.strip() == ":":  # "3. Quỹ đầu tư phát triển Thành phố có trách nhiệm:" and its items
            self.pending, self.item_kind = (_clean(a), s.bullet, []), None
            return True
        if re.match(r"(?:chủ\s+trì|phối\s+hợp|chủ\s+động\s+phối\s+hợp)", rest):
            parsed = _parse_rest("X " + rest)
            if parsed:
                _, co, d, _ = parsed
                self.add(a, co, d, s, 0.85)
                return True
        self.add(a, [], after, s, 0.85)
        return True

    def _closing(self, s: Sentence, t: str) -> bool:
        """3b. The executing article "<units> căn cứ Quyết định thi hành", whose list of units may be long."""
        m = _CLOSING.search(t)
        if not (m and is_unit_start(t) and m.start() < 400):
            return False
        return self.add(t[: m.start()], [], t[m.start() :], s, 0.85)

    def _unit_colon(self, s: Sentence, t: str) -> bool:
        """4. "<unit>: <task>", or a unit heading "<unit>:" for the items below; True if it matched."""
        m = re.match(r"^(?P<u>[^:]{3,250}):\s*(?P<d>.*)$", t)
        if not (m and is_unit_start(t) and not _VERB_RE.search(m.group("u")) and not _NOT_HEADING.search(m.group("u"))):
            return False
        d0 = m.group("d").strip()
        if d0 and not _VERB_RE.match(d0[:1].lower() + d0[1:]):
            return True
        if d0:
            self.add(m.group("u"), [], m.group("d"), s, 0.8)
        else:
            self.pending, self.item_kind = (_clean(m.group("u")), s.bullet, []), None
        return True

    def _units_heading(self, s: Sentence, t: str) -> bool:
        """4b. A numbered heading that only names the units, its lettered items below; True if it is one."""
        # "1. Thủ trưởng các sở, ban, ngành tỉnh; Chủ tịch UBND các xã, phường"; "2. Trách nhiệm của Ủy ban
        # nhân dân các tỉnh, thành phố" (the unit is the one named after "của").
        duty = re.match(r"(?:Trách nhiệm|Nhiệm vụ)(?: cụ thể)? của\s+", t)
        named = t[duty.end() :].rstrip(" :") if duty else t
        if s.bullet is not None and is_unit_start(named) and len(t) < 200 and not t.endswith(".") \
                and (duty or not t.endswith(":")) and _first_verb(named, head_length(named)) is None:
            self.pending, self.item_kind = (_clean(named), s.bullet, []), None
            return True
        return False

    def _heading_item(self, s: Sentence, t: str) -> bool:
        """5. An item under an open heading, keeping "Chủ trì, phối hợp với <units>"; True if it is one."""
        # An unbulleted paragraph reaches here only as the task of a "<unit>:" heading (see close_heading).
        # An item that names its own unit and verb ("- Các tỉnh, thành phố tổ chức quản lý ...") is that unit's.
        if not self.pending or _unit_clause(t) or s.bullet is None and s.continued:
            return False
        # "2. Chủ tịch UBND các huyện quyết định đơn giá ...": another unit's power, not the heading's task.
        verb = _first_verb(t, head_length(t))
        if is_unit_start(t) and _NOT_ASSIGNEE.search(t[: verb.start() if verb else len(t)]):
            return True
        t = _REMIT_LEAD.sub("", t)  # "Căn cứ chức năng, nhiệm vụ, phối hợp với ... triển khai ..."
        # "1. Tăng cường các biện pháp ...:" under "yêu cầu X ... như sau:", or a short title ("I. Nội dung
        # phong trào thi đua"): a topic; its items stay X's.
        if s.bullet is not None and not is_unit_start(t) and (t.endswith(":") or (
                len(t) < 80 and not t.endswith((".", ";")) and not _VERB_RE.match(t[:1].lower() + t[1:]))):
            return True
        # An item that opens with a label is a topic or a list entry ("Dự án 1: Phòng ngừa ...", "Quy chuẩn
        # QCVN 01:2022/BQP ...", "Thông tin về ..."), not a task.
        if _LABEL_ITEM.match(t):
            return True
        # A post or a rate in a list ("Cán bộ Tuyên giáo", "Tổ phó Tổ bảo vệ dân phố: 88.000 đồng/tháng"): not a
        # task.
        name = t.split("(")[0]
        if _RATE_ITEM.search(t) or (is_unit_start(t) and _first_verb(name, head_length(name)) is None):
            return True
        coordinating: list[str] = list(self.pending[2])
        if re.match(r"(?:[Cc]hủ trì\s*,?\s*)?(?:[Pp]hối hợp)|[Cc]ùng với\s", t):
            parsed = _parse_rest("X " + t[:1].lower() + t[1:])
            if parsed and parsed[1]:
                coordinating, t = parsed[1], parsed[2]
        if self.add(self.pending[0], coordinating, t, s, 0.75):
            self.open_item = len(self.tasks) - 1
        if s.bullet is not None:
            self.item_kind = s.bullet
        return True

    def _unit_verb(self, s: Sentence, t: str) -> None:
        """6. "<unit> <verb> ...": kept only as a bullet item or with a deadline, so plain prose is not a task."""
        # A short label before a colon ("Chế độ báo cáo: các cơ quan, đơn vị gửi ...") is skipped.
        label = re.match(r"^[^:]{2,40}:\s+", t)
        if label and is_unit_start(t[label.end() :]):
            t = t[label.end() :]
        t = _after_circumstance(t)
        if _MEMBER_ITEM.search(t):
            return
        if _LIST_LEAD.search(t) and is_unit_start(t):  # its items are things, not the open heading's tasks
            self.pending = self.suspended = None
            return
        v = _first_verb(t, head_length(t))
        # "<units> theo chức năng, nhiệm vụ ... <verb>": the units end where their remit is named.
        remit = _REMIT.search(t, 0, v.start()) if v else None
        cut = remit.start() if remit else v.start() if v else 0
        if not (v and is_unit_start(t) and cut < 250 and not t.startswith(("Ông ", "Bà "))):
            return
        has_deadline = any(s.start <= d["start"] < s.start + len(s.text) and d["role"] == "deadline"
                           for d in self.deadlines)
        if has_deadline or s.item or self.pending or _RECURRING.search(t) or short_deadline(t, self.issued):
            self.add(t[:cut], [], t[cut:], s, 0.7 if has_deadline else 0.6)
            if t.rstrip().endswith(":"):  # "... các nội dung trọng tâm sau:": the items below are theirs too
                self.pending = (_clean(t[:cut]), s.bullet, [])
