"""Ingest: every kind of bad input ends in one clear error; good inputs become the right pages."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfWriter

from pipeline.errors import (
    CorruptFileError,
    EmptyInputError,
    ImageTooLargeError,
    InputError,
    NoDocumentsError,
    PasswordProtectedError,
    UnsupportedFormatError,
)
from pipeline.ingest import discover_documents, open_document, read_text_file
from pipeline.ingest.discover import natural_key
from pipeline.ingest.text_layer import layer_score


def test_empty_file_is_a_one_line_error(tmp_path: Path) -> None:
    path = tmp_path / "rong.pdf"
    path.write_bytes(b"")
    with pytest.raises(EmptyInputError) as info:
        open_document(path)
    assert str(info.value) == f"{path}: the file is empty (0 bytes)"


def test_unsupported_format_names_what_is_read(tmp_path: Path) -> None:
    path = tmp_path / "bao-cao.docx"
    path.write_bytes(b"PK\x03\x04 not a scan")
    with pytest.raises(UnsupportedFormatError) as info:
        open_document(path)
    assert "unsupported format .docx; vanban reads PDF, PNG, JPEG, TIFF, BMP, WebP and .txt" in str(info.value)


def test_corrupt_pdf(tmp_path: Path) -> None:
    path = tmp_path / "hong.pdf"
    path.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\ngarbage without xref")
    with pytest.raises(CorruptFileError) as info:
        open_document(path)
    assert "corrupt PDF" in str(info.value) or "no pages" in str(info.value)


def test_password_protected_pdf(tmp_path: Path) -> None:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.encrypt(user_password="mat-khau", owner_password="chu", algorithm="RC4-128")
    path = tmp_path / "mat.pdf"
    with path.open("wb") as handle:
        writer.write(handle)
    with pytest.raises(PasswordProtectedError) as info:
        open_document(path)
    assert str(info.value).endswith(
        "the PDF needs a password to open; decrypt it (qpdf --decrypt --password=PASSWORD in.pdf out.pdf) and retry"
    )


def test_decompression_bomb_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bom.png"
    Image.new("1", (20000, 10000), 1).save(path)  # 200 Mpx, a few kB on disk
    with pytest.raises(ImageTooLargeError) as info:
        open_document(path)
    assert "image too large to be a page scan" in str(info.value)


def test_truncated_png_is_corrupt(tmp_path: Path, page_png: Path) -> None:
    path = tmp_path / "cut.png"
    path.write_bytes(page_png.read_bytes()[:40])
    with pytest.raises(CorruptFileError):
        open_document(path)


def test_missing_file_and_folder_with_nothing(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        open_document(tmp_path / "khong-co.pdf")
    assert str(info.value).endswith("no such file")
    (tmp_path / "trong").mkdir()
    (tmp_path / "trong" / "ghi-chu.md").write_text("nothing here")
    with pytest.raises(NoDocumentsError) as info:
        list(discover_documents([tmp_path / "trong"]))
    assert "no documents found" in str(info.value)


def test_bad_file_in_a_folder_does_not_stop_discovery(tmp_path: Path, page_png: Path) -> None:
    (tmp_path / "a.txt").write_text("Ủy ban nhân dân", encoding="utf-8")
    (tmp_path / "b.pdf").write_bytes(b"")
    (tmp_path / "c.png").write_bytes(page_png.read_bytes())
    found = list(discover_documents([tmp_path]))
    assert [getattr(item, "name", None) for item in found] == ["a", None, "c"]
    assert isinstance(found[1][1], EmptyInputError)


def test_document_per_folder_uses_natural_page_order(tmp_path: Path, page_png: Path) -> None:
    folder = tmp_path / "ho-so-12"
    folder.mkdir()
    for name in ("page_10.png", "page_2.png", "page_1.png"):
        (folder / name).write_bytes(page_png.read_bytes())
    (documents,) = list(discover_documents([tmp_path], document_per_folder=True))
    assert documents.name == "ho-so-12"
    assert [Path(p.path).name for p in documents.pages] == ["page_1.png", "page_2.png", "page_10.png"]
    assert [p.number for p in documents.pages] == [1, 2, 3]
    assert sorted(["p10", "p2", "p1"], key=natural_key) == ["p1", "p2", "p10"]


def test_multipage_tiff_is_one_document(tmp_path: Path, page_png: Path) -> None:
    page = Image.open(page_png)
    path = tmp_path / "scan.tif"
    page.save(path, save_all=True, append_images=[page.rotate(0)], compression="tiff_lzw")
    document = open_document(path)
    assert document.kind == "tiff"
    assert [(p.number, p.index_in_file) for p in document.pages] == [(1, 0), (2, 1)]


def test_pdf_pages_and_hash(tmp_path: Path, page_png: Path) -> None:
    page = Image.open(page_png).convert("RGB")
    path = tmp_path / "van-ban.pdf"
    page.save(path, save_all=True, append_images=[page], resolution=300)
    document = open_document(path)
    assert document.kind == "pdf" and len(document.pages) == 2
    assert all(p.text_layer is None for p in document.pages)
    assert len(document.sha256) == 64


def test_text_file_decoding(tmp_path: Path) -> None:
    utf8 = tmp_path / "a.txt"
    utf8.write_bytes("\ufeffCo\u0302ng va\u0306n".encode())  # BOM and decomposed marks
    assert read_text_file(str(utf8)) == "Công văn"
    legacy = tmp_path / "b.txt"
    legacy.write_bytes(b"C\xabng v\xa8n")  # TCVN3 bytes survive as cp1252 characters for restoration
    assert read_text_file(str(legacy)) == "C«ng v¨n"


def test_layer_score_separates_clean_from_garbled_layers() -> None:
    clean = "Ủy ban nhân dân thành phố kết luận về công tác cải cách hành chính trong năm"
    stripped = "Uy ban nhan dan thanh pho ket luan ve cong tac cai cach hanh chinh trong nam"
    garbled = "K~t lu~n QuySt dinh s6 thu t\\lC cüa näm VBND mroc each hQPgac"
    assert layer_score(clean) == 1.0
    assert layer_score(stripped) == 0.0
    assert layer_score(garbled) < 0.2


def test_corrupt_pdf_error_is_the_only_line_on_stderr(tmp_path: Path) -> None:
    import subprocess
    import sys

    path = tmp_path / "cut.pdf"
    path.write_bytes(b"%PDF-1.4 junk")
    done = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "ocr", str(path)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 3
    assert done.stderr.splitlines() == [f"vanban: error: {path}: corrupt PDF (Stream has ended unexpectedly)"]


def test_eth_in_a_pdf_text_layer_is_read_as_d_with_stroke(tmp_path: Path) -> None:
    """A scanner's own layer writes Ð for Đ as Tesseract does; no OCR word list carries it, so ingest repairs it."""
    import pikepdf

    pdf = pikepdf.new()
    font = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
                                                BaseFont=pikepdf.Name.Helvetica, Encoding=pikepdf.Name.WinAnsiEncoding))
    text = "So 12/QÐ-UBND cua HÐND ngày 3 tháng 5 Ðörður".encode("cp1252")  # WinAnsi has Ð, not Đ
    content = b"BT /F1 12 Tf 72 720 Td (" + text + b") Tj ET"
    pdf.add_blank_page(page_size=(595, 842))
    pdf.pages[0].Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
    pdf.pages[0].Contents = pdf.make_stream(content)
    path = tmp_path / "layer.pdf"
    pdf.save(path)
    (page,) = open_document(path).pages
    assert page.text_layer == "So 12/QĐ-UBND cua HĐND ngày 3 tháng 5 Ðörður"
