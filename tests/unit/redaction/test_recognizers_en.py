"""English recognizers: positive and negative tables."""

from __future__ import annotations

import pytest

POSITIVE = [
    ("EMAIL_ADDRESS", "Contact jane.doe+claims@insurer.com today.", "jane.doe+claims@insurer.com"),
    ("PHONE_NUMBER", "Call (555) 234-5678 after 9am.", "(555) 234-5678"),
    ("PHONE_NUMBER", "Mobile: 415.555.0134", "415.555.0134"),
    ("PHONE_NUMBER", "Phone +1-202-555-0147 ext. 12", "+1-202-555-0147 ext. 12"),
    ("CREDIT_CARD", "Card 4012 8888 8888 1881 was charged.", "4012 8888 8888 1881"),
    ("CREDIT_CARD", "Amex 3782 822463 10005 on file", "3782 822463 10005"),
    ("US_SSN", "SSN 536-22-1234 on the application", "536-22-1234"),
    ("IBAN_CODE", "Pay to IBAN GB82WEST12345698765432 by Friday", "GB82WEST12345698765432"),
    ("IBAN_CODE", "IBAN DE89 3704 0044 0532 0130 00 (Germany)", "DE89 3704 0044 0532 0130 00"),
    ("IP_ADDRESS", "Login from 10.0.23.177 was blocked", "10.0.23.177"),
    ("ADDRESS", "She lives at 742 Evergreen Terrace, Springfield, OR 97403.",
     "742 Evergreen Terrace, Springfield, OR 97403"),
    ("ADDRESS", "Mail to 1600 Pennsylvania Avenue Apt. 4B today", "1600 Pennsylvania Avenue Apt. 4B"),
    ("PERSON", "The insured, Margaret Thompson, filed a claim.", "Margaret Thompson"),
    ("PERSON", "Signed by Dr. Alan Whitfield on behalf of the lender.", "Dr. Alan Whitfield"),
    ("PERSON", "Borrower: Kwame Mensah-Ofori", "Kwame Mensah-Ofori"),
    ("PERSON", "The claim was handled by claims adjuster Priya Patel.", "Priya Patel"),
    ("DATE_OF_BIRTH", "Date of birth: March 4, 1979", "March 4, 1979"),
    # toll-free numbers are phones (issue 13), not bank accounts
    ("PHONE_NUMBER", "Customer service: 1-800-555-0142, 24 hours.", "1-800-555-0142"),
    ("PHONE_NUMBER", "Desk: +41 (0)96 471 07 95", "+41 (0)96 471 07 95"),
    ("PHONE_NUMBER", "Phone: 0490 75 40 81", "0490 75 40 81"),
    ("PHONE_NUMBER", "Fax: 259.735.7502x459", "259.735.7502x459"),
    ("CREDIT_CARD", "card number 630427373398 is lost", "630427373398"),
    ("CREDIT_CARD", "Diners 3056 930902 5904 on file", "3056 930902 5904"),
    ("ADDRESS", "Meet me at P.O. Box 149\n Apt. 485\n Pituffik\n Greenland 52888",
     "P.O. Box 149\n Apt. 485\n Pituffik\n Greenland 52888"),
    ("ADDRESS", "Send it to Unit 0822 Box 8858\nDPO AA 13319 please", "Unit 0822 Box 8858\nDPO AA 13319"),
    ("ADDRESS", "974 Via Roma 131\n Apt. 425\n Montafia\n Italy 39767",
     "974 Via Roma 131\n Apt. 425\n Montafia\n Italy 39767"),
    ("PERSON", "Dear Mrs. Okonkwo, thank you.", "Mrs. Okonkwo"),
    # national numbers valid in a numbering plan need no phone word (libphonenumber)
    ("PHONE_NUMBER", "We tried 020 7946 0018 twice yesterday.", "020 7946 0018"),
    ("PHONE_NUMBER", "She is at 06 12 34 56 78 until noon.", "06 12 34 56 78"),
    ("PHONE_NUMBER", "Try (11) 96123-4567 after lunch.", "(11) 96123-4567"),
    # street lines: a building number before the house number, a second street word, parts without commas,
    # region codes that are also English words, bulleted lines, intersections, ships, unnumbered streets
    ("ADDRESS", "Deliver to 17151 2450 Crown St please", "17151 2450 Crown St"),
    ("ADDRESS", "It's in 675 224 Forrest Hill Road Suite 833 Milford New Zealand",
     "675 224 Forrest Hill Road Suite 833 Milford New Zealand"),
    ("ADDRESS", "Ship to 83 Dora Creek Apt. 176\nSCHEIBBS, NO 14908, thanks",
     "83 Dora Creek Apt. 176\nSCHEIBBS, NO 14908"),
    ("ADDRESS", "• 138 Consul Place\n• Apt. 050\n• Broomfield", "138 Consul Place\n• Apt. 050\n• Broomfield"),
    ("ADDRESS", "Meet me at the corner of 12 Elm Street and Oak Avenue.", "the corner of 12 Elm Street and Oak Avenue"),
    ("ADDRESS", "Send it to USS Enterprise\nFPO AE 09501 please", "USS Enterprise\nFPO AE 09501"),
    ("ADDRESS", "The early shows on Marina Fort Street were loud.", "Marina Fort Street"),
    ("ADDRESS", "Calle: C/ Señores Curas 88, Villafranca", "C/ Señores Curas 88, Villafranca"),
]

