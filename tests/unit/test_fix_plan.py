"""`whynogpu fix` plans, built from fixture hosts and snapshots: each finding becomes an automatic step (the
target environment only, with the user's own installer) or a manual one (printed, never run)."""

from __future__ import annotations

import os

import pytest

from whynogpu.commands.capture import replay_report
from whynogpu.facts.cuda import CudaLibFacts, JupyterKernel
from whynogpu.fix import plan as planning
from whynogpu.fix import render
from whynogpu.host.fake import FakeHost
from whynogpu.knowledge import table
from whynogpu.model import ProbeResult, ProbeStatus, Snapshot
from whynogpu.pipeline import report_from_snapshot
from whynogpu.probes import Context, Options, gather, load_all, run_one
from whynogpu.probes.target import facts_from_inspector
from whynogpu.rules import load_all as load_rules

HOSTS = os.path.join(os.path.dirname(__file__), "..", "fixtures", "hosts")
PREFIX = "/home/user/venv"
PY = f"{PREFIX}/bin/python"


def target_data(dists, prefix=PREFIX, env_kind="venv", installer="pip", files=None, packages=()):
    return {"executable": f"{prefix}/bin/python", "version": "3.11.7", "implementation": "CPython", "prefix": prefix,
            "base_prefix": "/usr", "env_kind": env_kind, "platform": "linux", "machine": "x86_64",
            "distributions": [{"name": n, "version": v, "location": f"{prefix}/lib/python3.11/site-packages",
                               "installer": installer} for n, v in dists],
            "packages": {p: {"origin": f"/x/{p}/__init__.py", "locations": [f"/x/{p}"]} for p in packages},
            "owners": {}, "files": files or {}}


def snapshot(folder, tdata, extra=()):
    """The fixture's live answers for a target described by `tdata` (as test_frameworks_live builds them)."""
    load_rules()
    probes = load_all()
    host = FakeHost.from_folder(os.path.join(HOSTS, folder))
    ctx = Context(host, Options(python=tdata["executable"], live=True, timeout=30))
    ctx.results.append(ProbeResult("target", ProbeStatus.OK, 0.1, facts=facts_from_inspector(tdata, "named with --python")))
    ctx.results.extend(extra)
    for name in ("frameworks", "frameworks_live"):
        ctx.results.append(run_one(probes[name], ctx))
    return Snapshot(1, "test", "check", tuple(ctx.results))


def tf_files():
    with open(os.path.join(HOSTS, "tf-cpu-package-live", "build_info.py"), encoding="utf-8") as fh:
        return {"tensorflow/python/platform/build_info.py": fh.read()}


def tf_cpu(prefix=PREFIX, env_kind="venv", installer="pip"):
    return snapshot("tf-cpu-package-live", target_data([("tensorflow-cpu", "2.21.0"), ("keras", "3.15.1"), ("pip", "24.0")],
                                                       prefix, env_kind, installer, tf_files(), ["tensorflow", "keras"]))


def plan_for(snap, files=None, env=None, cwd=None):
    host = FakeHost(files=files or {}, env=env or {"PATH": "/usr/bin"})
    return planning.build(report_from_snapshot(snap), snap, host, cwd)


def automatic(p):
    return [s for s in p.steps if s.automatic]


# -- which build, from the knowledge tables ------------------------------------------------------


def test_tensorflow_cpu_in_a_pip_venv_is_replaced_by_the_same_release():
    p = plan_for(tf_cpu())
    [step] = automatic(p)
    assert p.installer.kind == "pip"
    assert step.codes == ("WG501",) and step.category == "cpu_only_package"
    assert [list(a.argv) for a in step.actions] == [
        [PY, "-m", "pip", "uninstall", "-y", "tensorflow-cpu"],
        [PY, "-m", "pip", "install", "tensorflow[and-cuda]==2.21.0"]]  # no no_nvidia_gpu finding: a GPU to use
    assert step.commands[1] == f"{PY} -m pip install 'tensorflow[and-cuda]==2.21.0'"


