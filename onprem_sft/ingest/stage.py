"""The ``ingest`` stage: corpus files -> Document + Chunk records (raw zone).

Bad files never stop the run: every file under corpus.path ends in documents.jsonl or in rejects.jsonl with a
reason code and a fix (unsupported types, excluded names, symlinks leaving the corpus included), and the
summary counts them; a corpus with no usable document stops with one line. The corpus listing with sizes,
mtimes and content hashes is part of the input hash (``corpus_fingerprint``), so any change reruns ingest.
Raw text stays inside this stage's folder (documents.jsonl, records.jsonl).
"""

from __future__ import annotations

import fnmatch
import json
import logging
import os
from collections import Counter
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from tqdm import tqdm

from onprem_sft.artifacts import JsonlAppender, atomic_write_json, config_hash, sha256_file
from onprem_sft.collected.hooks import exclude_questions, ingest_questions
from onprem_sft.errors import InputError
from onprem_sft.ingest.chunking import chunk_text
from onprem_sft.ingest.readers import SUPPORTED, ReadError, detect_lang, guess_title, read_document
from onprem_sft.ingest.spec import DOCUMENTS
from onprem_sft.pipeline import StageContext, StageResult
from onprem_sft.records import Chunk, Document, stable_id
from onprem_sft.scale.executor import executor_name, mapper_for

log = logging.getLogger("onprem_sft.ingest")


class CorpusError(InputError):
    pass


def _matches(rel: str, name: str, pattern: str) -> bool:
    """Glob-like match of a corpus-relative path ("**/" also matches at the top level)."""
    if fnmatch.fnmatch(rel, pattern):
        return True
    return pattern.startswith("**/") and fnmatch.fnmatch(rel, pattern[3:])


def _inside(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
        return True
    except ValueError:
        return False


@dataclass
class Listing:
    """Every file under corpus.path: the ones to read, and a reject row for each one that is not read."""
    root: Path
    files: list[tuple[Path, str]] = field(default_factory=list)     # (path, corpus-relative path)
    skipped: list[dict] = field(default_factory=list)


def _skip(listing: Listing, rel: str, size: int, reason: str, detail: str) -> None:
    listing.skipped.append({"id": stable_id("doc", rel, size), "parent_id": None, "path": rel, "reason": reason,
                            "detail": detail})


def walk_corpus(root: Path, include: list[str], exclude: list[str], follow_symlinks: bool = False) -> Listing:
    """List every file under ``root`` in a stable order; files that will not be read get a reason."""
    if not root.exists():
        raise CorpusError(f"corpus.path={root} does not exist; set corpus.path=/path/to/your/documents")
    listing = Listing(root=root)
    if root.is_file():
        listing.files.append((root, root.name))
        return listing
    seen_dirs = {os.path.realpath(root)}
    entries: list[tuple[str, Path]] = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=follow_symlinks):
        d = Path(dirpath)
        keep = []
        for name in sorted(dirnames):
            sub = d / name
            rel = sub.relative_to(root).as_posix()
            real = os.path.realpath(sub)
            if sub.is_symlink() and not follow_symlinks:
                outside = not _inside(Path(real), root.resolve())
                _skip(listing, rel + "/", 0, "symlink_outside_corpus" if outside else "symlink_dir",
                      "folder symlink leaving corpus.path; copy the files in or set corpus.follow_symlinks=true"
                      if outside else "folder symlink not followed (its target is inside corpus.path and listed "
                      "there); set corpus.follow_symlinks=true to follow it")
                continue
            if real in seen_dirs:        # a symlink loop when following links
                _skip(listing, rel + "/", 0, "symlink_loop", "folder already listed through another path")
                continue
            seen_dirs.add(real)
            keep.append(name)
        dirnames[:] = keep
        entries += [((d / f).relative_to(root).as_posix(), d / f) for f in filenames]
    real_root = root.resolve()
    for rel, path in sorted(entries):
        if path.is_symlink():
            target = Path(os.path.realpath(path))
            if not target.exists():
                _skip(listing, rel, 0, "broken_symlink", "symlink whose target does not exist; fix or remove it")
                continue
            if not follow_symlinks and not _inside(target, real_root):
                _skip(listing, rel, 0, "symlink_outside_corpus", "symlink to a file outside corpus.path; copy "
                      "the file in or set corpus.follow_symlinks=true")
                continue
        try:
            size = path.stat().st_size
        except OSError as e:
            _skip(listing, rel, 0, "unreadable", f"cannot stat the file ({type(e).__name__})")
            continue
        excl = next((x for x in exclude if _matches(rel, path.name, x) or fnmatch.fnmatch(path.name, x.split("/")[-1])),
                    None)
        if excl is not None:
            _skip(listing, rel, size, "excluded", f"matches corpus.exclude pattern {excl!r}")
        elif not any(_matches(rel, path.name, pat) for pat in include):
            if path.suffix.lower() not in SUPPORTED:
                _skip(listing, rel, size, "unsupported", f"unsupported file type {path.suffix or '(none)'!r}; "
                      f"supported: {sorted(SUPPORTED)}; convert it (e.g. .hwp -> .docx or .pdf)")
            else:
                _skip(listing, rel, size, "not_included", f"does not match corpus.include={include}")
        else:
            listing.files.append((path, rel))
    return listing


