"""Korean + English PII and sensitive-clause redaction on Presidio, offline, with a hash-chained audit log.

    from redaction import Redactor
    res = Redactor().redact("피보험자 홍길동(900101-1234568)", language="ko")
    res.text   # '피보험자 <PERSON_1>(<KR_RRN_1>)'
"""

import os

# Presidio's email recognizer (tldextract) would fetch the public suffix list: never on the network.
os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")
if os.environ.get("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS"):
    os.environ["TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS"] = ""

from redaction.audit import fingerprint, verify_chain
from redaction.engine import RedactionError, RedactionResult, Redactor, Span
from redaction.placeholders import PlaceholderMap
from redaction.version import __version__

__all__ = ["PlaceholderMap", "RedactionError", "RedactionResult", "Redactor", "Span", "__version__",
           "fingerprint", "verify_chain"]
