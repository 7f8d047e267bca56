"""The document's own facts: header (issuer, number, place, date, type, subject), the signature block and
the recipients. Works on cells, so that a ``LEFT<TAB>RIGHT`` typed header and the OCR reading order
(left column block, then right column block) give the same result."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from pipeline.orthography import UPPER, is_plausible_syllable

from .casing import known_place, proper_name, restore_case, sentence_case
from .lexicon import (
    AUTHORITY_PREFIXES,
    DOC_TYPES,
    SECRECY,
    SIGNER_TITLES,
    SURNAMES,
    URGENCY,
    fold,
    nfc,
    place_names,
)
from .patterns import DATE_RE, NUMSYM_RE, expect_code, fix_symbol, split_numsym, type_code_of, valid_date
from .reflow import completes
from .textutil import Cell, folded_startswith, is_upper_line

_SEPARATOR = re.compile(r"^[\s\-_=.*~–—]{3,}$")
_NUMBER_LINE = re.compile(
    r"^(?:(?:Bộ\s+)?Luật\s+|Pháp\s+lệnh\s+|Nghị\s+quyết\s+)?S[ốôóo6]\s*[:.;]?\s*(?P<rest>.*)$", re.IGNORECASE
)
# "Hà Nội, ngày ..."; real text sometimes drops the comma ("Hà Nội ngày 01"), then the place must be a name.
_DATE_LINE = re.compile(
    r"^(?:(?P<place>[^\d,;:]{2,40}?)\s*,\s*|(?P<place2>(?:TP\.\s*)?[A-ZĐÀ-Ỹ][\wÀ-ỹ]*(?:\s+[A-ZĐÀ-Ỹ][\wÀ-ỹ]*){0,3})\s+)"
    r"(?P<date>[Nn]gày\b.*|[Nn]g[àa]\S*\s*\S{0,4}?\s*th\S{1,2}ng.*)$"  # OCR: "ngàu)9 thắng § năm"
)
# A letter's subject opened by "Về" instead of "V/v", under the number.
_ABOUT = re.compile(r"^Về\s+(?!việc\b)(?P<rest>[a-zđà-ỹ].*)$")
_VV = re.compile(r"^V\s*[/.]?\s*[vV]\b\.?\s*:?\s*(?P<rest>.*)$")
_BODY_START = re.compile(
    r"^(?:Căn cứ|Thực hiện|Theo|Ngày\s+\d|Hôm nay|Vào\s+(?:hồi|lúc)|Để|Nhằm|Sau khi|Trong|Qua|Nhằm|I\.|1\.|"
    r"Thời gian|Phần|Chương|Điều\s+\d|Kính\s+gửi)",
)
_FOLDED_TYPES = {fold(name): name for name in DOC_TYPES}
_ISSUER_HEADS = (
    "UBND", "HDND", "UY BAN", "HOI DONG", "BO ", "SO ", "PHONG", "VAN PHONG", "BAN ", "CUC", "TONG CUC",
    "CHI CUC", "VU ", "TRUNG TAM", "TRUONG", "CONG AN", "THANH TRA", "KHO BAC", "BENH VIEN", "DANG UY",
    "TINH UY", "HUYEN UY", "QUOC HOI", "CHINH PHU", "THU TUONG", "TO ", "DOAN", "HOI ", "VIEN", "DAI ",
    "TRAM", "CHI NHANH", "CONG TY", "BAO HIEM", "MAT TRAN", "LIEN DOAN", "UY BAN THUONG VU",
)


@dataclass
class Field:
    """A value with where it came from and how sure the rule is."""

    value: object
    start: int
    end: int
    confidence: float


@dataclass
class Header:
    fields: dict[str, Field] = field(default_factory=dict)
    recipients: list[Field] = field(default_factory=list)
    signer: dict[str, Field] = field(default_factory=dict)
    unknown: list[dict] = field(default_factory=list)  # {"field", "reason"[, "partial"]} of fields left null
    end_line: int = 0  # first line of the body
    date_span: tuple[int, int] | None = None


def match_type(cell: str) -> tuple[str, float] | None:
    """The document type named by a heading line ("QUYẾT ĐỊNH", damaged "QUYET DJNH"), with a score."""
    # Specks OCR reads beside a centred title ("l : QUYẾT ĐỊNH -") are no part of it.
    raw = re.sub(r"^(?:[^\w\s]+\s*|[a-z]\s*[:;.,]\s*)+(?=[A-ZĐÀ-Ỹ]{2})", "", cell.strip())
    raw = re.sub(r"(?<=[A-ZĐÀ-Ỹ]{2})\s+[-_.,~'`]+$", "", raw).rstrip(":").strip()
    if not raw or len(raw) > 24 or not is_upper_line(raw) or cell.strip().endswith(":"):
        return None
    key = re.sub(r"\s+", " ", fold(raw))
    if key in _FOLDED_TYPES:
        return _FOLDED_TYPES[key], 0.98
    best, score = None, 0.0
    for folded, name in _FOLDED_TYPES.items():
        s = fuzz.ratio(key, folded)
        if s > score:
            best, score = name, s
    if best and score >= 85:
        return best, round(score / 100 * 0.9, 3)
    return None


def _is_issuer_start(cell: str) -> bool:
    return fold(cell).startswith(_ISSUER_HEADS)


# One-word lines that open a body's name ("CỤC" / "HẢI QUAN"); not "TRƯỜNG", the end of "MÔI TRƯỜNG".
_HEAD_WORDS = {"CUC", "SO", "BO", "VU", "VIEN", "PHONG"}


_PREFIX = re.compile(r"^(?:V\s*/\s*v\.?|Về\s+việc)\s*:?\s*", re.IGNORECASE)


def _clean_subject(s: str) -> str:
    s = re.sub(r"\s+", " ", s).strip()
    s = _PREFIX.sub("", s)
    return s.rstrip(" .;,")


def _ocr_digits(s: str) -> str:
    """Letters OCR puts for digits next to digits in a date line ("ngàyl6" for "ngày16"); same length, so
    offsets hold."""
    s = re.sub(r"(?<=\d)[lI|]|[lI|](?=\d)", "1", s)
    return re.sub(r"(?<=\d)[Oo]|(?<=\s)[Oo](?=\d)", "0", s)


def parse_date_text(s: str) -> tuple[str | None, int, int] | None:
    """ISO date (None when invalid, e.g. 31/2) of the first date in s, with its offsets in s."""
    m = DATE_RE.search(s) or DATE_RE.search(_ocr_digits(s))
    if not m:
        return None
    d, mo, y = (m.group("d"), m.group("m"), m.group("y")) if m.group("d") else (m.group("d2"), m.group("m2"), m.group("y2"))
    return valid_date(int(y), int(mo), int(d)), m.start(), m.end()


_DATE_PARTS = re.compile(
    r"ng[àa]y?\s*(?P<d>[^\s]{0,4}?)\s*th\S{1,2}ng\s*(?P<m>[^\s]{0,4}?)\s*năm\s*(?P<y>[^\s]{0,6})", re.IGNORECASE
)


def date_unknown(s: str) -> dict:
    """Why the date line ``s`` gives no date, and what of it was read ("ngày ô tháng 5 năm 2019": the
    day is unreadable, May 2019 is known; "ngày   tháng   năm 2025": left blank, the year is known)."""
    s = " ".join(s.split())
    m = _DATE_PARTS.search(s)
    if not m:
        return {"field": "date", "reason": f"no date in {s[:60]!r}"}
    parts = {"day": m.group("d").strip(".,…_"), "month": m.group("m").strip(".,…_"), "year": m.group("y").strip(".,…_")}
    ok = {k: v for k, v in parts.items() if v.isdigit()}
    year = ok.get("year") if ok.get("year") and re.fullmatch(r"(?:19|20)\d\d", ok["year"]) else None
    month = ok.get("month") if ok.get("month") and 1 <= int(ok["month"]) <= 12 else None
    bad = [k for k in ("day", "month", "year") if k not in ok or (k == "year" and not year) or (k == "month" and not month)]
    blank = all(not parts[k] for k in bad)
    reason = f"the {', '.join(bad)} {'is' if len(bad) == 1 else 'are'} " + (
        "left blank" if blank else "unreadable (" + ", ".join(repr(parts[k]) for k in bad if parts[k]) + ")")
    if not bad:
        reason = f"no such calendar date ({s[m.start():m.end()]!r})"
    out = {"field": "date", "reason": reason}
    if year:
        out["partial"] = f"{int(year):04d}" + (f"-{int(month):02d}" if month else "")
    return out


@dataclass
class _HeaderScan:
    """What the header scan gathers for the steps after it: the issuer and subject lines, the type line."""

    issuer_cells: list[Cell] = field(default_factory=list)
    subject_cells: list[Cell] = field(default_factory=list)
    in_vv: bool = False  # inside a "V/v" subject that runs over several lines
    type_line: int | None = None


def parse_header(text: str, cells_by_line: list[list[Cell]]) -> Header:
    """Read the header zone: the lines before the type line, the "Kính gửi" line or the body."""
    h = Header()
    scan = _scan_header(cells_by_line, h)
    _issuer(text, scan.issuer_cells, h)
    _number(h)
    _type_and_subject(text, cells_by_line, scan, h)
    return h


def _scan_header(cells_by_line: list[list[Cell]], h: Header) -> _HeaderScan:
    """Walk the first lines cell by cell, up to the page break or the cell that ends the header."""
    scan = _HeaderScan()
    last = min(len(cells_by_line), 25)
    for i in range(last):
        cells = cells_by_line[i]
        if not cells:
            continue
        if any(c.text == "\f" for c in cells):
            break
        if any(_header_cell(c, i, cells_by_line, last, scan, h) for c in cells):
            h.end_line = i
            break
    else:
        h.end_line = last
    return scan


def _header_cell(c: Cell, i: int, cells_by_line: list[list[Cell]], last: int, scan: _HeaderScan, h: Header) -> bool:
    """Read one header cell into ``h`` or ``scan``; True when it ends the header (type line, body start)."""
    t = c.text
    if _SEPARATOR.match(t):
        scan.in_vv = False if c.col != 0 else scan.in_vv
        return False
    f = fold(t)
    if "CONG HOA XA HOI" in f or ("DOC LAP" in f and "TU DO" in f):
        scan.in_vv = scan.in_vv and c.col == 0
        return False
    mt = match_type(t)
    if mt:
        h.fields["type"] = Field(mt[0], c.start, c.end, mt[1])
        scan.type_line = i
        return True
    if _number_cell(c, i, cells_by_line, last, scan, h):
        return False
    mdate = _DATE_LINE.match(t)
    if mdate and "date" not in h.fields:
        _place_and_date(c, mdate, h)
        scan.in_vv = False
        return False
    mvv = _VV.match(t) or (_ABOUT.match(t) if "number_raw" in h.fields and not scan.subject_cells else None)
    if mvv and c.col != 1:
        scan.subject_cells = [Cell(mvv.group("rest"), c.start + mvv.start("rest"), c.end, c.line, c.col)]
        scan.in_vv = True
        return False
    if _marking(c, f, h):
        return False
    if folded_startswith(t, "Kính gửi") or _BODY_START.match(t) or t.strip() == "Kính":  # "Kính" / "gửi:"
        return True
    if scan.in_vv and c.col != 1:
        scan.subject_cells.append(c)
        return False
    if is_upper_line(t) and "number_raw" not in h.fields and c.col != 1 and len(t) <= 90:
        scan.issuer_cells.append(c)
    return False


def _number_cell(c: Cell, i: int, cells_by_line: list[list[Cell]], last: int, scan: _HeaderScan, h: Header) -> bool:
    """The first "Số: ..." cell gives the raw number (and a "V/v" subject run into it); True if it did."""
    mnum = _NUMBER_LINE.match(c.text)
    if not mnum or "number_raw" in h.fields:
        return False
    rest = mnum.group("rest")
    if not rest.strip() and i + 1 < last:
        # "Số:" alone, the number on the next line (old layouts, OCR line breaks).
        nxt = next((x for x in cells_by_line[i + 1] if x.col == c.col), None)
        if nxt is not None and NUMSYM_RE.match(nxt.text):
            h.fields["number_raw"] = Field(nxt.text, nxt.start, nxt.end, 0.85)
            return True
    if not re.search(r"[\d./…]", rest or ""):
        return False
    off = c.start + mnum.start("rest")
    h.fields["number_raw"] = Field(rest, off, c.end, 0.9)
    scan.in_vv = False
    vv = re.search(r"\sV\s*/\s*v\b\.?\s*:?\s*(?P<s>\S.*)$", rest)  # "Số: 8794/VPCP-KGVX V/v ban hành ..."
    if vv:
        scan.subject_cells = [Cell(vv.group("s"), off + vv.start("s"), c.end, c.line, c.col)]
        h.fields["number_raw"] = Field(rest[: vv.start()], off, off + vv.start(), 0.9)
        scan.in_vv = True
    return True


def _place_and_date(c: Cell, mdate: re.Match, h: Header) -> None:
    """The "<place>, ngày ..." line gives both fields; an unreadable date is recorded with its reason."""
    key = "place" if mdate.group("place") is not None else "place2"
    place = mdate.group(key).strip()
    poff = c.start + mdate.start(key)
    parsed = parse_date_text(mdate.group("date"))
    if parsed:
        iso, ds, de = parsed
        dstart = c.start + mdate.start("date") + ds
        h.fields["date"] = Field(iso, dstart, c.start + mdate.start("date") + de, 0.97 if iso else 0.0)
        h.date_span = (dstart, c.start + mdate.start("date") + de)
    else:
        h.fields["date"] = Field(None, c.start + mdate.start("date"), c.end, 0.0)
    if not parsed or not parsed[0]:
        h.unknown.append(date_unknown(mdate.group("date")))
    known = place in place_names() or place.replace("TP. ", "") in place_names()
    h.fields["place"] = Field(place, poff, poff + len(place), 0.97 if known else 0.85)


def _marking(c: Cell, folded: str, h: Header) -> bool:
    """The first secrecy ("MẬT") or urgency ("HỎA TỐC") mark, spelt the official way; True if it was one."""
    mark = folded.strip(" .:")
    if mark in {fold(x) for x in SECRECY} and "secrecy" not in h.fields:
        h.fields["secrecy"] = Field(next(x for x in SECRECY if fold(x) == mark), c.start, c.end, 0.9)
        return True
    if mark in {fold(x) for x in URGENCY} and "urgency" not in h.fields:
        name = next(x for x in URGENCY if fold(x) == mark)
        h.fields["urgency"] = Field("HỎA TỐC" if name == "HOẢ TỐC" else name, c.start, c.end, 0.9)
        return True
    return False


def _type_and_subject(text: str, cells_by_line: list[list[Cell]], scan: _HeaderScan, h: Header) -> None:
    """The subject under the type line, or a letter's "V/v" (its type then "công văn"), or a bare title line."""
    subject_cells = scan.subject_cells
    if scan.type_line is not None:
        subject_cells = _subject_after_type(cells_by_line, scan.type_line, h)
    elif subject_cells:
        h.fields["type"] = Field("công văn", subject_cells[0].start, subject_cells[0].start, 0.85)
    if subject_cells:
        s, e = subject_cells[0].start, subject_cells[-1].end
        raw = " ".join(c.text for c in subject_cells)
        subject = _clean_subject(raw)
        if is_upper_line(subject):
            # After a dropped "VỀ VIỆC" the title goes on in lower case, as a "V/v" line is written.
            subject = sentence_case(subject, text, first_upper=not _PREFIX.match(raw.strip()))
        h.fields["subject"] = Field(subject, s, e, 0.9)
    elif "type" not in h.fields and "number_raw" not in h.fields and "date" not in h.fields:
        _title_line(cells_by_line, h)


