"""WG725: `check --scan` of a container file whose nvidia/cuda image is newer than the machine's driver runs."""

from __future__ import annotations

from whynogpu.facts.driver import DriverFacts
from whynogpu.facts.files import DOCKERFILE, DeclaredFile, FileScanFacts, Spot, Stage, Workload
from whynogpu.facts.platform import PlatformFacts
from whynogpu.knowledge import table
from whynogpu.pipeline import report_from_snapshot
from whynogpu.probes import snapshot_of
from whynogpu.rules.images import image_cuda

LINUX = PlatformFacts("linux", "6.8.0-45-generic", "Ubuntu 24.04.1 LTS", "x86_64", None, None, (), "box")
WSL2 = PlatformFacts("linux", "5.15.153.1-microsoft-standard-WSL2", "Ubuntu 22.04", "x86_64", 2, None, (), "pc")


def dockerfile(image: str, ignored=()) -> FileScanFacts:
    spot = Spot(1, 6, f"FROM {image}", ignored)
    return FileScanFacts(("Dockerfile",), 1, (DeclaredFile("Dockerfile", DOCKERFILE, stages=(Stage(0, image, "", None, spot),)),))


def driver(version=None, cuda=None) -> DriverFacts:
    return DriverFacts(version, cuda, 1, "nvml", (), None, None, None, None)


def wg725(*facts):
    return [f for f in report_from_snapshot(snapshot_of(*facts)).findings if f.code == "WG725"]


def test_image_cuda_reads_the_tag():
    assert image_cuda("nvidia/cuda:12.8.1-cudnn-runtime-ubuntu24.04") == "12.8"
    assert image_cuda("docker.io/nvidia/cuda:11.8.0-base-ubuntu22.04") == "11.8"
    assert image_cuda("nvcr.io/nvidia/cuda:13.0.0-devel-ubuntu24.04") == "13.0"
    assert image_cuda("nvidia/cuda:latest") is None and image_cuda("python:3.11") is None
    assert image_cuda("nvidia/cuda:${CUDA}-runtime") is None


def test_cuda_12_8_image_on_a_550_driver_is_driver_too_old():
    # the case of theroyallab/tabbyAPI#324: driver 550.144.03 (CUDA 12.4), image needs cuda>=12.8
    [f] = wg725(LINUX, driver("550.144.03", "12.4"), dockerfile("nvidia/cuda:12.8.1-cudnn-runtime-ubuntu24.04"))
    need = next(r["linux_min"] for r in table("cuda_drivers") if r["cuda"] == "12.8")
    assert f.category == "driver_too_old" and f.severity.value == "error"
    assert f.location.path == "Dockerfile" and f.location.line == 1
    assert need in f.fix.text and "nvidia/cuda:12.4" in f.fix.commands[0]
    assert report_from_snapshot(snapshot_of(LINUX, driver("550.144.03", "12.4"),
                                            dockerfile("nvidia/cuda:12.8.1-runtime-ubuntu24.04"))).verdict.root_cause \
        == "driver_too_old"


def test_a_driver_new_enough_or_an_older_image_gives_nothing():
    assert not wg725(LINUX, driver("570.133.20", "12.8"), dockerfile("nvidia/cuda:12.8.1-runtime-ubuntu24.04"))
    assert not wg725(LINUX, driver("550.144.03", "12.4"), dockerfile("nvidia/cuda:12.4.1-runtime-ubuntu22.04"))
    assert not wg725(LINUX, driver("550.144.03", "12.4"), dockerfile("python:3.11-slim"))
    assert not wg725(LINUX, dockerfile("nvidia/cuda:13.0.0-runtime-ubuntu24.04"))  # no driver known: scan's business


def test_driver_version_alone_uses_the_table_and_wsl_the_windows_column():
    assert wg725(LINUX, driver("535.183.01"), dockerfile("nvidia/cuda:12.6.3-runtime-ubuntu24.04"))
    assert not wg725(LINUX, driver("560.35.03"), dockerfile("nvidia/cuda:12.6.3-runtime-ubuntu24.04"))
    win = next(r["windows_min"] for r in table("cuda_drivers") if r["cuda"] == "12.6")
    [f] = wg725(WSL2, driver("551.78"), dockerfile("nvidia/cuda:12.6.3-runtime-ubuntu24.04"))
    assert win in f.fix.text


def test_compose_image_and_suppression():
    spot = Spot(4, 12, "image: nvidia/cuda:13.0.0-base-ubuntu24.04")
    facts = FileScanFacts(("compose.yaml",), 1, (DeclaredFile("compose.yaml", "compose", workloads=(
        Workload("compose", "app", "nvidia/cuda:13.0.0-base-ubuntu24.04", spot, gpu_request="gpus: all"),)),))
    [f] = wg725(LINUX, driver("570.133.20", "12.8"), facts)
    assert f.location.line == 4
    assert not wg725(LINUX, driver("570.133.20", "12.8"),
                     dockerfile("nvidia/cuda:13.0.0-base-ubuntu24.04", ignored=("WG725",)))
