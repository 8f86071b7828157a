"""Workloads and their environment: containers, compose services, Kubernetes pods and Slurm jobs that
hide the GPU (CUDA_VISIBLE_DEVICES, NVIDIA_VISIBLE_DEVICES) or never ask for one.

The facts come from whynogpu/lint/ (Dockerfile ENV, launcher scripts, compose, Kubernetes manifests,
Slurm batch scripts). How sure a finding is follows the rest of the file, as in rules/files.py.
"""

from __future__ import annotations

import posixpath
import re

from whynogpu.facts import files as K
from whynogpu.facts.files import DeclaredFile, EnvVar, FileScanFacts, Spot, Workload
from whynogpu.knowledge import image_row
from whynogpu.lint.scripts import GPU_PLACE
from whynogpu.model import Evidence, Fix, Severity
from whynogpu.parsers.cuda_visible_devices import names_a_later_gpu, parse_visible_devices
from whynogpu.rules import rule
from whynogpu.rules.files import (
    GPU_KINDS,
    MODES,
    cpu_by_design,
    deliberate_cpu,
    final,
    gpu_signals,
    image_provides,
    location_of,
    scan_facts,
    seen_in,
    silenced,
)


def _all_env(df: DeclaredFile) -> list[tuple[str, EnvVar]]:
    if df.kind == K.DOCKERFILE:
        return [("ENV", e) for st in final(df) for e in st.env]
    if df.kind == K.SCRIPT:
        return [("set by the launcher script", e) for e in df.env]
    return [(w.name, e) for w in df.workloads for e in w.env]


@rule(
    "WG726", "cuda_visible_devices_hidden_in_file", "cuda_visible_devices_hidden",
    "A container or launcher sets CUDA_VISIBLE_DEVICES to a value that hides the GPU",
    detects="CUDA_VISIBLE_DEVICES set to an empty value, -1 or another value CUDA accepts no device from, by a "
            "Dockerfile ENV (final image), a compose service's environment, a Kubernetes container's env, or a "
            "launcher script outside any condition (files named for the CPU are left alone); a warning for an index "
            "beyond the first GPU (`=4`), which a machine or container with fewer GPUs does not have.",
    why="CUDA shows the process only the devices the variable names; with this value every framework in the "
        "container finds no GPU, however the GPU was passed in.",
    example="Dockerfile:4:5 `ENV CUDA_VISIBLE_DEVICES=-1`",
    fix="Delete the setting (the container runtime already decides which GPUs the container sees).",
    references=("https://docs.nvidia.com/cuda/cuda-c-programming-guide/index.html#env-vars",),
    modes=(*MODES, "triage"),  # a file pasted into a report (triage/files.py) is read the same way
)
def cuda_visible_devices_hidden_in_file(info, snap):
    facts = scan_facts(snap)
    for df in facts.files if facts else ():
        if deliberate_cpu(df, ""):
            continue
        for who, e in _all_env(df):
            if e.name != "CUDA_VISIBLE_DEVICES" or silenced(e.spot, info.code):
                continue
            vd = parse_visible_devices(e.value, None)
            later = names_a_later_gpu(vd)
            if not vd.hides_all and later is None:
                continue
            where = "this script starts" if df.kind == K.SCRIPT else "in this container"
            yield info.finding(
                Severity.ERROR if vd.hides_all else Severity.WARNING,
                [seen_in(df, e.spot, who),
                 Evidence(f"CUDA_VISIBLE_DEVICES={e.value!r}: " + (vd.stop_reason or "") if vd.hides_all else
                          f"CUDA_VISIBLE_DEVICES={e.value!r}: it names GPU {later} first; a machine (or a container "
                          f"given GPUs, which counts them from 0) with {later} GPU(s) or fewer has none visible",
                          df.path)],
                f"Every process {where} starts with the GPU hidden from CUDA, so the frameworks run on the CPU."
                if vd.hides_all else
                f"Every process {where} sees only GPU {later} and later: where there are fewer, CUDA finds none.",
                Fix("Delete this setting:", (f"# delete: {e.spot.text}",)),
                location=location_of(df, e.spot),
            )


# NVIDIA_VISIBLE_DEVICES values with which the NVIDIA container runtime hands in no GPU
NO_GPU_VALUES = ("void", "none", "")


