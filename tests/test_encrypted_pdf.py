"""Encrypted PDFs: owner-only encryption (the usual "copy/print restricted" government PDF) reads like no
encryption, text layer included, with RC4, AES-128 and AES-256; a real user password is that document's
failed record (``password-protected``) and the rest of the batch goes on."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from benchmarks.faults import encrypted_pdf
from benchmarks.faults import searchable_pdf as tesseract_pdf
from pipeline.batch import run_batch
from pipeline.config import PipelineConfig
from pipeline.errors import ExitCode, PasswordProtectedError
from pipeline.ingest import open_document
from pipeline.ocr import read_page
from pipeline.schema import record_errors

ALGORITHMS = ["RC4-128", "AES-128", "AES-256"]
LAYER = "Quyết định số 3665/QĐ-UBND ngày 09/9/2025 \ncủa Ủy ban nhân dân thành phố Đà Nẵng"


@pytest.fixture(scope="module")
def searchable_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A scan with Tesseract's invisible text layer, as archive scanners make them."""
    from conftest import render_lines

    folder = tmp_path_factory.mktemp("enc")
    image = folder / "trang.png"
    render_lines(["Quyết định số 3665/QĐ-UBND ngày 09/9/2025", "của Ủy ban nhân dân thành phố Đà Nẵng"]).save(
        image, dpi=(300, 300)
    )
    return tesseract_pdf(image, folder / "plain.pdf")


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_owner_only_encryption_reads_like_none_text_layer_included(
    algorithm: str, searchable_pdf: Path, tmp_path: Path
) -> None:
    assert open_document(searchable_pdf).pages[0].text_layer == LAYER
    path = encrypted_pdf(searchable_pdf, tmp_path / f"{algorithm}.pdf", algorithm)
    (ctx,) = open_document(path).pages
    assert ctx.text_layer == LAYER
    page = read_page(ctx)
    assert page.error is None
    assert page.origin == "layer"
    assert page.text == LAYER.strip()


def test_owner_only_aes_256_page_renders_for_ocr(searchable_pdf: Path, tmp_path: Path) -> None:
    from pipeline.record import OcrOptions

    path = encrypted_pdf(searchable_pdf, tmp_path / "aes.pdf", "AES-256")
    (ctx,) = open_document(path, OcrOptions(force_ocr=True)).pages
    page = read_page(ctx)
    assert page.error is None and page.origin == "ocr"
    assert [line.text for line in page.lines] == LAYER.replace(" \n", "\n").split("\n")


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_user_password_is_a_one_line_password_protected_error(
    algorithm: str, searchable_pdf: Path, tmp_path: Path
) -> None:
    path = encrypted_pdf(searchable_pdf, tmp_path / "mat.pdf", algorithm, user_password="mat-khau")
    with pytest.raises(PasswordProtectedError) as info:
        open_document(path)
    assert info.value.code == "password-protected"
    assert str(info.value) == (
        f"{path}: the PDF needs a password to open; decrypt it "
        "(qpdf --decrypt --password=PASSWORD in.pdf out.pdf) and retry"
    )


def test_a_password_protected_pdf_fails_alone_in_its_batch(searchable_pdf: Path, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    encrypted_pdf(searchable_pdf, folder / "mat.pdf", "AES-256", user_password="mat-khau")
    encrypted_pdf(searchable_pdf, folder / "mo.pdf", "AES-256")
    (folder / "vb.txt").write_text("Công văn của Sở Nội vụ.\n", encoding="utf-8")
    out = tmp_path / "out"
    summary = run_batch([folder], out, config=PipelineConfig(restore=False, extract=False), workers=1,
                        progress=False)
    assert (summary.processed, summary.failed) == (2, 1)
    assert summary.exit_code == ExitCode.SOME_DOCUMENTS_FAILED
    import json

    failed = json.loads((out / "mat.json").read_text(encoding="utf-8"))
    assert record_errors(failed) == []
    assert [(e["code"], e["stage"]) for e in failed["errors"]] == [("password-protected", "ingest")]
    opened = json.loads((out / "mo.json").read_text(encoding="utf-8"))
    assert opened["text"]["final"] == LAYER.strip() and opened["pages"][0]["origin"] == "layer"


_WITHOUT_CRYPTOGRAPHY = """
import sys
sys.modules["cryptography"] = None  # as on a machine where pypdf's crypto extra is missing
sys.modules["Crypto"] = None
from pipeline.errors import VanbanError
from pipeline.ingest import open_document
try:
    open_document(sys.argv[1])
except VanbanError as error:
    print(error.code, str(error), sep="|")
"""


@pytest.mark.parametrize("algorithm", ["AES-128", "AES-256"])
def test_without_an_aes_provider_the_document_says_so_instead_of_losing_its_layer(
    algorithm: str, searchable_pdf: Path, tmp_path: Path
) -> None:
    """The cause of the silent loss: pypdf checks an AES-128 owner password with MD5 and RC4 only, then
    raised DependencyError on each page's text, which was taken for a damaged page (empty layer)."""
    import sys

    path = encrypted_pdf(searchable_pdf, tmp_path / f"{algorithm}.pdf", algorithm)
    done = subprocess.run([sys.executable, "-c", _WITHOUT_CRYPTOGRAPHY, str(path)], capture_output=True,
                          text=True, check=True)
    code, message = done.stdout.strip().split("|")
    assert code == "missing-dependency"
    assert message == (
        f"{path}: reading this encrypted PDF needs the cryptography package (cryptography>=3.1 is required "
        "for AES algorithm); pip install 'pypdf[crypto]'"
    )
