"""Word lists for name recognition (kept small and explicit; no external download)."""

import re

# Korean surnames by frequency (covers > 99% of the population); two-syllable surnames listed apart.
KO_SURNAMES_1 = set(
    "김이박최정강조윤장임한오서신권황안송류유전홍고문양손배백허남심노하곽성차주우구민진나지엄채원천방공현"
    "함변염여추도소석선설마길연위표명기반왕금옥육인맹제모탁국어은편용예봉경사부가복태목형피두감음빈동온호범좌"
    "승시상갈견당화창진팽")
KO_SURNAMES_2 = {"남궁", "황보", "제갈", "선우", "독고", "사공", "서문", "동방", "어금", "망절"}

# Words before a name: roles in insurance, loan and court documents, and form labels.
KO_ROLE_BEFORE = ("피보험자", "보험계약자", "계약자", "수익자", "보험수익자", "청약자", "가입자", "피해자", "가해자",
                  "원고", "피고", "채무자", "채권자", "연대보증인", "보증인", "차주", "대출자", "신청인", "피신청인",
                  "대표자", "대표이사", "대표", "성명", "이름", "담당자", "담당", "설계사", "모집인", "고객", "환자",
                  "상속인", "배우자", "법정대리인", "대리인", "진정인", "피진정인", "청구인", "피청구인", "임차인",
                  "임대인", "매수인", "매도인", "운전자", "소유자", "예금주", "명의자", "지점장", "팀장", "과장",
                  "대리", "부장", "사원", "변호사", "판사", "의사", "주치의", "증인", "참고인", "상대방", "본인")
# Words right after a name (honorifics, titles).
KO_AFTER = ("님", "씨", "고객", "여사", "선생", "변호사", "판사", "검사", "의사", "대리", "과장", "차장",
            "부장", "팀장", "이사", "사장", "원장", "교수", "설계사")
# Proper nouns Kiwi tags NNP that are not people (places, institutions, products, legal words).
KO_NNP_STOP = {"서울", "부산", "대구", "인천", "광주", "대전", "울산", "세종", "경기", "강원", "충북", "충남", "전북",
               "전남", "경북", "경남", "제주", "한국", "대한민국", "미국", "중국", "일본", "대법원", "고등법원", "지방법원",
               "금융감독원", "금감원", "국민", "신한", "우리", "하나", "기업", "농협", "수협", "삼성", "현대", "한화",
               "교보", "동양", "미래", "흥국", "메리츠", "롯데", "엘지", "서초", "강남", "강서", "마포", "종로", "중구",
               "동구", "서구", "남구", "북구", "수원", "성남", "고양", "용인", "김해", "김포", "구미", "이천", "안산",
               "진주", "정읍", "공주", "여주", "양주", "남양주", "조선", "고려", "신라", "백제", "한강", "민법", "상법",
               "형법", "보험업법", "주택", "국민건강보험", "건강보험", "국세청", "법원", "검찰", "경찰", "정부"}

