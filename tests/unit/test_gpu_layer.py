"""The GPU & driver layer on fake hosts named after the situation they reproduce.

Each fixture folder (tests/fixtures/hosts/<situation>/README.md) says where its formats come
from. Every rule has a positive case and a look-alike that must not fire.
"""

from __future__ import annotations

import json
import os

import pytest

from whynogpu.host.base import FileStat
from whynogpu.host.fake import FakeHost
from whynogpu.pipeline import report_from_snapshot
from whynogpu.probes import Options, gather
from whynogpu.probes.driver import DriverFacts
from whynogpu.probes.gpu import GpuFacts
from whynogpu.snapshot_io import from_data, to_data

HOSTS = os.path.join(os.path.dirname(os.path.dirname(__file__)), "fixtures", "hosts")
GPU_CODES = {"WG103", "WG104", "WG201", "WG202", "WG203", "WG204", "WG205", "WG206", "WG207", "WG208"}
LIBRARY_SNIPPETS = ("<snippet cuda_driver>", "<snippet nvml_query>")


def host(situation: str, files=None, symlinks=None, stats=None) -> FakeHost:
    """The fixture's host, optionally with extra files (rebuilt so directory listings include them)."""
    folder = os.path.join(HOSTS, situation)
    base = FakeHost.from_folder(folder)
    if not files and not symlinks and not stats:
        return base
    return FakeHost.from_folder(folder, files={**base.files, **(files or {})},
                                symlinks={**base.symlinks, **(symlinks or {})}, stats={**base.stats, **(stats or {})})


def run(h: FakeHost):
    snap = gather(h, Options(live=False))
    return snap, report_from_snapshot(snap)


def finding(report, code):
    return next((f for f in report.findings if f.code == code), None)


def gpu_codes(report) -> set[str]:
    return {f.code for f in report.findings} & GPU_CODES


def loaded_libraries(h: FakeHost) -> bool:
    return any(c[2:3] and c[2] in LIBRARY_SNIPPETS for c in h.calls) or any("nvidia-smi" in c[0] for c in h.calls)


def layer_status(report, layer):
    return next(line for line in report.layers if line.layer == layer)


# -- this machine ---------------------------------------------------------------------------------

def test_this_vm_has_no_nvidia_gpu_not_a_container_problem():
    h = host("kvm-vm-no-gpu-with-dockerenv")
    snap, report = run(h)
    assert report.verdict.root_cause == "no_nvidia_gpu"
    assert gpu_codes(report) == {"WG201"}
    f = finding(report, "WG201")
    facts = " ".join(e.fact for e in f.evidence)
    assert "5 virtio, 1 Intel" in facts and "/.dockerenv exists" in facts
    assert "virtual machine" in f.explanation
    assert not any("install" in c and "driver" in c for c in f.fix.commands)
    assert not loaded_libraries(h)  # no kernel driver: libcuda/NVML are never loaded
    d = snap.get(DriverFacts)
    assert d.skipped and d.gpu_count == 0 and d.gpu_count_source == "PCI"
    details = " ".join(layer_status(report, "gpu").details)
    assert "no NVIDIA GPU (PCI: 5 virtio, 1 Intel devices)" in details


def test_debian_userspace_without_kernel_module_is_still_no_gpu_and_untouched():
    h = host("vm-debian-nvidia-userspace-no-kernel")
    snap, report = run(h)
    assert report.verdict.root_cause == "no_nvidia_gpu"
    f = finding(report, "WG201")
    facts = " ".join(e.fact for e in f.evidence)
    assert "/usr/lib/x86_64-linux-gnu/nvidia/current/libcuda.so.535.309.01 (driver 535.309.01)" in facts
    d = snap.get(DriverFacts)
    assert {c.name for c in d.libraries} == {"libcuda.so.1", "libnvidia-ml.so.1"}
    assert {c.version for c in d.libraries} == {"535.309.01"}
    # Observe before touch: as root these calls would create /dev/nvidiactl (real capture).
    assert not loaded_libraries(h)
    assert "/dev/nvidiactl" in d.skipped


def test_pci_facts_read_from_sysfs():
    snap, _ = run(host("kvm-vm-no-gpu-with-dockerenv"))
    g = snap.get(GpuFacts)
    assert g.pci_readable and len(g.pci_devices) == 6 and not g.nvidia_gpus
    assert {d.driver for d in g.pci_devices} == {None, "virtio-pci"}
    assert g.loaded_modules is None  # this kernel has no /proc/modules: unknown, not "none loaded"


