"""``Redactor``: recognizers -> overlap merge (over-redact) -> typed consistent placeholders.

Analysis runs Presidio recognizers directly on normalised text (no NLP engine, so nothing to download and no
per-call spaCy cost); replacement splices placeholders drawn from the document's ``PlaceholderMap`` into the
text (byte-identical to Presidio's ``AnonymizerEngine`` with per-span replace operators, see
``anonymize_with_presidio``, but cheaper).
"""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from presidio_anonymizer import AnonymizerEngine
from presidio_anonymizer.entities import OperatorConfig
from presidio_anonymizer.entities import RecognizerResult as AnonResult

from redaction.clauses import SensitiveClauseRecognizer
from redaction.config import NlpConfig, RedactionConfig, SensitiveClauseConfig
from redaction.normalize import normalize
from redaction.placeholders import PlaceholderMap
from redaction.recognizers import SUPPORTED_ENTITIES, build_recognizers
from redaction.recognizers.data import PLACE_PREFIX

log = logging.getLogger("redaction")
for _name in ("presidio-analyzer", "presidio-anonymizer", "kiwipiepy"):
    logging.getLogger(_name).setLevel(logging.WARNING)

CLAUSE = "SENSITIVE_CLAUSE"
# Only names found with strong evidence (form label, role word, honorific, title) are spread to every other
# mention: a lexicon-only guess copied onto each identical word is how statutes got 44 PERSON per 10k chars.
STRONG_NAME = 0.8
PART_NAME = 0.6            # the first/last word of a multi-word Latin-script name from this score up is spread
ALL_TYPES = (*SUPPORTED_ENTITIES, CLAUSE)
# Tie-break between overlapping detections of equal score: the more specific type wins.
PRIORITY = {t: i for i, t in enumerate((
    CLAUSE, "KR_RRN", "KR_FRN", "CREDIT_CARD", "IBAN_CODE", "KR_DRIVER_LICENSE", "KR_CRN", "KR_BRN", "US_SSN",
    "KR_PASSPORT", "KR_HEALTH_INSURANCE", "EMAIL_ADDRESS", "PHONE_NUMBER", "POLICY_NUMBER", "KR_BANK_ACCOUNT",
    "KR_VEHICLE_PLATE", "IP_ADDRESS", "DATE_OF_BIRTH", "ADDRESS", "PERSON"))}


class RedactionError(RuntimeError):
    """A failure inside redaction. Its message never quotes the text (it may hold personal data)."""


@dataclass(frozen=True)
class Span:
    entity_type: str
    start: int                 # offsets in the ORIGINAL text
    end: int
    score: float
    recognizer: str
    operator: str = "placeholder"      # placeholder | remove | mask
    placeholder: str = ""

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass
class RedactionResult:
    text: str
    spans: list[Span]
    language: str
    counts: dict[str, int] = field(default_factory=dict)

    def __repr__(self) -> str:
        return f"RedactionResult(spans={len(self.spans)}, counts={self.counts})"


def _as_config(cfg: Any) -> RedactionConfig:
    if isinstance(cfg, RedactionConfig):
        return cfg
    if cfg is None:
        return RedactionConfig()
    try:
        from omegaconf import OmegaConf
        if OmegaConf.is_config(cfg):
            cfg = OmegaConf.to_container(cfg, resolve=True)
    except ImportError:  # pragma: no cover - omegaconf is a dependency
        pass
    if not isinstance(cfg, dict):
        raise TypeError(f"Redactor.from_config expects a RedactionConfig, DictConfig or dict, got {type(cfg)}")
    d = dict(cfg)
    known = {f.name for f in dataclasses.fields(RedactionConfig)}
    unknown = sorted(set(d) - known)
    if unknown:
        raise ValueError(f"redaction config: unknown key(s) {unknown}; known: {sorted(known)}")
    sc = d.pop("sensitive_clauses", None)
    if isinstance(sc, dict):
        sk = {f.name for f in dataclasses.fields(SensitiveClauseConfig)}
        bad = sorted(set(sc) - sk)
        if bad:
            raise ValueError(f"redaction.sensitive_clauses: unknown key(s) {bad}; known: {sorted(sk)}")
        sc = SensitiveClauseConfig(**sc)
    nlp = d.pop("nlp", None)
    if isinstance(nlp, dict):
        bad = sorted(set(nlp) - {f.name for f in dataclasses.fields(NlpConfig)})
        if bad:
            raise ValueError(f"redaction.nlp: unknown key(s) {bad}; known: ['en']")
        nlp = NlpConfig(**nlp)
    return RedactionConfig(**d, **({"sensitive_clauses": sc} if sc is not None else {}),
                           **({"nlp": nlp} if nlp is not None else {}))


