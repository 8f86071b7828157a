"""Builds the real environments the scenario tier runs whynogpu against, and caches them.

Each environment is a real venv (or a `pip install --target` folder) made from a recipe in
scenarios.toml. Its folder name carries a hash of the recipe, the interpreter's exact version
and the files of any local package it installs, so an edited recipe builds a new folder and an
unchanged one is reused across runs without touching the network. pip's own cache stays on, so
even a rebuilt recipe downloads each large wheel only once per machine.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from scenario_data import find_python
from scenario_data import load as load_scenarios

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
FAKE_PACKAGES = HERE / "fake_packages"
CACHE = Path(os.environ.get("WHYNOGPU_SCENARIO_CACHE", Path.home() / ".cache" / "whynogpu-scenarios"))
# Heavy environments (tensorflow[and-cuda], ~6 GB each) run when asked (=1), never when refused (=0),
# and otherwise when they are already built or the disk has room for them: CI on a machine with
# space proves scenarios 5-8 too, while a small disk skips them with the reason.
HEAVY = os.environ.get("WHYNOGPU_SCENARIOS_HEAVY")
HEAVY_FREE_BYTES = 40 * 1024**3


def heavy_allowed(cache: Path, name: str) -> tuple[bool, str]:
    if HEAVY in ("0", "1"):
        return HEAVY == "1", f"WHYNOGPU_SCENARIOS_HEAVY={HEAVY}"
    if any((p / READY).exists() for p in cache.glob(f"{name}-*")):
        return True, "already built"
    cache.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(cache).free
    return free >= HEAVY_FREE_BYTES, f"{free / 1024**3:.0f} GB free, {HEAVY_FREE_BYTES / 1024**3:.0f} GB wanted"
READY = ".whynogpu-scenario-ready"
BUILDER_VERSION = "1"  # bump to rebuild every cached environment


def _exact_version(python: str) -> str:
    out = subprocess.run([python, "-c", "import sys; print(sys.version)"], capture_output=True, text=True,
                         timeout=30)
    return out.stdout.strip()


def _tree_digest(root: Path, parts: tuple[str, ...] = ()) -> str:
    h = hashlib.sha256()
    tops = [root / x for x in parts] if parts else [root]
    for top in tops:
        files = [top] if top.is_file() else sorted(top.rglob("*"))
        for f in files:
            if f.is_file() and "__pycache__" not in f.parts and ".egg-info" not in str(f):
                h.update(str(f.relative_to(root)).encode())
                h.update(f.read_bytes())
    return h.hexdigest()


def _local_files_digest(args: list[str]) -> list[str]:
    """Hashes of the local packages named in pip arguments, so editing one rebuilds its env."""
    return [_tree_digest(Path(a)) for a in args if Path(a).is_dir()]


def expand(text: str, built: dict[str, Path] | None = None) -> str:
    text = text.replace("{fake}", str(FAKE_PACKAGES)).replace("{repo}", str(REPO))
    for name, path in (built or {}).items():
        text = text.replace("{" + name + "}", str(path))
    return text


class BuildError(Exception):
    pass


class Builder:
    """Creates (once) and returns the folder of a recipe from scenarios.toml."""

    def __init__(self, recipes: dict, cache: Path = CACHE) -> None:
        self.recipes = recipes
        self.cache = cache
        self.built: dict[str, Path] = {}
        self.timings: dict[str, float] = {}  # seconds spent getting each env (near 0 when reused)
        self.run_times: dict[str, float] = {}  # seconds of each scenario's whynogpu run

    def python_for(self, name: str) -> str:
        recipe = self.recipes[name]
        if recipe.get("kind") == "interpreter":  # a bare interpreter, e.g. one too old for any venv tool
            found = find_python(recipe["python"])
            if found is None:
                pytest.fail(f"no Python {recipe['python']} on this machine for {name!r}")
            return found
        return str(self.get(name) / "bin" / "python")

    def get(self, name: str) -> Path:
        if name in self.built:
            return self.built[name]
        recipe = self.recipes[name]
        if recipe.get("heavy"):
            allowed, why = heavy_allowed(self.cache, name)
            if not allowed:
                pytest.skip(f"environment {name!r} is heavy (see docs/scenarios.md): {why}; "
                            "set WHYNOGPU_SCENARIOS_HEAVY=1 to build it anyway")
        base = find_python(recipe["python"])
        if base is None:
            pytest.fail(f"no Python {recipe['python']} on this machine for environment {name!r}")
        steps = [[expand(a) for a in step] for step in recipe.get("install", [])]
        local = [_local_files_digest(s) for s in steps]
        if recipe.get("kind") == "whynogpu":
            # Only the dependencies decide the venv; the code itself is reinstalled every session.
            local.append(_tree_digest(REPO, ("pyproject.toml",)))
        key = json.dumps({"v": BUILDER_VERSION, "python": _exact_version(base), "kind": recipe.get("kind", "venv"),
                          "debs": recipe.get("debs", []),
                          "steps": steps, "local": local,
                          "system_site_packages": recipe.get("system_site_packages", False)}, sort_keys=True)
        digest = hashlib.sha256(key.encode()).hexdigest()[:12]
        path = self.cache / f"{name}-{digest}"
        self.cache.mkdir(parents=True, exist_ok=True)
        start = time.monotonic()
        # A lock per recipe: two test runs on one machine must not build the same folder at once.
        with open(self.cache / f"{name}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not (path / READY).exists():
                self._prune(name, keep=path)
                self._build(name, recipe, base, steps, path, key)
            elif recipe.get("kind") == "whynogpu":
                self._refresh_whynogpu(name, path)
        self.timings[name] = round(time.monotonic() - start, 1)
        self.built[name] = path
        return path

    def _prune(self, name: str, keep: Path) -> None:
        # Older builds of an edited recipe can be gigabytes (tensorflow[and-cuda] is 6 GB).
        for old in self.cache.glob(f"{name}-*"):
            if old.is_dir() and old != keep and re.fullmatch(re.escape(name) + r"-[0-9a-f]{12}", old.name):
                shutil.rmtree(old, ignore_errors=True)
        if keep.exists():
            shutil.rmtree(keep)

    def _build(self, name: str, recipe: dict, base: str, steps: list[list[str]], path: Path, key: str) -> None:
        log = self.cache / f"{name}.build.log"
        env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME")}
        with open(log, "w") as out:
            def run(argv: list[str]) -> None:
                out.write("$ " + " ".join(argv) + "\n")
                out.flush()
                rc = subprocess.run(argv, stdout=out, stderr=subprocess.STDOUT, env=env).returncode
                if rc != 0:
                    out.flush()
                    tail = "".join(open(log).readlines()[-15:])
                    raise BuildError(f"building {name!r} failed at `{' '.join(argv)}` (exit {rc}); "
                                     f"log {log}:\n{tail}")

            if recipe.get("kind") == "debs":
                self._extract_debs(recipe["debs"], path, run)
            elif recipe.get("kind") == "target":
                # A plain folder of packages (pip install --target), e.g. a second cuDNN copy.
                path.mkdir(parents=True)
                self._pip(base, steps, path, run, ["--target", str(path)])
            else:
                argv = [base, "-m", "venv", str(path)]
                if recipe.get("system_site_packages"):
                    argv.append("--system-site-packages")
                run(argv)
                self._pip(str(path / "bin" / "python"), steps, path, run, [])
                if recipe.get("kind") == "whynogpu":
                    run([str(path / "bin" / "python"), "-m", "pip", "install", "--no-build-isolation",
                         str(self._repo_copy(path))])
        (path / READY).write_text(key + "\n")

    def _pip(self, py: str, steps: list[list[str]], path: Path, run, extra: list[str]) -> None:
        for step in steps:  # each step is a pip command line: ["install", "tensorflow==2.21.0"]
            step = self._copy_local(step, path)
            if self._downloadable(step):
                # pip's HTTP cache does not keep these wheels on every machine (it did not here),
                # so keep a folder of them of our own: each wheel is fetched once per machine.
                run([py, "-m", "pip", "download", "-d", str(self.wheels),
                     *[a for a in step[1:] if a not in ("--force-reinstall", "--upgrade", "-U")]])
                step = [step[0], "--no-index", "--find-links", str(self.wheels), *step[1:]]
            run([py, "-m", "pip", step[0], *extra, *step[1:]])

    @property
    def wheels(self) -> Path:
        return self.cache / "wheels"

    @staticmethod
    def _downloadable(step: list[str]) -> bool:
        return step[0] == "install" and "--no-index" not in step and not any(Path(a).is_dir() for a in step)

    @staticmethod
    def _copy_local(step: list[str], path: Path) -> list[str]:
        # pip builds local projects in place (build/, *.egg-info): build from copies so the
        # shared checkout stays clean.
        out = []
        for arg in step:
            if Path(arg).is_dir():
                copy = path / "_src" / Path(arg).name
                shutil.copytree(arg, copy, ignore=shutil.ignore_patterns("__pycache__", "build", "*.egg-info"))
                arg = str(copy)
            out.append(arg)
        return out

    def _refresh_whynogpu(self, name: str, path: Path) -> None:
        """Put this checkout's code into the cached pipx-style venv, offline (its dependencies are there)."""
        shutil.rmtree(path / "_whynogpu_src", ignore_errors=True)
        argv = [str(path / "bin" / "python"), "-m", "pip", "install", "-q", "--no-deps", "--no-index",
                "--no-build-isolation", "--force-reinstall", str(self._repo_copy(path))]
        res = subprocess.run(argv, capture_output=True, text=True)
        if res.returncode != 0:
            raise BuildError(f"reinstalling whynogpu into {name!r} failed: {res.stderr[-2000:]}")

    def _repo_copy(self, path: Path) -> Path:
        # pip builds a local project in place (build/, *.egg-info); the checkout is shared with
        # other people, so build from a copy of just what the package needs.
        copy = path / "_whynogpu_src"
        shutil.copytree(REPO / "src" / "whynogpu", copy / "src" / "whynogpu",
                        ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copy(REPO / "pyproject.toml", copy)
        readme = REPO / "README.md"
        (copy / "README.md").write_text(readme.read_text() if readme.exists() else "whynogpu\n")
        return copy

    @staticmethod
    def _extract_debs(packages: list[str], path: Path, run) -> None:
        """Download Debian packages with a private apt state and unpack them, without installing.

        Installing them for real (as the captured fixture did) changes the whole machine for every
        other process; unpacked copies on PATH/LD_LIBRARY_PATH give the same user-space libraries
        and nvidia-smi to the one whynogpu run that asks for them.
        """
        apt = path / "_apt"
        for d in ("lists/partial", "cache/archives/partial", "debs"):
            (apt / d).mkdir(parents=True, exist_ok=True)
        sources = apt / "sources.list"
        keyring = "/usr/share/keyrings/debian-archive-keyring.gpg"
        sources.write_text(
            f"deb [signed-by={keyring}] http://deb.debian.org/debian bookworm main contrib non-free\n"
            f"deb [signed-by={keyring}] http://deb.debian.org/debian-security bookworm-security main contrib non-free\n")
        opts = [f"-oDir::Etc::SourceList={sources}", "-oDir::Etc::SourceParts=/nonexistent",
                f"-oDir::State::Lists={apt / 'lists'}", f"-oDir::Cache={apt / 'cache'}", "-oDebug::NoLocking=1",
                "-oAPT::Sandbox::User=root"]
        run(["apt-get", *opts, "update"])
        cwd = os.getcwd()
        os.chdir(apt / "debs")
        try:
            run(["apt-get", *opts, "download", *packages])
        finally:
            os.chdir(cwd)
        for deb in sorted((apt / "debs").glob("*.deb")):
            run(["dpkg-deb", "-x", str(deb), str(path)])


@pytest.fixture(scope="session")
def scenario_data() -> dict:
    return load_scenarios()


@pytest.fixture(scope="session")
def builder(scenario_data) -> Builder:
    b = Builder(scenario_data["env"])
    yield b
    timing_file = os.environ.get("WHYNOGPU_SCENARIO_TIMINGS")
    if timing_file:
        with open(timing_file, "w") as fh:
            json.dump({"build": b.timings, "run": b.run_times}, fh, indent=1, sort_keys=True)


def console_script() -> str:
    """The installed `whynogpu` next to the interpreter running the tests (the user's command)."""
    cand = Path(sys.executable).parent / "whynogpu"
    if cand.exists():
        return str(cand)
    found = shutil.which("whynogpu")
    if not found:
        pytest.fail("the whynogpu console script is not installed in the test environment")
    return found


@pytest.fixture(scope="session")
def whynogpu_cmd() -> str:
    return console_script()


@pytest.fixture(scope="session")
def registry(whynogpu_cmd) -> list[dict]:
    """Every rule the installed whynogpu knows: decides which expectations can be checked yet."""
    out = subprocess.run([whynogpu_cmd, "rules", "--format", "json"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)
