"""%whynogpu in a real Jupyter kernel (ipykernel started by nbclient) in the cached venv with tensorflow-cpu:
the cell's HTML and plain-text forms carry the verdict whynogpu gives from outside, no framework is imported into
the kernel, `%whynogpu triage` reads the last error, and a kernel spec whose env differs from the login shell's
is named with its kernel.json.

The executed notebooks are kept as artifacts: $WHYNOGPU_ARTIFACTS if set, else pytest's tmp_path.
"""

from __future__ import annotations

import json
import os
import re
import subprocess

import pytest
from test_live_probe import all_cpu_python

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
MARKER = ".whynogpu-jupyter"


def kernel_python() -> str:
    """The all-cpu venv with ipykernel, nbclient and this checkout of whynogpu (editable) added once."""
    python = all_cpu_python()
    venv = os.path.dirname(os.path.dirname(python))
    where = subprocess.run([python, "-c", "import whynogpu, nbclient, ipykernel; print(whynogpu.__file__)"],
                           capture_output=True, text=True)
    if not os.path.exists(os.path.join(venv, MARKER)) or not where.stdout.startswith(os.path.join(REPO, "src")):
        subprocess.run([python, "-m", "pip", "install", "-q", "-e", f"{REPO}[jupyter]"], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        open(os.path.join(venv, MARKER), "w").close()
    return python


@pytest.fixture
def artifacts(tmp_path):
    path = os.environ.get("WHYNOGPU_ARTIFACTS") or str(tmp_path)
    os.makedirs(path, exist_ok=True)
    return path


def run_notebook(tmp_path, out: str, spec_env: dict, *cells: str) -> list[dict]:
    python = kernel_python()
    jupyter_path = str(tmp_path / "jupyter")
    # The kernel inherits this environment (as one inherits the Jupyter server's): nothing GPU-related in it.
    env = {k: v for k, v in os.environ.items() if k not in ("CUDA_VISIBLE_DEVICES", "KERAS_BACKEND", "JAX_PLATFORMS")}
    env.update(JUPYTER_PATH=jupyter_path, SHELL="/bin/bash", PYTHONWARNINGS="ignore")
    subprocess.run([python, os.path.join(HERE, "notebook_driver.py"), jupyter_path, "whynogpu-it", json.dumps(spec_env),
                    out, *cells], check=True, env=env, timeout=900, capture_output=True)
    with open(out, encoding="utf-8") as fh:
        return json.load(fh)["cells"]


def result(cell: dict) -> dict:
    (res,) = [o for o in cell["outputs"] if o["output_type"] == "execute_result"]
    return {k: "".join(v) if isinstance(v, list) else v for k, v in res["data"].items()}


def words(s: str) -> str:
    return " ".join(s.split())


def shown_text(html: str) -> str:
    return words(re.sub(r"<style>.*?</style>|<[^>]+>", " ", html, flags=re.S).replace("&#x27;", "'"))


@pytest.mark.integration
def test_magic_in_a_real_kernel_shows_the_verdict_in_html_and_plain_text(tmp_path, artifacts):
    from whynogpu import check

    out = os.path.join(artifacts, "magic.ipynb")
    cells = run_notebook(
        tmp_path, out, {},
        "%load_ext whynogpu",
        "%whynogpu",
        "import sys; print([m for m in ('tensorflow', 'keras', 'torch', 'jax') if m in sys.modules])",
        "raise RuntimeError(\"Could not load dynamic library 'libcudart.so.11.0'; dlerror: libcudart.so.11.0: "
        "cannot open shared object file: No such file or directory\")",
        "%whynogpu triage",
    )
    assert not [o for o in cells[0]["outputs"] if o["output_type"] == "error"]
    data = result(cells[1])
    with open(os.path.join(artifacts, "magic.txt"), "w", encoding="utf-8") as fh:
        fh.write(data["text/plain"])
    # the verdict whynogpu gives from outside the kernel, for the same interpreter
    outside = check(python=kernel_python())
    line = f"GPU usable: {'no' if outside.verdict.gpu_usable is False else 'yes'}   root cause: {outside.verdict.root_cause}"
    assert line in data["text/plain"]
    assert words(line) in shown_text(data["text/html"])
    assert words(line) in words(re.sub(r"[*`#]", "", data["text/markdown"]))
    assert shown_text(data["text/html"]).index(words(line)) < shown_text(data["text/html"]).index("Root cause:")
    assert "the interpreter of this Jupyter kernel" in data["text/plain"]
    # the live probe imported TensorFlow in a child and found the CPU build; the kernel itself imported nothing
    assert re.search(r"TensorFlow is a CPU-only build \(confirmed by importing it\) \[WG501", data["text/plain"])
    assert "".join(cells[2]["outputs"][0]["text"]).strip() == "[]"
    assert "<details" in data["text/html"] and '<pre class="cmd">' in data["text/html"]
    triaged = result(cells[4])
    assert "root cause: cuda_libs_missing" in triaged["text/plain"]
    assert "libcudart.so.11.0" in triaged["text/plain"]


@pytest.mark.integration
def test_a_kernel_spec_whose_env_differs_from_the_login_shell_is_named(tmp_path, artifacts):
    out = os.path.join(artifacts, "spec-env.ipynb")
    cells = run_notebook(tmp_path, out, {"CUDA_VISIBLE_DEVICES": "-1"}, "%load_ext whynogpu", "%whynogpu --no-probe")
    data = result(cells[1])
    with open(os.path.join(artifacts, "spec-env.txt"), "w", encoding="utf-8") as fh:
        fh.write(data["text/plain"])
    spec = os.path.join(str(tmp_path), "jupyter", "kernels", "whynogpu-it", "kernel.json")
    text = data["text/plain"]
    assert "[WG640]" in text and "[WG601 cuda_visible_devices_hidden]" in text
    assert f"CUDA_VISIBLE_DEVICES is '-1' in the kernel, unset in the login shell (kernel.json {spec})" in text
    # the fix given is a command that edits that kernel.json; run it, and the spec no longer hides the GPU
    fix = next(ln.strip() for ln in text.splitlines() if ln.strip().endswith(f"{spec} CUDA_VISIBLE_DEVICES -"))
    subprocess.run(fix, shell=True, check=True)
    with open(spec, encoding="utf-8") as fh:
        assert "CUDA_VISIBLE_DEVICES" not in json.load(fh)["env"]
    assert "WG640" in shown_text(data["text/html"])