# -- containers and WSL ----------------------------------------------------------------------------

def test_docker_container_without_gpus_flag():
    _, report = run(host("docker-container-started-without-gpus"))
    assert report.verdict.root_cause == "container_no_gpu"
    assert gpu_codes(report) == {"WG103"}
    f = finding(report, "WG103")
    assert "docker run --gpus all IMAGE ..." in f.fix.commands
    assert any("10de:2204" in e.fact for e in f.evidence)
    assert any("NVIDIA_VISIBLE_DEVICES is not set" in e.fact for e in f.evidence)


@pytest.mark.parametrize("kind,needle", [("kubernetes", "nvidia.com/gpu: 1"), ("apptainer", "--nv"),
                                         ("podman", "nvidia.com/gpu=all")])
def test_container_fix_follows_the_runtime(kind, needle):
    h = host("docker-container-started-without-gpus")
    del h.files["/.dockerenv"]
    h.files["/proc/1/cgroup"] = "0::/\n"
    h._env.update({"kubernetes": {"KUBERNETES_SERVICE_HOST": "10.0.0.1"}, "apptainer": {"APPTAINER_CONTAINER": "img.sif"},
                   "podman": {"container": "podman"}}[kind])
    if kind == "podman":
        h.files["/run/.containerenv"] = ""
    _, report = run(h)
    f = finding(report, "WG103")
    assert any(needle in c for c in f.fix.commands)


def test_container_with_gpu_access_is_not_flagged():
    h = host("healthy-rtx3080", files={"/.dockerenv": ""})
    _, report = run(h)
    assert not gpu_codes(report)


def test_wsl2_without_windows_driver():
    _, report = run(host("wsl2-without-windows-nvidia-driver"))
    assert report.verdict.root_cause == "wsl_gpu_not_enabled"
    assert gpu_codes(report) == {"WG104"}  # not "no NVIDIA GPU": WSL has no NVIDIA PCI device by design
    assert "Windows" in finding(report, "WG104").fix.text


def test_wsl2_with_gpu_is_fine():
    snap, report = run(host("wsl2-with-gpu"))
    assert not gpu_codes(report)
    assert snap.get(DriverFacts).cuda_driver_version == "12.7"


def test_wsl1_has_no_gpu():
    h = host("wsl2-with-gpu")
    h._uname = type(h._uname)("Linux", "4.4.0-19041-Microsoft", "#1237-Microsoft", "x86_64", "DESKTOP-1")
    h.files["/proc/version"] = "Linux version 4.4.0-19041-Microsoft (Microsoft@Microsoft.com) (gcc version 5.4.0 (GCC) ) #1237-Microsoft\n"
    _, report = run(h)
    assert "wsl --set-version Ubuntu-22.04 2" in finding(report, "WG104").fix.commands


# -- kernel driver -------------------------------------------------------------------------------

def test_nouveau_holds_the_gpu():
    h = host("nouveau-bound-no-nvidia-module")
    _, report = run(h)
    assert report.verdict.root_cause == "driver_not_loaded"
    f = finding(report, "WG202")
    assert any("blacklist nouveau" in c for c in f.fix.commands)
    assert any("driver in use: nouveau" in e.fact for e in f.evidence)
    assert not loaded_libraries(h)


def test_kernel_update_without_dkms_rebuild():
    _, report = run(host("kernel-updated-without-dkms-rebuild"))
    f = finding(report, "WG202")
    assert "sudo dkms autoinstall" in f.fix.commands
    assert "sudo apt install linux-headers-$(uname -r)" in f.fix.commands


def test_secure_boot_hint_when_the_module_exists():
    h = host("kernel-updated-without-dkms-rebuild", files={
        "/lib/modules/6.5.0-28-generic/updates/dkms/nvidia.ko.zst": "",
        "/sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-e0c9fe44e3f5": "\x06\x00\x00\x00\x01"})
    _, report = run(h)
    assert "sudo mokutil --import /var/lib/dkms/mok.pub" in finding(report, "WG202").fix.commands


def test_loaded_driver_is_not_driver_not_loaded():
    _, report = run(host("healthy-rtx3080"))
    assert finding(report, "WG202") is None