@rule(
    "WG727", "nvidia_container_env_hides_gpu", "container_no_gpu",
    "The container's NVIDIA_* settings give it no GPU",
    detects="NVIDIA_VISIBLE_DEVICES set to void, none or an empty value, or NVIDIA_DRIVER_CAPABILITIES without "
            "`compute` (or `all`), in a Dockerfile ENV, a compose service or a Kubernetes container.",
    why="The NVIDIA container runtime reads these: with void or an empty value it behaves like plain runc, with "
        "none it mounts no GPU, and without the compute capability it does not mount libcuda, so CUDA cannot start.",
    example="compose.yaml:9:9 `- NVIDIA_VISIBLE_DEVICES=void`",
    fix="Delete the setting, or set NVIDIA_VISIBLE_DEVICES=all and NVIDIA_DRIVER_CAPABILITIES=compute,utility.",
    references=("https://docs.nvidia.com/datacenter/cloud-native/container-toolkit/latest/docker-specialized.html",),
    modes=(*MODES, "triage"),  # a file pasted into a report (triage/files.py) is read the same way
)
def nvidia_container_env_hides_gpu(info, snap):
    facts = scan_facts(snap)
    for df in facts.files if facts else ():
        for who, e in _all_env(df):
            if silenced(e.spot, info.code):
                continue
            v = e.value.strip().lower()
            if e.name == "NVIDIA_VISIBLE_DEVICES" and v in NO_GPU_VALUES:
                why = {"void": "void makes the NVIDIA runtime behave like runc (no GPU, no driver libraries)",
                       "none": "none: no GPU is made accessible",
                       "": "an empty value makes the NVIDIA runtime behave like runc"}[v]
            elif e.name == "NVIDIA_DRIVER_CAPABILITIES" and v and not ({"compute", "all"} & set(re.split(r"[,\s]+", v))):
                why = "without `compute` the runtime does not mount libcuda into the container"
            else:
                continue
            # a compose reservation's capabilities list (lint/compose.py): Docker sets the variable from it, over the
            # service's own environment
            reserved = e.spot.text.lstrip(" -").startswith("capabilities")
            yield info.finding(
                Severity.ERROR, [seen_in(df, e.spot, who), Evidence(
                    "Docker sets NVIDIA_DRIVER_CAPABILITIES to the driver capabilities of this list, over the "
                    f"service's environment: {e.value}; {why}" if reserved else why, df.path)],
                "The container starts without a usable GPU, so the frameworks in it run on the CPU.",
                Fix("Add compute to the reservation's capabilities:",
                    ("capabilities: [gpu, compute, utility]",)) if reserved else
                Fix("Delete the setting, or give the container the GPU and CUDA:",
                    ("NVIDIA_VISIBLE_DEVICES=all" if e.name == "NVIDIA_VISIBLE_DEVICES"
                     else "NVIDIA_DRIVER_CAPABILITIES=compute,utility",)),
                location=location_of(df, e.spot),
            )


def _gpu_image(facts: FileScanFacts, w: Workload) -> str:
    """Why this workload's image is meant for a GPU, or ""."""
    row = image_row(w.image)
    if row and row["provides"] in GPU_KINDS:
        return f"{w.image} is a CUDA image ({row['note']})"
    base = next((a for a in w.build_args if (r := image_row(a)) and r["provides"] in GPU_KINDS), None)
    if base:
        return f"its build passes {base}, a CUDA image, to its Dockerfile"
    if w.dockerfile:
        for df in facts.files:
            if df.kind == K.DOCKERFILE and posixpath.normpath(df.path) == w.dockerfile and df.stages:
                stages = final(df)
                if image_provides(stages[0].image) in GPU_KINDS:
                    return f"it builds {df.path}, whose base image {stages[0].image} is a CUDA image"
                signals = gpu_signals([r for st in stages for r in st.requirements])
                if signals:
                    return f"it builds {df.path}, which installs {signals[0]}"
    return ""


# A variable that chooses the device an app computes on (DEVICE, TORCH_DEVICE, INFERENCE_DEVICE, ACCELERATOR), set to the GPU
_DEVICE_VAR = re.compile(r"^(?:\w+_)?(?:DEVICE|ACCELERATOR)$", re.I)
_GPU_VALUE = re.compile(r"^(?:cuda(?::\d+)?|gpu(?::\d+)?)$", re.I)
# A Dockerfile named for the GPU: Dockerfile-gpu, Dockerfile.cuda, gpu.Dockerfile
_GPU_DOCKERFILE = re.compile(r"(?:^|[-_.])(?:gpu|cuda)(?:[-_.]|$)", re.I)


