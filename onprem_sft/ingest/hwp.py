"""HWP 5.x (binary) and HWPX (OWPML zip) documents -> plain text with table rows and footnotes.

Why our own reader and not a library: pyhwp is AGPL-3.0 (not distributable with this Apache-2.0 project);
unhwp (MIT) is a 5 MB prebuilt native library loaded through ctypes, hard to audit in an air-gapped
review; hwp-hwpx-parser (Apache-2.0, one release) reports "not encrypted" whenever reading the header
fails and does not notice distribution-locked documents (it returns empty text); python-hwpx reads HWPX
only. The formats are public (Hancom's "HWP 5.0 file format" and KS X 6101 OWPML) and text extraction
needs only a small part of them: ``olefile`` (BSD) + ``zlib`` for HWP 5.x BodyText records, ``zipfile`` +
ElementTree for HWPX. Tables become one text row per table row (cells joined by `` | ``, as for .docx);
footnotes and endnotes follow the paragraph that cites them as ``[각주] ...`` lines; headers, footers
and page numbers are skipped. Every failure is a ``ReadError`` with a reason code and no document text.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from xml.etree import ElementTree as ET

from onprem_sft.ingest.readers import ReadError

# ---------------------------------------------------------------------------------------------------------
# HWP 5.x: an OLE compound file; FileHeader flags, BodyText/SectionN streams of tagged records.
# ---------------------------------------------------------------------------------------------------------
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
HWP_SIGNATURE = b"HWP Document File"
_TAG_BEGIN = 0x10
TAG_PARA_HEADER = _TAG_BEGIN + 50
TAG_PARA_TEXT = _TAG_BEGIN + 51
TAG_CTRL_HEADER = _TAG_BEGIN + 55
TAG_LIST_HEADER = _TAG_BEGIN + 56
TAG_TABLE = _TAG_BEGIN + 61

# FileHeader property bits (HWP 5.0 spec, table 3)
F_COMPRESSED, F_PASSWORD, F_DISTRIBUTION, F_DRM, F_CERT_ENCRYPTED = 0x01, 0x02, 0x04, 0x10, 0x100

# control ids as stored (little-endian bytes of MAKE_4CHID)
CTRL_TABLE = b" lbt"
CTRL_NOTES = (b"  nf", b"  ne")                       # footnote, endnote
CTRL_SKIP = (b"daeh", b"toof", b"pngp", b"dhgp")      # header, footer, page number position, page hiding

# PARA_TEXT control characters: these take 8 UTF-16 units (code, 6 units of payload, code); the rest 1.
_WIDE_CTRL = frozenset({1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23})
NOTE_PREFIX = "[각주]"
_MAX_RECORDS = 2_000_000


def _reject_hwp_flags(props: int) -> None:
    if props & (F_PASSWORD | F_CERT_ENCRYPTED):
        raise ReadError("encrypted_hwp", "HWP document is password-protected (encrypted); open it in Hancom "
                                         "Office, remove the password and save again, then retry")
    if props & F_DISTRIBUTION:
        raise ReadError("distribution_locked_hwp", "HWP document is distribution-locked (배포용 문서): its text "
                                                   "is encrypted; ask the owner for an unlocked copy or an HWPX/PDF "
                                                   "export")
    if props & F_DRM:
        raise ReadError("drm_hwp", "HWP document is DRM-protected; export an unprotected copy and retry")


def parse_records(data: bytes) -> list[tuple[int, int, bytes]]:
    """A section stream -> [(tag, level, payload)]. A truncated record ends the list (corrupt tail)."""
    out: list[tuple[int, int, bytes]] = []
    pos, n = 0, len(data)
    while pos + 4 <= n and len(out) < _MAX_RECORDS:
        (head,) = struct.unpack_from("<I", data, pos)
        tag, level, size = head & 0x3FF, (head >> 10) & 0x3FF, (head >> 20) & 0xFFF
        pos += 4
        if size == 0xFFF:
            if pos + 4 > n:
                break
            (size,) = struct.unpack_from("<I", data, pos)
            pos += 4
        if pos + size > n:
            raise ReadError("corrupt_hwp", "an HWP body record runs past the end of its section (truncated or "
                                           "corrupt file); open and re-save it in Hancom Office")
        out.append((tag, level, data[pos:pos + size]))
        pos += size
    return out


def decode_para_text(payload: bytes) -> str:
    """PARA_TEXT payload (UTF-16LE with inline control blocks) -> text; tabs and line breaks kept."""
    units = struct.unpack_from(f"<{len(payload) // 2}H", payload)
    out: list[str] = []
    i = 0
    while i < len(units):
        u = units[i]
        if u < 32:
            if u == 9:
                out.append("\t")
            elif u == 10:
                out.append("\n")
            elif u in (24,):
                out.append("-")
            elif u in (30, 31):
                out.append(" ")
            i += 8 if u in _WIDE_CTRL else 1
            continue
        out.append(chr(u))
        i += 1
    return "".join(out).replace("\ufffe", "").strip("\r")


def _subtree_end(recs: list[tuple[int, int, bytes]], i: int) -> int:
    level, j = recs[i][1], i + 1
    while j < len(recs) and recs[j][1] > level:
        j += 1
    return j


def _table_rows(recs: list[tuple[int, int, bytes]]) -> list[str]:
    """Records under a table control -> one ``a | b | c`` line per table row (cell position from the cell's
    LIST_HEADER; nested tables flattened into their cell)."""
    cells = [k for k, r in enumerate(recs) if r[0] == TAG_LIST_HEADER]
    if not cells:
        return []
    level = min(recs[k][1] for k in cells)
    cells = [k for k in cells if recs[k][1] == level]
    grid: dict[int, dict[int, str]] = {}
    for n, k in enumerate(cells):
        end = cells[n + 1] if n + 1 < len(cells) else len(recs)
        payload = recs[k][2]
        col, row = (struct.unpack_from("<HH", payload, 8) if len(payload) >= 12 else (n, 0))
        body = [r for r in recs[k + 1:end] if r[1] >= level]
        lines, notes = _render(body)
        grid.setdefault(row, {})[col] = " ".join(s.strip() for s in lines + notes if s.strip())
    return [" | ".join(grid[r][c] for c in sorted(grid[r])) for r in sorted(grid)]


def _render(recs: list[tuple[int, int, bytes]]) -> tuple[list[str], list[str]]:
    """Records -> (text lines, footnote lines not yet placed). Footnotes follow their paragraph."""
    lines: list[str] = []
    i = 0
    while i < len(recs):
        tag, _, payload = recs[i]
        if tag == TAG_PARA_TEXT:
            lines.append(decode_para_text(payload))
            i += 1
        elif tag == TAG_CTRL_HEADER:
            end = _subtree_end(recs, i)
            cid = payload[:4]
            sub = recs[i + 1:end]
            if cid == CTRL_TABLE:
                lines.extend(_table_rows(sub))
            elif cid in CTRL_NOTES:
                inner, inner_notes = _render(sub)
                note = " ".join(s.strip() for s in inner + inner_notes if s.strip())
                if note:
                    lines.append(f"{NOTE_PREFIX} {note}")
            elif cid not in CTRL_SKIP:
                inner, inner_notes = _render(sub)          # text boxes, shapes with text
                lines.extend(inner + inner_notes)
            i = end
        else:
            i += 1
    return lines, []


def read_hwp(data: bytes) -> str:
    """HWP 5.x bytes -> text. HWP 3.x, encrypted, distribution-locked and DRM files are rejected."""
    if data.startswith(b"HWP Document File V3"):
        raise ReadError("hwp3_unsupported", "HWP 3.x (pre-2002) document; open it in Hancom Office and save it "
                                            "as HWP 5 (.hwp) or HWPX, then retry")
    if not data.startswith(OLE_MAGIC):
        raise ReadError("corrupt_hwp", "file has an .hwp name but is not an HWP 5 compound file; check the "
                                       "export or re-save it in Hancom Office")
    import olefile

    try:
        ole = olefile.OleFileIO(io.BytesIO(data))
    except (OSError, ValueError, struct.error) as e:
        raise ReadError("corrupt_hwp", f"HWP compound file cannot be opened ({type(e).__name__}); re-save it "
                                       "in Hancom Office") from None
    try:
        if not ole.exists("FileHeader"):
            raise ReadError("corrupt_hwp", "HWP file has no FileHeader stream (not an HWP 5 document?)")
        header = ole.openstream("FileHeader").read(256)
        if not header.startswith(HWP_SIGNATURE) or len(header) < 40:
            raise ReadError("corrupt_hwp", "HWP FileHeader signature is missing; the file is not HWP 5 or corrupt")
        (props,) = struct.unpack_from("<I", header, 36)
        _reject_hwp_flags(props)
        sections = sorted((p for p in ole.listdir() if len(p) == 2 and p[0] == "BodyText"
                           and re.fullmatch(r"Section\d+", p[1])), key=lambda p: int(p[1][7:]))
        if not sections:
            raise ReadError("corrupt_hwp", "HWP file has no BodyText sections; re-save it in Hancom Office")
        parts = []
        for p in sections:
            raw = ole.openstream("/".join(p)).read()
            if props & F_COMPRESSED:
                try:
                    raw = zlib.decompressobj(-15).decompress(raw)
                except zlib.error:
                    raise ReadError("corrupt_hwp", f"HWP section {p[1]} does not decompress (corrupt file); "
                                                   "re-save it in Hancom Office") from None
            lines, _ = _render(parse_records(raw))
            parts.append("\n".join(lines))
    except (OSError, struct.error) as e:
        raise ReadError("corrupt_hwp", f"HWP file cannot be read ({type(e).__name__}); re-save it in Hancom "
                                       "Office") from None
    finally:
        ole.close()
    return "\n\n".join(parts)


# ---------------------------------------------------------------------------------------------------------
# HWPX: zip of OWPML XML. Contents/content.hpf lists the sections in reading order.
# ---------------------------------------------------------------------------------------------------------
_SECTION_RE = re.compile(r"Contents/section(\d+)\.xml$", re.IGNORECASE)
_SKIP_HWPX = frozenset({"header", "footer", "pageNum", "pageHiding", "secPr", "ctrl_skip", "linesegarray"})


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _hwpx_text(el: ET.Element) -> str:
    """``<hp:t>`` with its inline children (tab, lineBreak) and their tails."""
    out = [el.text or ""]
    for ch in el:
        name = _local(ch.tag)
        out.append("\t" if name == "tab" else "\n" if name == "lineBreak"
                   else " " if name in ("nbSpace", "fwSpace") else "-" if name == "hyphen" else "")
        out.append(ch.tail or "")
    return "".join(out)


def _hwpx_table(tbl: ET.Element) -> list[str]:
    rows = []
    for tr in (c for c in tbl if _local(c.tag) == "tr"):
        cells = []
        for tc in (c for c in tr if _local(c.tag) == "tc"):
            lines, notes = _hwpx_block(tc)
            cells.append(" ".join(s.strip() for s in lines + notes if s.strip()))
        rows.append(" | ".join(cells))
    return rows


def _hwpx_block(el: ET.Element) -> tuple[list[str], list[str]]:
    """Element -> (lines, footnote lines). A paragraph is one line; tables and notes add their own."""
    lines: list[str] = []
    notes: list[str] = []
    for ch in el:
        name = _local(ch.tag)
        if name == "p":
            buf: list[str] = []
            after: list[str] = []
            _hwpx_para(ch, buf, after)
            text = "".join(buf)
            if text.strip() or not after:
                lines.append(text)
            lines.extend(after)
        elif name == "tbl":
            lines.extend(_hwpx_table(ch))
        elif name in _SKIP_HWPX:
            continue
        else:
            sub, sub_notes = _hwpx_block(ch)
            lines.extend(sub)
            notes.extend(sub_notes)
    return lines, notes


def _hwpx_para(el: ET.Element, buf: list[str], after: list[str]) -> None:
    for ch in el:
        name = _local(ch.tag)
        if name == "t":
            buf.append(_hwpx_text(ch))
        elif name == "tbl":
            after.extend(_hwpx_table(ch))
        elif name in ("footNote", "endNote"):
            inner, inner_notes = _hwpx_block(ch)
            note = " ".join(s.strip() for s in inner + inner_notes if s.strip())
            if note:
                after.append(f"{NOTE_PREFIX} {note}")
        elif name in _SKIP_HWPX:
            continue
        elif name == "subList":
            inner, inner_notes = _hwpx_block(ch)            # text boxes / shapes: their paragraphs follow
            after.extend(inner + inner_notes)
        else:
            _hwpx_para(ch, buf, after)


def _section_order(z: zipfile.ZipFile, names: list[str]) -> list[str]:
    sections = [n for n in names if _SECTION_RE.search(n)]
    try:
        hpf = ET.fromstring(z.read("Contents/content.hpf"))
    except (KeyError, ET.ParseError):
        return sorted(sections, key=lambda n: int(_SECTION_RE.search(n).group(1)))  # type: ignore[union-attr]
    href = {i.get("id"): i.get("href", "") for i in hpf.iter() if _local(i.tag) == "item"}
    spine = [href.get(r.get("idref"), "") for r in hpf.iter() if _local(r.tag) == "itemref"]
    ordered = [s if s.startswith("Contents/") or s in names else f"Contents/{s}" for s in spine]
    ordered = [s for s in ordered if s in sections]
    return ordered + sorted(set(sections) - set(ordered),
                            key=lambda n: int(_SECTION_RE.search(n).group(1)))  # type: ignore[union-attr]


def iter_hwpx_sections(data: bytes, max_unzipped: int) -> Iterator[ET.Element]:
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        if data.startswith(OLE_MAGIC):
            raise ReadError("encrypted_hwpx", "HWPX file is an encrypted container (password-protected); "
                                              "remove the password in Hancom Office and retry") from None
        raise ReadError("corrupt_hwpx", "not a valid .hwpx (zip) file; open and re-save it in Hancom Office") from None
    with z:
        names = z.namelist()
        if sum(i.file_size for i in z.infolist()) > max_unzipped:
            raise ReadError("too_large", "HWPX unpacks to more than 20x corpus.max_file_mb (zip bomb?); "
                                         "check the file")
        if "META-INF/manifest.xml" in names and b"encryption-data" in z.read("META-INF/manifest.xml"):
            raise ReadError("encrypted_hwpx", "HWPX document is password-protected or distribution-locked "
                                              "(its parts are encrypted); ask for an unlocked copy and retry")
        sections = _section_order(z, names)
        if not sections:
            raise ReadError("corrupt_hwpx", "HWPX file has no Contents/section*.xml; it is not an HWPX "
                                            "document or is corrupt")
        for name in sections:
            try:
                yield ET.fromstring(z.read(name))
            except (ET.ParseError, zipfile.BadZipFile, zlib.error, OSError) as e:
                raise ReadError("corrupt_hwpx", f"HWPX part {name} cannot be parsed ({type(e).__name__}); "
                                                "re-save the document in Hancom Office") from None


def read_hwpx(data: bytes, max_bytes: int = 50 * 2**20) -> str:
    parts = []
    for root in iter_hwpx_sections(data, 20 * max_bytes):
        lines, notes = _hwpx_block(root)
        parts.append("\n".join(lines + notes))
    return "\n\n".join(parts)