_TITLE_LINE = re.compile(r"^(?P<type>" + "|".join(sorted((re.escape(t[:1].upper() + t[1:]) for t in DOC_TYPES), key=len,
                                                          reverse=True)) + r")\s+(?:về\s+việc\s+)?(?P<s>\S.*)$")
_ISSUER_LINE = re.compile(r"^(?:Ủy|Uỷ)\s+ban\s+nhân\s+dân|^Hội\s+đồng\s+nhân\s+dân|^(?:Bộ|Ủy\s+ban|Uỷ\s+ban)\s+\S")


def _title_line(cells_by_line: list[list[Cell]], h: Header) -> None:
    """A text kept without its header (archives that store the body only): the first line is "<Type> [về
    việc] <subject>" written in lower case, and the issuer may follow on its own line."""
    first = next((i for i, cells in enumerate(cells_by_line[:3]) if cells), None)
    if first is None or len(cells_by_line[first]) != 1:
        return
    c = cells_by_line[first][0]
    m = _TITLE_LINE.match(c.text)
    if not m or is_upper_line(c.text):
        return
    h.fields["type"] = Field(m.group("type").lower(), c.start, c.start + len(m.group("type")), 0.8)
    subject = restore_case(m.group("s").rstrip(" .;"))
    if m.start("s") == m.end("type") + 1:  # no "về việc" dropped: the title starts there ("Ban hành ...")
        subject = subject[:1].upper() + subject[1:]
    h.fields["subject"] = Field(subject, c.start + m.start("s"), c.end, 0.7)
    h.end_line = first + 1
    nxt = cells_by_line[first + 1] if first + 1 < len(cells_by_line) else []
    if len(nxt) == 1 and _ISSUER_LINE.match(nxt[0].text) and len(nxt[0].text) < 90:
        issuer = restore_case(nxt[0].text.rstrip(" .;"))
        h.fields["issuer"] = Field(issuer[:1].upper() + issuer[1:], nxt[0].start, nxt[0].end, 0.8)
        h.end_line = first + 2
        return
    # No issuer line: the body that enacts ("Uỷ ban nhân dân quận yêu cầu các phòng, ban ...").
    for cells in cells_by_line[first + 1: first + 80]:
        m = _ENACTING_SENTENCE.match(cells[0].text) if cells else None
        if m:
            c = cells[0]
            h.fields["issuer"] = Field(restore_case(m.group("body")), c.start, c.start + m.end("body"), 0.7)
            return