def test_the_plan_reads_the_extra_from_the_tables_not_from_code(monkeypatch):
    import whynogpu.fix.choose as choose
    import whynogpu.knowledge as knowledge

    real = knowledge.table

    def without_extra(name):
        rows = real(name)
        return tuple(dict(r, and_cuda="") for r in rows) if name == "tensorflow_pip_cuda" else rows

    monkeypatch.setattr(knowledge, "table", without_extra)  # release_row reads through it
    monkeypatch.setattr(choose, "table", without_extra)
    [step] = automatic(plan_for(tf_cpu()))
    assert step.actions[-1].argv[-1] == "tensorflow==2.21.0"


def test_the_captured_cpu_vm_plans_the_manual_root_cause_first_then_each_framework():
    report, snap = replay_report(os.path.join(HOSTS, "vm-no-gpu-cuda13-all-cpu-frameworks-captured"), False)
    p = planning.build(report, snap, FakeHost(env={"PATH": "/usr/bin"}))
    first = p.steps[0]
    assert not first.automatic and first.codes == ("WG201",) and first.commands  # the rule's own command, shown
    auto = {s.title.split(" ")[1]: s for s in automatic(p)}
    torch = next(s for s in automatic(p) if "torch" in s.title)
    variant = next(r["variant"] for r in table("torch_cuda_variants")
                   if r["cuda"] == next(d["cuda"] for d in table("torch_pypi_default_cuda") if d["torch"] == "2.13"))
    assert f"https://download.pytorch.org/whl/{variant}" in torch.commands[-1]  # no driver: the PyPI default's CUDA
    assert torch.actions[0].argv[-2:] == ("-y", "torch")  # a +cpu wheel satisfies ==2.13.0: it goes first
    tf = next(s for s in automatic(p) if "TensorFlow" in s.title)
    assert tf.actions[-1].argv[-1] == "tensorflow==2.21.0"  # no GPU here: and-cuda left out, and said why
    assert "no NVIDIA GPU" in tf.why
    jax = next(s for s in automatic(p) if "JAX" in s.title)
    assert jax.actions[-1].argv[-1].startswith("jax[cuda") and len(jax.actions) == 1  # the plugin is added
    assert any("until step 1" in n for n in p.notes)
    assert len(auto) == 3


def test_missing_cuda_libraries_of_a_tf_gpu_build_add_the_and_cuda_extra_only():
    h = FakeHost.from_folder(os.path.join(HOSTS, "tf221-without-and-cuda-cuda13-toolkit-only"))
    snap = gather(h, Options(live=False))
    p = planning.build(report_from_snapshot(snap), snap, h)
    [step] = automatic(p)
    assert set(step.codes) == {"WG301", "WG302", "WG303"}  # one step answers all three
    assert [a.argv[-1] for a in step.actions] == ["tensorflow[and-cuda]==2.21.0"]  # nothing uninstalled


def test_a_driver_too_old_for_every_cuda_wheel_of_the_release_is_a_manual_step():
    from whynogpu.fix import choose

    assert isinstance(choose.torch("2.13.0+cpu", "470.57.02"), str)
    assert choose.torch("2.5.1+cpu", "550.54.14").index.endswith("/cu124")  # the newest the driver runs
    assert choose.jax("0.10.2", "550.54.14").specs == ("jax[cuda12]==0.10.2",)
    assert choose.tensorflow("2.16.1", "3.11.7", "550.54.14", True).specs == ("tensorflow[and-cuda]==2.21.*",)


# -- the user's installer --------------------------------------------------------------------------


def test_uv_venv_without_pip_gets_uv_commands():
    snap = snapshot("tf-cpu-package-live", target_data([("tensorflow-cpu", "2.21.0")], installer="uv",
                                                       files=tf_files(), packages=["tensorflow"]))
    p = plan_for(snap, files={f"{PREFIX}/pyvenv.cfg": "home = /usr/bin\nuv = 0.13.9\n"})
    [step] = automatic(p)
    assert p.installer.kind == "uv"
    assert step.commands == (f"uv pip uninstall --python {PY} tensorflow-cpu",
                             f"uv pip install --python {PY} 'tensorflow[and-cuda]==2.21.0'")


