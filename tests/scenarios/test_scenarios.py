"""Runs the installed `whynogpu` console script against real environments built on this machine
and checks the verdicts listed in scenarios.toml.

Every check whose rule exists today is asserted; expectations that name a code or category no
registered rule has yet are collected and turn the scenario into an xfail with that reason, so a
layer that lands later makes the scenario pass (or fail honestly) without editing this file.
"""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import time
from pathlib import Path

import pytest
from scenario_data import find_python, load

HERE = Path(__file__).resolve().parent
DATA = load()
SCENARIOS = DATA["scenario"]
ALWAYS_KNOWN = {"unknown", "no_problem"}
# Variables that change what whynogpu reports; the scenarios set them explicitly or not at all.
SCRUBBED = ("VIRTUAL_ENV", "CONDA_PREFIX", "CONDA_DEFAULT_ENV", "PYTHONPATH", "PYTHONHOME", "CUDA_VISIBLE_DEVICES",
            "NVIDIA_VISIBLE_DEVICES", "KERAS_BACKEND", "KERAS_HOME", "JAX_PLATFORMS", "JAX_PLATFORM_NAME",
            "LD_LIBRARY_PATH", "LD_PRELOAD", "TF_CPP_MIN_LOG_LEVEL", "TF_CPP_VMODULE", "CUDA_HOME", "CUDA_PATH")
DEFAULT_TIMEOUT = 600  # a run that imports TF, torch and jax takes ~30 s here; this only catches hangs


def norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", str(name)).lower()


def machine_root_cause() -> str:
    return os.environ.get("WHYNOGPU_SCENARIOS_MACHINE_ROOT_CAUSE") or DATA["machine"]["root_cause"]


def dig(data, dotted: str):
    for part in dotted.split("."):
        if not isinstance(data, dict) or part not in data:
            return KeyError
        data = data[part]
    return data


