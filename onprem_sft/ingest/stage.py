"""The ``ingest`` stage: corpus files -> Document + Chunk records (raw zone).

Bad files never stop the run: each goes to rejects.jsonl with a reason code and a fix, and the summary
counts them. Raw text stays inside this stage's folder (documents.jsonl, records.jsonl).
"""

from __future__ import annotations

import fnmatch
import logging
from collections import Counter
from pathlib import Path

from tqdm import tqdm

from onprem_sft.artifacts import sha256_bytes, write_jsonl
from onprem_sft.collected.hooks import exclude_questions, ingest_questions
from onprem_sft.ingest.chunking import chunk_text
from onprem_sft.ingest.readers import ReadError, detect_lang, guess_title, read_document
from onprem_sft.pipeline import StageContext, StageResult, StageSpec
from onprem_sft.records import Chunk, Document, stable_id

log = logging.getLogger("onprem_sft.ingest")

DOCUMENTS = "documents.jsonl"


class CorpusError(FileNotFoundError):
    pass


def list_files(root: Path, include: list[str], exclude: list[str]) -> list[Path]:
    if not root.exists():
        raise CorpusError(f"corpus.path={root} does not exist; set corpus.path=/path/to/your/documents")
    if root.is_file():
        return [root]
    files = set()
    for pat in include:
        files.update(p for p in root.glob(pat) if p.is_file())
    rel = {p: p.relative_to(root).as_posix() for p in files}
    keep = [p for p in files
            if not any(fnmatch.fnmatch(rel[p], x) or fnmatch.fnmatch(p.name, x.split("/")[-1]) for x in exclude)]
    return sorted(keep, key=lambda p: rel[p])


def run(ctx: StageContext) -> StageResult:
    c = ctx.cfg.corpus
    root = Path(c.path).expanduser().resolve()
    files = exclude_questions(ctx.cfg, list_files(root, list(c.include), list(c.exclude)))
    if c.max_docs:
        files = files[: c.max_docs]
    if not files:
        raise CorpusError(f"no documents under corpus.path={root} matching {list(c.include)}")
    docs: list[Document] = []
    chunks: list[Chunk] = []
    rejects: list[dict] = []
    max_bytes = int(c.max_file_mb * 2**20)
    for path in tqdm(files, desc="ingest", unit="doc", disable=not ctx.progress):
        rel = path.relative_to(root).as_posix() if root.is_dir() else path.name
        raw = path.read_bytes() if path.stat().st_size <= max_bytes else b""
        doc_id = stable_id("doc", rel, sha256_bytes(raw) if raw else path.stat().st_size)
        try:
            res = read_document(path, max_bytes)
        except ReadError as e:
            rejects.append({"id": doc_id, "parent_id": None, "path": rel, "reason": e.kind, "detail": str(e)})
            log.warning("rejected %s: %s", rel, e)
            continue
        lang = c.lang if c.lang != "auto" else detect_lang(res.text)
        doc = Document(id=doc_id, parent_id=None, path=rel, sha256=sha256_bytes(raw), format=res.format,
                       encoding=res.encoding, lang=lang, title=guess_title(res.text, path.stem), text=res.text)
        spans = chunk_text(res.text, c.chunk.max_chars, c.chunk.overlap_chars, c.chunk.min_chars)
        if not spans:
            rejects.append({"id": doc_id, "parent_id": None, "path": rel, "reason": "no_chunks",
                            "detail": "no text left after chunking"})
            continue
        docs.append(doc)
        for i, sp in enumerate(spans):
            chunks.append(Chunk(id=stable_id("chk", doc_id, i, sp.start, sp.end), parent_id=doc_id, doc_id=doc_id,
                                index=i, text=res.text[sp.start:sp.end], start=sp.start, end=sp.end,
                                clause=sp.clause, lang=lang))
    write_jsonl(ctx.out.path / DOCUMENTS, docs)
    ctx.out.write_records(chunks)
    q_counts = ingest_questions(ctx, rejects)          # collected questions (questions.path), if any
    ctx.out.write_rejects(rejects)
    by_reason = Counter(r["reason"] for r in rejects)
    langs = Counter(d.lang for d in docs)
    summary = (f"{len(files)} file(s): {len(docs)} document(s) ingested ({dict(langs)}), {len(chunks)} chunk(s), "
               f"{len(rejects)} rejected {dict(by_reason) if by_reason else ''}").strip()
    return StageResult(counts={"files": len(files), "documents": len(docs), "chunks": len(chunks),
                               "rejects": len(rejects), **q_counts},
                       extra={"rejects_by_reason": dict(by_reason), "languages": dict(langs),
                              "corpus_path": str(root)},
                       summary=summary)


STAGE = StageSpec(name="ingest", inputs=(), config_keys=("corpus", "questions"), run=run)
