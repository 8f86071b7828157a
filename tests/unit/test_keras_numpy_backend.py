"""Keras 3 on a backend that never uses an NVIDIA GPU (numpy, openvino): WG506 says so, from the snapshot."""

from __future__ import annotations

from whynogpu.facts.environment import EnvironmentFacts
from whynogpu.facts.frameworks import FrameworkBuildFacts, KerasSetup, TensorFlowBuild, TorchBuild
from whynogpu.facts.platform import PlatformFacts
from whynogpu.facts.target import Distribution, TargetFacts
from whynogpu.knowledge import table
from whynogpu.pipeline import report_from_snapshot
from whynogpu.probes import snapshot_of

PY = "/home/u/venv/bin/python"
SITE = "/home/u/venv/lib/python3.12/site-packages"
LINUX = PlatformFacts("linux", "6.8.0-45-generic", "Ubuntu 24.04.1 LTS", "x86_64", None, None, (), "box")
TF_GPU = TensorFlowBuild("tensorflow", "2.18.0", True, "12.5.1", "9", ("sm_60", "sm_70", "sm_80", "compute_90"))


def target(*dists: tuple[str, str]) -> TargetFacts:
    return TargetFacts(PY, "3.12.3", "cpython", "/home/u/venv", "/usr", "venv", "linux", "x86_64", "test", (),
                       tuple(Distribution(n, v, SITE) for n, v in dists), {}, {}, {})


def keras(backend: str, source: str = "KERAS_BACKEND") -> KerasSetup:
    return KerasSetup("3.8.0", 3, backend, source, "/home/u/.keras/keras.json", source != "KERAS_BACKEND", None, False)


def report(backend: str, source: str = "KERAS_BACKEND", tf=TF_GPU, torch=None):
    dists = [("keras", "3.8.0")] + ([("tensorflow", tf.version)] if tf else []) + ([("torch", torch.version)] if torch else [])
    env = {"KERAS_BACKEND": backend} if source == "KERAS_BACKEND" else {}
    return report_from_snapshot(snapshot_of(LINUX, EnvironmentFacts(env, ()), target(*dists),
                                            FrameworkBuildFacts(tf, torch, None, keras(backend, source))))


def test_keras_backend_numpy_is_flagged_with_the_gpu_framework_as_fix():
    r = report("numpy")
    f = next(f for f in r.findings if f.code == "WG506")
    assert f.category == "keras_backend_other" and f.severity.value == "error"
    assert "NumPy backend never uses a GPU" in f.explanation
    assert any("'numpy'" in e.fact and "KERAS_BACKEND" in e.source for e in f.evidence)
    assert f.fix.commands[0] == "export KERAS_BACKEND=tensorflow"  # the installed GPU-capable framework
    assert "KERAS_BACKEND" in f.fix.text
    assert r.verdict.root_cause == "keras_backend_other"


def test_keras_json_numpy_points_at_the_file_and_prefers_a_cuda_build():
    torch_cuda = TorchBuild("2.5.1+cu124", "12.4", None, "cu124", True)
    tf_cpu = TensorFlowBuild("tensorflow-cpu", "2.18.0", False, None, None, ())
    r = report("numpy", source="/home/u/.keras/keras.json", tf=tf_cpu, torch=torch_cuda)
    f = next(f for f in r.findings if f.code == "WG506")
    assert any("/home/u/.keras/keras.json" in e.source for e in f.evidence)
    assert f.fix.commands[0] == "export KERAS_BACKEND=torch"  # torch is the CUDA build here, not tensorflow-cpu
    assert any("keras.json" in c for c in f.fix.commands)


def test_keras_backend_openvino_is_flagged_but_gpu_backends_are_not():
    f = next(f for f in report("openvino").findings if f.code == "WG506")
    assert "OpenVINO" in f.explanation and f.fix.commands[0] == "export KERAS_BACKEND=tensorflow"
    assert "WG506" not in {f.code for f in report("tensorflow").findings}


def test_keras_backends_table_names_a_source_for_every_backend():
    rows = {r["backend"]: r for r in table("keras_backends")}
    assert {k for k, r in rows.items() if r["nvidia_gpu"] == "yes"} == {"tensorflow", "jax", "torch"}
    assert rows["numpy"]["nvidia_gpu"] == "no" and rows["openvino"]["nvidia_gpu"] == "no"
    assert all(r["source"].startswith("https://") for r in rows.values())
