"""`whynogpu scan` on the files beside the code: Dockerfiles, compose, Kubernetes, package lists
(whynogpu/lint/, rules WG721–WG729 and WG797). Fixtures: tests/fixtures/scan/files (see its SOURCE.md)."""

from __future__ import annotations

import json
import os
import time
import tracemalloc

import pytest
from click.testing import CliRunner

from whynogpu.cli import main
from whynogpu.facts.files import FileScanFacts
from whynogpu.host.real import RealHost
from whynogpu.lint import code_roots, kind_of, lint
from whynogpu.lint.common import Unreadable
from whynogpu.lint.pyproject import poetry_spec
from whynogpu.model import Severity

HERE = os.path.dirname(__file__)
FILES = os.path.normpath(os.path.join(HERE, "..", "fixtures", "scan", "files"))


def _report(*paths):
    from whynogpu.commands.scan import scan_report

    report, _, _ = scan_report(RealHost(), tuple(paths))
    return report


def _by_file(report, root):
    out: dict[str, list[str]] = {}
    for f in report.findings:
        if f.severity is Severity.INFO:
            continue
        rel = os.path.relpath(f.location.path, root)
        out.setdefault(rel, []).append(f"{f.code}:{f.location.line}:{f.location.column}")
    return out


def test_every_fixture_gives_exactly_its_expected_findings_and_clean_files_give_none():
    with open(os.path.join(FILES, "expected.json"), encoding="utf-8") as fh:
        expected = {k: v for k, v in json.load(fh).items() if not k.startswith("_")}
    on_disk = sorted(os.path.relpath(os.path.join(d, f), FILES) for d, _, fs in os.walk(FILES) for f in fs
                     if f not in ("expected.json", "SOURCE.md"))
    assert on_disk == sorted(expected), "every fixture file is listed in expected.json"
    report = _report(FILES)
    found = _by_file(report, FILES)
    for rel, codes in expected.items():
        assert sorted(found.get(rel, [])) == sorted(codes), rel
    assert report.facts["file_scan"]["files_scanned"] == len(expected)
    assert not [f for f in report.findings if f.severity is Severity.INFO]


def test_categories_follow_the_root_cause_vocabulary():
    report = _report(FILES)
    cats = {(f.code, f.category) for f in report.findings}
    assert ("WG721", "cpu_only_package") in cats
    assert ("WG722", "package_conflict") in cats
    assert ("WG723", "python_version_unsupported") in cats
    assert ("WG724", "cuda_libs_missing") in cats
    assert ("WG726", "cuda_visible_devices_hidden") in cats
    assert ("WG727", "container_no_gpu") in cats
    assert ("WG728", "container_no_gpu") in cats
    assert ("WG729", "container_no_gpu") in cats


def test_a_single_dockerfile_on_the_command_line(tmp_path):
    runner = CliRunner()
    bad = os.path.join(FILES, "docker", "tf-on-python-slim", "Dockerfile.gpu")
    r = runner.invoke(main, ["scan", bad])
    assert r.exit_code == 1, r.output
    assert f"{bad}:6:32: WG724 error" in r.output
    assert "skipped" not in r.output  # the code scan did not try to read it as Python
    good = os.path.join(FILES, "docker", "tf-and-cuda-on-python-slim", "Dockerfile.gpu")
    r = runner.invoke(main, ["scan", good])
    assert r.exit_code == 0 and "Scanned 1 file" in r.output and "WG7" not in r.output, r.output


def test_sarif_points_at_the_line_and_column():
    r = CliRunner().invoke(main, ["scan", "--format", "sarif", os.path.join(FILES, "k8s")])
    log = json.loads(r.output)
    results = log["runs"][0]["results"]
    codes = {x["ruleId"] for x in results}
    assert codes == {"WG718", "WG724", "WG726", "WG729"}
    wg729 = next(x for x in results if x["ruleId"] == "WG729")
    region = wg729["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"]) == (18, 18)
    assert {d["id"] for d in log["runs"][0]["tool"]["driver"]["rules"]} == codes


def test_select_and_ignore_apply_to_file_codes():
    from whynogpu.commands.scan import scan_report

    report, _, _ = scan_report(RealHost(), (FILES,), ("WG72",), ("WG721",))
    assert report.findings and {f.code for f in report.findings} <= {"WG722", "WG723", "WG724", "WG726", "WG727",
                                                                      "WG728", "WG729"}


