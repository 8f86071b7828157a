"""whynogpu on machines known only from real public nvidia-smi / NVML / PyTorch output.

Each tests/fixtures/hosts/<gpu>-public folder holds the raw text a real machine printed (nvidia-smi.txt, and for
the nvidia_gpu_exporter captures also -q, the --query-gpu CSV and -L) and the NVML / cuDriverGetVersion answers
rebuilt from it; its SOURCE.md names the thread or capture and says which value came from where, and which were
derived or inferred. ../fixtures/hosts/PUBLIC-CAPTURES.md is the index.
"""

from __future__ import annotations

import json
import os

import pytest

from whynogpu.host.fake import FakeHost
from whynogpu.model import Snapshot
from whynogpu.parsers.nvidia_smi import parse_header, parse_query_gpu
from whynogpu.pipeline import report_from_snapshot
from whynogpu.probes import Options, gather
from whynogpu.probes.driver import DriverFacts
from whynogpu.probes.gpu import GpuFacts
from whynogpu.rules.frameworks import peak_tflops

HOSTS = os.path.join(os.path.dirname(os.path.dirname(__file__)), "fixtures", "hosts")
PY = "/home/user/venv/bin/python"
GPU_LAYER = ("WG1", "WG2")  # container/WSL and GPU/driver findings

# folder -> (GPU count, first GPU's name, compute capability, driver, CUDA the driver supports, nvidia-smi's own
# version in the table header)
MACHINES = {
    "t4-public": (1, "Tesla T4", "7.5", "418.67", "10.1", "450.66"),
    "v100-public": (1, "Tesla V100-SXM2-16GB", "7.0", "418.67", "10.1", "450.66"),
    "a10g-public": (1, "NVIDIA A10G", "8.6", "535.247.01", "12.2", "535.247.01"),
    "a100-40gb-public": (2, "NVIDIA A100-SXM4-40GB", "8.0", "580.126.09", "13.0", "580.126.09"),
    "a100-80gb-public": (2, "NVIDIA A100 80GB PCIe", "8.0", "515.105.01", "11.7", "515.105.01"),
    "h100-public": (1, "NVIDIA H100 80GB HBM3", "9.0", "590.48.01", "13.1", "590.48.01"),
    "h100-mig-public": (1, "NVIDIA H100 80GB HBM3", "9.0", "590.48.01", "13.1", "590.48.01"),
    "l4-public": (1, "NVIDIA L4", "8.9", "570.133.20", "12.8", "570.133.20"),
    "rtx2080super-public": (1, "NVIDIA GeForce RTX 2080 SUPER", "7.5", "595.71.05", "13.2", "595.71.05"),
    "rtx2080super-r610-public": (1, "NVIDIA GeForce RTX 2080 SUPER", "7.5", "610.57.04", "13.3", "610.57.04"),
    "rtx3060-public": (1, "NVIDIA GeForce RTX 3060", "8.6", "580.95.05", "13.0", "580.95.05"),
    "rtx4080super-public": (1, "NVIDIA GeForce RTX 4080 SUPER", "8.9", "595.71.05", "13.2", "595.71.05"),
    "rtx5090-public": (1, "NVIDIA GeForce RTX 5090", "12.0", "595.71.05", "13.2", "595.71.05"),
    "laptop-optimus-gtx1650-public": (1, "GeForce GTX 1650", "7.5", "440.82", "10.2", "440.82"),
    "k20m-too-old-public": (2, "Tesla K20m", "3.5", "450.51.06", "11.0", "450.51.06"),
}


def host(name: str) -> FakeHost:
    return FakeHost.from_folder(os.path.join(HOSTS, name))


def raw(name: str, filename: str) -> str:
    with open(os.path.join(HOSTS, name, filename), encoding="utf-8") as fh:
        return fh.read()


def check_gpu_layer(name: str):
    snap = gather(host(name), Options(live=False))
    return snap, report_from_snapshot(snap)


def check_live(name: str):
    """The whole check with the live probe. The fake target holds no CUDA library files (the threads show none),
    so the static library probe's result is left out: it would report libraries missing that the machine had."""
    snap = gather(host(name), Options(live=True, python=PY, timeout=30))
    kept = Snapshot(snap.schema_version, snap.tool_version, snap.mode,
                    tuple(r for r in snap.probes if r.name != "cuda_libs"))
    return kept, report_from_snapshot(kept)