def _gpu_intent(w: Workload) -> tuple[str, Spot] | None:
    """Why the workload itself says it wants a GPU when its image does not tell (a Dockerfile not scanned, an image of
    the project's own), and where: its device variable set to cuda, NVIDIA_VISIBLE_DEVICES naming GPUs (which only the
    NVIDIA runtime reads), a Dockerfile named for the GPU, or `--gpus` handed to the program, where Docker never sees
    it. None when it says nothing."""
    for e in w.env:
        if _DEVICE_VAR.match(e.name) and _GPU_VALUE.match(e.value.strip("\"' ")):
            return f"its {e.name}={e.value} tells the program to compute on the GPU", e.spot
        if e.name == "NVIDIA_VISIBLE_DEVICES" and e.value.strip("\"' ").lower() not in NO_GPU_VALUES:
            return (f"it sets NVIDIA_VISIBLE_DEVICES={e.value}, which only the NVIDIA runtime reads (unless that runtime "
                    "is the Docker daemon's default, nothing hands the GPU in)"), e.spot
    if w.dockerfile and _GPU_DOCKERFILE.search(posixpath.basename(w.dockerfile)):
        return f"it builds {w.dockerfile}, a Dockerfile named for the GPU", w.spot
    for c in w.commands:
        if "--gpus" in c.text:
            return f"its {c.where} passes `--gpus` to the program in the container, where Docker never reads it", c.spot
    return None


@rule(
    "WG728", "compose_service_without_gpu", "container_no_gpu",
    "A compose service runs a GPU image but reserves no GPU",
    detects="A service whose image is a CUDA image (nvidia/cuda, *-gpu, pytorch/pytorch:*cuda*, NGC) or that builds "
            "a Dockerfile with a CUDA base or CUDA framework builds, with no device reservation with capabilities "
            "[gpu], no `gpus:`, no `runtime: nvidia` and no CDI nvidia.com/gpu device — in this compose file or "
            "another compose file of the same folder (an override file). Where the image does not tell, a service that "
            "says it wants a GPU (a DEVICE variable set to cuda, NVIDIA_VISIBLE_DEVICES naming GPUs, a Dockerfile named "
            "for the GPU, `--gpus` passed to the program) gets a warning.",
    why="Compose starts the container without GPU access: no /dev/nvidia*, no libcuda, so the framework falls "
        "back to the CPU.",
    example="docker-compose.yml:4:12 `image: tensorflow/tensorflow:2.15.0-gpu` (service train)",
    fix="Add deploy.resources.reservations.devices: [{driver: nvidia, count: all, capabilities: [gpu]}].",
    references=("https://docs.docker.com/compose/how-tos/gpu-support/",),
    modes=(*MODES, "triage"),  # a file pasted into a report (triage/files.py) is read the same way
)
def compose_service_without_gpu(info, snap):
    facts = scan_facts(snap)
    if not facts:
        return
    asked = {(posixpath.dirname(f.path), w.name) for f in facts.files if f.kind == K.COMPOSE
             for w in f.workloads if w.gpu_request}
    for df in facts.files:
        if df.kind != K.COMPOSE:
            continue
        for w in df.workloads:
            if w.gpu_request or (posixpath.dirname(df.path), w.name) in asked or silenced(w.spot, info.code) or \
                    cpu_by_design(df, w):
                continue
            why = _gpu_image(facts, w)
            intent = None if why else _gpu_intent(w)
            if not why and intent is None:
                continue
            yield info.finding(
                # (a CUDA image is meant for a GPU; the service's own words only say it wants one)
                Severity.ERROR if why else Severity.WARNING,
                [seen_in(df, w.spot, f"service {w.name}"), Evidence(why or intent[0], df.path),
                 Evidence("no GPU reservation, gpus:, runtime: nvidia or CDI device", df.path)],
                f"Compose starts {w.name} without GPU access, so the framework in it runs on the CPU.",
                Fix(f"Reserve a GPU for {w.name}:",
                    ("deploy:", "  resources:", "    reservations:", "      devices:",
                     "        - driver: nvidia", "          count: all", "          capabilities: [gpu]")),
                location=location_of(df, w.spot),
            )


@rule(
    "WG729", "kubernetes_container_without_gpu", "container_no_gpu",
    "A Kubernetes container runs a GPU image but requests no GPU",
    detects="A container (not an init container) whose image is a CUDA image, with no nvidia.com/… resource in "
            "its limits or requests and no dynamic resource claim, in any manifest (Helm-rendered too).",
    why="Without the resource the scheduler may place the pod on a node without a GPU, and the device plugin "
        "gives the container no GPU, so the framework runs on the CPU.",
    example="deploy/train.yaml:18:16 `image: nvcr.io/nvidia/pytorch:24.05-py3` (Job/train/trainer)",
    fix="Add resources.limits: {nvidia.com/gpu: 1} to the container.",
    references=("https://kubernetes.io/docs/tasks/manage-gpus/scheduling-gpus/",
                "https://github.com/NVIDIA/k8s-device-plugin"),
    modes=(*MODES, "triage"),  # a file pasted into a report (triage/files.py) is read the same way
)
def kubernetes_container_without_gpu(info, snap):
    facts = scan_facts(snap)
    for df in facts.files if facts else ():
        if df.kind != K.KUBERNETES:
            continue
        for w in df.workloads:
            if w.init or w.gpu_request or silenced(w.spot, info.code) or cpu_by_design(df, w):
                continue
            why = _gpu_image(facts, w)
            if not why:
                continue
            yield info.finding(
                Severity.ERROR, [seen_in(df, w.spot, w.name), Evidence(why, df.path),
                                 Evidence("no nvidia.com/gpu limit or request, no resource claim", df.path)],
                f"{w.name} asks Kubernetes for no GPU, so it gets none and the framework runs on the CPU.",
                Fix("Request a GPU in the container's resources:",
                    ("resources:", "  limits:", "    nvidia.com/gpu: 1")),
                location=location_of(df, w.spot),
            )