class Redactor:
    def __init__(self, config: RedactionConfig | None = None, vault: Any = None, surrogate_key: bytes = b""):
        self.config = cfg = _as_config(config)
        if cfg.sensitive_clauses.action not in ("remove", "mask"):
            raise ValueError("redaction.sensitive_clauses.action must be remove | mask, "
                             f"got {cfg.sensitive_clauses.action!r}")
        self.recognizers = build_recognizers(cfg.use_name_analyser)
        from redaction.nlp import build_english_ner
        ner, self.nlp_status = build_english_ner(cfg.nlp.en)
        if ner is not None:
            self.recognizers.insert(0, ner)
        if cfg.custom_recognizers:     # company IDs / deny-lists / regexes, Presidio YAML (redaction/registry.py)
            from redaction.registry import load_custom_recognizers
            custom = load_custom_recognizers(cfg.custom_recognizers)
            self.recognizers += custom
            extra = [e for r in custom for e in r.supported_entities if e not in ALL_TYPES]
        else:
            extra = []
        bad = [e for e in cfg.entities if e not in ALL_TYPES and e not in extra]
        if bad:
            raise ValueError(f"redaction.entities: unknown type(s) {bad}; supported: {[*ALL_TYPES, *extra]}")
        self.entities = list(cfg.entities) or [*ALL_TYPES, *extra]
        sc = cfg.sensitive_clauses
        self.clauses = SensitiveClauseRecognizer(sc.terms, sc.patterns) if sc.enabled else None
        self.vault = vault
        self.surrogate_key = surrogate_key     # the run's audit HMAC key: keys the surrogates' hidden tag

    def new_mapping(self, doc_id: str = "") -> PlaceholderMap:
        """One document's replacement table: ``<TYPE_n>`` placeholders or realistic surrogates."""
        if self.config.replace == "surrogate":
            from redaction.surrogates import SurrogateMap
            return SurrogateMap(doc_id, self.surrogate_key)
        return PlaceholderMap(doc_id)

    @classmethod
    def from_config(cls, cfg: Any, vault: Any = None, surrogate_key: bytes = b"") -> Redactor:
        return cls(_as_config(cfg), vault=vault, surrogate_key=surrogate_key)

    def warm_up(self) -> None:
        """Load lazily built models (Kiwi) now: before timing, or before forking worker processes."""
        self.analyze("피보험자 홍길동 님")

    # -- analysis ---------------------------------------------------------------------------------------
    def analyze(self, text: str, mapping: PlaceholderMap | None = None) -> list[Span]:
        """Detections in ORIGINAL-text offsets, overlaps merged, placeholders not yet assigned."""
        norm = normalize(text)
        t = norm.text
        raw: list[tuple[str, int, int, float, str]] = []
        for rec in self.recognizers:
            failed = ""
            try:
                for r in rec.analyze(t, self.entities, None):
                    raw.append((r.entity_type, r.start, r.end, r.score,
                                (r.recognition_metadata or {}).get("recognizer_name", rec.name)))
            except Exception as e:  # noqa: BLE001 -   # raised outside the handler: no __context__ that quotes the text
                failed = type(e).__name__
            if failed:
                raise RedactionError(f"recognizer {rec.name} failed with {failed} "
                                     "(message withheld: it may quote personal data)")
        thr = self.config.score_threshold
        raw = [x for x in raw if x[3] >= thr and x[0] in self.entities]
        if self.clauses is not None and CLAUSE in self.entities:
            raw += [(CLAUSE, r.start, r.end, r.score, r.recognition_metadata["recognizer_name"])
                    for r in self.clauses.analyze(t)]
        if "PERSON" in self.entities:
            raw += self._propagate_names(t, raw, mapping)
        spans = []
        for etype, s, e, score, rec in _merge(raw):
            os_, oe = norm.to_original(s, e)
            spans.append(Span(etype, os_, oe, score, rec))
        return spans

    @staticmethod
    def _propagate_names(t: str, raw: list[tuple[str, int, int, float, str]],
                         mapping: PlaceholderMap | None) -> list[tuple[str, int, int, float, str]]:
        """Every other mention of a detected name is the same person: over-redact them too."""
        # only names backed by context (role, honorific, title, known first name): a bare Kiwi NNP hit is too
        # weak to be copied onto every identical word of the text.
        names = {t[s:e].strip() for ty, s, e, score, _ in raw if ty == "PERSON" and score >= STRONG_NAME}
        # the given name and surname of a full Latin-script name stand for the person too ("Magnus Poulsen ...
        # Magnus"); only title-case words of 3+ letters that are not titles or ordinary capitalised words
        # (a part the text also uses as a lower-case word, "Share Adapted Material" / "material", is not spread)
        # (a two-word Latin-script name is evidence enough for its parts: a lone "Ström" after "Emmie Ström")
        full = names | {t[s:e].strip() for ty, s, e, score, _ in raw if ty == "PERSON" and score >= PART_NAME}
        names |= {p for n in full for p in _name_parts(n)
                  if not re.search(rf"(?<![\w-]){re.escape(p.casefold())}(?![\w-])", t)
                  and not PLACE_PREFIX.fullmatch(p + " ")}      # "New", "Fort": a place's first word
        if mapping is not None:
            mapping.person_surfaces |= names          # later chunks of the document spread them too
            names |= mapping.person_surfaces
        out = []
        for name in sorted(n for n in names if len(n) >= 2):
            for m in re.finditer(re.escape(name), t):
                before = t[m.start() - 1:m.start()] if m.start() else ""
                after = t[m.end():m.end() + 1]
                if re.match(r"[가-힣A-Za-z]", before) or re.match(r"[A-Za-z]", after) or \
                        PLACE_PREFIX.search(t, max(0, m.start() - 7), m.start()):
                    continue                  # "James York ... the State of New York": part of a place name
                out.append(("PERSON", m.start(), m.end(), 0.6, "NamePropagation"))
        return out

    # -- redaction --------------------------------------------------------------------------------------
    def redact(self, text: str, language: str = "ko", mapping: PlaceholderMap | None = None,
               doc_id: str = "") -> RedactionResult:
        """Redact one text. Pass the same ``mapping`` for all chunks of one document."""
        if not isinstance(text, str):
            raise TypeError(f"redact() expects str, got {type(text).__name__}")
        mapping = mapping if mapping is not None else self.new_mapping(doc_id)
        spans = self.analyze(text, mapping)
        action = self.config.sensitive_clauses.action
        final: list[Span] = []
        values: dict[int, str] = {}
        for i, sp in enumerate(spans):
            value = text[sp.start:sp.end]
            if sp.entity_type == CLAUSE and action == "remove":
                final.append(dataclasses.replace(sp, operator="remove", placeholder=""))
                continue
            ph = mapping.get(sp.entity_type, value)
            final.append(dataclasses.replace(sp, operator="mask" if sp.entity_type == CLAUSE else "placeholder",
                                             placeholder=ph))
            values[i] = value
        out_text = _splice(text, final)
        if self.vault is not None:
            for i, value in values.items():
                self.vault.put(mapping.doc_id or doc_id, final[i].placeholder, value)
        counts: dict[str, int] = {}
        for sp in final:
            counts[sp.entity_type] = counts.get(sp.entity_type, 0) + 1
        log.debug("redacted %d chars: %s", len(text), counts)
        return RedactionResult(out_text, final, language, counts)

    def redact_many(self, texts: Iterable[str], language: str = "ko",
                    same_document: bool = False) -> list[RedactionResult]:
        """Batch: each text is its own document unless ``same_document`` (one placeholder numbering)."""
        shared = self.new_mapping() if same_document else None
        return [self.redact(t, language, mapping=shared) for t in texts]