_ENACTING_SENTENCE = re.compile(
    r"^(?P<body>(?:Uỷ|Ủy)\s+ban\s+nhân\s+dân\s+(?:tỉnh|thành\s+phố|quận|huyện|thị\s+xã|xã|phường)"
    r"(?:\s+[A-ZĐÀ-Ỹ][\wÀ-ỹ]*)*)\s+(?:chỉ\s+thị|yêu\s+cầu|quyết\s+định|giao)\b")


# The line under a decision's title that names who decides ("ỦY BAN NHÂN DÂN TỈNH BẮC NINH", "BỘ TRƯỞNG BỘ
# GIÁO DỤC VÀ ĐÀO TẠO"): the title ends above it.
_ENACTING = ("UY BAN NHAN DAN", "UBND", "HOI DONG NHAN DAN", "CHU TICH", "BO TRUONG", "THU TUONG", "GIAM DOC",
             "CUC TRUONG", "TONG CUC TRUONG", "CHANH ", "TRUONG BAN", "HIEU TRUONG", "CHINH PHU", "UY BAN THUONG VU",
             "TONG GIAM DOC", "VIEN TRUONG", "BAN THUONG VU", "TRUONG PHONG", "TRUONG KHOA", "QUYET DINH", "CHI THI")


def _subject_after_type(cells_by_line: list[list[Cell]], type_line: int, h: Header) -> list[Cell]:
    """Trích yếu: the lines under the type line, up to the body, the enacting authority, a separator or a
    blank line; a title printed in capitals may run over several lines."""
    out: list[Cell] = []
    i = type_line + 1
    while i < len(cells_by_line) and len(out) < 8:
        cells = cells_by_line[i]
        if not cells:
            if out:
                break
            i += 1
            continue
        t = " ".join(c.text for c in cells)
        if _SEPARATOR.match(t) or _ends_title(cells, out) or (out and _BODY_START.match(t)) or t.endswith(":") or t == "\f":
            break
        if folded_startswith(t, "Kính gửi") or (out and t.endswith(";")):
            break
        out.extend(cells)
        i += 1
    h.end_line = i
    return out


