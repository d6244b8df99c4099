"""Context paragraphs for the gate set, written for it (fictional lender/insurer, fictional people).

Placeholders such as <PERSON_1> stand for values the redaction stage replaced, as in a real run.
The refusal strings are copied from conf/prompts/en.yaml and conf/prompts/ko.yaml (key ``refusal``).
"""

REFUSAL = {"en": "The answer cannot be found.", "ko": "답변을 찾을 수 없습니다."}

EN_CTX = {
    "E1": "Article 2 (Loan Amount and Term) The Lender decides the loan amount after reviewing the Borrower's "
          "income, employment and existing debts. The maximum loan amount is $35,000, and the loan term may be "
          "chosen between 12 and 72 months. The loan is paid only into a bank account held in the Borrower's "
          "own name.",
    "E2": "Article 3 (Right of Withdrawal) The Borrower may withdraw from the loan agreement within 14 days after "
          "signing it. To withdraw, the Borrower repays the amount received plus interest for the days the money "
          "was held. No early repayment fee applies to a withdrawal.",
    "E3": "Article 4 (Interest Rate) The interest rate is the sum of a reference rate and a margin based on the "
          "Borrower's credit score, and it may not exceed 19.9% per year. For a variable-rate loan the reference "
          "rate is reset every six months, and the Lender notifies the Borrower of the new rate at least 15 days "
          "before it applies. Interest is calculated daily on the outstanding balance on the basis of a 365-day "
          "year.",
    "E4": "Article 6 (Early Repayment Fee) The Borrower may repay all or part of the loan at any time. If the loan "
          "is repaid within two years after disbursement, the Lender charges a fee equal to 1.2% of the amount "
          "repaid. No fee is charged after two years, or when the loan is repaid because the Borrower has died.",
    "E5": "Article 7 (Late Payment) If an instalment is not paid when due, default interest of the contract rate "
          "plus 3% per year applies to the overdue amount only, capped at 20% per year. The Lender informs the "
          "Borrower of a missed payment within three business days by text message or e-mail.",
    "E6": "Article 8 (Acceleration) The whole outstanding balance becomes immediately due if the Borrower is "
          "declared bankrupt or a court orders the seizure of the Borrower's deposits. The Lender may also demand "
          "immediate repayment, after at least seven business days' written notice, if the Borrower misses two "
          "consecutive instalments.",
    "E7": "Article 5 (Hospitalization Benefit) The Company pays a hospitalization benefit of $120 per day when the "
          "Insured is hospitalized for 4 days or more because of an accident or illness. The benefit is paid from "
          "the first day of hospitalization for up to 120 days per hospitalization. Days spent in a nursing home "
          "do not count as hospitalization.",
    "E8": "Article 12 (Claim Procedure) To claim a benefit, the Beneficiary submits a claim form, a copy of an "
          "identity document and a medical certificate issued by the treating hospital. The Company pays the "
          "benefit within 3 business days after receiving all documents. If an investigation is needed, the "
          "Company may extend this period to 30 days and informs the Beneficiary of the reason.",
    "E9": "Article 9 (Exclusions) The Company does not pay benefits for injuries the Insured causes intentionally, "
          "for injuries suffered while driving under the influence of alcohol, or for cosmetic surgery that is "
          "not medically necessary. Pregnancy and childbirth are covered only after the policy has been in force "
          "for 10 months.",
    "E10": "Article 15 (Grace Period and Lapse) If a premium is not paid by its due date, the Policyholder has a "
           "grace period of 31 days. The Company sends a written reminder at least 14 days before the grace period "
           "ends. If the premium is still unpaid when the grace period ends, the policy lapses. A lapsed policy may "
           "be reinstated within 3 years by paying the overdue premiums with interest.",
    "E11": "Article 17 (Free-Look Period) The Policyholder may cancel the policy within 15 days after receiving the "
           "policy documents, and the Company refunds all premiums paid within 3 business days. The free-look "
           "right does not apply to policies with a term of one year or less.",
    "E12": "Sample loan schedule (for illustration) Borrower: <PERSON_1>. Address: <ADDRESS_1>. Phone: <PHONE_1>. "
           "Loan amount: $12,000 over 36 months at 9.4% per year (fixed). Disbursement date: April 15, 2024; "
           "payment date: the 15th of each month. The application was reviewed by loan officer <PERSON_2>.",
    "E13": "Claim example: On March 3, 2024 the Insured <PERSON_1> was admitted to Riverside General Hospital after "
           "a bicycle accident and stayed 9 days. The adjuster <PERSON_3> confirmed that the stay met the 4-day "
           "requirement. The Company paid $1,080 to the account of the Beneficiary <PERSON_2> on March 20, 2024.",
    "E14": "Article 10 (Personal Information) With the Borrower's consent, the Lender collects the Borrower's name, "
           "contact details, income and credit information to assess, make and manage the loan. The Lender does "
           "not share this information with third parties except as required by law, and deletes it five years "
           "after the loan is fully repaid.",
    "E15": "Section 4 (Governing Law and Disputes) This agreement is governed by the laws of the State of Ohio. Any "
           "dispute that cannot be settled through the Lender's complaint procedure within 60 days may be brought "
           "before the Franklin County Court of Common Pleas. The Borrower may also file a complaint with the "
           "state financial regulator at no cost.",
    "E16": "Article 11 (Waiver of Premium) If the Insured is diagnosed with a disability of 50% or more caused by an "
           "accident or illness, the Company waives all premiums due after the date of diagnosis. The policy stays "
           "in force with all its benefits during the waiver.",
}

