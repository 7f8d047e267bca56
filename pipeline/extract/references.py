"""Documents cited in the text: "<kind> số <number/symbol> ngày <date> của <issuer> [về ...]", and laws
cited by name ("Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025")."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .lexicon import DOC_TYPES, REFERENCE_KINDS
from .patterns import DATE_RE, UPPER, expect_code, split_numsym, valid_date, valid_symbol

if TYPE_CHECKING:
    from .nlp import RefSpan

_KINDS = "|".join(re.escape(k) for k in REFERENCE_KINDS)
# A law's name never holds another kind of document ("Luật Đất đai và Thông tư số ...": two citations).
_OTHER_KIND = re.compile(
    r"\b(?:" + "|".join(re.escape(k) for k in REFERENCE_KINDS if k not in ("Luật", "Bộ luật")) + r")\s"
)
_DATE_AFTER = re.compile(r"^\s*,?\s*(?:ban hành\s+)?(?:ngày\s+)?(?=\d)")
# Lower-case words that may sit inside a body's name ("Ủy ban nhân dân tỉnh", "Bộ Giáo dục và Đào tạo").
_NAME_LOWER = {"nhân", "dân", "và", "tỉnh", "huyện", "xã", "phường", "thành", "phố", "quận", "thị", "trấn", "khu",
               "vực", "đặc", "trung", "ương", "thường", "vụ", "trưởng", "nông", "thôn"}
# Capitalised words that open what the cited document does, not the rest of its issuer ("của Chính phủ Quy
# định chi tiết ...", "của Ủy ban nhân dân thành phố Cần Thơ Thực hiện Chương trình ...").
_VERB_PAIRS = {("quy", "định"), ("hướng", "dẫn"), ("sửa", "đổi"), ("ban", "hành"), ("thực", "hiện"),
               ("triển", "khai"), ("phê", "duyệt"), ("về", "việc"), ("bãi", "bỏ"), ("thay", "thế")}
# A council's term and session after its name ("Hội đồng nhân dân tỉnh khóa VII, kỳ họp thứ 8").
_NUMBER_WORDS = r"(?:một|hai|ba|bốn|tư|năm|lăm|sáu|bảy|tám|chín|mười|mươi|mốt)"
_SESSION_TAIL = rf"\s*[,-]\s*(?:tại\s+)?[Kk]ỳ\s+họp\s+thứ\s+(?:\d+\b|{_NUMBER_WORDS}(?:\s+{_NUMBER_WORDS})*\b)"
_SESSION = re.compile(rf"(?:\s*,)?\s+kh(?:óa|oá)\s+[IVXLC]+\b(?:{_SESSION_TAIL})?")
# The name already ends with its term ("... tỉnh Quảng Bình khoá XV"): only the session follows.
_TERM_END = re.compile(r"kh(?:óa|oá)\s+[IVXLC]+$")
_SESSION_AFTER_TERM = re.compile(_SESSION_TAIL)
# "Thông tư 45/2006/TT - BTC": the issuer's code typed apart from the type's.
_SPACED_CODE = re.compile(r"[ \t]?[-–][ \t]?(?P<code>[A-ZĐ][A-Za-zĐđ0-9]*)(?![\w/-])")
# "của Bộ Chính trị và Chỉ thị số ...": a second citation, not the rest of the name.
_KIND_AFTER_AND = re.compile(r"(?:" + "|".join(re.escape(k) for k in REFERENCE_KINDS) + r")\b")
_NAME_STOP = {"về", "v/v", "quy", "hướng", "sửa", "phê", "triển", "thực", "giao", "kèm", "đã", "đối", "tại",
              "năm", "ngày", "số", "theo", "và", "gửi", "đề", "nhận", "trình", "đến", "cho", "với", "vướng"}
# Names with lower-case stretches that the word rule cannot follow.
_LONG_NAMES = re.compile(
    r"Ban\s+Chỉ\s+(?:huy|đạo)\s+(?:[Pp]hòng,\s+chống|PCTT)[^;.,\n]{0,80}?(?:tỉnh|huyện|xã|thành phố|quốc gia|Trung ương)"
    r"(?:\s+[A-ZĐ][\w]*)*"
)
# The name may be written in lower case when a date or number follows ("Luật tổ chức Chính phủ ngày ...").
_LAW_BY_NAME = re.compile(
    r"(?P<kind>Bộ luật|Luật|Hiến pháp|Pháp lệnh)\s+(?P<name>(?!này\b|định\b)(?:sửa\s+đổi,\s+bổ\s+sung\s|[^\W\d_])(?:[^;:\n]|\n(?!\s*\n)){2,140}?)\s+"
    r"(?:số\s+(?P<ns>\d{1,5}/[^\s;,]+?)(?=[\s;,]|\.(?:\s|$)|$)|(?:số\s+\S+\s+)?(?=ngày\s+\d))"
)


# A law, code or ordinance cited by name alone ("Căn cứ Luật Ngân sách Nhà nước ban hành năm 2002;", "theo quy
# định của Bộ Luật Lao động và các văn bản ..."): the name ends at punctuation, at a comma before a lower-case
# word, or at the words that follow a name.
_LAW_NAMED = re.compile(
    r"(?P<kind>Bộ [Ll]uật|Luật|Hiến pháp|Pháp lệnh)\s+(?P<name>(?:sửa\s+đổi,\s+bổ\s+sung\s+)?"
    r"(?!này\b|định\b|sư\b|pháp\b|hiện\b|số\b)[^\W\d_]"
    r"[^;:.\n()]{1,120}?)(?=\s*(?:;|\.(?:\s|$)|:|\(|\n|,\s+(?![A-ZĐÀ-Ỹ])|$)|\s+(?:và\s+các|ban\s+hành|của|năm|ngày|số"
    r"|hiện\s+hành|được|đã|quy\s+định|theo|tại|thì|để|với\s+các|về|hướng\s+dẫn|và\s+(?:Luật|Nghị|Thông|Quyết|Pháp))\b)"
)
_LAW_CONTEXT = re.compile(r"(?:^|\n|Căn cứ|của|theo|;|tại|và)\s*$")


def _lower_in_name(text: str, low: str, prev: str, nxt: str, nxt_pos: int, prev_cap: bool) -> bool:
    """Does a lower-case word continue a body's name: a word names allow ("nhân dân", "tỉnh"; "và" before
    another capitalised name that is no second citation), the second syllable of a capitalised word, or
    "triển" of "Phát triển"?"""
    if low == "triển" and prev == "Phát":  # "Bộ Nông nghiệp và Phát triển nông thôn"
        return True
    if low.isdigit() and prev.lower() in ("quận", "phường", "khu"):  # "Ủy ban nhân dân quận 3"
        return True
    if low == "thành" and not nxt.startswith("phố"):  # "của Bộ Nội vụ thành lập ...": a verb
        return False
    if low in _NAME_LOWER and (low != "và" or nxt[:1].isupper() and not _KIND_AFTER_AND.match(text, nxt_pos)):
        return True
    return prev_cap and low not in _NAME_STOP and not (low == "ban" and nxt.startswith("hành"))


def _issuer_after(text: str, pos: int) -> tuple[str | None, int]:
    """The body named after "của" at pos: capitalised words, the second syllables of capitalised words and
    the lower-case words names allow ("Ủy ban nhân dân tỉnh Lâm Đồng", "Bộ Giáo dục và Đào tạo")."""
    m = re.match(r"\s*của\s+(?=liên\s+[Bb]ộ\s|[^\W\d_])", text[pos:])  # "của liên Bộ Y tế và Bộ Nội vụ"
    if not m:
        return None, pos
    i = pos + m.end()
    long_name = _LONG_NAMES.match(text, i)
    if long_name:
        return long_name.group(0), long_name.end()
    end = i
    prev_cap = False
    words = list(re.finditer(r"\S+", text[i : i + 200]))
    for k, w in enumerate(words):
        raw = w.group(0)
        tok = raw.rstrip(",;.:)")
        nxt = words[k + 1].group(0) if k + 1 < len(words) else ""
        if not tok:
            break
        if tok in {"-", "–"}:
            # "Bộ Lao động - Thương binh và Xã hội", "Ban Văn hóa - Xã hội HĐND tỉnh"
            if not (end > i and nxt[:1].isupper()):
                break
            continue
        low = tok.lower()
        if raw.startswith("(") and end > i:
            # "UBND tỉnh Bắc Giang (cũ)", "Tổng cục Hải quan (nay là Cục Hải quan)": a short remark is kept.
            close = text.find(")", i + w.start(), i + w.start() + 60)
            remark = text[i + w.start() : close] if close != -1 else ""
            if remark and "\n\n" not in remark and not re.search(r"\d+/", remark):  # not "(Quyết định số 95/...)"
                end = close + 1
            break
        if tok[:1].isupper() and end > i and ((low, nxt.lower().rstrip(",;.:")) in _VERB_PAIRS or low in ("về", "v/v")):
            break
        if tok[:1].isupper() or low == "liên" and end == i:
            prev_cap = True
        elif _lower_in_name(text, low, words[k - 1].group(0) if k else "", nxt,
                            i + words[k + 1].start() if k + 1 < len(words) else len(text), prev_cap):
            prev_cap = False
        else:
            break
        end = i + w.start() + len(tok)
        if raw != tok:
            # "Bộ Văn hóa, Thể thao và Du lịch", "Ban Chỉ huy Phòng, chống thiên tai": the comma is inside
            # (not after a number: "của Phòng Tư pháp quận 3, Quyết định ...").
            inside = raw.endswith(",") and not tok.isdigit() and (
                (nxt[:1].isupper() and not re.match(
                    r"(?:Sở|Bộ|Ủy|Uỷ|UBND|HĐND|Phòng|Ban|Cục|Chi|Chủ|Thủ|Giám|Chánh|Trưởng|Phó|Hội|Văn|Công|Trung|"
                    r"Thanh|Kho|Tổng|Viện|Trường)\b", nxt))
                or (tok == "Phòng" and nxt == "chống")
            )
            if not inside:
                break
    if end == i:
        return None, pos
    session = _SESSION.match(text, end) or (_SESSION_AFTER_TERM.match(text, end)
                                            if _TERM_END.search(text, i, end) else None)
    if session:
        end = session.end()
    return re.sub(r"\s+", " ", text[i:end]), end


_PLACE_LIST = re.compile(r"(?:huyện|xã|phường|tỉnh):\s[^:;]*$")


def _about_after(text: str, pos: int) -> tuple[str | None, int]:
    # The document's own verb may be capitalised after its issuer ("của Thủ tướng Chính phủ Quy định ...").
    # Also the verb of what the document does, right after its issuer or date ("của Chính phủ sửa đổi, bổ sung
    # ...", "của Thủ tướng Chính phủ tăng cường ...", "của Bộ Nội vụ thành lập ..."); after a comma such a verb
    # is the citing sentence's own.
    m = re.match(r"\s*,?\s*(?:(?P<vv>[Vv]ề\s+việc|V/v|về)\s+|(?=(?:[Hh]ướng\s+dẫn|[Qq]uy\s+định|[Bb]an\s+hành|[Pp]hê\s+duyệt"
                 r"|[Ss]ửa\s+đổi)[\s,]))|\s+(?=(?:thành\s+lập|điều\s+chỉnh|bãi\s+bỏ|công\s+bố|tăng\s+cường|đẩy\s+mạnh"
                 r"|thông\s+báo|phân\s+bổ)\s)", text[pos:])
    if not m:
        return None, pos
    i = pos + m.end()
    stops = re.finditer(
        rf"(?:;|\n(?=\s*\n|\s*[-+•*]|\s*\d+\.|\s*[a-zđ]\)|[{UPPER}][{UPPER}\s]+\n)|\.(?:\s|$)|(?<!huyện)(?<!xã)(?<!phường)(?<!tỉnh):|\s+(?:và|,)\s+(?=(?:{_KINDS})\s)|,\s+(?=[{UPPER}])|\s+\((?:sau đây|gọi tắt))"
        r"|,\s+(?=(?:từ|đến|trong|theo|tại|nay|vừa qua|đồng thời|hôm nay)\s)"
        # what the citing text goes on to say: "..., được sửa đổi bổ sung tại ...", "... gửi UBND tỉnh",
        # (a colon ends it too, unless it opens the places of a title: "... thuộc các huyện: Kiên Lương, ...")
        # "... đến ngày 31/12/2007", ", như sau", a capitalised remark in brackets "(Bộ chỉ số 766)", "(Văn bản
        # đính kèm)" (not "(ODA)" or "(tỉnh Sơn La)", which belong to the description)
        r"|,?\s+(?=(?:được\s+sửa\s+đổi|đảm\s+bảo|bảo\s+đảm)\b)|\s+(?=gửi\s|đến\s+ngày\s)|\s+\((?=[A-ZĐ][a-zà-ỹđ])|,\s+(?=như\s+sau)"
        # "... thông báo ý kiến chỉ đạo của Phó Thủ tướng yêu cầu quý Bộ ...": the request is the citing text's;
        # "... và Điều 3 Quyết định số ...": another document's article
        rf"|\s+(?=(?:yêu\s+cầu|đề\s+nghị)\s+(?:quý\s|các\s|[{UPPER}]))|\s+và\s+(?=Điều\s+\d)",
        text[i : i + 300],
    )
    stop = next(stops, None)
    # "... thuộc các huyện: Kiên Lương, Tân Hiệp, ...": the names a title lists are no new clause.
    while stop and stop.group(0).startswith(",") and _PLACE_LIST.search(text, i, i + stop.start()):
        stop = next(stops, None)
    end = i + (stop.start() if stop else min(300, len(text) - i))
    about = re.sub(r"\s+", " ", text[i:end]).strip().rstrip(",")
    if about[:1] in "\"“":  # a quoted title: the title
        about = about.strip('"“” ')
    if about.endswith(")") and about.count("(") < about.count(")"):  # the citation sat inside brackets
        about = about[:-1].rstrip()
    return (about or None), i + len(text[i:end].rstrip().rstrip(","))


def _date_at(text: str, pos: int) -> tuple[str | None, int, int] | None:
    m = _DATE_AFTER.match(text[pos:])
    start = pos + (m.end() if m else 0)
    dm = DATE_RE.match(text, pos + (m.start() if m else 0)) or (DATE_RE.match(text, start) if m else None)
    if not dm:
        m2 = re.match(r"\s*,?\s*", text[pos:])
        dm = DATE_RE.match(text, pos + m2.end())
        if not dm:
            return None
    d, mo, y = (dm.group("d"), dm.group("m"), dm.group("y")) if dm.group("d") else (dm.group("d2"), dm.group("m2"), dm.group("y2"))
    return valid_date(int(y), int(mo), int(d)), dm.start(), dm.end()


def find_references(
    text: str, spans: list[RefSpan], own_number_symbol: str | None, skip: list[tuple[int, int]]
) -> list[dict]:
    """Every document cited, once each (first citation, completed by later ones), in text order;
    ``spans``: the span ruler's citations in ``text`` (``nlp.reference_spans``)."""
    found = _numbered_citations(text, spans, skip)
    found += _laws_with_date_or_number(text, skip, found)
    found += _laws_by_name_alone(text, skip, found)
    found.sort(key=lambda e: e["span"][0])
    _share_amended_issuer(text, found)
    return _merged(found, own_number_symbol)


