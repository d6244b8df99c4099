"""Config schema of the `corpus` group: where documents come from and how they are chunked."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from omegaconf import MISSING


class Lang(StrEnum):
    auto = "auto"
    ko = "ko"
    en = "en"


@dataclass
class ChunkConfig:
    max_chars: int = 1200            # budget per chunk (Korean: ~1 char per token for small models)
    overlap_chars: int = 120
    min_chars: int = 40              # shorter chunks are merged into a neighbour


@dataclass
class CorpusConfig:
    name: str = "sample"
    path: str = MISSING              # folder (or one file) of documents; conf/corpus/*.yaml
    include: list[str] = field(default_factory=lambda: ["**/*.txt", "**/*.md", "**/*.pdf", "**/*.docx",
                                                            "**/*.hwp", "**/*.hwpx", "**/*.xlsx", "**/*.csv"])
    exclude: list[str] = field(default_factory=lambda: ["**/README*"])
    lang: Lang = Lang.auto           # auto | ko | en
    max_file_mb: float = 50.0
    follow_symlinks: bool = False    # false: a symlink leaving corpus.path is rejected (rejects.jsonl)
    max_docs: int = 0                # 0 = all
    chunk: ChunkConfig = field(default_factory=ChunkConfig)