class Outcome:
    """Hard failures and not-yet-checkable expectations of one scenario."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.pending: list[str] = []

    def check(self, ok: bool, message: str) -> None:
        if not ok:
            self.problems.append(message)

    def finish(self, context: str, known_issue: str | None = None) -> None:
        if known_issue:
            if self.problems and all(known_issue in p for p in self.problems):
                pytest.xfail(f"known issue: {known_issue}")
            if not self.problems:
                pytest.fail(f"the known issue {known_issue!r} no longer happens: remove it from scenarios.toml",
                            pytrace=False)
        if self.problems:
            pytest.fail("\n".join(self.problems) + "\n" + context, pytrace=False)
        if self.pending:
            pytest.xfail("; ".join(self.pending))


def clean_env(set_env: dict[str, str], folders: dict[str, Path]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in SCRUBBED}
    env.setdefault("HOME", str(Path.home()))
    for key, value in set_env.items():
        value = value.replace("{PATH}", os.environ.get("PATH", ""))
        for name, folder in folders.items():
            value = value.replace("{" + name + "}", str(folder))
        env[key] = value
    return env


def run_whynogpu(cmd: str, python: str, args: list[str], env: dict[str, str], timeout: float, cwd: Path):
    argv = [cmd, "--json", "--no-redact", "--python", python, *args]
    start = time.monotonic()
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=timeout, cwd=cwd)
    except subprocess.TimeoutExpired:
        pytest.fail(f"`{' '.join(argv)}` did not finish within {timeout:.0f} s", pytrace=False)
    seconds = time.monotonic() - start
    report = None
    if proc.stdout.strip():
        try:
            report = json.loads(proc.stdout)
        except ValueError:
            pytest.fail(f"not JSON on stdout of `{' '.join(argv)}`:\n{proc.stdout[:2000]}\n{proc.stderr[-2000:]}",
                        pytrace=False)
    return proc, report, seconds


def nvidia_nodes() -> set[Path]:
    return set(Path("/dev").glob("nvidia*"))


def remove_new_nodes(before: set[Path]) -> list[str]:
    """NVML, cuInit and nvidia-smi running as root create /dev/nvidiactl even with no kernel module
    (tests/fixtures/real/nvidia-userspace-no-kernel/dev-nvidiactl-origin.txt). whynogpu must not
    change the machine, so a new node is a failure; it is removed so later tests see the same machine."""
    made = []
    for node in nvidia_nodes() - before:
        try:
            if stat.S_ISCHR(node.lstat().st_mode) and os.major(node.lstat().st_rdev) == 195:
                node.unlink()
                made.append(str(node))
        except OSError:
            pass
    return made


def processes_of(prefix: str) -> list[int]:
    """Processes running an executable from under `prefix` (e.g. a child whynogpu should have killed)."""
    pids = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            argv0 = (proc / "cmdline").read_bytes().split(b"\0")[0].decode(errors="replace")
        except OSError:
            continue
        if argv0.startswith(prefix):
            pids.append(int(proc.name))
    return pids


def statuses_in(data) -> set[str]:
    found = set()
    if isinstance(data, dict):
        if isinstance(data.get("status"), str):
            found.add(data["status"])
        for v in data.values():
            found |= statuses_in(v)
    elif isinstance(data, list):
        for v in data:
            found |= statuses_in(v)
    return found


def folders_for(sc: dict, builder) -> dict[str, Path]:
    names = set(sc.get("needs", ()))
    for value in (sc.get("set_env") or {}).values():
        names.update(n for n in re.findall(r"\{([\w.-]+)\}", value) if n in builder.recipes)
    return {n: builder.get(n) for n in sorted(names)}


def live_probe_names(cmd, python, env, cwd) -> list[str]:
    """Probes that import a framework: exactly those `--no-probe` skips."""
    proc, report, _ = run_whynogpu(cmd, python, ["--no-probe"], env, DEFAULT_TIMEOUT, cwd)
    if report is None:
        return []
    return [p["name"] for p in report["probes"]
            if p["status"] == "not_applicable" and "--no-probe" in ((p.get("reason") or {}).get("message") or "")]


@pytest.mark.integration
@pytest.mark.parametrize("sc", SCENARIOS, ids=[s["id"] for s in SCENARIOS])
def test_scenario(sc, builder, whynogpu_cmd, registry, tmp_path):
    codes = {r["code"] for r in registry}
    categories = {r["category"] for r in registry} | ALWAYS_KNOWN
    python = builder.python_for(sc["env"])
    env = clean_env(sc.get("set_env") or {}, folders_for(sc, builder))
    cmd = whynogpu_cmd if sc.get("via", "dev") == "dev" else str(builder.get("whynogpu-pipx") / "bin" / "whynogpu")
    timeout = sc.get("max_seconds", DEFAULT_TIMEOUT)
    nodes_before, keras_json = nvidia_nodes(), Path.home() / ".keras" / "keras.json"
    keras_json_before = keras_json.exists()
    proc, report, seconds = run_whynogpu(cmd, python, sc.get("args", []), env, timeout, tmp_path)
    builder.run_times[sc["id"]] = round(seconds, 1)
    out = Outcome()
    made = remove_new_nodes(nodes_before)
    out.check(not made, f"whynogpu created {made} (removed again); it must not change the machine")
    out.check(keras_json_before or not keras_json.exists(), f"whynogpu's probe wrote {keras_json}")
    context = f"scenario {sc['id']}: {sc['why']}\nstderr:\n{proc.stderr[-3000:]}"

    if "exit_code" in sc:
        out.check(proc.returncode == sc["exit_code"], f"exit code {proc.returncode}, expected {sc['exit_code']}")
    else:
        out.check(proc.returncode in (0, 1), f"exit code {proc.returncode}, expected 0 or 1")
    out.check("Traceback" not in proc.stderr, "a traceback on stderr")
    if "stderr_contains" in sc:
        lines = proc.stderr.strip().splitlines()
        out.check(len(lines) == 1 and sc["stderr_contains"] in lines[0],
                  f"expected one stderr line containing {sc['stderr_contains']!r}, got {lines!r}")
    if report is None:
        out.check("exit_code" in sc and sc["exit_code"] != 0 and proc.returncode != 0, "no JSON report on stdout")
        out.finish(context, sc.get("known_issue"))
        return

    context += "\nverdict: {}; findings: {}".format(
        report["verdict"]["root_cause"], "; ".join(f"{f['code']} {f['title']}" for f in report["findings"]))
    found_codes = {f["code"] for f in report["findings"]}
    found_categories = {f["category"] for f in report["findings"]}
    out.check(os.path.realpath(report["target"]["python"] or "") == os.path.realpath(python)
              or (report["target"]["python"] or "").startswith(str(Path(python).parent.parent)),
              f"target.python is {report['target']['python']!r}, expected {python!r}")
    target_probe = next((p for p in report["probes"] if p["name"] == "target"), None)
    out.check(target_probe is not None and target_probe["status"] == "ok",
              f"target probe: {target_probe!r} (static inspection must work whatever the framework does)")

    for code in sc.get("codes", []):
        if code not in codes:
            out.pending.append(f"{code} is not a registered rule yet")
        else:
            out.check(code in found_codes, f"{code} expected, found {sorted(found_codes)}")
    for cat in sc.get("categories", []):
        if cat not in categories:
            out.pending.append(f"no rule of category {cat} yet")
        else:
            out.check(cat in found_categories, f"a {cat} finding expected, found {sorted(found_categories)}")
    for code in sc.get("absent_codes", []):
        out.check(code not in found_codes, f"{code} must not be reported here (look-alike)")
    for cat in sc.get("absent_categories", []):
        out.check(cat not in found_categories, f"no {cat} finding expected here, found {sorted(found_codes)}")

    if "root_cause" in sc:
        wanted = sc["root_cause"]
        wanted = [machine_root_cause() if w == "machine" else w for w in (wanted if isinstance(wanted, list) else [wanted])]
        actual = report["verdict"]["root_cause"]
        if actual in wanted:
            pass
        elif all(w in categories for w in wanted):
            out.problems.append(f"verdict root_cause {actual!r}, expected one of {wanted}")
        else:
            out.pending.append(f"root cause {wanted} has no registered rule yet (today: {actual!r})")

    facts = report.get("facts") or {}
    for path, expected in (sc.get("facts") or {}).items():
        actual = dig(facts, path)
        same = norm(actual) == norm(expected) if isinstance(expected, str) else actual == expected
        out.check(actual is not KeyError and same, f"facts.{path} = {actual!r}, expected {expected!r}")
    for path, prefix in (sc.get("facts_prefix") or {}).items():
        actual = dig(facts, path)
        out.check(isinstance(actual, str) and actual.startswith(prefix), f"facts.{path} = {actual!r}, expected {prefix}…")
    dists = {norm(d["name"]): d.get("version") for d in (dig(facts, "target.distributions") or [])
             if isinstance(d, dict)} if dig(facts, "target.distributions") is not KeyError else {}
    for name in sc.get("dists", []):
        out.check(bool(dists.get(norm(name))), f"{name} (with its version) missing from the target's distributions")

    for path, items in (sc.get("facts_items") or {}).items():
        listed = dig(facts, path)
        listed = listed if isinstance(listed, list) else []
        for item in items:
            out.check(any(isinstance(x, dict) and all(x.get(k) == v for k, v in item.items()) for x in listed),
                      f"facts.{path} has no entry with {item}")
    for code, text in (sc.get("finding_text") or {}).items():
        blob = " ".join(json.dumps([f["title"], f["evidence"]]) for f in report["findings"] if f["code"] == code)
        out.check(text in blob, f"{code} should mention {text!r}: {blob or 'not reported'}")
    if sc.get("no_leftovers"):
        # The hung import must be stopped, not abandoned: nothing from this env may still run.
        left = processes_of(str(Path(python).parent.parent) + "/")
        for pid in left:
            try:
                os.kill(pid, 9)
            except OSError:
                pass
        out.check(not left, f"processes of the target were left running after whynogpu exited: {left} (killed)")
    copies = dig(facts, "cuda_libs.copies")
    copies = copies if isinstance(copies, list) else []
    for wanted in sc.get("lib_copies", []):
        lib, origin = wanted.split(":")
        out.check(any(c.get("lib") == lib and c.get("origin") == origin and c.get("version") for c in copies),
                  f"no {origin} copy of {lib} with a version in facts.cuda_libs.copies")

    if "live_probe" in sc:
        live = live_probe_names(cmd, python, env, tmp_path)
        if not live:
            out.pending.append("no live framework probe is registered yet")
        else:
            statuses = {p["name"]: p["status"] for p in report["probes"] if p["name"] in live}
            # A probe that runs each framework in its own child reports each child's fate in its facts.
            inner = {n: sorted(statuses_in((report.get("facts") or {}).get(n))) for n in live}
            seen = set(statuses.values()) | {s for v in inner.values() for s in v}
            out.check(bool(seen & set(sc["live_probe"])),
                      f"live probe status {statuses}, inside {inner}; expected one of {sc['live_probe']}")

    if sc.get("compare_with_dev"):
        _, dev, _ = run_whynogpu(whynogpu_cmd, python, sc.get("args", []), env, timeout, tmp_path)
        dev_codes = {f["code"] for f in dev["findings"]} if dev else set()
        differing = [f"{f['code']}: {f['title']} {f['evidence']}" for f in (report["findings"] + (dev or {}).get(
            "findings", [])) if f["code"] in found_codes ^ dev_codes]
        out.check(dev is not None and dev["verdict"]["root_cause"] == report["verdict"]["root_cause"]
                  and dev_codes == found_codes,
                  "the pipx-style whynogpu and the in-repo one disagree: "
                  f"{report['verdict']['root_cause']} {sorted(found_codes)} vs "
                  f"{dev and dev['verdict']['root_cause']} {sorted(dev_codes)}; differing: {differing}")

    out.finish(context, sc.get("known_issue"))


@pytest.mark.integration
def test_docs_list_every_scenario():
    """docs/scenarios.md is what users read to see what whynogpu was proven against: keep it whole."""
    text = (HERE.parents[1] / "docs" / "scenarios.md").read_text()
    missing = [s["id"] for s in SCENARIOS if f"| {s['id']}" not in text]
    assert not missing, f"docs/scenarios.md does not list {missing}"


@pytest.mark.integration
@pytest.mark.parametrize("version", ["3.7"])
def test_snippets_compile_on_oldest_python(version):
    """Snippets run inside the user's interpreter, which may be far older than whynogpu's own:
    every one must at least compile on the oldest Python whynogpu promises to inspect."""
    python = find_python(version)
    if python is None:
        pytest.skip(f"no Python {version} on this machine (pyenv or python{version} on PATH)")
    snippets = sorted(str(p) for p in (HERE.parents[1] / "src" / "whynogpu" / "probes" / "snippets").glob("*.py"))
    code = "import sys\nfor f in sys.argv[1:]:\n    compile(open(f, encoding='utf-8').read(), f, 'exec')\n"
    res = subprocess.run([python, "-c", code, *snippets], capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stderr


PIPX_ENVS = [n for n, r in DATA["env"].items() if r.get("kind", "venv") == "venv"]


@pytest.mark.integration
@pytest.mark.parametrize("env_name", PIPX_ENVS)
def test_pipx_style_agrees(env_name, builder, whynogpu_cmd, tmp_path):
    """whynogpu installed in a venv of its own (pipx, uvx) must diagnose every env exactly as the
    whynogpu inside the checkout does: same root cause, same finding codes."""
    python = builder.python_for(env_name)
    env = clean_env({}, {})
    pipx = str(builder.get("whynogpu-pipx") / "bin" / "whynogpu")
    _, outside, _ = run_whynogpu(pipx, python, [], env, DEFAULT_TIMEOUT, tmp_path)
    _, inside, _ = run_whynogpu(whynogpu_cmd, python, [], env, DEFAULT_TIMEOUT, tmp_path)
    assert outside is not None and inside is not None
    assert outside["target"]["python"] == inside["target"]["python"]
    assert outside["verdict"]["root_cause"] == inside["verdict"]["root_cause"]
    assert sorted(f["code"] for f in outside["findings"]) == sorted(f["code"] for f in inside["findings"])
