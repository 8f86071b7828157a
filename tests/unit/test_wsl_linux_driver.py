"""A Linux NVIDIA driver installed inside WSL2 shadows the Windows driver's libcuda in /usr/lib/wsl/lib."""

from __future__ import annotations

from whynogpu.facts.driver import CudaInit, DriverFacts, LibraryCopy
from whynogpu.facts.platform import PlatformFacts
from whynogpu.pipeline import report_from_snapshot
from whynogpu.probes import snapshot_of
from whynogpu.rules import load_all

WSL2 = PlatformFacts("linux", "5.15.153.1-microsoft-standard-WSL2", "Ubuntu 22.04.4 LTS", "x86_64", 2, None, (), "DESKTOP-1")
# /usr/lib/wsl/lib as WSL mounts it (tests/fixtures/hosts/wsl2-with-gpu), listed by ldconfig -p via ld.wsl.conf
WSL_LIBS = (LibraryCopy("libcuda.so.1", "/usr/lib/wsl/lib/libcuda.so.1", "/usr/lib/wsl/lib/libcuda.so.1.1", None, "loader cache"),
            LibraryCopy("libnvidia-ml.so.1", "/usr/lib/wsl/lib/libnvidia-ml.so.1", "/usr/lib/wsl/lib/libnvidia-ml.so.1",
                        None, "loader cache"))
# what `apt install nvidia-driver-535` leaves in the loader cache
LINUX_DRIVER = (LibraryCopy("libcuda.so.1", "/lib/x86_64-linux-gnu/libcuda.so.1",
                            "/usr/lib/x86_64-linux-gnu/libcuda.so.535.183.01", "535.183.01", "loader cache"),
                LibraryCopy("libnvidia-ml.so.1", "/lib/x86_64-linux-gnu/libnvidia-ml.so.1",
                            "/usr/lib/x86_64-linux-gnu/libnvidia-ml.so.535.183.01", "535.183.01", "loader cache"))


def driver(libs, cuda_paths=()) -> DriverFacts:
    cuda = CudaInit(True, None, cuda_paths, 12020, 100, "CUDA_ERROR_NO_DEVICE", 0) if cuda_paths else None
    return DriverFacts(None, None, None, None, libs, cuda, None, None, None)


def test_linux_driver_inside_wsl2_is_an_error_with_a_purge_fix():
    snap = snapshot_of(WSL2, driver(LINUX_DRIVER + WSL_LIBS, ("/usr/lib/x86_64-linux-gnu/libcuda.so.535.183.01",)))
    report = report_from_snapshot(snap)
    f = next(f for f in report.findings if f.code == "WG105")
    assert f.category == "driver_library_mismatch" and f.severity.value == "error"
    assert any("/usr/lib/x86_64-linux-gnu/libcuda.so.535.183.01" in e.fact for e in f.evidence)
    assert any("535.183.01" in e.fact for e in f.evidence)
    assert any("apt-get remove --purge" in c and "'^nvidia-driver-.*'" in c and "'^libnvidia-.*'" in c
               for c in f.fix.commands)
    assert f.fix.commands[-1] == "wsl --shutdown"
    assert "https://docs.nvidia.com/cuda/wsl-user-guide/index.html" in load_all()["WG105"].info.references
    assert report.verdict.root_cause == "driver_library_mismatch"


def test_only_the_windows_drivers_libcuda_is_fine():
    report = report_from_snapshot(snapshot_of(WSL2, driver(WSL_LIBS, ("/usr/lib/wsl/lib/libcuda.so.1.1",))))
    assert "WG105" not in {f.code for f in report.findings}


def test_the_same_libraries_outside_wsl_are_not_this_rule():
    linux = PlatformFacts("linux", "6.8.0-45-generic", "Ubuntu 24.04.1 LTS", "x86_64", None, None, (), "box")
    assert "WG105" not in {f.code for f in report_from_snapshot(snapshot_of(linux, driver(LINUX_DRIVER))).findings}