NEGATIVE = [
    "The premium is $1,250.00 per year, payable on 2024-01-15.",
    "See Section 4.2 and Article 12 of the Policy Terms.",
    "Case No. 2:21-cv-01234 was dismissed by the Supreme Court.",
    "The annual interest rate is 5.75% for loans over 10,000 USD.",
    "Call our customer service at 1588-1234 for help.",
    "This Agreement is governed by the laws of the State of New York.",
    "Version 3.2.1 of the schedule applies from January 2024.",
    # ordinary prose: title case is not a name, a plain "confidential" is not a marking (issue 13)
    "The Computer Fraud and Abuse Act of 1986 applies to Contests, Sweepstakes, and Promotions.",
    "We keep your information confidential and share it only as described in this Privacy Policy.",
    "Licensee may distribute the Licensed Material under Section 4 and 5 of this License.",
    "The bus passes via a performance rights society (see 48 C.F.R. 12.212 of 11 March 1996).",
    # numbers a numbering plan accepts but that are citations, amounts, dates, versions or addresses' numbers
    "Pay 1,250.00 by 2024-01-15 under Section 227.7202 of release 1.2.3 (ref. 10.0.23).",
    "The process began by invoking Article 50 of the Treaty on European Union.",
    # encyclopaedic prose (SQuAD): a thousands group is no house number, a sentence end no street line
    "It received an estimated total of 75,000 to 100,000 people. Amongst them were 200 clergy.",
    "An army of 12,000 French Regulars 300 miles from Quebec.",
    "The town had 300 people. Amongst them were 200 clergy.",
    "The Royal Castle (1596–1619) and the Jesuit Church (1609–1626) stand in the Old Town.",
    "In 1927 a zoological garden opened; it usually takes place in 1 usually quiet park with 12 national points.",
]


@pytest.mark.parametrize("etype,text,value", POSITIVE, ids=[f"{p[0]}-{i}" for i, p in enumerate(POSITIVE)])
def test_positive(redactor, found, etype, text, value):
    hits = found(redactor, text)
    assert (etype, value) in hits, hits


@pytest.mark.parametrize("text", NEGATIVE)
def test_negative(redactor, found, text):
    assert found(redactor, text) == []


def test_invalid_ssn_and_iban_rejected(redactor, found):
    assert found(redactor, "SSN 000-12-3456 and 666-12-3456") == []
    assert found(redactor, "IBAN GB00WEST12345698765432") == []


def test_phone_library_skips_mostly_korean_text():
    from redaction.recognizers.en_phone import LibPhoneRecognizer

    rec = LibPhoneRecognizer()
    assert [(r.start, r.end) for r in rec.analyze("We tried 020 7946 0018 twice.")] == [(9, 22)]
    # Korean numbers are the Korean recognizers' job; Korean text does not pay for the numbering plans
    assert rec.analyze("피보험자 홍길동 님의 연락처는 020 7946 0018 입니다. 계약 내용을 확인하였습니다.") == []


def test_phone_library_needs_separators_or_a_phone_word():
    from redaction.recognizers.en_phone import LibPhoneRecognizer

    rec = LibPhoneRecognizer()
    assert rec.analyze("Order 13812345678 shipped.") == []          # a bare digit run is an ID as often
    hits = rec.analyze("Phone: 13812345678")
    assert len(hits) == 1 and hits[0].score >= 0.8


@pytest.mark.parametrize("text,number", [
    ("Jane Roe\n2127363100\njane@example.org", "2127363100"),      # a North American number, unseparated
    ("Jane Roe, 07700900123", "07700900123"),                       # a national number with its trunk 0
    ("Jane Roe\n32 45 67\n", "32 45 67"),                           # six digits in pairs (Greenland, Faroes)
])
def test_unseparated_forms_people_write_their_own_number_in(text, number):
    from redaction.recognizers.en_phone import LibPhoneRecognizer

    assert number in [text[r.start:r.end] for r in LibPhoneRecognizer().analyze(text)]


