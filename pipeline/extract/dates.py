"""Every calendar date in the text, validated, with its role.

Roles: ``issued`` (the date line of the header), ``reference`` (the date of a cited document),
``deadline`` (after "trước", "chậm nhất", "hạn", "không quá" ...), ``meeting`` (a date with a time, after
"Thời gian:", "vào lúc", "Hôm nay", or in a sentence about a meeting), ``event`` (any other)."""

from __future__ import annotations

import re

from .patterns import DATE_RE, valid_date

_DEADLINE_BEFORE = re.compile(
    r"(?:trước|chậm\s+nhất(?:\s+là)?|muộn\s+nhất|hạn\s+chót|hạn\s+cuối|thời\s+hạn(?:\s+hoàn\s+thành)?|không\s+quá|"
    r"hoàn\s+thành(?:\s+trong|\s+vào)?|xong\s+trước|hạn\s+nộp|kết\s+thúc\s+vào|đến\s+hết)"
    r"\s*(?:[:,]\s*)?(?:là\s+)?(?:vào\s+)?(?:lúc\s+)?(?:ngày\s+)?$",
    re.IGNORECASE,
)
_MEETING_BEFORE = re.compile(
    r"(?:thời\s+gian|vào\s+lúc|vào\s+hồi|lúc|hôm\s+nay|khai\s+mạc|tổ\s+chức\s+vào|diễn\s+ra\s+vào|họp\s+vào)"
    r"\s*(?:[:,]\s*)?(?:vào\s+)?(?:ngày\s+)?$",
    re.IGNORECASE,
)
_MEETING_WORDS = re.compile(r"\b(?:họp|hội\s+nghị|buổi\s+\w+|làm\s+việc\s+với|hội\s+thảo|tập\s+huấn|cuộc\s+họp)\b",
                            re.IGNORECASE)


def iso_of(m: re.Match) -> str | None:
    if m.group("d"):
        return valid_date(int(m.group("y")), int(m.group("m")), int(m.group("d")))
    return valid_date(int(m.group("y2")), int(m.group("m2")), int(m.group("d2")))


_SENTENCE_END = re.compile(r"\.\s|;|\n\s*\n|\n(?=\s*(?:[-+•*]|\d+\.|[a-zđ]\)))")


def _sentence(text: str, start: int, end: int) -> str:
    """The sentence around [start, end): a line that OCR wrapped does not end it, a blank line does."""
    a = 0
    for m in _SENTENCE_END.finditer(text, max(0, start - 400), start):
        a = m.end()
    m = _SENTENCE_END.search(text, end)
    return text[a : m.start() if m else len(text)]


# Right after a number and symbol ("Thông tư số 06/2022/TT-BTTTT ngày ...", "Nghị quyết số 66-NQ/TW ngày ..."):
# the date of a cited document, also where the citation repeats or sits inside another one's description.
_CITATION_BEFORE = re.compile(r"\b\d{1,5}[/-][\w./-]*[A-ZĐ][\w./-]*\s*,?\s*(?:ban\s+hành\s+)?(?:ngày\s*)?$")


def role_of(text: str, start: int, end: int, has_time: bool) -> str:
    pre = text[max(0, start - 60) : start]
    pre = re.split(r"\n\s*\n", pre)[-1].replace("\n", " ")  # a wrapped line continues; a blank line ends
    if not has_time and _CITATION_BEFORE.search(pre):
        return "reference"
    if _DEADLINE_BEFORE.search(pre):
        return "deadline"
    if has_time and re.search(r"(?:từ|đến)\s*$", pre, re.IGNORECASE):
        return "event"  # a period ("từ 7 giờ 00 ngày ... đến 17 giờ 00 ngày ...")
    if has_time or _MEETING_BEFORE.search(pre) or _MEETING_WORDS.search(_sentence(text, start, end)):
        return "meeting"
    return "event"


def find_dates(text: str, issued: tuple[int, int] | None, ref_dates: list[tuple[int, int]]) -> list[dict]:
    """All valid dates (31/2 and the like are dropped: unreadable, never guessed)."""
    out = []
    for m in DATE_RE.finditer(text):
        iso = iso_of(m)
        if iso is None:
            continue
        start = m.start()
        # The span covers the date itself; a leading time belongs to it ("14 giờ 00 ngày 29/7/2020").
        time = None
        if m.group("hh"):
            hh, mm = int(m.group("hh")), int(m.group("mm") or 0)
            if hh <= 23 and mm <= 59:
                time = f"{hh:02d}:{mm:02d}"
            else:
                start = m.start("d") if m.group("d") else m.start("d2")
        core = (m.start("d") - len("ngày ") if m.group("d") else m.start("d2"), m.end())
        if issued and issued[0] <= core[0] + 5 and m.end() <= issued[1] + 1 and core[0] >= issued[0] - 5:
            role, conf = "issued", 0.97
        elif any(s - 6 <= core[0] and m.end() <= e + 1 for s, e in ref_dates):
            role, conf = "reference", 0.93
        else:
            role, conf = role_of(text, start, m.end(), time is not None), 0.85
        out.append({"value": iso, "time": time, "text": text[start : m.end()], "role": role,
                    "start": start, "end": m.end(), "confidence": conf})
    issued_year = next((int(d["value"][:4]) for d in out if d["role"] == "issued"), None)
    for d in out:
        # "hoạt động cách mạng trước ngày 01 tháng 01 năm 1945": a date years before the document is no deadline.
        if d["role"] == "deadline" and issued_year and int(d["value"][:4]) < issued_year - 1:
            d["role"] = "event"
    return out