def _ends_title(cells: list[Cell], so_far: list[Cell]) -> bool:
    """A capitals line that cannot continue the title: the enacting authority, or any capitals line under a
    title written in lower case."""
    t = " ".join(c.text for c in cells)
    if not is_upper_line(t):
        return False
    if so_far and not is_upper_line(" ".join(c.text for c in so_far)):
        return True
    return fold(t).startswith(_ENACTING)


# A parent body and its unit printed on one line ("BỘ TÀI CHÍNH TỔNG CỤC THUẾ"): the unit starts there.
_MERGED_UNIT = re.compile(r"^(?:BỘ|UBND|ỦY BAN NHÂN DÂN|UỶ BAN NHÂN DÂN)\s.*?\s(?<!TỔNG\s)(?<!CHI\s)"
                          r"(?P<unit>(?:TỔNG CỤC|CHI CỤC|CỤC|SỞ|VỤ|VĂN PHÒNG|TRƯỜNG ĐẠI HỌC)\s.*)$")


def _split_bodies(c: Cell) -> list[Cell]:
    m = _MERGED_UNIT.match(c.text)
    if not m:
        return [c]
    cut = m.start("unit")
    parent = c.text[:cut].rstrip()
    return [Cell(parent, c.start, c.start + len(parent), c.line, c.col),
            Cell(m.group("unit"), c.start + cut, c.end, c.line, c.col)]


def _issuer(text: str, cells: list[Cell], h: Header) -> None:
    units: list[list[Cell]] = []
    for c in [piece for cell in cells for piece in _split_bodies(cell)]:
        # A one-word line ("TRƯỜNG" under "SỞ NÔNG NGHIỆP VÀ MÔI") is the wrapped end of the name above, and
        # so is a line that completes the last word of the line above ("ỦY" / "BAN NHÂN DÂN").
        head = (_is_issuer_start(c.text) and len(c.text.split()) > 1) or fold(c.text).strip() in _HEAD_WORDS
        if not units or (head and not completes(units[-1][-1].text, c.text)):
            units.append([c])
        else:
            units[-1].append(c)
    if not units:
        return
    def name(group: list[Cell]) -> Field:
        # OCR specks after the name ("UBND HUYỆN KRÔNG BÚK ˆ") are no part of it.
        words = [w.strip("_~`'") for w in " ".join(c.text for c in group).split()]  # "THÀNH PHỐ_": ink
        while len(words) > 1 and not any(unicodedata.category(ch) in ("Lu", "Ll", "Nd") for ch in words[-1]):
            words.pop()
        upper = " ".join(w for w in words if w).rstrip(" .,:;-_'`")
        return Field(_place_completed(known_place(nfc(proper_name(upper, text))), h), group[0].start,
                     group[-1].end, 0.9)

    h.fields["issuer"] = name(units[-1])
    if len(units) >= 2:
        h.fields["parent_issuer"] = name(units[-2])


def _place_completed(name: str, h: Header) -> str:
    """A body whose place lost its last word on a scan ("Ủy ban nhân dân tỉnh Bắc" over a "MnH" speck)
    with the place of the date line that starts with it ("Bắc Ninh, ngày ...")."""
    m = re.search(r"(?:tỉnh|thành phố)\s+(?P<place>[A-ZĐÀ-Ỹ].*)$", name)
    place = h.fields.get("place")
    if not m or place is None or m.group("place") in place_names():
        return name
    written = str(place.value)
    if written.startswith(m.group("place") + " ") and written in place_names():
        return name[: m.start("place")] + written
    return name


def _compact(rest: str) -> tuple[str, list[int]]:
    """``rest`` with the spaces around "/" and after a "-" of a number taken out ("2827  /QĐ-BGDĐT",
    "3783/QĐ- UBND"), and for each kept character its index in ``rest``."""
    keep = [
        i for i, ch in enumerate(rest)
        if not (ch.isspace() and (re.match(r"\s*[/]", rest[i:]) or re.search(r"[/-]\s*$", rest[:i])))
    ]
    return "".join(rest[i] for i in keep), keep


def _number(h: Header) -> None:
    raw = h.fields.pop("number_raw", None)
    if not raw:
        h.unknown.append({"field": "number", "reason": "no number line (Số: ...) in the header"})
        return
    rest, where = _compact(str(raw.value))
    m = NUMSYM_RE.search(rest)
    number, symbol = split_numsym(m.group(0)) if m and m.start() <= 2 else (None, None)
    if m and symbol:
        s, e = raw.start + where[m.start()], raw.start + where[m.end() - 1] + 1
        if number:
            h.fields["number"] = Field(number, s, s + len(number), 0.95)
        h.fields["symbol"] = Field(symbol, e - len(symbol), e, 0.95)
        h.fields["number_symbol"] = Field(fix_symbol(m.group(0)) if number else None, s, e, 0.95)
        return
    # "Số: /QĐ-UBND" or "Số: ....../QĐ-UBND": the number was never filled in (or is handwritten and lost).
    for m2 in re.finditer(r"/(?P<sym>[^\s/]+)(?=\s|$)", rest):
        _, symbol = split_numsym("1/" + m2.group("sym"))
        if not symbol:
            continue
        off = raw.start + where[m2.start("sym")]
        h.fields["symbol"] = Field(symbol, off, off + len(symbol), 0.8)
        before = rest[: m2.start()].strip(" :")
        why = "left blank" if not before or set(before) <= set(".…_- ") else f"unreadable ({before!r})"
        h.unknown.append({"field": "number", "reason": f"the number is {why}; the symbol was read"})
        return
    h.unknown.append({"field": "number", "reason": f"no number and symbol in {str(raw.value)!r}"})


