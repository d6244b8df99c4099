"""Read .txt/.md/.pdf/.docx into NFC text, or explain precisely why a file cannot be used.

Korean corpora still arrive as CP949/EUC-KR text from older systems, so plain-text decoding tries UTF-8,
then CP949 (a superset of EUC-KR), then charset-normalizer's guess. Every failure raises ``ReadError``
whose message names the problem and the fix but never quotes the file's content (it may hold PII).
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

SUPPORTED = {".txt": "txt", ".md": "md", ".markdown": "md", ".pdf": "pdf", ".docx": "docx",
             ".hwp": "hwp", ".hwpx": "hwpx", ".xlsx": "xlsx", ".csv": "csv", ".tsv": "csv"}
_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_LETTER = re.compile(r"[A-Za-z\uac00-\ud7a3]")


class ReadError(ValueError):
    """A document that cannot be ingested; ``kind`` is a short machine-readable reason code."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True)
class ReadResult:
    text: str
    format: str
    encoding: str


def detect_lang(text: str) -> str:
    letters = _LETTER.findall(text[:20000])
    if not letters:
        return "en"
    hangul = sum(1 for c in letters if _HANGUL.match(c))
    return "ko" if hangul / len(letters) > 0.2 else "en"


def _looks_binary(data: bytes) -> bool:
    sample = data[:8192]
    if b"\x00" in sample:
        return True
    ctrl = sum(1 for b in sample if b < 9 or 13 < b < 32)
    return ctrl / max(1, len(sample)) > 0.05


