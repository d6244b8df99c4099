"""The redaction package version, recorded in every audit log header (kept apart so ``audit`` does not
import the package that imports it)."""

__version__ = "0.1.0"