def apply_type_code(h: Header) -> None:
    """type_code from the symbol, checked against the type line; a letter's type from its symbol."""
    symbol = h.fields.get("symbol")
    typ = h.fields.get("type")
    if symbol is not None and typ is not None:
        fixed = expect_code(str(symbol.value), DOC_TYPES.get(str(typ.value)))
        if fixed != symbol.value:  # the type line says which code the symbol opens with
            h.fields["symbol"] = Field(fixed, symbol.start, symbol.end, 0.8)
            ns = h.fields.get("number_symbol")
            if ns is not None and ns.value:
                h.fields["number_symbol"] = Field(str(ns.value).replace(str(symbol.value), fixed), ns.start, ns.end, 0.8)
            symbol = h.fields["symbol"]
    code = type_code_of(symbol.value if symbol else None)
    from .lexicon import CODE_TO_TYPE

    if code and _is_office_code(code, str(symbol.value), h.fields.get("issuer")):
        code = None  # "CT-CS" of Cục Thuế: the issuer's own code opens a letter's symbol, not a type's
        if typ is None:
            h.fields["type"] = Field("công văn", symbol.start, symbol.start, 0.7)
            typ = h.fields["type"]
    if code and code in CODE_TO_TYPE:
        if typ is None or code == "VBHN":  # a consolidated text repeats the title of the act it consolidates
            h.fields["type"] = Field(CODE_TO_TYPE[code], symbol.start, symbol.end, 0.8)
            typ = h.fields["type"]
        if typ.value == "công văn":  # a letter has no type code: "CT-CS" is the office, Cục Thuế
            h.fields["type_code"] = Field(None, typ.start, typ.start, typ.confidence)
            return
        conf = 0.97 if DOC_TYPES.get(str(typ.value)) == code else 0.6
        h.fields["type_code"] = Field(code, symbol.start, symbol.start + len(code), conf)
    elif typ is not None and DOC_TYPES.get(str(typ.value)) is None:
        h.fields["type_code"] = Field(None, typ.start, typ.start, typ.confidence)


def _is_office_code(code: str, symbol: str, issuer: Field | None) -> bool:
    """Whether a symbol's first code is the issuing body's abbreviation rather than a document type.

    Nghị định 30 builds a typed document's symbol as type-issuer ("TB-CT", a notice of Cục Thuế) and a
    letter's as issuer-unit ("CT-CS", Cục Thuế's policy office). A first code that spells the initials of
    the issuer's name ("Cục Thuế" -> CT, "Bộ Tài chính" -> BTC), with something other than the issuer's
    code after it, is the office: the letter is no chỉ thị. (Found on the train and dev catalogue
    documents: every CT-CS is a công văn of Cục Thuế, every TB-CT a thông báo of it.)
    """
    if issuer is None or not issuer.value:
        return False
    parts = re.split(r"[-/]", symbol.split("/", 1)[1] if re.match(r"^(?:19|20)\d\d/", symbol) else symbol)
    return code.upper() in _initials(str(issuer.value)) and parts[1:2] != [code]


_LOCALITY_WORDS = {"tỉnh", "thành", "huyện", "quận", "thị", "xã", "phường"}


def _initials(name: str) -> set[str]:
    """A body's abbreviations as formed from its initials, "và" left out: of the whole name, and of the
    name without its locality ("Ủy ban nhân dân tỉnh Nghệ An" -> UBND; exact, so HĐ is not HĐND's)."""
    words = [w for w in name.split() if w.lower() != "và" and w[0].isalpha()]
    cut = next((i for i, w in enumerate(words) if w.lower() in _LOCALITY_WORDS), len(words))
    return {"".join(w[0] for w in words).upper(), "".join(w[0] for w in words[:cut]).upper()}


# ---------------------------------------------------------------------------------------------- footer

_AUTH = re.compile(r"^(?P<p>TM|KT|Q|TL|TUQ|T/M|K/T)\s*[.,]\s*(?P<rest>.*)$")
_SIGN_NOISE = re.compile(r"^\(?(?:đã\s+ký|ký\s|ký,|chữ\s+ký|signed|\[)", re.IGNORECASE)
_NAME = re.compile(rf"^(?:[{UPPER}][\w]*\s+){{1,5}}[{UPPER}][\w]*$")


def _is_person_name(t: str) -> bool:
    if not _NAME.match(t) or is_upper_line(t) or any(ch.isdigit() for ch in t):
        return False
    words = t.split()
    return all(w[:1].isupper() and (w[1:].islower() or len(w) == 1) for w in words) and 2 <= len(words) <= 6 \
        and words[0] not in _NOT_FAMILY_NAMES


# Words that open the name of a body or a list item, never a person's ("Bộ Tư" / "pháp" cut by a column).
_NOT_FAMILY_NAMES = {"Bộ", "Sở", "Cục", "Vụ", "Ban", "Phòng", "Viện", "Ủy", "Uỷ", "Hội", "Trường", "Văn", "Trung",
                     "Chi", "Tổng", "Công", "Kho", "Bệnh", "Đảng", "Cổng", "Tỉnh", "Huyện", "Xã", "Phường", "Thành",
                     "Quận", "Thị", "Đài", "Báo", "Các", "Như", "Lưu", "Nơi", "Chủ", "Giám", "Phó"}


def footer_start(cells_by_line: list[list[Cell]], from_line: int) -> int | None:
    """First line of the closing block: "Nơi nhận:" or the line after the body's "./."."""
    first_end = next((i for i in range(from_line, len(cells_by_line))
                      if any(c.text.rstrip().endswith("./.") for c in cells_by_line[i])), None)
    if first_end is not None:
        # The body's own end mark: the closing block follows it (appendices and forms after the signature
        # may carry their own "Nơi nhận:" and "./.").
        for i in range(first_end + 1, min(first_end + 4, len(cells_by_line))):
            if any(c.col != 1 and _is_noi_nhan(c.text) for c in cells_by_line[i]):
                return i
        return first_end + 1
    noi_nhan = None
    end_mark = None
    for i in range(len(cells_by_line) - 1, from_line - 1, -1):
        for c in cells_by_line[i]:
            if noi_nhan is None and c.col != 1 and _is_noi_nhan(c.text):
                noi_nhan = i
            if end_mark is None and c.text.rstrip().endswith("./."):
                end_mark = i
    candidates = [x for x in (noi_nhan, None if end_mark is None else end_mark + 1) if x is not None]
    if not candidates:
        return _trailing_signature(cells_by_line, from_line)
    return min(candidates) if noi_nhan is not None else candidates[0]


