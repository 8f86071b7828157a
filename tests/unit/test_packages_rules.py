"""Package-layer rules on installs laid out exactly as pip leaves them, inspected by the real inspector."""

from __future__ import annotations

import pytest

from helpers import host_with_site, make_dist, read_real
from whynogpu.pipeline import check
from whynogpu.probes import Options

TF_INIT = "# tensorflow/__init__.py\n__version__ = '2.21.0'\n"


def codes(report):
    return [f.code for f in report.findings]


def run(site, **kw):
    return check(host_with_site(str(site), **kw), Options(live=False))


@pytest.fixture
def cpu_build_info(real_fixtures):
    return read_real("tf-cpu-package", "1-tensorflow-cpu-only", "build_info.py")


@pytest.fixture
def gpu_build_info(real_fixtures):
    return read_real("tf-cpu-machine", "build_info.py")


def tf_files(build_info: str) -> dict[str, str]:
    return {"tensorflow/__init__.py": TF_INIT, "tensorflow/python/platform/build_info.py": build_info}


def test_tensorflow_cpu_alone_is_a_cpu_only_package(tmp_path, cpu_build_info):
    make_dist(tmp_path, "tensorflow-cpu", "2.21.0", tf_files(cpu_build_info), top_level=["tensorflow"])
    report = run(tmp_path)
    f = next(f for f in report.findings if f.code == "WG401")
    assert f.category == "cpu_only_package" and f.severity.value == "error"
    assert any("tensorflow-cpu" in e.fact for e in f.evidence)
    assert any("is_cuda_build = False" in e.fact for e in f.evidence)
    assert any("uninstall -y tensorflow-cpu" in c for c in f.fix.commands)
    assert report.verdict.root_cause == "cpu_only_package"
    assert report.exit_code == 1


def test_gpu_tensorflow_alone_is_not_flagged(tmp_path, gpu_build_info):
    make_dist(tmp_path, "tensorflow", "2.21.0", tf_files(gpu_build_info), top_level=["tensorflow"])
    report = run(tmp_path)
    assert not {"WG401", "WG404", "WG405", "WG408"} & set(codes(report))


def test_both_variants_gpu_files_on_disk_warns_conflict(tmp_path, cpu_build_info, gpu_build_info):
    # tensorflow-cpu first, then tensorflow over it: the GPU build's files win (fixture 2-plus-tensorflow)
    make_dist(tmp_path, "tensorflow-cpu", "2.21.0", tf_files(cpu_build_info), top_level=["tensorflow"])
    make_dist(tmp_path, "tensorflow", "2.21.0", tf_files(gpu_build_info), top_level=["tensorflow"])
    report = run(tmp_path)
    f = next(f for f in report.findings if f.code == "WG404")
    assert f.category == "package_conflict" and f.severity.value == "warning"
    assert any("tensorflow's" in e.fact for e in f.evidence)
    assert "WG401" not in codes(report)
    assert any("uninstall -y" in c and "tensorflow-cpu" in c for c in f.fix.commands)


def test_both_variants_cpu_files_on_disk_is_an_error(tmp_path, cpu_build_info, gpu_build_info):
    make_dist(tmp_path, "tensorflow", "2.21.0", tf_files(gpu_build_info), top_level=["tensorflow"])
    make_dist(tmp_path, "tensorflow-cpu", "2.21.0", tf_files(cpu_build_info), top_level=["tensorflow"])
    report = run(tmp_path)
    f = next(f for f in report.findings if f.code == "WG404")
    assert f.severity.value == "error"
    assert report.verdict.root_cause == "package_conflict"


def test_files_removed_by_uninstalling_the_other_variant(tmp_path, gpu_build_info):
    # fixture 4-uninstall-tensorflow-cpu: RECORD still lists the files, the package dir is gone
    make_dist(tmp_path, "tensorflow", "2.21.0", tf_files(gpu_build_info), top_level=["tensorflow"], write_files=False)
    (tmp_path / "tensorflow" / "python").mkdir(parents=True)
    report = run(tmp_path)
    f = next(f for f in report.findings if f.code == "WG405")
    assert f.category == "package_conflict"
    assert any("2 of 2 sampled files recorded for tensorflow 2.21.0 are missing" in e.fact for e in f.evidence)
    assert any("namespace package" in e.fact for e in f.evidence)
    assert "--force-reinstall" in f.fix.commands[0]