@pytest.mark.parametrize("text,number", [
    ("Phone No. 020 7946 001 (office)", "020 7946 001"),     # "No." is the phone's, not a citation
    ("Tel. No.: +44 20 79460018", "+44 20 79460018"),
    ("Cell #555 0101", "555 0101"),                          # "#" after a phone word is not money
    ("Mobile No.13812345678", "13812345678"),                # glued after the label's dot
    ("tel.0201234567", "0201234567"),
    ("Jane,Roe,020 7946 0018,London", "020 7946 0018"),       # a CSV field: the comma follows a letter
    ("Please update my number from 21 211 435 1482.", "21 211 435 1482"),   # phone layout after "my number"
    ("Fax: 21 211 435 1482", "21 211 435 1482"),
])
def test_number_sign_labels_csv_fields_and_layouts_after_a_phone_word(text, number):
    from redaction.recognizers.en_phone import LibPhoneRecognizer

    assert number in [text[r.start:r.end] for r in LibPhoneRecognizer().analyze(text)]


@pytest.mark.parametrize("text", [
    "See No. 020 7946 001 of the register.", "Order #555 0101 shipped.", "Pi is 3.14159265 here.",
    "It cost 1,0207946001 won.", "Policy number 21 211 435 1482 applies.", "Totals: 12,345,678,901.",
    "Invoice 2127363100 is attached.", "Tracking no. 07700900123 shipped.", "Policy ID: 2127363100",
    "Item at 13812345678 units.",                   # an Indian or Chinese mobile's shape is a timestamp's or an ID's
    "It took 1365519115 seconds.", "Scores 12 34 56 were read out.", "Call back in 2 days; 0000012345 is void.",
])
def test_bare_runs_stay_ids_where_they_read_as_ids(text):
    from redaction.recognizers.en_phone import LibPhoneRecognizer

    assert LibPhoneRecognizer().analyze(text) == []


def test_name_parts_spread_only_when_not_an_ordinary_word(redactor):
    text = "Dr. Grace Miller signed the form. Miller called later; we said grace, and Grace is a virtue."
    res = redactor.redact(text, "en")
    redacted = {text[s.start:s.end] for s in res.spans if s.entity_type == "PERSON"}
    assert "Miller" in redacted                       # the surname alone is the same person
    assert not any(text[s.start:s.end] == "Grace" and s.start > 40 for s in res.spans)   # "grace" is a word here


def test_speech_and_naming_cues(redactor, found):
    assert ("PERSON", "Brunhilde") in found(redactor, "I'm so jealous! said Brunhilde to the team.")
    assert ("PERSON", "Ottoline") in found(redactor, "my name is Ottoline")
    # a pronoun or a defined term next to the same verbs is no name
    assert found(redactor, "She said it would rain.") == []
    prose = "If such Respondent does not reply, said Respondent loses the licence."
    assert [f for f in found(redactor, prose) if f[0] == "PERSON"] == []


def test_a_name_ends_at_the_full_stop(redactor, found):
    text = "Send it to 12 Elm Street, attention Michael Mitchell. Case No. 2023-CV-27822 was dismissed. Case closed."
    hits = found(redactor, text)
    assert ("PERSON", "Michael Mitchell") in hits
    assert not any(t == "PERSON" and "Case" in v for t, v in hits)   # nor spread as his "surname"


def test_english_street_rule_leaves_korean_statute_numbers_alone():
    """"100분의 30 이하 / 4." (a statute's list) has the number-words-number shape of a street line."""
    from redaction.recognizers.en_address import EnglishAddressRecognizer

    text = "취득가액의 100분의 30 이하\n  4. 제106조제1항제1호부터 제3호까지. He lives at 221 Baker Street, London."
    found = [text[r.start:r.end] for r in EnglishAddressRecognizer().analyze(text)]
    assert found and all("이하" not in f for f in found) and any("221 Baker Street" in f for f in found)


def test_policy_number_right_after_the_word_policy_or_claim():
    """A customer writes "(policy BL-2291)" without "number": the ID right after the word is redacted, the
    word followed by a year or by ordinary words is not."""
    from redaction import Redactor

    r = Redactor()
    out = r.redact("Hi, this is Daniel Whitmore (policy BL-2291). My claim #CL-88812 was denied.", "en").text
    assert "BL-2291" not in out and "CL-88812" not in out and out.count("<POLICY_NUMBER_") == 2
    prose = "The policy 2024 terms apply, and the claim form is attached."
    assert r.redact(prose, "en").text == prose


@pytest.mark.parametrize("number", [
    "0044 7400 123456",          # 00 exit code for the +
    "(0049) 30 123456",          # ... bracketed
    "011 44 20 7946 0018",       # the North-American exit code
    "(022) 12345x123",           # an extension glued on
    "+441212345678",             # E.164 without spaces: a phone, not a 12-digit card number
    "+244222123456",             # ... nor a Korean driver's licence
    "+4930123",                  # a known country code and 8 digits: a phone even where no range is allocated
    "+61498765432109",
    "8 (912) 345-67-89",         # Russian national layout: trunk 8 before the bracketed code
])
def test_phone_forms_from_libphonenumber_examples(redactor, found, number):
    text = f"We tried {number} twice yesterday."
    assert ("PHONE_NUMBER", number) in found(redactor, text)


