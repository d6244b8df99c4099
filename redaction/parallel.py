"""Redact many documents with a process pool, with output identical to one process (``redaction.workers``).

Unit of work = one DOCUMENT (all its chunks, in order), because placeholder numbering and name propagation
live in the document's ``PlaceholderMap``: a worker redacts a whole document with one map, exactly as the
single-process loop does, and results come back in input order (``imap``), so placeholders, records and the
audit hash chain (appended by the caller, in order) are unchanged. Raw text goes to the workers through the
pool's pipes only (never to disk or logs); results carry redacted text and offsets, no raw values.

On Linux the pool forks from a parent that has already built the ``Redactor`` (Kiwi loaded once, shared
copy-on-write); elsewhere each worker builds its own. Kiwi runs single-threaded (``num_workers=0``), so the
fork holds no analyser threads.
"""

from __future__ import annotations

import multiprocessing as mp
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from redaction.engine import RedactionError, RedactionResult, Redactor

Unit = Sequence[tuple[str, str]]          # the texts of one chunk (clause title, then body) with their language
UnitResult = list[RedactionResult] | str   # a str is the PII-free reason the unit failed

_REDACTOR: Redactor | None = None


def failure_reason(e: BaseException) -> str:
    """RedactionError messages are PII-free by construction; anything else may quote text: its type only."""
    return str(e) if isinstance(e, RedactionError) else f"{type(e).__name__} (message withheld)"


def redact_document(redactor: Redactor, doc_id: str, units: Sequence[Unit]) -> list[UnitResult]:
    """One document, one placeholder map; a failing unit is reported and the next one goes on."""
    mapping = redactor.new_mapping(doc_id)
    out: list[UnitResult] = []
    for unit in units:
        try:
            out.append([redactor.redact(text, lang, mapping=mapping) for text, lang in unit])
        except Exception as e:  # noqa: BLE001 - one bad chunk must not sink the document; the reason is PII-free
            out.append(failure_reason(e))
    return out


def _init(config: Any, surrogate_key: bytes = b"") -> None:
    global _REDACTOR
    if _REDACTOR is None:
        _REDACTOR = Redactor.from_config(config, surrogate_key=surrogate_key)


def _work(item: tuple[str, Sequence[Unit]]) -> list[UnitResult]:
    assert _REDACTOR is not None
    return redact_document(_REDACTOR, item[0], item[1])


def redact_documents(config: Any, documents: Iterable[tuple[str, Sequence[Unit]]], workers: int = 1,
                     redactor: Redactor | None = None, chunksize: int = 8) -> Iterator[list[UnitResult]]:
    """Yield, per ``(doc_id, units)`` in input order, the results of its units (see ``redact_document``).

    ``chunksize`` documents travel to a worker per message (fewer round trips for many small documents).
    """
    if workers < 1:
        raise ValueError(f"redaction.workers must be >= 1, got {workers}")
    red = redactor or Redactor.from_config(config)
    if workers == 1:
        for doc_id, units in documents:
            yield redact_document(red, doc_id, units)
        return
    if red.vault is not None:
        raise ValueError("redaction.workers > 1 cannot be combined with redaction.vault=true "
                         "(the vault file is written by one process); set redaction.workers=1")
    global _REDACTOR
    methods = mp.get_all_start_methods()
    if "fork" in methods:
        red.warm_up()
        _REDACTOR = red                 # inherited by the forked workers
        ctx = mp.get_context("fork")
    else:                               # pragma: no cover - non-Linux
        ctx = mp.get_context("spawn")
    try:
        with ctx.Pool(workers, initializer=_init, initargs=(config, red.surrogate_key)) as pool:
            yield from pool.imap(_work, documents, chunksize=max(1, chunksize))
    finally:
        _REDACTOR = None