def _trailing_signature(cells_by_line: list[list[Cell]], from_line: int) -> int | None:
    """Without "Nơi nhận:" or "./." (a biên bản, or OCR lost the mark): the run of short capitals lines,
    authority lines and names that ends the document, if it holds a name."""
    start, seen_name, seen_archive = None, False, False
    for i in range(len(cells_by_line) - 1, from_line, -1):
        cells = cells_by_line[i]
        if not cells:
            continue
        texts = [c.text for c in cells]
        # A scan's closing block also holds seal and signature specks ("Vuơ~", '"=..'), and, when OCR lost
        # "Nơi nhận:", its dash list ending with "- Lưu: ...".
        seen_archive = seen_archive or any(_ARCHIVE.match(_BULLET.sub("", t)) for t in texts)
        if all(t == "\f" or _SIGN_NOISE.match(t) or _AUTH.match(t) or _is_person_name(t)
               or (is_upper_line(t) and len(t) <= 60) or (seen_name and _speck(t))
               or (seen_archive and _BULLET.match(t)) for t in texts):
            seen_name = seen_name or any(_is_person_name(t) for t in texts)
            start = i
            continue
        break
    return start if seen_name else None


def _speck(t: str) -> bool:
    """A short run of seal or signature ink that OCR read as characters, not a line of text."""
    return len(t.strip()) <= 8 and not t.rstrip().endswith((".", ";", ":", "./."))


_APPENDIX = re.compile(
    r"^(?:PHỤ\s+LỤC|Phụ\s+lục|DANH\s+(?:MỤC|SÁCH)|QUY\s+(?:ĐỊNH|CHẾ)|CHƯƠNG|Chương\s+[IVX\d]|PHẦN|Phần\s+[IVX\d]|"
    r"MẪU|Mẫu\s|BIỂU|Biểu\s|BẢNG|\[|_{3,}|\(Kèm\s+theo|\(Ban\s+hành|\(?KÈM\s+THEO)"
)


def inline_items(rest: str) -> list[tuple[int, str]]:
    """(offset, item) of a list flattened into one line ("- Như trên; - Bộ Y tế; - Lưu: VT.")."""
    seps = list(re.finditer(r"(?:^|(?<=[;.:)]))\s*[-+•*]\s*(?=\S)", rest))
    starts = [m.end() for m in seps] or [0]
    ends = [m.start() for m in seps[1:]] + [len(rest)]
    # "Bộ Giáo dục và Đào tạo; (báo cáo)": the note in brackets belongs to the item before it.
    return [(a, re.sub(r";\s*\(", " (", rest[a:b].strip())) for a, b in zip(starts, ends, strict=True)
            if rest[a:b].strip()]


def _is_noi_nhan(t: str) -> bool:
    """"Nơi nhận:" opening the recipient list (alone, or with the whole list flattened after it)."""
    return folded_startswith(t, "Nơi nhận", 82) and (len(t) < 40 or bool(re.match(r"^\S+\s+\S+\s*:\s*[-+•]", t)))


def _signature_like(t: str) -> bool:
    return bool(t == "\f" or _SIGN_NOISE.match(t) or _AUTH.match(t) or _is_person_name(t)
                or (is_upper_line(t) and len(t) <= 60) or _SEPARATOR.match(t))


def _block_end(cells_by_line: list[list[Cell]], start: int) -> int:
    """End of the closing block: after the signer's name, the first line that is no part of a signature (an
    appendix, a footnote, a form that follows the document) ends it."""
    named = False
    for i in range(start, len(cells_by_line)):
        texts = [c.text for c in cells_by_line[i]]
        if not texts:
            continue
        if named and (any(_APPENDIX.match(t) for t in texts) or not all(_signature_like(t) for t in texts)):
            return i
        named = named or any(_is_person_name(c.text) and c.col != 0 for c in cells_by_line[i])
    return len(cells_by_line)


_BULLET = re.compile(r"^(?:[~_.'`]?[-+•*]|~)\s*")  # OCR reads a dash as "~", "~-", "_-" in seal ink
_ARCHIVE = re.compile(r"^L[ưu]u\s*(?:[:.]|(?=\s[A-ZĐ]{2}))\s*(?P<a>.*)$", re.IGNORECASE)


def parse_footer(cells_by_line: list[list[Cell]], start: int, h: Header) -> None:
    """Recipients ("Nơi nhận:" list), archive ("Lưu: ..."), and the signature block."""
    end = _block_end(cells_by_line, start)
    # OCR may lose the "Nơi nhận:" line; a dash list that ends with "- Lưu: ..." is still the recipients.
    in_list = any(c.col != 1 and _BULLET.match(c.text) and _ARCHIVE.match(_BULLET.sub("", c.text))
                  for line in cells_by_line[start:end] for c in line)
    sig_cells: list[Cell] = []
    heading = False  # "Nơi nhận:" seen (not only a dash list ending with "- Lưu:")
    for i in range(start, end):
        for c in cells_by_line[i]:
            t = c.text
            if t == "\f":
                continue
            if c.col != 1 and _is_noi_nhan(t):
                in_list = heading = True
                rest = re.sub(r"^[^:]*:\s*", "", t) if ":" in t else ""
                # A web table flattened into one line: "Nơi nhận: - Như trên; - Bộ Y tế; - Lưu: VT."
                for a, body in inline_items(rest):
                    _recipient(body, c.end - len(rest) + a, h)
                continue
            if in_list and c.col != 1 and _ARCHIVE.match(t) and "archive" not in h.fields:
                _recipient(t, c.start, h)  # "Lưu: VT" whose dash OCR lost, read after the signer's title
                continue
            if in_list and c.col != 1 and not _AUTH.match(t) and not _BULLET.match(t) and not is_upper_line(t) \
                    and ((t.endswith(";") and len(t) < 60 and (not h.recipients or str(h.recipients[-1].value).endswith(";")))
                         or (heading and not h.recipients and len(t) < 90 and not _is_person_name(t)
                             and not t.startswith("("))):
                _recipient(t, c.start, h)  # an item printed (or read) without its dash ("Như trên;")
                continue
            if in_list and c.col != 1 and t.startswith("+") and h.recipients and str(h.recipients[-1].value).endswith(":") \
                    and not _ARCHIVE.match(_BULLET.sub("", t)):
                last = h.recipients[-1]  # "- VP UBND tỉnh:" then "+ LĐVP, KGVX;": one item
                h.recipients[-1] = Field(f"{last.value} {_BULLET.sub('', t)}", last.start, c.end, last.confidence)
                continue
            if in_list and c.col != 1 and _BULLET.match(t):
                body = _BULLET.sub("", t)
                _recipient(body, c.end - len(body), h)
                # "Lưu" closes the list: dashes after it are signature ink ("-HIỆU TRƯỞNG,").
                in_list = not _ARCHIVE.match(body)
                continue
            wrapped = (c.col == 0 and not is_upper_line(t)) or (
                c.col != 1 and len(t) <= 40 and t.endswith((";", ".")) and not _AUTH.match(t))
            if in_list and h.recipients and wrapped and not _is_person_name(t) and not _AUTH.match(t) \
                    and not str(h.recipients[-1].value).endswith((";", ".")):
                last = h.recipients[-1]
                h.recipients[-1] = Field(last.value + " " + t, last.start, c.end, last.confidence)
                continue
            if c.col == 0 and in_list:
                continue
            sig_cells.append(c)
    # Trailing punctuation is not part of a recipient.
    h.recipients = [Field(r.value.rstrip(" ;.,"), r.start, r.start + len(r.value.rstrip(" ;.,")), r.confidence)
                    for r in h.recipients if r.value.rstrip(" ;.,")]
    _signature(sig_cells, h)