KO_CTX = {
    "K1": "제3조(대출한도와 대출기간) ① 회사는 채무자의 소득, 직업, 신용점수 및 기존 채무를 심사하여 대출한도를 "
          "정합니다. ② 대출한도는 1인당 30,000,000원을 넘을 수 없으며, 대출기간은 12개월 이상 48개월 이하에서 "
          "채무자가 선택합니다. ③ 대출금은 채무자 본인 명의의 예금계좌로만 입금합니다.",
    "K2": "제4조(청약의 철회) ① 채무자는 대출계약서를 받은 날부터 14일 이내에 대출계약을 철회할 수 있습니다. "
          "② 철회하는 경우 채무자는 받은 대출금과 그 기간의 이자를 회사에 돌려주어야 하며, 회사는 "
          "중도상환수수료를 받지 않습니다.",
    "K3": "제5조(대출금리) ① 대출금리는 기준금리에 채무자의 신용점수에 따른 가산금리를 더하여 정하며, 연 19.5%를 "
          "넘을 수 없습니다. ② 변동금리 대출의 기준금리는 6개월마다 다시 정하고, 회사는 바뀐 금리를 적용하기 "
          "7일 전까지 문자메시지로 알립니다. ③ 이자는 1년을 365일로 보고 대출잔액에 대하여 매일 계산합니다.",
    "K4": "제6조(중도상환수수료) ① 채무자는 대출기간 중 언제든지 대출금의 전부 또는 일부를 미리 갚을 수 "
          "있습니다. ② 대출 실행일부터 2년 이내에 미리 갚는 경우 회사는 중도상환금액의 1.2%를 "
          "중도상환수수료로 받습니다. ③ 채무자가 사망하여 대출금을 갚는 경우에는 중도상환수수료를 받지 않습니다.",
    "K5": "제7조(연체이자) ① 채무자가 원리금을 약정한 날에 갚지 않은 경우 연체된 금액에 대하여 약정금리에 "
          "연 3%를 더한 연체이자율을 적용합니다. 다만, 연체이자율은 연 20%를 넘지 않습니다. ② 회사는 연체가 "
          "발생한 날부터 3영업일 이내에 문자메시지 또는 전자우편으로 채무자에게 연체 사실을 알립니다.",
    "K6": "제8조(기한의 이익 상실) ① 채무자가 파산선고를 받거나 법원이 채무자의 예금에 대하여 압류명령을 내린 "
          "경우 채무자는 남은 대출금 전부를 즉시 갚아야 합니다. ② 채무자가 원리금을 2회 연속하여 갚지 않은 경우 "
          "회사는 7영업일 이상의 기간을 정하여 서면으로 알린 후 대출금 전부의 상환을 청구할 수 있습니다.",
    "K7": "제5조(입원급여금의 지급) ① 회사는 피보험자가 질병 또는 재해로 4일 이상 입원한 경우 입원 1일당 "
          "30,000원의 입원급여금을 지급합니다. ② 입원급여금은 1회 입원당 120일을 한도로 지급합니다. "
          "③ 요양병원에 입원한 기간은 입원일수에 포함하지 않습니다.",
    "K8": "제12조(보험금의 청구) ① 보험수익자는 보험금 청구서, 신분증 사본, 진단서 또는 입원확인서를 회사에 "
          "제출하여 보험금을 청구합니다. ② 회사는 서류를 접수한 날부터 3영업일 이내에 보험금을 지급합니다. "
          "③ 조사가 필요한 경우 회사는 지급기한을 30영업일까지 연장할 수 있으며, 그 사유를 보험수익자에게 "
          "알립니다.",
    "K9": "제9조(보험금을 지급하지 않는 사유) 회사는 다음 중 어느 하나의 사유로 보험금 지급사유가 발생한 "
          "경우에는 보험금을 지급하지 않습니다. 1. 피보험자가 고의로 자신을 해친 경우 2. 피보험자가 음주운전을 "
          "하던 중 발생한 사고 3. 치료 목적이 아닌 미용 성형수술. 다만, 임신과 출산은 계약일부터 10개월이 지난 "
          "후에 보장합니다.",
    "K10": "제15조(보험료 납입연체와 계약의 해지) ① 계약자가 보험료를 납입기일까지 내지 않은 경우 회사는 "
           "납입기일의 다음 날부터 31일의 납입최고기간을 둡니다. ② 납입최고기간이 끝나는 날까지 보험료를 내지 "
           "않으면 계약은 해지됩니다. ③ 해지된 계약은 해지된 날부터 3년 이내에 연체된 보험료와 이자를 내고 "
           "부활을 청약할 수 있습니다.",
    "K11": "제17조(청약의 철회) ① 계약자는 보험증권을 받은 날부터 15일 이내에 청약을 철회할 수 있습니다. "
           "② 회사는 청약 철회를 접수한 날부터 3영업일 이내에 이미 낸 보험료를 돌려드립니다. ③ 보험기간이 "
           "1년 이하인 계약은 청약을 철회할 수 없습니다.",
    "K12": "대출약정서 예시: 채무자 <PERSON_1>, 주소 <ADDRESS_1>, 휴대전화 <PHONE_1>. 대출금액 15,000,000원, "
           "대출기간 36개월, 연 8.9% 고정금리. 대출 실행일은 2024년 5월 10일이며 매월 10일에 원리금을 "
           "자동이체로 갚습니다. 담당자 <PERSON_2> 과장이 심사하였습니다.",
    "K13": "보험금 청구 예시: 피보험자 <PERSON_1> 님은 2024년 3월 3일 교통사고로 한빛병원에 입원하여 9일 동안 "
           "치료를 받았습니다. 손해사정사 <PERSON_3> 씨가 입원 사실을 확인하였고, 회사는 2024년 3월 20일 "
           "보험수익자 <PERSON_2> 님의 계좌로 270,000원을 지급하였습니다.",
    "K14": "제10조(개인(신용)정보의 처리) ① 회사는 채무자의 동의를 받아 성명, 연락처, 소득 및 신용정보를 대출 "
           "심사와 관리를 위하여 수집합니다. ② 회사는 법령에 따른 경우를 제외하고 이 정보를 제3자에게 제공하지 "
           "않으며, 대출금을 모두 갚은 날부터 5년이 지나면 파기합니다.",
    "K15": "제20조(분쟁의 조정과 관할법원) ① 계약에 관하여 분쟁이 있는 경우 계약자는 금융감독원에 분쟁조정을 "
           "신청할 수 있으며, 신청 비용은 없습니다. ② 회사와 계약자 사이의 소송은 계약자의 주소지를 관할하는 "
           "법원으로 합니다.",
    "K16": "제11조(보험료의 납입면제) 피보험자가 재해 또는 질병으로 장해지급률 50% 이상의 장해상태가 된 경우 "
           "회사는 그 이후의 보험료 납입을 면제합니다. 납입이 면제된 기간에도 계약은 모든 보장과 함께 유효하게 "
           "유지됩니다.",
}
