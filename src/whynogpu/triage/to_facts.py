"""A pasted report → the same facts a probed machine gives, so that check's rules decide it.

The reader (triage/extract.py) records what the report shows, line by line. This module turns that
record into check's fact types (platform, GPU, driver, packages, framework builds, CUDA libraries,
what each framework printed, environment variables, code). Two principles keep the rules honest:

* **Unseen is not absent.** A probed machine knows every field; a report shows a few. Each fact is
  built so that a field the report did not show cannot make a rule fire: `pci_readable=False` (no
  bus listing), `loaded_modules=None`, `GpuFacts.unknown` names the lists that were not seen, and
  a layer with nothing in the report gets no facts at all.
* **Every fact keeps its origin** (`ORIGINS`): printed by a program, stated by the reporter, or
  inferred from how the stack behaves (a container started without `--gpus` has no /dev/nvidia*).
  The ranking (verdict.rank) weighs a finding by the weakest origin among the facts its rule read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from whynogpu.facts.code import CodeHit, ScanFacts
from whynogpu.facts.cuda import CudaLibFacts, FrameworkLibs, LibCopy, ResolvedLib
from whynogpu.facts.driver import DriverFacts, LibraryCopy, NvmlGpu, NvmlState, SmiState
from whynogpu.facts.environment import EnvironmentFacts
from whynogpu.facts.files import RUN, DeclaredFile, FileScanFacts, Spot, Workload
from whynogpu.facts.frameworks import (
    FrameworkBuildFacts,
    FrameworkRun,
    GpuDevice,
    JaxBuild,
    LiveFacts,
    LogLine,
    TensorFlowBuild,
    TorchBuild,
)
from whynogpu.facts.gpu import NVIDIA, DeviceNode, GpuFacts, PciDevice
from whynogpu.facts.platform import PlatformFacts
from whynogpu.facts.report import TriageFacts
from whynogpu.facts.target import Distribution, PackageOwner, TargetFacts
from whynogpu.knowledge import cpu_only_install as knowledge_cpu_only_install
from whynogpu.knowledge import (
    cuda_of_driver,
    driver_branch_only,
    image_row,
    jax_extra_gone,
    release_row,
    soname_family,
    sonames,
    table,
    tensorflow_cudnn,
    tensorflow_links_cuda,
    version_key,
)
from whynogpu.model import ProbeResult, ProbeStatus
from whynogpu.parsers import cpu_options
from whynogpu.parsers.cuda_files import dll_name, parse_lib_name
from whynogpu.parsers.logs import LogMatch
from whynogpu.parsers.logs import row as log_row
from whynogpu.parsers.nvidia_smi import SmiHeader, classify_failure
from whynogpu.parsers.proc_driver import parse_proc_driver_version
from whynogpu.triage import cues as cue_table
from whynogpu.triage.readings import host_libs_not_mounted, mig_without_instance, readings

PROGRAM, STATED, INFERRED = "program", "stated", "inferred"
ORIGINS = (PROGRAM, STATED, INFERRED)  # strongest first

TF_VARIANTS = ("tensorflow", "tensorflow-gpu", "tensorflow-cpu", "tensorflow-intel", "tf-nightly", "intel-tensorflow",
               "tensorflow-macos")
TF_CPU = ("tensorflow-cpu", "tensorflow-intel", "intel-tensorflow", "tensorflow-macos")
_NVIDIA_GPU = re.compile(r"\b(?:nvidia|geforce|quadro|tesla|titan|rtx|gtx|[ahlvtpk]\d{1,3}(?:\s?(?:pcie|sxm|nvl)\w*)?\b|"
                         r"mx\d{3}|gh200|gb200|jetson|dgx)", re.I)
# A GPU named that is not NVIDIA's (AMD, Intel, Apple, phone GPUs): one pattern for facts and signals alike
OTHER_GPU = re.compile(r"\b(?:radeon|amd|intel(?:\(r\))? ?(?:uhd|hd|iris|xe|arc|graphics)|iris xe|apple m\d|mali|adreno|"
                       r"rx ?\d{3,4}|vega|arc a\d{3}m?)\b", re.I)
MAX_COMMANDS = 20  # install commands read from one report: a real one shows a few, a huge paste needs no more

STATED_IN_PROSE = "(stated in the report)"
BY_RELEASE = "named by the build's CUDA release, not seen failing"

# JAX lines printed only by a jaxlib with a CUDA backend that tried to start.
JAX_CUDA_LINES = ("jax_backend_failed", "jax_cuda_older", "jax_cudnn_older", "jax_cuda_outdated", "jax_cudnn_outdated", "jax_cuda_components",
                  "jax_lib_unloadable", "jax_cudnn_unloadable")
# Messages that say a library could not be found or opened (not that a found one was the wrong one).
NOT_FOUND = ("tf_dlopen_cudnn", "tf_dlopen_cuda_lib", "tf1_cudnn_not_opened", "tf1_lib_not_opened", "tf_win_dll_missing",
             "import_error_so", "jax_cudnn_unloadable", "jax_lib_unloadable", "cudnn_sublib_missing")
# Messages that say a framework's own import failed (its native module could not be loaded or started)
IMPORT_FAILS = ("tf_native_runtime", "tf_win_dll_init_failed")
_CU_TAG = re.compile(r"\+cu(\d)(\d+)$")
_TORCH_CPU_INDEX = re.compile(r"download\.pytorch\.org/whl/(?:nightly/|test/)?cpu(?![\w.])")


@dataclass
class _Origin:
    """The weakest origin seen for one facts object."""

    rank: int = -1

    def add(self, origin: str) -> None:
        self.rank = max(self.rank, ORIGINS.index(origin))

    @property
    def value(self) -> str:
        return ORIGINS[max(self.rank, 0)]


def _origin(by_user: bool) -> str:
    return STATED if by_user else PROGRAM


_CUDA_RUNTIME_WORDS = ("tf_insufficient_driver",)  # rows whose text is cudaGetErrorString's, not a framework's


def framework_of(m: LogMatch) -> str | None:
    head = m.id.split("_", 1)[0]
    if head in ("tf", "tf1") and ("external/xla/" in m.text or "external/org_tensorflow/" in m.text):
        # StreamExecutor's messages are XLA's, printed by JAX too: jaxlib builds XLA (older jaxlib, TensorFlow's
        # tree) as an external repository, while TensorFlow prints its own copy's path (tensorflow/…, external/local_xla/…)
        return "jax"
    if m.id in _CUDA_RUNTIME_WORDS and "tensorflow" not in m.text:
        return None  # the CUDA runtime's own error string: any program on CUDA prints it (CTranslate2, torch, …)
    return {"tf": "tensorflow", "tf1": "tensorflow", "torch": "torch", "jax": "jax", "cuinit": None}.get(head)


class _Build:
    """One report's facts, layer by layer, each with its origin."""

    def __init__(self, f: TriageFacts) -> None:
        self.f = f
        self.origins: dict[str, _Origin] = {}
        self.results: list[ProbeResult] = []

    def put(self, name: str, facts, *origins: str) -> None:
        o = self.origins.setdefault(name, _Origin())
        for x in origins:
            o.add(x)
        self.results.append(ProbeResult(name, ProbeStatus.OK, 0.0, facts=facts))

    # --- platform -------------------------------------------------------------------------------
    def platform(self) -> PlatformFacts | None:
        f = self.f
        os_fact = f.first("os")
        text = (os_fact.value if os_fact else "").lower()
        cues = {c.id: c for c in reversed(f.cues)}
        origins = []
        wsl = None
        if "wsl1" in cues:
            wsl = 1
        elif "wsl" in cues or "microsoft-standard" in text or "wsl" in text:
            wsl = 2
        os_cues = set(cue_table.find(os_fact.value)) if os_fact else set()
        # Both named in sentences ("it seems to be about Windows PCs" from a Mac user): the first one named,
        # usually in the title or the opening line, is the reporter's own.
        mac_first = "macos" in cues and "windows" in cues and cues["macos"].line < cues["windows"].line
        # In Colab the code runs on the runtime's Linux VM: a Mac or Windows the reporter names is the computer
        # the browser runs on (unless the report is about another place where it works).
        hosted = "colab" in cues and wsl is None and "works_elsewhere" not in cues
        # A container named before Windows ("self hosted, Docker" above "Windows 11, Docker Engine 27"): the
        # framework runs in the Linux container (Docker on Windows runs them in WSL 2), Windows is its host.
        docker_first = "container" in cues and "windows" in cues and cues["container"].line < cues["windows"].line
        # Under WSL the framework runs in Linux; "Windows 11" then names the host (a probed WSL is linux too).
        if hosted or (docker_first and wsl is None):
            name = "linux"
        elif wsl is None and ("windows" in text or "windows" in os_cues or ("windows" in cues and not mac_first)):
            name = "windows"
        elif any(k in text for k in ("mac", "darwin", "os x")) or "macos" in os_cues or "macos" in cues:
            name = "macos"
        elif os_fact or wsl or f.all("docker_run") or f.first("container_spec") or "container" in cues or f.formats:
            name = "linux"
        else:
            return None
        if os_fact:
            origins.append(_origin(os_fact.stated_by_user))
        if wsl or name != "linux" and not os_fact:
            origins.append(STATED)  # a cue in the reporter's words
        container = None
        runs = f.framework_runs()
        spec = f.first("container_spec")
        if spec is not None and not runs:
            container, _ = ("kubernetes" if spec.value == "kubernetes" else "docker"), origins.append(PROGRAM)
        elif runs or f.has_log("ngc_no_driver"):
            container, _ = "docker", origins.append(PROGRAM)
        elif "container" in cues and name == "linux" and not wsl:
            container, _ = "docker", origins.append(STATED)
        elif "container" in cues and f.all("gpu_request"):
            # a container's GPU request pasted (a compose reservation, a pod's nvidia.com/gpu): the framework runs in
            # that container, under WSL too (Docker Desktop runs its containers in WSL 2)
            container, _ = "docker", origins.append(PROGRAM)
        facts = PlatformFacts(os=name, kernel=text if "microsoft" in text else "", distro=os_fact.value if os_fact else None,
                              arch="", wsl=wsl, container=container,
                              container_evidence=tuple(f"report line {r.line}: {r.text[:120]}" for r in runs[:1]) or
                              tuple(f"report line {c.line}" for c in [cues.get("container")] if c),
                              hostname="",
                              # every container the report starts asks for the GPU (one started without it is
                              # the likelier failing one)
                              gpu_requested=True if container and (all(r.value == "gpus" for r in runs) if runs else
                                                                   bool(f.all("gpu_request"))) else None)
        self.put("platform", facts, *(origins or [INFERRED]))
        return facts

    # --- GPU and driver -------------------------------------------------------------------------
    def gpu_and_driver(self, plat: PlatformFacts | None) -> None:
        f = self.f
        origins: list[str] = []
        unknown = {"device_nodes", "wsl_libcuda"}
        # nvidia-smi's and NVML's failure messages, read by the same parser check uses; a reporter who
        # retells one in their own words ("nvidia-smi says it can't communicate with the driver") counts too.
        smi_fail = [m for m in f.log if m.id.startswith(("smi_", "nvml_", "gpu_fallen")) and m.id != "smi_not_found"]
        failure = classify_failure("\n".join(m.text for m in smi_fail)) if smi_fail else None
        retold = f.has_cue("smi_driver_retold")
        if failure is None and retold:
            failure = classify_failure("couldn't communicate with the NVIDIA driver")
            smi_fail = [retold[0]]
        header = f.first("driver", program_only=True)
        smi_cuda = f.first("smi_cuda")
        km = f.first("kernel_module")
        driver = header or km or f.first("driver")
        not_found = f.has_log("smi_not_found")
        no_driver = bool(failure and failure.kind == "driver_not_loaded") or bool(
            f.has_log("diag_driver_not_running", "torch_driver_init_failed"))
        # Which GPU the reporter has: nvidia-smi's table, collect_env, or their words.
        named = [s for s in f.all("gpu") if _NVIDIA_GPU.search(s.value) and not OTHER_GPU.search(s.value)]
        other = [s for s in f.all("gpu") if OTHER_GPU.search(s.value) and not _NVIDIA_GPU.search(s.value)]
        listed = [d for d in f.pci if d.vendor == NVIDIA and d.is_display]
        # a whole lspci listing (it shows other kinds of devices too), not `lspci | grep VGA`, which hides the
        # "3D controller" class data-centre GPUs have: only a whole listing without NVIDIA shows there is none
        whole_bus = any(not d.is_display for d in f.pci)
        has_nvidia = bool(named or header or smi_fail or f.first("gpu_memory") or listed)
        origins += [STATED] if retold and not f.has_log("smi_no_driver") else []
        # A container started without asking for a GPU: `docker run` without --gpus, or a pasted Kubernetes /
        # Compose file with no GPU request anywhere in the report.
        gpu_shown = bool(header or [m for m in f.log if m.kind == "success"])
        # (an NVIDIA hook's own message says the runtime did hand the GPU in: podman's OCI hook needs no --gpus)
        # (nor when the reporter says nvidia-smi inside the container sees the GPU: the command shown is not all)
        work = f.framework_runs()
        no_gpus_run = (bool(work) and all(d.value == "no_gpus" for d in work)
                       and not any(m.id.startswith("ctk_") for m in f.log) and not f.has_cue("smi_in_container")) or \
            (f.first("container_spec") is not None and not f.all("gpu_request") and not f.all("docker_run")
             and not gpu_shown)  # a pasted spec may be another pod's: not when the report shows a GPU at work
        # NVIDIA_VISIBLE_DEVICES=none (or void, empty) hands the container no GPU whatever else starts it
        # (https://docs.nvidia.com/datacenter/cloud-native/container-toolkit/latest/docker-specialized.html)
        nvd = f.first("env:NVIDIA_VISIBLE_DEVICES")
        no_gpus_run = no_gpus_run or bool(nvd and nvd.value.lower().strip("'\"") in ("none", "void", "") and
                                          (f.all("docker_run") or f.has_cue("container")))
        # The GPU handed in without CUDA's part of the driver: the NVIDIA runtime mounts only the driver libraries of
        # the capabilities asked for, and libcuda is "compute"'s ("--gpus capabilities=utility", NVIDIA_DRIVER_CAPABILITIES
        # =utility: nvidia-smi works, CUDA does not). https://docs.nvidia.com/datacenter/cloud-native/container-toolkit/
        # latest/docker-specialized.html#driver-capabilities
        caps = f.first("env:NVIDIA_DRIVER_CAPABILITIES")
        # (the GPU handed in by `docker run --gpus` or a compose or pod request, but without the compute capability)
        no_compute = bool(caps and (any(d.value == "gpus" for d in f.all("docker_run")) or f.all("gpu_request")) and
                          not {"compute", "all"} & {c.strip().lower() for c in caps.value.strip("'\"").split(",")})
        no_libcuda = bool(f.has_log("tf_dlopen_libcuda") or f.first("libcuda_failed")) or \
            any(host_libs_not_mounted(m, f, list(m.categories)) for m in f.log)  # the driver's (or host's) libraries
        # (a container without the compute capability lacks libcuda whatever the Windows driver has)
        wsl_no_cuda = bool(plat and plat.wsl == 2 and not no_compute and
                           (not_found or no_driver or no_libcuda or f.has_log("nvml_unknown")))
        if not (has_nvidia or other or km or not_found or no_driver or driver or no_gpus_run or f.has_log("ngc_no_driver")
                or f.first("gpu_count") or wsl_no_cuda or no_libcuda or f.pci or no_compute):
            return
        devices: tuple[PciDevice, ...] = ()
        if f.pci:
            devices = f.pci
            origins.append(PROGRAM)
        if has_nvidia and not listed:
            devices += (PciDevice("", NVIDIA, "", "0x030000", None),)
            origins.append(PROGRAM if (header or smi_fail) else _origin(named[0].stated_by_user) if named else INFERRED)
        nodes: tuple = ()
        wsl_libcuda: tuple[str, ...] = ()
        if f.has_log("ngc_no_driver"):
            unknown.discard("device_nodes")  # the image's start script looked for /dev/nvidiactl and libcuda
            origins.append(PROGRAM)
        elif plat and plat.container and no_gpus_run:
            unknown.discard("device_nodes")  # docker passes no /dev/nvidia* without --gpus/--runtime=nvidia
            origins.append(INFERRED)
        elif plat and plat.container and (not_found or no_libcuda or f.has_log("cuinit_303", "diag_no_dev_nvidia0",
                                                                  "docker_no_gpu_driver")):
            unknown.discard("device_nodes")  # nothing of the driver inside: the runtime passed no GPU in
            origins.append(INFERRED)
        if plat and plat.container and no_compute:
            # the GPU itself was handed in (the rest of the container's /dev stays unknown); under WSL 2 as /dev/dxg
            nodes = (DeviceNode("/dev/dxg" if plat.wsl == 2 else "/dev/nvidia0", True, 0o666, 0, 0, None, True),)
            origins.append(PROGRAM)
        if wsl_no_cuda:
            unknown.discard("wsl_libcuda")  # WSL2's libcuda comes from the Windows driver; none is there
            nodes = (DeviceNode("/dev/dxg", True, 0o666, 0, 0, None, True),)
            unknown.discard("device_nodes")
            origins.append(INFERRED)
        kernel = parse_proc_driver_version(km.text) if km else None
        none_listed = whole_bus and not has_nvidia and not (km or driver)
        # `lspci -k` shows another driver (nouveau, vfio-pci) holding the GPU: the NVIDIA module cannot drive it
        held = bool(listed) and all(d.driver not in (None, "nvidia") for d in listed) and not (header or km)
        g = GpuFacts(pci_readable=whole_bus, pci_devices=devices, device_nodes=nodes, kernel_module=kernel,
                     proc_driver_present=not (no_driver or not_found or none_listed or held), sys_module_version=None, loaded_modules=None,
                     blacklisted=(), module_files=(), secure_boot=None, wsl_libcuda=wsl_libcuda, user="", uid=-1,
                     unknown=tuple(sorted(unknown)))
        self.put("gpu", g, *(origins or [INFERRED]))
        packaged = f.first("driver_package")
        count = f.first("gpu_count")
        if not (driver or failure or header or not_found or packaged or count):
            return
        d_origins = []
        cuda = smi_cuda.value if smi_cuda else None
        if driver:
            d_origins.append(_origin(driver.stated_by_user))
        if smi_cuda:
            d_origins.append(PROGRAM)
        elif driver and (_looks_like_driver(driver.value) or driver_branch_only(driver.value)):
            cuda = cuda_of_driver(driver.value)
            d_origins.append(INFERRED)
        smi = None
        if header or failure or not_found:
            h = SmiHeader("", header.value, cuda) if header else None
            smi = SmiState(found=not not_found, exit_code=None, failure=failure, header=h, gpus=())
            d_origins.append(PROGRAM)
        gpus = int(count.value) if count else len(named) if named else (1 if has_nvidia else None)
        if count:
            d_origins.append(STATED)
        # The installed user-space driver (a package listing): set against the loaded kernel module, a
        # different version is the classic upgrade without a reboot.
        libraries = (LibraryCopy("libcuda.so.1", f"(package, report line {packaged.line})", packaged.text[:120],
                                 packaged.value, "package manager"),) if packaged else ()
        if packaged:
            d_origins.append(PROGRAM)
        nvml = _smi_table(f, driver)
        facts = DriverFacts(driver_version=driver.value if driver and _looks_like_driver(driver.value) else None,
                            cuda_driver_version=cuda, gpu_count=gpus if not no_driver else None,
                            gpu_count_source="report" if gpus else None, libraries=libraries, cuda=None, nvml=nvml,
                            smi=smi, skipped="a pasted report",
                            branch=driver.value if driver and driver_branch_only(driver.value) else None)
        self.put("driver", facts, *(d_origins or [INFERRED]))

    # --- packages and framework builds -----------------------------------------------------------
    def target(self) -> TargetFacts | None:
        f = self.f
        origins = []
        dists: dict[str, Distribution] = {}
        torch_listed: set[str] = set()  # conda's pytorch and pip's torch in one listing: two builds over torch/
        for p in f.packages:  # in report order: what pip installed later replaced what was there
            name = p.name.lower().replace("_", "-")
            if name in ("torch", "pytorch"):
                torch_listed.add(name)
            name = "torch" if name == "pytorch" else name  # conda's name for it
            version = p.version + (f"+{p.build}" if p.build and re.match(r"(cu|cpu|rocm)", p.build) else "")
            dists[name] = Distribution(name, version, "(pasted package list)")
            origins.append(PROGRAM)
        # Install commands before versions in sentences: the command names the package (a version said in
        # a sentence then fills in what the command left open).
        # pip saying it found no distribution for a package means that install put nothing there.
        failed = {re.split(r"[\[=<>~!]", s.value.lower(), maxsplit=1)[0].replace("_", "-") for s in f.all("pip_no_dist")}
        for s in f.all("pip_install")[:MAX_COMMANDS]:
            for name, version in _installed(s.value):
                if name in failed:
                    continue
                if name not in dists and (name in TF_VARIANTS or name in ("torch", "jax", "jaxlib", "keras")):
                    if name == "torch" and _TORCH_CPU_INDEX.search(s.value) and "+" not in version:
                        # PyTorch's CPU index holds CPU builds only (https://pytorch.org/get-started/locally/). A
                        # CUDA index says less: a later install of a package that needs another torch replaces it.
                        version = f"{version}+cpu"
                    dists[name] = Distribution(name, version, "(pip install in the report)")
                    origins.append(STATED)
                # the extras jax still provides at the release installed (a version said elsewhere fills in an
                # unpinned install); one it dropped (knowledge/jax_extras.csv) brings nothing but the CPU jaxlib.
                # (With no release known the install is taken as it was when the report was written, which may be
                # before the extra was dropped: unlike a file scan judges, it is not installed today.)
                said = version or (f.first("jax_version").value if name == "jax" and f.first("jax_version") else "")
                asked = re.search(r"jax\[([^\]]*)\]", s.value) if name == "jax" else None
                extras = [e for e in (asked.group(1).split(",") if asked else [])
                          if not (said and jax_extra_gone(e, said))]
                extra = next((m for e in extras if (m := re.search(r"cuda(\d+)", e))), None)
                plugin = f"jax-cuda{extra.group(1)}-plugin" if extra else ""
                plat = next((r.facts for r in self.results if isinstance(r.facts, PlatformFacts)), None)
                if extra and int(extra.group(1)) >= 12 and plugin not in dists and \
                        not (plat and plat.os in ("windows", "macos")):  # JAX has CUDA wheels for Linux only
                    # jax[cuda12] installs the CUDA plugin beside jaxlib (jax[cuda11_pip] was a +cuda jaxlib instead)
                    dists[plugin] = Distribution(plugin, version, f"(brought by `pip install {asked.group(0)}`)")
                    origins.append(INFERRED)
                if name == "jax" and "jaxlib" not in dists and not any(re.search(r"cuda|gpu", e) for e in extras) \
                        and cpu_only_install("jax", "jax", version, None):
                    gone = [e for e in (asked.group(1).split(",") if asked else []) if said and jax_extra_gone(e, said)]
                    why = f"`pip install {asked.group(0)}`: jax {said or 'today'} no longer provides [{gone[0]}]" \
                        if gone else "`pip install jax`"
                    dists["jaxlib"] = Distribution("jaxlib", version, f"(brought by {why}: the CPU jaxlib)")
                    origins.append(INFERRED)
        for key, name in (("tf_version", "tensorflow"), ("torch_version", "torch"), ("jax_version", "jax"),
                          ("jaxlib_version", "jaxlib"), ("keras_version", "keras")):
            s = _failing_version(f, key)
            names = TF_VARIANTS if name == "tensorflow" else (name,)
            known = next((n for n in names if n in dists), None)
            if s is None:
                continue
            if known is not None:
                if not dists[known].version:
                    dists[known] = replace(dists[known], version=s.value)
                printed = next((x for x in f.all(key) if not x.stated_by_user), None)
                if dists[known].location == "(pip install in the report)" and printed is not None and \
                        printed.value != dists[known].version:
                    # the framework's own answer (a version it printed) is what that environment holds, whatever
                    # an install command the reporter shows asked for
                    dists[known] = Distribution(known, printed.value, "(printed by the framework in the report)")
                    origins.append(PROGRAM)
                continue
            named = _variant_named(s.text) if name == "tensorflow" else name
            dists[named] = Distribution(named, s.value, STATED_IN_PROSE)
            origins.append(_origin(s.stated_by_user))
            if name == "tensorflow" and f.has_cue("both_tf"):
                # "pip list shows both tensorflow 2.15.0 and tensorflow-cpu 2.15.0": each variant the sentence names
                for other in _VARIANT_WORD.findall(s.text.lower()):
                    dists.setdefault(other, Distribution(other, s.value, STATED_IN_PROSE))
        # A framework that answered a question about its build is installed, whatever the report lists.
        for key, name in (("tf_built_with_cuda", "tensorflow"), ("torch_version_cuda", "torch")):
            if f.first(key) and not any(n in dists for n in (TF_VARIANTS if name == "tensorflow" else (name,))):
                dists[name] = Distribution(name, "", "(its own answer in the report)")
                origins.append(PROGRAM)
        for m in f.has_log("macos_cuda_dylib"):  # its import wants a CUDA library: that framework is installed
            name = m.groups.get("framework")
            if name and not any(n in dists for n in (TF_VARIANTS if name == "tensorflow" else (name,))):
                dists[name] = Distribution(name, "", "(its own error in the report)")
                origins.append(PROGRAM)
        if f.first("torch_build_cuda") and "torch" not in dists:  # "installed pytorch with cuda 11.3": no release named
            dists["torch"] = Distribution("torch", "", STATED_IN_PROSE)
            origins.append(_origin(f.first("torch_build_cuda").stated_by_user))
        py = f.first("python")
        if not dists and py is None:
            return None
        if py:
            origins.append(_origin(py.stated_by_user))
        variants = tuple(n for n in TF_VARIANTS if n in dists and n != "tensorflow-macos")
        owners = {"tensorflow": PackageOwner("tensorflow", variants, None, {})} if variants else {}
        if len(torch_listed) > 1:
            owners["torch"] = PackageOwner("torch", tuple(sorted(torch_listed)), None, {})
        facts = TargetFacts(python="python", version=py.value if py else "", implementation="CPython", prefix="",
                            base_prefix="", env_kind="unknown", platform="", machine="", chosen_because="the pasted report",
                            sys_path=(), distributions=tuple(dists.values()), packages={}, owners=owners, files={})
        self.put("target", facts, *(origins or [INFERRED]))
        return facts

    def builds(self, t: TargetFacts | None, runs: dict[str, FrameworkRun],
               plat: PlatformFacts | None) -> FrameworkBuildFacts | None:
        if t is None:
            return None
        f = self.f
        tf = torch = jax = None
        tf_dist = next((t.dist(n) for n in TF_VARIANTS if t.dist(n) and t.dist(n).version), None) or \
            next((t.dist(n) for n in TF_VARIANTS if t.dist(n)), None)
        if tf_dist:
            said = f.first("tf_built_with_cuda")
            cuda_build = None
            if said is not None:
                cuda_build = said.value == "True"
            elif "tensorflow" in runs and runs["tensorflow"].cuda_build or _wants_cuda_dylib(f, "tensorflow"):
                cuda_build = True
            elif (conda := _conda_tf_build(f)) is not None:
                cuda_build = conda
            elif tf_dist.name in TF_CPU or (_installed_as(tf_dist) and
                                             cpu_only_install("tensorflow", tf_dist.name, tf_dist.version, plat)):
                cuda_build = False
            tf = TensorFlowBuild(tf_dist.name, tf_dist.version, cuda_build, None, None, ())
        d = t.dist("torch")
        if d:
            cuda, cuda_build = torch_wheel_cuda(f, d.version, plat)
            cuda_build = True if _wants_cuda_dylib(f, "torch") else cuda_build
            conda = any(p.name.lower() in ("torch", "pytorch") and p.build for p in f.packages)
            if cuda_build is None and not conda and not _index_url(f) and "torch" not in runs and _installed_as(d) and \
                    cpu_only_install("torch", "torch", d.version, plat):
                cuda_build = False
            torch = TorchBuild(d.version, cuda, None, d.version.partition("+")[2], cuda_build=cuda_build)
        d = t.dist("jax")
        if d or t.dist("jaxlib"):
            plugins = tuple(f"{x.name} {x.version}" for x in t.distributions if x.name.startswith(("jax-cuda", "jax_cuda")))
            if not plugins and f.has_log(*JAX_CUDA_LINES):
                plugins = ("a CUDA backend (its log shows it starting)",)  # a CPU-only jaxlib never tries CUDA
            jl = t.dist("jaxlib")
            jax = JaxBuild(d.version if d else "", jl.version if jl else None, plugins, None)
        if not (tf or torch or jax):
            return None
        facts = FrameworkBuildFacts(tf, torch, jax, None)
        self.put("frameworks", facts, self.origins["target"].value)
        return facts

    # --- what each framework printed ---------------------------------------------------------------
    def live(self, t: TargetFacts | None) -> dict[str, FrameworkRun]:
        f = self.f
        logs: dict[str, list[LogLine]] = {}
        origin = _Origin()
        from whynogpu.triage.signals import (  # signals reads this module's tables
            jax_incidental,
            tf_incidental,
        )

        main = main_framework(f, t)
        # A report showing two runs that print different versions (an app's banner before and after an update) is
        # about the run that fails: the lines of the other run are not this one's.
        other_run = {}
        for fw, key in _VERSION_KEYS.items():
            chosen = _failing_version(f, key)
            other_run[fw] = {s.line for s in f.all(key) if chosen is not None and not _same_build(s.value, chosen.value)}
        for m in f.log:
            fw = framework_of(m) or main
            if m.line in other_run.get(fw, ()):
                continue
            # (a message printed while building or loading a package on the framework is no run of it: WG827 reads it)
            if fw is None or m.kind == "benign" or log_row(m.id).scope == "build" or \
                    (m.kind == "success" and m.line in f.prose_log_lines):
                continue  # a success only retold in a sentence makes no run: no GPUs are read from it either
            logs.setdefault(fw, []).append(LogLine(m.id, m.kind, tuple(readings(m, f)[0]), m.text[:400]))
            origin.add(STATED if m.line in f.prose_log_lines else PROGRAM)
        gpus = _gpus_seen(f)

        if jax_incidental(f):
            logs.pop("jax", None)
        if tf_incidental(f):
            logs.pop("tensorflow", None)
        for fw in gpus:
            logs.setdefault(fw, [])
        runs = {}
        for fw, lines in logs.items():
            version = version_of(t, fw)
            # a message printed while trying the GPU comes from a CUDA build, unless a CPU build is what it names first
            # ("not implemented for 'Half'": a float16 operation ran on the CPU)
            cuda_build = True if any(ln.kind in ("error", "success") and ln.id != "torch_not_compiled" and
                                     ln.id != "jax_jaxlib_no_cuda" and ln.categories[:1] != ("cpu_only_package",)
                                     for ln in lines) else None
            if any(ln.id in ("torch_not_compiled", "jax_jaxlib_no_cuda") for ln in lines) or \
                    (fw == "torch" and (version or "").endswith("+cpu")):  # PyTorch's CPU wheels are tagged +cpu
                cuda_build = False
            elif fw == "jax" and cuda_build is None and any(ln.id == "jax_fallback_cpu" for ln in lines) and \
                    not any(ln.id in JAX_CUDA_LINES for ln in lines):
                # JAX fell back to the CPU and no CUDA backend tried to start (it would have said why it failed)
                cuda_build = False
            # The import itself failed, for a reason that names no GPU cause (a CPU without AVX, a C++ runtime): the
            # framework never listed devices, so WG508 reports the failure instead of WG502's "sees no GPU". A failure
            # that names libraries stays with the library rules, which tell missing from mismatched from off-path.
            failed = next((ln.text for ln in lines if ln.id in IMPORT_FAILS), None)
            if failed and (gpus.get(fw) or any(ln.categories for ln in lines)):
                failed = None
            runs[fw] = FrameworkRun(framework=fw, status="error" if failed else "ok", duration_s=0.0, version=version,
                                    cuda_build=cuda_build, gpus=gpus.get(fw, ()), log=tuple(lines), from_report=True,
                                    error=failed)
        if runs:
            self.put("frameworks_live", LiveFacts("python", tuple(runs.values()), 0.0),
                     origin.value if origin.rank >= 0 else PROGRAM)
        return runs

    # --- CUDA libraries the frameworks asked for -------------------------------------------------
    def cuda_libs(self, b: FrameworkBuildFacts | None, t: TargetFacts | None) -> None:
        """What each framework asked the loader for (its log), which copies the report shows exist (ldconfig,
        find, the reporter's "the file is there", the CUDA/cuDNN release they installed), and the CUDA the
        build was made for; rules/cuda.py then sorts each failed library into missing, off the path or
        another release, exactly as it does on a machine."""
        f = self.f
        origins = [PROGRAM]
        wanted: dict[str, dict[str, ResolvedLib]] = {}
        for m in f.log:
            # "Could not load library libcudnn_ops_infer.so.8. Error: libcublas.so.11: cannot open …": cuDNN was
            # found; the library missing is the one it depends on
            soname = m.groups.get("dependency") if lib_of(m.groups.get("dependency") or "") else m.groups.get("soname")
            lib = lib_of(soname) if soname else None
            if m.id not in NOT_FOUND or lib is None or lib == "cuda":
                continue  # libcuda is the driver's: the GPU layer reads it
            if host_libs_not_mounted(m, f, list(m.categories)):
                continue  # a JetPack 4 container without the NVIDIA runtime: the platform layer reads it
            fw = framework_of(m) or main_framework(f, t) or "tensorflow"
            wanted.setdefault(fw, {})[soname] = ResolvedLib(lib, soname, None, None, None, None)
            if m.line in f.prose_log_lines:
                origins.append(STATED)
        # The same failure retold in the reporter's words, when no loader message for that library is pasted.
        for s in f.all("lib_failed"):
            if any(s.line == m.line or s.value in m.text for m in f.log):
                continue  # the program's own message about it says more (not found, or another failure)
            lib = lib_of(s.value)
            fw = main_framework(f, t) or "tensorflow"
            if lib and lib != "cuda" and s.value not in wanted.get(fw, {}):
                wanted.setdefault(fw, {})[s.value] = ResolvedLib(lib, s.value, None, None, None, None)
                origins.append(STATED)
        # The cuDNN the build was compiled with against the one it loads (or the one installed).
        compiled, runtime = _cudnn_pair(f)
        shadow = _shadowing(f, t)
        if compiled and runtime and not (shadow and shadow[1].lib == "cudnn"):  # else the shadowing copy is the loaded one
            fw_libs = wanted.setdefault("tensorflow", {})
            fw_libs["libcudnn (loaded)"] = ResolvedLib("cudnn", f"libcudnn.so.{runtime.split('.')[0]}", "(loaded)",
                                                       "the framework's log or the installed package", runtime, None)
        if shadow is not None:
            fw, resolved = shadow
            wanted.setdefault(fw, {})[resolved.soname] = resolved
        needs = _build_cuda(f, b)
        # "This TensorFlow wants CUDA 11.0": the reporter's word for the build's CUDA when its release does not
        # say it. TensorFlow alone: torch and JAX wheels bring their own CUDA, whatever the system has.
        said = f.first("cuda_needed")
        main = main_framework(f, t) or _only_named(f)
        if said and "tensorflow" not in needs and main in ("tensorflow", "keras", None):
            needs["tensorflow"] = (said.value, STATED)
        elif said and main in ("torch", "jax") and main not in needs:
            needs[main] = (said.value, STATED)  # its wheels bring that CUDA: only the driver must be new enough
        # "Cannot dlopen some GPU libraries" names none: the build's CUDA runtime is the first it needs.
        # (not in an image that carries CUDA: the official -gpu tags and nvidia/cuda runtime images hold the runtime,
        # so the library that failed is another, which the line does not say)
        if f.has_log("tf_cannot_dlopen_gpu_libs") and "tensorflow" not in wanted and "tensorflow" in needs and \
                not _image_with_cuda(f):
            family = soname_family(needs["tensorflow"][0])
            for lib, soname in (sonames(family, ("cudart",)) if family else {}).items():
                wanted["tensorflow"] = {soname: ResolvedLib(lib, soname, None, None, None, None)}
                origins.append(INFERRED)
        # A TensorFlow that loads the system's CUDA (no [and-cuda] wheels in the report) needs its release's
        # runtime and cuDNN; a CUDA or cuDNN the reporter installed is then checked against those names.
        # (not when its output shows it past loading them: a GPU at work, or a failure only a loaded cuBLAS or cuDNN
        # can print, such as one for want of memory)
        # (or a TensorFlow whose GPU build links them, that shows it imported: it could not have, without them)
        tf_need = needs.get("tensorflow")
        tf_version = getattr(getattr(b, "tensorflow", None), "version", "") or ""
        past_loading = any(m.kind == "success" or (m.kind == "error" and m.categories[:1] == ("gpu_memory_exhausted",))
                           for m in f.log) or (f.first("tf_imported") is not None and tensorflow_links_cuda(tf_version))
        if tf_need and "tensorflow" not in wanted and not _pip_cuda(f) and not past_loading and \
                (f.all("cuda") or f.all("nvcc_cuda") or f.all("cudnn")):
            family = soname_family(tf_need[0])
            libs = tuple(r["lib"] for r in table("tensorflow_cuda_libs") if r["lib"] != "cudnn")
            want = dict(sonames(family, libs)) if family and (f.all("cuda") or f.all("nvcc_cuda")) else {}
            row, _ = release_row("tensorflow_releases", tf_version)
            if f.all("cudnn") and (needed := tensorflow_cudnn(row)[0]):
                want["cudnn"] = f"libcudnn.so.{needed}"
            plat = next((r.facts for r in self.results if isinstance(r.facts, PlatformFacts)), None)
            if plat is not None and plat.os == "windows":  # the same libraries by their DLL names
                want = {lib: dll_name(so) for lib, so in want.items()}
            if want:
                wanted["tensorflow"] = {so: ResolvedLib(lib, so, None, BY_RELEASE, None, None) for lib, so in want.items()}
                origins.append(INFERRED)
        driver = self.origins.get("driver")
        frameworks = []
        for fw in sorted(set(wanted) | (set(needs) if driver else set())):
            cuda, origin = needs.get(fw, (None, None))
            if origin and fw not in wanted:
                origins.append(origin)
            libs = tuple(wanted.get(fw, {}).values())
            # the major in the name the build asks for: libcudnn.so.8, or cudnn64_8.dll on Windows
            cudnn = next((m.group(1) or m.group(2) for r in libs if r.lib == "cudnn"
                          for m in [re.search(r"\.so\.(\d+)$|^cudnn64_(\d+)\.dll$", r.soname)] if m), None)
            compiled = _cudnn_pair(f)[0] if fw == "tensorflow" else None
            version = getattr(getattr(b, fw, None), "version", "") if b is not None else ""
            major = compiled.split(".")[0] if compiled else cudnn
            if fw == "tensorflow" and not major and version:  # the release's own cuDNN
                major, compiled = tensorflow_cudnn(release_row("tensorflow_releases", version)[0])
            frameworks.append(FrameworkLibs(fw, version or "?", cuda, None, major,
                                            compiled, _finds_pip(fw, version), (), libs, ("read from a pasted report",)))
        if not frameworks:
            return
        failed = {r.soname for fw in frameworks for r in fw.libs if r.path is None}
        copies, copy_origins = _copies(f, failed)
        ld_path: tuple[str, ...] = ()
        if shadow is not None:  # the framework's own copy, in the wheels its RUNPATH points at
            fw_name, r = shadow
            ld_path = tuple(e for e in f.first("env:LD_LIBRARY_PATH").value.split(":") if e)
            copies.append(LibCopy(r.lib, r.soname, f"{PIP_DIR}/{r.soname}", PIP_DIR, r.origin, None, "pip",
                                  "the framework's pip wheels (the version it was built against)"))
            frameworks = [replace(fw, finds_pip_wheels=True, pip_dirs=(PIP_DIR,),
                                  cudnn_min=r.origin if r.lib == "cudnn" else fw.cudnn_min,
                                  libs=tuple(replace(x, origin="ld_library_path") if x is r else x for x in fw.libs))
                          if fw.framework == fw_name else fw for fw in frameworks]
        # Unseen is not absent: once the report shows a copy (of any release) of some failed library, the
        # failed ones it shows nothing about are left out rather than called missing.
        seen = {c.lib for c in copies}
        if seen:
            frameworks = [replace(fw, libs=tuple(r for r in fw.libs if r.path or r.lib in seen)) for fw in frameworks]
        # Libraries named only by the build's release (no load failure in the report) say something only when
        # the installed release names them otherwise: it cannot load those. Missing or off the path would be a guess.
        other = {c.lib for c in copies if c.soname not in failed}
        frameworks = [replace(fw, libs=tuple(r for r in fw.libs if r.via != BY_RELEASE or
                                             (r.lib in other and not any(c.soname == r.soname for c in copies))))
                      for fw in frameworks]
        # A framework that failed to load a library its installed NVIDIA wheel holds did not find the wheels,
        # whatever its release is meant to do (a wheel in lib64, a RUNPATH that points elsewhere).
        in_wheels = {c.soname for c in copies if c.origin == "pip"}
        frameworks = [replace(fw, finds_pip_wheels=False) if any(r.path is None and r.soname in in_wheels for r in fw.libs)
                      else fw for fw in frameworks]
        plat = next((r.facts for r in self.results if isinstance(r.facts, PlatformFacts)), None)
        windows_report = any(x.endswith(".dll") for x in failed) or (plat is not None and plat.os == "windows")
        facts = CudaLibFacts(os="windows" if windows_report else "linux", copies=tuple(copies), ld_library_path=ld_path, ld_library_dirs=ld_path, ld_cache=(),
                             ld_cache_read=False, default_dirs=(), nvcc=None, kernels=(), frameworks=tuple(frameworks),
                             env_kind=None, prefix=None, conda_active=False, scanned=False)
        self.put("cuda_libs", facts, *origins, *copy_origins)

    # --- environment and code --------------------------------------------------------------------
    def environment(self) -> None:
        values = {}
        origins = []
        for s in self.f.stated:
            if s.key.startswith("env:") and s.key[4:] not in values:
                values[s.key[4:]] = s.value
                origins.append(_origin(s.stated_by_user))
        if values:
            self.put("environment", EnvironmentFacts(values, ()), *origins)

    def containers(self, pasted: tuple[DeclaredFile, ...] = ()) -> None:
        """The containers the report starts on a command line, as the workloads of one declared file: the rules
        that judge a compose service's image (rules/images.py) judge them too. Beside them, the files the report
        pastes (triage/files.py)."""
        f = self.f
        runs = {d.line: d.value == "gpus" for d in f.all("docker_run")}
        asked = {g.line for g in f.all("gpu_request")}
        loads = []
        for s in f.all("image")[:MAX_COMMANDS]:
            if s.line not in runs and not _STARTS_CONTAINER.search(s.text):
                continue  # a Dockerfile's FROM: its stages are not read from a report
            gpus = runs.get(s.line) or s.line in asked
            tool = _CONTAINER_TOOL.search(s.text)
            loads.append(Workload(RUN, f"the {tool.group(0).lower() if tool else 'container'} container", s.value,
                                  Spot(s.line, max(s.text.find(s.value), 0) + 1, s.text[:200]),
                                  gpu_request="asked on its command line" if gpus else ""))
        declared = (DeclaredFile("<report>", RUN, workloads=tuple(loads)),) if loads else ()
        declared += pasted  # files the reporter pasted: read as `whynogpu scan` reads them
        if declared:
            self.put("file_scan", FileScanFacts(("<report>",), len(declared), declared), PROGRAM)

    def code(self, scan: ScanFacts | None) -> None:
        hits = tuple(_option_hit(s) for s in self.f.all("cpu_flag") if cpu_options.find(s.text))
        if hits:  # a command's CPU option is a statement of the reporter's, read like the code they paste
            scan = ScanFacts(roots=("<report>",), files_scanned=1, hits=(*(scan.hits if scan else ()), *hits))
        if scan is not None and scan.hits:
            self.put("code_scan", scan, PROGRAM)


