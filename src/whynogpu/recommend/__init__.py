"""`whynogpu recommend`: the install that will work on this machine, before anything is installed.

machine.py reads what the check's snapshot already holds (OS, WSL, Python, driver, GPUs and their compute
capability, the installer of the target environment) into one `Machine`; candidates.py lists every GPU build
the knowledge tables know per framework, each with what it needs (platform, Python range, driver, kernels);
advise.py weighs the candidates against the machine: the newest that works here, the newest that needs a driver
upgrade (and which driver), or why none can and the way out; render.py prints it (text or JSON).
Which build, extra, index and installer command: fix/choose.py and fix/installer.py, shared with `whynogpu fix`.
"""
