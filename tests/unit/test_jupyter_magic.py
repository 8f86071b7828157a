"""%whynogpu's own layer: the kernel against a fresh login shell and the kernel spec (probes/jupyter_kernel.py,
rules/jupyter.py), and the magic's arguments. The real kernel runs in tests/integration/test_jupyter_kernel.py."""

from __future__ import annotations

import json

import pytest

from whynogpu.facts.jupyter import KernelFacts, KernelSpec
from whynogpu.host.fake import FakeHost
from whynogpu.jupyter import parse
from whynogpu.pipeline import report_from_snapshot
from whynogpu.probes import Context, NotApplicable, Options, snapshot_of
from whynogpu.probes.jupyter_kernel import SHELL_SCRIPT, gather_kernel

PY = "/home/user/envs/tf/bin/python"
SPEC = "/home/user/.local/share/jupyter/kernels/tf/kernel.json"


class KernelFake(FakeHost):
    def jupyter_kernel(self):
        return {"python": PY, "prefix": "/home/user/envs/tf", "argv": [PY, "-m", "ipykernel_launcher", "-f", "c.json"]}


def host(kernel_env: dict, shell_out: str, spec_env: dict | None = None, more: dict | None = None) -> KernelFake:
    spec = {"argv": [PY, "-m", "ipykernel_launcher", "-f", "{connection_file}"], "display_name": "tf",
            "env": spec_env or {}}
    other = {"argv": ["/usr/bin/python3", "-m", "ipykernel_launcher", "-f", "{connection_file}"]}
    return KernelFake(
        env={"SHELL": "/bin/bash", "USER": "user", **kernel_env},
        files={SPEC: json.dumps(spec), "/usr/share/jupyter/kernels/sys/kernel.json": json.dumps(other),
               "/bin/bash": "", **(more or {})},
        listings={"/home/user/.local/share/jupyter/kernels": ["tf"], "/usr/share/jupyter/kernels": ["sys"]},
        commands=[{"argv": ["/bin/bash", "-l", "-c", SHELL_SCRIPT], "returncode": 0, "stdout": shell_out}],
    )


SHELL = "welcome!\n@@python3=/usr/bin/python3\n@@python=\n@@jupyter=/home/user/.local/bin/jupyter\n@@env\nHOME=/home/user\n"


def kernel_report(h):
    from whynogpu.facts.environment import EnvironmentFacts

    facts = gather_kernel(Context(h, Options(python=PY)))
    return facts, report_from_snapshot(snapshot_of(facts, EnvironmentFacts(dict(facts.env), ())))


def test_kernel_spec_that_hides_the_gpu_is_named_with_its_fix():
    facts, report = kernel_report(host({"CUDA_VISIBLE_DEVICES": "-1"}, SHELL, {"CUDA_VISIBLE_DEVICES": "-1"}))
    assert facts.shell_python == "/usr/bin/python3" and facts.shell_jupyter == "/home/user/.local/bin/jupyter"
    assert [s.name for s in facts.specs] == ["tf"]  # the system spec starts another Python
    f = next(f for f in report.findings if f.code == "WG640")
    assert "CUDA_VISIBLE_DEVICES is '-1' in the kernel, unset in the login shell" in f.evidence[0].fact
    assert SPEC in f.evidence[0].source
    assert f.fix.commands[0].startswith(PY + " -c ") and f.fix.commands[0].endswith(f"{SPEC} CUDA_VISIBLE_DEVICES -")
    assert "WG601" in {x.code for x in report.findings}  # the kernel's own value is judged as ever


def test_the_fix_command_really_edits_the_kernel_json(tmp_path):
    import shlex
    import subprocess
    import sys

    from whynogpu.rules.jupyter import spec_edit

    path = tmp_path / "kernel.json"
    path.write_text(json.dumps({"argv": ["python"], "env": {"CUDA_VISIBLE_DEVICES": "-1", "KEEP": "1"}}))
    k = KernelFacts(sys.executable, "", (), {}, "/bin/sh", None, None, {}, ())
    subprocess.run(shlex.split(spec_edit(k, str(path), "CUDA_VISIBLE_DEVICES", None)), check=True)
    subprocess.run(shlex.split(spec_edit(k, str(path), "LD_LIBRARY_PATH", "/opt/cuda/lib64:/x y")), check=True)
    assert json.loads(path.read_text())["env"] == {"KEEP": "1", "LD_LIBRARY_PATH": "/opt/cuda/lib64:/x y"}


def test_of_several_specs_the_one_that_sets_the_variable_is_named():
    bundled = "/home/user/envs/tf/share/jupyter/kernels/python3/kernel.json"  # ipykernel's own, argv[0] "python"
    h = host({"CUDA_VISIBLE_DEVICES": "-1"}, SHELL, {"CUDA_VISIBLE_DEVICES": "-1"},
             {bundled: json.dumps({"argv": ["python", "-m", "ipykernel_launcher", "-f", "{connection_file}"]})})
    facts, report = kernel_report(h)
    assert sorted(s.name for s in facts.specs) == ["python3", "tf"]
    f = next(f for f in report.findings if f.code == "WG640")
    assert f.evidence[0].source == f"kernel.json {SPEC}" and "'tf'" in f.fix.text