def test_exit_code_needs_a_valid_international_number(redactor, found):
    from redaction.recognizers.en_phone import LibPhoneRecognizer

    rec = LibPhoneRecognizer()
    # "00" + digits that are no valid number with a country code stay; a bare run is an ID unless a phone word
    assert rec.analyze("Reference 0019 4567 1234 was closed.") == []
    assert rec.analyze("Order 0034612345678 shipped.") == []
    assert len(rec.analyze("Phone 0034612345678")) == 1
    assert rec.analyze("The score rose by +1234567 points.") == []            # 7 digits: no phone
    assert rec.analyze("Dial +99912345678 now.") == []                        # no such country code


@pytest.mark.parametrize("number", [
    "123.045.6789", "104 555 0199", "(019)555-0143", "(005) 050-7013",      # unallocated area/exchange codes
    "1.124.779.2505", "1-(121)044-8315", "001 (020) 637-0319", "+1.155.012.3456",
    "181-131-4054 x78", "161.153.3221 ext. 93", "1-097.757.5073 x78",     # extensions belong to the number
    "0044 7683 659848",                        # exit code + country code as its own group, unallocated range
    "030/1234567", "+49 (0)89/123456",         # area code / subscriber number
    "312 345-6789", "08-123 45 67", "714-804-8790 #175",
])
def test_phone_layouts_count_even_where_no_range_is_allocated(redactor, found, number):
    text = f"Leave a message at {number}, please."
    assert ("PHONE_NUMBER", number) in found(redactor, text)
    text = f"Ask for Ben ({number}) after lunch."                          # the text's brackets stay out
    assert ("PHONE_NUMBER", number) in found(redactor, text)


@pytest.mark.parametrize("text", [
    "Copyright (c) 2004-2025, The Developers", "Zen 2/3 (2019--2020) boards", "accuracy 0.994629 on dev",
    "booted at 1365519115.0 seconds", "issn = {2376-5992}", "file 2019/123456", "Az. 012/34567",
])
def test_years_decimals_and_file_numbers_are_no_phones(redactor, found, text):
    assert not [v for t, v in found(redactor, text) if t == "PHONE_NUMBER"]


def test_a_spread_name_part_is_not_taken_inside_a_place_name(redactor):
    text = "Attention James York. This Agreement is governed by the laws of the State of New York. York called."
    res = redactor.redact(text, "en")
    people = [(text[s.start:s.end], s.start) for s in res.spans if s.entity_type == "PERSON"]
    assert ("York", text.rindex("York")) in people                       # the person, spread
    assert ("York", text.index("New York") + 4) not in people            # the place


def test_a_place_word_is_never_spread_as_a_name_part():
    from redaction.engine import Redactor

    text = "Signed by New Harmon. This Agreement is governed by the laws of the State of New York. Harmon agreed."
    raw = [("PERSON", 10, 21, 0.8, "test")]                               # a model's guess "New Harmon"
    spread = {text[s:e] for _, s, e, _, _ in Redactor._propagate_names(text, raw, None)}
    assert "Harmon" in spread and "New" not in spread


@pytest.mark.parametrize("text,number", [
    ("Dial 13812345678 for the front desk.", "13812345678"),                      # a verb of calling
    ("Our hotline is open all week: 13812345678", "13812345678"),
    ("Please feel free to text me any time at 13812345670", "13812345670"),       # 40 characters back
    ("Jane Roe\nT: 13812345678\nE: jane@example.org", "13812345678"),             # a letterhead label
    ("Ph. 13812345678", "13812345678"),
    ("You can try 13812345678 (mobile) after six.", "13812345678"),               # the kind of line after it
    ("Call 020 7946 0018 or 13812345679 if busy.", "13812345679"),                # a list after a phone
])
def test_phone_cues_beyond_the_word_right_before(text, number):
    from redaction.recognizers.en_phone import LibPhoneRecognizer

    hits = [text[r.start:r.end] for r in LibPhoneRecognizer().analyze(text)]
    assert number in hits, hits


@pytest.mark.parametrize("text", [
    "Order 13812345678 shipped on time.",
    "The account was called dormant.\n\nOrder 13812345678 shipped.",               # a cue in another paragraph
    "Item at 13812345678 units.",                                                  # "at" is not a label
    "Invoice 13812345678 (copy) is attached.",
])
def test_phone_cues_do_not_turn_ids_into_phones(text):
    from redaction.recognizers.en_phone import LibPhoneRecognizer

    assert LibPhoneRecognizer().analyze(text) == []