def _inside(pos: int, skip: list[tuple[int, int]], found: list[dict]) -> bool:
    return any(s <= pos < e for s, e in skip) or any(f["span"][0] <= pos < f["span"][1] for f in found)


def _numbered_citations(text: str, spans: list[RefSpan], skip: list[tuple[int, int]]) -> list[dict]:
    """"<kind> số <number/symbol> [ngày ...] [của ...] [về ...]" from the span ruler's citations."""
    found: list[dict] = []
    for span in spans:
        if any(s <= span.start_char < e for s, e in skip):
            continue
        written = re.sub(r"\s+", " ", span.text.strip())
        written = written[:1].upper() + written[1:]  # "văn bản số ..." cited in lower case
        m = re.match(rf"(?P<kind>{_KINDS})(?:\s+\w+){{0,4}}?\s*(?:số)?\s*:?\s*(?P<ns>\S+)$", written)
        if not m:
            continue
        kind = m.group("kind")
        ns = m.group("ns")
        number, symbol = split_numsym(ns)
        if not number or not symbol:
            continue
        fixed = expect_code(symbol, DOC_TYPES.get(kind.lower()))
        if fixed != symbol:
            ns, symbol = ns.replace(symbol, fixed) if symbol in ns else number + "/" + fixed, fixed
        pos = span.end_char
        spaced = _SPACED_CODE.match(text, pos) if " " in text[pos : pos + 2] else None
        if spaced and valid_symbol(f"{symbol}-{spaced.group('code')}"):
            symbol, ns, pos = f"{symbol}-{spaced.group('code')}", f"{ns}-{spaced.group('code')}", spaced.end()
        entry = {"kind": kind.lower(), "number_symbol": f"{number}{'/' if '/' in ns[: len(number) + 1] else '-'}{symbol}",
                 "number": number, "symbol": symbol, "date": None, "issuer": None, "about": None,
                 "span": [span.start_char, pos], "date_span": None, "confidence": 0.95}
        _complete(text, entry, pos)
        if entry["date"] is None and entry["issuer"] is None:
            _sender_before(text, entry)
        found.append(entry)
    return found


