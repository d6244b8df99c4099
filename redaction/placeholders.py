"""Typed, consistent placeholders per document: every mention of one value gets one ``<TYPE_n>``."""

from __future__ import annotations

from redaction.normalize import normalize_value


class PlaceholderMap:
    """Lives in memory for one document (all its chunks); never serialised: it holds raw values."""

    def __init__(self, doc_id: str = ""):
        self.doc_id = doc_id
        self._by_value: dict[tuple[str, str], str] = {}
        self._counts: dict[str, int] = {}
        self.person_surfaces: set[str] = set()   # strongly evidenced names, spread to later chunks (engine)

    def get(self, entity_type: str, value: str) -> str:
        key = (entity_type, normalize_value(value))
        ph = self._by_value.get(key)
        if ph is None:
            n = self._counts.get(entity_type, 0) + 1
            self._counts[entity_type] = n
            ph = f"<{entity_type}_{n}>"
            self._by_value[key] = ph
        return ph

    def __len__(self) -> int:
        return len(self._by_value)

    def __repr__(self) -> str:       # never print values
        return f"PlaceholderMap(doc_id={self.doc_id!r}, entities={len(self)})"
