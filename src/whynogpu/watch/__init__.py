"""`whynogpu watch -- COMMAND`: run a command unchanged, watch what it does with the GPU, then say why
it did or did not use it.

- runner.py: starts the command (same stdin/stdout/env/cwd; stderr passed through live and read for
  framework messages), forwards signals, and talks to the sampler child;
- sampler.py: the child that reads NVML (nvml.py) and the command's process tree (proctree.py) every
  interval and writes one JSON line per sample; nothing is ever loaded into the command;
- facts.py: what was seen, as frozen facts; summary.py: per-GPU numbers from the samples (pure);
- report.py: the facts through the watch rules (rules/watch.py) and, when the GPU was never touched,
  check's rules on this machine, into one Report; text.py and plot.py show it.
"""
