"""Reading letter files: text as given, PDFs opened with the empty password, bad files refused clearly."""

from __future__ import annotations

import codecs
import os
from pathlib import Path

import pytest
from corpus_paths import corpus_dir

from imr_rules.errors import InputError
from imr_rules.pdftext import PAGE_BREAK, read_text

BAD = Path(__file__).parent / "data" / "bad"


def _refusal(path: Path, **kwargs) -> str:
    with pytest.raises(InputError) as caught:
        read_text(path, **kwargs)
    assert caught.value.path == str(path)
    return caught.value.problem


def _first_pdf() -> Path:
    return sorted(corpus_dir("dwc").glob("*.pdf"))[0]


def test_an_encrypted_corpus_pdf_opens_with_the_empty_password_and_keeps_its_pages():
    text = read_text(_first_pdf())
    assert text.startswith("Case Number: CM")
    assert "IMR ISSUES, DECISIONS AND RATIONALES" in text
    assert PAGE_BREAK in text
    assert "\r" not in text
    assert "\ufffe" not in text


def test_text_files_are_read_with_line_endings_normalised(tmp_path):
    path = tmp_path / "letter.txt"
    path.write_bytes(b"first line\r\nsecond line\rthird line\n")
    assert read_text(path) == "first line\nsecond line\nthird line\n"


def test_utf8_with_a_byte_order_mark_and_utf16_are_text(tmp_path):
    path = tmp_path / "letter.txt"
    path.write_bytes(codecs.BOM_UTF8 + "Décision".encode())
    assert read_text(path) == "Décision"
    path.write_bytes("Décision\r\n".encode("utf-16"))
    assert read_text(path) == "Décision\n"


def test_an_empty_file_is_refused(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    assert _refusal(path) == "empty file"
    path.write_bytes(b" \n\t\n")
    assert _refusal(path) == "empty file"


def test_a_binary_file_is_refused(tmp_path):
    path = tmp_path / "image.txt"
    path.write_bytes(bytes(range(256)) * 8)
    assert _refusal(path) == "binary file, not a text letter or a PDF"


def test_text_that_is_not_utf8_is_refused_with_its_line(tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes("line one\nline two caf\xe9\n".encode("latin-1"))
    with pytest.raises(InputError) as caught:
        read_text(path)
    assert caught.value.line == 2
    assert "not UTF-8" in caught.value.problem


def test_a_pdf_that_needs_a_password_is_refused():
    assert "encrypted with a password" in _refusal(BAD / "needs_password.pdf")


def test_a_truncated_pdf_is_refused(tmp_path):
    path = tmp_path / "cut.pdf"
    path.write_bytes(_first_pdf().read_bytes()[:5000])
    assert "corrupt or truncated PDF" in _refusal(path)


def test_garbage_after_a_pdf_signature_is_refused(tmp_path):
    path = tmp_path / "garbage.pdf"
    path.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 40)
    assert "corrupt or truncated PDF" in _refusal(path)


def test_a_file_named_pdf_that_is_not_one_is_refused(tmp_path):
    path = tmp_path / "letter.pdf"
    path.write_text("HOW THE IMR FINAL DETERMINATION WAS MADE\n")
    assert _refusal(path) == "not a PDF file (it does not start with %PDF-)"


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "big.txt"
    path.write_bytes(b"x" * 2048)
    assert _refusal(path, max_bytes=1024) == "file too large (2 KB; the limit is 1 KB)"


def test_missing_files_folders_and_pipes_are_refused(tmp_path):
    assert _refusal(tmp_path / "nothing.txt") == "no such file"
    assert _refusal(tmp_path) == "is a folder, not a letter file"
    if hasattr(os, "mkfifo"):  # POSIX
        pipe = tmp_path / "pipe.txt"
        os.mkfifo(pipe)
        assert _refusal(pipe) == "not a regular file"