def gpu_findings(report):
    return [f for f in report.findings if f.code.startswith(GPU_LAYER)]


# -- every capture: the driver layer reads the machine as nvidia-smi showed it -----------------------------------

@pytest.mark.parametrize("name", sorted(MACHINES))
def test_driver_layer_reports_the_real_gpu_driver_and_cuda(name):
    count, gpu_name, cc, driver, cuda, _ = MACHINES[name]
    snap, report = check_gpu_layer(name)
    d = snap.get(DriverFacts)
    assert (d.driver_version, d.cuda_driver_version, d.gpu_count, d.gpu_count_source) == (driver, cuda, count, "NVML")
    assert d.cuda.init_code == 0 and d.cuda.device_count == count
    first = d.nvml.gpus[0]
    assert (first.name, first.compute_capability) == (gpu_name, cc)
    status = next(line.status for line in report.layers if line.layer == "gpu")
    assert status == f"{f'{count} × ' if count > 1 else ''}{gpu_name}, driver {driver}, CUDA {cuda}"
    assert not gpu_findings(report), [(f.code, f.title) for f in gpu_findings(report)]


@pytest.mark.parametrize("name", sorted(MACHINES))
def test_nvidia_smi_table_header_agrees_with_nvml(name):
    _, _, _, driver, cuda, smi = MACHINES[name]
    header = parse_header(raw(name, "nvidia-smi.txt"))
    assert (header.smi_version, header.driver_version, header.cuda_version) == (smi, driver, cuda)


def test_nvidia_smi_r610_header_is_read():
    header = parse_header(raw("rtx2080super-r610-public", "nvidia-smi.txt"))
    assert header is not None and (header.driver_version, header.cuda_version) == ("610.57.04", "13.3")
    # pasted into a report, the same table is read as nvidia-smi's output
    from whynogpu.triage.extract import extract

    facts = extract(raw("rtx2080super-r610-public", "nvidia-smi.txt"))
    assert "nvidia_smi" in facts.formats and facts.first("driver").value == "610.57.04"


@pytest.mark.parametrize("name", ["h100-public", "h100-mig-public", "rtx2080super-public", "rtx2080super-r610-public",
                                  "rtx4080super-public"])
def test_query_gpu_rows_from_real_captures_parse_like_nvml(name):
    """query-gpu-probe.csv holds the six columns whynogpu asks for, cut from the capture's full --query-gpu CSV."""
    rows = parse_query_gpu(raw(name, "query-gpu-probe.csv"))
    nvml = json.loads(raw(name, "nvml_query.json"))
    assert [(r.index, r.name, r.driver_version, r.memory_total_mib, r.memory_used_mib, r.compute_cap) for r in rows] == [
        (g["index"], g["name"], nvml["driver_version"], g["memory_total_mib"], g["memory_used_mib"],
         g["compute_capability"]) for g in nvml["gpus"]]


# -- what is particular to each machine ----------------------------------------------------------------------

def test_sysfs_pci_ids_from_the_capture_are_nvidia_gpus():
    for name, device, klass in [("h100-public", "2330", "0x030200"), ("rtx4080super-public", "2702", "0x030000"),
                                ("rtx2080super-public", "1e81", "0x030000")]:
        snap, _ = check_gpu_layer(name)
        gpus = snap.get(GpuFacts).nvidia_gpus
        assert [(g.device, g.pci_class) for g in gpus] == [("0x" + device, klass)], name


def test_h100_with_mig_instances_is_not_mig_without_instances():
    snap, report = check_gpu_layer("h100-mig-public")
    g = snap.get(DriverFacts).nvml.gpus[0]
    assert g.mig_enabled is True and g.mig_devices == 4  # nvidia-smi -L: 3g.40gb, 2g.20gb, 1g.10gb, 1g.10gb
    assert not any(f.code == "WG205" for f in report.findings)


def test_h100_fabric_state_completed_is_healthy():
    snap, report = check_gpu_layer("h100-public")
    g = snap.get(DriverFacts).nvml.gpus[0]
    assert (g.fabric_state, g.fabric_status, g.remap_pending, g.ecc_uncorrected_volatile) == (3, 0, False, 0)
    assert not gpu_findings(report)


def test_exclusive_process_mode_is_read_and_quiet_while_no_process_is_listed():
    snap, report = check_gpu_layer("a100-40gb-public")
    assert [g.compute_mode for g in snap.get(DriverFacts).nvml.gpus] == [3, 3]  # "E. Process" in the table
    assert not any(f.code == "WG205" for f in report.findings)


