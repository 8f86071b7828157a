"""Run by the kernel venv's Python (which has nbclient): execute a notebook in a real Jupyter kernel.

    python notebook_driver.py KERNELS_DIR SPEC_NAME SPEC_ENV_JSON OUT.ipynb CELL...

A kernel spec SPEC_NAME is written under KERNELS_DIR/kernels (start Jupyter with JUPYTER_PATH=KERNELS_DIR) that
starts this interpreter with SPEC_ENV_JSON as its `env`, as `python -m ipykernel install` would.
"""

import json
import os
import sys

import nbformat
from nbclient import NotebookClient

root, name, spec_env, out, *cells = sys.argv[1:]
spec_dir = os.path.join(root, "kernels", name)
os.makedirs(spec_dir, exist_ok=True)
with open(os.path.join(spec_dir, "kernel.json"), "w") as fh:
    json.dump({"argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
               "display_name": name, "language": "python", "env": json.loads(spec_env)}, fh, indent=1)
nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
NotebookClient(nb, kernel_name=name, timeout=600, allow_errors=True).execute()
nbformat.write(nb, out)