def _name_parts(name: str) -> list[str]:
    """First and last word of a multi-word Latin-script name, when each alone still reads as a name."""
    from redaction.recognizers.data import EN_NOT_NAME, EN_TITLES
    words = [w.strip(".,") for w in name.split()]
    if len(words) < 2 or not all(re.fullmatch(r"[^\W\d_][\w'’-]*\.?", w) for w in words):
        return []
    titles = {x.casefold().rstrip(".") for x in EN_TITLES}
    out = []
    for w in (words[0], words[-1]):
        if (len(w) >= 3 and re.fullmatch(r"[A-Z][^\W\d_A-Z]+(?:[-'’][A-Z]?[^\W\d_A-Z]+)*", w)
                and w.casefold() not in titles and w not in EN_NOT_NAME):
            out.append(w)
    return out


def _splice(text: str, spans: Sequence[Span]) -> str:
    """Replace each (merged, non-overlapping) span by its placeholder ('' = removed).

    Same output as Presidio's ``AnonymizerEngine`` with a ``replace``/custom-remove operator per span (which
    ``anonymize_with_presidio`` still does, for users who want that path), at a fraction of its cost: the
    anonymizer built entity objects and sorted/validated them for every chunk (~15% of redaction time).
    """
    parts: list[str] = []
    pos = 0
    for sp in sorted(spans, key=lambda x: x.start):
        if sp.start < pos:
            raise RedactionError("overlapping spans after merge (internal error)")
        parts.append(text[pos:sp.start])
        parts.append(sp.placeholder)
        pos = sp.end
    parts.append(text[pos:])
    return "".join(parts)