def _without_junk_tail(s: str) -> str:
    """An item without the seal or signature specks OCR read after its end ("Như Điều 3; _", "VT, CTSV
    (01).]ÿ~"): a tail after the last ";" or "." that holds no run of three letters."""
    m = re.search(r"[;.](?P<tail>[^;.]*)$", s)
    if m and m.group("tail").strip() and not re.search(r"[^\W\d_]{3}", m.group("tail")):
        return s[: m.start()]
    return s


def _recipient(body: str, start: int, h: Header) -> None:
    body = _without_junk_tail(body)
    m = _ARCHIVE.match(body)
    if m:
        a = re.sub(r"\s*,\s*", ", ", m.group("a").strip().rstrip(".;"))  # "VT,NN" as "VT, NN"
        a = re.sub(r"^V[I1lĩ](?=,|$)", "VT", a)  # the office of records, "VT", that OCR reads "VI"
        off = start + m.start("a")
        h.fields["archive"] = Field(a, off, off + len(a), 0.9)
        return
    body = body.strip()
    formula = _FORMULA.match(fold(body.rstrip(" ;.,")))
    if formula:  # "Như Điều 3" / "Như trên", whose marks OCR misread ("Như Diễu 3")
        body = "Như trên" + body[len(body.rstrip(" ;.,")):] if formula.group(1) is None else \
            f"Như Điều {formula.group(1)}" + body[len(body.rstrip(" ;.,")):]
    h.recipients.append(Field(body, start, start + len(body), 0.9))


_FORMULA = re.compile(r"^NHU (?:DIEU (\d+)|TREN)$")


_FLAT_SIGNATURE = re.compile(
    r"^(?P<caps>[A-ZĐÀ-Ỹ][A-ZĐÀ-Ỹ .,/]+?)\s+(?P<name>(?:[A-ZĐÀ-Ỹ][a-zđà-ỹ]+\s+){1,4}[A-ZĐÀ-Ỹ][a-zđà-ỹ]+)$"
)


def unflatten_signature(cell: Cell) -> list[Cell]:
    """A signature block flattened into one line ("KT. BỘ TRƯỞNG, CHỦ NHIỆM PHÓ CHỦ NHIỆM Nguyễn Khắc Định")
    as its lines: one per authority ("TM.", "KT.", ...), the position (from the last "PHÓ" of a "KT." block),
    the name."""
    m = _FLAT_SIGNATURE.match(cell.text)
    if not m or not is_upper_line(m.group("caps")):
        return [cell]
    caps = m.group("caps")
    cuts = [a.start() for a in re.finditer(r"(?<!\w)(?:TM|KT|TL|TUQ|Q)\s*\.", caps)]
    last = cuts[-1] if cuts else 0
    pho = [p.start() for p in re.finditer(r"(?<=\s)PHÓ\s", caps[last:])]
    if pho:
        cuts.append(last + pho[-1])
    elif not cuts:
        cuts = [0]
    bounds = sorted({0, *cuts}) + [len(caps)]
    out = []
    for a, b in zip(bounds, bounds[1:], strict=False):
        piece = caps[a:b].strip()
        if piece:
            off = cell.start + a + (len(caps[a:b]) - len(caps[a:b].lstrip()))
            out.append(Cell(piece, off, off + len(piece), cell.line, cell.col))
    ns = cell.start + m.start("name")
    out.append(Cell(m.group("name"), ns, ns + len(m.group("name")), cell.line, cell.col))
    return out


def _join_split_name(cells: list[Cell]) -> list[Cell]:
    """A name broken after its family name by a wrap or by the column beside it ("Trần" ... "Chí Hùng",
    "Mai" / "Sơn") as one cell."""
    out: list[Cell] = []
    for c in cells:
        prev = out[-1] if out else None
        if prev is not None and prev.text.strip() in SURNAMES and c.text.split()[:1] != [] \
                and c.text.split()[0] not in SURNAMES and re.fullmatch(rf"[{UPPER}][a-zđà-ỹ]+(?:\s+[{UPPER}][a-zđà-ỹ]+){{0,3}}",
                                                                      c.text.strip()):
            out[-1] = Cell(f"{prev.text.strip()} {c.text.strip()}", prev.start, c.end, c.line, c.col)
        else:
            out.append(c)
    return out


def _signature(cells: list[Cell], h: Header) -> None:
    cells = _join_split_name([piece for c in cells for piece in unflatten_signature(c)])
    # Two signature blocks side by side (a biên bản: secretary left, chair right): the right one signs.
    if any(c.col == 1 and _is_person_name(c.text) for c in cells):
        cells = [c for c in cells if c.col != 0]
    auth: list[Cell] = []
    positions: list[Cell] = []
    last_positions: list[Cell] = []
    name: Cell | None = None
    for c in cells:
        t = c.text
        if _SIGN_NOISE.match(t) or _SEPARATOR.match(t):
            continue
        m = _AUTH.match(t)
        if m:
            auth.append(c)
            positions = []
            continue
        if is_upper_line(t) and len(t) <= 60:
            positions.append(c)
            continue
        if _is_person_name(t):
            # Blocks side by side read one after the other (OCR order): the last block signs.
            name = c
            if positions:
                last_positions = positions
            positions = []
    if name is not None and (last_positions or not positions):
        positions = last_positions  # capitals after the signer's name are no title ("FILE ĐƯỢC ĐÍNH KÈM")
    if len(positions) >= 2 and positions[-2].text.strip() == "PHÓ":  # "PHÓ" / "TRƯỞNG BAN" wrapped
        p, q = positions[-2], positions[-1]
        positions = [*positions[:-2], Cell(f"PHÓ {q.text}", p.start, q.end, q.line, q.col)]
    if auth:
        last = auth[-1]
        m = _AUTH.match(last.text)
        prefix = m.group("p").replace("T/M", "TM").replace("K/T", "KT") + "."
        if prefix in AUTHORITY_PREFIXES:
            h.signer["authority"] = Field(prefix, last.start, last.start + len(m.group("p")) + 1, 0.95)
            h.signer["authority_text"] = Field(" / ".join(a.text for a in auth), auth[0].start, auth[-1].end, 0.9)
        if not positions and m.group("rest"):
            positions = [Cell(m.group("rest"), last.start + m.start("rest"), last.end, last.line, last.col)]
    title = signer_title(positions[-1].text) if positions else None
    if title:
        p = positions[-1]
        h.signer["position"] = Field(title, p.start, p.end, 0.9 if len(positions) == 1 else 0.8)
    if name:
        h.signer["name"] = Field(with_surname(" ".join(name.text.split())), name.start, name.end, 0.9)