def _laws_with_date_or_number(text: str, skip: list[tuple[int, int]], found: list[dict]) -> list[dict]:
    """"Luật Tổ chức chính quyền địa phương ngày 19/6/2015", "Luật ... số 72/2025/QH15"."""
    out: list[dict] = []
    for m in _LAW_BY_NAME.finditer(text):
        if _inside(m.start(), skip, found):
            continue
        name = re.sub(r"\s+", " ", m.group("name")).strip()
        if re.search(r"\d+/", name) or len(name.split()) > 24 or _OTHER_KIND.search(name):
            continue
        if name[0].islower() and not name.startswith("sửa đổi") and ("," in name or len(name.split()) > 8):
            continue  # a lower-case name is short ("Luật nhà ở ngày ..."), not the sentence before a date
        number, symbol = split_numsym(m.group("ns")) if m.group("ns") else (None, None)
        entry = {"kind": m.group("kind").lower(), "number_symbol": f"{number}/{symbol}" if number and symbol else None,
                 "number": number if symbol else None, "symbol": symbol, "date": None, "issuer": None, "about": name,
                 "span": [m.start(), m.end()], "date_span": None, "confidence": 0.85}
        _complete(text, entry, m.end(), about=False)
        out.append(entry)
    return out


def _laws_by_name_alone(text: str, skip: list[tuple[int, int]], found: list[dict]) -> list[dict]:
    """"Căn cứ Luật Ngân sách Nhà nước ban hành năm 2002;", "theo quy định của Bộ Luật Lao động ..."."""
    out: list[dict] = []
    for m in _LAW_NAMED.finditer(text):
        context = _LAW_CONTEXT.search(text[max(0, m.start() - 12) : m.start()])
        if _inside(m.start(), skip, found + out) or not context:
            continue
        # A lower-case name only where a citation is sure ("Căn cứ Pháp lệnh ưu đãi ...", "của Pháp lệnh ...");
        # "theo Luật đất đai phù hợp ..." is prose.
        if m.group("name")[0].islower() and not m.group("name").startswith("sửa") \
                and not re.search(r"(?:Căn cứ|của)\s*$", context.group(0)):
            continue
        name = re.sub(r"\s+", " ", m.group("name")).strip()
        other = _OTHER_KIND.search(name)
        # "Pháp lệnh sửa đổi, bổ sung Pháp lệnh ưu đãi ...": the amended text of the same kind is part of the name.
        if len(name.split()) > 14 or other and not (name.startswith("sửa đổi") and other.group(0).strip() == m.group("kind")):
            continue
        entry = {"kind": m.group("kind").lower(), "number_symbol": None, "number": None, "symbol": None, "date": None,
                 "issuer": None, "about": name, "span": [m.start(), m.end()], "date_span": None, "confidence": 0.75}
        _complete(text, entry, m.end(), about=False)
        out.append(entry)
    return out