# Common English given names (US/UK), lower-case. Context words catch the rest.
EN_FIRST_NAMES = frozenset(["james", "john", "robert", "michael", "william", "david", "richard", "joseph", "thomas", "charles", "christopher", "daniel", "matthew", "anthony", "mark", "donald", "steven", "paul", "andrew", "joshua", "kenneth", "kevin", "brian", "george", "timothy", "ronald", "edward", "jason", "jeffrey", "ryan", "jacob", "gary", "nicholas", "eric", "jonathan", "stephen", "larry", "justin", "scott", "brandon", "benjamin", "samuel", "gregory", "alexander", "frank", "patrick", "raymond", "jack", "dennis", "jerry", "tyler", "aaron", "jose", "adam", "nathan", "henry", "douglas", "zachary", "peter", "kyle", "ethan", "walter", "noah", "jeremy", "christian", "keith", "roger", "terry", "gerald", "harold", "sean", "austin", "carl", "arthur", "lawrence", "dylan", "jesse", "jordan", "bryan", "billy", "joe", "bruce", "gabriel", "logan", "albert", "willie", "alan", "juan", "wayne", "elijah", "randy", "roy", "vincent", "ralph", "eugene", "russell", "bobby", "mason", "philip", "louis", "mary", "patricia", "jennifer", "linda", "elizabeth", "barbara", "susan", "jessica", "sarah", "karen", "lisa", "nancy", "betty", "margaret", "sandra", "ashley", "kimberly", "emily", "donna", "michelle", "carol", "amanda", "dorothy", "melissa", "deborah", "stephanie", "rebecca", "sharon", "laura", "cynthia", "kathleen", "amy", "angela", "shirley", "anna", "brenda", "pamela", "emma", "nicole", "helen", "samantha", "katherine", "christine", "debra", "rachel", "carolyn", "janet", "catherine", "maria", "heather", "diane", "ruth", "julie", "olivia", "joyce", "virginia", "victoria", "kelly", "lauren", "christina", "joan", "evelyn", "judith", "megan", "andrea", "cheryl", "hannah", "jacqueline", "martha", "gloria", "teresa", "ann", "sara", "madison", "frances", "kathryn", "janice", "jean", "abigail", "alice", "judy", "sophia", "grace", "denise", "amber", "doris", "marilyn", "danielle", "beverly", "isabella", "theresa", "diana", "natalie", "brittany", "charlotte", "marie", "kayla", "alexis", "lori", "tom", "tim", "mike", "jim", "bob", "bill", "steve", "chris", "dan", "matt", "tony", "alex", "sam", "ben", "kate", "liz", "jen", "sue", "meg", "anne", "claire", "lucy", "oliver", "harry", "charlie", "oscar", "leo", "archie", "freddie", "alfie", "isla", "amelia", "ava", "mia", "ella", "poppy", "lily", "evie", "sophie", "chloe", "ruby", "daisy", "millie", "rosie", "eva", "erin", "tracy", "travis", "craig", "derek", "shawn", "cody", "todd", "chad", "brett", "shane", "troy", "marcus", "luis", "carlos", "jorge", "miguel", "ricardo", "antonio", "manuel", "francisco", "pedro", "victor", "angel", "diego", "kim", "lee", "jamie", "taylor", "morgan", "casey", "riley", "avery", "cameron", "dakota", "quinn", "rowan", "hayden", "kristen", "kristin", "monica", "erica", "tiffany", "crystal", "tara", "dana", "vanessa", "alicia", "april", "holly", "melanie", "valerie", "veronica", "courtney", "whitney"])

EN_TITLES = ("Mr", "Mrs", "Ms", "Miss", "Dr", "Prof", "Sir", "Madam", "Judge", "Justice")
EN_ROLES = ("insured", "policyholder", "policy holder", "borrower", "co-borrower", "applicant", "plaintiff",
            "defendant", "claimant", "beneficiary", "guarantor", "customer", "patient", "employee", "name",
            "lender", "tenant", "landlord", "appellant", "respondent", "petitioner", "witness", "agent",
            "account holder", "cardholder", "signed", "signature", "contact", "attention", "attn", "dear",
            "owner", "driver", "spouse", "by", "between", "and", "call", "reach", "contact person", "adjuster",
            "examiner", "underwriter", "officer", "manager", "representative", "physician", "doctor", "nurse",
            "attorney", "counsel", "notary", "handled by", "reviewed by", "approved by", "prepared by")
# Capitalised words that are never a name (sentence starts, legal and insurance vocabulary).
EN_NOT_NAME = {"The", "This", "That", "These", "Those", "A", "An", "In", "On", "At", "If", "Any", "All", "Each",
               "Section", "Article", "Clause", "Policy", "Insurance", "Company", "Bank", "Court", "Supreme",
               "District", "State", "States", "United", "Loan", "Agreement", "Contract", "Terms", "Schedule",
               "Premium", "Benefit", "Claim", "Claims", "Insured", "Insurer", "Borrower", "Lender", "Plaintiff",
               "Defendant", "Date", "Birth", "Street", "Avenue", "Road", "Suite", "Apt", "January", "February",
               "March", "April", "May", "June", "July", "August", "September", "October", "November",
               "December", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "Korea",
               "Seoul", "Inc", "Ltd", "LLC", "Corp", "Co", "Mr", "Mrs", "Ms", "Dr", "For", "Of", "To", "By",
               "With", "And", "Or", "Not", "No", "Yes", "Please", "Dear", "Name", "Phone", "Email", "Address",
               "Account", "Card", "Number", "Customer", "Service", "Annual", "Interest", "Rate", "Table",
               "Confidential", "Internal", "Applicant", "Beneficiary", "Guarantor", "Tenant", "Patient"}

# Words that open a place name ("New York", "Fort Worth"): a name part after one is not the person.
PLACE_PREFIX = re.compile(r"\b(?:San|Santa|Saint|St\.?|Fort|Mount|Lake|New|North|South|East|West|Port) $")