_BOMS = ((b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be"),
         (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))


def _zero_share(sample: bytes, offset: int, step: int) -> float:
    cells = sample[offset::step]
    return cells.count(0) / max(1, len(cells))


def _wide_candidates(data: bytes) -> list[str]:
    """UTF-32/UTF-16 encodings suggested by where the zero bytes fall (text without a BOM)."""
    sample = data[:8192]
    out = []
    if len(data) % 4 == 0 and len(sample) >= 8:
        if _zero_share(sample, 2, 4) > 0.9 and _zero_share(sample, 3, 4) > 0.9:
            out.append("utf-32-le")
        if _zero_share(sample, 0, 4) > 0.9 and _zero_share(sample, 1, 4) > 0.9:
            out.append("utf-32-be")
    if len(data) % 2 == 0 and len(sample) >= 4:
        even, odd = _zero_share(sample, 0, 2), _zero_share(sample, 1, 2)
        if odd > 0.2 and even < 0.05:
            out.append("utf-16-le")
        if even > 0.2 and odd < 0.05:
            out.append("utf-16-be")
        if not out and even < 0.05 and odd < 0.05:      # Hangul-only UTF-16 has almost no zero bytes
            out += ["utf-16-le", "utf-16-be"]
    return out


def decode_wide(data: bytes) -> tuple[str, str] | None:
    """UTF-16/UTF-32 text (with or without a BOM) -> (text, encoding), or None when it is not."""
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(enc), enc
            except UnicodeDecodeError:
                raise ReadError("undecodable", f"file starts with a {enc.upper()} byte-order mark but does not "
                                               "decode as such; re-save the file as UTF-8") from None
    for enc in _wide_candidates(data):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if _plausible_ratio(text) >= 0.98 and _wordlike_ratio(text) >= 0.9:
            return text, enc
    return None


def _wordlike_ratio(text: str) -> float:
    """Share of ASCII printable, whitespace and Hangul (a stricter test than ``_plausible_ratio`` for guesses)."""
    ok = sum(1 for ch in text if " " <= ch <= "~" or ch in "\n\r\t" or "\uac00" <= ch <= "\ud7a3"
             or "\u3000" <= ch <= "\u303f" or "\uff00" <= ch <= "\uffef")
    return ok / max(1, len(text))


def decode_text(data: bytes) -> tuple[str, str]:
    """Bytes -> (text, encoding). UTF-8 first, then CP949, then charset-normalizer's best guess."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    for enc in ("utf-8", "cp949"):
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError:
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or best.encoding is None:
        raise ReadError("undecodable", "text is not UTF-8, CP949/EUC-KR or any encoding charset-normalizer "
                                       "recognises; re-save the file as UTF-8")
    text = str(best)
    if _plausible_ratio(text) < 0.9:
        raise ReadError("undecodable", f"text is not UTF-8 or CP949/EUC-KR; the best guess ({best.encoding}) "
                                       "does not look like Korean or English; re-save the file as UTF-8")
    return text, best.encoding


def _plausible_ratio(text: str) -> float:
    """Share of characters from the scripts our corpora use (ASCII, Latin-1, Hangul, CJK, punctuation)."""
    ok = sum(1 for ch in text if ch < "\u0250" or "\u1100" <= ch <= "\u11ff" or "\u2000" <= ch <= "\u33ff"
             or "\u3400" <= ch <= "\u9fff" or "\uac00" <= ch <= "\ud7a3" or "\uff00" <= ch <= "\uffef")
    return ok / max(1, len(text))


def _read_pdf(data: bytes) -> str:
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                opened = reader.decrypt("")          # PasswordType.NOT_DECRYPTED (0): a user password is set
            except Exception:  # noqa: BLE001 - any decrypt failure means the same thing to the user
                opened = 0
            if not opened:
                raise ReadError("encrypted_pdf", "PDF is password-protected; remove the password and retry")
        pages = [(p.extract_text() or "") for p in reader.pages]
    except ReadError:
        raise
    except Exception as e:  # noqa: BLE001 - pypdf raises many types; an encrypted file is the common cause
        if b"/Encrypt" in data[-65536:] or b"/Encrypt" in data[:65536]:
            raise ReadError("encrypted_pdf", "PDF is password-protected or encrypted; remove the password "
                                             "and retry") from None
        raise ReadError("unreadable_pdf", f"PDF cannot be parsed ({type(e).__name__}); re-export it as PDF/A "
                                          "or convert it to .docx/.txt") from None
    text = "\n\n".join(pages)
    if not text.strip():
        raise ReadError("no_text_layer", "PDF has no text layer (scanned image?); run OCR first and ingest "
                                         "the OCR'd PDF or its text")
    return text


def _read_docx(data: bytes) -> str:
    try:
        import docx

        d = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as e:
        raise ReadError("unreadable_docx", f"not a valid .docx file ({type(e).__name__}); open and re-save it "
                                           "in Word/LibreOffice as .docx") from None
    parts = [p.text for p in d.paragraphs]
    for table in d.tables:
        for row in table.rows:
            parts.append(" | ".join(c.text.strip() for c in row.cells))
    return "\n".join(parts)


def _read_extra(fmt: str, data: bytes, max_bytes: int) -> str:
    """HWP/HWPX (onprem_sft.ingest.hwp) and spreadsheets (onprem_sft.ingest.sheets), imported lazily."""
    from onprem_sft.ingest import hwp, sheets

    if fmt == "hwp":
        return hwp.read_hwp(data)
    if fmt == "hwpx":
        return hwp.read_hwpx(data, max_bytes)
    return sheets.read_xlsx(data) if fmt == "xlsx" else sheets.read_csv(data)


def read_document(path: Path, max_bytes: int) -> ReadResult:
    """Read one file; raises ReadError with a user-facing reason (no document content in it)."""
    fmt = SUPPORTED.get(path.suffix.lower())
    if fmt is None:
        raise ReadError("unsupported", f"unsupported file type {path.suffix!r}; supported: {sorted(SUPPORTED)}")
    size = path.stat().st_size
    if size == 0:
        raise ReadError("empty", "file is empty")
    if size > max_bytes:
        raise ReadError("too_large", f"file is {size / 2**20:.1f} MiB, over corpus.max_file_mb="
                                     f"{max_bytes / 2**20:g}; split it or raise corpus.max_file_mb")
    data = path.read_bytes()
    encoding = ""
    if fmt == "pdf":
        if not data.startswith(b"%PDF"):
            raise ReadError("unreadable_pdf", "file has a .pdf name but is not a PDF; check the export")
        text = _read_pdf(data)
    elif fmt == "docx":
        text = _read_docx(data)
    elif fmt in ("hwp", "hwpx", "xlsx", "csv"):
        text = _read_extra(fmt, data, max_bytes)
    else:
        wide = decode_wide(data)
        if wide is not None:
            text, encoding = wide
        elif _looks_binary(data):
            raise ReadError("binary", f"file looks binary, not {fmt} text; convert it to text or remove it")
        else:
            text, encoding = decode_text(data)
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise ReadError("empty", "file has no text after decoding")
    return ReadResult(text=text, format=fmt, encoding=encoding)


def guess_title(text: str, fallback: str) -> str:
    for line in text.splitlines():
        s = line.strip().lstrip("#").strip()
        if s:
            return s[:120]
    return fallback