def _merged(found: list[dict], own_number_symbol: str | None) -> list[dict]:
    """One entry per cited document (the document's own number left out), completed by its later citations."""
    merged: dict[str, dict] = {}
    out = []
    for e in found:
        key = e["number_symbol"] or f"{e['kind']}|{e['about']}|{e['date']}"
        if own_number_symbol and e["number_symbol"] == own_number_symbol:
            continue
        if key in merged:
            first = merged[key]
            for k in ("date", "issuer", "about"):
                if first[k] is None and e[k] is not None:
                    first[k] = e[k]
            # "của UBND tỉnh", later "của UBND tỉnh Bình Thuận": the fuller name is kept.
            if first["issuer"] and e["issuer"] and len(e["issuer"]) > len(first["issuer"]) \
                    and e["issuer"].startswith(first["issuer"]):
                first["issuer"] = e["issuer"]
            first.setdefault("other_spans", []).append(e["span"])
            continue
        merged[key] = e
        out.append(e)
    return out


_SENDER = re.compile(r"(?:^|[.;:\n])\s*(?P<date>Ngày\s[^,\n]{4,30}),\s+(?P<unit>[^,.;\n]{3,80}?)\s+(?:đã\s+)?(?:có|ban\s+hành|gửi)\s+$")


def _sender_before(text: str, entry: dict) -> None:
    """"Ngày 19 tháng 9 năm 2013, Văn phòng Chính phủ có văn bản số 349/TB-VPCP ...": the date and the sender
    written before the citation are its date and issuer."""
    start = entry["span"][0]
    m = _SENDER.search(text, max(0, start - 160), start)
    dm = DATE_RE.match(text, m.start("date")) if m else None
    if not (m and dm and dm.end() <= m.end("date")):
        return
    d, mo, y = (dm.group("d"), dm.group("m"), dm.group("y")) if dm.group("d") else (dm.group("d2"), dm.group("m2"), dm.group("y2"))
    entry["date"] = valid_date(int(y), int(mo), int(d))
    entry["date_span"] = [dm.start(), dm.end()]
    entry["issuer"] = re.sub(r"\s+", " ", m.group("unit")).strip()