def test_driver_upgraded_without_reboot():
    _, report = run(host("driver-upgraded-without-reboot"))
    assert report.verdict.root_cause == "driver_library_mismatch"
    assert gpu_codes(report) == {"WG203"}
    f = finding(report, "WG203")
    facts = " ".join(e.fact for e in f.evidence)
    assert "535.104.05" in facts and "535.129.03" in facts and "code 18" in facts
    assert "sudo reboot" in f.fix.commands


def test_ld_library_path_copy_of_another_driver():
    h = host("healthy-rtx3080", files={"/opt/old-driver/lib/libnvidia-ml.so.535.54.03": ""},
             symlinks={"/opt/old-driver/lib/libnvidia-ml.so.1": "libnvidia-ml.so.535.54.03"})
    h._env["LD_LIBRARY_PATH"] = "/opt/old-driver/lib"
    _, report = run(h)
    f = finding(report, "WG203")
    assert "LD_LIBRARY_PATH" in f.fix.text and "/opt/old-driver/lib" in f.fix.commands[0]


def test_nvidia_uvm_missing_after_suspend():
    _, report = run(host("nvidia-uvm-missing-after-suspend"))
    assert report.verdict.root_cause == "nvidia_uvm_unavailable"
    f = finding(report, "WG204")
    assert f.severity.value == "error"
    assert "sudo modprobe nvidia_uvm" in f.fix.commands


def test_uvm_not_yet_loaded_but_cuinit_works_is_fine():
    h = host("nvidia-uvm-missing-after-suspend")
    h.snippets["cuda_driver"]["stdout"] = h.snippets["cuda_driver"]["stdout"].replace(
        '"code": 999, "name": "CUDA_ERROR_UNKNOWN"', '"code": 0, "name": "CUDA_SUCCESS"')
    _, report = run(h)
    assert finding(report, "WG204") is None


# -- access, memory, health, fabric -------------------------------------------------------------

def test_device_nodes_not_accessible():
    _, report = run(host("device-nodes-not-accessible"))
    assert report.verdict.root_cause == "gpu_access_restricted"
    f = finding(report, "WG205")
    assert "sudo usermod -aG $(getent group 44 | cut -d: -f1) $USER" in f.fix.commands


def test_user_in_the_group_may_open_the_nodes():
    h = host("device-nodes-not-accessible")
    h._user = type(h._user)(1000, 1000, (1000, 44), "ana", "/home/ana")
    h.snippets["nvml_query"] = host("healthy-rtx3080").snippets["nvml_query"]
    h.snippets["cuda_driver"] = host("healthy-rtx3080").snippets["cuda_driver"]
    _, report = run(h)
    assert finding(report, "WG205") is None


def test_mig_enabled_without_instances():
    _, report = run(host("a100-mig-enabled-without-instances"))
    f = finding(report, "WG205")
    assert f.severity.value == "error" and "MIG" in f.evidence[0].fact
    assert any("-mig 0" in c for c in f.fix.commands)


def test_prohibited_compute_mode():
    h = host("healthy-rtx3080")
    h.snippets["nvml_query"]["stdout"] = h.snippets["nvml_query"]["stdout"].replace('"compute_mode": 0', '"compute_mode": 2')
    _, report = run(h)
    assert "sudo nvidia-smi -i 0 -c DEFAULT   # needs admin rights" in finding(report, "WG205").fix.commands


def test_memory_held_by_another_container():
    _, report = run(host("gpu-memory-held-by-another-container"))
    f = finding(report, "WG206")
    assert f.severity.value == "warning"
    facts = " ".join(e.fact for e in f.evidence)
    assert "pid 4242" in facts and "23800 MiB" in facts and "not visible from here" in facts


def test_little_memory_used_is_not_exhausted():
    _, report = run(host("healthy-rtx3080"))
    assert finding(report, "WG206") is None


def test_gpu_fallen_off_the_bus():
    _, report = run(host("gpu-fallen-off-the-bus"))
    assert report.verdict.root_cause == "gpu_hardware_fault"
    assert finding(report, "WG204") is None  # the 999 from cuInit is the lost GPU, not nvidia_uvm


def test_pending_row_remap_is_a_warning():
    h = host("healthy-rtx3080")
    h.snippets["nvml_query"]["stdout"] = h.snippets["nvml_query"]["stdout"].replace('"remap_pending": null', '"remap_pending": true')
    _, report = run(h)
    assert finding(report, "WG207").severity.value == "warning"


def test_fabric_manager_not_running():
    _, report = run(host("hgx-a100-fabric-manager-stopped"))
    assert report.verdict.root_cause == "fabric_manager_not_running"
    f = finding(report, "WG208")
    assert any("nvidia-fabricmanager-535" in c for c in f.fix.commands)
    assert finding(report, "WG204") is None