_CUDA_MODULE = re.compile(r"^(?:module|ml)\s+(?:load|add)\s+.*\bcuda", re.I)


@rule(
    "WG731", "slurm_job_without_gpu", "gpu_access_restricted",
    "A Slurm batch job meant for GPU nodes asks Slurm for no GPU",
    detects="A batch script (`#SBATCH` lines before its first command) whose partition, constraint or QOS names GPUs "
            "(gpu, a100, …), or that loads a CUDA module, with no --gres=gpu…, --gpus…, -G or --tres-per-…=gres/gpu.",
    why="Slurm hands a job only the GPUs it requests as a generic resource; where the cluster constrains devices "
        "(cgroup.conf ConstrainDevices=yes) the job's processes cannot open the node's /dev/nvidia*, and CUDA finds "
        "no GPU even on a GPU node. (A cluster that schedules GPUs by partition alone needs no request.)",
    example="training.sbatch:8:1 `#SBATCH --constraint=gpu` … `srun python train.py` (no --gpus-per-node)",
    fix="Ask for the GPUs: #SBATCH --gres=gpu:1 (or --gpus-per-node=1).",
    references=("https://slurm.schedmd.com/gres.html", "https://slurm.schedmd.com/cgroup.conf.html"),
    modes=(*MODES, "triage"),  # a file pasted into a report (triage/files.py) is read the same way
)
def slurm_job_without_gpu(info, snap):
    facts = scan_facts(snap)
    for df in facts.files if facts else ():
        for w in df.workloads:
            if w.kind != K.SLURM or w.gpu_request or silenced(w.spot, info.code) or deliberate_cpu(df, ""):
                continue
            module = next((c for c in df.commands if _CUDA_MODULE.match(c.text)), None)
            if not GPU_PLACE.search(w.placement) and module is None:
                continue
            why = (f"it asks to run on {w.placement}" if GPU_PLACE.search(w.placement) else
                   f"it loads CUDA (`{module.text}`)")
            yield info.finding(
                Severity.WARNING,
                [seen_in(df, w.spot, "the job's #SBATCH lines"), Evidence(why, df.path),
                 Evidence("no --gres=gpu, --gpus, -G or --tres-per-…=gres/gpu among them", df.path)],
                "This job is meant for GPU nodes but asks Slurm for no GPU: where Slurm constrains devices, CUDA in "
                "it finds none and the framework runs on the CPU.",
                Fix("Ask for the GPUs among the #SBATCH lines:", ("#SBATCH --gres=gpu:1   # or --gpus-per-node=1",)),
                location=location_of(df, w.spot),
            )


@rule(
    "WG732", "kaggle_kernel_without_gpu", "no_nvidia_gpu",
    "A Kaggle kernel is pushed to run without a GPU",
    detects="A kernel-metadata.json (what `kaggle kernels push` sends) with `enable_gpu` false or missing and no "
            "`machine_shape` naming an NVIDIA machine.",
    why="Kaggle runs the kernel on the machine this file asks for; without a GPU accelerator that machine has no "
        "NVIDIA GPU, so the framework finds none and the notebook runs on the CPU.",
    example='kernel-metadata.json:8:1 `"enable_gpu": false`',
    fix='Ask for a GPU: "enable_gpu": true (or "machine_shape": "NvidiaTeslaT4"), or push with '
        "`kaggle kernels push --accelerator NvidiaTeslaT4`.",
    references=("https://github.com/Kaggle/kaggle-api/wiki/Kernel-Metadata",),
    modes=(*MODES, "triage"),
)
def kaggle_kernel_without_gpu(info, snap):
    facts = scan_facts(snap)
    for df in facts.files if facts else ():
        for w in df.workloads:
            if w.kind != K.KAGGLE or w.gpu_request or silenced(w.spot, info.code) or deliberate_cpu(df, ""):
                continue
            yield info.finding(
                Severity.WARNING, [seen_in(df, w.spot, f"kernel {w.name}: no GPU accelerator asked for")],
                "Kaggle runs this kernel on a machine without a GPU: the framework there finds none and runs on the "
                "CPU (fine only for a notebook meant for the CPU).",
                Fix("Ask Kaggle for a GPU in kernel-metadata.json:", ('"enable_gpu": true',)),
                location=location_of(df, w.spot),
            )
