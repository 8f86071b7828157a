"""Triage: diagnose a pasted bug report with the same snapshot → rules → report pipeline as `check`."""
