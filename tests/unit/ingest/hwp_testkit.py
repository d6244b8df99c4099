"""Build small HWP 5.x and HWPX files in tests (no binary fixtures in the repo).

``build_cfb`` writes a minimal OLE compound file (CFB v3, 512-byte sectors, small streams in the mini
stream) because olefile can read but not create one; ``build_hwp`` fills it with a FileHeader and a
BodyText section of HWP records (paragraphs, a table, a footnote) laid out as the HWP 5.0 spec and
Hancom Office lay them out (PARA_HEADER at level L, its PARA_TEXT and controls at L+1, a control's lists
at L+1 and their paragraphs' text at L+2). ``build_hwpx`` writes the OWPML zip.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from pathlib import Path

END, FREE, FATSECT, NOSTREAM = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF


def _chain(fat: list[int], start: int, n: int) -> None:
    for k in range(n):
        fat[start + k] = start + k + 1 if k + 1 < n else END


def build_cfb(streams: dict[str, bytes]) -> bytes:
    """{"A/B": bytes, "C": bytes} -> compound file bytes (storages created from the path parts)."""
    entries: list[dict] = [{"name": "Root Entry", "type": 5, "kids": []}]
    index: dict[tuple[str, ...], int] = {(): 0}
    for path, data in streams.items():
        parts = tuple(path.split("/"))
        for d in range(1, len(parts) + 1):
            key = parts[:d]
            if key not in index:
                index[key] = len(entries)
                entries.append({"name": parts[d - 1], "type": 2 if d == len(parts) else 1, "kids": [],
                                "data": data if d == len(parts) else b""})
                entries[index[key[:-1]]]["kids"].append(index[key])
    mini = bytearray()
    minifat: list[int] = []
    bigs = []
    for e in entries[1:]:
        if e["type"] != 2:
            continue
        data = e["data"]
        if len(data) < 4096:
            e["start"] = len(minifat) if data else END
            n = -(-len(data) // 64)
            minifat.extend(range(len(minifat) + 1, len(minifat) + n + 1))
            if n:
                minifat[-1] = END
            mini += data + b"\0" * (n * 64 - len(data))
        else:
            bigs.append(e)
    n_dir = -(-len(entries) * 128 // 512)
    n_minifat = -(-len(minifat) * 4 // 512)
    n_mini = -(-len(mini) // 512)
    n_big = [-(-len(e["data"]) // 512) for e in bigs]
    body = n_dir + n_minifat + n_mini + sum(n_big)
    n_fat = 1
    while n_fat * 128 < body + n_fat:
        n_fat += 1
    fat = [FREE] * (n_fat * 128)
    for k in range(n_fat):
        fat[k] = FATSECT
    pos = n_fat
    dir_start = pos
    _chain(fat, pos, n_dir)
    pos += n_dir
    minifat_start = pos if n_minifat else END
    _chain(fat, pos, n_minifat)
    pos += n_minifat
    mini_start = pos if n_mini else END
    _chain(fat, pos, n_mini)
    pos += n_mini
    for e, n in zip(bigs, n_big):
        e["start"] = pos
        _chain(fat, pos, n)
        pos += n
    entries[0]["start"], entries[0]["size"] = mini_start, len(mini)
    for e in entries:
        kids = e["kids"]
        e["child"] = kids[0] if kids else NOSTREAM
        for a, b in zip(kids, kids[1:] + [None]):
            entries[a]["right"] = b if b is not None else NOSTREAM
    d = bytearray()
    for e in entries:
        name = e["name"].encode("utf-16-le") + b"\0\0"
        size = e.get("size", len(e.get("data", b"")))
        start = e.get("start", 0) if e["type"] != 1 else 0
        d += (name.ljust(64, b"\0") + struct.pack("<HBB", len(name), e["type"], 1)
              + struct.pack("<III", NOSTREAM, e.get("right", NOSTREAM), e["child"]) + b"\0" * 16
              + struct.pack("<I", 0) + b"\0" * 16 + struct.pack("<IQ", start, size))
    d += b"\0" * (n_dir * 512 - len(d))
    for k in range(len(entries), n_dir * 4):          # unused directory slots: empty entries
        off = k * 128
        d[off + 68:off + 80] = struct.pack("<III", NOSTREAM, NOSTREAM, NOSTREAM)
    difat = [k for k in range(n_fat)] + [FREE] * (109 - n_fat)
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 16 + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
              + b"\0" * 6 + struct.pack("<IIIIIIIII", 0, n_fat, dir_start, 0, 4096, minifat_start, n_minifat,
                                        END, 0)
              + struct.pack("<109I", *difat))
    out = bytearray(header)
    out += struct.pack(f"<{len(fat)}I", *fat)
    out += d
    mf = minifat + [FREE] * (n_minifat * 128 - len(minifat))
    out += struct.pack(f"<{len(mf)}I", *mf) if mf else b""
    out += bytes(mini) + b"\0" * (n_mini * 512 - len(mini))
    for e, n in zip(bigs, n_big):
        out += e["data"] + b"\0" * (n * 512 - len(e["data"]))
    return bytes(out)


# --- HWP 5.x records -----------------------------------------------------------------------------------
PARA_HEADER, PARA_TEXT, CTRL_HEADER, LIST_HEADER, TABLE = 66, 67, 71, 72, 77


def rec(tag: int, level: int, payload: bytes) -> bytes:
    if len(payload) >= 0xFFF:
        return struct.pack("<II", tag | level << 10 | 0xFFF << 20, len(payload)) + payload
    return struct.pack("<I", tag | level << 10 | len(payload) << 20) + payload


def _ctrl_char(code: int, ctrl_id: bytes) -> bytes:
    return struct.pack("<H", code) + ctrl_id + b"\0" * 8 + struct.pack("<H", code)


def para(level: int, text: str, ctrl: bytes = b"") -> bytes:
    tab = struct.pack("<H", 9) + b"\0" * 12 + struct.pack("<H", 9)     # a tab is an 8-unit inline control
    body = b"".join(tab if ch == "\t" else ch.encode("utf-16-le") for ch in text) + ctrl + "\r".encode("utf-16-le")
    return rec(PARA_HEADER, level, b"\0" * 22) + rec(PARA_TEXT, level + 1, body)


def table(level: int, rows: list[list[str]]) -> bytes:
    """A paragraph holding one table control; cells' paragraphs at level+2/+3."""
    n_rows, n_cols = len(rows), max(len(r) for r in rows)
    out = para(level, "", _ctrl_char(11, b" lbt"))
    out += rec(CTRL_HEADER, level + 1, b" lbt" + b"\0" * 40)
    out += rec(TABLE, level + 2, struct.pack("<IHHH4H", 0, n_rows, n_cols, 0, 0, 0, 0, 0)
               + struct.pack(f"<{n_rows}H", *[len(r) for r in rows]) + struct.pack("<H", 1))
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            out += rec(LIST_HEADER, level + 2, struct.pack("<HHIHHHHII4HH", 1, 0, 0, c, r, 1, 1, 1000, 500,
                                                             0, 0, 0, 0, 1))
            out += para(level + 2, text)
    return out