def test_a_suppression_comment_silences_one_code_and_a_bare_one_all(tmp_path):
    (tmp_path / "requirements-gpu.txt").write_text("tensorflow-cpu==2.15.0  # whynogpu: ignore[WG722]\n"
                                                   "tensorflow[and-cuda]==2.15.0\n")
    codes = {f.code for f in _report(str(tmp_path)).findings}
    assert codes == {"WG721", "WG722"}  # WG722 points at the second line, which is not silenced
    (tmp_path / "requirements-gpu.txt").write_text("tensorflow[and-cuda]==2.15.0\n"
                                                   "tensorflow-cpu==2.15.0  # whynogpu: ignore\n")
    assert not _report(str(tmp_path)).findings


def test_the_rules_run_in_check_mode_too():
    from whynogpu.pipeline import report_from_snapshot
    from whynogpu.probes import snapshot_of

    facts = lint(RealHost(), (os.path.join(FILES, "compose", "void-env"),))
    report = report_from_snapshot(snapshot_of(facts))
    assert [f.code for f in report.findings if f.code.startswith("WG72")] == ["WG727"]


def test_facts_round_trip_through_json():
    from whynogpu.serde import from_data, to_data

    facts = lint(RealHost(), (FILES,))
    assert from_data(FileScanFacts, json.loads(json.dumps(to_data(facts)))) == facts


# ---------------------------------------------------------------- hostile and odd inputs

def _note(tmp_path, name: str, data: bytes | str, seconds: float = 5.0) -> str | None:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data if isinstance(data, bytes) else data.encode())
    tracemalloc.start()
    start = time.monotonic()
    facts = lint(RealHost(), (str(tmp_path),))
    took = time.monotonic() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    path.unlink()
    assert took < seconds, f"{name}: {took:.1f}s"
    assert peak < 300 * 1024 * 1024, f"{name}: {peak // (1024 * 1024)} MiB"
    return facts.skipped[0].reason if facts.skipped else None


K8S = "apiVersion: v1\nkind: Pod\n"


@pytest.mark.parametrize("name,data,says", [
    ("k8s/bad.yaml", K8S + "spec:\n  containers:\n  - name: a\n   image: x\n", "not valid YAML at line"),
    ("compose.yaml", "services:\n  a: [\n", "not valid YAML"),
    ("k8s/huge.yaml", K8S + "metadata:\n  labels:\n" + "    k: v\n" * 600_000, "larger than"),
    ("k8s/deep.yaml", K8S + "spec: " + "[" * 5000 + "]" * 5000 + "\n", "not valid YAML"),
    ("k8s/bomb.yaml", K8S + "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
     + "".join(f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
               f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
               for i in range(9))
     + "spec:\n  containers:\n  - name: a\n    image: nvidia/cuda:12.4.1-base-ubuntu22.04\n    env: *j\n",
     "alias bomb"),
    ("docker-compose.yml", b"services:\n  a:\n    image: caf\xe9\n", "not UTF-8"),
    ("pyproject.toml", "a = " + "[" * 100_000 + "]" * 100_000 + "\n", "nested too deeply"),
    ("Pipfile", "[packages\ntensorflow = '*'\n", "not valid TOML"),
    ("environment.yml", b"\x00\x01name: x\n", "NUL bytes"),
    ("chart/templates/job.yaml", K8S + "metadata:\n  name: {{ .Release.Name }}\n  labels: {{- include \"x\" . | nindent 4 }}\n",
     "helm template"),
    ("setup.py", "setup(install_requires=[" + "(" * 200_000 + "\n", "cannot be"),
])
def test_unreadable_files_are_a_note_in_bounded_time_and_memory(tmp_path, name, data, says):
    reason = _note(tmp_path, name, data)
    assert reason is not None and says in reason, reason


def test_a_recursive_alias_is_read_without_looping(tmp_path):
    reason = _note(tmp_path, "k8s/loop.yaml", K8S + "spec: &s\n  containers:\n  - name: a\n    image: x\n  again: *s\n")
    assert reason is None


def test_yaml_that_is_not_kubernetes_is_not_read_and_gives_no_note(tmp_path):
    assert _note(tmp_path, ".github/../mkdocs.yml", "nav: [\n") is None
    facts = lint(RealHost(), (str(tmp_path),))
    assert facts.files_scanned == 0


