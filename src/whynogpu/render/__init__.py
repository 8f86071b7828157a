"""Renderers turn a Report into text for a terminal, JSON or Markdown."""

MARKS = {"ok": "✓", "warning": "!", "error": "✗", "unknown": "?", "skipped": "-", "hint": "•", "info": "•"}
SEVERITY_MARK = {"error": "✗", "warning": "!", "hint": "•", "info": "•"}