def test_library_path_only_in_the_shell_must_go_into_the_spec():
    out = SHELL + "LD_LIBRARY_PATH=/usr/local/cuda/lib64\n"
    _, report = kernel_report(host({}, out))
    f = next(f for f in report.findings if f.code == "WG640")
    assert "LD_LIBRARY_PATH is unset in the kernel, '/usr/local/cuda/lib64' in the login shell" in f.evidence[0].fact
    assert f.fix.commands[0].endswith(f"{SPEC} LD_LIBRARY_PATH /usr/local/cuda/lib64")


def test_inherited_variable_without_a_spec_is_fixed_in_the_first_cell():
    h = host({"KERAS_BACKEND": "jax"}, SHELL)
    h.listings.pop("/home/user/.local/share/jupyter/kernels")
    _, report = kernel_report(h)
    f = next(f for f in report.findings if f.code == "WG640")
    assert "inherited" in f.evidence[0].source
    assert f.fix.commands == ("import os; os.environ.pop('KERAS_BACKEND', None)  # first cell, before any framework import",)


def test_same_environment_and_same_python_say_nothing():
    out = SHELL.replace("/usr/bin/python3", PY.replace("python", "python3")) + "CUDA_HOME=/usr/local/cuda\n"
    _, report = kernel_report(host({"CUDA_HOME": "/usr/local/cuda", "PATH": "/other"}, out))
    assert not {"WG640", "WG641"} & {f.code for f in report.findings}


def test_another_python_in_the_terminal_is_a_hint():
    _, report = kernel_report(host({}, SHELL))
    f = next(f for f in report.findings if f.code == "WG641")
    assert f.severity.value == "hint"
    assert any("/usr/bin/python3" in e.fact for e in f.evidence)
    assert any(c.startswith(f"whynogpu --python {PY}") for c in f.fix.commands)


def test_a_shell_that_cannot_run_gives_facts_but_no_comparison():
    h = host({"CUDA_VISIBLE_DEVICES": "-1"}, SHELL)
    h.commands = []
    facts, report = kernel_report(h)
    assert facts.shell is None
    assert not {"WG640", "WG641"} & {f.code for f in report.findings}


def test_only_a_kernel_host_has_this_layer():
    with pytest.raises(NotApplicable):
        gather_kernel(Context(FakeHost(), Options()))


def test_secrets_are_never_recorded():
    facts, _ = kernel_report(host({"HF_TOKEN": "hf_" + "x" * 30}, SHELL + "AWS_SECRET_ACCESS_KEY=abc\n"))
    assert "HF_TOKEN" not in facts.env and "AWS_SECRET_ACCESS_KEY" not in facts.shell_env


def test_facts_round_trip_through_a_snapshot():
    from whynogpu.snapshot_io import from_data, to_data

    facts = KernelFacts(PY, "/p", ("a",), {"X": "1"}, "/bin/sh", None, None, {}, (KernelSpec(SPEC, "tf", ("a",), {}),))
    snap = snapshot_of(facts)
    assert from_data(json.loads(json.dumps(to_data(snap)))).get(KernelFacts) == facts


def test_magic_arguments():
    assert parse("") == {"triage": False, "live": True, "timeout": 60.0}
    assert parse("--no-probe --timeout 5") == {"triage": False, "live": False, "timeout": 5.0}
    assert parse("triage")["triage"] is True
    for bad in ("--bogus", "--timeout x", "--timeout -1", "triage --no-probe", "'"):
        with pytest.raises(ValueError, match="usage"):
            parse(bad)


def test_load_ext_registers_the_line_magic_without_importing_ipython():
    import sys

    import whynogpu

    class Shell:
        registered = {}

        def register_magic_function(self, func, magic_kind, magic_name):
            self.registered[(magic_kind, magic_name)] = func

    shell = Shell()
    whynogpu.load_ipython_extension(shell)
    assert ("line", "whynogpu") in shell.registered
    assert not {"tensorflow", "torch", "jax"} & set(sys.modules)


def test_triage_reads_the_last_cell_and_its_traceback(monkeypatch):
    import sys

    from whynogpu.jupyter import last_error_text

    class Shell:
        user_ns = {"In": ["", "import tensorflow as tf\ntf.zeros(1)", "%whynogpu triage"]}

    monkeypatch.delattr(sys, "last_exc", raising=False)
    monkeypatch.delattr(sys, "last_value", raising=False)
    assert last_error_text(Shell()) is None
    try:
        raise OSError("libcudnn.so.9: cannot open shared object file")
    except OSError as exc:
        monkeypatch.setattr(sys, "last_value", exc, raising=False)
    text = last_error_text(Shell())
    assert text.startswith("import tensorflow as tf\ntf.zeros(1)") and "OSError: libcudnn.so.9" in text