def footnote_para(level: int, text: str, note: str) -> bytes:
    out = para(level, text, _ctrl_char(17, b"  nf"))
    out += rec(CTRL_HEADER, level + 1, b"  nf" + b"\0" * 8)
    out += rec(LIST_HEADER, level + 2, struct.pack("<HHI", 1, 0, 0))
    out += para(level + 2, note)
    return out


def build_hwp(section: bytes, *, compressed: bool = True, flags: int = 0) -> bytes:
    props = flags | (1 if compressed else 0)
    header = b"HWP Document File".ljust(32, b"\0") + struct.pack("<II", 0x05000300, props)
    header = header.ljust(256, b"\0")
    if compressed:
        co = zlib.compressobj(9, zlib.DEFLATED, -15)
        section = co.compress(section) + co.flush()
    return build_cfb({"FileHeader": header, "DocInfo": b"", "BodyText/Section0": section})


# --- HWPX ------------------------------------------------------------------------------------------------
HP = "http://www.hancom.co.kr/hwpml/2011/paragraph"
HS = "http://www.hancom.co.kr/hwpml/2011/section"


def hp_para(text: str, inner: str = "") -> str:
    return f'<hp:p id="0"><hp:run charPrIDRef="0"><hp:t>{text}</hp:t>{inner}</hp:run></hp:p>'


def hp_table(rows: list[list[str]]) -> str:
    trs = "".join("<hp:tr>" + "".join(f"<hp:tc><hp:subList>{hp_para(c)}</hp:subList></hp:tc>" for c in r)
                  + "</hp:tr>" for r in rows)
    return f'<hp:p id="0"><hp:run><hp:tbl rowCnt="{len(rows)}">{trs}</hp:tbl></hp:run></hp:p>'


def hp_footnote(text: str, note: str) -> str:
    return (f'<hp:p id="0"><hp:run><hp:t>{text}</hp:t><hp:ctrl><hp:footNote number="1"><hp:subList>'
            f"{hp_para(note)}</hp:subList></hp:footNote></hp:ctrl></hp:run></hp:p>")


def build_hwpx(path: Path, sections: list[str], *, encrypted: bool = False) -> Path:
    hpf = ('<?xml version="1.0" encoding="UTF-8"?><opf:package xmlns:opf="http://www.idpf.org/2007/opf/">'
           "<opf:manifest>" + "".join(f'<opf:item id="section{i}" href="Contents/section{i}.xml" '
                                      'media-type="application/xml"/>' for i in range(len(sections)))
           + "</opf:manifest><opf:spine>" + "".join(f'<opf:itemref idref="section{i}"/>'
                                                   for i in range(len(sections))) + "</opf:spine></opf:package>")
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><odf:manifest xmlns:odf="urn:oasis:names:tc:opendocument:'
                'xmlns:manifest:1.0">' + ('<odf:file-entry odf:full-path="Contents/section0.xml"><odf:encryption-'
                                          'data/></odf:file-entry>' if encrypted else "") + "</odf:manifest>")
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/hwp+zip", compress_type=zipfile.ZIP_STORED)
        z.writestr("META-INF/manifest.xml", manifest)
        z.writestr("Contents/content.hpf", hpf)
        for i, body in enumerate(sections):
            z.writestr(f"Contents/section{i}.xml",
                       f'<?xml version="1.0" encoding="UTF-8"?><hs:sec xmlns:hs="{HS}" xmlns:hp="{HP}">{body}</hs:sec>')
    return path
