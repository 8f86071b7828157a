"""The corpus folders hold other projects' files as scan meets them (a `test_trainer.py` among them): data for
scan, never tests for pytest to collect or import."""

collect_ignore_glob = ["dev/*", "frozen/*"]
