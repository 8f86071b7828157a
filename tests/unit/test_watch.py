"""`whynogpu watch`: the sampler's NVML reading (fake pynvml from real public captures), the process tree
from the real /proc, stderr pass-through, and the verdict of each situation (tests/fixtures/watch/)."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import threading
import time

import pytest

from fake_pynvml import FakeNvml, load
from whynogpu.host.fake import FakeHost
from whynogpu.probes import Options, gather
from whynogpu.watch import nvml, proctree, report, runner, sampler, text
from whynogpu.watch.runner import StderrReader

CMD_PID = 4242  # the watched command's process in these facts (a real one in the sampler test)
HOSTS = os.path.join(os.path.dirname(__file__), "..", "fixtures", "hosts")


def facts_of(name: str, cpu: float | None = None, interval: float = 1.0):
    """The fixture's sequence read through nvml.py with the fake pynvml, as a finished run's facts."""
    data = load(name)
    nv = FakeNvml(data, CMD_PID)
    handles, infos, status = nvml.start(nv)
    samples = [{"t": float(i) * interval, "cpu": None if i == 0 else (data.get("cpu") if cpu is None else cpu),
                "processes": 1, "gpus": nvml.read(nv, handles, {CMD_PID}, lambda p: "kwin_wayland" if p == 2165 else None)}
               for i in range(len(data["samples"]))]
    reader = StderrReader(out_fd=os.open(os.devnull, os.O_WRONLY))
    reader.feed("\n".join(data.get("stderr", [])).encode() + b"\n")
    out = runner.Outcome(0, 0.0, len(samples) * interval, {"nvml": status, "gpus": infos, "cpu_count": 2}, samples,
                         reader.log)
    return report.facts_from(["python", "train.py"], out, interval, env=data.get("env", {}))


def codes(rep) -> list[str]:
    return [f.code for f in rep.findings]


def test_a_gpu_computed_on_is_the_verdict_with_its_numbers():
    facts = facts_of("t4-training-used")
    rep = report.build(facts)
    assert rep.verdict.gpu_usable is True and rep.verdict.root_cause == "no_problem"
    assert codes(rep) == ["WG901"]
    assert "Tesla T4" in rep.verdict.summary and "peak 99 %" in rep.verdict.summary
    ev = rep.findings[0].evidence[0].fact
    assert "busy 51 % of the run" in ev and "163 MiB" in ev and "PID 4242" in ev  # mean of 5..85 = 51.1


def test_a_mostly_idle_gpu_while_a_cpu_core_is_saturated_is_input_bound():
    rep = report.build(facts_of("t4-input-bound"))
    f = rep.findings[0]
    assert f.code == "WG903" and f.title.startswith("Input-bound") and rep.verdict.gpu_usable is True
    assert any("num_workers" in c for c in f.fix.commands) and any("prefetch" in c for c in f.fix.commands)
    assert all(("http" in c) for c in f.fix.commands if c.startswith("#"))  # every lever sourced
    assert codes(rep) == ["WG903", "WG901"]  # it did compute, a little: the warning comes first


def test_the_same_idle_gpu_without_a_busy_cpu_is_not_called_input_bound():
    f = report.build(facts_of("t4-input-bound", cpu=0.2)).findings[0]
    assert f.code == "WG903" and not f.title.startswith("Input-bound")


def test_memory_reserved_on_idle_gpus_and_one_of_three_busy():
    rep = report.build(facts_of("v100x3-preallocated-one-busy"))
    assert {"WG901", "WG906", "WG907"} <= set(codes(rep))
    pre = [f for f in rep.findings if f.code == "WG906"]
    assert [f.title.split(" (")[0][-5:] for f in pre] == ["GPU 1", "GPU 2"]  # not GPU 0, which computed
    assert "TF_FORCE_GPU_ALLOW_GROWTH=true" in " ".join(pre[0].fix.commands)
    assert "XLA_PYTHON_CLIENT_PREALLOCATE=false" in " ".join(pre[0].fix.commands)
    one = next(f for f in rep.findings if f.code == "WG907")
    assert "Only GPU 0 (Tesla V100-PCIE-32GB) of 3 visible GPUs" in one.title


def test_out_of_memory_beside_another_process_is_memory_not_compute():
    rep = report.build(facts_of("rtx4080super-oom-beside-compositor"))
    assert rep.verdict.root_cause == "gpu_memory_exhausted" and rep.verdict.gpu_usable is False
    assert {"WG902", "WG904", "WG905"} <= set(codes(rep))
    others = next(f for f in rep.findings if f.code == "WG904")
    assert "PID 2165 (kwin_wayland) held 25 MiB" in others.evidence[0].fact
    oom = next(f for f in rep.findings if f.code == "WG905")
    assert "CUDA out of memory" in oom.evidence[0].fact


def test_cuda_visible_devices_in_nvidia_smi_numbering_chose_another_gpu():
    rep = report.build(facts_of("a100x2-visible-devices-1-used-0"))
    f = next(f for f in rep.findings if f.code == "WG908")
    assert f.category == "cuda_visible_devices_hidden"
    assert f.fix.commands == ("export CUDA_DEVICE_ORDER=PCI_BUS_ID",)


def test_never_touched_names_the_message_the_command_printed():
    rep = report.build(facts_of("h100-never-touched-cudnn-missing"))
    assert rep.verdict.root_cause == "cudnn_missing"
    assert codes(rep)[:2] == ["WG909", "WG902"]
    never = next(f for f in rep.findings if f.code == "WG902")
    assert any("Skipping registering GPU devices" in e.fact for e in never.evidence)


def test_never_touched_on_a_machine_without_gpu_gives_checks_root_cause():
    folder = os.path.join(HOSTS, "vm-no-gpu-cuda13-all-cpu-frameworks-captured")
    machine = gather(FakeHost.from_folder(folder), Options(live=False))
    out = runner.Outcome(0, 0.0, 0.05, {"nvml": "NVML Shared Library Not Found", "gpus": [], "cpu_count": 2},
                         [{"t": 0.0, "cpu": None, "processes": 1, "gpus": []}], [])
    rep = report.build(report.facts_from(["python", "-c", "pass"], out, 1.0, env={}), machine)
    assert rep.verdict.root_cause == "no_nvidia_gpu" and rep.mode == "watch"
    assert codes(rep)[0] == "WG201" and "WG902" in codes(rep)
    assert "NVML Shared Library Not Found" in next(f for f in rep.findings if f.code == "WG902").evidence[0].fact


def test_the_watch_json_fits_the_report_schema():
    import jsonschema

    from whynogpu.render.json_report import report_data

    schema_path = os.path.join(os.path.dirname(report.__file__), "..", "report.schema.json")
    with open(schema_path, encoding="utf-8") as fh:
        schema = json.load(fh)
    for name in ("v100x3-preallocated-one-busy", "rtx4080super-oom-beside-compositor"):
        data = report_data(report.build(facts_of(name)), None)
        jsonschema.validate(data, schema)
        assert data["mode"] == "watch" and len(data["facts"]["watch"]["samples"]) == 2


def test_nvml_that_cannot_start_gives_its_own_error_text():
    import pynvml

    handles, infos, status = nvml.start(FakeNvml(error=pynvml.NVML_ERROR_DRIVER_NOT_LOADED))
    assert (handles, infos, status) == ([], [], "Driver Not Loaded")


def test_the_sampler_matches_nvml_processes_against_the_real_process_tree(tmp_path):
    # a real command with a child of its own: both are the command's tree, the compositor is not
    child = subprocess.Popen([sys.executable, "-c", "import subprocess, sys, time; "
                              "p = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(5)']); "
                              "print(p.pid, flush=True); time.sleep(5)"], stdout=subprocess.PIPE, text=True)
    try:
        grandchild = int(child.stdout.readline())
        data = load("rtx4080super-oom-beside-compositor")
        data["samples"] = [{"gpus": [dict(g, processes=[*g["processes"], {"pid": "CMD", "used_mib": 163}])
                                     for g in s["gpus"]]} for s in data["samples"]]
        nv = FakeNvml(data, cmd_pid=grandchild)
        r_fd, w_fd = os.pipe()
        out = io.StringIO()
        t = threading.Thread(target=sampler.run, args=(0.05,), kwargs={"stdin": os.fdopen(r_fd, "rb"), "stdout": out,
                                                                       "nv": nv})
        t.start()
        os.write(w_fd, f"{child.pid} {time.monotonic()}\n".encode())
        time.sleep(0.4)
        os.close(w_fd)
        t.join(timeout=5)
        assert not t.is_alive() and nv.shut
    finally:
        child.kill()
        child.wait()
    lines = [json.loads(x) for x in out.getvalue().splitlines()]
    assert lines[0]["kind"] == "start" and lines[0]["nvml"] == "ok"
    assert lines[0]["gpus"][0]["name"] == "NVIDIA GeForce RTX 4080 SUPER"
    samples = lines[1:]
    assert len(samples) >= 3 and all(s["processes"] == 2 for s in samples)
    g = samples[0]["gpus"][0]
    assert g["tree_pids"] == [grandchild] and g["tree_mib"] == 163 and g["util"] == 0
    assert [o["pid"] for o in g["others"]] == [2165]


def test_the_process_tree_and_its_cpu_time_come_from_proc():
    pids, cpu = proctree.tree(os.getpid())
    assert os.getpid() in pids and cpu > 0
    assert proctree.tree(2**22 + 12345) == (set(), 0.0)


def test_stderr_passes_through_unchanged_while_its_messages_are_read():
    r, w = os.pipe()
    reader = StderrReader(out_fd=w)
    line = ("2024-03-09 19:15:51.214977: W tensorflow/core/common_runtime/gpu/gpu_device.cc:2251] Cannot dlopen "
            "some GPU libraries. Please make sure the missing libraries mentioned above are installed properly.\n")
    data = b"\xff\xfebinary \x1b[31mred\x1b[0m\r50%\r100%\n" + line.encode() + b"no newline at the end"
    for i in range(0, len(data), 7):  # chunks that split lines and escape codes
        reader.feed(data[i:i + 7])
        os.write(w, data[i:i + 7])
    reader.close()
    os.close(w)
    with os.fdopen(r, "rb") as fh:
        assert fh.read() == data
    assert [m.id for m in reader.log] == ["tf_cannot_dlopen_gpu_libs"]


def test_sparkline_scales_and_shows_gaps():
    assert text.sparkline([0, 50, 100, None], 100) == "▁▅█ "
    assert len(text.sparkline(list(range(1000)), 100)) == text.WIDTH


@pytest.mark.parametrize("args, message", [
    ([], "give the command to watch"),
    (["--"], "give the command to watch"),
    (["--interval", "0", "--", "true"], "--interval must be"),
    (["--interval", "-1", "--", "true"], "--interval must be"),
    (["--interval", "nan", "--", "true"], "--interval must be"),
    (["--interval", "inf", "--", "true"], "--interval must be"),
    (["--interval", "soon", "--", "true"], "--interval must be"),
    (["--json", "/no/such/folder/x.json", "--", "true"], "--json /no/such/folder/x.json: cannot write there"),
])
def test_bad_input_is_one_line_and_exit_2(args, message):
    res = subprocess.run([sys.executable, "-m", "whynogpu", "watch", *args], capture_output=True, text=True, timeout=60)
    assert res.returncode == 2 and res.stdout == ""
    assert res.stderr.count("\n") == 1 and message in res.stderr and "Traceback" not in res.stderr


def test_plot_without_matplotlib_is_a_clear_error_before_the_command_runs(tmp_path):
    from whynogpu.watch import plot

    if plot.available():
        pytest.skip("matplotlib is installed here")
    marker = tmp_path / "ran"
    res = subprocess.run([sys.executable, "-m", "whynogpu", "watch", "--plot", str(tmp_path / "p.png"), "--",
                          "touch", str(marker)], capture_output=True, text=True, timeout=60)
    assert res.returncode == 2 and "pip install 'whynogpu[plot]'" in res.stderr and res.stderr.count("\n") == 1
    assert not marker.exists()


def test_matplotlib_is_never_imported_without_plot():
    code = ("import sys; from whynogpu.watch import report, runner, text, plot; "
            "from whynogpu.commands import watch; print('matplotlib' in sys.modules)")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert res.stdout.strip() == "False", res.stderr
