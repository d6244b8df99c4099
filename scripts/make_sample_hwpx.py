"""Write data/sample/hwpx/한빛생명_실손보험_약관.hwpx: a small FICTIONAL HWPX (OWPML) document.

The text, the company and the person in it are made up (fake personal data for redaction to find). The
file is a plain OWPML zip (mimetype, META-INF/manifest.xml, Contents/content.hpf, Contents/section0.xml)
with paragraphs, a table and a footnote, the parts `onprem_sft.ingest.hwp.read_hwpx` reads.
Run: python scripts/make_sample_hwpx.py
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

OUT = Path(__file__).resolve().parents[1] / "data" / "sample" / "hwpx" / "한빛생명_실손보험_약관.hwpx"
HP = "http://www.hancom.co.kr/hwpml/2011/paragraph"
HS = "http://www.hancom.co.kr/hwpml/2011/section"

PARAS = [
    "한빛생명 무배당 실손의료보험 약관 (가상의 예시 문서)",
    "제1장 일반사항",
    "제1조(목적) 이 약관은 한빛생명보험 주식회사(이하 \"회사\")와 계약자 사이의 실손의료비 보장에 관한 권리와 의무를 정합니다.",
    "제2조(보상하는 손해) ① 회사는 피보험자가 질병 또는 상해로 입원하거나 통원하여 치료를 받은 경우 실제로 부담한 의료비를 아래 표에 따라 보상합니다.",
]
TABLE = [["구분", "보상한도", "자기부담금"],
         ["입원", "연간 5,000만원", "보장대상 의료비의 20%"],
         ["통원", "회당 20만원", "1만원과 보장대상 의료비의 20% 중 큰 금액"]]
AFTER = [
    ("제3조(보상하지 않는 손해) 회사는 미용 목적의 성형수술, 치과 치료 중 보철 비용은 보상하지 않습니다.",
     "치과 치료 중 상해로 인한 응급처치 비용은 보상합니다."),
    ("제4조(보험금의 청구) 보험금을 청구할 때에는 청구서, 진료비 영수증, 진료비 세부내역서를 제출하여야 합니다.", ""),
    ("제5조(보험금의 지급) 회사는 청구서류를 접수한 날부터 3영업일 이내에 보험금을 지급합니다.", ""),
    ("[계약 예시] 계약자 정다은(주민등록번호 880412-2345671, 연락처 010-3456-7812)은 2024년 2월 1일 이 보험에 가입하였습니다.", ""),
]


def para(text: str, inner: str = "") -> str:
    return f'<hp:p><hp:run charPrIDRef="0"><hp:t>{escape(text)}</hp:t>{inner}</hp:run></hp:p>'


def main() -> None:
    body = "".join(para(t) for t in PARAS)
    trs = "".join("<hp:tr>" + "".join(f"<hp:tc><hp:subList>{para(c)}</hp:subList></hp:tc>" for c in row)
                  + "</hp:tr>" for row in TABLE)
    body += f'<hp:p><hp:run><hp:tbl rowCnt="{len(TABLE)}" colCnt="3">{trs}</hp:tbl></hp:run></hp:p>'
    for text, note in AFTER:
        inner = (f'<hp:ctrl><hp:footNote number="1"><hp:subList>{para(note)}</hp:subList></hp:footNote></hp:ctrl>'
                 if note else "")
        body += para(text, inner)
    section = f'<?xml version="1.0" encoding="UTF-8"?><hs:sec xmlns:hs="{HS}" xmlns:hp="{HP}">{body}</hs:sec>'
    hpf = ('<?xml version="1.0" encoding="UTF-8"?><opf:package xmlns:opf="http://www.idpf.org/2007/opf/">'
           '<opf:manifest><opf:item id="section0" href="Contents/section0.xml" media-type="application/xml"/>'
           '</opf:manifest><opf:spine><opf:itemref idref="section0"/></opf:spine></opf:package>')
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><odf:manifest '
                'xmlns:odf="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"/>')
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(OUT, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name, data in (("mimetype", "application/hwp+zip"), ("META-INF/manifest.xml", manifest),
                           ("Contents/content.hpf", hpf), ("Contents/section0.xml", section)):
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            z.writestr(info, data)
    print(OUT)


if __name__ == "__main__":
    main()