def list_files(root: Path, include: list[str], exclude: list[str]) -> list[Path]:
    """The files ingest reads (kept for callers that only need the paths)."""
    return [p for p, _ in walk_corpus(root, include, exclude).files]


INDEX = ".corpus_index.json"     # (size, mtime, inode) -> content hash cache; hidden, so not in the manifest


def corpus_fingerprint(cfg) -> str:
    """Digest of the corpus listing with each file's size, mtime and streamed content hash.

    Chained into ingest's input hash: adding, editing, deleting or renaming a file reruns ingest and every
    stage after it. Content hashes are cached per (size, mtime, inode, ctime) in the run dir, so an unchanged
    corpus is not re-read on every run."""
    c = cfg.corpus
    root = Path(c.path).expanduser().resolve()
    listing = walk_corpus(root, list(c.include), list(c.exclude), bool(c.get("follow_symlinks", False)))
    index_path = Path(cfg.run.dir).expanduser().resolve() / "ingest" / INDEX
    try:
        old = json.loads(index_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        old = {}
    new: dict[str, list] = {}
    rows = []
    for path, rel in listing.files:
        st = path.stat()
        stamp = [st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns]
        cached = old.get(rel)
        digest = cached[1] if isinstance(cached, list) and cached[0] == stamp else sha256_file(path)
        new[rel] = [stamp, digest]
        rows.append([rel, st.st_size, st.st_mtime_ns, digest])
    rows += [[r["path"], r["reason"]] for r in listing.skipped]
    if new != old:
        try:
            atomic_write_json(index_path, new)
        except OSError:
            pass
    return config_hash(["corpus", str(root), rows])


def _parts(ctx: StageContext) -> tuple[JsonlAppender, JsonlAppender]:
    part_docs, part_chunks = ctx.out.path / f".{DOCUMENTS}.part", ctx.out.path / ".records.jsonl.part"
    for p in (part_docs, part_chunks):
        p.unlink(missing_ok=True)
    return JsonlAppender(part_docs), JsonlAppender(part_chunks)


@dataclass
class Parsed:
    """One corpus file read and chunked: a Document and its chunks, or a reject."""
    doc: Document | None = None
    chunks: list[Chunk] = field(default_factory=list)
    reject: dict | None = None


def parse_file(item: tuple[Path, str], *, max_bytes: int, lang: str, chunk: tuple[int, int, int]) -> Parsed:
    """Read, detect the language and chunk one file: pure (no writes, no logs), so ``run.executor=ray``
    can run it on a worker and the stage still writes everything in file order."""
    path, rel = item
    size = path.stat().st_size
    digest = sha256_file(path) if size <= max_bytes else ""
    doc_id = stable_id("doc", rel, digest or size)
    try:
        res = read_document(path, max_bytes)
    except ReadError as e:
        return Parsed(reject={"id": doc_id, "parent_id": None, "path": rel, "reason": e.kind, "detail": str(e)})
    doc_lang = str(lang if lang != "auto" else detect_lang(res.text))
    spans = chunk_text(res.text, *chunk)
    if not spans:
        return Parsed(reject={"id": doc_id, "parent_id": None, "path": rel, "reason": "no_chunks",
                              "detail": "no text left after chunking"})
    doc = Document(id=doc_id, parent_id=None, path=rel, sha256=digest, format=res.format, encoding=res.encoding,
                   lang=doc_lang, title=guess_title(res.text, path.stem), text=res.text)
    return Parsed(doc=doc, chunks=[Chunk(id=stable_id("chk", doc_id, i, sp.start, sp.end), parent_id=doc_id,
                                         doc_id=doc_id, index=i, text=res.text[sp.start:sp.end], start=sp.start,
                                         end=sp.end, clause=sp.clause, lang=doc_lang)
                                   for i, sp in enumerate(spans)])


def run(ctx: StageContext) -> StageResult:
    c = ctx.cfg.corpus
    root = Path(c.path).expanduser().resolve()
    listing = walk_corpus(root, list(c.include), list(c.exclude), bool(c.get("follow_symlinks", False)))
    keep = set(exclude_questions(ctx.cfg, [p for p, _ in listing.files]))   # never the questions file
    files = [(p, r) for p, r in listing.files if p in keep]
    rejects: list[dict] = list(listing.skipped)
    if c.max_docs and len(files) > c.max_docs:
        for path, rel in files[c.max_docs:]:
            rejects.append({"id": stable_id("doc", rel, path.stat().st_size), "parent_id": None, "path": rel,
                            "reason": "over_max_docs", "detail": f"beyond corpus.max_docs={c.max_docs}"})
        files = files[: c.max_docs]
    n_files = len(files) + len(listing.skipped)
    if n_files == 0:
        raise CorpusError(f"corpus.path={root} holds no files; put documents there ({sorted(SUPPORTED)})")
    n_docs = n_chunks = 0
    langs: Counter[str] = Counter()
    ctx.out.ensure()
    docs_out, chunks_out = _parts(ctx)          # streamed: memory does not grow with the corpus
    job = partial(parse_file, max_bytes=int(c.max_file_mb * 2**20), lang=str(c.lang),
                  chunk=(int(c.chunk.max_chars), int(c.chunk.overlap_chars), int(c.chunk.min_chars)))
    parsed = mapper_for(ctx.cfg.run)(job, files)          # run.executor: here, or Ray tasks in file order
    with docs_out, chunks_out:
        for res in tqdm(parsed, total=len(files), desc="ingest", unit="doc", disable=not ctx.progress):
            if res.reject is not None:
                rejects.append(res.reject)
                if res.reject["reason"] != "no_chunks":
                    log.warning("rejected %s: %s", res.reject["path"], res.reject["detail"])
                continue
            docs_out.write(res.doc)
            n_docs += 1
            langs[res.doc.lang] += 1
            for ch in res.chunks:
                chunks_out.write(ch)
                n_chunks += 1
    os.replace(docs_out.path, ctx.out.path / DOCUMENTS)
    os.replace(chunks_out.path, ctx.out.records_path)
    rejects.sort(key=lambda r: r["path"])
    q_counts = ingest_questions(ctx, rejects)          # collected questions (questions.path), if any
    ctx.out.write_rejects(rejects)
    by_reason = Counter(r["reason"] for r in rejects)
    if n_docs == 0:
        names = ", ".join(r["path"] for r in rejects[:3]) + (", ..." if len(rejects) > 3 else "")
        raise CorpusError(f"no document accepted from corpus.path={root}: {len(rejects)} file(s) rejected "
                          f"({names}; {dict(by_reason)}); the reason of each is in {ctx.out.rejects_path}")
    summary = (f"{n_files} file(s): {n_docs} document(s) ingested ({dict(langs)}), {n_chunks} chunk(s), "
               f"{len(rejects)} rejected {dict(by_reason) if by_reason else ''}").strip()
    return StageResult(counts={"files": n_files, "documents": n_docs, "chunks": n_chunks,
                               "rejects": len(rejects), **q_counts},
                       extra={"rejects_by_reason": dict(by_reason), "languages": dict(langs),
                              "corpus_path": str(root), "executor": executor_name(ctx.cfg.run)},
                       summary=summary)