def _share_amended_issuer(text: str, found: list[dict]) -> None:
    """"Thông tư số 38/2015/TT-BTC ngày 25/03/2015 được sửa đổi, bổ sung tại ... Thông tư số 39/2018/TT-BTC ngày
    20/4/2018 của Bộ Tài chính": the issuer named after the amending document is the amended one's too."""
    for first, second in zip(found, found[1:], strict=False):
        between = text[first["span"][1] : second["span"][0]]
        if first["issuer"] is None and second["issuer"] and len(between) < 120 \
                and re.match(r"\s*,?\s*(?:đã\s+)?được\s+sửa\s+đổi,?\s+bổ\s+sung\s+(?:tại|bởi|theo)\b", between):
            first["issuer"] = second["issuer"]


def _complete(text: str, entry: dict, pos: int, about: bool = True) -> None:
    dated = _date_at(text, pos)
    if dated:
        iso, ds, de = dated
        entry["date"] = iso
        entry["date_span"] = [ds, de]
        pos = de
    issuer, pos2 = _issuer_after(text, pos)
    if issuer:
        entry["issuer"] = issuer
        pos = pos2
    if about:
        ab, pos3 = _about_after(text, pos)
        if ab:
            entry["about"] = ab
            pos = pos3
    entry["span"][1] = pos