def test_torch_cpu_wheel_is_a_cpu_only_package(tmp_path):
    # torch/version.py exactly as in the torch-2.13.0+cpu wheel
    version_py = ("from typing import Optional\n\n__all__ = ['__version__', 'debug', 'cuda', 'git_version', 'hip', "
                  "'rocm', 'xpu']\n__version__ = '2.13.0+cpu'\ndebug = False\ncuda: Optional[str] = None\n"
                  "git_version = 'cf30153c4c131c8164ee7798e5022d810682e2cb'\nhip: Optional[str] = None\n"
                  "rocm: Optional[str] = None\nxpu: Optional[str] = None\n")
    make_dist(tmp_path, "torch", "2.13.0+cpu", {"torch/__init__.py": "", "torch/version.py": version_py}, top_level=["torch"])
    report = run(tmp_path)
    f = next(f for f in report.findings if f.code == "WG402")
    assert "torch.version.cuda = None" in f.evidence[0].fact


def test_torch_cuda_wheel_is_not_flagged(tmp_path):
    version_py = "__version__ = '2.9.1+cu128'\ndebug = False\ncuda: Optional[str] = '12.8'\nhip: Optional[str] = None\n"
    make_dist(tmp_path, "torch", "2.9.1", {"torch/__init__.py": "", "torch/version.py": version_py}, top_level=["torch"])
    assert "WG402" not in codes(run(tmp_path))


def test_jax_without_plugin(tmp_path):
    make_dist(tmp_path, "jax", "0.10.2", {"jax/__init__.py": ""}, top_level=["jax"])
    make_dist(tmp_path, "jaxlib", "0.10.2", {"jaxlib/__init__.py": ""}, top_level=["jaxlib"])
    assert "WG403" in codes(run(tmp_path))
    make_dist(tmp_path, "jax-cuda12-plugin", "0.10.2", {"jax_cuda12_plugin/__init__.py": ""})
    assert "WG403" not in codes(run(tmp_path))


def test_no_framework_says_which_python_was_inspected(tmp_path):
    make_dist(tmp_path, "requests", "2.32.0", {"requests/__init__.py": ""})
    report = run(tmp_path)
    f = next(f for f in report.findings if f.code == "WG408")
    assert "--python" in f.fix.commands[0]
    assert report.verdict.root_cause == "unknown" and report.verdict.gpu_usable is None


def _inspector_with_version(site, version):
    import json

    from helpers import run_inspector

    data = json.loads(run_inspector(str(site)))
    data["version"] = version
    return json.dumps(data)


def test_python_outside_tensorflow_range(tmp_path, gpu_build_info):
    make_dist(tmp_path, "tensorflow", "2.17.0", tf_files(gpu_build_info), top_level=["tensorflow"])
    report = run(tmp_path, snippets={"inspect_target": {"stdout": _inspector_with_version(tmp_path, "3.13.1")}})
    f = next(f for f in report.findings if f.code == "WG406")
    assert "3.9–3.12" in f.evidence[1].fact and f.category == "python_version_unsupported"
    ok = run(tmp_path, snippets={"inspect_target": {"stdout": _inspector_with_version(tmp_path, "3.12.4")}})
    assert "WG406" not in codes(ok)


def test_python_too_new_for_any_tensorflow(tmp_path):
    make_dist(tmp_path, "keras", "3.15.1", {"keras/__init__.py": ""}, top_level=["keras"])
    report = run(tmp_path, snippets={"inspect_target": {"stdout": _inspector_with_version(tmp_path, "3.14.0")}})
    assert "WG407" in codes(report)
    report = run(tmp_path, snippets={"inspect_target": {"stdout": _inspector_with_version(tmp_path, "3.13.0")}})
    assert "WG407" not in codes(report)


def test_python_outside_torch_range_explains_its_cpu_wheel(tmp_path):
    # torch 2.5 has wheels for Python 3.9-3.12 (knowledge/torch_python.csv): on 3.13 pip took a CPU build
    version_py = "__version__ = '2.5.1+cpu'\ndebug = False\ncuda = None\nhip = None\n"
    make_dist(tmp_path, "torch", "2.5.1+cpu", {"torch/__init__.py": "", "torch/version.py": version_py}, top_level=["torch"])
    report = run(tmp_path, snippets={"inspect_target": {"stdout": _inspector_with_version(tmp_path, "3.13.1")}})
    f = next(f for f in report.findings if f.code == "WG409")
    assert "3.9–3.12" in f.evidence[1].fact
    assert report.verdict.root_cause == "python_version_unsupported"  # the Python explains the CPU wheel (WG402)
    assert "WG402" in codes(report)
    ok = run(tmp_path, snippets={"inspect_target": {"stdout": _inspector_with_version(tmp_path, "3.12.4")}})
    assert "WG409" not in codes(ok) and ok.verdict.root_cause == "cpu_only_package"