def test_non_utf8_bytes_in_a_dockerfile_are_harmless(tmp_path):
    (tmp_path / "Dockerfile").write_bytes(b"# caf\xe9\nFROM python:3.11-slim\nRUN pip install tensorflow-cpu\n")
    facts = lint(RealHost(), (str(tmp_path),))
    assert not facts.skipped and facts.files[0].stages[0].requirements[0].name == "tensorflow-cpu"


def test_tomllib_missing_on_python_310_is_a_clear_note(monkeypatch):
    import builtins

    from whynogpu.lint import tomlread

    real = builtins.__import__

    def no_toml(name, *a, **kw):
        if name in ("tomllib", "tomli"):
            raise ModuleNotFoundError(name)
        return real(name, *a, **kw)

    monkeypatch.setattr(builtins, "__import__", no_toml)
    with pytest.raises(Unreadable, match="tomli"):
        tomlread.load("a = 1\n")


# ---------------------------------------------------------------- readers

@pytest.mark.parametrize("rel,kind", [
    ("Dockerfile", "dockerfile"), ("docker/Dockerfile.gpu", "dockerfile"), ("train.Dockerfile", "dockerfile"),
    ("Containerfile", "dockerfile"), ("Dockerfile.dockerignore", None), ("docker-compose.override.yml", "compose"),
    ("compose.yaml", "compose"), ("environment.yml", "environment.yml"), ("k8s/job.yaml", "kubernetes"),
    ("requirements-dev.txt", "requirements"), ("requirements/gpu.txt", "requirements"), ("notes.txt", None),
    ("Pipfile", "pipfile"), ("pyproject.toml", "pyproject"), ("setup.cfg", "setup.cfg"), ("train.py", None),
])
def test_file_kinds_by_name(rel, kind):
    assert kind_of(rel) == kind


def test_named_dockerfile_is_not_given_to_the_python_scan():
    host = RealHost()
    df = os.path.join(FILES, "docker", "env-hides-gpu", "Dockerfile")
    assert code_roots(host, (df, FILES)) == (FILES,)


def test_poetry_constraints():
    assert poetry_spec("^2.15") == ">=2.15,<3"
    assert poetry_spec("~2.15.1") == ">=2.15.1,<2.16"
    assert poetry_spec("^0.4.30") == ">=0.4.30,<0.5"
    assert poetry_spec("2.15.0") == "==2.15.0"
    assert poetry_spec("*") == ""


def test_dockerfile_escape_directive_heredoc_and_legacy_env():
    from whynogpu.lint.dockerfile import read

    text = ("# escape=`\nFROM ubuntu:22.04 AS build\nENV CUDA_VISIBLE_DEVICES -1\nRUN pip install `\n"
            "    torch==2.3.0+cpu\nFROM build\nRUN <<EOF\nset -e\npip3 install 'jax[cpu]==0.4.30'\nEOF\n")
    df = read("Dockerfile", text)
    assert [s.parent for s in df.stages] == [None, 0]
    torch = df.stages[0].requirements[0]
    assert (torch.name, torch.spot.line, torch.spot.column) == ("torch", 5, 5)
    jax = df.stages[1].requirements[0]
    assert (jax.name, jax.extras, jax.spot.line, jax.spot.column) == ("jax", ("cpu",), 9, 14)
    assert df.stages[0].env[0].value == "-1"


@pytest.mark.parametrize("caps, fires", [("[gpu, utility]", True), ("[gpu, compute, utility]", False), ("[gpu]", False)])
def test_a_compose_reservations_capabilities_decide_what_the_runtime_mounts(tmp_path, caps, fires):
    # Docker's daemon sets NVIDIA_DRIVER_CAPABILITIES to the driver capabilities of the reservation's list, over the
    # service's own environment (moby daemon/nvidia_linux.go): [gpu, utility] mounts no libcuda
    (tmp_path / "compose.yaml").write_text(
        "services:\n  api:\n    image: pytorch/pytorch:2.4.0-cuda12.1-cudnn9-runtime\n"
        "    environment:\n      NVIDIA_DRIVER_CAPABILITIES: \"compute,utility\"\n"
        "    deploy:\n      resources:\n        reservations:\n          devices:\n"
        f"            - driver: nvidia\n              count: 1\n              capabilities: {caps}\n")
    found = [f for f in _report(str(tmp_path)).findings if f.code == "WG727"]
    assert bool(found) == fires
    if fires:
        assert found[0].location.line == 12 and found[0].fix.commands == ("capabilities: [gpu, compute, utility]",)