def anonymize_with_presidio(text: str, spans: Sequence[Span]) -> str:
    """Presidio's ``AnonymizerEngine`` over our spans: the reference ``_splice`` is tested against."""
    res = AnonymizerEngine().anonymize(
        text, [AnonResult(f"S{i}", sp.start, sp.end, sp.score) for i, sp in enumerate(spans)],
        operators={f"S{i}": _operator(sp.placeholder) for i, sp in enumerate(spans)},
        merge_entities_with_spaces=False)
    return res.text


def _operator(new_value: str) -> OperatorConfig:
    # 'replace' with an empty value would fall back to '<TYPE>'; removal needs a custom operator.
    if new_value:
        return OperatorConfig("replace", {"new_value": new_value})
    return OperatorConfig("custom", {"lambda": lambda _value: ""})


def _merge(raw: Sequence[tuple[str, int, int, float, str]]) -> list[tuple[str, int, int, float, str]]:
    """Overlapping detections become one span covering all of them (over-redact); the type is the best one."""
    items = sorted(raw, key=lambda x: (x[1], -x[2]))
    out: list[tuple[str, int, int, float, str]] = []
    group: list[tuple[str, int, int, float, str]] = []
    end = -1
    for it in items:
        if group and it[1] < end:
            group.append(it)
            end = max(end, it[2])
            continue
        if group:
            out.append(_pick(group, end))
        group, end = [it], it[2]
    if group:
        out.append(_pick(group, end))
    return out


def _pick(group: list[tuple[str, int, int, float, str]], end: int) -> tuple[str, int, int, float, str]:
    best = max(group, key=lambda x: (x[0] == CLAUSE, x[3], -PRIORITY.get(x[0], 99), x[2] - x[1]))
    return (best[0], min(g[1] for g in group), end, best[3], best[4])
