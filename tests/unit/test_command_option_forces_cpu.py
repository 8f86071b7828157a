"""WG718: a command that starts a program with its own CPU option (knowledge/cpu_flags.csv), from a snapshot and from
a pasted report: both give the same finding."""

from __future__ import annotations

from whynogpu.facts import code as F
from whynogpu.facts.code import CodeHit, ScanFacts
from whynogpu.pipeline import report_from_snapshot
from whynogpu.probes import snapshot_of
from whynogpu.triage.engine import triage

# The unit a Proxmox helper script wrote for ComfyUI (community-scripts/ProxmoxVE#10659), as `systemctl cat` prints it
UNIT = """\
```
[Service]
Type=simple
User=root
WorkingDirectory=/opt/ComfyUI
ExecStart=/opt/ComfyUI/venv/bin/python /opt/ComfyUI/main.py --listen --port 8188 --cpu
Restart=on-failure
```
"""


def test_a_snapshot_with_the_option_gets_wg718():
    hit = CodeHit("cpu_option", "run.sh", "run.sh", 3, 1, "python main.py --cpu", F.COMMAND, "--cpu", "python main.py")
    report = report_from_snapshot(snapshot_of(ScanFacts(roots=("run.sh",), files_scanned=1, hits=(hit,))))
    top = report.findings[0]
    assert (top.code, top.category) == ("WG718", "code_forces_cpu")
    assert top.fix.commands == ("python main.py",)


def test_a_report_with_the_option_in_its_service_unit_gets_the_same_finding():
    report = triage("ComfyUI runs as a service and every generation runs on the CPU:\n" + UNIT)
    top = report.findings[0]
    assert (top.code, top.category) == ("WG718", "code_forces_cpu")
    assert top.fix.commands == ("ExecStart=/opt/ComfyUI/venv/bin/python /opt/ComfyUI/main.py --listen --port 8188",)


def test_device_cpu_is_turned_into_the_gpu_and_prose_about_a_flag_is_no_command():
    top = triage("Whisper is slow:\n```\n$ whisper audio.mp3 --model medium --device cpu\n```\n").findings[0]
    assert top.code == "WG718" and top.fix.commands == ("$ whisper audio.mp3 --model medium --device cuda",)
    # a flag the reporter tried, retold in a sentence, is not how the program is started
    told = triage("I also tried starting it with --cpu to see whether it works at all, and it does, slowly.")
    assert all(f.code != "WG718" for f in told.findings)
    # nor is a command retold as the workaround beside the error it avoids
    workaround = triage("With python main.py --cpu it works (slowly), but without --cpu I get:\nRuntimeError: CUDA error: "
                        "no kernel image is available for execution on the device")
    assert all(f.code != "WG718" for f in workaround.findings)
    # the web UI's options in its launcher line
    webui = triage("set COMMANDLINE_ARGS=--use-cpu all --skip-torch-cuda-test").findings[0]
    assert webui.code == "WG718"
    # --cpus is Docker's CPU quota, not a device choice
    docker = triage("```\ndocker run --gpus all --cpus 4 -it myimage python train.py\n```\n")
    assert all(f.code != "WG718" for f in docker.findings)
