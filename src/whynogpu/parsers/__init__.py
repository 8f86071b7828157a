"""Pure parsers of real program output and installed files, shared by `check` and `triage`."""