def test_conda_env_pip_package_uses_the_envs_pip_and_conda_package_uses_conda():
    prefix = "/home/user/miniconda3/envs/ml"
    files = {f"{prefix}/conda-meta/history": "", "/home/user/miniconda3/bin/conda": ""}
    p = plan_for(tf_cpu(prefix, "conda", "pip"), files=files)
    assert p.installer.kind == "conda" and p.installer.conda_name == "ml"
    assert automatic(p)[0].actions[0].argv[:3] == (f"{prefix}/bin/python", "-m", "pip")
    p = plan_for(tf_cpu(prefix, "conda", "conda"), files=files, env={"CONDA_EXE": "/home/user/miniconda3/bin/conda"})
    cmds = automatic(p)[0].commands
    assert cmds[0] == "/home/user/miniconda3/bin/conda remove -y -n ml tensorflow-cpu"
    assert cmds[1].startswith("/home/user/miniconda3/bin/conda install -y -n ml -c conda-forge 'tensorflow=*=cuda*'")


def test_base_conda_env_and_system_python_are_never_changed():
    base = "/home/user/miniconda3"
    p = plan_for(tf_cpu(base, "conda"), files={f"{base}/conda-meta/history": "", f"{base}/condabin/conda": ""})
    assert not automatic(p) and p.steps[0].commands and not p.steps[0].actions
    assert any("base conda environment" in n for n in p.notes)
    p = plan_for(tf_cpu("/usr", "system"))
    assert not automatic(p) and any("system" in n for n in p.notes)


def test_poetry_project_gets_poetry_commands_run_in_the_project():
    project = "/home/user/proj"
    snap = tf_cpu(f"{project}/.venv")
    p = plan_for(snap, files={f"{project}/pyproject.toml": "[tool.poetry]\nname='x'\n", f"{project}/poetry.lock": ""})
    [step] = automatic(p)
    assert p.installer.kind == "poetry" and p.installer.project == project
    assert step.commands == ("poetry remove tensorflow-cpu", "poetry add 'tensorflow[and-cuda]==2.21.0'")
    assert {a.cwd for a in step.actions} == {project}


def test_poetry_takes_torch_from_a_named_explicit_source():
    from whynogpu.fix.installer import Installer

    inst = Installer("poetry", PY, "/p/.venv", exe="poetry", project="/p")
    argvs = inst.install(["torch==2.5.1"], index="https://download.pytorch.org/whl/cu124", source_name="pytorch-cu124")
    assert argvs == [["poetry", "source", "add", "--priority=explicit", "pytorch-cu124",
                      "https://download.pytorch.org/whl/cu124"],
                     ["poetry", "add", "--source", "pytorch-cu124", "torch==2.5.1"]]


def test_pipenv_project_gets_pipenv_commands():
    project = "/home/user/proj"
    p = plan_for(tf_cpu(f"{project}/.venv"), files={f"{project}/Pipfile": "[packages]\n"})
    assert p.installer.kind == "pipenv"
    assert automatic(p)[0].commands[0] == "pipenv uninstall tensorflow-cpu"


def test_a_project_in_the_current_folder_does_not_own_an_unrelated_venv():
    p = plan_for(tf_cpu(), files={"/work/other/poetry.lock": ""}, cwd="/work/other")
    assert p.installer.kind == "pip"


# -- variables where the environment starts -------------------------------------------------------


def keras_without_tf(prefix=PREFIX, env_kind="venv", kernels=()):
    libs = CudaLibFacts("linux", (), (), (), (), True, (), None, tuple(kernels), (), env_kind, prefix, False)
    return snapshot("keras3-without-tensorflow",
                    target_data([("keras", "3.15.1"), ("jax", "0.10.2"), ("jaxlib", "0.10.2")], prefix, env_kind,
                                packages=["keras", "jax"]),
                    extra=[ProbeResult("cuda_libs", ProbeStatus.OK, 0.0, facts=libs)])


def test_keras_backend_is_set_in_the_conda_envs_activation_scripts():
    prefix = "/home/user/miniconda3/envs/ml"
    p = plan_for(keras_without_tf(prefix, "conda"), files={f"{prefix}/conda-meta/history": ""})
    step = next(s for s in p.steps if "WG506" in s.codes)
    assert step.automatic
    [a] = step.actions
    assert (a.where, a.path, a.name, a.value) == ("conda", prefix, "KERAS_BACKEND", "jax")


