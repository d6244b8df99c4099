"""Collected customer questions and QnA records: read, redact, retrieve context for, label."""
