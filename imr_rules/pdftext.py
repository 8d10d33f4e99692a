"""The text of a letter file, whether it is plain text or a PDF.

Letters arrive as text already extracted, or as the PDFs the Division publishes
(AES-encrypted with an empty user password). Every way a file can be unusable
becomes one `InputError` naming the file and the reason, so a corpus run can
record it and go on; nothing here may hang or crash on garbage.
"""

from __future__ import annotations

import codecs
import stat
from pathlib import Path

from imr_rules.errors import InputError

MAX_BYTES = 20 * 1024 * 1024  # a letter is tens of kilobytes; anything this big is not one
MAX_PAGES = 500
PAGE_BREAK = "\f"  # a form feed on a line of its own stands between pages; the letter parser knows it

_PDF_MAGIC = b"%PDF-"
_BINARY_PROBE = 4096


def read_text(path: str | Path, max_bytes: int = MAX_BYTES) -> str:
    """The text of a `.txt` or `.pdf` letter, line endings normalised to `\\n`, a `\\f` line between pages.

    A file is read as PDF when its name ends in `.pdf` or its bytes start like one.
    """
    p = Path(path)
    data = _read_bytes(p, max_bytes)
    if p.suffix.lower() == ".pdf" or data.lstrip()[:5] == _PDF_MAGIC:
        return pdf_text(data, p)
    return decode_text(data, p)


def _read_bytes(path: Path, max_bytes: int) -> bytes:
    try:
        status = path.stat()
        if stat.S_ISDIR(status.st_mode):
            raise InputError("is a folder, not a letter file", path)
        if not stat.S_ISREG(status.st_mode):  # a pipe or a device could block or never end
            raise InputError("not a regular file", path)
        size = status.st_size
        if size > max_bytes:
            limit = _megabytes(max_bytes)
            raise InputError(f"file too large ({_megabytes(size)}; the limit is {limit})", path)
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError("no such file", path) from None
    except IsADirectoryError:
        raise InputError("is a folder, not a letter file", path) from None
    except OSError as err:
        raise InputError(f"cannot read file: {err.strerror or err}", path) from None
    if len(data) > max_bytes:  # it grew while we looked
        raise InputError(f"file too large (the limit is {_megabytes(max_bytes)})", path)
    if not data.strip():
        raise InputError("empty file", path)
    return data


def _megabytes(size: int) -> str:
    """A size as people read it: '50 MB', '20.5 MB', '2 KB'."""
    if size < 1048576:
        return f"{size / 1024:.0f} KB"
    return f"{size / 1048576:.1f} MB" if size % 1048576 else f"{size // 1048576} MB"


def decode_text(data: bytes, path: str | Path | None = None) -> str:
    """Bytes of a text letter as a string: UTF-8 (or UTF-16 with its byte-order mark), never binary."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise InputError("cannot decode text: malformed UTF-16", path) from None
        return _normalise_newlines(text)
    if b"\x00" in data[:_BINARY_PROBE] or _mostly_control(data[:_BINARY_PROBE]):
        raise InputError("binary file, not a text letter or a PDF", path)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        raise InputError(
            f"cannot decode text: byte 0x{data[err.start]:02x} is not UTF-8", path, line
        ) from None
    return _normalise_newlines(text)


def _mostly_control(sample: bytes) -> bool:
    """Binary data shows itself by control bytes that text never has (tab, newline, form feed aside)."""
    if not sample:
        return False
    control = len(sample) - len(sample.translate(None, _CONTROL))  # in C: deleting them counts them
    return control / len(sample) > 0.05


_CONTROL = bytes(b for b in range(32) if b not in (9, 10, 12, 13))


def _normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def pdf_text(data: bytes, path: str | Path | None = None) -> str:
    """The text of every page of a PDF, opened with the empty password its publisher uses."""
    import pypdfium2 as pdfium  # heavy: load only when a PDF is read

    if not data.lstrip()[:5] == _PDF_MAGIC:
        raise InputError("not a PDF file (it does not start with %PDF-)", path)
    try:
        document = pdfium.PdfDocument(data, password="")
    except pdfium.PdfiumError as err:
        raise InputError(_open_problem(err), path) from None
    try:
        count = len(document)
        if count == 0:
            raise InputError("PDF has no pages", path)
        if count > MAX_PAGES:
            raise InputError(f"PDF has {count} pages; a letter has at most {MAX_PAGES}", path)
        pages = []
        for index in range(count):
            try:
                page = document[index]
                textpage = page.get_textpage()
                pages.append(textpage.get_text_range())
                textpage.close()
                page.close()
            except pdfium.PdfiumError as err:
                raise InputError(f"corrupt PDF: page {index + 1} cannot be read ({err})", path) from None
    finally:
        document.close()
    text = f"\n{PAGE_BREAK}\n".join(_normalise_newlines(page).replace("\ufffe", "-") for page in pages)
    if not text.strip():
        raise InputError("PDF has no text layer (a scanned image?); run OCR first", path)
    return text


def _open_problem(err: Exception) -> str:
    """What a PDF library's refusal to open a file means to a person."""
    message = str(err)
    lowered = message.lower()
    if "password" in lowered:
        return "PDF is encrypted with a password (only the empty password is tried)"
    if "security" in lowered:
        return "PDF uses an unsupported security handler"
    if "format" in lowered:
        return "corrupt or truncated PDF (cannot read its structure)"
    return f"cannot open PDF: {message}"