def test_keras_backend_goes_into_the_kernel_of_this_interpreter_and_a_plain_venv_is_manual():
    kernel = JupyterKernel("/home/user/.local/share/jupyter/kernels/ml/kernel.json", PY, None)
    p = plan_for(keras_without_tf(kernels=[kernel]))
    step = next(s for s in p.steps if "WG506" in s.codes)
    assert step.automatic and step.actions[0].where == "kernel" and step.actions[0].path == kernel.spec
    p = plan_for(keras_without_tf())
    step = next(s for s in p.steps if "WG506" in s.codes)
    assert not step.automatic and step.commands == ("export KERAS_BACKEND=jax",)


def test_variable_edits_write_kernel_json_and_conda_scripts(tmp_path):
    import json

    from whynogpu.fix import envvars
    from whynogpu.fix.model import Action

    spec = tmp_path / "kernel.json"
    spec.write_text(json.dumps({"argv": [PY, "-m", "ipykernel"], "env": {"A": "1"}}))
    envvars.apply(Action(where="kernel", path=str(spec), name="KERAS_BACKEND", value="jax"))
    assert json.loads(spec.read_text())["env"] == {"A": "1", "KERAS_BACKEND": "jax"}
    envvars.apply(Action(where="conda", path=str(tmp_path), name="CUDA_VISIBLE_DEVICES", value=None))
    activate, deactivate = envvars.files(Action(where="conda", path=str(tmp_path), name="CUDA_VISIBLE_DEVICES"))
    assert "unset CUDA_VISIBLE_DEVICES" in open(activate).read()
    assert "_WHYNOGPU_OLD_CUDA_VISIBLE_DEVICES" in open(deactivate).read()


# -- output ---------------------------------------------------------------------------------------


def test_json_plan_lists_steps_with_kind_commands_and_argv():
    data = render.data(plan_for(tf_cpu()))
    assert data["schema_version"] == 1 and data["installer"]["kind"] == "pip"
    [step] = data["steps"]
    assert step["kind"] == "automatic" and step["codes"] == ["WG501"]
    assert step["actions"][0]["argv"][-1] == "tensorflow-cpu"


def test_text_plan_says_it_was_a_dry_run():
    out = render.text(plan_for(tf_cpu()))
    assert "1. [automatic] Replace tensorflow-cpu 2.21.0 with TensorFlow's GPU build" in out
    assert "dry run: nothing was changed" in out


@pytest.mark.parametrize("root_cause", ["no_problem"])
def test_nothing_to_fix(root_cause):
    report, snap = replay_report(os.path.join(HOSTS, "vm-no-gpu-cuda13-all-cpu-frameworks-captured"), False)
    from dataclasses import replace

    from whynogpu.model import Verdict

    clean = replace(report, findings=(), verdict=Verdict(True, root_cause, "the GPU works"))
    p = planning.build(clean, snap, FakeHost())
    assert not p.steps and p.notes == ("Nothing to fix: the GPU works",)


def test_every_field_of_the_plan_json_is_documented():
    """docs/json-schema.md's `fix --json` section names each key `render.data` writes, and its example is valid JSON
    with the same keys as a real plan."""
    import json
    import re

    with open(os.path.join(os.path.dirname(__file__), "..", "..", "docs", "json-schema.md"), encoding="utf-8") as fh:
        doc = fh.read().split("## The fix plan: `whynogpu fix --json`", 1)[1]
    first_cells = re.findall(r"^\| ([^|]+) \|", doc, re.M)
    documented = {n.removesuffix("[]") for cell in first_cells for n in re.findall(r"`([^`]+)`", cell)}
    d = render.data(plan_for(tf_cpu()))
    keys = set(d) | {f"installer.{k}" for k in d["installer"]} | {f"steps[].{k}" for k in d["steps"][0]}
    assert keys - documented == set()
    example = json.loads(re.search(r"```json\n(.*?)```", doc, re.S).group(1).replace("…", ""))
    assert set(example) == set(d) and set(example["steps"][0]) == set(d["steps"][0])
    assert example["steps"][0]["actions"] == d["steps"][0]["actions"]
