"""Held-out Korean redaction benchmark: a generator of administrative documents written apart from the recognizers.

See ``data/README.md`` (what was looked at, the frozen file and its sha256, gold conventions) and
``scripts/bench_redaction_ko_heldout.py`` (the scorer).
"""