def test_802_without_nvswitch_is_not_fabric_manager():
    h = host("healthy-rtx3080")
    h.snippets["cuda_driver"]["stdout"] = h.snippets["cuda_driver"]["stdout"].replace(
        '"code": 0, "name": "CUDA_SUCCESS"', '"code": 802, "name": "CUDA_ERROR_SYSTEM_NOT_READY"')
    _, report = run(h)
    assert finding(report, "WG208") is None


# -- facts other layers read ---------------------------------------------------------------------

def test_healthy_driver_facts_and_summary():
    snap, report = run(host("healthy-rtx3080"))
    d = snap.get(DriverFacts)
    assert (d.driver_version, d.cuda_driver_version, d.gpu_count, d.gpu_count_source) == ("550.54.14", "12.4", 1, "NVML")
    assert layer_status(report, "gpu").status == "NVIDIA GeForce RTX 3080, driver 550.54.14, CUDA 12.4"


def test_cuda_visible_devices_is_checked_against_the_gpu_count():
    h = host("healthy-rtx3080")
    h._env["CUDA_VISIBLE_DEVICES"] = "1"
    _, report = run(h)
    f = finding(report, "WG601")
    assert f is not None and "does not exist" in f.evidence[0].fact


def test_amd_gpu_points_to_rocm():
    _, report = run(host("amd-radeon-workstation"))
    f = finding(report, "WG201")
    assert "AMD 1002:73bf" in f.explanation
    assert any("ROCm" in c for c in f.fix.commands)


def test_snapshot_with_gpu_facts_round_trips():
    snap, _ = run(host("hgx-a100-fabric-manager-stopped"))
    again = from_data(json.loads(json.dumps(to_data(snap))))
    assert again == snap
    assert len(again.get(GpuFacts).nvswitches) == 6


def test_crashing_driver_library_does_not_lose_the_layer():
    h = host("healthy-rtx3080")
    h.snippets["cuda_driver"] = {"returncode": -11, "stdout": "", "stderr": ""}
    snap, report = run(h)
    d = snap.get(DriverFacts)
    assert "signal 11" in d.cuda.load_error and d.nvml.init_code == 0
    assert snap.result("driver").status.value == "ok"


def test_container_given_gpu_without_compute_capability():
    _, report = run(host("container-capabilities-without-compute"))
    assert report.verdict.root_cause == "container_no_gpu"
    f = finding(report, "WG103")
    assert "NVIDIA_DRIVER_CAPABILITIES=compute,utility" in f.fix.commands[0]


def test_compute_capability_given_is_fine():
    h = host("container-capabilities-without-compute")
    h._env["NVIDIA_DRIVER_CAPABILITIES"] = "compute,utility"
    _, report = run(h)
    assert finding(report, "WG103") is None


def test_root_only_mig_capability_nodes_are_normal():
    h = host("healthy-rtx3080", stats={"/dev/nvidia-caps/nvidia-cap1": FileStat(0o20400, 0, 0, (237, 1))})
    h._user = type(h._user)(1000, 1000, (1000,), "ana", "/home/ana")
    snap, report = run(h)
    assert snap.get(GpuFacts).node("/dev/nvidia-caps/nvidia-cap1").usable is False
    assert finding(report, "WG205") is None


def test_hidden_proc_driver_in_a_working_container_is_not_driver_not_loaded():
    base = host("healthy-rtx3080")
    files = {k: v for k, v in base.files.items() if not k.startswith(("/proc/driver", "/proc/modules"))}
    h = FakeHost.from_folder(os.path.join(HOSTS, "healthy-rtx3080"), files={**files, "/.dockerenv": ""})
    _, report = run(h)
    assert not gpu_codes(report)


def test_cuda_visible_devices_on_a_machine_without_gpus_hides_nothing():
    h = host("kvm-vm-no-gpu-with-dockerenv")
    h._env["CUDA_VISIBLE_DEVICES"] = "0"
    _, report = run(h)
    assert finding(report, "WG601") is None and finding(report, "WG602") is None
    assert report.verdict.root_cause == "no_nvidia_gpu"
    h._env["CUDA_VISIBLE_DEVICES"] = "-1"  # still reported: it would hide a GPU put in later
    _, report = run(h)
    assert finding(report, "WG601") is not None and report.verdict.root_cause == "no_nvidia_gpu"
