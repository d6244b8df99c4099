# ruff: noqa: ISC004  (hand-written rows: long strings are wrapped by implicit concatenation on purpose)
"""Builds qualify_v1.csv: the hand-scored judge qualification set, in the eye-check CSV format.

Columns are those of onprem_sft/curate/eyecheck.py (BASE_COLUMNS + LABEL_COLUMNS); UTF-8 with BOM and
CRLF like an exported eye-check file. Scores are by hand (rubric in README.md); human_label is pass for
score >= 3 (the curate judge threshold 3.0), fail otherwise. qualify_v1.csv is FROZEN: a changed set is a
new file (qualify_v2.csv).
"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "gates"))
from _contexts import EN_CTX, KO_CTX, REFUSAL

COLUMNS = ["row", "pair_id", "doc_id", "lang", "qtype", "answerable", "question", "context", "answer",
           "human_label", "human_score", "human_comment"]
F, P, RS = "factual", "procedural", "reasoning"

# (context key, qtype, answerable, question, answer (None = refusal), human score, comment)
EN = [
    ("E1", F, True, "What is the maximum loan amount?", "$35,000.", 5, "correct and exact"),
    ("E8", P, True, "Which documents must the Beneficiary submit to claim a benefit?",
     "A claim form, a copy of an identity document and a medical certificate issued by the treating hospital.", 5,
     "complete"),
    ("E4", RS, True, "What fee applies when $10,000 is repaid one year after disbursement?",
     "The repayment is within two years, so the fee is 1.2% of $10,000, which is $120.", 5, "correct reasoning"),
    ("E10", F, True, "How long is the grace period for an unpaid premium?", "31 days.", 5, "correct"),
    ("E3", F, False, "Within how many days may the Policyholder cancel the policy?", None, 5,
     "right refusal: the context is about interest rates"),
    ("E7", RS, True, "Is the benefit paid for a 3-day hospital stay after an accident?",
     "No. The benefit requires hospitalization for 4 days or more.", 5, "correct with the rule"),
    ("E5", F, False, "Which law governs the agreement?", None, 5, "right refusal"),
    ("E3", F, True, "How often is the reference rate reset for a variable-rate loan?",
     "Every six months; the Lender also gives at least 15 days' notice of the new rate, and interest is calculated "
     "daily.", 4, "correct, with unrequested detail"),
    ("E2", P, True, "What must the Borrower repay to withdraw from the loan agreement?",
     "The amount received plus interest.", 4, "correct; omits 'for the days the money was held'"),
    ("E14", F, True, "When does the Lender delete the Borrower's information?",
     "Five years after the loan is fully repaid. The Lender also does not share it with third parties except as "
     "required by law.", 4, "correct plus unrequested detail"),
    ("E16", RS, True, "Does the policy stay in force while premiums are waived?", "Yes, it stays in force.", 4,
     "correct; omits 'with all its benefits'"),
    ("E12", F, True, "What is the interest rate of the sample loan?", "9.4% per year.", 4,
     "correct; omits that it is fixed"),
    ("E9", F, True, "When is childbirth covered?", "Only after ten months.", 4,
     "correct but vague (ten months of the policy being in force)"),
    ("E5", F, True, "What default interest applies to an overdue instalment?", "Contract rate + 3%.", 4,
     "correct, terse; omits 'per year' and the 20% cap"),
    ("E6", P, True, "What must the Lender do before demanding immediate repayment for two missed instalments?",
     "Give written notice first.", 3, "partly: misses the 7-business-day notice period"),
    ("E8", P, True, "Which documents must the Beneficiary submit?", "A claim form and a medical certificate.", 3,
     "partly: omits the identity document"),
    ("E7", F, True, "For how long is the hospitalization benefit paid?", "From the first day of hospitalization.", 3,
     "true but omits the 120-day limit the question is about"),
    ("E4", F, True, "When is no early repayment fee charged?", "After two years.", 3, "partly: omits the death case"),
    ("E13", RS, True, "Why was the hospitalization benefit paid in this claim?",
     "Because the Insured had a bicycle accident.", 3, "partly: omits that the 9-day stay met the 4-day requirement"),
    ("E1", F, True, "How is the loan paid out?", "Into a bank account.", 3,
     "partly: omits 'held in the Borrower's own name', the point of the clause"),
    ("E10", RS, True, "What happens if the premium remains unpaid after the grace period?",
     "The policy lapses and can never be reinstated.", 2,
     "first half right; the second contradicts the 3-year reinstatement"),
    ("E5", F, True, "How soon does the Lender inform the Borrower of a missed payment?",
     "Within three days by registered letter.", 2, "period roughly right; the channel is invented"),
    ("E11", F, True, "How quickly are premiums refunded after a free-look cancellation?", "Within 15 days.", 2,
     "confuses the 15-day cancellation window with the 3-business-day refund"),
    ("E2", F, True, "Within how many days can the Borrower withdraw from the loan agreement?",
     "Within 14 days, but a 1.2% fee applies.", 2, "period right; the fee contradicts the context"),
    ("E9", F, True, "Which surgery is excluded from the benefits?", "All surgery.", 2,
     "overgeneralised: only cosmetic surgery that is not medically necessary"),
    ("E3", F, True, "How many days before a new rate applies is the Borrower notified?", "At least 10 days.", 2,
     "on topic but wrong number (15)"),
    ("E7", F, True, "How much hospitalization benefit is paid per day?",
     "The benefit covers dental treatment abroad.", 1, "off-topic and invented"),
    ("E12", F, True, "Who reviewed the loan application?", "The Borrower <PERSON_1>.", 1,
     "wrong: the loan officer <PERSON_2> reviewed it"),
    ("E14", F, False, "Which court hears disputes that are not settled?", "The Supreme Court of Ohio.", 1,
     "should refuse: the context has no answer; invented"),
    ("E8", F, True, "Within how many business days does the Company pay after receiving all documents?", None, 1,
     "wrong refusal: the context says 3 business days"),
    ("E4", F, True, "What is the early repayment fee?", "Yes.", 1, "not an answer"),
    ("E1", F, True, "What is the longest loan term?", "What is the longest loan term?", 1, "echoes the question"),
    ("E16", RS, True, "What happens to premiums after a diagnosis of 50% disability?",
     "Premiums double to cover the higher risk.", 1, "contradicts the context (premiums are waived)"),
]

KO = [
    ("K1", F, True, "1인당 대출한도는 얼마인가요?", "30,000,000원입니다.", 5, "정확"),
    ("K8", P, True, "보험금을 청구할 때 제출해야 하는 서류는 무엇인가요?", "보험금 청구서, 신분증 사본, 진단서 또는 입원확인서입니다.",
     5, "완전"),
    ("K4", RS, True, "대출 실행 1년 후 10,000,000원을 미리 갚으면 중도상환수수료는 얼마인가요?",
     "2년 이내에 미리 갚는 경우이므로 1.2%인 120,000원입니다.", 5, "계산 정확"),
    ("K10", F, True, "납입최고기간은 며칠인가요?", "31일입니다.", 5, "정확"),
    ("K3", F, False, "보험증권을 받은 후 며칠 이내에 청약을 철회할 수 있나요?", None, 5, "올바른 거절: 금리 조항"),
    ("K7", RS, True, "재해로 3일 입원하면 입원급여금을 받을 수 있나요?", "아니요. 4일 이상 입원해야 지급됩니다.", 5, "근거와 함께 정확"),
    ("K5", F, False, "분쟁조정은 어디에 신청하나요?", None, 5, "올바른 거절"),
    ("K13", F, True, "회사가 지급한 보험금은 얼마인가요?", "270,000원입니다.", 5, "정확"),
    ("K3", F, True, "변동금리 대출의 기준금리는 얼마마다 다시 정하나요?",
     "6개월마다 다시 정하며, 이자는 1년을 365일로 보고 매일 계산합니다.", 4, "정확하나 묻지 않은 내용 추가"),
    ("K2", P, True, "대출계약을 철회하려면 무엇을 돌려주어야 하나요?", "받은 대출금입니다.", 3, "부분: 이자 누락"),
    ("K14", F, True, "회사는 개인정보를 언제 파기하나요?", "대출금을 모두 갚고 5년 뒤에 파기합니다.", 5, "정확 (표현만 다름)"),
    ("K16", RS, True, "납입이 면제된 기간에도 계약이 유지되나요?", "네, 유지됩니다.", 4, "정확하나 '모든 보장과 함께' 누락"),
    ("K12", F, True, "예시 대출의 금리는 얼마인가요?", "연 8.9%입니다.", 4, "정확하나 고정금리 누락"),
    ("K9", F, True, "임신과 출산은 언제부터 보장되나요?", "10개월 후부터요.", 4, "정확하나 기준일(계약일) 누락"),
    ("K5", F, True, "연체된 금액에는 어떤 이자율이 적용되나요?", "약정금리에 3%를 더한 이율입니다.", 4, "정확하나 상한 20% 누락"),
    ("K6", P, True, "원리금을 2회 연속 갚지 않으면 회사는 상환을 청구하기 전에 무엇을 하나요?", "서면으로 알립니다.", 3,
     "부분: 7영업일 이상의 기간 누락"),
    ("K8", P, True, "보험금 청구 서류는 무엇인가요?", "보험금 청구서와 진단서입니다.", 3, "부분: 신분증 사본 누락"),
    ("K7", F, True, "입원급여금은 며칠까지 지급되나요?", "입원한 첫날부터 지급됩니다.", 3, "사실이나 묻는 한도(120일)에 답하지 않음"),
    ("K4", F, True, "중도상환수수료를 받지 않는 경우는 언제인가요?", "채무자가 사망하여 갚는 경우입니다.", 3,
     "부분: 2년이 지난 경우 누락"),
    ("K13", RS, True, "이 사례에서 입원급여금을 지급한 이유는 무엇인가요?", "교통사고가 났기 때문입니다.", 3,
     "부분: 9일 입원으로 4일 이상 조건을 충족한 점 누락"),
    ("K1", F, True, "대출금은 어떻게 지급되나요?", "예금계좌로 입금됩니다.", 3, "부분: '채무자 본인 명의' 누락"),
    ("K10", RS, True, "납입최고기간이 끝날 때까지 보험료를 내지 않으면 어떻게 되나요?", "계약이 해지되며 다시 살릴 수 없습니다.", 2,
     "앞부분은 맞으나 3년 내 부활 가능과 모순"),
    ("K5", F, True, "회사는 연체 사실을 어떻게 알리나요?", "3영업일 이내에 등기우편으로 알립니다.", 2, "기간은 맞으나 방법이 지어낸 것"),
    ("K11", F, True, "청약 철회 후 보험료는 언제 돌려받나요?", "15일 이내에 돌려받습니다.", 2, "철회 가능 기간(15일)과 혼동; 3영업일"),
    ("K2", F, True, "채무자는 언제까지 대출계약을 철회할 수 있나요?", "14일 이내이며, 1.2%의 수수료를 냅니다.", 2,
     "기간은 맞으나 수수료는 문맥과 모순"),
    ("K9", F, True, "보장하지 않는 수술은 무엇인가요?", "모든 수술입니다.", 2, "과잉 일반화: 치료 목적이 아닌 미용 성형수술만"),
    ("K3", F, True, "바뀐 금리는 적용 며칠 전까지 알리나요?", "10일 전까지 알립니다.", 2, "주제는 맞으나 숫자 틀림(7일)"),
    ("K7", F, True, "입원 1일당 입원급여금은 얼마인가요?", "해외 치과 치료비를 보장합니다.", 1, "무관하고 지어낸 답"),
    ("K12", F, True, "대출을 심사한 담당자는 누구인가요?", "채무자 <PERSON_1>입니다.", 1, "틀림: 담당자는 <PERSON_2> 과장"),
    ("K14", F, False, "분쟁 소송은 어느 법원이 관할하나요?", "서울중앙지방법원입니다.", 1, "거절해야 함: 문맥에 답 없음, 지어냄"),
    ("K8", F, True, "회사는 서류를 접수한 날부터 며칠 이내에 보험금을 지급하나요?", None, 1, "잘못된 거절: 문맥에 3영업일"),
    ("K4", F, True, "중도상환수수료는 얼마인가요?", "네.", 1, "답이 아님"),
    ("K16", RS, True, "장해지급률 50% 이상이 되면 보험료는 어떻게 되나요?", "위험이 커져 보험료가 두 배가 됩니다.", 1,
     "문맥과 모순 (납입 면제)"),
]


def _cell(v: object) -> str:
    s = "" if v is None else str(v)
    assert not s.startswith(("=", "+", "-", "@", "\t", "\r")), s
    return s


def main(out: Path) -> None:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(COLUMNS)
    n = 0
    for lang, items, ctx in (("en", EN, EN_CTX), ("ko", KO, KO_CTX)):
        for i, (key, qtype, answerable, q, a, score, comment) in enumerate(items, 1):
            n += 1
            answer = REFUSAL[lang] if a is None else a
            w.writerow([_cell(v) for v in (n, f"q1-{lang}-{i:03d}", f"qualify-{lang}-{key}", lang, qtype,
                                           str(answerable).lower(), q, ctx[key], answer,
                                           "pass" if score >= 3 else "fail", score, comment)])
    out.write_bytes(("\ufeff" + buf.getvalue()).encode("utf-8"))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