def test_shared_a100_80gb_three_quarters_full_is_not_exhausted():
    snap, report = check_gpu_layer("a100-80gb-public")
    assert [g.memory_used_mib for g in snap.get(DriverFacts).nvml.gpus] == [62755, 62751]
    assert not any(f.code == "WG206" for f in report.findings)  # 77% used: below the 90% mark


def test_raspberry_pi_pcie_domain_1_bus_id_and_aarch64():
    snap, _ = check_gpu_layer("rtx3060-public")
    d = snap.get(DriverFacts)
    assert d.nvml.gpus[0].pci_bus_id == "00000001:01:00.0"
    assert d.cuda.paths == ("/usr/lib/aarch64-linux-gnu/libcuda.so.580.95.05",)


def test_desktop_processes_on_a_consumer_gpu_are_not_memory_pressure():
    snap, report = check_gpu_layer("rtx4080super-public")
    procs = snap.get(DriverFacts).nvml.gpus[0].processes
    assert [(p.pid, p.name, p.used_mib) for p in procs] == [(2165, "kwin_wayland", 25)]
    assert not any(f.code == "WG206" for f in report.findings)


def test_unsupported_nvml_fields_on_geforce_are_recorded_not_guessed():
    snap, _ = check_gpu_layer("rtx2080super-public")
    g = snap.get(DriverFacts).nvml.gpus[0]
    assert g.ecc_uncorrected_volatile is None and g.mig_enabled is None and g.remap_pending is None
    assert set(g.errors) == {"ecc", "retired_pages_pending", "remapped_rows", "mig_mode", "fabric"}


# -- live probe: PyTorch builds that cannot run on the GPU ------------------------------------------------------

def test_tesla_k20m_is_too_old_for_torch_1_8_cu102():
    _, report = check_live("k20m-too-old-public")
    assert report.verdict.root_cause == "compute_capability_unsupported"
    too_old = [f for f in report.findings if f.code == "WG504"]
    assert len(too_old) == 2  # both K20m
    facts = " ".join(e.fact for e in too_old[0].evidence)
    assert "Tesla K20m has compute capability 3.5" in facts and "sm_37, sm_50, sm_60, sm_70" in facts


def test_rtx_5090_is_not_supported_by_torch_2_0_1_cu118():
    _, report = check_live("rtx5090-public")
    assert report.verdict.root_cause == "compute_capability_unsupported"
    f = next(f for f in report.findings if f.code == "WG504")
    assert any("NVIDIA GeForce RTX 5090 has compute capability 12.0" in e.fact for e in f.evidence)
    matmul = next(f for f in report.findings if f.code == "WG509")
    assert any("no kernel image is available" in e.fact for e in matmul.evidence)


def test_rtx_5090_finding_does_not_call_the_gpu_too_old():
    _, report = check_live("rtx5090-public")
    f = next(f for f in report.findings if f.code == "WG504")
    assert "too old" not in f.title.lower()


def test_failed_matmul_quotes_the_cuda_error_itself():
    _, report = check_live("k20m-too-old-public")
    matmul = next(f for f in report.findings if f.code == "WG509")
    placed = next(e.fact for e in matmul.evidence if e.fact.startswith("matmul placed on"))
    assert "no kernel image is available" in placed


# -- peak TFLOP/s table --------------------------------------------------------------------------------------

@pytest.mark.parametrize("name,fp32,tf32", [
    ("Tesla T4", 8.1, 8.1), ("Tesla V100-SXM2-16GB", 15.7, 15.7), ("NVIDIA A100-SXM4-40GB", 19.5, 156),
    ("NVIDIA A100 80GB PCIe", 19.5, 156), ("NVIDIA H100 80GB HBM3", 66.9, 494.7), ("NVIDIA L4", 30.3, 60),
    ("NVIDIA L40S", 91.6, 183), ("NVIDIA GeForce RTX 5090", 104.8, 104.8),
])
def test_peak_tflops_cover_the_captured_gpus(name, fp32, tf32):
    assert peak_tflops(name)[:2] == (fp32, tf32)


def test_every_public_fixture_names_its_source():
    for name in os.listdir(HOSTS):
        if name.endswith("-public"):
            text = raw(name, "SOURCE.md")
            assert "https://github.com/" in text, name
