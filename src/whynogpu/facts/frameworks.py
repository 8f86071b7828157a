"""The framework layer: what each build can do (static) and what it did when imported (live).

Part of the snapshot schema (whynogpu.facts): filled by the probes on a machine and by triage/to_facts.py
from a pasted report; read by the rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class TensorFlowBuild:
    dist: str  # the distribution whose files are on disk: tensorflow, tensorflow-cpu, …
    version: str
    cuda_build: bool | None
    cuda_version: str | None
    cudnn_version: str | None
    compute_capabilities: tuple[str, ...]


@dataclass(frozen=True)
class TorchBuild:
    version: str
    cuda_version: str | None
    hip_version: str | None
    variant: str  # "cu128", "cpu", "rocm6.1", or "" when the version has no local tag
    cuda_build: bool | None = None  # torch.version.cuda is set; None when it could not be read


@dataclass(frozen=True)
class JaxBuild:
    jax: str
    jaxlib: str | None
    plugins: tuple[str, ...]  # "jax-cuda12-plugin 0.10.2", …
    cuda_major: int | None  # from the plugin's name


@dataclass(frozen=True)
class KerasSetup:
    version: str
    major: int | None
    backend: str
    backend_source: str
    config_path: str
    config_exists: bool
    tf_keras: str | None  # version of tf-keras, if installed
    legacy_requested: bool  # TF_USE_LEGACY_KERAS routes tf.keras to tf-keras


@dataclass(frozen=True)
class FrameworkBuildFacts:
    tensorflow: TensorFlowBuild | None
    torch: TorchBuild | None
    jax: JaxBuild | None
    keras: KerasSetup | None

    def installed(self) -> tuple[str, ...]:
        return tuple(n for n in ("tensorflow", "torch", "jax", "keras") if getattr(self, n) is not None)


@dataclass(frozen=True)
class GpuDevice:
    index: int
    name: str | None
    compute_capability: str | None  # "8.6"
    memory_mb: int | None = None


@dataclass(frozen=True)
class MatmulCheck:
    asked: str  # the device the matmul was placed on
    device: str | None  # where the framework says the result lives
    correct: bool | None = None
    error: str | None = None

    @property
    def on_gpu(self) -> bool:
        d = (self.device or "").lower()
        return self.error is None and ("gpu" in d or "cuda" in d)


@dataclass(frozen=True)
class MatmulTiming:
    n: int  # square float32 matrices of n × n
    gpu_s: float
    cpu_s: float

    @property
    def speedup(self) -> float:
        return self.cpu_s / self.gpu_s if self.gpu_s > 0 else 0.0

    @property
    def gpu_tflops(self) -> float:
        return 2 * self.n**3 / self.gpu_s / 1e12 if self.gpu_s > 0 else 0.0


@dataclass(frozen=True)
class KerasLive:
    version: str | None
    backend: str | None
    matmul_device: str | None
    error: str | None = None


@dataclass(frozen=True)
class LogLine:
    """A line of the child's stderr that the log interpreter knows (knowledge/log_messages.csv)."""

    id: str
    kind: str  # error, warning, info, success, benign
    categories: tuple[str, ...]
    text: str


@dataclass(frozen=True)
class FrameworkRun:
    """One framework imported in its own child process, and what it reported."""

    framework: str
    status: str  # ok, error (a Python exception inside), crashed (signal/exit), timed_out, no_answer, not_started
    duration_s: float
    command: tuple[str, ...] = ()
    exit_code: int | None = None
    signal: int | None = None
    version: str | None = None
    cuda_build: bool | None = None
    build: dict[str, str] = field(default_factory=dict)  # the framework's own build facts, as text
    arch_list: tuple[str, ...] = ()
    gpus: tuple[GpuDevice, ...] = ()
    gpu_error: str | None = None  # the framework's own words for why it has no GPU backend
    warnings: tuple[str, ...] = ()
    matmul: MatmulCheck | None = None
    timing: MatmulTiming | None = None
    loaded_libs: tuple[str, ...] | None = None  # None: could not be read (no /proc)
    keras: KerasLive | None = None
    error: str | None = None  # traceback tail of a Python exception
    import_s: float | None = None
    stderr: str = ""
    log: tuple[LogLine, ...] = ()  # what the interpreter recognised in stderr and in the traceback
    device_scan_skipped: bool = False  # devices not enumerated: no kernel driver, and it would touch /dev as root
    from_report: bool = False  # read from a pasted report's output, not from a probe child on this machine

    @property
    def probed_ok(self) -> bool:
        return self.status == "ok"


@dataclass(frozen=True)
class LiveFacts:
    python: str
    runs: tuple[FrameworkRun, ...]
    wall_s: float

    def run(self, framework: str) -> FrameworkRun | None:
        for r in self.runs:
            if r.framework == framework:
                return r
        return None