_TITLE_WORDS = {w for title in SIGNER_TITLES for w in title.split()}
_ABBREVIATION = re.compile(r"^[A-ZĐ][A-ZĐ&./-]{1,11}$")


def signer_title(text: str) -> str | None:
    """The signer's title as printed, with the damage OCR does on a scan undone where a known title is
    recognisable ("TRƯỜNG PHONG CTSV" -> "TRƯỞNG PHÒNG CTSV", "¡XỨ TRƯỞNG" -> "THỨ TRƯỞNG"); None when
    what is left is seal or signature ink read as letters ("HEEIÔING TU HÚ TT L”TRV"): better no title
    than a wrong one."""
    words = re.sub(r"^[\W_]+|[\W_]+$", "", text).split()
    # Similarity without marks (what OCR changes most) and with them (which keeps "THỨ" from "VỤ").
    scored = [((fuzz.ratio(fold(head), fold(title)) + fuzz.ratio(head, title)) / 2, n, title)
              for title in SIGNER_TITLES if len(words) >= (n := len(title.split()))
              for head in [" ".join(words[:n])]]
    score, n, title = max(scored, default=(0.0, 0, ""))
    head: list[str] = []
    # Only a head with a word no title has ("TRƯỜNG PHONG", "XỨ") is OCR damage; "CỤC PHÓ" is as printed.
    if score == 100 or (score >= 84 and not set(words[:n]) <= _TITLE_WORDS):
        head, words = title.split(), words[n:]
    elif not all(_is_word(w) for w in words):
        return None
    # After a known title, the office ("CTSV", "QL ĐÀO TẠO") up to the first word that is no word.
    tail = []
    for w in words:
        if not _is_word(w):
            break
        tail.append(w)
    return " ".join(head + tail) or None


def _is_word(w: str) -> bool:
    core = w.strip(".,;:()")
    return is_plausible_syllable(core) or bool(_ABBREVIATION.match(core)) or core.isdigit()


_SURNAME_BY_FOLD = {fold(s): s for s in SURNAMES}


def with_surname(name: str) -> str:
    """A name whose family name OCR gave a wrong tone or vowel mark, with the family name it can only be."""
    first, _, rest = name.partition(" ")
    if first in SURNAMES or not rest:
        return name
    return f"{_SURNAME_BY_FOLD.get(fold(first), first)} {rest}"


_DANGLING = re.compile(r"(?<!\w)(?:thuộc|và|của|các|với|cho|tại|trực)$")


def parse_kinh_gui(cells_by_line: list[list[Cell]], begin: int, end: int, h: Header) -> int | None:
    """Recipients named under "Kính gửi:" (inline or as a dash list); returns the line after the list."""
    for i in range(begin, min(end, len(cells_by_line))):
        for c in cells_by_line[i]:
            # A công điện names its recipients after "... điện:".
            is_dien = bool(re.search(r"\bđiện\s*:$", c.text)) and is_upper_line(c.text.split("điện")[0])
            # "Kính" / "gửi: ..." wrapped by a web page
            wrapped = bool(re.match(r"gửi\s*:", c.text)) and i > begin and \
                [x.text.strip() for x in cells_by_line[i - 1]] == ["Kính"]
            if folded_startswith(c.text, "Kính gửi", 82) or is_dien or wrapped:
                rest = "" if is_dien else (
                    re.sub(r"^[^:]*:\s*", "", c.text) if ":" in c.text[:14] else c.text[8:].strip())
                found = []
                raw_end_punct = not rest or rest.rstrip().endswith((";", "."))
                for a, item in inline_items(rest) if rest else []:
                    v = item.rstrip(" ;.,")
                    found.append(Field(v, c.end - len(rest) + a, c.end - len(rest) + a + len(v), 0.9))
                j = i + 1
                blank = False
                while j < len(cells_by_line):
                    cs = cells_by_line[j]
                    if not cs:  # OCR leaves blank lines between items
                        j, blank = j + 1, True
                        continue
                    t = cs[0].text
                    if not re.match(r"^[-+•*]\s*", t):
                        # A wrapped item ("... các khu" / "vực.") continues the previous one.
                        # So does a line in lower case or an address in brackets ("Bà X" / "(Địa chỉ: ...)").
                        follows = t[:1].islower() or t.startswith("(")
                        # An address in brackets may hold ";" ("(Địa chỉ: ...; Số ĐT: ...)"): it goes on to ")".
                        if found and str(found[-1].value).count("(") > str(found[-1].value).count(")"):
                            follows, raw_end_punct = True, False
                        # An inline name cut before its end ("..., cơ quan thuộc" / "Chính phủ") goes on.
                        dangling = bool(found) and bool(_DANGLING.search(str(found[-1].value)))
                        if found and (len(found) > (1 if rest else 0) or t.startswith("(") or dangling) \
                                and (follows or dangling or not str(found[-1].value).endswith((";", "."))) \
                                and (not raw_end_punct or t.startswith("(")) and ((len(t) < 60 and not blank) or follows) \
                                and not _BODY_START.match(t):
                            last = found[-1]
                            joined = (str(last.value) + " " + t).rstrip(" ;.,")
                            found[-1] = Field(joined, last.start, cs[0].start + len(t.rstrip(" ;.,")), last.confidence)
                            raw_end_punct = t.rstrip().endswith((";", "."))
                            j, blank = j + 1, False
                            continue
                        break
                    raw_end_punct = t.rstrip().endswith((";", "."))
                    for a, item in inline_items(t):
                        v = item.rstrip(" ;.,")
                        found.append(Field(v, cs[0].start + a, cs[0].start + a + len(v), 0.9))
                    j, blank = j + 1, False
                h.recipients = found + h.recipients
                return j
    return None


def note_unknown(h: Header, footer_line: int | None) -> None:
    """Say why the date or the signer is null (the number says so in ``_number``), once per field."""
    seen = {u["field"] for u in h.unknown}
    if "date" not in h.fields and "date" not in seen:
        h.unknown.append({"field": "date", "reason": "no place-and-date line (\"..., ngày ... tháng ... năm ...\") in the header"})
    if "name" not in h.signer:
        where = "no signature block found" if footer_line is None else "the signature block holds no readable name"
        h.unknown.append({"field": "signer", "reason": where})