def _option_hit(s) -> CodeHit:
    """A command line's CPU option (knowledge/cpu_flags.csv) as the code hit check's WG718 reads."""
    return cpu_options.hit(s.text, "<report>", s.line, 1)


# nvidia-smi's table column → NVML's nvmlComputeMode_t (nvml.h: DEFAULT 0, EXCLUSIVE_THREAD 1, PROHIBITED 2,
# EXCLUSIVE_PROCESS 3; https://docs.nvidia.com/deploy/nvml-api/group__nvmlDeviceEnumvs.html).
_COMPUTE_MODE = {"Default": 0, "E. Thread": 1, "Prohibited": 2, "E. Process": 3}


def _smi_table(f: TriageFacts, driver) -> NvmlState | None:
    """The GPU rows of a pasted nvidia-smi table as what NVML answered (nvidia-smi reads NVML): each GPU's memory
    and compute mode, for the same rules that read NVML on a machine."""
    rows = [s for s in f.all("gpu_memory") if not s.stated_by_user]
    if not rows:
        return None
    modes = {s.line: _COMPUTE_MODE.get(s.value) for s in f.all("compute_mode")}
    # the MIG mode is the GPU's next row; a GPU in MIG mode with no MIG instance listed (and none named in
    # CUDA_VISIBLE_DEVICES) has none this process can run on
    migs = {s.line - 1: s.value == "Enabled" for s in f.all("mig_mode") if not s.stated_by_user}
    none_given = 0 if mig_without_instance(f) else None
    names = {s.line + 1: s.value for s in f.all("smi_gpu_name")}  # the name is on the row above
    gpus = []
    for i, s in enumerate(rows):
        used, _, total = s.value.partition("/")
        mig = migs.get(s.line)
        gpus.append(NvmlGpu(i, name=names.get(s.line), memory_used_mib=int(used), memory_total_mib=int(total),
                            compute_mode=modes.get(s.line), mig_enabled=mig, mig_devices=none_given if mig else None))
    return NvmlState("a pasted nvidia-smi table", 0, "NVML_SUCCESS", "ok",
                     driver.value if driver is not None and _looks_like_driver(driver.value) else None, None, None,
                     len(gpus), tuple(gpus))


