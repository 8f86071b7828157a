"""What a scan saw in the files beside the code: Dockerfiles, compose files, Kubernetes manifests and
the files that declare Python packages (requirements*.txt, pyproject.toml, setup.py/setup.cfg,
environment.yml, Pipfile).

These are facts, not findings: what each file declares (a base image, a requirement, an environment
variable, a container and whether it asks for a GPU), each with its line and column. The rules in
whynogpu/rules/files.py, images.py and workloads.py decide, with the knowledge tables, which of them keep the GPU idle.
Readers live in whynogpu/lint/ (one module per file kind).
"""

from __future__ import annotations

from dataclasses import dataclass

from whynogpu.facts.code import SkippedFile

DOCKERFILE = "dockerfile"
COMPOSE = "compose"
KUBERNETES = "kubernetes"
REQUIREMENTS = "requirements"
PYPROJECT = "pyproject"
SETUP_PY = "setup.py"
SETUP_CFG = "setup.cfg"
CONDA_ENV = "environment.yml"
PIPFILE = "pipfile"
PIXI = "pixi"  # pixi.toml
KAGGLE = "kaggle"  # kernel-metadata.json: a notebook or script `kaggle kernels push` runs on Kaggle
SCRIPT = "script"  # a launcher: a shell or batch script, a systemd service unit
RUN = "run"  # a container started on a command line a report shows (docker/podman/nerdctl run, distrobox --image)
SLURM = "slurm"  # a Slurm batch job: the #SBATCH lines of a script

# Where a requirement was declared; "install" contexts are what an environment really gets, "metadata"
# is a library's dependency list (the application that installs it chooses the accelerator).
INSTALL = "install"
METADATA = "metadata"


@dataclass(frozen=True)
class Spot:
    """Where something is written: 1-based line and column, the line as written, and the codes a
    `# whynogpu: ignore[...]` comment on that line silences ("*" = all)."""

    line: int
    column: int
    text: str
    ignored: tuple[str, ...] = ()


@dataclass(frozen=True)
class Requirement:
    name: str  # normalised distribution name (lower case, '-' for '_' and '.'), conda's pytorch as torch
    extras: tuple[str, ...]  # lower case
    specifier: str  # e.g. "==2.15.0", ">=2.10,<2.16"; "" for none
    spot: Spot
    group: str = ""  # "" for the main list; an extra, a dependency group, dev-packages, "conda", a RUN line
    context: str = INSTALL  # INSTALL or METADATA
    url: str = ""  # a direct URL (`torch @ https://…whl`, a wheel path)
    index: str = ""  # the package index or find-links page in effect ("" = PyPI)
    marker: str = ""  # environment marker, as written
    conda: bool = False  # a conda package, not a pip one


@dataclass(frozen=True)
class EnvVar:
    name: str
    value: str
    spot: Spot


@dataclass(frozen=True)
class Command:
    """A command line a file starts the program with: a Dockerfile's CMD or ENTRYPOINT, a compose service's
    command or entrypoint, a Kubernetes container's command and args, a line of a launcher script, a service unit's
    ExecStart."""

    text: str  # as one line (an exec-form list joined with spaces, continuation lines joined)
    spot: Spot
    where: str  # "CMD", "ENTRYPOINT", "command", "entrypoint", "command/args", "ExecStart", "script"
    conditional: bool = False  # a script line under if/case or in a function: it may not be the line that runs


@dataclass(frozen=True)
class Stage:
    """One FROM of a Dockerfile and what its instructions install and set."""

    index: int  # 0-based position among the FROMs
    image: str  # as written, build arguments substituted ("" when it cannot be worked out)
    name: str  # the `AS name`, or ""
    parent: int | None  # index of an earlier stage this one is built FROM, else None
    spot: Spot
    requirements: tuple[Requirement, ...] = ()
    env: tuple[EnvVar, ...] = ()
    cuda_libs: bool = False  # a RUN installs CUDA libraries itself (apt/conda cuda packages, nvidia-* wheels)
    cudnn: bool = False  # a RUN installs cuDNN itself
    python: str = ""  # the Python its base image declares (python:3.11-slim → "==3.11.*"), else ""
    commands: tuple[Command, ...] = ()  # CMD and ENTRYPOINT


@dataclass(frozen=True)
class Workload:
    """A compose service, a Kubernetes container, or a container a report starts on a command line."""

    kind: str  # COMPOSE, KUBERNETES or RUN
    name: str  # service name, or "<object>/<container>"
    image: str  # "" when the service only builds
    spot: Spot  # the image line, else the service or container name
    gpu_request: str = ""  # how it asks for a GPU ("" = it does not)
    dockerfile: str = ""  # compose `build:`: the Dockerfile's path (as the scan names files)
    env: tuple[EnvVar, ...] = ()
    init: bool = False  # a Kubernetes init container
    commands: tuple[Command, ...] = ()
    placement: str = ""  # where a scheduler is asked to run it ("partition=gpu constraint=a100"); "" when not said
    build_args: tuple[str, ...] = ()  # values a compose build passes its Dockerfile (BASE_IMAGE=…-gpu names its base)


@dataclass(frozen=True)
class DeclaredFile:
    path: str  # as shown to the user
    kind: str  # DOCKERFILE, COMPOSE, …
    python: str = ""  # the declared Python as a specifier (">=3.10", "==3.11.*"); "" when none
    python_spot: Spot | None = None
    requirements: tuple[Requirement, ...] = ()
    stages: tuple[Stage, ...] = ()
    workloads: tuple[Workload, ...] = ()
    commands: tuple[Command, ...] = ()  # a launcher script's command lines
    env: tuple[EnvVar, ...] = ()  # a launcher script's exports, outside any condition


@dataclass(frozen=True)
class FileScanFacts:
    roots: tuple[str, ...]
    files_scanned: int
    files: tuple[DeclaredFile, ...]
    skipped: tuple[SkippedFile, ...] = ()
