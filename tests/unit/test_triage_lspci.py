"""An `lspci` listing pasted into a report becomes PCI facts, so check's GPU rules decide it: a whole listing
without NVIDIA is a machine (often a VM) with no NVIDIA GPU, an NVIDIA GPU held by nouveau is a driver that
cannot load. The listings are real (tests/fixtures/reports/lspci/SOURCE.md)."""

from __future__ import annotations

import os

from whynogpu.facts.gpu import NVIDIA, GpuFacts
from whynogpu.parsers.lspci import kernel_driver, parse_lspci_line
from whynogpu.triage.engine import snapshot, triage

HERE = os.path.join(os.path.dirname(os.path.dirname(__file__)), "fixtures", "reports", "lspci")


def listing(name: str) -> str:
    with open(os.path.join(HERE, name), encoding="utf-8") as fh:
        return fh.read()


def test_device_lines_give_vendor_class_and_bound_driver():
    vm = [parse_lspci_line(x) for x in listing("qemu-vm-cirrus.txt").splitlines()]
    assert all(vm)
    assert [d.vendor for d in vm if d.is_display] == ["0x1013"]  # Cirrus Logic, by its name (no -nn ids)
    assert {d.pci_class for d in vm if not d.is_display} >= {"0x060000", "0xff8000"}
    nn = parse_lspci_line(listing("nvidia-nn.txt"))
    assert (nn.vendor, nn.device, nn.pci_class) == (NVIDIA, "0x13c2", "0x030000")
    lines = listing("nouveau-gtx970.txt").splitlines()
    assert parse_lspci_line(lines[1]) is None  # "Subsystem:" belongs to the device above
    assert [kernel_driver(x) for x in lines if kernel_driver(x)] == ["nouveau"]


def test_a_whole_listing_without_nvidia_is_no_nvidia_gpu():
    report = ("TensorFlow only lists the CPU on the VM I rented\n\ntf.config.list_physical_devices('GPU') gives []. "
              "lspci prints:\n\n" + listing("qemu-vm-cirrus.txt"))
    r = triage(report)
    assert r.verdict.root_cause == "no_nvidia_gpu"
    assert r.findings[0].code == "WG201"


def test_a_display_only_grep_proves_nothing_about_3d_controllers():
    # `lspci | grep VGA` hides the "3D controller" class of data-centre GPUs (T4, A100): no verdict from it
    report = ("torch.cuda.is_available() is False on our cloud VM.\n$ lspci | grep VGA\n"
              + listing("qemu-vm-cirrus.txt").splitlines()[-1] + "\n")
    g = snapshot(report).get(GpuFacts)
    assert g is not None and not g.pci_readable
    assert "WG201" not in {f.code for f in triage(report).findings}


def test_nouveau_holding_the_gpu_is_driver_not_loaded_with_the_nouveau_fix():
    report = "torch.cuda.is_available() is False on my desktop.\n$ lspci -vv\n" + listing("nouveau-gtx970.txt")
    g = snapshot(report).get(GpuFacts)
    assert [d.driver for d in g.nvidia_gpus] == ["nouveau"]
    r = triage(report)
    assert (r.verdict.root_cause, r.findings[0].code) == ("driver_not_loaded", "WG202")
    assert "blacklist nouveau" in " ".join(r.findings[0].fix.commands)


def test_an_nvidia_line_is_a_gpu_on_the_bus():
    report = "Keras trains on the CPU.\n$ lspci -vnn | grep NVIDIA\n" + listing("nvidia-nn.txt")
    g = snapshot(report).get(GpuFacts)
    assert [d.device for d in g.nvidia_gpus] == ["0x13c2"] and g.proc_driver_present  # nothing says the driver is off
    assert triage(report).verdict.root_cause != "no_nvidia_gpu"


def test_a_linux_report_never_gets_a_windows_fix():
    # a category's owner rule is chosen for the report's platform: WG107 (Windows) owns driver_not_loaded first
    for text, windows in (("Ubuntu 22.04: since last week nouveau is loaded again and torch sees no GPU.", False),
                          ("Windows 11: since last week nouveau is loaded again and torch sees no GPU.", True)):
        fixes = " ".join(f.fix.text for f in triage(text).findings if f.category == "driver_not_loaded")
        assert fixes and ("Windows" in fixes) == windows, fixes