def cpu_only_install(framework: str, dist: str, version: str, plat: PlatformFacts | None) -> bool:
    """Whether a plain install of `dist` at `version` on this platform (Linux when not known) is a CPU build."""
    return knowledge_cpu_only_install(framework, dist, version, plat.os if plat else "linux")


def _installed_as(d: Distribution) -> bool:
    """The package name is known (a package list or an install command), not a framework named in a sentence:
    "TensorFlow 1.4" in prose may well be tensorflow-gpu."""
    return d.location != STATED_IN_PROSE


def _index_url(f: TriageFacts) -> bool:
    """An install from another index than PyPI (download.pytorch.org, a find-links page)."""
    return any(k in s.text for s in f.all("pip_install") for k in ("--index-url", "--extra-index-url", " -f ",
                                                                     "--find-links", "download.pytorch.org"))


PIP_DIR = "(the framework's pip wheels)"
# Messages that a loaded CUDA/cuDNN is older than the one the framework was built with, with both versions.
_CLASH = ("tf_cudnn_mismatch", "jax_cuda_older", "jax_cudnn_older")
_SYSTEM_DIR = re.compile(r"cuda|cudnn|hpc_sdk|/opt/nvidia", re.I)


def _cudnn_int(n: int) -> str:
    """cuDNN's version number as a version: 8600 is 8.6.0, 90100 is 9.1.0."""
    major, rest = (n // 10000, n % 10000) if n >= 10000 else (n // 1000, n % 1000)
    return f"{major}.{rest // 100}.{rest % 100}"


def _shadowing(f: TriageFacts, t: TargetFacts | None):
    """(framework, the library it loaded from LD_LIBRARY_PATH) when the report shows a framework that brings its
    own CUDA libraries as pip wheels, a system CUDA/cuDNN folder on LD_LIBRARY_PATH, and the framework saying the
    copy it loaded is older than the one it was built with: the system copy came first (rules/cuda.py WG307)."""
    from whynogpu.triage.signals import _pip_libs

    ld = f.first("env:LD_LIBRARY_PATH")
    if ld is None or not _pip_libs(f):
        return None
    folder = next((e for e in ld.value.split(":") if _SYSTEM_DIR.search(e)), None)
    if folder is None:
        return None
    for m in f.has_log(*_CLASH):
        g = m.groups
        if m.id == "tf_cudnn_mismatch":
            found, built, lib, fw = _cudnn_version(g.get("runtime", "")), _cudnn_version(g.get("compiled", "")), "cudnn", \
                "tensorflow"
        elif (m.id == "jax_cudnn_older" or "cudnn" in (g.get("component") or "").lower()) and g.get("found", "").isdigit():
            found, built, lib, fw = _cudnn_int(int(g["found"])), _cudnn_int(int(g["built"])), "cudnn", "jax"
        else:
            continue
        soname = f"lib{lib}.so.{found.split('.')[0]}"
        # ResolvedLib.origin carries the version built against until the pip copy is made from it.
        return fw, ResolvedLib(lib, soname, f"{folder.rstrip('/')}/{soname}", "LD_LIBRARY_PATH", found, built)
    return None


def _cudnn_pair(f: TriageFacts) -> tuple[str | None, str | None]:
    """(cuDNN the TensorFlow build was compiled with, cuDNN it loads or that is installed): TF's own mismatch
    message, else the build's TF_CUDNN_VERSION and the cuDNN the report installs (a package pin, a statement)."""
    for m in f.has_log("tf_cudnn_mismatch"):
        return _cudnn_version(m.groups.get("compiled", "")), _cudnn_version(m.groups.get("runtime", ""))
    built = f.first("env:TF_CUDNN_VERSION")
    have = f.first("cudnn", program_only=True) or f.first("cudnn")
    if built and have and version_key(built.value):
        return _cudnn_version(built.value), _cudnn_version(have.value)
    return None, None


def _pip_cuda(f: TriageFacts) -> bool:
    """The report installs the framework's CUDA libraries as pip wheels ([and-cuda], nvidia-*-cuXX)."""
    return any("and-cuda" in s.value for s in f.all("pip_install")) or any(
        p.name.lower().startswith("nvidia-") for p in f.packages)


def _cudnn_version(v: str) -> str:
    """'8.6.0' → '8.6'; TensorFlow 1.x prints cuDNN as one number, 7004 → '7.0'."""
    if "." not in v and v.isdigit() and len(v) >= 4:
        n = int(v)
        return f"{n // 1000}.{n % 1000 // 100}"
    return ".".join(v.split(".")[:2])


def _build_cuda(f: TriageFacts, b: FrameworkBuildFacts | None) -> dict[str, tuple[str, str]]:
    """The CUDA each framework build was made for, with its origin: torch's +cuXXX tag or torch.version.cuda,
    the JAX plugin's major, else TensorFlow's release row (knowledge/tensorflow_releases.csv)."""
    out: dict[str, tuple[str, str]] = {}
    if b is None:
        return out
    if b.torch and b.torch.cuda_version:
        out["torch"] = (b.torch.cuda_version, PROGRAM)
    if b.jax and b.jax.plugins:
        major = next((m.group(1) for p in b.jax.plugins for m in [re.search(r"cuda(\d+)", p)] if m), None)
        if major:
            out["jax"] = (major, PROGRAM)
    if b.tensorflow and b.tensorflow.cuda_build is not False and b.tensorflow.version:
        row, newer = release_row("tensorflow_releases", b.tensorflow.version)
        if row and not newer:
            out["tensorflow"] = (row["cuda"], INFERRED)
    return out


def _copies(f: TriageFacts, failed: set[str]) -> tuple[list[LibCopy], list[str]]:
    """Copies of CUDA libraries the report shows exist: found by a program (ldconfig -p, find, ls), said to exist
    by the reporter, or named by the CUDA / cuDNN release the reporter installed (NVIDIA names each release's
    files by a fixed rule: knowledge/cuda_sonames.csv)."""
    copies: list[LibCopy] = []
    origins: list[str] = []

    def add(soname: str, path: str, origin: str, detail: str, kind: str = "system") -> None:
        lib = lib_of(soname)
        if lib and not any(c.soname == soname for c in copies):
            copies.append(LibCopy(lib, soname, path, posixpath_dir(path), None, None, kind, detail))
            origins.append(origin)

    for s in f.all("lib_on_disk"):
        if s.stated_by_user:  # "the CUDA runtime on my system is libcudart.so.9.0": where, the report does not say
            add(s.value, _unknown_place(s.value), STATED, f"the reporter says the machine has it (line {s.line})")
            continue
        add(s.value, s.text.split(" => ")[-1].strip() if " => " in s.text else s.text.strip(), PROGRAM,
            f"report line {s.line}")
    # NVIDIA's pip wheels and conda's cudatoolkit/cudnn packages hold the libraries of their names.
    for name, where, origin in _packaged(f):
        for soname in sorted(failed):  # a set: sorted, so the report reads the same on every run
            if name == "*" or lib_of(soname) in WHEEL_LIBS.get(name, ()):
                add(soname, f"({where})", origin, where, "pip" if where.startswith(("pip", "nvidia-")) else "conda")
    # The CUDA release the reporter installed names each library by a fixed rule. A name other than the one
    # asked for is a copy of another release; the same name is a copy only by inference (a partial install
    # or a removed toolkit lacks it).
    windows = any(x.endswith(".dll") for x in failed)
    absent = {s.value.lower() for s in f.all("lib_absent")}  # the reporter looked and it is not there
    for key in ("nvcc_cuda", "cuda"):
        # (the first release that names its libraries: "CUDA 10" alone cannot tell 10.0 from 10.1)
        for s in ([x for x in f.all(key) if soname_family(x.value)] or f.all(key))[:1]:
            family = soname_family(s.value) or _other_major(s.value, failed)
            libs = tuple(sorted({lib_of(x) for x in failed} - {None, "cudnn"} - absent))
            for soname in (sonames(family, libs) if family else {}).values():
                soname = dll_name(soname) if windows else soname
                add(soname, _default_place(s.value, soname, windows), _origin(s.stated_by_user) if soname not in failed
                    else INFERRED, f"CUDA {s.value} as stated (line {s.line}), in its installer's default folder")
    for s in f.all("cudnn")[:1]:
        major = s.value.split(".")[0]
        name = f"cudnn64_{major}.dll" if windows else f"libcudnn.so.{major}"
        if major.isdigit() and any("cudnn" in x and x != name for x in failed):
            add(name, _unknown_place(name), _origin(s.stated_by_user), f"cuDNN {s.value} as stated (line {s.line})")
    # "The file is there", "it works in the terminal (not in Jupyter)", "I installed CUDA and cuDNN": the
    # libraries exist somewhere, unless the installed release names that library otherwise (then the file
    # found is usually that other one).
    said = f.has_cue("file_exists") or f.has_cue("jupyter_only") or f.has_cue("works_elsewhere") or \
        f.has_cue("path_set_elsewhere")
    if said or f.has_cue("cuda_installed") or f.has_cue("cudnn_installed"):
        other = {c.lib for c in copies if c.soname not in failed}
        for soname in sorted(failed):
            # "I installed CUDA" says nothing of cuDNN, a separate download, and the other way round
            installed = f.has_cue("cudnn_installed" if lib_of(soname) == "cudnn" else "cuda_installed")
            if lib_of(soname) not in other and (said or installed):
                add(soname, _unknown_place(soname), STATED if said else INFERRED,
                    f"the reporter says it exists, loads elsewhere, or was installed (line {(said or installed)[0].line})")
    return copies, origins


# Which libraries each NVIDIA wheel or conda package holds ("*": the whole set the framework needs).
WHEEL_LIBS = {
    "nvidia-cudnn": ("cudnn",), "nvidia-cublas": ("cublas", "cublasLt"), "nvidia-cuda-runtime": ("cudart",),
    "nvidia-cufft": ("cufft",), "nvidia-curand": ("curand",), "nvidia-cusolver": ("cusolver",),
    "nvidia-cusparse": ("cusparse",), "nvidia-cuda-nvrtc": ("nvrtc",), "nvidia-cuda-cupti": ("cupti",),
    "cudnn": ("cudnn",), "cudatoolkit": ("cudart", "cublas", "cublasLt", "cufft", "curand", "cusolver", "cusparse"),
}


def _packaged(f: TriageFacts) -> list[tuple[str, str, str]]:
    """(package family, where it is, origin) for NVIDIA pip wheels and conda CUDA packages the report shows
    installed: listed by pip/conda (program output) or installed by a command the reporter ran (stated)."""
    out = []
    for p in f.packages:
        name = re.sub(r"-cu\d+$", "", p.name.lower().replace("_", "-"))
        if name in WHEEL_LIBS:
            conda = bool(p.build) and not p.build.startswith(("cu", "cpu"))
            out.append((name, f"{'conda' if conda or name in ('cudatoolkit', 'cudnn') else 'pip'} package {p.name} "
                              f"{p.version}", PROGRAM))
    listed = {re.sub(r"-cu\d+$", "", p.name.lower().replace("_", "-")) for p in f.packages} & set(WHEEL_LIBS)
    if len(listed - {"cudatoolkit", "cudnn"}) >= 3:  # tensorflow[and-cuda] and torch install the set together
        out.append(("*", "the NVIDIA pip wheels the package list shows", INFERRED))
    for s in f.all("nvidia_wheel"):  # "pip list | grep nvidia shows nvidia-cudnn-cu12 …" in the reporter's words
        base = re.sub(r"-cu\d+$", "", s.value)
        if base in WHEEL_LIBS:
            out.append((base, f"pip package {s.value} (as the report says)", STATED))
    for c in f.cues:  # "I can see the cuDNN files under site-packages/nvidia/cudnn/lib": the wheel's own folder
        if c.id == "pip_nvidia_dir":
            for folder in re.findall(r"site-packages/nvidia/(\w+)", c.text):
                base = {"cuda_runtime": "nvidia-cuda-runtime", "nvjitlink": "nvidia-nvjitlink"}.get(folder, f"nvidia-{folder}")
                if base in WHEEL_LIBS:
                    out.append((base, f"pip wheel folder site-packages/nvidia/{folder} (as the report says)", STATED))
    for s in f.all("pip_install")[:MAX_COMMANDS]:
        conda = s.text.lstrip("$ ").split()[0:1] in (["conda"], ["mamba"], ["micromamba"])
        for name, _version in _installed(s.value):
            base = re.sub(r"-cu\d+$", "", name)
            if base in WHEEL_LIBS:
                out.append((base, f"{'conda' if conda else 'pip'} install {name}", STATED))
            elif name.startswith("tensorflow") and "and-cuda" in s.value:
                out.append(("*", "pip install tensorflow[and-cuda]", STATED))
            elif name.startswith("jax") and re.search(r"\[cuda\d+(?:_pip)?\]", s.value):
                # jax[cuda12] (jax[cuda11_pip] before 0.4.26) brings CUDA and cuDNN as NVIDIA wheels; *_local does not
                out.append(("*", "pip install " + re.search(r"jax\[cuda\d+(?:_pip)?\]", s.value).group(0), STATED))
            elif name == "torch" and re.search(r"\bpip3? install\b", s.text) and "index-url" not in s.value and \
                    "find-links" not in s.value and _pypi_torch_brings_wheels(f, _version):
                # PyTorch's Linux wheels on PyPI take CUDA and cuDNN from nvidia-* wheels pip installs with them
                # since 1.13 (pytorch#85097, the cu117 wheel "with pypi cudnn"; pytorch/test-infra#1145, made the
                # default `pip3 install torch`); a download.pytorch.org index or Windows brings them otherwise, and
                # other resolvers (poetry) have installed torch without them
                out.append(("*", "nvidia-* that `pip install torch` installs with it", INFERRED))
    return out


def _pypi_torch_brings_wheels(f: TriageFacts, version: str | None) -> bool:
    plat = (f.first("os").value.lower() if f.first("os") else "")
    if f.has_cue("windows", "macos", "wsl1") or "windows" in plat or "mac" in plat:
        return False
    v = version or (f.first("torch_version").value if f.first("torch_version") else "")
    return not v or version_key(v)[:2] >= (1, 13)


def _finds_pip(framework: str, version: str) -> bool:
    """Whether this framework release looks in NVIDIA's pip wheels by itself: TensorFlow per release
    (knowledge/tensorflow_pip_cuda.csv); torch and the JAX plugins point their RUNPATH at them."""
    if framework != "tensorflow":
        return True
    row, _ = release_row("tensorflow_pip_cuda", version or "0") if version_key(version or "0") >= (2, 12) else (None, None)
    return bool(row and row.get("finds_pip_wheels") == "yes")


def lib_of(soname: str) -> str | None:
    """The library a file name is of; cuDNN 8's sub-libraries (libcudnn_ops_infer.so.8, cudnn_cnn_infer64_8.dll)
    are cuDNN."""
    if "cudnn" in soname.lower():
        return "cudnn"
    name = parse_lib_name(soname)
    if name is None and soname.endswith(".so"):
        # a dlerror may name the unversioned link a library opens by that name ("libnvrtc.so: cannot open …")
        name = parse_lib_name(soname + ".0")
    return name.lib if name else None


def posixpath_dir(path: str) -> str:
    """The folder of a path, POSIX or Windows (a pasted report may hold either)."""
    cut = max(path.rfind("/"), path.rfind("\\"))
    return path[:cut] if cut > 0 else path


def _cuda_major_of(soname: str) -> int | None:
    """The CUDA major a toolkit library's file name belongs to: libcudart.so.11.0 → 11, cudart64_80.dll → 8,
    cudart64_101.dll → 10, cublas64_12.dll → 12 (Windows names carry major and minor up to CUDA 11.0)."""
    name = parse_lib_name(soname)
    if name is None or not name.major or "cudnn" in soname.lower():
        return None
    head = name.major.split(".")[0]
    if not head.isdigit():
        return None
    n = int(head)
    return n // 10 if soname.endswith(".dll") and n >= 70 else n


def _other_major(cuda: str, failed: set[str]) -> str | None:
    """For a release stated by its major alone ("CUDA 9"), a family of that major when every toolkit library that
    failed belongs to another major: any minor of it names them otherwise (9.x never gives cudart64_80.dll)."""
    k = version_key(cuda)
    majors = {_cuda_major_of(x) for x in failed if lib_of(x) not in (None, "cudnn")}
    if len(k) != 1 or not majors or None in majors or k[0] in majors:
        return None
    return str(k[0]) if k[0] >= 11 else f"{k[0]}.0"


def _default_place(cuda: str, soname: str, windows: bool) -> str:
    """Where NVIDIA's installer puts a CUDA release's libraries by default: the folder a fix can name when the
    report gives the release but not the path (Linux /usr/local/cuda-X.Y/lib64; Windows the toolkit's bin)."""
    if windows:
        return f"C:\\Program Files\\NVIDIA GPU Computing Toolkit\\CUDA\\v{cuda}\\bin\\{soname}"
    return f"/usr/local/cuda-{cuda}/lib64/{soname}"


def _unknown_place(soname: str) -> str:
    """A copy the reporter says exists, somewhere: the fix names the folder as a placeholder to fill in."""
    return f"<the folder that holds {soname}>/{soname}"


def _looks_like_driver(v: str) -> bool:
    k = version_key(v)
    return len(k) >= 2 and k[0] >= 100


_VERSION_KEYS = {"torch": "torch_version", "tensorflow": "tf_version", "jax": "jax_version"}


def _same_build(a: str, b: str) -> bool:
    """Two ways of writing one build: 2.12 and 2.12.0; 2.0.0+cpu and 2.0.0+cu118 are two."""
    (ra, _, ta), (rb, _, tb) = a.partition("+"), b.partition("+")
    ka, kb = version_key(ra), version_key(rb)
    n = min(len(ka), len(kb))
    return ka[:n] == kb[:n] and (not ta or not tb or ta == tb)


def _failing_version(f: TriageFacts, key: str):
    """The version fact of a framework, the one printed by the failing run when the report shows two runs that
    print different ones (an app's banner of the run that worked and of the run that stays on the CPU)."""
    facts = f.all(key)
    if any(not _same_build(s.value, facts[0].value) for s in facts[1:]):
        failing = {m.line for m in f.log if m.kind in ("error", "warning")}
        ran = {m.line for m in f.log if m.kind == "success"}
        if failing and ran:
            return next((s for s in facts if s.line in failing), facts[0])
        if ran:  # the run the report is about is the one not shown at work on the GPU
            return next((s for s in facts if s.line not in ran), facts[0])
        cpu = [s for s in facts if s.value.endswith("+cpu")]
        if cpu and len(cpu) < len(facts):  # nothing printed decides: the CPU build is the one that stays on the CPU
            return cpu[0]
    return facts[0] if facts else None


_VARIANT_WORD = re.compile(r"\b(tensorflow-gpu|tensorflow-cpu|tensorflow-intel|tf-nightly|tensorflow)\b(?![-_.\w])")


def _variant_named(text: str) -> str:
    low = text.lower()
    for n in ("tensorflow-gpu", "tensorflow-cpu", "tensorflow-intel", "tf-nightly"):
        if n in low:
            return n
    return "tensorflow"


_REQ = re.compile(r"^(?P<name>[A-Za-z0-9][\w.-]*)(?:\[[^\]]*\])?(?:={2,3}(?P<version>\d[\w.+]*))?")


def _installed(args: str) -> list[tuple[str, str]]:
    """(name, pinned version or "") of each requirement in a pip/conda install command's arguments."""
    out = []
    skip = False
    for word in args.split():
        if word in ("->", "=>", "&&", "||", "|", ";", "#", ">") or word.endswith(":") or word.startswith("#"):
            break  # the command ends here: what follows is its output or another command
        if skip or word.startswith("-"):
            skip = word in ("-f", "-i", "--index-url", "--extra-index-url", "-c", "-r", "--find-links")
            continue
        m = _REQ.match(word.strip("'\""))
        if m:
            out.append((m.group("name").lower().replace("_", "-"), m.group("version") or ""))
    return out


def _wants_cuda_dylib(f: TriageFacts, framework: str) -> bool:
    """The framework's import asks macOS's loader for a CUDA library (@rpath/libcudart.8.0.dylib): a CUDA build."""
    return any(m.groups.get("framework") in (None, framework) for m in f.has_log("macos_cuda_dylib"))


def _conda_tf_build(f: TriageFacts) -> bool | None:
    """Whether conda's TensorFlow build is a CUDA one, by its build string: Anaconda's variants are gpu_, mkl_ and
    eigen_ (the tensorflow-gpu/-mkl/-eigen metapackages select one: https://anaconda.org/anaconda/tensorflow-mkl),
    conda-forge's cuda… (chosen with `tensorflow=*=cuda*`) and cpu_."""
    for p in f.packages:
        if p.name.lower() in ("tensorflow", "tensorflow-base") and p.build:
            build = p.build.lower()
            if build.startswith(("gpu_", "cuda")):
                return True
            if build.startswith(("mkl_", "eigen_", "cpu_")):
                return False
    return None


def torch_wheel_cuda(f: TriageFacts, version: str, plat: PlatformFacts | None) -> tuple[str | None, bool | None]:
    """torch.version.cuda and whether this is a CUDA build: the +cuXXX tag, what torch printed, else for a plain
    Linux wheel from PyPI the release's default CUDA (knowledge/torch_pypi_default_cuda.csv)."""
    m = _CU_TAG.search(version)
    if m:
        return f"{m.group(1)}{m.group(2)[:-1] or '0'}.{m.group(2)[-1]}" if len(m.group(2)) > 1 else \
            f"{m.group(1)}.{m.group(2)}", True
    if version.endswith("+cpu") or "+rocm" in version:  # a ROCm build has torch.version.hip, no CUDA
        return None, False
    said = f.first("torch_version_cuda") or f.first("torch_build_cuda")
    if said is not None:
        v = said.value.strip("'\"")
        if v in ("None", "none", "Could not collect"):
            return None, False
        if version_key(v):
            return v, True
    conda = next((p for p in f.packages if p.name.lower() in ("torch", "pytorch") and p.build), None)
    if conda is not None:  # conda's build string says which: py3.10_cpu_0, py3.10_cuda11.8_cudnn8.7.0_0
        # pytorch's channel: py3.10_cuda11.8_cudnn8.7.0_0; conda-forge's: cuda126_generic_py312h… (CUDA 12.6)
        cu = re.search(r"cuda_?(\d+)\.(\d+)", conda.build) or re.match(r"cuda(\d{2})(\d)_", conda.build)
        if cu:
            return f"{cu.group(1)}.{cu.group(2)}", True
        if "cpu" in conda.build.lower():
            return None, False
    if version and "+" not in version and not conda and (plat is None or plat.os == "linux"):
        row, newer = release_row("torch_pypi_default_cuda", version, "torch")
        if row and not newer:
            return row["cuda"], True
    return None, None


def _only_named(f: TriageFacts) -> str | None:
    """The one framework the reporter names in words, when the report gives no version, package or message of any."""
    named = {c.id for c in f.cues if c.id in ("names_tensorflow", "names_pytorch", "names_jax")}
    return {"names_tensorflow": "tensorflow", "names_pytorch": "torch", "names_jax": "jax"}[named.pop()] \
        if len(named) == 1 else None


def main_framework(f: TriageFacts, t: TargetFacts | None) -> str | None:
    """The framework a report is about: the first whose version it gives, else installs or lists, else prints."""
    for key, fw in (("tf_version", "tensorflow"), ("torch_version", "torch"), ("jax_version", "jax")):
        if f.first(key):
            return fw
    if t is not None:
        for name, fw in (("tensorflow", "tensorflow"), ("torch", "torch"), ("jax", "jax")):
            if t.dist(name):
                return fw
    for m in f.log:
        fw = framework_of(m)
        if fw:
            return fw
    return None


def version_of(t: TargetFacts | None, fw: str) -> str | None:
    """The installed version of a framework (any of TensorFlow's package names) in the report's environment."""
    if t is None:
        return None
    names = TF_VARIANTS if fw == "tensorflow" else (fw,)
    d = next((t.dist(n) for n in names if t.dist(n)), None)
    return d.version if d else None


def _image_with_cuda(f: TriageFacts) -> bool:
    """The report runs a container image that holds the CUDA toolkit's libraries (knowledge/container_images.csv)."""
    return any((row := image_row(s.value)) is not None and row["provides"] in ("cuda", "cuda_cudnn", "framework_gpu")
               for s in f.all("image"))


def _gpus_seen(f: TriageFacts) -> dict[str, tuple[GpuDevice, ...]]:
    """GPUs a framework said it created or listed (device lines, PhysicalDevice lists, is_available() True)."""
    out: dict[str, list[GpuDevice]] = {}
    for m in f.log:
        if m.kind != "success" or m.line in f.prose_log_lines:
            continue
        fw = framework_of(m) or "tensorflow"
        found = out.setdefault(fw, [])
        found.append(GpuDevice(len(found), m.groups.get("name"), m.groups.get("cc")))
    for s in f.all("torch_cuda_available"):
        if s.value == "True" and not s.stated_by_user:
            out.setdefault("torch", []).append(GpuDevice(0, None, None))
    for s in f.all("tf_gpus"):
        if s.value.isdigit() and int(s.value) > 0 and not s.stated_by_user:
            out.setdefault("tensorflow", []).append(GpuDevice(0, None, None))
    return {k: tuple(v) for k, v in out.items() if v}


# a command line that starts a container from an image named on it (docker run is its own fact, docker_run)
_CONTAINER_TOOL = re.compile(r"\b(?:nvidia-docker|docker|podman|nerdctl|distrobox|toolbox|apptainer|singularity)\b", re.I)
_STARTS_CONTAINER = re.compile(r"\b(?:distrobox|toolbox|apptainer|singularity)\b|\bnerdctl\s+run\b")


def build(f: TriageFacts, scan: ScanFacts | None, pasted: tuple[DeclaredFile, ...] = ()) -> list[ProbeResult]:
    """The probe results a report amounts to, and each one's origin."""
    b = _Build(f)
    plat = b.platform()
    b.gpu_and_driver(plat)
    t = b.target()
    runs = b.live(t)
    builds = b.builds(t, runs, plat)
    b.cuda_libs(builds, t)
    b.environment()
    b.containers(pasted)
    b.code(scan)
    origins = {k: v.value for k, v in b.origins.items()}
    return [replace(r, origin=origins.get(r.name, PROGRAM)) for r in b.results]
